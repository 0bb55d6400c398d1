//! Rules: domain and logic constraints that the returned network satisfies
//! by construction (they are rows of the MILP) and that the certificate
//! checks on it in f64. A rule names features and classes as the dataset
//! does (`feature_names`, `class_names`); [`check_rules`] refuses a rule
//! that does not fit the data, [`FormulationSettings::validate`] one that
//! does not fit the architecture. One file per kind of rule, each with its
//! rows, how a network gives its columns' values, and its check.
//!
//! # The rows of each rule
//!
//! Notation as in the crate docs: layer-1 weights W_{ji} ∈ [−ω, ω], grid
//! weights v_{kj} = s·Σ_v v·u_{kjv} (P levels), outputs o_{nk}.
//!
//! **Feature budget** (at most m input features): a binary f_i per input
//! column, −ω·f_i ≤ W_{ji} ≤ ω·f_i for every hidden neuron j, and
//! Σ_i f_i ≤ m. A network reads feature i iff some W_{ji} ≠ 0, so this is
//! exact. Dense layer 1 only (a convolution's filters read every input).
//!
//! **Neuron limit** (at most k hidden units kept): Σ q_j ≤ k over the
//! neuron indicators of every hidden layer (a convolution's filters count
//! as units). The rule turns neuron pruning on (a pruned unit has every
//! weight in and out and its bias 0).
//!
//! **Class recall** (class c: recall ≥ r on the training data, or at most
//! E misclassified samples of c): for each training sample n of class c a
//! binary e_n with o_{n,c} − o_{nk} + M_n·e_n ≥ μ for every k ≠ c
//! (M_n = 2·U_n + μ, U_n the output bound of sample n, μ the rule's
//! margin), and Σ_n e_n ≤ E, where E = n_c − ⌈r·n_c⌉ for a recall
//! (n_c samples of class c). A sample with e_n = 0 is classified as c with
//! margin μ > 0, so its recall counts it; exactly the misclassification
//! loss's rows, for that class's samples only.
//!
//! **Fixed decision** (point x, class c, margin μ): the point gets its own
//! activations like a training sample: for each hidden neuron an
//! activation h and a ReLU binary σ with h ≥ a, h ≥ 0, h ≤ a − L(1 − σ),
//! h ≤ U·σ (U = ω(Σ_i |x_i| + 1) in layer 1, U = s·P·Σ_j U_j⁺ + ω after,
//! L = −U), exact products with the grid binaries in layers ≥ 2, and the
//! hard rows o_c − o_k ≥ μ for every k ≠ c. The point is given in the
//! data's own units and standardized with the training standardizer.
//! Dense layers without layer pruning.
//!
//! **Monotone** (class c, feature i, increasing or decreasing): for one
//! hidden layer, o_c − o_l = Σ_j d_{jl}·ReLU(W_j·x + b_j) + b_c − b_l with
//! d_{jl} = v_{cj} − v_{lj}, so the margin of c over every l is
//! non-decreasing in x_i for every input when d_{jl}·W_{ji} ≥ 0 for all
//! j and l ≠ c (non-increasing: ≤ 0). This sign condition on every path
//! is what mipnet enforces; it implies monotonicity, and a monotone
//! network that fails it (units cancelling each other) is excluded.
//! The product is bilinear; it is exact with two binaries per hidden
//! neuron j, p⁺_j ("W_{ji} may be positive") and p⁻_j ("may be
//! negative"):
//!   W_{ji} ≤ ω·p⁺_j,  W_{ji} ≥ −ω·p⁻_j,  p⁺_j + p⁻_j ≤ 1,
//! and for every l ≠ c, with D = 2·s·P ≥ |d_{jl}| (d is linear in the
//! grid binaries, d = s·Σ_v v·(u_{cjv} − u_{ljv})):
//!   increasing: d_{jl} ≥ −D·(1 − p⁺_j),  d_{jl} ≤ D·(1 − p⁻_j);
//!   decreasing: d_{jl} ≤ D·(1 − p⁺_j),  d_{jl} ≥ −D·(1 − p⁻_j).
//! W > 0 forces p⁺ = 1 and every d to the demanded sign, W < 0 likewise
//! through p⁻, and W = 0 leaves p⁺ = p⁻ = 0 possible, demanding nothing:
//! the feasible set is exactly {d·W ≥ 0} (≤ 0). The data's
//! standardization divides by a positive scale, so the direction holds in
//! the data's own units. Exactly one dense hidden layer: for deeper
//! networks the sign of a path is a product over layers, and mipnet
//! refuses the rule rather than enforce a condition it has not derived.
//!
//! **Fairness** (groups g of the training data from a column, split at a
//! threshold or one per value; δ ∈ [0, 1]; any number K ≥ 2 of classes):
//! a binary e_n for every training sample, c_n its true class (error
//! rate) or the named positive class p (positive-prediction rate).
//! "Counted" means c_n beats every other class by μ (correct, or
//! predicted p, at the margin — the class-recall rule's meaning), and
//! e_n = 1 means "not counted":
//!   e_n = 0 ⇒ o_{n,c} − o_{nk} ≥ μ for every k ≠ c:
//!     o_{n,c} − o_{nk} + M_n·e_n ≥ μ                       (A)
//!   e_n = 1 ⇒ o_{n,c} − o_{nk} ≤ μ − β for some k ≠ c: binaries z_{nk}
//!   (k ≠ c) with Σ_k z_{nk} = e_n and
//!     o_{n,c} − o_{nk} + M'_n·z_{nk} ≤ μ − β + M'_n          (B)
//! (M_n = 2U_n + μ, M'_n = 2U_n + |μ| + β, β = 1e-4 the band that keeps
//! the forward pass's count equal to the MILP's). With two classes there
//! is one k and z_{nk} = e_n (no extra binaries: the rows are the ones
//! used before more classes were allowed). Which directions are needed:
//! with E_g = Σ_{n∈g} e_n and n_g the group's size, the rates differ by
//! at most δ for every ordered pair (g, h):
//!   n_h·E_g − n_g·E_h ≤ ⌊δ·n_g·n_h⌋
//! so each E_g has a positive coefficient in the rows (g, ·) and a
//! negative one in the rows (·, g): it is bounded from above and from
//! below, and the MILP could lower it by an e_n = 0 it cannot have (A
//! forbids) or raise it by an e_n = 1 it cannot have (B forbids). Both
//! directions are written, for every sample, and together they make e_n
//! exactly "not counted" for every network with no lead in the band. (A
//! one-sided count, the class-recall rule's Σ e_n ≤ E, needs (A) only.)
//! (integer coefficients, so the certificate compares the same integers;
//! ⌊δ·n_g·n_h⌋ exact for δ as written, [`allowed_gap_count`]).
//! The rates are counted at the margin μ, not by predict's argmax: a
//! sample its class wins by less than μ counts as an error. The check
//! records the argmax rates and their gap beside, and warns when the rule
//! holds but the argmax gap exceeds δ. A lead in (μ − β, μ) is neither
//! counted nor missed by the MILP: its networks are excluded, so "the
//! rules cannot all hold" (exit 6) and optimality are over networks with
//! no training sample's lead in that band.
//! The group column may be kept out of the features: the trainer reads
//! the groups from the raw data, then drops the column from the data the
//! network reads (train and test).

