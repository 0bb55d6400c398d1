//! `LipschitzMargin::lipschitz_constant` Λ is exactly the constant of the
//! output-pair rows |o_nk − o_mk| ≤ Λ·Σ_i |x_ni − x_mi|·Σ_j |W_ji|, checked
//! without a MIP solve on formulations whose factors are not 1 (s ≠ 1,
//! P ≠ 1, hidden widths > 1, layer pruning on and off):
//!
//! - valid: random networks the formulation allows (layer-1 weights and
//!   every bias in [−ω, ω], later weights s·z with z ∈ {−P..P}, a prunable
//!   layer possibly the identity) obey every row on random input pairs;
//! - tight: the worst-case network (every grid weight s·P, layer-1 weights
//!   and biases ω, so every ReLU is active; or a pruned identity layer when
//!   that is worse) reaches Λ on a pair, so a Λ with a factor dropped or
//!   added (n_ℓ, s, P, the max(1, ·) of an identity layer) fails one check.

use mipnet_bounds::LipschitzMargin;
use mipnet_data::Dataset;
use mipnet_formulate::FormulationSettings;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Relative slack of the f64 forward pass against Λ·mass: a few dozen
/// roundings of numbers of order 1, each about 2⁻⁵³; 1e-9 is far above
/// that and far below any factor of Λ (all ≥ 0.1 apart here).
const FORWARD_ROUNDING: f64 = 1e-9;

/// Random networks drawn per formulation.
const NETWORKS: usize = 300;

/// Random input pairs per network.
const PAIRS: usize = 20;

/// A dense ReLU network as the formulation allows it, in f64.
struct Net {
    /// Layer 1: `w1[j][i]`, continuous in [−ω, ω].
    w1: Vec<Vec<f64>>,
    /// Later layers (hidden ≥ 2, then the output): `grid[l][k][j]` = s·z.
    grid: Vec<Vec<Vec<f64>>>,
    /// `bias[l][k]` of every layer, in [−ω, ω].
    bias: Vec<Vec<f64>>,
    /// `identity[l]` for the grid layers: a pruned layer passes its input on.
    identity: Vec<bool>,
}

impl Net {
    fn outputs(&self, x: &[f64]) -> Vec<f64> {
        let mut h: Vec<f64> = self
            .w1
            .iter()
            .zip(&self.bias[0])
            .map(|(row, b)| (row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b).max(0.0))
            .collect();
        let last = self.grid.len() - 1;
        for (l, layer) in self.grid.iter().enumerate() {
            if self.identity[l] {
                continue;
            }
            h = layer
                .iter()
                .zip(&self.bias[l + 1])
                .map(|(row, b)| {
                    let z = row.iter().zip(&h).map(|(w, v)| w * v).sum::<f64>() + b;
                    if l == last {
                        z
                    } else {
                        z.max(0.0)
                    }
                })
                .collect();
        }
        h
    }

    /// Σ_i |x_i − y_i|·Σ_j |W_ji|: what Λ multiplies in the rows.
    fn mass(&self, x: &[f64], y: &[f64]) -> f64 {
        (0..x.len())
            .map(|i| (x[i] - y[i]).abs() * self.w1.iter().map(|row| row[i].abs()).sum::<f64>())
            .sum()
    }
}

/// Widths of every layer after the input: hidden, then `classes` outputs.
fn widths(s: &FormulationSettings, classes: usize) -> Vec<usize> {
    s.hidden.iter().copied().chain([classes]).collect()
}

/// Whether grid layer l (layer l + 1 of the formulation) may be the identity.
fn may_be_identity(s: &FormulationSettings, l: usize) -> bool {
    s.prune_layers && s.prunable_layers().contains(&(l + 1))
}

fn random_net(rng: &mut ChaCha8Rng, s: &FormulationSettings, d: usize, classes: usize) -> Net {
    let w = widths(s, classes);
    let omega = s.omega;
    // Half the networks use only the extreme grid values ±P (and 0), which
    // come closer to the constant.
    let extreme = rng.gen_bool(0.5);
    let p = s.grid_levels as i32;
    let grid_weight = |rng: &mut ChaCha8Rng| {
        let z = if extreme {
            [-p, 0, p][rng.gen_range(0..3)]
        } else {
            rng.gen_range(-p..=p)
        };
        s.grid_step * z as f64
    };
    let w1 = (0..w[0])
        .map(|_| (0..d).map(|_| rng.gen_range(-omega..=omega)).collect())
        .collect();
    let grid = (1..w.len())
        .map(|l| {
            (0..w[l])
                .map(|_| (0..w[l - 1]).map(|_| grid_weight(rng)).collect())
                .collect()
        })
        .collect();
    let bias = w
        .iter()
        .map(|&n| (0..n).map(|_| rng.gen_range(-omega..=omega)).collect())
        .collect();
    let identity = (0..w.len() - 1)
        .map(|l| may_be_identity(s, l) && rng.gen_bool(0.5))
        .collect();
    Net {
        w1,
        grid,
        bias,
        identity,
    }
}

