//! Exact training of dense ReLU classifiers: a pipeline around the solver.
//!
//! HiGHS on the training MILP alone returns the zero network and proves
//! nothing (its LP relaxation is 0), so the trainer works in one direction,
//! each stage taking the previous stage's network and handing on a better
//! one:
//!
//! 1. **gradient**: Adam on the same architecture (seeded) — also the
//!    report's baseline;
//! 2. **projection** onto the MILP's feasible set (grid weights, box,
//!    neuron order; scale moves into layer 1);
//! 3. **fine-tune**: Adam again with the grid weights frozen and layer 1
//!    clipped to the box (quantization-aware);
//! 4. **LP polish**: every binary fixed at the network's values (activation
//!    patterns, grid weights); the LP left in the continuous weights is
//!    solved exactly;
//! 5. **search**: fine-tune/polish rounds, then the exact
//!    large-neighbourhood search ([`lns`]): sub-MIPs around the incumbent;
//! 6. **bounds**: the objective-cutoff tightening, each bound stage's root
//!    LP recorded;
//! 7. **full MIP** with the best network as MIP start, for a better network
//!    and the dual bound; a better incumbent is polished in turn. It runs
//!    after the search, or alongside it, fed the search's new bests
//!    (`alongside`).
//!
//! `solver.time_limit` is the whole run's wall time: one [`Budget`],
//! started when [`train`] starts, hands every stage its share (see
//! `budget.rs` for the shares and the margin a run may exceed it by).
//!
//! Every network that leaves a stage as a result has passed the
//! certificate check: its forward pass in f64 reproduces the MILP's
//! activations, outputs, losses and objective.

mod alongside;
pub mod bench;
pub mod budget;
mod cuts;
pub mod lns;
pub mod lower_bound;
mod settings;
mod status;

pub use budget::Budget;
pub use cuts::CutReport;
pub use lns::LnsReport;
pub use lower_bound::LowerBoundReport;
pub use settings::{
    DataSource, MissingRows, OutputSettings, RunConfig, SolverSettings, Stages, TrainSettingError, TrainSettings,
};
pub use status::{RunStage, RunStatus};

use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{project, sort_neurons, Certificate, DenseFormulation, ModelEstimate, ModelStats, Tolerances};
use mipnet_gradient::{initial_network, magnitude_prune, Constraints, GradientSettings};
use mipnet_highs::HighsSolver;
use mipnet_network::Network;
use mipnet_solver::{InterruptFlag, MipStart, NoObserver, Observer, SolveRequest, Solver, SolverError, Status};
use serde::Serialize;
use std::time::Instant;
use thiserror::Error;

/// Why training produced no network.
#[derive(Debug, Error)]
pub enum TrainError {
    #[error(transparent)]
    Settings(#[from] TrainSettingError),
    #[error("solver: {0}")]
    Solver(#[from] SolverError),
    #[error("no network: {0}")]
    NoNetwork(String),
    #[error("certificate check failed: {0}")]
    Certificate(String),
    /// The estimated model does not fit in this machine's memory.
    #[error("{0}")]
    TooLarge(String),
    /// A benchmark's data could not be read (MNIST files missing, say).
    #[error("data: {0}")]
    Data(String),
}

/// Memory the kernel says is available (Linux `/proc/meminfo`), in bytes.
fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Refuses a model whose estimated memory exceeds 80 % of what is
/// available, with the estimate and what to change.
fn check_fits(train: &Dataset, s: &TrainSettings) -> Result<ModelEstimate, TrainError> {
    let e = ModelEstimate::of(train, &s.formulation).map_err(TrainSettingError::from)?;
    let gib = |b: f64| b / (1u64 << 30) as f64;
    let need = if s.stages.mip { e.bytes } else { e.bytes_without_mip };
    if let Some(avail) = available_memory() {
        if need > 0.8 * avail {
            return Err(TrainError::TooLarge(format!(
                "the training MILP would not fit in memory: about {} columns ({} binaries), {} rows and {} \
                 nonzeros, needing about {:.1} GiB, with {:.1} GiB available; train on fewer samples \
                 (--train-per-class), fewer inputs (--image-pool for MNIST) or fewer hidden neurons{}",
                e.columns,
                e.binaries,
                e.rows,
                e.nonzeros,
                gib(need),
                gib(avail),
                if s.stages.mip {
                    " (or --no-mip: HiGHS's MIP needs most of that memory)"
                } else {
                    ""
                }
            )));
        }
    }
    Ok(e)
}

/// What one stage reached.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageReport {
    pub stage: String,
    /// The gradient seed of the start this stage worked on, if any.
    pub seed: Option<u64>,
    /// The MILP objective of the stage's network (by its forward pass);
    /// none for the gradient network, which is not on the MILP's grid.
    pub objective: Option<f64>,
    pub train_accuracy: f64,
    pub seconds: f64,
}

/// The best objective after each part of the pipeline, and how often each
/// stage found a new best network (a certified one).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Best projected or fine-tuned start (before any LP).
    pub warm_start: Option<f64>,
    /// Best after the LP polish of the starts.
    pub polish: Option<f64>,
    /// Best after the search rounds, pattern flips and the
    /// large-neighbourhood search.
    pub search: Option<f64>,
    /// The returned network's (after the full MIP).
    pub end: f64,
    /// Stage name → number of new best networks it found.
    pub improvements: std::collections::BTreeMap<String, usize>,
}

impl Progress {
    fn of(stages: &[StageReport], improvements: std::collections::BTreeMap<String, usize>, end: f64) -> Progress {
        let best = |names: &[&str]| {
            stages
                .iter()
                .filter(|s| names.contains(&s.stage.as_str()))
                .filter_map(|s| s.objective)
                .fold(None, |b: Option<f64>, o| Some(b.map_or(o, |b| b.min(o))))
        };
        Progress {
            warm_start: best(&["projection", "finetune"]),
            polish: best(&["polish"]),
            search: best(&["polish", "search", "flip", "lns"]),
            end,
            improvements,
        }
    }
}

