//! Helpers shared by the formulation tests: a network from its layers, the
//! check that a feasible network evaluates in the MILP as its forward pass,
//! and solving a model to proven optimality.

use mipnet_data::Standardizer;
use mipnet_formulate::{sort_neurons, DenseFormulation, FormulationSettings, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_network::{Layer, Network, FORMAT_VERSION};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};

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
