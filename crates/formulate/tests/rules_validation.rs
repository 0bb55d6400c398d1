//! Rules as written by a user: they parse (and old settings without rules
//! still do), bad ones are refused naming the cause, architectures a rule
//! does not support are refused, and a network that breaks a rule is
//! never turned into a start.

mod rules_common;

use mipnet_data::Standardizer;
use mipnet_formulate::{check_rules, DenseFormulation, Direction, FormulationSettings, Rule};
use rules_common::*;
use std::collections::BTreeMap;

fn refused(rules: Vec<Rule>, fragments: &[&str]) {
    let err = check_rules(&rules, &tiny_data(6)).expect_err("refused").to_string();
    for f in fragments {
        assert!(err.contains(f), "{err:?} lacks {f:?}");
    }
    assert!(!err.contains('\n'), "one line: {err:?}");
}

fn recall(min_recall: Option<f64>, max_errors: Option<usize>, margin: Option<f64>) -> Rule {
    Rule::ClassRecall {
        class: "c1".into(),
        min_recall,
        max_errors,
        margin,
    }
}

#[test]
fn rules_parse_from_their_kind_and_old_settings_still_read() {
    let rules: Vec<Rule> = serde_json::from_str(
        r#"[{"kind": "feature_budget", "max_features": 3},
            {"kind": "neuron_limit", "max_neurons": 2},
            {"kind": "class_recall", "class": "c1", "min_recall": 0.98},
            {"kind": "fixed_decision", "class": "c0", "point": {"f0": 1.5, "f1": -2}, "margin": 0.5},
            {"kind": "monotone", "feature": "f0", "class": "c1", "direction": "decreasing"}]"#,
    )
    .unwrap();
    assert_eq!(rules[0], Rule::FeatureBudget { max_features: 3 });
    assert_eq!(
        rules[4],
        Rule::Monotone {
            feature: "f0".into(),
            class: "c1".into(),
            direction: Direction::Decreasing
        }
    );
    check_rules(&rules, &tiny_data(6)).unwrap();
    let back: Vec<Rule> = serde_json::from_str(&serde_json::to_string(&rules).unwrap()).unwrap();
    assert_eq!(back, rules);
    // A misspelt field is refused, naming it.
    let err = serde_json::from_str::<Rule>(r#"{"kind": "feature_budget", "max_feature": 3}"#).unwrap_err();
    assert!(err.to_string().contains("max_feature"), "{err}");
    let err = serde_json::from_str::<Rule>(r#"{"kind": "budget", "max_features": 3}"#).unwrap_err();
    assert!(err.to_string().contains("budget"), "{err}");
    // Settings written before rules existed read; without rules nothing new is written.
    let old = r#"{"hidden": [4], "omega": 1.0, "symmetry_breaking": true}"#;
    let s: FormulationSettings = serde_json::from_str(old).unwrap();
    assert!(s.rules.is_empty());
    let json = serde_json::to_string(&FormulationSettings::default()).unwrap();
    assert!(!json.contains("rules"), "{json}");
    let with = FormulationSettings {
        rules: rules.clone(),
        ..Default::default()
    };
    let back: FormulationSettings = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
    assert_eq!(back, with);
}

#[test]
fn bad_rules_are_refused_naming_the_cause() {
    refused(
        vec![Rule::Monotone {
            feature: "worst radius".into(),
            class: "c1".into(),
            direction: Direction::Increasing,
        }],
        &["rule 1 (monotone)", "unknown feature \"worst radius\"", "f0, f1"],
    );
    refused(
        vec![Rule::FeatureBudget { max_features: 2 }, recall(Some(0.9), None, None)]
            .into_iter()
            .map(|r| match r {
                Rule::ClassRecall { .. } => Rule::ClassRecall {
                    class: "malignant".into(),
                    min_recall: Some(0.9),
                    max_errors: None,
                    margin: None,
                },
                r => r,
            })
            .collect(),
        &["rule 2 (class_recall)", "unknown class \"malignant\"", "c0, c1"],
    );
    refused(
        vec![Rule::FeatureBudget { max_features: 0 }],
        &["max_features must be at least 1, got 0"],
    );
    refused(
        vec![Rule::NeuronLimit { max_neurons: 0 }],
        &["max_neurons must be at least 1, got 0"],
    );
    refused(
        vec![recall(Some(1.5), None, None)],
        &["min_recall must be within [0, 1], got 1.5"],
    );
    refused(
        vec![recall(Some(-0.1), None, None)],
        &["min_recall must be within [0, 1], got -0.1"],
    );
    refused(
        vec![recall(Some(0.5), Some(1), None)],
        &["exactly one of min_recall and max_errors"],
    );
    refused(
        vec![recall(None, None, None)],
        &["exactly one of min_recall and max_errors"],
    );
    refused(
        vec![recall(Some(0.5), None, Some(0.0))],
        &["margin must be a positive number, got 0"],
    );
    let point: BTreeMap<String, f64> = [("f0".to_string(), 1.0)].into();
    refused(
        vec![Rule::FixedDecision {
            point: point.clone(),
            class: "c0".into(),
            margin: None,
        }],
        &["rule 1 (fixed_decision)", "the point misses features f1"],
    );
    let mut typo = point.clone();
    typo.insert("f2".into(), 0.0);
    refused(
        vec![Rule::FixedDecision {
            point: typo,
            class: "c0".into(),
            margin: None,
        }],
        &["unknown feature \"f2\""],
    );
    let mut nan = point;
    nan.insert("f1".into(), f64::NAN);
    refused(
        vec![Rule::FixedDecision {
            point: nan,
            class: "c0".into(),
            margin: None,
        }],
        &["point value of \"f1\" must be a finite number, got NaN"],
    );
}

#[test]
fn a_class_without_training_samples_has_no_recall() {
    let data = tiny_data(6);
    let only0: Vec<usize> = (0..data.len()).filter(|&n| data.label(n) == 0).collect();
    let err = check_rules(&[recall(Some(0.9), None, None)], &data.subset(&only0)).unwrap_err();
    assert!(
        err.to_string().contains("class \"c1\" has no training samples"),
        "{err}"
    );
}

#[test]
fn rules_the_architecture_does_not_support_are_refused() {
    let monotone = Rule::Monotone {
        feature: "f0".into(),
        class: "c1".into(),
        direction: Direction::Increasing,
    };
    let deep = FormulationSettings {
        hidden: vec![2, 2],
        rules: vec![monotone],
        ..Default::default()
    };
    let err = deep.validate().unwrap_err().to_string();
    assert!(
        err.contains("monotone rules need exactly one dense hidden layer") && err.contains("[2, 2]"),
        "{err}"
    );
    // Fixed decisions need the standardizer their point is standardized with.
    let s = FormulationSettings {
        hidden: vec![1],
        rules: vec![Rule::FixedDecision {
            point: [("f0".to_string(), 0.0), ("f1".to_string(), 0.0)].into(),
            class: "c0".into(),
            margin: None,
        }],
        ..Default::default()
    };
    let err = DenseFormulation::build(&tiny_data(6), &s)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("build_with_standardizer"), "{err}");
    // A margin of 0 from the formulation is refused for a rule without one.
    let zero = FormulationSettings {
        margin: 0.0,
        rules: vec![recall(Some(0.5), None, None)],
        ..s.clone()
    };
    let err = DenseFormulation::build(&tiny_data(6), &zero)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("the margin must be positive"), "{err}");
}

