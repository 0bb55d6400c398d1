//! Proving things about a trained ReLU network: robustness of a prediction
//! in an ℓ∞ ball, the largest certified radius, certified output ranges
//! over an input box, and VNN-LIB properties.
//!
//! Every question goes the same way:
//! 1. **Falsify first** ([`attack`]): a seeded search (random points, then
//!    projected gradient steps) for a point that answers it; a point counts
//!    only after its f64 forward pass does what is claimed.
//! 2. **Bounds** ([`bounds`], [`linear_bounds`]): interval arithmetic, then
//!    back-substitution (DeepPoly/CROWN), then LP tightening.
//! 3. Properties on networks with few inputs: **input splitting**
//!    ([`input_split`]), a tree of parts of the box each closed by a
//!    certified bound.
//! 4. **The MILP** ([`encode`](mod@encode)): the network embedded exactly,
//!    big-M constants from the bounds; the solver's dual bound is the proof,
//!    its incumbent a candidate replayed like the attack's.
//!
//! What "proved" means: HiGHS works with tolerances (MIP feasibility 1e-6,
//! LP feasibility 1e-7, absolute on rows whose coefficients grow with the
//! network's values), so a dual bound is exact only up to them. mipnet
//! switches off HiGHS's gap-based pruning for these solves and accepts a
//! bound as a proof only when it clears [`proof_margin`]: the tolerance
//! (1e-5) times `1 +` the magnitude of the values involved. The same margin
//! applies to bounds computed by mipnet itself, which are moreover widened
//! for f64 rounding. This is the usual standard of MILP-based verifiers; it
//! is not a proof in exact arithmetic.
//!
//! What is refused rather than answered: numbers beyond
//! [`limits::MAX_MAGNITUDE`] anywhere in the model (inputs, ε, weights, the
//! big-M bounds), and input regions with no input at all. Coefficients so
//! small that HiGHS would drop them are relaxed into their rows' bounds
//! ([`encode::add_row_kept`]).

pub mod attack;
pub mod bounds;
pub mod encode;
pub mod input_split;
pub mod limits;
pub mod linear_bounds;
pub mod region_lp;

use attack::{attack, AttackReport, AttackSettings, Combine, Goal, Piece};
use bounds::{interval_bounds, interval_report, tighten_lp, Bounds, StageReport};
use encode::{encode, Encoding};
use input_split::{split_inputs, SplitOutcome, SplitReport};
use mipnet_milp::{Col, Sense, VarType};
use mipnet_network::{argmax, ReluNet};
use mipnet_solver::{
    Control, InterruptFlag, Progress, RelaxationSessions, SolveOptions, SolveRequest, SolveResult, Solver, SolverError,
    Status,
};
use mipnet_vnnlib::{Disjunct, Linear, Property};
use region_lp::Occupancy;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;

/// What verification needs from a MILP backend: MILP solves, and LP
/// relaxations re-solved for many objectives (bound tightening). Any
/// backend with both abilities is one.
pub trait VerifySolver: Solver + RelaxationSessions + std::fmt::Debug + Send + Sync {}
impl<T: Solver + RelaxationSessions + std::fmt::Debug + Send + Sync> VerifySolver for T {}

/// Why a question could not be asked or answered.
#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("{0}")]
    Region(String),
    #[error("{0}")]
    Shape(String),
    /// A number too large for the MILP (see [`limits::MAX_MAGNITUDE`]).
    #[error("{0}")]
    Magnitude(String),
    #[error(transparent)]
    Solver(#[from] SolverError),
    /// A solver answer failed its replay through the forward pass in a way
    /// that cannot be explained by tolerances: a bug, never silently kept.
    #[error("check failed: {0}")]
    Check(String),
}

/// A set of inputs: a finite box and linear constraints (`Σ a·x ≤ rhs`
/// over inputs; constraints that mention outputs are a property's business).
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub constraints: Vec<Linear>,
}

impl Region {
    pub fn boxed(lower: Vec<f64>, upper: Vec<f64>) -> Region {
        Region {
            lower,
            upper,
            constraints: Vec::new(),
        }
    }

    /// The ℓ∞ ball of radius `eps` around `x`, clipped to `domain` when
    /// given. Each end is rounded toward `x` ([`within_eps`]), so every
    /// point of the box, its corners included, is within `eps` of `x`.
    pub fn ball(x: &[f64], eps: f64, domain: Option<(f64, f64)>) -> Region {
        let (dl, du) = domain.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        Region::boxed(
            x.iter().map(|&v| within_eps(v, v - eps, eps).max(dl)).collect(),
            x.iter().map(|&v| within_eps(v, v + eps, eps).min(du)).collect(),
        )
    }

