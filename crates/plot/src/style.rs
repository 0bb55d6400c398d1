//! What every figure shares: size, fonts, the colours of stages.

use crate::{write_error, PlotError};
use plotters::chart::{ChartContext, SeriesLabelPosition};
use plotters::prelude::*;
use plotters::style::RGBColor;
use std::path::Path;

/// Figure size in pixels (SVG user units).
pub const SIZE: (u32, u32) = (900, 520);
pub const TITLE_FONT: (&str, u32) = ("sans-serif", 22);
pub const LABEL_FONT: (&str, u32) = ("sans-serif", 15);

/// A colour per series, in order (Tableau 10: distinguishable, print-safe).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The proven bound's colour (red, as in the Python figures).
pub const BOUND: RGBColor = RGBColor(214, 39, 40);

/// `[lo, hi]` widened by a margin so points at the ends stay visible; a
/// single value gets a unit-wide range.
pub fn padded(lo: f64, hi: f64) -> (f64, f64) {
    /// Share of the range added on each side.
    const MARGIN: f64 = 0.05;
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 0.0 {
        return (lo - 0.5, hi + 0.5);
    }
    (lo - MARGIN * span, hi + MARGIN * span)
}

/// Draws a chart's legend at `position`, the same box in every figure.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    path: &Path,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .label_font(LABEL_FONT)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(|e| write_error(path, e))
}
