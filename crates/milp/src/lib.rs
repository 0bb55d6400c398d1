//! A solver-neutral mixed-integer linear program.
//!
//! mipnet's training models reach 10^6 columns and 10^7 nonzeros, so a model
//! is stored the way solvers consume it: flat arrays of column data and a
//! compressed sparse row (CSR) constraint matrix that rows are appended to.
//! There are no per-term expression trees and no hashing; building costs one
//! `push` per nonzero. Columns and rows are named by [`Col`] and [`Row`],
//! `Copy` index handles.
//!
//! The model knows nothing of neural networks or of any solver. Formulations
//! build it; backends (see `mipnet-solver`) read it through the accessors.
//!
//! ```
//! use mipnet_milp::{Model, Sense, VarType};
//! let mut m = Model::new(Sense::Maximize);
//! let x = m.add_col(0.0, 1.0, 3.0, VarType::Binary);
//! let y = m.add_col(0.0, 1.0, 2.0, VarType::Binary);
//! m.add_row(f64::NEG_INFINITY, 1.0, [(x, 1.0), (y, 1.0)]);
//! m.validate().unwrap();
//! let check = m.evaluate(&[1.0, 0.0], 1e-9);
//! assert!(check.is_feasible());
//! assert_eq!(check.objective, 3.0);
//! ```

use std::fmt;
use thiserror::Error;

mod check;
pub mod files;
pub use check::Evaluation;

/// A column (variable) of a [`Model`]: an index handle, cheap to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Col(u32);

impl Col {
    /// The column's position in the model.
    pub fn index(self) -> usize {
        self.0 as usize
    }
    /// The handle of column `index`; the caller makes sure it exists.
    pub fn from_index(index: usize) -> Self {
        Col(u32::try_from(index).expect("column index exceeds u32"))
    }
}

/// A row (constraint) of a [`Model`]: an index handle, cheap to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Row(u32);

impl Row {
    /// The row's position in the model.
    pub fn index(self) -> usize {
        self.0 as usize
    }
    /// The handle of row `index`; the caller makes sure it exists.
    pub fn from_index(index: usize) -> Self {
        Row(u32::try_from(index).expect("row index exceeds u32"))
    }
}

/// The domain of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarType {
    Continuous,
    Integer,
    /// An integer column whose bounds lie within [0, 1].
    Binary,
}

impl VarType {
    /// Whether values of this type must be integral.
    pub fn is_integral(self) -> bool {
        !matches!(self, VarType::Continuous)
    }
}

/// Direction of optimization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Sense {
    #[default]
    Minimize,
    Maximize,
}

/// Why a model is not a well-formed MILP.
#[derive(Debug, Error, PartialEq)]
pub enum ModelError {
    #[error("column {col} ({name}): {what}")]
    BadColumn { col: usize, name: String, what: String },
    #[error("row {row} ({name}): {what}")]
    BadRow { row: usize, name: String, what: String },
    #[error("the objective offset is not finite")]
    BadOffset,
    #[error("the model has {0} nonzeros; solvers take at most 2^31 - 1")]
    TooLarge(usize),
}

/// A mixed-integer linear program: minimize or maximize `cost·x + offset`
/// subject to `row_lower ≤ A x ≤ row_upper`, `col_lower ≤ x ≤ col_upper`
/// and integrality. Infinite sides are `f64::INFINITY` / `NEG_INFINITY`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    sense: Sense,
    offset: f64,
    col_lower: Vec<f64>,
    col_upper: Vec<f64>,
    col_cost: Vec<f64>,
    col_type: Vec<VarType>,
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    /// CSR: row r's entries are `row_start[r]..row_start[r + 1]`.
    row_start: Vec<usize>,
    row_index: Vec<u32>,
    row_value: Vec<f64>,
    /// Empty until the first name is set; then one entry per column.
    col_names: Vec<String>,
    row_names: Vec<String>,
}

impl Model {
    /// An empty model.
    pub fn new(sense: Sense) -> Self {
        Model {
            sense,
            row_start: vec![0],
            ..Default::default()
        }
    }

