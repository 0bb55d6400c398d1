//! The convolution formulation against independent computations: random
//! feasible convolutional networks (max and average pooling, padding,
//! stride, filter pruning) evaluate in the MILP exactly as their forward
//! pass says; tiny convolutional instances solved by HiGHS reach the
//! optimum of an exhaustive search over the binaries (LP bounds prune
//! only what cannot be better); the polish LP of a feasible pattern gives
//! a network at least as good that passes the certificate.

mod common;

use common::{
    assert_evaluates_as_forward, assert_symmetry_breaking_keeps_the_optimum, data_with_zeros, network,
    solve_to_optimality,
};
use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{DenseFormulation, FormulationSettings, Loss, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_milp::{Model, VarType};
use mipnet_network::{Conv, ConvSpec, Grid, Layer, Network, PoolKind};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Images with exact zeros, as real images have.
fn images(seed: u64, n: usize, d: usize, k: usize) -> Dataset {
    data_with_zeros(seed, n, d, k, 0.2)
}

use common::conv_spec as conv;

/// A random network in the MILP's feasible set for `s` (with a convolution).
fn random_conv_network(rng: &mut ChaCha8Rng, d: usize, k: usize, s: &FormulationSettings) -> Network {
    let spec = s.conv.expect("a convolution");
    let shape = spec.shape(d).unwrap();
    let kept: Vec<bool> = (0..shape.channels)
        .map(|_| !(s.prune_neurons && rng.gen_bool(0.3)))
        .collect();
    let per = shape.params() / shape.channels;
    let filters = (0..shape.params())
        .map(|p| {
            if !kept[p / per] || rng.gen_bool(0.25) {
                0.0
            } else {
                rng.gen_range(-s.omega..s.omega)
            }
        })
        .collect();
    let bias: Vec<f64> = kept
        .iter()
        .map(|&k| if k { rng.gen_range(-s.omega..s.omega) } else { 0.0 })
        .collect();
    let mut first = Layer::convolution(Conv { shape, filters }, &bias, spec.pool);
    for (j, kp) in first.kept.iter_mut().enumerate() {
        *kp = kept[shape.channel_of(j)];
    }
    let mut inp = first.output_len();
    let per_input = inp / shape.channels;
    let mut layers = vec![first];
    let widths: Vec<usize> = s.hidden.iter().copied().chain([k]).collect();
    for (l, &out) in widths.iter().enumerate() {
        let p = s.grid_levels as i32;
        let weights = (0..out)
            .map(|_| {
                (0..inp)
                    .map(|j| {
                        let dead = l == 0 && !kept[j / per_input];
                        if dead || rng.gen_bool(0.25) {
                            0.0
                        } else {
                            s.grid_step * rng.gen_range(-p..=p) as f64
                        }
                    })
                    .collect()
            })
            .collect();
        layers.push(Layer {
            weights,
            bias: (0..out).map(|_| rng.gen_range(-s.omega..s.omega)).collect(),
            kept: vec![true; out],
            relu: l + 1 < widths.len(),
            identity: false,
            grid: Some(Grid {
                step: s.grid_step,
                levels: s.grid_levels,
            }),
            conv: None,
            pool: None,
        });
        inp = out;
    }
    // Dense hidden neurons in symmetric order (filters keep theirs).
    network(d, k, layers, s)
}

fn variants() -> Vec<FormulationSettings> {
    let base = FormulationSettings {
        conv: Some(conv(2, 3, 1, 0, Some((PoolKind::Max, 2, 2)))),
        hidden: vec![],
        ..Default::default()
    };
    vec![
        base.clone(),
        FormulationSettings {
            conv: Some(conv(2, 2, 1, 0, Some((PoolKind::Average, 2, 1)))),
            loss: Loss::L1,
            l2: 0.05,
            grid_levels: 2,
            grid_step: 0.5,
            ..base.clone()
        },
        FormulationSettings {
            conv: Some(conv(3, 3, 2, 1, None)),
            hidden: vec![2],
            prune_neurons: true,
            neuron_penalty: 0.02,
            loss: Loss::Misclassification,
            l0: 0.01,
            ..base.clone()
        },
        FormulationSettings {
            conv: Some(conv(2, 3, 1, 1, Some((PoolKind::Max, 2, 2)))),
            hidden: vec![3],
            prune_neurons: true,
            neuron_penalty: 0.01,
            omega: 2.0,
            ..base.clone()
        },
    ]
}

#[test]
fn random_convolutional_networks_evaluate_as_their_forward_pass() {
    let data = images(1, 8, 25, 3);
    let tol = Tolerances::default();
    for (vi, s) in variants().into_iter().enumerate() {
        let f = DenseFormulation::build(&data, &s).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(vi as u64);
        for trial in 0..15 {
            let net = random_conv_network(&mut rng, 25, 3, &s);
            net.check().unwrap();
            let x = assert_evaluates_as_forward(&f, &net, &format!("variant {vi} trial {trial}"));
            let forward = f.objective_of(&net);
            // The polish LP of this pattern: optimal, no worse, certified.
            let lp = f.polish_lp(&x);
            let r = HighsSolver
                .solve(SolveRequest::new(&lp.model, &SolveOptions::default()), &mut NoObserver)
                .unwrap();
            assert_eq!(r.status, Status::Optimal, "variant {vi} trial {trial}");
            let y = r.solution.unwrap();
            let polished = f.network_from_polish(&lp, &y, &x, &net.standardizer, &tol);
            let px = f.start_values(&polished).unwrap();
            let cert = f.certify(&px, &polished, &tol);
            assert!(cert.passed, "variant {vi} trial {trial}: polished {cert:?}");
            assert!(f.objective_of(&polished) <= forward + 1e-7);
        }
    }
}

/// The optimum by exhaustive search over the integral columns: depth-first,
/// each node's LP (remaining binaries relaxed) prunes the subtree only when
/// infeasible or no better than `incumbent` or the best leaf found. With the
/// MILP's optimum as `incumbent`, it returns that value exactly when no
/// assignment of the binaries does better.
fn exhaustive_optimum(model: &Model, incumbent: f64) -> f64 {
    let ints: Vec<_> = (0..model.num_cols())
        .filter(|&j| model.col_types()[j].is_integral())
        .map(mipnet_milp::Col::from_index)
        .collect();
    let mut lp = model.clone();
    for &c in &ints {
        lp.set_col_type(c, VarType::Continuous);
    }
    let opts = SolveOptions {
        threads: Some(1),
        ..Default::default()
    };
    fn go(lp: &mut Model, ints: &[mipnet_milp::Col], depth: usize, best: &mut f64, opts: &SolveOptions) {
        let r = HighsSolver.solve(SolveRequest::new(lp, opts), &mut NoObserver).unwrap();
        if r.status != Status::Optimal || r.objective.unwrap() >= *best - 1e-9 {
            return;
        }
        if depth == ints.len() {
            *best = r.objective.unwrap();
            return;
        }
        let c = ints[depth];
        for v in [0.0, 1.0] {
            lp.set_col_bounds(c, v, v);
            go(lp, ints, depth + 1, best, opts);
        }
        lp.set_col_bounds(c, 0.0, 1.0);
    }
    let mut best = incumbent + 1e-7;
    go(&mut lp, &ints, 0, &mut best, &opts);
    best.min(incumbent)
}

#[test]
fn tiny_convolutional_instances_reach_the_exhaustive_optimum() {
    let tol = Tolerances::default();
    // (image, convolution): one filter sliding over 2 positions (tied
    // weights), and one filter over a 2×2 map with max and average pooling.
    let cases = [
        ([1, 2, 3], conv(1, 2, 1, 0, None)),
        ([1, 2, 2], conv(1, 1, 1, 0, Some((PoolKind::Max, 2, 2)))),
        ([1, 2, 2], conv(1, 1, 1, 0, Some((PoolKind::Average, 2, 2)))),
    ];
    for (ci, (image, spec)) in cases.into_iter().enumerate() {
        let d: usize = image.iter().product();
        // Max pooling has 20 binaries (about 15 s of LPs per instance): one seed.
        let seeds = if ci == 1 { 1 } else { 3 };
        for seed in 0..seeds {
            let data = images(30 + seed, 2, d, 2);
            let s = FormulationSettings {
                conv: Some(ConvSpec {
                    image: Some(image),
                    ..spec
                }),
                hidden: vec![],
                l1: 0.01,
                ..Default::default()
            };
            let f = DenseFormulation::build(&data, &s).unwrap();
            let (opt, x) = solve_to_optimality(&f);
            let exhaustive = exhaustive_optimum(&f.model, opt);
            assert!(
                (opt - exhaustive).abs() < 1e-6,
                "case {ci} seed {seed}: MILP {opt}, exhaustive {exhaustive}"
            );
            let net = f.network_from(&x, &Standardizer::identity(d), &tol);
            let cert = f.certify(&x, &net, &tol);
            assert!(cert.passed, "case {ci} seed {seed}: {cert:?}");
            assert!((cert.objective_forward - opt).abs() < 1e-5);
        }
    }
}

#[test]
fn convolutions_that_do_not_fit_the_data_are_refused_by_name() {
    let data = images(0, 4, 10, 2);
    let s = FormulationSettings {
        conv: Some(conv(2, 3, 1, 0, None)),
        hidden: vec![],
        ..Default::default()
    };
    let e = DenseFormulation::build(&data, &s).err().expect("refused").to_string();
    assert!(
        e.contains("invalid setting conv") && e.contains("not a square image"),
        "{e}"
    );
    let data = images(0, 4, 4, 2);
    let s = FormulationSettings {
        conv: Some(conv(2, 2, 1, 0, Some((PoolKind::Max, 2, 2)))),
        ..s
    };
    let e = DenseFormulation::build(&data, &s).err().expect("refused").to_string();
    assert!(e.contains("pooling window does not fit"), "{e}");
}

#[test]
fn ordering_filters_never_changes_the_optimum() {
    // Two filters (1×1 over a 2×2 image, average pooling 2): with and
    // without symmetry breaking, and with filter pruning.
    for seed in 0..2 {
        let data = images(40 + seed, 3, 4, 2);
        for prune in [false, true] {
            let s = FormulationSettings {
                conv: Some(ConvSpec {
                    image: Some([1, 2, 2]),
                    ..conv(2, 1, 1, 0, Some((PoolKind::Average, 2, 2)))
                }),
                hidden: vec![],
                prune_neurons: prune,
                neuron_penalty: if prune { 0.05 } else { 0.0 },
                ..Default::default()
            };
            assert_symmetry_breaking_keeps_the_optimum(&data, &s, &format!("seed {seed} prune {prune}"));
        }
    }
}
