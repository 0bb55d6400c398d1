//! Proving things about a trained ReLU network: robustness of a prediction
//! in an ℓ∞ ball, the largest certified radius, certified output ranges
//! over an input box, and VNN-LIB properties.
//!
//! Every question goes the same way:
//! 1. **Falsify first** ([`attack`]): a seeded search (random points, then
//!    projected gradient steps) for a point that answers it; a point counts
//!    only after its f64 forward pass does what is claimed.
//! 2. **Bounds** ([`bounds`], [`linear_bounds`]): interval arithmetic, then
//!    back-substitution (DeepPoly/CROWN), then LP tightening.
//! 3. Properties on networks with few inputs: **input splitting**
//!    ([`input_split`]), a tree of parts of the box each closed by a
//!    certified bound.
//! 4. **The MILP** ([`encode`](mod@encode)): the network embedded exactly,
//!    big-M constants from the bounds; the solver's dual bound is the proof,
//!    its incumbent a candidate replayed like the attack's.
//!
//! What "proved" means: HiGHS works with tolerances (MIP feasibility 1e-6,
//! LP feasibility 1e-7, absolute on rows whose coefficients grow with the
//! network's values), so a dual bound is exact only up to them. mipnet
//! switches off HiGHS's gap-based pruning for these solves and accepts a
//! bound as a proof only when it clears [`proof_margin`]: the tolerance
//! (1e-5) times `1 +` the magnitude of the values involved. The same margin
//! applies to bounds computed by mipnet itself, which are moreover widened
//! for f64 rounding. This is the usual standard of MILP-based verifiers; it
//! is not a proof in exact arithmetic.
//!
//! What is refused rather than answered: numbers beyond
//! [`limits::MAX_MAGNITUDE`] anywhere in the model (inputs, ε, weights, the
//! big-M bounds), and input regions with no input at all. Coefficients so
//! small that HiGHS would drop them are relaxed into their rows' bounds
pub mod attack;
pub mod attack_lp;
pub mod attack_refine;
pub mod bound_stages;
pub mod bounds;
pub mod disjunct;
pub mod encode;
pub mod forward_f32;
pub mod input_split;
pub mod limits;
pub mod linear_bounds;
pub mod lp_certificate;
pub mod lp_tightening;
pub mod options;
pub mod output_ranges;
pub mod property;
pub mod radius;
pub mod region;
pub mod region_lp;
pub mod relu_split;
pub mod robustness;
mod solve;
pub mod witness;

pub use bound_stages::prepare;
pub use options::{proof_margin, VerifyOptions, DEFAULT_SPLIT_SHARE, DEFAULT_TOLERANCE, MAX_SPLIT_INPUTS};
pub use output_ranges::{output_ranges, OutputRange, RangeReport, Witness};
pub use property::{check_property, Answer, DisjunctCheck, DroppedDisjunct, PropertyReport};
pub use radius::{radius, RadiusReport};
pub use region::Region;
pub use robustness::{robustness, ClassCheck, Counterexample, RobustnessReport, Verdict};

use mipnet_solver::{RelaxationSessions, Solver, SolverError};
use thiserror::Error;

/// What verification needs from a MILP backend: MILP solves, and LP
/// relaxations re-solved for many objectives (bound tightening). Any
/// backend with both abilities is one.
pub trait VerifySolver: Solver + RelaxationSessions + std::fmt::Debug + Send + Sync {}
impl<T: Solver + RelaxationSessions + std::fmt::Debug + Send + Sync> VerifySolver for T {}

/// Why a question could not be asked or answered.
#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("{0}")]
    Region(String),
    #[error("{0}")]
    Shape(String),
    /// A number too large for the MILP (see [`limits::MAX_MAGNITUDE`]).
    #[error("{0}")]
    Magnitude(String),
    #[error(transparent)]
    Solver(#[from] SolverError),
    /// A solver answer failed its replay through the forward pass in a way
    /// that cannot be explained by tolerances: a bug, never silently kept.
    #[error("check failed: {0}")]
    Check(String),
}
