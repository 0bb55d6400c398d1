//! The solver trait that every MILP backend implements, and the data it
//! exchanges: options, MIP starts, progress, and results.
//!
//! Formulations reach a solver only through [`Solver`], so a backend can be
//! swapped without touching them. Abilities that not every backend has are
//! traits of their own, as in good_lp: [`TakesSolutions`] (solutions found
//! elsewhere, offered to a running MIP), [`RelaxationSessions`] (one LP
//! re-solved for many objectives) and [`ChecksOptions`] (refusing a bad
//! option before a long run). Every option the library sets has a typed
//! field in [`SolveOptions`]; backend option names stay in the backend. A solve *status* (optimal, infeasible,
//! time limit with or without a solution, interrupted, …) is data in
//! [`SolveResult`]; [`SolverError`] is kept for things that stop a solve from
//! happening at all (a rejected option, a malformed model).

use mipnet_milp::{Col, Model, ModelError, Sense};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use thiserror::Error;

/// How a linear program (an LP, or a MIP's relaxations) is solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LpAlgorithm {
    /// Simplex: fast re-solves from a basis; the backend picks primal or dual.
    Simplex,
    /// Interior point, with crossover so the answer is still a vertex.
    InteriorPoint,
}

/// Feasibility tolerances; `None` leaves the backend's default. A bound
/// that trusts the solver names the tolerances it trusts, so it pins them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FeasibilityTolerances {
    /// Largest violation of a row or column bound a solution may have.
    pub primal: Option<f64>,
    /// Largest violation of dual feasibility (reduced costs) at an optimum.
    pub dual: Option<f64>,
    /// Largest distance from an integer an integer column may have.
    pub integrality: Option<f64>,
}

/// Settings of one solve. `None` leaves the backend's default.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Stop when the relative MIP gap is at most this.
    pub relative_gap: Option<f64>,
    /// Stop when the absolute MIP gap (objective − bound) is at most this.
    pub absolute_gap: Option<f64>,
    /// Number of threads the solver may use.
    pub threads: Option<usize>,
    /// The solver's random seed; results vary with it, so record it.
    pub seed: Option<u64>,
    /// Print the solver's own log to stderr.
    pub log: bool,
    /// The LP algorithm; `None` lets the backend choose.
    pub lp_algorithm: Option<LpAlgorithm>,
    pub feasibility: FeasibilityTolerances,
    /// Options given by the user by the backend's own names, value as text
    /// (`("presolve", "off")`), passed through unchanged. The library never
    /// adds to this list: what it needs has a typed field above.
    pub extra: Vec<(String, String)>,
}

impl SolveOptions {
    /// Checks the options that have a meaning independent of the backend.
    pub fn validate(&self) -> Result<(), SolverError> {
        let bad = |what: String| Err(SolverError::BadOption(what));
        if let Some(t) = self.time_limit {
            if t.is_nan() || t <= 0.0 {
                return bad(format!("time limit must be a positive number of seconds, got {t}"));
            }
        }
        if let Some(g) = self.relative_gap {
            if !(0.0..=1.0).contains(&g) {
                return bad(format!("relative gap must be within [0, 1], got {g}"));
            }
        }
        if let Some(g) = self.absolute_gap {
            if !(g.is_finite() && g >= 0.0) {
                return bad(format!("absolute gap must be a finite number ≥ 0, got {g}"));
            }
        }
        let tolerances = [
            ("primal feasibility", self.feasibility.primal),
            ("dual feasibility", self.feasibility.dual),
            ("integrality", self.feasibility.integrality),
        ];
        for (name, value) in tolerances {
            if let Some(t) = value {
                if !(t.is_finite() && t > 0.0) {
                    return bad(format!("{name} tolerance must be a finite number > 0, got {t}"));
                }
            }
        }
        if self.threads == Some(0) {
            return bad("threads must be at least 1".into());
        }
        if let Some(s) = self.seed {
            if s > i32::MAX as u64 {
                return bad(format!("seed must be at most {}, got {s}", i32::MAX));
            }
        }
        Ok(())
    }
}

