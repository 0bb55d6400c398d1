//! Rules at the command line: `[[formulation.rules]]` in a config file and
//! the flags (--max-features, --max-neurons, --min-recall, --monotone),
//! which add to the file's; bad rules exit 2 naming the cause; rules that
//! cannot all hold exit 6 naming the rule; `show` lists the rules and
//! whether each holds; the written network keeps them (features read
//! counted from network.json).

mod common;

use common::{assert_bad_input, mipnet, stderr, train_quick_iris_with, QUICK};
use serde_json::Value;
use std::path::Path;

/// Exit code of rules that cannot all hold (README "Exit codes").
const RULES_CANNOT_ALL_HOLD: i32 = 6;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Input columns with a nonzero layer-1 weight, counted in network.json.
fn features_read(network: &Value) -> usize {
    let rows = network["layers"][0]["weights"].as_array().unwrap();
    let inputs = rows[0].as_array().unwrap().len();
    (0..inputs)
        .filter(|&i| rows.iter().any(|r| r[i].as_f64().unwrap() != 0.0))
        .count()
}

fn kinds(report: &Value) -> Vec<String> {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"]["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_config_files_rules_and_the_flags_rules_all_reach_the_run_and_hold() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rules.toml");
    std::fs::write(
        &config,
        "[[formulation.rules]]\nkind = \"feature_budget\"\nmax_features = 2\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = train_quick_iris_with(
        &out,
        &[
            "--config",
            config.to_str().unwrap(),
            "--min-recall",
            "virginica=0.9",
            "--monotone",
            "petal length (cm):virginica:increasing",
            "--max-neurons",
            "3",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = read_json(&out.join("report.json"));
    // The file's rule first, then the flags' in their fixed order.
    assert_eq!(
        kinds(&report),
        ["feature_budget", "neuron_limit", "class_recall", "monotone"]
    );
    assert!(
        report["rules"].as_array().unwrap().iter().all(|r| r["holds"] == true),
        "{}",
        report["rules"]
    );
    let network = read_json(&out.join("network.json"));
    assert!(features_read(&network) <= 2, "{}", features_read(&network));
    // `show` lists each rule and that it holds.
    let o = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("Rules ("), "{text}");
    assert!(text.contains("reads at most 2 input features: holds"), "{text}");
    assert!(text.contains("keeps at most 3 hidden units: holds"), "{text}");
    assert_eq!(text.matches(": holds (").count(), 4, "{text}");
}

#[test]
fn show_without_the_report_lists_the_rules_unchecked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    train_quick_iris_with(&out, &["--max-features", "3"]);
    std::fs::remove_file(out.join("report.json")).unwrap();
    let o = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("not checked here"), "{text}");
    assert!(text.contains("  reads at most 3 input features\n"), "{text}");
}

/// `mipnet train --dataset iris` with `extra` flags, quick, no output.
fn iris_with(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train", "--dataset", "iris", "--hidden", "4"];
    args.extend_from_slice(extra);
    args.extend_from_slice(QUICK);
    mipnet(&args)
}

#[test]
fn bad_rule_flags_exit_2_naming_the_flag_and_the_cause() {
    assert_bad_input(
        &iris_with(&["--max-features", "0"]),
        &["--max-features must be at least 1, got 0"],
    );
    assert_bad_input(
        &iris_with(&["--max-neurons", "0"]),
        &["--max-neurons must be at least 1, got 0"],
    );
    assert_bad_input(
        &iris_with(&["--min-recall", "virginica=1.5"]),
        &["--min-recall 'virginica=1.5'", "within [0, 1], got 1.5"],
    );
    assert_bad_input(
        &iris_with(&["--min-recall", "virginica"]),
        &["--min-recall 'virginica'", "expected CLASS=R"],
    );
    assert_bad_input(
        &iris_with(&["--monotone", "petal length (cm):virginica:upwards"]),
        &["--monotone", "increasing or decreasing, got 'upwards'"],
    );
}

#[test]
fn rules_naming_what_the_data_lacks_exit_2_naming_it() {
    assert_bad_input(&iris_with(&["--min-recall", "tulip=0.9"]), &["class_recall", "tulip"]);
    assert_bad_input(
        &iris_with(&["--monotone", "stem length:virginica:increasing"]),
        &["monotone", "stem length"],
    );
    // Nothing is written for a bad rule.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = iris_with(&["--min-recall", "tulip=0.9", "--out", out.to_str().unwrap()]);
    assert_bad_input(&o, &["tulip"]);
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_bad_rule_in_a_config_file_exits_2_naming_the_file_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rules.toml");
    std::fs::write(
        &config,
        "[[formulation.rules]]\nkind = \"class_recall\"\nclass = \"virginica\"\nmin_recall = -0.5\n",
    )
    .unwrap();
    let o = iris_with(&["--config", config.to_str().unwrap()]);
    assert_bad_input(&o, &["min_recall must be within [0, 1], got -0.5"]);
}

#[test]
fn rules_that_cannot_all_hold_exit_6_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rules.toml");
    // No network within the weight box reaches this margin at the point.
    std::fs::write(
        &config,
        "[[formulation.rules]]\nkind = \"fixed_decision\"\nclass = \"setosa\"\nmargin = 1e6\n\
         point = { \"sepal length (cm)\" = 5.0, \"sepal width (cm)\" = 3.0, \
         \"petal length (cm)\" = 1.5, \"petal width (cm)\" = 0.2 }\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = mipnet(&[
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "4",
        "--config",
        config.to_str().unwrap(),
        "--max-features",
        "2",
        "--time-limit",
        "20",
        "--threads",
        "1",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(RULES_CANNOT_ALL_HOLD), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("the rules cannot all hold"), "{err}");
    assert!(
        err.contains("cannot hold even alone: rule 1 (class \"setosa\" at ("),
        "{err}"
    );
    assert!(!err.contains("reads at most 2"), "{err}");
    assert!(o.stdout.is_empty());
    assert!(!out.exists());
}

#[test]
fn the_worked_wdbc_example_runs_from_its_config_and_keeps_its_rules() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rules/wdbc.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    // Shorter than the example's 120 s: the rules hold from the first
    // certified network on.
    let o = mipnet(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--time-limit",
        "15",
        "--gradient-starts",
        "1",
        "--threads",
        "1",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = read_json(&out.join("report.json"));
    assert_eq!(kinds(&report), ["feature_budget", "class_recall", "monotone"]);
    assert!(
        report["rules"].as_array().unwrap().iter().all(|r| r["holds"] == true),
        "{}",
        report["rules"]
    );
    assert!(features_read(&read_json(&out.join("network.json"))) <= 3);
    // The gradient network beside it keeps none of them.
    let baseline = report["baseline"]["rules"].as_array().unwrap();
    assert!(baseline.iter().all(|r| r["holds"] == false), "{baseline:?}");
}
