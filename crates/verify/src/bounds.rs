//! Bounds on every value of the network over an input region, in stages:
//! interval arithmetic, then LP-based tightening. The MILP's big-M
//! constants come from these bounds, and a ReLU whose input bounds have one
//! sign is *stable*: it needs no binary at all. Tighter bounds mean fewer
//! binaries and a stronger relaxation, which is what decides whether the
//! solver proves anything in time.

use crate::encode::encode;
use crate::Region;
use crate::VerifyOptions;
use mipnet_milp::Sense;
use mipnet_network::{Op, ReluNet};
use mipnet_solver::{SolveOptions, SolverError, Status};
use serde::Serialize;
use std::time::Instant;

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

/// Stage 2: the minimum and maximum of each unstable ReLU input over the LP
/// relaxation of the network before it (with the tightened bounds of the
/// layers before, and the region's input constraints), layer by layer, one
/// warm-started LP for all questions of a layer. Stops at `budget` seconds;
/// bounds found until then are kept (every bound is valid on its own).
pub fn tighten_lp(
    net: &ReluNet,
    region: &Region,
    bounds: &mut Bounds,
    budget: f64,
    opts: &VerifyOptions,
) -> Result<StageReport, SolverError> {
    let interrupt = opts.interrupt.as_ref();
    let clock = Instant::now();
    let mut lps = 0;
    let mut stopped_early = false;
    // One thread per LP: they are small and many.
    let lp_options = SolveOptions {
        time_limit: None,
        relative_gap: None,
        threads: Some(1),
        ..opts.solve.clone()
    };
    'layers: for k in 1..net.ops.len() {
        if !matches!(net.ops[k], Op::Relu) {
            continue;
        }
        let pre = k - 1;
        let unstable: Vec<usize> = (0..bounds.ops[pre].lower.len())
            .filter(|&i| bounds.ops[pre].lower[i] < 0.0 && bounds.ops[pre].upper[i] > 0.0)
            .collect();
        if unstable.is_empty() {
            continue;
        }
        let enc = encode(net, region, bounds, k);
        let mut lp = opts.solver.relaxation(&enc.model, &lp_options)?;
        let cols = &enc.values[pre];
        for i in unstable {
            let interrupted = interrupt.is_some_and(|f| f.is_raised());
            if clock.elapsed().as_secs_f64() > budget || interrupted {
                stopped_early = true;
                propagate_from(net, bounds, k);
                break 'layers;
            }
            // The LP's optimum is exact up to HiGHS's primal and dual
            // feasibility tolerances (1e-7); 1e-6 relative keeps a margin.
            let slack = |v: f64| 1e-6 * (1.0 + v.abs());
            let hi = lp.optimize(&[(cols[i], 1.0)], Sense::Maximize)?;
            lps += 1;
            if hi.status == Status::Infeasible {
                // The region itself is empty; nothing more to learn here.
                break 'layers;
            }
            if let Some(v) = hi.value {
                let u = &mut bounds.ops[pre].upper[i];
                *u = u.min(v + slack(v));
            }
            if bounds.ops[pre].upper[i] > 0.0 {
                let lo = lp.optimize(&[(cols[i], 1.0)], Sense::Minimize)?;
                lps += 1;
                if let Some(v) = lo.value {
                    let l = &mut bounds.ops[pre].lower[i];
                    *l = l.max(v - slack(v));
                }
            }
            lp.set_col_bounds(cols[i], bounds.ops[pre].lower[i], bounds.ops[pre].upper[i])?;
        }
        propagate_from(net, bounds, k);
    }
    let (unstable_relus, mean_big_m) = bounds.unstable(net);
    Ok(StageReport {
        stage: "lp",
        unstable_relus,
        mean_big_m,
        lps_solved: lps,
        seconds: clock.elapsed().as_secs_f64(),
        stopped_early,
    })
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
