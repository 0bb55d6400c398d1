//! The network file format, forward pass, metrics and readable form.

use mipnet_data::{ColumnEncoding, Encoding, Standardizer};
use mipnet_network::{render, Conv, ConvShape, Layer, Network, Pool, PoolKind, ReluNet, FORMAT_VERSION};

fn net() -> Network {
    Network {
        format_version: FORMAT_VERSION,
        feature_names: vec!["age".into(), "dose".into()],
        class_names: vec!["no".into(), "yes".into()],
        standardizer: Standardizer {
            mean: vec![50.0, 2.0],
            std: vec![10.0, 1.0],
            encoding: None,
        },
        layers: vec![
            Layer {
                weights: vec![vec![1.0, 0.0], vec![0.0, 0.0]],
                bias: vec![0.5, 0.0],
                kept: vec![true, false],
                relu: true,
                identity: false,
                grid: None,
                conv: None,
                pool: None,
            },
            Layer {
                weights: vec![vec![-1.0, 0.0], vec![1.0, 0.0]],
                bias: vec![0.0, -1.0],
                kept: vec![true, true],
                relu: false,
                identity: false,
                grid: None,
                conv: None,
                pool: None,
            },
        ],
        settings: serde_json::Value::Null,
    }
}

#[test]
fn forward_pass_metrics_and_prediction() {
    let n = net();
    // age 70 → z = 2 → h1 = relu(2 + 0.5) = 2.5; scores (−2.5, 1.5).
    assert_eq!(n.scores(&[70.0, 2.0]), vec![-2.5, 1.5]);
    assert_eq!(n.predict(&[70.0, 2.0]), 1);
    // age 30 → z = −2 → h1 = 0; scores (0, −1).
    assert_eq!(n.predict(&[30.0, 2.0]), 0);
    assert_eq!(n.weight_count(), 8);
    assert_eq!(n.weight_sparsity(), 0.625);
    assert_eq!(n.params_total(), 12);
    assert_eq!(n.params_kept(), 5);
    assert_eq!(n.neurons_kept(), vec![1]);
}

#[test]
fn save_and_load_round_trip_and_refuse_other_versions() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("network.json");
    net().save(&p).unwrap();
    assert_eq!(Network::load(&p).unwrap(), net());
    let text = std::fs::read_to_string(&p).unwrap();
    // A dense network is written as version 1; version 2 reads too.
    assert!(text.contains("\"format_version\": 1"), "{text}");
    std::fs::write(&p, text.replace("\"format_version\": 1", "\"format_version\": 2")).unwrap();
    assert_eq!(Network::load(&p).unwrap(), net());
    std::fs::write(&p, text.replace("\"format_version\": 1", "\"format_version\": 3")).unwrap();
    assert_eq!(Network::load(&p).unwrap(), net());
    std::fs::write(&p, text.replace("\"format_version\": 1", "\"format_version\": 4")).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(
        e.contains("format version 4") && e.contains("reads versions 1 to 3"),
        "{e}"
    );
    let mut bad = net();
    bad.layers[1].weights[0].push(1.0);
    bad.save(&p).unwrap();
    assert!(Network::load(&p)
        .unwrap_err()
        .to_string()
        .contains("inconsistent network"));
}

#[test]
fn show_folds_standardization_into_the_equations() {
    let text = render(&net());
    // h1 = max(0, (age − 50)/10 + 0.5) = max(0, 0.1·age − 4.5)
    assert!(text.contains("h1_1 = max(0, 0.1·[age] − 4.5)"), "{text}");
    assert!(!text.contains("h1_2"), "a pruned neuron is shown: {text}");
    assert!(text.contains("no = −h1_1"), "{text}");
    assert!(text.contains("yes = h1_1 − 1"), "{text}");
    assert!(text.contains("Inputs not used: dose"), "{text}");
}

/// A 1×4×4 image → 2 filters 3×3, padding 1 → max-pool 2 → 2 classes.
fn conv_net(kind: PoolKind) -> Network {
    let shape = ConvShape {
        input: [1, 4, 4],
        channels: 2,
        kernel: 3,
        stride: 1,
        padding: 1,
    };
    let filters: Vec<f64> = (0..shape.params())
        .map(|i| ((i * 5) % 7) as f64 * 0.25 - 0.75)
        .collect();
    let pool = Pool {
        kind,
        size: 2,
        stride: 2,
    };
    let conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.2], Some(pool));
    let head = Layer {
        weights: (0..2)
            .map(|k| (0..8).map(|j| ((j + k) % 3) as f64 - 1.0).collect())
            .collect(),
        bias: vec![0.0, 0.5],
        kept: vec![true; 2],
        relu: false,
        identity: false,
        grid: None,
        conv: None,
        pool: None,
    };
    Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..16).map(|i| format!("p{i}")).collect(),
        class_names: vec!["a".into(), "b".into()],
        standardizer: Standardizer {
            mean: vec![0.0; 16],
            std: vec![1.0; 16],
            encoding: None,
        },
        layers: vec![conv, head],
        settings: serde_json::Value::Null,
    }
}

