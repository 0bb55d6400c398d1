//! The certificate of one set of multipliers (module docs of
//! [`super`]): LB = margin·Σ π − ω·Σ_k |r_k| + H·min(0, ρ*), with ρ* the
//! least of cost(z) plus a certified lower bound on each pattern's inner
//! pricing minimum. The exact pricing MILPs run side by side, the patterns
//! most likely to set ρ* first, and a MILP ends early once its bound shows
//! its pattern cannot lower ρ* below what is already certified.

use super::column::{pattern_cost, Unit};
use super::dual::HingeDual;
use super::parallel::{in_parallel, workers};
use super::pricing::PatternPricing;
use super::{UnitColumns, CERTIFICATE_ROUNDING, MIN_SOLVE_SECONDS};
use crate::safe::ROUNDING_MARGIN_FLOOR;
use crate::BoundError;
use mipnet_solver::{SolveOptions, Solver};
use std::sync::Mutex;
use std::time::Instant;

/// A certificate for one set of multipliers.
#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    /// The certified lower bound (lowered by the rounding margin).
    pub value: f64,
    /// margin·Σ π − ω·Σ_k |r_k|.
    pub dual_value: f64,
    /// ρ*: a lower bound on every unit's reduced cost (≤ 0).
    pub least_reduced_cost: f64,
    /// The factor t ∈ (0, 1] the multipliers were scaled by ([`best_scaling`]).
    pub scale: f64,
    /// Patterns whose exact MILP gave no bound (their trivial bound was used).
    pub trivial_patterns: usize,
    /// Whether every pricing MILP ran to its end (see
    /// [`super::pricing::ExactPricing::finished`]).
    pub all_finished: bool,
    /// How much the bound was lowered for rounding.
    pub rounding_margin: f64,
    /// The pricing MILPs' best units of negative reduced cost.
    pub units: Vec<Unit>,
}

/// One pattern's result: a lower bound on its inner pricing minimum (its
/// reduced cost less the pattern's cost), whether it is
/// the trivial one, whether its MILP ran to its end, and its MILP's unit with that unit's reduced cost.
/// One pattern to price: its cost, z, pricing coefficients e_n, and the
/// best hint for it with that hint's reduced cost.
type Problem = (f64, Vec<i32>, Vec<f64>, Option<(f64, Unit)>);

type PatternOutcome = Result<(f64, bool, bool, Option<(f64, Unit)>), String>;

impl UnitColumns<'_> {
    /// Certifies `dual` by the exact pricing MILPs of every pattern, each
    /// started from the best of `hints` for it, with an equal share of the
    /// time left before `deadline`, side by side on `options.threads`
    /// threads (the machine's cores when unset), one thread each. A MILP
    /// ends early once it finds a unit of reduced cost below `restart`
    /// (the caller would rather have that column than this bound).
    pub fn certify(
        &self,
        solver: &(dyn Solver + Sync),
        options: &SolveOptions,
        dual: &HingeDual,
        hints: &[Unit],
        deadline: Instant,
        restart: Option<f64>,
    ) -> Result<Certificate, BoundError> {
        if dual.labels() != self.data.labels() {
            return Err(BoundError::Solver(
                "the multipliers belong to other data (their labels differ)".into(),
            ));
        }
        let fs = self.settings;
        let rows = self.rows();
        // Per distinct pricing problem: the least cost of its patterns, that
        // pattern, the coefficients e_n, and the best hint. Patterns with the
        // same e_n share the inner minimum, so only the cheapest can set ρ*:
        // since Σ_k λ_nk = 0 exactly, z and z + c·(1, …, 1) always do.
        // A pattern with every e_n = 0 prices at cost(z) ≥ 0 (w = 0 is
        // best) and is left out.
        let mut problems: Vec<Problem> = Vec::new();
        for z in &self.patterns {
            let e: Vec<f64> = dual.pattern_coefficients(z).iter().map(|c| fs.grid_step * c).collect();
            if e.iter().all(|&v| v == 0.0) {
                continue;
            }
            let cost = pattern_cost(fs, z);
            match problems.iter_mut().find(|p| p.2 == e) {
                Some(p) if cost < p.0 => {
                    p.0 = cost;
                    p.1 = z.clone();
                }
                Some(_) => {}
                None => problems.push((cost, z.clone(), e, None)),
            }
        }
        for p in &mut problems {
            let pricing = PatternPricing::new(&rows, p.2.clone(), fs.l1, fs.omega);
            let shifted =
                |u: &Unit| u.z.len() == p.1.len() && u.z.iter().zip(&p.1).all(|(a, b)| a - b == u.z[0] - p.1[0]);
            p.3 = hints
                .iter()
                .filter(|u| shifted(u))
                .map(|u| {
                    let unit = Unit {
                        z: p.1.clone(),
                        ..(*u).clone()
                    };
                    (p.0 + pricing.value(&u.w, u.b), unit)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0));
        }
        problems.sort_by(|a, b| {
            let key = |p: &Problem| p.3.as_ref().map_or(p.0, |h| h.0);
            key(a).total_cmp(&key(b))
        });
        let total = problems.len();
        let (workers, threads) = workers(options.threads, total);
        // The least reduced-cost bound certified so far (starts at 0: only
        // negative values enter the bound).
        let least = Mutex::new(0.0f64);
        let outcomes = in_parallel(total, workers, |i| {
            let (cost, z, e, hint) = &problems[i];
            let pricing = PatternPricing::new(&rows, e.clone(), fs.l1, fs.omega);
            let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
            let waves = (total - i).div_ceil(workers);
            let opts = SolveOptions {
                time_limit: Some((left / waves as f64).max(MIN_SOLVE_SECONDS)),
                threads,
                ..options.clone()
            };
            let enough = || Some(*least.lock().expect("no pricing thread panics") - cost);
            let outcome: PatternOutcome = pricing
                .exact(
                    solver,
                    &opts,
                    hint.as_ref().map(|(_, u)| (u.w.as_slice(), u.b)),
                    self.interrupt.as_ref(),
                    restart.map(|r| r - cost),
                    &enough,
                )
                .map(|r| {
                    let (lower, trivial, finished) = match &r {
                        Some(x) => (x.lower, false, x.finished),
                        None => (pricing.trivial_lower(), true, false),
                    };
                    let unit = r.and_then(|x| x.best).map(|(w, b)| {
                        let rc = cost + pricing.value(&w, b);
                        (rc, Unit { w, b, z: z.clone() })
                    });
                    (lower, trivial, finished, unit)
                });
            if let Ok((lower, _, _, _)) = &outcome {
                let mut l = least.lock().expect("no pricing thread panics");
                *l = l.min(cost + lower);
            }
            outcome
        });
        let mut rho: f64 = 0.0;
        let mut trivial_patterns = 0;
        let mut units = Vec::new();
        let mut all_finished = true;
        // (cost(z), L_z) per pattern.
        let mut lines: Vec<(f64, f64)> = Vec::with_capacity(total);
        for (i, outcome) in outcomes.into_iter().enumerate() {
            let (lower, trivial, finished, unit) = outcome.map_err(BoundError::Solver)?;
            all_finished &= finished;
            rho = rho.min(problems[i].0 + lower);
            lines.push((problems[i].0, lower));
            trivial_patterns += usize::from(trivial);
            if let Some((rc, u)) = unit {
                if rc < 0.0 {
                    units.push(u);
                }
            }
        }
        let largest_cost = problems.iter().fold(0.0f64, |a, p| a.max(p.0));
        let width = self.width as f64;
        let dual_value = self.dual_value(dual);
        let (scale, raw) = best_scaling(dual_value, width, &lines);
        let magnitude = fs.margin * dual.total() + fs.omega * dual.imbalance() + width * (rho.abs() + largest_cost);
        let rounding_margin = CERTIFICATE_ROUNDING * magnitude + ROUNDING_MARGIN_FLOOR;
        Ok(Certificate {
            value: raw - rounding_margin,
            dual_value,
            least_reduced_cost: rho,
            scale,
            trivial_patterns,
            all_finished,
            rounding_margin,
            units,
        })
    }
}

