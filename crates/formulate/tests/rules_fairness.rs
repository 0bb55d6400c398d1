//! Fairness between groups on tiny instances (2 features, 2 or 3
//! classes, 6 samples; groups f0 ≤ 0 and f0 > 0, three samples each): HiGHS's
//! optimum under the rule sandwiched between enumerations that do not use
//! the rule's rows (from below: every set of counted samples that keeps
//! the gap, fixed as decisions; from above: a grid of networks that keep
//! the rule, counted by their forward passes), every returned network's
//! rates counted independently, and bad rules refused naming the cause.

mod rules_common;

use mipnet_data::Dataset;
use mipnet_formulate::{group_members, DenseFormulation, FairnessMeasure, FormulationSettings, Rule};
use mipnet_network::Network;
use rules_common::*;
use std::collections::BTreeMap;

/// Optima agree to this: HiGHS proves them with zero gap, up to its
/// feasibility tolerance (1e-7) times the loss rows' coefficients.
const SAME_OPTIMUM: f64 = 1e-6;

/// The rule's margin.
const MARGIN: f64 = 1.0;

/// The group of each sample: f0 ≤ 0 (0) or f0 > 0 (1).
fn groups(data: &Dataset) -> Vec<usize> {
    (0..data.len()).map(|n| usize::from(data.row(n)[0] > 0.0)).collect()
}

fn fairness(data: &Dataset, positive: Option<&str>, max_gap: f64) -> Rule {
    Rule::Fairness {
        group: "f0".into(),
        threshold: Some(0.0),
        measure: if positive.is_some() {
            FairnessMeasure::PositiveRate
        } else {
            FairnessMeasure::ErrorRate
        },
        positive_class: positive.map(String::from),
        max_gap,
        group_is_feature: true,
        margin: Some(MARGIN),
        members: Some(group_members("f0", Some(0.0), data).unwrap()),
    }
}

fn with_rules(s: &FormulationSettings, rules: Vec<Rule>) -> FormulationSettings {
    FormulationSettings { rules, ..s.clone() }
}

/// Whether sample `n` is counted (correct, or predicted `positive`):
/// its class's lead at least the margin.
fn counted(net: &Network, data: &Dataset, n: usize, positive: Option<usize>) -> bool {
    lead(net, data.row(n), positive.unwrap_or(data.label(n))) >= MARGIN - 1e-7
}

/// The largest difference of the groups' counted shares.
fn gap(net: &Network, data: &Dataset, positive: Option<usize>) -> f64 {
    let g = groups(data);
    let share = |grp: usize| {
        let members: Vec<usize> = (0..data.len()).filter(|&n| g[n] == grp).collect();
        members.iter().filter(|&&n| counted(net, data, n, positive)).count() as f64 / members.len() as f64
    };
    (share(0) - share(1)).abs()
}

/// Every combination of `k` values drawn from `values` (k-tuples).
fn tuples(values: &[f64], k: usize) -> Vec<Vec<f64>> {
    (0..k).fold(vec![Vec::new()], |acc, _| {
        acc.iter()
            .flat_map(|t| {
                values.iter().map(move |&v| {
                    let mut t = t.clone();
                    t.push(v);
                    t
                })
            })
            .collect()
    })
}

/// Every network 2 → 1 → `classes` with layer-1 weights and biases on a
/// grid of step 0.5 in [−1, 1], ternary output weights and output biases
/// on the same grid.
fn grid_networks(classes: usize) -> Vec<Network> {
    let half: Vec<f64> = (-2..=2).map(|v| v as f64 * 0.5).collect();
    let tern = [-1.0, 0.0, 1.0];
    let mut out = Vec::new();
    for first in tuples(&half, 3) {
        for v in tuples(&tern, classes) {
            for c in tuples(&half, classes) {
                out.push(net_2hk(
                    vec![vec![first[0], first[1]]],
                    vec![first[2]],
                    v.iter().map(|&w| vec![w]).collect(),
                    c,
                ));
            }
        }
    }
    out
}

/// The least optimum over every set S of counted samples whose counts
/// keep the gap, S's samples fixed as decisions (their class, or the
/// positive class, with the margin): a lower bound on the rule's optimum
/// (the optimal network's own counted set is one of them).
fn lower_bound_by_subsets(data: &Dataset, s: &FormulationSettings, positive: Option<usize>, max_gap: f64) -> f64 {
    let g = groups(data);
    let sizes = [
        g.iter().filter(|&&v| v == 0).count(),
        g.iter().filter(|&&v| v == 1).count(),
    ];
    let mut best = f64::INFINITY;
    for mask in 0u32..(1 << data.len()) {
        let inside = |n: usize| mask & (1 << n) != 0;
        let count = |grp: usize| (0..data.len()).filter(|&n| g[n] == grp && inside(n)).count() as f64;
        if (count(0) / sizes[0] as f64 - count(1) / sizes[1] as f64).abs() > max_gap + 1e-12 {
            continue;
        }
        let rules = (0..data.len())
            .filter(|&n| inside(n))
            .map(|n| {
                let c = positive.unwrap_or(data.label(n));
                Rule::FixedDecision {
                    point: data
                        .row(n)
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| (format!("f{i}"), v))
                        .collect::<BTreeMap<_, _>>(),
                    class: format!("c{c}"),
                    margin: Some(MARGIN),
                }
            })
            .collect();
        if let (_, Some((v, _))) = solve(&build(data, &with_rules(s, rules))) {
            best = best.min(v);
        }
    }
    best
}

