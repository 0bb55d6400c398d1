//! The certificate of one set of multipliers (module docs of
//! [`super`]): LB = margin·Σ π − ω·Σ_k |r_k| + H·min(0, ρ*), with ρ* the
//! least of cost(z) plus a certified lower bound on each pattern's inner
//! pricing minimum. The exact pricing MILPs run side by side, the patterns
//! most likely to set ρ* first, and a MILP ends early once its bound shows
//! its pattern cannot lower ρ* below what is already certified.

use super::column::{pattern_cost, Unit};
use super::dual::HingeDual;
use super::pricing::PatternPricing;
use super::{UnitColumns, CERTIFICATE_ROUNDING, MIN_SOLVE_SECONDS};
use crate::safe::ROUNDING_MARGIN_FLOOR;
use crate::BoundError;
use mipnet_solver::{SolveOptions, Solver};
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// Patterns whose exact MILP gave no bound (their trivial bound was used).
    pub trivial_patterns: usize,
    /// How much the bound was lowered for rounding.
    pub rounding_margin: f64,
    /// The pricing MILPs' best units of negative reduced cost.
    pub units: Vec<Unit>,
}

/// One pattern's result: a lower bound on its reduced cost, whether it is
/// the trivial one, and its MILP's unit with that unit's reduced cost.
/// One pattern to price: its cost, z, pricing coefficients e_n, and the
/// best hint for it with that hint's reduced cost.
type Problem = (f64, Vec<i32>, Vec<f64>, Option<(f64, Unit)>);

type PatternOutcome = Result<(f64, bool, Option<(f64, Unit)>), String>;

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
        // Per pattern: its cost, pricing coefficients, and best hint.
        let mut problems: Vec<Problem> = self
            .patterns
            .iter()
            .map(|z| {
                let e: Vec<f64> = dual.pattern_coefficients(z).iter().map(|c| fs.grid_step * c).collect();
                let cost = pattern_cost(fs, z);
                let pricing = PatternPricing::new(&rows, e.clone(), fs.l1, fs.omega);
                let hint = hints
                    .iter()
                    .filter(|u| &u.z == z)
                    .map(|u| (cost + pricing.value(&u.w, u.b), u.clone()))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                (cost, z.clone(), e, hint)
            })
            .collect();
        problems.sort_by(|a, b| {
            let key = |p: &Problem| p.3.as_ref().map_or(p.0, |h| h.0);
            key(a).total_cmp(&key(b))
        });
        let total = problems.len();
        let workers = options
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, total.max(1));
        let threads = if workers > 1 { Some(1) } else { options.threads };
        let next = AtomicUsize::new(0);
        // The least reduced-cost bound certified so far (starts at 0: only
        // negative values enter the bound).
        let least = Mutex::new(0.0f64);
        let outcomes: Mutex<Vec<(usize, PatternOutcome)>> = Mutex::new(Vec::with_capacity(total));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= total {
                        break;
                    }
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
                    let outcome = pricing
                        .exact(
                            solver,
                            &opts,
                            hint.as_ref().map(|(_, u)| (u.w.as_slice(), u.b)),
                            self.interrupt.as_ref(),
                            restart.map(|r| r - cost),
                            &enough,
                        )
                        .map(|r| {
                            let (lower, trivial) = match &r {
                                Some(x) => (x.lower, false),
                                None => (pricing.trivial_lower(), true),
                            };
                            let unit = r.and_then(|x| x.best).map(|(w, b)| {
                                let rc = cost + pricing.value(&w, b);
                                (rc, Unit { w, b, z: z.clone() })
                            });
                            (cost + lower, trivial, unit)
                        });
                    if let Ok((bound, _, _)) = &outcome {
                        let mut l = least.lock().expect("no pricing thread panics");
                        *l = l.min(*bound);
                    }
                    outcomes.lock().expect("no pricing thread panics").push((i, outcome));
                });
            }
        });
        let mut outcomes = outcomes.into_inner().expect("no pricing thread panics");
        outcomes.sort_by_key(|(i, _)| *i);
        let mut rho: f64 = 0.0;
        let mut trivial_patterns = 0;
        let mut units = Vec::new();
        for (_, outcome) in outcomes {
            let (bound, trivial, unit) = outcome.map_err(BoundError::Solver)?;
            rho = rho.min(bound);
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
        let raw = dual_value + width * rho;
        let magnitude = fs.margin * dual.total() + fs.omega * dual.imbalance() + width * (rho.abs() + largest_cost);
        let rounding_margin = CERTIFICATE_ROUNDING * magnitude + ROUNDING_MARGIN_FLOOR;
        Ok(Certificate {
            value: raw - rounding_margin,
            dual_value,
            least_reduced_cost: rho,
            trivial_patterns,
            rounding_margin,
            units,
        })
    }
}