/// Every weight at its largest (ω, s·P), every bias ω: on inputs ≥ 0 every
/// ReLU is active and all differences add up. With `identity`, every layer
/// that may be pruned is the identity.
fn worst_net(s: &FormulationSettings, d: usize, classes: usize, identity: bool) -> Net {
    let w = widths(s, classes);
    let top = s.grid_step * s.grid_levels as f64;
    Net {
        w1: vec![vec![s.omega; d]; w[0]],
        grid: (1..w.len()).map(|l| vec![vec![top; w[l - 1]]; w[l]]).collect(),
        bias: w.iter().map(|&n| vec![s.omega; n]).collect(),
        identity: (0..w.len() - 1).map(|l| identity && may_be_identity(s, l)).collect(),
    }
}

fn dataset(d: usize, classes: usize) -> Dataset {
    Dataset::new(
        "pairs",
        (0..d).map(|i| format!("f{i}")).collect(),
        (0..classes).map(|c| format!("c{c}")).collect(),
        (0..2 * d).map(|v| v as f64 / (2 * d) as f64).collect(),
        vec![0, 1],
    )
}

/// The formulations checked: factors n_ℓ ∈ {2, 3}, s·P ∈ {1.5, 0.2, 1},
/// with and without a prunable identity layer (n·s·P < 1 makes its
/// max(1, ·) matter).
fn formulations() -> Vec<FormulationSettings> {
    let base = |hidden: Vec<usize>, grid_step: f64, grid_levels: u32, prune_layers: bool| FormulationSettings {
        hidden,
        grid_step,
        grid_levels,
        prune_layers,
        omega: 0.7,
        ..Default::default()
    };
    vec![
        base(vec![3], 0.5, 3, false),
        base(vec![3], 0.5, 2, false),
        base(vec![2, 2], 0.5, 3, false),
        base(vec![2, 2], 0.5, 2, false),
        base(vec![2, 2], 0.5, 3, true),
        base(vec![2, 2], 0.1, 2, true),
        base(vec![2, 3], 0.5, 3, false),
        base(vec![2, 2, 2], 0.5, 3, true),
        base(vec![2, 2, 2], 0.1, 2, true),
    ]
}

#[test]
fn every_allowed_network_obeys_the_output_pair_rows() {
    let (d, classes) = (3, 3);
    let data = dataset(d, classes);
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    for s in formulations() {
        let lambda = LipschitzMargin::new(&data, &s).unwrap().lipschitz_constant();
        for _ in 0..NETWORKS {
            let net = random_net(&mut rng, &s, d, classes);
            for _ in 0..PAIRS {
                let x: Vec<f64> = (0..d).map(|_| rng.gen_range(-1.5..1.5)).collect();
                let y: Vec<f64> = (0..d).map(|_| rng.gen_range(-1.5..1.5)).collect();
                let allowed = lambda * net.mass(&x, &y) * (1.0 + FORWARD_ROUNDING);
                for (a, b) in net.outputs(&x).iter().zip(net.outputs(&y)) {
                    assert!(
                        (a - b).abs() <= allowed,
                        "{s:?}: |{a} − {b}| above Λ·mass = {allowed} (Λ = {lambda})"
                    );
                }
            }
        }
    }
}

#[test]
fn the_worst_network_reaches_the_constant() {
    let (d, classes) = (2, 2);
    let data = dataset(d, classes);
    // Inputs ≥ 0 keep every ReLU of the worst network active.
    let (x, y) = (vec![0.0, 0.25], vec![0.5, 1.0]);
    for s in formulations() {
        let lambda = LipschitzMargin::new(&data, &s).unwrap().lipschitz_constant();
        let reached = [false, true]
            .into_iter()
            .map(|identity| {
                let net = worst_net(&s, d, classes, identity);
                let gap = net
                    .outputs(&x)
                    .iter()
                    .zip(net.outputs(&y))
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                gap / net.mass(&x, &y)
            })
            .fold(0.0, f64::max);
        assert!(
            reached <= lambda * (1.0 + FORWARD_ROUNDING),
            "{s:?}: the worst network reaches {reached}, above Λ = {lambda}"
        );
        assert!(
            reached >= lambda / (1.0 + FORWARD_ROUNDING),
            "{s:?}: Λ = {lambda} is looser than the worst network's {reached}"
        );
    }
}
