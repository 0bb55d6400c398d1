//! Falsification before any proof: a seeded search for an input that
//! violates the question (a property's unsafe condition holds there, or
//! another class wins), run before bounds and MILPs. Random points of the
//! box first, then projected gradient descent (signed steps, as in PGD)
//! from the best of them on the question's *violation*: for a property's
//! disjunct the largest of its rows' `lhs − rhs` (all must fall to ≤ 0), for
//! robustness the smallest margin `score[c] − score[k]` over the other
//! classes (one below 0 is enough). Every point tried is replayed through
//! the f64 forward pass and checked by the caller's own rule, the one the
//! MILP's witnesses pass too; only such a point ends the question.
//!
//! Seeded and budgeted by [`AttackSettings`], so a run is reproducible; the
//! report says what it tried.

use crate::attack_refine::{
    refinable, refine, Visited, RANDOM_WALKS, RANDOM_WALK_LPS, REFINE_LPS_PER_START, REFINE_STARTS,
};
use mipnet_network::{Op, ReluNet};
use mipnet_solver::InterruptFlag;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::Instant;

/// Random points tried first. A forward pass of a network of a few
/// hundred neurons takes microseconds, so 10,000 points cost a few
/// hundredths of a second and find the witnesses that are common (ACAS
/// Xu's property 2 on some networks has thousands of hits per 100,000
/// samples).
pub const DEFAULT_SAMPLES: usize = 10_000;
/// Gradient descents, each from one of the best random points (the first
/// from the box's centre): witnesses in small corners of the box need a
/// descent, and each costs about as much as 2·steps random points.
pub const DEFAULT_PGD_STARTS: usize = 32;
/// Steps per descent.
pub const DEFAULT_PGD_STEPS: usize = 100;
/// The first step moves each input by this fraction of its box width; the
/// step shrinks geometrically to [`PGD_LAST_STEP`] over the descent, so it
/// first crosses the box and then settles into a corner of the violation.
pub const PGD_FIRST_STEP: f64 = 0.1;
/// The last step's fraction of each input's width.
pub const PGD_LAST_STEP: f64 = 1e-5;

/// How hard the attack tries. All zero switches it off.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttackSettings {
    pub seed: u64,
    pub samples: usize,
    pub pgd_starts: usize,
    pub pgd_steps: usize,
}

impl Default for AttackSettings {
    fn default() -> Self {
        AttackSettings {
            seed: 0,
            samples: DEFAULT_SAMPLES,
            pgd_starts: DEFAULT_PGD_STARTS,
            pgd_steps: DEFAULT_PGD_STEPS,
        }
    }
}

impl AttackSettings {
    /// No attack at all.
    pub fn off() -> Self {
        AttackSettings {
            seed: 0,
            samples: 0,
            pgd_starts: 0,
            pgd_steps: 0,
        }
    }

    pub fn is_off(&self) -> bool {
        self.samples == 0 && (self.pgd_starts == 0 || self.pgd_steps == 0)
    }
}

/// What an attack did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttackReport {
    pub seed: u64,
    /// Random points tried.
    pub samples: usize,
    /// Gradient steps taken (over all descents).
    pub pgd_steps: usize,
    /// LPs solved by the refinement on linear pieces
    /// ([`crate::attack_refine`]), over all its walks.
    pub lp_refinements: usize,
    /// ReLUs flipped by those walks (pieces entered after each walk's first).
    pub relu_flips: usize,
    /// A point passed the replay.
    pub found: bool,
    /// The smallest violation reached (≤ 0 is what the question needs; a
    /// point there may still fail a strict row in its replay).
    pub best_violation: Option<f64>,
    pub seconds: f64,
}

/// An input and its outputs (the f64 forward pass).
pub type Point = (Vec<f64>, Vec<f64>);

/// One linear piece `Σ a·x + Σ b·y − rhs` of a violation.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    pub inputs: Vec<(usize, f64)>,
    pub outputs: Vec<(usize, f64)>,
    pub rhs: f64,
}

/// A disjunct's rows as attack pieces (each must hold: combine them with
/// [`Combine::All`]).
pub fn pieces_of(d: &mipnet_vnnlib::Disjunct) -> Vec<Piece> {
    d.constraints
        .iter()
        .map(|c| Piece {
            inputs: c.inputs.clone(),
            outputs: c.outputs.clone(),
            rhs: c.rhs,
        })
        .collect()
}

impl Piece {
    fn value(&self, x: &[f64], y: &[f64]) -> f64 {
        self.inputs.iter().map(|&(i, a)| a * x[i]).sum::<f64>()
            + self.outputs.iter().map(|&(j, b)| b * y[j]).sum::<f64>()
            - self.rhs
    }
}

