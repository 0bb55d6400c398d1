//! Helpers shared by the bounds tests: solve options, toy data, and the
//! proven optimum of a tiny training MILP.

use mipnet_data::Dataset;
use mipnet_formulate::{DenseFormulation, FormulationSettings};
use mipnet_highs::HighsSolver;
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn one_thread() -> SolveOptions {
    SolveOptions {
        threads: Some(1),
        ..Default::default()
    }
}

pub fn toy_data(seed: u64, n: usize, d: usize, k: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n * d).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let y: Vec<usize> = (0..n).map(|i| (i + seed as usize) % k).collect();
    Dataset::new(
        "toy",
        (0..d).map(|i| format!("f{i}")).collect(),
        (0..k).map(|c| format!("c{c}")).collect(),
        x,
        y,
    )
}

/// HiGHS on the whole training MILP with zero gap tolerances.
pub fn proven_optimum(data: &Dataset, s: &FormulationSettings) -> f64 {
    let f = DenseFormulation::build(data, s).unwrap();
    let opts = SolveOptions {
        threads: Some(1),
        relative_gap: Some(0.0),
        absolute_gap: Some(0.0),
        ..Default::default()
    };
    let r = HighsSolver
        .solve(SolveRequest::new(&f.model, &opts), &mut NoObserver)
        .unwrap();
    assert_eq!(r.status, Status::Optimal);
    r.objective.unwrap()
}
