//! The bounds hold: never above the enumerated or proven optimum of tiny
//! training problems, never above the objective of random networks, never
//! fooled by a perturbed dual; and they are tight where the answer is known.

mod support;
use support::{one_thread, proven_optimum, toy_data};

use mipnet_bounds::lp_dual::LpDual;
use mipnet_bounds::safe::lower_bound;
use mipnet_bounds::{BoundError, LipschitzMargin, LipschitzMarginSettings};
use mipnet_data::{Bundled, Dataset, Standardizer};
use mipnet_formulate::{DenseFormulation, FormulationSettings, Loss};
use mipnet_highs::HighsSolver;
use mipnet_milp::{Model, Sense, VarType};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The optimum by enumeration of every integral column, the rest as an LP.
fn enumerated_optimum(data: &Dataset, s: &FormulationSettings) -> f64 {
    let f = DenseFormulation::build(data, s).unwrap();
    let ints = f.integral_columns();
    assert!(ints.len() <= 12, "too many binaries to enumerate: {}", ints.len());
    let mut best = f64::INFINITY;
    for mask in 0u32..(1 << ints.len()) {
        let mut lp = f.model.clone();
        for (b, &c) in ints.iter().enumerate() {
            let v = (mask >> b & 1) as f64;
            lp.set_col_bounds(c, v, v);
            lp.set_col_type(c, VarType::Continuous);
        }
        let r = HighsSolver
            .solve(SolveRequest::new(&lp, &one_thread()), &mut NoObserver)
            .unwrap();
        if r.status == Status::Optimal {
            best = best.min(r.objective.unwrap());
        }
    }
    best
}

fn bound(data: &Dataset, s: &FormulationSettings) -> f64 {
    LipschitzMargin::new(data, s)
        .unwrap()
        .solve(&HighsSolver, &one_thread(), &LipschitzMarginSettings::default())
        .unwrap()
        .value
}

#[test]
fn the_bound_is_below_the_enumerated_optimum_of_tiny_instances() {
    // 4 samples, 1 feature, 1 hidden neuron, 2 classes: at most 4 ReLU, 4
    // grid and (misclassification) 4 loss binaries, few enough to enumerate.
    for seed in 0..4 {
        let data = toy_data(10 + seed, 4, 1, 2);
        for loss in [Loss::Hinge, Loss::Misclassification, Loss::L1] {
            let s = FormulationSettings {
                hidden: vec![1],
                loss,
                symmetry_breaking: false,
                ..Default::default()
            };
            let optimum = enumerated_optimum(&data, &s);
            let lb = bound(&data, &s);
            assert!(
                lb <= optimum,
                "seed {seed} {loss:?}: bound {lb} above optimum {optimum}"
            );
        }
    }
}

#[test]
fn the_bound_is_below_the_proven_optimum_of_small_instances() {
    // Several shapes the derivation covers: widths, depth, classes, the grid,
    // pruning, every loss.
    let shapes: Vec<(usize, usize, FormulationSettings)> = vec![
        (
            2,
            2,
            FormulationSettings {
                hidden: vec![2],
                ..Default::default()
            },
        ),
        (
            2,
            3,
            FormulationSettings {
                hidden: vec![1],
                ..Default::default()
            },
        ),
        (
            1,
            3,
            FormulationSettings {
                hidden: vec![1],
                grid_levels: 2,
                grid_step: 0.5,
                l1: 0.05,
                ..Default::default()
            },
        ),
        (
            1,
            2,
            FormulationSettings {
                hidden: vec![1, 1],
                prune_layers: true,
                ..Default::default()
            },
        ),
        (
            2,
            2,
            FormulationSettings {
                hidden: vec![2],
                loss: Loss::L1,
                prune_neurons: true,
                neuron_penalty: 0.01,
                ..Default::default()
            },
        ),
        (
            2,
            2,
            FormulationSettings {
                hidden: vec![1],
                loss: Loss::Misclassification,
                ..Default::default()
            },
        ),
    ];
    for (case, (d, k, s)) in shapes.iter().enumerate() {
        for seed in 0..2 {
            let data = toy_data(100 + seed, 5, *d, *k);
            let optimum = proven_optimum(&data, s);
            let lb = bound(&data, s);
            assert!(
                lb <= optimum,
                "case {case} seed {seed}: bound {lb} above optimum {optimum}"
            );
        }
    }
}

