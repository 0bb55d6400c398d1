//! Per-class loss weights (`class_weights` in the formulation's settings):
//! sample n of class y costs w_y/N in the objective instead of 1/N, in the
//! MILP's loss columns, the polish LP and the objective recomputed by the
//! forward pass (the certificate's). Classes not named weigh 1.

use crate::formulation::DenseFormulation;
use crate::settings::SettingError;
use mipnet_data::Dataset;
use std::collections::BTreeMap;

/// Refuses class weights that name a class `data` does not have (the
/// error lists the classes). Values are checked by
/// [`crate::FormulationSettings::validate`].
pub fn check_class_weights(weights: &BTreeMap<String, f64>, data: &Dataset) -> Result<(), SettingError> {
    match weights.keys().find(|c| !data.class_names.contains(c)) {
        Some(c) => Err(SettingError {
            name: "class_weights",
            reason: format!("unknown class \"{c}\" (classes: {})", data.class_names.join(", ")),
        }),
        None => Ok(()),
    }
}

impl DenseFormulation {
    /// The loss weight of class `c` (1 when the settings do not name it).
    pub fn class_weight(&self, c: usize) -> f64 {
        self.settings
            .class_weights
            .get(&self.data().class_names[c])
            .copied()
            .unwrap_or(1.0)
    }

    /// What one unit of training sample `n`'s loss costs in the objective:
    /// its class's weight over the number of samples.
    pub(crate) fn loss_cost(&self, n: usize) -> f64 {
        self.class_weight(self.data().label(n)) / self.data().len() as f64
    }
}
