//! One module per subcommand, and the flags several of them share.

pub mod bench;
pub mod data;
pub mod model_io;
pub mod predict;
pub mod show;
pub mod solve;
pub mod train;
pub mod verify;

use clap::Args;

/// The solver's flags, the same for `solve` and `train`.
#[derive(Args, Debug, Clone)]
pub struct SolverFlags {
    /// Wall-clock limit in seconds (for `train`: of the large-neighbourhood
    /// search and the full MIP together).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Stop at this relative MIP gap (0.01 = 1 %).
    #[arg(long, value_name = "G", allow_negative_numbers = true)]
    pub gap: Option<f64>,
    /// Solver threads.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// HiGHS's random seed (results vary with it: record it).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Show HiGHS's own log on stderr.
    #[arg(long)]
    pub log: bool,
    /// Any other HiGHS option, e.g. --option presolve=off (repeatable; for
    /// `train`, every HiGHS call of the run gets it).
    #[arg(long = "option", value_name = "NAME=VALUE")]
    pub options: Vec<String>,
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
