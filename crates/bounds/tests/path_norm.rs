//! The path-norm bound holds: never above the proven optimum of tiny
//! training problems or the objective of random networks, never fooled by
//! unbalanced or infeasible multipliers; the dyadic repair balances exactly
//! and only lowers; the pricing MILP's bound covers the true maximum.

mod support;
use support::{one_thread, proven_optimum, toy_data};

use mipnet_bounds::path_norm::dyadic::{DyadicDual, DYADIC_EXPONENT};
use mipnet_bounds::path_norm::pricing::{Atom, Pricing};
use mipnet_bounds::{BoundError, PathNorm, PathNormSettings};
use mipnet_data::{Bundled, Dataset, Standardizer};
use mipnet_formulate::{FormulationSettings, Loss};
use mipnet_highs::HighsSolver;
use mipnet_solver::{Observer, SolveOptions, SolveRequest, SolveResult, Solver, SolverError, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn quick() -> PathNormSettings {
    PathNormSettings {
        seconds: 10.0,
        ..Default::default()
    }
}

fn bound(data: &Dataset, s: &FormulationSettings) -> f64 {
    PathNorm::new(data, s)
        .unwrap()
        .solve(&HighsSolver, &one_thread(), &quick())
        .unwrap()
        .value
}

#[test]
fn the_bound_is_below_the_proven_optimum_of_tiny_instances() {
    // (samples, features, classes, settings): widths 1–3, 2–3 classes, the
    // grid, ω, margin and α varied (κ depends on s, P, K, ω, d).
    let cases: Vec<(usize, usize, usize, FormulationSettings)> = vec![
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
                ..Default::default()
            },
        ),
    ];
    let mut positive = 0;
    for (case, (n, d, k, s)) in cases.iter().enumerate() {
        for seed in 0..3 {
            let data = toy_data(600 + seed, *n, *d, *k);
            let optimum = proven_optimum(&data, s);
            let lb = bound(&data, s);
            assert!(
                lb <= optimum,
                "case {case} seed {seed}: bound {lb} above optimum {optimum}"
            );
            if lb > 0.0 {
                positive += 1;
            }
        }
    }
    assert!(
        positive >= 8,
        "only {positive} of 15 bounds are positive: the test proves little"
    );
}

/// The objective of a random 1-hidden-layer network of the formulation
/// (hinge, α·ℓ1 of every weight), from scratch.
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
            // Small weights too: cheap penalties, the regime where a bound could go wrong.
            let scale = [1.0, 0.3, 0.05][trial % 3];
            let objective = random_network_objective(&mut rng, &data, &s, scale);
            assert!(lb <= objective, "seed {seed}: bound {lb} above a network's {objective}");
        }
    }
}

#[test]
fn the_dyadic_repair_balances_exactly_and_only_lowers() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let unit = 2f64.powi(DYADIC_EXPONENT);
    for case in 0..200 {
        let (n, k) = (rng.gen_range(2..40), rng.gen_range(2..5));
        let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
        let near = case % 2 == 0;
        // Near-balanced: all π equal (balanced when classes are even) plus
        // noise; else arbitrary, above the cap and negative too.
        let pi: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                (0..k)
                    .map(|_| {
                        if near {
                            1.0 / (n * k) as f64 * (1.0 + rng.gen_range(-1e-6..1e-6))
                        } else {
                            rng.gen_range(-0.5..2.0) / n as f64
                        }
                    })
                    .collect()
            })
            .collect();
        let dual = DyadicDual::repair(&pi, &labels, k);
        let cap = (1i128 << DYADIC_EXPONENT) / n as i128;
        for c in 0..k {
            assert_eq!(dual.class_residual(c), 0, "case {case}: class {c} unbalanced");
            // The f64 λ are the integers exactly: their sum is exactly 0 too.
            let sum: f64 = dual.lambda(c).iter().sum();
            assert_eq!(sum, 0.0, "case {case}: class {c}");
        }
        for (i, row) in dual.units().iter().enumerate() {
            assert_eq!(row[labels[i]], 0, "no multiplier on the own class");
            let total: i128 = row.iter().map(|&m| m as i128).sum();
            assert!(total <= cap, "case {case}: sample {i} above 1/N");
            for c in 0..k {
                assert!(row[c] >= 0, "case {case}: negative π");
                assert!(
                    (row[c] as f64) <= (pi[i][c].max(0.0) * unit).floor(),
                    "case {case}: π_{i}{c} increased"
                );
            }
        }
        if near && n % k == 0 {
            // Balanced up to noise: the repair keeps almost everything.
            let kept = dual.total();
            let given: f64 = (0..n)
                .map(|i| (0..k).filter(|&c| c != labels[i]).map(|c| pi[i][c]).sum::<f64>())
                .sum();
            assert!(kept >= given * (1.0 - 1e-4), "case {case}: kept {kept} of {given}");
        }
    }
}