    /// A copy of `x` moved into the box (solver values may sit a tolerance
    /// outside it).
    pub fn clamp(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.lower.iter().zip(&self.upper))
            .map(|(v, (l, u))| v.clamp(*l, *u))
            .collect()
    }

    /// Checks that the region fits `net`, is a finite, non-empty box and
    /// holds only numbers the MILP accepts ([`limits::MAX_MAGNITUDE`]).
    pub fn check(&self, net: &ReluNet) -> Result<(), VerifyError> {
        if self.lower.len() != net.inputs || self.upper.len() != net.inputs {
            return Err(VerifyError::Shape(format!(
                "the region has {} inputs, the network {}",
                self.lower.len(),
                net.inputs
            )));
        }
        for i in 0..net.inputs {
            let (l, u) = (self.lower[i], self.upper[i]);
            if !l.is_finite() || !u.is_finite() {
                return Err(VerifyError::Region(format!(
                    "input {} ({}) is unbounded; the MILP needs a finite box",
                    i, net.input_names[i]
                )));
            }
            if l > u {
                return Err(VerifyError::Region(format!(
                    "input {} ({}): lower bound {l} is above upper bound {u}",
                    i, net.input_names[i]
                )));
            }
            limits::check_value(|| format!("input {} ({}): the lower bound", i, net.input_names[i]), l)?;
            limits::check_value(|| format!("input {} ({}): the upper bound", i, net.input_names[i]), u)?;
        }
        for (r, c) in self.constraints.iter().enumerate() {
            let terms = c.inputs.iter().map(|&(i, a)| (format!("X_{i}"), a));
            for (var, a) in terms.chain(c.outputs.iter().map(|&(j, b)| (format!("Y_{j}"), b))) {
                limits::check_value(|| format!("constraint {}: the coefficient of {var}", r + 1), a)?;
            }
            limits::check_value(|| format!("constraint {}: the right-hand side", r + 1), c.rhs)?;
        }
        Ok(())
    }
}

/// How hard to try, and with which solver.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The backend every MILP and LP goes to.
    pub solver: Arc<dyn VerifySolver>,
    /// Per query: one input's robustness, one output bound, one disjunct.
    pub solve: SolveOptions,
    /// Run LP-based bound tightening after interval arithmetic.
    pub lp_tightening: bool,
    /// Seconds the LP tightening may take per query.
    pub tighten_seconds: f64,
    /// Margin that separates a proof from a solver tolerance, relative:
    /// a bound proves only when it clears [`proof_margin`]`(tolerance,
    /// magnitude)`, the tolerance scaled by the magnitude of the values the
    /// bound is about.
    pub tolerance: f64,
    pub interrupt: Option<InterruptFlag>,
    /// The falsification run before any bound or MILP.
    pub attack: AttackSettings,
    /// Back-substitution bounds ([`linear_bounds`]) after interval
    /// arithmetic and before LP tightening.
    pub linear_bounds: bool,
    /// Properties: split the input box ([`input_split`]) before the MILP
    /// when the network has at most [`MAX_SPLIT_INPUTS`] inputs.
    pub input_split: bool,
    /// The share of each disjunct's time the input splitting may take; the
    /// MILP gets the rest.
    pub split_share: f64,
    /// Seconds for a whole property (every disjunct, attack included), on
    /// top of the per-disjunct `solve.time_limit`: VNN-COMP's per-instance
    /// timeout.
    pub total_time_limit: Option<f64>,
}

/// Input splitting is tried on networks with at most this many inputs:
/// halving a box along one input at a time closes parts fast only when
/// there are few inputs to halve (ACAS Xu has 5); on images it would need
/// exponentially many parts, and the MILP goes first there.
pub const MAX_SPLIT_INPUTS: usize = 16;

/// The default share of a disjunct's time for input splitting: on the
/// low-dimensional networks it runs on it decides most properties, and the
/// MILP keeps a fifth for the parts of the box it could not close.
pub const DEFAULT_SPLIT_SHARE: f64 = 0.8;

/// The default relative proof tolerance (see [`proof_margin`]).
pub const DEFAULT_TOLERANCE: f64 = 1e-5;

