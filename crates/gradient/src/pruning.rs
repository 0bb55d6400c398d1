//! Gradient-based pruning baselines: the networks the MILP's sparse network
//! is compared with at equal sparsity. Each trains on the training data it
//! is given and nothing else (its arguments are the standardized training
//! set and settings), and prunes to an exact number of zero weights:
//!
//! - [`one_shot`]: magnitude pruning of a trained dense network, then
//!   fine-tuning of the weights left (the pruned ones stay 0);
//! - [`iterative_rewind`]: iterative magnitude pruning with rewinding
//!   (lottery-ticket style, Frankle et al. 2019 "stabilizing the lottery
//!   ticket hypothesis"): train, prune a share of the weights left, rewind
//!   the rest to their values early in training, retrain; repeat;
//! - [`l1_proximal`]: ℓ1-regularized training by proximal (soft-threshold)
//!   steps, its λ found by bisection so that it zeroes as many weights as
//!   asked without exceeding it; the few still missing are then pruned by
//!   magnitude (counted in [`Pruned::topped_up`]).
//!
//! Biases are never pruned (as in [`crate::magnitude_prune`]).

use crate::{free_weights, initial_network, set_params, train, train_with, AfterStep, Constraints, GradientSettings};
use mipnet_data::Dataset;
use mipnet_network::Network;
use serde::Serialize;

/// One of the pruning baselines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PruningMethod {
    OneShotFinetune,
    IterativeRewind,
    L1Proximal,
}

impl PruningMethod {
    pub const ALL: [PruningMethod; 3] = [
        PruningMethod::OneShotFinetune,
        PruningMethod::IterativeRewind,
        PruningMethod::L1Proximal,
    ];

    /// The name in tables and reports.
    pub fn name(self) -> &'static str {
        match self {
            PruningMethod::OneShotFinetune => "one-shot magnitude + fine-tune",
            PruningMethod::IterativeRewind => "iterative magnitude + rewind",
            PruningMethod::L1Proximal => "ℓ1 proximal",
        }
    }
}

/// Default Adam steps of the fine-tuning after one-shot pruning: a third of
/// the dense run's default 3000, enough for the loss to settle again on
/// Iris, Wine and WDBC.
pub const DEFAULT_FINETUNE_EPOCHS: usize = 1000;
/// Default prune–rewind–retrain rounds: each removes the same share of the
/// weights left (Frankle et al. prune 20 % per round; five rounds reach
/// the 70–95 % sparsity of mipnet's networks at 25–45 % per round).
pub const DEFAULT_ROUNDS: usize = 5;
/// Default epoch the iterative method rewinds to: early in training rather
/// than at initialization ("late resetting", which Frankle et al. found
/// needed beyond the smallest networks), 2 % of the default 3000 epochs.
pub const DEFAULT_REWIND_EPOCH: usize = 60;
/// Default bisection steps on λ of the proximal method (each a full
/// training run); over [`LAMBDA_RANGE`] that pins λ to a factor of about 1.4.
pub const DEFAULT_LAMBDA_STEPS: usize = 14;
/// λ's bracket for the bisection (in log scale). The threshold per step is
/// η·λ, and an Adam step moves a weight by about η, so λ ≪ 1 zeroes almost
/// nothing and λ ≫ 1 zeroes every weight.
pub const LAMBDA_RANGE: (f64, f64) = (1e-3, 1e2);

/// How the baselines train.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PruningSettings {
    /// The dense network's training (and each retraining's): epochs,
    /// learning rate, loss, margin, ℓ1, seed.
    pub gradient: GradientSettings,
    /// Adam steps of the fine-tuning after one-shot pruning.
    pub finetune_epochs: usize,
    /// Prune–rewind–retrain rounds of the iterative method.
    pub rounds: usize,
    /// The epoch the iterative method rewinds to.
    pub rewind_epoch: usize,
    /// Bisection steps on λ of the proximal method.
    pub lambda_steps: usize,
}

impl PruningSettings {
    /// The defaults above around `gradient`.
    pub fn new(gradient: GradientSettings) -> Self {
        PruningSettings {
            gradient,
            finetune_epochs: DEFAULT_FINETUNE_EPOCHS,
            rounds: DEFAULT_ROUNDS,
            rewind_epoch: DEFAULT_REWIND_EPOCH,
            lambda_steps: DEFAULT_LAMBDA_STEPS,
        }
    }
}

