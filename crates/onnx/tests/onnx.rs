//! Import of the fixtures made by `fixtures/make_fixtures.py` against onnxruntime's outputs, error
//! messages, and the export → import round trip.

use mipnet_data::Standardizer;
use mipnet_network::{Conv, ConvShape, Layer, Network, Op, Pool, PoolKind, ReluNet, FORMAT_VERSION};
use mipnet_onnx::{export, export_bytes, import, import_bytes, OnnxError, Precision};
use onnx_protobuf::{GraphProto, ModelProto, NodeProto, StringStringEntryProto};
use protobuf::Message;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Imports `stem.onnx` and checks its outputs against onnxruntime's in `stem.json`.
fn matches_onnxruntime(stem: &str) -> ReluNet {
    let net = import(&fixture(&format!("{stem}.onnx"))).unwrap();
    let text = std::fs::read_to_string(fixture(&format!("{stem}.json"))).unwrap();
    let record: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = |key: &str| -> Vec<Vec<f64>> { serde_json::from_value(record[key].clone()).unwrap() };
    let (inputs, outputs) = (rows("inputs"), rows("outputs"));
    assert_eq!(inputs.len(), 10);
    for (x, want) in inputs.iter().zip(&outputs) {
        assert_eq!(x.len(), net.inputs);
        let got = net.forward(x);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                "{stem}: {got:?} vs onnxruntime {want:?}"
            );
        }
    }
    net
}

fn kinds(net: &ReluNet) -> Vec<&'static str> {
    net.ops.iter().map(|o| o.kind()).collect()
}

#[test]
fn small_cnn_computes_what_onnxruntime_computes() {
    let net = matches_onnxruntime("small_cnn");
    let ops = ["normalize", "affine", "relu", "maxpool", "affine", "relu", "affine"];
    assert_eq!(kinds(&net), ops);
    assert_eq!((net.inputs, net.outputs()), (36, 3));
    assert_eq!(net.input_names[35], "x35");
    assert_eq!(net.output_names, ["y0", "y1", "y2"]);
    assert_eq!(net.nonlinear_units(), 72 + 18 + 8);
}

#[test]
fn dense_matmul_with_batch_norm_constants_and_reshape_computes_what_onnxruntime_computes() {
    let net = matches_onnxruntime("dense_matmul");
    // MatMul + Add is one affine map, as is the batch normalization and the Mul.
    assert_eq!(kinds(&net), ["affine", "affine", "relu", "affine", "affine"]);
}

#[test]
fn depthwise_conv_and_padded_pools_compute_what_onnxruntime_computes() {
    let net = matches_onnxruntime("pools");
    let ops = [
        "affine",
        "relu",
        "maxpool",
        "affine",
        "normalize",
        "affine",
        "affine",
        "affine",
        "affine",
    ];
    assert_eq!(kinds(&net), ops);
}

#[test]
fn an_unsupported_operator_is_named_with_its_node() {
    let path = fixture("unsupported.onnx");
    let msg = "unsupported ONNX operator 'Sigmoid' (node 'sig1'); mipnet reads Gemm, MatMul, Add, Sub, Mul, Div, \
               Relu, Conv, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Flatten, Reshape, Identity, \
               Dropout";
    let err = import_bytes(&std::fs::read(&path).unwrap()).unwrap_err();
    assert!(matches!(&err, OnnxError::Unsupported { op, node } if op == "Sigmoid" && node == "sig1"));
    assert_eq!(err.to_string(), msg);
    assert_eq!(
        import(&path).unwrap_err().to_string(),
        format!("{}: {msg}", path.display())
    );
}

#[test]
fn a_file_that_is_not_onnx_gives_a_decode_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("network.json");
    std::fs::write(&path, "{\"format_version\": 1, \"layers\": []}\n").unwrap();
    let err = import(&path).unwrap_err();
    assert!(matches!(&err, OnnxError::File { inner, .. } if matches!(**inner, OnnxError::Decode(_))));
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("{}: not an ONNX model: ", path.display())),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
    assert!(matches!(import_bytes(b""), Err(OnnxError::Decode(m)) if m == "the file holds no graph"));
    let missing = dir.path().join("missing.onnx");
    assert!(import(&missing)
        .unwrap_err()
        .to_string()
        .starts_with(&format!("cannot read {}", missing.display())));
}

