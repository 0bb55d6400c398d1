//! `mipnet solve`: any MPS or LP file, solved by the embedded HiGHS. It is
//! how users compare the embedded solver with others on the same file.

use crate::commands::train::interrupt_on_ctrl_c;
use crate::commands::{cap_threads, parse_options, SolverFlags};
use crate::exit::input;
use crate::progress::ProgressLine;
use anyhow::{Context, Result};
use clap::Args;
use mipnet_highs::{read_model, HighsSolver};
use mipnet_solver::{SolveOptions, SolveRequest, SolveResult, Solver};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SolveArgs {
    /// The model: an MPS (.mps) or LP (.lp) file. It is read strictly:
    /// anything malformed or ambiguous (unknown sections or names, words
    /// that are not numbers, duplicates) is refused with its line, and so is
    /// a file HiGHS would read as a different model.
    pub model: PathBuf,
    #[command(flatten)]
    pub solver: SolverFlags,
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Write the best solution as CSV (column,value) to this file.
    #[arg(long, value_name = "FILE")]
    pub solution: Option<PathBuf>,
    /// No progress line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The result as printed by `--json`.
#[derive(Serialize)]
struct SolveReport<'a> {
    file: String,
    solver: String,
    columns: usize,
    integral: usize,
    rows: usize,
    nonzeros: usize,
    #[serde(flatten)]
    result: &'a SolveResult,
    settings: &'a SolveOptions,
    mipnet_version: &'static str,
}

pub fn run(args: SolveArgs) -> Result<ExitCode> {
    let options = SolveOptions {
        time_limit: args.solver.time_limit,
        relative_gap: args.solver.gap,
        threads: args.solver.run.threads.map(cap_threads),
        seed: args.solver.run.seed,
        log: args.solver.run.log,
        extra: parse_options(&args.solver.options)?,
        ..SolveOptions::default()
    };
    options.validate().map_err(input)?;
    let model = read_model(&args.model).map_err(input)?;

    // Ctrl-C ends the solve at HiGHS's next check, keeping the best solution.
    let interrupt = interrupt_on_ctrl_c();

    let solver = HighsSolver;
    let mut line = ProgressLine::new(args.quiet || args.solver.run.log);
    let request = SolveRequest::new(&model, &options).interrupt(&interrupt);
    let result = solver.solve(request, &mut line).map_err(input)?;
    line.finish();

    match (&args.solution, &result.solution) {
        (Some(path), Some(values)) => write_solution(path, &model, values)?,
        // The solver returned a status (exit 0, as the README says), but the
        // file asked for cannot exist: say so rather than leave the user to
        // find an absent (or an old) file.
        (Some(path), None) => eprintln!(
            "mipnet: note: the solver found no solution (status {}), so {} was not written",
            result.status,
            path.display()
        ),
        (None, _) => {}
    }
    let report = SolveReport {
        file: args.model.display().to_string(),
        solver: solver.name(),
        columns: model.num_cols(),
        integral: model.num_integral(),
        rows: model.num_rows(),
        nonzeros: model.num_nonzeros(),
        result: &result,
        settings: &options,
        mipnet_version: env!("CARGO_PKG_VERSION"),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_human(&mut out, &report)?;
    }
    if result.status == mipnet_solver::Status::NumericalTrouble {
        anyhow::bail!("the solver failed numerically on {}", args.model.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x}"))
}

fn print_human(out: &mut impl Write, r: &SolveReport) -> std::io::Result<()> {
    let res = r.result;
    writeln!(out, "model      {}", r.file)?;
    writeln!(
        out,
        "size       {} columns ({} integral), {} rows, {} nonzeros",
        r.columns, r.integral, r.rows, r.nonzeros
    )?;
    writeln!(out, "solver     {}", r.solver)?;
    writeln!(out, "status     {}", res.status)?;
    writeln!(out, "objective  {}", fmt_opt(res.objective))?;
    writeln!(out, "bound      {}", fmt_opt(res.dual_bound))?;
    writeln!(
        out,
        "gap        {}",
        res.gap.map_or_else(|| "-".into(), |g| format!("{:.4} %", 100.0 * g))
    )?;
    writeln!(out, "nodes      {}", res.nodes)?;
    writeln!(out, "time       {:.3} s", res.seconds)
}

/// Writes `column,value` lines, whole or not at all.
fn write_solution(path: &Path, model: &mipnet_milp::Model, values: &[f64]) -> Result<()> {
    let mut text = String::from("column,value\n");
    for (j, v) in values.iter().enumerate() {
        text.push_str(&format!("{},{v}\n", model.col_name(mipnet_milp::Col::from_index(j))));
    }
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(input)
}
