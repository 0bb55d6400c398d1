//! Models in and out: reading a model and the CSV rows it is applied to,
//! shared by `predict`, `show`, `verify` and `bounds`; and `mipnet export`,
//! which writes a network.json as ONNX.

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_data::{read_rows_like, Dataset, Encoding, InputRows, LabelColumn, Missing};
use mipnet_network::{Network, ReluNet};
use mipnet_onnx::{ExportOptions, OnnxError, Precision};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// A network.json written by `mipnet train --out`.
    #[arg(long, value_name = "network.json")]
    pub model: PathBuf,
    /// The ONNX file to write.
    #[arg(long, value_name = "model.onnx")]
    pub out: PathBuf,
    /// Store weights as float32 (what most runtimes expect) instead of
    /// float64 (exactly the certified network).
    #[arg(long)]
    pub float32: bool,
    /// Fold the input standardization into the first layer (weights / std,
    /// bias − weights·mean/std) instead of writing it as Sub and Div nodes:
    /// a dense network is then Gemm and Relu only, what
    /// gurobi-machinelearning's ONNX reader takes. The same function with
    /// other roundings (checked against the network within a rounding
    /// bound), so not bit for bit the certified network. Refused for a
    /// convolution with zero padding.
    #[arg(long)]
    pub fold_standardizer: bool,
}

/// Reads the network.json to export. An ONNX model is refused by name: it
/// is what export writes, and every command that reads models reads it as
/// it is.
fn network_to_export(path: &Path) -> Result<Network> {
    Network::load(path).map_err(|e| {
        let is_onnx = std::fs::read(path).is_ok_and(|bytes| mipnet_onnx::is_onnx_model(&bytes));
        if is_onnx {
            input(anyhow::anyhow!(
                "{}: this is an ONNX model already; export takes mipnet's network.json (from `mipnet train --out`) \
                 and writes it as ONNX, and verify, bounds, predict and show read an ONNX model as it is",
                path.display()
            ))
        } else {
            input(e)
        }
    })
}

/// The operators an export of `net` holds, as the success line lists them.
fn exported_ops(net: &Network, folded: bool) -> String {
    let standardize = if folded { "" } else { "Sub, Div, " };
    let layers = if net.has_conv() {
        "Reshape, Conv, Relu, MaxPool/AveragePool, Flatten, Gemm"
    } else {
        "Gemm, Relu"
    };
    format!("{standardize}{layers}")
}

pub fn run_export(args: ExportArgs) -> Result<ExitCode> {
    let net = network_to_export(&args.model)?;
    let options = ExportOptions {
        precision: if args.float32 { Precision::F32 } else { Precision::F64 },
        fold_standardizer: args.fold_standardizer,
    };
    let compared = mipnet_onnx::export_with(&net, &args.out, options).map_err(|e| match e {
        // A bug, not the user's input.
        OnnxError::ReadBack { .. } => anyhow::Error::new(e),
        OnnxError::Float32 { .. } => input(anyhow::anyhow!(
            "{e}; export without --float32 (float64 stores it exactly)"
        )),
        OnnxError::Fold { .. } => input(anyhow::anyhow!(
            "{e}; export without --fold-standardizer to keep it as Sub and Div nodes"
        )),
        _ => input(e),
    })?;
    let precision = match (args.float32, args.fold_standardizer) {
        (false, _) => "float64",
        (true, true) => "float32",
        (true, false) => "float32; checked against the network with its parameters rounded to float32",
    };
    let ops = exported_ops(&net, args.fold_standardizer);
    if args.fold_standardizer {
        eprintln!(
            "wrote {} ({precision}, the standardization folded into the first layer, opset 13: {ops}); read back \
             by mipnet's importer: the folded network's outputs on {compared} inputs, within the fold's rounding \
             bound of the network's",
            args.out.display()
        );
    } else {
        eprintln!(
            "wrote {} ({precision}, opset 13: {ops}); read back by mipnet's importer: the same outputs on {compared} \
             inputs",
            args.out.display()
        );
    }
    if net.has_conv() && !args.float32 {
        eprintln!(
            "note: onnxruntime has no float64 Conv or AveragePool; export with --float32 to run it there \
             (the float64 file is valid ONNX and {})",
            if args.fold_standardizer {
                "the folded network"
            } else {
                "exactly the certified network"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
