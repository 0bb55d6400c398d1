//! Accuracy against the fraction of zero weights: the exact network beside
//! the gradient networks (dense, and each pruning method at the exact
//! network's sparsity and at its parameter count), from `mipnet select`'s
//! `baselines`, or `mipnet train`'s `baseline` (dense and magnitude-pruned).
//! Test accuracy when the run had a test set, training accuracy otherwise.

use crate::style::{colour, draw_legend, LABEL_FONT, SIZE, TITLE_FONT};
use crate::{number, write_error, PlotError};
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

/// One network of the figure.
struct Entry {
    label: String,
    sparsity: f64,
    accuracy: f64,
}

/// The networks of the report, and which accuracy they show.
fn entries(report: &Value) -> (Vec<Entry>, &'static str) {
    let test = report.get("test_accuracy").is_some_and(|v| !v.is_null());
    let (acc_key, axis) = if test {
        ("test_accuracy", "test accuracy")
    } else {
        ("train_accuracy", "training accuracy")
    };
    let mut out = Vec::new();
    if let Some(b) = report.get("baselines") {
        let mut push = |e: &Value, label: String| {
            if let (Some(s), Some(a)) = (number(e, "weight_sparsity"), number(e, acc_key)) {
                out.push(Entry {
                    label,
                    sparsity: s,
                    accuracy: a,
                });
            }
        };
        if let Some(m) = b.get("milp") {
            push(m, "mipnet (exact)".into());
        }
        if let Some(d) = b.get("dense") {
            push(d, "gradient, dense".into());
        }
        for (key, how) in [
            ("at_equal_sparsity", "equal sparsity"),
            ("at_equal_params_kept", "equal parameters"),
        ] {
            for e in b.get(key).and_then(Value::as_array).into_iter().flatten() {
                let method = e.get("method").and_then(Value::as_str).unwrap_or("pruned");
                push(e, format!("{method}, {how}"));
            }
        }
    } else if let Some(b) = report.get("baseline") {
        if let (Some(s), Some(a)) = (number(report, "weight_sparsity"), number(report, acc_key)) {
            out.push(Entry {
                label: "mipnet (exact)".into(),
                sparsity: s,
                accuracy: a,
            });
        }
        if let (Some(s), Some(a)) = (number(b, "weight_sparsity"), number(b, acc_key)) {
            out.push(Entry {
                label: "gradient, dense".into(),
                sparsity: s,
                accuracy: a,
            });
        }
        let pruned_key = if test {
            "pruned_to_milp_sparsity_test_accuracy"
        } else {
            "pruned_to_milp_sparsity_train_accuracy"
        };
        if let (Some(s), Some(a)) = (number(report, "weight_sparsity"), number(b, pruned_key)) {
            out.push(Entry {
                label: "magnitude-pruned, equal sparsity".into(),
                sparsity: s,
                accuracy: a,
            });
        }
    }
    (out, axis)
}

/// The accuracy axis: the values' range with room around it, within [0, 1]
/// (plus room for the markers), at least [`MIN_SPAN`] wide.
fn accuracy_range(lo: f64, hi: f64) -> (f64, f64) {
    /// Narrowest accuracy axis: two points that agree still show a scale.
    const MIN_SPAN: f64 = 0.1;
    /// Share of the span added on each side.
    const MARGIN: f64 = 0.1;
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let mid = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo).max(MIN_SPAN) * (1.0 + 2.0 * MARGIN);
    ((mid - half).max(-0.02), (mid + half).min(1.02))
}

pub fn draw(report: &Value, path: &Path) -> Result<Option<String>, PlotError> {
    let (entries, axis) = entries(report);
    if entries.len() < 2 {
        return Ok(Some("the report has no baselines to compare with".into()));
    }
    let (alo, ahi) = entries.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), e| {
        (a.min(e.accuracy), b.max(e.accuracy))
    });
    let (alo, ahi) = accuracy_range(alo, ahi);
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| write_error(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{axis} against sparsity"), TITLE_FONT)
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.02..1.02, alo..ahi)
        .map_err(|e| write_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc("fraction of weights exactly 0")
        .y_desc(axis)
        .label_style(LABEL_FONT)
        .draw()
        .map_err(|e| write_error(path, e))?;
    for (i, e) in entries.iter().enumerate() {
        let c = colour(i);
        let point = (e.sparsity, e.accuracy);
        let marker = if i == 0 { 8 } else { 6 };
        chart
            .draw_series([Circle::new(point, marker, c.filled())])
            .map_err(|e| write_error(path, e))?
            .label(e.label.clone())
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, c.filled()));
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft, path)?;
    root.present().map_err(|e| write_error(path, e))?;
    Ok(None)
}