fn check_sandwich(positive: Option<usize>, max_gap: f64) {
    check_sandwich_on(&tiny_data(6), positive, max_gap);
}

fn check_sandwich_on(data: &Dataset, positive: Option<usize>, max_gap: f64) {
    let data = data.clone();
    let s = tiny_settings(1);
    let name = positive.map(|c| format!("c{c}"));
    let f = build(&data, &with_rules(&s, vec![fairness(&data, name.as_deref(), max_gap)]));
    let (ruled, net) = optimum(&f);
    assert!(
        gap(&net, &data, positive) <= max_gap + 1e-12,
        "gap {}",
        gap(&net, &data, positive)
    );
    let (free, free_net) = optimum(&build(&data, &s));
    assert!(
        gap(&free_net, &data, positive) > max_gap,
        "the rule must bite on this data: free gap {}",
        gap(&free_net, &data, positive)
    );
    assert!(ruled > free + SAME_OPTIMUM, "{ruled} vs {free}");
    let below = lower_bound_by_subsets(&data, &s, positive, max_gap);
    assert!(ruled >= below - SAME_OPTIMUM, "MILP {ruled}, subsets {below}");
    let above = grid_networks(data.num_classes())
        .iter()
        .filter(|n| gap(n, &data, positive) <= max_gap + 1e-12)
        .map(|n| f.objective_of(n))
        .fold(f64::INFINITY, f64::min);
    assert!(ruled <= above + SAME_OPTIMUM, "MILP {ruled}, grid {above}");
}

#[test]
fn equal_error_rates_optimum_is_sandwiched_by_enumerations() {
    check_sandwich(None, 0.0);
}

#[test]
fn equal_positive_rates_optimum_is_sandwiched_by_enumerations() {
    check_sandwich(Some(0), 0.0);
}

/// The tiny data's six points with three classes: class 2 where
/// f1 > 0.8, else class 1 where f0 + f1 > 0, else class 0 (the sample
/// against the trend of the two-class data kept as class 0).
fn three_class_data() -> Dataset {
    let two = tiny_data(6);
    let labels: Vec<usize> = (0..two.len())
        .map(|n| {
            let x = two.row(n);
            if x[1] > 0.8 {
                2
            } else {
                two.label(n)
            }
        })
        .collect();
    Dataset::new(
        "tiny3",
        two.feature_names.clone(),
        vec!["c0".into(), "c1".into(), "c2".into()],
        (0..two.len()).flat_map(|n| two.row(n).to_vec()).collect(),
        labels,
    )
}

#[test]
fn three_classes_equal_error_rates_optimum_is_sandwiched_by_enumerations() {
    check_sandwich_on(&three_class_data(), None, 0.0);
}

#[test]
fn three_classes_equal_positive_rates_optimum_is_sandwiched_by_enumerations() {
    check_sandwich_on(&three_class_data(), Some(0), 0.0);
}

#[test]
fn a_gap_of_one_changes_nothing() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let (free, _) = optimum(&build(&data, &s));
    for positive in [None, Some("c1")] {
        let (ruled, _) = optimum(&build(&data, &with_rules(&s, vec![fairness(&data, positive, 1.0)])));
        assert!((ruled - free).abs() < SAME_OPTIMUM, "{positive:?}: {ruled} vs {free}");
    }
}

