//! The largest certified robustness radius, by bisection over ε.

use crate::robustness::{check_in_domain, robustness, Counterexample, RobustnessReport, Verdict};
use crate::{VerifyError, VerifyOptions};
use mipnet_network::ReluNet;
use serde::Serialize;
use std::time::Instant;

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
