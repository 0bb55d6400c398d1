//! Rules on tiny instances (2 features, 2 classes, 6 samples, ternary
//! grid): HiGHS's optimum under each rule against an enumeration that does
//! not use the rule's rows (feature subsets, smaller layers, the recall's
//! subsets of samples as fixed decisions, grids of networks), and every
//! returned network checked for its rules independently of the crate's
//! checks (counting, forward passes, dense sampling).

mod rules_common;

use mipnet_data::Dataset;
use mipnet_formulate::{Direction, FormulationSettings, Rule};
use rules_common::*;
use std::collections::BTreeMap;

/// Optima agree to this: HiGHS proves them with zero gap, up to its
/// feasibility tolerance (1e-7) times the loss rows' coefficients.
const SAME_OPTIMUM: f64 = 1e-6;

fn with_rules(s: &FormulationSettings, rules: Vec<Rule>) -> FormulationSettings {
    FormulationSettings { rules, ..s.clone() }
}

fn column(data: &Dataset, i: usize) -> Dataset {
    let x: Vec<f64> = (0..data.len()).map(|n| data.row(n)[i]).collect();
    Dataset::new(
        "one column",
        vec![data.feature_names[i].clone()],
        data.class_names.clone(),
        x,
        data.labels().to_vec(),
    )
}

fn point(x: &[f64]) -> BTreeMap<String, f64> {
    x.iter().enumerate().map(|(i, &v)| (format!("f{i}"), v)).collect()
}

fn fixed(x: &[f64], class: &str, margin: f64) -> Rule {
    Rule::FixedDecision {
        point: point(x),
        class: class.into(),
        margin: Some(margin),
    }
}

#[test]
fn feature_budget_optimum_is_the_best_single_feature_network() {
    let data = tiny_data(6);
    let s = tiny_settings(2);
    let (free, _) = optimum(&build(&data, &s));
    let (ruled, net) = optimum(&build(
        &data,
        &with_rules(&s, vec![Rule::FeatureBudget { max_features: 1 }]),
    ));
    assert!(features_read(&net) <= 1, "{:?}", net.layers[0].weights);
    // Enumerated: the network reads f0 alone or f1 alone.
    let best_single = (0..2)
        .map(|i| optimum(&build(&column(&data, i), &s)).0)
        .fold(f64::INFINITY, f64::min);
    assert!((ruled - best_single).abs() < SAME_OPTIMUM, "{ruled} vs {best_single}");
    assert!(
        ruled > free + SAME_OPTIMUM,
        "the budget must bite on this data: {ruled} vs {free}"
    );
    // A budget of every feature changes nothing.
    let (loose, _) = optimum(&build(
        &data,
        &with_rules(&s, vec![Rule::FeatureBudget { max_features: 2 }]),
    ));
    assert!((loose - free).abs() < SAME_OPTIMUM);
}

#[test]
fn neuron_limit_optimum_is_the_smaller_layers_optimum() {
    let data = tiny_data(6);
    let s = tiny_settings(3);
    let (ruled, net) = optimum(&build(
        &data,
        &with_rules(&s, vec![Rule::NeuronLimit { max_neurons: 1 }]),
    ));
    assert!(live_neurons(&net) <= 1);
    assert!(net.neurons_kept().iter().sum::<usize>() <= 1);
    let (one, _) = optimum(&build(&data, &tiny_settings(1)));
    assert!((ruled - one).abs() < SAME_OPTIMUM, "{ruled} vs {one}");
}

#[test]
fn class_recall_optimum_is_the_best_subset_of_samples_fixed() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let margin = 1.0;
    let class1: Vec<usize> = (0..data.len()).filter(|&n| data.label(n) == 1).collect();
    assert_eq!(class1.len(), 3);
    let recall = |min_recall: Option<f64>, max_errors: Option<usize>| Rule::ClassRecall {
        class: "c1".into(),
        min_recall,
        max_errors,
        margin: Some(margin),
    };
    // Every sample of c1 correct ⇔ each of them a fixed decision.
    let (all, net) = optimum(&build(&data, &with_rules(&s, vec![recall(Some(1.0), None)])));
    assert_eq!(misses(&net, &data, 1, margin), 0);
    let fixed_all: Vec<Rule> = class1.iter().map(|&n| fixed(data.row(n), "c1", margin)).collect();
    let (by_points, _) = optimum(&build(&data, &with_rules(&s, fixed_all)));
    assert!((all - by_points).abs() < SAME_OPTIMUM, "{all} vs {by_points}");
    // Recall ≥ 0.6 of 3 samples: ⌈1.8⌉ = 2 correct, one may be missed;
    // enumerate which (the other two fixed).
    let (most, net) = optimum(&build(&data, &with_rules(&s, vec![recall(Some(0.6), None)])));
    assert!(misses(&net, &data, 1, margin) <= 1);
    let best_pair = class1
        .iter()
        .map(|&out| {
            let rules = class1
                .iter()
                .filter(|&&n| n != out)
                .map(|&n| fixed(data.row(n), "c1", margin))
                .collect();
            optimum(&build(&data, &with_rules(&s, rules))).0
        })
        .fold(f64::INFINITY, f64::min);
    assert!((most - best_pair).abs() < SAME_OPTIMUM, "{most} vs {best_pair}");
    let (by_count, _) = optimum(&build(&data, &with_rules(&s, vec![recall(None, Some(1))])));
    assert!((by_count - most).abs() < SAME_OPTIMUM);
    assert!(all > most + SAME_OPTIMUM, "the full recall must bite: {all} vs {most}");
}

