//! Fairness rules at the command line: a group column kept out of the
//! inputs (the written network does not read or even list it; test.csv
//! keeps it, to count the rates on the test split), the rule recorded as
//! holding; three classes (error rates, and rates of predicting a named
//! class) with the rates recounted from network.json by a forward pass
//! written here; bad fairness rules exit 2 naming the cause.

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
}

/// A three-class CSV (x, y, grp, label): 18 rows on a fixed pattern,
/// groups grp = 0 and 1 alternating, classes a, b, c along x.
fn three_class_csv(dir: &Path) -> String {
    let mut text = String::from("x,y,grp,label\n");
    for n in 0..18 {
        let (g, c) = (n % 2, (n / 2) % 3);
        // A fixed scatter in [−0.8, 0.8] (no randomness: the test is exact).
        let jitter = ((n * 7) % 11) as f64 / 11.0 * 1.6 - 0.8;
        let x = c as f64 + jitter + 0.3 * g as f64;
        let y = ((n * 5) % 9) as f64 / 9.0 * 2.0 - 1.0 + if c == 2 { 0.5 } else { 0.0 };
        text += &format!("{x},{y},{g},{}\n", ["a", "b", "c"][c]);
    }
    let path = dir.join("three.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The scores of network.json at a raw input (standardized by its own
/// standardizer), by a forward pass over its dense layers.
fn scores(network: &Value, raw: &[f64]) -> Vec<f64> {
    let st = &network["standardizer"];
    let mut a: Vec<f64> = raw
        .iter()
        .enumerate()
        .map(|(i, v)| (v - st["mean"][i].as_f64().unwrap()) / st["std"][i].as_f64().unwrap())
        .collect();
    for layer in network["layers"].as_array().unwrap() {
        assert_eq!(layer["identity"], false, "dense layers only");
        let relu = layer["relu"].as_bool().unwrap();
        a = layer["weights"]
            .as_array()
            .unwrap()
            .iter()
            .zip(layer["bias"].as_array().unwrap())
            .map(|(row, b)| {
                let z: f64 = row
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(&a)
                    .map(|(w, x)| w.as_f64().unwrap() * x)
                    .sum::<f64>()
                    + b.as_f64().unwrap();
                if relu {
                    z.max(0.0)
                } else {
                    z
                }
            })
            .collect();
    }
    a
}

/// The formulation's default margin, which the rules below count at.
const MARGIN: f64 = 1.0;

/// The forward pass's rounding allowed when a lead is compared with the
/// margin (as the certificate allows).
const LEAD_ROUNDING: f64 = 1e-7;

#[test]
fn three_classes_fairness_rules_hold_by_a_recount_of_the_written_network() {
    let dir = tempfile::tempdir().unwrap();
    let csv = three_class_csv(dir.path());
    let rows: Vec<(Vec<f64>, usize, usize)> = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            let x = vec![v[0].parse().unwrap(), v[1].parse().unwrap(), v[2].parse().unwrap()];
            let c = ["a", "b", "c"].iter().position(|c| *c == v[3]).unwrap();
            (x, v[2].parse().unwrap(), c)
        })
        .collect();
    // (the rule, its counted class of a sample of class y (none: y), the
    // group column is an input)
    let cases: [(&str, Option<usize>, bool); 2] = [
        ("group = \"grp\"\nmax_gap = 0.0\n", None, true),
        (
            "group = \"grp\"\nmax_gap = 0.0\nmeasure = \"positive_rate\"\npositive_class = \"c\"\ngroup_is_feature = false\n",
            Some(2),
            false,
        ),
    ];
    for (k, (rule, positive, is_feature)) in cases.into_iter().enumerate() {
        let cfg = config(dir.path(), rule);
        let out = dir.path().join(format!("run{k}"));
        let o = mipnet(&[
            "train",
            "--data",
            &csv,
            "--label",
            "label",
            "--test-data",
            &csv,
            "--hidden",
            "2",
            "--config",
            &cfg,
            "--epochs",
            "400",
            "--finetune-epochs",
            "300",
            "--time-limit",
            "5",
            "--threads",
            "1",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{rule}: {}", stderr(&o));
        let report = read_json(&out.join("report.json"));
        assert_eq!(report["rules"][0]["holds"], true, "{}", report["rules"][0]);
        let network = read_json(&out.join("network.json"));
        assert_eq!(network["class_names"].as_array().unwrap().len(), 3);
        // Counted at the margin, per group, by the forward pass here.
        let mut counted = [0usize; 2];
        let mut sizes = [0usize; 2];
        for (x, g, y) in &rows {
            let input = if is_feature { x.clone() } else { x[..2].to_vec() };
            let o = scores(&network, &input);
            let c = positive.unwrap_or(*y);
            let lead = (0..3)
                .filter(|&j| j != c)
                .map(|j| o[c] - o[j])
                .fold(f64::INFINITY, f64::min);
            sizes[*g] += 1;
            if lead >= MARGIN - LEAD_ROUNDING {
                counted[*g] += 1;
            }
        }
        assert_eq!(
            counted[0] * sizes[1],
            counted[1] * sizes[0],
            "{rule}: counted {counted:?} of {sizes:?}"
        );
    }
}
