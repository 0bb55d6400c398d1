//! The gradient trainer's forward pass is the network's forward pass, its
//! gradients are the loss's derivatives, and it learns — for dense and
//! convolutional networks (max and average pooling).

use mipnet_data::{Bundled, Dataset, Standardizer};
use mipnet_gradient::{initial_network, train, Constraints, GradientLoss, GradientSettings};
use mipnet_network::{Network, Pool, PoolKind};

/// The mean multi-class hinge loss by the network's own forward pass.
fn hinge(net: &Network, data: &Dataset, margin: f64) -> f64 {
    (0..data.len())
        .map(|n| {
            let o = net.scores_standardized(data.row(n));
            let y = data.label(n);
            (0..o.len())
                .filter(|&k| k != y)
                .map(|k| margin - o[y] + o[k])
                .fold(0.0, f64::max)
        })
        .sum::<f64>()
        / data.len() as f64
}

/// 8×8 digits, 0–2, 60 images, one scale for all pixels.
fn digits() -> Dataset {
    let all = Bundled::Digits.load();
    let idx: Vec<usize> = (0..all.len()).filter(|&i| all.label(i) < 3).take(60).collect();
    let d = all.subset(&idx);
    let d = Dataset::new(
        "digits 0-2",
        d.feature_names.clone(),
        d.class_names[..3].to_vec(),
        (0..d.len()).flat_map(|i| d.row(i).to_vec()).collect(),
        d.labels().to_vec(),
    );
    d.standardized(&Standardizer::fit_global(&d))
}

fn architectures(data: &Dataset) -> Vec<(&'static str, Network)> {
    let spec = |channels, kernel, stride, pool: Option<(PoolKind, usize)>| mipnet_network::ConvSpec {
        channels,
        kernel,
        stride,
        padding: 1,
        pool: pool.map(|(kind, size)| Pool {
            kind,
            size,
            stride: size,
        }),
        image: None,
    };
    let d = data.num_features();
    let conv = |s: mipnet_network::ConvSpec| Some((s.shape(d).unwrap(), s.pool));
    vec![
        ("dense", initial_network(data, None, &[6], 3)),
        (
            "conv+maxpool",
            initial_network(data, conv(spec(3, 3, 1, Some((PoolKind::Max, 2)))), &[], 3),
        ),
        (
            "conv+avgpool+dense",
            initial_network(data, conv(spec(2, 3, 2, Some((PoolKind::Average, 2)))), &[4], 3),
        ),
    ]
}

#[test]
fn the_trainer_sees_the_network_s_own_forward_pass() {
    let data = digits();
    for (name, net) in architectures(&data) {
        // Epoch 40 reports the loss of the parameters after 39 steps, which
        // a 39-epoch run returns as a network (Adam's path is the same).
        let s = |epochs| GradientSettings {
            epochs,
            l1: 0.001,
            ..Default::default()
        };
        let reported = train(&mut net.clone(), &data, &s(40), Constraints::default());
        let mut after_39 = net.clone();
        train(&mut after_39, &data, &s(39), Constraints::default());
        let forward = hinge(&after_39, &data, 1.0);
        assert!(
            (reported - forward).abs() < 1e-12,
            "{name}: trainer {reported}, forward {forward}"
        );
    }
}

#[test]
fn a_small_step_lowers_the_loss() {
    // A direction check: one small Adam step lowers the cross-entropy, as it
    // does only when the gradients point the right way (Adam rescales each
    // parameter, so this checks signs, not magnitudes).
    let data = digits();
    for (name, net) in architectures(&data) {
        let s = GradientSettings {
            epochs: 1,
            learning_rate: 1e-4,
            loss: GradientLoss::CrossEntropy,
            l1: 0.0,
            ..Default::default()
        };
        let before = train(&mut net.clone(), &data, &s, Constraints::default());
        let mut stepped = net.clone();
        train(&mut stepped, &data, &s, Constraints::default());
        let after = train(&mut stepped.clone(), &data, &s, Constraints::default());
        assert!(
            after < before,
            "{name}: a step along the gradient raised the loss {before} → {after}"
        );
    }
}

#[test]
fn every_architecture_fits_a_small_training_set() {
    let data = digits();
    for (name, mut net) in architectures(&data) {
        let s = GradientSettings {
            epochs: 600,
            l1: 0.001,
            ..Default::default()
        };
        train(&mut net, &data, &s, Constraints::default());
        net.check().unwrap();
        let acc = net.accuracy(&data);
        assert!(acc >= 0.95, "{name}: train accuracy {acc}");
    }
}

#[test]
fn pooled_features_feeding_a_dense_layer_start_alive() {
    // 40 digits, 8×8: pooled ReLU maps into 16 hidden units, 10 classes.
    // With zero initial biases and uncentred inputs, seeds 0 and 2 ended
    // with 10 % and 37.5 % train accuracy (hidden units dead).
    let all = Bundled::Digits.load().balanced_subset(4, 0).unwrap();
    let data = all.standardized(&Standardizer::fit_global(&all));
    let spec = mipnet_network::ConvSpec {
        channels: 3,
        kernel: 3,
        stride: 1,
        padding: 1,
        pool: Some(Pool {
            kind: PoolKind::Max,
            size: 3,
            stride: 2,
        }),
        image: None,
    };
    let conv = Some((spec.shape(64).unwrap(), spec.pool));
    for seed in 0..3 {
        let mut net = initial_network(&data, conv, &[16], seed);
        train(&mut net, &data, &GradientSettings::default(), Constraints::default());
        let acc = net.accuracy(&data);
        assert!(acc >= 0.9, "seed {seed}: train accuracy {acc}");
    }
}

/// The run's time budget reaches into the epochs: a deadline stops the
/// training after the epoch during which it passes, with the network as
/// trained so far (a deadline already passed: not one step).
#[test]
fn a_deadline_stops_the_epochs() {
    use std::time::{Duration, Instant};
    let data = digits();
    let start = initial_network(&data, None, &[6], 3);
    let endless = GradientSettings {
        epochs: usize::MAX,
        ..GradientSettings::default()
    };
    let mut net = start.clone();
    let passed = Constraints {
        deadline: Some(Instant::now()),
        ..Constraints::default()
    };
    train(&mut net, &data, &endless, passed);
    assert_eq!(
        net.layers[0].weights, start.layers[0].weights,
        "no step after the deadline"
    );

    let clock = Instant::now();
    let soon = Constraints {
        deadline: Some(Instant::now() + Duration::from_millis(200)),
        ..Constraints::default()
    };
    train(&mut net, &data, &endless, soon);
    let took = clock.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "endless epochs took {took:?} past a 0.2 s deadline"
    );
    assert_ne!(
        net.layers[0].weights, start.layers[0].weights,
        "it trained until the deadline"
    );
}
