//! The gradient baselines beside the selected MILP network, on the same
//! architecture and training split: the dense network, and each pruning
//! baseline of `mipnet_gradient::pruning` at the MILP network's zero-weight
//! fraction and at its number of parameters kept. The baselines train on
//! the training split alone; the test set only scores the finished
//! networks ([`compare`] scores, [`train_baselines`] trains).

use crate::grid::Setting;
use mipnet_data::{Dataset, Standardizer};
use mipnet_gradient::pruning::{self, zero_weights, PruningMethod, PruningSettings};
use mipnet_gradient::GradientSettings;
use mipnet_network::Network;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One network of the comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineEntry {
    pub method: String,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub weight_sparsity: f64,
    pub zero_weights: usize,
    pub weights: usize,
    pub params_kept: usize,
    /// The ℓ1 proximal method's λ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// Weights the proximal method's λ left nonzero and magnitude pruning
    /// then zeroed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topped_up: Option<usize>,
}

/// The `baselines` section of select's report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineComparison {
    /// Hidden widths of every network here (the selected setting's).
    pub hidden: Vec<usize>,
    /// How the baselines trained.
    pub settings: PruningSettings,
    /// The selected, refit MILP network.
    pub milp: BaselineEntry,
    /// The dense gradient network.
    pub dense: BaselineEntry,
    /// Each pruning method with as many zero weights as the MILP network.
    pub at_equal_sparsity: Vec<BaselineEntry>,
    /// Zero weights asked of each method to keep as many parameters
    /// (weights and biases) as the MILP network, its biases all counted as
    /// kept (they are never pruned); clamped to the weights there are.
    pub equal_params_zero_weights: usize,
    /// Each pruning method at `equal_params_zero_weights`.
    pub at_equal_params_kept: Vec<BaselineEntry>,
}

/// The baselines' networks, trained on `train` (raw; standardized with its
/// own statistics, as the MILP's run does) and nothing else.
pub struct TrainedBaselines {
    pub settings: PruningSettings,
    pub dense: Network,
    pub at_equal_sparsity: Vec<pruning::Pruned>,
    pub equal_params_zero_weights: usize,
    pub at_equal_params_kept: Vec<pruning::Pruned>,
}

/// The gradient settings of the baselines for `setting`: the run's
/// gradient settings with the setting's margin and α (as the MILP run's
/// own gradient start and baseline use).
pub fn gradient_settings(setting: &Setting, gradient: &GradientSettings) -> GradientSettings {
    GradientSettings {
        margin: setting.margin,
        l1: setting.l1,
        ..gradient.clone()
    }
}

/// Trains the dense and pruned baselines of `milp`'s architecture on
/// `train` alone, the pruned ones at `milp`'s zero weights and at its
/// parameters kept, up to `threads` of them at once.
pub fn train_baselines(
    train: &Dataset,
    setting: &Setting,
    gradient: &GradientSettings,
    milp: &Network,
    threads: usize,
) -> TrainedBaselines {
    let standardizer = Standardizer::fit(train);
    let data = train.standardized(&standardizer);
    let s = PruningSettings::new(gradient_settings(setting, gradient));
    let with_standardizer = |mut n: Network| {
        n.standardizer = standardizer.clone();
        n
    };
    let dense = pruning::dense(&data, &setting.hidden, &s);
    let weights = dense.weight_count();
    let biases = dense.params_total() - weights;
    let equal_sparsity = zero_weights(milp);
    let equal_params = (weights + biases).saturating_sub(milp.params_kept()).min(weights);
    // Every (target, method) is independent: a queue over the threads.
    let jobs: Vec<(usize, PruningMethod)> = [equal_sparsity, equal_params]
        .into_iter()
        .flat_map(|zero| PruningMethod::ALL.into_iter().map(move |m| (zero, m)))
        .collect();
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<pruning::Pruned>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(&(zero, method)) = jobs.get(i) else { break };
                let mut p = match method {
                    PruningMethod::OneShotFinetune => pruning::one_shot(&data, &dense, zero, &s),
                    PruningMethod::IterativeRewind => pruning::iterative_rewind(&data, &setting.hidden, zero, &s),
                    PruningMethod::L1Proximal => pruning::l1_proximal(&data, &setting.hidden, zero, &s),
                };
                p.network = with_standardizer(p.network);
                done.lock().expect("not poisoned")[i] = Some(p);
            });
        }
    });
    let mut done: Vec<pruning::Pruned> = done
        .into_inner()
        .expect("not poisoned")
        .into_iter()
        .map(|p| p.expect("every baseline ran"))
        .collect();
    let at_equal_params_kept = done.split_off(PruningMethod::ALL.len());
    TrainedBaselines {
        at_equal_sparsity: done,
        equal_params_zero_weights: equal_params,
        at_equal_params_kept,
        dense: with_standardizer(dense),
        settings: s,
    }
}

fn entry(method: &str, net: &Network, train: &Dataset, test: Option<&Dataset>) -> BaselineEntry {
    BaselineEntry {
        method: method.to_string(),
        train_accuracy: net.accuracy(train),
        test_accuracy: test.filter(|t| !t.is_empty()).map(|t| net.accuracy(t)),
        weight_sparsity: net.weight_sparsity(),
        zero_weights: zero_weights(net),
        weights: net.weight_count(),
        params_kept: net.params_kept(),
        lambda: None,
        topped_up: None,
    }
}

fn pruned_entry(p: &pruning::Pruned, train: &Dataset, test: Option<&Dataset>) -> BaselineEntry {
    let mut e = entry(p.method.name(), &p.network, train, test);
    e.lambda = p.lambda;
    e.topped_up = p.lambda.map(|_| p.topped_up);
    e
}

/// Scores the MILP network and the trained baselines on `train` and `test`.
pub fn compare(
    milp: &Network,
    hidden: &[usize],
    trained: &TrainedBaselines,
    train: &Dataset,
    test: Option<&Dataset>,
) -> BaselineComparison {
    BaselineComparison {
        hidden: hidden.to_vec(),
        settings: trained.settings.clone(),
        milp: entry("mipnet (MILP)", milp, train, test),
        dense: entry("dense gradient", &trained.dense, train, test),
        at_equal_sparsity: trained
            .at_equal_sparsity
            .iter()
            .map(|p| pruned_entry(p, train, test))
            .collect(),
        equal_params_zero_weights: trained.equal_params_zero_weights,
        at_equal_params_kept: trained
            .at_equal_params_kept
            .iter()
            .map(|p| pruned_entry(p, train, test))
            .collect(),
    }
}