/// A standardizer of raw numeric features (read as network.json holds it, so
/// that fields added for other inputs keep their defaults).
fn standardizer(mean: Vec<f64>, std: Vec<f64>) -> Standardizer {
    serde_json::from_value(serde_json::json!({ "mean": mean, "std": std })).unwrap()
}

fn layer(weights: Vec<Vec<f64>>, bias: Vec<f64>, relu: bool, identity: bool) -> Layer {
    Layer {
        kept: vec![true; weights.len()],
        weights,
        bias,
        relu,
        identity,
        grid: None,
        conv: None,
        pool: None,
    }
}

/// Three features, a ReLU layer with zero weights, an identity layer, the output layer.
fn sample_network() -> Network {
    Network {
        format_version: FORMAT_VERSION,
        feature_names: vec!["age".into(), "dose \"mg\"".into(), "höhe".into()],
        class_names: vec!["no".into(), "yes".into()],
        standardizer: standardizer(vec![0.1, -2.5, 1.0 / 3.0], vec![1.7, 0.3, 2.0f64.sqrt()]),
        layers: vec![
            layer(
                vec![
                    vec![0.5, 0.0, -0.1],
                    vec![0.0, 0.0, 0.0],
                    vec![1.0 / 7.0, 2.0, 0.0],
                    vec![-0.3, 0.6, 0.9],
                ],
                vec![0.1, 0.0, -0.2, 1e-3],
                true,
                false,
            ),
            layer(vec![vec![0.0; 4]; 4], vec![0.0; 4], true, true),
            layer(
                vec![vec![1.5, 0.0, -0.5, 0.25], vec![-1.0, 0.0, 0.75, 0.1]],
                vec![0.05, -0.05],
                false,
                false,
            ),
        ],
        settings: serde_json::Value::Null,
    }
}

fn sample_inputs() -> Vec<Vec<f64>> {
    (0..8)
        .map(|k| (0..3).map(|j| ((k * 3 + j) as f64 * 0.77).sin() * 3.0).collect())
        .collect()
}

#[test]
fn export_then_import_gives_back_the_network_exactly_in_f64() {
    let net = sample_network();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.onnx");
    export(&net, &path, Precision::F64).unwrap();
    let back = import(&path).unwrap();
    assert_eq!(back, ReluNet::from_network(&net));
    assert_eq!(back.input_names[1], "dose \"mg\"");
    for x in sample_inputs() {
        assert_eq!(back.forward(&x), net.scores(&x));
    }
    let model = ModelProto::parse_from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    let ops: Vec<&str> = model.graph.node.iter().map(|n| n.op_type.as_str()).collect();
    assert_eq!(ops, ["Sub", "Div", "Gemm", "Relu", "Gemm"]);
    assert_eq!((model.ir_version, model.opset_import[0].version), (7, 13));
    assert_eq!(model.graph.output[0].name, "scores");
}

#[test]
fn export_in_f32_imports_within_rounding() {
    let net = sample_network();
    let back = import_bytes(&export_bytes(&net, Precision::F32)).unwrap();
    assert_eq!(kinds(&back), kinds(&ReluNet::from_network(&net)));
    assert_eq!(back.output_names, net.class_names);
    for x in sample_inputs() {
        for (g, w) in back.forward(&x).iter().zip(net.scores(&x)) {
            assert!((g - w).abs() < 1e-5 * w.abs().max(1.0), "{g} vs {w}");
        }
    }
}

/// The F64 export with `edit` applied to its graph.
fn edited(edit: impl FnOnce(&mut GraphProto)) -> Result<ReluNet, OnnxError> {
    let mut model = ModelProto::parse_from_bytes(&export_bytes(&sample_network(), Precision::F64)).unwrap();
    edit(model.graph.as_mut().unwrap());
    import_bytes(&model.write_to_bytes().unwrap())
}

