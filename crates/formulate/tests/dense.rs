//! The dense formulation against independent computations: random feasible
//! networks evaluate in the MILP exactly as their forward pass says; tiny
//! instances solved by HiGHS match the optimum found by enumerating every
//! binary assignment (each an LP); symmetry breaking never changes it.

mod common;

use common::{assert_evaluates_as_forward, assert_symmetry_breaking_keeps_the_optimum, network, solve_to_optimality};
use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{DenseFormulation, FormulationSettings, Loss, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_milp::VarType;
use mipnet_network::{Grid, Layer, Network};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};
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

/// A random network in the MILP's feasible set for `s`.
fn random_network(rng: &mut ChaCha8Rng, d: usize, k: usize, s: &FormulationSettings) -> Network {
    let widths: Vec<usize> = s.hidden.iter().copied().chain([k]).collect();
    let mut layers = Vec::new();
    let mut inp = d;
    let prunable = s.prunable_layers();
    for (l, &out) in widths.iter().enumerate() {
        let identity = s.prune_layers && prunable.contains(&l) && rng.gen_bool(0.4);
        let hidden = l + 1 < widths.len();
        let kept: Vec<bool> = (0..out)
            .map(|_| !(s.prune_neurons && hidden && rng.gen_bool(0.3)))
            .collect();
        let mut weights = vec![vec![0.0; inp]; out];
        let mut bias = vec![0.0; out];
        if !identity {
            for (row, b) in weights.iter_mut().zip(bias.iter_mut()) {
                *b = rng.gen_range(-s.omega..s.omega);
                for w in row.iter_mut() {
                    *w = if rng.gen_bool(0.25) {
                        0.0
                    } else if l == 0 {
                        rng.gen_range(-s.omega..s.omega)
                    } else {
                        let p = s.grid_levels as i32;
                        s.grid_step * rng.gen_range(-p..=p) as f64
                    };
                }
            }
        }
        layers.push(Layer {
            weights,
            bias,
            kept,
            relu: hidden,
            identity,
            grid: (l > 0).then_some(Grid {
                step: s.grid_step,
                levels: s.grid_levels,
            }),
            conv: None,
            pool: None,
        });
        inp = out;
    }
    // Pruned neurons: no weights in or out, no bias.
    for l in 0..layers.len() - 1 {
        for j in 0..layers[l].outputs() {
            if !layers[l].kept[j] {
                layers[l].bias[j] = 0.0;
                layers[l].weights[j].iter_mut().for_each(|w| *w = 0.0);
                for row in layers[l + 1].weights.iter_mut() {
                    row[j] = 0.0;
                }
            }
        }
    }
    network(d, k, layers, s)
}

fn variants() -> Vec<FormulationSettings> {
    let base = FormulationSettings {
        hidden: vec![3],
        symmetry_breaking: false,
        ..Default::default()
    };
    vec![
        base.clone(),
        FormulationSettings {
            loss: Loss::Misclassification,
            l0: 0.01,
            ..base.clone()
        },
        FormulationSettings {
            loss: Loss::L1,
            l2: 0.05,
            grid_levels: 2,
            grid_step: 0.5,
            ..base.clone()
        },
        FormulationSettings {
            hidden: vec![3, 3],
            prune_neurons: true,
            neuron_penalty: 0.02,
            prune_layers: true,
            layer_penalty: 0.03,
            ..base.clone()
        },
        FormulationSettings {
            hidden: vec![4, 2],
            omega: 2.0,
            l1: 0.0,
            ..base.clone()
        },
    ]
}

#[test]
fn random_feasible_networks_evaluate_as_their_forward_pass() {
    let data = toy_data(1, 12, 3, 3);
    for (vi, s) in variants().into_iter().enumerate() {
        let f = DenseFormulation::build(&data, &s).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(vi as u64);
        for trial in 0..20 {
            let net = random_network(&mut rng, 3, 3, &s);
            assert_evaluates_as_forward(&f, &net, &format!("variant {vi} trial {trial}"));
        }
    }
}

