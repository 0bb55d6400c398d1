//! `mipnet plot RUN_DIR`: the run's figures as SVG files (mipnet-plot).

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_plot::{plot_run, Figure, PlotError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// A run directory written by `mipnet train --out` or `mipnet select
    /// --out` (its report.json and network.json are read).
    #[arg(value_name = "RUN_DIR")]
    pub run: PathBuf,
    /// Where the figures go (made if missing). Default: RUN_DIR/figures.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: PlotArgs) -> Result<ExitCode> {
    let out = args.out.clone().unwrap_or_else(|| args.run.join("figures"));
    let figures = plot_run(&args.run, &out).map_err(|e| match e {
        // A missing or malformed run file is the user's input.
        PlotError::Read { .. } | PlotError::Malformed { .. } => input(e),
        other => anyhow::Error::new(other),
    })?;
    for f in figures {
        match f {
            Figure::Written(path) => println!("wrote {}", path.display()),
            Figure::Skipped { name, reason } => println!("no {name} figure: {reason}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
