//! Falsification first, input splitting, the scaled proof margin and the
//! whole-property time limit, each checked against a known answer: a
//! witness (which every `sat` must replay), or the exact maximum by vertex
//! enumeration on 2-D networks (so `unsat` is checked, not just given).

use mipnet_network::{argmax, generated_names, Affine, Op, ReluNet};
use mipnet_verify::attack::AttackSettings;
use mipnet_verify::bounds::Bounds;
use mipnet_verify::input_split::{split_inputs, PartVerdict, SplitOutcome};
use mipnet_verify::witness::WitnessRule;
use mipnet_verify::{check_property, robustness, Answer, Verdict};
use mipnet_vnnlib::Property;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

mod support;
use support::{exact_max, options, random_net};

/// `(Y_0 − Y_1 ≥ threshold)` over the box `[lo, hi]`, for a network with
/// `outputs` outputs.
fn margin_property(lo: &[f64], hi: &[f64], outputs: usize, threshold: f64) -> Property {
    let mut text = String::new();
    for i in 0..lo.len() {
        text += &format!("(declare-const X_{i} Real)\n");
    }
    for j in 0..outputs {
        text += &format!("(declare-const Y_{j} Real)\n");
    }
    for i in 0..lo.len() {
        text += &format!("(assert (>= X_{i} {:?}))\n(assert (<= X_{i} {:?}))\n", lo[i], hi[i]);
    }
    text += &format!("(assert (>= (- Y_0 Y_1) {threshold:?}))\n");
    Property::parse(&text).unwrap()
}

#[test]
fn attack_witnesses_replay_and_end_the_question() {
    let mut by_attack = 0;
    for seed in 0..8 {
        let net = random_net(seed, &[2, 8, 3]);
        let (lo, hi) = (vec![-1.0, -1.0], vec![1.0, 1.0]);
        let max = exact_max(&net, &lo, &hi, |y| y[0] - y[1]);
        let prop = margin_property(&lo, &hi, 3, max - 0.1);
        let rep = check_property(&net, &prop, &options()).unwrap();
        assert_eq!(rep.answer, Answer::Sat, "seed {seed}");
        let (x, y) = rep.witness.clone().unwrap();
        assert_eq!(net.forward(&x), y);
        assert!(
            prop.disjuncts[0].holds(&x, &y, 0.0),
            "seed {seed}: witness does not replay"
        );
        assert!(!rep.attacks.is_empty());
        if rep.found_by == "attack" {
            by_attack += 1;
            assert!(rep.disjuncts.is_empty(), "no proof step after the attack's witness");
        }
    }
    assert!(by_attack >= 6, "the attack found only {by_attack} of 8 witnesses");
}

#[test]
fn an_attack_counterexample_is_a_replayed_not_robust() {
    let mut by_attack = 0;
    for seed in 0..6 {
        let net = random_net(seed, &[4, 10, 10, 3]);
        let x = vec![0.1, -0.3, 0.2, 0.4];
        let rep = robustness(&net, &x, 2.0, None, &options()).unwrap();
        let mut milp_only = options();
        milp_only.attack = AttackSettings::off();
        let milp = robustness(&net, &x, 2.0, None, &milp_only).unwrap();
        // The attack never contradicts the MILP.
        assert_ne!(
            (rep.verdict, milp.verdict),
            (Verdict::NotRobust, Verdict::Robust),
            "seed {seed}"
        );
        assert_ne!(
            (rep.verdict, milp.verdict),
            (Verdict::Robust, Verdict::NotRobust),
            "seed {seed}"
        );
        if rep.found_by == "attack" {
            by_attack += 1;
            let c = rep.counterexample.unwrap();
            assert!(c.distance <= 2.0);
            assert_ne!(
                argmax(&net.forward(&c.input)),
                rep.predicted,
                "seed {seed}: does not replay"
            );
            assert_eq!(net.forward(&c.input), c.scores);
            assert!(rep.attack.unwrap().found);
        }
    }
    assert!(by_attack >= 3, "the attack found only {by_attack} of 6 counterexamples");
}

