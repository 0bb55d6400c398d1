//! The unit-columns (Dantzig–Wolfe) bound holds: never above the proven
//! optimum of tiny training problems or the objective of random networks,
//! never fooled by infeasible multipliers, at least the path-norm bound
//! where it converges; and the pricing's pieces are exact.

mod support;
use support::{one_thread, proven_optimum, toy_data};

use mipnet_bounds::unit_columns::certify::best_scaling;
use mipnet_bounds::unit_columns::column::{grid_weight_cost, patterns, Unit};
use mipnet_bounds::unit_columns::pricing::PatternPricing;
use mipnet_bounds::unit_columns::{UnitColumns, UnitColumnsSettings, METHOD};
use mipnet_bounds::{BoundError, PathNorm, PathNormSettings};
use mipnet_data::{Bundled, Dataset, Standardizer};
use mipnet_formulate::{FormulationSettings, Loss};
use mipnet_highs::HighsSolver;
use mipnet_solver::{InterruptFlag, SolveOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

fn quick() -> UnitColumnsSettings {
    UnitColumnsSettings {
        seconds: 20.0,
        ..Default::default()
    }
}

fn bound(data: &Dataset, s: &FormulationSettings) -> f64 {
    UnitColumns::new(data, s)
        .unwrap()
        .solve(&HighsSolver, &one_thread(), &quick())
        .unwrap()
        .bound
        .value
}

/// (samples, features, classes, settings): widths 1–3, 2–3 classes, the
/// grid (P = 1, 2), ω, margin, α, ℓ0, ℓ2 and neuron penalties varied.
fn tiny_cases() -> Vec<(usize, usize, usize, FormulationSettings)> {
    vec![
        (
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
            6,
            2,
            3,
            FormulationSettings {
                hidden: vec![1],
                l1: 0.05,
                ..Default::default()
            },
        ),
        (
            6,
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
            5,
            2,
            2,
            FormulationSettings {
                hidden: vec![2],
                grid_levels: 2,
                grid_step: 0.5,
                margin: 0.5,
                l1: 0.05,
                prune_neurons: true,
                neuron_penalty: 0.01,
                ..Default::default()
            },
        ),
        (
            4,
            2,
            3,
            FormulationSettings {
                hidden: vec![2],
                l1: 0.05,
                l0: 0.01,
                l2: 0.02,
                ..Default::default()
            },
        ),
        (
            7,
            2,
            2,
            FormulationSettings {
                hidden: vec![2],
                l1: 0.0,
                ..Default::default()
            },
        ),
    ]
}

#[test]
fn the_bound_is_below_the_proven_optimum_of_tiny_instances() {
    let mut positive = 0;
    let mut close = 0;
    let mut count = 0;
    for (case, (n, d, k, s)) in tiny_cases().iter().enumerate() {
        for seed in 0..3 {
            let data = toy_data(600 + seed, *n, *d, *k);
            let optimum = proven_optimum(&data, s);
            let lb = bound(&data, s);
            eprintln!("case {case} seed {seed}: bound {lb:.6} optimum {optimum:.6}");
            assert!(
                lb <= optimum,
                "case {case} seed {seed}: bound {lb} above optimum {optimum}"
            );
            count += 1;
            positive += usize::from(lb > 0.0);
            close += usize::from(lb >= 0.5 * optimum);
        }
    }
    assert!(
        positive >= count - 2,
        "only {positive} of {count} bounds are positive: the test proves little"
    );
    assert!(
        close >= count / 2,
        "only {close} of {count} bounds reach half the optimum"
    );
}

/// The objective of a random 1-hidden-layer network of the formulation
/// (hinge, α·ℓ1 of every weight, no other penalty), from scratch.
fn random_network_objective(rng: &mut ChaCha8Rng, data: &Dataset, s: &FormulationSettings, scale: f64) -> f64 {
    let (d, k, h) = (data.num_features(), data.num_classes(), s.hidden[0]);
    let p = s.grid_levels as i32;
    let w: Vec<Vec<f64>> = (0..h)
        .map(|_| (0..d).map(|_| scale * rng.gen_range(-s.omega..=s.omega)).collect())
        .collect();
    let b: Vec<f64> = (0..h).map(|_| scale * rng.gen_range(-s.omega..=s.omega)).collect();
    let v: Vec<Vec<f64>> = (0..k)
        .map(|_| (0..h).map(|_| s.grid_step * rng.gen_range(-p..=p) as f64).collect())
        .collect();
    let c: Vec<f64> = (0..k).map(|_| rng.gen_range(-s.omega..=s.omega)).collect();
    let l1: f64 = w.iter().flatten().chain(v.iter().flatten()).map(|x| x.abs()).sum();
    let mut loss = 0.0;
    for n in 0..data.len() {
        let x = data.row(n);
        let hidden: Vec<f64> = (0..h)
            .map(|j| (w[j].iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + b[j]).max(0.0))
            .collect();
        let o: Vec<f64> = (0..k)
            .map(|c_| c[c_] + v[c_].iter().zip(&hidden).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        let y = data.label(n);
        loss += (0..k)
            .filter(|&c_| c_ != y)
            .map(|c_| s.margin - (o[y] - o[c_]))
            .fold(0.0, f64::max);
    }
    loss / data.len() as f64 + s.l1 * l1
}

#[test]
fn the_bound_is_below_the_objective_of_random_networks() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    for seed in 0..3 {
        let data = toy_data(700 + seed, 20, 2, 3);
        let s = FormulationSettings {
            hidden: vec![3],
            l1: 0.05,
            ..Default::default()
        };
        let lb = bound(&data, &s);
        assert!(lb > 0.0, "seed {seed}: bound {lb}");
        for trial in 0..300 {
            let scale = [1.0, 0.3, 0.05][trial % 3];
            let objective = random_network_objective(&mut rng, &data, &s, scale);
            assert!(lb <= objective, "seed {seed}: bound {lb} above a network's {objective}");
        }
    }
}

#[test]
fn infeasible_or_perturbed_multipliers_never_certify_more_than_the_optimum() {
    let data = toy_data(800, 6, 2, 3);
    let s = FormulationSettings {
        hidden: vec![2],
        l1: 0.05,
        ..Default::default()
    };
    let optimum = proven_optimum(&data, &s);
    let method = UnitColumns::new(&data, &s).unwrap();
    let (n, k) = (data.len(), data.num_classes());
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let deadline = || Instant::now() + Duration::from_secs(5);
    for trial in 0..6 {
        // Every π at 1/N (Σ_k π = (K−1)/N breaks the cap), random, or ten
        // times too large: taken at face value, margin·Σπ would exceed the
        // optimum; the rounding caps it and the pricing must pay for it.
        let pi: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                (0..k)
                    .map(|_| match trial {
                        0 => 1.0 / n as f64,
                        1 => 10.0 / n as f64,
                        _ => rng.gen_range(0.0..1.0) / n as f64,
                    })
                    .collect()
            })
            .collect();
        let naive: f64 = s.margin
            * (0..n)
                .map(|i| (0..k).filter(|&c| c != data.label(i)).map(|c| pi[i][c]).sum::<f64>())
                .sum::<f64>();
        if trial <= 1 {
            assert!(naive > optimum, "the naive value {naive} would be wrong");
        }
        let dual = method.round_dual(&pi);
        let cert = method
            .certify(&HighsSolver, &one_thread(), &dual, &[], deadline(), None)
            .unwrap();
        assert!(
            cert.value <= optimum,
            "trial {trial}: certified {} above {optimum}",
            cert.value
        );
        assert!(cert.dual_value <= naive + 1e-12, "the rounding only lowers");
        assert!(
            cert.least_reduced_cost < 0.0 || cert.dual_value <= optimum,
            "trial {trial}: the pricing must catch a dual value {} above the optimum",
            cert.dual_value
        );
        assert_eq!(cert.trivial_patterns, 0, "every pricing MILP reached a bound");
        // The same MILPs side by side on two threads: the same certificate,
        // up to which MILP ended early (never above the optimum either).
        let two = SolveOptions {
            threads: Some(2),
            ..Default::default()
        };
        let parallel = method
            .certify(&HighsSolver, &two, &dual, &[], deadline(), None)
            .unwrap();
        assert!(
            parallel.value <= optimum,
            "trial {trial}: two threads certified {}",
            parallel.value
        );
    }
}

