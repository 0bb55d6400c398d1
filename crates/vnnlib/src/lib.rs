//! A parser for the common subset of VNN-LIB property files (the format of the
//! VNN-COMP verification competition, e.g. the ACAS Xu properties).
//!
//! A VNN-LIB file states an *unsafe* condition: it is `sat` when some input `X`
//! satisfying the asserts drives the network to outputs `Y` that satisfy the
//! asserts too. A verifier wants that condition as a handful of linear
//! programs over the network's inputs and outputs, so the asserts (taken
//! together) are turned into disjunctive normal form: a [`Property`] is a list
//! of [`Disjunct`]s, each a box on the inputs plus linear constraints.
//!
//! Supported:
//! - `(declare-const X_i Real)` and `(declare-const Y_j Real)`, indices
//!   contiguous from 0, declared before use (as in SMT-LIB);
//! - `(assert B)` where `B` is `<=`, `>=`, `<`, `>`, `=` (binary, or chained
//!   like SMT-LIB's `(<= a b c)`), `and`, `or`, `true`, `false`, nested freely;
//! - arithmetic terms: numbers (`3`, `-0.5`, `+2`, `1e-3`), variables,
//!   `(+ t ...)`, `(- t)`, `(- t u ...)` and `(* t ...)` with at most one
//!   non-constant factor;
//! - `;` comments; `(check-sat)`, `(get-model)` and `(set-logic ...)` are
//!   accepted and ignored.
//!
//! **Strict comparisons are kept as a flag**: `(< a b)` is the row `a − b ≤ 0`
//! with [`Linear::strict`] set. MILP verifiers cannot represent an open set
//! and solve over its closure (a superset, so a proof over it holds for the
//! open set too), but an input box that only strictness empties,
//! `(< X_0 0.5)` with `(> X_0 0.5)`, must be known as empty:
//! [`Disjunct::empty_input`] says so, and [`Linear::holds`] and
//! [`Disjunct::holds`] replay strict comparisons as strict.
//!
//! Single-input rows become box bounds `rhs / a`, rounded outward (one ulp)
//! when f64 cannot hold the quotient exactly, so rounding never shrinks the
//! box; such a bound is not attained (it lies beyond the true one) and is
//! flagged like a strict one.
//!
//! Refused with an error naming the line and column: other variable names and
//! sorts, other commands (`define-fun`, `push`, ...), other operators (`not`,
//! `ite`, `/`, `=>`, ...), products of two variable terms, non-boolean asserts,
//! arithmetic whose result overflows f64, properties whose DNF exceeds
//! [`MAX_DISJUNCTS`] disjuncts, and DNFs of more than 2^22 constraint rows in
//! all. Compressed
//! (`.vnnlib.gz`) files are not read; decompress them first.
//!
//! ```
//! use mipnet_vnnlib::Property;
//! let p = Property::parse(
//!     "(declare-const X_0 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)
//!      (assert (>= X_0 -1)) (assert (<= X_0 1))
//!      (assert (or (<= Y_0 Y_1) (>= Y_0 10)))",
//! )
//! .unwrap();
//! assert_eq!(p.disjuncts.len(), 2);
//! assert_eq!((p.disjuncts[0].lower[0], p.disjuncts[0].upper[0]), (-1.0, 1.0));
//! assert_eq!(p.disjuncts[0].constraints[0].outputs, [(0, 1.0), (1, -1.0)]); // Y_0 - Y_1 <= 0
//! assert!(p.holds(&[0.5], &[3.0, 4.0], 0.0) && !p.holds(&[0.5], &[5.0, 4.0], 0.0));
//! ```

use std::path::{Path, PathBuf};

mod box_bound;
mod parser;

/// Largest DNF accepted: `(and (or a b) (or c d) ...)` doubles the disjunct
/// count with every `or`, so a short file can otherwise exhaust memory.
pub const MAX_DISJUNCTS: usize = 100_000;