/// The best bound over the multipliers t·π, t ∈ (0, 1], from one pricing:
/// (t, bound). With t·π the dual value is t·g (both of its terms are
/// positively homogeneous in π) and pattern z's inner minimum is at least
/// t·L_z (α‖w‖₁ ≥ t·α‖w‖₁ and the rest scales by t), so
///
/// LB(t) = t·g + H·min(0, min_z (cost(z) + t·L_z))
///
/// holds for every t ∈ [0, 1]. It is the H blocks of [`best_scaling_blocks`], each
/// offered every pattern and the empty unit (the line (0, 0)).
/// (This is the unit-columns analogue of the path-norm's division by its
/// pricing ratio: weak pricing bounds cost the certificate less.)
pub fn best_scaling(g: f64, width: f64, lines: &[(f64, f64)]) -> (f64, f64) {
    let mut with_empty = lines.to_vec();
    with_empty.push((0.0, 0.0));
    best_scaling_blocks(g, &[(width, &with_empty)])
}

/// The best bound over t ∈ [0, 1] of
///
/// LB(t) = t·g + Σ_blocks count·min_{(c, l) ∈ lines} (c + t·l),
///
/// each block a multiplicity and its lines (cost(z), L_z): a unit of the
/// block prices at least min over its lines, and Σ_u λ_u = count in it
/// (t = 0 is the zero multiplier: every unit costs at least its pattern).
/// LB is concave and piecewise linear in t, so its maximum over [0, 1] is
/// at an end or where two lines of one block cross. Returns (t, bound);
/// any t gives a valid bound, so the search only decides how good it is.
/// Every block needs a line.
pub fn best_scaling_blocks(g: f64, blocks: &[(f64, &[(f64, f64)])]) -> (f64, f64) {
    assert!(
        blocks.iter().all(|(_, lines)| !lines.is_empty()),
        "every block has a line"
    );
    // Lines of equal slope: only the cheapest can be a block's least.
    let blocks: Vec<(f64, Vec<(f64, f64)>)> = blocks
        .iter()
        .map(|(count, lines)| {
            let mut kept = lines.to_vec();
            kept.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
            kept.dedup_by(|later, first| later.1 == first.1);
            (*count, kept)
        })
        .collect();
    let at = |t: f64| {
        t * g
            + blocks
                .iter()
                .map(|(count, lines)| count * lines.iter().map(|&(c, l)| c + t * l).fold(f64::INFINITY, f64::min))
                .sum::<f64>()
    };
    let mut best = (1.0, at(1.0));
    let mut consider = |t: f64| {
        if (0.0..1.0).contains(&t) {
            let v = at(t);
            if v > best.1 {
                best = (t, v);
            }
        }
    };
    consider(0.0);
    for (_, lines) in &blocks {
        for (a, &(c, l)) in lines.iter().enumerate() {
            for &(c2, l2) in &lines[a + 1..] {
                consider((c2 - c) / (l - l2));
            }
        }
    }
    best
}
