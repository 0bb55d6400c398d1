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

/// The run's objective as the manifest states it (the starts' objective).
fn start_objective() -> f64 {
    json(&fixture().model.join("manifest.json"))["start_objective"]
        .as_f64()
        .unwrap()
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
    for start in ["start.sol", "start.gurobi.mst", "start.cplex.mst"] {
        let out = scratch(&format!("from-{start}"));
        let report = certify_ok(&f.model, &f.model.join(start), &["--out", s(&out)]);
        let read = json(&out.join("network.json"));
        for field in ["layers", "standardizer", "feature_names", "class_names", "settings"] {
            assert_eq!(read[field], trained[field], "{start}: {field}");
        }
        let objective = json(&f.run.join("report.json"))["objective"].clone();
        assert_eq!(report["objective"], objective, "{start}");
        assert_eq!(report["certified_point"], "solution", "{start}");
    }
    assert_eq!(
        report_format(&f.model.join("start.cplex.mst")),
        "CPLEX XML solution file (.sol/.mst)"
    );
    // CPLEX's XML start holds the same value for every column.
    let xml = std::fs::read_to_string(f.model.join("start.cplex.mst")).unwrap();
    let pairs = gurobi_start();
    for (j, (name, value)) in pairs.iter().enumerate() {
        let line = format!("<variable name=\"{name}\" index=\"{j}\" value=\"{value}\"/>");
        assert!(xml.contains(&line), "{line} not in start.cplex.mst");
    }
    let manifest = json(&f.model.join("manifest.json"));
    assert_eq!(manifest["format_version"], 2);
    // The model leaves out the proven-bound rows and the cuts, and says so.
    let notes = manifest["notes"].to_string();
    assert!(notes.contains("without the proven-bound rows"), "{notes}");
    assert!(notes.contains("--lipschitz-cuts"), "{notes}");
    assert_eq!(manifest["columns"].as_u64().unwrap() as usize, pairs.len());
}

/// The format certify reports for `solution` (which must certify).
fn report_format(solution: &Path) -> Value {
    certify_ok(&fixture().model, solution, &[])["solution"]["format"].clone()
}

