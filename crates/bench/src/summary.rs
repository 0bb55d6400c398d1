//! The medians of a bench's rows: per case and split over the seeds
//! ([`CaseSummary`]), and per case over the splits ([`SplitsSummary`]: the
//! median of the per-split medians with their min and max). Rows an
//! interrupt ended early are left out.

use crate::instance::RunRow;
use crate::quantities::{PerQuantity, Quantity};
use mipnet_select::BaselineEntry;
use serde::Serialize;

/// The median of some values (the mean of the middle two for an even
/// count), NaN left out; NaN when nothing is left.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn median_opt(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().filter(|x| !x.is_nan()).collect();
    (!v.is_empty()).then(|| median(&v))
}

/// A method's median test accuracy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MethodAccuracy {
    pub method: String,
    pub test_accuracy: Option<f64>,
}

/// Medians of one case on one split over its seeds (finished runs only).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseSummary {
    pub dataset: String,
    pub arch: String,
    pub split_seed: u64,
    /// Finished runs (the medians' count), and runs an interrupt ended.
    pub runs: usize,
    pub interrupted_runs: usize,
    pub params_total: usize,
    /// Every quantity's median over the finished runs (none when no run
    /// has it).
    #[serde(flatten)]
    pub medians: PerQuantity<Option<f64>>,
    /// The pruning baselines' each method at the run's zero weights and at
    /// its parameters kept (test accuracy).
    pub at_equal_sparsity: Vec<MethodAccuracy>,
    pub at_equal_params_kept: Vec<MethodAccuracy>,
    /// With selection: each seed's chosen setting, in seed order.
    pub selected: Vec<mipnet_select::Setting>,
    pub certificates_passed: usize,
}

impl CaseSummary {
    /// The median of `q`; none when no run has it.
    pub fn median(&self, q: Quantity) -> Option<f64> {
        self.medians.get(q).copied().flatten()
    }
}

/// Median and range of one quantity over the splits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Over `values` (NaN left out); none when nothing is left.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        (!v.is_empty()).then(|| Spread {
            median: median(&v),
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// A method's test accuracy over the splits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MethodSpread {
    pub method: String,
    pub test_accuracy: Option<Spread>,
}

/// How often a setting was chosen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettingCount {
    pub setting: mipnet_select::Setting,
    pub runs: usize,
}

/// One case over the splits: each quantity's per-split medians (over the
/// seeds), their median and their min–max.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitsSummary {
    pub dataset: String,
    pub arch: String,
    /// The split seeds with a finished run.
    pub split_seeds: Vec<u64>,
    pub runs: usize,
    pub params_total: usize,
    /// The spread of each quantity carried over the splits
    /// ([`Quantity::over_splits`]).
    #[serde(flatten)]
    pub spreads: PerQuantity<Option<Spread>>,
    pub at_equal_sparsity: Vec<MethodSpread>,
    pub at_equal_params_kept: Vec<MethodSpread>,
    /// With selection: the settings chosen, most often first.
    pub selected: Vec<SettingCount>,
    pub certificates_passed: usize,
}

impl SplitsSummary {
    /// The spread of `q` over the splits; none when no split has it or
    /// `q` is per split only.
    pub fn spread(&self, q: Quantity) -> Option<Spread> {
        self.spreads.get(q).copied().flatten()
    }
}

/// Each method's median test accuracy among `entries` of the rows (in the
/// order of the first row that has them).
fn method_medians(rows: &[&RunRow], entries: fn(&RunRow) -> Option<&[BaselineEntry]>) -> Vec<MethodAccuracy> {
    let Some(first) = rows.iter().find_map(|r| entries(r)) else {
        return Vec::new();
    };
    first
        .iter()
        .map(|m| MethodAccuracy {
            method: m.method.clone(),
            test_accuracy: median_opt(rows.iter().map(|r| {
                entries(r)
                    .and_then(|es| es.iter().find(|e| e.method == m.method))
                    .and_then(|e| e.test_accuracy)
            })),
        })
        .collect()
}

/// The medians of the finished rows of one case and split over its seeds;
/// none when no row finished.
pub fn summarize_split(rows: &[&RunRow]) -> Option<CaseSummary> {
    let done: Vec<&RunRow> = rows.iter().copied().filter(|r| !r.interrupted).collect();
    let first = done.first()?;
    Some(CaseSummary {
        dataset: first.dataset.clone(),
        arch: first.arch.clone(),
        split_seed: first.split_seed,
        runs: done.len(),
        interrupted_runs: rows.len() - done.len(),
        params_total: first.params_total,
        medians: PerQuantity::of(|_| true, |q| median_opt(done.iter().map(|r| q.of_run(r)))),
        at_equal_sparsity: method_medians(&done, |r| r.baselines.as_ref().map(|b| &b.at_equal_sparsity[..])),
        at_equal_params_kept: method_medians(&done, |r| r.baselines.as_ref().map(|b| &b.at_equal_params_kept[..])),
        selected: done.iter().filter_map(|r| r.selected.clone()).collect(),
        certificates_passed: done.iter().filter(|r| r.certified).count(),
    })
}

