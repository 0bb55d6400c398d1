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
