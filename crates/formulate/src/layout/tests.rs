//! The layout against the model it describes: every column named once.

use super::RuleCols;
use crate::{DenseFormulation, Direction, FormulationSettings, Loss, Rule};
use mipnet_data::{Dataset, Standardizer};
use mipnet_network::{ConvSpec, Pool, PoolKind};

fn data(n: usize, d: usize, k: usize) -> Dataset {
    // Deterministic values with some exact zeros.
    let x = (0..n * d)
        .map(|i| {
            if i % 7 == 3 {
                0.0
            } else {
                ((i * 37 % 11) as f64 - 5.0) / 4.0
            }
        })
        .collect();
    Dataset::new(
        "layout",
        (0..d).map(|i| format!("f{i}")).collect(),
        (0..k).map(|c| format!("c{c}")).collect(),
        x,
        (0..n).map(|i| i % k).collect(),
    )
}

/// Every column the layout names, with the table it is in; a pooled
/// value of a one-element max window is that element's activation.
fn named_columns(f: &DenseFormulation) -> Vec<(usize, &'static str)> {
    let lay = f.layout();
    let mut cols = Vec::new();
    for p in lay.layer_one() {
        cols.push((p.w.index(), "w1"));
        cols.extend(p.abs.map(|c| (c.index(), "abs")));
        cols.extend(p.on.map(|c| (c.index(), "on")));
        cols.extend(p.sq.map(|c| (c.index(), "sq")));
    }
    for l in 0..lay.num_layers() {
        for u in 0..lay.units(l) {
            cols.push((lay.bias(l, u).index(), "bias"));
            cols.extend(lay.neuron_on(l, u).map(|c| (c.index(), "neuron_on")));
        }
        cols.extend(lay.layer_on(l).map(|c| (c.index(), "layer_on")));
        cols.extend(lay.grid_layer(l).iter().map(|c| (c.index(), "grid")));
        for n in 0..lay.samples() {
            if l + 1 < lay.num_layers() {
                for a in lay.acts_of_sample(l, n) {
                    cols.extend(a.h.map(|c| (c.index(), "h")));
                    cols.extend(a.sigma.map(|c| (c.index(), "sigma")));
                }
            }
            if l >= 1 {
                for k in 0..lay.width(l) {
                    for j in 0..lay.inputs_of(l) {
                        let q = lay.products(l, n, k, j);
                        assert_eq!(q.len(), lay.values().len());
                        cols.extend(q.iter().flatten().map(|c| (c.index(), "product")));
                    }
                }
            }
        }
    }
    for n in 0..lay.samples() {
        for p in lay.pooled_of_sample(n) {
            let own =
                p.g.filter(|g| p.select.iter().any(|s| s.is_some()) || !is_activation(f, *g));
            cols.extend(own.map(|c| (c.index(), "pooled")));
            cols.extend(p.select.iter().flatten().map(|c| (c.index(), "select")));
        }
        cols.extend(lay.loss_of_sample(n).iter().map(|c| (c.index(), "loss")));
    }
    for r in lay.rules() {
        match r {
            RuleCols::FeatureBudget { used } => cols.extend(used.iter().map(|c| (c.index(), "feature_used"))),
            RuleCols::NeuronLimit => {}
            RuleCols::ClassRecall { missed } => cols.extend(missed.iter().map(|(_, c)| (c.index(), "missed"))),
            RuleCols::Fairness { missed, beaten } => {
                cols.extend(missed.iter().map(|(_, c)| (c.index(), "missed")));
                cols.extend(beaten.iter().flatten().map(|(_, c)| (c.index(), "beaten")));
            }
            RuleCols::FixedDecision(p) => {
                for a in p.acts.iter().flatten() {
                    cols.extend(a.h.map(|c| (c.index(), "point_h")));
                    cols.extend(a.sigma.map(|c| (c.index(), "point_sigma")));
                }
                for l in 1..lay.num_layers() {
                    for k in 0..lay.width(l) {
                        for j in 0..lay.inputs_of(l) {
                            let q = lay.point_products(p, l, k, j);
                            assert_eq!(q.len(), lay.values().len());
                            cols.extend(q.iter().flatten().map(|c| (c.index(), "point_product")));
                        }
                    }
                }
            }
            RuleCols::Monotone { signs } => cols.extend(
                signs
                    .iter()
                    .flat_map(|(p, n)| [(p.index(), "sign+"), (n.index(), "sign−")]),
            ),
        }
    }
    cols
}

