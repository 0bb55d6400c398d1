//! Exports with the standardization folded into the first layer
//! (`ExportOptions::fold_standardizer`): the graph has no `Sub`/`Div`, the
//! re-imported file computes the network (within the fold's rounding
//! bound) and predicts its classes, the read-back catches a wrong fold, and
//! the networks the fold would change are refused with the reason.

use mipnet_data::Standardizer;
use mipnet_network::{argmax, Conv, ConvShape, Layer, Network, Pool, PoolKind, ReluNet, FORMAT_VERSION};
use mipnet_onnx::fold_bound::fold_tolerance;
use mipnet_onnx::{
    export_bytes, export_with, fold_standardizer, import, import_bytes, read_back, ExportOptions, OnnxError, Precision,
};
use onnx_protobuf::ModelProto;
use protobuf::Message;
use std::path::Path;

const PRECISIONS: [Precision; 2] = [Precision::F64, Precision::F32];

fn folded(precision: Precision) -> ExportOptions {
    ExportOptions {
        precision,
        fold_standardizer: true,
    }
}

/// Deterministic values in [−1, 1) that look random (a hash of the index).
fn noise(i: usize) -> f64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

fn dense_layer(weights: Vec<Vec<f64>>, bias: Vec<f64>, relu: bool) -> Layer {
    Layer {
        kept: vec![true; weights.len()],
        weights,
        bias,
        relu,
        identity: false,
        grid: None,
        conv: None,
        pool: None,
    }
}

/// A dense network `d → 6 → 5 → 3` whose standardization is far from the
/// identity (means up to `mean_scale`, deviations from 0.01 to 10), with a
/// pruned neuron.
fn dense_network(d: usize, mean_scale: f64, seed: usize) -> Network {
    let matrix = |rows: usize, cols: usize, at: usize| -> Vec<Vec<f64>> {
        (0..rows)
            .map(|r| (0..cols).map(|c| noise(at + r * cols + c)).collect())
            .collect()
    };
    let mut first = dense_layer(
        matrix(6, d, seed),
        (0..6).map(|i| noise(seed + 900 + i)).collect(),
        true,
    );
    first.weights[2] = vec![0.0; d];
    first.bias[2] = 0.0;
    first.kept[2] = false;
    let net = Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..d).map(|i| format!("f{i}")).collect(),
        class_names: vec!["a".into(), "b".into(), "c".into()],
        standardizer: Standardizer {
            mean: (0..d).map(|i| noise(seed + 500 + i) * mean_scale).collect(),
            std: (0..d).map(|i| 10f64.powf(2.0 * noise(seed + 700 + i) - 1.0)).collect(),
            encoding: None,
        },
        layers: vec![
            first,
            dense_layer(
                matrix(5, 6, seed + 1000),
                (0..5).map(|i| noise(seed + 1100 + i)).collect(),
                true,
            ),
            dense_layer(matrix(3, 5, seed + 1200), vec![0.1, -0.2, 0.05], false),
        ],
        settings: serde_json::Value::Null,
    };
    net.check().unwrap();
    net
}

/// A one-channel 5×5 image network: a 2-filter 3×3 convolution (stride 1,
/// `padding`), then a dense layer; one mean and deviation over all pixels
/// (as mipnet trains convolutions).
fn conv_network(padding: usize, pool: Option<Pool>, mean: f64) -> Network {
    let shape = ConvShape {
        input: [1, 5, 5],
        channels: 2,
        kernel: 3,
        stride: 1,
        padding,
    };
    let filters = (0..shape.params()).map(|i| noise(300 + i)).collect();
    let conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.15], pool);
    let width = conv.output_len();
    let d = shape.inputs();
    let out = (0..3)
        .map(|o| (0..width).map(|i| noise(400 + o * width + i)).collect())
        .collect();
    let net = Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..d).map(|i| format!("pixel{i}")).collect(),
        class_names: vec!["a".into(), "b".into(), "c".into()],
        standardizer: Standardizer {
            mean: vec![mean; d],
            std: vec![0.3; d],
            encoding: None,
        },
        layers: vec![conv, dense_layer(out, vec![0.01, -0.02, 0.03], false)],
        settings: serde_json::Value::Null,
    };
    net.check().unwrap();
    net
}

/// `count` inputs spread over ±3 deviations around the mean.
fn random_inputs(net: &Network, count: usize, seed: usize) -> Vec<Vec<f64>> {
    let s = &net.standardizer;
    let d = s.mean.len();
    (0..count)
        .map(|k| {
            (0..d)
                .map(|j| s.mean[j] + 3.0 * noise(seed + k * d + j) * s.std[j])
                .collect()
        })
        .collect()
}

fn ops(path: &Path) -> Vec<String> {
    let model = ModelProto::parse_from_bytes(&std::fs::read(path).unwrap()).unwrap();
    model.graph.node.iter().map(|n| n.op_type.clone()).collect()
}

