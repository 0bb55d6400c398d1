//! Branch and bound on unstable ReLUs, for boxes where one bound is too
//! loose and splitting the input box does not pay (many inputs) or has
//! stalled: a *subproblem* is the box together with a sign fixed for some
//! ReLU inputs (`≥ 0`: the ReLU is the identity; `≤ 0`: it is 0).
//! Fixing a sign is imposed on the bounds (the ReLU input's lower bound
//! raised to 0, or its upper bound lowered to 0), and carried to the input
//! as a *cut*: back-substitution gives a linear function `a·x + c` below
//! the ReLU input `v` (for `v ≤ 0`; below `−v` for `v ≥ 0`), so every input
//! of the child satisfies `a·x ≤ −c`. The cuts narrow the child's input box
//! (each input's range given the others', rounded outward), and the bounds
//! are recomputed over it by back-substitution ([`crate::linear_bounds`]),
//! which now relaxes the fixed ReLU exactly. Without the cuts, fixing a
//! sign would leave the input box whole, and two ReLUs of the same input
//! fixed to opposite signs could never be told apart from one.
//!
//! Why `unsat` from here is a proof: the two children of a subproblem cover
//! it (every input of it has its ReLU input `≥ 0` or `≤ 0`), the bounds of a
//! child are valid bounds over the inputs of the child (the parent's bounds
//! with one of them replaced by the sign the child requires, then only
//! tightened by sound back-substitution), and a leaf is closed only when
//! (a) some output row's proven lower bound of `lhs − rhs` clears the proof
//! margin, as in input splitting, or (b) some value's proven bounds cross,
//! or the cuts leave an empty box (lower above upper, both rounded
//! outward): no input of the box has that sign pattern. The cuts are
//! implied by the signs (a sound linear bound of `v`, its constant moved
//! outward by [`LINEAR_ROUNDING`] of the magnitudes), so the narrowed box
//! holds every input of the child. So the leaves cover the box and none holds a witness.
//!
//! Candidates on the way: the box corner each output row's bound points to
//! is replayed by the caller's [`WitnessRule`]; a replayed witness ends the
//! search as `sat`.

use crate::attack::Point;
use crate::bounds::{interval_bounds, propagate_from, Bounds};
use crate::linear_bounds::{
    lower_bounds, optimized_lower_bounds, relu_scores, tighten_linear, tighten_linear_from, LinearLower,
    LINEAR_ROUNDING,
};
use crate::witness::WitnessRule;
use crate::Region;
use mipnet_network::{Op, ReluNet};
use mipnet_solver::InterruptFlag;
use serde::Serialize;
use std::time::Instant;

/// What the search did: the proof's tree, or how far it got.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReluSplitReport {
    /// Subproblems whose bounds were computed (the root included).
    pub subproblems: usize,
    /// Leaves closed by an output row's certified bound.
    pub closed: usize,
    /// Leaves closed because their sign pattern leaves no input (crossed bounds).
    pub empty: usize,
    /// Subproblems whose input box the cuts of their fixed signs narrowed.
    pub narrowed: usize,
    /// Most ReLU signs fixed in one subproblem.
    pub max_depth: usize,
    /// Subproblems left open when the search stopped (0 for a proof).
    pub open: usize,
    /// Why it stopped without a proof or witness, if it did.
    pub stopped: Option<String>,
    pub seconds: f64,
}

/// The search's conclusion.
#[derive(Clone, Debug, PartialEq)]
pub enum ReluSplitOutcome {
    /// Every leaf closed: where a row's bound closed a leaf, the disjunct's
    /// slack is at most `slack_bound`, below `−margin`, the smallest of the
    /// leaves' proof margins (empty leaves hold no input at all).
    Proven {
        slack_bound: f64,
        margin: f64,
    },
    /// An input (passing the witness rule) satisfying the disjunct.
    Witness(Point),
    Undecided,
}

/// An output row as back-substitution sees it: coefficients on the
/// outputs and on the inputs (empty when none), and its right-hand side.
pub type OutputRow = ((Vec<f64>, Vec<f64>), f64);

/// What a search over one box needs: the disjunct's output rows as
/// back-substitution rows `(coefficients on the outputs, on the inputs)`
/// with their right-hand sides, and the margin of a leaf from its bounds.
pub struct ReluSplitProblem<'a> {
    pub net: &'a ReluNet,
    pub rule: &'a WitnessRule<'a>,
    pub rows: &'a [OutputRow],
    pub margin_of: &'a dyn Fn(&Bounds) -> f64,
}

