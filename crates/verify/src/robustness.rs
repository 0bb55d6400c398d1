//! Robustness of one prediction in an ℓ∞ ball: the attack first, then
//! bounds, then one MILP per other class, most dangerous first.

use crate::attack::{attack, AttackReport, Combine, Goal, Piece};
use crate::bound_stages::prepare;
use crate::bounds::StageReport;
use crate::encode::encode;
use crate::solve::{deadline_after, solve_until, time_left};
use crate::{limits, proof_margin, Region, VerifyError, VerifyOptions};
use mipnet_milp::Sense;
use mipnet_network::{argmax, ReluNet};
use mipnet_solver::{SolveResult, Status};
use serde::Serialize;
use std::time::Instant;

/// The three answers to "does the prediction stay?" (and, for properties,
/// "is there a witness?").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Robust,
    NotRobust,
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Robust => "robust",
            Verdict::NotRobust => "not robust",
            Verdict::Unknown => "unknown",
        }
    }
}

/// An input in the region whose forward pass (f64) gives another class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counterexample {
    pub input: Vec<f64>,
    pub scores: Vec<f64>,
    pub class: usize,
    /// Largest `|x − x0|` over the inputs.
    pub distance: f64,
}

/// The question "can class `class` beat the predicted one?".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassCheck {
    pub class: usize,
    pub verdict: Verdict,
    /// Proven upper bound on `score[class] − score[predicted]` (< 0 proves).
    pub margin_bound: Option<f64>,
    /// Largest margin the solver found.
    pub best_margin: Option<f64>,
    /// How it was settled: `interval` (bounds alone), or the solve status.
    pub settled_by: String,
    /// What `margin_bound` had to stay below, negated ([`proof_margin`]).
    pub proof_margin: f64,
    pub seconds: f64,
}

/// The answer for one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RobustnessReport {
    pub predicted: usize,
    pub eps: f64,
    pub verdict: Verdict,
    pub counterexample: Option<Counterexample>,
    pub classes: Vec<ClassCheck>,
    pub bounds: Vec<StageReport>,
    pub binaries: usize,
    /// How the verdict was reached: `attack` (a replayed counterexample
    /// before any bound), `bounds` (every class settled by bounds alone),
    /// `milp`, or `none` (unknown).
    pub found_by: &'static str,
    /// The falsification run first (absent when switched off).
    pub attack: Option<AttackReport>,
    pub seconds: f64,
}

