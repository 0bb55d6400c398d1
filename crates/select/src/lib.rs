//! Model selection for exact training: a grid over α, hidden widths,
//! margin, P and loss, scored by stratified K-fold cross-validation on the
//! training split (each fold one exact, certified training run of
//! `mipnet-train`, with its share of the time limit); the setting with the
//! best mean validation accuracy wins (ties: fewer parameters kept), and is
//! refit on the whole training split, where its run certifies it. Beside it,
//! the gradient baselines of the same architecture at equal sparsity
//! ([`baselines`]).
//!
//! The time limit is split in one place ([`plan::Plan`]): the refit gets a
//! share (default [`plan::DEFAULT_REFIT_SHARE`]), the cross-validation runs
//! the rest, `parallel` at a time (threads and memory allowing), each with
//! `threads / parallel` solver threads. An interrupt keeps the runs that
//! finished: the table holds them, a setting with an unfinished fold cannot
//! win, and no refit starts.

pub mod baselines;
pub mod cv;
pub mod grid;
pub mod plan;
mod run;

pub use baselines::{BaselineComparison, BaselineEntry};
pub use cv::{FoldRun, FoldStatus, RunId, SelectObserver, SettingRow, ACCURACY_TIE};
pub use grid::{Grid, SelectSection, Setting};
pub use plan::{Plan, PlannedRun, DEFAULT_REFIT_SHARE, MIN_RUN_SECONDS};

use mipnet_data::{DataError, Dataset};
use mipnet_formulate::ModelEstimate;
use mipnet_solver::InterruptFlag;
use mipnet_train::{
    TrainError, TrainObserver, TrainOutcome, TrainReport, TrainSettingError, TrainSettings, TrainSolver,
};
use serde::Serialize;
use std::time::Instant;
use thiserror::Error;

/// Why a selection could not run or finish.
#[derive(Debug, Error)]
pub enum SelectError {
    /// A grid that cannot be tried (empty list, value out of range, …).
    #[error("{0}")]
    Grid(String),
    /// Folds that cannot be drawn (more folds than samples of a class).
    #[error(transparent)]
    Folds(#[from] DataError),
    /// A time limit or share that cannot hold the runs.
    #[error("{0}")]
    Budget(String),
    #[error(transparent)]
    Settings(#[from] TrainSettingError),
    /// A training run failed (its own error says how).
    #[error(transparent)]
    Train(#[from] TrainError),
}

/// Default folds K.
pub const DEFAULT_FOLDS: usize = 5;

/// A selection to run on `solver`.
pub struct SelectJob<'a, S: TrainSolver> {
    /// The data's name, as `train` reports it.
    pub dataset: String,
    /// The training split: the folds are drawn from it and the refit uses
    /// all of it.
    pub train: &'a Dataset,
    /// The test split: only the refit network and the baselines are scored
    /// on it, after training.
    pub test: Option<&'a Dataset>,
    /// Everything the grid does not vary; `solver.time_limit` is the whole
    /// selection's and `solver.threads` (or the cores) all its threads.
    pub base: &'a TrainSettings,
    pub grid: &'a Grid,
    pub folds: usize,
    pub fold_seed: u64,
    pub refit_share: f64,
    /// Train and score the gradient baselines after the refit.
    pub baselines: bool,
    /// The backend of every training run.
    pub solver: &'a S,
}

/// The `selection` section of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Selection {
    pub folds: usize,
    pub fold_seed: u64,
    /// Every dimension's list (the base setting's value where the grid
    /// gave none).
    pub grid: Grid,
    /// The settings tried, in order.
    pub settings: Vec<Setting>,
    pub plan: Plan,
    pub rule: &'static str,
    pub table: Vec<SettingRow>,
    pub runs: Vec<FoldRun>,
    /// Index of the chosen setting; none when no setting finished every fold.
    pub chosen: Option<usize>,
    pub chosen_setting: Option<Setting>,
    /// Wall time of the cross-validation.
    pub cv_seconds: f64,
    pub interrupted: bool,
}

/// What a selection produced.
pub struct SelectOutcome {
    pub selection: Selection,
    /// The chosen setting refit on the whole training split (none when
    /// interrupted during the cross-validation, or nothing could be chosen).
    pub refit: Option<TrainOutcome>,
    pub baselines: Option<BaselineComparison>,
    /// Why there are no baselines, when asked for.
    pub baselines_note: Option<String>,
}

/// `report.json` of `mipnet select`: the refit run's report, with the
/// selection and the baselines.
#[derive(Serialize)]
pub struct SelectReport<'a> {
    #[serde(flatten)]
    pub run: &'a TrainReport,
    pub selection: &'a Selection,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselines: Option<&'a BaselineComparison>,
}