/// A pruned network and what it is.
#[derive(Clone, Debug)]
pub struct Pruned {
    pub method: PruningMethod,
    pub network: Network,
    /// Zero weights asked for.
    pub target_zero_weights: usize,
    /// Zero weights of `network` (counted in it).
    pub zero_weights: usize,
    /// Free weights of `network` (biases excluded).
    pub weights: usize,
    /// `zero_weights / weights`: the network's own weight sparsity.
    pub weight_sparsity: f64,
    /// The proximal method's λ.
    pub lambda: Option<f64>,
    /// Weights the proximal method left nonzero and magnitude pruning then
    /// zeroed, to reach the target exactly.
    pub topped_up: usize,
}

impl Pruned {
    fn of(method: PruningMethod, network: Network, target: usize) -> Pruned {
        let zero_weights = zero_weights(&network);
        let weights = network.weight_count();
        Pruned {
            method,
            target_zero_weights: target,
            zero_weights,
            weights,
            weight_sparsity: network.weight_sparsity(),
            network,
            lambda: None,
            topped_up: 0,
        }
    }
}

/// Number of free weights of `net` that are exactly 0.
pub fn zero_weights(net: &Network) -> usize {
    net.layers
        .iter()
        .map(|l| l.weight_params().filter(|w| **w == 0.0).count())
        .sum()
}

/// The number of zero weights that makes `fraction` of `weights` zero
/// (rounded to the nearest count).
pub fn zero_weights_for_sparsity(weights: usize, fraction: f64) -> usize {
    ((fraction.clamp(0.0, 1.0) * weights as f64).round() as usize).min(weights)
}

/// A dense network of the given hidden widths trained on standardized
/// `train` (the baselines' starting point, and the dense baseline).
pub fn dense(train_std: &Dataset, hidden: &[usize], s: &PruningSettings) -> Network {
    let mut net = initial_network(train_std, None, hidden, s.gradient.seed);
    train(&mut net, train_std, &s.gradient, Constraints::default());
    net
}

/// A mask (per layer, per free weight) keeping every weight but the
/// `zero` smallest in magnitude among those `kept` keeps (ties: the
/// earlier weight is pruned first), so exactly `zero` are masked out.
fn mask_pruning_smallest(net: &Network, kept: &[Vec<bool>], zero: usize) -> Vec<Vec<bool>> {
    let mut mask = kept.to_vec();
    let already = kept.iter().flatten().filter(|k| !**k).count();
    let mut candidates: Vec<(f64, usize, usize)> = net
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| {
            free_weights(layer)
                .into_iter()
                .enumerate()
                .map(move |(i, w)| (w.abs(), l, i))
        })
        .filter(|&(_, l, i)| kept[l][i])
        .collect();
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for &(_, l, i) in candidates.iter().take(zero.saturating_sub(already)) {
        mask[l][i] = false;
    }
    mask
}

/// A mask keeping every weight.
fn full_mask(net: &Network) -> Vec<Vec<bool>> {
    net.layers
        .iter()
        .map(|l| vec![true; l.weight_params().count()])
        .collect()
}

/// `net` with the weights `mask` drops set to 0.
fn apply_mask(net: &Network, mask: &[Vec<bool>]) -> Network {
    let mut out = net.clone();
    for (layer, keep) in out.layers.iter_mut().zip(mask) {
        let w: Vec<f64> = free_weights(layer)
            .into_iter()
            .zip(keep)
            .map(|(w, k)| if *k { w } else { 0.0 })
            .collect();
        let b = layer.bias_params();
        set_params(layer, &w, &b);
    }
    out
}

/// Trains `net` with the weights `mask` drops held at 0.
fn train_masked(net: &mut Network, data: &Dataset, s: &GradientSettings, mask: &[Vec<bool>]) {
    *net = apply_mask(net, mask);
    train_with(net, data, s, Constraints::default(), AfterStep::Mask(mask));
}

/// One-shot magnitude pruning of the trained `dense` network to `zero`
/// zero weights, then fine-tuning of the rest on `train_std`.
pub fn one_shot(train_std: &Dataset, dense: &Network, zero: usize, s: &PruningSettings) -> Pruned {
    let mask = mask_pruning_smallest(dense, &full_mask(dense), zero);
    let mut net = dense.clone();
    let tune = GradientSettings {
        epochs: s.finetune_epochs,
        ..s.gradient.clone()
    };
    train_masked(&mut net, train_std, &tune, &mask);
    Pruned::of(PruningMethod::OneShotFinetune, net, zero)
}

