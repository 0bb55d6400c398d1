//! The model's bookkeeping, validation and evaluation.

use mipnet_milp::{Col, Model, ModelError, Row, Sense, VarType};

fn small() -> (Model, Col, Col, Col) {
    let mut m = Model::new(Sense::Minimize);
    let x = m.add_col(0.0, 4.0, 1.0, VarType::Continuous);
    let y = m.add_binary(2.0);
    let z = m.add_col(-2.0, 2.0, -1.0, VarType::Integer);
    m.add_row(1.0, f64::INFINITY, [(x, 1.0), (y, 1.0)]);
    m.add_row_slices(-1.0, 1.0, &[y, z], &[1.0, -1.0]);
    (m, x, y, z)
}

#[test]
fn sizes_and_rows_are_kept() {
    let (m, x, y, z) = small();
    assert_eq!((m.num_cols(), m.num_rows(), m.num_nonzeros()), (3, 2, 4));
    assert_eq!((m.num_integral(), m.num_binary()), (2, 1));
    assert!(m.is_mip());
    let (idx, val) = m.row_entries(Row::from_index(1));
    assert_eq!(idx, &[y.index() as u32, z.index() as u32]);
    assert_eq!(val, &[1.0, -1.0]);
    assert_eq!(m.row_activities(&[1.0, 1.0, 2.0]), vec![2.0, -1.0]);
    assert_eq!(x.index(), 0);
    assert_eq!(m.to_string(), "3 columns (2 integral, 1 binary), 2 rows, 4 nonzeros");
}

#[test]
fn evaluation_measures_each_kind_of_violation() {
    let (m, ..) = small();
    let ok = m.evaluate(&[1.0, 0.0, 0.0], 1e-9);
    assert!(ok.is_feasible());
    assert_eq!(ok.objective, 1.0);
    let bad = m.evaluate(&[5.0, 0.5, -2.0], 1e-9);
    assert_eq!(bad.max_bound_violation, 1.0);
    assert_eq!(bad.max_integrality_violation, 0.5);
    assert_eq!(bad.max_row_violation, 1.5);
    assert_eq!(bad.worst_row, Some(Row::from_index(1)));
    assert!(!bad.is_feasible());
}

#[test]
fn names_default_until_set() {
    let (mut m, _, y, _) = small();
    assert!(m.col_names().is_none());
    assert_eq!(m.col_name(y), "c1");
    m.set_col_name(y, "use_y");
    assert_eq!(m.col_names().unwrap(), &["c0", "use_y", "c2"]);
    let w = m.add_binary(0.0);
    assert_eq!(m.col_name(w), "c3");
}

#[test]
fn validation_names_the_broken_part() {
    let (mut m, x, y, _) = small();
    assert_eq!(m.validate(), Ok(()));
    m.set_col_bounds(x, 3.0, 1.0);
    assert!(matches!(m.validate(), Err(ModelError::BadColumn { col: 0, .. })));
    m.set_col_bounds(x, 0.0, 1.0);
    m.set_col_bounds(y, 0.0, 2.0);
    let e = m.validate().unwrap_err();
    assert!(e.to_string().contains("binary with bounds [0, 2]"), "{e}");
    m.set_col_bounds(y, 0.0, 1.0);
    m.add_row(0.0, 1.0, [(x, 1.0), (x, 2.0)]);
    let e = m.validate().unwrap_err();
    assert!(e.to_string().contains("appears twice"), "{e}");

    let (mut m, x, ..) = small();
    m.add_row(0.0, 1.0, [(x, f64::NAN)]);
    assert!(m.validate().unwrap_err().to_string().contains("not finite"));

    let (mut m, x, ..) = small();
    m.add_row(0.0, 1.0, [(Col::from_index(9), 1.0)]);
    assert!(m.validate().unwrap_err().to_string().contains("column 9"));
    m = small().0;
    let r = m.add_row(2.0, 1.0, [(x, 1.0)]);
    assert!(matches!(m.validate(), Err(ModelError::BadRow { row, .. }) if row == r.index()));
}