mod class_recall;
mod class_weights;
mod fairness;
mod feature_budget;
mod fixed_decision;
mod monotone;
mod neuron_limit;
mod repair;
mod resolve;

pub use class_weights::check_class_weights;
pub use fairness::{
    allowed_gap_count, group_members, FairnessMeasure, GroupMembers, ARGMAX_GAP_WARNING, DECISION_BAND,
};
pub use resolve::{check_rules, check_rules_on_inputs};
pub(crate) use resolve::{check_rules_settings, resolve, resolve_one, rule_error, Resolved};

use crate::formulation::margin_rows;
use crate::formulation::DenseFormulation;
use crate::layout::RuleCols;
use crate::settings::{FormulationSettings, SettingError};
use crate::tolerances::BINARY_THRESHOLD;
use mipnet_data::{Dataset, Standardizer};
use mipnet_milp::{Col, Model};
use mipnet_network::Network;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) use fairness::ResolvedFairness;
pub(crate) use fixed_decision::ResolvedPoint;

/// Which way a monotone rule goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The class's margin over every other class never falls as the
    /// feature grows.
    Increasing,
    /// The class's margin over every other class never rises as the
    /// feature grows.
    Decreasing,
}

/// One rule the trained network must satisfy (a `[[rules]]` entry of a
/// run's configuration, tagged by `kind`). Features and classes are named
/// as in the dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// At most `max_features` input features are read (a feature is read
    /// when a layer-1 weight from it is nonzero). At least 1.
    FeatureBudget { max_features: usize },
    /// At most `max_neurons` hidden units are kept (over every hidden
    /// layer). Turns neuron pruning on. At least 1.
    NeuronLimit { max_neurons: usize },
    /// The class's recall on the training data is at least `min_recall`
    /// (in [0, 1]), or at most `max_errors` of its samples are
    /// misclassified (exactly one of the two). A sample counts as
    /// correct when its class's score beats every other by `margin`
    /// (default: the formulation's margin; must be > 0).
    ClassRecall {
        class: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_recall: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_errors: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        margin: Option<f64>,
    },
    /// The input `point` (every feature by name, in the data's own units)
    /// gets `class`, its score beating every other by `margin` (default:
    /// the formulation's margin; must be > 0).
    FixedDecision {
        point: BTreeMap<String, f64>,
        class: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        margin: Option<f64>,
    },
    /// The margin of `class` over every other class is monotone in
    /// `feature` for every input (one hidden layer; see the module docs
    /// for the condition enforced).
    Monotone {
        feature: String,
        class: String,
        direction: Direction,
    },
    /// The groups of the training data given by column `group` (split at
    /// `threshold`: value ≤ t and > t; without one, a group per distinct
    /// value) have error rates (or, with `measure = "positive_rate"`,
    /// rates of predicting `positive_class`) that differ by at most
    /// `max_gap` (δ in [0, 1]). Any number of classes. A sample counts as
    /// correct (positive) when its true class's (`positive_class`'s)
    /// score beats every other class's by `margin`
    /// (default: the formulation's margin). `group_is_feature = false`
    /// keeps the column out of the network's inputs (the trainer drops
    /// it; default true: the column stays a feature).
    Fairness {
        group: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        threshold: Option<f64>,
        #[serde(default)]
        measure: FairnessMeasure,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        positive_class: Option<String>,
        max_gap: f64,
        #[serde(default = "feature_by_default")]
        group_is_feature: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        margin: Option<f64>,
        /// The groups read from the raw training data, given by the
        /// trainer (the formulation sees standardized data, possibly
        /// without the column); never written.
        #[serde(skip)]
        members: Option<GroupMembers>,
    },
    /// Every input in the box `lower`..`upper` (every feature by name, in
    /// the data's own units) gets `class`, its score beating every other
    /// by `margin` (default: the formulation's margin; must be > 0). Not
    /// rows of the MILP (that is a bilevel problem): the trainer's
    /// counterexample loop enforces it and the verifier proves it
    /// (`mipnet_train::train_verified`); a formulation refuses it.
    Region {
        lower: BTreeMap<String, f64>,
        upper: BTreeMap<String, f64>,
        class: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        margin: Option<f64>,
    },
}