#[test]
fn scip_and_highs_solution_files_are_read() {
    let f = fixture();
    let pairs = gurobi_start();
    let objective = start_objective();
    // SCIP writes a status and objective header, an objective coefficient
    // per line, and leaves zeros out.
    let scip = scratch("scip.sol");
    let mut text = format!("solution status: optimal solution found\nobjective value:  {objective}\n");
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
        "Model status\nOptimal\n\n# Primal solution values\nFeasible\nObjective {objective}\n# Columns {}\n",
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
fn an_external_bound_above_the_certified_objective_is_refused() {
    let f = fixture();
    let objective = start_objective();
    let bound = objective + 0.25;
    let o = mipnet(&[
        "certify",
        s(&f.model),
        s(&f.model.join("start.sol")),
        "--bound",
        &bound.to_string(),
    ]);
    assert_bad_input(
        &o,
        &[
            &format!("--bound {bound} is above the certified objective {objective}"),
            "proves it false",
        ],
    );
    // At the objective (a solver's bound at its optimum) it is a 0 % gap.
    let report = certify_ok(
        &f.model,
        &f.model.join("start.sol"),
        &["--bound", &objective.to_string()],
    );
    assert_eq!(report["external_gap"], 0.0);
}

#[test]
fn a_stated_objective_that_is_not_the_solutions_is_refused() {
    let f = fixture();
    let objective = start_objective();
    let wrong = objective + 0.5;
    // MIPLIB's =obj= line.
    let text = std::fs::read_to_string(f.model.join("start.sol")).unwrap();
    let first = text.lines().next().unwrap();
    let path = scratch("wrong-obj.sol");
    std::fs::write(&path, text.replacen(first, &format!("=obj= {wrong}"), 1)).unwrap();
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert_bad_input(
        &o,
        &[
            s(&path),
            &format!("the file states objective {wrong}, but its values give the model's objective"),
            "another model's solution",
        ],
    );
    // Gurobi's comment line: stated wrong, and not a number.
    let pairs = gurobi_start();
    let body: String = pairs.iter().map(|(n, v)| format!("{n} {v}\n")).collect();
    let path = scratch("wrong-obj-gurobi.sol");
    std::fs::write(&path, format!("# Objective value = {wrong}\n{body}")).unwrap();
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert_bad_input(&o, &[&format!("the file states objective {wrong}")]);
    std::fs::write(&path, format!("# Objective value = abc\n{body}")).unwrap();
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert_bad_input(&o, &[s(&path), "line 1: the objective 'abc' is not a number"]);
    // Stated right: read.
    std::fs::write(&path, format!("# Objective value = {objective}\n{body}")).unwrap();
    let report = certify_ok(&f.model, &path, &[]);
    assert_eq!(report["solution"]["stated_objective"].as_f64(), Some(objective));
}

/// How much slack is put into a hinge loss column: far beyond every
/// tolerance, so the solution as read is not its network's exact point.
const LOSS_SLACK: f64 = 0.5;

#[test]
fn slack_in_the_loss_columns_certifies_the_networks_exact_point_and_says_so() {
    let f = fixture();
    let mut pairs = gurobi_start();
    let xi = pairs
        .iter_mut()
        .find(|(n, _)| n.starts_with("xi_"))
        .expect("a hinge loss column");
    xi.1 = (xi.1.parse::<f64>().unwrap() + LOSS_SLACK).to_string();
    let path = scratch("slack.mst");
    write_pairs(&path, &pairs);
    let report = certify_ok(&f.model, &path, &[]);
    assert_eq!(report["certified_point"], "network's exact point");
    let objective = report["objective"].as_f64().unwrap();
    let as_read = report["solution"]["objective_as_read"].as_f64().unwrap();
    assert!((objective - start_objective()).abs() <= 1e-9 * (1.0 + objective.abs()));
    assert!(as_read > objective, "as read {as_read}, certified {objective}");
    let o = mipnet(&["certify", s(&f.model), s(&path)]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("certificate  passed at the network's exact point"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
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
    assert_bad_input(&o, &["manifest format version 99; this mipnet reads version 2"]);
    // A manifest with a key mipnet does not know, in the data source.
    let unknown = copy_model_dir("unknown-key");
    let path = unknown.join("manifest.json");
    let mut manifest = json(&path);
    manifest["data"]["shuffle"] = true.into();
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let o = mipnet(&["certify", s(&unknown), s(&f.solved)]);
    assert_bad_input(&o, &["the manifest cannot be read", "unknown field `shuffle`"]);
    // The training settings are the model's: another ℓ1 weight there
    // rebuilds another model.
    let other = copy_model_dir("other-settings");
    let path = other.join("manifest.json");
    let mut manifest = json(&path);
    let l1 = manifest["training_settings"]["formulation"]["l1"].as_f64().unwrap();
    manifest["training_settings"]["formulation"]["l1"] = (l1 * 2.0 + 0.01).into();
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let o = mipnet(&["certify", s(&other), s(&f.solved)]);
    assert_bad_input(&o, &["the model rebuilt from", "manifest is not"]);
}

/// A small two-class CSV (label last), `rows` rows.
fn small_csv(path: &Path, rows: usize) {
    let mut text = String::from("a,b,label\n");
    for i in 0..rows {
        let (a, b) = (i as f64 * 0.37 % 1.0, (i * i) as f64 * 0.21 % 1.0);
        text += &format!("{a},{b},{}\n", if a + b > 0.9 { "yes" } else { "no" });
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_changed_data_file_is_refused_naming_it() {
    let dir = scratch("csv-data");
    std::fs::create_dir_all(&dir).unwrap();
    let (data, test, model) = (dir.join("train.csv"), dir.join("test.csv"), dir.join("model"));
    small_csv(&data, 8);
    small_csv(&test, 5);
    let mut args = vec![
        "train",
        "--data",
        s(&data),
        "--label",
        "label",
        "--test-data",
        s(&test),
        "--hidden",
        "2",
        "--write-model",
        s(&model),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest = json(&model.join("manifest.json"));
    let recorded = manifest["data"]["files"][0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(recorded.len(), 64);
    assert_eq!(manifest["data"]["files"][0]["role"], "--data");
    assert_eq!(manifest["data"]["files"][1]["role"], "--test-data");
    certify_ok(&model, &model.join("start.sol"), &[]);
    // Another test set: the model is the same, but the report's test
    // accuracy would be of another set.
    small_csv(&test, 6);
    let o = mipnet(&["certify", s(&model), s(&model.join("start.sol"))]);
    assert_bad_input(
        &o,
        &[
            s(&std::fs::canonicalize(&test).unwrap()),
            "(--test-data of the run) changed since `train --write-model`",
            manifest["data"]["files"][1]["sha256"].as_str().unwrap(),
        ],
    );
    small_csv(&test, 5);
    certify_ok(&model, &model.join("start.sol"), &[]);
    // One more training row: the model would be another.
    small_csv(&data, 9);
    let o = mipnet(&["certify", s(&model), s(&model.join("start.sol"))]);
    assert_bad_input(
        &o,
        &[
            s(&std::fs::canonicalize(&data).unwrap()),
            "(--data of the run) changed since `train --write-model`",
            &recorded,
        ],
    );
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
    // One inside the other, either way: refused before any work.
    let outer = scratch("outer");
    let inner = outer.join("inner");
    for (out, model) in [(&outer, &inner), (&inner, &outer)] {
        let mut args = vec!["train", "--dataset", "iris", "--out", s(out), "--write-model", s(model)];
        args.extend_from_slice(QUICK);
        let o = mipnet(&args);
        assert_bad_input(&o, &["are one inside the other"]);
        assert!(!outer.exists(), "nothing is left behind");
    }
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
    // Without the cutoff the rebuilt model is another: refused.
    let copy = scratch("tightened-without-cutoff");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&model).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let mut edited = manifest.clone();
    edited["objective_cutoff"] = Value::Null;
    std::fs::write(
        copy.join("manifest.json"),
        serde_json::to_string_pretty(&edited).unwrap(),
    )
    .unwrap();
    let o = mipnet(&["certify", s(&copy), s(&copy.join("start.sol"))]);
    assert_bad_input(&o, &["the model rebuilt from", "manifest is not"]);
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