#[test]
fn input_splitting_never_proves_a_property_with_a_known_witness() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for seed in 0..16 {
        let net = random_net(seed, &[3, 10, 10, 3]);
        let lo: Vec<f64> = (0..3).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.5..2.0)).collect();
        // The witness inside the box, or at a corner of it.
        let star: Vec<f64> = if seed % 2 == 0 {
            (0..3).map(|i| rng.gen_range(lo[i]..=hi[i])).collect()
        } else {
            lo.clone()
        };
        let y = net.forward(&star);
        let c = y[0] - y[1];
        let threshold = c - 1e-9 * (1.0 + c.abs());
        let prop = margin_property(&lo, &hi, 3, threshold);
        assert!(
            prop.disjuncts[0].holds(&star, &y, 0.0),
            "seed {seed}: the fixture's witness"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        let rule = WitnessRule {
            net: &net,
            disjunct: &prop.disjuncts[0],
            float32: false,
        };
        // Parts are closed by bounds only here (no MILP for any part).
        let mut no_milp = |_: &[f64], _: &[f64], _: &Bounds, _: f64| Ok(PartVerdict::Open);
        let (outcome, report) = split_inputs(&net, &rule, &|_| 1e-5, &mut no_milp, deadline, None).unwrap();
        assert!(
            !matches!(outcome, SplitOutcome::Proven { .. }),
            "seed {seed}: input splitting proved a property with a witness in its box ({report:?})"
        );
        if let SplitOutcome::Witness(x, yy) = outcome {
            assert!(prop.disjuncts[0].holds(&x, &yy, 0.0));
        }
        let mut opts = options();
        opts.attack = AttackSettings::off();
        opts.solve.time_limit = Some(10.0);
        let rep = check_property(&net, &prop, &opts).unwrap();
        assert_ne!(rep.answer, Answer::Unsat, "seed {seed}");
    }
}

#[test]
fn input_splitting_proves_unsat_as_enumeration_says() {
    for seed in 0..8 {
        let net = random_net(seed, &[2, 8, 3]);
        let (lo, hi) = (vec![-1.0, -1.0], vec![1.0, 1.0]);
        let max = exact_max(&net, &lo, &hi, |y| y[0] - y[1]);
        let mut opts = options();
        opts.attack = AttackSettings::off();
        let rep = check_property(&net, &margin_property(&lo, &hi, 3, max + 0.05), &opts).unwrap();
        assert_eq!(rep.answer, Answer::Unsat, "seed {seed}");
        assert_eq!(rep.found_by, "input-split", "seed {seed}");
        let split = rep.disjuncts[0].split.as_ref().unwrap();
        assert!(split.closed >= 1 && split.open == 0, "seed {seed}: {split:?}");
        assert!(rep.disjuncts[0].slack_bound.unwrap() < -rep.disjuncts[0].proof_margin);
        // Just below the maximum: sat, found by splitting (the attack is off).
        let rep = check_property(&net, &margin_property(&lo, &hi, 3, max - 0.05), &opts).unwrap();
        assert_eq!(rep.answer, Answer::Sat, "seed {seed}");
        let (x, y) = rep.witness.unwrap();
        assert!(y[0] - y[1] >= max - 0.05 && net.forward(&x) == y);
    }
}

/// `y = 1e4·x` over `x ∈ [0, 1]`: outputs of magnitude 1e4.
fn large_output_net() -> ReluNet {
    ReluNet {
        inputs: 1,
        ops: vec![Op::Affine(Affine::dense(&[vec![1e4]], &[0.0]))],
        input_names: generated_names("x", 1),
        output_names: generated_names("y", 1),
    }
}

#[test]
fn a_margin_below_the_scaled_tolerance_is_never_unsat() {
    let net = large_output_net();
    let prop = |gap: f64| {
        Property::parse(&format!(
            "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (>= X_0 0)) (assert (<= X_0 1)) \
             (assert (>= Y_0 {:?}))",
            1e4 + gap
        ))
        .unwrap()
    };
    let mut opts = options();
    opts.solve.time_limit = Some(5.0);
    // The maximum 1e4 misses the threshold by 0.05: above the absolute 1e-5,
    // below the tolerance scaled to outputs of 1e4 (about 0.2): no proof.
    let rep = check_property(&net, &prop(0.05), &opts).unwrap();
    assert_eq!(rep.answer, Answer::Unknown, "{rep:?}");
    assert!(rep.disjuncts.iter().all(|d| d.proof_margin > 0.1));
    // Missed by 5: proven.
    let rep = check_property(&net, &prop(5.0), &opts).unwrap();
    assert_eq!(rep.answer, Answer::Unsat);
}