/// The gradient network beside the MILP's, on the same split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    /// Fraction of its weights exactly 0.
    pub weight_sparsity: f64,
    /// Magnitude-pruned to the MILP network's weight sparsity.
    pub pruned_to_milp_sparsity_train_accuracy: f64,
    pub pruned_to_milp_sparsity_test_accuracy: Option<f64>,
}

/// Everything `report.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    pub dataset: String,
    pub n_train: usize,
    pub n_test: usize,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub weight_sparsity: f64,
    pub params_total: usize,
    pub params_kept: usize,
    pub neurons_kept: Vec<usize>,
    /// Neurons of each hidden layer (filters of a convolution) that affect
    /// an output: not constant, on a nonzero path to an output (what
    /// `mipnet show` prints).
    pub neurons_effective: Vec<usize>,
    /// Objective of the returned network.
    pub objective: f64,
    /// The best proven lower bound on the optimum: the highest of the bound
    /// methods' (`lower_bounds`) and the full MIP's own (`mip_dual_bound`).
    /// None when neither ran.
    pub dual_bound: Option<f64>,
    /// Which proved `dual_bound`: a method of `lower_bounds`, or `highs-mip`.
    pub bound_method: Option<String>,
    /// (objective − dual_bound) / objective.
    pub mip_gap: Option<f64>,
    /// The full MIP's own dual bound (HiGHS), None without the MIP.
    pub mip_dual_bound: Option<f64>,
    /// Each bound method's certified bound, seconds, and what it took (or
    /// why it gave none); empty when `stages.lower_bounds` is off.
    pub lower_bounds: Vec<LowerBoundReport>,
    /// The proof in words.
    pub bound_summary: String,
    /// The full MIP's status, or `not_run`.
    pub status: String,
    /// The stage whose network was returned.
    pub found_by: String,
    pub solve_seconds: f64,
    pub build_seconds: f64,
    pub total_seconds: f64,
    pub columns: usize,
    pub binaries: usize,
    pub rows: usize,
    pub nonzeros: usize,
    pub model: ModelStats,
    /// The root cut loop, when it ran.
    pub cuts: Option<CutReport>,
    /// The large-neighbourhood search, when it ran.
    pub lns: Option<LnsReport>,
    /// The objective-cutoff tightening before the full MIP, when it ran.
    pub tightening: Option<Tightening>,
    /// The bound stages before the full MIP (none without it): ReLU
    /// binaries, mean big-M, root LP bound and seconds of each.
    pub bounds: Vec<BoundStage>,
    /// When the full MIP ran.
    pub mip_schedule: MipSchedule,
    /// Networks of the search that HiGHS took to check while the MIP ran
    /// alongside (it keeps one as its incumbent when it is feasible in the
    /// full model and better than its own).
    pub mip_user_solutions: usize,
    pub stages: Vec<StageReport>,
    /// The best objective after each part of the pipeline.
    pub progress: Progress,
    pub baseline: Baseline,
    pub certificate: Certificate,
    pub solver: String,
    pub settings: TrainSettings,
    pub mipnet_version: &'static str,
}

/// A training job: raw (unstandardized) data and settings.
pub struct Job<'a> {
    pub dataset: String,
    pub train: &'a Dataset,
    pub test: Option<&'a Dataset>,
    pub settings: &'a TrainSettings,
}

/// Receives the pipeline's messages and the solver's progress.
pub trait TrainObserver {
    /// A stage started or finished.
    fn stage(&mut self, _message: &str) {}
    /// Where the run is (a stage started, or the incumbent changed), for a
    /// progress display.
    fn status(&mut self, _status: &RunStatus) {}
    /// Progress of the full MIP.
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

/// The trained network and its report.
pub struct TrainOutcome {
    pub network: Network,
    pub report: TrainReport,
}

/// The best exact network so far: solution, network, certificate.
struct Exact {
    x: Vec<f64>,
    network: Network,
    certificate: Certificate,
    stage: &'static str,
}

/// Polish LPs with more nonzeros than this go to HiGHS's interior-point
/// solver (with crossover, so the solution is still a vertex): on digits
/// 64→8→10 (24k rows, 716k nonzeros) IPM took 14 s, dual simplex 71 s,
/// PDLP did not converge in 90 s. Below it simplex is fast.
const IPM_NONZEROS: usize = 100_000;

/// The cutoff tightening rebuilds the MILP (about one build's time, not
/// interruptible) to shorten the full MIP; it runs only when the MIP has at
/// least this many builds' time left, so a short or spent budget is not
/// overrun by a rebuild the MIP has no time to use.
const TIGHTEN_MIN_BUILDS: f64 = 2.0;

/// Share of a gradient start's time slice for the gradient network; the
/// fine-tune on the grid gets the rest. Their default epochs are 3000 and
/// 2000 of about the same cost each, so a slice that cannot hold both is
/// cut in that proportion.
const GRADIENT_SHARE_OF_START: f64 = 0.6;

/// The LP polish: every integral column fixed at its rounded value in `x`,
/// the LP left in the continuous weights solved exactly (built small, see
/// `mipnet_formulate::PolishLp`). The network read from it gives the full
/// model's values; the polish repeats while those imply other integral
/// values (a loss or ℓ0 binary that is no longer needed), a few times, and
/// while `deadline` has not passed (each LP's time limit ends there).
fn polish(
    f: &DenseFormulation,
    start: &[f64],
    standardizer: &Standardizer,
    settings: &TrainSettings,
    tol: &Tolerances,
    deadline: Instant,
) -> Result<Option<(Vec<f64>, Network)>, TrainError> {
    const MAX_ROUNDS: usize = 5;
    let ints = f.integral_columns();
    let mut x = start.to_vec();
    let mut best: Option<(Vec<f64>, Network, f64)> = None;
    for round in 0..MAX_ROUNDS {
        if round > 0 && Instant::now() >= deadline {
            break;
        }
        let lp = f.polish_lp(&x);
        let mut opts = settings.solver.options(Budget::solve_seconds_until(deadline));
        opts.log = false;
        if lp.model.num_nonzeros() > IPM_NONZEROS {
            opts.lp_algorithm = Some(mipnet_solver::LpAlgorithm::InteriorPoint);
        }
        let r = HighsSolver.solve(SolveRequest::new(&lp.model, &opts), &mut NoObserver)?;
        let Some(y) = r.solution.filter(|_| r.status == Status::Optimal) else {
            break;
        };
        let net = f.network_from_polish(&lp, &y, &x, standardizer, tol);
        let Ok(full) = f.start_values(&net) else {
            break;
        };
        // The LP's values and the network must agree: the forward pass can
        // only be better than the LP's value (a fixed loss or ℓ0 binary may
        // be slack), and equal when the network implies the same binaries.
        let (lp_value, forward) = (r.objective.unwrap_or(f64::NAN), f.objective_of(&net));
        let slack = tol.objective * (1.0 + forward.abs());
        let same = ints.iter().all(|c| full[c.index()].round() == x[c.index()].round());
        let agree = forward <= lp_value + slack && (!same || (lp_value - forward).abs() <= slack);
        if !agree {
            return Err(TrainError::Certificate(format!(
                "the polish LP's objective {lp_value} and the forward pass's {forward} disagree"
            )));
        }
        if best.as_ref().is_some_and(|(_, _, b)| !improves(forward, *b)) {
            break;
        }
        best = Some((full.clone(), net, forward));
        if same {
            break;
        }
        x = full;
    }
    Ok(best.map(|(x, net, _)| (x, net)))
}

/// Relative objective decrease below which another polish or search round
/// is not worth its LP: on digits 64→8→10 further rounds gained 6e-5 in all
/// (0.55814 → 0.55810) at about 15 s per LP.
const MIN_RELATIVE_GAIN: f64 = 1e-4;

/// Whether `new` improves on `old` by more than [`MIN_RELATIVE_GAIN`].
fn improves(new: f64, old: f64) -> bool {
    new < old - MIN_RELATIVE_GAIN * (1.0 + old.abs())
}

fn accuracy_or_none(net: &Network, data: Option<&Dataset>) -> Option<f64> {
    data.filter(|d| !d.is_empty()).map(|d| net.accuracy(d))
}

/// The pipeline's state: the data, the MILP, and the best exact network.
struct Pipeline<'a> {
    s: &'a TrainSettings,
    /// The run's time budget: every stage asks it for its share.
    budget: Budget,
    f: DenseFormulation,
    train: Dataset,
    raw_train: &'a Dataset,
    standardizer: Standardizer,
    tol: Tolerances,
    stages: Vec<StageReport>,
    best: Option<Exact>,
    /// The best warm start by its forward objective, with its column values
    /// (the MIP's start when the polish is off).
    best_start: Option<(f64, Vec<f64>)>,
    failed_certificate: Option<Certificate>,
    /// Stage name → new best networks found there.
    improvements: std::collections::BTreeMap<String, usize>,
}

