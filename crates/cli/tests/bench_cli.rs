//! `mipnet bench` over several split seeds: bad split seeds and selection
//! files are refused before any work (exit 2, one line naming the cause);
//! bench.json holds a row per split seed, case and seed with the pruning
//! baselines beside each; with `--select` every run is select's plan and
//! chooses what `mipnet select` chooses on the same split, seeds and grid.

mod common;
use common::{assert_bad_input, assert_usage_error, mipnet, stderr};
use serde_json::Value;

fn bench(args: &[&str]) -> std::process::Output {
    let mut all = vec!["bench", "--quick", "--case", "iris", "-q"];
    all.extend_from_slice(args);
    mipnet(&all)
}

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn bad_split_seeds_exit_2_naming_the_cause_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let cases: &[(&str, &[&str])] = &[
        ("3-1", &["--split-seeds '3-1'", "the range 3-1 runs backwards", "(1-3)"]),
        ("a", &["--split-seeds 'a'", "'a' is not a split seed"]),
        ("", &["--split-seeds ''", "empty"]),
        ("0,2,2", &["--split-seeds '0,2,2'", "gives split seed 2 twice"]),
        ("0-3,1", &["gives split seed 1 twice"]),
        ("-1", &["'-1' is not a split seed"]),
        ("0-5000", &["more than 1000 split seeds"]),
    ];
    for (text, fragments) in cases {
        let o = bench(&["--split-seeds", text, "--out", out.to_str().unwrap()]);
        assert_bad_input(&o, fragments);
        assert!(!out.exists(), "nothing written for {text:?}");
    }
    let o = bench(&["--split-seed", "1", "--split-seeds", "0-2"]);
    assert_usage_error(&o, &["--split-seed <N>", "cannot be used with", "--split-seeds"]);
    let o = bench(&["--prove-seconds", "-1", "--out", out.to_str().unwrap()]);
    assert_bad_input(&o, &["prove_seconds", "got -1"]);
    assert!(!out.exists(), "nothing written for --prove-seconds -1");
}

#[test]
fn a_bad_selection_exits_2_naming_the_file_and_the_cause_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let grid = tmp.path().join("grid.toml");
    let out = tmp.path().join("b");
    let cases: &[(&str, &[&str])] = &[
        ("[select]\nalpha = [0.1]\n", &["grid.toml", "unknown field `alpha`"]),
        ("[select]\nl1 = [0.1, -1.0]\n", &["grid α", "-1 is negative"]),
        // Iris's training split of seed 0 has 37 setosa flowers.
        ("[select]\nfolds = 38\n", &["38 folds", "class 'setosa' has 37"]),
        (
            "[select]\nl1 = [0.1, 0.2, 0.3]\n",
            &["cross-validation runs", "give a time limit of at least"],
        ),
    ];
    for (text, fragments) in cases {
        std::fs::write(&grid, text).unwrap();
        let o = bench(&[
            "--select",
            grid.to_str().unwrap(),
            "--split-seeds",
            "0-1",
            "--time-limit",
            "4",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_bad_input(&o, fragments);
        assert!(!out.exists(), "nothing written for {text:?}");
    }
    let o = bench(&["--select", tmp.path().join("missing.toml").to_str().unwrap()]);
    assert_bad_input(&o, &["--select: cannot read", "missing.toml"]);
}

#[test]
fn bench_json_has_a_row_per_split_case_and_seed_with_the_baselines_and_the_medians_over_splits() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let o = bench(&[
        "--split-seeds",
        "0,2",
        "--seeds",
        "0,1",
        "--time-limit",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b = read_json(&out.join("bench.json"));
    assert_eq!(b["format_version"], 2);
    assert_eq!(b["suite"]["split_seeds"], serde_json::json!([0, 2]));
    let rows = b["rows"].as_array().unwrap();
    // 2 split seeds × (1 case × 2 seeds).
    assert_eq!(rows.len(), 4);
    let keys: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| (r["split_seed"].as_u64().unwrap(), r["seed"].as_u64().unwrap()))
        .collect();
    assert_eq!(keys, vec![(0, 0), (0, 1), (2, 0), (2, 1)]);
    assert_eq!(b["reports"].as_array().unwrap().len(), 4);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["report"], i);
        let report = &b["reports"][i];
        assert_eq!(r["test_accuracy"], report["test_accuracy"]);
        // The baselines at the run's zero weights, trained on its training split.
        let base = &r["baselines"];
        let zero = base["milp"]["zero_weights"].as_u64().unwrap();
        let methods = base["at_equal_sparsity"].as_array().unwrap();
        assert_eq!(methods.len(), 3);
        for m in methods {
            assert_eq!(m["zero_weights"].as_u64().unwrap(), zero, "{m}");
        }
        assert_eq!(base["milp"]["test_accuracy"], r["test_accuracy"]);
    }
    // Rows of different splits hold different test sets' accuracies of
    // the same size (38 of Iris's 150).
    assert!(rows.iter().all(|r| r["n_test"] == 38));
    // Per split: the median of the two seeds; over the splits: their median and range.
    let summaries = b["summaries"].as_array().unwrap();
    assert_eq!(summaries.len(), 2);
    let acc = |r: &Value| r["test_accuracy"].as_f64().unwrap();
    for (k, s) in summaries.iter().enumerate() {
        let want = (acc(&rows[2 * k]) + acc(&rows[2 * k + 1])) / 2.0;
        assert!((acc(s) - want).abs() < 1e-12, "{s}");
    }
    let over = &b["over_splits"][0]["test_accuracy"];
    let (a, c) = (acc(&summaries[0]), acc(&summaries[1]));
    assert!(
        (over["median"].as_f64().unwrap() - (a + c) / 2.0).abs() < 1e-12,
        "{over}"
    );
    assert_eq!(over["min"].as_f64().unwrap(), a.min(c));
    assert_eq!(over["max"].as_f64().unwrap(), a.max(c));
    let md = std::fs::read_to_string(out.join("bench.md")).unwrap();
    assert!(md.contains("split seeds 0, 2"), "{md}");
    assert!(
        md.contains("Over split seeds 0, 2: the median of the per-split medians"),
        "{md}"
    );
    for column in [
        "dense gradient",
        "one-shot magnitude + fine-tune",
        "iterative magnitude + rewind",
        "ℓ1 proximal",
    ] {
        assert!(md.contains(column), "{md}");
    }
    assert!(String::from_utf8_lossy(&o.stdout).contains("Over split seeds 0, 2"));
}