/// How pieces combine into the violation to drive below 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Every piece must be ≤ 0 (a conjunction): the violation is the largest.
    All,
    /// One piece < 0 is enough (a disjunction): the violation is the smallest.
    Any,
}

/// A question for the attack: the violation, and the replay rule a point
/// must pass (on its f64 forward pass) to count.
pub struct Goal<'a> {
    pub pieces: Vec<Piece>,
    pub combine: Combine,
    pub accept: &'a dyn Fn(&[f64], &[f64]) -> bool,
}

impl Goal<'_> {
    /// The violation at `(x, y)` and which piece decides it.
    fn violation(&self, x: &[f64], y: &[f64]) -> (f64, usize) {
        let mut best = (f64::NAN, 0);
        for (k, p) in self.pieces.iter().enumerate() {
            let v = p.value(x, y);
            let better = match self.combine {
                Combine::All => v > best.0 || best.0.is_nan(),
                Combine::Any => v < best.0 || best.0.is_nan(),
            };
            if k == 0 || better {
                best = (v, k);
            }
        }
        best
    }
}

/// The gradient with respect to the input of `Σ gy·y` at `x` (a
/// subgradient at ReLU kinks and max-pool ties).
pub fn input_gradient(net: &ReluNet, x: &[f64], gy: &[f64]) -> Vec<f64> {
    let trace = net.trace(x);
    let mut g = gy.to_vec();
    for k in (0..net.ops.len()).rev() {
        let before: &[f64] = if k == 0 { x } else { &trace[k - 1] };
        g = match &net.ops[k] {
            Op::Normalize { div, .. } => g.iter().zip(div).map(|(v, d)| v / d).collect(),
            Op::Affine(a) => {
                let mut gi = vec![0.0; a.inputs];
                for (i, row) in a.rows.iter().enumerate() {
                    if g[i] != 0.0 {
                        for &(j, w) in row {
                            gi[j] += g[i] * w;
                        }
                    }
                }
                gi
            }
            Op::Relu => g
                .iter()
                .zip(before)
                .map(|(v, a)| if *a > 0.0 { *v } else { 0.0 })
                .collect(),
            Op::MaxPool { inputs, windows } => {
                let mut gi = vec![0.0; *inputs];
                for (i, w) in windows.iter().enumerate() {
                    let top = w.iter().copied().max_by(|&p, &q| before[p].total_cmp(&before[q]));
                    if let Some(j) = top {
                        gi[j] += g[i];
                    }
                }
                gi
            }
        };
    }
    g
}