/// `end` (`x ± eps` as f64 arithmetic rounded it) moved toward `x` one ulp
/// at a time until `|x − end| ≤ eps`: rounding to nearest can put the end
/// a hair outside the ball (0.9 − 0.2 = 0.7, and 0.9 − 0.7 > 0.2), and a
/// counterexample found on the box's edge must lie within `eps`.
fn within_eps(x: f64, end: f64, eps: f64) -> f64 {
    /// Rounding is off by at most one ulp; a few steps are room to spare.
    const MAX_STEPS: usize = 4;
    let mut e = end;
    for _ in 0..MAX_STEPS {
        if !e.is_finite() || (x - e).abs() <= eps {
            break;
        }
        e = one_ulp_toward(e, x);
    }
    e
}

/// The f64 next to `e` in the direction of `x`.
fn one_ulp_toward(e: f64, x: f64) -> f64 {
    if e == x || e.is_nan() {
        return e;
    }
    if e == 0.0 {
        let tiny = f64::from_bits(1);
        return if x > e { tiny } else { -tiny };
    }
    // A step toward x raises |e| when x lies on e's far side from zero.
    if (x > e) == (e > 0.0) {
        f64::from_bits(e.to_bits() + 1)
    } else {
        f64::from_bits(e.to_bits() - 1)
    }
}

/// The margin by which a proven bound must clear 0 to count as a proof:
/// `tolerance · (1 + magnitude)`, `magnitude` the size of the values the
/// bound is about (the right-hand sides and the proven bounds of the
/// outputs involved, over the region the proof is about: the MILP's
/// prepared bounds, or one part's bounds in input splitting). Solver tolerances are absolute on rows whose coefficients
/// (the big-M constants) grow with those values, so a fixed 1e-5 would be
/// far inside the solver's error on a network whose outputs are 1e4; the
/// same margin applies to every proof (MILP dual bounds, interval and
/// linear bounds, input splitting).
pub fn proof_margin(tolerance: f64, magnitude: f64) -> f64 {
    tolerance * (1.0 + magnitude.abs())
}

impl VerifyOptions {
    /// Refuses options under which a proof would mean nothing: a tolerance
    /// that is not a positive number makes every bound of 0 a "proof".
    pub fn check(&self) -> Result<(), VerifyError> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(VerifyError::Region(format!(
                "the proof tolerance must be a positive number, got {}",
                self.tolerance
            )));
        }
        if !(0.0..=1.0).contains(&self.split_share) {
            return Err(VerifyError::Region(format!(
                "the input-splitting share must be within [0, 1], got {}",
                self.split_share
            )));
        }
        Ok(())
    }

    /// The default effort with `solver`.
    pub fn new(solver: Arc<dyn VerifySolver>) -> Self {
        VerifyOptions {
            solver,
            solve: SolveOptions::default(),
            lp_tightening: true,
            tighten_seconds: 10.0,
            tolerance: DEFAULT_TOLERANCE,
            interrupt: None,
            attack: AttackSettings::default(),
            linear_bounds: true,
            input_split: true,
            split_share: DEFAULT_SPLIT_SHARE,
            total_time_limit: None,
        }
    }
}

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

/// Bounds in stages for `region`, with their reports.
pub fn prepare(
    net: &ReluNet,
    region: &Region,
    opts: &VerifyOptions,
) -> Result<(Bounds, Vec<StageReport>), VerifyError> {
    region.check(net)?;
    limits::check_network(net)?;
    let clock = Instant::now();
    let mut bounds = interval_bounds(net, region);
    limits::check_bounds(net, &bounds)?;
    let mut stages = vec![interval_report(net, &bounds, clock.elapsed().as_secs_f64())];
    if opts.linear_bounds && bounds.unstable(net).0 > 0 {
        let start = clock.elapsed().as_secs_f64();
        linear_bounds::tighten_linear(net, &mut bounds);
        let mut stage = interval_report(net, &bounds, clock.elapsed().as_secs_f64() - start);
        stage.stage = "linear";
        stages.push(stage);
    }
    if opts.lp_tightening && bounds.unstable(net).0 > 0 {
        stages.push(tighten_lp(net, region, &mut bounds, opts.tighten_seconds, opts)?);
    }
    Ok((bounds, stages))
}

