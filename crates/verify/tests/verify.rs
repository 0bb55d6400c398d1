//! Verification answers checked against independent computations: on
//! one-hidden-layer networks over 2-D boxes, the exact maximum of any output
//! combination is attained at a vertex of the arrangement of the hidden
//! neurons' lines and the box edges, so enumerating those vertices decides
//! robustness and output ranges exactly without any solver. Deeper networks
//! and max pooling are checked by sampling (nothing sampled may beat a
//! proof) and by fixing the input to a point (the MILP must reproduce the
//! forward pass).

use mipnet_network::{argmax, generated_names, Affine, Op, ReluNet};
use mipnet_verify::{check_property, output_ranges, prepare, radius, robustness, Answer, Region, Verdict, VerifyError};
use mipnet_vnnlib::Property;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod support;
use support::{exact_max, options, random_affine, random_net};

#[test]
fn robustness_matches_vertex_enumeration_in_2d() {
    let (mut robust, mut not_robust) = (0, 0);
    for seed in 0..6 {
        let net = random_net(seed, &[2, 6, 3]);
        let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
        for _ in 0..4 {
            let x = [rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0)];
            for eps in [0.02, 0.1, 0.3, 1.0] {
                let c = argmax(&net.forward(&x));
                let r = Region::ball(&x, eps, None);
                // The worst other class's margin; ties go to the lower index.
                let worst = (0..3)
                    .filter(|&k| k != c)
                    .map(|k| exact_max(&net, &r.lower, &r.upper, |y| y[k] - y[c]))
                    .fold(f64::NEG_INFINITY, f64::max);
                let rep = robustness(&net, &x, eps, None, &options()).unwrap();
                assert_eq!(rep.predicted, c);
                if worst < -1e-4 {
                    assert_eq!(
                        rep.verdict,
                        Verdict::Robust,
                        "seed {seed} x {x:?} eps {eps}: max margin {worst}"
                    );
                    robust += 1;
                } else if worst > 1e-4 {
                    assert_eq!(
                        rep.verdict,
                        Verdict::NotRobust,
                        "seed {seed} x {x:?} eps {eps}: max margin {worst}"
                    );
                    let cex = rep.counterexample.unwrap();
                    assert!(cex.distance <= eps + 1e-12);
                    assert_ne!(argmax(&net.forward(&cex.input)), c);
                    assert_eq!(cex.scores, net.forward(&cex.input));
                    not_robust += 1;
                }
            }
        }
    }
    assert!(
        robust >= 10 && not_robust >= 10,
        "robust {robust}, not robust {not_robust}"
    );
}

