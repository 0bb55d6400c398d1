//! Every layer's weight matrix (units × inputs) as a sparsity mask: a zero
//! weight white, a nonzero one grey by its magnitude (black = the layer's
//! largest), a pruned unit's row light red.

use crate::style::{LABEL_FONT, TITLE_FONT};
use crate::{write_error, PlotError};
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

/// Panel size of one layer, in pixels.
const PANEL: (u32, u32) = (360, 420);
/// A pruned unit's row.
const PRUNED: RGBColor = RGBColor(250, 200, 200);

/// One layer's matrix and kept units; none for a convolution (its file
/// holds filters, not the unrolled matrix).
fn matrix(layer: &Value) -> Option<(Vec<Vec<f64>>, Vec<bool>)> {
    let rows: Vec<Vec<f64>> = layer
        .get("weights")?
        .as_array()?
        .iter()
        .map(|r| r.as_array().map(|r| r.iter().filter_map(Value::as_f64).collect()))
        .collect::<Option<_>>()?;
    if rows.is_empty() {
        return None;
    }
    let kept = layer
        .get("kept")
        .and_then(Value::as_array)
        .map(|k| k.iter().map(|b| b.as_bool().unwrap_or(true)).collect())
        .unwrap_or_else(|| vec![true; rows.len()]);
    Some((rows, kept))
}

pub fn draw(network: &Value, path: &Path) -> Result<Option<String>, PlotError> {
    let Some(layers) = network
        .get("layers")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    else {
        return Ok(Some("the network has no layers".into()));
    };
    let n = layers.len() as u32;
    let root = SVGBackend::new(path, (PANEL.0 * n, PANEL.1)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| write_error(path, e))?;
    for (k, (layer, area)) in layers.iter().zip(root.split_evenly((1, n as usize))).enumerate() {
        let Some((w, kept)) = matrix(layer) else {
            area.titled(&format!("layer {}: convolution", k + 1), TITLE_FONT)
                .map_err(|e| write_error(path, e))?;
            continue;
        };
        let (units, inputs) = (w.len(), w[0].len());
        let largest = w.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let zeros = w.iter().flatten().filter(|v| **v == 0.0).count();
        let mut chart = ChartBuilder::on(&area)
            .caption(format!("layer {}: {zeros}/{} zero", k + 1, units * inputs), TITLE_FONT)
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(40)
            .build_cartesian_2d(0..inputs, 0..units)
            .map_err(|e| write_error(path, e))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("input")
            .y_desc("unit")
            .label_style(LABEL_FONT)
            .draw()
            .map_err(|e| write_error(path, e))?;
        let cells = w.iter().enumerate().flat_map(|(i, row)| {
            let kept = kept.get(i).copied().unwrap_or(true);
            row.iter().enumerate().map(move |(j, &v)| {
                let fill = if !kept {
                    PRUNED
                } else if v == 0.0 {
                    WHITE
                } else {
                    // Darker for larger magnitude; never white, so a tiny
                    // nonzero weight stays visible.
                    let shade = 200.0 * (1.0 - v.abs() / largest.max(f64::MIN_POSITIVE));
                    let g = shade.clamp(0.0, 200.0) as u8;
                    RGBColor(g, g, g)
                };
                Rectangle::new([(j, i), (j + 1, i + 1)], fill.filled())
            })
        });
        chart.draw_series(cells).map_err(|e| write_error(path, e))?;
        let grid = (0..units)
            .flat_map(|i| (0..inputs).map(move |j| Rectangle::new([(j, i), (j + 1, i + 1)], RGBColor(220, 220, 220))));
        chart.draw_series(grid).map_err(|e| write_error(path, e))?;
    }
    root.present().map_err(|e| write_error(path, e))?;
    Ok(None)
}
