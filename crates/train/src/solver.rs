//! What training needs from a MILP backend: MILP and LP solves, solutions
//! handed to a running MIP (the full MIP alongside the search), and options
//! checked before a long run. Any backend with these abilities is one; the
//! caller passes it in [`crate::Job`].

use mipnet_solver::{ChecksOptions, Solver, TakesSolutions};

/// A backend training can run on.
pub trait TrainSolver: Solver + TakesSolutions + ChecksOptions + Sync {}
impl<T: Solver + TakesSolutions + ChecksOptions + Sync> TrainSolver for T {}