fn method_spreads(splits: &[&CaseSummary], methods: fn(&CaseSummary) -> &[MethodAccuracy]) -> Vec<MethodSpread> {
    let Some(first) = splits.iter().map(|s| methods(s)).find(|m| !m.is_empty()) else {
        return Vec::new();
    };
    first
        .iter()
        .map(|m| {
            let v: Vec<f64> = splits
                .iter()
                .filter_map(|s| methods(s).iter().find(|x| x.method == m.method))
                .filter_map(|x| x.test_accuracy)
                .collect();
            MethodSpread {
                method: m.method.clone(),
                test_accuracy: Spread::of(&v),
            }
        })
        .collect()
}

/// One case over its splits, from the per-split summaries `splits` (one
/// per split seed, all of the same case).
pub fn summarize_splits(splits: &[&CaseSummary]) -> Option<SplitsSummary> {
    let first = splits.first()?;
    let mut selected: Vec<SettingCount> = Vec::new();
    for s in splits.iter().flat_map(|s| &s.selected) {
        match selected.iter_mut().find(|c| &c.setting == s) {
            Some(c) => c.runs += 1,
            None => selected.push(SettingCount {
                setting: s.clone(),
                runs: 1,
            }),
        }
    }
    // Most often first; a stable sort keeps the first seen first among equals.
    selected.sort_by_key(|c| std::cmp::Reverse(c.runs));
    Some(SplitsSummary {
        dataset: first.dataset.clone(),
        arch: first.arch.clone(),
        split_seeds: splits.iter().map(|s| s.split_seed).collect(),
        runs: splits.iter().map(|s| s.runs).sum(),
        params_total: first.params_total,
        spreads: PerQuantity::of(Quantity::over_splits, |q| {
            Spread::of(
                &splits
                    .iter()
                    .map(|s| s.median(q).unwrap_or(f64::NAN))
                    .collect::<Vec<_>>(),
            )
        }),
        at_equal_sparsity: method_spreads(splits, |s| &s.at_equal_sparsity),
        at_equal_params_kept: method_spreads(splits, |s| &s.at_equal_params_kept),
        selected,
        certificates_passed: splits.iter().map(|s| s.certificates_passed).sum(),
    })
}

/// The per-split summaries of `rows` (per case in `cases` order, per split
/// in `split_seeds` order) and each case's summary over the splits.
pub fn summarize(rows: &[RunRow], cases: &[String], split_seeds: &[u64]) -> (Vec<CaseSummary>, Vec<SplitsSummary>) {
    let mut per_split = Vec::new();
    let mut over = Vec::new();
    for case in cases {
        let first = per_split.len();
        for &split in split_seeds {
            let mine: Vec<&RunRow> = rows
                .iter()
                .filter(|r| &r.dataset == case && r.split_seed == split)
                .collect();
            per_split.extend(summarize_split(&mine));
        }
        let mine: Vec<&CaseSummary> = per_split[first..].iter().collect();
        over.extend(summarize_splits(&mine));
    }
    (per_split, over)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planted::row;

    #[test]
    fn medians_of_odd_and_even_counts_skip_nan() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert!(median(&[]).is_nan());
        assert_eq!(
            Spread::of(&[0.5, f64::NAN, 0.25, 1.0]),
            Some(Spread {
                median: 0.5,
                min: 0.25,
                max: 1.0
            })
        );
        assert_eq!(Spread::of(&[f64::NAN]), None);
    }

    #[test]
    fn there_is_one_summary_per_case_and_split_with_rows_in_the_given_order() {
        let rows: Vec<RunRow> = [(0, "wine"), (0, "iris"), (3, "iris"), (3, "wine")]
            .into_iter()
            .map(|(split, case)| row(case, split, 0, 0.5, 0.1))
            .collect();
        let (per_split, over) = summarize(&rows, &["iris".into(), "wine".into()], &[3, 0]);
        let keys: Vec<(String, u64)> = per_split.iter().map(|c| (c.dataset.clone(), c.split_seed)).collect();
        assert_eq!(
            keys,
            vec![
                ("iris".into(), 3),
                ("iris".into(), 0),
                ("wine".into(), 3),
                ("wine".into(), 0)
            ]
        );
        assert_eq!(over.len(), 2);
        assert_eq!(over[1].split_seeds, vec![3, 0]);
        // A split whose only run was interrupted has no summary.
        let mut only = row("iris", 5, 0, 0.5, 0.1);
        only.interrupted = true;
        assert_eq!(summarize_split(&[&only]), None);
    }
}