/// Solves `enc` with `terms` as objective, stopping as soon as the answer is
/// settled: an incumbent above `stop_above`, or a dual bound below
/// `stop_below`.
fn solve_until(
    enc: &Encoding,
    terms: &[(Col, f64)],
    sense: Sense,
    opts: &VerifyOptions,
    time_left: f64,
    stop: (f64, f64),
) -> Result<SolveResult, VerifyError> {
    let mut model = enc.model.clone();
    model.set_sense(sense);
    for &(c, v) in terms {
        model.set_cost(c, v);
    }
    // No gap-based pruning: the solver would otherwise discard nodes within
    // its default gaps (HiGHS: relative 1e-4) of the incumbent and report a
    // dual bound that much too good. The callback below stops the solve as
    // soon as the answer is settled, so the gaps would buy nothing here.
    let options = SolveOptions {
        time_limit: Some(time_left.max(0.01)),
        relative_gap: Some(0.0),
        absolute_gap: Some(0.0),
        ..opts.solve.clone()
    };
    let (stop_above, stop_below) = stop;
    let mut observer = |p: &Progress| {
        let found = p.primal_bound.is_some_and(|v| v > stop_above);
        let proved = p.dual_bound.is_some_and(|v| v < stop_below);
        if found || proved {
            Control::Interrupt
        } else {
            Control::Continue
        }
    };
    let mut req = SolveRequest::new(&model, &options);
    if let Some(flag) = &opts.interrupt {
        req = req.interrupt(flag);
    }
    Ok(opts.solver.solve(req, &mut observer)?)
}

/// Refuses a domain that is not an interval of numbers, and a point with an
/// input outside it: the ball around such a point, clipped to the domain,
/// is not a neighbourhood of the point, so a verdict (or a radius) about it
/// would not be about the point's prediction.
fn check_in_domain(net: &ReluNet, x: &[f64], domain: Option<(f64, f64)>) -> Result<(), VerifyError> {
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

fn time_left(clock: &Instant, opts: &VerifyOptions) -> f64 {
    opts.solve.time_limit.unwrap_or(f64::INFINITY) - clock.elapsed().as_secs_f64()
}

/// The instant `seconds` from now (far in the future for an unlimited or
/// huge budget; now for a negative one).
fn deadline_after(seconds: f64) -> Instant {
    let now = Instant::now();
    // A year stands for "no limit" (Instant cannot hold infinity).
    const NO_LIMIT: f64 = 365.0 * 86400.0;
    now + Duration::from_secs_f64(seconds.clamp(0.0, NO_LIMIT))
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

/// The largest certified radius found by bisection.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RadiusReport {
    /// Robustness is proven at this ε (0 means nothing was proven above 0).
    pub certified: f64,
    /// The proof at `certified`, when it is above 0.
    pub proof: Option<RobustnessReport>,
    /// The smallest ε at which a counterexample was found, and it.
    pub counterexample: Option<(f64, Counterexample)>,
    /// Some step ended unknown (time limit), so the true radius may lie
    /// above `certified` even without a counterexample there.
    pub undecided: bool,
    /// Every ε tried and its verdict, in order.
    pub steps: Vec<(f64, Verdict)>,
    pub seconds: f64,
}

/// Bisects ε over `[0, eps_max]` until the bracket is narrower than
/// `resolution`; each step is a full [`robustness`] query. With a domain
/// `[lo, hi]`, every ε ≥ `hi − lo` clips to the same box (the whole
/// domain), so the bisection runs over `[0, min(eps_max, hi − lo)]`, and a
/// proof at that end certifies `eps_max` itself. A point outside `domain`
/// is refused ([`VerifyError::Region`]): that argument needs the point in
/// the box.
pub fn radius(
    net: &ReluNet,
    x: &[f64],
    eps_max: f64,
    resolution: f64,
    domain: Option<(f64, f64)>,
    opts: &VerifyOptions,
) -> Result<RadiusReport, VerifyError> {
    if resolution.is_nan() || resolution <= 0.0 {
        return Err(VerifyError::Region(format!(
            "the radius resolution must be > 0, got {resolution}"
        )));
    }
    if x.len() != net.inputs {
        return Err(VerifyError::Shape(format!(
            "the input has {} values, the network {} inputs",
            x.len(),
            net.inputs
        )));
    }
    // Before the bisection's range is derived from the domain.
    check_in_domain(net, x, domain)?;
    let clock = Instant::now();
    let mut report = RadiusReport {
        certified: 0.0,
        proof: None,
        counterexample: None,
        undecided: false,
        steps: Vec::new(),
        seconds: 0.0,
    };
    let top = domain.map_or(eps_max, |(l, h)| eps_max.min(h - l));
    let (mut lo, mut hi) = (0.0, top);
    let mut eps = top;
    loop {
        let r = robustness(net, x, eps, domain, opts)?;
        report.steps.push((eps, r.verdict));
        match r.verdict {
            Verdict::Robust => {
                lo = eps;
                report.certified = eps;
                report.proof = Some(r);
            }
            Verdict::NotRobust => {
                hi = eps;
                report.counterexample = r.counterexample.map(|c| (eps, c));
            }
            Verdict::Unknown => {
                hi = eps;
                report.undecided = true;
            }
        }
        if lo == top || hi - lo <= resolution || opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
            break;
        }
        eps = 0.5 * (lo + hi);
    }
    if lo == top {
        // The ball at `top` is the same box as at any larger ε.
        report.certified = eps_max;
    }
    report.seconds = clock.elapsed().as_secs_f64();
    Ok(report)
}

