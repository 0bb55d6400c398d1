//! Branch-and-price after the run (`stages.prove_seconds`): its bound joins
//! the report's methods, stays below the returned network's objective, and
//! where the tree finishes on a network the MIP proved optimal it reaches
//! that optimum; an architecture it does not cover is reported by name.

use mipnet_data::{Bundled, Dataset};
use mipnet_highs::HighsSolver;
use mipnet_train::{best_bound, stage_names, train, Job, Silent, StageName, TrainReport, TrainSettings};

/// A finished tree reaches the optimum within its nodes' convergence
/// tolerance (1e-4 of the master's value) and the pricing MILPs' gaps:
/// ten times that, plus the MIP's own relative gap (1e-4).
const CLOSED_SHORTFALL: f64 = 1.2e-3;

fn run(train_set: &Dataset, settings: &TrainSettings) -> TrainReport {
    let job = Job {
        dataset: "iris".into(),
        train: train_set,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    train(&job, &mut Silent::default(), None).expect("a network").report
}

fn small_iris() -> Dataset {
    let all = Bundled::Iris.load();
    let (train_set, _) = all.split_stratified(0.25, 0).unwrap();
    train_set.balanced_subset(5, 0).unwrap()
}

#[test]
fn the_tree_proves_the_returned_network_on_a_small_problem() {
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![2];
    settings.solver.time_limit = 10.0;
    settings.solver.threads = Some(1);
    settings.stages.prove_seconds = 60.0;
    assert_eq!(stage_names(&settings).last(), Some(&StageName::BranchAndPrice));
    let r = run(&small_iris(), &settings);
    let tree = r.lower_bounds.last().expect("a branch-and-price report");
    assert_eq!(tree.method, "branch-and-price");
    let bound = tree.bound.unwrap_or_else(|| panic!("no bound: {tree:?}"));
    assert!(
        bound <= r.objective,
        "bound {bound} above the objective {}",
        r.objective
    );
    assert!(tree.note.contains("tree finished"), "{tree:?}");
    assert!(tree.rounds.is_some_and(|n| n >= 1), "{tree:?}");
    if r.status == "optimal" {
        assert!(
            bound >= r.objective * (1.0 - CLOSED_SHORTFALL),
            "the finished tree ends at {bound}, below the proven optimum {}",
            r.objective
        );
    }
    let (best, method) = best_bound(&r.lower_bounds, r.mip_dual_bound).unwrap();
    assert_eq!(r.dual_bound, Some(best));
    assert_eq!(r.bound_method.as_deref(), Some(method.as_str()));
    assert!(best >= bound);
}

#[test]
fn an_architecture_the_tree_does_not_cover_is_named() {
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![2, 2];
    settings.solver.time_limit = 4.0;
    settings.solver.threads = Some(1);
    settings.stages.lower_bounds = false;
    settings.stages.prove_seconds = 5.0;
    let r = run(&small_iris(), &settings);
    assert_eq!(r.lower_bounds.len(), 1, "{:?}", r.lower_bounds);
    let tree = &r.lower_bounds[0];
    assert_eq!(tree.method, "branch-and-price");
    assert_eq!(tree.bound, None);
    assert!(
        tree.note.contains("no bound method applies") && tree.note.contains("2 hidden layers"),
        "{tree:?}"
    );
    settings.stages.prove_seconds = 0.0;
    assert!(!stage_names(&settings).contains(&StageName::BranchAndPrice));
}
