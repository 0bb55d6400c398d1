//! The certificate: a MILP solution compared with the forward pass of the
//! network read from it, on every training sample (hidden activations,
//! pooled values, outputs, each sample's loss, and the objective), and the
//! solution's own feasibility in the model. A network is reported only
//! with a certificate that passed, so a wrong answer is caught here.

use crate::bridge::trace;
use crate::formulation::DenseFormulation;
use crate::rules::RuleCheck;
use crate::settings::Loss;
use crate::tolerances::{Tolerances, CONSTRAINT_VIOLATION_FACTOR};
use mipnet_network::Network;
use serde::Serialize;
use std::fmt;

/// The outcome of comparing a MILP solution with the forward pass of the
/// network read from it, and of checking the formulation's rules on the
/// network.
#[derive(Clone, PartialEq, Serialize)]
pub struct Certificate {
    pub passed: bool,
    /// Largest |h_MILP − h_forward| over samples and hidden neurons.
    pub max_activation_deviation: f64,
    /// Largest |o_MILP − o_forward| over samples and classes.
    pub max_output_deviation: f64,
    /// Largest |loss_MILP − loss_forward| over samples.
    pub max_loss_deviation: f64,
    pub objective_milp: f64,
    pub objective_forward: f64,
    /// Largest violation of a row, bound or integrality by the solution.
    pub max_constraint_violation: f64,
    /// What failed, when something did.
    pub failure: Option<String>,
    /// Each rule of the formulation checked on the network in f64 (empty
    /// without rules; then omitted from the serialized certificate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleCheck>,
}

/// As derived, with `rules` left out when there are none, so a certificate
/// without rules prints as it did before rules existed.
impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Certificate");
        d.field("passed", &self.passed)
            .field("max_activation_deviation", &self.max_activation_deviation)
            .field("max_output_deviation", &self.max_output_deviation)
            .field("max_loss_deviation", &self.max_loss_deviation)
            .field("objective_milp", &self.objective_milp)
            .field("objective_forward", &self.objective_forward)
            .field("max_constraint_violation", &self.max_constraint_violation)
            .field("failure", &self.failure);
        if !self.rules.is_empty() {
            d.field("rules", &self.rules);
        }
        d.finish()
    }
}

impl DenseFormulation {
    /// Compares the solution `x` with the forward pass of `net` (read from
    /// `x` by [`DenseFormulation::network_from`]) on every training sample:
    /// hidden activations, outputs, each sample's loss, and the objective;
    /// then checks every rule on `net` ([`DenseFormulation::rule_checks`]).
    pub fn certify(&self, x: &[f64], net: &Network, tol: &Tolerances) -> Certificate {
        let lay = self.layout();
        let eval = self.model.evaluate(x, tol.value);
        let max_violation = eval
            .max_bound_violation
            .max(eval.max_row_violation)
            .max(eval.max_integrality_violation);
        let mut act_dev = 0.0f64;
        let mut out_dev = 0.0f64;
        let mut loss_dev = 0.0f64;
        let mut failure = None;
        for n in 0..lay.samples() {
            let trace = trace(net, self.data().row(n));
            for l in 0..lay.num_layers() - 1 {
                for (j, a) in lay.acts_of_sample(l, n).iter().enumerate() {
                    let milp = a.h.map_or(0.0, |h| x[h.index()]);
                    let dev = (milp - trace[l].0[j]).abs() / (1.0 + a.upper);
                    act_dev = act_dev.max(dev);
                }
            }
            // Pooled values count as activations.
            for (q, p) in lay.pooled_of_sample(n).iter().enumerate() {
                let milp = p.g.map_or(0.0, |g| x[g.index()]);
                act_dev = act_dev.max((milp - trace[0].1[q]).abs() / (1.0 + p.upper));
            }
            let scores = &trace.last().expect("output").1;
            let bound = self.output_bound(n);
            for (k, &o) in scores.iter().enumerate() {
                let milp: f64 = self.output_terms(n, k).iter().map(|&(c, v)| v * x[c.index()]).sum();
                out_dev = out_dev.max((milp - o).abs() / (1.0 + bound));
            }
            let y = self.data().label(n);
            let cols = lay.loss_of_sample(n);
            let milp_loss = match self.settings.loss {
                Loss::L1 => cols.iter().map(|c| x[c.index()]).sum(),
                _ => x[cols[0].index()],
            };
            let milp_loss = if self.settings.loss == Loss::Misclassification {
                milp_loss.round()
            } else {
                milp_loss
            };
            loss_dev = loss_dev.max((milp_loss - self.sample_loss(y, scores)).abs());
        }
        let objective_milp = self.model.objective_value(x);
        let objective_forward = self.objective_of(net);
        let scale = 1.0 + objective_milp.abs();
        if max_violation > tol.value * CONSTRAINT_VIOLATION_FACTOR {
            failure = Some(format!("the solution violates the model by {max_violation:.3e}"));
        } else if act_dev > tol.value {
            failure = Some(format!("hidden activations differ by {act_dev:.3e}"));
        } else if out_dev > tol.value {
            failure = Some(format!("outputs differ by {out_dev:.3e}"));
        } else if loss_dev > tol.objective {
            failure = Some(format!("a sample's loss differs by {loss_dev:.3e}"));
        } else if (objective_milp - objective_forward).abs() > tol.objective * scale {
            failure = Some(format!(
                "objective {objective_milp} of the MILP, {objective_forward} by the forward pass"
            ));
        }
        let rules = self.rule_checks(net);
        if failure.is_none() {
            failure = rules
                .iter()
                .find(|c| !c.holds)
                .map(|c| format!("the network breaks the rule \"{}\": {}", c.rule.describe(), c.detail));
        }
        Certificate {
            passed: failure.is_none(),
            max_activation_deviation: act_dev,
            max_output_deviation: out_dev,
            max_loss_deviation: loss_dev,
            objective_milp,
            objective_forward,
            max_constraint_violation: max_violation,
            failure,
            rules,
        }
    }

    /// The point to certify for a solver's solution `x` and the network
    /// read from it. A heuristic incumbent may leave slack in its loss
    /// variables (ξ above the hinge; seen on wine, seed 1, 10 s: three
    /// samples 2.8e-3 above), so its network is better than its value. When
    /// the solution's rows, activations and outputs agree with the network
    /// and only the losses (hence the objective) are higher, the network's
    /// own exact point is returned; otherwise `x` itself, for
    /// [`DenseFormulation::certify`] to judge.
    pub fn exact_point(&self, x: &[f64], net: &Network, tol: &Tolerances) -> Vec<f64> {
        let raw = self.certify(x, net, tol);
        let scale = 1.0 + raw.objective_milp.abs();
        let slack_only = !raw.passed
            && raw.max_constraint_violation <= CONSTRAINT_VIOLATION_FACTOR * tol.value
            && raw.max_activation_deviation <= tol.value
            && raw.max_output_deviation <= tol.value
            && raw.objective_forward <= raw.objective_milp + tol.objective * scale;
        match slack_only.then(|| self.start_values(net)) {
            Some(Ok(exact)) => exact,
            _ => x.to_vec(),
        }
    }
}
