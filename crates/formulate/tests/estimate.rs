//! The size estimate, computed from the dimensions without building
//! anything, against the models the build makes: every part of the
//! formulation switched on and off, dense and convolutional, data with
//! zeros. And it is computed at once for a model far too large to build.

use mipnet_data::Dataset;
use mipnet_formulate::{DenseFormulation, FormulationSettings, Loss, ModelEstimate};
use mipnet_network::{ConvSpec, Pool, PoolKind};

mod common;

/// `n` samples of `d` features, about a fifth of them exactly 0 (a 0 has no
/// term in a layer-1 row).
fn data_with_zeros(seed: u64, n: usize, d: usize, k: usize) -> Dataset {
    common::data_with_zeros(seed, n, d, k, 0.2)
}

fn assert_estimate_is_the_build(data: &Dataset, s: &FormulationSettings, what: &str) {
    let e = ModelEstimate::of(data, s).unwrap();
    let built = DenseFormulation::build(data, s).unwrap().stats();
    assert_eq!(
        (e.columns, e.binaries, e.rows, e.nonzeros),
        (built.columns, built.binaries, built.rows, built.nonzeros),
        "{what}: estimate (columns, binaries, rows, nonzeros) differs from the built model"
    );
}

#[test]
fn estimate_matches_the_built_model() {
    let data = data_with_zeros(3, 13, 5, 3);
    let mut cases: Vec<(String, FormulationSettings)> = Vec::new();
    for loss in [Loss::Hinge, Loss::Misclassification, Loss::L1] {
        for hidden in [vec![4], vec![3, 3], vec![4, 2, 2]] {
            for (l1, l0, l2) in [(0.0, 0.0, 0.0), (0.01, 0.0, 0.0), (0.01, 0.02, 0.03), (0.0, 0.1, 0.0)] {
                for (prune_neurons, prune_layers, symmetry_breaking) in [
                    (false, false, true),
                    (true, false, true),
                    (true, true, false),
                    (false, true, true),
                ] {
                    let s = FormulationSettings {
                        hidden: hidden.clone(),
                        loss,
                        l1,
                        l0,
                        l2,
                        grid_levels: 2,
                        prune_neurons,
                        prune_layers: prune_layers && hidden.len() > 1,
                        symmetry_breaking,
                        ..FormulationSettings::default()
                    };
                    cases.push((format!("{s:?}"), s));
                }
            }
        }
    }
    for (what, s) in &cases {
        assert_estimate_is_the_build(&data, s, what);
    }
}

#[test]
fn estimate_matches_the_built_convolutional_model() {
    // 4×4 one-channel images.
    let data = data_with_zeros(5, 7, 16, 2);
    let pool = |kind, size, stride| Some(Pool { kind, size, stride });
    for (kernel, stride, padding, pooling) in [
        (2, 1, 0, pool(PoolKind::Max, 2, 1)),
        (3, 1, 1, pool(PoolKind::Max, 2, 2)),
        (2, 1, 0, pool(PoolKind::Average, 2, 1)),
        (2, 2, 0, pool(PoolKind::Max, 1, 1)),
        (3, 1, 1, None),
    ] {
        for (hidden, prune_neurons, l0) in [(vec![], false, 0.0), (vec![3], true, 0.05), (vec![2, 2], false, 0.0)] {
            let s = FormulationSettings {
                conv: Some(ConvSpec {
                    channels: 2,
                    kernel,
                    stride,
                    padding,
                    pool: pooling,
                    image: None,
                }),
                hidden: hidden.clone(),
                prune_neurons,
                prune_layers: hidden.len() > 1,
                l0,
                ..FormulationSettings::default()
            };
            assert_estimate_is_the_build(&data, &s, &format!("{s:?}"));
        }
    }
}

/// 100,000 hidden neurons on 112 samples: hundreds of GB, estimated at once
/// (building even 16 samples' model took 15–40 s).
#[test]
fn a_model_far_too_large_is_estimated_without_building_it() {
    let data = data_with_zeros(1, 112, 4, 3);
    let s = FormulationSettings {
        hidden: vec![100_000],
        ..FormulationSettings::default()
    };
    let clock = std::time::Instant::now();
    let e = ModelEstimate::of(&data, &s).unwrap();
    let took = clock.elapsed().as_secs_f64();
    assert!(took < 0.5, "the estimate took {took:.2} s");
    // A ReLU binary per neuron and sample, two grid binaries per weight
    // into the output, and products for every sample.
    assert!(e.binaries >= 112 * 100_000 + 3 * 100_000 * 2, "{e:?}");
    assert!(e.bytes > 1e11, "{e:?}");
}

#[test]
fn the_estimate_refuses_what_the_build_refuses() {
    let data = data_with_zeros(1, 6, 4, 2);
    let bad = FormulationSettings {
        hidden: vec![0],
        ..FormulationSettings::default()
    };
    let built = DenseFormulation::build(&data, &bad).err().unwrap();
    assert_eq!(ModelEstimate::of(&data, &bad).unwrap_err(), built);
    let one_class = Dataset::new("one", vec!["a".into()], vec!["c".into()], vec![0.5; 3], vec![0; 3]);
    let s = FormulationSettings::default();
    assert_eq!(
        ModelEstimate::of(&one_class, &s).unwrap_err(),
        DenseFormulation::build(&one_class, &s).err().unwrap()
    );
}
