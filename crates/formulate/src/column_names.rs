//! Names for the training MILP's columns, so a model file written for
//! another solver (`mipnet train --write-model`) and the solution it
//! returns can be read back column by column: each name says which
//! variable of the formulation it is, with 1-based subscripts as in the
//! equations (layer l, neuron k, input i or j, sample n, grid value v).
//!
//! | name | variable |
//! |---|---|
//! | `W1_k_i`, `A1_k_i`, `Z1_k_i`, `R1_k_i` | layer-1 weight, its ℓ1, ℓ0 and ℓ2 auxiliaries |
//! | `F_p`, `FA_p`, `FZ_p`, `FR_p` | a convolution's filter parameter p, its auxiliaries |
//! | `b{l}_k` | bias of unit k of layer l |
//! | `u{l}_k_j_v` | grid binary: weight (k, j) of layer l ≥ 2 takes value v·s (`p1`, `m1` for ±1) |
//! | `h{l}_n_j`, `s{l}_n_j` | activation of neuron j of hidden layer l on sample n, its ReLU binary |
//! | `g_n_q`, `gsel_n_q_i` | pooled value of window q, the binary selecting element i (max pooling) |
//! | `y{l}_n_k_j_v` | product of grid binary `u{l}_k_j_v` with input j of sample n |
//! | `q{l}_k`, `r{l}` | neuron indicator, layer indicator |
//! | `xi_n`, `e_n`, `t_n_k` | loss of sample n: hinge, misclassification, ℓ1 per class |
//! | `rule{r}_…` | columns of rule r (in the settings' order) |
//! | `rule{r}_e_n`, `rule{r}_z_n_k` | a class-recall or fairness rule's miss binary of sample n; a fairness rule's "class k leads sample n to within the margin" binary (more than two classes) |
//!
//! A column of none of these parts would be `x{index}` (0-based); every
//! part the formulation builds is named today. Names are
//! unique (an `x{index}` cannot clash: no other name is `x` then digits)
//! and hold no spaces, so MPS and solution files carry them as they are.

use crate::formulation::DenseFormulation;
use crate::layout::{Act, LayerOneWeight, PointCols, RuleCols};
use crate::settings::Loss;
use mipnet_milp::Col;

