//! The attack's last stage: refining its best points exactly on their
//! linear pieces. Where every ReLU keeps its sign (the point's *activation
//! pattern*), the network is affine, so the question's violation (the
//! largest of a conjunction's rows, or a disjunction's smallest row) is a
//! maximum of affine functions of the input, and its minimum over the box
//! intersected with that pattern's region is a small LP (variables: the
//! inputs and the bound `t` on the rows). Its optimum is the best point of
//! the piece; when a ReLU's sign row is tight there with a positive
//! multiplier, the violation would fall further across that ReLU's
//! boundary, so the ReLU is flipped and the next piece's LP starts from the
//! same point (it lies on the shared boundary, so it is feasible there and
//! the violation never rises along the walk). The walk ends at a replayed
//! witness, at a piece none of whose tight ReLUs leads to an unvisited
//! pattern, or after its budget of LPs.
//!
//! Gradient steps get within about 1e-4 of the witnesses of ACAS Xu's
//! property 2 on networks 1_2, 1_5, 1_6 and 5_3 and stop there (the
//! violation's pieces change faster than the steps settle); the LP lands on
//! the piece's exact optimum.
//!
//! Every point the LP returns is only a candidate: the caller replays it
//! through the f64 forward pass and its own rule, as every attack point.

use crate::attack::{Combine, Goal, Point};
use crate::attack_lp::minimize;
use mipnet_network::{Op, ReluNet};
use std::collections::HashSet;

/// Refinement runs on networks with at most this many inputs: the LP is
/// dense in the inputs (one variable each), so its cost grows with their
/// square per row; properties of networks with few inputs (ACAS Xu has 5)
/// are where a witness hides in a thin region that sampling misses. The
/// same bound as input splitting's [`crate::MAX_SPLIT_INPUTS`].
pub const MAX_REFINE_INPUTS: usize = crate::MAX_SPLIT_INPUTS;

/// The best points refined (at most one per gradient descent, best
/// violation first). On ACAS Xu one LP over a piece (300 ReLU rows, 6
/// variables) takes well under a millisecond, so 8 walks of
/// [`REFINE_LPS_PER_START`] LPs cost a few hundredths of a second.
pub const REFINE_STARTS: usize = 8;

/// LPs (pieces visited) per walk.
pub const REFINE_LPS_PER_START: usize = 16;

/// Walks started from fresh random points after the refinement of the
/// descents. On ACAS Xu 1_5 property 2, where every descent ends in one
/// local minimum, a walk from a random point reaches a witness about once
/// in 60 (without [`Visited`] shared: found at walk 17–134 over seeds 0–7;
/// shared, 128 walks find it for seeds 0–3, 5, 7, not 4 and 6; 256 walks
/// add seed 4 and cost 1.6x the LPs on unsat instances). 128 shared walks
/// take 500–1,100 LPs on answered unsat instances, about as long as the
/// 10,000 samples.
pub const RANDOM_WALKS: usize = 128;

/// LPs per walk from a random point (those walks took about 12).
pub const RANDOM_WALK_LPS: usize = 16;

/// Steps of one LP's active-set method: a vertex of 6 variables is
/// reached in a few dozen steps; the cap only stops a cycling degenerate
/// solve.
pub const LP_MAX_ITERATIONS: usize = 400;

/// The LP's box is the attack's box shrunk by this fraction of each
/// input's width on each side, so that its optimum (often on a face of the
/// box) lies strictly inside, where a strict bound of the box still holds
/// after the replay's rounding.
pub const INTERIOR_FRACTION: f64 = 1e-9;

/// A multiplier this small marks a ReLU whose flip would not lower the
/// violation (rounding noise on a degenerate vertex).
const FLIP_MULTIPLIER: f64 = 1e-10;

/// The most multiply-adds one piece's affine maps may take (each weight
/// times the number of inputs), so that one LP stays within milliseconds
/// on a network with few inputs but wide layers; ACAS Xu needs 6.5e4.
pub const MAX_REFINE_WORK: usize = 10_000_000;

/// Whether the refinement runs on `net`: few inputs, only affine maps,
/// normalizations and ReLUs (a max-pool's pieces are left to the gradient
/// steps), and at most [`MAX_REFINE_WORK`] per piece.
pub fn refinable(net: &ReluNet) -> bool {
    let weights: usize = net
        .ops
        .iter()
        .map(|op| match op {
            Op::Affine(a) => a.rows.iter().map(Vec::len).sum(),
            _ => 0,
        })
        .sum();
    net.inputs <= MAX_REFINE_INPUTS
        && weights.saturating_mul(net.inputs) <= MAX_REFINE_WORK
        && !net.ops.iter().any(|op| matches!(op, Op::MaxPool { .. }))
}

