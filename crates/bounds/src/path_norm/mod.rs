//! The path-norm convex relaxation (after Pilanci and Ergen, "Neural
//! networks are convex regularizers", ICML 2020; ../shared/BOUNDS.md §2,
//! re-derived here), solved by column generation and certified by an exact
//! pricing MILP.
//!
//! # Why it is a lower bound
//!
//! One hidden layer: f_k(x) = c_k + Σ_j v_kj·relu(W_j·x + b_j) with
//! |W_ji| ≤ ω, v_kj ∈ s·{−P..P}, hinge loss, objective (1/N)Σ_n ξ_n +
//! α(Σ_j ‖W_j‖₁ + Σ_j ‖v_j‖₁) + (terms ≥ 0, dropped: ℓ0, ℓ2, neuron
//! penalties; the boxes on biases and c_k are relaxed). Per unit,
//! a = ‖W_j‖₁ ≤ ω·d and c = ‖v_j‖₁ ≤ s·P·K, so with κ = 1/(sPK) + 1/(ωd),
//! κ·a·c = a·(c/(sPK)) + c·(a/(ωd)) ≤ a + c. Hence the objective is at least
//! (1/N)Σ ξ_n + ακ·Σ_{j,k} |v_kj|·‖W_j‖₁.
//!
//! Weak duality, directly on a network: take hinge multipliers π_nk ≥ 0
//! (k ≠ y_n) with Σ_k π_nk ≤ 1/N, λ_nk = π_nk, λ_{n,y_n} = −Σ_k π_nk, and
//! Σ_n λ_nk = 0 for every k. Then, since ξ_n ≥ 0 and ξ_n ≥ margin −
//! (f_{y_n}(x_n) − f_k(x_n)),
//!
//! (1/N)Σ ξ_n ≥ Σ π_nk ξ_n ≥ margin·Σ π + Σ_{n,k} λ_nk f_k(x_n),
//!
//! and Σ_n λ_nk f_k(x_n) = c_k·Σ_n λ_nk + Σ_j v_kj Σ_n λ_nk relu(W_j x_n + b_j).
//! The first term is 0. If T bounds s·Σ_n λ_nk relu(w·x_n + b) over
//! ‖w‖₁ ≤ 1, every b, both signs s and every k (the pricing problem), then
//! by positive homogeneity the second is ≥ −T·Σ_j |v_kj|·‖W_j‖₁ (a unit with
//! W_j = 0 gives relu(b_j)·Σ_n λ_nk = 0). So the objective is at least
//! margin·Σ π + (ακ − T)·Σ |v|‖W‖ ≥ margin·Σ π / max(1, T/(ακ)) (scale π by
//! 1/t when t = T/(ακ) > 1: every condition on π is kept).
//!
//! The best such π is the dual of the convex LP over activation patterns of
//! ../shared/BOUNDS.md; any π gives a bound. This module finds a good π by
//! column generation over single units (a restricted master over units
//! found so far, see [`master`]; heuristic pricing adds violated units),
//! and certifies it:
//!
//! - π is moved to a dyadic grid and made exactly feasible ([`dyadic`]:
//!   only lowered, Σ_n λ_nk = 0 in integers), so the λ the pricing sees are
//!   exact;
//! - T is the pricing MILP's dual bound, inflated for its tolerances
//!   ([`pricing`]); a MILP stopped by its time limit still gives one (a
//!   looser one). A MILP that ends without a dual bound costs that round
//!   its certificate only: the units every MILP found still enter the
//!   master ([`Certification`]);
//! - the bound margin·Σπ / max(1, T/(ακ)) is lowered by
//!   [`CERTIFICATE_ROUNDING`] for the few f64 operations after that.
//!
//! Deeper networks, convolutions and the other losses are refused by name.

pub mod dyadic;
pub mod master;
pub mod pricing;

use crate::{BoundError, ProvenBound};
use dyadic::DyadicDual;
use master::Master;
use mipnet_data::Dataset;
use mipnet_formulate::{FormulationSettings, Loss};
use mipnet_solver::{InterruptFlag, NoObserver, SolveOptions, SolveRequest, Solver, Status};
use pricing::{Atom, ExactPricing, Pricing};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One pricing MILP's result, and its best unit's value.
type PricingOutcome = Result<(ExactPricing, Option<f64>), String>;

/// The method's name in reports.
pub const METHOD: &str = "path-norm";

