//! The gradient trainer under a feature budget (`max_features`): the
//! returned network reads at most m inputs (counted here from its
//! weights), the columns kept are the ones the data needs (the labels
//! depend on two of six inputs), a network that already reads few inputs
//! keeps its unread columns at 0, and m = 0 is refused.

use mipnet_data::Dataset;
use mipnet_gradient::{initial_network, train, Constraints, GradientSettings};
use mipnet_network::Network;

/// Input columns with a nonzero layer-1 weight.
fn read(net: &Network) -> Vec<usize> {
    (0..net.layers[0].inputs())
        .filter(|&i| net.layers[0].weights.iter().any(|r| r[i] != 0.0))
        .collect()
}

/// 120 samples of six inputs on a fixed pseudo-random pattern; the class
/// is 1 when x1 + x4 > 0 (inputs 0, 2, 3 and 5 are noise).
fn two_of_six() -> Dataset {
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64 / (1u64 << 31) as f64) * 2.0 - 1.0
    };
    let mut x = Vec::new();
    let mut y = Vec::new();
    for _ in 0..120 {
        let row: Vec<f64> = (0..6).map(|_| next()).collect();
        y.push(usize::from(row[1] + row[4] > 0.0));
        x.extend(row);
    }
    Dataset::new(
        "two_of_six",
        (0..6).map(|i| format!("x{i}")).collect(),
        vec!["no".into(), "yes".into()],
        x,
        y,
    )
}

fn budgeted(m: usize) -> GradientSettings {
    GradientSettings {
        epochs: 800,
        max_features: Some(m),
        ..Default::default()
    }
}

#[test]
fn a_budgeted_start_reads_at_most_m_inputs_and_keeps_the_ones_the_labels_need() {
    let data = two_of_six();
    for seed in 0..3 {
        let mut net = initial_network(&data, None, &[4], seed);
        assert_eq!(read(&net).len(), 6, "a fresh network reads every input");
        train(&mut net, &data, &budgeted(2), Constraints::default());
        assert_eq!(read(&net), [1, 4], "seed {seed}");
        assert!(net.accuracy(&data) >= 0.9, "seed {seed}: {}", net.accuracy(&data));
    }
    // m = 1: one input, whichever of the two informative ones.
    let mut net = initial_network(&data, None, &[4], 0);
    train(&mut net, &data, &budgeted(1), Constraints::default());
    let one = read(&net);
    assert!(one == [1] || one == [4], "{one:?}");
}

#[test]
fn a_network_within_the_budget_keeps_its_unread_columns_at_zero() {
    let data = two_of_six();
    let mut net = initial_network(&data, None, &[4], 1);
    for row in net.layers[0].weights.iter_mut() {
        for i in [0, 2, 3, 5] {
            row[i] = 0.0;
        }
    }
    // A budget of 3 is not reached (2 read), yet nothing is revived, and
    // the fine-tune's box and frozen grid change nothing about that.
    let constraints = Constraints {
        freeze_from: Some(1),
        clip: Some(1.0),
        deadline: None,
    };
    train(&mut net, &data, &budgeted(3), constraints);
    assert_eq!(read(&net), [1, 4]);
    // Without a budget the same start reads more.
    let mut free = net.clone();
    train(
        &mut free,
        &data,
        &GradientSettings {
            epochs: 200,
            ..Default::default()
        },
        Constraints::default(),
    );
    assert!(read(&free).len() > 2, "{:?}", read(&free));
}

#[test]
fn a_budget_of_zero_is_refused() {
    let e = budgeted(0).validate().unwrap_err().to_string();
    assert!(e.contains("max_features: must be at least 1, got 0"), "{e}");
}
