//! Which neurons affect an output, the simplified network, and `show`'s
//! text on hand-made networks: dead, constant and pruned neurons, a
//! constant chain over two layers, a zero standard deviation, convolutions.

use mipnet_data::Standardizer;
use mipnet_network::{render, Conv, ConvShape, Layer, Network, Pool, PoolKind, Role, FORMAT_VERSION};

/// How far the simplified network's scores may be from the original's,
/// relative to `1 + |score|`. Folding a constant adds its terms to the bias
/// in another order than the forward pass adds them, so the two agree to
/// rounding, not bit for bit: a reordered sum of n terms moves by at most
/// n·2⁻⁵³ times the sum of its terms' magnitudes, under 1e−14 of it for
/// these sums of at most 16 terms; 1e−9 leaves room for that error to pass
/// through three layers with weights up to 2. A wrong fold (a constant
/// dropped or counted twice) moves a score by a weight times a constant,
/// at least 1e−2 here (weights and biases are multiples of 1/4).
const FOLD_TOLERANCE: f64 = 1e-9;

/// A dense layer with every neuron kept.
fn dense(weights: Vec<Vec<f64>>, bias: Vec<f64>, relu: bool) -> Layer {
    let n = bias.len();
    Layer {
        weights,
        bias,
        kept: vec![true; n],
        relu,
        identity: false,
        grid: None,
        conv: None,
        pool: None,
    }
}

fn standardizer(mean: Vec<f64>, std: Vec<f64>) -> Standardizer {
    let mut s = Standardizer::identity(mean.len());
    s.mean = mean;
    s.std = std;
    s
}

fn network(features: &[&str], classes: &[&str], standardizer: Standardizer, layers: Vec<Layer>) -> Network {
    let net = Network {
        format_version: FORMAT_VERSION,
        feature_names: features.iter().map(|s| s.to_string()).collect(),
        class_names: classes.iter().map(|s| s.to_string()).collect(),
        standardizer,
        layers,
        settings: serde_json::Value::Null,
    };
    net.check().unwrap();
    net
}

/// Seeded pseudo-random numbers (SplitMix64) for inputs and random
/// networks: the network crate has no random-number dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.uniform(0.0, 1.0) < p
    }
}

/// Asserts that the simplified network computes the original's scores on
/// random inputs, and that every neuron called constant has its value.
fn assert_simplification_exact(net: &Network, rng: &mut Rng, samples: usize) {
    let simple = net.simplified();
    simple.check().unwrap();
    let eff = net.effective();
    let d = net.feature_names.len();
    for _ in 0..samples {
        let x: Vec<f64> = (0..d)
            .map(|i| net.standardizer.mean[i] + net.standardizer.std[i] * rng.uniform(-3.0, 3.0))
            .collect();
        let (a, b) = (net.scores(&x), simple.scores(&x));
        for (u, v) in a.iter().zip(&b) {
            assert!((u - v).abs() <= FOLD_TOLERANCE * (1.0 + u.abs()), "{a:?} vs {b:?}");
        }
        let acts = net.activations(&net.standardizer.apply(&x));
        for (l, le) in eff.layers.iter().enumerate() {
            if net.layers[l].identity || net.layers[l].pool.is_some() {
                continue;
            }
            for (j, role) in le.roles.iter().enumerate() {
                if let Role::Constant(c) = role {
                    let v = acts[l][j];
                    assert!(
                        (v - c).abs() <= FOLD_TOLERANCE * (1.0 + c.abs()),
                        "layer {l} neuron {j}: {v} ≠ {c}"
                    );
                }
            }
        }
    }
}

/// age, dose → 4 hidden → no, yes. h1_1 = max(0, 1) is constant, h1_2
/// reads age, h1_3 reads both but no class reads it, h1_4 is pruned.
fn dead_and_constant() -> Network {
    let mut hidden = dense(
        vec![vec![0.0, 0.0], vec![1.0, 0.0], vec![0.5, -1.0], vec![0.0, 0.0]],
        vec![1.0, 0.5, 0.0, 0.0],
        true,
    );
    hidden.kept[3] = false;
    let out = dense(
        vec![vec![1.0, -1.0, 0.0, 0.0], vec![2.0, 1.0, 0.0, 0.0]],
        vec![0.0, -1.0],
        false,
    );
    network(
        &["age", "dose"],
        &["no", "yes"],
        standardizer(vec![50.0, 2.0], vec![10.0, 1.0]),
        vec![hidden, out],
    )
}

