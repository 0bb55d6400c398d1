//! `mipnet bench`: a named suite with fixed seeds and budgets; writes
//! `bench.json` and a markdown table (medians over seeds).

use crate::commands::parse_options;
use crate::commands::train::Console;
use crate::exit::input;
use anyhow::{Context, Result};
use clap::Args;
use mipnet_network::write_atomic;
use mipnet_solver::InterruptFlag;
use mipnet_train::bench::{markdown, run_suite, Suite, SUITES};
use mipnet_train::TrainError;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The suite: dense (iris, wine, wdbc; 4→8→K; seeds 0, 1, 2; 60 s per
    /// run for the neighbourhood search and the full MIP) or mnist (BeMi's protocol: 10 and 40 training images per class,
    /// all 10,000 test images, 14×14 inputs; a dense 196→16→10 and a
    /// convolutional network; and the convolutional network on 100 per
    /// class without the full MIP, which would not fit in memory; seeds 0,
    /// 1, 2; 60 s per run).
    #[arg(long, default_value = "dense")]
    pub suite: String,
    /// A short version: one seed, a 5 s time limit (dense: about 30 s in
    /// all; mnist: 10 per class only, 10 s, about 2 minutes).
    #[arg(long)]
    pub quick: bool,
    /// Override the time limit of every run (seconds; the large-neighbourhood
    /// search and the full MIP together).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Override the share of the time limit for the large-neighbourhood
    /// search (0 to 1; the full MIP gets the rest).
    #[arg(long, value_name = "SHARE")]
    pub lns_share: Option<f64>,
    /// The seed of the stratified train/test split of the bundled datasets
    /// (default 0); run the bench once per split seed for medians over
    /// splits. MNIST keeps its original split.
    #[arg(long, value_name = "N")]
    pub split_seed: Option<u64>,
    /// Run every case's full MIP alongside the neighbourhood search instead
    /// of after it (see `mipnet train --help`).
    #[arg(long)]
    pub mip_alongside_search: bool,
    /// A HiGHS option for every run, e.g. --option presolve=off
    /// (repeatable; recorded in bench.json and the table's settings line).
    #[arg(long = "option", value_name = "NAME=VALUE")]
    pub options: Vec<String>,
    /// Override the seeds (gradient and HiGHS), e.g. 0,1,2,3,4.
    #[arg(long, value_name = "N[,N…]", value_delimiter = ',')]
    pub seeds: Option<Vec<u64>>,
    /// Run only the cases whose name contains this text (e.g. "wdbc" or
    /// "40/class"); repeatable.
    #[arg(long, value_name = "TEXT")]
    pub case: Vec<String>,
    /// Re-run every case with each part switched in turn (no polish, no
    /// search rounds, no large-neighbourhood search, one gradient start, no
    /// cutoff tightening, no full MIP, no symmetry breaking, with Lipschitz cuts, with pattern
    /// flips), at the same budget and seeds.
    #[arg(long)]
    pub ablate: bool,
    /// Write bench.json and bench.md into this directory.
    #[arg(long, value_name = "DIR", default_value = "bench-out")]
    pub out: PathBuf,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: BenchArgs) -> Result<std::process::ExitCode> {
    let mut suite = Suite::named(&args.suite, args.quick)
        .map_err(|e| input(anyhow::anyhow!("{e}; known: {}", SUITES.join(", "))))?;
    if let Some(t) = args.time_limit {
        suite.settings.solver.time_limit = t;
    }
    if let Some(seed) = args.split_seed {
        suite.split_seed = seed;
    }
    if let Some(share) = args.lns_share {
        suite.settings.stages.lns_share = share;
    }
    suite.settings.solver.options.extend(parse_options(&args.options)?);
    if args.mip_alongside_search {
        suite.settings.stages.mip_alongside_search = true;
    }
    if let Some(seeds) = &args.seeds {
        if seeds.is_empty() {
            return Err(input(anyhow::anyhow!("--seeds needs at least one seed")));
        }
        suite.seeds = seeds.clone();
    }
    if !args.case.is_empty() {
        let names: Vec<String> = suite.cases.iter().map(|c| c.label()).collect();
        suite
            .cases
            .retain(|c| args.case.iter().any(|t| c.label().contains(t.as_str())));
        if suite.cases.is_empty() {
            return Err(input(anyhow::anyhow!(
                "--case {}: no case of suite {} matches (cases: {})",
                args.case.join(", "),
                args.suite,
                names.join(", ")
            )));
        }
    }
    suite.settings.validate().map_err(input)?;
    if args.out.exists() && !args.out.is_dir() {
        return Err(input(anyhow::anyhow!(
            "--out {}: exists and is not a directory",
            args.out.display()
        )));
    }
    let interrupt = InterruptFlag::new();
    let flag = interrupt.clone();
    let _ = ctrlc::set_handler(move || flag.raise());
    let mut console = Console::new(args.quiet);
    let result = run_suite(&suite, args.ablate, &mut console, Some(&interrupt)).map_err(|e| match e {
        TrainError::Data(_) | TrainError::Settings(_) | TrainError::TooLarge(_) => input(e),
        other => anyhow::Error::new(other),
    })?;
    if interrupt.is_raised() {
        eprintln!("mipnet: interrupted: the table holds the runs that finished");
    }
    console.finish();
    let table = markdown(&result);
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    write_atomic(
        &args.out.join("bench.json"),
        serde_json::to_string_pretty(&result)?.as_bytes(),
    )
    .context("cannot write bench.json")?;
    write_atomic(&args.out.join("bench.md"), table.as_bytes()).context("cannot write bench.md")?;
    let mut out = std::io::stdout().lock();
    write!(out, "{table}")?;
    writeln!(out, "\nwrote {0}/bench.json, {0}/bench.md", args.out.display())?;
    Ok(std::process::ExitCode::SUCCESS)
}
