//! The pruning baselines: each reaches exactly the zero weights asked for,
//! reports the sparsity its network has, keeps its pruned weights at 0
//! while it retrains, still learns, and is a function of the training data
//! and settings alone.

use mipnet_data::{Bundled, Dataset, Standardizer};
use mipnet_gradient::pruning::{self, zero_weights, zero_weights_for_sparsity, PruningMethod, PruningSettings};
use mipnet_gradient::GradientSettings;

/// Iris's training split (seed 0), standardized with its own statistics.
fn iris_train() -> Dataset {
    let (train, _) = Bundled::from_name("iris")
        .unwrap()
        .load()
        .split_stratified(0.25, 0)
        .unwrap();
    train.standardized(&Standardizer::fit(&train))
}

/// Short runs: the properties do not depend on the epochs.
fn settings() -> PruningSettings {
    let mut s = PruningSettings::new(GradientSettings {
        epochs: 600,
        ..GradientSettings::default()
    });
    s.finetune_epochs = 300;
    s.rewind_epoch = 20;
    s.lambda_steps = 8;
    s
}

/// The lowest training accuracy a pruned 4→6→3 network may have on Iris
/// at 60 % zero weights: the dense one fits about 97 %; a baseline that
/// lost what it learned (a mask applied to the wrong weights, say) falls
/// to about a third.
const MIN_PRUNED_TRAIN_ACCURACY: f64 = 0.85;

#[test]
fn each_baseline_has_exactly_the_zero_weights_asked_for_and_reports_its_own_sparsity() {
    let data = iris_train();
    let s = settings();
    let hidden = [6];
    let dense = pruning::dense(&data, &hidden, &s);
    let weights = dense.weight_count();
    assert_eq!(zero_weights(&dense), 0);
    for fraction in [0.3, 0.6] {
        let zero = zero_weights_for_sparsity(weights, fraction);
        let all = pruning::all(&data, &hidden, &dense, zero, &s);
        assert_eq!(
            all.iter().map(|p| p.method).collect::<Vec<_>>(),
            PruningMethod::ALL.to_vec()
        );
        for p in all {
            let counted: usize = p
                .network
                .layers
                .iter()
                .flat_map(|l| l.weights.iter().flatten())
                .filter(|w| **w == 0.0)
                .count();
            assert_eq!(p.zero_weights, counted, "{}", p.method.name());
            assert_eq!(p.zero_weights, zero, "{} at {fraction}", p.method.name());
            assert_eq!(p.weights, weights);
            assert_eq!(
                p.weight_sparsity,
                counted as f64 / weights as f64,
                "{}",
                p.method.name()
            );
            assert_eq!(p.weight_sparsity, p.network.weight_sparsity());
            if fraction == 0.6 {
                let acc = p.network.accuracy(&data);
                assert!(acc >= MIN_PRUNED_TRAIN_ACCURACY, "{}: {acc}", p.method.name());
            }
        }
    }
}

#[test]
fn the_baselines_are_seeded_functions_of_the_training_data() {
    let data = iris_train();
    let s = settings();
    let dense = pruning::dense(&data, &[4], &s);
    let zero = zero_weights_for_sparsity(dense.weight_count(), 0.5);
    let a = pruning::all(&data, &[4], &dense, zero, &s);
    let b = pruning::all(&data, &[4], &dense, zero, &s);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.network, y.network, "{}", x.method.name());
    }
    // Other training data, another network.
    let fewer = data.subset(&(0..data.len()).step_by(2).collect::<Vec<_>>());
    let c = pruning::one_shot(&fewer, &dense, zero, &s);
    assert_ne!(c.network, a[0].network);
}

#[test]
fn the_proximal_method_finds_a_penalty_that_zeroes_weights_itself() {
    let data = iris_train();
    let s = settings();
    let dense = pruning::dense(&data, &[6], &s);
    let zero = zero_weights_for_sparsity(dense.weight_count(), 0.6);
    let p = pruning::l1_proximal(&data, &[6], zero, &s);
    let lambda = p.lambda.expect("a λ");
    assert!(lambda > 0.0, "{lambda}");
    // Most zeros come from the soft threshold, not the top-up.
    assert!(p.topped_up * 2 < zero, "topped up {} of {zero}", p.topped_up);
}
