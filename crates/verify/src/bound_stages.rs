//! Bounds in stages for a region (interval arithmetic, back-substitution,
//! LP tightening), and a cache of them per input region, so that disjuncts
//! that share a box (and input rows) compute them once.

use crate::bounds::{interval_bounds, interval_report, Bounds, StageReport};
use crate::lp_tightening::tighten_lp;
use crate::{limits, linear_bounds, Region, VerifyError, VerifyOptions};
use mipnet_network::ReluNet;
use mipnet_vnnlib::Linear;
use std::time::Instant;

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
    let mut stages = vec![interval_report(net, &bounds, clock.elapsed().as_secs_f64())];
    if opts.linear_bounds && bounds.unstable(net).0 > 0 {
        let start = clock.elapsed().as_secs_f64();
        linear_bounds::tighten_linear(net, &mut bounds);
        let mut stage = interval_report(net, &bounds, clock.elapsed().as_secs_f64() - start);
        stage.stage = "linear";
        stages.push(stage);
    }
    // The big-M constants: checked once the bounds are as tight as
    // back-substitution makes them, before an LP or MILP holds them.
    limits::check_bounds(net, &bounds)?;
    if opts.lp_tightening && bounds.unstable(net).0 > 0 {
        stages.push(tighten_lp(net, region, &mut bounds, opts.tighten_seconds, opts)?);
    }
    Ok((bounds, stages))
}

/// Bounds already computed, per input region: its box and its input-only
/// rows (rows that mention outputs do not change the bounds).
#[derive(Default)]
pub struct BoundCache {
    entries: Vec<(RegionKey, Bounds, Vec<StageReport>)>,
}

/// What the bounds of a region depend on: its box and its input-only rows.
type RegionKey = (Vec<f64>, Vec<f64>, Vec<Linear>);

fn key(r: &Region) -> RegionKey {
    (
        r.lower.clone(),
        r.upper.clone(),
        r.constraints.iter().filter(|c| c.outputs.is_empty()).cloned().collect(),
    )
}

impl BoundCache {
    /// The bounds of `region`: from the cache (its stage reports marked
    /// `cached`, with no time and no LPs), or [`prepare`]d and kept.
    pub fn get_or_prepare(
        &mut self,
        net: &ReluNet,
        region: &Region,
        opts: &VerifyOptions,
    ) -> Result<(Bounds, Vec<StageReport>), VerifyError> {
        let k = key(region);
        if let Some((_, bounds, stages)) = self.entries.iter().find(|(e, _, _)| *e == k) {
            let mut stages = stages.clone();
            for s in &mut stages {
                s.seconds = 0.0;
                s.lps_solved = 0;
                s.stage = "cached";
            }
            return Ok((bounds.clone(), stages));
        }
        let (bounds, stages) = prepare(net, region, opts)?;
        self.entries.push((k, bounds.clone(), stages.clone()));
        Ok((bounds, stages))
    }
}
