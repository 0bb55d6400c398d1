//! `--compare-unconstrained`: the same run without its rules beside the
//! rules run (report.json's `unconstrained`, the summary's line); a share
//! outside (0, 1) or a run without rules exits 2 naming the cause.

mod common;

use common::{assert_bad_input, mipnet, stderr, train_quick_iris_with, QUICK};
use serde_json::Value;

#[test]
fn the_run_without_rules_is_recorded_beside_the_rules_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = train_quick_iris_with(&out, &["--max-features", "1", "--compare-unconstrained", "0.4"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let u = &report["unconstrained"];
    assert_eq!(u["share"], 0.4, "{u}");
    assert!(u["test_accuracy"].as_f64().is_some(), "{u}");
    // Without the budget the network reads more than the one feature.
    assert!(u["features_read"].as_u64().unwrap() > 1, "{u}");
    // The rules run had the rest of the time limit (2 s in QUICK).
    let limit = report["settings"]["solver"]["time_limit"].as_f64().unwrap();
    assert!((limit - 1.2).abs() < 1e-9, "{limit}");
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("without rules train"), "{text}");
    assert!(text.contains("the rules cost"), "{text}");
}

#[test]
fn a_bad_share_or_a_run_without_rules_exits_2() {
    let run = |extra: &[&str]| {
        let mut args = vec!["train", "--dataset", "iris", "--hidden", "2"];
        args.extend_from_slice(extra);
        args.extend_from_slice(QUICK);
        mipnet(&args)
    };
    assert_bad_input(
        &run(&["--max-features", "1", "--compare-unconstrained", "1.5"]),
        &["--compare-unconstrained", "within (0, 1), got 1.5"],
    );
    assert_bad_input(
        &run(&["--compare-unconstrained"]),
        &["--compare-unconstrained", "no rules to compare with"],
    );
}