/// The subproblems a search over a whole disjunct may evaluate (its time
/// limit usually ends it first): every one costs a back-substitution of
/// the layers after its split, about a millisecond on ACAS Xu's 300 ReLUs,
/// and the stack of a depth-first search stays at most twice the depth.
pub const DEFAULT_MAX_SUBPROBLEMS: usize = 1_000_000;

/// One subproblem: its bounds and the row bounds read from them.
struct Node {
    bounds: Bounds,
    found: Vec<LinearLower>,
    /// The largest lower bound of an output row's `lhs − rhs`.
    best: f64,
    /// The index of that row.
    best_row: usize,
    margin: f64,
    depth: usize,
    /// The cuts `a·x ≤ r` of the signs fixed so far.
    cuts: Vec<Cut>,
}

/// `a·x ≤ r` over the inputs.
type Cut = (Vec<f64>, f64);

/// Passes of narrowing the box by the cuts (each input's range given the
/// others' ranges): a second pass uses what the first narrowed; more
/// rarely gain anything.
const CUT_PASSES: usize = 2;

/// A cut's coefficient this much smaller than its largest is not used to
/// narrow its input (the quotient would magnify the rounding margin).
const CUT_MIN_RELATIVE_COEF: f64 = 1e-6;

/// Sweeps of coordinate ascent over the cuts' multipliers in
/// [`lowest_with_cuts`]: each sweep maximizes the bound in one multiplier at
/// a time, exactly; a second sweep lets earlier cuts answer later ones.
const CUT_SWEEPS: usize = 2;

/// A lower bound of `a·x + c` over the box `[lo, hi]` cut by `g·x ≤ r` for
/// every cut: for any multipliers `λ ≥ 0`, the minimum over the box alone
/// of `a·x + c + Σ λ (g·x − r)` is one (each added term is ≤ 0 on the cut
/// box: weak duality). The multipliers are chosen by coordinate ascent,
/// each exactly (the bound is concave and piecewise linear in it, so its
/// maximum over `λ ≥ 0` is at 0 or at a point where a coefficient of `x`
/// changes sign), and the result moved down by [`LINEAR_ROUNDING`] of the
/// magnitudes. Any `λ` gives a valid bound; the search only makes it
/// tighter.
fn lowest_with_cuts(a: &[f64], c: f64, lo: &[f64], hi: &[f64], cuts: &[Cut]) -> f64 {
    let n = a.len();
    let mut lambda = vec![0.0; cuts.len()];
    let coefs = |lambda: &[f64]| -> Vec<f64> {
        let mut v = a.to_vec();
        for ((g, _), &l) in cuts.iter().zip(lambda) {
            if l != 0.0 {
                for i in 0..n {
                    v[i] += l * g[i];
                }
            }
        }
        v
    };
    let value = |lambda: &[f64]| -> f64 {
        let v = coefs(lambda);
        let box_min: f64 = (0..n).map(|i| (v[i] * lo[i]).min(v[i] * hi[i])).sum();
        box_min + c - cuts.iter().zip(lambda).map(|((_, r), l)| l * r).sum::<f64>()
    };
    for _ in 0..CUT_SWEEPS {
        for k in 0..cuts.len() {
            let g = &cuts[k].0;
            let mut others = lambda.clone();
            others[k] = 0.0;
            let base = coefs(&others);
            // Where a coefficient base_i + λ g_i changes sign.
            let mut candidates = vec![0.0];
            for i in 0..n {
                if g[i] != 0.0 {
                    let t = -base[i] / g[i];
                    if t > 0.0 && t.is_finite() {
                        candidates.push(t);
                    }
                }
            }
            let (mut best, mut best_value) = (lambda[k], value(&lambda));
            for t in candidates {
                let mut trial = lambda.clone();
                trial[k] = t;
                let v = value(&trial);
                if v > best_value {
                    (best, best_value) = (t, v);
                }
            }
            lambda[k] = best;
        }
    }
    let v = coefs(&lambda);
    // What rounding scales with: per input, every coefficient that went into
    // its combined coefficient (a_i, v_i and each λ_k·g_ki) times the largest
    // |x_i|; then the constants.
    let size: f64 = c.abs()
        + (0..n)
            .map(|i| {
                let cut_coefs: f64 = cuts.iter().zip(&lambda).map(|((g, _), l)| l * g[i].abs()).sum();
                (a[i].abs() + v[i].abs() + cut_coefs) * lo[i].abs().max(hi[i].abs())
            })
            .sum::<f64>()
        + cuts.iter().zip(&lambda).map(|((_, r), l)| l * r.abs()).sum::<f64>();
    value(&lambda) - LINEAR_ROUNDING * (1.0 + size)
}

