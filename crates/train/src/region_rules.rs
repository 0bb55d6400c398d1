//! Region rules (`kind = "region"`: every input of a box gets a class with
//! a margin) by a counterexample-guided loop: train with the other rules
//! and the counterexamples found so far as fixed decisions; ask the
//! verifier (mipnet-verify's property check: falsification, bounds, input
//! splitting, the MILP) whether any input of the box gives another class
//! a lead over the rule's class below the margin; a witness becomes one
//! more fixed decision and the run trains again, until every region is
//! proven (the verifier's `unsat`, which it only answers from proofs), a
//! round finds no new counterexample, or the time limit ends. Each round
//! is a whole run in half of the time left, re-solved from the incumbent:
//! a later round gets the round before's network as a start
//! (`given_start.rs`: projected and repaired, fine-tuned with the
//! counterexamples' points when it breaks one of them — it always breaks
//! the newest — and dropped when it still does) after the gradient
//! starts; a start that breaks a counterexample's fixed decision is
//! dropped, and a round that ends without a network, or whose
//! counterexamples no network can keep together (two regions demanding
//! other classes at one point), ends the loop with the round before.
//! "Proven on the region" is said only of the verifier's `unsat` for the
//! returned network.

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::job::Job;
use crate::outcome::TrainOutcome;
use mipnet_formulate::Rule;
use mipnet_network::{Network, ReluNet};
use mipnet_solver::InterruptFlag;
use mipnet_verify::{check_property, Answer, VerifyOptions, VerifySolver};
use mipnet_vnnlib::{Disjunct, Linear, Property};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Share of the time left that each round's training run gets (the rest
/// is for the verifier and later rounds).
const ROUND_SHARE: f64 = 0.5;

/// Fewest seconds a round's training run is given: less does not reach a
/// polished network on the bundled data.
const MIN_ROUND_SECONDS: f64 = 1.0;

/// Share of the time left that one region's verification may take.
const VERIFY_SHARE: f64 = 0.25;

/// Most rounds: each round adds at least one counterexample per region
/// not yet proven, so a loop that has not converged in this many rounds
/// is not converging.
const MAX_ROUNDS: usize = 20;

/// What the loop found for one region rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionReport {
    pub rule: Rule,
    pub description: String,
    /// The verifier proved the returned network keeps the rule on the
    /// whole box (its answer `unsat` for "some input leads by less").
    pub proven: bool,
    /// The verifier's answer for the returned network: `unsat` (proven),
    /// `sat` (a counterexample: the rule is broken), `unknown`, or
    /// `error: …` when it could not be asked.
    pub verifier_answer: String,
    /// Counterexamples the returned network was trained with (fixed
    /// decisions, each point once); a witness found on the returned
    /// network itself is not counted.
    pub counterexamples_added: usize,
    /// In words: "proven on the region" or "not proven, k counterexamples
    /// added".
    pub in_words: String,
}

struct Region {
    rule: Rule,
    /// The box's ends by feature name.
    lower: BTreeMap<String, f64>,
    upper: BTreeMap<String, f64>,
    class: usize,
    class_name: String,
    margin: f64,
    /// The counterexamples found, as fixed decisions, in order.
    added: Vec<Rule>,
    /// How many of `added` the last round's network was trained with (the
    /// rest were found on it).
    trained_with: usize,
}

/// The verifier's answer on `net` for `r`, and the counterexample (the
/// inputs, by feature) when it found one.
fn ask(net: &Network, r: &Region, opts: &VerifyOptions) -> (String, Option<BTreeMap<String, f64>>) {
    let k = net.class_names.len();
    // Over the network's inputs (every feature of the data is in the box).
    let lower: Vec<f64> = net.feature_names.iter().map(|f| r.lower[f]).collect();
    let upper: Vec<f64> = net.feature_names.iter().map(|f| r.upper[f]).collect();
    let disjuncts = (0..k)
        .filter(|&o| o != r.class)
        .map(|o| {
            let mut outputs = vec![(r.class, 1.0), (o, -1.0)];
            outputs.sort_by_key(|t| t.0);
            Disjunct {
                lower: lower.clone(),
                upper: upper.clone(),
                lower_strict: vec![false; lower.len()],
                upper_strict: vec![false; upper.len()],
                // y_class − y_o < margin: the rule broken at that input.
                constraints: vec![Linear {
                    inputs: Vec::new(),
                    outputs,
                    rhs: r.margin,
                    strict: true,
                }],
            }
        })
        .collect();
    let prop = Property {
        inputs: lower.len(),
        outputs: k,
        disjuncts,
    };
    match check_property(&ReluNet::from_network(net), &prop, opts) {
        Ok(rep) => {
            let point = match (rep.answer, rep.witness) {
                (Answer::Sat, Some((x, _))) => Some(net.feature_names.iter().cloned().zip(x).collect()),
                _ => None,
            };
            (rep.answer.as_str().to_string(), point)
        }
        Err(e) => (format!("error: {e}"), None),
    }
}

fn regions_of(job: &Job) -> Vec<Region> {
    job.settings
        .formulation
        .rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::Region {
                lower,
                upper,
                class,
                margin,
            } => Some(Region {
                rule: rule.clone(),
                lower: lower.clone(),
                upper: upper.clone(),
                class: job.train.class_names.iter().position(|c| c == class)?,
                class_name: class.clone(),
                margin: margin.unwrap_or(job.settings.formulation.margin),
                added: Vec::new(),
                trained_with: 0,
            }),
            _ => None,
        })
        .collect()
}

