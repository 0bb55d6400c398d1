//! Certified ranges of every output over an input region: one MILP per
//! end, witnesses replayed and checked against the proven range.

use crate::bound_stages::prepare;
use crate::bounds::StageReport;
use crate::encode::encode;
use crate::solve::solve_until;
use crate::{Region, VerifyError, VerifyOptions};
use mipnet_milp::Sense;
use mipnet_network::ReluNet;
use mipnet_solver::Status;
use serde::Serialize;
use std::time::Instant;

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
