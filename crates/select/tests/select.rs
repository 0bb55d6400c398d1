//! Model selection end to end on Iris with a tiny grid whose best setting
//! is planted: α = 30 makes every weight cost more than any fit can gain
//! (the zero network, a third of the samples right), α = 0.01 fits.

use mipnet_data::{Bundled, Dataset, Standardizer};
use mipnet_highs::HighsSolver;
use mipnet_select::baselines::{compare, train_baselines};
use mipnet_select::{select, FoldStatus, Grid, RunId, SelectJob, SelectObserver, SelectOutcome};
use mipnet_solver::InterruptFlag;
use mipnet_train::{Silent, TrainSettings};
use std::sync::atomic::{AtomicUsize, Ordering};

fn iris() -> (Dataset, Dataset) {
    Bundled::from_name("iris")
        .unwrap()
        .load()
        .split_stratified(0.25, 0)
        .unwrap()
}

/// Short runs: short gradient phases, one start, 2 threads in all.
fn base(time_limit: f64) -> TrainSettings {
    let mut s = TrainSettings::default();
    s.formulation.hidden = vec![3];
    s.gradient.epochs = 300;
    s.stages.finetune_epochs = 200;
    s.stages.gradient_starts = 1;
    s.solver.time_limit = time_limit;
    s.solver.threads = Some(2);
    s
}

/// α far above what any fit is worth, and the default.
const PLANTED: [f64; 2] = [30.0, 0.01];
const FOLDS: usize = 3;

struct Quiet;
impl SelectObserver for Quiet {}

fn run(
    train: &Dataset,
    test: &Dataset,
    s: &TrainSettings,
    observer: &dyn SelectObserver,
    i: &InterruptFlag,
) -> SelectOutcome {
    let grid = Grid {
        l1: Some(PLANTED.to_vec()),
        ..Grid::default()
    };
    let job = SelectJob {
        dataset: "iris".into(),
        train,
        test: Some(test),
        base: s,
        grid: &grid,
        folds: FOLDS,
        fold_seed: 0,
        refit_share: 0.25,
        baselines: true,
        solver: &HighsSolver,
    };
    select(&job, observer, &mut Silent::default(), i).unwrap()
}

#[test]
fn the_argmax_of_the_table_is_chosen_refit_on_the_training_split_and_compared_with_baselines() {
    let (train, test) = iris();
    let s = base(16.0);
    let o = run(&train, &test, &s, &Quiet, &InterruptFlag::new());
    let sel = &o.selection;
    assert_eq!(sel.table.len(), 2);
    assert_eq!(sel.runs.len(), 2 * FOLDS);
    assert!(
        sel.runs.iter().all(|r| r.status == FoldStatus::Finished),
        "{:?}",
        sel.runs
    );
    // Every run trained on a fold's training part and validated on the rest.
    for r in &sel.runs {
        assert_eq!(r.n_train + r.n_validation, train.len());
    }
    // The chosen setting is the argmax of the table's means, and the planted one.
    let means: Vec<f64> = sel.table.iter().map(|r| r.validation_accuracy_mean.unwrap()).collect();
    let argmax = (0..means.len()).max_by(|&a, &b| means[a].total_cmp(&means[b])).unwrap();
    assert!(means[argmax] > means[1 - argmax], "{means:?}");
    assert_eq!(sel.chosen, Some(argmax));
    assert_eq!(sel.chosen_setting.as_ref().unwrap().l1, 0.01, "{means:?}");
    assert!(means[0] < 0.5, "α = 30 cannot fit: {means:?}");
    // The refit: the chosen setting, on exactly the training split.
    let refit = o.refit.as_ref().expect("a refit");
    assert_eq!(refit.report.settings.formulation.l1, 0.01);
    assert_eq!(refit.report.n_train, train.len());
    assert_eq!(refit.report.n_test, test.len());
    let fitted = Standardizer::fit(&train);
    assert_eq!(
        refit.network.standardizer.mean, fitted.mean,
        "standardized with the training split's statistics"
    );
    assert_eq!(refit.network.standardizer.std, fitted.std);
    assert_eq!(refit.report.train_accuracy, refit.network.accuracy(&train));
    assert!(refit.report.certificate.passed);
    assert_eq!(refit.report.settings.solver.time_limit, sel.plan.refit_seconds);
    // Baselines: at the MILP network's zero weights, trained on the
    // training split alone (the same networks without the test set).
    let b = o.baselines.as_ref().expect("baselines");
    assert_eq!(b.milp.zero_weights, b.at_equal_sparsity[0].zero_weights);
    for e in &b.at_equal_sparsity {
        assert_eq!(e.zero_weights, b.milp.zero_weights, "{}", e.method);
        assert_eq!(e.weight_sparsity, e.zero_weights as f64 / e.weights as f64);
    }
    for e in &b.at_equal_params_kept {
        assert_eq!(e.zero_weights, b.equal_params_zero_weights, "{}", e.method);
    }
    let setting = sel.chosen_setting.as_ref().unwrap();
    let again = train_baselines(&train, setting, &s.gradient, &refit.network, 2);
    let without_test = compare(&refit.network, &setting.hidden, &again, &train, None);
    for (x, y) in b.at_equal_sparsity.iter().zip(&without_test.at_equal_sparsity) {
        assert_eq!((x.train_accuracy, x.zero_weights), (y.train_accuracy, y.zero_weights));
        assert_eq!(y.test_accuracy, None);
    }
    // The report: the run's fields, the selection and the baselines.
    let report = serde_json::to_value(o.report().unwrap()).unwrap();
    for key in ["certificate", "settings", "selection", "baselines", "test_accuracy"] {
        assert!(report.get(key).is_some(), "report lacks {key}");
    }
    assert_eq!(report["selection"]["chosen"], 1);
}

/// Raises the interrupt when the first run finishes.
struct InterruptAfterFirst {
    flag: InterruptFlag,
    finished: AtomicUsize,
}

impl SelectObserver for InterruptAfterFirst {
    fn run_finished(&self, _id: &RunId, _run: &mipnet_select::FoldRun) {
        self.finished.fetch_add(1, Ordering::SeqCst);
        self.flag.raise();
    }
}

#[test]
fn an_interrupt_keeps_the_finished_runs_and_refits_nothing() {
    let (train, test) = iris();
    let s = base(16.0);
    let flag = InterruptFlag::new();
    let observer = InterruptAfterFirst {
        flag: flag.clone(),
        finished: AtomicUsize::new(0),
    };
    let o = run(&train, &test, &s, &observer, &flag);
    let sel = &o.selection;
    assert!(sel.interrupted);
    assert!(o.refit.is_none() && o.baselines.is_none());
    let finished: Vec<_> = sel.runs.iter().filter(|r| r.status == FoldStatus::Finished).collect();
    assert!(!finished.is_empty(), "{:?}", sel.runs);
    assert!(finished.iter().all(|r| r.validation_accuracy.is_some()));
    // The runs not yet started when it came did not run.
    assert_eq!(sel.runs.last().unwrap().status, FoldStatus::NotRun);
    assert!(sel.table.iter().map(|r| r.folds_finished).sum::<usize>() >= 1);
    // Setting 0's runs come first: at most one fold of setting 1 finished.
    assert!(sel.chosen.is_none() || sel.table[sel.chosen.unwrap()].folds_finished == FOLDS);
}