/// A point of the region and the value the forward pass gives there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Witness {
    pub input: Vec<f64>,
    pub value: f64,
}

/// The certified range of one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutputRange {
    pub output: usize,
    /// Proven: every input of the region gives an output ≥ `lower`.
    pub lower: f64,
    pub upper: f64,
    /// Inputs reaching the smallest and largest values found.
    pub lower_witness: Option<Witness>,
    pub upper_witness: Option<Witness>,
    /// Both ends solved to optimality (the witnesses then reach the bounds
    /// up to the tolerance).
    pub exact: bool,
}

/// Certified output ranges over a region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RangeReport {
    pub outputs: Vec<OutputRange>,
    pub bounds: Vec<StageReport>,
    pub binaries: usize,
    pub seconds: f64,
}

/// For each output, its proven minimum and maximum over `region`; each end
/// is one MILP with its own time limit. Reported bounds are the solver's,
/// moved outward by `tolerance · (1 + |bound|)`; witnesses are replayed and
/// must lie inside them.
pub fn output_ranges(net: &ReluNet, region: &Region, opts: &VerifyOptions) -> Result<RangeReport, VerifyError> {
    opts.check()?;
    let clock = Instant::now();
    let (bounds, stages) = prepare(net, region, opts)?;
    let enc = encode(net, region, &bounds, net.ops.len());
    let out = enc.outputs().to_vec();
    let ob = bounds.ops.last().unwrap_or(&bounds.input).clone();
    let mut outputs = Vec::new();
    for (j, &col) in out.iter().enumerate() {
        let mut ends = Vec::new();
        for sense in [Sense::Minimize, Sense::Maximize] {
            let budget = opts.solve.time_limit.unwrap_or(f64::INFINITY);
            let res = solve_until(
                &enc,
                &[(col, 1.0)],
                sense,
                opts,
                budget,
                (f64::INFINITY, f64::NEG_INFINITY),
            )?;
            let fallback = if sense == Sense::Minimize {
                ob.lower[j]
            } else {
                ob.upper[j]
            };
            // The solver's bound, moved outward by the tolerance (its
            // feasibility tolerances), never looser than interval arithmetic.
            let room = |v: f64| opts.tolerance * (1.0 + v.abs());
            let bound = match (sense, res.dual_bound) {
                (Sense::Minimize, Some(b)) => (b - room(b)).max(fallback),
                (Sense::Maximize, Some(b)) => (b + room(b)).min(fallback),
                (_, None) => fallback,
            };
            let witness = res.solution.as_ref().map(|sol| {
                let input = region.clamp(&enc.inputs.iter().map(|c| sol[c.index()]).collect::<Vec<_>>());
                let value = net.forward(&input)[j];
                Witness { input, value }
            });
            ends.push((bound, witness, res.status == Status::Optimal));
        }
        let (lower, lw, lo_exact) = ends.remove(0);
        let (upper, uw, hi_exact) = ends.remove(0);
        for w in lw.iter().chain(&uw) {
            if w.value < lower || w.value > upper {
                return Err(VerifyError::Check(format!(
                    "output {j}: witness value {} lies outside the proven range [{lower}, {upper}]",
                    w.value
                )));
            }
        }
        outputs.push(OutputRange {
            output: j,
            lower,
            upper,
            lower_witness: lw,
            upper_witness: uw,
            exact: lo_exact && hi_exact,
        });
    }
    Ok(RangeReport {
        outputs,
        bounds: stages,
        binaries: enc.binaries,
        seconds: clock.elapsed().as_secs_f64(),
    })
}

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
    pub seconds: f64,
}