    /// An empty model with room for the given numbers of columns, rows and
    /// nonzeros, so that building it does not reallocate.
    pub fn with_capacity(sense: Sense, cols: usize, rows: usize, nonzeros: usize) -> Self {
        let mut m = Model::new(sense);
        m.col_lower.reserve(cols);
        m.col_upper.reserve(cols);
        m.col_cost.reserve(cols);
        m.col_type.reserve(cols);
        m.row_lower.reserve(rows);
        m.row_upper.reserve(rows);
        m.row_start.reserve(rows);
        m.row_index.reserve(nonzeros);
        m.row_value.reserve(nonzeros);
        m
    }

    /// Adds a column with bounds, objective coefficient and type.
    pub fn add_col(&mut self, lower: f64, upper: f64, cost: f64, ty: VarType) -> Col {
        let col = Col::from_index(self.col_lower.len());
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.col_cost.push(cost);
        self.col_type.push(ty);
        if !self.col_names.is_empty() {
            self.col_names.push(format!("c{}", col.index()));
        }
        col
    }

    /// Adds a binary column with the given objective coefficient.
    pub fn add_binary(&mut self, cost: f64) -> Col {
        self.add_col(0.0, 1.0, cost, VarType::Binary)
    }

    /// Adds a row `lower ≤ Σ coef·col ≤ upper`. Each column may appear at
    /// most once in a row ([`Model::validate`] checks it).
    pub fn add_row<I>(&mut self, lower: f64, upper: f64, terms: I) -> Row
    where
        I: IntoIterator<Item = (Col, f64)>,
    {
        let row = Row::from_index(self.row_lower.len());
        for (c, v) in terms {
            self.row_index.push(c.0);
            self.row_value.push(v);
        }
        self.finish_row(row, lower, upper)
    }

    /// Adds a row from parallel slices of columns and coefficients.
    pub fn add_row_slices(&mut self, lower: f64, upper: f64, cols: &[Col], coefs: &[f64]) -> Row {
        assert_eq!(cols.len(), coefs.len(), "columns and coefficients differ in length");
        let row = Row::from_index(self.row_lower.len());
        self.row_index.extend(cols.iter().map(|c| c.0));
        self.row_value.extend_from_slice(coefs);
        self.finish_row(row, lower, upper)
    }

    fn finish_row(&mut self, row: Row, lower: f64, upper: f64) -> Row {
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.row_start.push(self.row_index.len());
        if !self.row_names.is_empty() {
            self.row_names.push(format!("r{}", row.index()));
        }
        row
    }

    /// Builds a model from complete arrays, the matrix given row-wise (CSR).
    /// `row_start` has one entry per row plus a final one equal to the
    /// number of nonzeros.
    #[allow(clippy::too_many_arguments)]
    pub fn from_csr(
        sense: Sense,
        offset: f64,
        col_lower: Vec<f64>,
        col_upper: Vec<f64>,
        col_cost: Vec<f64>,
        col_type: Vec<VarType>,
        row_lower: Vec<f64>,
        row_upper: Vec<f64>,
        row_start: Vec<usize>,
        row_index: Vec<u32>,
        row_value: Vec<f64>,
    ) -> Self {
        let n = col_lower.len();
        assert!(col_upper.len() == n && col_cost.len() == n && col_type.len() == n);
        assert_eq!(row_lower.len(), row_upper.len());
        assert_eq!(row_start.len(), row_lower.len() + 1);
        assert_eq!(row_index.len(), row_value.len());
        assert_eq!(*row_start.last().unwrap(), row_index.len());
        Model {
            sense,
            offset,
            col_lower,
            col_upper,
            col_cost,
            col_type,
            row_lower,
            row_upper,
            row_start,
            row_index,
            row_value,
            col_names: Vec::new(),
            row_names: Vec::new(),
        }
    }

    // ----- changes -----

