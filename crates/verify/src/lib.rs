//! Proving things about a trained ReLU network with a MILP solver:
//! robustness of a prediction in an ℓ∞ ball, the largest certified radius,
//! certified output ranges over an input box, and VNN-LIB properties.
//!
//! The network is embedded exactly ([`encode`](mod@encode)): inputs range over a box,
//! every ReLU and max-pool gets a big-M encoding whose constants come from
//! bounds computed first ([`bounds`]: interval arithmetic, then LP
//! tightening). The solver's *dual bound* is the proof; its *incumbent* is a
//! candidate counterexample, which counts only after it has been replayed
//! through the plain f64 forward pass and does what is claimed there too.
//!
//! What "proved" means: HiGHS works with tolerances (MIP feasibility 1e-6,
//! LP feasibility 1e-7), so a dual bound is exact only up to them. mipnet
//! therefore switches off HiGHS's gap-based pruning for these solves, calls
//! a prediction robust only when the proven bound on every other class's
//! margin is below `−tolerance` (1e-5 by default), and widens reported
//! output bounds by the same tolerance. This is the usual standard of
//! MILP-based verifiers; it is not a proof in exact arithmetic.
//!
//! What is refused rather than answered: numbers beyond
//! [`limits::MAX_MAGNITUDE`] anywhere in the model (inputs, ε, weights, the
//! big-M bounds), and input regions with no input at all (`unsat` is only
//! ever the conclusion of solved MILPs). Coefficients so small that HiGHS
//! would drop them are relaxed into their rows' bounds
//! ([`encode::add_row_kept`]).

pub mod bounds;
pub mod encode;
pub mod limits;
pub mod region_lp;