/// "disjunct 2 of 3" in messages (1-based, as a person counts).
fn disjunct_name(index: usize, total: usize) -> String {
    format!("disjunct {} of {total}", index + 1)
}

/// Why no input satisfies `d`'s box, if none does.
fn empty_box(d: &Disjunct) -> Option<String> {
    d.empty_input().map(|i| {
        format!(
            "the input box is empty: X_{i} {} {} and X_{i} {} {}",
            if d.lower_strict[i] { ">" } else { "≥" },
            // + 0.0: a bound of −0 (from `(>= (- X_0) 0)`) reads as 0.
            d.lower[i] + 0.0,
            if d.upper_strict[i] { "<" } else { "≤" },
            d.upper[i] + 0.0
        )
    })
}

/// A disjunct whose MILP HiGHS calls infeasible, dropped only when the LP
/// over its box and input-only constraints alone ([`region_lp`]) is
/// infeasible too. The slack `t` is free below, so the output constraints
/// can always be met: if the region holds an input, the MILP's
/// infeasibility came from the network's encoding or its bounds, a bug that
/// must not remove a disjunct (the others' `unsat` would then speak for it):
/// a [`VerifyError::Check`]. `Ok(None)`: the LP gave no answer (an
/// interrupt), so the disjunct stays, undecided.
fn confirm_empty(
    index: usize,
    total: usize,
    region: &Region,
    opts: &VerifyOptions,
) -> Result<Option<DroppedDisjunct>, VerifyError> {
    match region_lp::occupancy(region, opts)? {
        Occupancy::Empty => Ok(Some(DroppedDisjunct {
            index,
            reason: "its input constraints leave no input in its box (the MILP and an LP over the box and \
                     input constraints alone are infeasible)"
                .into(),
        })),
        Occupancy::Occupied => Err(VerifyError::Check(format!(
            "{}: HiGHS calls the property's MILP infeasible, but an LP over the disjunct's input box and \
             input constraints alone holds an input, so the infeasibility comes from the network's encoding \
             or its bounds; the disjunct is not dropped and no answer is given",
            disjunct_name(index, total)
        ))),
        Occupancy::Undecided(_) => Ok(None),
    }
}

/// Refuses a disjunct whose input region is empty only because of strict
/// comparisons, or so thin that no input meets them by more than the
/// tolerance (an LP cannot tell those apart): over its closure the MILP
/// would answer, and `unsat` of an empty region says nothing about the
/// network. See [`region_lp::strict_margin`].
fn check_strict_room(d: &Disjunct, opts: &VerifyOptions) -> Result<(), VerifyError> {
    if !region_lp::strictness_matters(d) {
        return Ok(());
    }
    match region_lp::strict_margin(d, opts)? {
        Some(margin) if margin < opts.tolerance => Err(VerifyError::Region(format!(
            "no input meets its strict comparisons by more than the tolerance {} (the largest margin is {:.1e}): \
             its input region is empty, or too thin to verify",
            opts.tolerance,
            margin.max(0.0)
        ))),
        _ => Ok(()),
    }
}

/// Prefixes region and magnitude errors with the disjunct they are about.
fn in_disjunct(index: usize, total: usize) -> impl Fn(VerifyError) -> VerifyError {
    move |e| match e {
        VerifyError::Region(m) => VerifyError::Region(format!("{}: {m}", disjunct_name(index, total))),
        VerifyError::Magnitude(m) => VerifyError::Magnitude(format!("{}: {m}", disjunct_name(index, total))),
        other => other,
    }
}

