//! The gradient starts' feature budget, and rules that cannot all hold.
//!
//! A `feature_budget` rule sets the gradient trainer's `max_features` (the
//! smallest m of the rules, unless the settings give one already), so each
//! gradient start and fine-tune already reads at most m inputs
//! (`mipnet_gradient::train`) instead of reading all of them and being cut
//! down by the repair.
//!
//! When the full MIP proves the model with
//! the rules infeasible (no network keeps them all), the run names the
//! rules involved: the MILP is solved again with each rule alone, a short
//! budget each, for a feasible network only. A rule infeasible on its own
//! is named as such; when every rule holds alone, it is the combination.

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::run::Run;
use crate::settings::TrainSettingError;
use mipnet_formulate::{DenseFormulation, Rule};
use mipnet_solver::{NoObserver, SolveRequest, Status};
use serde::Serialize;

/// Seconds the solver gets for each rule alone: feasibility only, and a
/// rule that cannot hold alone is usually refuted by presolve or the root
/// LP; a rule not decided in this time is said to be unknown.
pub const RULE_ALONE_SECONDS: f64 = 10.0;

/// The relative gap that stops a solve at its first feasible network: the
/// training objective is nonnegative, so the dual bound is ≥ 0 and the gap
/// (objective − bound) / objective never exceeds 1.
const FIRST_SOLUTION_GAP: f64 = 1.0;

/// What the MILP with one rule alone said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alone {
    /// A network keeps this rule.
    Holds,
    /// Proven: no network keeps this rule, even alone.
    CannotHold,
    /// Not decided in [`RULE_ALONE_SECONDS`].
    Unknown,
}

/// The error of a run whose rules cannot all hold, naming the rules
/// involved (each tried alone).
pub(crate) fn cannot_all_hold(run: &Run, obs: &mut dyn TrainObserver) -> TrainError {
    let rules = &run.settings.formulation.rules;
    let mut alone = Vec::with_capacity(rules.len());
    for (i, rule) in rules.iter().enumerate() {
        obs.stage(&format!(
            "the rules cannot all hold; trying rule {} ({}) alone",
            i + 1,
            rule.describe()
        ));
        let verdict = match try_alone(run, rule) {
            Ok(v) => v,
            Err(e) => return e,
        };
        alone.push((format!("rule {} ({})", i + 1, rule.describe()), verdict));
    }
    TrainError::RulesInfeasible(in_words(&alone))
}

/// The message: which rules cannot hold alone, or that each holds alone
/// (each rule named `rule N (its description)`).
fn in_words(alone: &[(String, Alone)]) -> String {
    let named = |which: Alone| -> Vec<String> {
        alone
            .iter()
            .filter(|(_, v)| *v == which)
            .map(|(d, _)| d.clone())
            .collect()
    };
    let (cannot, unknown) = (named(Alone::CannotHold), named(Alone::Unknown));
    let mut text = String::from("the rules cannot all hold (the full MIP proved the model infeasible)");
    if !cannot.is_empty() {
        text += &format!("; cannot hold even alone: {}", cannot.join(", "));
    } else if unknown.is_empty() {
        text += &format!(
            "; each holds alone, so it is their combination: {}",
            named(Alone::Holds).join(", ")
        );
    }
    if !unknown.is_empty() {
        text += &format!("; not decided alone in {RULE_ALONE_SECONDS} s: {}", unknown.join(", "));
    }
    text
}

/// Solves the run's MILP with `rule` as its only rule, for a first
/// feasible network.
fn try_alone(run: &Run, rule: &Rule) -> Result<Alone, TrainError> {
    let mut settings = run.settings.formulation.clone();
    settings.rules = vec![rule.clone()];
    let f = DenseFormulation::build_with_standardizer(&run.train, &settings, &run.standardizer, None)
        .map_err(TrainSettingError::from)?;
    let mut options = run.settings.solver.options(RULE_ALONE_SECONDS);
    options.log = false;
    options.relative_gap = Some(FIRST_SOLUTION_GAP);
    let mut req = SolveRequest::new(&f.model, &options);
    if let Some(flag) = run.interrupt {
        req = req.interrupt(flag);
    }
    let r = run.solver.solve(req, &mut NoObserver)?;
    Ok(match (r.status, r.solution.is_some()) {
        (_, true) => Alone::Holds,
        (Status::Infeasible, false) => Alone::CannotHold,
        _ => Alone::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::{in_words, Alone};

    #[test]
    fn the_message_names_the_rules_that_cannot_hold_alone_or_the_combination() {
        let a = [
            ("rule 1 (reads at most 1 input features)".to_string(), Alone::Holds),
            ("rule 2 (class \"b\" at (x = 1))".to_string(), Alone::CannotHold),
        ];
        let text = in_words(&a);
        assert!(
            text.contains("cannot hold even alone: rule 2 (class \"b\" at (x = 1))"),
            "{text}"
        );
        assert!(!text.contains("reads at most"), "{text}");
        let both = [
            ("rule 1 (x)".to_string(), Alone::Holds),
            ("rule 2 (y)".to_string(), Alone::Holds),
        ];
        assert!(in_words(&both).contains("their combination: rule 1 (x), rule 2 (y)"));
        let unsure = [
            ("rule 1 (x)".to_string(), Alone::Holds),
            ("rule 2 (y)".to_string(), Alone::Unknown),
        ];
        let text = in_words(&unsure);
        assert!(!text.contains("combination"), "{text}");
        assert!(text.contains("not decided alone in 10 s: rule 2 (y)"), "{text}");
    }
}