/// Every network 2 → 1 → 2 with layer-1 weights and biases on a grid of
/// step 0.5 in [−1, 1] and ternary output weights.
fn grid_networks() -> Vec<mipnet_network::Network> {
    let half: Vec<f64> = (-2..=2).map(|v| v as f64 * 0.5).collect();
    let tern = [-1.0, 0.0, 1.0];
    let mut out = Vec::new();
    for &w0 in &half {
        for &w1 in &half {
            for &b in &half {
                for &v0 in &tern {
                    for &v1 in &tern {
                        for &c0 in &half {
                            for &c1 in &half {
                                out.push(net_2hk(
                                    vec![vec![w0, w1]],
                                    vec![b],
                                    vec![vec![v0], vec![v1]],
                                    vec![c0, c1],
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn fixed_decision_holds_and_no_enumerated_network_beats_it() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    // The sample against the trend (class 0) demanded as class 1.
    let p = data.row(3).to_vec();
    let f = build(&data, &with_rules(&s, vec![fixed(&p, "c1", 1.0)]));
    let (ruled, net) = optimum(&f);
    assert!(lead(&net, &p, 1) >= 1.0 - 1e-7, "{}", lead(&net, &p, 1));
    let (free, free_net) = optimum(&build(&data, &s));
    assert!(lead(&free_net, &p, 1) < 1.0, "the rule must bite on this data");
    assert!(ruled >= free - SAME_OPTIMUM);
    let best = grid_networks()
        .iter()
        .filter(|n| lead(n, &p, 1) >= 1.0)
        .map(|n| f.objective_of(n))
        .fold(f64::INFINITY, f64::min);
    assert!(ruled <= best + SAME_OPTIMUM, "MILP {ruled}, enumerated {best}");
}

#[test]
fn monotone_networks_are_monotone_and_no_enumerated_one_beats_them() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let (free, free_net) = optimum(&build(&data, &s));
    let mut bit = false;
    for (feature, increasing) in [(0, true), (0, false), (1, true), (1, false)] {
        let rule = Rule::Monotone {
            feature: format!("f{feature}"),
            class: "c1".into(),
            direction: if increasing {
                Direction::Increasing
            } else {
                Direction::Decreasing
            },
        };
        let f = build(&data, &with_rules(&s, vec![rule]));
        let (ruled, net) = optimum(&f);
        let violation = monotonicity_violation(&net, feature, 1, increasing);
        assert!(violation <= 1e-9, "f{feature} {increasing}: falls by {violation}");
        assert!(ruled >= free - SAME_OPTIMUM);
        bit |= monotonicity_violation(&free_net, feature, 1, increasing) > 1e-9;
        // With one hidden neuron and two classes the sign condition is
        // also necessary: a network is monotone iff (v1 − v0)·W_i has the
        // sign; enumerate those on the grid.
        let sign_ok = |n: &mipnet_network::Network| {
            let d = n.layers[1].weights[1][0] - n.layers[1].weights[0][0];
            let p = d * n.layers[0].weights[0][feature];
            if increasing {
                p >= 0.0
            } else {
                p <= 0.0
            }
        };
        let best = grid_networks()
            .iter()
            .filter(|n| sign_ok(n))
            .map(|n| f.objective_of(n))
            .fold(f64::INFINITY, f64::min);
        assert!(
            ruled <= best + SAME_OPTIMUM,
            "f{feature} {increasing}: MILP {ruled}, enumerated {best}"
        );
    }
    assert!(bit, "some direction must bite on this data");
}

#[test]
fn monotone_with_three_classes_and_two_hidden_units_is_monotone() {
    // Three classes: a unit with W = 0 must leave its output weights free
    // (the sign binaries both 0), which two classes would not show.
    let base = tiny_data(6);
    let labels: Vec<usize> = (0..base.len()).map(|n| n % 3).collect();
    let x: Vec<f64> = (0..base.len()).flat_map(|n| base.row(n).to_vec()).collect();
    let data = Dataset::new(
        "tiny3",
        base.feature_names.clone(),
        vec!["c0".into(), "c1".into(), "c2".into()],
        x,
        labels,
    );
    let s = tiny_settings(2);
    let (free, _) = optimum(&build(&data, &s));
    for c in [0, 2] {
        let rule = Rule::Monotone {
            feature: "f1".into(),
            class: format!("c{c}"),
            direction: Direction::Increasing,
        };
        let (ruled, net) = optimum(&build(&data, &with_rules(&s, vec![rule])));
        assert!(ruled >= free - SAME_OPTIMUM);
        let violation = monotonicity_violation(&net, 1, c, true);
        assert!(violation <= 1e-9, "class {c}: falls by {violation}");
    }
}

#[test]
fn rules_combined_hold_together() {
    let data = tiny_data(6);
    let s = with_rules(
        &tiny_settings(2),
        vec![
            Rule::FeatureBudget { max_features: 1 },
            Rule::NeuronLimit { max_neurons: 1 },
            Rule::Monotone {
                feature: "f0".into(),
                class: "c1".into(),
                direction: Direction::Increasing,
            },
            Rule::ClassRecall {
                class: "c0".into(),
                min_recall: Some(0.6),
                max_errors: None,
                margin: None,
            },
        ],
    );
    let (_, net) = optimum(&build(&data, &s));
    assert!(features_read(&net) <= 1);
    assert!(live_neurons(&net) <= 1);
    assert!(monotonicity_violation(&net, 0, 1, true) <= 1e-9);
    // ⌈0.6·3⌉ = 2 of the 3 samples of c0 correct.
    assert!(misses(&net, &data, 0, 1.0) <= 1);
}

#[test]
fn contradicting_rules_are_infeasible() {
    let data = tiny_data(6);
    let s = tiny_settings(2);
    let contradictions = [
        // One point, two classes.
        vec![fixed(&[0.0, 0.0], "c0", 0.5), fixed(&[0.0, 0.0], "c1", 0.5)],
        // Increasing in f0 for c1, yet c1 on the left and c0 on the right.
        vec![
            Rule::Monotone {
                feature: "f0".into(),
                class: "c1".into(),
                direction: Direction::Increasing,
            },
            fixed(&[-1.0, 0.0], "c1", 0.5),
            fixed(&[1.0, 0.0], "c0", 0.5),
        ],
        // Reading no feature, yet two points of different classes.
        vec![
            Rule::FeatureBudget { max_features: 1 },
            fixed(&[-1.0, 0.0], "c1", 0.5),
            fixed(&[1.0, 0.0], "c0", 0.5),
            fixed(&[0.0, -1.0], "c1", 0.5),
            fixed(&[0.0, 1.0], "c0", 0.5),
        ],
    ];
    for rules in contradictions {
        let (status, _) = solve(&build(&data, &with_rules(&s, rules.clone())));
        assert_eq!(status, mipnet_solver::Status::Infeasible, "{rules:?}");
        // Each rule alone is feasible.
        for r in rules.iter() {
            let (status, _) = solve(&build(&data, &with_rules(&s, vec![r.clone()])));
            assert_eq!(status, mipnet_solver::Status::Optimal, "{r:?}");
        }
    }
}

#[test]
fn fixed_decisions_hold_through_two_hidden_layers() {
    let data = tiny_data(4);
    let s = FormulationSettings {
        hidden: vec![1, 2],
        ..Default::default()
    };
    // Against the data's trend: c0 where f0 + f1 is large, c1 at the far corner.
    let (p, q) = ([1.5, 1.5], [-2.0, -1.0]);
    let rules = vec![fixed(&p, "c0", 0.5), fixed(&q, "c1", 0.5)];
    let (_, net) = optimum(&build(&data, &with_rules(&s, rules)));
    assert!(lead(&net, &p, 0) >= 0.5 - 1e-7, "{}", lead(&net, &p, 0));
    assert!(lead(&net, &q, 1) >= 0.5 - 1e-7, "{}", lead(&net, &q, 1));
}