#[test]
fn softmax_branches_and_division_by_the_value_are_refused_with_reasons() {
    let softmax = edited(|g| {
        let nodes = &mut g.node;
        nodes.last_mut().unwrap().output[0] = "logits".into();
        nodes.push(NodeProto {
            op_type: "Softmax".into(),
            name: "sm".into(),
            input: vec!["logits".into()],
            output: vec!["scores".into()],
            ..Default::default()
        });
    });
    assert!(softmax
        .unwrap_err()
        .to_string()
        .starts_with("Softmax is not supported: export the logits (node 'sm'"));
    // The second Gemm reads the standardized input, skipping the first layer.
    let branch = edited(|g| g.node[4].input[0] = "standardized".into());
    let msg = branch.unwrap_err().to_string();
    assert!(msg.starts_with("node 'scores' (Gemm): does not read the value computed so far ('layer1.relu')"));
    let div = edited(|g| g.node[1].input.swap(0, 1));
    let msg = div.unwrap_err().to_string();
    assert_eq!(
        msg,
        "node 'standardized' (Div): dividing a constant by the network's value is not piecewise linear"
    );
    let dangling = edited(|g| g.node[2].input[1] = "nowhere".into());
    assert!(dangling
        .unwrap_err()
        .to_string()
        .contains("input 'nowhere' is neither the value computed so far"));
    let external = edited(|g| {
        g.initializer[0].raw_data.clear();
        g.initializer[0].external_data.push(StringStringEntryProto {
            key: "location".into(),
            value: "weights.bin".into(),
            ..Default::default()
        });
    });
    let msg = external.unwrap_err().to_string();
    assert!(msg.starts_with("tensor 'mean' keeps its data in an external file, which mipnet does not read"));
    let two_outputs = edited(|g| g.output.push(g.output[0].clone()));
    assert_eq!(
        two_outputs.unwrap_err().to_string(),
        "the graph has 2 outputs; mipnet reads networks with one"
    );
}

/// A `c_in`×5×5 image, a convolution of 2 filters 3×3 with `stride` and `padding` (a zero
/// filter weight, a negative bias), then `pool`, a dense ReLU layer of 4 and 3 classes.
fn conv_network(c_in: usize, stride: usize, padding: usize, pool: Option<Pool>) -> Network {
    let shape = ConvShape {
        input: [c_in, 5, 5],
        channels: 2,
        kernel: 3,
        stride,
        padding,
    };
    let filters: Vec<f64> = (0..shape.params())
        .map(|i| if i == 4 { 0.0 } else { (i as f64 * 0.61).sin() * 0.8 })
        .collect();
    let conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.15], pool);
    let width = conv.output_len();
    let d = shape.inputs();
    let hidden = (0..4)
        .map(|o| {
            (0..width)
                .map(|i| ((o * width + i) as f64 * 0.37).cos() * 0.5)
                .collect()
        })
        .collect();
    let out = (0..3)
        .map(|o| (0..4).map(|i| ((o * 4 + i) as f64 * 1.3).sin()).collect())
        .collect();
    let net = Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..d).map(|i| format!("pixel{i}")).collect(),
        class_names: vec!["a".into(), "b".into(), "c".into()],
        standardizer: standardizer(
            (0..d).map(|i| (i as f64 * 0.2).sin() * 0.1).collect(),
            (0..d).map(|i| 0.5 + (i % 3) as f64 * 0.25).collect(),
        ),
        layers: vec![
            conv,
            layer(hidden, vec![0.05, -0.1, 0.2, 0.0], true, false),
            layer(out, vec![0.01, -0.02, 0.03], false, false),
        ],
        settings: serde_json::Value::Null,
    };
    net.check().unwrap();
    net
}

fn conv_inputs(d: usize) -> Vec<Vec<f64>> {
    (0..8)
        .map(|k| (0..d).map(|j| ((k * d + j) as f64 * 0.53).sin() * 2.0).collect())
        .collect()
}

fn max_pool(size: usize, stride: usize) -> Pool {
    Pool {
        kind: PoolKind::Max,
        size,
        stride,
    }
}