#[test]
fn a_start_that_breaks_a_rule_is_refused_naming_the_rule() {
    let data = tiny_data(6);
    let s = FormulationSettings {
        hidden: vec![1],
        rules: vec![
            Rule::FeatureBudget { max_features: 1 },
            Rule::Monotone {
                feature: "f0".into(),
                class: "c1".into(),
                direction: Direction::Increasing,
            },
        ],
        ..Default::default()
    };
    let f = DenseFormulation::build_with_standardizer(&data, &s, &Standardizer::identity(2), None).unwrap();
    // Reads both features.
    let two = net_2hk(
        vec![vec![0.5, 0.5]],
        vec![0.0],
        vec![vec![0.0], vec![1.0]],
        vec![0.0, 0.0],
    );
    let err = f.start_values(&two).unwrap_err();
    assert!(
        err.contains("reads at most 1 input features") && err.contains("reads 2"),
        "{err}"
    );
    // Decreasing in f0 for c1.
    let down = net_2hk(
        vec![vec![-0.5, 0.0]],
        vec![0.0],
        vec![vec![0.0], vec![1.0]],
        vec![0.0, 0.0],
    );
    let err = f.start_values(&down).unwrap_err();
    assert!(
        err.contains("non-decreasing in \"f0\"") && err.contains("break the sign condition"),
        "{err}"
    );
    // Keeping both: a feasible point whose network reads back as itself.
    let good = net_2hk(
        vec![vec![0.5, 0.0]],
        vec![0.0],
        vec![vec![0.0], vec![1.0]],
        vec![0.0, 0.0],
    );
    let x = f.start_values(&good).unwrap();
    let eval = f.model.evaluate(&x, 1e-9);
    assert!(eval.is_feasible(), "{eval:?}");
    assert!(f.rule_checks(&good).iter().all(|c| c.holds));
    assert!(f.broken_rule(&good).is_none());
}

