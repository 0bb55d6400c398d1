//! Pattern flips: flip the ReLU binaries that block the samples missing
//! the margin, polish each flipped pattern, keep the best if the objective
//! falls; rounds stop at the first without a real gain.

use crate::error::TrainError;
use crate::events::{RunStage, Step, TrainObserver};
use crate::incumbent::worth_another_round;
use crate::polish::polish;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_milp::Col;
use mipnet_network::Network;
use std::time::Instant;

/// The pattern flips' settings.
pub(crate) struct PatternFlips {
    pub rounds: usize,
    /// Flips tried per round (each one LP polish).
    pub candidates: usize,
    /// Seconds the flips may take in all (within the warm starts' share).
    pub seconds: f64,
}

impl Stage for PatternFlips {
    fn name(&self) -> StageName {
        StageName::PatternFlips
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        let clock = Instant::now();
        let flip_seconds = run.budget.flip_seconds(self.seconds);
        let out_of_time = |clock: &Instant| clock.elapsed().as_secs_f64() > flip_seconds;
        for round in 0..self.rounds {
            let Some(best) = run.best.as_ref() else { break };
            if run.stopped() || out_of_time(&clock) {
                break;
            }
            let before = best.objective();
            let flips = run.f.flip_candidates(&best.x, &best.network, self.candidates);
            run.started(obs, RunStage::PatternFlips);
            obs.stage(&format!(
                "pattern flips, round {} ({} candidates, objective {before:.6})",
                round + 1,
                flips.len()
            ));
            let base = run.best.as_ref().expect("an incumbent").x.clone();
            let mut found: Option<(f64, Vec<f64>, Network)> = None;
            // Single flips, then the top 2, 4, 8, … together.
            let mut tries: Vec<Vec<(Col, f64)>> = flips.iter().map(|&f| vec![f]).collect();
            let mut k = 2;
            while k <= flips.len() {
                tries.push(flips[..k].to_vec());
                k *= 2;
            }
            for group in tries {
                if run.stopped() || out_of_time(&clock) {
                    break;
                }
                let mut x = base.clone();
                for (col, value) in group {
                    x[col.index()] = value;
                }
                let polished = polish(
                    run.solver,
                    &run.f,
                    &x,
                    &run.standardizer,
                    run.settings,
                    &run.tol,
                    run.budget.warm_start_deadline(),
                )?;
                let Some((px, net)) = polished else { continue };
                let obj = run.f.objective_of(&net);
                if found
                    .as_ref()
                    .map_or(worth_another_round(obj, before), |(o, _, _)| obj < *o)
                {
                    found = Some((obj, px, net));
                }
            }
            let Some((_, px, net)) = found else { break };
            let net = run.with_standardizer(net);
            run.record(Step::Flip, None, &net, clock.elapsed().as_secs_f64());
            if !run.consider(px, net, Step::Flip) {
                break;
            }
        }
        Ok(())
    }
}
