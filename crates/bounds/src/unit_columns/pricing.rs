//! The pricing problem for one grid pattern z: the smallest reduced cost
//! of a unit (w, b, z) over the block |w_i| ≤ ω, |b| ≤ ω,
//!
//! ρ(z) = cost(z) + min_{w,b} α‖w‖₁ + Σ_n e_n·relu(w·x_n + b),
//!
//! with e_n = s·Σ_k z_k·λ_nk. A heuristic (coordinate descent with exact
//! line searches) finds columns; the exact MILP gives the certified lower
//! bound on the minimum.
//!
//! The MILP maximizes the negated inner part, Σ_n d_n·y_n − α·Σ_i (p_i + q_i)
//! with d_n = −e_n, w = p − q, p, q ∈ [0, ω], b ∈ [−ω, ω], a_n = w·x_n + b
//! and, per sample with d_n ≠ 0, y_n ∈ [0, M_n] where M_n = ω(‖x_n‖₁ + 1)
//! bounds |a_n| over the whole box (widened outward for rounding): a sample
//! with d_n > 0 gets y_n ≤ a_n + M_n(1 − σ_n), y_n ≤ M_n·σ_n (σ binary), one
//! with d_n < 0 gets y_n ≥ a_n. Every (w, b) of the box gives a feasible
//! point (p = w⁺, q = w⁻, y_n = relu(a_n), σ_n = [a_n > 0]) with objective
//! exactly −(the inner part), so the MILP's maximum, and its dual bound
//! above it, is at least the largest −(inner part): cost(z) minus the dual
//! bound is a lower bound on ρ(z). (A feasible point with p and q both
//! positive only pays more ℓ1, and y_n never exceeds relu(a_n) where it is
//! rewarded nor falls below it where it is charged, so the MILP's maximum
//! is exactly the pricing maximum.)
//!
//! Branch-and-price ([`super::branch`]) may fix a unit's side on some
//! samples ([`Side`]): an active sample gets a_n ≥ 0 and y_n = a_n (no
//! binary), an inactive one a_n ≤ 0 and no y_n (its relu is 0). The same
//! argument holds over the restricted box: every (w, b) of it is a feasible
//! point with the exact objective, so the dual bound still bounds the
//! restricted minimum. w = 0, b = 0 meets every side, so the MILP stays
//! feasible.

use super::column::{hidden, Side};
use crate::lipschitz_margin::OUTWARD_ROUNDING;
use crate::path_norm::pricing::{PRICING_ABSOLUTE_GAP, PRICING_RELATIVE_GAP, PRICING_TOLERANCE};
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_solver::{
    Control, FeasibilityTolerances, InterruptFlag, MipStart, NoObserver, Progress, SolveOptions, SolveRequest, Solver,
    Status,
};

/// Sweeps over all coordinates of the descent, at most.
const DESCENT_SWEEPS: usize = 8;

/// A coordinate move is taken only if it lowers the value by this much
/// relative to the value's scale, so the descent ends.
const DESCENT_PROGRESS: f64 = 1e-12;

/// Relative rounding of each MILP coefficient d_n (Σ_k z_k·λ_nk is rounded
/// to f64 once, then multiplied by s once): 2 × 2⁻⁵³, doubled.
const COEFFICIENT_ROUNDING: f64 = 2.0 * f64::EPSILON;

/// The feasibility tolerances of the pricing solves (HiGHS's defaults,
/// pinned), so a user's looser `--option` cannot undercut
/// [`PRICING_TOLERANCE`].
const PINNED_TOLERANCES: FeasibilityTolerances = FeasibilityTolerances {
    primal: Some(1e-7),
    dual: Some(1e-7),
    integrality: Some(1e-6),
};

/// One pattern's pricing problem.
pub struct PatternPricing<'r> {
    rows: &'r [&'r [f64]],
    /// e_n per sample.
    e: Vec<f64>,
    alpha: f64,
    omega: f64,
    /// The unit's fixed side per sample (empty: every side free).
    sides: &'r [Side],
}

/// A certified result of the exact pricing MILP.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactPricing {
    /// A lower bound on min_{w,b} α‖w‖₁ + Σ e_n relu(w·x_n + b) (≤ 0).
    pub lower: f64,
    /// The MILP's best unit (w, b), if it found one.
    pub best: Option<(Vec<f64>, f64)>,
    /// Whether the MILP ran to its end: optimal within its gap
    /// tolerances, or stopped once its bound showed the caller needs no
    /// more (not by the clock, an interrupt, or for a column).
    pub finished: bool,
}