/// The convolution networks of the export tests, with the operators their exports must have.
fn conv_cases() -> Vec<(&'static str, Network, Vec<&'static str>)> {
    let avg = Pool {
        kind: PoolKind::Average,
        size: 2,
        stride: 1,
    };
    let head = ["Flatten", "Gemm", "Relu", "Gemm"];
    let ops = |pool: Option<&'static str>| {
        let mut v = vec!["Sub", "Div", "Reshape", "Conv", "Relu"];
        v.extend(pool);
        v.extend(head);
        v
    };
    vec![
        (
            "conv_maxpool",
            conv_network(1, 1, 1, Some(max_pool(2, 2))),
            ops(Some("MaxPool")),
        ),
        (
            "conv_avgpool",
            conv_network(2, 1, 0, Some(avg)),
            ops(Some("AveragePool")),
        ),
        ("conv_stride2", conv_network(1, 2, 1, None), ops(None)),
    ]
}

fn attr_ints(n: &NodeProto, name: &str) -> Vec<i64> {
    n.attribute.iter().find(|a| a.name == name).unwrap().ints.clone()
}

#[test]
fn convolution_layers_export_as_conv_and_pool_and_import_back() {
    for (what, net, want_ops) in conv_cases() {
        let bytes = export_bytes(&net, Precision::F64);
        let model = ModelProto::parse_from_bytes(&bytes).unwrap();
        let ops: Vec<&str> = model.graph.node.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(ops, want_ops, "{what}");
        let shape = net.layers[0].conv.as_ref().unwrap().shape;
        let conv = &model.graph.node[3];
        assert_eq!(attr_ints(conv, "kernel_shape"), [3, 3], "{what}");
        assert_eq!(attr_ints(conv, "strides"), [shape.stride as i64; 2], "{what}");
        assert_eq!(attr_ints(conv, "pads"), [shape.padding as i64; 4], "{what}");
        let init = |name: &str| model.graph.initializer.iter().find(|t| t.name == name).unwrap();
        assert_eq!(init("layer1.weight").dims, [2, shape.input[0] as i64, 3, 3], "{what}");
        assert_eq!(init("layer1.bias").dims, [2], "{what}");
        assert_eq!(model.graph.output[0].name, "scores");

        let back = import_bytes(&bytes).unwrap();
        assert_eq!(back, ReluNet::from_network(&net), "{what}");
        assert_eq!(back.input_names, net.feature_names);
        for x in conv_inputs(net.feature_names.len()) {
            let (got, want) = (back.forward(&x), net.scores(&x));
            assert_eq!(got.len(), 3);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-9, "{what}: {got:?} vs {want:?}");
            }
        }

        let back = import_bytes(&export_bytes(&net, Precision::F32)).unwrap();
        for x in conv_inputs(net.feature_names.len()) {
            for (g, w) in back.forward(&x).iter().zip(net.scores(&x)) {
                assert!((g - w).abs() < 1e-5 * w.abs().max(1.0), "{what} f32: {g} vs {w}");
            }
        }
    }
}

#[test]
fn a_pooled_convolution_exports_its_pool_geometry_and_nonzero_scores() {
    let (_, net, _) = conv_cases().remove(0);
    let model = ModelProto::parse_from_bytes(&export_bytes(&net, Precision::F64)).unwrap();
    let pool = &model.graph.node[5];
    assert_eq!(
        (pool.op_type.as_str(), pool.input[0].as_str()),
        ("MaxPool", "layer1.relu")
    );
    assert_eq!(attr_ints(pool, "kernel_shape"), [2, 2]);
    assert_eq!(attr_ints(pool, "strides"), [2, 2]);
    assert!(pool.attribute.iter().all(|a| a.name != "pads"));
    let reshape = &model.graph.node[2];
    assert_eq!(reshape.input, ["standardized", "layer1.image_shape"]);
    // The test networks are not trivially 0: some scores differ between inputs.
    let scores: Vec<Vec<f64>> = conv_inputs(25).iter().map(|x| net.scores(x)).collect();
    assert!(scores.iter().any(|s| s != &scores[0]));
}