#[test]
fn output_ranges_are_exact_in_2d_and_hold_on_samples_in_deeper_nets() {
    for seed in 0..4 {
        let net = random_net(seed, &[2, 5, 2]);
        let region = Region::boxed(vec![-0.7, -0.2], vec![0.4, 0.9]);
        let rep = output_ranges(&net, &region, &options()).unwrap();
        for o in &rep.outputs {
            let j = o.output;
            let max = exact_max(&net, &region.lower, &region.upper, |y| y[j]);
            let min = -exact_max(&net, &region.lower, &region.upper, |y| -y[j]);
            assert!(o.exact);
            // Proven bounds hold and are tight up to the 1e-5 relative widening.
            let room = |v: f64| 2e-5 * (1.0 + v.abs());
            assert!(
                o.upper >= max && o.upper - max <= room(max),
                "seed {seed} output {j}: {} vs {max}",
                o.upper
            );
            assert!(
                o.lower <= min && min - o.lower <= room(min),
                "seed {seed} output {j}: {} vs {min}",
                o.lower
            );
            assert!((o.upper_witness.as_ref().unwrap().value - max).abs() < 1e-6);
            assert!((o.lower_witness.as_ref().unwrap().value - min).abs() < 1e-6);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for seed in 0..3 {
        let net = random_net(seed, &[3, 6, 5, 2]);
        let region = Region::boxed(vec![-1.0, 0.0, -0.5], vec![0.0, 1.0, 0.5]);
        let rep = output_ranges(&net, &region, &options()).unwrap();
        for _ in 0..2000 {
            let x: Vec<f64> = (0..3)
                .map(|i| rng.gen_range(region.lower[i]..=region.upper[i]))
                .collect();
            let y = net.forward(&x);
            for o in &rep.outputs {
                assert!(y[o.output] >= o.lower && y[o.output] <= o.upper);
            }
        }
    }
}

#[test]
fn tightened_bounds_contain_every_sampled_value() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for seed in 0..4 {
        let net = random_net(seed, &[4, 8, 8, 3]);
        let region = Region::boxed(vec![-1.0; 4], vec![1.0; 4]);
        let mut opts = options();
        // Interval against LP tightening alone (the linear stage has its own test).
        opts.linear_bounds = false;
        opts.lp_tightening = false;
        let (interval, _) = prepare(&net, &region, &opts).unwrap();
        opts.lp_tightening = true;
        let (tight, stages) = prepare(&net, &region, &opts).unwrap();
        assert_eq!(stages.len(), 2);
        assert!(stages[1].unstable_relus <= stages[0].unstable_relus);
        assert!(
            stages[1].mean_big_m <= stages[0].mean_big_m + 1e-9 || stages[1].unstable_relus < stages[0].unstable_relus
        );
        for (a, b) in interval.ops.iter().zip(&tight.ops) {
            for i in 0..a.lower.len() {
                assert!(b.lower[i] >= a.lower[i] - 1e-12 && b.upper[i] <= a.upper[i] + 1e-12);
            }
        }
        for _ in 0..3000 {
            let x: Vec<f64> = (0..4).map(|_| rng.gen_range(-1.0..=1.0)).collect();
            for (k, v) in net.trace(&x).iter().enumerate() {
                for (i, val) in v.iter().enumerate() {
                    assert!(
                        *val >= tight.ops[k].lower[i] && *val <= tight.ops[k].upper[i],
                        "seed {seed} op {k} unit {i}: {val} outside [{}, {}]",
                        tight.ops[k].lower[i],
                        tight.ops[k].upper[i]
                    );
                }
            }
        }
    }
}

/// normalize → affine → relu → maxpool → affine, with the input box shrunk
/// to a point: the MILP's only feasible outputs are the forward pass's.
#[test]
fn every_operation_is_encoded_exactly_at_a_point() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let net = ReluNet {
        inputs: 3,
        ops: vec![
            Op::Normalize {
                sub: vec![0.1, -0.2, 0.3],
                div: vec![2.0, 0.5, -1.5],
            },
            Op::Affine(random_affine(&mut rng, 3, 6)),
            Op::Relu,
            Op::MaxPool {
                inputs: 6,
                windows: vec![vec![0, 1, 2], vec![2, 3], vec![3, 4, 5]],
            },
            Op::Affine(random_affine(&mut rng, 3, 2)),
        ],
        input_names: generated_names("x", 3),
        output_names: generated_names("y", 2),
    };
    net.check().unwrap();
    for _ in 0..10 {
        let x: Vec<f64> = (0..3).map(|_| rng.gen_range(-2.0..2.0)).collect();
        let rep = output_ranges(&net, &Region::boxed(x.clone(), x.clone()), &options()).unwrap();
        let y = net.forward(&x);
        for o in &rep.outputs {
            let room = 2e-5 * (1.0 + y[o.output].abs());
            assert!(o.lower <= y[o.output] && y[o.output] - o.lower <= room);
            assert!(o.upper >= y[o.output] && o.upper - y[o.output] <= room);
        }
    }
    // And over a box, sampled outputs stay inside the proven ranges.
    let region = Region::boxed(vec![-1.0; 3], vec![1.0; 3]);
    let rep = output_ranges(&net, &region, &options()).unwrap();
    for _ in 0..3000 {
        let x: Vec<f64> = (0..3).map(|_| rng.gen_range(-1.0..=1.0)).collect();
        let y = net.forward(&x);
        for o in &rep.outputs {
            assert!(y[o.output] >= o.lower && y[o.output] <= o.upper);
        }
    }
}

#[test]
fn radius_brackets_the_exact_radius() {
    let net = random_net(2, &[2, 6, 3]);
    let x = [0.3, -0.4];
    let c = argmax(&net.forward(&x));
    let robust_at = |eps: f64| {
        let r = Region::ball(&x, eps, None);
        (0..3)
            .filter(|&k| k != c)
            .all(|k| exact_max(&net, &r.lower, &r.upper, |y| y[k] - y[c]) < 0.0)
    };
    let rep = radius(&net, &x, 2.0, 1e-3, None, &options()).unwrap();
    assert!(!rep.undecided);
    assert!(rep.certified > 0.0);
    assert!(robust_at(rep.certified));
    let (eps_cex, cex) = rep.counterexample.expect("a counterexample below 2");
    assert!(eps_cex - rep.certified <= 1e-3 + 1e-12);
    assert!(!robust_at(eps_cex));
    assert_ne!(argmax(&net.forward(&cex.input)), c);
}

