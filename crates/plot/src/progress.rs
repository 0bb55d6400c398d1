//! The run over time: the best certified objective (a step line, a dot
//! where a step of the pipeline found a better network, coloured by the
//! step) and the proven lower bound (a step line, a triangle where a
//! method proved a better bound, coloured by the method), from
//! `report.json`'s `trace`.

use crate::style::{colour, draw_legend, padded, BOUND, LABEL_FONT, SIZE, TITLE_FONT};
use crate::{number, write_error, PlotError};
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

/// One point of the trace.
struct Point {
    seconds: f64,
    stage: String,
    incumbent: Option<f64>,
    bound: Option<f64>,
}

fn points(report: &Value) -> Vec<Point> {
    let Some(trace) = report.get("trace").and_then(Value::as_array) else {
        return Vec::new();
    };
    trace
        .iter()
        .filter_map(|p| {
            Some(Point {
                seconds: number(p, "seconds")?,
                stage: p.get("stage")?.as_str()?.to_string(),
                incumbent: number(p, "incumbent"),
                bound: number(p, "bound"),
            })
        })
        .collect()
}

/// Steps of a "best so far" series: each value holds until the next.
fn steps(values: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(2 * values.len() + 1);
    for (i, &(t, v)) in values.iter().enumerate() {
        if i > 0 {
            out.push((t, values[i - 1].1));
        }
        out.push((t, v));
    }
    if let Some(&(_, v)) = values.last() {
        out.push((end, v));
    }
    out
}

/// Draws the figure, or says why there is none (no trace in the report).
pub fn draw(report: &Value, path: &Path) -> Result<Option<String>, PlotError> {
    let pts = points(report);
    let incumbents: Vec<(f64, f64)> = pts.iter().filter_map(|p| Some((p.seconds, p.incumbent?))).collect();
    if incumbents.is_empty() {
        return Ok(Some("the report has no trace of the run".into()));
    }
    let bounds: Vec<(f64, f64)> = pts.iter().filter_map(|p| Some((p.seconds, p.bound?))).collect();
    let end = number(report, "total_seconds")
        .unwrap_or(0.0)
        .max(pts.iter().map(|p| p.seconds).fold(0.0, f64::max));
    let values = incumbents.iter().chain(&bounds).map(|&(_, v)| v);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = padded(lo, hi);
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| write_error(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("exact training: best network and proven bound", TITLE_FONT)
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..end.max(1e-3), lo..hi)
        .map_err(|e| write_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc("seconds")
        .y_desc("training objective")
        .label_style(LABEL_FONT)
        .draw()
        .map_err(|e| write_error(path, e))?;
    chart
        .draw_series(LineSeries::new(steps(&incumbents, end), BLACK.stroke_width(2)))
        .map_err(|e| write_error(path, e))?
        .label("best network")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
    if !bounds.is_empty() {
        chart
            .draw_series(LineSeries::new(steps(&bounds, end), BOUND.stroke_width(2)))
            .map_err(|e| write_error(path, e))?
            .label("proven lower bound")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BOUND.stroke_width(2)));
    }
    // Each point changed the incumbent (a network) or the bound (a proof).
    let mut marks: Vec<(&str, (f64, f64), bool)> = Vec::new();
    for (i, p) in pts.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &pts[j]);
        if let Some(v) = p
            .incumbent
            .filter(|_| before.is_none_or(|b| b.incumbent != p.incumbent))
        {
            marks.push((&p.stage, (p.seconds, v), false));
        }
        if let Some(v) = p.bound.filter(|_| before.is_none_or(|b| b.bound != p.bound)) {
            marks.push((&p.stage, (p.seconds, v), true));
        }
    }
    let mut stages: Vec<(&str, bool)> = Vec::new();
    for &(stage, _, is_bound) in &marks {
        if !stages.contains(&(stage, is_bound)) {
            stages.push((stage, is_bound));
        }
    }
    for (i, &(stage, is_bound)) in stages.iter().enumerate() {
        let c = colour(i);
        let at = marks.iter().filter(|m| m.0 == stage && m.2 == is_bound).map(|m| m.1);
        if is_bound {
            chart
                .draw_series(at.map(|xy| TriangleMarker::new(xy, 7, c.filled())))
                .map_err(|e| write_error(path, e))?
                .label(format!("bound: {stage}"))
                .legend(move |(x, y)| TriangleMarker::new((x + 9, y), 6, c.filled()));
        } else {
            chart
                .draw_series(at.map(|xy| Circle::new(xy, 5, c.filled())))
                .map_err(|e| write_error(path, e))?
                .label(stage)
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, c.filled()));
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight, path)?;
    root.present().map_err(|e| write_error(path, e))?;
    Ok(None)
}