impl Pipeline<'_> {
    fn record(&mut self, stage: &str, seed: Option<u64>, net: &Network, seconds: f64) -> f64 {
        let objective = self.f.objective_of(net);
        self.stages.push(StageReport {
            stage: stage.into(),
            seed,
            objective: Some(objective),
            train_accuracy: net.accuracy(self.raw_train),
            seconds,
        });
        objective
    }

    /// Tells `obs` that `stage` runs, with the incumbent's objective.
    fn show(&self, obs: &mut dyn TrainObserver, stage: RunStage) {
        obs.status(&RunStatus {
            stage,
            incumbent: self.best.as_ref().map(|b| b.certificate.objective_forward),
            time_limit: self.budget.limit(),
        });
    }

    fn with_standardizer(&self, mut n: Network) -> Network {
        n.standardizer = self.standardizer.clone();
        n
    }

    /// Certifies a solution and keeps it if it is the best so far.
    fn consider(&mut self, x: Vec<f64>, net: Network, stage: &'static str) -> bool {
        let cert = self.f.certify(&x, &net, &self.tol);
        if !cert.passed {
            self.failed_certificate = Some(cert);
            return false;
        }
        let better = self
            .best
            .as_ref()
            .is_none_or(|b| cert.objective_forward < b.certificate.objective_forward - 1e-9);
        if better {
            *self.improvements.entry(stage.to_string()).or_default() += 1;
            self.best = Some(Exact {
                x,
                network: net,
                certificate: cert,
                stage,
            });
        }
        better
    }

    /// Polishes the activation pattern of `x` (its LPs ending by
    /// `deadline`), records and considers it.
    fn polish_and_consider(
        &mut self,
        x: &[f64],
        stage: &'static str,
        seed: Option<u64>,
        deadline: Instant,
    ) -> Result<bool, TrainError> {
        let t = Instant::now();
        let Some((px, net)) = polish(&self.f, x, &self.standardizer, self.s, &self.tol, deadline)? else {
            return Ok(false);
        };
        let net = self.with_standardizer(net);
        self.record(stage, seed, &net, t.elapsed().as_secs_f64());
        Ok(self.consider(px, net, stage))
    }

    /// Gradient start with `seed` → projection → fine-tune, the epochs
    /// ending by `deadline`; returns the start network (and the gradient
    /// network, the baseline).
    fn warm_start(&mut self, seed: u64, deadline: Instant) -> (Network, Network) {
        let s = self.s;
        let t = Instant::now();
        let mut grad = initial_network(&self.train, self.f.convolution(), &s.formulation.hidden, seed);
        let gs = GradientSettings {
            margin: s.formulation.margin,
            l1: s.formulation.l1,
            seed,
            ..s.gradient.clone()
        };
        // The gradient network gets its share of the start's slice; the
        // fine-tune the rest.
        let gradient_deadline = t + deadline.saturating_duration_since(t).mul_f64(GRADIENT_SHARE_OF_START);
        let constraints = Constraints {
            deadline: Some(gradient_deadline),
            ..Constraints::default()
        };
        mipnet_gradient::train(&mut grad, &self.train, &gs, constraints);
        let grad = self.with_standardizer(grad);
        self.stages.push(StageReport {
            stage: "gradient".into(),
            seed: Some(seed),
            objective: None,
            train_accuracy: grad.accuracy(self.raw_train),
            seconds: t.elapsed().as_secs_f64(),
        });
        let t = Instant::now();
        let mut start = project(&grad, &s.formulation);
        let mut start_obj = self.record("projection", Some(seed), &start, t.elapsed().as_secs_f64());
        if s.stages.finetune_epochs > 0 {
            let t = Instant::now();
            let tuned = self.finetune(&start, s.stages.finetune_epochs, s.gradient.learning_rate, deadline);
            let obj = self.record("finetune", Some(seed), &tuned, t.elapsed().as_secs_f64());
            if obj < start_obj {
                start = tuned;
                start_obj = obj;
            }
        }
        let _ = start_obj;
        (start, grad)
    }

    /// Adam with the grid weights frozen and layer 1 / biases clipped to ±ω,
    /// its epochs ending by `deadline`.
    fn finetune(&self, net: &Network, epochs: usize, learning_rate: f64, deadline: Instant) -> Network {
        let s = self.s;
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
        mipnet_gradient::train(&mut tuned, &self.train, &ft, constraints);
        if s.formulation.symmetry_breaking {
            sort_neurons(&mut tuned);
        }
        tuned
    }
}