#[test]
fn dead_constant_and_pruned_neurons_are_left_out_counted_and_folded() {
    let net = dead_and_constant();
    let eff = net.effective();
    assert_eq!(
        eff.layers[0].roles,
        vec![
            Role::Constant(1.0),
            Role::Effective,
            Role::NoEffect,
            Role::Constant(0.0)
        ]
    );
    // The classes' constants: 0 + 1·1 and −1 + 2·1.
    assert_eq!(eff.layers[1].folded_bias, vec![1.0, 1.0]);
    assert_eq!(eff.effective_neurons(), vec![1]);
    assert_eq!(net.neurons_effective(), vec![1]);
    assert_eq!(net.neurons_kept(), vec![3]);
    assert_eq!(eff.inputs_used, vec![true, false]);
    assert_simplification_exact(&net, &mut Rng(1), 200);

    let text = render(&net);
    assert!(
        text.contains(
            "Hidden layer 1: 1 of 4 neurons affect the output; left out: 1 pruned, \
             1 constant (folded into the class scores' constants), \
             1 whose outgoing weights reach no output:\n  h1_2 = max(0, 0.1·[age] − 4.5)\n"
        ),
        "{text}"
    );
    for gone in ["h1_1", "h1_3", "h1_4", "max(0, 1)"] {
        assert!(!text.contains(gone), "{gone} is shown: {text}");
    }
    assert!(text.contains("  no = −h1_2 + 1\n  yes = h1_2 + 1\n"), "{text}");
    assert!(text.contains("Inputs not used: dose"), "{text}");
}

#[test]
fn constants_fold_through_two_hidden_layers() {
    // h1_1 = max(0, 2) constant; h1_2 = max(0, x).
    let l1 = dense(vec![vec![0.0], vec![1.0]], vec![2.0, 0.0], true);
    // h2_1 = max(0, 1.5·h1_1 − 1) = 2, constant; h2_2 = max(0, h1_2 − 0.5·h1_1) = max(0, h1_2 − 1).
    let l2 = dense(vec![vec![1.5, 0.0], vec![-0.5, 1.0]], vec![-1.0, 0.0], true);
    // a = h2_1 − h2_2 = 2 − h2_2; b = 0.25·h2_1 = 0.5 (constant score).
    let l3 = dense(vec![vec![1.0, -1.0], vec![0.25, 0.0]], vec![0.0, 0.0], false);
    let net = network(
        &["x"],
        &["a", "b"],
        standardizer(vec![0.0], vec![1.0]),
        vec![l1, l2, l3],
    );
    let eff = net.effective();
    assert_eq!(eff.layers[0].roles, vec![Role::Constant(2.0), Role::Effective]);
    assert_eq!(eff.layers[1].roles, vec![Role::Constant(2.0), Role::Effective]);
    assert_eq!(eff.layers[1].folded_bias, vec![2.0, -1.0]);
    assert_eq!(eff.layers[2].folded_bias, vec![2.0, 0.5]);
    assert_eq!(eff.effective_neurons(), vec![1, 1]);
    assert_simplification_exact(&net, &mut Rng(2), 200);

    let text = render(&net);
    assert!(
        text.contains(
            "Hidden layer 1: 1 of 2 neurons affect the output; left out: 1 constant (folded into hidden layer 2's constants):\n  h1_2 = max(0, [x])\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Hidden layer 2: 1 of 2 neurons affect the output; left out: 1 constant (folded into the class scores' constants):\n  h2_2 = max(0, h1_2 − 1)\n"
        ),
        "{text}"
    );
    assert!(text.contains("  a = −h2_2 + 2\n  b = 0.5\n"), "{text}");
    assert!(!text.contains("Every class score is constant"), "{text}");
}

#[test]
fn a_network_whose_every_score_is_constant_says_which_class_it_predicts() {
    // The only hidden neuron is dead (no class reads it): both scores are constants.
    let l1 = dense(vec![vec![1.0]], vec![0.0], true);
    let l2 = dense(vec![vec![0.0], vec![0.0]], vec![0.25, 0.75], false);
    let net = network(
        &["x"],
        &["low", "high"],
        standardizer(vec![0.0], vec![1.0]),
        vec![l1, l2],
    );
    assert_eq!(net.effective().layers[0].roles, vec![Role::NoEffect]);
    let text = render(&net);
    assert!(
        text.contains(
            "Hidden layer 1: 0 of 1 neurons affect the output; left out: 1 whose outgoing weights reach no output:"
        ),
        "{text}"
    );
    assert!(text.contains("  low = 0.25\n  high = 0.75\n"), "{text}");
    assert!(
        text.contains("Every class score is constant: the network predicts high for every input."),
        "{text}"
    );
    assert!(text.contains("Inputs not used: x"), "{text}");
}

