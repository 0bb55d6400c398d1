//! MPS and LP files: written by HiGHS's writer, read back by its reader,
//! the same model and the same optimum; malformed files give clear errors.

use mipnet_highs::{read_model, write_model, FileError, HighsSolver};
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random mixed model: integers, binaries, continuous columns, ranged
/// rows around a random integral point, so it is always feasible.
fn random_mip(seed: u64) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut m = Model::new(if seed.is_multiple_of(2) {
        Sense::Minimize
    } else {
        Sense::Maximize
    });
    let mut cols = Vec::new();
    for j in 0..12 {
        let c = match j % 3 {
            0 => m.add_binary(rng.gen_range(-5.0..5.0)),
            1 => m.add_col(-3.0, 4.0, rng.gen_range(-5.0..5.0), VarType::Integer),
            _ => m.add_col(0.0, 10.0, rng.gen_range(-5.0..5.0), VarType::Continuous),
        };
        m.set_col_name(c, format!("x{j}"));
        cols.push(c);
    }
    let point: Vec<f64> = (0..12).map(|j| [1.0, 2.0, 3.0][j % 3]).collect();
    for i in 0..8 {
        let mut terms: Vec<(Col, f64)> = Vec::new();
        for &c in &cols {
            let v = rng.gen_range(-3i32..=3);
            if v != 0 && rng.gen_bool(0.5) {
                terms.push((c, v as f64));
            }
        }
        let at_point: f64 = terms.iter().map(|&(c, v)| v * point[c.index()]).sum();
        let lo = at_point - rng.gen_range(0.0..5.0);
        let r = m.add_row(lo, lo + rng.gen_range(5.0..25.0), terms);
        m.set_row_name(r, format!("r{i}"));
    }
    m.set_offset(1.5);
    m
}

fn optimum(m: &Model) -> f64 {
    let opts = SolveOptions {
        threads: Some(1),
        ..Default::default()
    };
    let r = HighsSolver.solve(SolveRequest::new(m, &opts), &mut NoObserver).unwrap();
    assert_eq!(r.status, Status::Optimal);
    r.objective.unwrap()
}

#[test]
fn written_models_read_back_the_same_with_the_same_optimum() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..6 {
        let m = random_mip(seed);
        let opt = optimum(&m);
        for ext in ["mps", "lp"] {
            let path = dir.path().join(format!("m{seed}.{ext}"));
            write_model(&m, &path).unwrap();
            let back = read_model(&path).unwrap();
            assert_eq!(back.num_cols(), m.num_cols(), "{ext}");
            if ext == "mps" {
                assert_eq!(back.num_rows(), m.num_rows());
                assert_eq!(back.num_nonzeros(), m.num_nonzeros());
            } else {
                // The LP format has no ranged rows: HiGHS writes each as two.
                assert!(back.num_rows() >= m.num_rows() && back.num_rows() <= 2 * m.num_rows());
            }
            assert_eq!(back.num_integral(), m.num_integral(), "{ext}");
            assert_eq!(back.sense(), m.sense(), "{ext}");
            assert_eq!(back.col_names().unwrap()[3], "x3", "{ext}");
            let opt2 = optimum(&back);
            assert!((opt - opt2).abs() < 1e-6, "seed {seed} {ext}: {opt} vs {opt2}");
        }
    }
}

#[test]
fn the_bundled_knapsack_reads_and_solves_to_its_brute_force_optimum() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/knapsack.mps");
    let m = read_model(&path).unwrap();
    assert_eq!((m.num_cols(), m.num_rows(), m.num_binary()), (15, 1, 15));
    assert_eq!(m.sense(), Sense::Maximize);
    assert!((optimum(&m) - 314.0).abs() < 1e-9);
}

#[test]
fn bad_files_give_errors_that_name_the_file_and_cause() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.mps");
    let e = read_model(&missing).unwrap_err();
    assert!(matches!(e, FileError::Io { .. }));
    assert!(
        e.to_string().contains("missing.mps") && e.to_string().contains("No such file"),
        "{e}"
    );

    let bad = dir.path().join("bad.mps");
    std::fs::write(&bad, "NAME x\nROWS\n N obj\n Q c1\nCOLUMNS\nENDATA\n").unwrap();
    let e = read_model(&bad).unwrap_err();
    assert!(matches!(e, FileError::Strict { .. }));
    assert!(
        e.to_string().contains("bad.mps") && e.to_string().contains("line 4: unknown row type 'Q' of row 'c1'"),
        "{e}"
    );

    let lp = dir.path().join("bad.lp");
    std::fs::write(&lp, "min: 3 x +\n").unwrap();
    let e = read_model(&lp).unwrap_err();
    assert!(
        e.to_string().contains("bad.lp") && e.to_string().contains("line 1"),
        "{e}"
    );

    let other = dir.path().join("model.txt");
    std::fs::write(&other, "x").unwrap();
    let e = read_model(&other).unwrap_err();
    assert!(e.to_string().contains("unknown model file type"), "{e}");
}

#[test]
fn a_failed_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = random_mip(0);
    let target = dir.path().join("no_such_dir").join("m.mps");
    assert!(write_model(&m, &target).is_err());
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
