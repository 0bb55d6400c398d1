//! A training job: what [`crate::train`] is asked to do.

use crate::settings::TrainSettings;
use mipnet_data::Dataset;

/// A training job: raw (unstandardized) data and settings.
pub struct Job<'a> {
    pub dataset: String,
    pub train: &'a Dataset,
    pub test: Option<&'a Dataset>,
    pub settings: &'a TrainSettings,
}