#[test]
fn symmetric_random_networks_satisfy_symmetry_breaking() {
    let data = toy_data(2, 10, 2, 2);
    for mut s in variants() {
        s.symmetry_breaking = true;
        let f = DenseFormulation::build(&data, &s).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..20 {
            let net = random_network(&mut rng, 2, 2, &s);
            if net.layers.iter().any(|l| l.identity) {
                continue;
            }
            let x = f.start_values(&net).unwrap();
            assert!(f.model.evaluate(&x, 1e-9).is_feasible());
        }
    }
}

/// The optimum by enumeration: every assignment of the integral columns,
/// the rest solved as an LP.
fn brute_force(f: &DenseFormulation) -> f64 {
    let ints = f.integral_columns();
    assert!(ints.len() <= 12, "too many binaries to enumerate: {}", ints.len());
    let opts = SolveOptions {
        threads: Some(1),
        ..Default::default()
    };
    let mut best = f64::INFINITY;
    for mask in 0u32..(1 << ints.len()) {
        let mut lp = f.model.clone();
        for (b, &c) in ints.iter().enumerate() {
            let v = (mask >> b & 1) as f64;
            lp.set_col_bounds(c, v, v);
            lp.set_col_type(c, VarType::Continuous);
        }
        let r = HighsSolver
            .solve(SolveRequest::new(&lp, &opts), &mut NoObserver)
            .unwrap();
        if r.status == Status::Optimal {
            best = best.min(r.objective.unwrap());
        }
    }
    best
}

#[test]
fn tiny_instances_reach_the_enumerated_optimum_and_pass_the_certificate() {
    // 4 samples, 1 feature, 1 hidden neuron, 2 classes: 4 ReLU binaries and
    // 4 grid binaries (ternary weights for 2 outputs).
    let tol = Tolerances::default();
    for seed in 0..4 {
        let data = toy_data(10 + seed, 4, 1, 2);
        for loss in [Loss::Hinge, Loss::Misclassification, Loss::L1] {
            let s = FormulationSettings {
                hidden: vec![1],
                loss,
                l1: 0.01,
                symmetry_breaking: false,
                ..Default::default()
            };
            let f = DenseFormulation::build(&data, &s).unwrap();
            let (opt, x) = solve_to_optimality(&f);
            let enumerated = brute_force(&f);
            assert!(
                (opt - enumerated).abs() < 1e-6,
                "seed {seed} {loss:?}: MILP {opt}, enumeration {enumerated}"
            );
            let net = f.network_from(&x, &Standardizer::identity(1), &tol);
            let cert = f.certify(&x, &net, &tol);
            assert!(cert.passed, "seed {seed} {loss:?}: {cert:?}");
            assert!((cert.objective_forward - opt).abs() < 1e-5);
        }
    }
}

#[test]
fn symmetry_breaking_never_changes_the_optimum() {
    for seed in 0..4 {
        let data = toy_data(20 + seed, 5, 2, 2);
        for prune in [false, true] {
            let s = FormulationSettings {
                hidden: vec![2],
                prune_neurons: prune,
                neuron_penalty: if prune { 0.05 } else { 0.0 },
                ..Default::default()
            };
            assert_symmetry_breaking_keeps_the_optimum(&data, &s, &format!("seed {seed} prune {prune}"));
        }
    }
}

#[test]
fn invalid_settings_are_refused_by_name() {
    let data = toy_data(0, 6, 2, 2);
    let cases: Vec<(FormulationSettings, &str)> = vec![
        (
            FormulationSettings {
                hidden: vec![4, 0],
                ..Default::default()
            },
            "layer 2 has width 0",
        ),
        (
            FormulationSettings {
                l1: -1.0,
                ..Default::default()
            },
            "invalid setting l1",
        ),
        (
            FormulationSettings {
                omega: 0.0,
                ..Default::default()
            },
            "invalid setting omega",
        ),
        (
            FormulationSettings {
                hidden: vec![4, 3],
                prune_layers: true,
                ..Default::default()
            },
            "no hidden layer can become the identity",
        ),
    ];
    for (s, msg) in cases {
        let e = DenseFormulation::build(&data, &s).err().expect("refused");
        assert!(e.to_string().contains(msg), "{e} lacks {msg}");
    }
}

