//! The rows that hand the certified bounds to the MIP
//! (`DenseFormulation::add_objective_floor`, `add_output_pair_rows`) never
//! cut off the optimum of tiny training problems solved exactly, and the
//! floor row does constrain: with a floor above the optimum, the best
//! network left scores at least the floor.

mod support;
use support::{one_thread, proven_optimum, toy_data};

use mipnet_bounds::{LipschitzMargin, LipschitzMarginSettings, PathNorm, PathNormSettings};
use mipnet_data::Dataset;
use mipnet_formulate::{DenseFormulation, FormulationSettings, Loss};
use mipnet_highs::HighsSolver;
use mipnet_milp::Model;
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};

/// HiGHS on `model` with zero gap tolerances: its status and objective.
fn solve_exactly(model: &Model) -> (Status, Option<f64>) {
    let opts = SolveOptions {
        threads: Some(1),
        relative_gap: Some(0.0),
        absolute_gap: Some(0.0),
        ..Default::default()
    };
    let r = HighsSolver
        .solve(SolveRequest::new(model, &opts), &mut NoObserver)
        .unwrap();
    (r.status, r.objective)
}

/// The best certified bound of both methods (each where it applies).
fn best_bound(data: &Dataset, s: &FormulationSettings) -> f64 {
    let lipschitz = LipschitzMargin::new(data, s)
        .unwrap()
        .solve(&HighsSolver, &one_thread(), &LipschitzMarginSettings::default())
        .unwrap()
        .value;
    let path = PathNorm::new(data, s).ok().map(|m| {
        m.solve(
            &HighsSolver,
            &one_thread(),
            &PathNormSettings {
                seconds: 3.0,
                ..Default::default()
            },
        )
        .unwrap()
        .value
    });
    lipschitz.max(path.unwrap_or(0.0))
}

fn all_pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect()
}

#[test]
fn the_floor_and_the_pair_rows_never_cut_off_the_optimum() {
    // (seed, samples, features, classes, settings): widths 1–3, 2–3
    // classes, the three losses, two layers (Λ multiplies through them).
    let cases: Vec<(u64, usize, usize, usize, FormulationSettings)> = vec![
        (
            1,
            6,
            2,
            2,
            FormulationSettings {
                hidden: vec![1],
                l1: 0.05,
                ..Default::default()
            },
        ),
        (
            2,
            5,
            2,
            3,
            FormulationSettings {
                hidden: vec![2],
                l1: 0.05,
                ..Default::default()
            },
        ),
        (
            3,
            7,
            1,
            2,
            FormulationSettings {
                hidden: vec![3],
                l1: 0.1,
                omega: 0.5,
                ..Default::default()
            },
        ),
        (
            4,
            6,
            2,
            2,
            FormulationSettings {
                hidden: vec![2],
                l1: 0.05,
                loss: Loss::L1,
                ..Default::default()
            },
        ),
        (
            5,
            5,
            2,
            2,
            FormulationSettings {
                hidden: vec![1, 1],
                l1: 0.05,
                ..Default::default()
            },
        ),
    ];
    for (seed, n, d, k, s) in cases {
        let clock = std::time::Instant::now();
        let data = toy_data(seed, n, d, k);
        let optimum = proven_optimum(&data, &s);
        let floor = best_bound(&data, &s);
        assert!(floor <= optimum + 1e-9, "case {seed}: bound {floor} above {optimum}");
        let lipschitz = LipschitzMargin::new(&data, &s).unwrap().lipschitz_constant();
        let mut f = DenseFormulation::build(&data, &s).unwrap();
        let rows = f.model.num_rows();
        f.add_objective_floor(floor);
        let pair_rows = f.add_output_pair_rows(&all_pairs(n), lipschitz);
        assert_eq!(
            pair_rows,
            n * (n - 1) / 2 * 2 * k,
            "case {seed}: both directions, every class"
        );
        assert_eq!(f.model.num_rows(), rows + 1 + pair_rows);
        let (status, value) = solve_exactly(&f.model);
        assert_eq!(status, Status::Optimal, "case {seed}");
        let value = value.unwrap();
        assert!(
            (value - optimum).abs() <= 1e-7 * optimum.abs().max(1.0),
            "case {seed}: optimum {optimum} without the rows, {value} with them (floor {floor})"
        );
        eprintln!("case {seed}: {:.1} s", clock.elapsed().as_secs_f64());
    }
}

#[test]
fn a_floor_above_the_optimum_cuts_off_every_better_network() {
    let data = toy_data(7, 6, 2, 2);
    let s = FormulationSettings {
        hidden: vec![2],
        l1: 0.05,
        ..Default::default()
    };
    let optimum = proven_optimum(&data, &s);
    let mut f = DenseFormulation::build(&data, &s).unwrap();
    let floor = optimum * 1.01 + 1e-3;
    f.add_objective_floor(floor);
    let (status, value) = solve_exactly(&f.model);
    assert_eq!(status, Status::Optimal);
    let value = value.unwrap();
    // At the floor (less its slack and HiGHS's tolerances), far above the
    // optimum.
    assert!(
        value >= floor - 1e-6 && value > optimum + 0.5 * (floor - optimum),
        "{value}: the floor {floor} (optimum {optimum}) did not bind"
    );
}

#[test]
fn output_pair_rows_need_the_l1_auxiliaries_and_a_finite_constant() {
    let data = toy_data(8, 5, 2, 2);
    let without_l1 = FormulationSettings {
        hidden: vec![2],
        l1: 0.0,
        ..Default::default()
    };
    let mut f = DenseFormulation::build(&data, &without_l1).unwrap();
    assert_eq!(
        f.add_output_pair_rows(&all_pairs(5), 1.0),
        0,
        "no ℓ1 auxiliaries at α = 0"
    );
    let s = FormulationSettings {
        hidden: vec![2],
        l1: 0.05,
        ..Default::default()
    };
    let mut f = DenseFormulation::build(&data, &s).unwrap();
    assert_eq!(f.add_output_pair_rows(&all_pairs(5), f64::NAN), 0);
    assert_eq!(f.add_output_pair_rows(&all_pairs(5), 0.0), 0);
}
