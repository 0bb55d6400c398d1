//! A single-input row `a·X_i ≤ rhs` (or `<`) as a bound of the input box:
//! `X_i ≤ rhs/a` for `a > 0`, `X_i ≥ rhs/a` for `a < 0`.
//!
//! The quotient is rounded to nearest by f64 division, which may land
//! inside the true bound and shrink the box: a verifier would then prove
//! things about fewer inputs than the file asks for. When the quotient is
//! not exact, the bound is moved one ulp outward, past the true bound. No
//! input of the row's set reaches it, so it is flagged as strict (its value
//! excluded): two such bounds that meet enclose no input.

/// A box bound derived from a row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BoxBound {
    /// True for an upper bound, false for a lower bound.
    pub upper: bool,
    pub value: f64,
    /// The value itself is excluded: the row is strict, or the value lies
    /// beyond the true bound.
    pub strict: bool,
}

/// The bound `a·X ≤ rhs` (`< rhs` when `strict`) gives `X`; `a` is not 0.
pub(crate) fn of_row(a: f64, rhs: f64, strict: bool) -> BoxBound {
    let upper = a > 0.0;
    let q = rhs / a;
    // The residual q·a − rhs of a correctly rounded quotient is exactly
    // representable (and fused multiply-add computes it exactly) unless
    // the numbers are subnormal; only a normal quotient of a normal rhs
    // with a zero residual is trusted as exact.
    let exact = rhs == 0.0 || (q.is_normal() && rhs.is_normal() && q.mul_add(a, -rhs) == 0.0);
    if exact {
        return BoxBound {
            upper,
            value: q,
            strict,
        };
    }
    let value = if upper { next_up(q) } else { -next_up(-q) };
    BoxBound {
        upper,
        value,
        strict: true,
    }
}

/// The smallest f64 above `x` (`x` itself for +∞ and NaN). `f64::next_up`
/// needs Rust 1.86; the workspace supports 1.80.
fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_quotients_stay_and_inexact_ones_move_outward() {
        // Exact: 0.5 / 1, −1 / −2, 0 / 3.
        assert_eq!(
            of_row(1.0, 0.5, false),
            BoxBound {
                upper: true,
                value: 0.5,
                strict: false
            }
        );
        assert_eq!(
            of_row(-2.0, -1.0, true),
            BoxBound {
                upper: false,
                value: 0.5,
                strict: true
            }
        );
        assert_eq!(of_row(3.0, 0.0, false).value, 0.0);
        // 1/3 is not an f64: the upper bound lies above it, the lower below.
        let up = of_row(3.0, 1.0, false);
        assert!(up.upper && up.strict);
        assert!(up.value > 1.0 / 3.0 && up.value * 3.0 >= 1.0, "{up:?}");
        let down = of_row(-3.0, -1.0, false);
        assert!(!down.upper && down.strict);
        assert!(down.value < 1.0 / 3.0 && down.value * 3.0 <= 1.0, "{down:?}");
        // 0.1 / 0.3 rounds up to 1/3's neighbour: outward all the same.
        let b = of_row(0.3, 0.1, false);
        assert!(b.value >= 0.1 / 0.3 && b.value.mul_add(0.3, -0.1) > 0.0, "{b:?}");
    }

    #[test]
    fn next_up_steps_one_ulp() {
        assert_eq!(next_up(1.0), 1.0 + f64::EPSILON);
        assert_eq!(next_up(-1.0), -1.0 + f64::EPSILON / 2.0);
        assert_eq!(next_up(0.0), f64::from_bits(1));
        assert_eq!(next_up(-f64::from_bits(1)), -0.0);
        assert_eq!(next_up(f64::MAX), f64::INFINITY);
        assert_eq!(next_up(f64::NEG_INFINITY), -f64::MAX);
    }
}
