//! Fairness between groups (any number of classes): a binary e_n per
//! training sample in the groups, exactly 1 when the sample is not
//! "counted" (error rate: its true class not beating every other by the
//! margin; positive rate: the positive class not beating every other by
//! the margin), both directions written (with more than two classes the
//! "not counted" side picks the class that comes within the margin by
//! binaries z_{nk}, Σ_k z_{nk} = e_n), and for every
//! ordered pair of groups (g, h) the counts E_g = Σ_{n∈g} e_n kept within
//! the gap: E_g·n_h − E_h·n_g ≤ ⌊δ·n_g·n_h⌋ (see the module docs).

use super::class_recall::meets_margin;
use crate::formulation::{margin_rows, DenseFormulation};
use crate::layout::RuleCols;
use crate::tolerances::{BINARY_THRESHOLD, START_TOLERANCE};
use mipnet_data::Dataset;
use mipnet_milp::{Col, Model};
use mipnet_network::Network;
use serde::{Deserialize, Serialize};

/// What a fairness rule compares between the groups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FairnessMeasure {
    /// The share of each group's samples misclassified (the true class's
    /// score not beating the other's by the margin).
    #[default]
    ErrorRate,
    /// The share of each group's samples predicted as the positive class
    /// (its score beating the other's by the margin).
    PositiveRate,
}

/// Which group each training sample is in, and the groups' names.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMembers {
    /// In words, e.g. `alcohol ≤ 13` or `sex = 1`.
    pub names: Vec<String>,
    /// The group of each training sample, in the data's order.
    pub of_sample: Vec<usize>,
}

/// Most groups a column without a threshold may give (one per distinct
/// value): a column with more is continuous, and a rule over every pair
/// of dozens of groups is not what was meant; give a threshold instead.
pub const MAX_GROUPS: usize = 8;

/// A sample counted as missed (or not positive) by the MILP has its lead
/// at most margin − this. The forward pass counts a sample as met when
/// its lead is at least margin − 1e-7 (`MARGIN_MET`), and a solver meets
/// the rows to ~1e-7 times their scale, so without a band between the two
/// a sample the MILP calls missed could be met by the forward pass; 1e-4
/// is far above that rounding and far below any margin of use.
pub const DECISION_BAND: f64 = 1e-4;

/// Most decimal places of a gap worked with exactly: 10^38 still fits a
/// u128. A gap that needs more (shortest decimal) is below 1e-21, since an
/// f64 has at most 17 significant digits, and then δ·pairs < 1 for any
/// pairs < 2^64: the floor is 0.
const MAX_GAP_DECIMALS: usize = 38;

/// ⌊δ·pairs⌋ exactly, for δ ∈ [0, 1] taken as the decimal it is written
/// as (the shortest decimal that reads back as the same f64, what the
/// configuration and network.json hold): δ = d/10^k, and ⌊d·pairs/10^k⌋
/// in integers. So 0.0999999 over 10·10 allows 9 (never 10), and 0.3
/// allows 30 although the f64 nearest 0.3 lies below it. The one rounding
/// of the fairness rows: the MILP, the certificate's check and the
/// trainer's repair all use it.
pub fn allowed_gap_count(max_gap: f64, pairs: usize) -> u64 {
    assert!(
        (0.0..=1.0).contains(&max_gap),
        "a fairness gap is in [0, 1] (checked when the rule is read), got {max_gap}"
    );
    // Display prints an f64's shortest round-trip decimal, never in
    // exponent form.
    let written = format!("{max_gap}");
    let (whole, fraction) = written.split_once('.').unwrap_or((&written, ""));
    if fraction.len() > MAX_GAP_DECIMALS {
        return 0;
    }
    let digits: u128 = format!("{whole}{fraction}")
        .parse()
        .expect("an f64's decimal is digits and one point");
    let floor = digits * pairs as u128 / 10u128.pow(fraction.len() as u32);
    u64::try_from(floor).expect("δ ≤ 1, so ⌊δ·pairs⌋ ≤ pairs")
}