#[test]
fn model_size_matches_the_measured_prototype() {
    // DESIGN.md: Iris (112 training samples), 4 → 8 → 3, ternary outputs:
    // 944 binaries (896 ReLU + 48 weight binaries).
    let iris = mipnet_data::Bundled::Iris.load();
    let (train, _) = iris.split_stratified(0.25, 0).unwrap();
    let train = train.standardized(&Standardizer::fit(&train));
    let f = DenseFormulation::build(&train, &FormulationSettings::default()).unwrap();
    let st = f.stats();
    assert_eq!(st.binaries, 944);
    assert_eq!(st.relu_binaries, 896);
}

#[test]
fn lipschitz_cuts_hold_for_every_feasible_network() {
    let data = toy_data(5, 12, 3, 3);
    for (vi, s) in variants().into_iter().enumerate().filter(|(_, s)| s.l1 > 0.0) {
        let f = DenseFormulation::build(&data, &s).unwrap();
        let pairs = f.cut_pairs(3);
        assert!(!pairs.is_empty());
        let cuts: Vec<_> = pairs.iter().flat_map(|&(n, m)| f.lipschitz_cuts(n, m)).collect();
        assert!(!cuts.is_empty(), "variant {vi}");
        let mut rng = ChaCha8Rng::seed_from_u64(40 + vi as u64);
        for _ in 0..20 {
            let net = random_network(&mut rng, 3, 3, &s);
            let x = f.start_values(&net).unwrap();
            let worst = cuts.iter().map(|c| c.violation(&x)).fold(f64::NEG_INFINITY, f64::max);
            assert!(
                worst <= 1e-9,
                "variant {vi}: a feasible network violates a cut by {worst}"
            );
        }
    }
}

#[test]
fn lipschitz_cuts_never_change_the_optimum() {
    for seed in 0..3 {
        let data = toy_data(30 + seed, 5, 2, 2);
        let s = FormulationSettings {
            hidden: vec![1],
            l1: 0.05,
            symmetry_breaking: false,
            ..Default::default()
        };
        let plain = DenseFormulation::build(&data, &s).unwrap();
        let (without, _) = solve_to_optimality(&plain);
        let mut cut = DenseFormulation::build(&data, &s).unwrap();
        let pairs = cut.cut_pairs(4);
        let all: Vec<_> = pairs.iter().flat_map(|&(n, m)| cut.lipschitz_cuts(n, m)).collect();
        for c in &all {
            cut.add_cut(c);
        }
        let (with, x) = solve_to_optimality(&cut);
        assert!(
            (with - without).abs() < 1e-6,
            "seed {seed}: {with} with cuts, {without} without"
        );
        let net = cut.network_from(&x, &Standardizer::identity(2), &Tolerances::default());
        assert!(cut.certify(&x, &net, &Tolerances::default()).passed);
    }
}

#[test]
fn the_small_polish_lp_has_the_optimum_of_the_full_model_with_binaries_fixed() {
    let data = toy_data(8, 12, 3, 3);
    let opts = SolveOptions {
        threads: Some(1),
        ..Default::default()
    };
    let tol = Tolerances::default();
    for (vi, s) in variants().into_iter().enumerate() {
        let f = DenseFormulation::build(&data, &s).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(60 + vi as u64);
        for trial in 0..8 {
            let net = random_network(&mut rng, 3, 3, &s);
            let x = f.start_values(&net).unwrap();
            let mut full = f.model.clone();
            for c in f.integral_columns() {
                let v = x[c.index()].round();
                full.set_col_bounds(c, v, v);
                full.set_col_type(c, VarType::Continuous);
            }
            let a = HighsSolver
                .solve(SolveRequest::new(&full, &opts), &mut NoObserver)
                .unwrap();
            let lp = f.polish_lp(&x);
            let b = HighsSolver
                .solve(SolveRequest::new(&lp.model, &opts), &mut NoObserver)
                .unwrap();
            assert_eq!(a.status, Status::Optimal, "variant {vi} trial {trial}");
            assert_eq!(b.status, Status::Optimal, "variant {vi} trial {trial}");
            let (va, vb) = (a.objective.unwrap(), b.objective.unwrap());
            assert!(
                (va - vb).abs() < 1e-6,
                "variant {vi} trial {trial}: full {va}, small {vb}"
            );
            // Its solution is a network feasible in the full model.
            let polished = f.network_from_polish(&lp, b.solution.as_ref().unwrap(), &x, &net.standardizer, &tol);
            let xf = f.start_values(&polished).unwrap();
            assert!(f.model.evaluate(&xf, 1e-6).is_feasible(), "variant {vi} trial {trial}");
            assert!(f.objective_of(&polished) <= vb + 1e-6, "variant {vi} trial {trial}");
        }
    }
}

