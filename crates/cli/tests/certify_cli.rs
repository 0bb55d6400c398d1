//! `train --write-model` and `certify`: the training MILP written for any
//! solver, solved by the embedded HiGHS (`mipnet solve`), and the solution
//! read back and certified; the MIP starts read back to the run's network;
//! every bad input refused with exit 2 (a failing certificate: exit 4).
//! Tiny data (Iris, 2 samples per class, 2 hidden units): each run takes
//! seconds.

mod common;

use common::{assert_bad_input, mipnet, stderr, QUICK};
use mipnet_formulate::Tolerances;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Exit code of a failed certificate (README "Exit codes").
const CERTIFICATE_FAILED: i32 = 4;

/// How far a solution's value is moved to break the certificate: far
/// beyond every tolerance of the check.
const PERTURBATION: f64 = 0.5;

/// One training run with its model directory, and HiGHS's solution of the
/// model, shared by the tests (made once).
struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// `train --out`.
    run: PathBuf,
    /// `train --write-model`.
    model: PathBuf,
    /// `mipnet solve model.mps --solution` (CSV).
    solved: PathBuf,
    /// `mipnet solve --json`'s report.
    solve_report: Value,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let (run, model, solved) = (root.join("run"), root.join("model"), root.join("solved.csv"));
        let mut args = vec![
            "train",
            "--dataset",
            "iris",
            "--train-per-class",
            "2",
            "--hidden",
            "2",
            "--out",
            run.to_str().unwrap(),
            "--write-model",
            model.to_str().unwrap(),
        ];
        args.extend_from_slice(QUICK);
        let o = mipnet(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        // Solved to optimality (a few seconds): an optimal point leaves no
        // slack in the loss variables, so its value is its network's.
        let mps = model.join("model.mps");
        let o = mipnet(&[
            "solve",
            mps.to_str().unwrap(),
            "--threads",
            "1",
            "--solution",
            solved.to_str().unwrap(),
            "--json",
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let solve_report: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(solve_report["status"], "optimal", "{solve_report}");
        Fixture {
            _tmp: tmp,
            root,
            run,
            model,
            solved,
            solve_report,
        }
    })
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `certify DIR SOLUTION extra…`; asserts exit 0 and returns the report
/// printed by --json.
fn certify_ok(dir: &Path, solution: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["certify", s(dir), s(solution), "--json"];
    args.extend_from_slice(extra);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A scratch file under the fixture's directory (unique per test).
fn scratch(name: &str) -> PathBuf {
    fixture().root.join(name)
}

/// The start in Gurobi's format, as (name, value) lines.
fn gurobi_start() -> Vec<(String, String)> {
    std::fs::read_to_string(fixture().model.join("start.gurobi.mst"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (n, v) = l.split_once(' ').unwrap();
            (n.to_string(), v.to_string())
        })
        .collect()
}

fn write_pairs(path: &Path, pairs: &[(String, String)]) {
    let text: String = pairs.iter().map(|(n, v)| format!("{n} {v}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// A copy of the model directory, to edit.
fn copy_model_dir(name: &str) -> PathBuf {
    let to = scratch(name);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&fixture().model).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to
}

#[test]
fn highs_solution_of_the_written_model_certifies_with_the_solved_objective() {
    let f = fixture();
    let out = scratch("certified");
    let report = certify_ok(&f.model, &f.solved, &["--out", s(&out)]);
    let solved = f.solve_report["objective"].as_f64().unwrap();
    let certified = report["objective"].as_f64().unwrap();
    let tol = Tolerances::default().objective * (1.0 + solved.abs());
    assert!(
        (certified - solved).abs() <= tol,
        "certified {certified}, solved {solved}"
    );
    assert_eq!(report["certificate"]["passed"], true);
    assert_eq!(report["status"], "certified");
    assert_eq!(report["solution"]["format"], "mipnet solve CSV");
    // The run directory is train's: network.json loads and shows, and the
    // report is what was printed.
    assert_eq!(json(&out.join("report.json")), report);
    let o = mipnet(&["show", s(&out.join("network.json"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The optimum is at least as good as the run's network.
    let trained = json(&f.run.join("report.json"))["objective"].as_f64().unwrap();
    assert!(
        certified <= trained + tol,
        "optimum {certified} above the run's {trained}"
    );
}

#[test]
fn the_mip_starts_read_back_to_the_run_network() {
    let f = fixture();
    let trained = json(&f.run.join("network.json"));
    for start in ["start.sol", "start.gurobi.mst"] {
        let out = scratch(&format!("from-{start}"));
        let report = certify_ok(&f.model, &f.model.join(start), &["--out", s(&out)]);
        let read = json(&out.join("network.json"));
        for field in ["layers", "standardizer", "feature_names", "class_names", "settings"] {
            assert_eq!(read[field], trained[field], "{start}: {field}");
        }
        let objective = json(&f.run.join("report.json"))["objective"].clone();
        assert_eq!(report["objective"], objective, "{start}");
    }
    // CPLEX's XML start holds the same value for every column.
    let xml = std::fs::read_to_string(f.model.join("start.cplex.mst")).unwrap();
    let pairs = gurobi_start();
    for (j, (name, value)) in pairs.iter().enumerate() {
        let line = format!("<variable name=\"{name}\" index=\"{j}\" value=\"{value}\"/>");
        assert!(xml.contains(&line), "{line} not in start.cplex.mst");
    }
    let manifest = json(&f.model.join("manifest.json"));
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["columns"].as_u64().unwrap() as usize, pairs.len());
}

#[test]
fn scip_and_highs_solution_files_are_read() {
    let f = fixture();
    let pairs = gurobi_start();
    // SCIP writes a status and objective header, an objective coefficient
    // per line, and leaves zeros out.
    let scip = scratch("scip.sol");
    let mut text = String::from("solution status: optimal solution found\nobjective value:  0.1\n");
    for (n, v) in pairs.iter().filter(|(_, v)| v.parse::<f64>().unwrap() != 0.0) {
        text += &format!("{n}   {v} \t(obj:0)\n");
    }
    std::fs::write(&scip, text).unwrap();
    let report = certify_ok(&f.model, &scip, &[]);
    assert_eq!(report["solution"]["format"], "SCIP solution file");
    assert!(report["solution"]["zero_filled"].as_u64().unwrap() > 0);
    assert_eq!(report["certificate"]["passed"], true);
    // HiGHS's own solution file (raw style).
    let highs = scratch("highs.sol");
    let mut text = format!(
        "Model status\nOptimal\n\n# Primal solution values\nFeasible\nObjective 0.1\n# Columns {}\n",
        pairs.len()
    );
    for (n, v) in &pairs {
        text += &format!("{n} {v}\n");
    }
    text += "# Rows 1\nr0 0\n";
    std::fs::write(&highs, text).unwrap();
    let report = certify_ok(&f.model, &highs, &[]);
    assert_eq!(report["solution"]["format"], "HiGHS solution file");
    assert_eq!(report["certificate"]["passed"], true);
}

#[test]
fn an_external_bound_is_recorded_as_the_other_solvers_claim() {
    let f = fixture();
    let report = certify_ok(&f.model, &f.model.join("start.sol"), &["--bound", "0.01"]);
    assert_eq!(report["external_bound"], 0.01);
    assert!(report.get("dual_bound").is_none(), "{report}");
    assert!(report["external_bound_note"].as_str().unwrap().contains("not a proof"));
    let objective = report["objective"].as_f64().unwrap();
    let gap = report["external_gap"].as_f64().unwrap();
    assert!((gap - (objective - 0.01) / objective).abs() < 1e-12, "{gap}");
    let o = mipnet(&["certify", s(&f.model), s(&f.model.join("start.sol")), "--bound", "0.01"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("0.01 external (the other solver's claim, not mipnet's proof): external gap"),
        "{text}"
    );
}

#[test]
fn a_perturbed_solution_fails_the_certificate() {
    let f = fixture();
    let mut pairs = gurobi_start();
    let h = pairs
        .iter_mut()
        .find(|(n, _)| n.starts_with("h1_"))
        .expect("an activation column");
    let moved = h.1.parse::<f64>().unwrap() + PERTURBATION;
    h.1 = moved.to_string();
    let path = scratch("perturbed.mst");
    write_pairs(&path, &pairs);
    let out = scratch("never-written");
    let o = mipnet(&["certify", s(&f.model), s(&path), "--out", s(&out)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(CERTIFICATE_FAILED), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("the solution fails the certificate"), "{err}");
    assert!(o.stdout.is_empty());
    assert!(!out.exists(), "nothing is written for a failed certificate");
}

#[test]
fn bad_solution_files_are_refused_naming_the_cause() {
    let f = fixture();
    let pairs = gurobi_start();
    // A column the model does not have.
    let mut unknown = pairs.clone();
    unknown.push(("nosuch".into(), "1".into()));
    let path = scratch("unknown.mst");
    write_pairs(&path, &unknown);
    let line = format!("line {}", unknown.len());
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert_bad_input(&o, &[s(&path), &line, "the model has no column named 'nosuch'"]);
    // A column left out of a format that lists every column.
    let path = scratch("missing.mst");
    write_pairs(&path, &pairs[..pairs.len() - 1]);
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    let last = &pairs.last().unwrap().0;
    assert_bad_input(
        &o,
        &[
            "1 of the model's",
            "have no value in the file",
            last,
            "lists every column",
        ],
    );
    // A value that is not a number.
    let mut word = pairs.clone();
    word[2].1 = "abc".into();
    let path = scratch("word.mst");
    write_pairs(&path, &word);
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert_bad_input(
        &o,
        &["line 3", &format!("the value of '{}' 'abc' is not a number", word[2].0)],
    );
    // No file, an empty file.
    let o = mipnet(&["certify", s(&f.model), s(&scratch("absent.sol"))]);
    assert_bad_input(&o, &["cannot read", "absent.sol"]);
    let path = scratch("empty.sol");
    std::fs::write(&path, "\n").unwrap();
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert_bad_input(&o, &["the solution file is empty"]);
    // A bound that is not a number.
    let o = mipnet(&["certify", s(&f.model), s(&f.solved), "--bound", "nan"]);
    assert_bad_input(&o, &["--bound must be a finite number"]);
}

#[test]
fn a_directory_whose_model_is_not_rebuilt_is_refused() {
    let f = fixture();
    // Not a model directory: train's run directory.
    let o = mipnet(&["certify", s(&f.run), s(&f.solved)]);
    assert_bad_input(
        &o,
        &[
            "is not a model directory of `mipnet train --write-model`",
            "manifest.json",
        ],
    );
    // model.mps changed after it was written.
    let changed = copy_model_dir("changed-model");
    let mps = changed.join("model.mps");
    let text = std::fs::read_to_string(&mps).unwrap();
    std::fs::write(&mps, text.replacen("ROWS", "ROWS\n* edited", 1)).unwrap();
    let o = mipnet(&["certify", s(&changed), s(&f.solved)]);
    assert_bad_input(
        &o,
        &[
            "model.mps is not the model the manifest was written for",
            "changed after",
        ],
    );
    // A manifest that rebuilds another model (another split).
    let other = copy_model_dir("other-split");
    let path = other.join("manifest.json");
    let mut manifest = json(&path);
    manifest["data"]["split_seed"] = 1.into();
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let o = mipnet(&["certify", s(&other), s(&f.solved)]);
    assert_bad_input(
        &o,
        &[
            "the model rebuilt from",
            "manifest is not",
            "the data or mipnet changed",
        ],
    );
    // A manifest of another format version.
    let future = copy_model_dir("future");
    let path = future.join("manifest.json");
    let mut manifest = json(&path);
    manifest["format_version"] = 99.into();
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let o = mipnet(&["certify", s(&future), s(&f.solved)]);
    assert_bad_input(&o, &["manifest format version 99; this mipnet reads version 1"]);
}

#[test]
fn write_model_refuses_a_directory_it_did_not_write_before_any_work() {
    let f = fixture();
    let taken = scratch("taken");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("keep.txt"), "mine").unwrap();
    let mut args = vec!["train", "--dataset", "iris", "--write-model", s(&taken), "--force"];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_bad_input(&o, &["--write-model", "keep.txt"]);
    assert_eq!(std::fs::read_to_string(taken.join("keep.txt")).unwrap(), "mine");
    // An existing model directory is replaced only with --force.
    let mut args = vec!["train", "--dataset", "iris", "--write-model", s(&f.model)];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_bad_input(&o, &["--write-model", "give --force to replace it"]);
    let same = scratch("same");
    let mut args = vec![
        "train",
        "--dataset",
        "iris",
        "--out",
        s(&same),
        "--write-model",
        s(&same),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_bad_input(&o, &["is also --out"]);
    assert!(!same.exists());
}

/// α so large that the zero network's objective (1) bounds layer 1's ℓ1
/// norm by 2 < ω·d = 4 on Iris: the run's cutoff tightening applies.
const TIGHTENING_L1: &str = "0.5";

#[test]
fn a_model_tightened_by_the_runs_cutoff_is_rebuilt_with_it() {
    let model = scratch("tightened");
    let mut args = vec![
        "train",
        "--dataset",
        "iris",
        "--train-per-class",
        "2",
        "--hidden",
        "2",
        "--l1",
        TIGHTENING_L1,
        "--write-model",
        s(&model),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest = json(&model.join("manifest.json"));
    let cutoff = manifest["objective_cutoff"].as_f64().expect("the cutoff applied");
    assert!(cutoff > 0.0);
    // certify rebuilds the model with the cutoff and finds it to the byte
    // (without it, the fingerprint check refuses the directory).
    let report = certify_ok(&model, &model.join("start.sol"), &[]);
    assert_eq!(report["objective_cutoff"], manifest["objective_cutoff"]);
    assert_eq!(report["certificate"]["passed"], true);
}

#[test]
fn write_model_refuses_fairness_rules_before_any_work() {
    let dir = scratch("fairness");
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("fair.toml");
    std::fs::write(
        &cfg,
        "[[formulation.rules]]\nkind = \"fairness\"\ngroup = \"mean radius\"\nthreshold = 14\nmax_gap = 0.1\n",
    )
    .unwrap();
    let model = dir.join("model");
    let mut args = vec![
        "train",
        "--dataset",
        "wdbc",
        "--config",
        s(&cfg),
        "--write-model",
        s(&model),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_bad_input(
        &o,
        &[
            "--write-model does not support fairness rules yet",
            "certify cannot rebuild",
        ],
    );
    assert!(!model.exists());
}
