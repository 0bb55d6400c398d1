//! Why training produced no network.

use crate::settings::TrainSettingError;
use mipnet_solver::SolverError;
use thiserror::Error;

/// Why training produced no network.
#[derive(Debug, Error)]
pub enum TrainError {
    #[error(transparent)]
    Settings(#[from] TrainSettingError),
    #[error("solver: {0}")]
    Solver(#[from] SolverError),
    #[error("no network: {0}")]
    NoNetwork(String),
    /// The full MIP proved that no network keeps every rule; the message
    /// names the rules involved (each tried alone).
    #[error("{0}")]
    RulesInfeasible(String),
    #[error("certificate check failed: {0}")]
    Certificate(String),
    /// The estimated model does not fit in this machine's memory.
    #[error("{0}")]
    TooLarge(String),
}
