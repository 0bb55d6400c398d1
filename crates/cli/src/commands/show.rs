//! `mipnet show`: the trained network as a person reads it.

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_network::{render, Network};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A network.json written by `mipnet train --out`.
    pub network: PathBuf,
}

pub fn run(args: ShowArgs) -> Result<std::process::ExitCode> {
    let net = Network::load(&args.network).map_err(input)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", render(&net))?;
    Ok(std::process::ExitCode::SUCCESS)
}
