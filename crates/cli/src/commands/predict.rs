//! `mipnet predict`: classes of a CSV file's rows, with accuracy when the
//! file has labels.

use anyhow::Result;
use clap::Args;
use mipnet_network::argmax;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PredictArgs {
    /// A network.json written by `mipnet train --out`, or an ONNX file (.onnx).
    #[arg(long, value_name = "network.json|model.onnx")]
    pub model: PathBuf,
    /// CSV with a header holding the network's feature columns (any order).
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// The label column, if the file has one (then accuracy is printed).
    #[arg(long, value_name = "COLUMN", default_value = "label")]
    pub label: String,
}

pub fn run(args: PredictArgs) -> Result<std::process::ExitCode> {
    // The ReluNet forward pass is step for step the network's own (the
    // standardization, then each layer), so predictions are the same bits.
    let net = crate::commands::model_io::load_model(&args.model)?;
    let (data, labelled) = crate::commands::model_io::read_inputs(&args.data, &args.label, &net)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        if labelled {
            "row,predicted,label"
        } else {
            "row,predicted"
        }
    )?;
    let mut right = 0;
    for i in 0..data.len() {
        let p = argmax(&net.forward(data.row(i)));
        if labelled {
            right += usize::from(p == data.label(i));
            writeln!(
                out,
                "{},{},{}",
                i + 1,
                net.output_names[p],
                net.output_names[data.label(i)]
            )?;
        } else {
            writeln!(out, "{},{}", i + 1, net.output_names[p])?;
        }
    }
    if labelled {
        eprintln!(
            "accuracy {}/{} = {:.2} %",
            right,
            data.len(),
            100.0 * right as f64 / data.len().max(1) as f64
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}
