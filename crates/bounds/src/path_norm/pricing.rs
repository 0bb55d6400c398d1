//! The pricing problem of the path-norm relaxation: for one class's λ and a
//! sign s, the largest s·Σ_n λ_n·relu(w·x_n + b) over ‖w‖₁ ≤ 1 and
//! |b| ≤ R. A heuristic (best bias per direction, then ascent over w) finds
//! columns; the exact MILP gives the certified upper bound.
//!
//! Why |b| ≤ R = max_n ‖x_n‖_∞ loses nothing when Σ_n λ_n = 0 exactly:
//! |w·x_n| ≤ ‖w‖₁·‖x_n‖_∞ ≤ R, so for b ≥ R every sample is active and the
//! value is Σ λ_n (w·x_n) + b·Σ λ_n, the same as at b = R; for b ≤ −R every
//! sample is inactive, value 0 as at b = −R.
//!
//! Tighter: the value is piecewise linear in b with kinks only at
//! b = −w·x_m for the samples m with c_m ≠ 0 (the support), and constant
//! beyond them, so some maximum has b = −w·x_m for a support sample m. Then
//! a_n = w·(x_n − x_m), so |a_n| ≤ M_n = max over the support of
//! ‖x_n − x_m‖_∞, and |b| ≤ R = max over the support of ‖x_m‖_∞.
//!
//! The MILP: w = p − q with p, q ∈ [0, 1], Σ(p + q) ≤ 1, b ∈ [−R, R]; per
//! sample a_n = w·x_n + b; a sample
//! whose coefficient c_n = s·λ_n is positive gets z_n ≤ a_n + M_n(1 − σ_n),
//! z_n ≤ M_n·σ_n (σ binary; the largest z_n is relu(a_n)); a negative one
//! gets z_n ≥ a_n, z_n ≥ 0 (the smallest z_n is relu(a_n)); all z_n in
//! [0, M_n]. Every feasible point has z_n ≤ relu(a_n) for positive c_n and
//! z_n ≥ relu(a_n) for negative ones (a point where |a_n| exceeds M_n may
//! be cut off, never overcounted), so the MILP's maximum is at most the
//! pricing maximum; a maximizer with b at a kink is feasible, so it is at
//! least that. Its dual bound is above both.

use super::dyadic::DYADIC_EXPONENT;
use crate::lipschitz_margin::OUTWARD_ROUNDING;
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_solver::{
    Control, FeasibilityTolerances, InterruptFlag, MipStart, NoObserver, Progress, SolveOptions, SolveRequest, Solver,
    Status,
};

/// A hidden unit of norm ‖w‖₁ ≤ 1 (a column of the master).
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    pub w: Vec<f64>,
    pub b: f64,
}

