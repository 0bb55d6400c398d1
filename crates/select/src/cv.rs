//! Stratified K-fold cross-validation of every setting of the grid: each
//! (setting, fold) one exact training run on the fold's training part,
//! scored on its validation part; the runs go `parallel` at a time, in
//! order (setting by setting, so an interrupt leaves whole settings); the
//! table of means and spreads, and the choice.

use crate::grid::Setting;
use crate::plan::{Plan, PlannedRun};
use crate::run::train_run;
use crate::SelectError;
use mipnet_data::{Dataset, StratifiedFolds};
use mipnet_solver::InterruptFlag;
use mipnet_train::{Silent, TrainError, TrainSettings, TrainSolver};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// How one cross-validation run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoldStatus {
    /// It ran to its time limit (or its MIP finished) and gave a network.
    Finished,
    /// An interrupt ended it early: its network is left out of the table.
    Interrupted,
    /// The interrupt came before it started.
    NotRun,
    /// It gave no network (e.g. the solver found none in its time).
    NoNetwork,
}

/// One (setting, fold) run (read back from JSON by the Python package,
/// whose runs cross processes as text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoldRun {
    /// Index into the settings (0-based).
    pub setting: usize,
    /// Fold (0-based).
    pub fold: usize,
    pub status: FoldStatus,
    pub n_train: usize,
    pub n_validation: usize,
    pub validation_accuracy: Option<f64>,
    pub train_accuracy: Option<f64>,
    pub weight_sparsity: Option<f64>,
    pub params_kept: Option<usize>,
    pub objective: Option<f64>,
    pub mip_gap: Option<f64>,
    pub seconds: f64,
    /// Why there is no network, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A setting's row of the table: means over its finished folds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingRow {
    pub setting: usize,
    pub values: Setting,
    /// Folds that finished (only a setting with every fold finished can be
    /// chosen).
    pub folds_finished: usize,
    pub validation_accuracy_mean: Option<f64>,
    /// Sample standard deviation over the folds (n − 1); none below 2 folds.
    pub validation_accuracy_std: Option<f64>,
    pub validation_accuracy_min: Option<f64>,
    pub validation_accuracy_max: Option<f64>,
    pub weight_sparsity_mean: Option<f64>,
    pub params_kept_mean: Option<f64>,
    pub objective_mean: Option<f64>,
    /// Per fold, in fold order: validation accuracy and seconds (none:
    /// not finished).
    pub fold_validation_accuracy: Vec<Option<f64>>,
    pub fold_seconds: Vec<Option<f64>>,
}

impl SettingRow {
    /// Whether every fold finished.
    pub fn complete(&self, folds: usize) -> bool {
        self.folds_finished == folds
    }
}

/// Mean validation accuracies closer than this are a tie (then fewer
/// parameters kept wins): means of the same folds that count the same
/// number of samples right differ only by rounding (~1e-16), while one
/// sample more in a fold of at most 10⁵ changes a mean by over 1e-6.
pub const ACCURACY_TIE: f64 = 1e-9;

/// The rule [`choose`] applies, in words (for the report).
pub const RULE: &str = "highest mean validation accuracy over the folds among the settings whose every fold finished; \
     ties (within 1e-9) go to fewer parameters kept (mean over the folds), then to the earlier setting";

/// What one (setting, fold) run is, for progress messages.
#[derive(Clone, Debug)]
pub struct RunId<'a> {
    pub setting: usize,
    pub settings: usize,
    pub fold: usize,
    pub folds: usize,
    pub values: &'a Setting,
}

/// Receives the cross-validation's progress, from several threads at once.
pub trait SelectObserver: Sync {
    fn run_started(&self, _id: &RunId) {}
    fn run_finished(&self, _id: &RunId, _run: &FoldRun) {}
    /// A message about the selection as a whole.
    fn message(&self, _text: &str) {}
}