/// The threads the run may use: `solver.threads`, or the machine's.
fn run_threads(s: &TrainSettings) -> usize {
    s.solver
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// How many copies of a model of `model_bytes` fit in the memory available.
fn copies_that_fit(model_bytes: f64) -> usize {
    available_memory().map_or(usize::MAX, |a| (0.8 * a / model_bytes.max(1.0)) as usize)
}

/// The large-neighbourhood search for `seconds` on up to `threads` threads.
/// With a `feed`, the full MIP runs alongside: each new best network is
/// offered to it, its progress forwarded, and the search ends with it.
#[allow(clippy::too_many_arguments)]
fn large_neighbourhood_search(
    p: &mut Pipeline,
    seconds: f64,
    threads: usize,
    model_bytes: f64,
    mut feed: Option<&mut alongside::Feed>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<Option<LnsReport>, TrainError> {
    let s = p.s;
    let Some(before) = p.best.as_ref().map(|b| b.certificate.objective_forward) else {
        return Ok(None);
    };
    // Each sub-MIP holds a copy of the model in HiGHS: as many at once as
    // fit in memory (the MNIST models fit once, if at all).
    let threads = threads.min(copies_that_fit(model_bytes));
    if threads == 0 {
        obs.stage("large-neighbourhood search skipped: a sub-MIP of this model would not fit in memory");
        return Ok(None);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| TrainError::NoNetwork(format!("could not start the search's threads: {e}")))?;
    let clock = Instant::now();
    let mut search = lns::Search::new(&p.f, s.solver.seed);
    let stage = if feed.is_some() {
        RunStage::FullMipAlongsideSearch
    } else {
        RunStage::NeighbourhoodSearch
    };
    p.show(obs, stage);
    obs.stage(&format!(
        "large-neighbourhood search for {seconds:.0} s, {threads} sub-MIPs at a time (objective {before:.6})"
    ));
    loop {
        let remaining = seconds - clock.elapsed().as_secs_f64();
        if remaining < 0.5 || interrupt.is_some_and(|f| f.is_raised()) {
            break;
        }
        if let Some(feed) = feed.as_deref_mut() {
            feed.forward(obs);
            if feed.mip_finished() {
                obs.stage("neighbourhood search: the full MIP has ended; stopping");
                break;
            }
        }
        let best = p.best.as_ref().expect("checked above");
        let (x, incumbent) = (best.x.clone(), best.certificate.objective_forward);
        let data = p.f.data();
        let losses: Vec<f64> = (0..data.len())
            .map(|n| {
                p.f.sample_loss(data.label(n), &best.network.scores_standardized(data.row(n)))
            })
            .collect();
        let hoods = search.draw(&p.f, &losses, threads);
        let options: Vec<_> = (0..hoods.len())
            .map(|i| {
                let mut o = s.solver.options(s.stages.lns_sub_seconds.min(remaining));
                o.threads = Some(1);
                o.log = false;
                // HiGHS takes seeds up to i32::MAX.
                let offset = (search.rounds * hoods.len() + i) as u64;
                o.seed = Some(s.solver.seed.wrapping_add(offset) % (i32::MAX as u64 + 1));
                o
            })
            .collect();
        let results = lns::solve_all(&p.f, search.integral(), &x, &hoods, &options, interrupt, &pool);
        let mut proven = false;
        for (hood, r) in hoods.iter().zip(results) {
            // A failed sub-MIP costs its neighbourhood, not the incumbent.
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    obs.stage(&format!(
                        "neighbourhood search: a {} sub-MIP failed: {e}",
                        hood.kind.name()
                    ));
                    search.record(hood, Status::Unknown, false);
                    continue;
                }
            };
            let better = r
                .objective
                .is_some_and(|o| o < incumbent - 1e-9 * (1.0 + incumbent.abs()));
            let improved = match (&r.solution, better) {
                (Some(sol), true) => p.polish_and_consider(sol, "lns", None, p.budget.end())?,
                _ => false,
            };
            if improved {
                let best = p.best.as_ref().expect("improved");
                let now = best.certificate.objective_forward;
                if let Some(feed) = feed.as_deref_mut() {
                    feed.offer(&best.x, now);
                }
                p.show(obs, stage);
                obs.stage(&format!(
                    "neighbourhood search: {} neighbourhood ({} binaries free) found {now:.6} at {:.0} s",
                    hood.kind.name(),
                    hood.free.len(),
                    clock.elapsed().as_secs_f64()
                ));
            }
            // Every binary free and solved to optimality: nothing better
            // exists (within HiGHS's gap); the full MIP will prove it again.
            proven |= !improved && !better && r.status == Status::Optimal && search.frees_everything(hood);
            search.record(hood, r.status, improved);
        }
        search.rounds += 1;
        if proven {
            obs.stage("neighbourhood search: a sub-MIP over every binary found nothing better; stopping");
            break;
        }
    }
    let after = p.best.as_ref().map_or(before, |b| b.certificate.objective_forward);
    obs.stage(&format!(
        "neighbourhood search: {} rounds in {:.0} s, objective {before:.6} → {after:.6}",
        search.rounds,
        clock.elapsed().as_secs_f64()
    ));
    Ok(Some(LnsReport {
        rounds: search.rounds,
        seconds: clock.elapsed().as_secs_f64(),
        objective_before: before,
        objective_after: after,
        kinds: search.kinds(),
        handed_to_mip: feed.map_or(0, |f| f.handed),
    }))
}

