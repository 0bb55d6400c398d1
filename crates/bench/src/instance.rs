//! One run of a suite (a case on one split with one seed): a `train` run,
//! or with the suite's selection `mipnet select`'s plan (mipnet-select);
//! then the pruning baselines beside its network (mipnet-select's, on the
//! same training split). Its record is a [`RunRow`].

use crate::selection::SuiteSelection;
use crate::suites::BenchCase;
use crate::BenchError;
use mipnet_data::Dataset;
use mipnet_select::baselines::{compare, train_baselines};
use mipnet_select::{select, BaselineComparison, SelectJob, SelectObserver, Selection, Setting};
use mipnet_solver::InterruptFlag;
use mipnet_train::{
    train, Job, MipSchedule, TrainError, TrainObserver, TrainOutcome, TrainReport, TrainSettings, TrainSolver,
};
use serde::Serialize;

/// One run's record in `bench.json`: what the table's medians are taken of.
#[derive(Clone, Debug, Serialize)]
pub struct RunRow {
    pub split_seed: u64,
    /// The case's label and architecture.
    pub dataset: String,
    pub arch: String,
    /// Gradient and HiGHS seed.
    pub seed: u64,
    /// An interrupt ended the run early: its row is kept here, and left out
    /// of the medians.
    pub interrupted: bool,
    pub n_train: usize,
    pub n_test: usize,
    pub test_accuracy: Option<f64>,
    pub train_accuracy: f64,
    pub weight_sparsity: f64,
    pub params_kept: usize,
    pub params_total: usize,
    pub objective: f64,
    pub polished_objective: Option<f64>,
    pub searched_objective: Option<f64>,
    pub dual_bound: Option<f64>,
    pub mip_dual_bound: Option<f64>,
    /// The objective floor the full MIP was given (the bound methods' best
    /// bound, `mipnet_train::mip_floor`): a MIP bound not above it is that
    /// floor passed through, not HiGHS's own proof. None without one.
    pub mip_floor: Option<f64>,
    pub mip_gap: Option<f64>,
    pub mip_alongside_search: bool,
    /// Seconds of the training run (with selection: the refit's).
    pub train_seconds: f64,
    /// With selection: seconds of the cross-validation.
    pub cv_seconds: Option<f64>,
    pub certified: bool,
    /// The train report's own gradient baseline (its first gradient start).
    pub report_baseline_test_accuracy: Option<f64>,
    pub report_baseline_weight_sparsity: f64,
    /// With selection: the chosen setting and the whole selection (its CV
    /// table and every fold run).
    pub selected: Option<Setting>,
    pub selection: Option<Selection>,
    /// The dense gradient network and the pruning baselines at this run's
    /// zero weights and parameters kept, trained on the run's training
    /// split only; none with a convolution, when switched off, or after an
    /// interrupt.
    pub baselines: Option<BaselineComparison>,
    /// Index of the run's report in `bench.json`'s `reports`.
    pub report: usize,
}

impl RunRow {
    /// Seconds of the whole run: the cross-validation and the training run.
    pub fn seconds(&self) -> f64 {
        self.train_seconds + self.cv_seconds.unwrap_or(0.0)
    }
}

/// A run to make: a case on one split's data, with its settings (the
/// case's widths and the seed already set).
pub(crate) struct Instance<'a> {
    pub case: &'a BenchCase,
    pub split_seed: u64,
    pub seed: u64,
    pub train: &'a Dataset,
    pub test: &'a Dataset,
    pub settings: TrainSettings,
}

/// How instances run: the suite's selection and baselines, and who hears.
pub(crate) struct Runner<'a, S: TrainSolver> {
    pub solver: &'a S,
    pub selection: Option<&'a SuiteSelection>,
    pub baselines: bool,
    pub cv: &'a dyn SelectObserver,
    pub interrupt: &'a InterruptFlag,
}

