//! One module per subcommand, and the flags several of them share.

pub mod bench;
pub mod certify;
pub mod data;
pub mod model_dir;
pub mod model_io;
pub mod plot;
pub mod predict;
pub mod select;
pub mod show;
pub mod solve;
pub mod train;
pub mod verify;

use clap::Args;

/// How the solver runs, the same for every command that solves (`solve`,
/// `train`, `select`, `verify`, `bounds`). Each value is checked as it is
/// parsed, so a bad one is a usage error naming the flag and the accepted
/// range, whichever command it was given to.
#[derive(Args, Debug, Clone)]
pub struct SolverRunFlags {
    /// Solver threads, at least 1; more than the cores available are capped
    /// to the cores (with a note).
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// HiGHS's random seed, from 0 to 2147483647 (results vary with it:
    /// record it).
    #[arg(long, value_name = "N", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Show HiGHS's own log on stderr.
    #[arg(long)]
    pub log: bool,
}

/// The solver's flags of the commands that optimize (`solve`, `train`,
/// `select`): how it runs, and when it stops.
#[derive(Args, Debug, Clone)]
pub struct SolverFlags {
    /// Wall-clock time limit in seconds (a positive number); the best
    /// solution found by then is kept.
    #[arg(long, value_name = "S", allow_negative_numbers = true, value_parser = parse_time_limit)]
    pub time_limit: Option<f64>,
    /// Stop at this relative MIP gap, from 0 to 1 (0.01 = 1 %).
    #[arg(long, value_name = "G", allow_negative_numbers = true, value_parser = parse_gap)]
    pub gap: Option<f64>,
    #[command(flatten)]
    pub run: SolverRunFlags,
    /// Any other HiGHS option, e.g. --option presolve=off (repeatable; for
    /// `train`, every HiGHS call of the run gets it).
    #[arg(long = "option", value_name = "NAME=VALUE")]
    pub options: Vec<String>,
}

/// The largest seed HiGHS takes: its `random_seed` option is a C `int`.
const MAX_SEED: u64 = i32::MAX as u64;

/// `--time-limit`: a positive number of seconds, at most
/// [`mipnet_train::MAX_TIME_LIMIT`].
fn parse_time_limit(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= mipnet_train::MAX_TIME_LIMIT => Ok(t),
        _ => Err(format!(
            "expected a positive number of seconds (e.g. 60 or 0.5), at most {:e}",
            mipnet_train::MAX_TIME_LIMIT
        )),
    }
}

/// `--gap`: a relative gap within [0, 1].
fn parse_gap(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(g) if (0.0..=1.0).contains(&g) => Ok(g),
        _ => Err("expected a relative gap from 0 to 1 (0.01 = 1 %)".into()),
    }
}

/// `--threads`: a whole number, at least 1 (capping to the cores is
/// [`cap_threads`]' job, where the note can be printed once).
fn parse_threads(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of threads, at least 1".into()),
    }
}

/// `--seed`: a whole number HiGHS can take.
fn parse_seed(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(s) if s <= MAX_SEED => Ok(s),
        _ => Err(format!("expected a whole number from 0 to {MAX_SEED}")),
    }
}

/// The number of solver threads to use for `requested`: at most the cores
/// this process may run on (`std::thread::available_parallelism`, 1 if it
/// cannot be read). More threads than cores only add memory (each HiGHS
/// thread keeps its own search data: Iris took 2.4 GB at `--threads 1000`)
/// and time, so a larger request is capped, with a one-line note on stderr.
pub fn cap_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if requested > cores {
        eprintln!("mipnet: note: --threads {requested} capped to {cores}, the cores available");
        cores
    } else {
        requested
    }
}

/// `--option NAME=VALUE` flags as (name, value) pairs.
pub fn parse_options(options: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    options
        .iter()
        .map(|o| {
            o.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| crate::exit::input(anyhow::anyhow!("--option '{o}' is not of the form NAME=VALUE")))
        })
        .collect()
}
