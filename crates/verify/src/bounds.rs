//! Bounds on every value of the network over an input region, in stages:
//! interval arithmetic here, then back-substitution
//! ([`crate::linear_bounds`]) and LP tightening ([`crate::lp_tightening`]). The MILP's big-M
//! constants come from these bounds, and a ReLU whose input bounds have one
//! sign is *stable*: it needs no binary at all. Tighter bounds mean fewer
//! binaries and a stronger relaxation, which is what decides whether the
//! solver proves anything in time.

use crate::Region;
use mipnet_network::{Op, ReluNet};
use serde::Serialize;

/// Lower and upper bounds of a vector of values.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Interval {
    /// Moves every bound outward by `slack[i]`: room for the rounding of
    /// the f64 sums that computed it.
    fn widen(mut self, slack: &[f64]) -> Interval {
        for ((l, u), e) in self.lower.iter_mut().zip(self.upper.iter_mut()).zip(slack) {
            *l -= e;
            *u += e;
        }
        self
    }

    pub(crate) fn intersect(&mut self, other: &Interval) {
        for (a, b) in self.lower.iter_mut().zip(&other.lower) {
            *a = a.max(*b);
        }
        for (a, b) in self.upper.iter_mut().zip(&other.upper) {
            *a = a.min(*b);
        }
    }
}

/// Relative room left for f64 rounding in interval arithmetic: far above
/// the error of any sum mipnet's networks have (n·2⁻⁵³ for n terms).
const ROUNDING: f64 = 1e-9;

/// Bounds of the input and of every operation's output.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    pub input: Interval,
    /// `ops[k]` bounds the output of operation `k`.
    pub ops: Vec<Interval>,
}

impl Bounds {
    /// Bounds of the values operation `k` reads.
    pub fn before(&self, k: usize) -> &Interval {
        if k == 0 {
            &self.input
        } else {
            &self.ops[k - 1]
        }
    }

    /// The ReLU inputs whose sign is not known, and their mean big-M
    /// (`max(−lower, upper)`): what the MILP has to branch on.
    pub fn unstable(&self, net: &ReluNet) -> (usize, f64) {
        let (mut count, mut total) = (0usize, 0.0);
        for (k, op) in net.ops.iter().enumerate() {
            if matches!(op, Op::Relu) {
                let b = self.before(k);
                for (l, u) in b.lower.iter().zip(&b.upper) {
                    if *l < 0.0 && *u > 0.0 {
                        count += 1;
                        total += (-l).max(*u);
                    }
                }
            }
        }
        (count, if count > 0 { total / count as f64 } else { 0.0 })
    }
}

/// What one bound stage did, for reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageReport {
    pub stage: &'static str,
    /// Unstable ReLUs after the stage: the binaries the MILP keeps.
    pub unstable_relus: usize,
    pub mean_big_m: f64,
    pub lps_solved: usize,
    pub seconds: f64,
    /// The stage ran out of its time budget before it was done.
    pub stopped_early: bool,
}

fn apply_interval(op: &Op, x: &Interval) -> Interval {
    match op {
        Op::Normalize { sub, div } => {
            let (mut lower, mut upper, mut slack) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..sub.len() {
                let a = (x.lower[i] - sub[i]) / div[i];
                let b = (x.upper[i] - sub[i]) / div[i];
                lower.push(a.min(b));
                upper.push(a.max(b));
                slack.push(ROUNDING * (1.0 + a.abs().max(b.abs())));
            }
            Interval { lower, upper }.widen(&slack)
        }
        Op::Affine(a) => {
            let (mut lower, mut upper) = (a.bias.clone(), a.bias.clone());
            // A sum's rounding error is bounded by a multiple of the sum of
            // its terms' magnitudes (not of the result, which may cancel).
            let mut slack: Vec<f64> = a.bias.iter().map(|b| b.abs()).collect();
            for (i, row) in a.rows.iter().enumerate() {
                for &(j, w) in row {
                    slack[i] += w.abs() * x.lower[j].abs().max(x.upper[j].abs());
                    if w > 0.0 {
                        lower[i] += w * x.lower[j];
                        upper[i] += w * x.upper[j];
                    } else {
                        lower[i] += w * x.upper[j];
                        upper[i] += w * x.lower[j];
                    }
                }
            }
            for e in &mut slack {
                *e = ROUNDING * (1.0 + *e);
            }
            Interval { lower, upper }.widen(&slack)
        }
        Op::Relu => Interval {
            lower: x.lower.iter().map(|v| v.max(0.0)).collect(),
            upper: x.upper.iter().map(|v| v.max(0.0)).collect(),
        },
        Op::MaxPool { windows, .. } => Interval {
            lower: windows
                .iter()
                .map(|w| w.iter().map(|&j| x.lower[j]).fold(f64::NEG_INFINITY, f64::max))
                .collect(),
            upper: windows
                .iter()
                .map(|w| w.iter().map(|&j| x.upper[j]).fold(f64::NEG_INFINITY, f64::max))
                .collect(),
        },
    }
}

/// Stage 1: interval arithmetic from the input box.
pub fn interval_bounds(net: &ReluNet, region: &Region) -> Bounds {
    let input = Interval {
        lower: region.lower.clone(),
        upper: region.upper.clone(),
    };
    let mut ops = Vec::with_capacity(net.ops.len());
    let mut cur = input.clone();
    for op in &net.ops {
        cur = apply_interval(op, &cur);
        ops.push(cur.clone());
    }
    Bounds { input, ops }
}

/// Re-runs interval arithmetic from operation `k` on, keeping whatever is
/// tighter of the old and the new bounds.
pub(crate) fn propagate_from(net: &ReluNet, bounds: &mut Bounds, k: usize) {
    for j in k..net.ops.len() {
        let next = apply_interval(&net.ops[j], bounds.before(j));
        bounds.ops[j].intersect(&next);
    }
}

/// The report line of the interval stage.
pub fn interval_report(net: &ReluNet, bounds: &Bounds, seconds: f64) -> StageReport {
    let (unstable_relus, mean_big_m) = bounds.unstable(net);
    StageReport {
        stage: "interval",
        unstable_relus,
        mean_big_m,
        lps_solved: 0,
        seconds,
        stopped_early: false,
    }
}
