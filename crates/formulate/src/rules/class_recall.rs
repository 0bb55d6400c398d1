//! Class recall: a miss binary e_n for each training sample of the class,
//! o_{n,c} − o_{nk} + M_n·e_n ≥ μ for every k ≠ c, Σ_n e_n ≤ E (see the
//! module docs).

use crate::formulation::{margin_rows, DenseFormulation};
use crate::layout::RuleCols;
use crate::tolerances::MARGIN_MET;
use mipnet_data::Dataset;
use mipnet_milp::Col;
use mipnet_network::Network;

/// Adds the rule's columns and rows.
pub(super) fn add(f: &mut DenseFormulation, class: usize, max_missed: usize, margin: f64) -> RuleCols {
    let samples: Vec<usize> = (0..f.data().len()).filter(|&n| f.data().label(n) == class).collect();
    let mut missed = Vec::with_capacity(samples.len());
    for n in samples {
        let big = 2.0 * f.output_bound(n) + margin;
        let outputs: Vec<_> = (0..f.data().num_classes()).map(|k| f.output_terms(n, k)).collect();
        let e = f.model.add_binary(0.0);
        margin_rows(&mut f.model, &outputs, class, margin, Some((e, big)));
        missed.push((n, e));
    }
    f.model.add_row(
        f64::NEG_INFINITY,
        max_missed as f64,
        missed.iter().map(|&(_, e)| (e, 1.0)),
    );
    RuleCols::ClassRecall { missed }
}

/// Whether the scores `o` give class `c` with margin `margin` (within the
/// rounding a forward pass may differ from the MILP's rows by).
pub(super) fn meets_margin(o: &[f64], c: usize, margin: f64) -> bool {
    (0..o.len())
        .filter(|&k| k != c)
        .all(|k| margin - (o[c] - o[k]) <= MARGIN_MET)
}

/// The training samples of class `c` that `net` misses (standardized data).
pub(super) fn misses(net: &Network, data: &Dataset, c: usize, margin: f64) -> Vec<usize> {
    (0..data.len())
        .filter(|&n| data.label(n) == c && !meets_margin(&net.scores_standardized(data.row(n)), c, margin))
        .collect()
}

/// Whether `net` misses at most `max_missed` samples of class `c`.
pub(super) fn check(net: &Network, data: &Dataset, c: usize, max_missed: usize, margin: f64) -> (bool, String) {
    let n_c = data.labels().iter().filter(|&&y| y == c).count();
    let missed = misses(net, data, c, margin).len();
    (
        missed <= max_missed,
        format!(
            "recall of \"{}\" {:.4} on the training data: {missed} of {n_c} missed at margin {margin} (at most {max_missed} allowed)",
            data.class_names[c],
            (n_c - missed) as f64 / n_c as f64
        ),
    )
}

/// e_n = 1 exactly for the samples `net` misses.
pub(super) fn start(x: &mut [f64], missed: &[(usize, Col)], net: &Network, data: &Dataset, c: usize, margin: f64) {
    let misses = misses(net, data, c, margin);
    for &(n, e) in missed {
        x[e.index()] = if misses.contains(&n) { 1.0 } else { 0.0 };
    }
}
