//! Branch and bound over the input box, for networks with few inputs
//! (ACAS Xu has 5): where one bound over the whole box is too loose to rule
//! a property's disjunct out, the box is cut in two along the input the
//! bound is most sensitive to, and each half gets its own, tighter bounds
//! (interval arithmetic, then back-substitution,
//! [`crate::linear_bounds`]), until every part is closed or holds a
//! witness.
//!
//! A part is *closed* when the proven lower bound of one of the disjunct's
//! output rows, `a·x + b·y − rhs`, lies above the proof margin: no input of
//! the part satisfies that row, so none satisfies the disjunct. `unsat`
//! from here rests on the tree of parts, which covers the box (each split
//! cuts a part into two halves that share their middle face), each closed by
//! such a certified bound; [`SplitReport`] counts them. A part that cannot
//! be closed is probed at the corners its bounds point to and at its centre
//! (each replayed through the f64 forward pass: a witness ends the search
//! as `sat`), then split. A part with few unstable ReLUs left
//! ([`PART_MILP_UNSTABLE`]), or halved often ([`PART_MILP_DEPTH`]), gets
//! its own MILP first (the caller's, over the part with the part's bounds):
//! a dual bound below minus the margin closes it, a replayed incumbent is a
//! witness. The search stops undecided at its deadline, or when a part
//! reaches [`MAX_SPLIT_DEPTH`] halvings without being closed (its bound no
//! longer moves: the whole disjunct's MILP is left to decide).
//!
//! **Where the time goes** (ACAS Xu, measured 2026-12-02 on this 2-core
//! machine under load 1-8). Before strong branching was narrowed to the
//! [`STRONG_CANDIDATES`] most sensitive inputs, every split evaluated 10
//! halves (5 inputs x 2) and kept 2: 2_7 property 1 at 20 s split for
//! 15.9 s, 1,209 parts (601 closed, 8 open, depth 20, 76 parts/s); 1_1
//! property 2, 3,281 parts (1,637 closed, depth 24); no part closed by a
//! MILP or ReLU branching. `perf`: 64 % of the time in back-substitution,
//! 9 % interval arithmetic, about 10 % allocation, HiGHS under 15 % (the
//! whole-box LP tightening and MILP after the split's share). With 2
//! candidates, batched dense back-substitution and re-propagation only up
//! to the next layer read, 3_8 property 1 (unsat) takes 7.7 s instead of
//! 30.8 s; at 116 s, 2_7 property 1 gets 8,128 parts (4,059 closed, 127 by
//! ReLU branching) in 91 s and still leaves parts open at depth 24 (41
//! without the part MILPs): the bound, not the speed, is what limits it
//! there.
//!
//! Only the box is split and only output rows close a part: input-only
//! rows of a disjunct are left out of the bounds (the box holds the region,
//! so this is sound) and checked in each witness's replay.

use crate::attack::{attack, AttackSettings, Combine, Goal};
use crate::bounds::{interval_bounds, Bounds};
use crate::linear_bounds::{optimized_lower_bounds, tighten_linear, LinearLower};
use crate::relu_split::{split_relus, ReluSplitOutcome, ReluSplitProblem};
use crate::witness::WitnessRule;
use crate::Region;
use mipnet_network::ReluNet;
use mipnet_solver::InterruptFlag;
use mipnet_vnnlib::Disjunct;
use serde::Serialize;
use std::time::{Duration, Instant};

/// A part halved this often (over all inputs) without being closed stops
/// the search: with 5 inputs that is 12 halvings of each, a part 4,096
/// times narrower than the box, where the bound has stopped improving.
pub const MAX_SPLIT_DEPTH: usize = 60;

/// How much narrower than the widest input (each relative to the whole
/// box) an input may become before it is no longer split: greedy choices
/// otherwise keep halving inputs that gain a rounding error each time
/// (measured on ACAS Xu property 3: two inputs halved to 1e-9 while the
/// others kept their width).
pub const MAX_ASPECT: f64 = 16.0;