#[test]
fn a_zero_standard_deviation_is_named_never_printed_as_infinity() {
    let l1 = dense(vec![vec![2.0, 1.0]], vec![0.0], true);
    let l2 = dense(vec![vec![1.0], vec![-1.0]], vec![0.0, 0.0], false);
    let net = Network {
        format_version: FORMAT_VERSION,
        feature_names: vec!["site".into(), "dose".into()],
        class_names: vec!["p".into(), "q".into()],
        standardizer: standardizer(vec![3.0, 1.0], vec![0.0, 2.0]),
        layers: vec![l1, l2],
        settings: serde_json::Value::Null,
    };
    let text = render(&net);
    assert!(!text.contains("inf"), "{text}");
    assert!(text.contains("h1_1 = max(0, 0.5·[dose] − 0.5)"), "{text}");
    assert!(
        text.contains("[site] is constant in the training data (standard deviation 0) and is ignored."),
        "{text}"
    );
    assert!(!text.contains("Inputs not used"), "{text}");
}

#[test]
fn every_minus_sign_is_the_same_character() {
    // Coefficients and constants of every form: fixed, scientific, negative.
    let l1 = dense(
        vec![vec![-2.5e-5, 0.75], vec![-1.0, -3.0e6]],
        vec![-1.0e-6, -0.125],
        true,
    );
    let l2 = dense(vec![vec![-1.0, 0.5], vec![1.0, -1.0]], vec![-2.0, -0.5], false);
    let net = network(
        &["u", "v"],
        &["p", "q"],
        standardizer(vec![0.0, 0.0], vec![1.0, 1.0]),
        vec![l1, l2],
    );
    let text = render(&net);
    assert!(!text.contains('-'), "an ASCII minus: {text}");
    assert!(
        text.contains("h1_1 = max(0, −2.500e−5·[u] + 0.75·[v] − 1.000e−6)"),
        "{text}"
    );
    assert!(text.contains("h1_2 = max(0, −[u] − 3.000e6·[v] − 0.125)"), "{text}");
    assert!(text.contains("p = −h1_1 + 0.5·h1_2 − 2"), "{text}");
}

/// A 1×4×4 image → 3 filters 3×3 (padding 1) → pool 2 → 2 classes. Filter
/// 1 is read; filter 2 has weights but the head does not read it; filter 3
/// is pruned (zero kernel and bias).
fn conv_net(kind: PoolKind) -> Network {
    let shape = ConvShape {
        input: [1, 4, 4],
        channels: 3,
        kernel: 3,
        stride: 1,
        padding: 1,
    };
    let mut filters: Vec<f64> = (0..shape.params())
        .map(|i| ((i * 5) % 7) as f64 * 0.25 - 0.75)
        .collect();
    filters[18..27].iter_mut().for_each(|w| *w = 0.0);
    let pool = Pool {
        kind,
        size: 2,
        stride: 2,
    };
    let mut conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.2, 0.0], Some(pool));
    conv.kept[32..48].iter_mut().for_each(|k| *k = false);
    // 12 pooled values: filter 1's 4, filter 2's 4 (unread), filter 3's 4 (read, but always 0).
    let head = dense(
        (0..2)
            .map(|k| {
                (0..12)
                    .map(|j| match j / 4 {
                        0 => ((j + k) % 3) as f64 - 1.0,
                        1 => 0.0,
                        _ => 0.5,
                    })
                    .collect()
            })
            .collect(),
        vec![0.0, 0.5],
        false,
    );
    let names: Vec<String> = (0..16).map(|i| format!("p{i}")).collect();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    network(
        &names,
        &["a", "b"],
        standardizer(vec![0.0; 16], vec![1.0; 16]),
        vec![conv, head],
    )
}