/// The largest difference between `a`'s and `b`'s outputs over `inputs`.
fn worst_difference(a: &ReluNet, b: &ReluNet, inputs: &[Vec<f64>]) -> f64 {
    inputs
        .iter()
        .flat_map(|x| a.forward(x).into_iter().zip(b.forward(x)).map(|(u, v)| (u - v).abs()))
        .fold(0.0, f64::max)
}

/// How many times the unfolded float32 export's largest error a folded
/// float32 export's may be on the test inputs (measured: 0.8 to 2.5): the
/// fold costs about what storing the standardization in float32 does.
const FOLD_VS_UNFOLDED_FLOAT32: f64 = 4.0;

/// Exports `net` folded in both precisions and checks the file against the
/// network on 200 random inputs: every output within the fold's rounding
/// bound; in float32 no further from the network than the unfolded float32
/// export (up to [`FOLD_VS_UNFOLDED_FLOAT32`]); no `Sub` or `Div`. With
/// `same_class`, the predicted class is the network's at every input.
/// Returns the float32 file's operators.
fn folded_export_computes_the_network(what: &str, net: &Network, same_class: bool) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let inputs = random_inputs(net, 200, 17);
    let original = ReluNet::from_network(net);
    let mut last_ops = vec![];
    for precision in PRECISIONS {
        let path = dir.path().join(format!("{precision:?}.onnx"));
        let compared = export_with(net, &path, folded(precision)).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(compared, 5, "{what}");
        let back = import(&path).unwrap();
        assert_eq!(back.input_names, net.feature_names);
        for x in &inputs {
            let (got, want) = (back.forward(x), net.scores(x));
            let tolerance = fold_tolerance(net, x, precision);
            for i in 0..want.len() {
                assert!(
                    (got[i] - want[i]).abs() <= tolerance[i],
                    "{what} {precision:?}: output {i} at {x:?}: {} vs {} (tolerance {:e})",
                    got[i],
                    want[i],
                    tolerance[i]
                );
            }
            if same_class {
                assert_eq!(argmax(&got), argmax(&want), "{what} {precision:?}: class at {x:?}");
            }
        }
        if precision == Precision::F32 {
            let unfolded = import_bytes(&export_bytes(net, precision)).unwrap();
            let (fold_error, unfolded_error) = (
                worst_difference(&back, &original, &inputs),
                worst_difference(&unfolded, &original, &inputs),
            );
            assert!(
                fold_error <= FOLD_VS_UNFOLDED_FLOAT32 * unfolded_error,
                "{what}: folded {fold_error:e}, unfolded {unfolded_error:e}"
            );
        }
        last_ops = ops(&path);
        assert!(
            !last_ops.iter().any(|o| o == "Sub" || o == "Div"),
            "{what}: {last_ops:?}"
        );
    }
    last_ops
}

#[test]
fn a_folded_dense_export_is_gemm_and_relu_only_and_predicts_the_network() {
    for (d, mean_scale, seed) in [(4, 5.0, 0), (13, 100.0, 31)] {
        let net = dense_network(d, mean_scale, seed);
        let ops = folded_export_computes_the_network(&format!("dense d={d}"), &net, true);
        assert_eq!(ops, ["Gemm", "Relu", "Gemm", "Relu", "Gemm"]);
    }
}

/// Means up to 10⁵ deviations from 0: float32 cannot hold such inputs
/// finely enough for every class (2 of the 200 inputs change class in
/// float32, folded or not), but the fold stays within its bound and within
/// the unfolded float32 export's error.
#[test]
fn a_fold_over_means_far_from_zero_costs_what_float32_costs() {
    folded_export_computes_the_network("dense d=30, means up to 1e4", &dense_network(30, 1e4, 77), false);
}

#[test]
fn a_folded_dense_export_is_within_float32_rounding_of_the_network() {
    // Iris-like statistics: the fold changes float32 outputs by about one
    // rounding of the scores, far below anything a class depends on.
    let net = dense_network(4, 5.0, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f32.onnx");
    export_with(&net, &path, folded(Precision::F32)).unwrap();
    let back = import(&path).unwrap();
    for x in random_inputs(&net, 50, 5) {
        for (g, w) in back.forward(&x).iter().zip(net.scores(&x)) {
            assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "{g} vs {w}");
        }
    }
}

#[test]
fn the_folded_file_records_the_fold_and_keeps_the_names() {
    let net = dense_network(4, 5.0, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.onnx");
    export_with(&net, &path, folded(Precision::F32)).unwrap();
    let model = ModelProto::parse_from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    let meta = |key: &str| {
        model
            .metadata_props
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.clone())
    };
    assert_eq!(
        meta("mipnet.standardization").as_deref(),
        Some("folded into the first layer")
    );
    assert_eq!(import(&path).unwrap().output_names, net.class_names);
    // The graph's input feeds the first Gemm directly.
    assert_eq!(model.graph.node[0].input[0], model.graph.input[0].name);
    // An unfolded export says nothing of a fold and keeps Sub and Div.
    let plain = ModelProto::parse_from_bytes(&export_bytes(&net, Precision::F32)).unwrap();
    assert!(plain.metadata_props.iter().all(|p| p.key != "mipnet.standardization"));
    assert_eq!(plain.graph.node[0].op_type, "Sub");
}

