//! Search rounds: fine-tune the incumbent on the grid, polish its new
//! activation pattern, keep it if the objective falls; the rounds stop at
//! the first without a real gain, or with the warm starts' share.

use crate::error::TrainError;
use crate::events::{RunStage, Step, TrainObserver};
use crate::incumbent::worth_another_round;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};

/// The search rounds' settings.
pub(crate) struct SearchRounds {
    pub rounds: usize,
    /// Adam steps and step size per round.
    pub epochs: usize,
    pub learning_rate: f64,
}

impl Stage for SearchRounds {
    fn name(&self) -> StageName {
        StageName::SearchRounds
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        for round in 0..self.rounds {
            let Some(before) = run.incumbent() else { break };
            if run.stopped() || run.budget.warm_starts_over() {
                break;
            }
            run.started(obs, RunStage::SearchRounds);
            obs.stage(&format!("search round {} (objective {before:.6})", round + 1));
            let network = &run.best.as_ref().expect("an incumbent").network;
            let tuned = run.finetune(
                network,
                self.epochs,
                self.learning_rate,
                run.budget.warm_start_deadline(),
            );
            // The fine-tune moves layer 1 freely: repaired for the rules,
            // and a network that still breaks one is not polished.
            let tuned = run.repair_for_rules(&tuned);
            let Ok(x) = run.f.start_values(&tuned) else { break };
            run.polish_and_consider(&x, Step::Search, None, run.budget.warm_start_deadline())?;
            let after = run.incumbent().unwrap_or(before);
            if !worth_another_round(after, before) {
                break;
            }
        }
        Ok(())
    }
}