/// A part left open with at most this many unstable ReLUs is handed to the
/// MILP: with so few binaries HiGHS settles it in a fraction of a second
/// (measured on ACAS Xu; 8 left too many parts to halving, 24 spent too
/// long in MILPs on property 3), where
/// halving would go on until the bound stops moving near a point where the
/// property's slack comes close to 0.
pub const PART_MILP_UNSTABLE: usize = 16;

/// ... and so is a part halved this often (over all inputs), whatever its
/// unstable ReLUs.
pub const PART_MILP_DEPTH: usize = 24;

/// Subproblems the ReLU branching of one part may evaluate before the
/// part goes to its MILP (within [`PART_MILP_SECONDS`] too): a part handed
/// on has at most [`PART_MILP_UNSTABLE`] unstable ReLUs, or is small, and
/// each subproblem costs about a millisecond on ACAS Xu (256 and 4,096
/// closed about as many parts of property 5 on 1_1 at 30 s; the larger cap
/// lets a part with many unstable ReLUs use its time).
pub const PART_RELU_SPLIT_NODES: usize = 4096;

/// Seconds one part's MILP (and its ReLU branching) may take (it stays open when it runs out).
pub const PART_MILP_SECONDS: f64 = 2.0;

/// The caller's MILP for one part: its box (lower, upper), its bounds and
/// its proof margin.
pub type PartMilp<'a> = dyn FnMut(&[f64], &[f64], &Bounds, f64) -> Result<PartVerdict, crate::VerifyError> + 'a;

/// A part's MILP's conclusion.
#[derive(Clone, Debug, PartialEq)]
pub enum PartVerdict {
    /// The MILP's dual bound on the slack, below minus the part's margin.
    Closed {
        slack_bound: f64,
    },
    /// A replayed witness.
    Witness(Vec<f64>, Vec<f64>),
    Open,
}

/// What the search did: the proof's tree, or how far it got.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitReport {
    /// Parts whose bounds were computed.
    pub parts: usize,
    /// Leaves closed by a certified bound.
    pub closed: usize,
    /// Of those, leaves closed by their own solved MILP.
    pub closed_by_milp: usize,
    /// Of those, leaves closed by branching on their ReLUs
    /// ([`crate::relu_split`]; each such leaf is a tree of its own).
    pub closed_by_relu_split: usize,
    /// Deepest part (halvings from the whole box).
    pub max_depth: usize,
    /// Parts left open when the search stopped (0 for a proof).
    pub open: usize,
    /// Why it stopped without a proof or witness, if it did.
    pub stopped: Option<String>,
    pub seconds: f64,
}

/// The search's conclusion.
#[derive(Clone, Debug, PartialEq)]
pub enum SplitOutcome {
    /// Every part closed: the disjunct's slack is at most `slack_bound`
    /// everywhere in the box, below `−margin`, the smallest of the parts'
    /// proof margins.
    Proven {
        slack_bound: f64,
        margin: f64,
    },
    /// An input (replayed) satisfying the disjunct, and its outputs.
    Witness(Vec<f64>, Vec<f64>),
    Undecided,
}

/// A row for back-substitution: coefficients on the outputs and on the
/// inputs (empty when none).
type Spec = (Vec<f64>, Vec<f64>);

/// The output rows of `d` as back-substitution rows (dense over outputs and
/// inputs) with their right-hand sides.
pub(crate) fn output_rows(d: &Disjunct, inputs: usize, outputs: usize) -> Vec<(Spec, f64)> {
    d.constraints
        .iter()
        .filter(|c| !c.outputs.is_empty())
        .map(|c| {
            let mut b = vec![0.0; outputs];
            for &(j, v) in &c.outputs {
                b[j] += v;
            }
            let mut a = Vec::new();
            if !c.inputs.is_empty() {
                a = vec![0.0; inputs];
                for &(i, v) in &c.inputs {
                    a[i] += v;
                }
            }
            ((b, a), c.rhs)
        })
        .collect()
}

