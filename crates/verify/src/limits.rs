//! The magnitudes a verification MILP may hold, and the checks that keep
//! every model inside them before it is built.
//!
//! HiGHS reads a bound at or beyond its `infinite_bound` option (1e20 by
//! default) as infinite, and refuses a whole model with a matrix
//! coefficient at or beyond `large_matrix_value` (1e15): a 1e300 in a box,
//! an ε, an input or a weight ends in "HiGHS rejected the model", or worse,
//! in a bound silently read as none. mipnet's encodings put the network's
//! weights, its normalization (`1/div`), the input box and the bounds of
//! every value (the ReLU and max-pool big-M constants) into the matrix and
//! the column bounds, so each is checked against [`MAX_MAGNITUDE`] first,
//! with a message that names the value and where it is.

use crate::bounds::Bounds;
use crate::VerifyError;
use mipnet_network::{Op, ReluNet};

/// HiGHS's `large_matrix_value` (default): a model with a coefficient of at
/// least this magnitude is refused whole.
pub const HIGHS_LARGE_MATRIX_VALUE: f64 = 1e15;

/// HiGHS's `small_matrix_value` (default): a matrix coefficient of at most
/// this magnitude is dropped from the model (see
/// [`crate::encode::add_row_kept`]).
pub const HIGHS_SMALL_MATRIX_VALUE: f64 = 1e-9;

/// HiGHS's `infinite_bound` (default): a bound of at least this magnitude
/// is read as infinite.
pub const HIGHS_INFINITE_BOUND: f64 = 1e20;

/// The largest magnitude of any number that enters a verification MILP:
/// input bounds, ε, input points, weights, biases, normalization
/// coefficients, and the interval bounds of every value of the network (the
/// big-M constants). An f64 resolves 1e7 to about 2e-9; HiGHS's primal
/// feasibility tolerance is 1e-7 absolute and mipnet separates a proof from
/// a tolerance by 1e-5 (`VerifyOptions::tolerance`), so at this size
/// rounding stays two orders of magnitude below the solver's tolerance,
/// leaving room for the error growth of LP solves. It is also eight orders
/// of magnitude below [`HIGHS_LARGE_MATRIX_VALUE`] and thirteen below
/// [`HIGHS_INFINITE_BOUND`], so no product of a weight and a bound of
/// accepted size can reach what HiGHS refuses or reads as infinite.
pub const MAX_MAGNITUDE: f64 = 1e7;

const _: () = assert!(MAX_MAGNITUDE * MAX_MAGNITUDE < HIGHS_INFINITE_BOUND);
const _: () = assert!(MAX_MAGNITUDE < HIGHS_LARGE_MATRIX_VALUE);

/// How [`MAX_MAGNITUDE`] reads in messages.
pub fn accepted() -> String {
    format!("mipnet's MILPs accept magnitudes up to {MAX_MAGNITUDE:e}")
}

/// `Err` naming `what` when `value` is not finite or larger than
/// [`MAX_MAGNITUDE`] in magnitude.
pub fn check_value(what: impl FnOnce() -> String, value: f64) -> Result<(), VerifyError> {
    if within(value) {
        Ok(())
    } else {
        Err(VerifyError::Magnitude(format!(
            "{} is {value:e}; {}",
            what(),
            accepted()
        )))
    }
}

fn within(value: f64) -> bool {
    value.is_finite() && value.abs() <= MAX_MAGNITUDE
}

/// Checks every input value of a point (a row of data).
pub fn check_point(net: &ReluNet, x: &[f64]) -> Result<(), VerifyError> {
    for (i, &v) in x.iter().enumerate() {
        check_value(|| format!("input {i} ({})", input_name(net, i)), v)?;
    }
    Ok(())
}

fn input_name(net: &ReluNet, i: usize) -> &str {
    net.input_names.get(i).map_or("?", |s| s.as_str())
}

/// `operation 3 of 5 (affine)`: where a number sits in the network.
fn operation(net: &ReluNet, k: usize) -> String {
    format!("operation {} of {} ({})", k + 1, net.ops.len(), net.ops[k].kind())
}

/// Checks every number the encoding of `net` puts into the matrix or the
/// right-hand sides: weights, biases, and the normalization's `1/div` and
/// `sub/div`.
pub fn check_network(net: &ReluNet) -> Result<(), VerifyError> {
    for (k, op) in net.ops.iter().enumerate() {
        match op {
            Op::Normalize { sub, div } => {
                for (i, (s, d)) in sub.iter().zip(div).enumerate() {
                    // The row is y − x/div = −sub/div.
                    let (coef, rhs) = (1.0 / d, s / d);
                    for v in [coef, rhs] {
                        if !within(v) {
                            return Err(VerifyError::Magnitude(format!(
                                "{}: input {i} is normalized as (x − {s:e}) / {d:e}, a coefficient of {coef:e} \
                                 and an offset of {rhs:e}; {}",
                                operation(net, k),
                                accepted()
                            )));
                        }
                    }
                }
            }
            Op::Affine(a) => {
                for (i, (row, b)) in a.rows.iter().zip(&a.bias).enumerate() {
                    for &(j, w) in row {
                        check_value(
                            || format!("{}: the weight of output {i} on input {j}", operation(net, k)),
                            w,
                        )?;
                    }
                    check_value(|| format!("{}: the bias of output {i}", operation(net, k)), *b)?;
                }
            }
            Op::Relu | Op::MaxPool { .. } => {}
        }
    }
    Ok(())
}

/// Checks the interval bounds of every value: they are the MILP's column
/// bounds and its big-M coefficients.
pub fn check_bounds(net: &ReluNet, bounds: &Bounds) -> Result<(), VerifyError> {
    for (k, b) in bounds.ops.iter().enumerate() {
        for (i, (l, u)) in b.lower.iter().zip(&b.upper).enumerate() {
            let v = if l.abs() > u.abs() { *l } else { *u };
            if !within(v) {
                return Err(VerifyError::Magnitude(format!(
                    "over this input region, output {i} of {} reaches {v:.3e} in its proven bounds (interval arithmetic, then back-substitution), \
                     a bound the MILP would use as a big-M constant; {}: shrink the input box",
                    operation(net, k),
                    accepted()
                )));
            }
        }
    }
    Ok(())
}
