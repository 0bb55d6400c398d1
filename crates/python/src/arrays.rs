//! Numpy arrays into mipnet's data types, refusing what the CLI refuses
//! in a CSV file (non-finite values, labels out of range), with messages
//! that name the row and column.

use mipnet_data::Dataset;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::PyResult;

/// The rows of `x`, row-major, after checking that every value is finite.
pub fn matrix(x: &PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<(usize, usize, Vec<f64>)> {
    let view = x.as_array();
    let (n, d) = view.dim();
    let mut values = Vec::with_capacity(n * d);
    for ((r, c), &v) in view.indexed_iter() {
        if !v.is_finite() {
            return Err(PyValueError::new_err(format!(
                "{what}[{r}, {c}] is {v}: every feature value must be a finite number"
            )));
        }
        values.push(v);
    }
    Ok((n, d, values))
}

/// A training set from `x`, class indices `y` and the names of both.
pub fn dataset(
    x: &PyReadonlyArray2<'_, f64>,
    y: &PyReadonlyArray1<'_, i64>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
) -> PyResult<Dataset> {
    let (n, d, values) = matrix(x, "X")?;
    let y = y.as_array();
    if y.len() != n {
        return Err(PyValueError::new_err(format!(
            "X has {n} rows but y has {} labels",
            y.len()
        )));
    }
    if feature_names.len() != d {
        return Err(PyValueError::new_err(format!(
            "{} feature names for {d} columns of X",
            feature_names.len()
        )));
    }
    let k = class_names.len();
    let mut labels = Vec::with_capacity(n);
    for (i, &c) in y.iter().enumerate() {
        if c < 0 || c as usize >= k {
            return Err(PyValueError::new_err(format!(
                "y[{i}] is class index {c}, outside 0..{k}"
            )));
        }
        labels.push(c as usize);
    }
    let data = Dataset::new("python", feature_names, class_names, values, labels);
    data.check_trainable()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(data)
}
