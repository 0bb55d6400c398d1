//! `mipnet`: the command line. It parses flags into plain values, hands them
//! to one library function per command, and prints. Errors are printed once,
//! on one line; bad input exits with code 2.

mod commands;
mod exit;
mod mount_point;
mod non_finite;
mod output_dir;
mod progress;
mod run_files;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Train neural networks exactly, as mixed-integer linear programs.
#[derive(Parser, Debug)]
#[command(name = "mipnet", version, about, long_about = None, after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train a dense ReLU classifier exactly (gradient start, LP polish, MIP).
    Train(Box<commands::train::TrainArgs>),
    /// Predict classes of a CSV file with a trained network.
    Predict(commands::predict::PredictArgs),
    /// Print a trained network as equations a person can read.
    Show(commands::show::ShowArgs),
    /// Solve an MPS or LP file with the embedded HiGHS solver.
    Solve(commands::solve::SolveArgs),
    /// Certify another solver's solution of `train --write-model`'s model: the network it stands for, checked as mipnet checks its own.
    Certify(commands::certify::CertifyArgs),
    /// Choose α, hidden widths, margin, P and loss by stratified K-fold cross-validation; refit and certify the best; compare with gradient pruning baselines.
    Select(Box<commands::select::SelectArgs>),
    /// Run a benchmark suite (fixed seeds and budgets); writes bench.json and bench.md.
    Bench(commands::bench::BenchArgs),
    /// Prove or refute robustness of predictions (ℓ∞ ball), or check a VNN-LIB property.
    Verify(Box<commands::verify::VerifyArgs>),
    /// Certified minimum and maximum of each output over an input box.
    Bounds(commands::verify::BoundsArgs),
    /// Write a trained network as an ONNX file (onnxruntime, PyTorch).
    Export(commands::model_io::ExportArgs),
    /// Draw a run's figures as SVG: objective and bound over time, weights, model selection, sparsity.
    Plot(commands::plot::PlotArgs),
}

fn main() -> ExitCode {
    // The matches are kept: `train` tells a flag given on the command line
    // (which overrides its config file) from a default.
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return exit::clap_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return exit::clap_error(e),
    };
    let result = match cli.command {
        Command::Train(args) => commands::train::run(
            *args,
            matches
                .subcommand_matches("train")
                .expect("the train subcommand's matches"),
        ),
        Command::Select(args) => commands::select::run(
            *args,
            matches
                .subcommand_matches("select")
                .expect("the select subcommand's matches"),
        ),
        Command::Predict(args) => commands::predict::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::Solve(args) => commands::solve::run(args),
        Command::Certify(args) => commands::certify::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Verify(args) => commands::verify::run_verify(*args),
        Command::Bounds(args) => commands::verify::run_bounds(args),
        Command::Export(args) => commands::model_io::run_export(args),
        Command::Plot(args) => commands::plot::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => exit::report(e),
    }
}