impl DenseFormulation {
    /// Every column's name, by column index (see the module's table).
    pub fn column_names(&self) -> Vec<String> {
        let mut names: Vec<Option<String>> = vec![None; self.model.num_cols()];
        let mut set = |c: Col, name: String| names[c.index()] = Some(name);
        let lay = self.layout();
        let conv = lay.conv().is_some();
        for (p, w) in lay.layer_one().iter().enumerate() {
            let (stem, at) = if conv {
                ("F", format!("_{}", p + 1))
            } else {
                let (k, i) = lay.layer_one_position(p);
                ("1", format!("_{}_{}", k + 1, i + 1))
            };
            name_layer_one(w, conv, stem, &at, &mut set);
        }
        for l in 0..lay.num_layers() {
            let layer = l + 1;
            for u in 0..lay.units(l) {
                set(lay.bias(l, u), format!("b{layer}_{}", u + 1));
                if let Some(q) = lay.neuron_on(l, u) {
                    set(q, format!("q{layer}_{}", u + 1));
                }
            }
            if let Some(r) = lay.layer_on(l) {
                set(r, format!("r{layer}"));
            }
            if l >= 1 {
                for k in 0..lay.width(l) {
                    for j in 0..lay.inputs_of(l) {
                        for (&v, &c) in lay.values().iter().zip(lay.grid(l, k, j)) {
                            set(c, format!("u{layer}_{}_{}_{}", k + 1, j + 1, value_name(v)));
                        }
                    }
                }
            }
        }
        for n in 0..lay.samples() {
            let sample = n + 1;
            for l in 0..lay.num_layers() - 1 {
                for (j, a) in lay.acts_of_sample(l, n).iter().enumerate() {
                    name_act(a, &format!("{}_{sample}_{}", l + 1, j + 1), &mut set);
                }
            }
            for (q, p) in lay.pooled_of_sample(n).iter().enumerate() {
                if let Some(g) = p.g {
                    set(g, format!("g_{sample}_{}", q + 1));
                }
                for (i, c) in p.select.iter().enumerate() {
                    if let Some(c) = c {
                        set(*c, format!("gsel_{sample}_{}_{}", q + 1, i + 1));
                    }
                }
            }
            for l in 1..lay.num_layers() {
                for k in 0..lay.width(l) {
                    for j in 0..lay.inputs_of(l) {
                        for (&v, c) in lay.values().iter().zip(lay.products(l, n, k, j)) {
                            if let Some(c) = c {
                                set(*c, format!("y{}_{sample}_{}_{}_{}", l + 1, k + 1, j + 1, value_name(v)));
                            }
                        }
                    }
                }
            }
            let loss = lay.loss_of_sample(n);
            match self.settings.loss {
                Loss::Hinge => set(loss[0], format!("xi_{sample}")),
                Loss::Misclassification => set(loss[0], format!("e_{sample}")),
                Loss::L1 => {
                    for (k, &c) in loss.iter().enumerate() {
                        set(c, format!("t_{sample}_{}", k + 1));
                    }
                }
            }
        }
        for (r, cols) in lay.rules().iter().enumerate() {
            let rule = format!("rule{}", r + 1);
            match cols {
                RuleCols::FeatureBudget { used } => {
                    for (i, &c) in used.iter().enumerate() {
                        set(c, format!("{rule}_f_{}", i + 1));
                    }
                }
                RuleCols::NeuronLimit => {}
                RuleCols::ClassRecall { missed } => {
                    for &(n, c) in missed {
                        set(c, format!("{rule}_e_{}", n + 1));
                    }
                }
                RuleCols::Fairness { missed, beaten } => {
                    for (i, &(n, c)) in missed.iter().enumerate() {
                        set(c, format!("{rule}_e_{}", n + 1));
                        for &(k, z) in beaten.get(i).into_iter().flatten() {
                            set(z, format!("{rule}_z_{}_{}", n + 1, k + 1));
                        }
                    }
                }
                RuleCols::FixedDecision(point) => self.name_point(point, &rule, &mut set),
                RuleCols::Monotone { signs } => {
                    for (j, &(pos, neg)) in signs.iter().enumerate() {
                        set(pos, format!("{rule}_pos_{}", j + 1));
                        set(neg, format!("{rule}_neg_{}", j + 1));
                    }
                }
            }
        }
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| name.unwrap_or_else(|| format!("x{i}")))
            .collect()
    }

    /// Gives every column of the model its name ([`DenseFormulation::column_names`]).
    pub fn name_columns(&mut self) {
        for (j, name) in self.column_names().into_iter().enumerate() {
            self.model.set_col_name(Col::from_index(j), name);
        }
    }

    /// A fixed decision's point: its activations and products, named as a
    /// sample's without the sample.
    fn name_point(&self, point: &PointCols, rule: &str, set: &mut impl FnMut(Col, String)) {
        let lay = self.layout();
        for (l, acts) in point.acts.iter().enumerate() {
            for (j, a) in acts.iter().enumerate() {
                name_act(a, &format!("{}_{}", l + 1, j + 1), &mut |c, name| {
                    set(c, format!("{rule}_{name}"))
                });
            }
        }
        for l in 1..lay.num_layers() {
            for k in 0..lay.width(l) {
                for j in 0..lay.inputs_of(l) {
                    for (&v, c) in lay.values().iter().zip(lay.point_products(point, l, k, j)) {
                        if let Some(c) = c {
                            set(*c, format!("{rule}_y{}_{}_{}_{}", l + 1, k + 1, j + 1, value_name(v)));
                        }
                    }
                }
            }
        }
    }
}

/// A layer-1 weight's columns: `W1…`/`A1…`/`Z1…`/`R1…` dense, `F…`/`FA…`/… for a filter.
fn name_layer_one(w: &LayerOneWeight, conv: bool, stem: &str, at: &str, set: &mut impl FnMut(Col, String)) {
    let (weight, abs, on, sq) = if conv {
        ("F".to_string(), "FA".to_string(), "FZ".to_string(), "FR".to_string())
    } else {
        (
            format!("W{stem}"),
            format!("A{stem}"),
            format!("Z{stem}"),
            format!("R{stem}"),
        )
    };
    set(w.w, format!("{weight}{at}"));
    if let Some(c) = w.abs {
        set(c, format!("{abs}{at}"));
    }
    if let Some(c) = w.on {
        set(c, format!("{on}{at}"));
    }
    if let Some(c) = w.sq {
        set(c, format!("{sq}{at}"));
    }
}

