//! Model selection from Python, in three steps so that the runs between
//! them can go anywhere (this process, or Ray workers):
//!
//! 1. [`select_plan`]: the grid checked and expanded, the stratified folds
//!    drawn and the time and threads split, all by `mipnet-select`
//!    (`prepare`), exactly as `mipnet select` does; each (setting, fold)
//!    run's full settings document (its time share and threads) is in the
//!    plan.
//! 2. [`fold_run`]: one (setting, fold) run — exact training on the fold's
//!    training rows, scored on its held-out rows — as `mipnet select` runs
//!    it (the same settings, data subset and accuracy).
//! 3. [`select_table`]: the table and the choice, by `mipnet-select`'s
//!    `cv::table` and `cv::choose`, so the rule is the CLI's.
//!
//! Everything crosses as JSON text, so a run's inputs and result pickle as
//! strings to any worker.

use crate::arrays;
use mipnet_data::Dataset;
use mipnet_highs::HighsSolver;
use mipnet_select::{cv, FoldRun, Grid, PlannedRun, SelectError, SelectJob, Setting};
use mipnet_train::{TrainError, TrainSettings};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::json;

/// The base settings: a JSON document with `train`'s config sections.
fn base_from(text: &str) -> PyResult<TrainSettings> {
    serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("settings: {e}")))
}

/// The grid: a JSON object with the keys of a `--grid` file's `[select]`
/// section that vary (`l1`, `hidden`, `margin`, `grid_levels`, `loss`).
fn grid_from(text: &str) -> PyResult<Grid> {
    serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("grid: {e}")))
}

/// A selection error as the CLI sorts it: a failed training run is not
/// the input's fault (`RuntimeError`), everything else is (`ValueError`).
fn select_error(e: SelectError) -> PyErr {
    match e {
        SelectError::Train(t) => train_error(t),
        other => PyValueError::new_err(other.to_string()),
    }
}

fn train_error(e: TrainError) -> PyErr {
    match e {
        TrainError::Settings(_) | TrainError::TooLarge(_) => PyValueError::new_err(e.to_string()),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T, what: &str) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyRuntimeError::new_err(format!("{what}: {e}")))
}

/// The expanded, checked settings of `grid` over `base` (in the CLI's order).
fn settings_of(base: &TrainSettings, grid: &Grid) -> PyResult<Vec<Setting>> {
    grid.settings(base, &HighsSolver).map_err(select_error)
}

/// Plans a selection on `x`, `y`: returns JSON with `settings` (the grid's
/// combinations, in order), `grid` (resolved), `plan`, `rule`,
/// `validation` (each fold's held-out row indices), `runs` (one per
/// (setting, fold), setting by setting: `setting`, `fold`, `training`
/// indices and the run's `settings` document) and `refit_settings`
/// (without the grid's values: the chosen setting fills them).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (x, y, feature_names, class_names, settings, grid, folds, fold_seed, refit_share))]
pub fn select_plan(
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
    settings: &str,
    grid: &str,
    folds: usize,
    fold_seed: u64,
    refit_share: f64,
) -> PyResult<String> {
    let data = arrays::dataset(&x, &y, feature_names, class_names)?;
    let base = base_from(settings)?;
    let grid = grid_from(grid)?;
    let job = SelectJob {
        dataset: "python".into(),
        train: &data,
        test: None,
        base: &base,
        grid: &grid,
        folds,
        fold_seed,
        refit_share,
        baselines: false,
        solver: &HighsSolver,
    };
    let (settings, folds, plan) = mipnet_select::prepare(&job).map_err(select_error)?;
    let mut runs = Vec::with_capacity(plan.runs);
    // Setting by setting, fold by fold: the order of `mipnet select`.
    for (i, s) in settings.iter().enumerate() {
        let run_settings = plan.run_settings(PlannedRun::CrossValidation, &s.apply(&base));
        let document = to_json(&run_settings, "run settings")?;
        for k in 0..folds.len() {
            runs.push(json!({
                "setting": i,
                "fold": k,
                "training": folds.training(k),
                "settings": document,
            }));
        }
    }
    let refit = plan.run_settings(PlannedRun::Refit, &base);
    let out = json!({
        "settings": settings,
        "grid": grid.resolved(&base),
        "plan": plan,
        "rule": cv::RULE,
        "validation": (0..folds.len()).map(|k| folds.validation(k).to_vec()).collect::<Vec<_>>(),
        "runs": runs,
        "refit_settings": to_json(&refit, "refit settings")?,
    });
    to_json(&out, "plan")
}

