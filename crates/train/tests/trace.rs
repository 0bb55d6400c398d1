//! The run's trace (`report.json`'s `trace`): the best certified objective
//! never rises and the proven bound never falls along it, it ends at the
//! report's objective and bound, and its times lie within the run.

use mipnet_data::Bundled;
use mipnet_highs::HighsSolver;
use mipnet_train::{train, Job, Silent, TrainSettings};

#[test]
fn the_trace_is_monotone_and_ends_at_the_reported_objective_and_bound() {
    let all = Bundled::Iris.load();
    let (train_set, _) = all.split_stratified(0.25, 0).unwrap();
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![4];
    settings.solver.time_limit = 8.0;
    settings.solver.threads = Some(1);
    let job = Job {
        dataset: "iris".into(),
        train: &train_set,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    let r = train(&job, &mut Silent::default(), None).expect("a network").report;
    let t = &r.trace;
    assert!(t.len() >= 2, "{t:?}");
    for w in t.windows(2) {
        assert!(w[0].seconds <= w[1].seconds, "{w:?}");
        if let (Some(a), Some(b)) = (w[0].incumbent, w[1].incumbent) {
            assert!(b <= a, "the incumbent rose: {w:?}");
        }
        if let Some(a) = w[0].bound {
            assert!(w[1].bound.is_some_and(|b| b >= a), "the bound fell: {w:?}");
        }
        assert!(w[0].incumbent.is_none() || w[1].incumbent.is_some(), "{w:?}");
    }
    let last = t.last().unwrap();
    assert_eq!(last.incumbent, Some(r.objective));
    assert_eq!(last.bound, r.dual_bound);
    assert!(last.seconds <= r.total_seconds);
    // Every bound of the trace is one the report proves, never above the
    // objective of a network found by then.
    for p in t {
        if let (Some(b), Some(o)) = (p.bound, p.incumbent) {
            assert!(b <= o, "{p:?}");
        }
    }
    let steps = [
        "gradient",
        "projection",
        "finetune",
        "polish",
        "search",
        "flip",
        "lns",
        "mip",
    ];
    let methods = ["lipschitz-margin", "path-norm", "unit-columns", "highs-mip"];
    assert!(
        t.iter()
            .all(|p| steps.contains(&p.stage.as_str()) || methods.contains(&p.stage.as_str())),
        "{t:?}"
    );
}
