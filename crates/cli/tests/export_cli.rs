//! `mipnet export --fold-standardizer`: the standardization folded into the
//! first layer, so that the ONNX graph is Gemm and Relu only (what
//! gurobi-machinelearning reads), predicting as the network; refused with
//! the reason where the fold would change the network.

mod common;

use common::{assert_bad_input, mipnet, stderr, train_quick_iris};
use mipnet_data::Standardizer;
use mipnet_network::{argmax, Conv, ConvShape, Layer, Network, FORMAT_VERSION};
use std::path::Path;

fn run_export(model: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "export",
        "--model",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    mipnet(&args)
}

fn predictions(model: &Path, data: &Path) -> String {
    let o = mipnet(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn a_folded_export_has_no_standardization_nodes_and_predicts_as_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    train_quick_iris(&run);
    let (json, test) = (run.join("network.json"), run.join("test.csv"));
    let net = Network::load(&json).unwrap();
    let want = predictions(&json, &test);
    for (extra, precision) in [(&[][..], "float64"), (&["--float32"][..], "float32")] {
        let out = dir.path().join(format!("folded_{precision}.onnx"));
        let mut flags = vec!["--fold-standardizer"];
        flags.extend_from_slice(extra);
        let o = run_export(&json, &out, &flags);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).starts_with(&format!(
                "wrote {} ({precision}, the standardization folded into the first layer, opset 13: Gemm, Relu); \
                 read back by mipnet's importer: the folded network's outputs on 5 inputs, within the fold's \
                 rounding bound of the network's\n",
                out.display()
            )),
            "{}",
            stderr(&o)
        );
        // No Sub/Div: mipnet's importer reads those as a normalization step.
        let back = mipnet_onnx::import(&out).unwrap();
        let kinds: Vec<&str> = back.ops.iter().map(|op| op.kind()).collect();
        assert_eq!(kinds, ["affine", "relu", "affine"], "{precision}");
        assert_eq!(predictions(&out, &test), want, "{precision}");
        // Random inputs over ±3 deviations: the same class.
        let s = &net.standardizer;
        for k in 0..200 {
            let x: Vec<f64> = (0..4)
                .map(|j| s.mean[j] + 3.0 * (((k * 4 + j) as f64) * 0.618).sin() * s.std[j])
                .collect();
            assert_eq!(
                argmax(&back.forward(&x)),
                argmax(&net.scores(&x)),
                "{precision} at {x:?}"
            );
        }
    }
}

/// A 1-channel 4×4 convolution with `padding`, over pixels whose mean is
/// not 0, then a dense output layer.
fn padded_convolution(padding: usize) -> Network {
    let shape = ConvShape {
        input: [1, 4, 4],
        channels: 2,
        kernel: 3,
        stride: 1,
        padding,
    };
    let filters = (0..shape.params()).map(|i| (i % 5) as f64 * 0.5 - 1.0).collect();
    let conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.2], None);
    let width = conv.output_len();
    let head = Layer {
        weights: (0..2)
            .map(|k| (0..width).map(|j| ((j + k) % 3) as f64 - 1.0).collect())
            .collect(),
        bias: vec![0.0, 0.5],
        kept: vec![true; 2],
        relu: false,
        identity: false,
        grid: None,
        conv: None,
        pool: None,
    };
    let net = Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..16).map(|i| format!("p{i}")).collect(),
        class_names: vec!["a".into(), "b".into()],
        standardizer: Standardizer {
            mean: vec![0.3; 16],
            std: vec![0.25; 16],
            encoding: None,
        },
        layers: vec![conv, head],
        settings: serde_json::Value::Null,
    };
    net.check().unwrap();
    net
}

#[test]
fn a_fold_that_would_change_a_padded_convolution_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("cnn.json");
    padded_convolution(1).save(&json).unwrap();
    let out = dir.path().join("cnn.onnx");
    let o = run_export(&json, &out, &["--fold-standardizer", "--float32"]);
    assert_bad_input(
        &o,
        &[
            &format!(
                "{}: cannot fold the standardization into the first layer: layer 1:",
                out.display()
            ),
            "pads with 1 zeros",
            "nothing was written; export without --fold-standardizer to keep it as Sub and Div nodes",
        ],
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left"
    );
    // Without padding the fold is exact and written; unfolded, the padded one is too.
    let o = run_export(&json, &out, &["--float32"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let unpadded = dir.path().join("unpadded.json");
    padded_convolution(0).save(&unpadded).unwrap();
    let o = run_export(&unpadded, &out, &["--fold-standardizer", "--float32"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("opset 13: Reshape, Conv, Relu"), "{}", stderr(&o));
}

#[test]
fn export_help_describes_the_fold() {
    let o = mipnet(&["export", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(help.contains("--fold-standardizer"), "{help}");
    assert!(help.contains("gurobi-machinelearning"), "{help}");
    assert!(help.contains("Refused for a convolution with zero padding"), "{help}");
}
