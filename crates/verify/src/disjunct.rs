//! One disjunct of a property: its name in messages, why its input
//! region may be empty (and the LP that confirms it), its proof margin's
//! magnitude, and its MILP over its box or a part of it.

use crate::bounds::{self, Bounds};
use crate::encode::{self, encode, Encoding};
use crate::input_split;
use crate::property::DroppedDisjunct;
use crate::region_lp::{self, Occupancy};
use crate::solve::solve_until;
use crate::witness::{WitnessRule, MILP_REPLAY_TOLERANCE};
use crate::{Region, VerifyError, VerifyOptions};
use mipnet_milp::{Col, Sense, VarType};
use mipnet_network::ReluNet;
use mipnet_vnnlib::Disjunct;

/// "disjunct 2 of 3" in messages (1-based, as a person counts).
pub(crate) fn disjunct_name(index: usize, total: usize) -> String {
    format!("disjunct {} of {total}", index + 1)
}

/// Why no input satisfies `d`'s box, if none does.
pub(crate) fn empty_box(d: &Disjunct) -> Option<String> {
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
pub(crate) fn confirm_empty(
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
pub(crate) fn check_strict_room(d: &Disjunct, opts: &VerifyOptions) -> Result<(), VerifyError> {
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
pub(crate) fn in_disjunct(index: usize, total: usize) -> impl Fn(VerifyError) -> VerifyError {
    move |e| match e {
        VerifyError::Region(m) => VerifyError::Region(format!("{}: {m}", disjunct_name(index, total))),
        VerifyError::Magnitude(m) => VerifyError::Magnitude(format!("{}: {m}", disjunct_name(index, total))),
        other => other,
    }
}

/// The error for a property that no input satisfies: every disjunct dropped.
pub(crate) fn empty_property(dropped: &[DroppedDisjunct], total: usize) -> VerifyError {
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
/// The size of the values a disjunct's rows are about, for its
/// [`proof_margin`]: the largest over its rows of `|rhs| + Σ |b|·|y| +
/// Σ |a|·|x|`, with `y` and `x` at the largest magnitude `bounds` (proven
/// bounds of the region the proof is about) allow.
pub(crate) fn disjunct_magnitude(d: &Disjunct, bounds: &Bounds) -> f64 {
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
pub(crate) fn disjunct_milp(net: &ReluNet, d: &Disjunct, region: &Region, bounds: &Bounds) -> (Encoding, Col) {
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
/// witness when the incumbent passes `rule`, otherwise open.
pub(crate) fn part_milp(
    net: &ReluNet,
    rule: &WitnessRule,
    part: &Region,
    bounds: &Bounds,
    margin: f64,
    seconds: f64,
    opts: &VerifyOptions,
) -> Result<input_split::PartVerdict, VerifyError> {
    let d = rule.disjunct;
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
        if let Some((x, y)) = rule.replay(&x, MILP_REPLAY_TOLERANCE) {
            return Ok(input_split::PartVerdict::Witness(x, y));
        }
    }
    Ok(match res.dual_bound {
        Some(b) if b < -margin => input_split::PartVerdict::Closed { slack_bound: b },
        _ => input_split::PartVerdict::Open,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_vnnlib::Linear;
    use std::sync::Arc;

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
}
