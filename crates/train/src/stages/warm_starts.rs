//! Warm starts: gradient starts (Adam on the same architecture, seeded),
//! each projected onto the MILP's feasible set (grid weights, box, neuron
//! order), fine-tuned on the grid (quantization-aware) and LP-polished; the
//! best becomes the first incumbent. The first start's gradient network is
//! the report's baseline. They run in the warm starts' share of the budget
//! (the first always runs). Each start is repaired for the rules it can be
//! repaired for; one that still breaks a rule is dropped.

use crate::budget::{Budget, WARM_START_SHARE};
use crate::error::TrainError;
use crate::events::{RunStage, Step, TrainObserver};
use crate::report::StageReport;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_formulate::project;
use mipnet_gradient::{initial_network, Constraints, GradientSettings};
use mipnet_network::Network;
use std::time::Instant;

/// The warm starts' settings.
pub(crate) struct WarmStarts {
    /// Gradient starts, seeded `seed`, `seed + 1`, …
    pub starts: usize,
    /// Adam steps of the fine-tune on the grid; 0 = off.
    pub finetune_epochs: usize,
    /// Whether each start is LP-polished.
    pub polish: bool,
}

impl Stage for WarmStarts {
    fn name(&self) -> StageName {
        StageName::WarmStarts
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        let s = run.settings;
        // How long the first start took: a later one begins only while the
        // warm starts' share still holds that long, so it is not cut to
        // nothing.
        let mut first_start_seconds = 0.0;
        for i in 0..self.starts {
            let no_room = run.budget.warm_start_remaining() < first_start_seconds;
            if (run.stopped() || run.budget.warm_starts_over() || no_room) && run.best.is_some() {
                if !run.stopped() {
                    obs.stage(&format!(
                        "gradient starts: {i} of {} in their share of the time limit ({:.1} s)",
                        self.starts,
                        WARM_START_SHARE * run.budget.limit()
                    ));
                }
                break;
            }
            let seed = s.gradient.seed + i as u64;
            obs.stage(&format!("gradient start {} of {} (seed {seed})", i + 1, self.starts));
            let started = Instant::now();
            let stage = RunStage::GradientStart {
                index: i + 1,
                of: self.starts,
            };
            run.started(obs, stage);
            let deadline = run.budget.gradient_start_deadline(i, self.starts);
            let (start, grad) = self.start(run, seed, deadline);
            run.findings.gradient.get_or_insert(grad);
            let x = match run.f.start_values(&start) {
                Ok(x) => x,
                // A start that still breaks a rule after its repair (a class
                // recall or a fixed decision) is dropped, never handed to
                // the solver; the full MIP may still find a network.
                Err(why) if !s.formulation.rules.is_empty() => {
                    obs.stage(&format!("gradient start {} dropped: {why}", i + 1));
                    run.findings.dropped_starts += 1;
                    continue;
                }
                Err(e) => return Err(TrainError::NoNetwork(format!("the warm start is not feasible: {e}"))),
            };
            let obj = run.f.objective_of(&start);
            if run.findings.best_start.as_ref().is_none_or(|(o, _)| obj < *o) {
                run.findings.best_start = Some((obj, x.clone()));
            }
            if self.polish {
                run.polish_and_consider(&x, Step::Polish, Some(seed), run.budget.start_polish_deadline(i))?;
                if run.best.is_none() {
                    // The polish LP ended without a solution (out of time,
                    // say): the start itself is the fallback, as without
                    // the polish.
                    let net = run.with_standardizer(start);
                    run.consider(x, net, Step::Finetune);
                }
            } else {
                // Without the polish the start itself is the fallback: its
                // values come from a network, so it certifies exactly, and a
                // MIP incumbent that fails its certificate (solver
                // tolerances) then leaves a checked network rather than none.
                let net = run.with_standardizer(start);
                run.consider(x, net, Step::Finetune);
            }
            run.incumbent_changed(obs, stage);
            if i == 0 {
                first_start_seconds = started.elapsed().as_secs_f64();
            }
        }
        Ok(())
    }
}

impl WarmStarts {
    /// Gradient start with `seed` → projection → fine-tune, the epochs
    /// ending by `deadline`; returns the start network and the gradient
    /// network.
    fn start(&self, run: &mut Run, seed: u64, deadline: Instant) -> (Network, Network) {
        let s = run.settings;
        let t = Instant::now();
        let mut grad = initial_network(&run.train, run.f.convolution(), &s.formulation.hidden, seed);
        let gs = GradientSettings {
            margin: s.formulation.margin,
            l1: s.formulation.l1,
            seed,
            ..s.gradient.clone()
        };
        let constraints = Constraints {
            deadline: Some(Budget::gradient_deadline(t, deadline)),
            ..Constraints::default()
        };
        mipnet_gradient::train(&mut grad, &run.train, &gs, constraints);
        let grad = run.with_standardizer(grad);
        run.findings.records.push(StageReport {
            stage: Step::Gradient,
            seed: Some(seed),
            objective: None,
            train_accuracy: grad.accuracy(run.raw_train),
            seconds: t.elapsed().as_secs_f64(),
        });
        let t = Instant::now();
        // Repaired for the rules it can be (feature budget, neuron limit,
        // monotone) right after the projection and after the fine-tune,
        // which moves layer 1 freely.
        let mut start = run.repair_for_rules(&project(&grad, &s.formulation));
        let start_obj = run.record(Step::Projection, Some(seed), &start, t.elapsed().as_secs_f64());
        if self.finetune_epochs > 0 {
            let t = Instant::now();
            let tuned = run.finetune(&start, self.finetune_epochs, s.gradient.learning_rate, deadline);
            let tuned = run.repair_for_rules(&tuned);
            let obj = run.record(Step::Finetune, Some(seed), &tuned, t.elapsed().as_secs_f64());
            if obj < start_obj {
                start = tuned;
            }
        }
        (start, grad)
    }
}
