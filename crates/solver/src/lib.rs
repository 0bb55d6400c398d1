//! The solver trait that every MILP backend implements, and the data it
//! exchanges: options, MIP starts, progress, and results.
//!
//! Formulations reach a solver only through [`Solver`], so a backend can be
//! swapped without touching them. A solve *status* (optimal, infeasible,
//! time limit with or without a solution, interrupted, …) is data in
//! [`SolveResult`]; [`SolverError`] is kept for things that stop a solve from
//! happening at all (a rejected option, a malformed model).

use mipnet_milp::{Col, Model, ModelError};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use thiserror::Error;

/// Settings of one solve. `None` leaves the backend's default.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Stop when the relative MIP gap is at most this.
    pub relative_gap: Option<f64>,
    /// Number of threads the solver may use.
    pub threads: Option<usize>,
    /// The solver's random seed; results vary with it, so record it.
    pub seed: Option<u64>,
    /// Print the solver's own log to stderr.
    pub log: bool,
    /// Any other backend option by name, value as text (`("presolve", "off")`).
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
    /// Solutions the observer handed in while it ran
    /// ([`Observer::user_solution`]) that the solver accepted to check.
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
    /// Asked by a running MIP solve, now and then (between root cut rounds
    /// and before each dive), for a solution found elsewhere: values for
    /// every column. The solver checks it against the model and keeps it
    /// when it is feasible and better than its incumbent. An observer
    /// returns each solution once.
    fn user_solution(&mut self) -> Option<Vec<f64>> {
        None
    }
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
