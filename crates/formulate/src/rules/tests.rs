//! The number of misses a recall allows, at the rounding edges.

use super::resolve::resolve_one;
use super::{Resolved, Rule};
use mipnet_data::Dataset;

fn allowed(min_recall: f64, n_c: usize) -> usize {
    let data = Dataset::new(
        "r",
        vec!["f".into()],
        vec!["a".into(), "b".into()],
        vec![0.0; n_c],
        vec![1; n_c],
    );
    let rule = Rule::ClassRecall {
        class: "b".into(),
        min_recall: Some(min_recall),
        max_errors: None,
        margin: None,
    };
    match resolve_one(&rule, &data, None, 1.0).unwrap() {
        Resolved::ClassRecall { max_missed, .. } => max_missed,
        other => panic!("{other:?}"),
    }
}

#[test]
fn recall_allows_the_misses_its_fraction_allows() {
    // 0.7·10 = 7.000000000000001 in f64: still 7 correct, 3 missed.
    assert_eq!(allowed(0.7, 10), 3);
    assert_eq!(allowed(0.9, 10), 1);
    assert_eq!(allowed(0.98, 60), 1);
    assert_eq!(allowed(0.99, 60), 0);
    assert_eq!(allowed(1.0, 7), 0);
    assert_eq!(allowed(0.0, 7), 7);
    assert_eq!(allowed(0.5, 3), 1);
}

#[test]
fn fairness_gap_allows_exactly_the_floor_of_the_written_gap() {
    use super::allowed_gap_count;
    // 10 and 10 samples: 100 pairs. 0.0999999 · 100 = 9.99999: 9, never 10
    // (the old f64 product + 1e-6 gave 10).
    assert_eq!(allowed_gap_count(0.0999999, 100), 9);
    assert_eq!(allowed_gap_count(0.1, 100), 10);
    // The f64 nearest 0.3 lies below 0.3: the written 0.3 still allows 30.
    assert_eq!(allowed_gap_count(0.3, 100), 30);
    assert_eq!(allowed_gap_count(0.7, 10), 7);
    assert_eq!(allowed_gap_count(0.0, 100), 0);
    assert_eq!(allowed_gap_count(1.0, 77), 77);
    assert_eq!(allowed_gap_count(0.02, 49), 0);
    assert_eq!(allowed_gap_count(0.02, 50), 1);
    assert_eq!(allowed_gap_count(1e-30, usize::MAX), 0);
    assert_eq!(allowed_gap_count(5e-324, usize::MAX), 0);
    assert_eq!(allowed_gap_count(0.5, usize::MAX), (usize::MAX / 2) as u64);
}
