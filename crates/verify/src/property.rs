//! Deciding a VNN-LIB property: the attack on every disjunct first, then
//! per disjunct input splitting (few inputs) and the MILP, within the
//! property's and each disjunct's time; `unsat` only from proofs
//! ([`conclude`]).

use crate::attack::{attack, AttackReport, Combine, Goal};
use crate::bound_stages::BoundCache;
use crate::bounds::{interval_bounds, Bounds, StageReport};
use crate::disjunct::{
    check_strict_room, confirm_empty, disjunct_magnitude, disjunct_milp, disjunct_name, empty_box, empty_property,
    in_disjunct, part_milp,
};
use crate::input_split::{self, split_inputs, SplitOutcome, SplitReport};
use crate::linear_bounds::tighten_linear;
use crate::relu_split::{self, split_relus, ReluSplitOutcome, ReluSplitProblem, ReluSplitReport};
use crate::solve::{deadline_after, solve_until};
use crate::witness::{WitnessRule, MILP_REPLAY_TOLERANCE};
use crate::{limits, proof_margin, Region, VerifyError, VerifyOptions, MAX_SPLIT_INPUTS};
use mipnet_milp::Sense;
use mipnet_network::ReluNet;
use mipnet_solver::{SolveResult, Status};
use mipnet_vnnlib::{Disjunct, Property};
use serde::Serialize;
use std::time::{Duration, Instant};

/// One disjunct of a property, checked by a MILP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DisjunctCheck {
    /// Position in the property's disjunctive normal form (0-based).
    pub index: usize,
    pub answer: Answer,
    /// Proven upper bound on the smallest constraint slack (< 0 proves unsat).
    pub slack_bound: Option<f64>,
    pub best_slack: Option<f64>,
    /// The solve's status (or the input splitting's conclusion).
    pub status: String,
    /// How it was decided: `input-split` (a tree of parts closed by
    /// certified bounds, or a witness found on the way) or `milp`.
    pub method: &'static str,
    /// What `slack_bound` had to stay below, negated ([`proof_margin`]).
    pub proof_margin: f64,
    /// The input splitting tried first, when it ran.
    pub split: Option<SplitReport>,
    /// The ReLU splitting tried before the MILP, when it ran.
    pub relu_split: Option<ReluSplitReport>,
    pub bounds: Vec<StageReport>,
    pub binaries: usize,
    pub seconds: f64,
}

/// A disjunct left out because no input satisfies it: its box is empty, or
/// its input constraints contradict each other (the MILP is infeasible, and
/// so is an LP over its box and input constraints alone).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DroppedDisjunct {
    /// Position in the property's disjunctive normal form (0-based).
    pub index: usize,
    pub reason: String,
}

/// VNN-LIB's answers: `sat` (a witness of the unsafe condition exists),
/// `unsat` (proven none does), `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Sat,
    Unsat,
    Unknown,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Sat => "sat",
            Answer::Unsat => "unsat",
            Answer::Unknown => "unknown",
        }
    }
}

/// The result of a property check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PropertyReport {
    pub answer: Answer,
    /// Inputs and f64 outputs satisfying the property (for `sat`).
    pub witness: Option<(Vec<f64>, Vec<f64>)>,
    /// The disjuncts a MILP was solved for, in order.
    pub disjuncts: Vec<DisjunctCheck>,
    /// The disjuncts no input satisfies, left out (never all of them: a
    /// property with no input at all is an error).
    pub dropped: Vec<DroppedDisjunct>,
    /// How the answer was reached: `attack` (a replayed witness before any
    /// bound), `input-split`, `milp`, or `none` (unknown).
    pub found_by: &'static str,
    /// The falsification run on each disjunct before any proof, in order
    /// (empty when switched off).
    pub attacks: Vec<AttackReport>,
    /// An `unknown` because time ran out (a disjunct's or the whole
    /// property's limit), rather than for another reason.
    pub timed_out: bool,
    /// How every witness was replayed before it counted: `f64`, or `f64
    /// and float32` ([`crate::witness::WitnessRule`]).
    pub witness_replay: &'static str,
    pub seconds: f64,
}

