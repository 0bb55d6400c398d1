//! What a stage is: a named unit with its settings that takes the run's
//! incumbent and leaves a better one or the same, writing its part of the
//! report. [`crate::train`] runs a list of them; a stage never calls
//! another. Two stages can run at once through [`crate::alongside`]: one
//! in the foreground ([`Stage`]) with a [`Partner`] link to one on its own
//! thread ([`BesideStage`]).

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::run::Run;
use mipnet_solver::{MipStart, SolveOptions, SolveResult};
use serde::Serialize;

/// The stages of the pipeline, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageName {
    /// Gradient starts, each projected, fine-tuned and polished.
    WarmStarts,
    /// Fine-tune/polish rounds on the incumbent.
    SearchRounds,
    /// Flipped activation patterns, each polished.
    PatternFlips,
    /// Sub-MIPs around the incumbent.
    NeighbourhoodSearch,
    /// The model as built, recorded with its root LP bound.
    IntervalBounds,
    /// The MILP rebuilt with the incumbent's objective as cutoff.
    CutoffTightening,
    /// Proven lower bounds from relaxations that keep the weights shared.
    LowerBounds,
    /// The root cut loop with Lipschitz cuts.
    CutLoop,
    /// The full MIP from the incumbent.
    FullMip,
    /// Branch-and-price against the run's network, after the run.
    BranchAndPrice,
}

impl StageName {
    /// The name as the docs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::WarmStarts => "warm-starts",
            StageName::SearchRounds => "search-rounds",
            StageName::PatternFlips => "pattern-flips",
            StageName::NeighbourhoodSearch => "neighbourhood-search",
            StageName::IntervalBounds => "interval-bounds",
            StageName::CutoffTightening => "cutoff-tightening",
            StageName::LowerBounds => "lower-bounds",
            StageName::CutLoop => "cut-loop",
            StageName::FullMip => "full-mip",
            StageName::BranchAndPrice => "branch-and-price",
        }
    }
}

/// A stage run beside the foreground one, as the foreground stage sees it.
pub(crate) trait Partner {
    /// Offers a new incumbent (its column values and objective).
    fn offer(&mut self, x: &[f64], objective: f64);
    /// Passes the partner's progress on to `obs`.
    fn forward(&mut self, obs: &mut dyn TrainObserver);
    /// Whether the partner has ended.
    fn finished(&self) -> bool;
    /// Threads the partner leaves to the foreground stage.
    fn threads_left(&self) -> usize;
    /// Seconds both stages have.
    fn seconds(&self) -> f64;
    /// Incumbents offered so far.
    fn offered(&self) -> usize;
}

/// A unit of the pipeline.
pub(crate) trait Stage {
    fn name(&self) -> StageName;
    /// Runs the stage on `run`'s incumbent. `partner` is a stage running
    /// beside it, when there is one: new incumbents go to it.
    fn run(
        &self,
        run: &mut Run,
        obs: &mut dyn TrainObserver,
        partner: Option<&mut dyn Partner>,
    ) -> Result<(), TrainError>;
}

/// One MIP solve of the run's model a stage hands to a thread of its own.
pub(crate) struct DetachedSolve {
    pub options: SolveOptions,
    /// The start; none when every warm start broke a rule (the solver
    /// then searches from nothing).
    pub start: Option<MipStart>,
}

/// A stage that can run on a thread of its own beside another: it prepares
/// one solve from the run, the solve runs without touching the run, and its
/// result is taken into the run afterwards.
pub(crate) trait BesideStage: Stage {
    /// The solve, with `seconds` and `threads`; none when the stage does
    /// not run (it says why).
    fn prepare(
        &self,
        run: &mut Run,
        obs: &mut dyn TrainObserver,
        seconds: f64,
        threads: usize,
    ) -> Option<DetachedSolve>;
    /// Takes the solve's result into the run.
    fn finish(&self, run: &mut Run, result: SolveResult, obs: &mut dyn TrainObserver) -> Result<(), TrainError>;
}