#[test]
fn properties_are_sat_or_unsat_as_enumeration_says() {
    let net = random_net(4, &[2, 6, 2]);
    let (lo, hi) = ([-0.5, -0.5], [0.5, 0.5]);
    let max_gap = exact_max(&net, &lo, &hi, |y| y[0] - y[1]);
    for (threshold, expect) in [(max_gap - 0.05, Answer::Sat), (max_gap + 0.05, Answer::Unsat)] {
        let text = format!(
            "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n\
             (assert (>= X_0 -0.5))\n(assert (<= X_0 0.5))\n(assert (>= X_1 -0.5))\n(assert (<= X_1 0.5))\n\
             (assert (>= (- Y_0 Y_1) {threshold}))\n"
        );
        let prop = Property::parse(&text).unwrap();
        let rep = check_property(&net, &prop, &options()).unwrap();
        assert_eq!(rep.answer, expect, "threshold {threshold}, max {max_gap}");
        if let Some((x, y)) = rep.witness {
            assert_eq!(y, net.forward(&x));
            assert!(y[0] - y[1] >= threshold - 1e-9);
        }
    }
}

#[test]
fn bad_regions_are_refused_with_the_cause() {
    let net = random_net(0, &[2, 3, 2]);
    let err = robustness(&net, &[0.0, 0.0], -0.1, None, &options()).unwrap_err();
    assert_eq!(err.to_string(), "eps must be a finite number ≥ 0, got -0.1");
    let err = robustness(&net, &[0.0], 0.1, None, &options()).unwrap_err();
    assert_eq!(err.to_string(), "the input has 1 values, the network 2 inputs");
    let err = output_ranges(&net, &Region::boxed(vec![0.0, 1.0], vec![1.0, 0.5]), &options()).unwrap_err();
    assert_eq!(err.to_string(), "input 1 (x1): lower bound 1 is above upper bound 0.5");
    let err = output_ranges(
        &net,
        &Region::boxed(vec![0.0, f64::NEG_INFINITY], vec![1.0, 0.5]),
        &options(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "input 1 (x1) is unbounded; the MILP needs a finite box"
    );
    // A point outside the domain (its clipped ball would be empty).
    let err = robustness(&net, &[2.0, 0.5], 0.1, Some((0.0, 1.0)), &options()).unwrap_err();
    assert_eq!(err.to_string(), "input 0 (x0) is 2, outside the domain [0, 1]");
    let prop = Property::parse("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= Y_0 1))").unwrap();
    let err = check_property(&net, &prop, &options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the property declares 1 inputs and 1 outputs, the network has 2 and 2"
    );
}

/// `X_0` and `X_1` declared with `Y_0` and `Y_1`, then `body`.
fn property(body: &str) -> Property {
    Property::parse(&format!(
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n{body}"
    ))
    .unwrap()
}

#[test]
fn an_empty_input_region_is_an_error_never_unsat() {
    let net = random_net(5, &[2, 4, 2]);
    let box1 = "(assert (>= X_1 0))\n(assert (<= X_1 1))\n";
    // One disjunct, empty box: an error naming the input and its bounds.
    let p = property(&format!(
        "{box1}(assert (<= X_0 0.5))\n(assert (>= X_0 0.6))\n(assert (<= Y_0 Y_1))"
    ));
    let err = check_property(&net, &p, &options()).unwrap_err();
    assert!(matches!(err, VerifyError::Region(_)));
    assert_eq!(
        err.to_string(),
        "the property's input region is empty (disjunct 1 of 1: the input box is empty: X_0 ≥ 0.6 and X_0 ≤ 0.5); \
         no input satisfies it, so there is nothing to verify"
    );
    // Empty only because of strict comparisons: an error all the same (it
    // used to be solved over the one-point box X_0 = 0.5 and answered unsat).
    let p = property(&format!(
        "{box1}(assert (< X_0 0.5))\n(assert (> X_0 0.5))\n(assert (<= Y_0 Y_1))"
    ));
    let err = check_property(&net, &p, &options()).unwrap_err();
    assert!(matches!(err, VerifyError::Region(_)));
    assert_eq!(
        err.to_string(),
        "the property's input region is empty (disjunct 1 of 1: the input box is empty: X_0 > 0.5 and X_0 < 0.5); \
         no input satisfies it, so there is nothing to verify"
    );
    // Every disjunct empty.
    let p = property(&format!(
        "{box1}(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (or (>= X_0 2) (<= X_0 -1)))\n(assert (<= Y_0 Y_1))"
    ));
    let err = check_property(&net, &p, &options()).unwrap_err().to_string();
    assert!(
        err.starts_with("every one of the property's 2 disjuncts has an empty input region (disjunct 1 of 2: the input box is empty: X_0 ≥ 2 and X_0 ≤ 1)"),
        "{err}"
    );
    // A box emptied by the input constraints only: the MILP finds it infeasible.
    let p = property(&format!(
        "{box1}(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= (+ X_0 X_1) 3))\n(assert (<= Y_0 Y_1))"
    ));
    let err = check_property(&net, &p, &options()).unwrap_err().to_string();
    assert!(
        err.contains(
            "its input constraints leave no input in its box (the MILP and an LP over the box and input \
             constraints alone are infeasible)"
        ),
        "{err}"
    );
    // Asserts false whatever the input: no disjunct at all.
    let p = property("(assert (<= 2 1))");
    let err = check_property(&net, &p, &options()).unwrap_err().to_string();
    assert!(
        err.starts_with("the property's asserts can never hold together"),
        "{err}"
    );
}

#[test]
fn empty_disjuncts_beside_others_are_dropped_and_listed() {
    let net = random_net(4, &[2, 6, 2]);
    let (lo, hi) = ([-0.5, -0.5], [0.5, 0.5]);
    let max_gap = exact_max(&net, &lo, &hi, |y| y[0] - y[1]);
    // X_0 ≤ −1 is empty within the box; X_0 ≥ −0.5 is the whole box.
    let p = property(&format!(
        "(assert (>= X_0 -0.5))\n(assert (<= X_0 0.5))\n(assert (>= X_1 -0.5))\n(assert (<= X_1 0.5))\n\
         (assert (or (<= X_0 -1) (>= X_0 -0.5)))\n(assert (>= (- Y_0 Y_1) {}))",
        max_gap + 0.05
    ));
    let rep = check_property(&net, &p, &options()).unwrap();
    assert_eq!(rep.answer, Answer::Unsat);
    assert_eq!(rep.dropped.len(), 1);
    assert_eq!(rep.dropped[0].index, 0);
    assert_eq!(rep.dropped[0].reason, "the input box is empty: X_0 ≥ -0.5 and X_0 ≤ -1");
    // The unsat comes from the one solved MILP, with its proof.
    assert_eq!(rep.disjuncts.len(), 1);
    assert_eq!(rep.disjuncts[0].index, 1);
    assert!(rep.disjuncts[0].slack_bound.unwrap() < -1e-5);
}

#[test]
fn numbers_too_large_for_the_milp_are_refused_before_it_is_built() {
    let net = random_net(0, &[2, 3, 2]);
    let opts = options();
    let msg = |e: VerifyError| {
        assert!(matches!(e, VerifyError::Magnitude(_)), "{e}");
        e.to_string()
    };
    let limit = "mipnet's MILPs accept magnitudes up to 1e7";
    // A box.
    let e = output_ranges(&net, &Region::boxed(vec![-1e300, 0.0], vec![1e300, 1.0]), &opts).unwrap_err();
    assert_eq!(msg(e), format!("input 0 (x0): the lower bound is -1e300; {limit}"));
    // ε, unless a domain clips the ball.
    let e = robustness(&net, &[0.0, 0.0], 1e300, None, &opts).unwrap_err();
    assert_eq!(msg(e), format!("eps is 1e300; {limit}"));
    assert!(robustness(&net, &[0.5, 0.5], 1e300, Some((0.0, 1.0)), &opts).is_ok());
    // An input point.
    let e = robustness(&net, &[0.0, 1e300], 0.1, None, &opts).unwrap_err();
    assert_eq!(msg(e), format!("input 1 (x1) is 1e300; {limit}"));
    // A weight, a bias, a normalization.
    let mut heavy = net.clone();
    let Op::Affine(a) = &mut heavy.ops[2] else { panic!() };
    a.rows[1][0].1 = 1e300;
    let e = output_ranges(&heavy, &Region::boxed(vec![0.0; 2], vec![1.0; 2]), &opts).unwrap_err();
    assert_eq!(
        msg(e),
        format!("operation 3 of 3 (affine): the weight of output 1 on input 0 is 1e300; {limit}")
    );
    let mut normalized = net.clone();
    normalized.ops.insert(
        0,
        Op::Normalize {
            sub: vec![0.0, 0.0],
            div: vec![1.0, 1e-300],
        },
    );
    let e = output_ranges(&normalized, &Region::boxed(vec![0.0; 2], vec![1.0; 2]), &opts).unwrap_err();
    assert!(msg(e).starts_with("operation 1 of 4 (normalize): input 1 is normalized as (x − 0e0) / 1e-300"));
    // Moderate numbers whose products are not: the interval bounds (big-M constants).
    let mut deep = net.clone();
    let Op::Affine(a) = &mut deep.ops[0] else { panic!() };
    for row in &mut a.rows {
        for (_, w) in row.iter_mut() {
            *w = 1e4;
        }
    }
    let e = output_ranges(&deep, &Region::boxed(vec![-1e4; 2], vec![1e4; 2]), &opts).unwrap_err();
    let m = msg(e);
    assert!(
        m.starts_with(
            "over this input region, output 0 of operation 1 of 3 (affine) reaches 2.000e8 in its proven bounds"
        ),
        "{m}"
    );
    // And a VNN-LIB box.
    let p = property("(assert (>= X_0 0))\n(assert (<= X_0 1e300))\n(assert (>= X_1 0))\n(assert (<= X_1 1))");
    let e = check_property(&net, &p, &opts).unwrap_err();
    assert_eq!(
        msg(e),
        format!("disjunct 1 of 1: the upper bound of X_0 is 1e300; {limit}")
    );
}

/// HiGHS drops coefficients of magnitude ≤ 1e-9 from its models; the
/// encoding must not let that shrink the set of values it proves things
/// about. y = 1e-10·x over x ∈ [0, 1e7] reaches 1e-3, far above the 1e-5
/// tolerance: a model without the term would "prove" a maximum near 0.
#[test]
fn coefficients_highs_would_drop_do_not_narrow_a_proven_range() {
    let net = ReluNet {
        inputs: 1,
        ops: vec![Op::Affine(Affine::dense(&[vec![1e-10]], &[0.0]))],
        input_names: generated_names("x", 1),
        output_names: generated_names("y", 1),
    };
    let mut opts = options();
    opts.lp_tightening = false;
    let rep = output_ranges(&net, &Region::boxed(vec![0.0], vec![1e7]), &opts).unwrap();
    let out = &rep.outputs[0];
    assert!(out.upper >= 1e-3 && out.lower <= 0.0, "{out:?}");
    // The same through a ReLU hidden layer and a property: y ≥ 0.5e-3 is
    // reachable, so the answer must not be unsat. (The relaxed model's
    // optimum need not pick an x that replays, so unknown is a fair answer.)
    let deep = ReluNet {
        inputs: 1,
        ops: vec![
            Op::Affine(Affine::dense(&[vec![1e-10]], &[0.0])),
            Op::Relu,
            Op::Affine(Affine::dense(&[vec![1.0]], &[0.0])),
        ],
        input_names: generated_names("x", 1),
        output_names: generated_names("y", 1),
    };
    let p = Property::parse(
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (>= X_0 0))\n(assert (<= X_0 1e7))\n\
         (assert (>= Y_0 0.0005))",
    )
    .unwrap();
    let rep = check_property(&deep, &p, &options()).unwrap();
    assert_ne!(rep.answer, Answer::Unsat, "{rep:?}");
}

