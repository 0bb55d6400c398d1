//! The check an export passes before it is reported written: the file is
//! imported again with mipnet's own importer, and its forward pass must give
//! exactly what the network gives on a few inputs.
//!
//! In [`Precision::F64`] the file holds the network's numbers bit for bit,
//! so the import must compute exactly [`ReluNet::from_network`]'s outputs.
//! In [`Precision::F32`] it must compute exactly the outputs of the same
//! network with every parameter rounded to f32: the rounding is the only
//! difference an F32 export may make.
//!
//! An export with the standardization folded into the first layer
//! ([`crate::ExportOptions::fold_standardizer`]) passes two checks: it must
//! compute exactly the folded network (rounded to f32 in
//! [`Precision::F32`]), as above, so the file holds what the fold made; and
//! on the same inputs its outputs must lie within
//! [`fold_tolerance`](crate::fold_bound::fold_tolerance) of the unfolded
//! network's in f64, so the fold computes the network.

use crate::fold_bound::fold_tolerance;
use crate::{import_bytes, Precision};
use mipnet_network::{Network, ReluNet};
use std::path::Path;

/// Offsets from the training mean, in training standard deviations, of the
/// inputs the check runs: the mean itself, one deviation either side, and
/// two patterns that differ per feature (so that every input and sign
/// reaches the first layer). A wrong weight, bias, layout or operator
/// changes the output at some of them unless the network ignores it there.
const OFFSETS: [fn(usize) -> f64; 5] = [
    |_| 0.0,
    |_| 1.0,
    |_| -1.0,
    |i| if i % 2 == 0 { 1.5 } else { -0.5 },
    |i| ((i * 7 % 5) as f64 - 2.0) * 0.75,
];

/// The inputs the check runs, in the data's own units.
pub fn read_back_inputs(net: &Network) -> Vec<Vec<f64>> {
    let s = &net.standardizer;
    OFFSETS
        .iter()
        .map(|offset| (0..s.mean.len()).map(|i| s.mean[i] + offset(i) * s.std[i]).collect())
        .collect()
}

/// `net` with every parameter rounded to f32, as an F32 export stores it.
fn rounded_to_f32(net: &Network) -> Network {
    let round = |v: &mut Vec<f64>| v.iter_mut().for_each(|x| *x = *x as f32 as f64);
    let mut r = net.clone();
    round(&mut r.standardizer.mean);
    round(&mut r.standardizer.std);
    for l in &mut r.layers {
        l.weights.iter_mut().for_each(round);
        round(&mut l.bias);
        if let Some(c) = &mut l.conv {
            round(&mut c.filters);
        }
    }
    r
}

/// What the export must compute: the network, with its parameters rounded
/// to f32 for a [`Precision::F32`] export.
fn expected(net: &Network, precision: Precision) -> ReluNet {
    match precision {
        Precision::F64 => ReluNet::from_network(net),
        Precision::F32 => ReluNet::from_network(&rounded_to_f32(net)),
    }
}

/// The [`read_back_inputs`] at which the expected outputs are all finite:
/// an ∞ or NaN output compares equal to (or unlike) anything, so it proves
/// nothing about the file, and is left out.
pub fn check_inputs(net: &Network, precision: Precision) -> Vec<Vec<f64>> {
    let expected = expected(net, precision);
    read_back_inputs(net)
        .into_iter()
        .filter(|x| expected.forward(x).iter().all(|v| v.is_finite()))
        .collect()
}

/// Imports the file at `written` and compares its forward pass with the
/// network's on [`check_inputs`], bit for bit; `Err` says how they differ,
/// or that no check input has finite outputs. Returns how many inputs were
/// compared.
pub fn check(net: &Network, written: &Path, precision: Precision) -> Result<usize, String> {
    let back = read(written)?;
    let inputs = nonempty(check_inputs(net, precision))?;
    compare_exactly(&back, &expected(net, precision), &inputs)?;
    Ok(inputs.len())
}

/// [`check`] for an export of `folded` (what [`crate::fold`] made of `net`):
/// the file computes `folded` exactly (its parameters rounded to f32 in
/// [`Precision::F32`]) and `net` within the fold's rounding bound, on `net`'s
/// [`check_inputs`] at which both are finite.
pub fn check_folded(net: &Network, folded: &Network, written: &Path, precision: Precision) -> Result<usize, String> {
    let back = read(written)?;
    let stored = expected(folded, precision);
    let original = ReluNet::from_network(net);
    let finite = |r: &ReluNet, x: &[f64]| r.forward(x).iter().all(|v| v.is_finite());
    let inputs = nonempty(
        read_back_inputs(net)
            .into_iter()
            .filter(|x| finite(&stored, x) && finite(&original, x))
            .collect(),
    )?;
    compare_exactly(&back, &stored, &inputs)?;
    for x in &inputs {
        let (got, want) = (back.forward(x), original.forward(x));
        let tolerance = fold_tolerance(net, x, precision);
        if let Some(i) = (0..want.len()).find(|&i| !within(got[i], want[i], tolerance[i])) {
            return Err(format!(
                "with the standardization folded in, output {i} at input {x:?} is {}, the network's {} \
                 (allowed rounding difference {:e})",
                got[i], want[i], tolerance[i]
            ));
        }
    }
    Ok(inputs.len())
}

/// Whether `got` is within `tolerance` of `want` (false when either is NaN).
fn within(got: f64, want: f64, tolerance: f64) -> bool {
    (got - want).abs() <= tolerance
}

fn read(written: &Path) -> Result<ReluNet, String> {
    let bytes = std::fs::read(written).map_err(|e| format!("cannot read it back: {e}"))?;
    import_bytes(&bytes).map_err(|e| format!("mipnet cannot import it: {e}"))
}

fn nonempty(inputs: Vec<Vec<f64>>) -> Result<Vec<Vec<f64>>, String> {
    if inputs.is_empty() {
        return Err("the network's outputs are not finite at any check input, so nothing can be compared".into());
    }
    Ok(inputs)
}

fn compare_exactly(back: &ReluNet, expected: &ReluNet, inputs: &[Vec<f64>]) -> Result<(), String> {
    for x in inputs {
        let (got, want) = (back.forward(x), expected.forward(x));
        if got != want {
            return Err(format!("at input {x:?} it computes {got:?}, the network {want:?}"));
        }
    }
    Ok(())
}