/// Iterative magnitude pruning with rewinding to `zero` zero weights: a
/// dense network of `hidden` is trained from its seeded initialization;
/// each of `rounds` rounds prunes the smallest of the weights left (the
/// share per round constant, the last round reaching `zero` exactly),
/// rewinds the weights left to their values at `rewind_epoch` and
/// retrains them for the full epochs.
pub fn iterative_rewind(train_std: &Dataset, hidden: &[usize], zero: usize, s: &PruningSettings) -> Pruned {
    let g = &s.gradient;
    let mut early = initial_network(train_std, None, hidden, g.seed);
    let rewind_epoch = s.rewind_epoch.min(g.epochs);
    train(
        &mut early,
        train_std,
        &GradientSettings {
            epochs: rewind_epoch,
            ..g.clone()
        },
        Constraints::default(),
    );
    let mut net = early.clone();
    train(
        &mut net,
        train_std,
        &GradientSettings {
            epochs: g.epochs - rewind_epoch,
            ..g.clone()
        },
        Constraints::default(),
    );
    let weights = net.weight_count();
    let rounds = s.rounds.max(1);
    let keep_final = (weights - zero.min(weights)) as f64;
    let mut mask = full_mask(&net);
    for r in 1..=rounds {
        // Weights kept after round r: weights · (keep_final/weights)^(r/R).
        let keep = if r == rounds {
            weights - zero.min(weights)
        } else {
            (weights as f64 * (keep_final / weights.max(1) as f64).powf(r as f64 / rounds as f64)).round() as usize
        };
        mask = mask_pruning_smallest(&net, &mask, weights - keep.min(weights));
        net = early.clone();
        train_masked(&mut net, train_std, g, &mask);
    }
    Pruned::of(PruningMethod::IterativeRewind, net, zero)
}

/// ℓ1-regularized training by soft-thresholding, λ bisected (in log scale,
/// [`LAMBDA_RANGE`], `lambda_steps` runs) for the most zero weights not
/// above `zero`; the weights still missing are then pruned by magnitude.
pub fn l1_proximal(train_std: &Dataset, hidden: &[usize], zero: usize, s: &PruningSettings) -> Pruned {
    let g = &s.gradient;
    let run = |lambda: f64| {
        let mut net = initial_network(train_std, None, hidden, g.seed);
        train_with(
            &mut net,
            train_std,
            g,
            Constraints::default(),
            AfterStep::SoftThreshold { lambda },
        );
        net
    };
    let (mut lo, mut hi) = LAMBDA_RANGE;
    let mut best = (lo, run(lo));
    if zero_weights(&best.1) > zero {
        // Even the smallest λ zeroes too many: no penalty at all then.
        best = (0.0, run(0.0));
    }
    for _ in 0..s.lambda_steps {
        let mid = (lo * hi).sqrt();
        let net = run(mid);
        if zero_weights(&net) <= zero {
            if zero_weights(&net) >= zero_weights(&best.1) {
                best = (mid, net);
            }
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (lambda, net) = best;
    let before = zero_weights(&net);
    let mask = mask_pruning_smallest(&net, &full_mask(&net), zero);
    let net = apply_mask(&net, &mask);
    let mut p = Pruned::of(PruningMethod::L1Proximal, net, zero);
    p.lambda = Some(lambda);
    p.topped_up = p.zero_weights.saturating_sub(before);
    p
}

/// Every pruning baseline of `hidden` on standardized `train_std` at
/// `zero` zero weights; `dense` is the trained dense network of
/// [`dense`] (one-shot pruning starts from it).
pub fn all(train_std: &Dataset, hidden: &[usize], dense: &Network, zero: usize, s: &PruningSettings) -> Vec<Pruned> {
    PruningMethod::ALL
        .iter()
        .map(|m| match m {
            PruningMethod::OneShotFinetune => one_shot(train_std, dense, zero, s),
            PruningMethod::IterativeRewind => iterative_rewind(train_std, hidden, zero, s),
            PruningMethod::L1Proximal => l1_proximal(train_std, hidden, zero, s),
        })
        .collect()
}
