//! Helpers of the rules tests: tiny data, a solve that reports its
//! status, a network by its numbers, and checks of each rule written
//! independently of the crate's own (counting, forward passes, dense
//! sampling).

#![allow(dead_code)]

use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{DenseFormulation, FormulationSettings, Tolerances};
use mipnet_highs::HighsSolver;
use mipnet_network::{Grid, Layer, Network, FORMAT_VERSION};
use mipnet_solver::{NoObserver, SolveOptions, SolveRequest, Solver, Status};

/// Two features, two classes, `n` samples on a fixed pattern that no
/// network reads with one feature alone: class 1 where f0 + f1 > 0 except
/// for one sample against the trend.
pub fn tiny_data(n: usize) -> Dataset {
    let pts = [
        (-1.0, -0.5),
        (0.8, 0.9),
        (-0.3, 1.2),
        (1.1, -0.6),
        (0.4, 0.2),
        (-1.2, 0.1),
        (0.9, 0.5),
        (-0.7, -1.1),
    ];
    let pts = &pts[..n];
    let x: Vec<f64> = pts.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut y: Vec<usize> = pts.iter().map(|&(a, b)| usize::from(a + b > 0.0)).collect();
    // Against the trend: the large-f0 sample of class 0.
    y[3] = 0;
    Dataset::new(
        "tiny",
        vec!["f0".into(), "f1".into()],
        vec!["c0".into(), "c1".into()],
        x,
        y,
    )
}

/// One thread and zero gaps: the solver proves the optimum.
pub fn exact_options() -> SolveOptions {
    SolveOptions {
        threads: Some(1),
        relative_gap: Some(0.0),
        absolute_gap: Some(0.0),
        ..Default::default()
    }
}

/// The settings of the tiny instances: one hidden layer of `hidden`
/// neurons, ternary grid, hinge loss, the default ℓ1.
pub fn tiny_settings(hidden: usize) -> FormulationSettings {
    FormulationSettings {
        hidden: vec![hidden],
        ..Default::default()
    }
}

/// Builds with the identity standardizer (the tiny data are standardized
/// as they are).
pub fn build(data: &Dataset, s: &FormulationSettings) -> DenseFormulation {
    DenseFormulation::build_with_standardizer(data, s, &Standardizer::identity(data.num_features()), None).unwrap()
}

/// The status of HiGHS on the model, and when optimal the optimum and
/// the network it stands for, certified.
pub fn solve(f: &DenseFormulation) -> (Status, Option<(f64, Network)>) {
    let r = HighsSolver
        .solve(SolveRequest::new(&f.model, &exact_options()), &mut NoObserver)
        .unwrap();
    if r.status != Status::Optimal {
        return (r.status, None);
    }
    let x = r.solution.unwrap();
    let tol = Tolerances::default();
    let net = f.network_from(&x, &Standardizer::identity(f.data().num_features()), &tol);
    let cert = f.certify(&x, &net, &tol);
    assert!(cert.passed, "{cert:?}");
    assert_eq!(cert.rules.len(), f.settings.rules.len());
    assert!(cert.rules.iter().all(|c| c.holds), "{cert:?}");
    (r.status, Some((r.objective.unwrap(), net)))
}

/// The proven optimum and its network.
pub fn optimum(f: &DenseFormulation) -> (f64, Network) {
    let (status, best) = solve(f);
    assert_eq!(status, Status::Optimal);
    best.unwrap()
}

/// A network 2 → H → 2 by its numbers (grid weights ternary).
pub fn net_2hk(w1: Vec<Vec<f64>>, b1: Vec<f64>, w2: Vec<Vec<f64>>, b2: Vec<f64>) -> Network {
    let h = b1.len();
    let k = b2.len();
    Network {
        format_version: FORMAT_VERSION,
        feature_names: vec!["f0".into(), "f1".into()],
        class_names: (0..k).map(|c| format!("c{c}")).collect(),
        standardizer: Standardizer::identity(2),
        layers: vec![
            Layer {
                weights: w1,
                bias: b1,
                kept: vec![true; h],
                relu: true,
                identity: false,
                grid: None,
                conv: None,
                pool: None,
            },
            Layer {
                weights: w2,
                bias: b2,
                kept: vec![true; k],
                relu: false,
                identity: false,
                grid: Some(Grid { step: 1.0, levels: 1 }),
                conv: None,
                pool: None,
            },
        ],
        settings: serde_json::Value::Null,
    }
}

/// Input features with a nonzero layer-1 weight, counted.
pub fn features_read(net: &Network) -> usize {
    (0..net.layers[0].inputs())
        .filter(|&i| net.layers[0].weights.iter().any(|r| r[i] != 0.0))
        .count()
}

/// Hidden neurons with any nonzero weight in or out or a nonzero bias.
pub fn live_neurons(net: &Network) -> usize {
    let (first, next) = (&net.layers[0], &net.layers[1]);
    (0..first.outputs())
        .filter(|&j| {
            first.weights[j].iter().any(|w| *w != 0.0)
                || first.bias[j] != 0.0
                || next.weights.iter().any(|r| r[j] != 0.0)
        })
        .count()
}

/// The smallest lead of class `c` over every other at the standardized
/// input `x`.
pub fn lead(net: &Network, x: &[f64], c: usize) -> f64 {
    let o = net.scores_standardized(x);
    (0..o.len())
        .filter(|&k| k != c)
        .map(|k| o[c] - o[k])
        .fold(f64::INFINITY, f64::min)
}

/// Training samples of class `c` whose lead is below `margin` (with the
/// forward pass's rounding allowed).
pub fn misses(net: &Network, data: &Dataset, c: usize, margin: f64) -> usize {
    (0..data.len())
        .filter(|&n| data.label(n) == c && lead(net, data.row(n), c) < margin - 1e-7)
        .count()
}

/// Dense sampling: the lead of class `c` over each other class along
/// feature `i` (1-D lines through a grid of base points) and on a 2-D
/// grid (each step in feature `i`), never falls (increasing) or rises.
/// Returns the largest violation found.
pub fn monotonicity_violation(net: &Network, i: usize, c: usize, increasing: bool) -> f64 {
    let d = net.feature_names.len();
    let k = net.class_names.len();
    let steps: Vec<f64> = (0..=240).map(|t| -6.0 + 0.05 * t as f64).collect();
    let mut worst: f64 = 0.0;
    let diff = |x: &[f64], l: usize| {
        let o = net.scores_standardized(x);
        o[c] - o[l]
    };
    // Base points: a coarse grid over the other features (d = 2 here:
    // every value of the other feature on the fine grid, which is the
    // 2-D sampling).
    let others: Vec<f64> = steps.iter().step_by(4).copied().collect();
    for &other in &others {
        for l in (0..k).filter(|&l| l != c) {
            let mut prev: Option<f64> = None;
            for &t in &steps {
                let mut x = vec![other; d];
                x[i] = t;
                let v = diff(&x, l);
                if let Some(p) = prev {
                    let fall = if increasing { p - v } else { v - p };
                    worst = worst.max(fall);
                }
                prev = Some(v);
            }
        }
    }
    worst
}
