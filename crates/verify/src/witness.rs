//! The rule a property's witness passes before it ends the question as
//! `sat`, wherever it was found (attack, input splitting, a MILP): its f64
//! forward pass satisfies the disjunct, and, when the witness is meant for
//! a float32 checker ([`WitnessRule::float32`], as VNN-COMP's onnxruntime
//! check is), the point is first moved to the nearest float32 values
//! inside the box and must satisfy the disjunct in the f64 pass *and* in
//! the float32 pass ([`crate::forward_f32`]) with no slack at all. A point
//! that holds in f64 only by a hair and not in float32 is no witness: the
//! search goes on, and the answer may end `unknown`, never a `sat` the
//! checker would reject.

use crate::attack::Point;
use crate::forward_f32::forward_f32;
use mipnet_network::ReluNet;
use mipnet_vnnlib::Disjunct;

/// How a candidate witness of one disjunct is replayed.
#[derive(Clone, Copy, Debug)]
pub struct WitnessRule<'a> {
    pub net: &'a ReluNet,
    pub disjunct: &'a Disjunct,
    /// Also require the witness, as float32 inputs, to hold in the float32
    /// forward pass.
    pub float32: bool,
}

/// The slack a witness's rows get once it is moved to float32 values, in
/// the f64 pass and in the float32 pass: none. The f64 replay's own
/// tolerance (0 for attack points, a MILP's 1e-9, for a solver's point on a
/// row's boundary) does not carry over to the rounded point, which is no
/// solver's; the competition's checker allows an absolute 1e-4, which
/// leaves room for another runtime's order of summation.
pub const FLOAT32_SLACK: f64 = 0.0;

/// The absolute tolerance on a disjunct's rows when a MILP's incumbent is
/// replayed in f64: the solver's values satisfy its rows within its
/// feasibility tolerances, and an exact optimum on the boundary (slack 0)
/// may land a rounding error outside in the forward pass; 1e-9 admits that
/// and nothing the competition's checker (1e-4) would reject.
pub const MILP_REPLAY_TOLERANCE: f64 = 1e-9;

/// How many float32 steps inward a rounded input may take to get back into
/// its box: rounding to nearest is off by at most one step, and a strict
/// bound needs one more.
const MAX_INWARD_STEPS: usize = 4;

impl WitnessRule<'_> {
    /// The witness `x` stands for, with its f64 outputs, when it passes the
    /// rule (`tol` the f64 replay's absolute tolerance on the rows, for `x`
    /// itself; a point rounded to float32 gets [`FLOAT32_SLACK`]); `None`
    /// otherwise. With `float32`, the witness returned is `x` rounded to
    /// float32 values (each exactly an f64 too).
    pub fn replay(&self, x: &[f64], tol: f64) -> Option<Point> {
        let d = self.disjunct;
        if !self.float32 {
            let y = self.net.forward(x);
            return d.holds(x, &y, tol).then(|| (x.to_vec(), y));
        }
        let x32 = float32_in_box(x, d)?;
        let xs: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
        // `tol` is for a solver's point on a row's boundary; the rounded
        // point is no solver's, so its f64 pass gets no slack either.
        let y = self.net.forward(&xs);
        if !d.holds(&xs, &y, FLOAT32_SLACK) {
            return None;
        }
        let y32: Vec<f64> = forward_f32(self.net, &x32).into_iter().map(f64::from).collect();
        d.holds(&xs, &y32, FLOAT32_SLACK).then_some((xs, y))
    }

    /// Whether a point whose f64 outputs `y` are known passes the rule (the
    /// attack's test for every point it tries: the float32 replay runs only
    /// for points that already hold in f64).
    pub fn accepts(&self, x: &[f64], y: &[f64], tol: f64) -> bool {
        self.disjunct.holds(x, y, tol) && (!self.float32 || self.replay(x, tol).is_some())
    }
}