use bounds::{interval_bounds, interval_report, tighten_lp, Bounds, StageReport};
use encode::{encode, Encoding};
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
use std::time::Instant;
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

    /// The ℓ∞ ball of radius `eps` around `x`, clipped to `domain` when given.
    pub fn ball(x: &[f64], eps: f64, domain: Option<(f64, f64)>) -> Region {
        let (dl, du) = domain.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        Region::boxed(
            x.iter().map(|v| (v - eps).max(dl)).collect(),
            x.iter().map(|v| (v + eps).min(du)).collect(),
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
    /// Margin that separates a proof from a solver tolerance.
    pub tolerance: f64,
    pub interrupt: Option<InterruptFlag>,
}

impl VerifyOptions {
    /// The default effort with `solver`.
    pub fn new(solver: Arc<dyn VerifySolver>) -> Self {
        VerifyOptions {
            solver,
            solve: SolveOptions::default(),
            lp_tightening: true,
            tighten_seconds: 10.0,
            tolerance: 1e-5,
            interrupt: None,
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
    let (bounds, stages) = prepare(net, &region, opts)?;
    let enc = encode(net, &region, &bounds, net.ops.len());
    let out = enc.outputs().to_vec();
    let ob = bounds.ops.last().unwrap_or(&bounds.input);
    let tol = opts.tolerance;
    // Most dangerous classes first: a counterexample ends the search.
    let mut others: Vec<usize> = (0..out.len()).filter(|&k| k != predicted).collect();
    let interval_margin = |k: usize| ob.upper[k] - ob.lower[predicted];
    others.sort_by(|&a, &b| interval_margin(b).total_cmp(&interval_margin(a)));
    let mut classes = Vec::new();
    let mut counterexample = None;
    for k in others {
        let start = clock.elapsed().as_secs_f64();
        if interval_margin(k) < -tol {
            classes.push(ClassCheck {
                class: k,
                verdict: Verdict::Robust,
                margin_bound: Some(interval_margin(k)),
                best_margin: None,
                settled_by: "interval".into(),
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
        let mut res = solve_until(&enc, &terms, Sense::Maximize, opts, budget, (tol, -tol))?;
        if res.status == Status::Infeasible {
            return Err(VerifyError::Check(format!(
                "the MILP over the ball is infeasible though the input itself lies in it (class {k})"
            )));
        }
        let mut settled_by = res.status.as_str().to_string();
        let mut found = replay(&res);
        if found.is_none() && res.solution.is_some() && !res.dual_bound.is_some_and(|b| b < -tol) {
            // The incumbent that stopped the solve did not change the class
            // in f64 (a margin within the solver's tolerances): go on, and
            // stop only on a proof.
            let budget = time_left(&clock, opts);
            if budget > 0.0 && !opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
                res = solve_until(&enc, &terms, Sense::Maximize, opts, budget, (f64::INFINITY, -tol))?;
                found = replay(&res);
                settled_by = format!("{} (after an incumbent that did not replay)", res.status.as_str());
            }
        }
        let mut verdict = Verdict::Unknown;
        if let Some(c) = found {
            verdict = Verdict::NotRobust;
            counterexample = Some(c);
        }
        if verdict == Verdict::Unknown && res.dual_bound.is_some_and(|b| b < -tol) {
            verdict = Verdict::Robust;
        }
        classes.push(ClassCheck {
            class: k,
            verdict,
            margin_bound: res.dual_bound,
            best_margin: res.objective,
            settled_by,
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
    Ok(RobustnessReport {
        predicted,
        eps,
        verdict,
        counterexample,
        classes,
        bounds: stages,
        binaries: enc.binaries,
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
    /// The solve's status.
    pub status: String,
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

/// The property's answer. `unsat` is only ever the conclusion of solved
/// MILPs: every disjunct left is proven unsat by its own solve (a dual bound
/// below `−tolerance`), and there is at least one. Anything else claiming
/// `unsat` is a bug, refused here rather than printed.
fn conclude(
    witness_found: bool,
    checked: &[DisjunctCheck],
    to_check: usize,
    tolerance: f64,
) -> Result<Answer, VerifyError> {
    if witness_found {
        return Ok(Answer::Sat);
    }
    if checked.len() < to_check || checked.iter().any(|d| d.answer != Answer::Unsat) {
        return Ok(Answer::Unknown);
    }
    let proven = |d: &DisjunctCheck| d.slack_bound.is_some_and(|b| b < -tolerance);
    if checked.is_empty() || !checked.iter().all(proven) {
        return Err(VerifyError::Check(format!(
            "unsat without a proof: {} disjuncts solved, {} with a dual bound below −{tolerance}",
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
        limits::check_bounds(net, &interval_bounds(net, region)).map_err(in_disjunct(index, total))?;
        check_strict_room(d, opts).map_err(in_disjunct(index, total))?;
    }
    let clock = Instant::now();
    let tol = opts.tolerance;
    let mut disjuncts = Vec::new();
    let mut witness = None;
    let mut infeasible = 0;
    for (index, d, region) in &regions {
        let (index, region) = (*index, region);
        // The time limit is per disjunct.
        let own = Instant::now();
        let start = clock.elapsed().as_secs_f64();
        let (bounds, stages) = prepare(net, region, opts).map_err(in_disjunct(index, total))?;
        let mut enc = encode(net, region, &bounds, net.ops.len());
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
            if d.lower_strict[i] {
                encode::add_row_kept(&mut enc.model, d.lower[i], f64::INFINITY, [(x, 1.0), (t, -1.0)]);
            }
            if d.upper_strict[i] {
                encode::add_row_kept(&mut enc.model, f64::NEG_INFINITY, d.upper[i], [(x, 1.0), (t, 1.0)]);
            }
        }
        let replay = |res: &SolveResult| -> Option<(Vec<f64>, Vec<f64>)> {
            let sol = res.solution.as_ref()?;
            let x = region.clamp(&enc.inputs.iter().map(|c| sol[c.index()]).collect::<Vec<_>>());
            let y = net.forward(&x);
            d.holds(&x, &y, 1e-9).then_some((x, y))
        };
        let mut res = solve_until(
            &enc,
            &[(t, 1.0)],
            Sense::Maximize,
            opts,
            time_left(&own, opts),
            (tol, -tol),
        )?;
        let mut found = replay(&res);
        if found.is_none() && res.solution.is_some() && !res.dual_bound.is_some_and(|b| b < -tol) {
            // A witness within the solver's tolerances that fails in f64:
            // go on, and stop only on a proof.
            let budget = time_left(&own, opts);
            if budget > 0.0 && !opts.interrupt.as_ref().is_some_and(|f| f.is_raised()) {
                res = solve_until(&enc, &[(t, 1.0)], Sense::Maximize, opts, budget, (f64::INFINITY, -tol))?;
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
        } else if res.dual_bound.is_some_and(|b| b < -tol) {
            answer = Answer::Unsat;
        }
        disjuncts.push(DisjunctCheck {
            index,
            answer,
            slack_bound: res.dual_bound,
            best_slack: res.objective,
            status,
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
    let answer = conclude(witness.is_some(), &disjuncts, to_solve.len() - infeasible, tol)?;
    Ok(PropertyReport {
        answer,
        witness,
        disjuncts,
        dropped,
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
    fn unsat_needs_a_solved_milp_with_a_proof() {
        // Nothing solved, nothing to solve: never unsat.
        let e = conclude(false, &[], 0, 1e-5).unwrap_err();
        assert!(matches!(e, VerifyError::Check(_)), "{e}");
        assert_eq!(
            e.to_string(),
            "check failed: unsat without a proof: 0 disjuncts solved, 0 with a dual bound below −0.00001"
        );
        // An unsat disjunct without a dual bound below −tolerance is no proof.
        let weak = [solved(Answer::Unsat, Some(-1e-6))];
        assert!(matches!(conclude(false, &weak, 1, 1e-5), Err(VerifyError::Check(_))));
        // Proven disjuncts: unsat; one left unsolved or unknown: unknown; a witness: sat.
        let proof = solved(Answer::Unsat, Some(-0.5));
        assert_eq!(
            conclude(false, std::slice::from_ref(&proof), 1, 1e-5).unwrap(),
            Answer::Unsat
        );
        assert_eq!(
            conclude(false, std::slice::from_ref(&proof), 2, 1e-5).unwrap(),
            Answer::Unknown
        );
        let open = solved(Answer::Unknown, Some(0.1));
        assert_eq!(
            conclude(false, &[proof.clone(), open], 2, 1e-5).unwrap(),
            Answer::Unknown
        );
        assert_eq!(conclude(true, &[proof], 1, 1e-5).unwrap(), Answer::Sat);
    }
}