/// When the full MIP ran, relative to the neighbourhood search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MipSchedule {
    /// `--no-mip`.
    #[serde(rename = "none")]
    None,
    #[serde(rename = "after the search")]
    AfterSearch,
    /// `stages.mip_alongside_search`, when the run could (2+ threads, the
    /// search on, memory for the copies).
    #[serde(rename = "alongside the search")]
    AlongsideSearch,
}

impl MipSchedule {
    pub fn name(self) -> &'static str {
        match self {
            MipSchedule::None => "none",
            MipSchedule::AfterSearch => "after the search",
            MipSchedule::AlongsideSearch => "alongside the search",
        }
    }
}

/// One stage of the MILP's bounds before the full MIP: how many ReLU
/// binaries and how large a big-M it leaves, and what its LP relaxation
/// proves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoundStage {
    /// "interval" (the model as built: interval bounds), "cutoff" (after
    /// the objective-cutoff tightening) or "cuts" (after the Lipschitz cut
    /// loop).
    pub stage: String,
    pub relu_binaries: usize,
    /// Mean U − L over the ReLU binaries.
    pub mean_big_m: f64,
    /// The LP relaxation's value: a lower bound on every network's
    /// objective. None when `stages.root_lp_seconds` is 0 (the default) or
    /// too short.
    pub root_lp_bound: Option<f64>,
    /// Seconds of the stage (its rebuild or cut loop, and its LP).
    pub seconds: f64,
}

/// Records `p`'s current model as bound stage `stage`, solving its root LP.
fn bound_stage(p: &Pipeline, stage: &str, seconds: f64, obs: &mut dyn TrainObserver) -> Result<BoundStage, TrainError> {
    let t = Instant::now();
    let stats = p.f.stats();
    let seconds_for_lp = p.budget.bound_stage_seconds(p.s.stages.root_lp_seconds);
    let root = cuts::relaxation(&p.f.model, p.s, seconds_for_lp)?.map(|(v, _)| v);
    let b = BoundStage {
        stage: stage.to_string(),
        relu_binaries: stats.relu_binaries,
        mean_big_m: stats.mean_big_m,
        root_lp_bound: root,
        seconds: seconds + t.elapsed().as_secs_f64(),
    };
    obs.stage(&format!(
        "bounds ({stage}): {} ReLU binaries, mean big-M {:.3}, root LP bound {}",
        b.relu_binaries,
        b.mean_big_m,
        root.map_or("not solved (--root-lp-seconds)".into(), |v| format!("{v:.6}"))
    ));
    Ok(b)
}

/// What the objective-cutoff tightening did to the MILP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tightening {
    /// The incumbent's objective f*, and the ℓ1 budget f*/α it gives.
    pub cutoff: f64,
    pub l1_budget: f64,
    /// Whether the tightened model replaced the first (only when it is
    /// tighter somewhere).
    pub applied: bool,
    /// ReLU binaries and mean big-M (U − L) before and after.
    pub relu_binaries_before: usize,
    pub relu_binaries_after: usize,
    pub mean_big_m_before: f64,
    pub mean_big_m_after: f64,
    pub seconds: f64,
}

/// Rebuilds the MILP with the incumbent's objective as cutoff (see
/// `DenseFormulation::build_with_cutoff`); keeps it when some big-M shrank,
/// moving the incumbent onto it (re-certified there).
fn tighten(p: &mut Pipeline, obs: &mut dyn TrainObserver) -> Result<Option<Tightening>, TrainError> {
    let Some(best) = p.best.as_ref() else {
        return Ok(None);
    };
    let t = Instant::now();
    let cutoff = best.certificate.objective_forward;
    let f = DenseFormulation::build_with_cutoff(&p.train, &p.s.formulation, Some(cutoff))
        .map_err(TrainSettingError::from)?;
    let (before, after) = (p.f.stats(), f.stats());
    let applied = after.mean_big_m < before.mean_big_m * (1.0 - 1e-9) || after.relu_binaries < before.relu_binaries;
    if applied {
        let x = f.start_values(&best.network).map_err(|e| {
            TrainError::Certificate(format!("the incumbent is not feasible in the tightened MILP: {e}"))
        })?;
        let certificate = f.certify(&x, &best.network, &p.tol);
        if !certificate.passed {
            return Err(TrainError::Certificate(format!(
                "the incumbent fails its certificate in the tightened MILP: {}",
                certificate.failure.unwrap_or_default()
            )));
        }
        let best = p.best.as_mut().expect("checked above");
        best.x = x;
        best.certificate = certificate;
        p.f = f;
    }
    let r = Tightening {
        cutoff,
        l1_budget: cutoff / p.s.formulation.l1,
        applied,
        relu_binaries_before: before.relu_binaries,
        relu_binaries_after: after.relu_binaries,
        mean_big_m_before: before.mean_big_m,
        mean_big_m_after: after.mean_big_m,
        seconds: t.elapsed().as_secs_f64(),
    };
    obs.stage(&format!(
        "cutoff tightening (ℓ1 of layer 1 ≤ {:.3}): {}; mean big-M {:.3} → {:.3}, ReLU binaries {} → {}",
        r.l1_budget,
        if applied { "applied" } else { "nothing to tighten" },
        r.mean_big_m_before,
        r.mean_big_m_after,
        r.relu_binaries_before,
        r.relu_binaries_after
    ));
    Ok(Some(r))
}

