//! Hinge multipliers on a dyadic grid, exactly feasible for what the
//! certificate relies on (π ≥ 0 and Σ_k π_nk ≤ 1/N per sample), and the
//! exact integer sums the certificate is made of.
//!
//! π_nk = m_nk·2^−E (E = [`DYADIC_EXPONENT`], shared with the path-norm
//! method) with integers m_nk ≥ 0, so λ_nk (π_nk for k ≠ y_n, −Σ_k π_nk on
//! the sample's class), r_k = Σ_n λ_nk, Σ π and every per-pattern
//! coefficient Σ_k z_k·λ_nk are exact integer sums in i128. Unlike the
//! path-norm method the classes need not balance (r_k = 0): the output
//! bias's box |c_k| ≤ ω pays for r_k ≠ 0 in the bound (module docs).

pub use crate::path_norm::dyadic::DYADIC_EXPONENT;

/// Exactly feasible hinge multipliers, π_nk = m_nk·2^−E.
#[derive(Clone, Debug, PartialEq)]
pub struct HingeDual {
    /// m_nk per sample n and class k; 0 on the sample's own class.
    units: Vec<Vec<i64>>,
    labels: Vec<usize>,
    classes: usize,
}

impl HingeDual {
    /// Rounds `pi` (per sample, per class; entries at the sample's own
    /// class, negative or non-finite ones are taken as 0) down to the grid
    /// and scales each sample down to its cap 1/N. Only ever lowers.
    pub fn round(pi: &[Vec<f64>], labels: &[usize], classes: usize) -> HingeDual {
        assert_eq!(pi.len(), labels.len(), "one row of multipliers per sample");
        let unit = 2f64.powi(DYADIC_EXPONENT);
        let cap = (1i128 << DYADIC_EXPONENT) / labels.len().max(1) as i128;
        let units = pi
            .iter()
            .zip(labels)
            .map(|(row, &y)| {
                let mut m: Vec<i128> = (0..classes)
                    .map(|k| match row.get(k) {
                        Some(&p) if k != y && p.is_finite() && p > 0.0 => ((p * unit).floor() as i128).min(cap),
                        _ => 0,
                    })
                    .collect();
                let total: i128 = m.iter().sum();
                if total > cap {
                    for v in &mut m {
                        *v = *v * cap / total;
                    }
                }
                m.into_iter().map(|v| v as i64).collect()
            })
            .collect();
        HingeDual {
            units,
            labels: labels.to_vec(),
            classes,
        }
    }

    /// The labels of the samples the multipliers belong to.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// λ_nk in units of 2^−E.
    fn lambda_units(&self, n: usize, k: usize) -> i128 {
        if self.labels[n] == k {
            -self.units[n].iter().map(|&v| v as i128).sum::<i128>()
        } else {
            self.units[n][k] as i128
        }
    }

    /// λ_nk per sample (rows) and class, as f64 (exact: |λ| < 2^53 units).
    pub fn lambda(&self) -> Vec<Vec<f64>> {
        let scale = 2f64.powi(-DYADIC_EXPONENT);
        (0..self.labels.len())
            .map(|n| {
                (0..self.classes)
                    .map(|k| self.lambda_units(n, k) as f64 * scale)
                    .collect()
            })
            .collect()
    }

    /// Σ_k z_k·λ_nk for every sample n: exact in i128, rounded to f64 once
    /// (relative error ≤ 2⁻⁵³, which the pricing accounts for).
    pub fn pattern_coefficients(&self, z: &[i32]) -> Vec<f64> {
        let scale = 2f64.powi(-DYADIC_EXPONENT);
        (0..self.labels.len())
            .map(|n| {
                let m: i128 = (0..self.classes).map(|k| z[k] as i128 * self.lambda_units(n, k)).sum();
                m as f64 * scale
            })
            .collect()
    }

    /// Σ π, rounded to f64 once.
    pub fn total(&self) -> f64 {
        let m: i128 = self.units.iter().flatten().map(|&v| v as i128).sum();
        m as f64 * 2f64.powi(-DYADIC_EXPONENT)
    }

    /// Σ_k |r_k| with r_k = Σ_n λ_nk, exact in i128, rounded to f64 once.
    pub fn imbalance(&self) -> f64 {
        let m: i128 = (0..self.classes)
            .map(|k| {
                (0..self.labels.len())
                    .map(|n| self.lambda_units(n, k))
                    .sum::<i128>()
                    .abs()
            })
            .sum();
        m as f64 * 2f64.powi(-DYADIC_EXPONENT)
    }
}