/// `a` and a constant `c` with `f ≥ a·x + c` over the box, from a proven
/// lower bound `lower` of `f` over it and `f`'s input coefficients `a`:
/// `lower` minus the minimum of `a·x` over the box, moved down by
/// [`LINEAR_ROUNDING`] of the magnitudes.
fn affine_minorant(lower: f64, a: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    let least: f64 = (0..a.len()).map(|j| (a[j] * lo[j]).min(a[j] * hi[j])).sum();
    let size: f64 = lower.abs()
        + (0..a.len())
            .map(|j| a[j].abs() * lo[j].abs().max(hi[j].abs()))
            .sum::<f64>();
    lower - least - LINEAR_ROUNDING * (1.0 + size)
}

/// Narrows `lo`/`hi` by the cuts, every new end rounded outward by
/// [`LINEAR_ROUNDING`] of the magnitudes involved; `false` when the box is
/// left empty.
fn narrow_box(lo: &mut [f64], hi: &mut [f64], cuts: &[Cut]) -> bool {
    for _ in 0..CUT_PASSES {
        for (a, r) in cuts {
            let largest = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if largest == 0.0 {
                if *r < -LINEAR_ROUNDING * (1.0 + r.abs()) {
                    return false;
                }
                continue;
            }
            // The smallest a·x over the box, and its magnitude.
            let least: Vec<f64> = (0..a.len()).map(|j| (a[j] * lo[j]).min(a[j] * hi[j])).collect();
            let total: f64 = least.iter().sum();
            let size: f64 = r.abs()
                + (0..a.len())
                    .map(|j| a[j].abs() * lo[j].abs().max(hi[j].abs()))
                    .sum::<f64>();
            for i in 0..a.len() {
                if a[i].abs() < CUT_MIN_RELATIVE_COEF * largest {
                    continue;
                }
                // a_i·x_i ≤ r − Σ_{j≠i} min a_j·x_j
                let room = r - (total - least[i]);
                let slack = LINEAR_ROUNDING * (1.0 + size) / a[i].abs();
                if a[i] > 0.0 {
                    hi[i] = hi[i].min(room / a[i] + slack);
                } else {
                    lo[i] = lo[i].max(room / a[i] - slack);
                }
                if lo[i] > hi[i] {
                    return false;
                }
            }
        }
    }
    true
}

/// Whether some value's bounds cross: no input has this sign pattern.
fn crossed(bounds: &Bounds) -> bool {
    bounds
        .ops
        .iter()
        .any(|b| b.lower.iter().zip(&b.upper).any(|(l, u)| l > u))
}

