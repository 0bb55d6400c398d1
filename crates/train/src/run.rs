//! The state a run's stages share: its settings and budget, the solver,
//! the data and the MILP, the incumbent, and what the report will say.
//! Stages take the incumbent from here and leave a better one or the same;
//! every network that becomes the incumbent has passed the certificate
//! check ([`Run::consider`]).

use crate::budget::Budget;
use crate::error::TrainError;
use crate::events::{RunStage, RunStatus, Step, TrainEvent, TrainObserver};
use crate::incumbent::{better, Incumbent};
use crate::polish::polish;
use crate::report::{BoundStage, CutReport, LnsReport, LowerBoundReport, MipSchedule, StageReport, Tightening};
use crate::settings::TrainSettings;
use crate::solver::TrainSolver;
use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{sort_neurons, Certificate, DenseFormulation, ModelStats, Tolerances};
use mipnet_gradient::{Constraints, GradientSettings};
use mipnet_network::Network;
use mipnet_solver::InterruptFlag;
use std::collections::BTreeMap;
use std::time::Instant;

/// What the stages found besides the incumbent, for the report.
pub(crate) struct Findings {
    /// Seconds the first build of the MILP took, and its size.
    pub build_seconds: f64,
    pub stats: ModelStats,
    /// The estimated memory of the MILP with HiGHS's MIP, in bytes.
    pub model_bytes: f64,
    /// The first gradient start's network: the report's baseline.
    pub gradient: Option<Network>,
    /// Every network a stage produced, in order.
    pub records: Vec<StageReport>,
    /// Step → new incumbents it found.
    pub improvements: BTreeMap<String, usize>,
    /// The best warm start by its forward objective, with its column values
    /// (the MIP's start when the polish is off).
    pub best_start: Option<(f64, Vec<f64>)>,
    /// Warm starts dropped because they broke a rule after their repair.
    pub dropped_starts: usize,
    /// What became of a start network handed to the run.
    pub given_start: Option<crate::report::GivenStartReport>,
    /// The last network that failed its certificate.
    pub failed_certificate: Option<Certificate>,
    pub lns: Option<LnsReport>,
    pub tightening: Option<Tightening>,
    pub bounds: Vec<BoundStage>,
    pub lower_bounds: Vec<LowerBoundReport>,
    pub cuts: Option<CutReport>,
    pub mip: MipFindings,
    /// Each better network and each better proven bound, when.
    pub trace: crate::trace::Trace,
}

/// What the full MIP returned.
pub(crate) struct MipFindings {
    pub schedule: MipSchedule,
    /// Its status, or `not_run`.
    pub status: String,
    pub dual_bound: Option<f64>,
    pub seconds: f64,
    pub user_solutions: usize,
}

/// One training run's shared state.
pub(crate) struct Run<'a> {
    pub settings: &'a TrainSettings,
    pub budget: Budget,
    pub solver: &'a dyn TrainSolver,
    pub interrupt: Option<&'a InterruptFlag>,
    pub f: DenseFormulation,
    /// The training data, standardized (as the MILP sees it), and as given.
    pub train: Dataset,
    pub raw_train: &'a Dataset,
    pub standardizer: Standardizer,
    pub tol: Tolerances,
    pub best: Option<Incumbent>,
    pub findings: Findings,
}