#[test]
fn the_pricing_bound_covers_the_true_minimum() {
    // One feature: for fixed w the inner value is piecewise linear in b
    // with breaks at −w·x_n, and for fixed b in w likewise, so a fine grid
    // over the box plus every breakpoint finds the minimum to within the
    // grid's step times the slope; the certified bound must lie below it.
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for case in 0..20 {
        let n = rng.gen_range(3..12);
        let xs: Vec<Vec<f64>> = (0..n).map(|_| vec![rng.gen_range(-2.0..2.0)]).collect();
        let rows: Vec<&[f64]> = xs.iter().map(|x| x.as_slice()).collect();
        let e: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0) / n as f64).collect();
        let (alpha, omega) = (rng.gen_range(0.0..0.1), rng.gen_range(0.3..1.5));
        let pricing = PatternPricing::new(&rows, e.clone(), alpha, omega);
        let steps = 400;
        let mut least = f64::INFINITY;
        for i in 0..=steps {
            let w = -omega + 2.0 * omega * i as f64 / steps as f64;
            for j in 0..=steps {
                let b = -omega + 2.0 * omega * j as f64 / steps as f64;
                least = least.min(pricing.value(&[w], b));
            }
        }
        let exact = pricing
            .exact(&HighsSolver, &one_thread(), None, None, None, &|| None)
            .unwrap()
            .expect("a bound");
        assert!(
            exact.lower <= least + 1e-12,
            "case {case}: bound {} above a value {least}",
            exact.lower
        );
        assert!(
            exact.lower >= least - 1e-3,
            "case {case}: bound {} far below {least}",
            exact.lower
        );
        assert!(
            pricing.trivial_lower() <= least,
            "case {case}: the trivial bound is above a value"
        );
        // The descent from anywhere ends at a value no better than the minimum.
        let (v, w, b) = pricing.descend(&[rng.gen_range(-1.0..1.0)], 0.0);
        assert!(v >= exact.lower - 1e-12 && w[0].abs() <= omega && b.abs() <= omega);
        assert!(
            (pricing.value(&w, b) - v).abs() <= 1e-12,
            "the descent reports its unit's value"
        );
    }
}

