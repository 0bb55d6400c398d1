//! The run's trace: when each better certified network was found (and by
//! which step), and when each better proven lower bound was — what
//! `report.json`'s `trace` holds and `mipnet plot` / `plot_progress` draw.
//!
//! A point is recorded only when it improves on the last: the incumbent
//! never rises and the bound never falls along the trace (the trace keeps
//! the best so far, so both are monotone by construction, and a test holds
//! them to it).

use crate::events::Step;
use serde::Serialize;

/// One point of the trace: the best certified objective and the best
/// proven lower bound at `seconds` after the run started.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TracePoint {
    pub seconds: f64,
    /// What produced the change: a step of the pipeline (`polish`, `lns`,
    /// `mip`, …) for a new network, a bound method (`lipschitz-margin`,
    /// `path-norm`, `highs-mip`) for a new bound.
    pub stage: String,
    /// The best certified objective after this point (none before the
    /// first network).
    pub incumbent: Option<f64>,
    /// The best proven lower bound after this point (none before the first).
    pub bound: Option<f64>,
}

/// The trace as it is recorded.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    points: Vec<TracePoint>,
    incumbent: Option<f64>,
    bound: Option<f64>,
}

impl Trace {
    /// A certified network of objective `objective` found by `step`; kept
    /// when it is below the incumbent.
    pub fn network(&mut self, seconds: f64, step: Step, objective: f64) {
        if self.incumbent.is_none_or(|b| objective < b) {
            self.incumbent = Some(objective);
            self.push(seconds, step.as_str());
        }
    }

    /// A proven lower bound `bound` from `method`; kept when it is above
    /// the best so far.
    pub fn bound(&mut self, seconds: f64, method: &str, bound: f64) {
        if bound.is_finite() && self.bound.is_none_or(|b| bound > b) {
            self.bound = Some(bound);
            self.push(seconds, method);
        }
    }

    fn push(&mut self, seconds: f64, stage: &str) {
        self.points.push(TracePoint {
            seconds,
            stage: stage.to_string(),
            incumbent: self.incumbent,
            bound: self.bound,
        });
    }

    pub fn into_points(self) -> Vec<TracePoint> {
        self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_improvements_are_points_and_both_series_are_monotone() {
        let mut t = Trace::default();
        t.network(0.1, Step::Polish, 3.0);
        t.network(0.2, Step::Search, 3.5); // worse: not a point
        t.bound(0.3, "lipschitz-margin", 1.0);
        t.bound(0.4, "path-norm", 0.5); // lower: not a point
        t.network(0.5, Step::Lns, 2.0);
        t.bound(0.6, "highs-mip", f64::NAN); // not a bound
        t.bound(0.7, "highs-mip", 1.5);
        let p = t.into_points();
        let stages: Vec<&str> = p.iter().map(|p| p.stage.as_str()).collect();
        assert_eq!(stages, ["polish", "lipschitz-margin", "lns", "highs-mip"]);
        assert_eq!(p[1].incumbent, Some(3.0));
        assert_eq!(p[3].incumbent, Some(2.0));
        assert_eq!(p[3].bound, Some(1.5));
        assert_eq!(p[0].bound, None);
    }
}