/// Writes an export in both precisions with inputs and mipnet's outputs, for
/// `make_fixtures.py --check-export` (`MIPNET_ONNX_OUT` = directory, default the temp dir).
#[test]
#[ignore = "writes files for a manual onnxruntime check"]
fn write_sample_export_for_onnxruntime() {
    let dir = std::env::var_os("MIPNET_ONNX_OUT").map_or_else(std::env::temp_dir, PathBuf::from);
    let net = sample_network();
    export(&net, &dir.join("sample_f64.onnx"), Precision::F64).unwrap();
    export(&net, &dir.join("sample_f32.onnx"), Precision::F32).unwrap();
    let inputs = sample_inputs();
    let outputs: Vec<Vec<f64>> = inputs.iter().map(|x| net.scores(x)).collect();
    let record = serde_json::json!({ "inputs": inputs, "outputs": outputs });
    std::fs::write(dir.join("sample_inputs.json"), record.to_string()).unwrap();
    for (stem, net, _) in conv_cases() {
        export(&net, &dir.join(format!("{stem}_f64.onnx")), Precision::F64).unwrap();
        export(&net, &dir.join(format!("{stem}_f32.onnx")), Precision::F32).unwrap();
        let inputs = conv_inputs(net.feature_names.len());
        let outputs: Vec<Vec<f64>> = inputs.iter().map(|x| net.scores(x)).collect();
        let record = serde_json::json!({ "inputs": inputs, "outputs": outputs });
        std::fs::write(dir.join(format!("{stem}_inputs.json")), record.to_string()).unwrap();
    }
    println!(
        "wrote sample_f64.onnx, sample_f32.onnx, sample_inputs.json and the same for conv_maxpool, conv_avgpool, \
         conv_stride2 in {}",
        dir.display()
    );
}

#[test]
fn ops_of_the_round_trip_keep_zero_weights_out() {
    let back = import_bytes(&export_bytes(&sample_network(), Precision::F64)).unwrap();
    let Op::Affine(first) = &back.ops[1] else {
        panic!("{:?}", back.ops[1])
    };
    assert_eq!(first.rows[1], []);
    assert_eq!(first.rows[0], [(0, 0.5), (2, -0.1)]);
}

/// The files in `dir`, sorted.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_export_is_read_back_exactly_in_both_precisions_before_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut nets = vec![("sample", sample_network())];
    nets.extend(conv_cases().into_iter().map(|(what, net, _)| (what, net)));
    for (what, net) in nets {
        for (precision, tag) in [(Precision::F64, "f64"), (Precision::F32, "f32")] {
            let path = dir.path().join(format!("{what}_{tag}.onnx"));
            export(&net, &path, precision).unwrap_or_else(|e| panic!("{what} {tag}: {e}"));
            // The check itself, run again on the written file.
            mipnet_onnx::read_back::check(&net, &path, precision).unwrap();
        }
    }
    // No temporary file is left beside the exports.
    assert!(files_in(dir.path())
        .iter()
        .all(|f| f.ends_with(".onnx") && !f.starts_with('.')));
}

#[test]
fn the_read_back_check_finds_a_file_that_computes_something_else() {
    let dir = tempfile::tempdir().unwrap();
    let net = sample_network();
    let path = dir.path().join("net.onnx");
    export(&net, &path, Precision::F64).unwrap();
    // One weight changed in its last bit.
    let mut other = net.clone();
    let w = &mut other.layers[2].weights[0][0];
    *w = f64::from_bits(w.to_bits() + 1);
    let e = mipnet_onnx::read_back::check(&other, &path, Precision::F64).unwrap_err();
    // (At the mean itself the last bit is rounded away: one point is not enough.)
    assert!(
        e.starts_with("at input [1.8, -2.2, 1.7475468957064284] it computes"),
        "{e}"
    );
    // An F32 file is not the F64 network, and a file that is not ONNX does not import.
    let f32_path = dir.path().join("net32.onnx");
    export(&net, &f32_path, Precision::F32).unwrap();
    assert!(mipnet_onnx::read_back::check(&net, &f32_path, Precision::F64).is_err());
    std::fs::write(&path, "not onnx").unwrap();
    let e = mipnet_onnx::read_back::check(&net, &path, Precision::F64).unwrap_err();
    assert!(e.starts_with("mipnet cannot import it: not an ONNX model"), "{e}");
}