/// The groups of column `column` of `data` (raw values): two groups
/// split at `threshold` (value ≤ t, value > t), or one per distinct value
/// (at most [`MAX_GROUPS`]). Refuses an unknown column, and a split that
/// leaves a group without samples.
pub fn group_members(column: &str, threshold: Option<f64>, data: &Dataset) -> Result<GroupMembers, String> {
    let i = super::resolve::feature_index(data, column)?;
    let values: Vec<f64> = (0..data.len()).map(|n| data.row(n)[i]).collect();
    let members = match threshold {
        Some(t) => GroupMembers {
            names: vec![format!("{column} ≤ {t}"), format!("{column} > {t}")],
            of_sample: values.iter().map(|&v| usize::from(v > t)).collect(),
        },
        None => {
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            if distinct.len() > MAX_GROUPS {
                return Err(format!(
                    "the group column \"{column}\" has {} distinct values in the training data (at most {MAX_GROUPS} groups): give a threshold",
                    distinct.len()
                ));
            }
            GroupMembers {
                names: distinct.iter().map(|v| format!("{column} = {v}")).collect(),
                of_sample: values
                    .iter()
                    .map(|v| distinct.iter().position(|d| d == v).expect("a value of the column"))
                    .collect(),
            }
        }
    };
    let sizes = members.sizes();
    if let Some(g) = sizes.iter().position(|&s| s == 0) {
        return Err(format!("the group {} has no training samples", members.names[g]));
    }
    if sizes.len() < 2 {
        return Err(format!(
            "the group column \"{column}\" gives one group only ({}): a fairness rule needs two",
            members.names[0]
        ));
    }
    Ok(members)
}

impl GroupMembers {
    /// The number of training samples in each group.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.names.len()];
        self.of_sample.iter().for_each(|&g| sizes[g] += 1);
        sizes
    }
}

/// A fairness rule resolved against the data.
#[derive(Clone, Debug)]
pub(crate) struct ResolvedFairness {
    pub(crate) members: GroupMembers,
    /// The positive class (positive rate), none for the error rate.
    pub(crate) positive: Option<usize>,
    pub(crate) max_gap: f64,
    pub(crate) margin: f64,
}

impl ResolvedFairness {
    /// The class whose lead sample `n` (label `y`) is counted by.
    fn class_of(&self, y: usize) -> usize {
        self.positive.unwrap_or(y)
    }

    /// The largest E_g·n_h − E_h·n_g allowed: ⌊δ·n_g·n_h⌋, exactly.
    fn allowed(&self, n_g: usize, n_h: usize) -> f64 {
        allowed_gap_count(self.max_gap, n_g * n_h) as f64
    }
}

/// Adds the rule's miss binaries, with more than two classes their
/// beaten-by binaries, and the rows.
pub(super) fn add(f: &mut DenseFormulation, r: &ResolvedFairness) -> RuleCols {
    let classes = f.data().num_classes();
    let mut missed = Vec::with_capacity(f.data().len());
    let mut beaten = Vec::new();
    for n in 0..f.data().len() {
        let c = r.class_of(f.data().label(n));
        let bound = f.output_bound(n);
        let outputs: Vec<_> = (0..classes).map(|k| f.output_terms(n, k)).collect();
        let e = f.model.add_binary(0.0);
        // e = 0 ⇒ o_c − o_k ≥ μ for every k (M = 2U + μ).
        margin_rows(&mut f.model, &outputs, c, r.margin, Some((e, 2.0 * bound + r.margin)));
        // e = 1 ⇒ o_c − o_k ≤ μ − band for some k:
        // o_c − o_k + M'·z_k ≤ μ − band + M', with z_k = e for the one
        // other class of two, else Σ_k z_k = e.
        let big = 2.0 * bound + r.margin.abs() + DECISION_BAND;
        if classes == 2 {
            missed_row(&mut f.model, &outputs, c, 1 - c, r.margin, Some((e, big)));
        } else {
            let zs: Vec<(usize, Col)> = (0..classes)
                .filter(|&k| k != c)
                .map(|k| (k, f.model.add_binary(0.0)))
                .collect();
            for &(k, z) in &zs {
                missed_row(&mut f.model, &outputs, c, k, r.margin, Some((z, big)));
            }
            let pick = zs.iter().map(|&(_, z)| (z, 1.0)).chain([(e, -1.0)]);
            f.model.add_row(0.0, 0.0, pick);
            beaten.push(zs);
        }
        missed.push((n, e));
    }
    let sizes = r.members.sizes();
    for g in 0..sizes.len() {
        for h in (0..sizes.len()).filter(|&h| h != g) {
            let row = missed.iter().filter_map(|&(n, e)| {
                let group = r.members.of_sample[n];
                (group == g)
                    .then_some((e, sizes[h] as f64))
                    .or_else(|| (group == h).then_some((e, -(sizes[g] as f64))))
            });
            f.model.add_row(f64::NEG_INFINITY, r.allowed(sizes[g], sizes[h]), row);
        }
    }
    RuleCols::Fairness { missed, beaten }
}

