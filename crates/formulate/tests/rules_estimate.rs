//! The size estimate counts the rules' columns, binaries, rows and
//! nonzeros exactly as the build adds them: every kind of rule the
//! formulation builds, alone and all together, on two and three classes,
//! against the built model's counts.

mod rules_common;

use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{
    group_members, DenseFormulation, Direction, FairnessMeasure, FormulationSettings, ModelEstimate, Rule,
};
use rules_common::tiny_data;
use std::collections::BTreeMap;

fn three_classes() -> Dataset {
    let two = tiny_data(8);
    Dataset::new(
        "tiny3",
        two.feature_names.clone(),
        vec!["c0".into(), "c1".into(), "c2".into()],
        (0..two.len()).flat_map(|n| two.row(n).to_vec()).collect(),
        (0..two.len())
            .map(|n| if two.row(n)[1] > 0.8 { 2 } else { two.label(n) })
            .collect(),
    )
}

fn point(f0: f64, f1: f64) -> BTreeMap<String, f64> {
    [("f0".to_string(), f0), ("f1".to_string(), f1)].into_iter().collect()
}

/// Every kind of rule the build makes rows for, on `data`.
fn rules(data: &Dataset) -> Vec<Rule> {
    let fairness = |measure, positive: Option<&str>, threshold: Option<f64>| Rule::Fairness {
        group: "f0".into(),
        threshold,
        measure,
        positive_class: positive.map(String::from),
        max_gap: 0.2,
        group_is_feature: true,
        margin: None,
        members: Some(group_members("f0", threshold, data).unwrap()),
    };
    vec![
        Rule::FeatureBudget { max_features: 1 },
        Rule::NeuronLimit { max_neurons: 2 },
        Rule::ClassRecall {
            class: "c1".into(),
            min_recall: Some(0.5),
            max_errors: None,
            margin: None,
        },
        Rule::Monotone {
            feature: "f1".into(),
            class: "c0".into(),
            direction: Direction::Decreasing,
        },
        // A point with a zero coordinate (no layer-1 term) and one without.
        Rule::FixedDecision {
            point: point(0.0, 0.7),
            class: "c0".into(),
            margin: None,
        },
        Rule::FixedDecision {
            point: point(0.3, -0.2),
            class: "c1".into(),
            margin: Some(0.5),
        },
        fairness(FairnessMeasure::ErrorRate, None, Some(0.0)),
        fairness(FairnessMeasure::PositiveRate, Some("c1"), Some(0.5)),
    ]
}

fn assert_estimate_is_the_build(data: &Dataset, s: &FormulationSettings, what: &str) {
    let standardizer = Standardizer::identity(data.num_features());
    let e = ModelEstimate::of_standardized(data, s, &standardizer).unwrap();
    let built = DenseFormulation::build_with_standardizer(data, s, &standardizer, None)
        .unwrap()
        .stats();
    assert_eq!(
        (e.columns, e.binaries, e.rows, e.nonzeros),
        (built.columns, built.binaries, built.rows, built.nonzeros),
        "{what}: estimate (columns, binaries, rows, nonzeros) differs from the built model"
    );
}

#[test]
fn the_estimate_counts_every_rule_as_the_build_adds_it() {
    for data in [tiny_data(8), three_classes()] {
        let all = rules(&data);
        for hidden in [vec![3], vec![3, 2]] {
            for (i, rule) in all.iter().enumerate() {
                // The monotone rule needs one hidden layer.
                if matches!(rule, Rule::Monotone { .. }) && hidden.len() > 1 {
                    continue;
                }
                let s = FormulationSettings {
                    hidden: hidden.clone(),
                    rules: vec![rule.clone()],
                    ..Default::default()
                };
                assert_estimate_is_the_build(
                    &data,
                    &s,
                    &format!("{} classes, {hidden:?}, rule {}", data.num_classes(), i + 1),
                );
            }
        }
        let s = FormulationSettings {
            hidden: vec![3],
            rules: all,
            ..Default::default()
        };
        assert_estimate_is_the_build(&data, &s, &format!("{} classes, every rule", data.num_classes()));
    }
}

/// Without the standardizer, a point is counted as reading every feature:
/// exact for a point with no coordinate at the training mean (here 0).
#[test]
fn without_the_standardizer_a_point_reads_every_feature() {
    let data = tiny_data(8);
    let with_zero = FormulationSettings {
        hidden: vec![3],
        rules: vec![Rule::FixedDecision {
            point: point(0.0, 0.7),
            class: "c0".into(),
            margin: None,
        }],
        ..Default::default()
    };
    let exact = ModelEstimate::of_standardized(&data, &with_zero, &Standardizer::identity(2)).unwrap();
    let plain = ModelEstimate::of(&data, &with_zero).unwrap();
    // One layer-1 term per hidden neuron in each of two ReLU rows.
    assert_eq!(plain.nonzeros, exact.nonzeros + 2 * 3);
    assert_eq!((plain.columns, plain.rows), (exact.columns, exact.rows));
}