/// Row indices checked against the data's `n` rows.
fn rows(indices: &[usize], n: usize, what: &str) -> PyResult<()> {
    match indices.iter().find(|&&i| i >= n) {
        Some(i) => Err(PyValueError::new_err(format!("{what} row index {i} is outside 0..{n}"))),
        None if indices.is_empty() => Err(PyValueError::new_err(format!("{what}: no rows"))),
        None => Ok(()),
    }
}

/// One (setting, fold) run, as `mipnet select` runs it: exact training on
/// the `training` rows with the run's `settings` (its time share and
/// threads), the network scored on the `validation` rows. Returns the
/// run's `FoldRun` as JSON. The GIL is released during the solve.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (x, y, feature_names, class_names, training, validation, settings, setting, fold))]
pub fn fold_run(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
    training: Vec<usize>,
    validation: Vec<usize>,
    settings: &str,
    setting: usize,
    fold: usize,
) -> PyResult<String> {
    let data = arrays::dataset(&x, &y, feature_names, class_names)?;
    rows(&training, data.len(), "training")?;
    rows(&validation, data.len(), "validation")?;
    let checked = base_from(settings)?
        .check(&HighsSolver)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let (fit, held) = (data.subset(&training), data.subset(&validation));
    let run = py.allow_threads(|| run_one(&fit, &held, &checked, setting, fold))?;
    to_json(&run, "fold run")
}

/// `mipnet-select`'s fold run itself (`cv::score_fold`): the same
/// training call, statuses and fields as the CLI's cross-validation.
fn run_one(
    fit: &Dataset,
    validation: &Dataset,
    settings: &mipnet_train::CheckedSettings,
    setting: usize,
    fold: usize,
) -> PyResult<FoldRun> {
    let never = mipnet_solver::InterruptFlag::new();
    cv::score_fold(&HighsSolver, setting, fold, fit, validation, settings, &never).map_err(train_error)
}

/// The table of the runs (JSON list of [`fold_run`] results) and the
/// choice, by `mipnet-select`'s rule: JSON with `table`, `chosen` (index
/// or null) and `chosen_setting`.
#[pyfunction]
pub fn select_table(settings: &str, grid: &str, folds: usize, runs: &str) -> PyResult<String> {
    let base = base_from(settings)?;
    let values = settings_of(&base, &grid_from(grid)?)?;
    // mipnet-select's own type read back: the fields and statuses `fold_run` wrote.
    let runs: Vec<FoldRun> = serde_json::from_str(runs).map_err(|e| PyValueError::new_err(format!("runs: {e}")))?;
    if let Some(r) = runs.iter().find(|r| r.setting >= values.len() || r.fold >= folds) {
        return Err(PyValueError::new_err(format!(
            "runs: setting {} fold {} is outside the plan's {} settings × {folds} folds",
            r.setting,
            r.fold,
            values.len()
        )));
    }
    let table = cv::table(&values, &runs, folds);
    let chosen = cv::choose(&table, folds);
    to_json(
        &json!({
            "table": table,
            "chosen": chosen,
            "chosen_setting": chosen.map(|i| values[i].clone()),
            "rule": cv::RULE,
        }),
        "table",
    )
}

/// Adds this module's functions to `_native`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(select_plan, m)?)?;
    m.add_function(wrap_pyfunction!(fold_run, m)?)?;
    m.add_function(wrap_pyfunction!(select_table, m)?)?;
    Ok(())
}