#[test]
fn bad_fairness_rules_are_refused_naming_the_cause() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let refused = |rule: Rule| {
        let e = mipnet_formulate::check_rules(std::slice::from_ref(&rule), &data)
            .err()
            .map(|e| e.to_string())
            .or_else(|| {
                DenseFormulation::build(&data, &with_rules(&s, vec![rule]))
                    .err()
                    .map(|e| e.to_string())
            })
            .expect("refused");
        assert!(e.contains("rule 1 (fairness)"), "{e}");
        e
    };
    let base = fairness(&data, None, 0.1);
    let edit = |f: &dyn Fn(&mut Rule)| {
        let mut r = base.clone();
        f(&mut r);
        r
    };
    let e = refused(edit(&|r| {
        if let Rule::Fairness { group, members, .. } = r {
            *group = "sex".into();
            *members = None;
        }
    }));
    assert!(e.contains("unknown feature \"sex\"") && e.contains("f0, f1"), "{e}");
    for bad in [-0.1, 1.5, f64::NAN] {
        let e = refused(edit(&|r| {
            if let Rule::Fairness { max_gap, .. } = r {
                *max_gap = bad;
            }
        }));
        assert!(e.contains("max_gap (δ) must be within [0, 1]"), "{bad}: {e}");
    }
    let e = refused(edit(&|r| {
        if let Rule::Fairness { threshold, members, .. } = r {
            *threshold = Some(5.0);
            *members = None;
        }
    }));
    assert!(e.contains("the group f0 > 5 has no training samples"), "{e}");
    let e = refused(edit(&|r| {
        if let Rule::Fairness { measure, .. } = r {
            *measure = FairnessMeasure::PositiveRate;
        }
    }));
    assert!(e.contains("needs positive_class"), "{e}");
    let e = refused(edit(&|r| {
        if let Rule::Fairness { positive_class, .. } = r {
            *positive_class = Some("c1".into());
        }
    }));
    assert!(e.contains("positive_class goes with measure"), "{e}");
    // A column of one value gives one group.
    let flat = Dataset::new(
        "flat",
        vec!["f0".into(), "f1".into()],
        vec!["c0".into(), "c1".into()],
        vec![1.0, 0.0, 1.0, 0.5, 1.0, 1.0],
        vec![0, 1, 1],
    );
    let mut one = base.clone();
    if let Rule::Fairness { threshold, members, .. } = &mut one {
        *threshold = None;
        *members = None;
    }
    let e = mipnet_formulate::check_rules(&[one], &flat).err().unwrap().to_string();
    assert!(e.contains("gives one group only (f0 = 1)"), "{e}");
    // Built without the groups read from the raw data.
    let e = DenseFormulation::build(
        &data,
        &with_rules(
            &s,
            vec![edit(&|r| {
                if let Rule::Fairness { members, .. } = r {
                    *members = None;
                }
            })],
        ),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("read from the raw training data"), "{e}");
}

/// The rule's rates are counted at its margin: a network whose outputs
/// are constant with class 1 leading by half the margin misses every
/// sample at the margin (error rates 1 and 1: the rule holds with gap 0)
/// while predict's argmax is right on every class-1 sample and wrong on
/// every class-0 one. The check says the margin in the rule's words,
/// records the argmax rates and their gap beside, and warns when that gap
/// exceeds δ.
#[test]
fn the_argmax_gap_beside_the_margin_rates_is_reported_and_warned_of() {
    let x = vec![-1.0, 0.0, -2.0, 0.0, 1.0, 0.0, 2.0, 0.0];
    let data = Dataset::new(
        "split",
        vec!["f0".into(), "f1".into()],
        vec!["c0".into(), "c1".into()],
        x,
        vec![1, 1, 0, 0],
    );
    let rule = fairness(&data, None, 0.0);
    assert!(
        rule.describe()
            .contains("error rates of the groups of \"f0\" (≤ 0, > 0) at margin 1 differ by at most 0"),
        "{}",
        rule.describe()
    );
    let f = build(&data, &with_rules(&tiny_settings(1), vec![rule]));
    let constant = net_2hk(
        vec![vec![0.0, 0.0]],
        vec![0.0],
        vec![vec![0.0], vec![0.0]],
        vec![0.0, 0.5 * MARGIN],
    );
    let check = &f.rule_checks(&constant)[0];
    assert!(check.holds, "{}", check.detail);
    assert!(
        check.detail.starts_with(&format!(
            "{} (predict's classes) the error rates differ by 1.0000, more than 0",
            mipnet_formulate::ARGMAX_GAP_WARNING
        )),
        "{}",
        check.detail
    );
    assert!(
        check
            .detail
            .contains("at margin 1: f0 ≤ 0 1.0000 (2 of 2), f0 > 0 1.0000 (2 of 2); largest gap 0.0000"),
        "{}",
        check.detail
    );
    assert!(
        check
            .detail
            .ends_with("by the plain argmax: f0 ≤ 0 0.0000 (0 of 2), f0 > 0 1.0000 (2 of 2); gap 1.0000"),
        "{}",
        check.detail
    );
    // Outputs leading by twice the margin: argmax and margin agree, no
    // warning (the rule is broken: error rates 0 and 1).
    let wide = net_2hk(
        vec![vec![0.0, 0.0]],
        vec![0.0],
        vec![vec![0.0], vec![0.0]],
        vec![0.0, 2.0 * MARGIN],
    );
    let check = &f.rule_checks(&wide)[0];
    assert!(!check.holds, "{}", check.detail);
    assert!(!check.detail.contains("WARNING"), "{}", check.detail);
}
