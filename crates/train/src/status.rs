//! Where a training run is, for a progress display: the stage running and
//! the best certified objective so far. The pipeline sends a
//! [`RunStatus`] to its observer whenever a stage starts or the incumbent
//! changes; between them the display keeps its own clock ticking, and the
//! full MIP's solver progress (bound, gap, nodes) comes through
//! [`crate::TrainObserver::solver`].

/// The part of the pipeline running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStage {
    /// Estimating and building the MILP.
    Building,
    /// Gradient start `index` (1-based) of `of`: Adam, projection,
    /// fine-tune and LP polish.
    GradientStart { index: usize, of: usize },
    /// Fine-tune/polish rounds on the incumbent.
    SearchRounds,
    /// Pattern flips, each polished.
    PatternFlips,
    /// The large-neighbourhood search's sub-MIPs.
    NeighbourhoodSearch,
    /// The bound stages before the full MIP (cutoff tightening, root LPs,
    /// cut loop).
    Bounds,
    /// The full MIP, after the search.
    FullMip,
    /// The full MIP on one thread, the neighbourhood search on the others.
    FullMipAlongsideSearch,
    /// Polishing the MIP's incumbent and writing the report.
    Finishing,
}

impl RunStage {
    /// A short name for a progress line.
    pub fn describe(self) -> String {
        match self {
            RunStage::Building => "building the MILP".into(),
            RunStage::GradientStart { index, of } => format!("gradient start {index}/{of}"),
            RunStage::SearchRounds => "search rounds".into(),
            RunStage::PatternFlips => "pattern flips".into(),
            RunStage::NeighbourhoodSearch => "neighbourhood search".into(),
            RunStage::Bounds => "bounds".into(),
            RunStage::FullMip => "full MIP".into(),
            RunStage::FullMipAlongsideSearch => "full MIP + search".into(),
            RunStage::Finishing => "finishing".into(),
        }
    }
}

/// What a progress display shows between the stage messages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunStatus {
    pub stage: RunStage,
    /// The best certified objective so far (none before the first network).
    pub incumbent: Option<f64>,
    /// The run's time limit, in seconds (its wall time, see [`crate::Budget`]).
    pub time_limit: f64,
}
