//! `mipnet show`: the trained network as a person reads it.

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_network::{generated_names, render, Network, Op, ReluNet};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A network.json written by `mipnet train --out` (shown as equations
    /// of the neurons that affect an output), or an ONNX file (.onnx: its
    /// input names, which `predict` reads as CSV columns, and its chain of
    /// operations).
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

/// Input names are listed one by one up to this many when they are the
/// generated `x0, x1, …`; a longer generated sequence is given as a range.
const LISTED_GENERATED_NAMES: usize = 8;

/// One line per operation of an imported network: what it is, its sizes,
/// its nonzero weights; then its nonlinear units, naming only the kinds it
/// has.
fn describe_ops(net: &ReluNet) -> String {
    let mut s = format!(
        "{} inputs → {} outputs ({})\n",
        net.inputs,
        net.outputs(),
        net.output_names.join(", ")
    );
    s += &format!(
        "Inputs (the CSV columns `predict` and `verify --data` read, by name, in any order): {}\n",
        input_names(&net.input_names)
    );
    let mut width = net.inputs;
    let (mut relu, mut maxpool) = (0, 0);
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
        match op {
            Op::Relu => relu += next,
            Op::MaxPool { .. } => maxpool += next,
            Op::Affine(_) | Op::Normalize { .. } => {}
        }
        s += &format!("{:>3}  {:<10} {width:>6} → {next:<6} {detail}\n", k + 1, op.kind());
        width = next;
    }
    s += &match (relu, maxpool) {
        (0, 0) => "no ReLU or max-pool units: the network is affine\n".to_string(),
        (r, 0) => format!("{r} ReLU units\n"),
        (0, m) => format!("{m} max-pool units\n"),
        (r, m) => format!("{r} ReLU units, {m} max-pool units\n"),
    };
    s
}

/// The input names, a name with a comma in quotes; generated names
/// `x0 … x63` as a range.
fn input_names(names: &[String]) -> String {
    let n = names.len();
    if n > LISTED_GENERATED_NAMES && names == generated_names("x", n).as_slice() {
        return format!("x0 … x{} ({n} columns)", n - 1);
    }
    names
        .iter()
        .map(|name| {
            if name.contains(',') {
                format!("\"{name}\"")
            } else {
                name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
