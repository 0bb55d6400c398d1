//! `mipnet show`: the trained network as a person reads it.

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_network::{render, Network, Op, ReluNet};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A network.json written by `mipnet train --out`, or an ONNX file
    /// (.onnx: shown as its chain of operations).
    pub network: PathBuf,
}

pub fn run(args: ShowArgs) -> Result<std::process::ExitCode> {
    let mut out = std::io::stdout().lock();
    if args.network.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) {
        let net = crate::commands::model_io::load_model(&args.network)?;
        write!(out, "{}", describe_ops(&net))?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let net = Network::load(&args.network).map_err(input)?;
    write!(out, "{}", render(&net))?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// One line per operation of an imported network: what it is, its sizes,
/// its nonzero weights.
fn describe_ops(net: &ReluNet) -> String {
    let mut s = format!(
        "{} inputs → {} outputs ({})\n",
        net.inputs,
        net.outputs(),
        net.output_names.join(", ")
    );
    let mut width = net.inputs;
    for (k, op) in net.ops.iter().enumerate() {
        let next = op.output_len(width);
        let detail = match op {
            Op::Affine(a) => {
                let nz: usize = a.rows.iter().map(|r| r.len()).sum();
                format!("{nz} nonzero weights of {}", width * next)
            }
            Op::MaxPool { windows, .. } => format!("{} windows", windows.len()),
            Op::Normalize { .. } | Op::Relu => String::new(),
        };
        s += &format!("{:>3}  {:<10} {width:>6} → {next:<6} {detail}\n", k + 1, op.kind());
        width = next;
    }
    s += &format!("{} ReLU and max-pool units\n", net.nonlinear_units());
    s
}