impl ReluSplitProblem<'_> {
    /// A node from bounds already tightened: its row bounds and margin.
    fn node(&self, bounds: Bounds, depth: usize, cuts: Vec<Cut>) -> Node {
        let specs: Vec<(Vec<f64>, Vec<f64>)> = self.rows.iter().map(|(r, _)| r.clone()).collect();
        let mut found = optimized_lower_bounds(self.net, &bounds, &specs);
        if !cuts.is_empty() {
            // The rows' bounds over the box cut by the signs fixed so far.
            let (lo, hi) = (&bounds.input.lower, &bounds.input.upper);
            for f in &mut found {
                if let Some(a) = &f.input_coefs {
                    let c = affine_minorant(f.lower, a, lo, hi);
                    f.lower = f.lower.max(lowest_with_cuts(a, c, lo, hi, &cuts));
                }
            }
        }
        let (best_row, best) = found
            .iter()
            .zip(self.rows)
            .map(|(f, (_, rhs))| f.lower - rhs)
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |acc, (k, v)| if v > acc.1 { (k, v) } else { acc },
            );
        let margin = (self.margin_of)(&bounds);
        Node {
            bounds,
            found,
            best,
            best_row,
            margin,
            depth,
            cuts,
        }
    }

    /// The child of `parent` with ReLU input `i` of operation `k − 1` (the
    /// input of ReLU operation `k`) fixed `≥ 0` (`active`) or `≤ 0`.
    fn child(&self, node: &Node, k: usize, i: usize, active: bool) -> Option<Node> {
        let parent = &node.bounds;
        let mut cuts = node.cuts.clone();
        cuts.extend(self.cut(parent, k, i, active));
        let mut b = parent.clone();
        {
            let pre = &mut b.ops[k - 1];
            if active {
                pre.lower[i] = pre.lower[i].max(0.0);
            } else {
                pre.upper[i] = pre.upper[i].min(0.0);
            }
        }
        if crossed(&b) {
            return None;
        }
        let (mut lo, mut hi) = (b.input.lower.clone(), b.input.upper.clone());
        if !narrow_box(&mut lo, &mut hi, &cuts) {
            return None;
        }
        if lo != b.input.lower || hi != b.input.upper {
            // A narrower box: every bound again, kept within the parent's
            // (which hold on the child too, the fixed sign among them).
            let mut fresh = interval_bounds(self.net, &Region::boxed(lo, hi));
            for (mine, theirs) in fresh.ops.iter_mut().zip(&b.ops) {
                mine.intersect(theirs);
            }
            b = fresh;
            if crossed(&b) {
                return None;
            }
            tighten_linear(self.net, &mut b);
        } else {
            propagate_from(self.net, &mut b, k);
            tighten_linear_from(self.net, &mut b, k + 1);
        }
        if crossed(&b) {
            return None;
        }
        Some(self.node(b, node.depth + 1, cuts))
    }

    /// The cut on the input that fixing ReLU input `i` of operation `k − 1`
    /// implies (see the module's notes); `None` when back-substitution
    /// cannot reach the input (a max pooling before it).
    fn cut(&self, bounds: &Bounds, k: usize, i: usize, active: bool) -> Option<Cut> {
        // Inactive: v ≥ a·x + c and v ≤ 0. Active: −v ≥ a·x + c and v ≥ 0.
        let mut row = vec![0.0; bounds.ops[k - 1].lower.len()];
        row[i] = if active { -1.0 } else { 1.0 };
        let found = lower_bounds(self.net, bounds, k, &[(row, Vec::new())]).pop()?;
        let a = found.input_coefs?;
        let c = affine_minorant(found.lower, &a, &bounds.input.lower, &bounds.input.upper);
        Some((a, -c))
    }

    /// The ReLU to split in `node`: the largest [`relu_scores`] for the row
    /// closest to being closed; `None` when no ReLU after the first
    /// operation is unstable.
    fn branch(&self, node: &Node) -> Option<(usize, usize)> {
        let row = &self.rows[node.best_row].0 .0;
        let scores = relu_scores(self.net, &node.bounds, row);
        // A ReLU on the inputs themselves (operation 0) is not split: its
        // sign is a condition on the box, with no operation before it whose
        // bound a child could fix or whose cut could narrow the box.
        let best = scores
            .iter()
            .filter(|&&(k, _, _)| k > 0)
            .max_by(|a, b| a.2.total_cmp(&b.2))
            .map(|&(k, i, _)| (k, i));
        // Input-only terms give no score; fall back to any unstable ReLU.
        best.or_else(|| {
            self.net.ops.iter().enumerate().find_map(|(k, op)| {
                if !matches!(op, Op::Relu) || k == 0 {
                    return None;
                }
                let pre = &node.bounds.ops[k - 1];
                (0..pre.lower.len())
                    .find(|&i| pre.lower[i] < 0.0 && pre.upper[i] > 0.0)
                    .map(|i| (k, i))
            })
        })
    }

    /// Probes the corners of the box the node's row bounds point to.
    fn probe(&self, node: &Node) -> Option<Point> {
        let (lo, hi) = (&node.bounds.input.lower, &node.bounds.input.upper);
        node.found
            .iter()
            .filter_map(|f| f.input_coefs.as_ref())
            .find_map(|coefs| {
                let x: Vec<f64> = (0..lo.len())
                    .map(|i| if coefs[i] >= 0.0 { lo[i] } else { hi[i] })
                    .collect();
                self.rule.replay(&x, 0.0)
            })
    }
}

