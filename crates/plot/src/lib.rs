//! Figures of a training run, drawn from its run directory
//! (`report.json`, `network.json`) as SVG files: what `mipnet plot` writes.
//!
//! - [`progress`]: the best certified objective over time, coloured by the
//!   stage that found it, and the proven lower bound (the report's `trace`).
//! - [`weights`]: every layer's weight matrix as a sparsity mask, pruned
//!   units marked.
//! - [`selection`]: `mipnet select`'s cross-validation table, validation
//!   accuracy against the grid.
//! - [`sparsity`]: accuracy against the fraction of zero weights, for the
//!   exact network and the gradient (pruning) baselines.
//!
//! The figures read the JSON files as values, not as the trainer's types,
//! so this crate depends on no other of mipnet's and reads the reports of
//! older runs too (a figure whose data a report lacks is skipped, with the
//! reason).

pub mod progress;
pub mod selection;
pub mod sparsity;
mod style;
pub mod weights;

use serde_json::Value;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why figures could not be drawn.
#[derive(Debug, Error)]
pub enum PlotError {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// One figure the run's files allow, or why not.
#[derive(Debug)]
pub enum Figure {
    Written(PathBuf),
    Skipped { name: &'static str, reason: String },
}

fn read_json(path: &Path) -> Result<Value, PlotError> {
    let text = std::fs::read_to_string(path).map_err(|e| PlotError::Read {
        path: path.into(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| PlotError::Malformed {
        path: path.into(),
        reason: e.to_string(),
    })
}

/// Draws one figure to a path, or says why it has none.
type Drawer<'a> = dyn Fn(&Path) -> Result<Option<String>, PlotError> + 'a;

/// Draws every figure that `run_dir`'s files allow into `out_dir` (made if
/// missing): `progress.svg`, `weights.svg`, `selection.svg`, `sparsity.svg`.
pub fn plot_run(run_dir: &Path, out_dir: &Path) -> Result<Vec<Figure>, PlotError> {
    let report = read_json(&run_dir.join("report.json"))?;
    let network = read_json(&run_dir.join("network.json"))?;
    std::fs::create_dir_all(out_dir).map_err(|e| PlotError::Write {
        path: out_dir.into(),
        reason: e.to_string(),
    })?;
    let figures: [(&'static str, &Drawer); 4] = [
        ("progress", &|p| progress::draw(&report, p)),
        ("weights", &|p| weights::draw(&network, p)),
        ("selection", &|p| selection::draw(&report, p)),
        ("sparsity", &|p| sparsity::draw(&report, p)),
    ];
    let mut out = Vec::new();
    for (name, draw) in figures {
        let path = out_dir.join(format!("{name}.svg"));
        match draw(&path)? {
            None => out.push(Figure::Written(path)),
            Some(reason) => out.push(Figure::Skipped { name, reason }),
        }
    }
    Ok(out)
}

/// A drawing backend's error as a [`PlotError`] for `path`.
pub(crate) fn write_error(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError::Write {
        path: path.into(),
        reason: e.to_string(),
    }
}

/// `value[key]` as a number, when it is one.
pub(crate) fn number(value: &Value, key: &str) -> Option<f64> {
    value.get(key).and_then(Value::as_f64)
}