#[test]
fn convolution_networks_round_trip_count_filters_and_match_their_relu_net() {
    for kind in [PoolKind::Max, PoolKind::Average] {
        let n = conv_net(kind);
        n.check().unwrap();
        assert_eq!(n.layers[0].output_len(), 8);
        assert_eq!(n.weight_count(), 18 + 16);
        assert_eq!(n.params_total(), 18 + 2 + 16 + 2);
        assert_eq!(n.neurons_kept(), vec![2]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("network.json");
        n.save(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.len() < 6000, "the unrolled matrix stays out of the file");
        assert!(text.contains("\"format_version\": 2"));
        assert_eq!(Network::load(&p).unwrap(), n);
        let r = ReluNet::from_network(&n);
        r.check().unwrap();
        for s in 0..20 {
            let x: Vec<f64> = (0..16).map(|i| ((i * 3 + s * 7) as f64 * 0.61).sin() * 2.0).collect();
            // Pooling by hand over the feature maps.
            let h = n.layers[0].neuron_outputs(&x);
            let mut pooled = Vec::new();
            for c in 0..2 {
                for (py, px) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let w: Vec<f64> = [(0, 0), (0, 1), (1, 0), (1, 1)]
                        .iter()
                        .map(|(dy, dx)| h[c * 16 + (2 * py + dy) * 4 + 2 * px + dx])
                        .collect();
                    pooled.push(match kind {
                        PoolKind::Max => w.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        PoolKind::Average => w.iter().sum::<f64>() / 4.0,
                    });
                }
            }
            let got = n.layers[0].apply(&x);
            for (a, b) in got.iter().zip(&pooled) {
                assert!((a - b).abs() < 1e-12);
            }
            assert_eq!(r.forward(&x), n.scores(&x));
        }
        let shown = render(&n);
        assert!(shown.contains("Convolution layer 1 (2 of 2 filters kept)"), "{shown}");
        assert!(shown.contains("f2[2,2]"), "{shown}");
    }
    // A file whose filters do not fit the shape is refused by name.
    let n = conv_net(PoolKind::Max);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("network.json");
    n.save(&p).unwrap();
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"kernel\": 3", "\"kernel\": 2");
    std::fs::write(&p, text).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(e.contains("filter weights, its shape needs 8"), "{e}");
    // A convolution cannot be the identity (its output would be pooled input).
    let mut bad = conv_net(PoolKind::Max);
    bad.layers[0].identity = true;
    assert!(bad.check().unwrap_err().contains("cannot be pruned to the identity"));
}

/// `net()` with its first input read from a text column `sex`
/// (categories f, m) and its second from a numeric column `dose`.
fn encoded_net() -> Network {
    let mut n = net();
    n.feature_names = vec!["sex=f".into(), "dose".into()];
    n.standardizer.encoding = Some(Encoding {
        columns: vec![
            ColumnEncoding::OneHot {
                name: "sex".into(),
                categories: vec!["f".into()],
            },
            ColumnEncoding::Numeric { name: "dose".into() },
        ],
    });
    n
}

#[test]
fn an_encoding_is_saved_as_version_3_and_checked_against_the_features() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("network.json");
    encoded_net().save(&p).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("\"format_version\": 3"), "{text}");
    assert!(text.contains("\"kind\": \"one_hot\""), "{text}");
    assert_eq!(Network::load(&p).unwrap(), encoded_net());
    // An encoding that does not yield the network's inputs is refused.
    let mut bad = encoded_net();
    bad.feature_names[0] = "sex=m".into();
    bad.save(&p).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(e.contains("the encoding yields the inputs [sex=f, dose]"), "{e}");
    // Files without an encoding (every earlier version) load without one.
    net().save(&p).unwrap();
    assert!(!std::fs::read_to_string(&p).unwrap().contains("encoding"));
    assert_eq!(Network::load(&p).unwrap().standardizer.encoding, None);
}

#[test]
fn a_null_or_non_finite_number_is_refused_naming_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("network.json");
    // serde_json writes NaN and infinity as null: what an overflowing
    // standardization left in a file.
    let mut n = net();
    n.standardizer.std[1] = f64::INFINITY;
    n.layers[0].bias[1] = f64::NAN;
    let text = serde_json::to_string_pretty(&n).unwrap();
    assert!(text.contains("null"), "{text}");
    std::fs::write(&p, &text).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(e.contains("standardizer.std[1] is null, not a number"), "{e}");
    n.standardizer.std[1] = 1.0;
    std::fs::write(&p, serde_json::to_string_pretty(&n).unwrap()).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(e.contains("layers[0].bias[1] is null"), "{e}");
    // Absent options (grid, conv) may be null.
    net().save(&p).unwrap();
    assert!(std::fs::read_to_string(&p).unwrap().contains("\"grid\": null"));
    assert!(Network::load(&p).is_ok());
    // A number too large for f64, and a zero scale, are refused too.
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("50.0", "1e999", 1)).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(e.contains("not a mipnet network file") && e.contains("line"), "{e}");
    let mut z = net();
    z.standardizer.std[0] = 0.0;
    z.save(&p).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(
        e.contains("standardizer.std[0] ('age') is 0, not a finite positive number"),
        "{e}"
    );
}
