//! The MILP as built (big-Ms from interval bounds), recorded as the first
//! bound stage before the full MIP, with its root LP bound when
//! `stages.root_lp_seconds` asks for one.

use crate::error::TrainError;
use crate::events::{RunStage, TrainObserver};
use crate::relaxation::record_bound_stage;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};

/// The interval bounds' record (no settings of its own).
pub(crate) struct IntervalBounds;

impl Stage for IntervalBounds {
    fn name(&self) -> StageName {
        StageName::IntervalBounds
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        run.started(obs, RunStage::Bounds);
        let build_seconds = run.findings.build_seconds;
        record_bound_stage(run, "interval", build_seconds, obs)
    }
}
