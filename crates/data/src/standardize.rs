//! Standardization with training statistics only: per feature, or one
//! scale for all (images). Carries the table's encoding, so that the
//! whole way from a raw CSV row to the network's first layer is saved
//! with the network.

use crate::{DataError, Dataset, Encoding};
use serde::{Deserialize, Serialize};

/// Below this, a feature's standard deviation counts as zero (the feature
/// is constant in training) and the feature keeps scale 1 instead of
/// being blown up by rounding noise.
pub const MIN_STD: f64 = 1e-12;

/// Per-feature mean and standard deviation of the training data; features
/// become `(x − mean) / std`. A constant feature keeps std 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
    /// How raw table columns became the features, when a text column was
    /// one-hot encoded (absent: the features are the raw columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
}

impl Standardizer {
    /// Statistics of `train` (population standard deviation). Values too
    /// large for f64 give non-finite statistics: [`Standardizer::try_fit`]
    /// refuses them.
    pub fn fit(train: &Dataset) -> Self {
        let (n, d) = (train.len() as f64, train.num_features());
        let mut mean = vec![0.0; d];
        for i in 0..train.len() {
            for (m, v) in mean.iter_mut().zip(train.row(i)) {
                *m += v / n;
            }
        }
        let mut var = vec![0.0; d];
        for i in 0..train.len() {
            for ((s, v), m) in var.iter_mut().zip(train.row(i)).zip(&mean) {
                *s += (v - m) * (v - m) / n;
            }
        }
        let std = var.into_iter().map(|v| scale_of(v.sqrt())).collect();
        Standardizer {
            mean,
            std,
            encoding: train.encoding().cloned(),
        }
    }

    /// One mean and one standard deviation over every feature of `train`,
    /// the same for all: for images, where a convolution slides one kernel
    /// over all pixels and per-pixel scaling would make it read each
    /// position in different units.
    pub fn fit_global(train: &Dataset) -> Self {
        let d = train.num_features();
        let count = (train.len() * d) as f64;
        let values = || (0..train.len()).flat_map(|i| train.row(i).iter().copied());
        let mean = values().sum::<f64>() / count.max(1.0);
        let var = values().map(|v| (v - mean) * (v - mean)).sum::<f64>() / count.max(1.0);
        let std = scale_of(var.sqrt());
        Standardizer {
            mean: vec![mean; d],
            std: vec![std; d],
            encoding: train.encoding().cloned(),
        }
    }

    /// [`Standardizer::fit`], refusing data whose statistics or
    /// standardized values overflow f64, naming the column.
    pub fn try_fit(train: &Dataset) -> Result<Self, DataError> {
        let s = Self::fit(train);
        s.check_on(train, "")?;
        Ok(s)
    }

    /// [`Standardizer::fit_global`], refusing data whose statistics or
    /// standardized values overflow f64, naming the column.
    pub fn try_fit_global(train: &Dataset) -> Result<Self, DataError> {
        let s = Self::fit_global(train);
        s.check_on(train, " (one scale over all columns)")?;
        Ok(s)
    }

    /// Checks that the statistics are finite and that every value of
    /// `data` stays finite once standardized.
    fn check_on(&self, data: &Dataset, scope: &str) -> Result<(), DataError> {
        for (j, column) in data.feature_names.iter().enumerate() {
            let values = || (0..data.len()).map(|i| data.row(i)[j]);
            let lo = values().fold(f64::INFINITY, f64::min);
            let hi = values().fold(f64::NEG_INFINITY, f64::max);
            let refuse = |why: &str| DataError::Unstandardizable {
                path: data.name.clone().into(),
                column: column.clone(),
                reason: format!("{why}{scope}: its values run from {lo:e} to {hi:e}"),
            };
            if !self.mean[j].is_finite() {
                return Err(refuse("its mean overflows f64"));
            }
            if !self.std[j].is_finite() {
                return Err(refuse("its variance overflows f64"));
            }
            if values().any(|v| !self.apply_one(j, v).is_finite()) {
                return Err(refuse("its standardized values overflow f64"));
            }
        }
        Ok(())
    }

    /// The identity transform for `d` features.
    pub fn identity(d: usize) -> Self {
        Standardizer {
            mean: vec![0.0; d],
            std: vec![1.0; d],
            encoding: None,
        }
    }

    pub fn apply_one(&self, feature: usize, v: f64) -> f64 {
        (v - self.mean[feature]) / self.std[feature]
    }

    pub fn apply(&self, row: &[f64]) -> Vec<f64> {
        row.iter().enumerate().map(|(j, &v)| self.apply_one(j, v)).collect()
    }
}

/// A standard deviation as a scale: 1 for a constant feature. A NaN or
/// infinite deviation is kept so that the overflow is caught, not hidden.
fn scale_of(std: f64) -> f64 {
    if std.is_finite() && std <= MIN_STD {
        1.0
    } else {
        std
    }
}
