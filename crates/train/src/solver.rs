//! What training needs from a MILP backend: MILP and LP solves (LP sessions
//! too, for branch-and-price's master), solutions
//! handed to a running MIP (the full MIP alongside the search), and options
//! checked before a long run. Any backend with these abilities is one; the
//! caller passes it in [`crate::Job`].

use mipnet_bounds::unit_columns::branch::BranchSolver;
use mipnet_solver::{ChecksOptions, RelaxationSessions, Solver, TakesSolutions};

/// A backend training can run on.
pub trait TrainSolver: Solver + TakesSolutions + ChecksOptions + RelaxationSessions + Sync {
    /// The backend as branch-and-price takes it (MILPs and LP sessions).
    fn branch(&self) -> &dyn BranchSolver;
}
impl<T: Solver + TakesSolutions + ChecksOptions + RelaxationSessions + Sync> TrainSolver for T {
    fn branch(&self) -> &dyn BranchSolver {
        self
    }
}
