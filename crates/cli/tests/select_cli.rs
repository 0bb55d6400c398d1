//! `mipnet select`: bad grids, folds and budgets are refused before any
//! work (exit 2, one line naming the cause); a tiny selection on Iris
//! writes a run whose report holds the CV table, the chosen setting (the
//! table's argmax) and the baselines.

mod common;
use common::{assert_bad_input, mipnet, stderr};

/// Flags of a quick selection run: short gradient phases, one start.
const QUICK_SELECT: &[&str] = &[
    "--epochs",
    "300",
    "--finetune-epochs",
    "200",
    "--gradient-starts",
    "1",
    "--threads",
    "2",
    "-q",
];

fn select_iris(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["select", "--dataset", "iris"];
    args.extend_from_slice(extra);
    mipnet(&args)
}

#[test]
fn bad_grids_exit_2_naming_the_cause() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["--l1-values", ""], &["--l1-values", "empty list"]),
        (&["--l1-values", "0.01,-0.1"], &["--l1-values", "-0.1 is negative"]),
        (&["--l1-values", "0.01,abc"], &["--l1-values", "'abc' is not a number"]),
        (&["--l1-values", "0.01,0.01"], &["lists 0.01 twice"]),
        (
            &["--loss-values", "hinge,squared"],
            &["unknown loss 'squared'", "hinge, misclassification, l1"],
        ),
        (&["--hidden-values", "4 0"], &["--hidden-values", "width 0"]),
        (
            &["--grid-levels-values", "1,65"],
            &["--grid-levels-values", "65 is not within 1..=64"],
        ),
        (
            &["--margin-values", "-1"],
            &["--margin-values", "-1 is not zero or a positive number"],
        ),
        (
            &["--folds", "38"],
            &[
                "38 folds",
                "class 'setosa' has 37",
                "setosa 37, versicolor 37, virginica 38",
                "at most 37 folds",
            ],
        ),
        (&["--folds", "1"], &["at least 2 folds, got 1"]),
        (&["--refit-share", "1"], &["refit share", "strictly between 0 and 1"]),
        (
            &["--l1-values", "0.1,0.2,0.3", "--time-limit", "5", "--threads", "2"],
            &["15 cross-validation runs", "at least 11 s"],
        ),
    ];
    for (flags, fragments) in cases {
        let o = select_iris(flags);
        assert_bad_input(&o, fragments);
    }
    // The folds' error is said once (not again as its own source).
    let o = select_iris(&["--folds", "1"]);
    assert_eq!(stderr(&o).matches("at least 2 folds").count(), 1, "{}", stderr(&o));
}

#[test]
fn a_bad_grid_file_exits_2_naming_the_file_and_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("[select]\nl1 = []\n", &["grid α", "empty list"]),
        (
            "[select]\nloss = [\"hinge\", \"squared\"]\n",
            &["grid.toml", "unknown variant `squared`"],
        ),
        ("[select]\nalpha = [0.1]\n", &["grid.toml", "unknown field `alpha`"]),
        (
            "[formulation]\nl1 = 0.1\n",
            &["unknown field `formulation`", "--config"],
        ),
        ("[select]\nfolds = 40\n", &["40 folds", "class 'setosa' has 37"]),
    ];
    let path = tmp.path().join("grid.toml");
    for (text, fragments) in cases {
        std::fs::write(&path, text).unwrap();
        let o = select_iris(&["--grid", path.to_str().unwrap()]);
        assert_bad_input(&o, fragments);
    }
    // A flag overrides the file's key.
    std::fs::write(&path, "[select]\nl1 = []\n").unwrap();
    let o = select_iris(&["--grid", path.to_str().unwrap(), "--l1-values", "0.1", "--folds", "40"]);
    assert_bad_input(&o, &["40 folds"]);
}

#[test]
fn a_tiny_selection_chooses_the_argmax_and_writes_the_run_with_its_selection_and_baselines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    // α = 30: every weight costs more than any fit gains (the zero
    // network); α = 0.01 fits. The planted best is the second setting.
    let mut args = vec![
        "--l1-values",
        "30,0.01",
        "--hidden-values",
        "3",
        "--folds",
        "3",
        "--time-limit",
        "12",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK_SELECT);
    let o = select_iris(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("chosen       setting 2 (α 0.01, hidden 3"), "{stdout}");
    assert!(
        stdout.contains("ℓ1 proximal") && stdout.contains("iterative magnitude + rewind"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let sel = &report["selection"];
    let table = sel["table"].as_array().unwrap();
    assert_eq!(table.len(), 2);
    let means: Vec<f64> = table
        .iter()
        .map(|r| r["validation_accuracy_mean"].as_f64().unwrap())
        .collect();
    assert!(means[1] > means[0], "{means:?}");
    assert_eq!(sel["chosen"], 1);
    assert_eq!(sel["folds"], 3);
    assert_eq!(sel["fold_seed"], 0);
    assert_eq!(sel["grid"]["l1"], serde_json::json!([30.0, 0.01]));
    assert_eq!(sel["runs"].as_array().unwrap().len(), 6);
    // The refit: the chosen setting, the whole training split, certified.
    assert_eq!(report["settings"]["formulation"]["l1"], 0.01);
    assert_eq!(report["n_train"], 112);
    assert_eq!(report["certificate"]["passed"], true);
    // Baselines at the MILP network's zero weights.
    let b = &report["baselines"];
    let milp_zero = b["milp"]["zero_weights"].as_u64().unwrap();
    for e in b["at_equal_sparsity"].as_array().unwrap() {
        assert_eq!(e["zero_weights"].as_u64().unwrap(), milp_zero, "{e}");
        assert!(e["test_accuracy"].as_f64().is_some());
    }
    assert!(out.join("network.json").is_file() && out.join("test.csv").is_file());
    // The run directory is train's: an existing one is refused without --force.
    let o = select_iris(&args);
    assert_bad_input(&o, &["already holds a run", "--force"]);
}

#[test]
fn help_documents_the_grid_flags() {
    let o = mipnet(&["select", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--l1-values",
        "--hidden-values",
        "--margin-values",
        "--grid-levels-values",
        "--loss-values",
        "--folds",
        "--fold-seed",
        "--grid",
        "--refit-share",
        "--no-baselines",
        "Ctrl-C keeps the finished folds",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn an_interrupt_keeps_the_finished_folds_prints_their_table_writes_nothing_and_exits_5() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut args = vec![
        "select",
        "--dataset",
        "iris",
        "--l1-values",
        "0.001,0.01",
        "--hidden-values",
        "3",
        "--folds",
        "3",
        "--time-limit",
        "40",
        "--no-baselines",
        "--out",
        out.to_str().unwrap(),
    ];
    // Progress on stderr is the cue: not quiet.
    args.extend(QUICK_SELECT.iter().filter(|a| **a != "-q"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_mipnet"))
        .args(&args)
        .stdout(Stdio::piped())
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
            Ok(line) if line.contains("fold 1/3: validation") => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("no finished fold on stderr: {}", reader.join().unwrap());
            }
        }
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let status = child.wait().unwrap();
    let err = reader.join().unwrap();
    assert_eq!(status.code(), Some(5), "{err}");
    assert!(err.contains("no refit ran and nothing was written"), "{err}");
    // The table holds the finished fold(s); the settings not finished say so.
    assert!(
        stdout.contains("selection    3 folds") && stdout.contains("(interrupted)"),
        "{stdout}"
    );
    assert!(stdout.contains("of 3 folds finished"), "{stdout}");
    assert!(!out.exists(), "nothing written");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "no staging directory left"
    );
}