/// Decides the disjunct over the box of `bounds` (proven bounds over it:
/// interval, back-substitution or LP-tightened) by splitting ReLUs, until
/// every leaf is closed, a witness is found, `max_subproblems` have been
/// evaluated, `deadline` passes or `interrupt` is raised.
pub fn split_relus(
    problem: &ReluSplitProblem,
    bounds: &Bounds,
    max_subproblems: usize,
    deadline: Instant,
    interrupt: Option<&InterruptFlag>,
) -> (ReluSplitOutcome, ReluSplitReport) {
    let clock = Instant::now();
    let mut report = ReluSplitReport {
        subproblems: 1,
        closed: 0,
        empty: 0,
        narrowed: 0,
        max_depth: 0,
        open: 0,
        stopped: None,
        seconds: 0.0,
    };
    let finish = |outcome: ReluSplitOutcome, mut report: ReluSplitReport| {
        report.seconds = clock.elapsed().as_secs_f64();
        (outcome, report)
    };
    if problem.rows.is_empty() {
        report.stopped = Some("the disjunct has no output rows to bound".into());
        return finish(ReluSplitOutcome::Undecided, report);
    }
    if crossed(bounds) {
        // The caller's bounds already leave no input: nothing to split, and
        // no row bound to report; the caller's own checks decide.
        report.stopped = Some("the bounds leave no input".into());
        return finish(ReluSplitOutcome::Undecided, report);
    }
    let mut slack_bound = f64::NEG_INFINITY;
    let mut least_margin = f64::INFINITY;
    let mut stack = vec![problem.node(bounds.clone(), 0, Vec::new())];
    while let Some(node) = stack.pop() {
        if node.best > node.margin {
            report.closed += 1;
            slack_bound = slack_bound.max(-node.best);
            least_margin = least_margin.min(node.margin);
            continue;
        }
        if let Some(w) = problem.probe(&node) {
            report.open = stack.len() + 1;
            return finish(ReluSplitOutcome::Witness(w), report);
        }
        let over = report.subproblems + 2 > max_subproblems;
        if over || Instant::now() >= deadline || interrupt.is_some_and(|f| f.is_raised()) {
            report.open = stack.len() + 1;
            report.stopped = Some(if over {
                format!("{max_subproblems} subproblems")
            } else {
                "time limit".into()
            });
            return finish(ReluSplitOutcome::Undecided, report);
        }
        let Some((k, i)) = problem.branch(&node) else {
            // Every ReLU's sign is fixed and the bound still does not close
            // it: the network is linear here, and the bound exact up to
            // rounding; a witness may lie in the box but off its corners.
            report.open = stack.len() + 1;
            report.stopped = Some("a subproblem with every ReLU fixed stayed open".into());
            return finish(ReluSplitOutcome::Undecided, report);
        };
        report.max_depth = report.max_depth.max(node.depth + 1);
        for active in [false, true] {
            report.subproblems += 1;
            match problem.child(&node, k, i, active) {
                Some(child) => {
                    if child.bounds.input != node.bounds.input {
                        report.narrowed += 1;
                    }
                    stack.push(child)
                }
                None => report.empty += 1,
            }
        }
    }
    if report.closed == 0 {
        // Every leaf empty: the box itself has no input, which the bounds
        // of a non-empty box never say; not a proof about the network.
        report.stopped = Some("every subproblem was empty".into());
        return finish(ReluSplitOutcome::Undecided, report);
    }
    finish(
        ReluSplitOutcome::Proven {
            slack_bound,
            margin: least_margin,
        },
        report,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_network::{generated_names, Affine};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A seeded `widths[0]`-input network with ReLU hidden layers.
    fn net(seed: u64, widths: &[usize]) -> ReluNet {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut ops = Vec::new();
        for l in 1..widths.len() {
            let w: Vec<Vec<f64>> = (0..widths[l])
                .map(|_| (0..widths[l - 1]).map(|_| rng.gen_range(-1.0..1.0)).collect())
                .collect();
            let b: Vec<f64> = (0..widths[l]).map(|_| rng.gen_range(-0.5..0.5)).collect();
            ops.push(Op::Affine(Affine::dense(&w, &b)));
            if l + 1 < widths.len() {
                ops.push(Op::Relu);
            }
        }
        ReluNet {
            inputs: widths[0],
            ops,
            input_names: generated_names("x", widths[0]),
            output_names: generated_names("y", *widths.last().unwrap()),
        }
    }

    /// Splitting one unstable ReLU at the root: every sampled input lies in
    /// the child of its sign (the input box narrowed by the child's cut), and
    /// every linear function of it, and the output row, lies above the bound
    /// the child computes with its cuts.
    #[test]
    fn every_point_lies_in_its_childs_narrowed_box_and_above_its_cut_bounds() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let (mut narrowed, mut checked) = (0, 0);
        for seed in 0..6 {
            let net = net(seed, &[2, 8, 8, 1]);
            let (lo, hi) = (vec![-1.0, -1.0], vec![1.0, 1.0]);
            let prop = mipnet_vnnlib::Property::parse(
                "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
                 (assert (>= X_0 -1))\n(assert (<= X_0 1))\n(assert (>= X_1 -1))\n(assert (<= X_1 1))\n\
                 (assert (<= Y_0 -100))",
            )
            .unwrap();
            let rule = WitnessRule {
                net: &net,
                disjunct: &prop.disjuncts[0],
                float32: false,
            };
            // Y_0 ≤ −100: lhs − rhs = y + 100.
            let rows: Vec<OutputRow> = vec![((vec![1.0], Vec::new()), -100.0)];
            let problem = ReluSplitProblem {
                net: &net,
                rule: &rule,
                rows: &rows,
                margin_of: &|_| 1e-5,
            };
            let mut bounds = interval_bounds(&net, &Region::boxed(lo.clone(), hi.clone()));
            tighten_linear(&net, &mut bounds);
            let root = problem.node(bounds, 0, Vec::new());
            let points: Vec<Vec<f64>> = (0..400)
                .map(|_| (0..2).map(|i| rng.gen_range(lo[i]..=hi[i])).collect())
                .collect();
            for k in (1..net.ops.len()).filter(|&k| matches!(net.ops[k], Op::Relu)) {
                let pre = &root.bounds.ops[k - 1];
                for i in (0..pre.lower.len()).filter(|&i| pre.lower[i] < 0.0 && pre.upper[i] > 0.0) {
                    let children = [false, true].map(|active| problem.child(&root, k, i, active));
                    for child in children.iter().flatten() {
                        if child.bounds.input != root.bounds.input {
                            narrowed += 1;
                        }
                    }
                    // A random linear function of the inputs, bounded with each child's cuts.
                    let a: Vec<f64> = (0..2).map(|_| rng.gen_range(-1.0..1.0)).collect();
                    for x in &points {
                        let trace = net.trace(x);
                        let v = trace[k - 1][i];
                        // z = 0 belongs to both children; check it in each.
                        for active in [false, true]
                            .into_iter()
                            .filter(|&act| if act { v >= 0.0 } else { v <= 0.0 })
                        {
                            let child = children[usize::from(active)].as_ref().unwrap_or_else(|| {
                                panic!("net {seed}: {x:?} has sign {active} of ({k}, {i}) but the child is empty")
                            });
                            let (clo, chi) = (&child.bounds.input.lower, &child.bounds.input.upper);
                            assert!(
                                (0..2).all(|j| clo[j] <= x[j] && x[j] <= chi[j]),
                                "net {seed}: {x:?} outside its child's box {clo:?}..{chi:?}"
                            );
                            let bound = lowest_with_cuts(&a, 0.0, clo, chi, &child.cuts);
                            let value: f64 = a.iter().zip(x).map(|(p, q)| p * q).sum();
                            assert!(value >= bound, "net {seed}: a·x = {value} below the cut bound {bound}");
                            let y = trace.last().unwrap()[0];
                            assert!(
                                y >= child.found[0].lower,
                                "net {seed}: y = {y} below the child's row bound {}",
                                child.found[0].lower
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "too few points checked: {checked}");
        assert!(narrowed >= 1, "no cut narrowed a box: the test shows little");
    }

    #[test]
    fn the_cut_bounds_rounding_margin_scales_with_the_cuts_terms_times_the_inputs() {
        // min x over [−M, M] cut by −x ≤ −(M − 1): λ = 1 makes the
        // coefficient 0 and the bound M − 1; the cut's term λ·|g|·M is as
        // large as the rest, and the margin must cover its rounding too.
        const M: f64 = 1e6;
        /// The coordinate ascent hits λ = 1 exactly; this only absorbs rounding.
        const SEARCH_SLACK: f64 = 1e-6;
        let cuts: Vec<Cut> = vec![(vec![-1.0], -(M - 1.0))];
        let bound = lowest_with_cuts(&[1.0], 0.0, &[-M], &[M], &cuts);
        // |a|·M + |v|·M + λ|g|·M + λ|r| with v = 0, λ = 1.
        let size = M + M + (M - 1.0);
        let expected = (M - 1.0) - LINEAR_ROUNDING * (1.0 + size);
        assert!(
            bound <= expected,
            "{bound} above {expected}: the margin omits λ·|g|·max|x|"
        );
        assert!(
            bound > expected - SEARCH_SLACK,
            "{bound}: the multiplier search should reach M − 1"
        );
    }
}
