//! The network file format, forward pass, metrics and readable form.

use mipnet_data::Standardizer;
use mipnet_network::{render, Layer, Network, FORMAT_VERSION};

fn net() -> Network {
    Network {
        format_version: FORMAT_VERSION,
        feature_names: vec!["age".into(), "dose".into()],
        class_names: vec!["no".into(), "yes".into()],
        standardizer: Standardizer {
            mean: vec![50.0, 2.0],
            std: vec![10.0, 1.0],
        },
        layers: vec![
            Layer {
                weights: vec![vec![1.0, 0.0], vec![0.0, 0.0]],
                bias: vec![0.5, 0.0],
                kept: vec![true, false],
                relu: true,
                identity: false,
                grid: None,
            },
            Layer {
                weights: vec![vec![-1.0, 0.0], vec![1.0, 0.0]],
                bias: vec![0.0, -1.0],
                kept: vec![true, true],
                relu: false,
                identity: false,
                grid: None,
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
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"format_version\": 1", "\"format_version\": 2");
    std::fs::write(&p, text).unwrap();
    let e = Network::load(&p).unwrap_err().to_string();
    assert!(e.contains("format version 2"), "{e}");
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