impl Run<'_> {
    /// Whether the user asked the run to stop.
    pub fn stopped(&self) -> bool {
        self.interrupt.is_some_and(|f| f.is_raised())
    }

    /// The incumbent's objective, if there is one.
    pub fn incumbent(&self) -> Option<f64> {
        self.best.as_ref().map(Incumbent::objective)
    }

    /// The threads the run may use: `solver.threads`, or the machine's.
    pub fn threads(&self) -> usize {
        self.settings
            .solver
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }

    /// Records a network `step` produced, returning its MILP objective.
    pub fn record(&mut self, step: Step, seed: Option<u64>, net: &Network, seconds: f64) -> f64 {
        let objective = self.f.objective_of(net);
        self.findings.records.push(StageReport {
            stage: step,
            seed,
            objective: Some(objective),
            train_accuracy: net.accuracy(self.raw_train),
            seconds,
        });
        objective
    }

    fn status(&self, stage: RunStage) -> RunStatus {
        RunStatus {
            stage,
            incumbent: self.incumbent(),
            time_limit: self.budget.limit(),
        }
    }

    /// Tells `obs` that `stage` starts.
    pub fn started(&self, obs: &mut dyn TrainObserver, stage: RunStage) {
        obs.event(&TrainEvent::StageStarted(self.status(stage)));
    }

    /// Tells `obs` the incumbent within `stage`.
    pub fn incumbent_changed(&self, obs: &mut dyn TrainObserver, stage: RunStage) {
        obs.event(&TrainEvent::NewIncumbent(self.status(stage)));
    }

    pub fn with_standardizer(&self, mut n: Network) -> Network {
        n.standardizer = self.standardizer.clone();
        n
    }

    /// Certifies a solution and keeps it if it is better than the
    /// incumbent; returns whether it was kept.
    pub fn consider(&mut self, x: Vec<f64>, net: Network, step: Step) -> bool {
        let cert = self.f.certify(&x, &net, &self.tol);
        if !cert.passed {
            self.findings.failed_certificate = Some(cert);
            return false;
        }
        let keep = self
            .best
            .as_ref()
            .is_none_or(|b| better(cert.objective_forward, b.objective()));
        if keep {
            *self.findings.improvements.entry(step.as_str().to_string()).or_default() += 1;
            self.findings
                .trace
                .network(self.budget.elapsed(), step, cert.objective_forward);
            self.best = Some(Incumbent {
                x,
                network: net,
                certificate: cert,
                found_by: step,
            });
        }
        keep
    }

    /// Polishes the activation pattern of `x` (its LPs ending by
    /// `deadline`), records and considers it.
    pub fn polish_and_consider(
        &mut self,
        x: &[f64],
        step: Step,
        seed: Option<u64>,
        deadline: Instant,
    ) -> Result<bool, TrainError> {
        let t = Instant::now();
        let Some((px, net)) = polish(
            self.solver,
            &self.f,
            x,
            &self.standardizer,
            self.settings,
            &self.tol,
            deadline,
        )?
        else {
            return Ok(false);
        };
        let net = self.with_standardizer(net);
        self.record(step, seed, &net, t.elapsed().as_secs_f64());
        Ok(self.consider(px, net, step))
    }

    /// `net` repaired for the rules: the formulation's repair (feature
    /// budget, neuron limit, monotone), then the class recalls' output
    /// biases ([`crate::recall_repair`]). A start that still breaks a rule
    /// is refused by `start_values`.
    pub fn repair_for_rules(&self, net: &Network) -> Network {
        let rules = &self.settings.formulation.rules;
        if rules.is_empty() {
            return net.clone();
        }
        let f = &self.settings.formulation;
        let repaired = self.f.repair_for_rules(net);
        crate::recall_repair::raise_recalls(&repaired, &self.train, rules, f.margin, f.omega)
    }

    /// Adam with the grid weights frozen and layer 1 / biases clipped to ±ω,
    /// its epochs ending by `deadline`.
    pub fn finetune(&self, net: &Network, epochs: usize, learning_rate: f64, deadline: Instant) -> Network {
        self.finetune_on(net, &self.train, epochs, learning_rate, deadline)
    }

    /// [`Run::finetune`] on `data` (standardized as the training data),
    /// e.g. the training data with fixed decisions' points added.
    pub fn finetune_on(
        &self,
        net: &Network,
        data: &Dataset,
        epochs: usize,
        learning_rate: f64,
        deadline: Instant,
    ) -> Network {
        let s = self.settings;
        let mut tuned = net.clone();
        let ft = GradientSettings {
            epochs,
            learning_rate,
            margin: s.formulation.margin,
            l1: s.formulation.l1,
            ..s.gradient.clone()
        };
        let constraints = Constraints {
            freeze_from: Some(1),
            clip: Some(s.formulation.omega),
            deadline: Some(deadline),
        };
        mipnet_gradient::train(&mut tuned, data, &ft, constraints);
        if s.formulation.symmetry_breaking {
            sort_neurons(&mut tuned);
        }
        tuned
    }
}
