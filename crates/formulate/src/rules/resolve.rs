//! Rules against the data and the architecture: refused with a message
//! naming the rule when they do not fit, and resolved into column indices
//! and counts the rows are built from.

use super::*;

pub(crate) fn rule_error(i: usize, rule: &Rule, reason: impl std::fmt::Display) -> SettingError {
    SettingError {
        name: "rules",
        reason: format!("rule {} ({}): {reason}", i + 1, rule.kind()),
    }
}

/// Refuses rules whose values or architecture do not fit (part of
/// [`FormulationSettings::validate`]).
pub(crate) fn check_rules_settings(s: &FormulationSettings) -> Result<(), SettingError> {
    for (i, rule) in s.rules.iter().enumerate() {
        rule.check_values()
            .and_then(|_| rule.check_architecture(s))
            .map_err(|e| rule_error(i, rule, e))?;
    }
    Ok(())
}

/// Refuses rules that do not fit `data`: an unknown feature or class
/// (the error lists the known ones), a point that misses a feature or
/// names an unknown one, a class without training samples, and every
/// value check of the rule itself (max_features or max_neurons < 1, a
/// recall outside [0, 1], a margin ≤ 0). `data` is the training data, raw
/// or standardized (the names are the same).
pub fn check_rules(rules: &[Rule], data: &Dataset) -> Result<(), SettingError> {
    for (i, rule) in rules.iter().enumerate() {
        rule.check_values().map_err(|e| rule_error(i, rule, e))?;
        resolve_one(rule, data, None, 1.0).map_err(|e| rule_error(i, rule, e))?;
    }
    Ok(())
}

/// [`check_rules`] for a run whose fairness rules may keep their group
/// columns out of the network's inputs: each fairness rule is checked
/// against `raw` (its group column is read there), every other rule
/// against `inputs` (the data the network reads, group columns kept out
/// dropped), so a fixed decision names exactly the network's features.
/// Numbered as in `rules`.
pub fn check_rules_on_inputs(rules: &[Rule], raw: &Dataset, inputs: &Dataset) -> Result<(), SettingError> {
    for (i, rule) in rules.iter().enumerate() {
        let data = if matches!(rule, Rule::Fairness { .. }) {
            raw
        } else {
            inputs
        };
        rule.check_values().map_err(|e| rule_error(i, rule, e))?;
        resolve_one(rule, data, None, 1.0).map_err(|e| rule_error(i, rule, e))?;
    }
    Ok(())
}

/// A rule with its names resolved into indices against the training data.
#[derive(Clone, Debug)]
pub(crate) enum Resolved {
    FeatureBudget {
        max: usize,
    },
    NeuronLimit {
        max: usize,
    },
    ClassRecall {
        class: usize,
        max_missed: usize,
        margin: f64,
    },
    FixedDecision(ResolvedPoint),
    Fairness(ResolvedFairness),
    /// Checked against the data only: a formulation refuses it.
    Region,
    Monotone {
        feature: usize,
        class: usize,
        increasing: bool,
    },
}

/// How far r·n_c computed in f64 may lie above the true product: r has a
/// relative error of 1e-16 and n_c < 1e7, so 1e-6 is far more than
/// rounding and far less than one sample; without it ⌈0.7·10⌉ would be 8.
pub(super) const RECALL_ROUNDING: f64 = 1e-6;

pub(super) fn feature_index(data: &Dataset, name: &str) -> Result<usize, String> {
    data.feature_names.iter().position(|f| f == name).ok_or_else(|| {
        format!(
            "unknown feature \"{name}\" (features: {})",
            data.feature_names.join(", ")
        )
    })
}

pub(super) fn class_index(data: &Dataset, name: &str) -> Result<usize, String> {
    data.class_names
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| format!("unknown class \"{name}\" (classes: {})", data.class_names.join(", ")))
}

