//! `mipnet bench`: a named suite with fixed seeds and budgets, over one
//! or several train/test split seeds, each run a `train` run or (with
//! `--select`) a model selection, the pruning baselines beside it; writes
//! `bench.json` (every run's row, the summaries) and markdown tables
//! (medians over seeds per split, median and min–max over splits).

use crate::commands::select::{select_error, CvProgress};
use crate::commands::train::{interrupt_on_ctrl_c, train_failure, Console};
use crate::commands::{cap_threads, parse_options};
use crate::exit::input;
use crate::output_dir::{OutputDir, RunKind};
use crate::run_files::is_mipnet_json;
use anyhow::{anyhow, Context, Result};
use clap::Args;
use mipnet_bench::{
    check_suite, markdown, parse_split_seeds, run_suite, BenchError, BenchObservers, Suite, SuiteSelection,
};
use mipnet_highs::HighsSolver;
use mipnet_network::write_atomic;
use mipnet_select::SelectSection;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const BENCH_JSON: &str = "bench.json";
const BENCH_MD: &str = "bench.md";
/// A bench's directory: bench.json (mipnet's) and bench.md.
static BENCH_RUN: RunKind = RunKind {
    required: &[BENCH_JSON, BENCH_MD],
    optional: &[],
    recognise: |dir| is_mipnet_json(&dir.join(BENCH_JSON), BENCH_KEYS),
};
/// Keys every `bench.json` of mipnet has had.
const BENCH_KEYS: &[&str] = &["mipnet_version", "suite", "summaries", "reports"];

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
    /// (default 0). MNIST keeps its original split.
    #[arg(long, value_name = "N", conflicts_with = "split_seeds")]
    pub split_seed: Option<u64>,
    /// Run the suite over several train/test splits: a range (0-4), a list
    /// (0,2,5) or both (0-2,7). The tables show medians over the seeds per
    /// split, then the median and min–max over the splits; bench.json has
    /// a row per split, case and seed.
    #[arg(long, value_name = "SEEDS", allow_hyphen_values = true)]
    pub split_seeds: Option<String>,
    /// Model selection in every run: a TOML file with a [select] section
    /// as `mipnet select --grid` reads it (folds, fold_seed, refit_share,
    /// and the lists l1, hidden, margin, grid_levels, loss; a list left out
    /// takes the case's value). Each run then is select's plan (stratified
    /// cross-validation on the run's training split, the best setting refit
    /// on all of it and certified) instead of one train run, the time limit
    /// being each selection's whole; the tables name the chosen settings.
    #[arg(long, value_name = "GRID.toml")]
    pub select: Option<PathBuf>,
    /// Skip the pruning baselines (dense gradient, one-shot magnitude +
    /// fine-tune, iterative magnitude + rewind, ℓ1 proximal, trained on each
    /// run's training split at its zero-weight count; dense cases only).
    #[arg(long)]
    pub no_baselines: bool,
    /// Run every case's full MIP alongside the neighbourhood search instead
    /// of after it (see `mipnet train --help`).
    #[arg(long)]
    pub mip_alongside_search: bool,
    /// After every run, spend up to this many seconds (on top of the time
    /// limit) on branch-and-price against its network (see `mipnet train
    /// --help`); the tables' proven bound is then the best with it.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub prove_seconds: Option<f64>,
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
    /// Write bench.json and bench.md into this new directory (written
    /// beside it first, read back, then moved into place together). An
    /// earlier bench there is refused before any work unless --force is
    /// given; a mount point always is (give a subdirectory of it).
    #[arg(long, value_name = "DIR", default_value = "bench-out")]
    pub out: PathBuf,
    /// Replace the bench already in --out (a directory holding mipnet's
    /// bench.json and bench.md, nothing else; anything else is never
    /// replaced).
    #[arg(long)]
    pub force: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: BenchArgs) -> Result<std::process::ExitCode> {
    // The message names the known suites.
    let mut suite = Suite::named(&args.suite, args.quick).map_err(|e| input(anyhow!("{e}")))?;
    if let Some(seed) = args.split_seed {
        suite.split_seeds = vec![seed];
    }
    if let Some(text) = &args.split_seeds {
        suite.split_seeds = parse_split_seeds(text).map_err(|e| input(anyhow!("--split-seeds '{text}': {e}")))?;
    }
    if let Some(path) = &args.select {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--select: cannot read {}", path.display()))
            .map_err(input)?;
        let section = SelectSection::from_toml(&text).map_err(|e| input(anyhow!("{}: {e}", path.display())))?;
        suite.selection = Some(SuiteSelection::of(&section));
    }
    suite.baselines = !args.no_baselines;
    // The flags laid over the suite's settings, as `train`'s over a config file's.
    let options: BTreeMap<String, String> = parse_options(&args.options)?.into_iter().collect();
    let flags = json!({
        "solver": { "time_limit": args.time_limit, "options": options },
        "stages": {
            "lns_share": args.lns_share,
            "mip_alongside_search": args.mip_alongside_search.then_some(true),
            "prove_seconds": args.prove_seconds,
        },
    });
    suite.settings = suite.settings.overlaid(flags).map_err(input)?;
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
    suite.settings.solver.threads = suite.settings.solver.threads.map(cap_threads);
    // Checked before any work: the settings, and with --select every
    // run's grid, folds and time plan on its split's training data.
    suite.settings.clone().check(&HighsSolver).map_err(input)?;
    check_suite(&suite, &HighsSolver).map_err(bench_error)?;
    // From here on Ctrl-C ends the bench with the runs that finished.
    let interrupt = interrupt_on_ctrl_c();
    // Checked, and its staging directory made, before any work.
    let out = OutputDir::prepare("--out", &args.out, &BENCH_RUN, args.force)?;
    let mut console = Console::new(args.quiet);
    let cv = CvProgress::new(args.quiet);
    let observers = BenchObservers {
        train: &mut console,
        cv: &cv,
    };
    let result = run_suite(&suite, args.ablate, &HighsSolver, observers, Some(&interrupt));
    console.finish();
    let result = result.map_err(bench_error)?;
    let table = markdown(&result);
    let json = serde_json::to_string_pretty(&result)?;
    if let Err(e) = write_and_check(out.staging(), &json, &table) {
        let target = out.target().display().to_string();
        let kept = out.keep_aside();
        return Err(e.context(format!(
            "the bench was not moved into {target} (its files are kept in {} for inspection)",
            kept.display()
        )));
    }
    out.commit()?;
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{table}")?;
    writeln!(stdout, "\nwrote {0}/{BENCH_JSON}, {0}/{BENCH_MD}", args.out.display())?;
    drop(stdout);
    if interrupt.is_raised() {
        eprintln!("mipnet: interrupted: the table holds the runs that finished");
        return Ok(std::process::ExitCode::from(crate::exit::INTERRUPTED));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// A bench's error as the CLI's exit codes sort it.
fn bench_error(e: BenchError) -> anyhow::Error {
    match e {
        BenchError::Train(e) => train_failure(e),
        BenchError::Select(e) => select_error(e),
        data @ BenchError::Data(_) => input(data),
    }
}

/// Writes bench.json and bench.md into `dir` and reads each back.
fn write_and_check(dir: &Path, json: &str, table: &str) -> Result<()> {
    for (name, text) in [(BENCH_JSON, json), (BENCH_MD, table)] {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
        let read = std::fs::read_to_string(&path).with_context(|| format!("cannot read back {}", path.display()))?;
        if read != text {
            return Err(anyhow!(
                "{}: the file as written differs from what was written",
                path.display()
            ));
        }
    }
    serde_json::from_str::<serde_json::Value>(json)
        .map_err(|e| anyhow!("{}: cannot be read back: {e}", dir.join(BENCH_JSON).display()))?;
    Ok(())
}
