//! LP-based bound tightening: each unstable ReLU input's minimum and
//! maximum over the LP relaxation of the network before it.

use crate::bounds::{propagate_from, Bounds, StageReport};
use crate::encode::encode;
use crate::lp_certificate::CertifyingLp;
use crate::Region;
use crate::VerifyOptions;
use mipnet_milp::Sense;
use mipnet_network::{Op, ReluNet};
use mipnet_solver::{SolveOptions, SolverError, Status};
use std::time::Instant;

/// Stage 2: the minimum and maximum of each unstable ReLU input over the LP
/// relaxation of the network before it (with the tightened bounds of the
/// layers before, and the region's input constraints), layer by layer, one
/// warm-started LP for all questions of a layer. Stops at `budget` seconds;
/// bounds found until then are kept (every bound is valid on its own).
pub fn tighten_lp(
    net: &ReluNet,
    region: &Region,
    bounds: &mut Bounds,
    budget: f64,
    opts: &VerifyOptions,
) -> Result<StageReport, SolverError> {
    let interrupt = opts.interrupt.as_ref();
    let clock = Instant::now();
    let mut lps = 0;
    let mut stopped_early = false;
    // One thread per LP: they are small and many.
    let lp_options = SolveOptions {
        time_limit: None,
        relative_gap: None,
        threads: Some(1),
        ..opts.solve.clone()
    };
    'layers: for k in 1..net.ops.len() {
        if !matches!(net.ops[k], Op::Relu) {
            continue;
        }
        let pre = k - 1;
        let unstable: Vec<usize> = (0..bounds.ops[pre].lower.len())
            .filter(|&i| bounds.ops[pre].lower[i] < 0.0 && bounds.ops[pre].upper[i] > 0.0)
            .collect();
        if unstable.is_empty() {
            continue;
        }
        let enc = encode(net, region, bounds, k);
        let mut lp = opts.solver.relaxation(&enc.model, &lp_options)?;
        let mut cert = CertifyingLp::new(&enc.model);
        let cols = &enc.values[pre];
        for i in unstable {
            let interrupted = interrupt.is_some_and(|f| f.is_raised());
            if clock.elapsed().as_secs_f64() > budget || interrupted {
                stopped_early = true;
                propagate_from(net, bounds, k);
                break 'layers;
            }
            // The LP's optimal value is not a certificate (it is exact only
            // up to the solver's tolerances, times the multipliers and box
            // widths): each bound is recomputed from the LP's multipliers in
            // f64 and rounded outward. Without a certificate the bound
            // already known (interval/back-substitution) is kept.
            let hi = lp.optimize(&[(cols[i], 1.0)], Sense::Maximize)?;
            lps += 1;
            if hi.status == Status::Infeasible {
                // The region itself is empty; nothing more to learn here.
                break 'layers;
            }
            if let Some(v) = hi.row_duals.as_deref().and_then(|y| cert.certified_max(cols[i], y)) {
                let u = &mut bounds.ops[pre].upper[i];
                *u = u.min(v);
            }
            if bounds.ops[pre].upper[i] > 0.0 {
                let lo = lp.optimize(&[(cols[i], 1.0)], Sense::Minimize)?;
                lps += 1;
                if let Some(v) = lo.row_duals.as_deref().and_then(|y| cert.certified_min(cols[i], y)) {
                    let l = &mut bounds.ops[pre].lower[i];
                    *l = l.max(v);
                }
            }
            lp.set_col_bounds(cols[i], bounds.ops[pre].lower[i], bounds.ops[pre].upper[i])?;
            cert.set_col_bounds(cols[i], bounds.ops[pre].lower[i], bounds.ops[pre].upper[i]);
        }
        propagate_from(net, bounds, k);
    }
    let (unstable_relus, mean_big_m) = bounds.unstable(net);
    Ok(StageReport {
        stage: "lp",
        unstable_relus,
        mean_big_m,
        lps_solved: lps,
        seconds: clock.elapsed().as_secs_f64(),
        stopped_early,
    })
}