/// `x` rounded to float32, each value moved inward until it lies in `d`'s
/// box (strict sides excluded); `None` when the box holds no float32 value
/// near it (a box narrower than float32's spacing).
pub fn float32_in_box(x: &[f64], d: &Disjunct) -> Option<Vec<f32>> {
    let mut out = Vec::with_capacity(x.len());
    for (i, &v) in x.iter().enumerate() {
        let above = |w: f32| {
            let w = f64::from(w);
            if d.lower_strict[i] {
                w > d.lower[i]
            } else {
                w >= d.lower[i]
            }
        };
        let below = |w: f32| {
            let w = f64::from(w);
            if d.upper_strict[i] {
                w < d.upper[i]
            } else {
                w <= d.upper[i]
            }
        };
        let mut w = v as f32;
        for _ in 0..MAX_INWARD_STEPS {
            if !above(w) {
                w = w.next_up();
            } else if !below(w) {
                w = w.next_down();
            }
        }
        if !(above(w) && below(w)) {
            return None;
        }
        out.push(w);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_network::{Affine, Op};

    fn disjunct(body: &str) -> Disjunct {
        mipnet_vnnlib::Property::parse(&format!("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n{body}"))
            .unwrap()
            .disjuncts[0]
            .clone()
    }

    #[test]
    fn inputs_are_rounded_to_float32_inside_the_box() {
        // 0.6 rounds up in float32 (0.60000002…), out of a box ending at 0.6.
        let d = disjunct("(assert (>= X_0 0.1))\n(assert (<= X_0 0.6))\n(assert (>= Y_0 0))");
        assert!(f64::from(0.6f32) > 0.6);
        let x = float32_in_box(&[0.6], &d).unwrap();
        assert!(f64::from(x[0]) <= 0.6 && f64::from(x[0]) > 0.599_999);
        // 0.1 rounds up too: inside already.
        assert_eq!(float32_in_box(&[0.1], &d).unwrap(), vec![0.1f32]);
        // A box narrower than float32's spacing holds no float32 value.
        let thin = disjunct("(assert (>= X_0 0.60000000001))\n(assert (<= X_0 0.60000000002))\n(assert (>= Y_0 0))");
        assert_eq!(float32_in_box(&[0.600_000_000_015], &thin), None);
    }

    #[test]
    fn a_witness_that_holds_in_f64_only_by_a_hair_is_refused_in_float32() {
        // y = x0 − 1; the property asks y > 0 (as y ≥ 1e-12, inside float32's rounding at 1).
        let net = ReluNet {
            inputs: 1,
            ops: vec![Op::Affine(Affine::dense(&[vec![1.0]], &[-1.0]))],
            input_names: vec!["x".into()],
            output_names: vec!["y".into()],
        };
        let d = disjunct("(assert (>= X_0 0))\n(assert (<= X_0 2))\n(assert (>= Y_0 1e-12))");
        let x = [1.0 + 2e-12];
        let f64_rule = WitnessRule {
            net: &net,
            disjunct: &d,
            float32: false,
        };
        assert!(f64_rule.replay(&x, 0.0).is_some(), "holds in f64");
        let f32_rule = WitnessRule {
            float32: true,
            ..f64_rule
        };
        assert_eq!(f32_rule.replay(&x, 0.0), None, "float32 rounds x to 1, y to 0");
        assert!(!f32_rule.accepts(&x, &net.forward(&x), 0.0));
        // A clear witness passes both, as float32 values.
        let (w, y) = f32_rule.replay(&[1.5], 0.0).unwrap();
        assert_eq!(w, vec![1.5]);
        assert!(y[0] > 0.4);
    }

    #[test]
    fn a_float32_witness_gets_no_f64_tolerance() {
        // y = (1 − 1e-12)·x; the property asks y ≥ 1. At x = 1 (a float32
        // value already) the f64 pass misses by 1e-12, within a MILP's replay
        // tolerance, while float32 rounds the weight to 1 and holds exactly.
        let net = ReluNet {
            inputs: 1,
            ops: vec![Op::Affine(Affine::dense(&[vec![1.0 - 1e-12]], &[0.0]))],
            input_names: vec!["x".into()],
            output_names: vec!["y".into()],
        };
        let d = disjunct("(assert (>= X_0 0))\n(assert (<= X_0 2))\n(assert (>= Y_0 1))");
        let x = [1.0];
        assert!(forward_f32(&net, &[1.0f32])[0] >= 1.0, "float32 holds");
        let f64_rule = WitnessRule {
            net: &net,
            disjunct: &d,
            float32: false,
        };
        assert!(
            f64_rule.replay(&x, MILP_REPLAY_TOLERANCE).is_some(),
            "a solver's point within tolerance"
        );
        let f32_rule = WitnessRule {
            float32: true,
            ..f64_rule
        };
        assert_eq!(f32_rule.replay(&x, MILP_REPLAY_TOLERANCE), None, "f64 misses by 1e-12");
    }
}