/// The formulation's objective of a random 1- or 2-hidden-layer network,
/// computed here from scratch (hinge, α·ℓ1 of every weight).
fn random_network_objective(rng: &mut ChaCha8Rng, data: &Dataset, s: &FormulationSettings) -> f64 {
    let k = data.num_classes();
    let mut widths = vec![data.num_features()];
    widths.extend(&s.hidden);
    widths.push(k);
    let p = s.grid_levels as i32;
    let mut layers = Vec::new();
    let mut l1 = 0.0;
    for l in 0..widths.len() - 1 {
        let w: Vec<Vec<f64>> = (0..widths[l + 1])
            .map(|_| {
                (0..widths[l])
                    .map(|_| {
                        if rng.gen_bool(0.3) {
                            0.0
                        } else if l == 0 {
                            rng.gen_range(-s.omega..=s.omega)
                        } else {
                            s.grid_step * rng.gen_range(-p..=p) as f64
                        }
                    })
                    .collect()
            })
            .collect();
        l1 += w.iter().flatten().map(|v| v.abs()).sum::<f64>();
        let b: Vec<f64> = (0..widths[l + 1]).map(|_| rng.gen_range(-s.omega..=s.omega)).collect();
        layers.push((w, b));
    }
    let mut loss = 0.0;
    for n in 0..data.len() {
        let mut h = data.row(n).to_vec();
        for (l, (w, b)) in layers.iter().enumerate() {
            let last = l + 1 == layers.len();
            h = w
                .iter()
                .zip(b)
                .map(|(row, bias)| {
                    let a = row.iter().zip(&h).map(|(x, y)| x * y).sum::<f64>() + bias;
                    if last {
                        a
                    } else {
                        a.max(0.0)
                    }
                })
                .collect();
        }
        let y = data.label(n);
        let worst = (0..k)
            .filter(|&c| c != y)
            .map(|c| s.margin - (h[y] - h[c]))
            .fold(0.0, f64::max);
        loss += worst;
    }
    loss / data.len() as f64 + s.l1 * l1
}

#[test]
fn the_bound_is_below_the_objective_of_random_networks() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for hidden in [vec![3], vec![2, 2]] {
        for seed in 0..3 {
            let data = toy_data(200 + seed, 12, 2, 3);
            let s = FormulationSettings {
                hidden: hidden.clone(),
                l1: 0.05,
                ..Default::default()
            };
            let lb = bound(&data, &s);
            for _ in 0..200 {
                let objective = random_network_objective(&mut rng, &data, &s);
                assert!(
                    lb <= objective,
                    "{hidden:?} seed {seed}: bound {lb} above a network's {objective}"
                );
            }
        }
    }
}

#[test]
fn identical_inputs_with_different_labels_force_the_loss_exactly() {
    // Two samples at the same point with labels 0 and 1: every network gives
    // them the same outputs, so their hinges sum to at least 2·margin, and
    // the best network (all zero) pays exactly that: optimum 1 with N = 2.
    let data = Dataset::new(
        "twins",
        vec!["f0".into()],
        vec!["a".into(), "b".into()],
        vec![0.5, 0.5],
        vec![0, 1],
    );
    let s = FormulationSettings {
        hidden: vec![2],
        ..Default::default()
    };
    let lb = bound(&data, &s);
    let optimum = proven_optimum(&data, &s);
    assert!((optimum - 1.0).abs() < 1e-9, "optimum {optimum}");
    assert!(lb <= optimum && lb > 1.0 - 1e-6, "bound {lb}");
}

