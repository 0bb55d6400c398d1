//! `mipnet solve` as a user runs it: results, JSON, and bad input (one-line
//! errors naming the cause, exit code 2).

use std::path::PathBuf;

mod common;
use common::{assert_bad_input, assert_usage_error, mipnet, stderr};

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn json_result_of_the_knapsack_is_its_brute_force_optimum() {
    let o = mipnet(&[
        "solve",
        &example("knapsack.mps"),
        "--json",
        "--threads",
        "1",
        "--seed",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["status"], "optimal");
    assert_eq!(v["objective"].as_f64(), Some(314.0));
    assert_eq!(v["dual_bound"].as_f64(), Some(314.0));
    assert_eq!(v["gap"].as_f64(), Some(0.0));
    assert_eq!(v["columns"], 15);
    assert_eq!(v["settings"]["seed"], 3);
    assert!(v["solver"].as_str().unwrap().starts_with("HiGHS 1.16"));
}

#[test]
fn human_output_and_solution_file() {
    let dir = tempfile::tempdir().unwrap();
    let sol = dir.path().join("sol.csv");
    let o = mipnet(&[
        "solve",
        &example("knapsack.mps"),
        "--solution",
        sol.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("status     optimal") && out.contains("objective  314"),
        "{out}"
    );
    let text = std::fs::read_to_string(&sol).unwrap();
    assert_eq!(text.lines().count(), 16);
    assert!(text.starts_with("column,value\nitem0,"));
}

/// An infeasible model has no solution to write: the status is the answer
/// (exit 0), and stderr says the file was not written.
#[test]
fn no_solution_file_for_an_infeasible_model_and_a_note_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("infeas.lp");
    std::fs::write(
        &model,
        "minimize\n obj: x\nsubject to\n c1: x >= 2\nbounds\n x <= 1\nend\n",
    )
    .unwrap();
    let sol = dir.path().join("x.csv");
    let o = mipnet(&[
        "solve",
        model.to_str().unwrap(),
        "--solution",
        sol.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("status     infeasible"));
    let note = format!(
        "the solver found no solution (status infeasible), so {} was not written",
        sol.display()
    );
    assert!(stderr(&o).contains(&note), "{}", stderr(&o));
    assert!(!sol.exists());
}

#[test]
fn a_malformed_mps_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.mps");
    std::fs::write(&bad, "NAME x\nROWS\n N obj\n Q c1\nCOLUMNS\nENDATA\n").unwrap();
    let o = mipnet(&["solve", bad.to_str().unwrap()]);
    assert_bad_input(
        &o,
        &[
            "broken.mps",
            "not a valid model file",
            "line 4: unknown row type 'Q' of row 'c1'",
        ],
    );
}

/// A copy of the knapsack with one edit, solved: it must be refused (HiGHS
/// alone would solve a different model with exit 0).
fn solve_edited_knapsack(from: &str, to: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("knapsack.mps")).unwrap();
    assert!(text.contains(from), "{from} not in knapsack.mps");
    let path = dir.path().join("edited.mps");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    mipnet(&["solve", path.to_str().unwrap(), "-q"])
}

/// Issue 14 item 1: HiGHS read `abc` as 0 (objective 282).
#[test]
fn a_non_numeric_coefficient_is_refused_with_its_line() {
    let o = solve_edited_knapsack("item3      value     40", "item3      value     abc");
    assert_bad_input(
        &o,
        &["edited.mps: not a valid model file: line 13: coefficient of column 'item3' in row 'value': 'abc' is not a number"],
    );
}

/// Issue 14 item 1: HiGHS skipped the misspelled section (0 rows, objective 0).
#[test]
fn a_misspelled_section_is_refused_with_its_line() {
    let o = solve_edited_knapsack("ROWS", "ROWZ");
    assert_bad_input(&o, &["edited.mps", "line 5: unknown section 'ROWZ'"]);
}

/// Issue 14 item 1: HiGHS dropped the entry of an unknown row (objective 322).
#[test]
fn an_unknown_row_in_columns_is_refused_with_its_line() {
    let o = solve_edited_knapsack("item6      value     57   weight", "item6      value     57   wieght");
    assert_bad_input(
        &o,
        &[
            "edited.mps",
            "line 16: unknown row 'wieght' in COLUMNS (not declared in ROWS)",
        ],
    );
}

