//! Proven lower bounds on the optimum of the training MILP, from
//! relaxations that keep the weights shared by all samples.
//!
//! HiGHS's own bound on the training MILP stays near 0 (docs/training.md
//! says why: in the big-M relaxation a fractional ReLU binary lets each
//! sample fit on its own). The methods here remember that all samples share
//! one set of weights. Each is one module:
//!
//! - [`lipschitz_margin`]: outputs of two samples differ by at most a
//!   Lipschitz constant times the layer-1 ℓ1 mass times their distance; an
//!   LP over free outputs with those rows. Certified by
//!   [`safe::lower_bound`]: the LP's dual ([`lp_dual`]) is solved by any
//!   [`mipnet_solver::Solver`], and the bound is recomputed in f64 from its
//!   row multipliers with the variables' boxes absorbing every residual and
//!   a rounding margin, so a solver's tolerances can never produce a bound
//!   above the true optimum.
//! - [`path_norm`]: the path-norm convex relaxation (after Pilanci and
//!   Ergen), by column generation over hidden units; one hidden layer and
//!   the hinge loss. Its dual multipliers are made exactly feasible on a
//!   dyadic grid (integer arithmetic), and the bound is their value divided
//!   by the pricing MILPs' dual bounds (inflated by a named tolerance):
//!   that one factor trusts HiGHS's MILP dual bound, not a recomputation.
//! - [`unit_columns`]: a Dantzig–Wolfe decomposition per hidden unit (one
//!   hidden layer, hinge loss, few grid patterns), keeping the width, the
//!   ω box, the grid and the full penalties; a Lagrangian bound from any
//!   multipliers and the exact pricing MILPs of every grid pattern.

// Loops over indices mirror the subscripts of the equations (n, k, i, j).
#![allow(clippy::needless_range_loop)]

pub mod lipschitz_margin;
pub mod lp_dual;
pub mod path_norm;
pub mod safe;
pub mod unit_columns;

pub use lipschitz_margin::{LipschitzMargin, LipschitzMarginSettings};
pub use path_norm::{PathNorm, PathNormSettings};
use serde::Serialize;
use thiserror::Error;
pub use unit_columns::{UnitColumns, UnitColumnsSettings};

/// A certified lower bound on the training MILP's optimum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProvenBound {
    /// The method that proved it (e.g. `lipschitz-margin`).
    pub method: &'static str,
    /// No network of the formulation has a lower objective.
    pub value: f64,
    /// The LP solver's own optimum of the relaxation (not certified). The
    /// certified `value` is close to it, and may even exceed it by the
    /// solver's tolerances times the variables' boxes: the recomputation
    /// does not trust the solver's value, only its multipliers.
    pub lp_value: Option<f64>,
    /// How much the recomputed bound was lowered for rounding.
    pub rounding_margin: f64,
    pub seconds: f64,
    /// Rounds the method ran: 1 for a single LP (Lipschitz-margin), the
    /// column-generation rounds (master LP and pricing) otherwise.
    pub rounds: usize,
    /// Sample pairs in the relaxation.
    pub pairs: usize,
    /// Rows of the relaxation.
    pub rows: usize,
    /// The sample pairs (n, m) whose rows carry a nonzero multiplier in the
    /// certified dual, largest total |multiplier| first: the pairs the
    /// bound is made of (Lipschitz-margin; empty for other methods). The MIP gets their rows
    /// (`DenseFormulation::add_output_pair_rows`).
    pub active_pairs: Vec<(usize, usize)>,
}

/// Why a method gave no bound.
#[derive(Debug, Error, PartialEq)]
pub enum BoundError {
    /// The method's derivation does not cover this formulation.
    #[error("no bound method applies: {0}")]
    NotApplicable(String),
    /// The method ran but proved nothing (time limit, no dual point).
    #[error("no bound: {0}")]
    NoBound(String),
    /// The LP solver refused the relaxation.
    #[error("the LP solver failed: {0}")]
    Solver(String),
}