/// Trains `job` (whose rules hold region rules, checked against its data)
/// by the counterexample loop; the report's `regions` says what was
/// proven.
pub(crate) fn train_regions(
    job: &Job,
    verifier: Arc<dyn VerifySolver>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    let clock = Instant::now();
    let limit = job.settings.solver.time_limit;
    let mut regions = regions_of(job);
    let others: Vec<Rule> = job
        .settings
        .formulation
        .rules
        .iter()
        .filter(|r| !matches!(r, Rule::Region { .. }))
        .cloned()
        .collect();
    let mut last: Option<(TrainOutcome, Vec<String>)> = None;
    for round in 0..MAX_ROUNDS {
        let left = limit - clock.elapsed().as_secs_f64();
        if round > 0 && left < 2.0 * MIN_ROUND_SECONDS {
            break;
        }
        let mut settings = job.settings.clone().into_inner();
        settings.formulation.rules = others.clone();
        settings
            .formulation
            .rules
            .extend(regions.iter().flat_map(|r| r.added.iter().cloned()));
        settings.solver.time_limit = (left * ROUND_SHARE).max(MIN_ROUND_SECONDS);
        let settings = settings.check(job.solver).map_err(TrainError::Settings)?;
        let added: usize = regions.iter().map(|r| r.added.len()).sum();
        obs.stage(&format!(
            "region rules: round {} ({added} counterexamples as fixed decisions, {:.0} s)",
            round + 1,
            settings.solver.time_limit
        ));
        let round_job = Job {
            dataset: job.dataset.clone(),
            train: job.train,
            test: job.test,
            settings: &settings,
            solver: job.solver,
        };
        // A later round starts from the round before's network as well
        // (re-solved from the incumbent): repaired or fine-tuned for the
        // new counterexamples, or dropped when it still breaks one.
        let start = last.as_ref().map(|(out, _)| out.network.clone());
        let out = match crate::train_grouped(&round_job, start.as_ref(), obs, interrupt) {
            Ok(out) => out,
            // A later round without a network (its starts break the new
            // fixed decisions and the MIP found none in time) ends the
            // loop with the round before; its region stays unproven.
            // So does a round whose counterexamples contradict each other
            // (two regions' classes at one point) or the other rules: no
            // network keeps them all, so the regions cannot all be proven.
            Err(e @ (TrainError::NoNetwork(_) | TrainError::RulesInfeasible(_))) if last.is_some() => {
                obs.stage(&format!(
                    "region rules: round {} ended without a network ({e}); keeping round {}",
                    round + 1,
                    round
                ));
                break;
            }
            Err(e) => return Err(e),
        };
        let mut answers = Vec::with_capacity(regions.len());
        let mut new = 0;
        for r in regions.iter_mut() {
            r.trained_with = r.added.len();
            let mut opts = VerifyOptions::new(verifier.clone());
            let left = (limit - clock.elapsed().as_secs_f64()).max(MIN_ROUND_SECONDS);
            opts.total_time_limit = Some(left * VERIFY_SHARE);
            opts.interrupt = interrupt.cloned();
            let (answer, witness) = ask(&out.network, r, &opts);
            obs.stage(&format!(
                "region rules: the verifier says {answer} for {}",
                r.rule.describe()
            ));
            // A witness already among the fixed decisions (the rule's
            // margin met there only to the solver's rounding) is not new.
            if let Some(point) = witness {
                let decision = Rule::FixedDecision {
                    point,
                    class: r.class_name.clone(),
                    margin: Some(r.margin),
                };
                if !r.added.contains(&decision) {
                    r.added.push(decision);
                    new += 1;
                }
            }
            answers.push(answer);
        }
        let done = answers.iter().all(|a| a == Answer::Unsat.as_str());
        last = Some((out, answers));
        if done || new == 0 || interrupt.is_some_and(|f| f.is_raised()) {
            break;
        }
    }
    let (mut out, answers) = last.expect("at least one round");
    out.report.regions = regions
        .iter()
        .zip(answers)
        .map(|(r, answer)| region_report(r, answer))
        .collect();
    record_user_rules(job, others.len(), &mut out);
    Ok(out)
}

/// The report of region `r` whose last verifier answer (on the returned
/// network) is `answer`. Only the counterexamples the returned network was
/// trained with count as added: the last round's witness (found on the
/// returned network, never trained with) is not.
fn region_report(r: &Region, answer: String) -> RegionReport {
    let proven = answer == Answer::Unsat.as_str();
    let k = r.trained_with;
    RegionReport {
        rule: r.rule.clone(),
        description: r.rule.describe(),
        proven,
        in_words: if proven {
            "proven on the region".to_string()
        } else {
            format!("not proven, {k} counterexamples added")
        },
        verifier_answer: answer,
        counterexamples_added: k,
    }
}

/// Key of `network.json`'s `settings` that holds the region rules'
/// verdicts (the report's `regions`), which `mipnet show` prints.
pub const REGION_VERDICTS_KEY: &str = "region_verdicts";

/// What the returned round recorded, replaced by what the user asked:
/// the settings (in network.json and report.json) are the job's own, its
/// rules with the regions (not the counterexamples a round used as fixed
/// decisions) and its whole time limit (not the round's share), and
/// network.json's settings carry the regions' verdicts under
/// [`REGION_VERDICTS_KEY`]. The rules' checks keep the job's other rules
/// (a round's rules are those, in order, then its counterexamples).
fn record_user_rules(job: &Job, others: usize, out: &mut TrainOutcome) {
    let settings = job.settings.clone().into_inner();
    let mut recorded = serde_json::to_value(&settings).expect("settings serialize");
    recorded[REGION_VERDICTS_KEY] = serde_json::to_value(&out.report.regions).expect("verdicts serialize");
    out.network.settings = recorded;
    out.report.settings = settings;
    out.report.rules.truncate(others);
    out.report.baseline.rules.truncate(others);
}
