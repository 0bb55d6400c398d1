//! Reading a model and the CSV rows it is applied to, shared by `predict`,
//! `show`, `verify` and `bounds`.

use crate::exit::input;
use anyhow::Result;
use mipnet_data::{read_rows_like, Dataset, Encoding, InputRows, LabelColumn, Missing};
use mipnet_network::{Network, ReluNet};
use std::path::Path;

/// A model as the commands use it: its forward pass as a [`ReluNet`]
/// (what `Deref` gives), and how a raw table's columns become its inputs.
pub struct Model {
    pub net: ReluNet,
    /// The one-hot encoding of text columns a network.json was trained
    /// with (none for ONNX models and all-numeric networks).
    pub encoding: Option<Encoding>,
    /// Whether it came from an ONNX file (whose outputs need not be
    /// scores where the highest wins).
    pub is_onnx: bool,
}

impl std::ops::Deref for Model {
    type Target = ReluNet;
    fn deref(&self) -> &ReluNet {
        &self.net
    }
}

/// What reading a table's rows needs to know of a model: its inputs and
/// classes, and how text columns are encoded (a bare [`ReluNet`] has no
/// encoding: its inputs are read by name).
pub trait ModelInputs {
    fn relu_net(&self) -> &ReluNet;
    fn encoding(&self) -> Option<&Encoding>;
}

impl ModelInputs for ReluNet {
    fn relu_net(&self) -> &ReluNet {
        self
    }
    fn encoding(&self) -> Option<&Encoding> {
        None
    }
}

impl ModelInputs for Model {
    fn relu_net(&self) -> &ReluNet {
        &self.net
    }
    fn encoding(&self) -> Option<&Encoding> {
        self.encoding.as_ref()
    }
}

/// Reads a network by its extension: `.onnx` through the ONNX importer,
/// anything else as mipnet's network.json; its forward pass only (see
/// [`load_model_encoded`] for the encoding of text columns too).
pub fn load_model(path: &Path) -> Result<ReluNet> {
    load_model_encoded(path).map(|m| m.net)
}

/// Reads a network by its extension, with the encoding of text columns a
/// network.json was trained with.
pub fn load_model_encoded(path: &Path) -> Result<Model> {
    let is_onnx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    if is_onnx {
        return Ok(Model {
            net: mipnet_onnx::import(path).map_err(input)?,
            encoding: None,
            is_onnx,
        });
    }
    let net = Network::load(path).map_err(input)?;
    let relu = ReluNet::from_network(&net);
    relu.check()
        .map_err(|reason| input(anyhow::anyhow!("{}: inconsistent network: {reason}", path.display())))?;
    Ok(Model {
        net: relu,
        encoding: net.standardizer.encoding,
        is_onnx,
    })
}

/// What the model reads: its inputs, classes and encoding, as an empty
/// dataset.
fn model_like(model: &impl ModelInputs) -> Dataset {
    let net = model.relu_net();
    let like = Dataset::new(
        "network",
        net.input_names.clone(),
        net.output_names.clone(),
        Vec::new(),
        Vec::new(),
    );
    match model.encoding() {
        Some(e) => like.with_encoding(e.clone()),
        None => like,
    }
}

/// Reads a CSV whose header names the model's inputs (any order; text
/// columns encoded as in training), with labels from `label` when that
/// column exists; returns whether it did. A label that is not one of the
/// model's classes is an error.
pub fn read_inputs(path: &Path, label: &str, model: &impl ModelInputs) -> Result<(Dataset, bool)> {
    let (data, labelled, notes) =
        Dataset::from_csv_like_with(path, LabelColumn::IfPresent(label), &model_like(model), Missing::Error)
            .map_err(input)?;
    say_unseen_categories(path, notes.rows_with_unseen_category);
    Ok((data, labelled))
}

/// Reads a CSV's rows as the model reads them, with the label column's
/// values as written (any value, a class of the model or not).
pub fn read_rows(path: &Path, label: LabelColumn, model: &impl ModelInputs) -> Result<InputRows> {
    let rows = read_rows_like(path, label, &model_like(model), Missing::Error).map_err(input)?;
    say_unseen_categories(path, rows.notes.rows_with_unseen_category);
    Ok(rows)
}

fn say_unseen_categories(path: &Path, rows: usize) {
    if rows > 0 {
        eprintln!(
            "note: {}: {rows} rows have a text value not seen in training (its one-hot inputs are all 0)",
            path.display()
        );
    }
}
