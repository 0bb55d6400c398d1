//! The network as a MILP over an input region: one column per input and per
//! value of every operation, equality rows for the affine maps, and for
//! each nonlinearity the tightest big-M encoding its bounds allow.
//!
//! ReLU `h = max(a, 0)` with `a ∈ [l, u]`:
//! - `u ≤ 0`: `h = 0` (a bound, no row); `l ≥ 0`: `h = a`;
//! - otherwise a binary `z`: `h ≥ a`, `h ≥ 0`, `h ≤ a − l(1 − z)`, `h ≤ u z`.
//!
//! Max pooling `y = max_j x_j` over a window: inputs whose upper bound is
//! below the largest lower bound can never be the maximum and are left out;
//! one candidate left gives `y = x_j`; otherwise binaries `z_j` with
//! `Σ z_j = 1`, `y ≥ x_j` and `y ≤ x_j + (U − l_j)(1 − z_j)`, `U` the largest
//! upper bound.
//!
//! Every row goes in through [`add_row_kept`]: HiGHS silently drops
//! coefficients of magnitude at most 1e-9, so such terms are taken out here
//! and the row widened by the most they can contribute.

use crate::bounds::Bounds;
use crate::limits::HIGHS_SMALL_MATRIX_VALUE;
use crate::Region;
use mipnet_milp::{Col, Model, Row, Sense, VarType};
use mipnet_network::{Op, ReluNet};

/// A model of the network and where its values live.
pub struct Encoding {
    pub model: Model,
    pub inputs: Vec<Col>,
    /// `values[k]` are the columns of operation `k`'s output.
    pub values: Vec<Vec<Col>>,
    pub binaries: usize,
}

impl Encoding {
    /// The network's output columns (the inputs when it has no operations).
    pub fn outputs(&self) -> &[Col] {
        self.values.last().unwrap_or(&self.inputs)
    }
}

/// Adds `lower ≤ Σ coef·col ≤ upper` to `m` as HiGHS will read it. HiGHS
/// drops every matrix coefficient of magnitude at most
/// [`HIGHS_SMALL_MATRIX_VALUE`] (with a warning in its log only): a weight
/// of 1e-10 on an input of 1e6 would silently move a value by 1e-4, ten
/// times the tolerance that separates a proof from rounding. Such terms are
/// left out here and the row is widened by the most they can contribute
/// over their columns' bounds, so the model stays a relaxation of the
/// network: its dual bounds stay proofs, and its candidates are replayed in
/// f64 anyway.
pub fn add_row_kept(m: &mut Model, lower: f64, upper: f64, terms: impl IntoIterator<Item = (Col, f64)>) -> Row {
    let mut kept = Vec::new();
    let mut slack = 0.0;
    for (c, v) in terms {
        if v.abs() > HIGHS_SMALL_MATRIX_VALUE {
            kept.push((c, v));
        } else if v != 0.0 {
            let reach = m.col_lower()[c.index()].abs().max(m.col_upper()[c.index()].abs());
            slack += v.abs() * reach;
        }
    }
    m.add_row(lower - slack, upper + slack, kept)
}

/// Encodes the first `upto` operations of `net` over `region` (its box and
/// its input-only linear constraints), with big-M constants from `bounds`.
/// The objective is left empty, minimizing.
pub fn encode(net: &ReluNet, region: &Region, bounds: &Bounds, upto: usize) -> Encoding {
    let mut m = Model::new(Sense::Minimize);
    let inputs: Vec<Col> = (0..net.inputs)
        .map(|i| m.add_col(bounds.input.lower[i], bounds.input.upper[i], 0.0, VarType::Continuous))
        .collect();
    for c in region.constraints.iter().filter(|c| c.outputs.is_empty()) {
        add_row_kept(
            &mut m,
            f64::NEG_INFINITY,
            c.rhs,
            c.inputs.iter().map(|&(i, a)| (inputs[i], a)),
        );
    }
    let mut values: Vec<Vec<Col>> = Vec::with_capacity(upto);
    let mut binaries = 0;
    for (k, op) in net.ops.iter().enumerate().take(upto) {
        let x = values.last().unwrap_or(&inputs).clone();
        let xb = bounds.before(k);
        let yb = &bounds.ops[k];
        let y: Vec<Col> = (0..yb.lower.len())
            .map(|i| m.add_col(yb.lower[i], yb.upper[i], 0.0, VarType::Continuous))
            .collect();
        match op {
            Op::Normalize { sub, div } => {
                for i in 0..y.len() {
                    add_row_kept(
                        &mut m,
                        -sub[i] / div[i],
                        -sub[i] / div[i],
                        [(y[i], 1.0), (x[i], -1.0 / div[i])],
                    );
                }
            }
            Op::Affine(a) => {
                for (i, row) in a.rows.iter().enumerate() {
                    let terms = std::iter::once((y[i], 1.0)).chain(row.iter().map(|&(j, w)| (x[j], -w)));
                    add_row_kept(&mut m, a.bias[i], a.bias[i], terms);
                }
            }
            Op::Relu => {
                for i in 0..y.len() {
                    let (l, u) = (xb.lower[i], xb.upper[i]);
                    if u <= 0.0 {
                        m.set_col_bounds(y[i], 0.0, 0.0);
                    } else if l >= 0.0 {
                        add_row_kept(&mut m, 0.0, 0.0, [(y[i], 1.0), (x[i], -1.0)]);
                    } else {
                        let z = m.add_binary(0.0);
                        binaries += 1;
                        m.set_col_bounds(y[i], 0.0, u);
                        add_row_kept(&mut m, 0.0, f64::INFINITY, [(y[i], 1.0), (x[i], -1.0)]);
                        add_row_kept(&mut m, f64::NEG_INFINITY, -l, [(y[i], 1.0), (x[i], -1.0), (z, -l)]);
                        add_row_kept(&mut m, f64::NEG_INFINITY, 0.0, [(y[i], 1.0), (z, -u)]);
                    }
                }
            }
            Op::MaxPool { windows, .. } => {
                for (i, w) in windows.iter().enumerate() {
                    let floor = w.iter().map(|&j| xb.lower[j]).fold(f64::NEG_INFINITY, f64::max);
                    let cand: Vec<usize> = w.iter().copied().filter(|&j| xb.upper[j] >= floor).collect();
                    if cand.len() == 1 {
                        add_row_kept(&mut m, 0.0, 0.0, [(y[i], 1.0), (x[cand[0]], -1.0)]);
                        continue;
                    }
                    let top = cand.iter().map(|&j| xb.upper[j]).fold(f64::NEG_INFINITY, f64::max);
                    let zs: Vec<Col> = cand.iter().map(|_| m.add_binary(0.0)).collect();
                    binaries += zs.len();
                    add_row_kept(&mut m, 1.0, 1.0, zs.iter().map(|&z| (z, 1.0)));
                    for (&j, &z) in cand.iter().zip(&zs) {
                        let big = top - xb.lower[j];
                        add_row_kept(&mut m, 0.0, f64::INFINITY, [(y[i], 1.0), (x[j], -1.0)]);
                        add_row_kept(&mut m, f64::NEG_INFINITY, big, [(y[i], 1.0), (x[j], -1.0), (z, big)]);
                    }
                }
            }
        }
        values.push(y);
    }
    Encoding {
        model: m,
        inputs,
        values,
        binaries,
    }
}