/// Decides `d` over its box by splitting it; `margin_of` gives the proof
/// margin a closing bound must clear in a part, from the part's bounds.
pub fn split_inputs(
    net: &ReluNet,
    rule: &WitnessRule,
    margin_of: &dyn Fn(&Bounds) -> f64,
    milp_of: &mut PartMilp,
    deadline: Instant,
    interrupt: Option<&InterruptFlag>,
) -> Result<(SplitOutcome, SplitReport), crate::VerifyError> {
    let d = rule.disjunct;
    let clock = Instant::now();
    let mut report = SplitReport {
        parts: 0,
        closed: 0,
        closed_by_milp: 0,
        closed_by_relu_split: 0,
        max_depth: 0,
        open: 0,
        stopped: None,
        seconds: 0.0,
    };
    let rows = output_rows(d, net.inputs, net.outputs());
    let finish = |outcome: SplitOutcome, mut report: SplitReport| {
        report.seconds = clock.elapsed().as_secs_f64();
        Ok((outcome, report))
    };
    if rows.is_empty() {
        report.stopped = Some("the disjunct has no output rows to bound".into());
        return finish(SplitOutcome::Undecided, report);
    }
    let specs: Vec<(Vec<f64>, Vec<f64>)> = rows.iter().map(|(r, _)| r.clone()).collect();
    let mut slack_bound = f64::NEG_INFINITY;
    let mut least_margin = f64::INFINITY;
    // A part's bounds: interval arithmetic, intersected with its parent's
    // bounds (they hold on the part too, so nothing gets looser), then
    // back-substitution; and the lower bounds of the output rows.
    let evaluate = |lo: &[f64], hi: &[f64], parent: Option<&Bounds>| -> Part {
        let region = Region::boxed(lo.to_vec(), hi.to_vec());
        let mut bounds = interval_bounds(net, &region);
        if let Some(p) = parent {
            for (mine, theirs) in bounds.ops.iter_mut().zip(&p.ops) {
                mine.intersect(theirs);
            }
        }
        tighten_linear(net, &mut bounds);
        let found = optimized_lower_bounds(net, &bounds, &specs);
        // The row closest to being ruled out (largest lower bound of its lhs − rhs).
        let (_, best) = found
            .iter()
            .zip(&rows)
            .map(|(f, (_, rhs))| f.lower - rhs)
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |acc, (k, v)| if v > acc.1 { (k, v) } else { acc },
            );
        let margin = margin_of(&bounds);
        Part {
            lo: lo.to_vec(),
            hi: hi.to_vec(),
            bounds,
            found,
            best,
            margin,
        }
    };
    let mut stack: Vec<(Part, usize)> = vec![(evaluate(&d.lower, &d.upper, None), 0)];
    while let Some((part, depth)) = stack.pop() {
        if Instant::now() >= deadline || interrupt.is_some_and(|f| f.is_raised()) {
            report.open = stack.len() + 1;
            report.stopped = Some("time limit".into());
            return finish(SplitOutcome::Undecided, report);
        }
        report.parts += 1;
        report.max_depth = report.max_depth.max(depth);
        if part.best > part.margin {
            report.closed += 1;
            slack_bound = slack_bound.max(-part.best);
            least_margin = least_margin.min(part.margin);
            continue;
        }
        let (lo, hi) = (&part.lo, &part.hi);
        // Probe the corners the bounds point to, and the centre.
        let centre: Vec<f64> = lo.iter().zip(hi).map(|(l, h)| l + 0.5 * (h - l)).collect();
        let corners = part.found.iter().filter_map(|f| f.input_coefs.as_ref()).map(|coefs| {
            (0..lo.len())
                .map(|i| if coefs[i] >= 0.0 { lo[i] } else { hi[i] })
                .collect::<Vec<f64>>()
        });
        for x in std::iter::once(centre).chain(corners) {
            if let Some((x, y)) = rule.replay(&x, 0.0) {
                report.open = stack.len() + 1;
                return finish(SplitOutcome::Witness(x, y), report);
            }
        }
        // Few binaries left, or halved often: branching on the part's
        // ReLUs, then the part's own MILP.
        if part.bounds.unstable(net).0 <= PART_MILP_UNSTABLE || depth >= PART_MILP_DEPTH {
            let problem = ReluSplitProblem {
                net,
                rule,
                rows: &rows,
                margin_of,
            };
            let part_deadline = deadline.min(Instant::now() + Duration::from_secs_f64(PART_MILP_SECONDS));
            let (outcome, _) = split_relus(&problem, &part.bounds, PART_RELU_SPLIT_NODES, part_deadline, interrupt);
            match outcome {
                ReluSplitOutcome::Proven { slack_bound: b, margin } => {
                    report.closed += 1;
                    report.closed_by_relu_split += 1;
                    slack_bound = slack_bound.max(b);
                    least_margin = least_margin.min(margin);
                    continue;
                }
                ReluSplitOutcome::Witness((x, y)) => {
                    report.open = stack.len() + 1;
                    return finish(SplitOutcome::Witness(x, y), report);
                }
                ReluSplitOutcome::Undecided => {}
            }
            match milp_of(lo, hi, &part.bounds, part.margin)? {
                PartVerdict::Closed { slack_bound: b } => {
                    report.closed += 1;
                    report.closed_by_milp += 1;
                    slack_bound = slack_bound.max(b);
                    least_margin = least_margin.min(part.margin);
                    continue;
                }
                PartVerdict::Witness(x, y) => {
                    report.open = stack.len() + 1;
                    return finish(SplitOutcome::Witness(x, y), report);
                }
                PartVerdict::Open => {}
            }
        }
        if depth >= MAX_SPLIT_DEPTH {
            // The bound no longer moves here: perhaps a witness is close by.
            if let Some((x, y)) = probe(net, rule, lo, hi, deadline, interrupt) {
                report.open = stack.len() + 1;
                return finish(SplitOutcome::Witness(x, y), report);
            }
            report.open = stack.len() + 1;
            report.stopped = Some(format!(
                "a part was halved {MAX_SPLIT_DEPTH} times without being closed"
            ));
            return finish(SplitOutcome::Undecided, report);
        }
        // Strong branching: halve along each input in turn and keep the
        // split whose worse half comes closest to being closed (measured
        // against its own margin); its halves' bounds are kept, not redone.
        // Inputs already MAX_ASPECT times narrower (relative to the whole
        // box) than the widest are not candidates, so every input is halved
        // in turn and no part becomes a needle.
        let relative = |i: usize| {
            let whole = d.upper[i] - d.lower[i];
            if whole > 0.0 {
                (hi[i] - lo[i]) / whole
            } else {
                0.0
            }
        };
        let widest = (0..lo.len()).map(relative).fold(0.0, f64::max);
        let candidates = branch_candidates(&part, &rows, |dim| {
            let mid = lo[dim] + 0.5 * (hi[dim] - lo[dim]);
            mid > lo[dim] && mid < hi[dim] && relative(dim) * MAX_ASPECT >= widest
        });
        let mut best_split: Option<(f64, Part, Part)> = None;
        for dim in candidates {
            let mid = lo[dim] + 0.5 * (hi[dim] - lo[dim]);
            let (mut left_hi, mut right_lo) = (hi.clone(), lo.clone());
            left_hi[dim] = mid;
            right_lo[dim] = mid;
            let left = evaluate(lo, &left_hi, Some(&part.bounds));
            let right = evaluate(&right_lo, hi, Some(&part.bounds));
            let score = (left.best - left.margin).min(right.best - right.margin);
            if best_split.as_ref().is_none_or(|(s, _, _)| score > *s) {
                best_split = Some((score, left, right));
            }
        }
        let Some((_, left, right)) = best_split else {
            report.open = stack.len() + 1;
            report.stopped = Some("a part became too narrow to halve".into());
            return finish(SplitOutcome::Undecided, report);
        };
        stack.push((right, depth + 1));
        stack.push((left, depth + 1));
    }
    finish(
        SplitOutcome::Proven {
            slack_bound,
            margin: least_margin,
        },
        report,
    )
}

