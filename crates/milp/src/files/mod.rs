//! Strict readers of MPS and LP model files, and the comparison of the
//! model a file describes with the model a solver read from it.
//!
//! Solvers' own readers are lenient: HiGHS's MPS reader reads a coefficient
//! `abc` as 0, skips a misspelled section and everything in it, and drops an
//! entry naming an unknown row, each with at most a warning. A solve of such
//! a file answers a different problem than the one written. These readers
//! refuse anything whose meaning is not certain (unknown sections and names,
//! malformed or non-finite numbers, duplicates, conventions on which
//! solvers differ), with the line and the cause, and otherwise return the
//! exact [`Model`] the file describes. [`compare`] then names any difference
//! between that model and the solver's reading, so a lenient reading cannot
//! slip through.
//!
//! The readers take any text and never panic (they are fuzzed).

mod compare;
mod lp;
mod mps;
mod numbers;
mod solution;

pub use compare::compare;
pub use solution::{
    read_solution, value_text, write_cplex_mst, write_gurobi_mst, write_miplib_sol, ColumnValues, SolutionEntry,
    SolutionFile, SolutionFormat,
};

use crate::Model;
use thiserror::Error;

/// Solvers read a bound or constraint side of this magnitude or more as
/// infinite (HiGHS's `infinite_bound` default, CPLEX's infinity); the
/// readers do the same, so that a file using 1e30 for "no bound" describes
/// the model solvers read. A lower bound of +1e20 or more, or an upper bound
/// of −1e20 or less, has no meaning and is refused.
pub const INFINITE_BOUND: f64 = 1e20;

/// Solvers drop constraint coefficients smaller than this in magnitude
/// (HiGHS's `small_matrix_value` default), so a file with one would be
/// solved without it: the readers refuse such a coefficient instead.
pub const TINY_COEFFICIENT: f64 = 1e-9;

/// Why a model file is refused.
#[derive(Debug, Error, PartialEq)]
pub enum FileError {
    /// The file is malformed or ambiguous at this line (1-based).
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    /// The file as a whole is refused (e.g. a required section is missing).
    #[error("{0}")]
    Whole(String),
    /// The solver read a different model than the file describes.
    #[error("the solver read a different model than the file describes: {0}")]
    Differs(String),
}

/// Reads a free- or fixed-format MPS file (names without spaces) into the
/// model it describes, or says at which line and why it is refused.
pub fn check_mps(text: &str) -> Result<Model, FileError> {
    mps::read(text)
}

/// Reads a CPLEX-style LP file into the model it describes, or says at
/// which line and why it is refused.
pub fn check_lp(text: &str) -> Result<Model, FileError> {
    lp::read(text)
}

/// Refuses a nonzero constraint coefficient below [`TINY_COEFFICIENT`].
pub(crate) fn check_coefficient(value: f64) -> Result<(), String> {
    if value != 0.0 && value.abs() < TINY_COEFFICIENT {
        return Err(format!(
            "coefficient {value:e} is below {TINY_COEFFICIENT:e} in magnitude, which solvers drop: write 0 or rescale the row"
        ));
    }
    Ok(())
}

pub(crate) fn syntax(line: usize, message: impl Into<String>) -> FileError {
    FileError::Syntax {
        line,
        message: message.into(),
    }
}

/// The first control character of `line` other than a tab, if any: such
/// characters separate words for some readers and not for others.
pub(crate) fn control_character(line: &str) -> Option<char> {
    line.chars().find(|&c| (c.is_control() && c != '\t') || c == '\u{7f}')
}
