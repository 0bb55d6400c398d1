//! Branch and bound on unstable ReLUs ([`mipnet_verify::relu_split`]),
//! checked against known answers: a property plain bounds cannot prove and
//! splitting does (its true minimum is known by construction), and never
//! `unsat` when a known witness lies in the box (random networks, the
//! witness's value put exactly at the property's threshold).

use mipnet_network::{generated_names, Affine, Op, ReluNet};
use mipnet_verify::bounds::interval_bounds;
use mipnet_verify::linear_bounds::{lower_bounds, tighten_linear};
use mipnet_verify::relu_split::{split_relus, OutputRow, ReluSplitOutcome, ReluSplitProblem};
use mipnet_verify::witness::WitnessRule;
use mipnet_verify::{check_property, Answer, Region};
use mipnet_vnnlib::Property;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

mod support;
use support::{options, random_net};

/// `y = relu(m) − relu(m)`, `m` the mean of `n` inputs: `y = 0` everywhere,
/// but over `[−1, 1]ⁿ` back-substitution relaxes the two ReLUs apart (the
/// first by its lower line `m`, the second by its chord `(m + 1)/2`) and
/// proves only `y ≥ −1`.
fn twin_relus(n: usize) -> ReluNet {
    let mean = vec![1.0 / n as f64; n];
    ReluNet {
        inputs: n,
        ops: vec![
            Op::Affine(Affine::dense(&[mean.clone(), mean], &[0.0, 0.0])),
            Op::Relu,
            Op::Affine(Affine::dense(&[vec![1.0, -1.0]], &[0.0])),
        ],
        input_names: generated_names("x", n),
        output_names: generated_names("y", 1),
    }
}

/// Over `[lo, hi]`, `Y_0 ≤ threshold`, with `outputs` outputs declared.
fn below(lo: &[f64], hi: &[f64], outputs: usize, output: usize, threshold: f64) -> Property {
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
    text += &format!("(assert (<= Y_{output} {threshold:?}))\n");
    Property::parse(&text).unwrap()
}

/// The disjunct's output rows as back-substitution rows (Y_j ≤ t: `e_j·y − t`).
fn rows_of(prop: &Property, outputs: usize) -> Vec<OutputRow> {
    prop.disjuncts[0]
        .constraints
        .iter()
        .map(|c| {
            let mut b = vec![0.0; outputs];
            for &(j, v) in &c.outputs {
                b[j] += v;
            }
            ((b, Vec::new()), c.rhs)
        })
        .collect()
}