#[test]
fn a_failed_export_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no_such_dir").join("net.onnx");
    let e = export(&sample_network(), &missing, Precision::F64).unwrap_err();
    assert!(matches!(e, OnnxError::Write { .. }), "{e}");
    assert!(files_in(dir.path()).is_empty());
    // An existing file is kept when the export fails (here: the target is a directory).
    let target = dir.path().join("taken.onnx");
    std::fs::create_dir(&target).unwrap();
    assert!(export(&sample_network(), &target, Precision::F64).is_err());
    assert_eq!(files_in(dir.path()), ["taken.onnx"]);
    assert!(target.is_dir());
}

/// `path` holds `text` before and after a refused export, and nothing else
/// was written beside it.
fn refused_untouched(net: &Network, precision: Precision) -> OnnxError {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.onnx");
    std::fs::write(&path, "an earlier export").unwrap();
    let e = export(net, &path, precision).unwrap_err();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "an earlier export");
    assert_eq!(files_in(dir.path()), ["net.onnx"]);
    e
}

/// float32 cannot store a weight beyond its range (it would be ∞) nor a
/// standard deviation it rounds to 0: refused before anything is written,
/// naming the parameter (such an export used to compute ∞/NaN and pass a
/// read-back that counted ∞ = ∞ as a match). float64 stores them.
#[test]
fn a_float32_export_refuses_parameters_float32_cannot_hold() {
    let mut heavy = sample_network();
    heavy.layers[2].weights[1][3] = -1e39;
    let e = refused_untouched(&heavy, Precision::F32);
    assert!(matches!(e, OnnxError::Float32 { .. }), "{e}");
    assert!(
        e.to_string().ends_with(
            "net.onnx: layer 3: the weight of output 1 on input 3 is -1e39, beyond float32's range \
             (magnitudes up to 3.4028235e38)"
        ),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(export(&heavy, &dir.path().join("f64.onnx"), Precision::F64).unwrap(), 5);
    let mut flat = sample_network();
    flat.standardizer.std[1] = 1e-50;
    let e = refused_untouched(&flat, Precision::F32);
    assert!(
        e.to_string().ends_with(
            "net.onnx: the standard deviation of input 1 (dose \"mg\") is 1e-50, which float32 rounds to 0 \
             (the export would divide by zero)"
        ),
        "{e}"
    );
    let mut biased = sample_network();
    biased.layers[0].bias[2] = 4e38;
    let e = refused_untouched(&biased, Precision::F32);
    assert!(e.to_string().contains("layer 1: the bias of output 2 is 4e38"), "{e}");
}

/// An ∞ or NaN output proves nothing about the file (∞ = ∞ whatever
/// computed it): check inputs with non-finite outputs are left out, and a
/// network with no finite check input is refused before anything is
/// written (it used to pass the read-back).
#[test]
fn the_read_back_compares_only_finite_outputs() {
    // Hidden neuron 0 is 1e300·(age standardized) + 1e300: ∞ in the output
    // wherever age is above one deviation below its mean; two check inputs
    // (1 and 1.5 deviations below) are finite.
    let mut net = sample_network();
    net.layers[0].weights[0] = vec![1e300, 0.0, 0.0];
    net.layers[0].bias[0] = 1e300;
    net.layers[2].weights[0][0] = 1e300;
    let finite = mipnet_onnx::read_back::check_inputs(&net, Precision::F64);
    assert_eq!(finite.len(), 2, "{finite:?}");
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(export(&net, &dir.path().join("net.onnx"), Precision::F64).unwrap(), 2);
    // Infinite at every check input: nothing to compare.
    net.layers[0].weights[0] = vec![0.0, 0.0, 0.0];
    assert!(mipnet_onnx::read_back::check_inputs(&net, Precision::F64).is_empty());
    let e = refused_untouched(&net, Precision::F64);
    assert!(matches!(e, OnnxError::NotFinite { .. }), "{e}");
    assert!(
        e.to_string().ends_with(
            "net.onnx: the network's outputs are not finite (inf or NaN) at any of the 5 inputs the export is \
             checked on (the training mean and points within 1.5 standard deviations of it), so its export \
             cannot be checked; nothing was written"
        ),
        "{e}"
    );
}