fn feature_by_default() -> bool {
    true
}

impl Rule {
    /// The rule's kind, as written in a configuration.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::FeatureBudget { .. } => "feature_budget",
            Rule::NeuronLimit { .. } => "neuron_limit",
            Rule::ClassRecall { .. } => "class_recall",
            Rule::FixedDecision { .. } => "fixed_decision",
            Rule::Monotone { .. } => "monotone",
            Rule::Fairness { .. } => "fairness",
            Rule::Region { .. } => "region",
        }
    }

    /// The rule in words, for reports and `show`.
    pub fn describe(&self) -> String {
        match self {
            Rule::FeatureBudget { max_features } => format!("reads at most {max_features} input features"),
            Rule::NeuronLimit { max_neurons } => format!("keeps at most {max_neurons} hidden units"),
            Rule::ClassRecall {
                class,
                min_recall,
                max_errors,
                ..
            } => match (min_recall, max_errors) {
                (Some(r), _) => format!("recall of class \"{class}\" at least {r} on the training data"),
                (_, Some(e)) => format!("at most {e} training samples of class \"{class}\" misclassified"),
                _ => format!("recall of class \"{class}\""),
            },
            Rule::FixedDecision { point, class, .. } => {
                let at: Vec<String> = point.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("class \"{class}\" at ({})", at.join(", "))
            }
            Rule::Monotone {
                feature,
                class,
                direction,
            } => format!(
                "margin of class \"{class}\" {} in \"{feature}\"",
                match direction {
                    Direction::Increasing => "non-decreasing",
                    Direction::Decreasing => "non-increasing",
                }
            ),
            Rule::Fairness {
                group,
                threshold,
                positive_class,
                max_gap,
                group_is_feature,
                margin,
                ..
            } => format!(
                "{} of the groups of \"{group}\"{} at {} differ by at most {max_gap} on the training data{}",
                match positive_class {
                    Some(c) => format!("rates of predicting \"{c}\""),
                    None => "error rates".into(),
                },
                threshold.map_or(String::new(), |t| format!(" (≤ {t}, > {t})")),
                margin.map_or("the formulation's margin".to_string(), |m| format!("margin {m}")),
                if *group_is_feature {
                    ""
                } else {
                    " (the group column is not an input)"
                }
            ),
            Rule::Region {
                lower, upper, class, ..
            } => {
                let sides: Vec<String> = lower
                    .iter()
                    .map(|(k, lo)| format!("{k} ∈ [{lo}, {}]", upper.get(k).map_or(f64::NAN, |v| *v)))
                    .collect();
                format!("class \"{class}\" on the box {}", sides.join(", "))
            }
        }
    }

    /// Checks what needs neither data nor architecture: counts ≥ 1, a
    /// recall in [0, 1], margins positive and finite.
    fn check_values(&self) -> Result<(), String> {
        let margin_ok = |m: &Option<f64>| match m {
            Some(m) if !(m.is_finite() && *m > 0.0) => Err(format!("margin must be a positive number, got {m}")),
            _ => Ok(()),
        };
        match self {
            Rule::FeatureBudget { max_features: 0 } => Err("max_features must be at least 1, got 0".into()),
            Rule::NeuronLimit { max_neurons: 0 } => Err("max_neurons must be at least 1, got 0".into()),
            Rule::ClassRecall {
                min_recall,
                max_errors,
                margin,
                ..
            } => {
                match (min_recall, max_errors) {
                    (Some(_), Some(_)) | (None, None) => {
                        return Err("give exactly one of min_recall and max_errors".into())
                    }
                    (Some(r), None) if !(0.0..=1.0).contains(r) => {
                        return Err(format!("min_recall must be within [0, 1], got {r}"))
                    }
                    _ => {}
                }
                margin_ok(margin)
            }
            Rule::FixedDecision { point, margin, .. } => {
                if let Some((k, v)) = point.iter().find(|(_, v)| !v.is_finite()) {
                    return Err(format!("point value of \"{k}\" must be a finite number, got {v}"));
                }
                margin_ok(margin)
            }
            Rule::Region {
                lower, upper, margin, ..
            } => {
                for (side, map) in [("lower", lower), ("upper", upper)] {
                    if let Some((k, v)) = map.iter().find(|(_, v)| !v.is_finite()) {
                        return Err(format!("{side} end of \"{k}\" must be a finite number, got {v}"));
                    }
                }
                if let Some((k, lo)) = lower.iter().find(|(k, lo)| upper.get(*k).is_some_and(|hi| *lo > hi)) {
                    return Err(format!(
                        "the box is empty: lower end of \"{k}\" {lo} is above its upper end {}",
                        upper[k]
                    ));
                }
                margin_ok(margin)
            }
            Rule::Fairness {
                threshold,
                measure,
                positive_class,
                max_gap,
                margin,
                ..
            } => {
                if !(0.0..=1.0).contains(max_gap) {
                    return Err(format!("max_gap (δ) must be within [0, 1], got {max_gap}"));
                }
                if let Some(t) = threshold.filter(|t| !t.is_finite()) {
                    return Err(format!("threshold must be a finite number, got {t}"));
                }
                match (measure, positive_class) {
                    (FairnessMeasure::PositiveRate, None) => {
                        return Err("measure = \"positive_rate\" needs positive_class".into())
                    }
                    (FairnessMeasure::ErrorRate, Some(_)) => {
                        return Err("positive_class goes with measure = \"positive_rate\"".into())
                    }
                    _ => {}
                }
                margin_ok(margin)
            }
            _ => Ok(()),
        }
    }

    /// Checks that the architecture of `s` supports the rule.
    fn check_architecture(&self, s: &FormulationSettings) -> Result<(), String> {
        match self {
            Rule::FeatureBudget { .. } if s.conv.is_some() => {
                Err("a feature budget needs a dense first layer (a convolution reads every input)".into())
            }
            Rule::FixedDecision { .. } if s.conv.is_some() || s.prune_layers => Err(
                "fixed decisions need dense layers without layer pruning (no convolution, prune_layers off)".into(),
            ),
            Rule::Monotone { .. } if s.conv.is_some() || s.hidden.len() != 1 => Err(format!(
                "monotone rules need exactly one dense hidden layer (the path sign condition is derived for one), got hidden {:?}{}",
                s.hidden,
                if s.conv.is_some() { " after a convolution" } else { "" }
            )),
            _ => Ok(()),
        }
    }
}