/// o_c − o_k + M·z ≤ μ − band + M for class k ≠ c: with z = 1 the
/// sample's lead of c over k is at most μ − band. With `z` none, demanded
/// outright (the polish LP, where the binaries are fixed).
pub(super) fn missed_row(
    m: &mut Model,
    outputs: &[Vec<(Col, f64)>],
    c: usize,
    k: usize,
    margin: f64,
    z: Option<(Col, f64)>,
) {
    let (row, big) = match z {
        Some((col, big)) => (crate::expr::diff_terms(&outputs[c], &outputs[k], (col, big)), big),
        None => {
            let mut row: Vec<(Col, f64)> = outputs[c].clone();
            row.extend(crate::expr::negated(&outputs[k]));
            (crate::expr::merge_terms(row), 0.0)
        }
    };
    m.add_row(f64::NEG_INFINITY, margin - DECISION_BAND + big, row);
}

/// The polish LP's rows of sample `n` for a fairness rule: a sample whose
/// miss binary is 0 in `x` leads by the margin over every class; one
/// whose binary is 1 leads class `beaten_by` (the one its binaries pick)
/// by at most the margin − the band.
pub(super) fn polish_rows(
    m: &mut Model,
    r: &ResolvedFairness,
    y: usize,
    outputs: &[Vec<(Col, f64)>],
    beaten_by: Option<usize>,
) {
    let c = r.class_of(y);
    match beaten_by {
        Some(k) => missed_row(m, outputs, c, k, r.margin, None),
        None => margin_rows(m, outputs, c, r.margin, None),
    }
}

/// The class a missed sample's binaries in `x` say leads it to within the
/// margin − the band: the other class of two, else the k whose z_{nk} is
/// 1. None for a sample the binaries count.
pub(super) fn beaten_by(
    x: &[f64],
    r: &ResolvedFairness,
    y: usize,
    e: Col,
    beaten: Option<&Vec<(usize, Col)>>,
) -> Option<usize> {
    if x[e.index()] <= BINARY_THRESHOLD {
        return None;
    }
    let c = r.class_of(y);
    match beaten {
        // Σ_k z_k = e = 1: the largest is the one at 1 (to rounding).
        Some(zs) if !zs.is_empty() => zs
            .iter()
            .max_by(|a, b| x[a.1.index()].total_cmp(&x[b.1.index()]))
            .map(|&(k, _)| k),
        _ => Some(1 - c),
    }
}

/// Whether `net` misses sample `n` of `data` for the rule (its class's
/// lead below the margin, by the forward pass), its lead, and the class
/// it leads least (the lowest index on ties).
fn lead(net: &Network, data: &Dataset, r: &ResolvedFairness, n: usize) -> (bool, f64, usize) {
    let o = net.scores_standardized(data.row(n));
    let c = r.class_of(data.label(n));
    let (closest, lead) =
        (0..o.len())
            .filter(|&k| k != c)
            .map(|k| (k, o[c] - o[k]))
            .fold(
                (c, f64::INFINITY),
                |best, (k, d)| if d < best.1 { (k, d) } else { best },
            );
    (!meets_margin(&o, c, r.margin), lead, closest)
}

/// The words that open a fairness rule's detail when the groups' rates by
/// the plain argmax (what `predict` answers) differ by more than δ: the
/// rule holds at its margin, not for the classes predict gives. The
/// trainer's summary looks for them to print a warning line.
pub const ARGMAX_GAP_WARNING: &str = "WARNING: by the plain argmax";

