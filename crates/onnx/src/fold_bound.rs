//! How far a folded export's outputs may lie from the network's: an
//! a-priori bound on the rounding that folding (and, in float32, storing)
//! the first layer introduces, per output and input.
//!
//! The folded file and the network compute the same function, so they
//! differ only by rounding: the fold's f64 divisions and sums, the float32
//! storage of every parameter in [`Precision::F32`], and both forward
//! passes' own f64 sums. To first order, a layer whose parameters carry a
//! relative error `u` and whose input carries an error `e` gives an output
//! error at most `|W|·e + u·(|W|·|h| + |b|)`; ReLU and max-pooling do not
//! enlarge an error, average pooling averages it. With `A` the network run
//! on magnitudes (`|W|`, `|b|`, and for the first layer the input's
//! magnitude `(|x| + |mean|) / std`, which bounds both `|x − mean| / std` and
//! the folded terms `|x| / std`, `|mean| / std`), every layer's error is
//! then at most `(layers so far)·u·A`. `u` counts the storage rounding and
//! `n + 3` f64 roundings per sum of `n` terms (fold, division, both
//! evaluations).
//!
//! An export that differs by more than [`FOLD_BOUND_SAFETY`] times this
//! bound has a wrong weight, bias or layout: it is not written. The bound
//! grows with `|x| / std`; but so does the error of any export, folded or
//! not, once its user rounds such an input to the export's precision
//! (`u·|x| / std` in standardized units), so a fold is never refused for
//! being inexact, only for being impossible (see [`crate::fold`]).

use crate::Precision;
use mipnet_network::{Network, PoolKind};

/// f64's unit roundoff: one rounding changes a value by at most this
/// fraction of it.
const F64_UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// float32's unit roundoff: what storing an f64 parameter as float32
/// changes it by at most, relatively.
const F32_UNIT_ROUNDOFF: f64 = f32::EPSILON as f64 / 2.0;

/// How many times the first-order bound a folded export may differ from
/// the network: the bound leaves out products of two roundings (relative
/// size `u²`) and the rounding of the bound's own f64 sums; a factor of 4
/// covers both with room.
pub const FOLD_BOUND_SAFETY: f64 = 4.0;

/// The largest difference allowed between a folded export's outputs and
/// `net`'s (the unfolded network in f64) at the raw input `x`, per output.
pub fn fold_tolerance(net: &Network, x: &[f64], precision: Precision) -> Vec<f64> {
    let s = &net.standardizer;
    let layers: Vec<_> = net.layers.iter().filter(|l| !l.identity).collect();
    let widest = layers.iter().map(|l| l.inputs()).max().unwrap_or(0);
    let storage = match precision {
        Precision::F32 => F32_UNIT_ROUNDOFF,
        Precision::F64 => 0.0,
    };
    let u = storage + (widest as f64 + 3.0) * 2.0 * F64_UNIT_ROUNDOFF;
    let mut magnitude: Vec<f64> = (0..x.len())
        .map(|j| (x[j].abs() + s.mean[j].abs()) / s.std[j])
        .collect();
    for l in &layers {
        let pre: Vec<f64> = l
            .weights
            .iter()
            .zip(&l.bias)
            .map(|(row, b)| row.iter().zip(&magnitude).map(|(w, a)| w.abs() * a).sum::<f64>() + b.abs())
            .collect();
        magnitude = match (&l.pool, &l.conv) {
            (Some(p), Some(c)) => {
                let windows = p.windows(c.shape.output_shape());
                windows
                    .iter()
                    .map(|w| {
                        let values = w.iter().map(|&i| pre[i]);
                        match p.kind {
                            PoolKind::Max => values.fold(0.0, f64::max),
                            PoolKind::Average => values.sum::<f64>() / w.len() as f64,
                        }
                    })
                    .collect()
            }
            _ => pre,
        };
    }
    let scale = FOLD_BOUND_SAFETY * layers.len() as f64 * u;
    magnitude.into_iter().map(|a| scale * a).collect()
}