/// Whether a rule holds for a network, and why (the certificate's list).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleCheck {
    pub rule: Rule,
    pub holds: bool,
    /// What was counted or measured, in words.
    pub detail: String,
}

impl DenseFormulation {
    /// Adds every rule's columns and rows, in the settings' order.
    pub(crate) fn add_rules(&mut self) {
        for rule in self.resolved_rules().to_vec() {
            let cols = match &rule {
                Resolved::FeatureBudget { max } => feature_budget::add(self, *max),
                Resolved::NeuronLimit { max } => neuron_limit::add(self, *max),
                Resolved::ClassRecall {
                    class,
                    max_missed,
                    margin,
                } => class_recall::add(self, *class, *max_missed, *margin),
                Resolved::FixedDecision(p) => fixed_decision::add(self, p),
                Resolved::Monotone {
                    feature,
                    class,
                    increasing,
                } => monotone::add(self, *feature, *class, *increasing),
                Resolved::Fairness(r) => fairness::add(self, r),
                Resolved::Region => unreachable!("a formulation refuses region rules (resolve)"),
            };
            self.model_and_layout().1.push_rule(cols);
        }
    }

    /// Checks every rule of the formulation on `net` in f64, independently
    /// of any solution: budgets and limits by counting, recall and fixed
    /// decisions by the forward pass, monotonicity by the sign conditions
    /// on the weights. The certificate's list; also how a start is judged
    /// before it goes to the solver.
    pub fn rule_checks(&self, net: &Network) -> Vec<RuleCheck> {
        self.settings
            .rules
            .iter()
            .zip(self.resolved_rules())
            .map(|(rule, resolved)| {
                let (holds, detail) = match resolved {
                    Resolved::FeatureBudget { max } => feature_budget::check(net, *max),
                    Resolved::NeuronLimit { max } => neuron_limit::check(net, *max),
                    Resolved::ClassRecall {
                        class,
                        max_missed,
                        margin,
                    } => class_recall::check(net, self.data(), *class, *max_missed, *margin),
                    Resolved::FixedDecision(p) => fixed_decision::check(net, p),
                    Resolved::Monotone {
                        feature,
                        class,
                        increasing,
                    } => monotone::check(net, *feature, *class, *increasing),
                    Resolved::Fairness(r) => fairness::check(net, self.data(), r),
                    Resolved::Region => unreachable!("a formulation refuses region rules (resolve)"),
                };
                RuleCheck {
                    rule: rule.clone(),
                    holds,
                    detail,
                }
            })
            .collect()
    }