#[test]
fn patterns_and_costs_are_those_of_the_formulation() {
    let p = patterns(3, 1, 1000).unwrap();
    assert_eq!(p.len(), 26);
    assert!(p.iter().all(|z| z.len() == 3 && z.iter().any(|&v| v != 0)));
    let mut sorted = p.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 26, "no pattern twice");
    assert_eq!(patterns(2, 2, 1000).unwrap().len(), 24);
    assert_eq!(patterns(10, 1, 242), None, "MNIST's 3^10 − 1 patterns are too many");
    let s = FormulationSettings {
        l1: 0.1,
        l0: 0.01,
        l2: 0.5,
        grid_step: 0.5,
        ..Default::default()
    };
    // α·s·|z| + λ + γ·s²·z²
    assert!((grid_weight_cost(&s, -2) - (0.1 * 0.5 * 2.0 + 0.01 + 0.5 * 0.25 * 4.0)).abs() < 1e-15);
    assert_eq!(grid_weight_cost(&s, 0), 0.0);
    let unit = Unit {
        w: vec![0.5, -2.0],
        b: 0.0,
        z: vec![1, 0],
    };
    assert!(!unit.in_block(&s), "|w| = 2 is outside ω = 1");
}

#[test]
fn converged_it_is_at_least_the_path_norm_bound() {
    // The master's optimum is at least the path-norm relaxation's (module
    // docs); on these small problems both come within 0.1 % of their
    // relaxations in the time given, so the certified values keep that order.
    for seed in 0..3 {
        let data = toy_data(650 + seed, 12, 2, 3);
        let s = FormulationSettings {
            hidden: vec![2],
            l1: 0.05,
            ..Default::default()
        };
        let run = UnitColumns::new(&data, &s)
            .unwrap()
            .solve(&HighsSolver, &one_thread(), &quick())
            .unwrap();
        let path = PathNorm::new(&data, &s)
            .unwrap()
            .solve(
                &HighsSolver,
                &one_thread(),
                &PathNormSettings {
                    seconds: 20.0,
                    ..Default::default()
                },
            )
            .unwrap();
        eprintln!(
            "seed {seed}: unit columns {:?}, path-norm {}",
            run.bound.value, path.value
        );
        assert!(
            run.bound.value >= path.value * (1.0 - 1e-3),
            "seed {seed}: unit columns {} below path-norm {}",
            run.bound.value,
            path.value
        );
    }
}

