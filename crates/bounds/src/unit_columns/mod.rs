//! A Dantzig–Wolfe decomposition of the one-hidden-layer training problem
//! per hidden unit, solved by column generation and certified by a
//! Lagrangian bound at every certified round. Unlike the path-norm
//! relaxation ([`crate::path_norm`]) it keeps the width H, the ω box, the
//! grid on the outgoing weights and the ℓ1 penalty at full weight.
//!
//! # The formulation it bounds (crates/formulate)
//!
//! f_k(x) = c_k + Σ_j s·z_kj·relu(W_j·x + b_j) with |W_ji| ≤ ω, |b_j| ≤ ω,
//! z_kj ∈ {−P..P}, |c_k| ≤ ω (every bias has the box [−ω, ω], the output
//! layer's too), hinge loss ξ_n ≥ margin − (f_{y_n}(x_n) − f_k(x_n)),
//! ξ_n ≥ 0, each at cost w_{y_n}/N ≥ 1/N (class weights are ≥ 1), and the
//! penalties: per layer-1 weight α|W_ji| + λ[W_ji ≠ 0] + γ·(tangent
//! approximation of W_ji², ≥ 0); per grid weight α·s|z| + λ[z ≠ 0] +
//! γ·s²z²; β per kept neuron when neurons are prunable (a neuron with a
//! nonzero outgoing weight is kept). Rules and cutoffs only add rows.
//!
//! # The master
//!
//! A column is one unit u = (w, b, z) of the block |w_i| ≤ ω, |b| ≤ ω,
//! z ∈ {−P..P}^K. Its cost is cost_u = α‖w‖₁ +
//! Σ_k (α·s|z_k| + λ[z_k ≠ 0] + γ·s²z_k²) + β·[prunable and z ≠ 0]: everything the objective charges
//! the unit except its layer-1 ℓ0 and ℓ2 terms, which are ≥ 0 and dropped.
//! Its contribution to sample n's class-k score is s·z_k·h_un with h_un =
//! relu(w·x_n + b). The master LP is
//!
//! min (1/N)Σ_n ξ_n + Σ_u cost_u·λ_u
//! s.t. ξ_n ≥ margin − (o_{n,y_n} − o_nk), ξ ≥ 0,
//!      o_nk = c_k + Σ_u λ_u·s·z_uk·h_un, |c_k| ≤ ω,
//!      Σ_u λ_u ≤ H, λ ≥ 0.
//!
//! Every network of the architecture is a feasible point (λ = 1 on each of
//! its H units, summed over equal units; ξ its hinge losses), at a cost at
//! most its objective. So the master's optimum is a lower bound.
//!
//! # The certificate (Lagrangian, valid for ANY multipliers)
//!
//! Take π_nk ≥ 0 (k ≠ y_n) with Σ_k π_nk ≤ 1/N, λ_nk = π_nk and
//! λ_{n,y_n} = −Σ_k π_nk, r_k = Σ_n λ_nk. For any feasible point,
//!
//! (1/N)Σ ξ_n ≥ Σ_n (Σ_k π_nk) ξ_n ≥ margin·Σ π + Σ_{n,k} λ_nk·o_nk
//!            = margin·Σ π + Σ_k c_k·r_k + Σ_u λ_u·G_u,
//!
//! with G_u = s·Σ_n h_un·Σ_k z_uk·λ_nk. Since |c_k| ≤ ω, Σ_k c_k r_k ≥
//! −ω·Σ_k |r_k|. With the reduced cost ρ_u = cost_u + G_u and any lower
//! bound ρ* ≤ min over ALL units of ρ_u, Σ_u λ_u ρ_u ≥ H·min(0, ρ*)
//! (0 ≤ Σ λ_u ≤ H). Hence the objective of every network is at least
//!
//! LB(π) = margin·Σ π − ω·Σ_k |r_k| + H·min(0, ρ*).
//!
//! Nothing is asked of π beyond its sign and per-sample cap, and the first
//! two terms are exact integer sums on a dyadic grid ([`dual`]). ρ* comes
//! from the pricing ([`pricing`]): for each grid pattern z ≠ 0 (z = 0 gives
//! ρ_u = α‖w‖₁ ≥ 0), ρ(z) = cost(z) + min over the box of α‖w‖₁ +
//! Σ_n e_n·relu(w·x_n + b), e_n = s·Σ_k z_k λ_nk, bounded below by cost(z)
//! minus an exact MILP's dual bound inflated by the solver's tolerances
//! (the one factor that trusts HiGHS, as in the path-norm method). The
//! patterns are enumerated ((2P+1)^K − 1 of them: 26 for 3 classes and
//! P = 1); beyond [`MAX_PATTERNS`] the method says it does not apply.
//!
//! The best π is the master's dual: [`master`] solves the restricted master
//! over the columns found so far in its dual form, heuristic pricing
//! ([`heuristic`]: coordinate descent with exact line searches) adds columns,
//! and the exact pricing MILPs certify a round and add their best units
//! ([`certify`]). Converged (ρ* equal to the master's width multiplier μ),
//! the bound is the master's optimum.
//!
//! # Against path-norm
//!
//! A column u taken λ_u times is the unit (λ_u·w, λ_u·b, v) of the
//! path-norm relaxation (relu is positively homogeneous), whose penalty
//! ακ‖λw‖₁‖v‖₁ ≤ λ_u·α(‖w‖₁ + ‖v‖₁) ≤ λ_u·cost_u (κ's inequality, with
//! ‖w‖₁ ≤ ωd and ‖v‖₁ ≤ sPK inside the block), and the output bias's box
//! only restricts. So the master's optimum is at least the path-norm
//! relaxation's optimum, which is at least its certified bound: converged,
//! this bound is the stronger one.

