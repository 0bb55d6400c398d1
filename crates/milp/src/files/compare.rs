//! The model a file describes against the model a solver read from it:
//! the first difference, named.

use super::FileError;
use crate::{Col, Model, Row};

/// Checks that `solver` (what a solver's reader made of a file) is the
/// model `file` (what [`super::check_mps`] or [`super::check_lp`] made of
/// it): sense, objective constant, every column's name, bounds, cost and
/// integrality, every row's name and sides, every coefficient. Values are
/// compared exactly: both sides read the same decimal text. Row names the
/// file does not give (unnamed LP constraints) are not compared.
pub fn compare(file: &Model, solver: &Model) -> Result<(), FileError> {
    let differs = |what: String| Err(FileError::Differs(what));
    if file.sense() != solver.sense() {
        return differs(format!(
            "objective sense: the file says {:?}, the solver read {:?}",
            file.sense(),
            solver.sense()
        ));
    }
    if file.offset() != solver.offset() {
        return differs(format!(
            "objective constant: the file says {}, the solver read {}",
            file.offset(),
            solver.offset()
        ));
    }
    if file.num_cols() != solver.num_cols() || file.num_rows() != solver.num_rows() {
        return differs(format!(
            "size: the file has {} columns and {} rows, the solver read {} columns and {} rows",
            file.num_cols(),
            file.num_rows(),
            solver.num_cols(),
            solver.num_rows()
        ));
    }
    for j in 0..file.num_cols() {
        let col = Col::from_index(j);
        let name = file.col_name(col);
        if solver.col_names().is_some() && solver.col_name(col) != name {
            return differs(format!(
                "column {j} is '{name}' in the file, '{}' for the solver",
                solver.col_name(col)
            ));
        }
        let pairs = [
            ("lower bound", file.col_lower()[j], solver.col_lower()[j]),
            ("upper bound", file.col_upper()[j], solver.col_upper()[j]),
            ("objective coefficient", file.col_cost()[j], solver.col_cost()[j]),
        ];
        for (what, a, b) in pairs {
            if a != b {
                return differs(format!(
                    "{what} of column '{name}': the file says {a}, the solver read {b}"
                ));
            }
        }
        let (a, b) = (file.col_types()[j].is_integral(), solver.col_types()[j].is_integral());
        if a != b {
            let kind = |integral: bool| if integral { "integer" } else { "continuous" };
            return differs(format!(
                "column '{name}' is {} in the file, {} for the solver",
                kind(a),
                kind(b)
            ));
        }
    }
    for i in 0..file.num_rows() {
        let row = Row::from_index(i);
        let name = file.row_name(row);
        let named_in_file = file.row_names().is_some_and(|names| !names[i].is_empty());
        if named_in_file && solver.row_names().is_some() && solver.row_name(row) != name {
            return differs(format!(
                "row {i} is '{name}' in the file, '{}' for the solver",
                solver.row_name(row)
            ));
        }
        let label = if named_in_file {
            format!("'{name}'")
        } else {
            format!("{}", i + 1)
        };
        for (what, a, b) in [
            ("lower side", file.row_lower()[i], solver.row_lower()[i]),
            ("upper side", file.row_upper()[i], solver.row_upper()[i]),
        ] {
            if a != b {
                return differs(format!("{what} of row {label}: the file says {a}, the solver read {b}"));
            }
        }
        let sorted = |m: &Model| {
            let (idx, val) = m.row_entries(row);
            let mut e: Vec<(u32, f64)> = idx.iter().copied().zip(val.iter().copied()).collect();
            e.sort_by_key(|&(j, _)| j);
            e
        };
        let (a, b) = (sorted(file), sorted(solver));
        if a != b {
            let value = |e: &[(u32, f64)], j: u32| e.iter().find(|&&(k, _)| k == j).map_or(0.0, |&(_, v)| v);
            let j = a
                .iter()
                .chain(b.iter())
                .map(|&(j, _)| j)
                .find(|&j| value(&a, j) != value(&b, j))
                .unwrap_or(0);
            return differs(format!(
                "coefficient of column '{}' in row {label}: the file says {}, the solver read {}",
                file.col_name(Col::from_index(j as usize)),
                value(&a, j),
                value(&b, j)
            ));
        }
    }
    Ok(())
}