/// Values handed to the solver as a first incumbent.
#[derive(Clone, Debug, PartialEq)]
pub enum MipStart {
    /// A value for every column.
    Full(Vec<f64>),
    /// Values for some columns only (for example just the binaries). The
    /// backend completes the rest by solving an LP with these fixed.
    Partial(Vec<(Col, f64)>),
}

/// Final state of a solve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal within the gap tolerance.
    Optimal,
    Infeasible,
    Unbounded,
    /// The solver proved only that no finite optimum exists.
    InfeasibleOrUnbounded,
    /// The time limit ended the solve; see [`SolveResult::has_solution`].
    TimeLimit,
    /// Ended by the user (Ctrl-C or an observer); keeps the best solution.
    Interrupted,
    IterationLimit,
    SolutionLimit,
    /// The objective reached a bound or target set by an option.
    ObjectiveLimit,
    MemoryLimit,
    /// The solver failed numerically or internally.
    NumericalTrouble,
    /// The model had no columns and no rows.
    Empty,
    /// The solver stopped without saying why.
    Unknown,
}

impl Status {
    /// Short lower-case name, as printed and written to JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::InfeasibleOrUnbounded => "infeasible_or_unbounded",
            Status::TimeLimit => "time_limit",
            Status::Interrupted => "interrupted",
            Status::IterationLimit => "iteration_limit",
            Status::SolutionLimit => "solution_limit",
            Status::ObjectiveLimit => "objective_limit",
            Status::MemoryLimit => "memory_limit",
            Status::NumericalTrouble => "numerical_trouble",
            Status::Empty => "empty",
            Status::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a solve returned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SolveResult {
    pub status: Status,
    /// Objective of the returned solution, when there is one.
    pub objective: Option<f64>,
    /// Best proven bound on the optimum (for an LP, the optimum itself).
    pub dual_bound: Option<f64>,
    /// Relative gap between objective and bound, as the solver defines it.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
    /// Solutions a [`SolutionFeed`] handed in while it ran
    /// ([`TakesSolutions`]) that the solver accepted to check.
    pub user_solutions: usize,
    /// Column values of the best solution found.
    #[serde(skip)]
    pub solution: Option<Vec<f64>>,
}

impl SolveResult {
    /// Whether a feasible solution came back.
    pub fn has_solution(&self) -> bool {
        self.solution.is_some()
    }
}

/// Why progress was reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressEvent {
    /// A new best solution.
    Improvement,
    /// A periodic report.
    Tick,
}

/// A snapshot of a running solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    pub event: ProgressEvent,
    pub elapsed: f64,
    /// Best objective found so far.
    pub primal_bound: Option<f64>,
    /// Best proven bound so far.
    pub dual_bound: Option<f64>,
    pub gap: Option<f64>,
    pub nodes: u64,
}

/// What an observer tells the solver after a progress report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// End the solve now and keep the best solution found.
    Interrupt,
}

/// Receives progress while a solve runs. The defaults do nothing, so an
/// observer implements only what it needs.
pub trait Observer {
    fn on_progress(&mut self, _progress: &Progress) -> Control {
        Control::Continue
    }
}

/// Solutions found elsewhere (a search running beside the MIP), offered to
/// a running solve of a backend that [`TakesSolutions`].
pub trait SolutionFeed {
    /// Asked by a running MIP solve, now and then (for HiGHS: between root
    /// cut rounds and before each dive), for a solution: values for every
    /// column. The solver checks it against the model and keeps it when it
    /// is feasible and better than its incumbent. Each solution is
    /// returned once.
    fn next_solution(&mut self) -> Option<Vec<f64>>;
}

/// An observer that ignores everything.
pub struct NoObserver;
impl Observer for NoObserver {}

impl<F: FnMut(&Progress) -> Control> Observer for F {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        self(progress)
    }
}

/// A flag shared with a signal handler (Ctrl-C) or another thread: when it
/// is raised, running solves end cleanly with [`Status::Interrupted`].
#[derive(Clone, Debug, Default)]
pub struct InterruptFlag(Arc<AtomicBool>);

