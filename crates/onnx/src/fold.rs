//! Folding the input standardization into the first layer, for tools whose
//! ONNX readers take only dense layers and ReLUs (gurobi-machinelearning's
//! reads `Gemm`, `MatMul`, `Add` and `Relu`; mipnet's own export starts with
//! `Sub` and `Div`).
//!
//! A dense first layer computes `W·((x − mean) / std) + b`, which is
//! `W'·x + b'` with `W'[i][j] = W[i][j] / std[j]` and
//! `b'[i] = b[i] − Σ_j W[i][j]·(mean[j] / std[j])`: the same function, with
//! different roundings. A convolution folds the same way per input channel
//! when every pixel of a channel has the same mean and deviation (tied
//! filters read every position in the same units; mipnet's convolution
//! networks use one scale over all pixels) and when it has no zero padding
//! (or every mean is 0): a padded position reads 0 in standardized units,
//! i.e. the mean in the data's units, which a `Conv` on the raw input would
//! read as 0. Those cases are refused, naming the reason.
//!
//! Identity layers (pruned away) pass their input through unchanged, so the
//! fold goes into the first layer that is not one.

use mipnet_network::{Layer, Network};

/// `net` with its standardization folded into the first non-identity layer:
/// the standardizer becomes the identity (mean 0, deviation 1; the encoding
/// of text columns is kept, it acts before the inputs). `Err` says why the
/// fold is impossible for this network.
pub(crate) fn fold(net: &Network) -> Result<Network, String> {
    let mut folded = net.clone();
    let s = &net.standardizer;
    let Some((k, first)) = folded.layers.iter_mut().enumerate().find(|(_, l)| !l.identity) else {
        return Err("every layer is pruned to the identity, so there is no layer to fold it into".into());
    };
    let layer = k + 1;
    match &first.conv {
        Some(_) => fold_convolution(first, &s.mean, &s.std).map_err(|e| format!("layer {layer}: {e}"))?,
        None => fold_dense(first, &s.mean, &s.std),
    }
    first.grid = None;
    if let Some(reason) = first_not_finite(first) {
        return Err(format!(
            "layer {layer}: {reason} once the standardization is folded in (the deviations are too small \
             for the weights)"
        ));
    }
    let d = s.mean.len();
    folded.standardizer.mean = vec![0.0; d];
    folded.standardizer.std = vec![1.0; d];
    Ok(folded)
}

fn fold_dense(l: &mut Layer, mean: &[f64], std: &[f64]) {
    for (row, b) in l.weights.iter_mut().zip(&mut l.bias) {
        let shift: f64 = row.iter().zip(mean).zip(std).map(|((w, m), s)| w * (m / s)).sum();
        *b -= shift;
        row.iter_mut().zip(std).for_each(|(w, s)| *w /= s);
    }
}

/// The one value of `values` over a channel's pixels, or why there is none.
fn per_channel(values: &[f64], channels: usize, what: &str) -> Result<Vec<f64>, String> {
    let plane = values.len() / channels;
    (0..channels)
        .map(|c| {
            let pixels = &values[c * plane..(c + 1) * plane];
            match pixels.iter().position(|v| *v != pixels[0]) {
                None => Ok(pixels[0]),
                Some(p) => Err(format!(
                    "a convolution reads every pixel of a channel with the same filter, but the {what} of \
                     input channel {c} differs between its pixels ({:e} at pixel 0, {:e} at pixel {p}), so it \
                     cannot be folded into the filters",
                    pixels[0], pixels[p]
                )),
            }
        })
        .collect()
}

fn fold_convolution(l: &mut Layer, mean: &[f64], std: &[f64]) -> Result<(), String> {
    let filter_bias = l.bias_params();
    let c = l.conv.as_mut().expect("a convolution layer");
    let shape = c.shape;
    let c_in = shape.input[0];
    let (m, s) = (
        per_channel(mean, c_in, "mean")?,
        per_channel(std, c_in, "standard deviation")?,
    );
    if shape.padding > 0 && m.iter().any(|v| *v != 0.0) {
        return Err(format!(
            "the convolution pads with {} zeros, which stand for the mean in standardized units but would \
             read as 0 in the data's units once folded, so the fold would change the network near the border",
            shape.padding
        ));
    }
    let taps = shape.kernel * shape.kernel;
    let folded_bias: Vec<f64> = (0..shape.channels)
        .map(|f| {
            let shift: f64 = (0..c_in)
                .map(|ic| {
                    let at = (f * c_in + ic) * taps;
                    c.filters[at..at + taps]
                        .iter()
                        .map(|w| w * (m[ic] / s[ic]))
                        .sum::<f64>()
                })
                .sum();
            filter_bias[f] - shift
        })
        .collect();
    for (p, w) in c.filters.iter_mut().enumerate() {
        *w /= s[(p / taps) % c_in];
    }
    for (j, b) in l.bias.iter_mut().enumerate() {
        *b = folded_bias[shape.channel_of(j)];
    }
    l.unroll();
    Ok(())
}