#[test]
fn the_total_time_limit_bounds_a_whole_property() {
    let net = random_net(3, &[5, 40, 40, 40, 40, 5]);
    // Four disjuncts near the sampled maximum of Y_0 − Y_k: hard to decide.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut best = [f64::NEG_INFINITY; 5];
    for _ in 0..20000 {
        let x: Vec<f64> = (0..5).map(|_| rng.gen_range(-1.0..=1.0)).collect();
        let y = net.forward(&x);
        for k in 1..5 {
            best[k] = best[k].max(y[0] - y[k]);
        }
    }
    let mut text = String::new();
    for i in 0..5 {
        text += &format!("(declare-const X_{i} Real)\n(declare-const Y_{i} Real)\n");
        text += &format!("(assert (>= X_{i} -1))\n(assert (<= X_{i} 1))\n");
    }
    text += "(assert (or";
    for (k, b) in best.iter().enumerate().skip(1) {
        text += &format!(" (>= (- Y_0 Y_{k}) {:?})", b + 1e-3);
    }
    text += "))\n";
    let prop = Property::parse(&text).unwrap();
    let mut opts = options();
    opts.solve.time_limit = Some(30.0);
    opts.total_time_limit = Some(1.0);
    let clock = Instant::now();
    let rep = check_property(&net, &prop, &opts).unwrap();
    let took = clock.elapsed().as_secs_f64();
    assert!(took < 3.0, "a 1 s property took {took} s");
    if rep.answer == Answer::Unknown {
        assert!(rep.timed_out, "an unknown at the time limit says so");
    }
    if let Some((x, y)) = &rep.witness {
        assert!(prop.holds(x, y, 0.0));
    }
}

/// `y = 0.7·x` over `x ∈ [0, 1]` and `Y_0 ≥ 0.7`: the only witness is
/// `x = 1`, where f64 gives exactly 0.7 and float32 (0.7 rounds down to
/// 0.69999999) falls short.
#[test]
fn a_witness_that_fails_in_float32_is_no_witness_for_a_float32_checker() {
    let net = ReluNet {
        inputs: 1,
        ops: vec![Op::Affine(Affine::dense(&[vec![0.7]], &[0.0]))],
        input_names: generated_names("x", 1),
        output_names: generated_names("y", 1),
    };
    let prop = Property::parse(
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n\
         (assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= Y_0 0.7))",
    )
    .unwrap();
    let mut opts = options();
    opts.solve.time_limit = Some(5.0);
    let f64_rep = check_property(&net, &prop, &opts).unwrap();
    assert_eq!(f64_rep.answer, Answer::Sat);
    assert_eq!(f64_rep.witness.as_ref().unwrap().0, vec![1.0]);
    assert_eq!(f64_rep.witness_replay, "f64");
    opts.witness_float32 = true;
    let f32_rep = check_property(&net, &prop, &opts).unwrap();
    assert_eq!(f32_rep.answer, Answer::Unknown, "{f32_rep:?}");
    assert_eq!(f32_rep.witness, None);
    assert_eq!(f32_rep.witness_replay, "f64 and float32");
    // Room to spare (Y_0 ≥ 0.6): a witness of float32 values that holds in both passes.
    let roomy = Property::parse(
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n\
         (assert (>= X_0 0.3))\n(assert (<= X_0 0.9))\n(assert (>= Y_0 0.6))",
    )
    .unwrap();
    let rep = check_property(&net, &roomy, &opts).unwrap();
    assert_eq!(rep.answer, Answer::Sat);
    let (x, y) = rep.witness.unwrap();
    assert_eq!(f64::from(x[0] as f32), x[0], "float32 values");
    assert!((0.3..=0.9).contains(&x[0]) && y[0] >= 0.6);
    assert!(mipnet_verify::forward_f32::forward_f32(&net, &[x[0] as f32])[0] >= 0.6);
}
