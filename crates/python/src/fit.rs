//! Exact training from Python: the settings document is read with the
//! CLI's config-file schema, the run goes to a worker thread with the GIL
//! released, and the calling thread watches for Ctrl-C: a
//! `KeyboardInterrupt` raises the run's interrupt flag, the run ends the
//! way the CLI's does on Ctrl-C (the best certified network so far is
//! kept), and `fit` returns it marked as interrupted.

use crate::arrays;
use mipnet_highs::HighsSolver;
use mipnet_solver::{InterruptFlag, NoObserver, Observer};
use mipnet_train::{train, CheckedSettings, Job, TrainObserver, TrainSettings};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

/// How often the waiting thread looks for Ctrl-C: short enough to feel
/// immediate, long enough to cost nothing.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Reads and checks a settings document: JSON with `train`'s config-file
/// sections (`formulation`, `gradient`, `solver`, `stages`) and keys.
fn settings_from(text: &str) -> PyResult<CheckedSettings> {
    let settings: TrainSettings =
        serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("settings: {e}")))?;
    settings
        .check(&HighsSolver)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Checks a settings document without training (for `set_params` errors
/// that surface at `fit` as `ValueError`, before any data is read).
#[pyfunction]
pub fn check_settings(settings: &str) -> PyResult<()> {
    settings_from(settings).map(|_| ())
}

/// Prints the pipeline's stage messages to stderr, as the CLI's `--verbose`
/// progress does, when the estimator's `verbose` is on.
struct StageLog {
    verbose: bool,
    solver: NoObserver,
}

impl TrainObserver for StageLog {
    fn stage(&mut self, message: &str) {
        if self.verbose {
            eprintln!("mipnet: {message}");
        }
    }
    fn solver(&mut self) -> &mut dyn Observer {
        &mut self.solver
    }
}

/// Trains a network on `x`, `y` (class indices into `class_names`) and
/// returns `(network_json, report_json, interrupted)`.
#[pyfunction]
#[pyo3(signature = (x, y, feature_names, class_names, settings, verbose=false))]
pub fn fit(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
    settings: &str,
    verbose: bool,
) -> PyResult<(String, String, bool)> {
    let data = arrays::dataset(&x, &y, feature_names, class_names)?;
    let settings = settings_from(settings)?;
    let flag = InterruptFlag::new();
    let mut interrupted = false;
    let outcome = std::thread::scope(|scope| {
        let (done, result) = channel();
        let (data, settings, flag) = (&data, &settings, &flag);
        scope.spawn(move || {
            let job = Job {
                dataset: "python".into(),
                train: data,
                test: None,
                settings,
                solver: &HighsSolver,
            };
            let mut log = StageLog {
                verbose,
                solver: NoObserver,
            };
            let _ = done.send(train(&job, &mut log, Some(flag)));
        });
        let mut result = Some(result);
        loop {
            // The receiver goes into the GIL-free closure and comes back.
            let (receiver, got) = py.allow_threads(move || {
                let receiver = result.take().expect("the receiver is back after each wait");
                let got = receiver.recv_timeout(SIGNAL_POLL);
                (receiver, got)
            });
            result = Some(receiver);
            match got {
                Ok(outcome) => break outcome,
                Err(RecvTimeoutError::Timeout) => {
                    if !interrupted && py.check_signals().is_err() {
                        // The KeyboardInterrupt is consumed here: the run
                        // stops at its next check and returns its best.
                        interrupted = true;
                        flag.raise();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err("the training thread ended without a result"));
                }
            }
        }
        .map_err(|e| match e {
            mipnet_train::TrainError::Settings(_) | mipnet_train::TrainError::TooLarge(_) => {
                PyValueError::new_err(e.to_string())
            }
            other => PyRuntimeError::new_err(other.to_string()),
        })
    })?;
    let report =
        serde_json::to_string_pretty(&outcome.report).map_err(|e| PyRuntimeError::new_err(format!("report: {e}")))?;
    Ok((outcome.network.to_json(), report, interrupted))
}