/// Clipped to a domain, ε beyond the domain's width gives the same box: the
/// bisection starts there, not at a huge `eps_max` (1000 steps for 1e300).
#[test]
fn radius_within_a_domain_bisects_at_most_the_domains_width() {
    // Class 0 wins everywhere: robust at any ε.
    let constant = ReluNet {
        inputs: 2,
        ops: vec![Op::Affine(Affine::dense(
            &[vec![0.0, 0.0], vec![0.0, 0.0]],
            &[1.0, 0.0],
        ))],
        input_names: generated_names("x", 2),
        output_names: generated_names("y", 2),
    };
    let rep = radius(&constant, &[0.5, 0.5], 1e300, 1e-3, Some((0.0, 1.0)), &options()).unwrap();
    assert_eq!(rep.steps, [(1.0, Verdict::Robust)]);
    assert_eq!(rep.certified, 1e300);
    // A network whose class changes inside the domain: the bisection brackets it
    // within log2(width / resolution) + 1 steps.
    let net = random_net(3, &[2, 5, 2]);
    let x = [0.5, 0.5];
    let rep = radius(&net, &x, 1e300, 1e-3, Some((0.0, 1.0)), &options()).unwrap();
    assert!(rep.steps.len() <= 11, "{:?}", rep.steps);
    assert!(rep.steps.iter().all(|&(e, _)| e <= 1.0));
}