/// Inputs tried by strong branching at each split: the [`STRONG_CANDIDATES`]
/// allowed inputs (by `allowed`) with the largest sensitivity `|c_i|·w_i`
/// of the bound of the row closest to closing the part (`c_i` its
/// coefficient on input `i` after back-substitution, `w_i` the part's
/// width there: how much the bound can gain when that input's range
/// shrinks), or every allowed input when the bound reached no input
/// coefficients.
fn branch_candidates(part: &Part, rows: &[(Spec, f64)], allowed: impl Fn(usize) -> bool) -> Vec<usize> {
    let n = part.lo.len();
    let best_row = part
        .found
        .iter()
        .zip(rows)
        .enumerate()
        .max_by(|(_, (f, (_, r))), (_, (g, (_, s)))| (f.lower - r).total_cmp(&(g.lower - s)))
        .map(|(i, _)| i);
    let Some(coefs) = best_row.and_then(|i| part.found[i].input_coefs.as_ref()) else {
        return (0..n).filter(|&i| allowed(i)).collect();
    };
    let mut dims: Vec<(usize, f64)> = (0..n)
        .filter(|&i| allowed(i))
        .map(|i| (i, coefs[i].abs() * (part.hi[i] - part.lo[i])))
        .collect();
    dims.sort_by(|a, b| b.1.total_cmp(&a.1));
    dims.into_iter().take(STRONG_CANDIDATES).map(|(i, _)| i).collect()
}

