//! The proven lower bounds of `mipnet-bounds`, run as a stage before the
//! full MIP: relaxations that keep the weights shared by all samples, so
//! they prove far more than HiGHS's big-M relaxation does on this model
//! (docs/training.md, "Proven lower bounds"). Each method's certified
//! bound, or why it gave none, goes into the report; the report's
//! `dual_bound` is the best of them and of the MIP's own bound.

use mipnet_bounds::{BoundError, LipschitzMargin, LipschitzMarginSettings, PathNorm, PathNormSettings, ProvenBound};
use mipnet_data::Dataset;
use mipnet_formulate::FormulationSettings;
use mipnet_highs::HighsSolver;
use mipnet_solver::{InterruptFlag, SolveOptions};
use serde::Serialize;
use std::time::Instant;

/// Largest share of the time left that the bound methods may take before
/// the full MIP: measured (docs/training.md, docs/benchmarks.md), the
/// Lipschitz-margin LP with its default 3,000 pairs takes 0.2–0.3 s on
/// Iris, 0.7 s on Wine and 1.9–2.4 s on WDBC on 2 cores, and the path-norm
/// bound converges in 0.2–0.4 s on Iris and 5–14 s on Wine and improves for
/// 30 s and more on WDBC; both prove 5–15 times what the MIP's bound does,
/// which stays at its root LP's value (docs/benchmarks.md), while the MIP
/// after the search rarely finds a better network. So the bounds and the
/// MIP share the time after the search evenly.
pub const LOWER_BOUND_SHARE: f64 = 0.5;

/// Least time the bound methods get while the MIP still has that much:
/// Iris's LP takes 0.3–0.6 s alone and more on a loaded machine, and an LP
/// stopped early proves nothing.
pub const LOWER_BOUND_FLOOR_SECONDS: f64 = 1.0;

/// The name under which the full MIP's own dual bound is reported.
pub const MIP_METHOD: &str = "highs-mip";

/// One method's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LowerBoundReport {
    /// The method (`lipschitz-margin`).
    pub method: String,
    /// The certified bound: no network of the formulation scores below it.
    /// None when the method gave no bound (see `note`).
    pub bound: Option<f64>,
    pub seconds: f64,
    /// What it took (pairs, rows), or why it gave no bound.
    pub note: String,
}

/// Runs every bound method on the training problem of `formulation` over
/// `data` (standardized, as the formulation sees it), one after the other
/// within `seconds` in all: the Lipschitz-margin LP first (fast), then the
/// path-norm column generation with the time left.
pub fn prove(
    data: &Dataset,
    formulation: &FormulationSettings,
    options: &SolveOptions,
    seconds: f64,
    max_pairs: usize,
    interrupt: Option<&InterruptFlag>,
) -> Vec<LowerBoundReport> {
    let started = Instant::now();
    let left = || (seconds - started.elapsed().as_secs_f64()).max(0.0);
    let with_limit = |t: f64| SolveOptions {
        time_limit: Some(t.max(MIN_METHOD_SECONDS)),
        ..options.clone()
    };
    let lipschitz = LipschitzMargin::new(data, formulation).and_then(|m| {
        m.solve(
            &HighsSolver,
            &with_limit(left()),
            &LipschitzMarginSettings { max_pairs },
        )
    });
    let mut reports = vec![report(
        mipnet_bounds::lipschitz_margin::METHOD,
        started,
        lipschitz,
        |b| format!("{} sample pairs, {} rows", b.pairs, b.rows),
    )];
    let path_started = Instant::now();
    let path = if interrupt.is_some_and(|f| f.is_raised()) {
        Err(BoundError::NoBound("interrupted".into()))
    } else if left() < MIN_METHOD_SECONDS {
        Err(BoundError::NoBound("no time left after the Lipschitz-margin LP".into()))
    } else {
        let t = left();
        PathNorm::new(data, formulation).and_then(|m| {
            m.with_interrupt(interrupt.cloned()).solve(
                &HighsSolver,
                &with_limit(t),
                &PathNormSettings {
                    seconds: t,
                    ..PathNormSettings::default()
                },
            )
        })
    };
    reports.push(report(mipnet_bounds::path_norm::METHOD, path_started, path, |b| {
        format!("column generation, {} master rows", b.rows)
    }));
    reports
}

/// Least time a method is started with: below it neither finishes.
pub const MIN_METHOD_SECONDS: f64 = 0.2;

fn report(
    method: &str,
    started: Instant,
    result: Result<ProvenBound, BoundError>,
    note: impl Fn(&ProvenBound) -> String,
) -> LowerBoundReport {
    match result {
        Ok(b) => LowerBoundReport {
            method: b.method.to_string(),
            bound: Some(b.value),
            seconds: b.seconds,
            note: note(&b),
        },
        Err(e) => LowerBoundReport {
            method: method.to_string(),
            bound: None,
            seconds: started.elapsed().as_secs_f64(),
            note: match e {
                BoundError::NotApplicable(why) => format!("no bound method applies: {why}"),
                other => other.to_string(),
            },
        },
    }
}

/// The best proven bound and its method: the methods' bounds and the full
/// MIP's own dual bound (`mip`), whichever is highest.
pub fn best(methods: &[LowerBoundReport], mip: Option<f64>) -> Option<(f64, String)> {
    methods
        .iter()
        .filter_map(|m| m.bound.map(|b| (b, m.method.clone())))
        .chain(mip.map(|b| (b, MIP_METHOD.to_string())))
        .filter(|(b, _)| b.is_finite())
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// The proof in words: "no network of this architecture scores below B: the
/// returned one (objective O) is within G % of the best".
pub fn in_words(objective: f64, bound: Option<(f64, &str)>) -> String {
    match bound {
        Some((b, method)) if b > 0.0 => {
            let gap = if objective > 0.0 {
                100.0 * ((objective - b) / objective).max(0.0)
            } else {
                0.0
            };
            format!(
                "no network of this architecture scores below {b:.6} ({method}): \
                 the returned one ({objective:.6}) is within {gap:.1} % of the best"
            )
        }
        _ => format!(
            "no lower bound above 0 was proven: the returned network ({objective:.6}) is not proven near the best"
        ),
    }
}
