//! `mipnet._native`: the Rust side of the Python package `mipnet`.
//!
//! A thin front on the same crates the CLI uses, so a network trained from
//! Python is the network the CLI trains with the same settings and seeds.
//! Everything crosses the boundary as numpy arrays or as mipnet's own JSON
//! texts (`network.json`, `report.json`, the settings as a JSON document
//! with `train`'s config-file sections and keys), so the Python side keeps the files'
//! formats and versions and pickles an estimator as text.
//!
//! - [`fit`](fit::fit): exact training, GIL released, Ctrl-C keeps the
//!   certified best network (as in the CLI).
//! - [`scores`](predict::scores), [`show`](predict::show),
//!   [`to_onnx`](predict::to_onnx): using a trained network.
//! - [`robustness`](verify::robustness), [`radius`](verify::radius),
//!   [`output_bounds`](verify::output_bounds):
//!   verification of mipnet networks and ONNX files.
//!
//! Bad input raises `ValueError` with the CLI's message; a failure that is
//! not the input's raises `RuntimeError`.

mod arrays;
mod fit;
mod predict;
mod select;
mod verify;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NETWORK_FORMAT_VERSION", mipnet_network::FORMAT_VERSION)?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add_function(wrap_pyfunction!(fit::check_settings, m)?)?;
    m.add_function(wrap_pyfunction!(predict::scores, m)?)?;
    m.add_function(wrap_pyfunction!(predict::show, m)?)?;
    m.add_function(wrap_pyfunction!(predict::to_onnx, m)?)?;
    m.add_function(wrap_pyfunction!(predict::check_network, m)?)?;
    m.add_function(wrap_pyfunction!(verify::robustness, m)?)?;
    m.add_function(wrap_pyfunction!(verify::radius, m)?)?;
    m.add_function(wrap_pyfunction!(verify::output_bounds, m)?)?;
    select::register(m)?;
    Ok(())
}
