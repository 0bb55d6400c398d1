//! The configurations the fingerprint covers.

use crate::common::conv_spec as conv;
use mipnet_formulate::{FormulationSettings, Loss};
use mipnet_network::PoolKind;

/// (name, settings, samples, features, classes, solve the MIP).
pub fn configurations() -> Vec<(&'static str, FormulationSettings, usize, usize, usize, bool)> {
    let dense = FormulationSettings::default();
    vec![
        (
            "dense-1-hinge-default",
            FormulationSettings {
                hidden: vec![3],
                ..dense.clone()
            },
            9,
            3,
            3,
            false,
        ),
        (
            "dense-1-tiny-solved",
            FormulationSettings {
                hidden: vec![2],
                ..dense.clone()
            },
            6,
            2,
            2,
            true,
        ),
        (
            "dense-1-misclassification-l0-l2-neurons",
            FormulationSettings {
                hidden: vec![3],
                loss: Loss::Misclassification,
                l0: 0.01,
                l2: 0.02,
                l2_tangents: 5,
                prune_neurons: true,
                neuron_penalty: 0.03,
                ..dense.clone()
            },
            8,
            3,
            2,
            false,
        ),
        (
            "dense-1-l1loss-no-l1-no-symmetry",
            FormulationSettings {
                hidden: vec![2],
                loss: Loss::L1,
                l1: 0.0,
                l2: 0.05,
                symmetry_breaking: false,
                ..dense.clone()
            },
            7,
            3,
            3,
            false,
        ),
        (
            "dense-2-hinge-layers-neurons-grid2",
            FormulationSettings {
                hidden: vec![3, 3],
                grid_levels: 2,
                grid_step: 0.5,
                omega: 1.5,
                margin: 0.5,
                prune_neurons: true,
                neuron_penalty: 0.01,
                prune_layers: true,
                layer_penalty: 0.02,
                l0: 0.005,
                ..dense.clone()
            },
            8,
            3,
            3,
            false,
        ),
        (
            "dense-2-misclassification-layers-tiny-solved",
            FormulationSettings {
                hidden: vec![2, 2],
                loss: Loss::Misclassification,
                prune_layers: true,
                layer_penalty: 0.01,
                ..dense.clone()
            },
            5,
            2,
            2,
            true,
        ),
        (
            "dense-2-l1loss-l2",
            FormulationSettings {
                hidden: vec![3, 2],
                loss: Loss::L1,
                l2: 0.01,
                ..dense.clone()
            },
            6,
            4,
            2,
            false,
        ),
        (
            "conv-max-pool",
            FormulationSettings {
                conv: Some(conv(2, 3, 1, 0, Some((PoolKind::Max, 2, 2)))),
                hidden: vec![],
                ..dense.clone()
            },
            6,
            25,
            2,
            false,
        ),
        (
            "conv-average-pool-l1loss-l2-grid2",
            FormulationSettings {
                conv: Some(conv(2, 2, 1, 0, Some((PoolKind::Average, 2, 1)))),
                hidden: vec![],
                loss: Loss::L1,
                l2: 0.05,
                grid_levels: 2,
                grid_step: 0.5,
                ..dense.clone()
            },
            5,
            16,
            2,
            false,
        ),
        (
            "conv-no-pool-dense-misclassification-filters-l0",
            FormulationSettings {
                conv: Some(conv(3, 3, 2, 1, None)),
                hidden: vec![2],
                prune_neurons: true,
                neuron_penalty: 0.02,
                loss: Loss::Misclassification,
                l0: 0.01,
                ..dense.clone()
            },
            5,
            16,
            3,
            false,
        ),
        (
            "conv-max-pool-filters-tiny-solved",
            FormulationSettings {
                conv: Some(conv(2, 2, 1, 0, Some((PoolKind::Max, 2, 2)))),
                hidden: vec![],
                prune_neurons: true,
                neuron_penalty: 0.01,
                omega: 2.0,
                ..dense
            },
            4,
            9,
            2,
            true,
        ),
    ]
}
