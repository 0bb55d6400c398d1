//! `mipnet select`'s cross-validation table: each setting's mean
//! validation accuracy (a point) and the range over its folds (a bar), the
//! chosen setting marked; the settings listed under the axis by number.

use crate::style::{colour, draw_legend, padded, LABEL_FONT, TITLE_FONT};
use crate::{number, write_error, PlotError};
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

/// Height of one line of the settings' list under the chart.
const LIST_LINE: u32 = 18;

/// A setting's values in words, from the table row's `values`.
fn describe(values: &Value) -> String {
    let Some(map) = values.as_object() else {
        return values.to_string();
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn draw(report: &Value, path: &Path) -> Result<Option<String>, PlotError> {
    let Some(sel) = report.get("selection") else {
        return Ok(Some("not a model-selection run (no selection in the report)".into()));
    };
    let rows: Vec<&Value> = sel
        .get("table")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if rows.is_empty() {
        return Ok(Some("the selection's table is empty".into()));
    }
    let chosen = sel.get("chosen").and_then(Value::as_u64).map(|c| c as usize);
    // (setting, mean, min, max) of the validation accuracy.
    type Row = (usize, Option<f64>, Option<f64>, Option<f64>);
    let acc: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                i,
                number(r, "validation_accuracy_mean"),
                number(r, "validation_accuracy_min"),
                number(r, "validation_accuracy_max"),
            )
        })
        .collect();
    let all = acc.iter().flat_map(|&(_, m, a, b)| [m, a, b]).flatten();
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = padded(lo, hi);
    let height = 480 + LIST_LINE * rows.len() as u32;
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| write_error(path, e))?;
    let (top, bottom) = root.split_vertically(480);
    let mut chart = ChartBuilder::on(&top)
        .caption("model selection: validation accuracy over the folds", TITLE_FONT)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..(rows.len() as f64 - 0.5), lo..hi)
        .map_err(|e| write_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc("setting")
        .y_desc("validation accuracy")
        .x_labels(rows.len().min(30))
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .label_style(LABEL_FONT)
        .draw()
        .map_err(|e| write_error(path, e))?;
    let bar = colour(0);
    chart
        .draw_series(acc.iter().filter_map(|&(i, _, a, b)| {
            Some(PathElement::new(
                vec![(i as f64, a?), (i as f64, b?)],
                bar.stroke_width(2),
            ))
        }))
        .map_err(|e| write_error(path, e))?
        .label("range over the folds")
        .legend(move |(x, y)| PathElement::new(vec![(x + 9, y - 6), (x + 9, y + 6)], bar.stroke_width(2)));
    chart
        .draw_series(
            acc.iter()
                .filter_map(|&(i, m, _, _)| Some(Circle::new((i as f64, m?), 5, bar.filled()))),
        )
        .map_err(|e| write_error(path, e))?
        .label("mean")
        .legend(move |(x, y)| Circle::new((x + 9, y), 5, bar.filled()));
    if let Some(c) = chosen.and_then(|c| acc.get(c)).and_then(|&(i, m, _, _)| Some((i, m?))) {
        let mark = colour(3);
        chart
            .draw_series([Circle::new((c.0 as f64, c.1), 10, mark.stroke_width(3))])
            .map_err(|e| write_error(path, e))?
            .label("chosen")
            .legend(move |(x, y)| Circle::new((x + 9, y), 6, mark.stroke_width(2)));
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight, path)?;
    for (i, r) in rows.iter().enumerate() {
        let text = format!("{i}: {}", describe(r.get("values").unwrap_or(&Value::Null)));
        bottom
            .draw_text(
                &text,
                &LABEL_FONT.into_text_style(&bottom),
                (80, i as i32 * LIST_LINE as i32),
            )
            .map_err(|e| write_error(path, e))?;
    }
    root.present().map_err(|e| write_error(path, e))?;
    Ok(None)
}