impl SelectOutcome {
    /// The report of the refit run, with the selection (none without a refit).
    pub fn report(&self) -> Option<SelectReport<'_>> {
        self.refit.as_ref().map(|o| SelectReport {
            run: &o.report,
            selection: &self.selection,
            baselines: self.baselines.as_ref(),
        })
    }
}

/// Memory the kernel says is available (Linux `/proc/meminfo`), in bytes.
fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// The threads of `base`: `solver.threads`, or the cores.
fn threads_of(base: &TrainSettings) -> usize {
    base.solver
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Validates the grid and the folds and plans the time, before any run.
pub fn prepare<S: TrainSolver>(
    job: &SelectJob<S>,
) -> Result<(Vec<Setting>, mipnet_data::StratifiedFolds, Plan), SelectError> {
    let settings = job.grid.settings(job.base, job.solver)?;
    let folds = job.train.stratified_folds(job.folds, job.fold_seed)?;
    let mut bytes = 0.0f64;
    for s in &settings {
        let e = ModelEstimate::of(job.train, &s.apply(job.base).formulation).map_err(TrainSettingError::from)?;
        bytes = bytes.max(if job.base.stages.mip {
            e.bytes
        } else {
            e.bytes_without_mip
        });
    }
    let plan = Plan::new(
        job.base.solver.time_limit,
        job.refit_share,
        threads_of(job.base),
        settings.len() * folds.len(),
        bytes,
        available_memory(),
    )?;
    Ok((settings, folds, plan))
}

/// Runs the selection: cross-validation, choice, refit, baselines.
/// `observer` hears the cross-validation's progress, `refit_observer` the
/// refit run's.
pub fn select<S: TrainSolver>(
    job: &SelectJob<S>,
    observer: &dyn SelectObserver,
    refit_observer: &mut dyn TrainObserver,
    interrupt: &InterruptFlag,
) -> Result<SelectOutcome, SelectError> {
    let (settings, folds, plan) = prepare(job)?;
    observer.message(&format!(
        "{} settings × {} folds = {} cross-validation runs, {} at a time ({} thread{} each, {:.1} s each); refit {:.1} s",
        settings.len(),
        folds.len(),
        plan.runs,
        plan.parallel,
        plan.threads_per_run,
        if plan.threads_per_run == 1 { "" } else { "s" },
        plan.run_seconds,
        plan.refit_seconds
    ));
    let clock = Instant::now();
    let runs = cv::cross_validate(
        job.solver, job.train, &folds, &settings, job.base, &plan, observer, interrupt,
    )?;
    let cv_seconds = clock.elapsed().as_secs_f64();
    let interrupted = interrupt.is_raised();
    let table = cv::table(&settings, &runs, folds.len());
    let chosen = cv::choose(&table, folds.len());
    let selection = Selection {
        folds: folds.len(),
        fold_seed: job.fold_seed,
        grid: job.grid.resolved(job.base),
        chosen_setting: chosen.map(|i| settings[i].clone()),
        settings,
        plan,
        rule: cv::RULE,
        table,
        runs,
        chosen,
        cv_seconds,
        interrupted,
    };
    let mut outcome = SelectOutcome {
        refit: None,
        baselines: None,
        baselines_note: None,
        selection,
    };
    let Some(setting) = outcome.selection.chosen_setting.clone() else {
        return Ok(outcome);
    };
    if interrupted {
        return Ok(outcome);
    }
    observer.message(&format!(
        "refit of setting {} ({})",
        chosen.unwrap_or(0) + 1,
        setting.describe()
    ));
    let s = outcome
        .selection
        .plan
        .run_settings(PlannedRun::Refit, &setting.apply(job.base));
    let refit = run::train_run(
        job.solver,
        job.dataset.clone(),
        job.train,
        job.test,
        &s,
        refit_observer,
        interrupt,
    )?;
    if job.baselines && !interrupt.is_raised() {
        if s.formulation.conv.is_some() {
            outcome.baselines_note = Some("baselines: dense architectures only (this one has a convolution)".into());
        } else {
            observer.message("gradient baselines (dense; one-shot, iterative and ℓ1 proximal pruning)");
            let trained = baselines::train_baselines(
                job.train,
                &setting,
                &job.base.gradient,
                &refit.network,
                outcome.selection.plan.threads,
            );
            outcome.baselines = Some(baselines::compare(
                &refit.network,
                &setting.hidden,
                &trained,
                job.train,
                job.test,
            ));
        }
    }
    outcome.refit = Some(refit);
    Ok(outcome)
}