#[test]
fn iris_gets_a_bound_between_path_norm_and_the_known_objective() {
    let all = Bundled::from_name("iris").unwrap().load();
    let (train, _) = all.split_stratified(0.25, 0).unwrap();
    let data = train.standardized(&Standardizer::fit(&train));
    let s = FormulationSettings::default();
    let run = UnitColumns::new(&data, &s)
        .unwrap()
        .solve(&HighsSolver, &SolveOptions::default(), &UnitColumnsSettings::default())
        .unwrap();
    eprintln!("iris: {run:?}");
    assert_eq!(run.bound.method, METHOD);
    // Above path-norm's 0.118 on this split, below mipnet's best network (0.155).
    assert!(run.bound.value > 0.118 && run.bound.value <= 0.155, "{run:?}");
}

#[test]
fn formulations_the_derivation_does_not_cover_are_refused_by_name() {
    let data = toy_data(900, 4, 2, 2);
    let refused = |s: FormulationSettings, what: &str| match UnitColumns::new(&data, &s) {
        Err(BoundError::NotApplicable(why)) => assert!(why.contains(what), "{why}"),
        other => panic!("expected a refusal naming {what}, got {:?}", other.map(|_| ())),
    };
    refused(
        FormulationSettings {
            hidden: vec![2, 2],
            ..Default::default()
        },
        "2 hidden layers",
    );
    refused(
        FormulationSettings {
            loss: Loss::L1,
            ..Default::default()
        },
        "loss",
    );
    let many = toy_data(901, 12, 2, 6);
    match UnitColumns::new(&many, &FormulationSettings::default()) {
        Err(BoundError::NotApplicable(why)) => assert!(why.contains("grid patterns"), "{why}"),
        other => panic!("6 classes: {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_raised_interrupt_ends_the_method_at_once_without_a_bound() {
    let data = toy_data(902, 10, 2, 3);
    let s = FormulationSettings::default();
    let flag = InterruptFlag::new();
    flag.raise();
    let started = Instant::now();
    let r =
        UnitColumns::new(&data, &s)
            .unwrap()
            .with_interrupt(Some(flag))
            .solve(&HighsSolver, &one_thread(), &quick());
    assert!(matches!(r, Err(BoundError::NoBound(_))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn the_scaled_certificate_is_the_best_of_its_line_family() {
    // LB(t) = t·g + H·min(0, min_z c_z + t·L_z): the chosen t is in [0, 1],
    // its value is LB(t), no t on a fine grid does better, and t = 1 is
    // never better than the choice.
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    for case in 0..200 {
        let g = rng.gen_range(0.0..1.0);
        let h = rng.gen_range(1..10) as f64;
        let lines: Vec<(f64, f64)> = (0..rng.gen_range(1..6))
            .map(|_| (rng.gen_range(0.0..0.1), rng.gen_range(-2.0..0.5)))
            .collect();
        let at = |t: f64| t * g + h * lines.iter().map(|&(c, l)| c + t * l).fold(0.0f64, f64::min);
        let (t, value) = best_scaling(g, h, &lines);
        assert!((0.0..=1.0).contains(&t), "case {case}: t = {t}");
        assert!(
            (value - at(t)).abs() <= 1e-12,
            "case {case}: {value} is not LB({t}) = {}",
            at(t)
        );
        assert!(value >= at(1.0), "case {case}: worse than t = 1");
        for i in 0..=1000 {
            let s = i as f64 / 1000.0;
            assert!(
                at(s) <= value + 1e-9,
                "case {case}: LB({s}) = {} above the choice {value}",
                at(s)
            );
        }
    }
}