pub mod branch;
pub mod certify;
pub mod column;
pub mod dual;
pub mod heuristic;
pub mod master;
pub mod parallel;
pub mod pricing;

use crate::{BoundError, ProvenBound};
use column::{patterns, unit_cost, Unit};
use dual::HingeDual;
use heuristic::same_unit;
use master::{Convexity, Master, MasterColumn, MasterShape};
use mipnet_data::Dataset;
use mipnet_formulate::{FormulationSettings, Loss};
use mipnet_solver::{InterruptFlag, NoObserver, SolveOptions, SolveRequest, Solver};
use std::time::{Duration, Instant};

/// The method's name in reports.
pub const METHOD: &str = "unit-columns";

/// At most this many grid patterns z ≠ 0 are priced (one exact MILP each
/// per certified round): 3^5 − 1, five classes with P = 1. Beyond it the
/// method does not apply (MNIST's 3^10 − 1 = 59,048 patterns).
pub const MAX_PATTERNS: usize = 242;

/// A heuristic column enters the master only if its reduced cost is below
/// μ − COLUMN_VIOLATION × (the master's value / H), μ ≤ 0 the master's
/// width multiplier (every master column prices at μ or above): smaller
/// violations cannot lower the bound by more than that share of it.
pub const COLUMN_VIOLATION: f64 = 1e-4;

/// Converged: the certified ρ* is above μ − CONVERGED × (the master's value
/// / H), so the bound is within that share of the master's optimum.
pub const CONVERGED: f64 = 1e-4;

/// An exact pricing MILP ends as soon as it finds a unit whose reduced cost
/// is below μ − RESTART_SHARE × (the master's value / H): that unit alone
/// would cost the certificate this share of the bound, so a new round with
/// it pays more than the rest of the solve.
pub const RESTART_SHARE: f64 = 0.05;

/// Share of the time budget, at its end, for one final certification:
/// its exact pricing MILPs are not stopped for a column
/// ([`RESTART_SHARE`]) but run to their end or their share of the time.
/// Measured on Wine (134 samples, 10 s on 2 loaded cores), rounds that
/// stop for columns certify little more than their root bounds while the
/// master still falls.
pub const FINAL_SHARE: f64 = 0.3;

/// Share of the time budget for column generation with heuristic pricing
/// only, at most; after it, every round ends with the exact pricing.
pub const HEURISTIC_SHARE: f64 = 0.5;

/// The heuristic rounds end early when the master's value fell by less than
/// this relative amount over the last [`STALL_ROUNDS`] rounds.
pub const MASTER_STALL: f64 = 2e-3;

/// Rounds over which [`MASTER_STALL`] is measured.
pub const STALL_ROUNDS: usize = 3;

/// Relative lowering of the final bound for the f64 operations after the
/// exact integer sums (a few products and sums): each rounds by at most
/// 2⁻⁵³ relative; 1e-12 covers that thousands of times over.
pub const CERTIFICATE_ROUNDING: f64 = 1e-12;

