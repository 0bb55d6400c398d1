//! Reading a model and the CSV rows it is applied to, shared by `predict`,
//! `show`, `verify` and `bounds`.

use crate::exit::input;
use anyhow::Result;
use mipnet_data::Dataset;
use mipnet_network::{Network, ReluNet};
use std::path::Path;

/// Reads a network by its extension: `.onnx` through the ONNX importer,
/// anything else as mipnet's network.json.
pub fn load_model(path: &Path) -> Result<ReluNet> {
    let is_onnx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    if is_onnx {
        mipnet_onnx::import(path).map_err(input)
    } else {
        let net = Network::load(path).map_err(input)?;
        let relu = ReluNet::from_network(&net);
        relu.check()
            .map_err(|reason| input(anyhow::anyhow!("{}: inconsistent network: {reason}", path.display())))?;
        Ok(relu)
    }
}

/// Reads a CSV whose header names the network's inputs (any order), with
/// labels from `label` when that column exists; returns whether it did.
pub fn read_inputs(path: &Path, label: &str, net: &ReluNet) -> Result<(Dataset, bool)> {
    let like = Dataset::new(
        "network",
        net.input_names.clone(),
        net.output_names.clone(),
        Vec::new(),
        Vec::new(),
    );
    Dataset::from_csv_like(path, Some(label), &like).map_err(input)
}
