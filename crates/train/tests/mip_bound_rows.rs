//! The lower bounds handed to the full MIP (objective floor, output-pair
//! rows) change neither the optimum nor its certificate: a tiny problem
//! solved to optimality (zero gap) gives the same objective with and
//! without them, and the report names the proof's method honestly.

use mipnet_data::Dataset;
use mipnet_highs::HighsSolver;
use mipnet_train::{
    best_bound, mip_floor, train, Job, Silent, TrainReport, TrainSettings, MIP_METHOD, MIP_OWN_BOUND_MARGIN,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn toy_data(seed: u64, n: usize, d: usize, k: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n * d).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let y: Vec<usize> = (0..n).map(|i| i % k).collect();
    Dataset::new(
        "toy",
        (0..d).map(|i| format!("f{i}")).collect(),
        (0..k).map(|c| format!("c{c}")).collect(),
        x,
        y,
    )
}

fn solved(data: &Dataset, lower_bounds: bool) -> TrainReport {
    solved_with(data, lower_bounds, true, false)
}

fn solved_with(data: &Dataset, lower_bounds: bool, bound_rows: bool, cuts: bool) -> TrainReport {
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![2];
    settings.formulation.l1 = 0.05;
    settings.gradient.epochs = 200;
    settings.stages.finetune_epochs = 100;
    settings.stages.gradient_starts = 1;
    settings.stages.lns_share = 0.0;
    settings.stages.lower_bounds = lower_bounds;
    settings.stages.bound_rows = bound_rows;
    settings.stages.lipschitz_cuts = cuts;
    settings.solver.time_limit = 30.0;
    settings.solver.gap = Some(0.0);
    settings.solver.threads = Some(1);
    let job = Job {
        dataset: "toy".into(),
        train: data,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    train(&job, &mut Silent::default(), None).expect("a network").report
}

#[test]
fn the_bound_rows_keep_the_certified_optimum() {
    for seed in [3u64, 4] {
        let data = toy_data(seed, 10, 2, 2);
        let plain = solved(&data, false);
        let with_rows = solved(&data, true);
        for r in [&plain, &with_rows] {
            assert_eq!(r.status, "optimal", "seed {seed}: not solved to optimality");
            assert!(r.certificate.passed);
        }
        assert!(
            (plain.objective - with_rows.objective).abs() <= 1e-7 * plain.objective.max(1.0),
            "seed {seed}: optimum {} without the rows, {} with them",
            plain.objective,
            with_rows.objective
        );
        // Solved to optimality, the MIP's bound is the optimum, above every
        // method's: the proof is the MIP's own, and the methods' bounds, the
        // floor it was given, stay below it.
        let best_method = with_rows
            .lower_bounds
            .iter()
            .filter_map(|m| m.bound)
            .fold(0.0f64, f64::max);
        assert!(best_method > 0.0, "seed {seed}: {:?}", with_rows.lower_bounds);
        assert!(best_method <= with_rows.objective + 1e-9);
        let mip = with_rows.mip_dual_bound.expect("the MIP's bound");
        assert!(
            mip >= best_method - 1e-6,
            "seed {seed}: the MIP's bound {mip} below its floor {best_method}"
        );
        let (_, own) = best_bound(&with_rows.lower_bounds, Some(mip)).unwrap();
        if own == MIP_METHOD {
            assert_eq!(with_rows.bound_method.as_deref(), Some(MIP_METHOD));
        } else {
            // The MIP's bound is the floor passed through: not its proof.
            assert_ne!(with_rows.bound_method.as_deref(), Some(MIP_METHOD));
        }
    }
}

/// The rows go in when the full MIP starts, after the cut loop: its root LP
/// bounds are the MILP's own, the same with and without the rows, and the
/// report says which floor and how many pair rows the MIP was given.
#[test]
fn the_cut_loop_sees_the_milp_alone_and_the_report_names_the_floor() {
    let data = toy_data(3, 10, 2, 2);
    let with_rows = solved_with(&data, true, true, true);
    let without = solved_with(&data, true, false, true);
    let best_method = with_rows
        .lower_bounds
        .iter()
        .filter_map(|m| m.bound)
        .fold(0.0f64, f64::max);
    assert!(best_method > 0.0, "{:?}", with_rows.lower_bounds);
    assert_eq!(mip_floor(&with_rows.lower_bounds), Some(best_method));
    let pair_rows: usize = with_rows
        .lower_bounds
        .iter()
        .filter_map(|m| m.given_to_mip.as_ref())
        .map(|g| g.pair_rows)
        .sum();
    assert!(pair_rows > 0, "{:?}", with_rows.lower_bounds);
    assert!(
        without.lower_bounds.iter().all(|m| m.given_to_mip.is_none()),
        "--no-bound-rows gave the MIP rows: {:?}",
        without.lower_bounds
    );
    assert_eq!(mip_floor(&without.lower_bounds), None);
    let (a, b) = (
        with_rows.cuts.expect("the cut loop"),
        without.cuts.expect("the cut loop"),
    );
    let before = a.root_bound_before.expect("a root LP bound");
    assert!(
        before < best_method - MIP_OWN_BOUND_MARGIN * best_method.max(1.0),
        "the cut loop's root LP bound {before} is the floor {best_method}"
    );
    assert_eq!(a.root_bound_before, b.root_bound_before);
    assert_eq!(a.root_bound_after, b.root_bound_after);
}
