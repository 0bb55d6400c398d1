//! Rules through the whole pipeline: the returned network keeps every rule,
//! checked here independently of the certificate (features read counted
//! from the weights, recall by the forward pass on the data, monotonicity
//! by dense sampling along the feature); rules that cannot all hold end
//! the run with an error naming the rule that cannot hold alone.

use mipnet_data::{Bundled, Dataset};
use mipnet_formulate::{Direction, Rule};
use mipnet_highs::HighsSolver;
use mipnet_network::Network;
use mipnet_train::{train, Job, Silent, TrainError, TrainOutcome, TrainSettings};
use std::collections::BTreeMap;

/// Points sampled along the feature, from below the data's range to above
/// it, for each base point (in 1-D along the feature, from every base).
const STEPS: usize = 400;

/// Rounding slack of a margin compared between two neighbouring points.
const SLACK: f64 = 1e-9;

fn iris() -> Dataset {
    let all = Bundled::Iris.load();
    all.split_stratified(0.25, 0).unwrap().0
}

fn run(data: &Dataset, rules: Vec<Rule>, seconds: f64) -> Result<TrainOutcome, TrainError> {
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![4];
    settings.formulation.rules = rules;
    settings.solver.time_limit = seconds;
    settings.solver.threads = Some(1);
    let job = Job {
        dataset: "iris".into(),
        train: data,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    train(&job, &mut Silent::default(), None)
}

/// Input columns with a nonzero layer-1 weight into a kept unit.
fn features_read(net: &Network) -> usize {
    let l = &net.layers[0];
    (0..l.inputs())
        .filter(|&i| (0..l.weights.len()).any(|j| l.kept[j] && l.weights[j][i] != 0.0))
        .count()
}

fn recall(net: &Network, data: &Dataset, class: usize) -> f64 {
    let of_class: Vec<usize> = (0..data.len()).filter(|&n| data.label(n) == class).collect();
    let right = of_class.iter().filter(|&&n| net.predict(data.row(n)) == class).count();
    right as f64 / of_class.len() as f64
}

/// The first point (base, value) where the margin of `class` over another
/// class falls as `feature` rises, sampling from every training point.
fn monotonicity_violation(net: &Network, data: &Dataset, feature: usize, class: usize) -> Option<(usize, f64)> {
    let col: Vec<f64> = (0..data.len()).map(|n| data.row(n)[feature]).collect();
    let (lo, hi) = col
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (lo, hi) = (lo - (hi - lo), hi + (hi - lo));
    for n in 0..data.len() {
        let mut x = data.row(n).to_vec();
        let mut before: Option<Vec<f64>> = None;
        for s in 0..=STEPS {
            x[feature] = lo + (hi - lo) * s as f64 / STEPS as f64;
            let o = net.scores(&x);
            let margins: Vec<f64> = (0..o.len()).filter(|&k| k != class).map(|k| o[class] - o[k]).collect();
            if let Some(b) = &before {
                if margins.iter().zip(b).any(|(m, p)| *m < p - SLACK * (1.0 + p.abs())) {
                    return Some((n, x[feature]));
                }
            }
            before = Some(margins);
        }
    }
    None
}

#[test]
fn the_returned_network_keeps_every_rule_checked_without_the_certificate() {
    let data = iris();
    let (feature, class) = (2, 2);
    let rules = vec![
        Rule::FeatureBudget { max_features: 2 },
        Rule::ClassRecall {
            class: data.class_names[class].clone(),
            min_recall: Some(0.95),
            max_errors: None,
            margin: None,
        },
        Rule::Monotone {
            feature: data.feature_names[feature].clone(),
            class: data.class_names[class].clone(),
            direction: Direction::Increasing,
        },
    ];
    let out = run(&data, rules, 10.0).expect("a network");
    let net = &out.network;
    assert!(features_read(net) <= 2, "{} features read", features_read(net));
    assert!(
        recall(net, &data, class) >= 0.95,
        "recall {}",
        recall(net, &data, class)
    );
    assert_eq!(monotonicity_violation(net, &data, feature, class), None);
    // The report lists each rule, described, as holding.
    assert_eq!(out.report.rules.len(), 3);
    assert!(out.report.rules.iter().all(|r| r.holds), "{:?}", out.report.rules);
    assert_eq!(out.report.rules[0].description, "reads at most 2 input features");
    // The gradient network is checked against the same rules: it reads
    // every feature.
    let baseline = &out.report.baseline.rules;
    assert_eq!(baseline.len(), 3);
    assert!(!baseline[0].holds, "{baseline:?}");
}

#[test]
fn rules_that_cannot_all_hold_end_the_run_naming_the_one_that_cannot_hold_alone() {
    let data = iris();
    // No network within the weight box reaches this margin at any point.
    let point: BTreeMap<String, f64> = data.feature_names.iter().map(|f| (f.clone(), 1.0)).collect();
    let impossible = Rule::FixedDecision {
        point,
        class: data.class_names[0].clone(),
        margin: Some(1e6),
    };
    let described = impossible.describe();
    let rules = vec![Rule::FeatureBudget { max_features: 2 }, impossible];
    match run(&data, rules, 20.0) {
        Err(TrainError::RulesInfeasible(text)) => {
            assert!(text.contains("the rules cannot all hold"), "{text}");
            assert!(
                text.contains(&format!("cannot hold even alone: rule 2 ({described})")),
                "{text}"
            );
            assert!(!text.contains("reads at most 2"), "{text}");
        }
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("a network keeps an impossible rule"),
    }
}