/// The property's answer. `unsat` is only ever the conclusion of proofs:
/// every disjunct left is proven unsat by its own MILP or input-splitting
/// tree (a slack bound below minus its proof margin), and there is at
/// least one. Anything else claiming
/// `unsat` is a bug, refused here rather than printed.
fn conclude(witness_found: bool, checked: &[DisjunctCheck], to_check: usize) -> Result<Answer, VerifyError> {
    if witness_found {
        return Ok(Answer::Sat);
    }
    if checked.len() < to_check || checked.iter().any(|d| d.answer != Answer::Unsat) {
        return Ok(Answer::Unknown);
    }
    let proven = |d: &DisjunctCheck| d.slack_bound.is_some_and(|b| b < -d.proof_margin);
    if checked.is_empty() || !checked.iter().all(proven) {
        return Err(VerifyError::Check(format!(
            "unsat without a proof: {} disjuncts checked, {} with a proven slack bound below minus its proof margin",
            checked.len(),
            checked.iter().filter(|d| proven(d)).count()
        )));
    }
    Ok(Answer::Unsat)
}

/// Decides a VNN-LIB property: for each disjunct, maximize the smallest
/// slack `t` of its constraints (`a·x + b·y + t ≤ rhs`); `t ≥ 0` is a
/// witness, a proven `t < 0` rules the disjunct out. Witnesses are replayed
/// through the f64 forward pass and must satisfy the property there
/// (tolerance 1e-9 on linear constraints; the box is enforced exactly).
///
/// A disjunct no input satisfies (an empty box, or input constraints that
/// contradict each other) is dropped and listed in the report; when every
/// disjunct is, the property is refused as an error: `unsat` would be true
/// of an empty region but says nothing about the network, and is far more
/// often a mistake in the file.
pub fn check_property(net: &ReluNet, prop: &Property, opts: &VerifyOptions) -> Result<PropertyReport, VerifyError> {
    opts.check()?;
    if prop.inputs != net.inputs || prop.outputs != net.outputs() {
        return Err(VerifyError::Shape(format!(
            "the property declares {} inputs and {} outputs, the network has {} and {}",
            prop.inputs,
            prop.outputs,
            net.inputs,
            net.outputs()
        )));
    }
    let total = prop.disjuncts.len();
    if total == 0 {
        return Err(VerifyError::Region(
            "the property's asserts can never hold together, whatever the input (a constant comparison \
             such as (<= 2 1) or false); there is nothing to verify"
                .into(),
        ));
    }
    let mut dropped: Vec<DroppedDisjunct> = prop
        .disjuncts
        .iter()
        .enumerate()
        .filter_map(|(index, d)| empty_box(d).map(|reason| DroppedDisjunct { index, reason }))
        .collect();
    if dropped.len() == total {
        return Err(empty_property(&dropped, total));
    }
    let to_solve: Vec<(usize, &Disjunct)> = prop
        .disjuncts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.empty_input().is_none())
        .collect();
    let regions: Vec<(usize, &Disjunct, Region)> = to_solve
        .iter()
        .map(|&(index, d)| {
            let region = Region {
                lower: d.lower.clone(),
                upper: d.upper.clone(),
                constraints: d.constraints.clone(),
            };
            (index, d, region)
        })
        .collect();
    // Every disjunct left is checked before any is solved (a later one out
    // of range must not go unnoticed after an earlier one's witness ends
    // the search): a finite box, every number of its box and constraints
    // within range, and its interval bounds (the big-M constants) too.
    limits::check_network(net)?;
    let mut margins = Vec::with_capacity(regions.len());
    for (index, d, region) in &regions {
        let index = *index;
        if let Some(i) = d.unbounded_input() {
            return Err(VerifyError::Region(format!(
                "{}: input X_{i} has no finite lower and upper bound; mipnet needs a bounded input box",
                disjunct_name(index, total)
            )));
        }
        for i in 0..d.lower.len() {
            limits::check_value(
                || format!("{}: the lower bound of X_{i}", disjunct_name(index, total)),
                d.lower[i],
            )?;
            limits::check_value(
                || format!("{}: the upper bound of X_{i}", disjunct_name(index, total)),
                d.upper[i],
            )?;
        }
        region.check(net).map_err(in_disjunct(index, total))?;
        // The big-M constants come from the bounds after back-substitution,
        // far tighter than interval arithmetic on deep networks (ACAS Xu
        // 4_9 reaches 1.1e7 in interval arithmetic over property 1's box).
        let mut interval = interval_bounds(net, region);
        if opts.linear_bounds {
            tighten_linear(net, &mut interval);
        }
        limits::check_bounds(net, &interval).map_err(in_disjunct(index, total))?;
        check_strict_room(d, opts).map_err(in_disjunct(index, total))?;
        margins.push(proof_margin(opts.tolerance, disjunct_magnitude(d, &interval)));
    }
    let clock = Instant::now();
    let total_deadline = deadline_after(opts.total_time_limit.unwrap_or(f64::INFINITY));
    let stop_now = || Instant::now() >= total_deadline || opts.interrupt.as_ref().is_some_and(|f| f.is_raised());
    let mut disjuncts = Vec::new();
    let mut witness = None;
    let mut found_by = "none";
    let mut timed_out = false;
    let mut attacks = Vec::new();
    // Falsify first: a cheap seeded attack on every disjunct before any
    // bound or MILP; a replayed witness ends the question.
    if !opts.attack.is_off() {
        for (_, d, region) in &regions {
            if stop_now() {
                break;
            }
            let rule = WitnessRule {
                net,
                disjunct: d,
                float32: opts.witness_float32,
            };
            let accept = |x: &[f64], y: &[f64]| rule.accepts(x, y, 0.0);
            let goal = Goal {
                pieces: crate::attack::pieces_of(d),
                combine: Combine::All,
                accept: &accept,
            };
            let deadline = total_deadline.min(deadline_after(opts.solve.time_limit.unwrap_or(f64::INFINITY)));
            let (hit, rep) = attack(
                net,
                &region.lower,
                &region.upper,
                &goal,
                &opts.attack,
                deadline,
                opts.interrupt.as_ref(),
            );
            attacks.push(rep);
            // The witness as the rule has it (float32 values, when asked).
            if let Some(w) = hit.and_then(|(x, _)| rule.replay(&x, 0.0)) {
                witness = Some(w);
                found_by = "attack";
                break;
            }
        }
    }
    let mut infeasible = 0;
    // Bounds per input region: disjuncts that share a box (and input rows)
    // compute them once.
    let mut prepared = BoundCache::default();
    for ((index, d, region), &margin) in regions.iter().zip(&margins) {
        if witness.is_some() {
            break;
        }
        if stop_now() {
            timed_out = !opts.interrupt.as_ref().is_some_and(|f| f.is_raised());
            break;
        }
        let (index, region) = (*index, region);
        // The time limit is per disjunct, within what the property has left.
        let own = Instant::now();
        let rule = WitnessRule {
            net,
            disjunct: d,
            float32: opts.witness_float32,
        };
        let own_deadline = total_deadline.min(deadline_after(opts.solve.time_limit.unwrap_or(f64::INFINITY)));
        let own_left = || own_deadline.saturating_duration_since(Instant::now()).as_secs_f64();
        let start = clock.elapsed().as_secs_f64();
        // Input splitting first, on few inputs and a plain box.
        let mut split = None;
        let has_input_rows = d.constraints.iter().any(|c| c.outputs.is_empty());
        if opts.input_split && net.inputs <= MAX_SPLIT_INPUTS && !has_input_rows {
            let share = opts.split_share;
            let deadline = own + Duration::from_secs_f64(own_left() * share);
            let margin_of = |b: &Bounds| proof_margin(opts.tolerance, disjunct_magnitude(d, b));
            let mut milp_of = |lo: &[f64], hi: &[f64], b: &Bounds, margin: f64| {
                let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
                let part = Region::boxed(lo.to_vec(), hi.to_vec());
                part_milp(
                    net,
                    &rule,
                    &part,
                    b,
                    margin,
                    left.min(input_split::PART_MILP_SECONDS),
                    opts,
                )
            };
            let (outcome, rep) = split_inputs(net, &rule, &margin_of, &mut milp_of, deadline, opts.interrupt.as_ref())?;
            let settled = match outcome {
                SplitOutcome::Proven { slack_bound, margin } => Some((Answer::Unsat, Some(slack_bound), margin, None)),
                SplitOutcome::Witness(x, y) => Some((Answer::Sat, None, margin, Some((x, y)))),
                SplitOutcome::Undecided => None,
            };
            if let Some((answer, slack_bound, margin, w)) = settled {
                disjuncts.push(DisjunctCheck {
                    index,
                    answer,
                    slack_bound,
                    best_slack: None,
                    status: format!("{} parts, {} closed by bounds", rep.parts, rep.closed),
                    method: "input-split",
                    proof_margin: margin,
                    split: Some(rep),
                    relu_split: None,
                    bounds: Vec::new(),
                    binaries: 0,
                    seconds: clock.elapsed().as_secs_f64() - start,
                });
                if let Some(w) = w {
                    witness = Some(w);
                    found_by = "input-split";
                    break;
                }
                continue;
            }
            split = Some(rep);
        }
        if own_left() <= 0.0 || opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
            timed_out = own_left() <= 0.0;
            disjuncts.push(DisjunctCheck {
                index,
                answer: Answer::Unknown,
                slack_bound: None,
                best_slack: None,
                status: "time limit (input splitting)".into(),
                method: "input-split",
                proof_margin: margin,
                split,
                relu_split: None,
                bounds: Vec::new(),
                binaries: 0,
                seconds: clock.elapsed().as_secs_f64() - start,
            });
            break;
        }
        let capped = VerifyOptions {
            // LP tightening within what the disjunct has left.
            tighten_seconds: opts.tighten_seconds.min(own_left()),
            ..opts.clone()
        };
        let (bounds, stages) = prepared
            .get_or_prepare(net, region, &capped)
            .map_err(in_disjunct(index, total))?;
        // The MILP's values range within the prepared bounds.
        let margin = proof_margin(opts.tolerance, disjunct_magnitude(d, &bounds));
        // ReLU splitting where input splitting did not run (many inputs, or
        // input rows), from the prepared bounds, with the share of the
        // disjunct's time input splitting would have had.
        let mut relu_split = None;
        if split.is_none() && bounds.unstable(net).0 > 0 {
            let rows = input_split::output_rows(d, net.inputs, net.outputs());
            let margin_of = |b: &Bounds| proof_margin(opts.tolerance, disjunct_magnitude(d, b));
            let problem = ReluSplitProblem {
                net,
                rule: &rule,
                rows: &rows,
                margin_of: &margin_of,
            };
            let deadline = Instant::now() + Duration::from_secs_f64(own_left() * opts.split_share);
            let (outcome, rep) = split_relus(
                &problem,
                &bounds,
                relu_split::DEFAULT_MAX_SUBPROBLEMS,
                deadline,
                opts.interrupt.as_ref(),
            );
            let settled = match outcome {
                ReluSplitOutcome::Proven { slack_bound, margin } => {
                    Some((Answer::Unsat, Some(slack_bound), margin, None))
                }
                ReluSplitOutcome::Witness(w) => Some((Answer::Sat, None, margin, Some(w))),
                ReluSplitOutcome::Undecided => None,
            };
            if let Some((answer, slack_bound, margin, w)) = settled {
                disjuncts.push(DisjunctCheck {
                    index,
                    answer,
                    slack_bound,
                    best_slack: None,
                    status: format!(
                        "{} subproblems, {} closed by bounds, {} empty",
                        rep.subproblems, rep.closed, rep.empty
                    ),
                    method: "relu-split",
                    proof_margin: margin,
                    split: None,
                    relu_split: Some(rep),
                    bounds: stages,
                    binaries: 0,
                    seconds: clock.elapsed().as_secs_f64() - start,
                });
                if let Some(w) = w {
                    witness = Some(w);
                    found_by = "relu-split";
                    break;
                }
                continue;
            }
            relu_split = Some(rep);
        }
        let (enc, t) = disjunct_milp(net, d, region, &bounds);
        let replay = |res: &SolveResult| -> Option<(Vec<f64>, Vec<f64>)> {
            let sol = res.solution.as_ref()?;
            let x = region.clamp(&enc.inputs.iter().map(|c| sol[c.index()]).collect::<Vec<_>>());
            rule.replay(&x, MILP_REPLAY_TOLERANCE)
        };
        let tol = opts.tolerance;
        let mut res = solve_until(&enc, &[(t, 1.0)], Sense::Maximize, opts, own_left(), (tol, -margin))?;
        let mut found = replay(&res);
        if found.is_none() && res.solution.is_some() && !res.dual_bound.is_some_and(|b| b < -margin) {
            // A witness within the solver's tolerances that fails in f64:
            // go on, and stop only on a proof.
            let budget = own_left();
            if budget > 0.0 && !opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
                res = solve_until(
                    &enc,
                    &[(t, 1.0)],
                    Sense::Maximize,
                    opts,
                    budget,
                    (f64::INFINITY, -margin),
                )?;
                found = replay(&res);
            }
        }
        let mut status = res.status.as_str().to_string();
        if found.is_none() && matches!(res.status, Status::Infeasible | Status::InfeasibleOrUnbounded) {
            match confirm_empty(index, total, region, opts)? {
                Some(drop) => {
                    infeasible += 1;
                    dropped.push(drop);
                    continue;
                }
                None => status = format!("{status} (not confirmed by the LP over its input region)"),
            }
        }
        let mut answer = Answer::Unknown;
        if let Some(w) = found {
            answer = Answer::Sat;
            witness = Some(w);
            found_by = "milp";
        } else if res.dual_bound.is_some_and(|b| b < -margin) {
            answer = Answer::Unsat;
        } else if res.status == Status::TimeLimit {
            timed_out = true;
        }
        disjuncts.push(DisjunctCheck {
            index,
            answer,
            slack_bound: res.dual_bound,
            best_slack: res.objective,
            status,
            method: "milp",
            proof_margin: margin,
            split,
            relu_split,
            bounds: stages,
            binaries: enc.binaries,
            seconds: clock.elapsed().as_secs_f64() - start,
        });
        if answer == Answer::Sat || opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
            break;
        }
    }
    if dropped.len() == total {
        dropped.sort_by_key(|d| d.index);
        return Err(empty_property(&dropped, total));
    }
    dropped.sort_by_key(|d| d.index);
    let answer = conclude(witness.is_some(), &disjuncts, to_solve.len() - infeasible)?;
    if answer == Answer::Unsat {
        found_by = if disjuncts.iter().any(|d| d.method == "milp") {
            "milp"
        } else if disjuncts.iter().all(|d| d.method == "input-split") {
            "input-split"
        } else if disjuncts.iter().all(|d| d.method == "relu-split") {
            "relu-split"
        } else {
            "milp"
        };
    }
    Ok(PropertyReport {
        answer,
        witness,
        disjuncts,
        dropped,
        found_by,
        attacks,
        timed_out: answer == Answer::Unknown && timed_out,
        witness_replay: if opts.witness_float32 { "f64 and float32" } else { "f64" },
        seconds: clock.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solved(answer: Answer, slack_bound: Option<f64>) -> DisjunctCheck {
        DisjunctCheck {
            index: 0,
            answer,
            slack_bound,
            best_slack: None,
            status: "optimal".into(),
            method: "milp",
            proof_margin: 1e-5,
            split: None,
            relu_split: None,
            bounds: Vec::new(),
            binaries: 0,
            seconds: 0.0,
        }
    }

    #[test]
    fn unsat_needs_a_proof_below_each_disjuncts_own_margin() {
        // Nothing checked, nothing to check: never unsat.
        let e = conclude(false, &[], 0).unwrap_err();
        assert!(matches!(e, VerifyError::Check(_)), "{e}");
        assert_eq!(
            e.to_string(),
            "check failed: unsat without a proof: 0 disjuncts checked, 0 with a proven slack bound below minus \
             its proof margin"
        );
        // An unsat disjunct without a bound below −margin is no proof.
        let weak = [solved(Answer::Unsat, Some(-1e-6))];
        assert!(matches!(conclude(false, &weak, 1), Err(VerifyError::Check(_))));
        // A bound below the absolute 1e-5 but not below a margin scaled to large values: no proof.
        let mut scaled = solved(Answer::Unsat, Some(-0.05));
        scaled.proof_margin = proof_margin(1e-5, 1e4);
        assert!(matches!(conclude(false, &[scaled], 1), Err(VerifyError::Check(_))));
        // Proven disjuncts: unsat; one left unsolved or unknown: unknown; a witness: sat.
        let proof = solved(Answer::Unsat, Some(-0.5));
        assert_eq!(conclude(false, std::slice::from_ref(&proof), 1).unwrap(), Answer::Unsat);
        assert_eq!(
            conclude(false, std::slice::from_ref(&proof), 2).unwrap(),
            Answer::Unknown
        );
        let open = solved(Answer::Unknown, Some(0.1));
        assert_eq!(conclude(false, &[proof.clone(), open], 2).unwrap(), Answer::Unknown);
        assert_eq!(conclude(true, &[proof], 1).unwrap(), Answer::Sat);
    }
}
