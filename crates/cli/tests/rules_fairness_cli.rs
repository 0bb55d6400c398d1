//! Fairness rules at the command line: a group column kept out of the
//! inputs (the written network does not read or even list it; test.csv
//! keeps it, to count the rates on the test split), the rule recorded as
//! holding; bad fairness rules exit 2 naming the cause.

mod common;

use common::{assert_bad_input, mipnet, stderr, QUICK};
use serde_json::Value;
use std::path::Path;

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn config(dir: &Path, rule: &str) -> String {
    let path = dir.join("fair.toml");
    std::fs::write(&path, format!("[[formulation.rules]]\nkind = \"fairness\"\n{rule}")).unwrap();
    path.to_str().unwrap().to_string()
}

fn train_wdbc(config: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["train", "--dataset", "wdbc", "--hidden", "2", "--config", config];
    args.extend_from_slice(extra);
    args.extend_from_slice(QUICK);
    mipnet(&args)
}

#[test]
fn a_group_column_kept_out_of_the_inputs_is_not_in_the_network_and_the_rule_holds() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "group = \"mean radius\"\nthreshold = 14\nmax_gap = 0.1\ngroup_is_feature = false\n",
    );
    let out = dir.path().join("run");
    let o = train_wdbc(&cfg, &["--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let network = read_json(&out.join("network.json"));
    let names: Vec<&str> = network["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 29, "{names:?}");
    assert!(!names.contains(&"mean radius"), "{names:?}");
    let report = read_json(&out.join("report.json"));
    let rule = &report["rules"][0];
    assert_eq!(rule["rule"]["kind"], "fairness", "{rule}");
    assert_eq!(rule["holds"], true, "{rule}");
    assert!(rule["detail"].as_str().unwrap().contains("mean radius ≤ 14"), "{rule}");
    let test_csv = std::fs::read_to_string(out.join("test.csv")).unwrap();
    assert!(test_csv.lines().next().unwrap().contains("mean radius"));
    // `show` lists the rule and that it holds.
    let o = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("error rates of the groups of \"mean radius\""), "{text}");
    assert!(text.contains("holds"), "{text}");
}

#[test]
fn bad_fairness_rules_exit_2_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 5] = [
        (
            "group = \"shoe size\"\nthreshold = 1\nmax_gap = 0.1\n",
            &["rule 1 (fairness)", "unknown feature \"shoe size\""],
        ),
        (
            "group = \"mean radius\"\nthreshold = 14\nmax_gap = 1.5\n",
            &["rule 1 (fairness)", "max_gap (δ) must be within [0, 1], got 1.5"],
        ),
        (
            "group = \"mean radius\"\nthreshold = 100\nmax_gap = 0.1\n",
            &["rule 1 (fairness)", "the group mean radius > 100 has no training samples"],
        ),
        (
            "group = \"mean radius\"\nmax_gap = 0.1\n",
            &["rule 1 (fairness)", "distinct values", "give a threshold"],
        ),
        (
            "group = \"mean radius\"\nthreshold = 14\nmax_gap = 0.1\nmeasure = \"positive_rate\"\npositive_class = \"tumour\"\n",
            &["rule 1 (fairness)", "unknown class \"tumour\""],
        ),
    ];
    for (rule, fragments) in cases {
        assert_bad_input(&train_wdbc(&config(dir.path(), rule), &[]), fragments);
    }
    // Three classes.
    let cfg = config(
        dir.path(),
        "group = \"petal width (cm)\"\nthreshold = 1\nmax_gap = 0.1\n",
    );
    let mut args = vec!["train", "--dataset", "iris", "--hidden", "2", "--config", &cfg];
    args.extend_from_slice(QUICK);
    assert_bad_input(&mipnet(&args), &["fairness rules need two classes, the data has 3"]);
}
