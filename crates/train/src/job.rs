//! A training job: what [`crate::train`] is asked to do.

use crate::settings::CheckedSettings;
use crate::solver::TrainSolver;
use mipnet_data::Dataset;

/// A training job: raw (unstandardized) data, settings, and the backend
/// every LP and MIP of the run goes to.
pub struct Job<'a> {
    pub dataset: String,
    pub train: &'a Dataset,
    pub test: Option<&'a Dataset>,
    pub settings: &'a CheckedSettings,
    pub solver: &'a dyn TrainSolver,
}