/// An activation's columns: `h{at}` and its ReLU binary `s{at}`.
fn name_act(a: &Act, at: &str, set: &mut impl FnMut(Col, String)) {
    if let Some(h) = a.h {
        set(h, format!("h{at}"));
    }
    if let Some(s) = a.sigma {
        set(s, format!("s{at}"));
    }
}

/// A grid value in a name: `p2` for +2, `m1` for −1.
fn value_name(v: i32) -> String {
    if v < 0 {
        format!("m{}", -v)
    } else {
        format!("p{v}")
    }
}

#[cfg(test)]
mod tests {
    use crate::{DenseFormulation, FormulationSettings, Loss, Rule};
    use mipnet_data::{Bundled, Standardizer};
    use std::collections::HashSet;

    /// Iris's first `n` samples per class, standardized.
    fn small_iris(n: usize) -> (mipnet_data::Dataset, Standardizer) {
        let data = Bundled::from_name("iris")
            .unwrap()
            .load()
            .balanced_subset(n, 0)
            .unwrap();
        let st = Standardizer::fit(&data);
        (data.standardized(&st), st)
    }

    /// No `x…` fallback name, no two columns with one name, no spaces, and
    /// the model's names are these after `name_columns`.
    fn assert_named_uniquely(f: &mut DenseFormulation, what: &str) {
        let names = f.column_names();
        assert_eq!(names.len(), f.model.num_cols());
        let unnamed: Vec<&String> = names
            .iter()
            .filter(|n| n.strip_prefix('x').is_some_and(|i| i.parse::<usize>().is_ok()))
            .collect();
        assert!(unnamed.is_empty(), "{unnamed:?} for {what}");
        let distinct: HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "duplicate names for {what}");
        assert!(names.iter().all(|n| !n.contains(char::is_whitespace)));
        f.name_columns();
        assert_eq!(f.model.col_names().unwrap(), names.as_slice());
    }

    /// Every rule with columns of its own (monotone, fixed decision, class
    /// recall, several at once) gets them named, none shared.
    #[test]
    fn rule_columns_are_named_uniquely() {
        let (data, st) = small_iris(3);
        let feature = |i: usize| data.feature_names[i].clone();
        let class = |k: usize| data.class_names[k].clone();
        let point: std::collections::BTreeMap<String, f64> = (0..data.feature_names.len())
            .map(|i| (feature(i), 1.0 + i as f64))
            .collect();
        let monotone = |i: usize, k: usize| Rule::Monotone {
            feature: feature(i),
            class: class(k),
            direction: crate::rules::Direction::Increasing,
        };
        let fixed = |k: usize| Rule::FixedDecision {
            point: point.clone(),
            class: class(k),
            margin: None,
        };
        let recall = |k: usize| Rule::ClassRecall {
            class: class(k),
            min_recall: Some(0.5),
            max_errors: None,
            margin: None,
        };
        let rule_sets = vec![
            vec![monotone(0, 0)],
            vec![fixed(1)],
            vec![recall(2)],
            vec![monotone(0, 0), monotone(2, 1), fixed(0), fixed(2), recall(0), recall(1)],
        ];
        for rules in rule_sets {
            let s = FormulationSettings {
                hidden: vec![2],
                rules,
                ..FormulationSettings::default()
            };
            let mut f = DenseFormulation::build_with_standardizer(&data, &s, &st, None).unwrap();
            let names = f.column_names();
            assert!(names.iter().any(|n| n.starts_with("rule1_")), "{:?}", s.rules);
            assert_named_uniquely(&mut f, &format!("{:?}", s.rules));
        }
    }

    /// Every column is named by its part (no `x…` fallback), and no two
    /// columns share a name, whatever parts the settings switch on.
    #[test]
    fn every_column_has_its_own_meaningful_name() {
        let (data, st) = small_iris(4);
        let mut variants = Vec::new();
        let base = FormulationSettings {
            hidden: vec![3, 2],
            ..FormulationSettings::default()
        };
        variants.push(base.clone());
        variants.push(FormulationSettings {
            l0: 0.01,
            l2: 0.01,
            prune_neurons: true,
            prune_layers: true,
            hidden: vec![3, 3],
            grid_levels: 2,
            ..base.clone()
        });
        variants.push(FormulationSettings {
            loss: Loss::L1,
            ..base.clone()
        });
        variants.push(FormulationSettings {
            loss: Loss::Misclassification,
            hidden: vec![3],
            rules: vec![
                Rule::FeatureBudget { max_features: 2 },
                Rule::NeuronLimit { max_neurons: 2 },
            ],
            ..base.clone()
        });
        for s in variants {
            let mut f = DenseFormulation::build_with_standardizer(&data, &s, &st, None).unwrap();
            assert_named_uniquely(&mut f, &format!("{s:?}"));
        }
    }

    /// Convolutions with ℓ0, ℓ2 and neuron pruning, under max and average
    /// pooling: every column named, none shared.
    #[test]
    fn convolutions_with_every_regularizer_and_pooling_are_named_uniquely() {
        let data = Bundled::from_name("digits")
            .unwrap()
            .load()
            .balanced_subset(1, 0)
            .unwrap();
        let st = Standardizer::fit_global(&data);
        let data = data.standardized(&st);
        for arch in [
            "conv 2x3x3 stride 2 > avgpool 2 > dense 10",
            "conv 2x3x3 stride 2 > maxpool 2 > dense 3 > dense 10",
            "conv 2x3x3 stride 2 > dense 10",
        ] {
            let (conv, hidden, _) = mipnet_network::parse_architecture(arch).unwrap();
            let s = FormulationSettings {
                conv,
                hidden,
                l0: 0.01,
                l2: 0.01,
                prune_neurons: true,
                ..FormulationSettings::default()
            };
            let mut f = DenseFormulation::build_with_standardizer(&data, &s, &st, None).unwrap();
            let names = f.column_names();
            for stem in ["F_1", "FA_1", "FZ_1", "FR_1"] {
                assert!(names.iter().any(|n| n == stem), "no column {stem} for {arch}");
            }
            assert_named_uniquely(&mut f, arch);
        }
    }

    /// A convolution with max pooling: filters, pooled values and their
    /// selection binaries are named too.
    #[test]
    fn a_convolution_s_columns_are_named() {
        let data = Bundled::from_name("digits")
            .unwrap()
            .load()
            .balanced_subset(1, 0)
            .unwrap();
        let st = Standardizer::fit_global(&data);
        let data = data.standardized(&st);
        let (conv, hidden, _) =
            mipnet_network::parse_architecture("conv 2x3x3 stride 2 > maxpool 2 > dense 10").unwrap();
        let s = FormulationSettings {
            conv,
            hidden,
            ..FormulationSettings::default()
        };
        let f = DenseFormulation::build_with_standardizer(&data, &s, &st, None).unwrap();
        let names = f.column_names();
        let fallback = |n: &&String| n.strip_prefix('x').is_some_and(|i| i.parse::<usize>().is_ok());
        assert_eq!(names.iter().filter(fallback).count(), 0);
        assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
        for stem in ["F_1", "FA_1", "g_1_1", "gsel_1_1_1"] {
            assert!(names.iter().any(|n| n == stem), "no column {stem}");
        }
    }

    #[test]
    fn names_say_which_variable_a_column_is() {
        let (data, st) = small_iris(2);
        let s = FormulationSettings {
            hidden: vec![2],
            ..FormulationSettings::default()
        };
        let f = DenseFormulation::build_with_standardizer(&data, &s, &st, None).unwrap();
        let names = f.column_names();
        let lay = f.layout();
        assert_eq!(names[lay.layer_one()[lay.layer_one_index(1, 3)].w.index()], "W1_2_4");
        assert_eq!(names[lay.bias(1, 2).index()], "b2_3");
        assert_eq!(names[lay.grid(1, 2, 0)[0].index()], "u2_3_1_m1");
        assert_eq!(names[lay.loss_of_sample(5)[0].index()], "xi_6");
        if let Some(h) = lay.act(0, 3, 1).h {
            assert_eq!(names[h.index()], "h1_4_2");
        }
    }
}
