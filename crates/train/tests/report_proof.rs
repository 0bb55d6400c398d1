//! What the report proves and counts: the proven lower bound (the best of
//! the bound methods and the MIP's own, never above the returned network's
//! objective, exactly the MIP's when the methods are off) and the neurons
//! that affect an output.

use mipnet_data::Bundled;
use mipnet_highs::HighsSolver;
use mipnet_train::{best_bound, train, Job, Silent, TrainSettings};

fn iris_run(lower_bounds: bool) -> mipnet_train::TrainReport {
    let all = Bundled::Iris.load();
    let (train_set, _) = all.split_stratified(0.25, 0).unwrap();
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![4];
    settings.solver.time_limit = 8.0;
    settings.solver.threads = Some(1);
    settings.stages.lower_bounds = lower_bounds;
    let job = Job {
        dataset: "iris".into(),
        train: &train_set,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    train(&job, &mut Silent::default(), None).expect("a network").report
}

#[test]
fn the_reported_bound_is_the_best_proven_one_and_below_the_objective() {
    let r = iris_run(true);
    let bound = r.dual_bound.expect("a bound");
    assert!(
        bound <= r.objective,
        "bound {bound} above the objective {}",
        r.objective
    );
    let methods: Vec<&str> = r.lower_bounds.iter().map(|m| m.method.as_str()).collect();
    assert_eq!(methods, ["lipschitz-margin", "path-norm", "unit-columns"]);
    let lipschitz = r.lower_bounds[0]
        .bound
        .unwrap_or_else(|| panic!("no Lipschitz-margin bound on Iris: {:?}", r.lower_bounds));
    assert!(lipschitz > 0.0);
    // Each method with a bound says how many rounds it ran: one LP for the
    // Lipschitz margin, column generation for the others (whose notes
    // count the unit columns' rounds too).
    assert_eq!(r.lower_bounds[0].rounds, Some(1));
    for m in &r.lower_bounds {
        assert_eq!(m.rounds.is_some(), m.bound.is_some(), "{m:?}");
        assert!(m.rounds.is_none_or(|n| n >= 1), "{m:?}");
    }
    let units = &r.lower_bounds[2];
    if let Some(n) = units.rounds {
        assert!(units.note.contains(&format!("{n} rounds")), "{units:?}");
    }
    // The reported bound is the highest of all (the MIP's only above the
    // methods' floor by the margin), and names its method.
    let (best, method) = best_bound(&r.lower_bounds, r.mip_dual_bound).unwrap();
    assert_eq!(bound, best);
    assert_eq!(r.bound_method.as_deref(), Some(method.as_str()));
    let highest_method = r.lower_bounds.iter().filter_map(|m| m.bound).fold(f64::MIN, f64::max);
    assert!(bound >= highest_method);
    assert!(
        r.bound_summary.contains("no network of this architecture scores below"),
        "{}",
        r.bound_summary
    );
    let gap = r.mip_gap.unwrap();
    assert!((gap - (r.objective - bound) / r.objective).abs() < 1e-12);
}

#[test]
fn without_the_methods_the_bound_is_the_mips_own() {
    let r = iris_run(false);
    assert!(r.lower_bounds.is_empty());
    assert_eq!(r.dual_bound, r.mip_dual_bound);
}

#[test]
fn the_report_counts_the_neurons_that_affect_an_output() {
    let r = iris_run(false);
    assert_eq!(r.neurons_effective.len(), r.neurons_kept.len());
    for (effective, kept) in r.neurons_effective.iter().zip(&r.neurons_kept) {
        assert!(
            effective <= kept,
            "{:?} against {:?}",
            r.neurons_effective,
            r.neurons_kept
        );
    }
}