impl<'r> PatternPricing<'r> {
    /// `e`: s·Σ_k z_k·λ_nk per sample; `alpha`: α; `omega`: ω.
    pub fn new(rows: &'r [&'r [f64]], e: Vec<f64>, alpha: f64, omega: f64) -> Self {
        PatternPricing {
            rows,
            e,
            alpha,
            omega,
            sides: &[],
        }
    }

    /// The same problem over the units with the given side on each sample
    /// (one entry per sample).
    pub fn with_sides(mut self, sides: &'r [Side]) -> Self {
        assert!(
            sides.is_empty() || sides.len() == self.rows.len(),
            "one side per sample"
        );
        self.sides = sides;
        self
    }

    fn side(&self, n: usize) -> Side {
        self.sides.get(n).copied().unwrap_or(Side::Free)
    }

    /// α‖w‖₁ + Σ e_n relu(w·x_n + b): the reduced cost without the pattern's.
    pub fn value(&self, w: &[f64], b: f64) -> f64 {
        let h = hidden(w, b, self.rows);
        self.alpha * w.iter().map(|v| v.abs()).sum::<f64>() + h.iter().zip(&self.e).map(|(h, e)| h * e).sum::<f64>()
    }

    /// Coordinate descent from (w, b), clamped into the box: each move sets
    /// one coordinate to its best value with the others fixed (the value is
    /// piecewise linear in it, so a breakpoint or an end of [−ω, ω] is
    /// best). Returns the value and the unit.
    pub fn descend(&self, w: &[f64], b: f64) -> (f64, Vec<f64>, f64) {
        let d = w.len();
        let mut w: Vec<f64> = w.iter().map(|v| v.clamp(-self.omega, self.omega)).collect();
        let mut b = b.clamp(-self.omega, self.omega);
        let mut a: Vec<f64> = self
            .rows
            .iter()
            .map(|x| w.iter().zip(*x).map(|(p, q)| p * q).sum::<f64>() + b)
            .collect();
        let mut value = self.value(&w, b);
        for _ in 0..DESCENT_SWEEPS {
            let before = value;
            for i in 0..=d {
                let current = if i < d { w[i] } else { b };
                let column = |n: usize| if i < d { self.rows[n][i] } else { 1.0 };
                let best = self.line_search(i < d, current, &a, &column);
                if best == current {
                    continue;
                }
                let mut trial_w = w.clone();
                let mut trial_b = b;
                if i < d {
                    trial_w[i] = best;
                } else {
                    trial_b = best;
                }
                let v = self.value(&trial_w, trial_b);
                if v < value - DESCENT_PROGRESS * (1.0 + value.abs()) {
                    for (n, an) in a.iter_mut().enumerate() {
                        *an += column(n) * (best - current);
                    }
                    w = trial_w;
                    b = trial_b;
                    value = v;
                }
            }
            if value >= before - DESCENT_PROGRESS * (1.0 + value.abs()) {
                break;
            }
        }
        (value, w, b)
    }

    /// The best value of one coordinate (a weight when `penalized`, else
    /// the bias) with the others fixed: the activations are a_n + x_n·(t −
    /// current), the value piecewise linear in t with breaks where an
    /// activation crosses 0 (and at 0 for the ℓ1 term).
    fn line_search(&self, penalized: bool, current: f64, a: &[f64], column: &dyn Fn(usize) -> f64) -> f64 {
        let omega = self.omega;
        let lo = -omega;
        // Value at t = −ω, slope just right of it, and the slope changes.
        let mut value = if penalized { self.alpha * omega } else { 0.0 };
        let mut slope = if penalized { -self.alpha } else { 0.0 };
        let mut events: Vec<(f64, f64)> = Vec::new();
        if penalized {
            events.push((0.0, 2.0 * self.alpha));
        }
        for (n, &e) in self.e.iter().enumerate() {
            let x = column(n);
            let base = a[n] - x * current;
            value += e * (base + x * lo).max(0.0);
            if e == 0.0 || x == 0.0 {
                continue;
            }
            let t = -base / x;
            let active_right_of_lo = if x > 0.0 { t <= lo } else { t > lo };
            if active_right_of_lo {
                slope += e * x;
            }
            if t > lo && t < omega {
                events.push((t, e * x.abs()));
            }
        }
        events.sort_by(|p, q| p.0.total_cmp(&q.0));
        let (mut best_t, mut best_v) = (lo, value);
        let mut at = lo;
        for (t, change) in events {
            value += slope * (t - at);
            at = t;
            if value < best_v {
                best_v = value;
                best_t = t;
            }
            slope += change;
        }
        value += slope * (omega - at);
        if value < best_v {
            best_t = omega;
        }
        best_t
    }

    /// A lower bound on the inner minimum that needs no solver: α‖w‖₁ ≥ 0
    /// and 0 ≤ relu(a_n) ≤ M_n, so the minimum is at least Σ over the
    /// samples with e_n < 0 of e_n·M_n (lowered for the rounding of e_n).
    pub fn trivial_lower(&self) -> f64 {
        let bigs = self.big_m();
        let sum: f64 = self
            .e
            .iter()
            .zip(&bigs)
            .filter(|(e, _)| **e < 0.0)
            .map(|(e, m)| e * m)
            .sum();
        let terms = self.e.len() as f64 + 2.0;
        sum * (1.0 + COEFFICIENT_ROUNDING + terms * f64::EPSILON)
    }

    /// Bounds on |w·x_n + b| over the box, widened outward for rounding.
    fn big_m(&self) -> Vec<f64> {
        self.rows
            .iter()
            .map(|x| self.omega * (x.iter().map(|v| v.abs()).sum::<f64>() + 1.0) * (1.0 + OUTWARD_ROUNDING))
            .collect()
    }

    /// The exact pricing MILP (module docs), its objective scaled by a power
    /// of two: a certified lower bound on the inner minimum, and the MILP's
    /// best unit. `start`: a unit to start from. The solve ends early once
    /// it finds a unit whose inner value is below `stop_below`, or once its
    /// bound proves the inner minimum is above `enough` (the caller needs no
    /// more); either way the bound it has then is still certified. `None`
    /// when the solve ended without a dual bound.
    #[allow(clippy::too_many_arguments)]
    pub fn exact(
        &self,
        solver: &dyn Solver,
        options: &SolveOptions,
        start: Option<(&[f64], f64)>,
        interrupt: Option<&InterruptFlag>,
        stop_below: Option<f64>,
        enough: &dyn Fn() -> Option<f64>,
    ) -> Result<Option<ExactPricing>, String> {
        let d = self.rows.first().map_or(0, |r| r.len());
        let bigs = self.big_m();
        let largest = self.e.iter().fold(self.alpha, |a, c| a.max(c.abs()));
        if largest == 0.0 {
            return Ok(Some(ExactPricing {
                lower: 0.0,
                best: None,
                finished: true,
            }));
        }
        if !largest.is_finite() {
            return Err("a pricing coefficient is not finite".into());
        }
        // A power of two that brings the largest coefficient into [1, 2).
        let scale = 2f64.powi(-(largest.log2().floor() as i32));
        let mut m = Model::new(Sense::Maximize);
        let p: Vec<Col> = (0..d)
            .map(|_| m.add_col(0.0, self.omega, -self.alpha * scale, VarType::Continuous))
            .collect();
        let q: Vec<Col> = (0..d)
            .map(|_| m.add_col(0.0, self.omega, -self.alpha * scale, VarType::Continuous))
            .collect();
        let bias = m.add_col(-self.omega, self.omega, 0.0, VarType::Continuous);
        let mut values: Option<Vec<f64>> = start.map(|(w, b)| {
            let mut v: Vec<f64> = w.iter().map(|x| x.clamp(0.0, self.omega)).collect();
            v.extend(w.iter().map(|x| (-x).clamp(0.0, self.omega)));
            v.push(b.clamp(-self.omega, self.omega));
            v
        });
        let mut coefficient_error = 0.0;
        for (n, ((x, &e), &big)) in self.rows.iter().zip(&self.e).zip(&bigs).enumerate() {
            let side = self.side(n);
            if e == 0.0 && side == Side::Free {
                continue;
            }
            let dn = -e;
            coefficient_error += COEFFICIENT_ROUNDING * dn.abs() * big;
            let mut a: Vec<(Col, f64)> = Vec::with_capacity(2 * d + 1);
            for i in 0..d {
                if x[i] != 0.0 {
                    a.push((p[i], x[i]));
                    a.push((q[i], -x[i]));
                }
            }
            a.push((bias, 1.0));
            let activation = start.map(|(w, b)| {
                w.iter()
                    .zip(*x)
                    .map(|(u, v)| u.clamp(-self.omega, self.omega) * v)
                    .sum::<f64>()
                    + b.clamp(-self.omega, self.omega)
            });
            if side == Side::Inactive || (side == Side::Active && e == 0.0) {
                // Only the side's row: a_n ≤ 0 (its relu is 0) or a_n ≥ 0.
                let (lower, upper) = match side {
                    Side::Inactive => (f64::NEG_INFINITY, 0.0),
                    _ => (0.0, f64::INFINITY),
                };
                m.add_row(lower, upper, a);
                continue;
            }
            let y = m.add_col(0.0, big, dn * scale, VarType::Continuous);
            if let (Some(v), Some(act)) = (values.as_mut(), activation) {
                v.push(act.clamp(0.0, big));
            }
            let mut row: Vec<(Col, f64)> = a.iter().map(|&(col, v)| (col, -v)).collect();
            row.push((y, 1.0));
            if side == Side::Active {
                // y − a = 0 (and y ≥ 0 makes a ≥ 0)
                m.add_row(0.0, 0.0, row);
            } else if dn > 0.0 {
                let sigma = m.add_binary(0.0);
                if let (Some(v), Some(act)) = (values.as_mut(), activation) {
                    v.push(if act > 0.0 { 1.0 } else { 0.0 });
                }
                // y − a + M σ ≤ M, y − M σ ≤ 0
                row.push((sigma, big));
                m.add_row(f64::NEG_INFINITY, big, row);
                m.add_row(f64::NEG_INFINITY, 0.0, [(y, 1.0), (sigma, -big)]);
            } else {
                // y − a ≥ 0
                m.add_row(0.0, f64::INFINITY, row);
            }
        }
        let start = values.map(MipStart::Full);
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
        // Σ over the columns of their largest |value| and over the rows of
        // their slack ranges: what a tolerance can move the scaled bound by.
        let magnitude: f64 = 2.0 * d as f64 * self.omega
            + 2.0 * self.omega
            + self
                .e
                .iter()
                .zip(&bigs)
                .enumerate()
                .filter(|(n, (e, _))| **e != 0.0 || self.side(*n) != Side::Free)
                .map(|(_, (_, m))| 3.0 * m + self.omega + 2.0)
                .sum::<f64>();
        // What the certified bound adds to a scaled dual bound.
        let extra = |scaled: f64| {
            (PRICING_RELATIVE_GAP * scaled.abs() + PRICING_ABSOLUTE_GAP + PRICING_TOLERANCE * magnitude) / scale
                + coefficient_error
        };
        let request = || {
            let mut request = SolveRequest::new(&m, &opts);
            if let Some(start) = &start {
                request = request.start(start);
            }
            if let Some(flag) = interrupt {
                request = request.interrupt(flag);
            }
            request
        };
        let mut stopped_early = false;
        let mut proved_enough = false;
        let mut observe = |pr: &Progress| {
            if let (Some(limit), Some(v)) = (stop_below, pr.primal_bound) {
                if -v / scale < limit {
                    stopped_early = true;
                    return Control::Interrupt;
                }
            }
            if let (Some(limit), Some(v)) = (enough(), pr.dual_bound) {
                if -(v.max(0.0) / scale + extra(v)) >= limit {
                    stopped_early = true;
                    proved_enough = true;
                    return Control::Interrupt;
                }
            }
            Control::Continue
        };
        let mut result = solver.solve(request(), &mut observe).map_err(|e| e.to_string())?;
        // The MILP is always feasible (w = 0 with b = 0 meets every side):
        // any other status is a numerical failure, and its bound is not
        // trusted.
        let trusted = |r: &mipnet_solver::SolveResult| {
            matches!(
                r.status,
                Status::Optimal
                    | Status::TimeLimit
                    | Status::Interrupted
                    | Status::IterationLimit
                    | Status::SolutionLimit
            ) && r.dual_bound.is_some_and(f64::is_finite)
        };
        let found = result.solution.clone();
        let mut finished = result.status == Status::Optimal || proved_enough;
        if !trusted(&result) && stopped_early && !interrupt.is_some_and(|f| f.is_raised()) {
            // Stopped by the observer before the root bound: solve again
            // without early ends, keeping the unit found.
            result = solver.solve(request(), &mut NoObserver).map_err(|e| e.to_string())?;
            finished = result.status == Status::Optimal;
            if result.solution.is_none() {
                result.solution = found;
            }
        }
        if !trusted(&result) {
            return Ok(None);
        }
        let bound = result.dual_bound.expect("a trusted result has a dual bound");
        let upper = bound.max(0.0) / scale + extra(bound);
        let best = result.solution.map(|x| {
            let w: Vec<f64> = (0..d).map(|i| x[p[i].index()] - x[q[i].index()]).collect();
            (w, x[bias.index()])
        });
        Ok(Some(ExactPricing {
            lower: -upper,
            best,
            finished,
        }))
    }
}