/// The sign of every ReLU: `pattern[r][i]` for the `r`-th ReLU operation's
/// element `i`, true when it passes its input on.
type Pattern = Vec<Vec<bool>>;

fn pattern_at(net: &ReluNet, x: &[f64]) -> Pattern {
    let trace = net.trace(x);
    let mut pattern = Vec::new();
    for (k, op) in net.ops.iter().enumerate() {
        if let Op::Relu = op {
            let before: &[f64] = if k == 0 { x } else { &trace[k - 1] };
            pattern.push(before.iter().map(|&v| v > 0.0).collect());
        }
    }
    pattern
}

/// An affine function `g · x + h` of the input.
type AffineFn = (Vec<f64>, f64);

/// The network on one pattern's region, as affine functions of `x` stored
/// flat (`g` row-major, `n` coefficients per function): each ReLU's input
/// (with its place in the pattern), and the outputs.
struct LinearPiece {
    relu_g: Vec<f64>,
    relu_h: Vec<f64>,
    relu_at: Vec<(usize, usize)>,
    out_g: Vec<f64>,
    out_h: Vec<f64>,
}

fn linear_piece(net: &ReluNet, pattern: &Pattern) -> LinearPiece {
    let n = net.inputs;
    let mut g = vec![0.0; n * n];
    for i in 0..n {
        g[i * n + i] = 1.0;
    }
    let mut h = vec![0.0; n];
    let mut piece = LinearPiece {
        relu_g: Vec::new(),
        relu_h: Vec::new(),
        relu_at: Vec::new(),
        out_g: Vec::new(),
        out_h: Vec::new(),
    };
    let mut r = 0;
    for op in &net.ops {
        match op {
            Op::Normalize { sub, div } => {
                for i in 0..h.len() {
                    g[i * n..(i + 1) * n].iter_mut().for_each(|v| *v /= div[i]);
                    h[i] = (h[i] - sub[i]) / div[i];
                }
            }
            Op::Affine(a) => {
                let mut next_g = vec![0.0; a.rows.len() * n];
                let mut next_h = a.bias.clone();
                for (i, row) in a.rows.iter().enumerate() {
                    let out = &mut next_g[i * n..(i + 1) * n];
                    for &(j, w) in row {
                        for (o, c) in out.iter_mut().zip(&g[j * n..(j + 1) * n]) {
                            *o += w * c;
                        }
                        next_h[i] += w * h[j];
                    }
                }
                g = next_g;
                h = next_h;
            }
            Op::Relu => {
                piece.relu_g.extend_from_slice(&g);
                piece.relu_h.extend_from_slice(&h);
                for i in 0..h.len() {
                    piece.relu_at.push((r, i));
                    if !pattern[r][i] {
                        g[i * n..(i + 1) * n].fill(0.0);
                        h[i] = 0.0;
                    }
                }
                r += 1;
            }
            Op::MaxPool { .. } => unreachable!("refinable() excludes max-pooling"),
        }
    }
    piece.out_g = g;
    piece.out_h = h;
    piece
}

/// What a walk did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WalkCount {
    /// LPs solved.
    pub lps: usize,
    /// ReLUs flipped (pieces entered after the first).
    pub flips: usize,
}

/// The activation patterns whose pieces were solved already, shared by the
/// walks of one attack: a walk that reaches a piece another walk solved
/// would follow that walk's path (the same LP from a point on the same
/// piece), so it ends there instead. On ACAS Xu most of the 128 random
/// walks merge into a few paths after a few flips.
#[derive(Debug, Default)]
pub struct Visited(HashSet<Pattern>);