#[test]
fn a_perturbed_dual_is_caught_by_the_recomputation() {
    // min x s.t. x ≥ 1, x ∈ [0, 10]: optimum 1. The exact multiplier 1
    // certifies 1 (less the rounding margin); a perturbed one (2) would
    // claim 2 by its row side alone, but the recomputation charges the
    // reduced cost 1 − 2 = −1 at x = 10 and reports −8.
    let mut lp = Model::new(Sense::Minimize);
    let x = lp.add_col(0.0, 10.0, 1.0, VarType::Continuous);
    lp.add_row(1.0, f64::INFINITY, [(x, 1.0)]);
    let exact = lower_bound(&lp, &[1.0]).unwrap();
    assert!(exact.value <= 1.0 && exact.value > 1.0 - 1e-9, "{exact:?}");
    let perturbed = lower_bound(&lp, &[2.0]).unwrap();
    assert!(perturbed.row_part > 1.0, "the naive dual objective exceeds the optimum");
    assert!(perturbed.value <= 1.0, "{perturbed:?}");
    // A multiplier on the infinite side is dropped, not trusted.
    let wrong_side = lower_bound(&lp, &[-3.0]).unwrap();
    assert_eq!(wrong_side.dropped_multipliers, 1);
    assert!(wrong_side.value <= 1.0);
    // An unbounded column with a reduced cost of the wrong sign proves nothing.
    let mut free = Model::new(Sense::Minimize);
    let z = free.add_col(f64::NEG_INFINITY, f64::INFINITY, 1.0, VarType::Continuous);
    free.add_row(1.0, f64::INFINITY, [(z, 1.0)]);
    assert!(lower_bound(&free, &[0.5]).is_none());
}

#[test]
fn perturbed_duals_of_the_training_relaxation_never_exceed_the_optimum() {
    let data = toy_data(300, 6, 2, 2);
    let s = FormulationSettings {
        hidden: vec![2],
        ..Default::default()
    };
    let optimum = proven_optimum(&data, &s);
    let relaxation = LipschitzMargin::new(&data, &s).unwrap();
    let primal = relaxation.relaxation(&relaxation.pairs(usize::MAX));
    let dual = LpDual::of(&primal);
    let r = HighsSolver
        .solve(SolveRequest::new(&dual.model, &one_thread()), &mut NoObserver)
        .unwrap();
    let y = dual.row_multipliers(&r.solution.unwrap());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..200 {
        let noisy: Vec<f64> = y
            .iter()
            .map(|v| v * rng.gen_range(0.5..3.0) + rng.gen_range(-0.2..0.2))
            .collect();
        if let Some(b) = lower_bound(&primal, &noisy) {
            assert!(
                b.value <= optimum,
                "perturbed dual certified {} above {optimum}",
                b.value
            );
        }
    }
}

#[test]
fn the_dual_of_random_lps_certifies_their_optimum() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut checked = 0;
    for case in 0..20 {
        let mut lp = Model::new(Sense::Minimize);
        let cols: Vec<_> = (0..6)
            .map(|_| {
                let lo = rng.gen_range(-3.0..0.0);
                lp.add_col(
                    lo,
                    lo + rng.gen_range(0.5..5.0),
                    rng.gen_range(-2.0..2.0),
                    VarType::Continuous,
                )
            })
            .collect();
        for _ in 0..5 {
            let terms: Vec<_> = cols.iter().map(|&c| (c, rng.gen_range(-2.0..2.0))).collect();
            let (lo, hi) = match rng.gen_range(0..3) {
                0 => (rng.gen_range(-5.0..0.0), f64::INFINITY),
                1 => (f64::NEG_INFINITY, rng.gen_range(0.0..5.0)),
                _ => (-1.0, 1.0),
            };
            lp.add_row(lo, hi, terms);
        }
        let primal = HighsSolver
            .solve(SolveRequest::new(&lp, &one_thread()), &mut NoObserver)
            .unwrap();
        if primal.status != Status::Optimal {
            continue;
        }
        let optimum = primal.objective.unwrap();
        let dual = LpDual::of(&lp);
        let r = HighsSolver
            .solve(SolveRequest::new(&dual.model, &one_thread()), &mut NoObserver)
            .unwrap();
        assert_eq!(r.status, Status::Optimal, "case {case}");
        assert!(
            (r.objective.unwrap() - optimum).abs() < 1e-6,
            "case {case}: strong duality"
        );
        let b = lower_bound(&lp, &dual.row_multipliers(&r.solution.unwrap())).unwrap();
        assert!(b.value <= optimum, "case {case}: {} above {optimum}", b.value);
        assert!(b.value > optimum - 1e-6, "case {case}: {} far below {optimum}", b.value);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} of 20 random LPs had an optimum");
}

