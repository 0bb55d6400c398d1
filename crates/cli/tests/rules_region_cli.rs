//! Region rules at the command line: the counterexample loop's result in
//! report.json (`regions`) and the summary; bad boxes exit 2 naming the
//! cause.

mod common;

use common::{assert_bad_input, mipnet, stderr, train_quick_iris_with, QUICK};
use serde_json::Value;

const BOX: &str = "[[formulation.rules]]\nkind = \"region\"\nclass = \"setosa\"\nmargin = 0.1\n";

fn config(dir: &std::path::Path, lower: &str, upper: &str) -> String {
    let path = dir.join("region.toml");
    std::fs::write(
        &path,
        format!("{BOX}[formulation.rules.lower]\n{lower}\n[formulation.rules.upper]\n{upper}\n"),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

const SETOSA_LOW: &str =
    "\"sepal length (cm)\" = 4.8\n\"sepal width (cm)\" = 3.2\n\"petal length (cm)\" = 1.3\n\"petal width (cm)\" = 0.15";
const SETOSA_HIGH: &str =
    "\"sepal length (cm)\" = 5.2\n\"sepal width (cm)\" = 3.6\n\"petal length (cm)\" = 1.6\n\"petal width (cm)\" = 0.3";

/// A small box around setosa samples (far from the other classes): the
/// loop ends with the verifier's proof. network.json records the region
/// (not the counterexamples a round used as fixed decisions), the run's
/// whole time limit and the verdict; `show` names the region and says it
/// was proven.
#[test]
fn a_region_that_fits_the_data_ends_proven_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), SETOSA_LOW, SETOSA_HIGH);
    let out = dir.path().join("run");
    let o = train_quick_iris_with(&out, &["--config", &cfg]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let r = &report["regions"][0];
    assert_eq!(r["proven"], true, "{r}");
    assert_eq!(r["in_words"], "proven on the region");
    assert_eq!(r["verifier_answer"], "unsat");
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("region       class \"setosa\" on the box") && text.contains("proven on the region"),
        "{text}"
    );
    let net: Value = serde_json::from_str(&std::fs::read_to_string(out.join("network.json")).unwrap()).unwrap();
    let rules = &net["settings"]["formulation"]["rules"];
    assert_eq!(rules.as_array().unwrap().len(), 1, "{rules}");
    assert_eq!(rules[0]["kind"], "region", "{rules}");
    assert_eq!(net["settings"]["solver"]["time_limit"], 2.0);
    assert_eq!(net["settings"]["region_verdicts"][0]["proven"], true);
    assert_eq!(report["settings"]["formulation"]["rules"], *rules);
    let shown = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(
        shown.contains("  region class \"setosa\" on the box ")
            && shown.contains(": proven on the region (verifier: unsat)"),
        "{shown}"
    );
    assert!(
        !shown.contains("class \"setosa\" at ("),
        "no counterexample listed as a rule: {shown}"
    );
}

/// The same box demanded as setosa and as versicolor (each with a
/// margin): both cannot hold, so at least one region must end "not
/// proven" (and `show` says so for it), whatever the rounds find.
#[test]
fn regions_that_contradict_each_other_are_not_both_proven() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), SETOSA_LOW, SETOSA_HIGH);
    let text = std::fs::read_to_string(&path).unwrap();
    let versicolor = text.replace("class = \"setosa\"", "class = \"versicolor\"");
    std::fs::write(&path, format!("{text}{versicolor}")).unwrap();
    let out = dir.path().join("run");
    let o = train_quick_iris_with(&out, &["--config", &path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let regions = report["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 2, "{report}");
    let unproven: Vec<&Value> = regions.iter().filter(|r| r["proven"] == false).collect();
    assert!(!unproven.is_empty(), "both contradicting regions proven: {regions:?}");
    let shown = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    let shown = String::from_utf8(shown.stdout).unwrap();
    for r in unproven {
        assert!(r["in_words"].as_str().unwrap().starts_with("not proven, "), "{r}");
        assert!(
            shown.contains(&format!(
                "  region {}: NOT PROVEN ({}; verifier: {})",
                r["description"].as_str().unwrap(),
                r["in_words"].as_str().unwrap(),
                r["verifier_answer"].as_str().unwrap()
            )),
            "{shown}"
        );
    }
}

#[test]
fn bad_boxes_exit_2_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let run = |cfg: &str| {
        let mut args = vec!["train", "--dataset", "iris", "--hidden", "2", "--config", cfg];
        args.extend_from_slice(QUICK);
        mipnet(&args)
    };
    let empty = SETOSA_HIGH.replace("\"petal width (cm)\" = 0.3", "\"petal width (cm)\" = 0.1");
    assert_bad_input(
        &run(&config(dir.path(), SETOSA_LOW, &empty)),
        &[
            "rule 1 (region)",
            "the box is empty",
            "\"petal width (cm)\" 0.15 is above its upper end 0.1",
        ],
    );
    let missing = SETOSA_HIGH.replace("\"petal width (cm)\" = 0.3", "");
    assert_bad_input(
        &run(&config(dir.path(), SETOSA_LOW, &missing)),
        &["rule 1 (region)", "upper ends miss features petal width (cm)"],
    );
    let unknown = format!("{SETOSA_HIGH}\n\"stem\" = 1");
    assert_bad_input(
        &run(&config(dir.path(), SETOSA_LOW, &unknown)),
        &["rule 1 (region)", "unknown feature \"stem\""],
    );
}

#[test]
fn write_model_with_a_region_rule_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), SETOSA_LOW, SETOSA_HIGH);
    let out = dir.path().join("run");
    let model = dir.path().join("model");
    let mut args = vec![
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "2",
        "--config",
        &cfg,
        "--out",
        out.to_str().unwrap(),
        "--write-model",
        model.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_bad_input(
        &o,
        &[
            "--write-model does not support region rules",
            "rule 1: \"class \"setosa\" on the box",
            "drop --write-model or the rule",
        ],
    );
    assert!(!out.exists() && !model.exists(), "nothing written");
}
