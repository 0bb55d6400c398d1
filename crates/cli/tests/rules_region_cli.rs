//! Region rules at the command line: the counterexample loop's result in
//! report.json (`regions`) and the summary; an interrupt (Ctrl-C) during
//! a round ends the run with the best network so far written and the
//! region's partial verdict recorded; bad boxes exit 2 naming the cause.

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

/// Exit code of an interrupted run (README "Exit codes").
const INTERRUPTED: i32 = 5;

/// Seconds the test waits for a cue on stderr, and for the run to end
/// after the interrupt (the run's own limit is 60 s).
const CUE_SECONDS: u64 = 120;

/// Two clusters, "a" around (0, 0) and "b" around (3, 3), 24 rows.
fn clusters_csv(dir: &std::path::Path) -> String {
    let mut text = String::from("u,v,label\n");
    for i in 0..12 {
        let t = i as f64 * 0.37;
        let (dx, dy) = (0.6 * t.sin(), 0.6 * (1.7 * t).cos());
        text += &format!("{dx},{dy},a\n{},{},b\n", 3.0 + dy, 3.0 + dx);
    }
    let path = dir.join("clusters.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Spawns mipnet with `args`, waits until its stderr shows `cue`, sends
/// SIGINT (as Ctrl-C does), and returns its exit code, its whole stderr
/// and the seconds it took to end after the signal.
fn interrupt_after(args: &[&str], cue: &str) -> (Option<i32>, String, f64) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mipnet"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mipnet runs");
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all += &line;
            all.push('\n');
        }
        all
    });
    let deadline = Instant::now() + Duration::from_secs(CUE_SECONDS);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.contains(cue) => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("no '{cue}' on stderr: {}", reader.join().unwrap());
            }
        }
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let clock = Instant::now();
    let status = child.wait().unwrap();
    (status.code(), reader.join().unwrap(), clock.elapsed().as_secs_f64())
}

/// Ctrl-C as round 2 starts (round 1's network broke the region, so
/// round 2 trains with its counterexample): the run ends at once with
/// exit 5, the best certified network of the round written, and the
/// region recorded as what it is then — not proven, the counterexample
/// it was trained with counted — in report.json and network.json.
#[test]
fn an_interrupt_during_a_region_round_writes_the_best_network_and_the_partial_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let csv = clusters_csv(dir.path());
    let cfg = dir.path().join("region.toml");
    std::fs::write(
        &cfg,
        "[[formulation.rules]]\nkind = \"region\"\nclass = \"b\"\nmargin = 0.25\n\
         lower = { u = 1.6, v = 1.6 }\nupper = { u = 2.4, v = 2.4 }\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let (code, err, seconds) = interrupt_after(
        &[
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
            cfg.to_str().unwrap(),
            "--time-limit",
            "60",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        "region rules: round 2",
    );
    assert_eq!(code, Some(INTERRUPTED), "{err}");
    // Ended by the interrupt, not by round 2's own time (about 20 s).
    assert!(seconds < 10.0, "{seconds} s after the interrupt");
    assert!(
        err.contains("mipnet: interrupted: the best certified network so far was written to"),
        "{err}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["network.json", "report.json", "test.csv"]);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["status"], "interrupted", "{}", report["status"]);
    assert_eq!(report["certificate"]["passed"], true);
    let r = &report["regions"][0];
    assert_eq!(r["proven"], false, "{r}");
    assert_eq!(r["counterexamples_added"], 1, "{r}");
    assert_eq!(r["in_words"], "not proven, 1 counterexamples added", "{r}");
    // network.json records the user's region (not the counterexample) and
    // the same verdict; `show` reads it.
    let net: Value = serde_json::from_str(&std::fs::read_to_string(out.join("network.json")).unwrap()).unwrap();
    let rules = &net["settings"]["formulation"]["rules"];
    assert_eq!(rules.as_array().unwrap().len(), 1, "{rules}");
    assert_eq!(rules[0]["kind"], "region", "{rules}");
    assert_eq!(net["settings"]["region_verdicts"][0], *r);
    let shown = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
}
