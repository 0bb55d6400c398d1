//! `mipnet predict`: classes of a CSV file's rows, with accuracy when the
//! file has labels.

use crate::commands::model_io::{load_model_encoded, read_rows};
use crate::exit::input;
use anyhow::Result;
use clap::{Args, ValueEnum};
use mipnet_data::LabelColumn;
use mipnet_network::{argmax, argmin};
use std::path::PathBuf;

/// The label column `predict` reads when `--label` is not given (if the
/// file has it): the name `train --out` gives it in test.csv.
const DEFAULT_LABEL: &str = "label";

/// Which output names the predicted class.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Decision {
    /// The highest output (mipnet's networks, most classifiers).
    #[default]
    Argmax,
    /// The lowest output (ONNX models whose outputs are costs, like the
    /// ACAS Xu advisories in examples/acasxu-like).
    Argmin,
}

#[derive(Args, Debug)]
pub struct PredictArgs {
    /// A network.json written by `mipnet train --out`, or an ONNX file (.onnx).
    #[arg(long, value_name = "network.json|model.onnx")]
    pub model: PathBuf,
    /// CSV with a header naming the model's inputs as columns (any order;
    /// other columns are ignored). For a network.json: its training
    /// columns, text columns as they were (one-hot encoded as in training;
    /// a category not seen in training encodes as all zeros), or the
    /// encoded inputs themselves as in test.csv. For an ONNX model:
    /// columns named as the model's inputs; `mipnet show model.onnx` lists
    /// them.
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// The label column (then accuracy is printed on stderr). Without this
    /// flag, a column named `label` is used when the file has one; given,
    /// the column must exist. A label that is not one of the model's
    /// classes is printed as written and counted as wrong.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// How an ONNX model's outputs name the class: the highest (argmax)
    /// or the lowest (argmin). mipnet's own networks always take the
    /// highest score.
    #[arg(long, value_enum, default_value_t = Decision::Argmax)]
    pub decision: Decision,
}

pub fn run(args: PredictArgs) -> Result<std::process::ExitCode> {
    let model = load_model_encoded(&args.model)?;
    if args.decision == Decision::Argmin && !model.is_onnx {
        return Err(input(anyhow::anyhow!(
            "--decision argmin applies to ONNX models; {} is a mipnet network, whose class is its highest score",
            args.model.display()
        )));
    }
    let label = match &args.label {
        Some(l) => LabelColumn::Required(l),
        None => LabelColumn::IfPresent(DEFAULT_LABEL),
    };
    // The ReluNet forward pass is step for step the network's own (the
    // standardization, then each layer), so predictions are the same bits.
    let rows = read_rows(&args.data, label, &model)?;
    let data = &rows.features;
    let pick = match args.decision {
        Decision::Argmax => argmax,
        Decision::Argmin => argmin,
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let header: &[&str] = if rows.labels.is_some() {
        &["row", "predicted", "label"]
    } else {
        &["row", "predicted"]
    };
    out.write_record(header)?;
    let (mut right, mut unknown) = (0, 0);
    for i in 0..data.len() {
        let scores = model.forward(data.row(i));
        if let Some(k) = scores.iter().position(|v| !v.is_finite()) {
            return Err(input(anyhow::anyhow!(
                "{}, line {}: the model's output '{}' is {} for this row, not a finite number (an input too large \
                 for f64 arithmetic?); nothing predicted",
                args.data.display(),
                rows.lines[i],
                model.output_names[k],
                scores[k]
            )));
        }
        let predicted = model.output_names[pick(&scores)].as_str();
        let row = (i + 1).to_string();
        match &rows.labels {
            Some(labels) => {
                let label = labels[i].as_str();
                right += usize::from(predicted == label);
                unknown += usize::from(!model.output_names.iter().any(|k| k == label));
                out.write_record([row.as_str(), predicted, label])?;
            }
            None => out.write_record([row.as_str(), predicted])?,
        }
    }
    // Written whole once every row is done: nothing half-written on error.
    let bytes = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("writing the predictions: {e}"))?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?;
    if rows.labels.is_some() {
        if unknown > 0 {
            eprintln!(
                "note: {unknown} rows have a label that is not a class of the model ({}); they count as wrong",
                model.output_names.join(", ")
            );
        }
        eprintln!(
            "accuracy {}/{} = {:.2} %",
            right,
            data.len(),
            100.0 * right as f64 / data.len().max(1) as f64
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}