#[test]
fn a_folded_convolution_without_padding_predicts_the_network() {
    let max = Pool {
        kind: PoolKind::Max,
        size: 2,
        stride: 1,
    };
    let avg = Pool {
        kind: PoolKind::Average,
        ..max
    };
    for (what, pool, op) in [
        ("no pool", None, None),
        ("max", Some(max), Some("MaxPool")),
        ("avg", Some(avg), Some("AveragePool")),
    ] {
        let net = conv_network(0, pool, 0.4);
        let ops = folded_export_computes_the_network(what, &net, true);
        let mut want = vec!["Reshape", "Conv", "Relu"];
        want.extend(op);
        want.extend(["Flatten", "Gemm"]);
        assert_eq!(ops, want, "{what}");
    }
    // Padding reads 0 in standardized units; with a zero mean that is 0 in the data's too.
    folded_export_computes_the_network("padded, mean 0", &conv_network(1, None, 0.0), true);
}

/// `path` holds its earlier content after a refused export, and the error
/// is a fold refusal whose message has every fragment.
fn refused(net: &Network, precision: Precision, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.onnx");
    std::fs::write(&path, "an earlier export").unwrap();
    let e = export_with(net, &path, folded(precision)).unwrap_err();
    assert!(matches!(e, OnnxError::Fold { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains("cannot fold the standardization into the first layer"),
        "{message}"
    );
    for f in fragments {
        assert!(message.contains(f), "{message} lacks {f}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "an earlier export");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left"
    );
}

#[test]
fn a_padded_convolution_over_a_nonzero_mean_is_refused() {
    let net = conv_network(1, None, 0.4);
    refused(
        &net,
        Precision::F32,
        &["layer 1:", "pads with 1 zeros", "near the border"],
    );
    // Unfolded, it exports as before.
    let dir = tempfile::tempdir().unwrap();
    export_with(
        &net,
        &dir.path().join("plain.onnx"),
        ExportOptions::unfolded(Precision::F32),
    )
    .unwrap();
}

#[test]
fn a_convolution_whose_pixels_have_different_statistics_is_refused() {
    let mut net = conv_network(0, None, 0.4);
    net.standardizer.std[7] = 0.6;
    refused(
        &net,
        Precision::F64,
        &[
            "the standard deviation of input channel 0 differs between its pixels",
            "at pixel 7",
        ],
    );
    let mut net = conv_network(0, None, 0.4);
    net.standardizer.mean[3] = 0.0;
    refused(&net, Precision::F64, &["the mean of input channel 0"]);
}

#[test]
fn folded_weights_beyond_float32_are_refused_in_float32_only() {
    let mut net = dense_network(4, 5.0, 0);
    net.layers[0].weights[1][2] = 1e30;
    net.standardizer.std[2] = 1e-10;
    refused(
        &net,
        Precision::F32,
        &[
            "layer 1: the weight of output 1 on input 2 is 1e40 once the standardization is folded in",
            "float32",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    export_with(&net, &dir.path().join("f64.onnx"), folded(Precision::F64)).unwrap();
    export_with(
        &net,
        &dir.path().join("f32.onnx"),
        ExportOptions::unfolded(Precision::F32),
    )
    .unwrap();
}

/// The read-back compares the file with the unfolded network: a fold whose
/// first-layer biases are off by a ten-thousandth (float32) or a billionth
/// (float64) is caught, though the file holds exactly what it was given.
#[test]
fn the_read_back_catches_a_slightly_wrong_fold() {
    let net = dense_network(4, 5.0, 0);
    let good = fold_standardizer(&net).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.onnx");
    for (precision, error) in [(Precision::F32, 1e-4), (Precision::F64, 1e-9)] {
        // An export of the folded network itself (its standardizer is the identity).
        std::fs::write(&path, export_bytes(&good, precision)).unwrap();
        assert_eq!(read_back::check_folded(&net, &good, &path, precision), Ok(5));
        let mut bad = good.clone();
        for b in &mut bad.layers[0].bias {
            *b += error * b.abs().max(1.0);
        }
        std::fs::write(&path, export_bytes(&bad, precision)).unwrap();
        let e = read_back::check_folded(&net, &bad, &path, precision).unwrap_err();
        assert!(e.contains("with the standardization folded in, output"), "{e}");
        // A file that is not the folded network it claims to be fails the exact comparison.
        let e = read_back::check_folded(&net, &good, &path, precision).unwrap_err();
        assert!(e.starts_with("at input"), "{e}");
    }
}