#[test]
fn iris_gets_a_positive_bound_and_convolutions_are_refused_by_name() {
    let all = Bundled::from_name("iris").unwrap().load();
    let (train, _) = all.split_stratified(0.25, 0).unwrap();
    let data = train.standardized(&Standardizer::fit(&train));
    let s = FormulationSettings::default();
    let relaxation = LipschitzMargin::new(&data, &s).unwrap();
    let proven = relaxation
        .solve(
            &HighsSolver,
            &SolveOptions::default(),
            &LipschitzMarginSettings { max_pairs: 10_000 },
        )
        .unwrap();
    assert_eq!(proven.pairs, data.len() * (data.len() - 1) / 2);
    eprintln!("iris: {proven:?}");
    assert!(proven.value > 0.0, "{proven:?}");
    // The recomputation may differ from HiGHS's own value by its tolerances.
    assert!((proven.value - proven.lp_value.unwrap()).abs() < 1e-6, "{proven:?}");
    let conv = FormulationSettings {
        conv: Some(
            mipnet_network::parse_architecture("conv 2x2x2 > dense 3")
                .unwrap()
                .0
                .unwrap(),
        ),
        ..Default::default()
    };
    let refused = LipschitzMargin::new(&data, &conv).unwrap_err();
    assert!(
        matches!(refused, BoundError::NotApplicable(ref why) if why.contains("convolutional")),
        "{refused}"
    );
}

#[test]
fn the_constants_are_the_derivations_and_the_formulations() {
    let data = toy_data(400, 5, 2, 2);
    let lambda = |s: FormulationSettings| LipschitzMargin::new(&data, &s).unwrap().lipschitz_constant();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs();
    let deep = FormulationSettings {
        hidden: vec![2, 2],
        ..Default::default()
    };
    assert!(close(lambda(deep.clone()), 2.0), "s·P·(n_2·s·P) = 2");
    let fine = FormulationSettings {
        grid_step: 0.25,
        ..deep.clone()
    };
    assert!(close(lambda(fine.clone()), 0.125), "0.25·(2·0.25)");
    let prunable = FormulationSettings {
        prune_layers: true,
        ..fine
    };
    assert!(
        close(lambda(prunable), 0.25),
        "an identity layer passes changes on: max(1, n·s·P)"
    );
    // O_n: the hinge column's box in the formulation is 2·O_n + margin.
    for s in [FormulationSettings::default(), deep] {
        let relaxation = LipschitzMargin::new(&data, &s).unwrap();
        let f = DenseFormulation::build(&data, &s).unwrap();
        let inv_n = 1.0 / data.len() as f64;
        let hinge_upper: Vec<f64> = (0..f.model.num_cols())
            .filter(|&j| f.model.col_cost()[j] == inv_n && f.model.col_types()[j] == VarType::Continuous)
            .map(|j| f.model.col_upper()[j])
            .collect();
        assert_eq!(hinge_upper.len(), data.len());
        for (n, upper) in hinge_upper.into_iter().enumerate() {
            let ours = 2.0 * relaxation.output_bound(n) + s.margin;
            assert!(
                ours >= upper && close(ours, upper),
                "sample {n}: {ours} against the formulation's {upper}"
            );
        }
    }
}

#[test]
fn formulations_the_derivation_does_not_cover_are_refused() {
    let data = toy_data(500, 4, 1, 2);
    let zero_width = FormulationSettings {
        hidden: vec![0],
        ..Default::default()
    };
    assert!(matches!(
        LipschitzMargin::new(&data, &zero_width),
        Err(BoundError::NotApplicable(_))
    ));
    let one_class = Dataset::new("one", vec!["f0".into()], vec!["a".into()], vec![0.0, 1.0], vec![0, 0]);
    let s = FormulationSettings::default();
    assert!(matches!(
        LipschitzMargin::new(&one_class, &s),
        Err(BoundError::NotApplicable(_))
    ));
}
