//! Per-class loss weights at the command line: `--class-weight CLASS=W`
//! and `class_weights` in a config file reach the run's settings and its
//! summary; bad weights exit 2 naming the cause.

mod common;

use common::{assert_bad_input, mipnet, stderr, train_quick_iris_with, QUICK};
use serde_json::Value;

#[test]
fn class_weights_from_the_file_and_the_flag_reach_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("weights.toml");
    std::fs::write(
        &config,
        "[formulation]\nclass_weights = { setosa = 2, virginica = 5 }\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = train_quick_iris_with(
        &out,
        &["--config", config.to_str().unwrap(), "--class-weight", "virginica=3"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let w = &report["settings"]["formulation"]["class_weights"];
    // The flag replaces the file's weight of its class only.
    assert_eq!(w["setosa"], 2.0, "{w}");
    assert_eq!(w["virginica"], 3.0, "{w}");
    assert_eq!(report["certificate"]["passed"], true);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("class weights setosa 2, virginica 3 (the other classes 1)"),
        "{text}"
    );
}

#[test]
fn bad_class_weights_exit_2_naming_the_cause() {
    let run = |extra: &[&str]| {
        let mut args = vec!["train", "--dataset", "iris", "--hidden", "2"];
        args.extend_from_slice(extra);
        args.extend_from_slice(QUICK);
        mipnet(&args)
    };
    assert_bad_input(
        &run(&["--class-weight", "virginica=0.5"]),
        &["--class-weight 'virginica=0.5'", "at least 1", "0.5"],
    );
    assert_bad_input(
        &run(&["--class-weight", "virginica"]),
        &["--class-weight 'virginica'", "expected CLASS=W"],
    );
    assert_bad_input(
        &run(&["--class-weight", "virginica=much"]),
        &["the weight 'much' is not a number"],
    );
    assert_bad_input(
        &run(&["--class-weight", "tulip=2"]),
        &[
            "class_weights",
            "unknown class \"tulip\"",
            "setosa, versicolor, virginica",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("w.toml");
    std::fs::write(&config, "[formulation]\nclass_weights = { setosa = 0 }\n").unwrap();
    assert_bad_input(
        &run(&["--config", config.to_str().unwrap()]),
        &["class_weights", "class \"setosa\"", "at least 1", "got 0"],
    );
}