#[test]
fn unbalanced_or_infeasible_multipliers_never_certify_more_than_the_optimum() {
    let data = toy_data(800, 6, 2, 3);
    let s = FormulationSettings {
        hidden: vec![1],
        l1: 0.05,
        ..Default::default()
    };
    let optimum = proven_optimum(&data, &s);
    let method = PathNorm::new(&data, &s).unwrap();
    let (n, k) = (data.len(), data.num_classes());
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let deadline = || Instant::now() + Duration::from_secs(20);
    for trial in 0..12 {
        // Every π at 1/N (Σ_k π = (K−1)/N breaks the cap), or random and
        // unbalanced: taken at face value, margin·Σπ would exceed the optimum.
        let pi: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                (0..k)
                    .map(|_| {
                        if trial == 0 {
                            1.0 / n as f64
                        } else {
                            rng.gen_range(0.0..1.0) / n as f64
                        }
                    })
                    .collect()
            })
            .collect();
        let naive: f64 = s.margin
            * (0..n)
                .map(|i| (0..k).filter(|&c| c != data.label(i)).map(|c| pi[i][c]).sum::<f64>())
                .sum::<f64>();
        if trial == 0 {
            assert!(naive > optimum, "the naive value {naive} would be wrong");
        }
        let dual = method.repair(&pi);
        let cert = method
            .certify(&HighsSolver, &one_thread(), &dual, &[], deadline(), 1.0, None)
            .unwrap()
            .certificate
            .expect("the pricing MILPs reach a bound");
        assert!(
            cert.value <= optimum,
            "trial {trial}: certified {} above {optimum}",
            cert.value
        );
        assert!(cert.dual_value <= naive + 1e-12, "the repair only lowers");
        // Side by side on two threads (one per MILP), the same MILPs run:
        // the same certificate.
        let two = SolveOptions {
            threads: Some(2),
            ..Default::default()
        };
        let parallel = method
            .certify(&HighsSolver, &two, &dual, &[], deadline(), 1.0, None)
            .unwrap()
            .certificate
            .expect("the pricing MILPs reach a bound");
        assert_eq!(
            parallel.value, cert.value,
            "trial {trial}: threads change the certificate"
        );
    }
}