    /// The first rule `net` breaks, in words (none when it keeps them all).
    pub fn broken_rule(&self, net: &Network) -> Option<String> {
        self.rule_checks(net)
            .into_iter()
            .find(|c| !c.holds)
            .map(|c| format!("it breaks the rule \"{}\": {}", c.rule.describe(), c.detail))
    }

    /// Sets the rules' columns in `x` for `net`; refuses a network that
    /// breaks a rule (it has no feasible point).
    pub(crate) fn set_rule_values(&self, x: &mut [f64], net: &Network) -> Result<(), String> {
        if let Some(why) = self.broken_rule(net) {
            return Err(why);
        }
        for (cols, resolved) in self.layout().rules().iter().zip(self.resolved_rules()) {
            match (cols, resolved) {
                (RuleCols::FeatureBudget { used }, _) => feature_budget::start(x, used, net),
                (RuleCols::NeuronLimit, _) => {}
                (RuleCols::ClassRecall { missed }, Resolved::ClassRecall { class, margin, .. }) => {
                    class_recall::start(x, missed, net, self.data(), *class, *margin)
                }
                (RuleCols::Fairness { missed, beaten }, Resolved::Fairness(r)) => {
                    fairness::start(x, missed, beaten, net, self.data(), r)?
                }
                (RuleCols::FixedDecision(c), Resolved::FixedDecision(p)) => fixed_decision::start(self, x, c, net, p)?,
                (RuleCols::Monotone { signs }, Resolved::Monotone { feature, .. }) => {
                    monotone::start(x, signs, net, *feature)
                }
                _ => unreachable!("a rule's columns match its kind"),
            }
        }
        Ok(())
    }