#[test]
fn a_solution_with_loss_slack_is_replaced_by_its_network_s_exact_point() {
    let data = toy_data(3, 10, 2, 2);
    let s = FormulationSettings {
        hidden: vec![2],
        symmetry_breaking: false,
        ..Default::default()
    };
    let f = DenseFormulation::build(&data, &s).unwrap();
    let tol = Tolerances::default();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let net = random_network(&mut rng, 2, 2, &s);
    let exact = f.start_values(&net).unwrap();
    // Slack in every loss variable: feasible (ξ ≥ …), worse objective.
    let mut slack = exact.clone();
    for (v, cost) in slack.iter_mut().zip(f.model.col_cost()) {
        if *cost == 1.0 / data.len() as f64 {
            *v += 0.01;
        }
    }
    let cert = f.certify(&slack, &net, &tol);
    assert!(!cert.passed && cert.failure.unwrap().contains("loss"));
    assert_eq!(f.exact_point(&slack, &net, &tol), exact);
    assert!(f.certify(&exact, &net, &tol).passed);
    // A solution whose activations disagree with the network is left to fail.
    let mut wrong = slack.clone();
    let h = (0..data.len())
        .find_map(|n| f.activation(0, n, 0))
        .expect("an activation column");
    wrong[h.index()] += 0.5;
    assert_eq!(f.exact_point(&wrong, &net, &tol), wrong);
    assert!(!f.certify(&wrong, &net, &tol).passed);
}

#[test]
fn the_objective_cutoff_keeps_every_network_as_good_and_the_optimum() {
    // 4 features and a large α, so that the ℓ1 budget f*/α is below ω·d and
    // the tightening changes the big-Ms; the optimum of the tightened MILP
    // (enumerated over its binaries) must equal the plain one's, and the
    // optimal network must be feasible in it.
    let mut tightened_somewhere = false;
    for seed in 0..4 {
        let data = toy_data(40 + seed, 5, 4, 2);
        let s = FormulationSettings {
            hidden: vec![1],
            l1: 0.3,
            symmetry_breaking: false,
            ..Default::default()
        };
        let plain = DenseFormulation::build(&data, &s).unwrap();
        let (opt, x) = solve_to_optimality(&plain);
        let net = plain.network_from(&x, &Standardizer::identity(4), &Tolerances::default());
        let opt_net = plain.objective_of(&net);
        for cutoff in [opt_net, opt_net * 1.5, opt_net * 4.0] {
            let what = format!("seed {seed}, cutoff {cutoff}");
            let cut = DenseFormulation::build_with_cutoff(&data, &s, Some(cutoff)).unwrap();
            assert!(cut.stats().mean_big_m <= plain.stats().mean_big_m + 1e-12, "{what}");
            tightened_somewhere |= cut.stats().mean_big_m < plain.stats().mean_big_m - 1e-9;
            let enumerated = brute_force(&cut);
            assert!(
                (enumerated - opt).abs() < 1e-6,
                "{what}: tightened {enumerated}, plain {opt}"
            );
            assert_evaluates_as_forward(&cut, &net, &what);
        }
    }
    assert!(
        tightened_somewhere,
        "no instance had a budget below ω·d: the test checks nothing"
    );
    let s = FormulationSettings {
        l1: 0.0,
        ..Default::default()
    };
    let err = DenseFormulation::build_with_cutoff(&toy_data(0, 4, 2, 2), &s, Some(0.5))
        .err()
        .unwrap();
    assert_eq!(err.name, "cutoff");
    assert!(err.reason.contains("needs l1 > 0"), "{}", err.reason);
}