/// Every disjunct is checked for numbers out of range before any is solved:
/// a first disjunct with a witness ends the search, and used to leave a
/// second one with a 1e300 coefficient, or interval bounds beyond the
/// limit, unchecked (answered `sat`).
#[test]
fn every_disjunct_is_checked_for_range_before_any_is_solved() {
    let net = random_net(0, &[2, 3, 2]);
    let opts = options();
    let limit = "mipnet's MILPs accept magnitudes up to 1e7";
    let box01 = "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n";
    // Y_0 ≥ −1000 holds everywhere in the unit box: the first disjunct is sat at once.
    let p = property(&format!(
        "{box1}(assert (or (<= X_0 0.5) (<= (+ X_0 (* 1e300 X_1)) 1)))\n(assert (>= Y_0 -1000))",
        box1 = box01
    ));
    let e = check_property(&net, &p, &opts).unwrap_err();
    assert!(matches!(e, VerifyError::Magnitude(_)), "{e}");
    assert_eq!(
        e.to_string(),
        format!("disjunct 2 of 2: constraint 1: the coefficient of X_1 is 1e300; {limit}")
    );
    // The second disjunct's box is within range, its interval bounds are not.
    let p = property(
        "(assert (or (and (>= X_0 0) (<= X_0 1) (>= X_1 0) (<= X_1 1))\n\
         (and (>= X_0 -1e7) (<= X_0 1e7) (>= X_1 -1e7) (<= X_1 1e7))))\n(assert (>= Y_0 -1000))",
    );
    let e = check_property(&net, &p, &opts).unwrap_err();
    assert!(matches!(e, VerifyError::Magnitude(_)), "{e}");
    let m = e.to_string();
    assert!(m.starts_with("disjunct 2 of 2: over this input region, output "), "{m}");
    assert!(m.ends_with(&format!("{limit}: shrink the input box")), "{m}");
}