impl InterruptFlag {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    pub fn clear(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl From<ModelError> for SolverError {
    fn from(e: ModelError) -> Self {
        SolverError::Model(e)
    }
}

/// Things that keep a solve from happening.
#[derive(Debug, Error)]
pub enum SolverError {
    /// The model's error is part of the message, not a source: chained
    /// error printing (`{:#}`) would otherwise say it twice.
    #[error("invalid model: {0}")]
    Model(ModelError),
    #[error("invalid option: {0}")]
    BadOption(String),
    #[error("invalid MIP start: {0}")]
    BadStart(String),
    #[error("{0}")]
    Backend(String),
}

/// One solve of a [`Model`].
pub struct SolveRequest<'a> {
    pub model: &'a Model,
    pub options: &'a SolveOptions,
    pub start: Option<&'a MipStart>,
    pub interrupt: Option<&'a InterruptFlag>,
}

impl<'a> SolveRequest<'a> {
    pub fn new(model: &'a Model, options: &'a SolveOptions) -> Self {
        SolveRequest {
            model,
            options,
            start: None,
            interrupt: None,
        }
    }
    pub fn start(mut self, start: &'a MipStart) -> Self {
        self.start = Some(start);
        self
    }
    pub fn interrupt(mut self, flag: &'a InterruptFlag) -> Self {
        self.interrupt = Some(flag);
        self
    }
}

/// A MILP backend.
pub trait Solver {
    /// The backend's name and version, for reports.
    fn name(&self) -> String;

    /// Solves a model. Returns `Err` only when the solve could not run;
    /// every outcome of a run, even "no solution", is an `Ok` status.
    fn solve(&self, request: SolveRequest<'_>, observer: &mut dyn Observer) -> Result<SolveResult, SolverError>;
}

/// A backend that takes solutions found elsewhere while a MIP solve runs.
pub trait TakesSolutions: Solver {
    /// [`Solver::solve`], asking `feed` for solutions while it runs; the
    /// result's `user_solutions` counts those the solver accepted to check.
    fn solve_with_feed(
        &self,
        request: SolveRequest<'_>,
        observer: &mut dyn Observer,
        feed: &mut dyn SolutionFeed,
    ) -> Result<SolveResult, SolverError>;
}

/// The answer to one objective over a [`LpRelaxation`].
#[derive(Clone, Debug, PartialEq)]
pub struct LpOutcome {
    pub status: Status,
    /// The optimal value, when `status` is optimal.
    pub value: Option<f64>,
    /// The row multipliers (one per row, the backend's sign convention) at
    /// the optimum, when `status` is optimal and the backend gives them: for
    /// recomputing a bound that does not rest on the solver's tolerances
    /// (any multipliers give a valid bound by weak duality; inexact ones
    /// only a weaker one).
    pub row_duals: Option<Vec<f64>>,
    /// The column values at the optimum, when `status` is optimal: the
    /// primal point beside the multipliers (a column-generation master
    /// solved in its dual form reads its multipliers here and its primal
    /// weights in `row_duals`).
    pub col_values: Option<Vec<f64>>,
}

/// A model's LP relaxation (integrality dropped, objective cleared), loaded
/// once and re-solved for many objectives: bound tightening asks for the
/// minimum and maximum of hundreds of variables over the same relaxation.
pub trait LpRelaxation {
    /// Optimizes `Σ coef · col` in direction `sense`, warm-started from the
    /// previous answer where the backend can.
    fn optimize(&mut self, terms: &[(Col, f64)], sense: Sense) -> Result<LpOutcome, SolverError>;
    /// Changes a column's bounds, e.g. after a bound has been tightened.
    fn set_col_bounds(&mut self, col: Col, lower: f64, upper: f64) -> Result<(), SolverError>;
}

/// A backend that keeps an LP relaxation alive across objectives.
pub trait RelaxationSessions: Solver {
    /// Loads `model`'s relaxation. Only the options that make sense for an
    /// LP are applied (time limit per solve, threads, seed, tolerances,
    /// algorithm, pass-through options).
    fn relaxation(&self, model: &Model, options: &SolveOptions) -> Result<Box<dyn LpRelaxation>, SolverError>;
}

/// A backend that checks options as it would take them, without solving:
/// for refusing a bad option before a long run starts.
pub trait ChecksOptions: Solver {
    fn check_options(&self, options: &SolveOptions) -> Result<(), SolverError>;
}