/// Walks from `start` in the box `(lower, upper)` over neighbouring linear
/// pieces (see the module doc), handing each piece's optimum to `try_point`
/// (which replays it and says whether it ended the question). At most
/// `lp_budget` LPs, never into a piece in `visited` (which gets every piece
/// solved); stops early when `stop` says so.
#[allow(clippy::too_many_arguments)]
pub fn refine(
    net: &ReluNet,
    (lower, upper): (&[f64], &[f64]),
    goal: &Goal,
    start: &[f64],
    lp_budget: usize,
    visited: &mut Visited,
    stop: &dyn Fn() -> bool,
    try_point: &mut dyn FnMut(Vec<f64>) -> Option<Point>,
) -> (Option<Point>, WalkCount) {
    let n = net.inputs;
    let mut count = WalkCount::default();
    let mut pattern = pattern_at(net, start);
    if !visited.0.insert(pattern.clone()) {
        return (None, count);
    }
    let visited = &mut visited.0;
    let (lo, hi): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|i| {
            let w = (upper[i] - lower[i]) * INTERIOR_FRACTION;
            (lower[i] + w, upper[i] - w)
        })
        .unzip();
    let mut x: Vec<f64> = start
        .iter()
        .zip(lo.iter().zip(&hi))
        .map(|(v, (l, h))| v.clamp(*l, *h))
        .collect();
    while count.lps < lp_budget && !stop() {
        let piece = linear_piece(net, &pattern);
        // The goal's pieces as affine functions of x: G·x + H.
        let value_fns: Vec<AffineFn> = goal
            .pieces
            .iter()
            .map(|p| {
                let mut g = vec![0.0; n];
                let mut h = -p.rhs;
                for &(i, a) in &p.inputs {
                    g[i] += a;
                }
                for &(j, b) in &p.outputs {
                    for (gk, ok) in g.iter_mut().zip(&piece.out_g[j * n..(j + 1) * n]) {
                        *gk += b * ok;
                    }
                    h += b * piece.out_h[j];
                }
                (g, h)
            })
            .collect();
        let eval = |f: &AffineFn, x: &[f64]| f.0.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + f.1;
        // A conjunction bounds every row by t; a disjunction only the row
        // that decides it at the start (the LP over one piece of a minimum
        // is the minimum over its pieces; the deciding one is the nearest).
        let chosen: Vec<&AffineFn> = match goal.combine {
            Combine::All => value_fns.iter().collect(),
            Combine::Any => value_fns
                .iter()
                .min_by(|a, b| eval(a, &x).total_cmp(&eval(b, &x)))
                .into_iter()
                .collect(),
        };
        let Some(t0) = chosen.iter().map(|f| eval(f, &x)).max_by(f64::total_cmp) else {
            break;
        };
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut rhs: Vec<f64> = Vec::new();
        let mut relu_of_row: Vec<Option<(usize, usize)>> = Vec::new();
        let mut push = |mut a: Vec<f64>, mut b: f64, relu: Option<(usize, usize)>| {
            let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 && norm.is_finite() && b.is_finite() {
                a.iter_mut().for_each(|v| *v /= norm);
                b /= norm;
                rows.push(a);
                rhs.push(b);
                relu_of_row.push(relu);
            }
        };
        for f in &chosen {
            let mut a = f.0.clone();
            a.push(-1.0);
            push(a, -f.1, None);
        }
        for i in 0..n {
            let mut up = vec![0.0; n + 1];
            up[i] = 1.0;
            push(up, hi[i], None);
            let mut down = vec![0.0; n + 1];
            down[i] = -1.0;
            push(down, -lo[i], None);
        }
        for (k, &(r, i)) in piece.relu_at.iter().enumerate() {
            let sign = if pattern[r][i] { -1.0 } else { 1.0 };
            let mut a = Vec::with_capacity(n + 1);
            a.extend(piece.relu_g[k * n..(k + 1) * n].iter().map(|v| sign * v));
            a.push(0.0);
            push(a, -sign * piece.relu_h[k], Some((r, i)));
        }
        let mut cost = vec![0.0; n + 1];
        cost[n] = 1.0;
        let mut v0 = x.clone();
        v0.push(t0);
        let answer = minimize(&cost, &rows, &rhs, v0, LP_MAX_ITERATIONS);
        count.lps += 1;
        let candidate: Vec<f64> = answer.point[..n]
            .iter()
            .zip(lower.iter().zip(upper))
            .map(|(v, (l, h))| v.clamp(*l, *h))
            .collect();
        if let Some(hit) = try_point(candidate.clone()) {
            return (Some(hit), count);
        }
        // Flip the tight ReLU with the largest multiplier whose pattern is new.
        let mut tight: Vec<(f64, (usize, usize))> = answer
            .tight
            .iter()
            .filter_map(|&(row, l)| relu_of_row[row].filter(|_| l > FLIP_MULTIPLIER).map(|relu| (l, relu)))
            .collect();
        tight.sort_by(|a, b| b.0.total_cmp(&a.0));
        let next = tight.into_iter().find_map(|(_, (r, i))| {
            let mut p = pattern.clone();
            p[r][i] = !p[r][i];
            (!visited.contains(&p)).then_some(p)
        });
        let Some(next) = next else {
            break;
        };
        visited.insert(next.clone());
        pattern = next;
        count.flips += 1;
        x = answer.point[..n]
            .iter()
            .zip(lo.iter().zip(&hi))
            .map(|(v, (l, h))| v.clamp(*l, *h))
            .collect();
    }
    (None, count)
}