/// A point outside the domain is refused by both robustness and radius,
/// even where the ball clipped to the domain is not empty: a verdict about
/// that box is not one about the point (radius used to certify `eps_max`
/// for x0 = 2 in [0, 1], from the one-point box x0 = 1).
#[test]
fn a_point_outside_the_domain_is_refused() {
    // Class 0 wins everywhere: any box is robust.
    let constant = ReluNet {
        inputs: 2,
        ops: vec![Op::Affine(Affine::dense(
            &[vec![0.0, 0.0], vec![0.0, 0.0]],
            &[1.0, 0.0],
        ))],
        input_names: generated_names("x", 2),
        output_names: generated_names("y", 2),
    };
    let opts = options();
    let unit = Some((0.0, 1.0));
    for (x, eps, bad) in [
        ([1.05, 0.5], 0.1, "input 0 (x0) is 1.05"),
        ([0.5, -0.01], 0.5, "input 1 (x1) is -0.01"),
    ] {
        let e = robustness(&constant, &x, eps, unit, &opts).unwrap_err();
        assert!(matches!(e, VerifyError::Region(_)), "{e}");
        assert_eq!(e.to_string(), format!("{bad}, outside the domain [0, 1]"));
    }
    let e = radius(&constant, &[2.0, 0.5], 10.0, 1e-3, unit, &opts).unwrap_err();
    assert!(matches!(e, VerifyError::Region(_)), "{e}");
    assert_eq!(e.to_string(), "input 0 (x0) is 2, outside the domain [0, 1]");
    let e = radius(&constant, &[0.5, 0.5], 10.0, 1e-3, Some((1.0, 0.0)), &opts).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the domain [1, 0] is not an interval (its lower end must be at most its upper end)"
    );
    // On the domain's edge: accepted.
    assert_eq!(
        radius(&constant, &[1.0, 0.0], 10.0, 1e-3, unit, &opts)
            .unwrap()
            .certified,
        10.0
    );
}