#[test]
fn convolutions_are_kept_whole_but_unread_and_zero_filters_are_left_out() {
    for kind in [PoolKind::Max, PoolKind::Average] {
        let net = conv_net(kind);
        let eff = net.effective();
        let roles = &eff.layers[0].roles;
        assert!(roles[..16].iter().all(|r| *r == Role::Effective));
        assert!(roles[16..32].iter().all(|r| *r == Role::NoEffect));
        assert!(roles[32..].iter().all(|r| *r == Role::Constant(0.0)));
        assert_eq!(eff.effective_neurons(), vec![1]);
        assert_eq!(net.neurons_kept(), vec![2]);
        assert_simplification_exact(&net, &mut Rng(3), 100);
        // A convolution is not simplified and folding exact zeros changes no
        // bias: the scores are bit for bit the same.
        let simple = net.simplified();
        let mut rng = Rng(4);
        for _ in 0..50 {
            let x: Vec<f64> = (0..16).map(|_| rng.uniform(-2.0, 2.0)).collect();
            assert_eq!(net.scores(&x), simple.scores(&x));
        }

        let text = render(&net);
        assert!(text.contains("Convolution layer 1 (2 of 3 filters kept)"), "{text}");
        assert!(
            text.contains("  1 of 3 filters affect the output (a convolution is simplified by whole filters only: its constant positions are not folded)\n"),
            "{text}"
        );
        assert!(text.contains("filter 1 (bias 0.1)"), "{text}");
        assert!(!text.contains("filter 2") && !text.contains("filter 3"), "{text}");
        assert!(
            text.contains("f1[2,2]") && !text.contains("f2[") && !text.contains("f3["),
            "{text}"
        );
        assert!(!text.contains('-'), "an ASCII minus: {text}");
    }
}

/// A random dense network: widths, weights with many zeros, whole rows and
/// columns zero (constant and dead neurons), biases of both signs, and now
/// and then a hidden layer pruned to the identity.
fn random_network(rng: &mut Rng) -> Network {
    let d = 1 + (rng.next() % 5) as usize;
    let k = 2 + (rng.next() % 3) as usize;
    let hidden = 1 + (rng.next() % 3) as usize;
    let mut layers = Vec::new();
    let mut width = d;
    for h in 0..=hidden {
        let is_output = h == hidden;
        if !is_output && h > 0 && rng.chance(0.2) {
            layers.push(Layer {
                weights: vec![vec![0.0; width]; width],
                bias: vec![0.0; width],
                kept: vec![false; width],
                relu: true,
                identity: true,
                grid: None,
                conv: None,
                pool: None,
            });
            continue;
        }
        let n = if is_output { k } else { 1 + (rng.next() % 6) as usize };
        let dead_col: Vec<bool> = (0..width).map(|_| h > 0 && rng.chance(0.25)).collect();
        let weights = (0..n)
            .map(|_| {
                let zero_row = !is_output && rng.chance(0.3);
                (0..width)
                    .map(|i| {
                        if zero_row || dead_col[i] || rng.chance(0.3) {
                            0.0
                        } else {
                            (rng.uniform(-2.0, 2.0) * 4.0).round() / 4.0
                        }
                    })
                    .collect()
            })
            .collect();
        let bias = (0..n).map(|_| (rng.uniform(-1.5, 1.5) * 4.0).round() / 4.0).collect();
        layers.push(dense(weights, bias, !is_output));
        width = n;
    }
    let features: Vec<String> = (0..d).map(|i| format!("x{i}")).collect();
    let features: Vec<&str> = features.iter().map(|s| s.as_str()).collect();
    let classes: Vec<String> = (0..k).map(|i| format!("c{i}")).collect();
    let classes: Vec<&str> = classes.iter().map(|s| s.as_str()).collect();
    let mean = (0..d).map(|_| rng.uniform(-5.0, 5.0)).collect();
    let std = (0..d).map(|_| rng.uniform(0.5, 3.0)).collect();
    network(&features, &classes, standardizer(mean, std), layers)
}

#[test]
fn random_networks_simplify_to_the_same_function() {
    let mut rng = Rng(5);
    let (mut constants, mut dead) = (0, 0);
    for _ in 0..300 {
        let net = random_network(&mut rng);
        let eff = net.effective();
        for le in &eff.layers[..eff.layers.len() - 1] {
            constants += le
                .roles
                .iter()
                .filter(|r| matches!(r, Role::Constant(c) if *c != 0.0))
                .count();
            dead += le.roles.iter().filter(|r| **r == Role::NoEffect).count();
        }
        assert_simplification_exact(&net, &mut rng, 20);
        // Every printed neuron is effective, and every effective one printed.
        let text = render(&net);
        for (l, le) in eff.layers[..eff.layers.len() - 1].iter().enumerate() {
            for (j, role) in le.roles.iter().enumerate() {
                let shown = text.contains(&format!("h{}_{} = ", l + 1, j + 1));
                let identity = net.layers[l].identity;
                assert_eq!(shown, !identity && *role == Role::Effective, "{text}");
            }
        }
    }
    // The generator makes both kinds often enough for the test to mean something.
    assert!(constants > 50 && dead > 50, "{constants} constant, {dead} dead");
}