#[test]
fn the_pricing_bound_covers_the_true_maximum() {
    // One feature: ‖w‖₁ ≤ 1 makes w ∈ [−1, 1]; by homogeneity the maximum is
    // at w = ±1 (or 0, value 0 when Σλ = 0), and for a fixed w the best bias
    // is at a breakpoint, so the maximum is known exactly.
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut interrupted = 0;
    for case in 0..20 {
        let n = rng.gen_range(3..15);
        let xs: Vec<Vec<f64>> = (0..n).map(|_| vec![rng.gen_range(-2.0..2.0)]).collect();
        let rows: Vec<&[f64]> = xs.iter().map(|x| x.as_slice()).collect();
        // Integers times 2^−20 summing to exactly 0, as the dyadic repair gives.
        let mut units: Vec<i64> = (0..n).map(|_| rng.gen_range(-(1 << 20)..(1 << 20))).collect();
        units[n - 1] -= units.iter().sum::<i64>();
        let coef: Vec<f64> = units.iter().map(|&m| m as f64 * 2f64.powi(-20)).collect();
        let radius = xs.iter().fold(0.0f64, |a, x| a.max(x[0].abs()));
        let pricing = Pricing::new(&rows, &coef, radius);
        let truth = pricing.best_bias(&[1.0]).0.max(pricing.best_bias(&[-1.0]).0).max(0.0);
        let (certified, unit) = pricing
            .exact(&HighsSolver, &one_thread(), None, None, None)
            .unwrap()
            .unwrap();
        assert!(certified >= truth, "case {case}: {certified} below the maximum {truth}");
        // Above only by HiGHS's default relative gap (1e-4) and the tolerance inflation.
        assert!(
            certified <= truth * (1.0 + 1e-3) + 1e-4,
            "case {case}: {certified} far above {truth}"
        );
        let unit: Atom = unit.unwrap();
        assert!(
            pricing.value(&unit) >= truth - 1e-6,
            "case {case}: the MILP's unit is the best"
        );
        // Ended as soon as a unit beats half the maximum: its bound still
        // covers the maximum, and the unit it returns is worth more than that.
        let stopped = pricing
            .solve_exact(&HighsSolver, &one_thread(), None, None, Some(truth / 2.0))
            .unwrap();
        if stopped.status == Status::Interrupted {
            interrupted += 1;
        }
        let early = stopped.bound.expect("a dual bound");
        assert!(
            early >= truth,
            "case {case}: stopped early, {early} below the maximum {truth}"
        );
        if truth > 0.0 {
            let u = stopped.unit.expect("a unit above half the maximum");
            assert!(pricing.value(&u) > truth / 2.0 - 1e-9, "case {case}: the early unit");
        }
        let (heuristic, _) = pricing.ascend(&[0.3]);
        assert!(
            heuristic <= certified,
            "case {case}: a unit prices above the certified bound"
        );
    }
    // The stop is exercised, not only allowed (16 of the 20 when written;
    // the others finish before their first incumbent is reported).
    assert!(
        interrupted >= 8,
        "only {interrupted} of 20 MILPs were stopped early: the test proves little"
    );
}

#[test]
fn iris_gets_a_positive_bound_below_the_known_objective() {
    let all = Bundled::from_name("iris").unwrap().load();
    let (train, _) = all.split_stratified(0.25, 0).unwrap();
    let data = train.standardized(&Standardizer::fit(&train));
    let s = FormulationSettings::default();
    let proven = PathNorm::new(&data, &s)
        .unwrap()
        .solve(&HighsSolver, &SolveOptions::default(), &PathNormSettings::default())
        .unwrap();
    eprintln!("iris: {proven:?}");
    assert_eq!(proven.method, "path-norm");
    // Above the Lipschitz-margin bound (0.067 on this split), below mipnet's
    // best network (0.155).
    assert!(proven.value > 0.067 && proven.value <= 0.155, "{proven:?}");
}

#[test]
fn formulations_the_derivation_does_not_cover_are_refused_by_name() {
    let data = toy_data(900, 4, 2, 2);
    let refused = |s: FormulationSettings, why: &str| {
        let e = PathNorm::new(&data, &s).unwrap_err();
        assert!(matches!(e, BoundError::NotApplicable(ref m) if m.contains(why)), "{e}");
    };
    let defaults = FormulationSettings::default();
    let method = PathNorm::new(&data, &defaults).unwrap();
    for seconds in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300] {
        let budget = PathNormSettings {
            seconds,
            ..Default::default()
        };
        let e = method.solve(&HighsSolver, &one_thread(), &budget).unwrap_err();
        assert!(
            matches!(e, BoundError::NoBound(ref m) if m.contains("time budget")),
            "{e}"
        );
    }
    refused(
        FormulationSettings {
            hidden: vec![2, 2],
            ..Default::default()
        },
        "2 hidden layers",
    );
    refused(
        FormulationSettings {
            loss: Loss::Misclassification,
            ..Default::default()
        },
        "misclassification loss",
    );
    refused(
        FormulationSettings {
            loss: Loss::L1,
            ..Default::default()
        },
        "l1 loss",
    );
    refused(
        FormulationSettings {
            l1: 0.0,
            ..Default::default()
        },
        "α = 0",
    );
    refused(
        FormulationSettings {
            conv: Some(
                mipnet_network::parse_architecture("conv 2x1x1 > dense 3")
                    .unwrap()
                    .0
                    .unwrap(),
            ),
            ..Default::default()
        },
        "convolutional",
    );
}