/// Relative lowering of the final bound for the f64 operations after the
/// exact integer sums (κ, ακ, the ratio, one division and product): each
/// rounds by at most 2⁻⁵³ relative, fewer than 10 of them; 1e-12 covers
/// that thousands of times over.
pub const CERTIFICATE_ROUNDING: f64 = 1e-12;

/// A unit is added to the master only if its pricing value exceeds ακ by
/// this relative amount: smaller violations change the master too little to
/// pay for a round.
pub const COLUMN_VIOLATION: f64 = 1e-4;

/// Share of the time budget for column generation with heuristic pricing
/// only, at most; after it, every round ends with the exact pricing, so a
/// certified bound comes out within the budget.
pub const HEURISTIC_SHARE: f64 = 0.5;

/// The heuristic rounds end early when the master's value fell by less than
/// this relative amount over the last [`STALL_ROUNDS`] rounds. The bound is
/// the master's value divided by the pricing ratio, and that ratio, not the
/// master, is what the time buys: measured on WDBC (2 loaded cores), the
/// master falls 7 % in its first 2 s and 0.3 % in the next 6 s, while the
/// pricing MILP's ratio falls from 3.0 to 1.7 between 5 s and 40 s.
pub const MASTER_STALL: f64 = 2e-3;

/// Rounds over which [`MASTER_STALL`] is measured.
pub const STALL_ROUNDS: usize = 3;

/// A pricing MILP whose incumbent exceeds ακ by this relative amount ends
/// at once: that unit goes into the master and a new round starts, since
/// the dual in hand cannot certify more than its value divided by that
/// ratio anyway.
pub const RESTART_VIOLATION: f64 = 0.05;

/// When the heuristic pricing finds no column, it retries with this many
/// times the random starts before the exact MILP is run.
const STALL_START_FACTOR: usize = 8;

/// Quantile thresholds per input feature for the starting units
/// w = ±e_i, b = −(±x_i at the quantile).
const AXIS_THRESHOLDS: usize = 7;

/// The column generation's budget and effort.
#[derive(Clone, Debug, PartialEq)]
pub struct PathNormSettings {
    /// Wall-clock budget of the whole method. Default 30 s (Iris converges
    /// in a few seconds; Wine and WDBC use it all, see docs/benchmarks.md).
    pub seconds: f64,
    /// At most this many master solves. Default 200.
    pub max_rounds: usize,
    /// Random starting units (sparse random w, b through a random sample),
    /// besides the axis-aligned ones. Default 100.
    pub initial_units: usize,
    /// Units added per class and sign in a round, at most. Default 4.
    pub columns_per_round: usize,
    /// Random starts of the heuristic pricing per class and sign (besides
    /// the master's units that price best). Default 8.
    pub random_starts: usize,
    /// Seed of the random starting units and starts. Default 0.
    pub seed: u64,
}

impl Default for PathNormSettings {
    fn default() -> Self {
        PathNormSettings {
            seconds: 30.0,
            max_rounds: 200,
            initial_units: 100,
            columns_per_round: 4,
            random_starts: 8,
            seed: 0,
        }
    }
}

/// A certificate for one set of multipliers.
#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    /// The certified lower bound (lowered by the rounding margin).
    pub value: f64,
    /// margin·Σ π, the dual value before scaling.
    pub dual_value: f64,
    /// t = T/(ακ): the dual value is divided by max(1, t).
    pub ratio: f64,
    /// How much the bound was lowered for rounding.
    pub rounding_margin: f64,
}

/// What one certification gave: a certificate when every pricing MILP
/// ended with a dual bound, and the columns for the master either way.
#[derive(Clone, Debug, PartialEq)]
pub struct Certification {
    /// `None` when a pricing MILP ended without a dual bound (its time
    /// limit before the root bound, an interrupt, a numerical failure):
    /// that costs this dual its certificate, not the columns.
    pub certificate: Option<Certificate>,
    /// Every pricing MILP's best unit that prices above ακ by
    /// [`COLUMN_VIOLATION`], whether or not its MILP gave a bound, in the
    /// order of the pricing problems.
    pub units: Vec<Atom>,
    /// Pricing MILPs that ended without a dual bound.
    pub without_bound: usize,
    /// Pricing MILPs that ended early (time or node limit, interrupt, or a
    /// unit worth more than `stop_above`) with a dual bound: a looser one,
    /// still valid.
    pub ended_early: usize,
}

