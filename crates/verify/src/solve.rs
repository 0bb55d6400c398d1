//! One MILP solve of a verification question, stopped as soon as its
//! answer is settled, and the clock arithmetic every question shares.

use crate::encode::Encoding;
use crate::{VerifyError, VerifyOptions};
use mipnet_milp::{Col, Sense};
use mipnet_solver::{Control, Progress, SolveOptions, SolveRequest, SolveResult};
use std::time::{Duration, Instant};

/// Solves `enc` with `terms` as objective, stopping as soon as the answer is
/// settled: an incumbent above `stop_above`, or a dual bound below
/// `stop_below`.
pub(crate) fn solve_until(
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

pub(crate) fn time_left(clock: &Instant, opts: &VerifyOptions) -> f64 {
    opts.solve.time_limit.unwrap_or(f64::INFINITY) - clock.elapsed().as_secs_f64()
}

/// The instant `seconds` from now (far in the future for an unlimited or
/// huge budget; now for a negative one).
pub(crate) fn deadline_after(seconds: f64) -> Instant {
    let now = Instant::now();
    // A year stands for "no limit" (Instant cannot hold infinity).
    const NO_LIMIT: f64 = 365.0 * 86400.0;
    now + Duration::from_secs_f64(seconds.clamp(0.0, NO_LIMIT))
}