/// Refuses a domain that is not an interval of numbers, and a point with an
/// input outside it: the ball around such a point, clipped to the domain,
/// is not a neighbourhood of the point, so a verdict (or a radius) about it
/// would not be about the point's prediction.
pub(crate) fn check_in_domain(net: &ReluNet, x: &[f64], domain: Option<(f64, f64)>) -> Result<(), VerifyError> {
    let Some((lo, hi)) = domain else {
        return Ok(());
    };
    if lo.is_nan() || hi.is_nan() || lo > hi {
        return Err(VerifyError::Region(format!(
            "the domain [{lo}, {hi}] is not an interval (its lower end must be at most its upper end)"
        )));
    }
    match x.iter().position(|v| !(lo..=hi).contains(v)) {
        Some(i) => Err(VerifyError::Region(format!(
            "input {i} ({}) is {}, outside the domain [{lo}, {hi}]",
            net.input_names[i], x[i]
        ))),
        None => Ok(()),
    }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

/// Does the prediction of `x` stay the same for every input within `eps`
/// (ℓ∞, clipped to `domain`)? Ties count as a change only when the other
/// class would win them (the lowest index wins ties, as in `predict`).
/// A point outside `domain` is refused ([`VerifyError::Region`]).
pub fn robustness(
    net: &ReluNet,
    x: &[f64],
    eps: f64,
    domain: Option<(f64, f64)>,
    opts: &VerifyOptions,
) -> Result<RobustnessReport, VerifyError> {
    opts.check()?;
    if !(eps >= 0.0 && eps.is_finite()) {
        return Err(VerifyError::Region(format!(
            "eps must be a finite number ≥ 0, got {eps}"
        )));
    }
    if domain.is_none() {
        // Clipped to a domain, any ε gives a box within it (checked below).
        limits::check_value(|| "eps".into(), eps)?;
    }
    if x.len() != net.inputs {
        return Err(VerifyError::Shape(format!(
            "the input has {} values, the network {} inputs",
            x.len(),
            net.inputs
        )));
    }
    limits::check_point(net, x)?;
    check_in_domain(net, x, domain)?;
    let clock = Instant::now();
    let predicted = argmax(&net.forward(x));
    let region = Region::ball(x, eps, domain);
    region.check(net)?;
    // Falsify first: another class winning at a replayed point ends it.
    let mut attack_report = None;
    if !opts.attack.is_off() {
        let pieces = (0..net.outputs())
            .filter(|&k| k != predicted)
            .map(|k| Piece {
                inputs: Vec::new(),
                outputs: vec![(predicted, 1.0), (k, -1.0)],
                rhs: 0.0,
            })
            .collect();
        let accept = |_: &[f64], y: &[f64]| argmax(y) != predicted;
        let goal = Goal {
            pieces,
            combine: Combine::Any,
            accept: &accept,
        };
        let deadline = deadline_after(time_left(&clock, opts));
        let (hit, rep) = attack(
            net,
            &region.lower,
            &region.upper,
            &goal,
            &opts.attack,
            deadline,
            opts.interrupt.as_ref(),
        );
        if let Some((cand, scores)) = hit {
            let class = argmax(&scores);
            return Ok(RobustnessReport {
                predicted,
                eps,
                verdict: Verdict::NotRobust,
                counterexample: Some(Counterexample {
                    distance: distance(&cand, x),
                    input: cand,
                    scores,
                    class,
                }),
                classes: Vec::new(),
                bounds: Vec::new(),
                binaries: 0,
                found_by: "attack",
                attack: Some(rep),
                seconds: clock.elapsed().as_secs_f64(),
            });
        }
        attack_report = Some(rep);
    }
    let (bounds, stages) = prepare(net, &region, opts)?;
    let enc = encode(net, &region, &bounds, net.ops.len());
    let out = enc.outputs().to_vec();
    let ob = bounds.ops.last().unwrap_or(&bounds.input);
    let tol = opts.tolerance;
    // Most dangerous classes first: a counterexample ends the search.
    let mut others: Vec<usize> = (0..out.len()).filter(|&k| k != predicted).collect();
    let interval_margin = |k: usize| ob.upper[k] - ob.lower[predicted];
    // The values this margin is about: both classes' scores.
    let margin_of = |k: usize| {
        let size = [ob.lower[k], ob.upper[k], ob.lower[predicted], ob.upper[predicted]]
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        proof_margin(tol, size)
    };
    others.sort_by(|&a, &b| interval_margin(b).total_cmp(&interval_margin(a)));
    let mut classes = Vec::new();
    let mut counterexample = None;
    for k in others {
        let start = clock.elapsed().as_secs_f64();
        let margin = margin_of(k);
        if interval_margin(k) < -margin {
            classes.push(ClassCheck {
                class: k,
                verdict: Verdict::Robust,
                margin_bound: Some(interval_margin(k)),
                best_margin: None,
                settled_by: "interval".into(),
                proof_margin: margin,
                seconds: 0.0,
            });
            continue;
        }
        let terms = [(out[k], 1.0), (out[predicted], -1.0)];
        let replay = |res: &SolveResult| -> Option<Counterexample> {
            let sol = res.solution.as_ref()?;
            let cand = region.clamp(&enc.inputs.iter().map(|c| sol[c.index()]).collect::<Vec<_>>());
            let scores = net.forward(&cand);
            let class = argmax(&scores);
            (class != predicted).then(|| Counterexample {
                distance: distance(&cand, x),
                input: cand,
                scores,
                class,
            })
        };
        let budget = time_left(&clock, opts);
        let mut res = solve_until(&enc, &terms, Sense::Maximize, opts, budget, (tol, -margin))?;
        if res.status == Status::Infeasible {
            return Err(VerifyError::Check(format!(
                "the MILP over the ball is infeasible though the input itself lies in it (class {k})"
            )));
        }
        let mut settled_by = res.status.as_str().to_string();
        let mut found = replay(&res);
        if found.is_none() && res.solution.is_some() && !res.dual_bound.is_some_and(|b| b < -margin) {
            // The incumbent that stopped the solve did not change the class
            // in f64 (a margin within the solver's tolerances): go on, and
            // stop only on a proof.
            let budget = time_left(&clock, opts);
            if budget > 0.0 && !opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
                res = solve_until(&enc, &terms, Sense::Maximize, opts, budget, (f64::INFINITY, -margin))?;
                found = replay(&res);
                settled_by = format!("{} (after an incumbent that did not replay)", res.status.as_str());
            }
        }
        let mut verdict = Verdict::Unknown;
        if let Some(c) = found {
            verdict = Verdict::NotRobust;
            counterexample = Some(c);
        }
        if verdict == Verdict::Unknown && res.dual_bound.is_some_and(|b| b < -margin) {
            verdict = Verdict::Robust;
        }
        classes.push(ClassCheck {
            class: k,
            verdict,
            margin_bound: res.dual_bound,
            best_margin: res.objective,
            settled_by,
            proof_margin: margin,
            seconds: clock.elapsed().as_secs_f64() - start,
        });
        if verdict == Verdict::NotRobust || opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
            break;
        }
    }
    let verdict = if counterexample.is_some() {
        Verdict::NotRobust
    } else if classes.len() == out.len() - 1 && classes.iter().all(|c| c.verdict == Verdict::Robust) {
        Verdict::Robust
    } else {
        Verdict::Unknown
    };
    let found_by = match verdict {
        Verdict::Unknown => "none",
        _ if classes.iter().all(|c| c.settled_by == "interval") => "bounds",
        _ => "milp",
    };
    Ok(RobustnessReport {
        predicted,
        eps,
        verdict,
        counterexample,
        classes,
        bounds: stages,
        binaries: enc.binaries,
        found_by,
        attack: attack_report,
        seconds: clock.elapsed().as_secs_f64(),
    })
}