/// The first weight or bias of a folded layer that is ±∞ or NaN.
fn first_not_finite(l: &Layer) -> Option<String> {
    let bad = |v: &f64| !v.is_finite();
    for (i, row) in l.weights.iter().enumerate() {
        if let Some((j, v)) = row.iter().enumerate().find(|(_, v)| bad(v)) {
            return Some(format!("the weight of output {i} on input {j} becomes {v}"));
        }
    }
    l.bias
        .iter()
        .enumerate()
        .find(|(_, v)| bad(v))
        .map(|(i, v)| format!("the bias of output {i} becomes {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_data::Standardizer;

    fn dense_net() -> Network {
        let layer = |weights: Vec<Vec<f64>>, bias: Vec<f64>, relu: bool| Layer {
            kept: vec![true; weights.len()],
            weights,
            bias,
            relu,
            identity: false,
            grid: None,
            conv: None,
            pool: None,
        };
        Network {
            format_version: mipnet_network::FORMAT_VERSION,
            feature_names: vec!["a".into(), "b".into()],
            class_names: vec!["no".into(), "yes".into()],
            standardizer: Standardizer {
                mean: vec![2.0, -4.0],
                std: vec![0.5, 4.0],
                encoding: None,
            },
            layers: vec![
                layer(vec![vec![1.0, 2.0], vec![-3.0, 0.0]], vec![0.25, -1.0], true),
                layer(vec![vec![1.0, -1.0], vec![0.5, 2.0]], vec![0.0, 0.125], false),
            ],
            settings: serde_json::Value::Null,
        }
    }

    #[test]
    fn a_dense_fold_has_the_formula_s_weights_and_biases() {
        let f = fold(&dense_net()).unwrap();
        // W' = W / std per column; b' = b − W·(mean/std) = b − W·[4, −1].
        assert_eq!(f.layers[0].weights, vec![vec![2.0, 0.5], vec![-6.0, 0.0]]);
        assert_eq!(f.layers[0].bias, vec![0.25 - (4.0 - 2.0), -1.0 - (-12.0)]);
        assert_eq!(f.layers[1], dense_net().layers[1]);
        assert_eq!(
            (f.standardizer.mean.clone(), f.standardizer.std.clone()),
            (vec![0.0; 2], vec![1.0; 2])
        );
        for x in [[2.0, -4.0], [0.0, 0.0], [3.5, 10.0]] {
            assert_eq!(f.scores(&x), dense_net().scores(&x), "at {x:?}");
        }
    }

    #[test]
    fn the_fold_goes_past_identity_layers() {
        let mut net = dense_net();
        let identity = Layer {
            weights: vec![vec![0.0; 2]; 2],
            bias: vec![0.0; 2],
            kept: vec![true; 2],
            relu: false,
            identity: true,
            grid: None,
            conv: None,
            pool: None,
        };
        net.layers.insert(0, identity.clone());
        let f = fold(&net).unwrap();
        assert_eq!(f.layers[0], identity);
        assert_eq!(f.layers[1].weights, vec![vec![2.0, 0.5], vec![-6.0, 0.0]]);
        net.layers = vec![identity];
        net.class_names = vec!["p".into(), "q".into()];
        assert!(fold(&net)
            .unwrap_err()
            .contains("every layer is pruned to the identity"));
    }

    #[test]
    fn a_weight_that_overflows_once_divided_is_refused() {
        let mut net = dense_net();
        net.layers[0].weights[1][0] = 1e300;
        net.standardizer.std[0] = 1e-10;
        let e = fold(&net).unwrap_err();
        assert!(
            e.starts_with("layer 1: the weight of output 1 on input 0 becomes inf"),
            "{e}"
        );
    }
}