/// Runs every (setting, fold) of `settings` on `data`'s `folds`, `base`
/// giving everything else, `plan` the time and threads. An interrupt keeps
/// the runs that finished; a training error other than "no network" ends
/// the selection with it (after the runs in flight; no other run starts).
#[allow(clippy::too_many_arguments)]
pub fn cross_validate<S: TrainSolver>(
    solver: &S,
    data: &Dataset,
    folds: &StratifiedFolds,
    settings: &[Setting],
    base: &TrainSettings,
    plan: &Plan,
    observer: &dyn SelectObserver,
    interrupt: &InterruptFlag,
) -> Result<Vec<FoldRun>, SelectError> {
    let k = folds.len();
    let parts: Vec<(Dataset, Dataset)> = (0..k).map(|f| folds.split(data, f)).collect();
    let jobs: Vec<(usize, usize)> = (0..settings.len()).flat_map(|s| (0..k).map(move |f| (s, f))).collect();
    let next = AtomicUsize::new(0);
    // A run that failed ends the selection: the runs not started then do not start.
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<FoldRun, TrainError>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let worker = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(&(s, f)) = jobs.get(i) else { break };
        let (fit, validation) = &parts[f];
        let id = RunId {
            setting: s,
            settings: settings.len(),
            fold: f,
            folds: k,
            values: &settings[s],
        };
        let result = if interrupt.is_raised() || failed.load(Ordering::SeqCst) {
            Ok(not_run(s, f, fit, validation))
        } else {
            observer.run_started(&id);
            let r = fold_run(solver, s, f, fit, validation, &settings[s], base, plan, interrupt);
            match &r {
                Ok(run) => observer.run_finished(&id, run),
                Err(_) => failed.store(true, Ordering::SeqCst),
            }
            r
        };
        results.lock().expect("not poisoned")[i] = Some(result);
    };
    std::thread::scope(|scope| {
        for _ in 0..plan.parallel {
            scope.spawn(worker);
        }
    });
    results
        .into_inner()
        .expect("not poisoned")
        .into_iter()
        .map(|r| r.expect("every job ran").map_err(SelectError::Train))
        .collect()
}

fn not_run(setting: usize, fold: usize, fit: &Dataset, validation: &Dataset) -> FoldRun {
    FoldRun {
        setting,
        fold,
        status: FoldStatus::NotRun,
        n_train: fit.len(),
        n_validation: validation.len(),
        validation_accuracy: None,
        train_accuracy: None,
        weight_sparsity: None,
        params_kept: None,
        objective: None,
        mip_gap: None,
        seconds: 0.0,
        note: None,
    }
}

/// One exact training run on a fold's training part, scored on its
/// validation part (which the run never sees).
#[allow(clippy::too_many_arguments)]
fn fold_run<S: TrainSolver>(
    solver: &S,
    setting: usize,
    fold: usize,
    fit: &Dataset,
    validation: &Dataset,
    values: &Setting,
    base: &TrainSettings,
    plan: &Plan,
    interrupt: &InterruptFlag,
) -> Result<FoldRun, TrainError> {
    let s = plan.run_settings(PlannedRun::CrossValidation, &values.apply(base));
    score_fold(solver, setting, fold, fit, validation, &s, interrupt)
}

/// One exact training run with settings `s` (time limit and threads
/// already the run's) on `fit`, scored on `validation`: the record every
/// cross-validation run makes, wherever it runs (here, or a Python worker).
pub fn score_fold<S: TrainSolver>(
    solver: &S,
    setting: usize,
    fold: usize,
    fit: &Dataset,
    validation: &Dataset,
    s: &TrainSettings,
    interrupt: &InterruptFlag,
) -> Result<FoldRun, TrainError> {
    let clock = Instant::now();
    let outcome = train_run(
        solver,
        format!("{} (fold {})", fit.name, fold + 1),
        fit,
        None,
        s,
        &mut Silent::default(),
        interrupt,
    );
    let seconds = clock.elapsed().as_secs_f64();
    let mut run = not_run(setting, fold, fit, validation);
    run.seconds = seconds;
    match outcome {
        Ok(o) => {
            let r = &o.report;
            run.status = if interrupt.is_raised() {
                FoldStatus::Interrupted
            } else {
                FoldStatus::Finished
            };
            run.validation_accuracy = Some(o.network.accuracy(validation));
            run.train_accuracy = Some(r.train_accuracy);
            run.weight_sparsity = Some(r.weight_sparsity);
            run.params_kept = Some(r.params_kept);
            run.objective = Some(r.objective);
            run.mip_gap = r.mip_gap;
        }
        Err(TrainError::NoNetwork(why)) => {
            run.status = if interrupt.is_raised() {
                FoldStatus::Interrupted
            } else {
                FoldStatus::NoNetwork
            };
            run.note = Some(why);
        }
        Err(e) => return Err(e),
    }
    Ok(run)
}