#[test]
fn splitting_relus_proves_what_plain_bounds_cannot() {
    let net = twin_relus(1);
    let (lo, hi) = (vec![-1.0], vec![1.0]);
    let prop = below(&lo, &hi, 1, 0, -0.5);
    let mut bounds = interval_bounds(&net, &Region::boxed(lo.clone(), hi.clone()));
    tighten_linear(&net, &mut bounds);
    // Plain bounds: y ≥ −1 (up to rounding), not above −0.5.
    let plain = lower_bounds(&net, &bounds, net.ops.len(), &[(vec![1.0], Vec::new())])[0].lower;
    assert!(plain < -0.5, "the fixture needs loose plain bounds, got {plain}");
    let rule = WitnessRule {
        net: &net,
        disjunct: &prop.disjuncts[0],
        float32: false,
    };
    let rows = rows_of(&prop, 1);
    let problem = ReluSplitProblem {
        net: &net,
        rule: &rule,
        rows: &rows,
        margin_of: &|_| 1e-5,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let (outcome, report) = split_relus(&problem, &bounds, 1000, deadline, None);
    let ReluSplitOutcome::Proven { slack_bound, margin } = outcome else {
        panic!("not proven: {outcome:?} {report:?}");
    };
    // The true slack is −0.5 (y = 0 against Y_0 ≤ −0.5).
    assert!(slack_bound < -margin && slack_bound >= -0.5 - 1e-6, "{slack_bound}");
    assert_eq!(report.open, 0);
    assert!(report.closed + report.empty >= 2, "{report:?}");
    // Just above the true minimum (Y_0 ≤ 1e-3 has witnesses: every input): never proven.
    let sat = below(&lo, &hi, 1, 0, 1e-3);
    let rule = WitnessRule {
        net: &net,
        disjunct: &sat.disjuncts[0],
        float32: false,
    };
    let rows = rows_of(&sat, 1);
    let problem = ReluSplitProblem {
        net: &net,
        rule: &rule,
        rows: &rows,
        margin_of: &|_| 1e-5,
    };
    let (outcome, _) = split_relus(&problem, &bounds, 1000, deadline, None);
    assert!(matches!(outcome, ReluSplitOutcome::Witness(_)), "{outcome:?}");
}

#[test]
fn a_property_on_many_inputs_is_proven_by_relu_splitting() {
    // 20 inputs: above input splitting's limit, so ReLU splitting runs before the MILP.
    let net = twin_relus(20);
    let prop = below(&[-1.0; 20], &[1.0; 20], 1, 0, -0.5);
    let mut opts = options();
    opts.lp_tightening = false;
    let rep = check_property(&net, &prop, &opts).unwrap();
    assert_eq!(rep.answer, Answer::Unsat, "{rep:?}");
    assert_eq!(rep.found_by, "relu-split");
    assert_eq!(rep.disjuncts[0].method, "relu-split");
    assert!(rep.disjuncts[0].relu_split.as_ref().unwrap().open == 0);
}

#[test]
fn never_unsat_when_a_known_witness_lies_in_the_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut witnesses, mut trees) = (0, 0);
    for seed in 0..24 {
        let net = random_net(seed, &[3, 12, 12, 3]);
        let lo: Vec<f64> = (0..3).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.5..2.0)).collect();
        let star: Vec<f64> = (0..3).map(|i| rng.gen_range(lo[i]..=hi[i])).collect();
        let y = net.forward(&star);
        // Y_1 ≤ its value at the witness: the witness satisfies it, exactly.
        let prop = below(&lo, &hi, 3, 1, y[1]);
        assert!(
            prop.disjuncts[0].holds(&star, &y, 0.0),
            "seed {seed}: the fixture's witness"
        );
        let mut bounds = interval_bounds(&net, &Region::boxed(lo.clone(), hi.clone()));
        tighten_linear(&net, &mut bounds);
        let rule = WitnessRule {
            net: &net,
            disjunct: &prop.disjuncts[0],
            float32: false,
        };
        let rows = rows_of(&prop, 3);
        let problem = ReluSplitProblem {
            net: &net,
            rule: &rule,
            rows: &rows,
            margin_of: &|_| 1e-5,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let (outcome, report) = split_relus(&problem, &bounds, 20_000, deadline, None);
        if report.subproblems > 1 && report.narrowed > 0 {
            trees += 1;
        }
        match outcome {
            ReluSplitOutcome::Proven { .. } => {
                panic!("seed {seed}: unsat with a witness in the box ({report:?})")
            }
            ReluSplitOutcome::Witness((x, yy)) => {
                assert_eq!(net.forward(&x), yy);
                assert!(prop.disjuncts[0].holds(&x, &yy, 0.0), "seed {seed}");
                witnesses += 1;
            }
            ReluSplitOutcome::Undecided => {}
        }
    }
    assert!(witnesses >= 1, "no witness found by corner probes in 24 networks");
    // Not every instance may end at its root: the search must have split
    // ReLUs and narrowed boxes by their cuts on some, or it tested nothing.
    assert!(trees >= 1, "no instance built a tree with a narrowed box");
}

/// A ReLU as the network's first operation (on the inputs themselves): its
/// sign is a condition on the box, not a neuron the search can fix, and
/// the search must neither pick it (there is no operation before it to
/// narrow) nor answer wrongly.
#[test]
fn a_relu_on_the_inputs_is_never_split() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut branched = 0;
    for seed in 0..16 {
        let mut net = random_net(seed, &[3, 12, 3]);
        net.ops.insert(0, Op::Relu);
        net.check().unwrap();
        let lo: Vec<f64> = (0..3).map(|_| rng.gen_range(-1.0..-0.2)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(1.0..2.0)).collect();
        let star: Vec<f64> = (0..3).map(|i| rng.gen_range(lo[i]..=hi[i])).collect();
        let y = net.forward(&star);
        // Just below the witness's value: may be sat or unsat; never a wrong answer.
        let prop = below(&lo, &hi, 3, 0, y[0] - 0.05);
        let mut bounds = interval_bounds(&net, &Region::boxed(lo.clone(), hi.clone()));
        tighten_linear(&net, &mut bounds);
        let rule = WitnessRule {
            net: &net,
            disjunct: &prop.disjuncts[0],
            float32: false,
        };
        let rows = rows_of(&prop, 3);
        let problem = ReluSplitProblem {
            net: &net,
            rule: &rule,
            rows: &rows,
            margin_of: &|_| 1e-5,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let (outcome, report) = split_relus(&problem, &bounds, 2_000, deadline, None);
        if report.subproblems > 1 {
            branched += 1;
        }
        match outcome {
            ReluSplitOutcome::Witness((x, yy)) => {
                assert!(prop.disjuncts[0].holds(&x, &yy, 0.0), "seed {seed}")
            }
            ReluSplitOutcome::Proven { .. } => {
                // No sampled point may satisfy a proven-unsat property.
                for _ in 0..2000 {
                    let x: Vec<f64> = (0..3).map(|i| rng.gen_range(lo[i]..=hi[i])).collect();
                    let v = net.forward(&x);
                    assert!(
                        !prop.disjuncts[0].holds(&x, &v, 0.0),
                        "seed {seed}: unsat but {x:?} satisfies"
                    );
                }
            }
            ReluSplitOutcome::Undecided => {}
        }
    }
    assert!(branched >= 1, "the search never branched: the test shows nothing");
}