/// The relaxation of one training problem.
#[derive(Clone, Debug)]
pub struct PathNorm<'a> {
    data: &'a Dataset,
    settings: &'a FormulationSettings,
    /// κ = 1/(sPK) + 1/(ωd).
    kappa: f64,
    /// ακ: the pricing value every unit must stay under.
    price: f64,
    /// R = max_n ‖x_n‖_∞: the bias range that loses nothing.
    radius: f64,
    /// Raised (Ctrl-C): the master and pricing solves end, no round starts.
    interrupt: Option<InterruptFlag>,
}

/// A small seeded generator (SplitMix64) for the starting units: the crate
/// has no `rand` dependency, and the bound does not depend on the quality of
/// these numbers, only the speed of convergence does.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * 2f64.powi(-53)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

impl<'a> PathNorm<'a> {
    /// The relaxation of the training MILP of `settings` on `data` (the
    /// standardized training data). Refuses, naming why, what the
    /// derivation does not cover.
    pub fn new(data: &'a Dataset, settings: &'a FormulationSettings) -> Result<Self, BoundError> {
        settings
            .validate()
            .map_err(|e| BoundError::NotApplicable(format!("the formulation itself is refused ({e})")))?;
        if settings.conv.is_some() {
            return Err(BoundError::NotApplicable(
                "a convolutional first layer (path-norm is derived for one dense hidden layer)".into(),
            ));
        }
        if settings.hidden.len() != 1 {
            return Err(BoundError::NotApplicable(format!(
                "{} hidden layers (path-norm is derived for one dense hidden layer)",
                settings.hidden.len()
            )));
        }
        if settings.loss != Loss::Hinge {
            return Err(BoundError::NotApplicable(format!(
                "the {} loss (path-norm is derived for the hinge loss)",
                settings.loss.name()
            )));
        }
        if settings.l1 <= 0.0 {
            return Err(BoundError::NotApplicable(
                "α = 0 (without the ℓ1 penalty the path-norm relaxation proves only 0)".into(),
            ));
        }
        if data.num_classes() < 2 {
            return Err(BoundError::NotApplicable("fewer than two classes".into()));
        }
        if data.is_empty() || data.num_features() == 0 {
            return Err(BoundError::NotApplicable("no training samples or no features".into()));
        }
        let (k, d) = (data.num_classes() as f64, data.num_features() as f64);
        let kappa = 1.0 / (settings.grid_step * settings.grid_levels as f64 * k) + 1.0 / (settings.omega * d);
        let radius = (0..data.len())
            .map(|n| data.row(n).iter().fold(0.0f64, |a, v| a.max(v.abs())))
            .fold(0.0f64, f64::max);
        if !radius.is_finite() {
            return Err(BoundError::NotApplicable("an input is not finite".into()));
        }
        Ok(PathNorm {
            data,
            settings,
            kappa,
            price: settings.l1 * kappa,
            radius,
            interrupt: None,
        })
    }

    /// Ends the method early when `flag` is raised (the best round
    /// certified until then is kept).
    pub fn with_interrupt(mut self, flag: Option<InterruptFlag>) -> Self {
        self.interrupt = flag;
        self
    }

    fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|f| f.is_raised())
    }

    /// κ = 1/(sPK) + 1/(ωd).
    pub fn kappa(&self) -> f64 {
        self.kappa
    }

    fn rows(&self) -> Vec<&'a [f64]> {
        (0..self.data.len()).map(|n| self.data.row(n)).collect()
    }

    /// The exactly feasible version of hinge multipliers `pi` (per sample,
    /// per class; see [`DyadicDual::repair`]).
    pub fn repair(&self, pi: &[Vec<f64>]) -> DyadicDual {
        DyadicDual::repair(pi, self.data.labels(), self.data.num_classes())
    }

    /// Certifies `dual`: the exact pricing MILP for every distinct class
    /// and sign, each started from the best of `units` for it, with an equal
    /// share (times `share`) of the time left before `deadline`. The MILPs
    /// run side by side on `options.threads` threads (the machine's cores
    /// when unset), one thread each: HiGHS's branch and bound gains little
    /// from a second thread, two MILPs gain twice. With `stop_above`, a MILP
    /// ends as soon as it finds a unit worth more (see [`Pricing::exact`]).
    /// The certificate is `None` when a MILP ended without a dual bound;
    /// the units every MILP found come back either way.
    #[allow(clippy::too_many_arguments)]
    pub fn certify(
        &self,
        solver: &(dyn Solver + Sync),
        options: &SolveOptions,
        dual: &DyadicDual,
        units: &[Atom],
        deadline: Instant,
        share: f64,
        stop_above: Option<f64>,
    ) -> Result<Certification, BoundError> {
        if dual.labels() != self.data.labels() {
            return Err(BoundError::Solver(
                "the multipliers belong to other data (their labels differ)".into(),
            ));
        }
        let rows = self.rows();
        let k = self.data.num_classes();
        let mut worst: f64 = 0.0;
        let mut found = Vec::new();
        // Distinct pricing problems only (with two classes λ_1 = −λ_0, so
        // half of them repeat).
        let mut problems: Vec<Vec<f64>> = Vec::new();
        for class in 0..k {
            let lambda = dual.lambda(class);
            for sign in [1.0, -1.0] {
                let coef: Vec<f64> = lambda.iter().map(|l| sign * l).collect();
                if !problems.contains(&coef) {
                    problems.push(coef);
                }
            }
        }
        let total = problems.len();
        let workers = options
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, total.max(1));
        let threads = if workers > 1 { Some(1) } else { options.threads };
        let next = AtomicUsize::new(0);
        let outcomes: Mutex<Vec<(usize, PricingOutcome)>> = Mutex::new(Vec::with_capacity(total));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= total {
                        break;
                    }
                    let pricing = Pricing::new(&rows, &problems[i], self.radius);
                    let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
                    // The waves of MILPs still to start, this one's included.
                    let waves = (total - i).div_ceil(workers);
                    let opts = SolveOptions {
                        time_limit: Some((left / waves as f64 * share).max(MIN_PRICING_SECONDS)),
                        threads,
                        ..options.clone()
                    };
                    let start = units
                        .iter()
                        .map(|u| (pricing.value(u), u))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, u)| u);
                    let outcome = pricing
                        .solve_exact(solver, &opts, start, self.interrupt.as_ref(), stop_above)
                        .map(|r| {
                            let value = r.unit.as_ref().map(|u| pricing.value(u));
                            (r, value)
                        });
                    outcomes.lock().expect("no pricing thread panics").push((i, outcome));
                });
            }
        });
        let mut outcomes = outcomes.into_inner().expect("no pricing thread panics");
        outcomes.sort_by_key(|(i, _)| *i);
        let (mut without_bound, mut ended_early) = (0, 0);
        for (_, outcome) in outcomes {
            let (solved, value) = outcome.map_err(BoundError::Solver)?;
            // A column is a column whatever its MILP's bound: only the
            // certificate needs every bound.
            if let (Some(unit), Some(value)) = (solved.unit, value) {
                if value > self.price * (1.0 + COLUMN_VIOLATION) {
                    found.push(unit);
                }
            }
            match solved.bound {
                None => without_bound += 1,
                Some(bound) => {
                    worst = worst.max(bound);
                    if solved.status != Status::Optimal {
                        ended_early += 1;
                    }
                }
            }
        }
        let certificate = (without_bound == 0).then(|| {
            let ratio = worst / self.price;
            let dual_value = self.settings.margin * dual.total();
            let raw = dual_value / ratio.max(1.0);
            let value = raw * (1.0 - CERTIFICATE_ROUNDING);
            Certificate {
                value,
                dual_value,
                ratio,
                rounding_margin: raw - value,
            }
        });
        Ok(Certification {
            certificate,
            units: found,
            without_bound,
            ended_early,
        })
    }

    /// Starting units: w = ±e_i with thresholds at quantiles of feature i,
    /// and random sparse w with b through a random sample.
    fn initial_units(&self, s: &PathNormSettings, rng: &mut SplitMix) -> Vec<Atom> {
        let (n, d) = (self.data.len(), self.data.num_features());
        let mut units = Vec::new();
        for i in 0..d {
            let mut column: Vec<f64> = (0..n).map(|m| self.data.row(m)[i]).collect();
            column.sort_by(f64::total_cmp);
            for q in 1..=AXIS_THRESHOLDS {
                let x = column[q * (n - 1) / (AXIS_THRESHOLDS + 1)];
                for sign in [1.0, -1.0] {
                    let mut w = vec![0.0; d];
                    w[i] = sign;
                    units.push(Atom { w, b: -sign * x });
                }
            }
        }
        for _ in 0..s.initial_units {
            let w = random_direction(rng, d);
            let m = rng.below(n);
            let b = -self.data.row(m).iter().zip(&w).map(|(x, v)| x * v).sum::<f64>();
            units.push(Atom { w, b });
        }
        units
    }

    /// Column generation (module docs), returning the best certified bound
    /// of its rounds. [`BoundError::NoBound`] when no round was certified in
    /// the budget. The budget is `s.seconds` (the caller's
    /// `options.time_limit` is replaced per solve); `lp_value` is the
    /// restricted master's value in the certified round: an upper bound on
    /// the relaxation's optimum, equal to the bound when converged; `rows`
    /// are the master's rows, `pairs` 0.
    pub fn solve(
        &self,
        solver: &(dyn Solver + Sync),
        options: &SolveOptions,
        s: &PathNormSettings,
    ) -> Result<ProvenBound, BoundError> {
        if !(s.seconds.is_finite() && s.seconds > 0.0 && s.seconds <= MAX_SECONDS) {
            return Err(BoundError::NoBound(format!(
                "the path-norm time budget must be within (0, {MAX_SECONDS}] seconds, got {}",
                s.seconds
            )));
        }
        // Only the time, threads, seed and log of the caller's options reach
        // the master and the pricing: any other HiGHS option could change
        // what their values mean.
        let options = &SolveOptions {
            time_limit: options.time_limit,
            threads: options.threads,
            seed: options.seed,
            log: options.log,
            ..SolveOptions::default()
        };
        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(s.seconds);
        let heuristic_until = started + Duration::from_secs_f64(s.seconds * HEURISTIC_SHARE);
        let mut rng = SplitMix(s.seed);
        let rows = self.rows();
        let labels = self.data.labels();
        let k = self.data.num_classes();
        let mut units = self.initial_units(s, &mut rng);
        let mut best: Option<ProvenBound> = None;
        // The master's value per round, for the stall test.
        let mut values: Vec<f64> = Vec::new();
        let mut last_error = String::from("the time budget ended before a certified round");
        let mut rounds = 0;
        for round in 0..s.max_rounds {
            if Instant::now() >= deadline || self.interrupted() {
                break;
            }
            rounds = round + 1;
            let master = Master::build(&rows, labels, k, self.settings.margin, self.price, &units);
            let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
            let opts = SolveOptions {
                time_limit: Some(left.max(MIN_PRICING_SECONDS)),
                ..options.clone()
            };
            let mut request = SolveRequest::new(&master.model, &opts);
            if let Some(flag) = &self.interrupt {
                request = request.interrupt(flag);
            }
            let result = match solver.solve(request, &mut NoObserver) {
                Ok(r) => r,
                // A failure costs the rounds after it, not a bound proven before.
                Err(e) if best.is_some() => {
                    last_error = e.to_string();
                    break;
                }
                Err(e) => return Err(BoundError::Solver(e.to_string())),
            };
            let Some(solution) = result.solution else {
                last_error = format!("the master LP ended {} without a solution", result.status.as_str());
                break;
            };
            let dual = self.repair(&master.multipliers(&solution));
            let value = result.objective.unwrap_or(f64::INFINITY);
            let stalled = values.len() >= STALL_ROUNDS
                && values[values.len() - STALL_ROUNDS] - value <= MASTER_STALL * value.abs();
            values.push(value);
            let late = stalled || Instant::now() >= heuristic_until;
            let mut added = if late {
                Vec::new()
            } else {
                self.heuristic_columns(&rows, &dual, &units, s, &mut rng)
            };
            if added.is_empty() && !late {
                // Stalled: search harder before paying for the exact MILP.
                let harder = PathNormSettings {
                    random_starts: s.random_starts * STALL_START_FACTOR,
                    ..s.clone()
                };
                added = self.heuristic_columns(&rows, &dual, &units, &harder, &mut rng);
            }
            if added.is_empty() || late || round + 1 == s.max_rounds {
                // The certification takes the time left; a clearly better unit
                // ends it early for another round.
                let restart = self.price * (1.0 + RESTART_VIOLATION);
                let certified = match self.certify(solver, options, &dual, &units, deadline, 1.0, Some(restart)) {
                    Ok(c) => c,
                    Err(e) if best.is_some() => {
                        last_error = e.to_string();
                        break;
                    }
                    Err(e) => return Err(e),
                };
                // Its columns enter the master with or without a certificate:
                // a MILP without a dual bound costs this round's bound only.
                for unit in certified.units {
                    if !added.iter().chain(&units).any(|u| same_unit(u, &unit)) {
                        added.push(unit);
                    }
                }
                match certified.certificate {
                    None => {
                        last_error = format!("{} pricing MILP(s) ended without a dual bound", certified.without_bound)
                    }
                    Some(c) => {
                        if best.as_ref().is_none_or(|b| c.value > b.value) {
                            best = Some(ProvenBound {
                                method: METHOD,
                                value: c.value.max(0.0),
                                lp_value: result.objective,
                                rounding_margin: c.rounding_margin,
                                seconds: 0.0,
                                rounds: 0,
                                pairs: 0,
                                rows: master.model.num_rows(),
                                active_pairs: Vec::new(),
                            });
                        }
                        if c.ratio <= 1.0 {
                            break; // the master's dual is feasible: no later round can prove more
                        }
                    }
                }
                if added.is_empty() {
                    // The same master gives the same dual and the same
                    // pricing: nothing a next round could change.
                    break;
                }
            }
            units.extend(added);
        }
        let mut proven = best.ok_or(BoundError::NoBound(last_error))?;
        proven.seconds = started.elapsed().as_secs_f64();
        proven.rounds = rounds;
        Ok(proven)
    }

    /// Heuristic pricing for every class and sign: ascent from the master's
    /// best-pricing units and from random directions; up to
    /// `columns_per_round` violated units each.
    fn heuristic_columns(
        &self,
        rows: &[&[f64]],
        dual: &DyadicDual,
        units: &[Atom],
        s: &PathNormSettings,
        rng: &mut SplitMix,
    ) -> Vec<Atom> {
        let d = self.data.num_features();
        let mut added: Vec<Atom> = Vec::new();
        for class in 0..self.data.num_classes() {
            let lambda = dual.lambda(class);
            for sign in [1.0, -1.0] {
                let coef: Vec<f64> = lambda.iter().map(|l| sign * l).collect();
                let pricing = Pricing::new(rows, &coef, self.radius);
                if pricing.is_trivial() {
                    continue;
                }
                let mut ranked: Vec<(f64, usize)> =
                    units.iter().enumerate().map(|(i, u)| (pricing.value(u), i)).collect();
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
                let mut starts: Vec<Vec<f64>> = ranked
                    .iter()
                    .take(s.random_starts.max(1))
                    .map(|&(_, i)| units[i].w.clone())
                    .collect();
                starts.extend((0..s.random_starts).map(|_| random_direction(rng, d)));
                let mut found: Vec<(f64, Atom)> = starts
                    .iter()
                    .map(|w| pricing.ascend(w))
                    .filter(|(v, _)| *v > self.price * (1.0 + COLUMN_VIOLATION))
                    .collect();
                found.sort_by(|a, b| b.0.total_cmp(&a.0));
                let mut taken = 0;
                for (_, unit) in found {
                    if taken == s.columns_per_round {
                        break;
                    }
                    if !added.iter().chain(units).any(|u| same_unit(u, &unit)) {
                        added.push(unit);
                        taken += 1;
                    }
                }
            }
        }
        added
    }
}

/// The largest time budget accepted: a year, far beyond any run, and small
/// enough for the clock arithmetic.
pub const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// Time limit floor of one solve, so a nearly spent budget still lets a
/// pricing MILP reach its root bound (a solve with no time gives none).
pub const MIN_PRICING_SECONDS: f64 = 0.2;

/// Units this close in every coordinate are the same column.
const SAME_UNIT: f64 = 1e-9;

fn same_unit(a: &Atom, b: &Atom) -> bool {
    (a.b - b.b).abs() <= SAME_UNIT && a.w.iter().zip(&b.w).all(|(x, y)| (x - y).abs() <= SAME_UNIT)
}

/// A random direction on the ℓ1 sphere, each coordinate kept with
/// probability 1/2 (at least one).
fn random_direction(rng: &mut SplitMix, d: usize) -> Vec<f64> {
    let mut w: Vec<f64> = (0..d)
        .map(|_| if rng.unit() < 0.5 { 2.0 * rng.unit() - 1.0 } else { 0.0 })
        .collect();
    if w.iter().all(|&v| v == 0.0) {
        w[rng.below(d)] = 1.0;
    }
    let norm: f64 = w.iter().map(|v| v.abs()).sum();
    w.iter().map(|v| v / norm).collect()
}
