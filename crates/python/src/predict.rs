//! Using a trained network from Python: class scores, the equations, ONNX.

use crate::arrays;
use mipnet_network::Network;
use numpy::{PyArray2, PyReadonlyArray2, ToPyArray};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::path::Path;

/// The name a network's text goes by in error messages.
const SOURCE: &str = "<network>";

/// Reads a `network.json` text with the checks of `mipnet show`/`predict`.
pub fn network_from(text: &str) -> PyResult<Network> {
    Network::from_json(text, Path::new(SOURCE)).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Checks a `network.json` text (format version, shapes, numbers) and
/// returns it in the current format.
#[pyfunction]
pub fn check_network(network: &str) -> PyResult<String> {
    Ok(network_from(network)?.to_json())
}

/// The class scores of each row of `x` (raw features, as in training): an
/// `n × K` array; the predicted class is the first largest score.
#[pyfunction]
pub fn scores<'py>(
    py: Python<'py>,
    network: &str,
    x: PyReadonlyArray2<'_, f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let net = network_from(network)?;
    let (n, d, values) = arrays::matrix(&x, "X")?;
    let inputs = net.standardizer.mean.len();
    if d != inputs {
        return Err(PyValueError::new_err(format!(
            "X has {d} features, the network reads {inputs}"
        )));
    }
    let k = net.class_names.len();
    let out = py.allow_threads(|| {
        let mut out = numpy::ndarray::Array2::<f64>::zeros((n, k));
        for (i, row) in values.chunks(d.max(1)).take(n).enumerate() {
            for (j, s) in net.scores(row).into_iter().enumerate() {
                out[[i, j]] = s;
            }
        }
        out
    });
    Ok(out.to_pyarray(py))
}

/// The network as equations, as `mipnet show` prints it.
#[pyfunction]
pub fn show(network: &str) -> PyResult<String> {
    Ok(mipnet_network::render(&network_from(network)?))
}

/// Writes the network as ONNX (`float64` weights exactly, or `float32`)
/// and reads it back to check it; returns the number of points checked.
/// With `fold_standardizer`, the input standardization is folded into the
/// first layer (no `Sub`/`Div` nodes), as `mipnet export --fold-standardizer`.
#[pyfunction]
#[pyo3(signature = (network, path, precision="float32", fold_standardizer=false))]
pub fn to_onnx(network: &str, path: &str, precision: &str, fold_standardizer: bool) -> PyResult<usize> {
    let net = network_from(network)?;
    let precision = match precision {
        "float32" => mipnet_onnx::Precision::F32,
        "float64" => mipnet_onnx::Precision::F64,
        other => {
            return Err(PyValueError::new_err(format!(
                "precision '{other}': use 'float32' or 'float64'"
            )))
        }
    };
    let options = mipnet_onnx::ExportOptions {
        precision,
        fold_standardizer,
    };
    mipnet_onnx::export_with(&net, Path::new(path), options).map_err(|e| PyValueError::new_err(e.to_string()))
}
