//! Planted rows and results for the tables' and medians' tests.

use crate::instance::RunRow;
use crate::run::{BenchResult, BENCH_FORMAT_VERSION};
use crate::summary::summarize;
use crate::Suite;
use mipnet_gradient::pruning::PruningSettings;
use mipnet_select::{BaselineComparison, BaselineEntry, Setting};

fn entry(method: &str, test_accuracy: f64) -> BaselineEntry {
    BaselineEntry {
        method: method.into(),
        train_accuracy: 1.0,
        test_accuracy: Some(test_accuracy),
        weight_sparsity: 0.5,
        zero_weights: 28,
        weights: 56,
        params_kept: 30,
        lambda: None,
        topped_up: None,
    }
}

/// A finished Iris-like row: `test_accuracy` for mipnet, 0.25 less for
/// one-shot pruning, the same for the others; half the weights zero.
pub fn row(dataset: &str, split_seed: u64, seed: u64, test_accuracy: f64, objective: f64) -> RunRow {
    let pruned = |m: &str, a: f64| entry(m, a);
    let methods = [
        ("one-shot magnitude + fine-tune", test_accuracy - 0.25),
        ("iterative magnitude + rewind", test_accuracy),
        ("ℓ1 proximal", test_accuracy),
    ];
    RunRow {
        split_seed,
        dataset: dataset.into(),
        arch: "dense 8 > dense 3".into(),
        seed,
        interrupted: false,
        n_train: 112,
        n_test: 38,
        test_accuracy: Some(test_accuracy),
        train_accuracy: 0.99,
        weight_sparsity: 0.5,
        params_kept: 30,
        params_total: 67,
        objective,
        polished_objective: Some(0.3),
        searched_objective: Some(0.25),
        dual_bound: Some(0.01),
        mip_dual_bound: Some(0.005),
        mip_floor: Some(0.01),
        mip_gap: Some(0.9),
        mip_alongside_search: false,
        train_seconds: 12.0,
        cv_seconds: None,
        certified: true,
        report_baseline_test_accuracy: Some(0.94),
        report_baseline_weight_sparsity: 0.0,
        selected: None,
        selection: None,
        baselines: Some(BaselineComparison {
            hidden: vec![8],
            settings: PruningSettings::new(Default::default()),
            milp: entry("mipnet (MILP)", test_accuracy),
            dense: entry("dense gradient", 0.9),
            at_equal_sparsity: methods.iter().map(|(m, a)| pruned(m, *a)).collect(),
            equal_params_zero_weights: 28,
            at_equal_params_kept: methods.iter().map(|(m, a)| pruned(m, *a)).collect(),
        }),
        report: 0,
    }
}

/// A row of a run that selected α = `l1`.
pub fn selected_row(dataset: &str, split_seed: u64, l1: f64) -> RunRow {
    let mut r = row(dataset, split_seed, 0, 0.75, 0.2);
    r.selected = Some(Setting {
        l1,
        hidden: vec![8],
        margin: 1.0,
        grid_levels: 1,
        loss: Default::default(),
    });
    r.cv_seconds = Some(30.0);
    r
}

/// The quick dense suite's result of `rows` over `cases` and `split_seeds`.
pub fn bench(rows: Vec<RunRow>, cases: &[&str], split_seeds: &[u64]) -> BenchResult {
    let mut suite = Suite::named("dense", true).unwrap();
    suite.split_seeds = split_seeds.to_vec();
    let cases: Vec<String> = cases.iter().map(|c| c.to_string()).collect();
    let (summaries, over_splits) = summarize(&rows, &cases, split_seeds);
    BenchResult {
        format_version: BENCH_FORMAT_VERSION,
        suite,
        rows,
        summaries,
        over_splits,
        reports: Vec::new(),
        ablations: Vec::new(),
        interrupted: false,
        solver: "HiGHS".into(),
        mipnet_version: "0",
    }
}