/// What HiGHS's LP reader accepts with a warning or silently, refused.
#[test]
fn lp_files_that_highs_reads_leniently_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // HiGHS drops the constant (a warning only).
        (
            "max\n obj: x + y\nst\n c1: x + y + 3 <= 4\nbounds\n x <= 1\n y <= 1\nend\n",
            "line 4: a constant (3) on the left-hand side of a constraint",
        ),
        // HiGHS adds `z` as a new column; x stays unbounded.
        (
            "max\n obj: x\nst\n c1: x - y <= 4\nbounds\n z <= 1\n y <= 1\nend\n",
            "line 6: variable 'z' in the bounds appears in no objective or constraint (misspelled?)",
        ),
        // HiGHS keeps the last of two upper bounds.
        (
            "max\n obj: x\nst\n c1: x <= 4\nbounds\n x <= 1\n x <= 3\nend\n",
            "line 7: a second upper bound of 'x' (first on line 6)",
        ),
        // Two constraints of one name.
        (
            "min\n obj: x\nst\n c1: x >= 1\n c1: x >= 2\nend\n",
            "line 5: constraint 'c1' defined twice",
        ),
    ];
    for (n, (text, message)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("lenient{n}.lp"));
        std::fs::write(&path, text).unwrap();
        let o = mipnet(&["solve", path.to_str().unwrap(), "-q"]);
        assert_bad_input(&o, &[&format!("lenient{n}.lp: not a valid model file: {message}")]);
    }
}

#[test]
fn a_malformed_lp_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.lp");
    std::fs::write(
        &bad,
        "minimize\n obj: x + y\nsubject to\n c1: x + y >= \nbounds\n x <= 1 2\nend\n",
    )
    .unwrap();
    let o = mipnet(&["solve", bad.to_str().unwrap()]);
    assert_bad_input(&o, &["broken.lp", "line "]);
}

#[test]
fn a_missing_file_is_bad_input() {
    let o = mipnet(&["solve", "no/such/model.mps"]);
    assert_bad_input(&o, &["cannot read no/such/model.mps", "No such file"]);
}

#[test]
fn an_unknown_flag_is_bad_input() {
    let o = mipnet(&["solve", &example("knapsack.mps"), "--frobnicate"]);
    assert_usage_error(&o, &["unexpected argument '--frobnicate'"]);
}

#[test]
fn an_unknown_solver_option_is_bad_input() {
    let o = mipnet(&["solve", &example("knapsack.mps"), "--option", "warp_speed=9"]);
    assert_bad_input(&o, &["no option named 'warp_speed'"]);
    let o = mipnet(&["solve", &example("knapsack.mps"), "--option", "presolve"]);
    assert_bad_input(&o, &["--option 'presolve' is not of the form NAME=VALUE"]);
}

/// Each solver flag is checked as it is parsed: the error names the flag
/// and the accepted range, for `solve` and `train` alike (they share the
/// flags).
#[test]
fn invalid_solver_flags_name_the_flag_and_the_range() {
    let cases: &[(&str, &str, &str)] = &[
        ("--time-limit", "-1", "expected a positive number of seconds"),
        ("--time-limit", "0", "expected a positive number of seconds"),
        ("--time-limit", "inf", "expected a positive number of seconds"),
        ("--time-limit", "NaN", "expected a positive number of seconds"),
        ("--time-limit", "1e30", "at most 1e9"),
        ("--gap", "-1", "expected a relative gap from 0 to 1"),
        ("--gap", "2", "expected a relative gap from 0 to 1"),
        ("--threads", "0", "expected a whole number of threads, at least 1"),
        ("--threads", "zero", "expected a whole number of threads, at least 1"),
        ("--seed", "3000000000", "expected a whole number from 0 to 2147483647"),
    ];
    for (flag, value, reason) in cases {
        for command in ["solve", "train"] {
            let model = example("knapsack.mps");
            let first: &[&str] = if command == "solve" {
                &["solve", &model]
            } else {
                &["train", "--dataset", "iris"]
            };
            let mut args = first.to_vec();
            args.extend_from_slice(&[flag, value]);
            let o = mipnet(&args);
            let named = format!("invalid value '{value}' for '{flag} ");
            assert_usage_error(&o, &[&named, reason]);
            assert!(!stderr(&o).contains("solver.options"), "{}", stderr(&o));
        }
    }
}

/// More threads than cores only cost memory: capped, with a note.
#[test]
fn threads_beyond_the_cores_are_capped_with_a_note() {
    let o = mipnet(&["solve", &example("knapsack.mps"), "--threads", "1000", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let note = format!("mipnet: note: --threads 1000 capped to {cores}, the cores available");
    assert!(stderr(&o).contains(&note), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["settings"]["threads"], cores);
    assert_eq!(v["objective"].as_f64(), Some(314.0));
}

#[test]
fn help_lists_the_flags_and_exit_codes() {
    let o = mipnet(&["solve", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    for flag in ["--time-limit", "--gap", "--threads", "--seed", "--json", "--option"] {
        assert!(out.contains(flag), "{flag} missing from help");
    }
    // `solve` has no neighbourhood search: its help speaks of the solve.
    assert!(!out.contains("neighbourhood"), "{out}");
    assert!(out.contains("Wall-clock time limit in seconds"), "{out}");
    assert!(out.contains("It is read strictly"), "{out}");
    let o = mipnet(&["--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Exit codes"));
}