/// The error for a property that no input satisfies: every disjunct dropped.
fn empty_property(dropped: &[DroppedDisjunct], total: usize) -> VerifyError {
    let first = &dropped[0];
    let what = if total == 1 {
        "the property's input region is empty".to_string()
    } else {
        format!("every one of the property's {total} disjuncts has an empty input region")
    };
    VerifyError::Region(format!(
        "{what} ({}: {}); no input satisfies it, so there is nothing to verify",
        disjunct_name(first.index, total),
        first.reason
    ))
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

/// The size of the values a disjunct's rows are about, for its
/// [`proof_margin`]: the largest over its rows of `|rhs| + Σ |b|·|y| +
/// Σ |a|·|x|`, with `y` and `x` at the largest magnitude `bounds` (proven
/// bounds of the region the proof is about) allow.
fn disjunct_magnitude(d: &Disjunct, bounds: &Bounds) -> f64 {
    let ob = bounds.ops.last().unwrap_or(&bounds.input);
    let reach = |b: &bounds::Interval, i: usize| b.lower[i].abs().max(b.upper[i].abs());
    d.constraints
        .iter()
        .map(|c| {
            c.rhs.abs()
                + c.outputs.iter().map(|&(j, b)| b.abs() * reach(ob, j)).sum::<f64>()
                + c.inputs
                    .iter()
                    .map(|&(i, a)| a.abs() * reach(&bounds.input, i))
                    .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// The MILP of disjunct `d` over `region` (its box, or a part of it) with
/// big-M constants from `bounds`, and its slack column `t`: maximize `t`
/// subject to `a·x + b·y + t ≤ rhs` for every row.
fn disjunct_milp(net: &ReluNet, d: &Disjunct, region: &Region, bounds: &Bounds) -> (Encoding, Col) {
    let mut enc = encode(net, region, bounds, net.ops.len());
    let out = enc.outputs().to_vec();
    let t = enc.model.add_col(f64::NEG_INFINITY, 1.0, 0.0, VarType::Continuous);
    for c in &d.constraints {
        let terms = c
            .inputs
            .iter()
            .map(|&(i, a)| (enc.inputs[i], a))
            .chain(c.outputs.iter().map(|&(j, b)| (out[j], b)))
            .chain(std::iter::once((t, 1.0)));
        encode::add_row_kept(&mut enc.model, f64::NEG_INFINITY, c.rhs, terms);
    }
    // A strict side of the box is a slack row too, so that a witness
    // (t > 0) lies strictly inside it; on the closed box these slacks are
    // ≥ 0, so they never push t below 0 and an unsat proof stands.
    for (i, &x) in enc.inputs.clone().iter().enumerate() {
        if d.lower_strict[i] && region.lower[i] <= d.lower[i] {
            encode::add_row_kept(&mut enc.model, d.lower[i], f64::INFINITY, [(x, 1.0), (t, -1.0)]);
        }
        if d.upper_strict[i] && region.upper[i] >= d.upper[i] {
            encode::add_row_kept(&mut enc.model, f64::NEG_INFINITY, d.upper[i], [(x, 1.0), (t, 1.0)]);
        }
    }
    (enc, t)
}

/// Solves the MILP of one part of input splitting's tree (a small box with
/// its own bounds): closed when the dual bound is below minus `margin`, a
/// witness when the incumbent replays, otherwise open.
fn part_milp(
    net: &ReluNet,
    d: &Disjunct,
    part: &Region,
    bounds: &Bounds,
    margin: f64,
    seconds: f64,
    opts: &VerifyOptions,
) -> Result<input_split::PartVerdict, VerifyError> {
    let (enc, t) = disjunct_milp(net, d, part, bounds);
    let res = solve_until(
        &enc,
        &[(t, 1.0)],
        Sense::Maximize,
        opts,
        seconds,
        (opts.tolerance, -margin),
    )?;
    if let Some(sol) = res.solution.as_ref() {
        let x = part.clamp(&enc.inputs.iter().map(|c| sol[c.index()]).collect::<Vec<_>>());
        let y = net.forward(&x);
        if d.holds(&x, &y, 1e-9) {
            return Ok(input_split::PartVerdict::Witness(x, y));
        }
    }
    Ok(match res.dual_bound {
        Some(b) if b < -margin => input_split::PartVerdict::Closed { slack_bound: b },
        _ => input_split::PartVerdict::Open,
    })
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
        let interval = interval_bounds(net, region);
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
            let accept = |x: &[f64], y: &[f64]| d.holds(x, y, 0.0);
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
            if hit.is_some() {
                witness = hit;
                found_by = "attack";
                break;
            }
        }
    }
    let mut infeasible = 0;
    // Bounds per input region: disjuncts that share a box (and input rows)
    // compute them once.
    let mut prepared: Vec<(Region, Bounds, Vec<StageReport>)> = Vec::new();
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
                part_milp(net, d, &part, b, margin, left.min(input_split::PART_MILP_SECONDS), opts)
            };
            let (outcome, rep) = split_inputs(net, d, &margin_of, &mut milp_of, deadline, opts.interrupt.as_ref())?;
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
                bounds: Vec::new(),
                binaries: 0,
                seconds: clock.elapsed().as_secs_f64() - start,
            });
            break;
        }
        let key = |r: &Region| {
            (
                r.lower.clone(),
                r.upper.clone(),
                r.constraints
                    .iter()
                    .filter(|c| c.outputs.is_empty())
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        };
        let cached = prepared.iter().position(|(r, _, _)| key(r) == key(region));
        let (bounds, stages) = match cached {
            Some(p) => {
                let mut stages = prepared[p].2.clone();
                for s in &mut stages {
                    s.seconds = 0.0;
                    s.lps_solved = 0;
                    s.stage = "cached";
                }
                (prepared[p].1.clone(), stages)
            }
            None => {
                // LP tightening within what the disjunct has left.
                let capped = VerifyOptions {
                    tighten_seconds: opts.tighten_seconds.min(own_left()),
                    ..opts.clone()
                };
                let (b, s) = prepare(net, region, &capped).map_err(in_disjunct(index, total))?;
                prepared.push((region.clone(), b.clone(), s.clone()));
                (b, s)
            }
        };
        // The MILP's values range within the prepared bounds.
        let margin = proof_margin(opts.tolerance, disjunct_magnitude(d, &bounds));
        let (enc, t) = disjunct_milp(net, d, region, &bounds);
        let replay = |res: &SolveResult| -> Option<(Vec<f64>, Vec<f64>)> {
            let sol = res.solution.as_ref()?;
            let x = region.clamp(&enc.inputs.iter().map(|c| sol[c.index()]).collect::<Vec<_>>());
            let y = net.forward(&x);
            d.holds(&x, &y, 1e-9).then_some((x, y))
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
        found_by = if disjuncts.iter().all(|d| d.method == "input-split") {
            "input-split"
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
        seconds: clock.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ball_s_corners_lie_within_eps_of_its_centre() {
        // 0.9 − 0.2 rounds to 0.7, and 0.9 − 0.7 > 0.2 in f64.
        let (x, eps) = (std::hint::black_box(0.9f64), std::hint::black_box(0.2f64));
        assert!(x - (x - eps) > eps, "the rounding this test is about");
        for (x, eps) in [(0.9, 0.2), (0.1, 0.3), (-0.9, 0.2), (1e-300, 1e-300), (3.0, 0.0)] {
            let r = Region::ball(&[x], eps, None);
            assert!((x - r.lower[0]).abs() <= eps, "{x} {eps} {}", r.lower[0]);
            assert!((r.upper[0] - x).abs() <= eps, "{x} {eps} {}", r.upper[0]);
            assert!(r.lower[0] <= x && x <= r.upper[0]);
        }
    }

    #[test]
    fn options_that_would_make_a_proof_meaningless_are_refused() {
        let mut o = VerifyOptions::new(std::sync::Arc::new(mipnet_highs::HighsSolver));
        o.tolerance = 0.0;
        assert!(o.check().unwrap_err().to_string().contains("tolerance"));
        o.tolerance = DEFAULT_TOLERANCE;
        o.split_share = f64::NAN;
        assert!(o.check().unwrap_err().to_string().contains("share"));
    }

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
            bounds: Vec::new(),
            binaries: 0,
            seconds: 0.0,
        }
    }

    #[test]
    fn an_infeasible_milp_drops_a_disjunct_only_when_its_region_is_empty() {
        let opts = VerifyOptions::new(Arc::new(mipnet_highs::HighsSolver));
        let unit = Region::boxed(vec![0.0, 0.0], vec![1.0, 1.0]);
        // The region holds inputs: an infeasible MILP over it is a bug.
        let err = confirm_empty(1, 3, &unit, &opts).unwrap_err();
        assert!(matches!(err, VerifyError::Check(_)), "{err}");
        assert_eq!(
            err.to_string(),
            "check failed: disjunct 2 of 3: HiGHS calls the property's MILP infeasible, but an LP over the \
             disjunct's input box and input constraints alone holds an input, so the infeasibility comes from \
             the network's encoding or its bounds; the disjunct is not dropped and no answer is given"
        );
        // x0 + x1 ≥ 3 in the unit box: no input, dropped.
        let mut empty = unit.clone();
        empty.constraints.push(Linear {
            inputs: vec![(0, -1.0), (1, -1.0)],
            outputs: vec![],
            rhs: -3.0,
            strict: false,
        });
        let drop = confirm_empty(1, 3, &empty, &opts).unwrap().unwrap();
        assert_eq!(drop.index, 1);
        assert!(drop
            .reason
            .starts_with("its input constraints leave no input in its box"));
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
