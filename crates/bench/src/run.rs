//! A suite's runs: every split seed, case and seed (and with ablations,
//! again per ablation), one [`RunRow`] each, and their medians.

use crate::ablations::ABLATIONS;
use crate::instance::{Instance, RunRow, Runner};
use crate::suites::{case_data, run_train_set, Suite};
use crate::summary::{summarize, CaseSummary, SplitsSummary};
use crate::BenchError;
use mipnet_select::SelectObserver;
use mipnet_solver::InterruptFlag;
use mipnet_train::{TrainObserver, TrainReport, TrainSettings, TrainSolver};
use serde::Serialize;

/// The version of `bench.json`'s layout. 2: per-split rows (`rows`), the
/// summaries per case and split (`summaries`, with `split_seed`) and over
/// the splits (`over_splits`), the suite's `split_seeds`, `selection` and
/// `baselines`; 1 (no field): one split, `summaries` per case.
pub const BENCH_FORMAT_VERSION: u32 = 2;

/// The runs and medians of one ablation.
#[derive(Clone, Debug, Serialize)]
pub struct AblationResult {
    pub ablation: &'static str,
    pub rows: Vec<RunRow>,
    pub summaries: Vec<CaseSummary>,
    pub over_splits: Vec<SplitsSummary>,
    pub reports: Vec<TrainReport>,
}

/// Everything `bench.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub format_version: u32,
    pub suite: Suite,
    /// One row per split seed, case and seed (in that order) that finished
    /// or was interrupted.
    pub rows: Vec<RunRow>,
    /// Medians over the seeds, per case and split.
    pub summaries: Vec<CaseSummary>,
    /// Per case: the median and min–max of the per-split medians.
    pub over_splits: Vec<SplitsSummary>,
    /// Each row's training run's report (`rows[i].report` indexes it).
    pub reports: Vec<TrainReport>,
    /// With `--ablate`: the same runs with each part switched in turn.
    pub ablations: Vec<AblationResult>,
    /// An interrupt ended the bench: the rows are those that finished.
    pub interrupted: bool,
    pub solver: String,
    pub mipnet_version: &'static str,
}

/// Who hears about a bench's progress: each run's stages (`train`), and
/// with selection each cross-validation run (`cv`, from several threads).
pub struct BenchObservers<'a> {
    pub train: &'a mut dyn TrainObserver,
    pub cv: &'a dyn SelectObserver,
}

/// Checks every run's settings, and with selection each case's grid,
/// folds and time plan on every split's training data, before any work.
pub fn check_suite<S: TrainSolver>(suite: &Suite, solver: &S) -> Result<(), BenchError> {
    let never = InterruptFlag::new();
    let cv = NoCvProgress;
    let runner = runner(suite, solver, &cv, &never);
    for &split_seed in &suite.split_seeds {
        for case in &suite.cases {
            let (all_train, test) = case_data(case, suite, split_seed)?;
            for &seed in &suite.seeds {
                let train = run_train_set(case, &all_train, seed)?;
                let settings = run_settings(suite, case, seed, |_| {});
                runner.check(&Instance {
                    case,
                    split_seed,
                    seed,
                    train: &train,
                    test: &test,
                    settings,
                })?;
            }
        }
    }
    Ok(())
}

struct NoCvProgress;
impl SelectObserver for NoCvProgress {}

fn runner<'a, S: TrainSolver>(
    suite: &'a Suite,
    solver: &'a S,
    cv: &'a dyn SelectObserver,
    interrupt: &'a InterruptFlag,
) -> Runner<'a, S> {
    Runner {
        solver,
        selection: suite.selection.as_ref(),
        baselines: suite.baselines,
        cv,
        interrupt,
    }
}

/// The settings of one run of `case` with `seed`, `change` (an ablation's
/// edit) applied.
fn run_settings(suite: &Suite, case: &crate::BenchCase, seed: u64, change: fn(&mut TrainSettings)) -> TrainSettings {
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
    s
}

/// Runs every case of a suite on every split seed over its seeds, then
/// (with `ablate`) again for each of [`ABLATIONS`] (without baselines).
/// `observers` hear about each run as it starts. An interrupt (Ctrl-C)
/// ends the current run with what it has (a selection interrupted in its
/// cross-validation gives no row) and skips the rest; the rows that
/// finished are kept.
pub fn run_suite<S: TrainSolver>(
    suite: &Suite,
    ablate: bool,
    solver: &S,
    observers: BenchObservers,
    interrupt: Option<&InterruptFlag>,
) -> Result<BenchResult, BenchError> {
    let never = InterruptFlag::new();
    let interrupt = interrupt.unwrap_or(&never);
    let BenchObservers { train: obs, cv } = observers;
    let main = runner(suite, solver, cv, interrupt);
    let (rows, reports) = run_cases(suite, "", |_| {}, &main, obs)?;
    let cases: Vec<String> = suite.cases.iter().map(|c| c.label()).collect();
    let (summaries, over_splits) = summarize(&rows, &cases, &suite.split_seeds);
    let mut ablations = Vec::new();
    if ablate {
        let plain = Runner {
            baselines: false,
            ..runner(suite, solver, cv, interrupt)
        };
        for a in ABLATIONS {
            if interrupt.is_raised() {
                break;
            }
            let (rows, reports) = run_cases(suite, a.name, a.apply, &plain, obs)?;
            let (summaries, over_splits) = summarize(&rows, &cases, &suite.split_seeds);
            ablations.push(AblationResult {
                ablation: a.name,
                rows,
                summaries,
                over_splits,
                reports,
            });
        }
    }
    Ok(BenchResult {
        format_version: BENCH_FORMAT_VERSION,
        suite: suite.clone(),
        rows,
        summaries,
        over_splits,
        reports,
        ablations,
        interrupted: interrupt.is_raised(),
        solver: solver.name(),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    })
}

type Runs = (Vec<RunRow>, Vec<TrainReport>);

fn run_cases<S: TrainSolver>(
    suite: &Suite,
    label: &str,
    change: fn(&mut TrainSettings),
    runner: &Runner<S>,
    obs: &mut dyn TrainObserver,
) -> Result<Runs, BenchError> {
    let mut rows = Vec::new();
    let mut reports = Vec::new();
    let splits = suite.split_seeds.len();
    let instances = suite.cases.len() * suite.seeds.len();
    for (i, &split_seed) in suite.split_seeds.iter().enumerate() {
        for (c, case) in suite.cases.iter().enumerate() {
            if runner.interrupt.is_raised() {
                break;
            }
            let (all_train, test) = case_data(case, suite, split_seed)?;
            for (k, &seed) in suite.seeds.iter().enumerate() {
                if runner.interrupt.is_raised() {
                    break;
                }
                let train = run_train_set(case, &all_train, seed)?;
                let what = if label.is_empty() {
                    String::new()
                } else {
                    format!(" [{label}]")
                };
                obs.stage(&format!(
                    "bench {}{what}: split {}/{splits} (split seed {split_seed}), run {}/{instances}: {} ({}) seed {seed}{}",
                    suite.name,
                    i + 1,
                    c * suite.seeds.len() + k + 1,
                    case.label(),
                    case.arch,
                    if runner.selection.is_some() {
                        ", model selection"
                    } else {
                        ""
                    }
                ));
                let instance = Instance {
                    case,
                    split_seed,
                    seed,
                    train: &train,
                    test: &test,
                    settings: run_settings(suite, case, seed, change),
                };
                if let Some((row, report)) = runner.run(&instance, obs, reports.len())? {
                    rows.push(row);
                    reports.push(report);
                }
            }
        }
    }
    Ok((rows, reports))
}