impl<S: TrainSolver> Runner<'_, S> {
    /// The selection job of `instance` (when the suite selects).
    fn select_job<'b>(&'b self, instance: &'b Instance, selection: &'b SuiteSelection) -> SelectJob<'b, S> {
        SelectJob {
            dataset: instance.case.label(),
            train: instance.train,
            test: Some(instance.test),
            base: &instance.settings,
            grid: &selection.grid,
            folds: selection.folds,
            fold_seed: selection.fold_seed,
            refit_share: selection.refit_share,
            baselines: self.baselines && instance.case.conv.is_none(),
            solver: self.solver,
        }
    }

    /// Checks `instance`'s settings, and with selection its grid, folds and
    /// time plan, before any work.
    pub fn check(&self, instance: &Instance) -> Result<(), BenchError> {
        instance.settings.clone().check(self.solver).map_err(TrainError::from)?;
        if let Some(sel) = self.selection {
            mipnet_select::prepare(&self.select_job(instance, sel)).map_err(BenchError::Select)?;
        }
        Ok(())
    }

    /// Runs `instance`; none when an interrupt came before it gave a
    /// network (during a selection's cross-validation).
    pub fn run(
        &self,
        instance: &Instance,
        obs: &mut dyn TrainObserver,
        report_index: usize,
    ) -> Result<Option<(RunRow, TrainReport)>, BenchError> {
        let (outcome, selection, baselines) = match self.selection {
            Some(sel) => {
                let job = self.select_job(instance, sel);
                let out = select(&job, self.cv, obs, self.interrupt).map_err(BenchError::Select)?;
                let Some(refit) = out.refit else {
                    if self.interrupt.is_raised() {
                        return Ok(None);
                    }
                    return Err(BenchError::Train(TrainError::NoNetwork(format!(
                        "{} split seed {} seed {}: no setting of the grid gave a network on every fold",
                        instance.case.label(),
                        instance.split_seed,
                        instance.seed
                    ))));
                };
                (refit, Some(out.selection), out.baselines)
            }
            None => {
                let s = instance.settings.clone().check(self.solver).map_err(TrainError::from)?;
                let job = Job {
                    dataset: instance.case.label(),
                    train: instance.train,
                    test: Some(instance.test),
                    settings: &s,
                    solver: self.solver,
                };
                let outcome = train(&job, obs, Some(self.interrupt))?;
                let baselines = self.baselines_of(instance, &outcome);
                (outcome, None, baselines)
            }
        };
        let row = row(
            instance,
            &outcome,
            selection,
            baselines,
            self.interrupt.is_raised(),
            report_index,
        );
        Ok(Some((row, outcome.report)))
    }

    /// The pruning baselines beside a `train` run's network (a selection
    /// trains its own beside the refit).
    fn baselines_of(&self, instance: &Instance, outcome: &TrainOutcome) -> Option<BaselineComparison> {
        if !self.baselines || instance.case.conv.is_some() || self.interrupt.is_raised() {
            return None;
        }
        let s = &instance.settings;
        let setting = Setting::of(s);
        let threads = s.solver.threads.unwrap_or(1);
        let trained = train_baselines(instance.train, &setting, &s.gradient, &outcome.network, threads);
        Some(compare(
            &outcome.network,
            &setting.hidden,
            &trained,
            instance.train,
            Some(instance.test),
        ))
    }
}

fn row(
    instance: &Instance,
    outcome: &TrainOutcome,
    selection: Option<Selection>,
    baselines: Option<BaselineComparison>,
    interrupted: bool,
    report: usize,
) -> RunRow {
    let r = &outcome.report;
    RunRow {
        split_seed: instance.split_seed,
        dataset: instance.case.label(),
        arch: instance.case.arch.clone(),
        seed: instance.seed,
        interrupted,
        n_train: instance.train.len(),
        n_test: instance.test.len(),
        test_accuracy: r.test_accuracy,
        train_accuracy: r.train_accuracy,
        weight_sparsity: r.weight_sparsity,
        params_kept: r.params_kept,
        params_total: r.params_total,
        objective: r.objective,
        polished_objective: r.progress.polish,
        searched_objective: r.progress.search,
        dual_bound: r.dual_bound,
        mip_dual_bound: r.mip_dual_bound,
        mip_floor: mipnet_train::mip_floor(&r.lower_bounds),
        mip_gap: r.mip_gap,
        mip_alongside_search: r.mip_schedule == MipSchedule::AlongsideSearch,
        train_seconds: r.total_seconds,
        cv_seconds: selection.as_ref().map(|s| s.cv_seconds),
        certified: r.certificate.passed,
        report_baseline_test_accuracy: r.baseline.test_accuracy,
        report_baseline_weight_sparsity: r.baseline.weight_sparsity,
        selected: selection.as_ref().and_then(|s| s.chosen_setting.clone()),
        selection,
        baselines,
        report,
    }
}