#[test]
fn a_neuron_limit_turns_neuron_pruning_on() {
    let s = FormulationSettings {
        hidden: vec![3],
        rules: vec![Rule::NeuronLimit { max_neurons: 2 }],
        ..Default::default()
    };
    assert!(!s.prune_neurons);
    let f = build(&tiny_data(6), &s);
    assert!(f.settings.prune_neurons);
}

#[test]
fn repair_makes_a_start_keep_budgets_limits_and_monotonicity() {
    let data = tiny_data(6);
    let s = FormulationSettings {
        hidden: vec![3],
        rules: vec![
            Rule::FeatureBudget { max_features: 1 },
            Rule::NeuronLimit { max_neurons: 2 },
            Rule::Monotone {
                feature: "f0".into(),
                class: "c1".into(),
                direction: Direction::Increasing,
            },
        ],
        ..Default::default()
    };
    let f = build(&data, &s);
    // Reads both features (f1 more), three live units, unit 1 decreasing in f0
    // for c1 (W = −0.2, v1 − v0 = 1) and unit 3 the weakest.
    let mut net = net_2hk(
        vec![vec![0.9, 0.1], vec![-0.2, 0.8], vec![0.1, -0.05]],
        vec![0.3, 0.2, 0.1],
        vec![vec![-1.0, 0.0, 1.0], vec![1.0, 1.0, 0.0]],
        vec![0.0, 0.0],
    );
    net.layers[0].kept = vec![true; 3];
    assert!(f.start_values(&net).is_err());
    let fixed = f.repair_for_rules(&net);
    assert!(features_read(&fixed) <= 1, "{:?}", fixed.layers[0].weights);
    assert!(live_neurons(&fixed) <= 2);
    assert!(monotonicity_violation(&fixed, 0, 1, true) <= 1e-9);
    let x = f.start_values(&fixed).unwrap();
    assert!(f.model.evaluate(&x, 1e-9).is_feasible());
    // A recall the start misses is not repaired: the start stays refused.
    let recall = FormulationSettings {
        hidden: vec![1],
        rules: vec![Rule::ClassRecall {
            class: "c1".into(),
            min_recall: Some(1.0),
            max_errors: None,
            margin: None,
        }],
        ..Default::default()
    };
    let f = build(&data, &recall);
    let zero = net_2hk(
        vec![vec![0.0, 0.0]],
        vec![0.0],
        vec![vec![0.0], vec![0.0]],
        vec![0.0, 0.0],
    );
    let err = f.start_values(&f.repair_for_rules(&zero)).unwrap_err();
    assert!(
        err.contains("recall of \"c1\" 0.0000") && err.contains("3 of 3 missed"),
        "{err}"
    );
}
