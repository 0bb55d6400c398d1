//! Helpers shared by the formulation tests (and the `dump_models`
//! example): data with exact zeros, a convolution by its numbers, a
//! network from its layers, the check that a feasible network evaluates in
//! the MILP as its forward pass, and solving a model to proven optimality.

// Each test crate (and the example) uses a part of these.
#![allow(dead_code)]

use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{sort_neurons, DenseFormulation, FormulationSettings, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_network::{ConvSpec, Layer, Network, Pool, PoolKind, FORMAT_VERSION};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` samples of `d` features in [−1.5, 1.5), each exactly 0 with
/// probability `zeros` (as in images; a 0 has no term in a layer-1 row);
/// labels 0, 1, …, K−1 in turn.
pub fn data_with_zeros(seed: u64, n: usize, d: usize, k: usize, zeros: f64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n * d)
        .map(|_| {
            if rng.gen_bool(zeros) {
                0.0
            } else {
                rng.gen_range(-1.5..1.5)
            }
        })
        .collect();
    Dataset::new(
        "zeros",
        (0..d).map(|i| format!("f{i}")).collect(),
        (0..k).map(|c| format!("c{c}")).collect(),
        x,
        (0..n).map(|i| i % k).collect(),
    )
}

/// A convolution of `channels` filters `kernel`×`kernel` over a square
/// image, with pooling (kind, size, stride) when given.
pub fn conv_spec(
    channels: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    pool: Option<(PoolKind, usize, usize)>,
) -> ConvSpec {
    ConvSpec {
        channels,
        kernel,
        stride,
        padding,
        pool: pool.map(|(kind, size, stride)| Pool { kind, size, stride }),
        image: None,
    }
}

/// One thread and zero gaps: the solver proves the optimum, and its path
/// (hence its solution) is the same every run.
pub fn exact_options() -> SolveOptions {
    SolveOptions {
        threads: Some(1),
        relative_gap: Some(0.0),
        absolute_gap: Some(0.0),
        ..Default::default()
    }
}

/// A network over `d` standardized features and `k` classes, its dense
/// hidden neurons in symmetric order when `s` breaks symmetry.
pub fn network(d: usize, k: usize, layers: Vec<Layer>, s: &FormulationSettings) -> Network {
    let mut net = Network {
        format_version: FORMAT_VERSION,
        feature_names: (0..d).map(|i| format!("f{i}")).collect(),
        class_names: (0..k).map(|c| format!("c{c}")).collect(),
        standardizer: Standardizer::identity(d),
        layers,
        settings: serde_json::Value::Null,
    };
    if s.symmetry_breaking {
        sort_neurons(&mut net);
    }
    net
}

/// A network in the MILP's feasible set gives a feasible point whose
/// objective is the forward pass's, reads back as itself and passes the
/// certificate. Returns the point.
pub fn assert_evaluates_as_forward(f: &DenseFormulation, net: &Network, what: &str) -> Vec<f64> {
    let tol = Tolerances::default();
    let x = f.start_values(net).unwrap_or_else(|e| panic!("{what}: {e}"));
    let eval = f.model.evaluate(&x, 1e-9);
    assert!(eval.is_feasible(), "{what}: {eval:?}");
    let forward = f.objective_of(net);
    assert!(
        (eval.objective - forward).abs() < 1e-9,
        "{what}: MILP {} forward {forward}",
        eval.objective
    );
    let back = f.network_from(&x, &net.standardizer, &tol);
    assert_eq!(back.layers, net.layers, "{what}");
    let cert = f.certify(&x, &back, &tol);
    assert!(cert.passed, "{what}: {cert:?}");
    x
}

/// HiGHS on the whole model with zero gap tolerances: (optimum, solution).
pub fn solve_to_optimality(f: &DenseFormulation) -> (f64, Vec<f64>) {
    let r = HighsSolver
        .solve(SolveRequest::new(&f.model, &exact_options()), &mut NoObserver)
        .unwrap();
    assert_eq!(r.status, Status::Optimal);
    (r.objective.unwrap(), r.solution.unwrap())
}

/// The optimum of `s` on `data` with symmetry breaking on equals the one
/// with it off (for neuron and filter pruning alike): `what` names the case.
pub fn assert_symmetry_breaking_keeps_the_optimum(data: &mipnet_data::Dataset, s: &FormulationSettings, what: &str) {
    let solve = |on: bool| {
        let s = FormulationSettings {
            symmetry_breaking: on,
            ..s.clone()
        };
        solve_to_optimality(&DenseFormulation::build(data, &s).unwrap()).0
    };
    let (without, with) = (solve(false), solve(true));
    assert!((with - without).abs() < 1e-6, "{what}: {with} vs {without}");
}