/// One linear constraint `Σ a·X_i + Σ b·Y_j ≤ rhs`.
///
/// Every comparison is normalised to this single `≤` form (`>=` is negated,
/// `=` becomes two rows) so that consumers only handle one row type. Terms are
/// merged per variable, sorted by index, and zero coefficients dropped, so a
/// row can be added to a solver as is and identical rows compare equal.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// `(i, a)` pairs for the inputs `X_i`.
    pub inputs: Vec<(usize, f64)>,
    /// `(j, b)` pairs for the outputs `Y_j`.
    pub outputs: Vec<(usize, f64)>,
    /// Right-hand side; constants of the comparison's terms end up here.
    pub rhs: f64,
    /// The file's comparison was strict (`<`, `>`): the row is `< rhs`.
    pub strict: bool,
}

impl Linear {
    /// True when `lhs ≤ rhs + tol`; a strict row needs `lhs < rhs`, whatever
    /// `tol` (a tolerance would admit the boundary a strict row excludes).
    pub fn holds(&self, x: &[f64], y: &[f64], tol: f64) -> bool {
        let lhs: f64 = self.inputs.iter().map(|&(i, a)| a * x[i]).sum::<f64>()
            + self.outputs.iter().map(|&(j, b)| b * y[j]).sum::<f64>();
        if self.strict {
            lhs < self.rhs
        } else {
            lhs <= self.rhs + tol
        }
    }
}

/// One conjunction of the DNF.
///
/// Single-input bounds are pulled out into a box because verifiers use input
/// bounds directly as variable bounds (and to propagate bounds through the
/// network), while everything else becomes constraint rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Disjunct {
    /// Lower bound per input (`-inf` when the file gives none).
    pub lower: Vec<f64>,
    /// Upper bound per input (`+inf` when the file gives none).
    pub upper: Vec<f64>,
    /// Per input, true when `lower` itself is excluded: the file's bound is
    /// strict (`>`), or `lower` is a quotient rounded outward, below the
    /// true bound.
    pub lower_strict: Vec<bool>,
    /// Per input, true when `upper` itself is excluded (as `lower_strict`).
    pub upper_strict: Vec<bool>,
    /// Constraints involving outputs or several inputs.
    pub constraints: Vec<Linear>,
}

impl Disjunct {
    /// Splits a conjunction into box and constraints. An empty box (some
    /// lower bound above its upper bound) is kept as it is: whether that is a
    /// mistake in the file or a part of a union that a verifier may drop is
    /// the verifier's call, and it needs the bounds to say which input it is
    /// (see [`Disjunct::empty_input`]).
    fn from_conjunction(inputs: usize, conjunction: Vec<Linear>) -> Disjunct {
        let mut d = Disjunct {
            lower: vec![f64::NEG_INFINITY; inputs],
            upper: vec![f64::INFINITY; inputs],
            lower_strict: vec![false; inputs],
            upper_strict: vec![false; inputs],
            constraints: vec![],
        };
        for c in conjunction {
            match (c.inputs.as_slice(), c.outputs.is_empty()) {
                (&[(i, a)], true) => {
                    let b = box_bound::of_row(a, c.rhs, c.strict);
                    let (value, strict) = if b.upper {
                        (&mut d.upper[i], &mut d.upper_strict[i])
                    } else {
                        (&mut d.lower[i], &mut d.lower_strict[i])
                    };
                    let tighter = if b.upper { b.value < *value } else { b.value > *value };
                    if tighter {
                        (*value, *strict) = (b.value, b.strict);
                    } else if b.value == *value {
                        *strict |= b.strict;
                    }
                }
                _ => d.constraints.push(c),
            }
        }
        d
    }

    /// The first input the box leaves no value for, if any: its lower bound
    /// is above its upper bound, or equal to it with either side strict.
    /// Then the disjunct never holds.
    pub fn empty_input(&self) -> Option<usize> {
        (0..self.lower.len()).find(|&i| {
            let (l, u) = (self.lower[i], self.upper[i]);
            l > u || (l == u && (self.lower_strict[i] || self.upper_strict[i]))
        })
    }