/// Whether the groups' rates on the training data differ by at most δ,
/// counted by the forward pass at the rule's margin (integers compared:
/// E_g·n_h − E_h·n_g), and in words: the per-group rates at the margin,
/// and beside them the plain argmax rates (predict's classes, the lowest
/// index on ties) and their gap, which the rule does not bound; when the
/// rule holds but that gap exceeds δ the detail opens with
/// [`ARGMAX_GAP_WARNING`].
pub(super) fn check(net: &Network, data: &Dataset, r: &ResolvedFairness) -> (bool, String) {
    let sizes = r.members.sizes();
    // Samples counted (correct, or predicted positive) at the margin, and
    // by the plain argmax.
    let mut counted = vec![0usize; sizes.len()];
    let mut counted_argmax = vec![0usize; sizes.len()];
    for n in 0..data.len() {
        let g = r.members.of_sample[n];
        if !lead(net, data, r, n).0 {
            counted[g] += 1;
        }
        let c = r.class_of(data.label(n));
        if mipnet_network::argmax(&net.scores_standardized(data.row(n))) == c {
            counted_argmax[g] += 1;
        }
    }
    let holds = (0..sizes.len()).all(|g| {
        (0..sizes.len()).filter(|&h| h != g).all(|h| {
            let missed_g = (sizes[g] - counted[g]) as f64;
            let missed_h = (sizes[h] - counted[h]) as f64;
            missed_g * sizes[h] as f64 - missed_h * sizes[g] as f64 <= r.allowed(sizes[g], sizes[h])
        })
    });
    // The argmax rates within δ, by the same exact integer comparison.
    let argmax_within = (0..sizes.len()).all(|g| {
        (0..sizes.len()).filter(|&h| h != g).all(|h| {
            let missed_g = (sizes[g] - counted_argmax[g]) as f64;
            let missed_h = (sizes[h] - counted_argmax[h]) as f64;
            missed_g * sizes[h] as f64 - missed_h * sizes[g] as f64 <= r.allowed(sizes[g], sizes[h])
        })
    });
    let what = match r.positive {
        None => "error rates",
        Some(c) => &format!("rates of predicting \"{}\"", data.class_names[c]),
    };
    // The shown rate of each group (errors, or positive predictions) and
    // the widest difference between two groups.
    let shown = |counted: &[usize]| -> (String, f64) {
        let counts: Vec<usize> = (0..sizes.len())
            .map(|g| match r.positive {
                None => sizes[g] - counted[g],
                Some(_) => counted[g],
            })
            .collect();
        let rates: Vec<f64> = (0..sizes.len()).map(|g| counts[g] as f64 / sizes[g] as f64).collect();
        let widest = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - rates.iter().copied().fold(f64::INFINITY, f64::min);
        let per_group: Vec<String> = (0..sizes.len())
            .map(|g| format!("{} {:.4} ({} of {})", r.members.names[g], rates[g], counts[g], sizes[g]))
            .collect();
        (per_group.join(", "), widest)
    };
    let (at_margin, gap) = shown(&counted);
    let (by_argmax, argmax_gap) = shown(&counted_argmax);
    // A broken rule says so already; the warning is for a rule that holds.
    let warning = if argmax_within || !holds {
        String::new()
    } else {
        format!(
            "{ARGMAX_GAP_WARNING} (predict's classes) the {what} differ by {argmax_gap:.4}, more than {}; the rule bounds the rates at margin {} only. ",
            r.max_gap, r.margin
        )
    };
    (
        holds,
        format!(
            "{warning}{what} on the training data at margin {}: {at_margin}; largest gap {gap:.4} (at most {}); by the plain argmax: {by_argmax}; gap {argmax_gap:.4}",
            r.margin, r.max_gap
        ),
    )
}

/// e_n = 1 exactly for the samples `net` misses, and z_{nk} = 1 for the
/// class k each of those leads least (more than two classes); refuses a
/// network with a sample inside the band (lead in (μ − band, μ)), which
/// no point of the model stands for.
pub(super) fn start(
    x: &mut [f64],
    missed: &[(usize, Col)],
    beaten: &[Vec<(usize, Col)>],
    net: &Network,
    data: &Dataset,
    r: &ResolvedFairness,
) -> Result<(), String> {
    for (i, &(n, e)) in missed.iter().enumerate() {
        let (miss, lead, closest) = lead(net, data, r, n);
        // An LP's vertex puts a sample on the band's edge, to rounding.
        if miss && lead > r.margin - DECISION_BAND + START_TOLERANCE {
            return Err(format!(
                "training sample {} leads by {lead}, inside the fairness rule's band below the margin {}",
                n + 1,
                r.margin
            ));
        }
        x[e.index()] = if miss { 1.0 } else { 0.0 };
        for &(k, z) in beaten.get(i).into_iter().flatten() {
            x[z.index()] = if miss && k == closest { 1.0 } else { 0.0 };
        }
    }
    Ok(())
}