/// How many inputs strong branching tries at each split (see
/// [`branch_candidates`]): each try costs two part evaluations. Measured on
/// ACAS Xu property 1 (networks 2_6 and 3_8): trying all 5 inputs took
/// 11.9 s and 30.8 s (267 and 1,943 parts), the best 2 by sensitivity
/// 4.6 s and 16.8 s (285 and 2,353 parts), the best 1 alone 3.2 s and
/// 14.8 s but twice the parts (515 and 5,083).
pub const STRONG_CANDIDATES: usize = 2;

/// One part of the box with its bounds.
struct Part {
    lo: Vec<f64>,
    hi: Vec<f64>,
    bounds: Bounds,
    found: Vec<LinearLower>,
    /// The largest lower bound of an output row's `lhs − rhs`.
    best: f64,
    /// The proof margin from this part's bounds.
    margin: f64,
}

/// The attack's budget inside a part that could not be closed at
/// [`MAX_SPLIT_DEPTH`]: a few gradient descents in a tiny box.
const PROBE: AttackSettings = AttackSettings {
    seed: 0,
    samples: 200,
    pgd_starts: 4,
    pgd_steps: 50,
};

/// A short attack inside one part (replayed like every witness).
fn probe(
    net: &ReluNet,
    rule: &WitnessRule,
    lo: &[f64],
    hi: &[f64],
    deadline: Instant,
    interrupt: Option<&InterruptFlag>,
) -> Option<crate::attack::Point> {
    let d = rule.disjunct;
    let accept = |x: &[f64], y: &[f64]| rule.accepts(x, y, 0.0);
    let goal = Goal {
        pieces: crate::attack::pieces_of(d),
        combine: Combine::All,
        accept: &accept,
    };
    let (hit, _) = attack(net, lo, hi, &goal, &PROBE, deadline, interrupt);
    hit.and_then(|(x, _)| rule.replay(&x, 0.0))
}