    pub fn set_sense(&mut self, sense: Sense) {
        self.sense = sense;
    }
    /// Sets the constant added to the objective.
    pub fn set_offset(&mut self, offset: f64) {
        self.offset = offset;
    }
    pub fn set_cost(&mut self, col: Col, cost: f64) {
        self.col_cost[col.index()] = cost;
    }
    pub fn set_col_bounds(&mut self, col: Col, lower: f64, upper: f64) {
        self.col_lower[col.index()] = lower;
        self.col_upper[col.index()] = upper;
    }
    pub fn set_col_type(&mut self, col: Col, ty: VarType) {
        self.col_type[col.index()] = ty;
    }
    pub fn set_row_bounds(&mut self, row: Row, lower: f64, upper: f64) {
        self.row_lower[row.index()] = lower;
        self.row_upper[row.index()] = upper;
    }
    /// Names a column. Unnamed columns get `c<index>` once any is named.
    pub fn set_col_name(&mut self, col: Col, name: impl Into<String>) {
        if self.col_names.is_empty() {
            self.col_names = (0..self.num_cols()).map(|i| format!("c{i}")).collect();
        }
        self.col_names[col.index()] = name.into();
    }
    /// Names a row. Unnamed rows get `r<index>` once any is named.
    pub fn set_row_name(&mut self, row: Row, name: impl Into<String>) {
        if self.row_names.is_empty() {
            self.row_names = (0..self.num_rows()).map(|i| format!("r{i}")).collect();
        }
        self.row_names[row.index()] = name.into();
    }

    // ----- reading -----