impl Atom {
    /// relu(w·x_n + b) for every sample row.
    pub fn outputs(&self, rows: &[&[f64]]) -> Vec<f64> {
        rows.iter().map(|x| (dot(&self.w, x) + self.b).max(0.0)).collect()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One pricing problem: the samples with c_n = s·λ_n ≠ 0, and R.
pub struct Pricing<'r> {
    rows: Vec<&'r [f64]>,
    coef: Vec<f64>,
    radius: f64,
}

/// Relative step sizes of the ascent over w (moves toward a vertex ±e_i of
/// the ℓ1 ball): large ones jump between patterns, small ones refine.
const ASCENT_STEPS: [f64; 6] = [1.0, 0.5, 0.25, 0.1, 0.03, 0.01];

/// Ascent moves per start before giving up on improving it.
const ASCENT_MOVES: usize = 40;

impl<'r> Pricing<'r> {
    /// `rows`: every sample's inputs; `coef`: s·λ_n per sample; `radius`: R.
    pub fn new(rows: &[&'r [f64]], coef: &[f64], radius: f64) -> Self {
        let (rows, coef) = rows
            .iter()
            .zip(coef)
            .filter(|(_, &c)| c != 0.0)
            .map(|(r, &c)| (*r, c))
            .unzip();
        Pricing { rows, coef, radius }
    }

    /// Whether no sample carries weight (the maximum is then 0).
    pub fn is_trivial(&self) -> bool {
        self.coef.is_empty()
    }

    /// The best bias for direction `w` and its value: the function of b is
    /// piecewise linear with breaks at b = −w·x_n, so one of them or ±R is
    /// a maximum.
    pub fn best_bias(&self, w: &[f64]) -> (f64, f64) {
        let mut p: Vec<(f64, f64)> = self.rows.iter().zip(&self.coef).map(|(x, &c)| (dot(w, x), c)).collect();
        p.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (mut s1, mut s0) = (0.0, 0.0);
        let mut best = (0.0, -self.radius);
        for &(proj, c) in &p {
            s1 += c * proj;
            s0 += c;
            let value = s1 - proj * s0;
            if value > best.0 {
                best = (value, -proj);
            }
        }
        let all = s1 + self.radius * s0;
        if all > best.0 {
            best = (all, self.radius);
        }
        best
    }

    /// The value s·Σ λ_n relu(w·x_n + b).
    pub fn value(&self, atom: &Atom) -> f64 {
        self.rows
            .iter()
            .zip(&self.coef)
            .map(|(x, &c)| c * (dot(&atom.w, x) + atom.b).max(0.0))
            .sum()
    }

    /// Ascent from `start`: move w toward the vertex ±e_i of the ℓ1 ball
    /// along which the active samples' gradient is steepest, keep the best
    /// bias for each trial, accept improvements.
    pub fn ascend(&self, start: &[f64]) -> (f64, Atom) {
        let d = start.len();
        let mut w = start.to_vec();
        let (mut value, mut b) = self.best_bias(&w);
        for _ in 0..ASCENT_MOVES {
            let mut g = vec![0.0; d];
            for (x, &c) in self.rows.iter().zip(&self.coef) {
                if dot(&w, x) + b >= 0.0 {
                    for i in 0..d {
                        g[i] += c * x[i];
                    }
                }
            }
            let mut order: Vec<usize> = (0..d).collect();
            order.sort_by(|&i, &j| g[j].abs().total_cmp(&g[i].abs()));
            let mut best: Option<(f64, f64, Vec<f64>)> = None;
            for &i in order.iter().take(2) {
                if g[i] == 0.0 {
                    continue;
                }
                for eta in ASCENT_STEPS {
                    let mut trial: Vec<f64> = w.iter().map(|v| v * (1.0 - eta)).collect();
                    trial[i] += eta * g[i].signum();
                    let (v, tb) = self.best_bias(&trial);
                    if v > best.as_ref().map_or(value, |x| x.0) {
                        best = Some((v, tb, trial));
                    }
                }
            }
            match best {
                Some((v, tb, trial)) if v > value * (1.0 + 1e-12) => {
                    value = v;
                    b = tb;
                    w = trial;
                }
                _ => break,
            }
        }
        (value, Atom { w, b })
    }

    /// R and M_n over the support (module docs), widened outward for rounding.
    fn big_m(&self) -> (f64, Vec<f64>) {
        let norm = |x: &[f64]| x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let radius = self.rows.iter().map(|x| norm(x)).fold(0.0f64, f64::max) * (1.0 + OUTWARD_ROUNDING);
        let big = self
            .rows
            .iter()
            .map(|x| {
                let spread = self
                    .rows
                    .iter()
                    .map(|m| x.iter().zip(*m).fold(0.0f64, |a, (u, v)| a.max((u - v).abs())))
                    .fold(0.0f64, f64::max);
                spread * (1.0 + OUTWARD_ROUNDING)
            })
            .collect();
        (radius, big)
    }

    /// The exact pricing MILP (module docs), its objective scaled by
    /// `scale` (a power of two, so the coefficients stay exact), and a start
    /// from `unit` when given: the model, its columns p, q, b, and the start.
    fn milp(&self, scale: f64, unit: Option<&Atom>) -> (Model, Vec<Col>, Col, Option<Vec<f64>>) {
        let d = self.rows.first().map_or(0, |r| r.len());
        let (r, bigs) = self.big_m();
        let mut m = Model::new(Sense::Maximize);
        let p: Vec<Col> = (0..d).map(|_| m.add_col(0.0, 1.0, 0.0, VarType::Continuous)).collect();
        let q: Vec<Col> = (0..d).map(|_| m.add_col(0.0, 1.0, 0.0, VarType::Continuous)).collect();
        let b = m.add_col(-r, r, 0.0, VarType::Continuous);
        m.add_row(f64::NEG_INFINITY, 1.0, p.iter().chain(&q).map(|&c| (c, 1.0)));
        let mut start: Option<Vec<f64>> = unit.map(|u| {
            let mut v: Vec<f64> = u.w.iter().map(|w| w.max(0.0)).collect();
            v.extend(u.w.iter().map(|w| (-w).max(0.0)));
            v.push(u.b.clamp(-r, r));
            v
        });
        for ((x, &c), &big) in self.rows.iter().zip(&self.coef).zip(&bigs) {
            let z = m.add_col(0.0, big, c * scale, VarType::Continuous);
            // a_n = Σ_i x_i (p_i − q_i) + b
            let mut a: Vec<(Col, f64)> = Vec::with_capacity(2 * d + 1);
            for i in 0..d {
                if x[i] != 0.0 {
                    a.push((p[i], x[i]));
                    a.push((q[i], -x[i]));
                }
            }
            a.push((b, 1.0));
            let activation = unit.map(|u| dot(&u.w, x) + u.b.clamp(-r, r));
            if let (Some(v), Some(act)) = (start.as_mut(), activation) {
                v.push(act.clamp(0.0, big));
            }
            if c > 0.0 {
                let sigma = m.add_binary(0.0);
                if let (Some(v), Some(act)) = (start.as_mut(), activation) {
                    v.push(if act > 0.0 { 1.0 } else { 0.0 });
                }
                // z − a + M σ ≤ M
                let mut row: Vec<(Col, f64)> = a.iter().map(|&(col, v)| (col, -v)).collect();
                row.push((z, 1.0));
                row.push((sigma, big));
                m.add_row(f64::NEG_INFINITY, big, row);
                m.add_row(f64::NEG_INFINITY, 0.0, [(z, 1.0), (sigma, -big)]);
            } else {
                // z − a ≥ 0
                let mut row: Vec<(Col, f64)> = a.iter().map(|&(col, v)| (col, -v)).collect();
                row.push((z, 1.0));
                m.add_row(0.0, f64::INFINITY, row);
            }
        }
        (m, p.into_iter().chain(q).collect(), b, start)
    }

    /// Solves the exact MILP: a certified upper bound on the maximum (the
    /// MILP's dual bound plus [`PRICING_TOLERANCE`] times the model's
    /// magnitude) and its best unit, if any. `None` when the solve ended
    /// without a dual bound (its unit is then lost: [`Pricing::solve_exact`]
    /// keeps it).
    /// `start`: a unit to start the MILP from (its value helps prune).
    /// `stop_above`: end the solve as soon as a unit worth more than this is
    /// found (its dual bound then is still a valid, looser one): the caller
    /// would rather add that unit to the master than wait for the bound.
    /// The coefficients must be integers times 2^−E ([`DYADIC_EXPONENT`])
    /// summing to exactly 0 (the bias range above relies on it); anything
    /// else is refused.
    pub fn exact(
        &self,
        solver: &dyn Solver,
        options: &SolveOptions,
        start: Option<&Atom>,
        interrupt: Option<&InterruptFlag>,
        stop_above: Option<f64>,
    ) -> Result<Option<(f64, Option<Atom>)>, String> {
        let solved = self.solve_exact(solver, options, start, interrupt, stop_above)?;
        Ok(solved.bound.map(|bound| (bound, solved.unit)))
    }

    /// [`Pricing::exact`], keeping the MILP's best unit whether or not the
    /// solve gave a dual bound (a unit is a column for the master either
    /// way; only the certificate needs the bound), and saying how it ended.
    pub fn solve_exact(
        &self,
        solver: &dyn Solver,
        options: &SolveOptions,
        start: Option<&Atom>,
        interrupt: Option<&InterruptFlag>,
        stop_above: Option<f64>,
    ) -> Result<ExactPricing, String> {
        if self.is_trivial() {
            return Ok(ExactPricing {
                bound: Some(0.0),
                unit: None,
                status: Status::Optimal,
            });
        }
        let grid = 2f64.powi(DYADIC_EXPONENT);
        let mut sum: i128 = 0;
        for &c in &self.coef {
            let m = c * grid;
            if !(m.is_finite() && m.fract() == 0.0 && m.abs() < 2f64.powi(100)) {
                return Err(format!("pricing coefficient {c} is not on the dyadic grid"));
            }
            sum += m as i128;
        }
        if sum != 0 {
            return Err("pricing coefficients do not sum to exactly 0".into());
        }
        let largest = self.coef.iter().fold(0.0f64, |a, c| a.max(c.abs()));
        // A power of two that brings the largest coefficient into [1, 2).
        let scale = 2f64.powi(-(largest.log2().floor() as i32));
        let (model, pq, b, start) = self.milp(scale, start);
        let start = start.map(MipStart::Full);
        // Only the time, threads, seed and log of the caller's options: any
        // other HiGHS option (objective_bound, small_matrix_value, …) could
        // change what the dual bound means.
        let opts = SolveOptions {
            time_limit: options.time_limit,
            threads: options.threads,
            seed: options.seed,
            log: options.log,
            relative_gap: Some(PRICING_RELATIVE_GAP),
            absolute_gap: Some(PRICING_ABSOLUTE_GAP),
            feasibility: PINNED_TOLERANCES,
            ..SolveOptions::default()
        };
        let mut request = SolveRequest::new(&model, &opts);
        if let Some(start) = &start {
            request = request.start(start);
        }
        if let Some(flag) = interrupt {
            request = request.interrupt(flag);
        }
        let result = match stop_above {
            None => solver.solve(request, &mut NoObserver),
            Some(limit) => {
                let scaled = limit * scale;
                let mut stop = |p: &Progress| match p.primal_bound {
                    Some(v) if v > scaled => Control::Interrupt,
                    _ => Control::Continue,
                };
                solver.solve(request, &mut stop)
            }
        }
        .map_err(|e| e.to_string())?;
        let d = pq.len() / 2;
        let unit = result.solution.as_ref().map(|x| Atom {
            w: (0..d).map(|i| x[pq[i].index()] - x[pq[d + i].index()]).collect(),
            b: x[b.index()],
        });
        // The MILP is always feasible (w = 0, b = 0): any other status than
        // these is a numerical failure, and its bound is not trusted.
        let trusted = matches!(
            result.status,
            Status::Optimal | Status::TimeLimit | Status::Interrupted | Status::IterationLimit | Status::SolutionLimit
        );
        let Some(bound) = result.dual_bound.filter(|_| trusted) else {
            return Ok(ExactPricing {
                bound: None,
                unit,
                status: result.status,
            });
        };
        // Σ over the columns of their largest |value|: what a reduced-cost
        // tolerance can move the bound by, in the scaled objective.
        let (radius, bigs) = self.big_m();
        // Columns: p, q (≤ 1 each), b (range 2R), z and σ per sample; rows:
        // each big-M row's slack range (up to 2M + R).
        let magnitude: f64 = 2.0 * d as f64 + 2.0 * radius + bigs.iter().map(|m| 3.0 * m + radius + 2.0).sum::<f64>();
        // Nodes within the gap tolerances may be left unexplored: add them.
        let gap = PRICING_RELATIVE_GAP * bound.abs() + PRICING_ABSOLUTE_GAP;
        let certified = (bound.max(0.0) + gap + PRICING_TOLERANCE * magnitude) / scale;
        Ok(ExactPricing {
            bound: Some(certified),
            unit,
            status: result.status,
        })
    }
}

/// What one exact pricing solve gave.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactPricing {
    /// The certified upper bound on the pricing maximum; `None` when the
    /// solve ended without a (trusted) dual bound.
    pub bound: Option<f64>,
    /// The best unit the MILP found, whatever its bound: its value is
    /// recomputed by [`Pricing::value`] before it is used.
    pub unit: Option<Atom>,
    /// How the solve ended (a time limit, an interrupt or a node limit ends
    /// it early, with a looser but still valid bound).
    pub status: Status,
}

/// What the pricing MILP's dual bound may be below its true maximum, per
/// unit of magnitude (Σ over columns of their largest |value| and over rows
/// of their slack ranges, in the scaled objective whose largest coefficient
/// is in [1, 2)). An estimate, not a proof: HiGHS's node LPs work to
/// `mip_feasibility_tolerance` (1e-6, pinned below) in the primal and a
/// tenth of it in the dual, after scaling the LP internally; this is that
/// tolerance, applied to every column and row range. It is the one factor
/// of the path-norm certificate that trusts the solver.
pub const PRICING_TOLERANCE: f64 = 1e-6;

/// The pricing MILP's relative gap tolerance (HiGHS's default, pinned), and
/// its absolute one: the bound is raised by both, in case nodes within them
/// are left unexplored.
pub const PRICING_RELATIVE_GAP: f64 = 1e-4;
pub const PRICING_ABSOLUTE_GAP: f64 = 1e-6;

/// The feasibility tolerances set for the pricing solves (HiGHS's defaults),
/// so a user's looser `--option` cannot undercut [`PRICING_TOLERANCE`].
const PINNED_TOLERANCES: FeasibilityTolerances = FeasibilityTolerances {
    primal: Some(1e-7),
    dual: Some(1e-7),
    integrality: Some(1e-6),
};
