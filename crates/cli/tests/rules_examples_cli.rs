//! The fairness example (examples/rules/wdbc_fairness.toml) runs from its
//! config: the rule holds, the group column is not an input, and the run
//! without rules is recorded beside it.

mod common;

use common::{mipnet, stderr};
use serde_json::Value;
use std::path::Path;

#[test]
fn the_fairness_example_runs_from_its_config_and_keeps_its_rule() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rules/wdbc_fairness.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    // Shorter than the example's 60 s, with its three gradient starts
    // (the first breaks the rule beyond what its output biases can repair
    // and is dropped; the others are repaired).
    let o = mipnet(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--compare-unconstrained",
        "--time-limit",
        "20",
        "--threads",
        "1",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |f: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(out.join(f)).unwrap()).unwrap() };
    let report = read("report.json");
    assert_eq!(report["rules"][0]["rule"]["kind"], "fairness");
    assert_eq!(report["rules"][0]["holds"], true, "{}", report["rules"]);
    assert!(report["unconstrained"]["test_accuracy"].as_f64().is_some());
    let network = read("network.json");
    let names = network["feature_names"].as_array().unwrap();
    assert_eq!(names.len(), 29);
    assert!(!names.iter().any(|n| n == "mean radius"));
}