fn is_activation(f: &DenseFormulation, col: mipnet_milp::Col) -> bool {
    let lay = f.layout();
    (0..lay.samples()).any(|n| lay.acts_of_sample(0, n).iter().any(|a| a.h == Some(col)))
}

/// The layout names every column of the model exactly once: no index
/// formula points two subscripts at one column or misses one.
#[test]
fn the_layout_names_every_column_once() {
    let conv = |pool| ConvSpec {
        channels: 2,
        kernel: 2,
        stride: 1,
        padding: 0,
        pool,
        image: None,
    };
    let cases = [
        FormulationSettings {
            hidden: vec![3, 3],
            l0: 0.01,
            l2: 0.01,
            prune_neurons: true,
            prune_layers: true,
            grid_levels: 2,
            ..Default::default()
        },
        FormulationSettings {
            hidden: vec![2],
            loss: Loss::L1,
            ..Default::default()
        },
        FormulationSettings {
            conv: Some(conv(Some(Pool {
                kind: PoolKind::Max,
                size: 2,
                stride: 1,
            }))),
            hidden: vec![2],
            prune_neurons: true,
            loss: Loss::Misclassification,
            ..Default::default()
        },
        FormulationSettings {
            conv: Some(conv(Some(Pool {
                kind: PoolKind::Average,
                size: 2,
                stride: 2,
            }))),
            hidden: vec![],
            ..Default::default()
        },
        FormulationSettings {
            conv: Some(conv(None)),
            hidden: vec![],
            l0: 0.01,
            ..Default::default()
        },
    ];
    let point = |v: f64| (0..3).map(|i| (format!("f{i}"), v + i as f64)).collect();
    let fixed = |v| Rule::FixedDecision {
        point: point(v),
        class: "c2".into(),
        margin: None,
    };
    let with_rules = [
        FormulationSettings {
            hidden: vec![3, 2],
            grid_levels: 2,
            rules: vec![
                Rule::FeatureBudget { max_features: 2 },
                Rule::NeuronLimit { max_neurons: 3 },
                Rule::ClassRecall {
                    class: "c1".into(),
                    min_recall: Some(0.5),
                    max_errors: None,
                    margin: None,
                },
                fixed(0.5),
                fixed(-1.0),
            ],
            ..Default::default()
        },
        FormulationSettings {
            hidden: vec![2],
            l0: 0.01,
            rules: vec![
                Rule::Monotone {
                    feature: "f1".into(),
                    class: "c0".into(),
                    direction: Direction::Decreasing,
                },
                Rule::Monotone {
                    feature: "f2".into(),
                    class: "c0".into(),
                    direction: Direction::Increasing,
                },
                fixed(0.0),
            ],
            ..Default::default()
        },
    ];
    for (i, s) in cases.iter().chain(&with_rules).enumerate() {
        let d = if s.conv.is_some() { 9 } else { 3 };
        let f = DenseFormulation::build_with_standardizer(&data(5, d, 3), s, &Standardizer::identity(d), None).unwrap();
        let mut cols = named_columns(&f);
        cols.sort();
        let indices: Vec<usize> = cols.iter().map(|c| c.0).collect();
        let all: Vec<usize> = (0..f.model.num_cols()).collect();
        assert_eq!(indices, all, "case {i}: {cols:?}");
    }
}
