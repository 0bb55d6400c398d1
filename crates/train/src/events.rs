//! What a run tells its observer: typed events (a stage started, a new
//! incumbent) that a front end formats, the stages' log lines, and the
//! solver's own progress during a MIP.

use mipnet_solver::{NoObserver, Observer};
use serde::Serialize;

/// The part of the pipeline running, as a progress display names it.
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
    /// proven lower bounds, cut loop).
    Bounds,
    /// The full MIP, after the search.
    FullMip,
    /// The full MIP on one thread, the neighbourhood search on the others.
    FullMipAlongsideSearch,
    /// Polishing the MIP's incumbent and writing the report.
    Finishing,
}

/// What produced a network: the report's `stages[].stage`, `found_by` and
/// `progress.improvements` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Adam on the same architecture (not on the MILP's grid).
    Gradient,
    /// The gradient network projected onto the MILP's feasible set.
    Projection,
    /// Quantization-aware fine-tune of the projection.
    Finetune,
    /// The LP polish of a warm start.
    Polish,
    /// A search round's fine-tune, polished.
    Search,
    /// A flipped activation pattern, polished.
    Flip,
    /// A neighbourhood's sub-MIP, polished.
    Lns,
    /// The full MIP's incumbent.
    Mip,
    /// A settled node of branch-and-price (the blend of its units),
    /// polished.
    #[serde(rename = "branch-and-price")]
    Tree,
}

impl Step {
    /// The name as the report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Gradient => "gradient",
            Step::Projection => "projection",
            Step::Finetune => "finetune",
            Step::Polish => "polish",
            Step::Search => "search",
            Step::Flip => "flip",
            Step::Lns => "lns",
            Step::Mip => "mip",
            Step::Tree => "branch-and-price",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a run is: the stage running and the best certified objective so
/// far (what a progress display shows between the log lines).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunStatus {
    pub stage: RunStage,
    /// The best certified objective so far (none before the first network).
    pub incumbent: Option<f64>,
    /// The run's time limit, in seconds (its wall time, see [`crate::Budget`]).
    pub time_limit: f64,
}

/// A typed event of the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrainEvent {
    /// A stage (or a gradient start) started.
    StageStarted(RunStatus),
    /// The incumbent changed within the running stage: a better certified
    /// network, or the stage's part ended with it.
    NewIncumbent(RunStatus),
}

impl TrainEvent {
    /// The run's status after the event.
    pub fn status(&self) -> &RunStatus {
        match self {
            TrainEvent::StageStarted(s) | TrainEvent::NewIncumbent(s) => s,
        }
    }
}

/// Receives the pipeline's events and messages and the solver's progress.
pub trait TrainObserver {
    /// A line for the run's log: what a stage does or did, or why it was
    /// skipped.
    fn stage(&mut self, _message: &str) {}
    /// A stage started, or the incumbent changed.
    fn event(&mut self, _event: &TrainEvent) {}
    /// Progress of a MIP solve (the full MIP).
    fn solver(&mut self) -> &mut dyn Observer;
}

/// An observer that ignores everything.
pub struct Silent(NoObserver);

impl Default for Silent {
    fn default() -> Self {
        Silent(NoObserver)
    }
}

impl TrainObserver for Silent {
    fn solver(&mut self) -> &mut dyn Observer {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_written_as_the_report_names_it() {
        let all = [
            Step::Gradient,
            Step::Projection,
            Step::Finetune,
            Step::Polish,
            Step::Search,
            Step::Flip,
            Step::Lns,
            Step::Mip,
            Step::Tree,
        ];
        for step in all {
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::Value::String(step.as_str().into()),
                "{step:?}"
            );
        }
    }
}
