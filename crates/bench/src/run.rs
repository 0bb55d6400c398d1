//! A suite's runs over its seeds (and ablations), and their medians.

use crate::ablations::ABLATIONS;
use crate::suites::{case_data, run_train_set, BenchCase, Suite};
use crate::BenchError;
use mipnet_train::{train, TrainObserver, TrainReport, TrainSettings, TrainSolver};
use serde::Serialize;

/// Medians of one case over its seeds.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    pub dataset: String,
    pub arch: String,
    pub runs: usize,
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub weight_sparsity: f64,
    pub params_kept: f64,
    pub params_total: usize,
    pub objective: f64,
    /// Best objective after the LP polish of the starts, and after the
    /// search rounds and the large-neighbourhood search (before the MIP).
    pub polished_objective: Option<f64>,
    pub searched_objective: Option<f64>,
    /// The best proven bound (the bound methods' and the MIP's), and the
    /// MIP's own beside it.
    pub dual_bound: Option<f64>,
    pub mip_dual_bound: Option<f64>,
    pub mip_gap: Option<f64>,
    pub total_seconds: f64,
    pub baseline_test_accuracy: f64,
    pub baseline_weight_sparsity: f64,
    pub certificates_passed: usize,
}

/// The medians of one ablation.
#[derive(Clone, Debug, Serialize)]
pub struct AblationResult {
    pub ablation: &'static str,
    pub summaries: Vec<CaseSummary>,
    pub reports: Vec<TrainReport>,
}

/// Everything `bench.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub suite: Suite,
    pub summaries: Vec<CaseSummary>,
    pub reports: Vec<TrainReport>,
    /// With `--ablate`: the same cases with each part switched in turn.
    pub ablations: Vec<AblationResult>,
    pub solver: String,
    pub mipnet_version: &'static str,
}

/// The median of some values (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn median_opt(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    (!v.is_empty()).then(|| median(&v))
}

fn summarize(case: &BenchCase, reports: &[&TrainReport]) -> CaseSummary {
    let m = |f: &dyn Fn(&TrainReport) -> f64| median(&reports.iter().map(|r| f(r)).collect::<Vec<_>>());
    CaseSummary {
        dataset: case.label(),
        arch: case.arch.clone(),
        runs: reports.len(),
        test_accuracy: m(&|r| r.test_accuracy.unwrap_or(f64::NAN)),
        train_accuracy: m(&|r| r.train_accuracy),
        weight_sparsity: m(&|r| r.weight_sparsity),
        params_kept: m(&|r| r.params_kept as f64),
        params_total: reports.first().map_or(0, |r| r.params_total),
        objective: m(&|r| r.objective),
        polished_objective: median_opt(reports.iter().map(|r| r.progress.polish)),
        searched_objective: median_opt(reports.iter().map(|r| r.progress.search)),
        dual_bound: median_opt(reports.iter().map(|r| r.dual_bound)),
        mip_dual_bound: median_opt(reports.iter().map(|r| r.mip_dual_bound)),
        mip_gap: median_opt(reports.iter().map(|r| r.mip_gap)),
        total_seconds: m(&|r| r.total_seconds),
        baseline_test_accuracy: m(&|r| r.baseline.test_accuracy.unwrap_or(f64::NAN)),
        baseline_weight_sparsity: m(&|r| r.baseline.weight_sparsity),
        certificates_passed: reports.iter().filter(|r| r.certificate.passed).count(),
    }
}

/// Runs every case of a suite over its seeds, then (with `ablate`) again
/// for each of [`ABLATIONS`]. `progress` hears about each run as it starts.
/// An interrupt (Ctrl-C) ends the current run with what it has and skips
/// the rest; what finished is kept.
pub fn run_suite(
    suite: &Suite,
    ablate: bool,
    solver: &dyn TrainSolver,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&mipnet_solver::InterruptFlag>,
) -> Result<BenchResult, BenchError> {
    let (summaries, reports) = run_cases(suite, "", |_| {}, solver, obs, interrupt)?;
    let mut ablations = Vec::new();
    if ablate {
        for a in ABLATIONS {
            if interrupt.is_some_and(|f| f.is_raised()) {
                break;
            }
            let (summaries, reports) = run_cases(suite, a.name, a.apply, solver, obs, interrupt)?;
            ablations.push(AblationResult {
                ablation: a.name,
                summaries,
                reports,
            });
        }
    }
    Ok(BenchResult {
        suite: suite.clone(),
        summaries,
        reports,
        ablations,
        solver: solver.name(),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    })
}

type Runs = (Vec<CaseSummary>, Vec<TrainReport>);

fn run_cases(
    suite: &Suite,
    label: &str,
    change: fn(&mut TrainSettings),
    solver: &dyn TrainSolver,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&mipnet_solver::InterruptFlag>,
) -> Result<Runs, BenchError> {
    let mut reports = Vec::new();
    let mut summaries = Vec::new();
    for case in &suite.cases {
        let first = reports.len();
        let (all_train, test) = case_data(case, suite)?;
        for &seed in &suite.seeds {
            if interrupt.is_some_and(|f| f.is_raised()) {
                break;
            }
            let train_set = run_train_set(case, &all_train, seed)?;
            let mut s = suite.settings.clone();
            change(&mut s);
            s.formulation.hidden = case.hidden.clone();
            s.formulation.conv = case.conv;
            if let Some(p) = case.grid_levels {
                s.formulation.grid_levels = p;
            }
            s.stages.mip &= case.mip;
            s.gradient.seed = seed;
            s.solver.seed = seed;
            let what = if label.is_empty() {
                String::new()
            } else {
                format!(" [{label}]")
            };
            obs.stage(&format!(
                "bench {}{what}: {} ({}) seed {seed}",
                suite.name,
                case.label(),
                case.arch
            ));
            let s = s.check(solver).map_err(mipnet_train::TrainError::from)?;
            let job = mipnet_train::Job {
                dataset: case.label(),
                train: &train_set,
                test: Some(&test),
                settings: &s,
                solver,
            };
            reports.push(train(&job, obs, interrupt)?.report);
        }
        let mine: Vec<&TrainReport> = reports[first..].iter().collect();
        if !mine.is_empty() {
            summaries.push(summarize(case, &mine));
        }
    }
    Ok((summaries, reports))
}