/// Resolves one rule against `data`; fixed-decision points are
/// standardized with `standardizer` when given (else kept as given).
pub(crate) fn resolve_one(
    rule: &Rule,
    data: &Dataset,
    standardizer: Option<&Standardizer>,
    default_margin: f64,
) -> Result<Resolved, String> {
    Ok(match rule {
        Rule::FeatureBudget { max_features } => Resolved::FeatureBudget { max: *max_features },
        Rule::NeuronLimit { max_neurons } => Resolved::NeuronLimit { max: *max_neurons },
        Rule::ClassRecall {
            class,
            min_recall,
            max_errors,
            margin,
        } => {
            let c = class_index(data, class)?;
            let n_c = data.labels().iter().filter(|&&y| y == c).count();
            if n_c == 0 {
                return Err(format!("class \"{class}\" has no training samples"));
            }
            let max_missed = match (min_recall, max_errors) {
                (Some(r), _) => {
                    let correct = ((r * n_c as f64) - RECALL_ROUNDING).ceil().max(0.0) as usize;
                    n_c - correct.min(n_c)
                }
                (_, Some(e)) => *e,
                _ => unreachable!("checked: exactly one of min_recall and max_errors"),
            };
            Resolved::ClassRecall {
                class: c,
                max_missed,
                margin: margin.unwrap_or(default_margin),
            }
        }
        Rule::FixedDecision { point, class, margin } => {
            let c = class_index(data, class)?;
            if let Some(k) = point.keys().find(|k| !data.feature_names.contains(k)) {
                feature_index(data, k)?;
            }
            let missing: Vec<&str> = data
                .feature_names
                .iter()
                .filter(|f| !point.contains_key(*f))
                .map(|f| f.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(format!("the point misses features {}", missing.join(", ")));
            }
            let raw: Vec<f64> = data.feature_names.iter().map(|f| point[f]).collect();
            let x = standardizer.map_or_else(|| raw.clone(), |s| s.apply(&raw));
            Resolved::FixedDecision(ResolvedPoint {
                raw,
                x,
                class: c,
                margin: margin.unwrap_or(default_margin),
            })
        }
        Rule::Monotone {
            feature,
            class,
            direction,
        } => Resolved::Monotone {
            feature: feature_index(data, feature)?,
            class: class_index(data, class)?,
            increasing: *direction == Direction::Increasing,
        },
        Rule::Region {
            lower, upper, class, ..
        } => {
            class_index(data, class)?;
            for (side, map) in [("lower", lower), ("upper", upper)] {
                if let Some(k) = map.keys().find(|k| !data.feature_names.contains(k)) {
                    feature_index(data, k)?;
                }
                let missing: Vec<&str> = data
                    .feature_names
                    .iter()
                    .filter(|f| !map.contains_key(*f))
                    .map(|f| f.as_str())
                    .collect();
                if !missing.is_empty() {
                    return Err(format!("the box's {side} ends miss features {}", missing.join(", ")));
                }
            }
            Resolved::Region
        }
        Rule::Fairness {
            group,
            threshold,
            measure,
            positive_class,
            max_gap,
            margin,
            members,
            ..
        } => {
            let positive = match (measure, positive_class) {
                (FairnessMeasure::PositiveRate, Some(c)) => Some(class_index(data, c)?),
                _ => None,
            };
            let members = match members {
                Some(m) if m.of_sample.len() != data.len() => {
                    return Err(format!(
                        "the groups were read from {} samples, the data has {}",
                        m.of_sample.len(),
                        data.len()
                    ))
                }
                Some(m) => m.clone(),
                None => group_members(group, *threshold, data)?,
            };
            Resolved::Fairness(ResolvedFairness {
                members,
                positive,
                max_gap: *max_gap,
                margin: margin.unwrap_or(default_margin),
            })
        }
    })
}

/// Every rule of `s` resolved against the (standardized) training data.
/// Fixed decisions need the standardizer of the data.
pub(crate) fn resolve(
    s: &FormulationSettings,
    data: &Dataset,
    standardizer: Option<&Standardizer>,
) -> Result<Vec<Resolved>, SettingError> {
    super::check_class_weights(&s.class_weights, data)?;
    let mut out = Vec::with_capacity(s.rules.len());
    for (i, rule) in s.rules.iter().enumerate() {
        if matches!(rule, Rule::FixedDecision { .. }) && standardizer.is_none() {
            return Err(rule_error(
                i,
                rule,
                "a fixed decision's point is standardized with the data's standardizer: build with DenseFormulation::build_with_standardizer",
            ));
        }
        if matches!(rule, Rule::Region { .. }) {
            return Err(rule_error(
                i,
                rule,
                "a region rule is not rows of the MILP: the trainer's counterexample loop enforces it (mipnet_train::train_verified)",
            ));
        }
        if let Rule::Fairness {
            group,
            members,
            group_is_feature,
            ..
        } = rule
        {
            if members.is_none() {
                return Err(rule_error(
                    i,
                    rule,
                    "the groups are read from the raw training data: give them (members, as mipnet-train does)",
                ));
            }
            if !group_is_feature && data.feature_names.contains(group) {
                return Err(rule_error(
                    i,
                    rule,
                    format!("the group column \"{group}\" is not an input (group_is_feature = false) but the data still has it: drop it from the data first"),
                ));
            }
        }
        let r = resolve_one(rule, data, standardizer, s.margin).map_err(|e| rule_error(i, rule, e))?;
        let margin = match &r {
            Resolved::ClassRecall { margin, .. } => Some(*margin),
            Resolved::FixedDecision(p) => Some(p.margin),
            Resolved::Fairness(f) => Some(f.margin),
            _ => None,
        };
        if let Some(m) = margin.filter(|m| m.is_nan() || *m <= 0.0) {
            return Err(rule_error(
                i,
                rule,
                format!("the margin must be positive (the formulation's margin is {m}): give the rule a margin"),
            ));
        }
        out.push(r);
    }
    Ok(out)
}