/// Time limit floor of one solve, so a nearly spent budget still lets a
/// pricing MILP reach its root bound.
pub const MIN_SOLVE_SECONDS: f64 = 0.2;

/// The largest time budget accepted: a year.
pub const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// The column generation's budget and effort.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitColumnsSettings {
    /// Wall-clock budget of the whole method. Default 30 s.
    pub seconds: f64,
    /// At most this many master solves. Default 300.
    pub max_rounds: usize,
    /// Columns added per round, at most. Default 30.
    pub columns_per_round: usize,
    /// Heuristic starts per round from the master's best-pricing columns.
    /// Default 20.
    pub column_starts: usize,
    /// Heuristic starts per round from the pool of hyperplanes (axis
    /// thresholds and bisectors of sample pairs of different classes),
    /// taken in turn. Default 20.
    pub pool_starts: usize,
}

impl Default for UnitColumnsSettings {
    fn default() -> Self {
        UnitColumnsSettings {
            seconds: 30.0,
            max_rounds: 300,
            columns_per_round: 30,
            column_starts: 20,
            pool_starts: 20,
        }
    }
}

/// One round, as reported to a progress callback.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundReport {
    pub round: usize,
    pub seconds: f64,
    /// The restricted master's value (not certified).
    pub master_value: f64,
    /// The round's certified bound, when the round was certified.
    pub certified: Option<f64>,
    pub columns: usize,
}

/// What a run reached.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitColumnsRun {
    /// The best certified bound (`rows` holds the master's columns).
    pub bound: ProvenBound,
    /// Master solves.
    pub rounds: usize,
    /// Columns in the last master.
    pub columns: usize,
    /// Rounds certified by the exact pricing.
    pub certified_rounds: usize,
    /// Whether the exact pricing proved ρ* ≥ μ ([`CONVERGED`]), or every
    /// pricing MILP ran to its end and found no new column: the bound is
    /// then the master's optimum (the Dantzig–Wolfe relaxation's) up to the
    /// pricing's tolerances.
    pub converged: bool,
}

/// The decomposition of one training problem.
#[derive(Clone, Debug)]
pub struct UnitColumns<'a> {
    data: &'a Dataset,
    settings: &'a FormulationSettings,
    patterns: Vec<Vec<i32>>,
    width: usize,
    interrupt: Option<InterruptFlag>,
    /// Units to start from (an incumbent's), moved into the block.
    seeds: Vec<Unit>,
}

impl<'a> UnitColumns<'a> {
    /// The decomposition of the training MILP of `settings` on `data` (the
    /// standardized training data). Refuses, naming why, what the
    /// derivation does not cover.
    pub fn new(data: &'a Dataset, settings: &'a FormulationSettings) -> Result<Self, BoundError> {
        settings
            .validate()
            .map_err(|e| BoundError::NotApplicable(format!("the formulation itself is refused ({e})")))?;
        if settings.conv.is_some() {
            return Err(BoundError::NotApplicable(
                "a convolutional first layer (unit columns are derived for one dense hidden layer)".into(),
            ));
        }
        if settings.hidden.len() != 1 {
            return Err(BoundError::NotApplicable(format!(
                "{} hidden layers (unit columns are derived for one dense hidden layer)",
                settings.hidden.len()
            )));
        }
        if settings.loss != Loss::Hinge {
            return Err(BoundError::NotApplicable(format!(
                "the {} loss (unit columns are derived for the hinge loss)",
                settings.loss.name()
            )));
        }
        if data.num_classes() < 2 {
            return Err(BoundError::NotApplicable("fewer than two classes".into()));
        }
        if data.is_empty() || data.num_features() == 0 {
            return Err(BoundError::NotApplicable("no training samples or no features".into()));
        }
        if (0..data.len()).any(|n| data.row(n).iter().any(|v| !v.is_finite())) {
            return Err(BoundError::NotApplicable("an input is not finite".into()));
        }
        let patterns = patterns(data.num_classes(), settings.grid_levels, MAX_PATTERNS).ok_or_else(|| {
            BoundError::NotApplicable(format!(
                "{} classes with P = {} make more than {MAX_PATTERNS} grid patterns to price",
                data.num_classes(),
                settings.grid_levels
            ))
        })?;
        Ok(UnitColumns {
            data,
            settings,
            patterns,
            width: settings.hidden[0],
            interrupt: None,
            seeds: Vec::new(),
        })
    }