#[test]
fn a_raised_interrupt_ends_the_method_at_once_without_a_bound() {
    let data = toy_data(900, 12, 2, 3);
    let s = FormulationSettings {
        hidden: vec![2],
        ..Default::default()
    };
    let flag = mipnet_solver::InterruptFlag::new();
    flag.raise();
    let started = Instant::now();
    let result = PathNorm::new(&data, &s).unwrap().with_interrupt(Some(flag)).solve(
        &HighsSolver,
        &one_thread(),
        &PathNormSettings::default(),
    );
    assert!(matches!(result, Err(BoundError::NoBound(_))), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

/// How one pricing MILP (a solve with integer columns) ended in HiGHS,
/// before any tampering.
#[derive(Clone, Debug)]
struct Ended {
    status: Status,
    objective: Option<f64>,
    dual_bound: Option<f64>,
}

/// HiGHS, with the pricing MILPs changed as a test needs and each one's end
/// recorded; the master LPs pass through untouched.
#[derive(Default)]
struct Tampered {
    /// MILP solves (numbered from 0 in the order they end) whose dual bound
    /// is taken away, as when a MILP ends before its root bound.
    drop_bound: Vec<usize>,
    /// HiGHS's node limit (`mip_max_nodes`) on every MILP: it ends early
    /// with whatever dual bound its tree has reached.
    node_limit: Option<u64>,
    milps: Mutex<Vec<Ended>>,
}

impl Tampered {
    fn dropping(drop_bound: &[usize]) -> Self {
        Tampered {
            drop_bound: drop_bound.to_vec(),
            ..Default::default()
        }
    }
    fn milps(&self) -> Vec<Ended> {
        self.milps.lock().unwrap().clone()
    }
}

impl Solver for Tampered {
    fn name(&self) -> String {
        "tampered HiGHS".into()
    }
    fn solve(&self, request: SolveRequest<'_>, observer: &mut dyn Observer) -> Result<SolveResult, SolverError> {
        if !request.model.is_mip() {
            return HighsSolver.solve(request, observer);
        }
        let mut options = request.options.clone();
        if let Some(n) = self.node_limit {
            options.extra.push(("mip_max_nodes".into(), n.to_string()));
        }
        let changed = SolveRequest {
            options: &options,
            ..request
        };
        let mut result = HighsSolver.solve(changed, observer)?;
        let mut milps = self.milps.lock().unwrap();
        if self.drop_bound.contains(&milps.len()) {
            result.dual_bound = None;
        }
        milps.push(Ended {
            status: result.status,
            objective: result.objective,
            dual_bound: result.dual_bound,
        });
        Ok(result)
    }
}

/// Multipliers at random (every π_nk up to 1/N, unbalanced): after the
/// repair, each class's pricing problem has units far above ακ.
fn random_dual(method: &PathNorm, data: &Dataset, seed: u64) -> mipnet_bounds::path_norm::dyadic::DyadicDual {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pi: Vec<Vec<f64>> = (0..data.len())
        .map(|_| {
            (0..data.num_classes())
                .map(|_| rng.gen_range(0.0..1.0) / data.len() as f64)
                .collect()
        })
        .collect();
    method.repair(&pi)
}

/// Pricing problems per certification with K ≥ 3 classes: each class and sign.
fn pricing_problems(data: &Dataset) -> usize {
    2 * data.num_classes()
}

#[test]
fn a_pricing_milp_without_a_dual_bound_costs_the_certificate_not_the_columns() {
    let data = toy_data(810, 12, 2, 3);
    let s = FormulationSettings {
        hidden: vec![1],
        l1: 0.05,
        ..Default::default()
    };
    let method = PathNorm::new(&data, &s).unwrap();
    let dual = random_dual(&method, &data, 31);
    let deadline = || Instant::now() + Duration::from_secs(20);
    let clean = method
        .certify(&HighsSolver, &one_thread(), &dual, &[], deadline(), 1.0, None)
        .unwrap();
    assert!(clean.certificate.is_some(), "{clean:?}");
    assert_eq!(clean.without_bound, 0);
    assert_eq!(
        clean.units.len(),
        pricing_problems(&data),
        "every MILP finds a violated unit: {clean:?}"
    );
    for dropped in 0..pricing_problems(&data) {
        // One MILP (run one after the other, on one thread) ends without a
        // dual bound: no certificate, but every MILP's unit, its own too.
        let tampered = Tampered::dropping(&[dropped]);
        let c = method
            .certify(&tampered, &one_thread(), &dual, &[], deadline(), 1.0, None)
            .unwrap();
        assert_eq!(tampered.milps().len(), pricing_problems(&data));
        assert_eq!(c.certificate, None, "MILP {dropped} dropped: {c:?}");
        assert_eq!(c.without_bound, 1);
        assert_eq!(c.units, clean.units, "MILP {dropped} dropped: the columns differ");
    }
}

#[test]
fn column_generation_goes_on_after_a_round_without_a_certificate() {
    let s = FormulationSettings {
        hidden: vec![1],
        l1: 0.05,
        ..Default::default()
    };
    // Instances whose first certification finds violated units (checked
    // below), so a second one follows.
    for seed in [810, 813] {
        let data = toy_data(seed, 12, 2, 3);
        let method = PathNorm::new(&data, &s).unwrap();
        let clean = Tampered::default();
        let expected = method.solve(&clean, &one_thread(), &quick()).unwrap();
        assert!(
            clean.milps().len() > pricing_problems(&data),
            "seed {seed}: one certification only, the test proves nothing"
        );
        // The first certification's first MILP ends without a dual bound.
        let tampered = Tampered::dropping(&[0]);
        let proven = method
            .solve(&tampered, &one_thread(), &quick())
            .unwrap_or_else(|e| panic!("seed {seed}: the round's columns were lost: {e}"));
        assert!(
            tampered.milps().len() > pricing_problems(&data),
            "seed {seed}: no certification after the one without a bound"
        );
        let optimum = proven_optimum(&data, &s);
        assert!(
            proven.value > 0.0 && proven.value <= optimum,
            "seed {seed}: {proven:?}, optimum {optimum}"
        );
        eprintln!("seed {seed}: {} (without the drop {})", proven.value, expected.value);
    }
}

#[test]
fn pricing_milps_ended_early_still_give_bounds_below_the_optimum() {
    // HiGHS's node limit ends every pricing MILP after its first node: its
    // dual bound is then looser than the maximum, the certificate weaker.
    let early = || Tampered {
        node_limit: Some(1),
        ..Default::default()
    };
    let ended_early = |t: &Tampered| {
        t.milps()
            .iter()
            .filter(|e| {
                e.status == Status::SolutionLimit
                    && matches!((e.objective, e.dual_bound), (Some(o), Some(b)) if b > o * (1.0 + 1e-3))
            })
            .count()
    };
    let s = FormulationSettings {
        hidden: vec![1],
        l1: 0.05,
        ..Default::default()
    };
    // One dual, certified with and without the limit: the limited
    // certificate's ratio covers the true maximum (the full solves' ratio).
    let data = toy_data(810, 12, 2, 3);
    let method = PathNorm::new(&data, &s).unwrap();
    let dual = random_dual(&method, &data, 31);
    let deadline = || Instant::now() + Duration::from_secs(20);
    let full = method
        .certify(&HighsSolver, &one_thread(), &dual, &[], deadline(), 1.0, None)
        .unwrap()
        .certificate
        .unwrap();
    let limited_solver = early();
    let limited = method
        .certify(&limited_solver, &one_thread(), &dual, &[], deadline(), 1.0, None)
        .unwrap();
    assert!(ended_early(&limited_solver) >= 1, "{:?}", limited_solver.milps());
    assert!(limited.ended_early >= 1, "{limited:?}");
    let cert = limited.certificate.expect("a node limit leaves the dual bound");
    assert!(
        cert.ratio >= full.ratio * (1.0 - 1e-3),
        "an early end's ratio {} below the maximum's {}",
        cert.ratio,
        full.ratio
    );
    assert!(cert.value <= full.value * (1.0 + 1e-3), "{cert:?} above {full:?}");
    // Whole runs, every pricing MILP limited: below the proven optimum.
    let mut early_ends = 0;
    for seed in 0..3 {
        let data = toy_data(810 + seed, 12, 2, 3);
        let method = PathNorm::new(&data, &s).unwrap();
        let solver = early();
        let proven = method.solve(&solver, &one_thread(), &quick()).unwrap();
        let optimum = proven_optimum(&data, &s);
        assert!(
            proven.value > 0.0 && proven.value <= optimum,
            "seed {seed}: {proven:?}, optimum {optimum}"
        );
        early_ends += ended_early(&solver);
    }
    assert!(
        early_ends >= 3,
        "only {early_ends} MILPs ended early: the test proves little"
    );
}
