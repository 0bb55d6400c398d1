//! The check an export passes before it is reported written: the file is
//! imported again with mipnet's own importer, and its forward pass must give
//! exactly what the network gives on a few inputs.
//!
//! In [`Precision::F64`] the file holds the network's numbers bit for bit,
//! so the import must compute exactly [`ReluNet::from_network`]'s outputs.
//! In [`Precision::F32`] it must compute exactly the outputs of the same
//! network with every parameter rounded to f32: the rounding is the only
//! difference an F32 export may make.

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
    let bytes = std::fs::read(written).map_err(|e| format!("cannot read it back: {e}"))?;
    let back = import_bytes(&bytes).map_err(|e| format!("mipnet cannot import it: {e}"))?;
    let expected = expected(net, precision);
    let inputs = check_inputs(net, precision);
    if inputs.is_empty() {
        return Err("the network's outputs are not finite at any check input, so nothing can be compared".into());
    }
    for x in &inputs {
        let (got, want) = (back.forward(x), expected.forward(x));
        if got != want {
            return Err(format!("at input {x:?} it computes {got:?}, the network {want:?}"));
        }
    }
    Ok(inputs.len())
}