/// Runs the whole pipeline.
pub fn train(
    job: &Job,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    let s = job.settings;
    s.validate()?;
    // The time limit is the run's wall time from here on.
    let budget = Budget::start(s.solver.time_limit);
    // Images for a convolution share one scale (see Standardizer::fit_global).
    let standardizer = if s.formulation.conv.is_some() {
        Standardizer::fit_global(job.train)
    } else {
        Standardizer::fit(job.train)
    };
    let train = job.train.standardized(&standardizer);

    let estimate = check_fits(&train, s)?;
    obs.status(&RunStatus {
        stage: RunStage::Building,
        incumbent: None,
        time_limit: budget.limit(),
    });
    obs.stage(&format!(
        "building the MILP (estimated {} nonzeros, {:.2} GiB)",
        estimate.nonzeros,
        if s.stages.mip {
            estimate.bytes
        } else {
            estimate.bytes_without_mip
        } / (1u64 << 30) as f64
    ));
    let t = Instant::now();
    let f = DenseFormulation::build(&train, &s.formulation).map_err(TrainSettingError::from)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let stats = f.stats();
    obs.stage(&format!(
        "MILP: {} columns ({} binaries), {} rows, {} nonzeros, built in {build_seconds:.2} s",
        stats.columns, stats.binaries, stats.rows, stats.nonzeros
    ));
    let mut p = Pipeline {
        s,
        budget,
        f,
        train,
        raw_train: job.train,
        standardizer,
        tol: Tolerances::default(),
        stages: Vec::new(),
        best: None,
        best_start: None,
        failed_certificate: None,
        improvements: Default::default(),
    };
    let stopped = || interrupt.is_some_and(|f| f.is_raised());

    // 1–4. Gradient starts, each projected, fine-tuned and polished, in
    // the warm starts' share of the budget (the first always runs).
    let mut baseline = None;
    // How long the first start took: a later one begins only while the warm
    // starts' share still holds that long, so it is not cut to nothing.
    let mut first_start_seconds = 0.0;
    for i in 0..s.stages.gradient_starts {
        let no_room = budget.warm_start_remaining() < first_start_seconds;
        if (stopped() || budget.warm_starts_over() || no_room) && p.best.is_some() {
            if !stopped() {
                obs.stage(&format!(
                    "gradient starts: {i} of {} in their share of the time limit ({:.1} s)",
                    s.stages.gradient_starts,
                    budget::WARM_START_SHARE * budget.limit()
                ));
            }
            break;
        }
        let seed = s.gradient.seed + i as u64;
        obs.stage(&format!(
            "gradient start {} of {} (seed {seed})",
            i + 1,
            s.stages.gradient_starts
        ));
        let started = Instant::now();
        let stage = RunStage::GradientStart {
            index: i + 1,
            of: s.stages.gradient_starts,
        };
        p.show(obs, stage);
        let deadline = budget.gradient_start_deadline(i, s.stages.gradient_starts);
        let (start, grad) = p.warm_start(seed, deadline);
        baseline.get_or_insert(grad);
        let x =
            p.f.start_values(&start)
                .map_err(|e| TrainError::NoNetwork(format!("the warm start is not feasible: {e}")))?;
        let obj = p.f.objective_of(&start);
        if p.best_start.as_ref().is_none_or(|(o, _)| obj < *o) {
            p.best_start = Some((obj, x.clone()));
        }
        if s.stages.polish {
            // The first start's polish may take the run's time: the run
            // needs a network. Later starts' end with the warm starts' share.
            let polish_by = if i == 0 {
                budget.end()
            } else {
                budget.warm_start_deadline()
            };
            p.polish_and_consider(&x, "polish", Some(seed), polish_by)?;
            if p.best.is_none() {
                // The polish LP ended without a solution (out of time, say):
                // the start itself is the fallback, as without the polish.
                let net = p.with_standardizer(start);
                p.consider(x, net, "finetune");
            }
        } else {
            // Without the polish the start itself is the fallback: its
            // values come from a network, so it certifies exactly, and a
            // MIP incumbent that fails its certificate (solver tolerances)
            // then leaves a checked network rather than none.
            let net = p.with_standardizer(start);
            p.consider(x, net, "finetune");
        }
        p.show(obs, stage);
        if i == 0 {
            first_start_seconds = started.elapsed().as_secs_f64();
        }
    }
    let grad = baseline.expect("at least one gradient start");

    // 5. Search: fine-tune the incumbent on the grid, polish its pattern.
    if s.stages.polish {
        for round in 0..s.stages.search_rounds {
            let Some(best) = p.best.as_ref() else { break };
            if stopped() || budget.warm_starts_over() {
                break;
            }
            p.show(obs, RunStage::SearchRounds);
            obs.stage(&format!(
                "search round {} (objective {:.6})",
                round + 1,
                best.certificate.objective_forward
            ));
            let tuned = p.finetune(
                &best.network,
                s.stages.search_epochs,
                s.stages.search_learning_rate,
                budget.warm_start_deadline(),
            );
            let Ok(x) = p.f.start_values(&tuned) else { break };
            let before = best.certificate.objective_forward;
            p.polish_and_consider(&x, "search", None, budget.warm_start_deadline())?;
            let after = p.best.as_ref().map_or(before, |b| b.certificate.objective_forward);
            if !improves(after, before) {
                break;
            }
        }
    }

    // 5b. Pattern flips: flip the activations that block the worst samples,
    // polish each flipped pattern, keep the best.
    if s.stages.polish && s.stages.flip_rounds > 0 {
        let clock = Instant::now();
        let flip_seconds = s.stages.flip_seconds.min(budget.warm_start_remaining());
        for round in 0..s.stages.flip_rounds {
            let Some(best) = p.best.as_ref() else { break };
            if stopped() || clock.elapsed().as_secs_f64() > flip_seconds {
                break;
            }
            let before = best.certificate.objective_forward;
            let flips = p.f.flip_candidates(&best.x, &best.network, s.stages.flip_candidates);
            p.show(obs, RunStage::PatternFlips);
            obs.stage(&format!(
                "pattern flips, round {} ({} candidates, objective {before:.6})",
                round + 1,
                flips.len()
            ));
            let base = best.x.clone();
            let mut found: Option<(f64, Vec<f64>, Network)> = None;
            // Single flips, then the top 2, 4, 8, … together.
            let mut tries: Vec<Vec<(mipnet_milp::Col, f64)>> = flips.iter().map(|&f| vec![f]).collect();
            let mut k = 2;
            while k <= flips.len() {
                tries.push(flips[..k].to_vec());
                k *= 2;
            }
            for group in tries {
                if stopped() || clock.elapsed().as_secs_f64() > flip_seconds {
                    break;
                }
                let mut x = base.clone();
                for (col, value) in group {
                    x[col.index()] = value;
                }
                let Some((px, net)) = polish(&p.f, &x, &p.standardizer, s, &p.tol, budget.warm_start_deadline())?
                else {
                    continue;
                };
                let obj = p.f.objective_of(&net);
                if found.as_ref().map_or(improves(obj, before), |(o, _, _)| obj < *o) {
                    found = Some((obj, px, net));
                }
            }
            let Some((_, px, net)) = found else { break };
            let net = p.with_standardizer(net);
            p.record("flip", None, &net, clock.elapsed().as_secs_f64());
            if !p.consider(px, net, "flip") {
                break;
            }
        }
    }

    // 5c. Exact large-neighbourhood search: sub-MIPs around the incumbent.
    // Without the full MIP the search has the rest of the budget; with the
    // MIP alongside, both have it.
    let threads = run_threads(s);
    let alongside = s.stages.mip && s.stages.mip_alongside_search && {
        // The MIP's model in HiGHS, its copy, and one sub-MIP at least.
        let why_not = if !s.stages.polish || s.stages.lns_share <= 0.0 {
            Some("the search is off")
        } else if p.best.is_none() {
            Some("no polished network to search from")
        } else if threads < 2 {
            Some("it needs 2 threads or more")
        } else if copies_that_fit(estimate.bytes) < 3 {
            Some("three copies of the model would not fit in memory")
        } else {
            None
        };
        if let Some(why) = why_not {
            obs.stage(&format!("the full MIP runs after the search, not alongside it: {why}"));
        }
        why_not.is_none()
    };
    let lns_seconds = if alongside || (!s.stages.mip && s.stages.lns_share > 0.0) {
        budget.search_seconds(1.0, false)
    } else if s.stages.mip {
        budget.search_seconds(s.stages.lns_share, true)
    } else {
        0.0
    };
    let mut lns_report = if s.stages.polish && lns_seconds > 0.0 && !alongside {
        large_neighbourhood_search(&mut p, lns_seconds, threads, estimate.bytes, None, obs, interrupt)?
    } else {
        None
    };

    // 5d. Objective-cutoff tightening of the MILP for the full MIP, each
    // bound stage recorded with its root LP bound.
    let mut bounds = Vec::new();
    if s.stages.mip {
        p.show(obs, RunStage::Bounds);
        bounds.push(bound_stage(&p, "interval", build_seconds, obs)?);
    }
    let tightening = if s.stages.mip && s.stages.cutoff_tightening && s.formulation.l1 > 0.0 {
        // The rebuild cannot be interrupted and costs about one build.
        if budget.mip_seconds() > TIGHTEN_MIN_BUILDS * build_seconds {
            tighten(&mut p, obs)?
        } else {
            obs.stage("cutoff tightening skipped: the time left would not pay for rebuilding the MILP");
            None
        }
    } else {
        None
    };
    if let Some(t) = tightening.as_ref().filter(|t| t.applied) {
        bounds.push(bound_stage(&p, "cutoff", t.seconds, obs)?);
    }

    // 5e. Proven lower bounds from relaxations that keep the weights shared.
    // Choosing pairs and building the LP cannot be interrupted, so the
    // stage runs only while the MIP would still have time too.
    if s.stages.lower_bounds && !budget.mip_has_time() {
        obs.stage("lower bounds skipped: the time limit is spent (give more --time-limit)");
    }
    let lower_bounds = if s.stages.lower_bounds && budget.mip_has_time() {
        p.show(obs, RunStage::Bounds);
        let seconds = (budget.remaining() * lower_bound::LOWER_BOUND_SHARE)
            .max(lower_bound::LOWER_BOUND_FLOOR_SECONDS.min(budget.mip_seconds()));
        let opts = s.solver.options(seconds);
        let reports = lower_bound::prove(
            p.f.data(),
            &s.formulation,
            &opts,
            seconds,
            s.stages.lower_bound_pairs,
            interrupt,
        );
        for r in &reports {
            obs.stage(&match r.bound {
                Some(b) => format!("lower bound ({}): {b:.6} in {:.1} s ({})", r.method, r.seconds, r.note),
                None => format!("lower bound ({}): none ({})", r.method, r.note),
            });
        }
        reports
    } else {
        Vec::new()
    };

    // 6. Root cut loop, then the full MIP from the best network so far.
    let mut cut_report = None;
    if s.stages.mip && s.stages.lipschitz_cuts {
        obs.stage("root cut loop (Lipschitz cuts)");
        let r = cuts::cut_loop(&mut p.f, s, budget.bound_stage_seconds(s.stages.cut_seconds))?;
        obs.stage(&format!(
            "cuts: {} added in {} rounds; root LP bound {} → {}",
            r.cuts_added,
            r.rounds,
            r.root_bound_before.map_or("-".into(), |b| format!("{b:.6}")),
            r.root_bound_after.map_or("-".into(), |b| format!("{b:.6}"))
        ));
        let stats = p.f.stats();
        bounds.push(BoundStage {
            stage: "cuts".into(),
            relu_binaries: stats.relu_binaries,
            mean_big_m: stats.mean_big_m,
            root_lp_bound: r.root_bound_after,
            seconds: r.seconds,
        });
        cut_report = Some(r);
    }
    let mut status = "not_run".to_string();
    let mut dual_bound = None;
    let mut solve_seconds = 0.0;
    let mut mip_user_solutions = 0;
    let mip_schedule = match (s.stages.mip, alongside) {
        (false, _) => MipSchedule::None,
        (true, true) => MipSchedule::AlongsideSearch,
        (true, false) => MipSchedule::AfterSearch,
    };
    // With the budget spent (a slow polish, say), HiGHS would load and
    // presolve the model past the limit and prove nothing in its floor of
    // time: the MIP is skipped (status not_run, no dual bound), and said so.
    let mip_has_time = budget.mip_has_time();
    if s.stages.mip && !mip_has_time {
        obs.stage("full MIP skipped: the time limit is spent, so there is no dual bound (give more --time-limit)");
    }
    if s.stages.mip && mip_has_time {
        let stage = if alongside {
            RunStage::FullMipAlongsideSearch
        } else {
            RunStage::FullMip
        };
        p.show(obs, stage);
        obs.stage(&match &p.best {
            Some(b) => format!(
                "full MIP {} from objective {:.6} (found by {})",
                mip_schedule.name(),
                b.certificate.objective_forward,
                b.stage
            ),
            None => "full MIP".to_string(),
        });
        let start_x = match (&p.best, &p.best_start) {
            (Some(b), _) => b.x.clone(),
            (None, Some((_, x))) => x.clone(),
            (None, None) => unreachable!("a start exists"),
        };
        let start = MipStart::Full(start_x);
        let r = if alongside {
            // One thread for the MIP, the others for the search's sub-MIPs,
            // both for the rest of the budget.
            let seconds = budget.mip_seconds();
            let mut opts = s.solver.options(seconds);
            opts.threads = Some(1);
            let (r, lns, handed) = alongside::run(&mut p, &opts, seconds, start, estimate.bytes, obs, interrupt)?;
            lns_report = lns;
            obs.stage(&format!(
                "full MIP: {} of the search's {handed} new best networks taken to check",
                r.user_solutions
            ));
            r
        } else {
            // The search used its share of the budget; the MIP gets the rest.
            let opts = s.solver.options(budget.mip_seconds());
            let mut req = SolveRequest::new(&p.f.model, &opts).start(&start);
            if let Some(flag) = interrupt {
                req = req.interrupt(flag);
            }
            HighsSolver.solve(req, obs.solver())?
        };
        solve_seconds = r.seconds;
        status = r.status.as_str().to_string();
        dual_bound = r.dual_bound;
        mip_user_solutions = r.user_solutions;
        if let Some(x) = r.solution {
            let improved = p
                .best
                .as_ref()
                .is_none_or(|b| r.objective.is_some_and(|o| o < b.certificate.objective_forward - 1e-9));
            if improved {
                p.show(obs, RunStage::Finishing);
                if s.stages.polish {
                    p.polish_and_consider(&x, "mip", None, budget.end())?;
                } else {
                    let net = p.with_standardizer(p.f.network_from(&x, &p.standardizer, &p.tol));
                    p.record("mip", None, &net, r.seconds);
                    p.failed_certificate = None;
                    // A heuristic incumbent may leave slack in its loss
                    // variables; see DenseFormulation::exact_point.
                    let x = p.f.exact_point(&x, &net, &p.tol);
                    if !p.consider(x, net, "mip") {
                        if let Some(c) = &p.failed_certificate {
                            obs.stage(&format!(
                                "the MIP's incumbent failed its certificate ({}) and is not kept; \
                                 the polish (on by default) makes incumbents exact",
                                c.failure.as_deref().unwrap_or("no reason given")
                            ));
                        }
                    }
                }
            }
        }
    }
    p.show(obs, RunStage::Finishing);
    let Pipeline {
        best,
        stages,
        failed_certificate,
        improvements,
        ..
    } = p;
    let Some(best) = best else {
        return Err(match failed_certificate {
            Some(c) => TrainError::Certificate(c.failure.unwrap_or_default()),
            None => TrainError::NoNetwork(format!("the solver ended with status {status} and no solution")),
        });
    };
    let mut network = best.network;
    network.settings = serde_json::to_value(s).expect("settings serialize");
    let objective = best.certificate.objective_forward;
    let mip_dual_bound = dual_bound;
    let best_bound = lower_bound::best(&lower_bounds, mip_dual_bound);
    let bound_summary = lower_bound::in_words(objective, best_bound.as_ref().map(|(b, m)| (*b, m.as_str())));
    let (dual_bound, bound_method) = match best_bound {
        Some((b, m)) => (Some(b), Some(m)),
        None => (None, None),
    };
    let mip_gap = dual_bound.map(|b| {
        if objective > 0.0 {
            ((objective - b) / objective).max(0.0)
        } else {
            0.0
        }
    });
    let sparsity = network.weight_sparsity();
    let pruned = magnitude_prune(&grad, sparsity);
    let report = TrainReport {
        dataset: job.dataset.clone(),
        n_train: job.train.len(),
        n_test: job.test.map_or(0, |t| t.len()),
        train_accuracy: network.accuracy(job.train),
        test_accuracy: accuracy_or_none(&network, job.test),
        weight_sparsity: sparsity,
        params_total: network.params_total(),
        params_kept: network.params_kept(),
        neurons_kept: network.neurons_kept(),
        neurons_effective: network.neurons_effective(),
        objective,
        dual_bound,
        bound_method,
        mip_gap,
        mip_dual_bound,
        lower_bounds,
        bound_summary,
        status,
        found_by: best.stage.to_string(),
        solve_seconds,
        build_seconds,
        total_seconds: budget.elapsed(),
        columns: stats.columns,
        binaries: stats.binaries,
        rows: stats.rows,
        nonzeros: stats.nonzeros,
        model: stats,
        cuts: cut_report,
        lns: lns_report,
        tightening,
        bounds,
        mip_schedule,
        mip_user_solutions,
        progress: Progress::of(&stages, improvements, objective),
        stages,
        baseline: Baseline {
            train_accuracy: grad.accuracy(job.train),
            test_accuracy: accuracy_or_none(&grad, job.test),
            weight_sparsity: grad.weight_sparsity(),
            pruned_to_milp_sparsity_train_accuracy: pruned.accuracy(job.train),
            pruned_to_milp_sparsity_test_accuracy: accuracy_or_none(&pruned, job.test),
        },
        certificate: best.certificate,
        solver: HighsSolver.name(),
        settings: s.clone(),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    };
    Ok(TrainOutcome { network, report })
}