    /// True when `x` is in the box and every constraint holds, each within
    /// `tol` (an absolute slack, so witnesses found by a floating-point solver
    /// can be replayed without spurious failures); strict bounds and rows
    /// must hold strictly, whatever `tol`. A disjunct with an empty box holds
    /// nowhere, whatever the tolerance.
    ///
    /// # Panics
    /// If `x` is not as long as the box or `y` is too short for a constraint.
    pub fn holds(&self, x: &[f64], y: &[f64], tol: f64) -> bool {
        assert_eq!(x.len(), self.lower.len(), "input length differs from the property's");
        if self.empty_input().is_some() {
            return false;
        }
        let in_box = (0..x.len()).all(|i| {
            let (v, l, u) = (x[i], self.lower[i], self.upper[i]);
            let above = if self.lower_strict[i] { l < v } else { l - tol <= v };
            let below = if self.upper_strict[i] { v < u } else { v <= u + tol };
            above && below
        });
        in_box && self.constraints.iter().all(|c| c.holds(x, y, tol))
    }

    /// The first input without both bounds, if any. MILP encodings of a
    /// network need finite input bounds to derive big-M constants, so callers
    /// check this before formulating.
    pub fn unbounded_input(&self) -> Option<usize> {
        (0..self.lower.len()).find(|&i| !(self.lower[i].is_finite() && self.upper[i].is_finite()))
    }
}

/// A parsed property: the unsafe set is the union of the disjuncts.
///
/// Zero disjuncts means the asserts can never hold together for a reason
/// that involves no variable (a constant `(<= 2 1)`, `false`). Disjuncts with
/// an empty input box (`X_0 <= 0.5` and `X_0 >= 0.6`) are kept, so that a
/// verifier can name the input and its bounds ([`Disjunct::empty_input`]).
/// A file without asserts gives one disjunct with an unbounded box.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Number of declared `X_i`.
    pub inputs: usize,
    /// Number of declared `Y_j`.
    pub outputs: usize,
    /// In the order the asserts produce them (left to right through each `or`).
    pub disjuncts: Vec<Disjunct>,
}

impl Property {
    /// Parses VNN-LIB text; see the crate docs for the supported subset.
    pub fn parse(text: &str) -> Result<Property, VnnlibError> {
        let (inputs, outputs, dnf) = parser::translate(&parser::read(text)?)?;
        let disjuncts = dnf.into_iter().map(|c| Disjunct::from_conjunction(inputs, c)).collect();
        Ok(Property {
            inputs,
            outputs,
            disjuncts,
        })
    }

    /// Reads and parses a file; errors carry the path, since verifiers run
    /// over whole benchmark directories.
    pub fn from_file(path: &Path) -> Result<Property, VnnlibError> {
        let text = std::fs::read_to_string(path).map_err(|reason| VnnlibError::Io {
            path: path.to_path_buf(),
            reason,
        })?;
        Property::parse(&text).map_err(|e| VnnlibError::File {
            path: path.to_path_buf(),
            inner: Box::new(e),
        })
    }

    /// True when `x` (inputs) and `y` (outputs) satisfy some disjunct, with
    /// tolerance `tol` on every non-strict bound and constraint (strict ones
    /// must hold strictly): replays a counterexample reported by a solver.
    ///
    /// # Panics
    /// If `x` or `y` do not have the declared lengths.
    pub fn holds(&self, x: &[f64], y: &[f64], tol: f64) -> bool {
        assert_eq!(
            (x.len(), y.len()),
            (self.inputs, self.outputs),
            "point dimensions differ from the property's"
        );
        self.disjuncts.iter().any(|d| d.holds(x, y, tol))
    }
}

/// Why a property could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VnnlibError {
    /// A problem at one token; `line` and `column` are 1-based, columns count
    /// characters.
    #[error("line {line}, column {column}: {message}")]
    At {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unbalanced parentheses: '(' at line {line}, column {column} is never closed")]
    Unclosed { line: usize, column: usize },
    #[error("unbalanced parentheses: ')' at line {line}, column {column} has no matching '('")]
    Unopened { line: usize, column: usize },
    // The wrapped errors are fields named `reason` and `inner`, not
    // `source`: thiserror would make a `source` field the error's source, and
    // error chains printed whole (anyhow's `{:#}`) would then show its text
    // twice, once in this message and once as the cause.
    #[error("cannot read {}: {reason}", path.display())]
    Io { path: PathBuf, reason: std::io::Error },
    /// A parse error in a file read by [`Property::from_file`].
    #[error("{}: {inner}", path.display())]
    File { path: PathBuf, inner: Box<VnnlibError> },
}
