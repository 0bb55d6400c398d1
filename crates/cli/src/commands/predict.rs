//! `mipnet predict`: classes of a CSV file's rows, with accuracy when the
//! file has labels.

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_data::Dataset;
use mipnet_network::Network;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PredictArgs {
    /// A network.json written by `mipnet train --out`.
    #[arg(long, value_name = "network.json")]
    pub model: PathBuf,
    /// CSV with a header holding the network's feature columns (any order).
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// The label column, if the file has one (then accuracy is printed).
    #[arg(long, value_name = "COLUMN", default_value = "label")]
    pub label: String,
}

pub fn run(args: PredictArgs) -> Result<std::process::ExitCode> {
    let net = Network::load(&args.model).map_err(input)?;
    let like = Dataset::new(
        "network",
        net.feature_names.clone(),
        net.class_names.clone(),
        Vec::new(),
        Vec::new(),
    );
    let (data, labelled) = Dataset::from_csv_like(&args.data, Some(&args.label), &like).map_err(input)?;
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
        let p = net.predict(data.row(i));
        if labelled {
            right += usize::from(p == data.label(i));
            writeln!(
                out,
                "{},{},{}",
                i + 1,
                net.class_names[p],
                net.class_names[data.label(i)]
            )?;
        } else {
            writeln!(out, "{},{}", i + 1, net.class_names[p])?;
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