/// Searches the box `[lower, upper]` for a point that `goal.accept`s; stops
/// at the first, at `deadline`, or when `interrupt` is raised.
pub fn attack(
    net: &ReluNet,
    lower: &[f64],
    upper: &[f64],
    goal: &Goal,
    settings: &AttackSettings,
    deadline: Instant,
    interrupt: Option<&InterruptFlag>,
) -> (Option<Point>, AttackReport) {
    let clock = Instant::now();
    let mut report = AttackReport {
        seed: settings.seed,
        samples: 0,
        pgd_steps: 0,
        lp_refinements: 0,
        relu_flips: 0,
        found: false,
        best_violation: None,
        seconds: 0.0,
    };
    let stop = || Instant::now() >= deadline || interrupt.is_some_and(|f| f.is_raised());
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let n = lower.len();
    let random_point = |rng: &mut ChaCha8Rng| -> Vec<f64> {
        (0..n)
            .map(|i| {
                if upper[i] > lower[i] {
                    rng.gen_range(lower[i]..=upper[i])
                } else {
                    lower[i]
                }
            })
            .collect()
    };
    let centre: Vec<f64> = (0..n).map(|i| lower[i] + 0.5 * (upper[i] - lower[i])).collect();
    let try_point = |x: Vec<f64>, report: &mut AttackReport| -> (Option<Point>, f64, usize) {
        let y = net.forward(&x);
        let (v, k) = goal.violation(&x, &y);
        if v.is_finite() && !report.best_violation.is_some_and(|b| b <= v) {
            report.best_violation = Some(v);
        }
        if (goal.accept)(&x, &y) {
            return (Some((x, y)), v, k);
        }
        (None, v, k)
    };
    let finish = |found: Option<Point>, mut report: AttackReport| {
        report.found = found.is_some();
        report.seconds = clock.elapsed().as_secs_f64();
        (found, report)
    };
    // Random points; the best few (and the centre) seed the descents.
    let mut starts: Vec<(f64, Vec<f64>)> = Vec::new();
    for s in 0..=settings.samples {
        if stop() {
            return finish(None, report);
        }
        let x = if s == 0 {
            centre.clone()
        } else {
            report.samples += 1;
            random_point(&mut rng)
        };
        let (hit, v, _) = try_point(x.clone(), &mut report);
        if hit.is_some() {
            return finish(hit, report);
        }
        if v.is_finite() {
            starts.push((v, x));
        }
    }
    if settings.pgd_steps == 0 || settings.pgd_starts == 0 {
        return finish(None, report);
    }
    // The centre first, then the best samples.
    let mut best: Vec<(f64, Vec<f64>)> = starts.split_off(1.min(starts.len()));
    best.sort_by(|a, b| a.0.total_cmp(&b.0));
    best.truncate(settings.pgd_starts.saturating_sub(starts.len()));
    starts.extend(best);
    let ratio = (PGD_LAST_STEP / PGD_FIRST_STEP).powf(1.0 / (settings.pgd_steps.max(2) - 1) as f64);
    // Each descent's best point, for the refinement.
    let mut descended: Vec<(f64, Vec<f64>)> = Vec::new();
    for (v0, mut x) in starts {
        let mut best_here = (v0, x.clone());
        let mut step = PGD_FIRST_STEP;
        for _ in 0..settings.pgd_steps {
            if stop() {
                return finish(None, report);
            }
            let y = net.forward(&x);
            // Descend on every piece still violated at once (the sum of
            // their positive parts) for a conjunction, so that two rows
            // tied at the top do not take turns; on the deciding piece
            // alone for a disjunction, or when none is violated.
            let (_, k) = goal.violation(&x, &y);
            let mut active: Vec<&Piece> = Vec::new();
            if goal.combine == Combine::All {
                active = goal.pieces.iter().filter(|p| p.value(&x, &y) >= 0.0).collect();
            }
            if active.is_empty() {
                active.push(&goal.pieces[k]);
            }
            let mut gy = vec![0.0; y.len()];
            for piece in &active {
                for &(j, b) in &piece.outputs {
                    gy[j] += b;
                }
            }
            let mut g = input_gradient(net, &x, &gy);
            for piece in &active {
                for &(i, a) in &piece.inputs {
                    g[i] += a;
                }
            }
            for i in 0..n {
                let width = upper[i] - lower[i];
                if g[i] != 0.0 {
                    x[i] = (x[i] - step * width * g[i].signum()).clamp(lower[i], upper[i]);
                }
            }
            report.pgd_steps += 1;
            let (hit, v, _) = try_point(x.clone(), &mut report);
            if hit.is_some() {
                return finish(hit, report);
            }
            if v < best_here.0 {
                best_here = (v, x.clone());
            }
            step *= ratio;
        }
        descended.push(best_here);
    }
    // The best descents, refined exactly on their linear pieces.
    if !refinable(net) {
        return finish(None, report);
    }
    descended.retain(|(v, _)| v.is_finite());
    descended.sort_by(|a, b| a.0.total_cmp(&b.0));
    descended.dedup_by(|a, b| a.1 == b.1);
    let mut visited = Visited::default();
    for (_, x) in descended.into_iter().take(REFINE_STARTS) {
        if stop() {
            return finish(None, report);
        }
        let mut replay = |x: Vec<f64>| try_point(x, &mut report).0;
        let (hit, walk) = refine(
            net,
            (lower, upper),
            goal,
            &x,
            REFINE_LPS_PER_START,
            &mut visited,
            &stop,
            &mut replay,
        );
        report.lp_refinements += walk.lps;
        report.relu_flips += walk.flips;
        if hit.is_some() {
            return finish(hit, report);
        }
    }
    // Walks from fresh random points: the pieces' optima lead where no
    // gradient step goes (ACAS Xu 1_5 property 2: a witness in a well about
    // 1e-3 of X_1's width beside a ridge).
    for _ in 0..RANDOM_WALKS {
        if stop() {
            return finish(None, report);
        }
        let x = random_point(&mut rng);
        let mut replay = |x: Vec<f64>| try_point(x, &mut report).0;
        let (hit, walk) = refine(
            net,
            (lower, upper),
            goal,
            &x,
            RANDOM_WALK_LPS,
            &mut visited,
            &stop,
            &mut replay,
        );
        report.lp_refinements += walk.lps;
        report.relu_flips += walk.flips;
        if hit.is_some() {
            return finish(hit, report);
        }
    }
    finish(None, report)
}