    pub fn sense(&self) -> Sense {
        self.sense
    }
    pub fn offset(&self) -> f64 {
        self.offset
    }
    pub fn num_cols(&self) -> usize {
        self.col_lower.len()
    }
    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }
    pub fn num_nonzeros(&self) -> usize {
        self.row_index.len()
    }
    /// Number of columns that must take integral values.
    pub fn num_integral(&self) -> usize {
        self.col_type.iter().filter(|t| t.is_integral()).count()
    }
    /// Number of integral columns with bounds within [0, 1].
    pub fn num_binary(&self) -> usize {
        (0..self.num_cols())
            .filter(|&j| self.col_type[j].is_integral() && self.col_lower[j] >= 0.0 && self.col_upper[j] <= 1.0)
            .count()
    }
    pub fn is_mip(&self) -> bool {
        self.col_type.iter().any(|t| t.is_integral())
    }
    pub fn col_lower(&self) -> &[f64] {
        &self.col_lower
    }
    pub fn col_upper(&self) -> &[f64] {
        &self.col_upper
    }
    pub fn col_cost(&self) -> &[f64] {
        &self.col_cost
    }
    pub fn col_types(&self) -> &[VarType] {
        &self.col_type
    }
    pub fn row_lower(&self) -> &[f64] {
        &self.row_lower
    }
    pub fn row_upper(&self) -> &[f64] {
        &self.row_upper
    }
    /// The CSR matrix: `(row_start, column index, value)`.
    pub fn matrix(&self) -> (&[usize], &[u32], &[f64]) {
        (&self.row_start, &self.row_index, &self.row_value)
    }
    /// One row's entries: `(column indices, values)`.
    pub fn row_entries(&self, row: Row) -> (&[u32], &[f64]) {
        let r = row.index();
        let range = self.row_start[r]..self.row_start[r + 1];
        (&self.row_index[range.clone()], &self.row_value[range])
    }
    /// Column names, or `None` when no column was ever named.
    pub fn col_names(&self) -> Option<&[String]> {
        (!self.col_names.is_empty()).then_some(self.col_names.as_slice())
    }
    /// Row names, or `None` when no row was ever named.
    pub fn row_names(&self) -> Option<&[String]> {
        (!self.row_names.is_empty()).then_some(self.row_names.as_slice())
    }
    /// A column's name, `c<index>` when it has none.
    pub fn col_name(&self, col: Col) -> String {
        self.col_names
            .get(col.index())
            .cloned()
            .unwrap_or_else(|| format!("c{}", col.index()))
    }
    /// A row's name, `r<index>` when it has none.
    pub fn row_name(&self, row: Row) -> String {
        self.row_names
            .get(row.index())
            .cloned()
            .unwrap_or_else(|| format!("r{}", row.index()))
    }
    /// The objective `cost·x + offset` at `x`.
    pub fn objective_value(&self, x: &[f64]) -> f64 {
        self.offset + self.col_cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }

    /// Checks that the model is a well-formed MILP: finite costs, no NaN
    /// bounds, lower ≤ upper, binaries within [0, 1], column indices in
    /// range, no column twice in a row, finite coefficients. O(nonzeros).
    pub fn validate(&self) -> Result<(), ModelError> {
        if !self.offset.is_finite() {
            return Err(ModelError::BadOffset);
        }
        if self.num_nonzeros() > i32::MAX as usize {
            return Err(ModelError::TooLarge(self.num_nonzeros()));
        }
        let bad_col = |j: usize, what: String| ModelError::BadColumn {
            col: j,
            name: self.col_name(Col::from_index(j)),
            what,
        };
        for j in 0..self.num_cols() {
            let (l, u, c) = (self.col_lower[j], self.col_upper[j], self.col_cost[j]);
            if !c.is_finite() {
                return Err(bad_col(j, format!("objective coefficient {c} is not finite")));
            }
            if l.is_nan() || u.is_nan() || l > u || l == f64::INFINITY || u == f64::NEG_INFINITY {
                return Err(bad_col(j, format!("bounds [{l}, {u}] are empty or not numbers")));
            }
            if self.col_type[j] == VarType::Binary && (l < 0.0 || u > 1.0) {
                return Err(bad_col(j, format!("binary with bounds [{l}, {u}] outside [0, 1]")));
            }
        }
        let mut seen_in_row = vec![u32::MAX; self.num_cols()];
        for r in 0..self.num_rows() {
            let bad_row = |what: String| ModelError::BadRow {
                row: r,
                name: self.row_name(Row::from_index(r)),
                what,
            };
            let (l, u) = (self.row_lower[r], self.row_upper[r]);
            if l.is_nan() || u.is_nan() || l > u || l == f64::INFINITY || u == f64::NEG_INFINITY {
                return Err(bad_row(format!("sides [{l}, {u}] are empty or not numbers")));
            }
            let (idx, val) = self.row_entries(Row::from_index(r));
            for (&j, &v) in idx.iter().zip(val) {
                let ju = j as usize;
                if ju >= self.num_cols() {
                    return Err(bad_row(format!(
                        "refers to column {j}, but there are {}",
                        self.num_cols()
                    )));
                }
                if !v.is_finite() {
                    return Err(bad_row(format!("coefficient {v} of column {j} is not finite")));
                }
                if seen_in_row[ju] == r as u32 {
                    return Err(bad_row(format!("column {} appears twice", self.col_name(Col(j)))));
                }
                seen_in_row[ju] = r as u32;
            }
        }
        Ok(())
    }

    /// Evaluates `x` against the model: objective, and the largest violation
    /// of column bounds, row sides and integrality (each 0 when satisfied).
    /// `tol` is only used for [`Evaluation::is_feasible`].
    pub fn evaluate(&self, x: &[f64], tol: f64) -> Evaluation {
        check::evaluate(self, x, tol)
    }

    /// Row activities `A x`.
    pub fn row_activities(&self, x: &[f64]) -> Vec<f64> {
        (0..self.num_rows())
            .map(|r| {
                let (idx, val) = self.row_entries(Row::from_index(r));
                idx.iter().zip(val).map(|(&j, &v)| v * x[j as usize]).sum()
            })
            .collect()
    }
}

impl fmt::Display for Model {
    /// A one-line size summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} columns ({} integral, {} binary), {} rows, {} nonzeros",
            self.num_cols(),
            self.num_integral(),
            self.num_binary(),
            self.num_rows(),
            self.num_nonzeros()
        )
    }
}