#[test]
fn selection_in_bench_chooses_what_mipnet_select_chooses_on_the_same_split_seeds_and_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let grid = tmp.path().join("grid.toml");
    // α = 30 zeroes every weight (one class predicted); α = 0.01 fits: the
    // planted best is the second setting.
    std::fs::write(&grid, "[select]\nl1 = [30.0, 0.01]\nhidden = [[3]]\nfolds = 3\n").unwrap();
    let out = tmp.path().join("b");
    let o = bench(&[
        "--select",
        grid.to_str().unwrap(),
        "--split-seeds",
        "1",
        "--seeds",
        "0",
        "--time-limit",
        "12",
        "--no-baselines",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b = read_json(&out.join("bench.json"));
    let rows = b["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let in_bench = &rows[0]["selection"];
    // mipnet select with the quick suite's settings, the same split, seeds and grid.
    let o = mipnet(&[
        "select",
        "--dataset",
        "iris",
        "--split-seed",
        "1",
        "--epochs",
        "1500",
        "--finetune-epochs",
        "1000",
        "--threads",
        "2",
        "--time-limit",
        "12",
        "--grid",
        grid.to_str().unwrap(),
        "--no-baselines",
        "--json",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let alone = &report["selection"];
    assert_eq!(alone["chosen"], 1, "{}", alone["table"]);
    assert_eq!(in_bench["chosen"], alone["chosen"]);
    assert_eq!(in_bench["chosen_setting"], alone["chosen_setting"]);
    assert_eq!(in_bench["settings"], alone["settings"]);
    assert_eq!(in_bench["plan"], alone["plan"]);
    // The same folds of the same training split.
    let folds = |s: &Value| -> Vec<(u64, u64)> {
        s["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["n_train"].as_u64().unwrap(), r["n_validation"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(folds(in_bench), folds(alone));
    assert_eq!(rows[0]["selected"], alone["chosen_setting"]);
    assert_eq!(rows[0]["n_train"], report["n_train"]);
    // The refit is the chosen setting's, certified, and the table names it.
    assert_eq!(b["reports"][0]["settings"]["formulation"]["l1"], 0.01);
    assert_eq!(rows[0]["certified"], true);
    let md = std::fs::read_to_string(out.join("bench.md")).unwrap();
    assert!(md.contains("grid α [30, 0.01], hidden [3], 3 stratified folds"), "{md}");
    assert!(md.contains("| split seed | selected |"), "{md}");
    assert!(md.contains("| 1 | α 0.01 |"), "{md}");
}

#[test]
fn help_documents_the_split_selection_and_baseline_flags() {
    let o = mipnet(&["bench", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--split-seeds",
        "0-4",
        "0,2,5",
        "--select",
        "[select]",
        "--no-baselines",
        "--prove-seconds",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn an_interrupt_keeps_the_rows_that_finished_writes_their_tables_and_exits_5() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    // Progress on stderr is the cue: not quiet.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mipnet"))
        .args([
            "bench",
            "--quick",
            "--case",
            "iris",
            "--split-seeds",
            "0-4",
            "--time-limit",
            "3",
            "--no-baselines",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mipnet runs");
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all += &line;
            all.push('\n');
        }
        all
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.contains("split 2/5 (split seed 1), run 1/1: iris") => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("the second split never started: {}", reader.join().unwrap());
            }
        }
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    let err = reader.join().unwrap();
    assert_eq!(status.code(), Some(5), "{err}");
    assert!(err.contains("the table holds the runs that finished"), "{err}");
    let b = read_json(&out.join("bench.json"));
    assert_eq!(b["interrupted"], true);
    let rows = b["rows"].as_array().unwrap();
    // Split 0 finished; split 1's run ended early (kept, flagged, left out
    // of the medians); splits 2–4 never started.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0]["split_seed"].as_u64(), rows[0]["interrupted"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(
        (rows[1]["split_seed"].as_u64(), rows[1]["interrupted"].as_bool()),
        (Some(1), Some(true))
    );
    let summaries = b["summaries"].as_array().unwrap();
    assert_eq!(summaries.len(), 1, "only split 0 has a finished run: {summaries:?}");
    assert_eq!(summaries[0]["test_accuracy"], rows[0]["test_accuracy"]);
    let md = std::fs::read_to_string(out.join("bench.md")).unwrap();
    assert!(
        md.contains("Interrupted: the tables hold the runs that finished."),
        "{md}"
    );
}
