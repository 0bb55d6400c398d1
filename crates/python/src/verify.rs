//! Verification from Python, for mipnet networks (their `network.json`
//! text, raw inputs as in training) and ONNX files: the same questions as
//! `mipnet verify`, answered by the same code, returned as the JSON the
//! CLI writes (the Python side turns it into arrays and dicts).

use crate::predict::network_from;
use mipnet_highs::HighsSolver;
use mipnet_network::ReluNet;
use mipnet_solver::InterruptFlag;
use mipnet_verify::{VerifyError, VerifyOptions};
use numpy::PyReadonlyArray2;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// The model to verify: a mipnet network's text, or an ONNX file's path.
fn model_from(network: Option<&str>, onnx: Option<&str>) -> PyResult<ReluNet> {
    let net = match (network, onnx) {
        (Some(text), None) => ReluNet::from_network(&network_from(text)?),
        (None, Some(path)) => {
            mipnet_onnx::import(Path::new(path)).map_err(|e| PyValueError::new_err(format!("{path}: {e}")))?
        }
        _ => return Err(PyValueError::new_err("give exactly one of network and onnx")),
    };
    mipnet_verify::limits::check_network(&net).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(net)
}

fn options(time_limit: f64, threads: Option<usize>, seed: u64) -> PyResult<VerifyOptions> {
    let mut o = VerifyOptions::new(Arc::new(HighsSolver));
    o.solve.time_limit = Some(time_limit);
    o.solve.threads = threads;
    o.solve.seed = Some(seed);
    o.interrupt = Some(InterruptFlag::new());
    o.solve.validate().map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(o)
}

/// The model and the options of one question.
fn model_and_options(
    network: Option<&str>,
    onnx: Option<&str>,
    time_limit: f64,
    threads: Option<usize>,
    seed: u64,
) -> PyResult<(ReluNet, VerifyOptions)> {
    Ok((model_from(network, onnx)?, options(time_limit, threads, seed)?))
}

/// Asks `question` of each row of `x` (the model's inputs, checked) with
/// the GIL released; the answers as a JSON list.
fn per_row<T: Serialize + Send>(
    py: Python<'_>,
    net: &ReluNet,
    x: &PyReadonlyArray2<'_, f64>,
    question: impl Fn(&[f64]) -> Result<T, VerifyError> + Sync,
) -> PyResult<String> {
    let (n, d, values) = crate::arrays::matrix(x, "X")?;
    if d != net.inputs {
        return Err(PyValueError::new_err(format!(
            "X has {d} features, the model reads {}",
            net.inputs
        )));
    }
    let answers = py.allow_threads(|| {
        values
            .chunks(d.max(1))
            .take(n)
            .map(&question)
            .collect::<Result<Vec<_>, _>>()
    });
    serde_json::to_string(&answers.map_err(to_py)?).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// What the user gave → `ValueError`; the rest (a failed replay, a solver
/// failure) → `RuntimeError`.
fn to_py(e: VerifyError) -> PyErr {
    match e {
        VerifyError::Region(_) | VerifyError::Shape(_) | VerifyError::Magnitude(_) => {
            PyValueError::new_err(e.to_string())
        }
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// For each row of `x`: is the prediction the same on the ℓ∞ ball of
/// radius `eps` (clipped to `domain`)? Returns a JSON list of the CLI's
/// per-input results.
#[pyfunction]
#[pyo3(signature = (x, eps, network=None, onnx=None, domain=None, time_limit=60.0, threads=None, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn robustness(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    eps: f64,
    network: Option<&str>,
    onnx: Option<&str>,
    domain: Option<(f64, f64)>,
    time_limit: f64,
    threads: Option<usize>,
    seed: u64,
) -> PyResult<String> {
    let (net, opts) = model_and_options(network, onnx, time_limit, threads, seed)?;
    per_row(py, &net, &x, |row| {
        mipnet_verify::robustness(&net, row, eps, domain, &opts)
    })
}

/// For each row of `x`: the largest radius (up to `eps_max`, to within
/// `resolution`) at which robustness is proven, by bisection; a JSON list
/// of the CLI's `--radius` results.
#[pyfunction]
#[pyo3(signature = (x, eps_max, resolution=1e-3, network=None, onnx=None, domain=None, time_limit=60.0, threads=None, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn radius(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    eps_max: f64,
    resolution: f64,
    network: Option<&str>,
    onnx: Option<&str>,
    domain: Option<(f64, f64)>,
    time_limit: f64,
    threads: Option<usize>,
    seed: u64,
) -> PyResult<String> {
    if !(resolution.is_finite() && resolution > 0.0) {
        return Err(PyValueError::new_err(format!(
            "resolution must be a positive number, got {resolution}"
        )));
    }
    let (net, opts) = model_and_options(network, onnx, time_limit, threads, seed)?;
    per_row(py, &net, &x, |row| {
        mipnet_verify::radius(&net, row, eps_max, resolution, domain, &opts)
    })
}

/// Certified ranges of every output over the box `lower ≤ x ≤ upper`, as
/// JSON (the CLI's `mipnet bounds` report).
#[pyfunction]
#[pyo3(signature = (lower, upper, network=None, onnx=None, time_limit=60.0, threads=None, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn output_bounds(
    py: Python<'_>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    network: Option<&str>,
    onnx: Option<&str>,
    time_limit: f64,
    threads: Option<usize>,
    seed: u64,
) -> PyResult<String> {
    let (net, opts) = model_and_options(network, onnx, time_limit, threads, seed)?;
    if lower.len() != net.inputs || upper.len() != net.inputs {
        return Err(PyValueError::new_err(format!(
            "the box has {} lower and {} upper bounds, the model reads {} inputs",
            lower.len(),
            upper.len(),
            net.inputs
        )));
    }
    let region = mipnet_verify::Region::boxed(lower, upper);
    let report = py.allow_threads(|| mipnet_verify::output_ranges(&net, &region, &opts));
    serde_json::to_string(&report.map_err(to_py)?).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}