    /// The interval a layer-1 weight W_{ji} may take in the solution `x`
    /// by the rules' binaries: 0 when its feature is not read, ≥ 0 or ≤ 0
    /// by a monotone rule's sign binaries. The network read from `x`
    /// clamps W into it, so that a solver's 1e-9 where the binaries mean 0
    /// does not break the rule in the network.
    pub(crate) fn layer_one_range(&self, x: &[f64], j: usize, i: usize) -> (f64, f64) {
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        let off = |c: Col| x[c.index()] <= BINARY_THRESHOLD;
        for (cols, resolved) in self.layout().rules().iter().zip(self.resolved_rules()) {
            match (cols, resolved) {
                (RuleCols::FeatureBudget { used }, _) if off(used[i]) => (lo, hi) = (0.0, 0.0),
                (RuleCols::Monotone { signs }, Resolved::Monotone { feature, .. }) if *feature == i => {
                    let (pos, neg) = signs[j];
                    if off(pos) {
                        hi = hi.min(0.0);
                    }
                    if off(neg) {
                        lo = lo.max(0.0);
                    }
                }
                _ => {}
            }
        }
        (lo, hi)
    }
}

impl DenseFormulation {
    /// The polish LP's rows of the class-recall and fairness rules for
    /// sample `n` (its outputs' expressions `outputs`): a sample whose
    /// miss binary is 0 in `x` must meet the rule's margin; for a fairness
    /// rule, one whose binary is 1 must lead by at most the margin − the
    /// band. (Fixed decisions have no rows in
    /// the polish LP: a polished network that breaks one is refused by
    /// [`DenseFormulation::start_values`].)
    pub(crate) fn add_polish_recall_rows(&self, m: &mut Model, n: usize, outputs: &[Vec<(Col, f64)>], x: &[f64]) {
        for (cols, resolved) in self.layout().rules().iter().zip(self.resolved_rules()) {
            match (cols, resolved) {
                (RuleCols::ClassRecall { missed }, Resolved::ClassRecall { class, margin, .. }) => {
                    let met = missed.iter().any(|&(s, e)| s == n && x[e.index()] <= BINARY_THRESHOLD);
                    if met {
                        margin_rows(m, outputs, *class, *margin, None);
                    }
                }
                (RuleCols::Fairness { missed, beaten }, Resolved::Fairness(r)) => {
                    if let Some(i) = missed.iter().position(|&(s, _)| s == n) {
                        let y = self.data().label(n);
                        let by = fairness::beaten_by(x, r, y, missed[i].1, beaten.get(i));
                        fairness::polish_rows(m, r, y, outputs, by);
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;