    /// Ends the method early when `flag` is raised (the best round
    /// certified until then is kept).
    pub fn with_interrupt(mut self, flag: Option<InterruptFlag>) -> Self {
        self.interrupt = flag;
        self
    }

    /// Starting units (e.g. the incumbent network's), clamped into the
    /// block; a unit's z outside the grid is dropped.
    pub fn with_units(mut self, units: Vec<Unit>) -> Self {
        let (omega, p) = (self.settings.omega, self.settings.grid_levels as i32);
        self.seeds = units
            .into_iter()
            .filter(|u| u.w.len() == self.data.num_features() && u.z.len() == self.data.num_classes())
            .filter(|u| u.z.iter().all(|z| (-p..=p).contains(z)))
            .map(|u| Unit {
                w: u.w.iter().map(|v| v.clamp(-omega, omega)).collect(),
                b: u.b.clamp(-omega, omega),
                z: u.z,
            })
            .collect();
        self
    }

    fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|f| f.is_raised())
    }

    /// The grid patterns z ≠ 0 priced.
    pub fn patterns(&self) -> &[Vec<i32>] {
        &self.patterns
    }

    fn rows(&self) -> Vec<&'a [f64]> {
        (0..self.data.len()).map(|n| self.data.row(n)).collect()
    }

    /// What the master needs of the formulation, over `rows` ([`Self::rows`]).
    fn master_shape<'r>(&'r self, rows: &'r [&'r [f64]]) -> MasterShape<'r> {
        let fs = self.settings;
        MasterShape {
            rows,
            labels: self.data.labels(),
            classes: self.data.num_classes(),
            margin: fs.margin,
            omega: fs.omega,
            grid_step: fs.grid_step,
        }
    }

    /// The exactly feasible version of hinge multipliers `pi` (per sample,
    /// per class; see [`HingeDual::round`]).
    pub fn round_dual(&self, pi: &[Vec<f64>]) -> HingeDual {
        HingeDual::round(pi, self.data.labels(), self.data.num_classes())
    }

    /// margin·Σ π − ω·Σ_k |r_k|: the certificate's part without the pricing.
    pub fn dual_value(&self, dual: &HingeDual) -> f64 {
        self.settings.margin * dual.total() - self.settings.omega * dual.imbalance()
    }

    /// Column generation (module docs) with the best certified bound of its
    /// rounds. [`BoundError::NoBound`] when no round was certified in the
    /// budget. Only the time, threads, seed and log of `options` are used.
    pub fn solve(
        &self,
        solver: &(dyn Solver + Sync),
        options: &SolveOptions,
        s: &UnitColumnsSettings,
    ) -> Result<UnitColumnsRun, BoundError> {
        self.solve_observed(solver, options, s, &mut |_| {})
    }

    /// [`UnitColumns::solve`], reporting every round to `on_round`.
    pub fn solve_observed(
        &self,
        solver: &(dyn Solver + Sync),
        options: &SolveOptions,
        s: &UnitColumnsSettings,
        on_round: &mut dyn FnMut(&RoundReport),
    ) -> Result<UnitColumnsRun, BoundError> {
        if !(s.seconds.is_finite() && s.seconds > 0.0 && s.seconds <= MAX_SECONDS) {
            return Err(BoundError::NoBound(format!(
                "the unit-columns time budget must be within (0, {MAX_SECONDS}] seconds, got {}",
                s.seconds
            )));
        }
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
        let restarts_until = started + Duration::from_secs_f64(s.seconds * (1.0 - FINAL_SHARE));
        let rows = self.rows();
        let fs = self.settings;
        let shape = self.master_shape(&rows);
        let pool = self.start_pool();
        let mut cursor = 0;
        let mut columns: Vec<(Unit, f64, Vec<f64>)> = Vec::new();
        let mut best: Option<ProvenBound> = None;
        let mut values: Vec<f64> = Vec::new();
        let mut last_error = String::from("the time budget ended before a certified round");
        let (mut rounds, mut certified_rounds, mut converged) = (0, 0, false);
        for round in 0..s.max_rounds {
            if Instant::now() >= deadline || self.interrupted() {
                break;
            }
            rounds = round + 1;
            let master_columns: Vec<MasterColumn> = columns
                .iter()
                .map(|(unit, cost, h)| MasterColumn {
                    block: 0,
                    unit,
                    cost: *cost,
                    h,
                })
                .collect();
            let master = Master::build(&shape, &[Convexity::AtMost(self.width as f64)], &master_columns);
            let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
            let opts = SolveOptions {
                time_limit: Some(left.max(MIN_SOLVE_SECONDS)),
                ..options.clone()
            };
            let mut request = SolveRequest::new(&master.model, &opts);
            if let Some(flag) = &self.interrupt {
                request = request.interrupt(flag);
            }
            let result = match solver.solve(request, &mut NoObserver) {
                Ok(r) => r,
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
            let dual = self.round_dual(&master.multipliers(&solution));
            let value = result.objective.unwrap_or(f64::INFINITY);
            // The scale of a reduced cost that matters: the master's value per unit of width.
            let unit_scale = value.abs().max(f64::MIN_POSITIVE) / self.width.max(1) as f64;
            let stalled = values.len() >= STALL_ROUNDS
                && values[values.len() - STALL_ROUNDS] - value <= MASTER_STALL * value.abs();
            values.push(value);
            // Every master column prices at μ or above; a column matters
            // only below it.
            let mu = solution[master.mu[0].index()].min(0.0);
            let late = stalled || Instant::now() >= heuristic_until;
            // The final certification: the time left goes to the exact
            // pricing of this round's multipliers, and the method ends.
            let last = Instant::now() >= restarts_until;
            let mut added = self.heuristic_columns(
                &rows,
                &dual,
                &columns,
                &pool,
                &mut cursor,
                s,
                mu - COLUMN_VIOLATION * unit_scale,
            );
            let mut certified_value = None;
            if added.is_empty() || late || last || round + 1 == s.max_rounds {
                let hints: Vec<Unit> = columns
                    .iter()
                    .map(|c| c.0.clone())
                    .chain(added.iter().cloned())
                    .collect();
                // The last rounds are certified to the end: their bound is the
                // method's answer, and a column found then has no round left.
                let restart = (!last).then_some(mu - RESTART_SHARE * unit_scale);
                let c = match self.certify(solver, options, &dual, &hints, deadline, restart) {
                    Ok(c) => c,
                    Err(e) if best.is_some() => {
                        last_error = e.to_string();
                        break;
                    }
                    Err(e) => return Err(e),
                };
                certified_rounds += 1;
                certified_value = Some(c.value);
                if best.as_ref().is_none_or(|b| c.value > b.value) {
                    best = Some(ProvenBound {
                        method: METHOD,
                        value: c.value.max(0.0),
                        lp_value: result.objective,
                        rounding_margin: c.rounding_margin,
                        seconds: 0.0,
                        rounds: 0,
                        pairs: 0,
                        rows: columns.len(),
                        active_pairs: Vec::new(),
                    });
                }
                let mut new_columns = 0;
                for unit in c.units {
                    if !added
                        .iter()
                        .chain(columns.iter().map(|c| &c.0))
                        .any(|u| same_unit(u, &unit))
                    {
                        added.push(unit);
                        new_columns += 1;
                    }
                }
                // Converged: ρ* is within the tolerance of μ, or every
                // pricing MILP ran to its end (none stopped by the clock or
                // for a column) and found nothing new: what is left of
                // μ − ρ* is then the pricing's own tolerance.
                if c.trivial_patterns == 0
                    && (c.least_reduced_cost >= mu - CONVERGED * unit_scale || (new_columns == 0 && c.all_finished))
                {
                    converged = true;
                }
            }
            on_round(&RoundReport {
                round,
                seconds: started.elapsed().as_secs_f64(),
                master_value: value,
                certified: certified_value,
                columns: columns.len(),
            });
            if converged || last || added.is_empty() {
                break;
            }
            for unit in added {
                let cost = unit_cost(fs, &unit);
                let h = unit.hidden(&rows);
                columns.push((unit, cost, h));
            }
        }
        let mut bound = best.ok_or(BoundError::NoBound(last_error))?;
        bound.seconds = started.elapsed().as_secs_f64();
        bound.rounds = rounds;
        Ok(UnitColumnsRun {
            bound,
            rounds,
            columns: columns.len(),
            certified_rounds,
            converged,
        })
    }
}