/// The table: one row per setting, from the runs' results.
pub fn table(settings: &[Setting], runs: &[FoldRun], folds: usize) -> Vec<SettingRow> {
    settings
        .iter()
        .enumerate()
        .map(|(i, values)| {
            let mine: Vec<&FoldRun> = runs.iter().filter(|r| r.setting == i).collect();
            let finished: Vec<&FoldRun> = mine
                .iter()
                .copied()
                .filter(|r| r.status == FoldStatus::Finished)
                .collect();
            let mean = |f: &dyn Fn(&FoldRun) -> Option<f64>| -> Option<f64> {
                let v: Vec<f64> = finished.iter().filter_map(|r| f(r)).collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            let acc: Vec<f64> = finished.iter().filter_map(|r| r.validation_accuracy).collect();
            let acc_mean = mean(&|r| r.validation_accuracy);
            let std = acc_mean
                .filter(|_| acc.len() >= 2)
                .map(|m| (acc.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (acc.len() - 1) as f64).sqrt());
            let per_fold = |f: &dyn Fn(&FoldRun) -> Option<f64>| -> Vec<Option<f64>> {
                (0..folds)
                    .map(|k| finished.iter().find(|r| r.fold == k).and_then(|r| f(r)))
                    .collect()
            };
            SettingRow {
                setting: i,
                values: values.clone(),
                folds_finished: finished.len(),
                validation_accuracy_mean: acc_mean,
                validation_accuracy_std: std,
                validation_accuracy_min: acc.iter().copied().reduce(f64::min),
                validation_accuracy_max: acc.iter().copied().reduce(f64::max),
                weight_sparsity_mean: mean(&|r| r.weight_sparsity),
                params_kept_mean: mean(&|r| r.params_kept.map(|p| p as f64)),
                objective_mean: mean(&|r| r.objective),
                fold_validation_accuracy: per_fold(&|r| r.validation_accuracy),
                fold_seconds: per_fold(&|r| Some(r.seconds)),
            }
        })
        .collect()
}

/// The chosen row's index by [`RULE`]; none when no setting finished every
/// fold.
pub fn choose(rows: &[SettingRow], folds: usize) -> Option<usize> {
    let mut best: Option<&SettingRow> = None;
    for row in rows.iter().filter(|r| r.complete(folds)) {
        let (Some(acc), Some(params)) = (row.validation_accuracy_mean, row.params_kept_mean) else {
            continue;
        };
        let better = match best {
            None => true,
            Some(b) => {
                let (b_acc, b_params) = (
                    b.validation_accuracy_mean.expect("chosen rows have means"),
                    b.params_kept_mean.expect("chosen rows have means"),
                );
                acc > b_acc + ACCURACY_TIE || ((acc - b_acc).abs() <= ACCURACY_TIE && params < b_params)
            }
        };
        if better {
            best = Some(row);
        }
    }
    best.map(|r| r.setting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_formulate::Loss;

    fn setting(l1: f64) -> Setting {
        Setting {
            l1,
            hidden: vec![4],
            margin: 1.0,
            grid_levels: 1,
            loss: Loss::Hinge,
        }
    }

    fn run(setting: usize, fold: usize, acc: f64, params: usize, status: FoldStatus) -> FoldRun {
        FoldRun {
            setting,
            fold,
            status,
            n_train: 8,
            n_validation: 4,
            validation_accuracy: Some(acc),
            train_accuracy: Some(1.0),
            weight_sparsity: Some(0.5),
            params_kept: Some(params),
            objective: Some(0.1),
            mip_gap: None,
            seconds: 1.0,
            note: None,
        }
    }

    #[test]
    fn the_best_mean_wins_and_ties_go_to_fewer_parameters() {
        let settings = [setting(0.0), setting(0.1), setting(0.2)];
        let f = FoldStatus::Finished;
        let runs = [
            run(0, 0, 0.75, 10, f),
            run(0, 1, 1.0, 10, f),
            run(1, 0, 1.0, 20, f),
            run(1, 1, 0.75, 20, f),
            run(2, 0, 0.5, 5, f),
            run(2, 1, 1.0, 5, f),
        ];
        let rows = table(&settings, &runs, 2);
        assert_eq!(rows[0].validation_accuracy_mean, Some(0.875));
        assert_eq!(rows[0].validation_accuracy_std, Some((2.0f64 * 0.125 * 0.125).sqrt()));
        assert_eq!(rows[1].fold_validation_accuracy, vec![Some(1.0), Some(0.75)]);
        // 0 and 1 tie at 0.875; 0 keeps fewer parameters.
        assert_eq!(choose(&rows, 2), Some(0));
    }

    #[test]
    fn runs_and_rows_read_back_from_their_json() {
        let settings = [setting(0.1)];
        let mut runs = vec![run(0, 0, 0.75, 10, FoldStatus::Finished)];
        let mut failed = run(0, 1, 0.0, 0, FoldStatus::NoNetwork);
        failed.note = Some("no network in 1 s".into());
        runs.push(failed);
        let text = serde_json::to_string(&runs).unwrap();
        assert_eq!(serde_json::from_str::<Vec<FoldRun>>(&text).unwrap(), runs);
        let rows = table(&settings, &runs, 2);
        let text = serde_json::to_string(&rows).unwrap();
        assert_eq!(serde_json::from_str::<Vec<SettingRow>>(&text).unwrap(), rows);
        // A run without its seconds, or with a status no run has, is refused by name.
        let e = serde_json::from_str::<FoldRun>(&text_without(&runs[0], "seconds")).unwrap_err();
        assert!(e.to_string().contains("missing field `seconds`"), "{e}");
        let bad = serde_json::to_string(&runs[0])
            .unwrap()
            .replace("\"finished\"", "\"done\"");
        let e = serde_json::from_str::<FoldRun>(&bad).unwrap_err();
        assert!(e.to_string().contains("unknown variant `done`"), "{e}");
    }

    fn text_without(run: &FoldRun, key: &str) -> String {
        let mut v = serde_json::to_value(run).unwrap();
        v.as_object_mut().unwrap().remove(key);
        v.to_string()
    }

    #[test]
    fn an_incomplete_setting_is_never_chosen() {
        let settings = [setting(0.0), setting(0.1)];
        let runs = [
            run(0, 0, 0.5, 10, FoldStatus::Finished),
            run(0, 1, 0.5, 10, FoldStatus::Finished),
            run(1, 0, 1.0, 10, FoldStatus::Finished),
            run(1, 1, 1.0, 10, FoldStatus::Interrupted),
        ];
        let rows = table(&settings, &runs, 2);
        assert_eq!(rows[1].folds_finished, 1);
        assert_eq!(rows[1].validation_accuracy_mean, Some(1.0));
        assert_eq!(rows[1].fold_validation_accuracy, vec![Some(1.0), None]);
        assert_eq!(choose(&rows, 2), Some(0));
        let none = [run(0, 0, 1.0, 10, FoldStatus::NotRun)];
        assert_eq!(choose(&table(&settings[..1], &none, 2), 2), None);
    }
}