/// Strict comparisons are strict: a region they alone empty is refused, not
/// answered `unsat` over its closure, and a witness must meet them strictly
/// in f64 (a witness on the boundary, y0 = y1 for y0 < y1 and y0 > y1, used
/// to be replayed as `sat`).
#[test]
fn strict_comparisons_are_never_answered_over_their_closure() {
    let net = random_net(5, &[2, 4, 2]);
    let box01 = "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n";
    // Input rows: x0 + x1 < 1 and x0 + x1 > 1 (the closure is a segment); Y_0 ≥ 1000 unreachable.
    let p = property(&format!(
        "{box01}(assert (< (+ X_0 X_1) 1))\n(assert (> (+ X_0 X_1) 1))\n(assert (>= Y_0 1000))"
    ));
    let e = check_property(&net, &p, &options()).unwrap_err();
    assert!(matches!(e, VerifyError::Region(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "disjunct 1 of 1: no input meets its strict comparisons by more than the tolerance 0.00001 \
         (the largest margin is 0.0e0): its input region is empty, or too thin to verify"
    );
    // A strict side of the box pinned by a row: x0 < 0.5 and x0 + x1 ≥ 1.5.
    let p = property(
        "(assert (>= X_0 0))\n(assert (< X_0 0.5))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n\
         (assert (>= (+ X_0 X_1) 1.5))\n(assert (>= Y_0 1000))",
    );
    let e = check_property(&net, &p, &options()).unwrap_err().to_string();
    assert!(
        e.starts_with("disjunct 1 of 1: no input meets its strict comparisons"),
        "{e}"
    );
    // Outputs: y0 < y1 and y0 > y1 hold nowhere, though y0 = y1 is reached.
    let p = property(&format!("{box01}(assert (< Y_0 Y_1))\n(assert (> Y_0 Y_1))"));
    let rep = check_property(&net, &p, &options()).unwrap();
    assert_ne!(rep.answer, Answer::Sat, "{rep:?}");
    // A strict side of the box the worst case sits on: the witness lies strictly inside.
    let max_gap = exact_max(&net, &[0.0, 0.0], &[1.0, 1.0], |y| y[0] - y[1]);
    let p = property(&format!(
        "(assert (> X_0 0))\n(assert (< X_0 1))\n(assert (> X_1 0))\n(assert (< X_1 1))\n\
         (assert (> (- Y_0 Y_1) {}))",
        max_gap - 0.05
    ));
    let rep = check_property(&net, &p, &options()).unwrap();
    assert_eq!(rep.answer, Answer::Sat, "{rep:?}");
    let (x, y) = rep.witness.unwrap();
    assert!(
        x.iter().all(|&v| 0.0 < v && v < 1.0) && y[0] - y[1] > max_gap - 0.05,
        "{x:?} {y:?}"
    );
}

/// The big-M limit applies to the bounds after back-substitution: `y =
/// 1e3·(a − b)` with `a = b = 1e4·x` over `x ∈ [0, 500]` reaches ±5e9 in
/// interval arithmetic (which would refuse it), but back-substitution
/// proves `y = 0`, so the property is answered (was an error).
#[test]
fn the_magnitude_limit_reads_the_back_substituted_bounds() {
    let net = ReluNet {
        inputs: 1,
        ops: vec![
            Op::Affine(Affine::dense(&[vec![1e4], vec![1e4]], &[0.0, 0.0])),
            Op::Affine(Affine::dense(&[vec![1e3, -1e3]], &[0.0])),
        ],
        input_names: generated_names("x", 1),
        output_names: generated_names("y", 1),
    };
    let p = Property::parse(
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n\
         (assert (>= X_0 0))\n(assert (<= X_0 500))\n(assert (>= Y_0 1))",
    )
    .unwrap();
    let rep = check_property(&net, &p, &options()).unwrap();
    assert_eq!(rep.answer, Answer::Unsat, "{rep:?}");
}
