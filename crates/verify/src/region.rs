//! The input regions questions are asked over: a finite box and linear
//! constraints on the inputs, and the ℓ∞ ball around a point.

use crate::limits;
use crate::VerifyError;
use mipnet_network::ReluNet;
use mipnet_vnnlib::Linear;

/// A set of inputs: a finite box and linear constraints (`Σ a·x ≤ rhs`
/// over inputs; constraints that mention outputs are a property's business).
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub constraints: Vec<Linear>,
}

impl Region {
    pub fn boxed(lower: Vec<f64>, upper: Vec<f64>) -> Region {
        Region {
            lower,
            upper,
            constraints: Vec::new(),
        }
    }

    /// The ℓ∞ ball of radius `eps` around `x`, clipped to `domain` when
    /// given. Each end is rounded toward `x` ([`within_eps`]), so every
    /// point of the box, its corners included, is within `eps` of `x`.
    pub fn ball(x: &[f64], eps: f64, domain: Option<(f64, f64)>) -> Region {
        let (dl, du) = domain.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        Region::boxed(
            x.iter().map(|&v| within_eps(v, v - eps, eps).max(dl)).collect(),
            x.iter().map(|&v| within_eps(v, v + eps, eps).min(du)).collect(),
        )
    }

    /// A copy of `x` moved into the box (solver values may sit a tolerance
    /// outside it).
    pub fn clamp(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.lower.iter().zip(&self.upper))
            .map(|(v, (l, u))| v.clamp(*l, *u))
            .collect()
    }

    /// Checks that the region fits `net`, is a finite, non-empty box and
    /// holds only numbers the MILP accepts ([`limits::MAX_MAGNITUDE`]).
    pub fn check(&self, net: &ReluNet) -> Result<(), VerifyError> {
        if self.lower.len() != net.inputs || self.upper.len() != net.inputs {
            return Err(VerifyError::Shape(format!(
                "the region has {} inputs, the network {}",
                self.lower.len(),
                net.inputs
            )));
        }
        for i in 0..net.inputs {
            let (l, u) = (self.lower[i], self.upper[i]);
            if !l.is_finite() || !u.is_finite() {
                return Err(VerifyError::Region(format!(
                    "input {} ({}) is unbounded; the MILP needs a finite box",
                    i, net.input_names[i]
                )));
            }
            if l > u {
                return Err(VerifyError::Region(format!(
                    "input {} ({}): lower bound {l} is above upper bound {u}",
                    i, net.input_names[i]
                )));
            }
            limits::check_value(|| format!("input {} ({}): the lower bound", i, net.input_names[i]), l)?;
            limits::check_value(|| format!("input {} ({}): the upper bound", i, net.input_names[i]), u)?;
        }
        for (r, c) in self.constraints.iter().enumerate() {
            let terms = c.inputs.iter().map(|&(i, a)| (format!("X_{i}"), a));
            for (var, a) in terms.chain(c.outputs.iter().map(|&(j, b)| (format!("Y_{j}"), b))) {
                limits::check_value(|| format!("constraint {}: the coefficient of {var}", r + 1), a)?;
            }
            limits::check_value(|| format!("constraint {}: the right-hand side", r + 1), c.rhs)?;
        }
        Ok(())
    }
}

/// `end` (`x ± eps` as f64 arithmetic rounded it) moved toward `x` one ulp
/// at a time until `|x − end| ≤ eps`: rounding to nearest can put the end
/// a hair outside the ball (0.9 − 0.2 = 0.7, and 0.9 − 0.7 > 0.2), and a
/// counterexample found on the box's edge must lie within `eps`.
fn within_eps(x: f64, end: f64, eps: f64) -> f64 {
    /// Rounding is off by at most one ulp; a few steps are room to spare.
    const MAX_STEPS: usize = 4;
    let mut e = end;
    for _ in 0..MAX_STEPS {
        if !e.is_finite() || (x - e).abs() <= eps {
            break;
        }
        e = one_ulp_toward(e, x);
    }
    e
}

/// The f64 next to `e` in the direction of `x`.
fn one_ulp_toward(e: f64, x: f64) -> f64 {
    if e == x || e.is_nan() {
        return e;
    }
    if e == 0.0 {
        let tiny = f64::from_bits(1);
        return if x > e { tiny } else { -tiny };
    }
    // A step toward x raises |e| when x lies on e's far side from zero.
    if (x > e) == (e > 0.0) {
        f64::from_bits(e.to_bits() + 1)
    } else {
        f64::from_bits(e.to_bits() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ball_s_corners_lie_within_eps_of_its_centre() {
        // 0.9 − 0.2 rounds to 0.7, and 0.9 − 0.7 > 0.2 in f64.
        let (x, eps) = (std::hint::black_box(0.9f64), std::hint::black_box(0.2f64));
        assert!(x - (x - eps) > eps, "the rounding this test is about");
        for (x, eps) in [(0.9, 0.2), (0.1, 0.3), (-0.9, 0.2), (1e-300, 1e-300), (3.0, 0.0)] {
            let r = Region::ball(&[x], eps, None);
            assert!((x - r.lower[0]).abs() <= eps, "{x} {eps} {}", r.lower[0]);
            assert!((r.upper[0] - x).abs() <= eps, "{x} {eps} {}", r.upper[0]);
            assert!(r.lower[0] <= x && x <= r.upper[0]);
        }
    }
}
