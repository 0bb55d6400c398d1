//! Which neurons affect an output, the simplified network, and `show`'s
//! text on hand-made networks: dead, constant and pruned neurons, a
//! constant chain over two layers, neurons that never rise above 0,
//! convolutions with constant filters; on random networks, that the
//! simplified network and the printed equations compute the forward pass.

mod support;

use mipnet_network::{render, Conv, ConvShape, Layer, Network, Pool, PoolKind, Role};
use support::{
    assert_equations_match, assert_simplification_exact, dead_and_constant, dense, network, random_input, standardizer,
    Rng,
};

/// Asserts that `show`'s equations give the forward pass's values on
/// `samples` random raw inputs; returns how many hidden neurons are left
/// out.
fn assert_equations_exact(net: &Network, rng: &mut Rng, samples: usize) -> usize {
    let text = render(net);
    let mut left_out = 0;
    for _ in 0..samples {
        let x = random_input(net, rng);
        left_out = assert_equations_match(net, &text, &x);
    }
    left_out
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
    assert_eq!(assert_equations_exact(&net, &mut Rng(11), 200), 3);

    let text = render(&net);
    assert!(text.contains("; 7 of 16 weights nonzero"), "{text}");
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
    assert_eq!(assert_equations_exact(&net, &mut Rng(12), 200), 2);

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
            "Hidden layer 1: 0 of 1 neurons affect the output; left out: 1 whose outgoing weights reach no output:\n  none\n"
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

/// A 1×4×4 image → 4 filters 3×3 (padding 1) → pool 2 → 2 classes. Filter
/// 1 is read; filter 2 has weights but the head does not read it; filter 3
/// is pruned (zero kernel and bias); filter 4 has a zero kernel and bias
/// 0.3, so every one of its values is 0.3, and the head reads it.
fn conv_net(kind: PoolKind) -> Network {
    let shape = ConvShape {
        input: [1, 4, 4],
        channels: 4,
        kernel: 3,
        stride: 1,
        padding: 1,
    };
    let mut filters: Vec<f64> = (0..shape.params())
        .map(|i| ((i * 5) % 7) as f64 * 0.25 - 0.75)
        .collect();
    filters[18..36].iter_mut().for_each(|w| *w = 0.0);
    let pool = Pool {
        kind,
        size: 2,
        stride: 2,
    };
    let mut conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.2, 0.0, 0.3], Some(pool));
    conv.kept[32..48].iter_mut().for_each(|k| *k = false);
    // 16 pooled values: filter 1's 4, filter 2's 4 (unread), filter 3's 4
    // (read, but always 0), filter 4's 4 (read, always 0.3).
    let head = dense(
        (0..2)
            .map(|k| {
                (0..16)
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
fn convolutions_are_kept_whole_unread_filters_left_out_and_constant_filters_folded() {
    for kind in [PoolKind::Max, PoolKind::Average] {
        let net = conv_net(kind);
        let eff = net.effective();
        let roles = &eff.layers[0].roles;
        assert!(roles[..16].iter().all(|r| *r == Role::Effective));
        assert!(roles[16..32].iter().all(|r| *r == Role::NoEffect));
        assert!(roles[32..48].iter().all(|r| *r == Role::Constant(0.0)));
        assert!(roles[48..].iter().all(|r| *r == Role::Constant(0.3)), "{roles:?}");
        // Filter 4's four pooled values of 0.3, read with weight 0.5.
        let folded: f64 = eff.layers[1].folded_bias[0];
        assert!((folded - 0.6).abs() < 1e-15, "{folded}");
        assert_eq!(eff.effective_neurons(), vec![1]);
        assert_eq!(net.neurons_kept(), vec![3]);
        // Constant roles against the activations before pooling, the
        // simplified network (filter 4 set to zero) against the scores.
        assert_simplification_exact(&net, &mut Rng(3), 100);
        assert_equations_exact(&net, &mut Rng(4), 100);

        let text = render(&net);
        assert!(text.contains("Convolution layer 1 (3 of 4 filters kept)"), "{text}");
        assert!(
            text.contains(
                "  1 of 4 filters affect the output (a convolution is simplified by whole filters only); \
                 left out: 1 pruned, 1 constant (folded into the class scores' constants), \
                 1 whose outgoing weights reach no output\n"
            ),
            "{text}"
        );
        assert!(text.contains("filter 1 (bias 0.1)"), "{text}");
        for gone in ["filter 2", "filter 3", "filter 4", "f2[", "f3[", "f4["] {
            assert!(!text.contains(gone), "{gone} is shown: {text}");
        }
        assert!(text.contains("f1[2,2]"), "{text}");
        assert!(text.contains(" + 0.6\n") && text.contains(" + 1.1\n"), "{text}");
        assert!(!text.contains('-'), "an ASCII minus: {text}");
    }
}

/// x → 3 → 4 → identity → 2 → a, b: ReLUs of layer 2 and 4 that read only
/// nonnegative varying values (ReLU outputs, also through the identity
/// layer) with weights ≤ 0, with a folded bias ≤ 0, are always 0.
#[test]
fn a_relu_that_can_never_rise_above_zero_is_always_zero() {
    // h1_1 = max(0, x); h1_2 = max(0, 1) constant; h1_3 = max(0, −x − 1)
    // reads a value of either sign: it varies.
    let l1 = dense(vec![vec![1.0], vec![0.0], vec![-1.0]], vec![0.0, 1.0, -1.0], true);
    // h2_1 = max(0, −h1_1 − 1) = 0 (the review's case); h2_2 = max(0, −h1_1
    // + 0.5·h1_2) = max(0, 0.5 − h1_1) varies; h2_3 = max(0, −h1_1 − h1_2 +
    // 1) = 0 (folded bias exactly 0); h2_4 = max(0, −h1_1 + h1_3 − 2)
    // varies (a positive weight).
    let l2 = dense(
        vec![
            vec![-1.0, 0.0, 0.0],
            vec![-1.0, 0.5, 0.0],
            vec![-1.0, -1.0, 0.0],
            vec![-1.0, 0.0, 1.0],
        ],
        vec![-1.0, 0.0, 1.0, -2.0],
        true,
    );
    let identity = Layer {
        weights: vec![vec![0.0; 4]; 4],
        bias: vec![0.0; 4],
        kept: vec![false; 4],
        relu: true,
        identity: true,
        grid: None,
        conv: None,
        pool: None,
    };
    // h4_1 = max(0, h2_1 − h2_2 − h2_4) = 0 (h2_1 is 0, the others ≥ 0 and
    // passed through the identity); h4_2 = max(0, h2_2 + h2_3 + h2_4).
    let l4 = dense(
        vec![vec![1.0, -1.0, 0.0, -1.0], vec![0.0, 1.0, 1.0, 1.0]],
        vec![0.0, 0.0],
        true,
    );
    let l5 = dense(vec![vec![1.0, -1.0], vec![0.0, 1.0]], vec![0.0, 0.25], false);
    let net = network(
        &["x"],
        &["a", "b"],
        standardizer(vec![0.0], vec![1.0]),
        vec![l1, l2, identity, l4, l5],
    );
    let eff = net.effective();
    assert_eq!(
        eff.layers[0].roles,
        vec![Role::Effective, Role::Constant(1.0), Role::Effective]
    );
    let layer2 = vec![
        Role::Constant(0.0),
        Role::Effective,
        Role::Constant(0.0),
        Role::Effective,
    ];
    assert_eq!(eff.layers[1].roles, layer2);
    assert_eq!(eff.layers[2].roles, layer2);
    assert_eq!(eff.layers[3].roles, vec![Role::Constant(0.0), Role::Effective]);
    assert_eq!(eff.effective_neurons(), vec![2, 2, 0, 1]);
    assert_simplification_exact(&net, &mut Rng(6), 300);
    assert_equations_exact(&net, &mut Rng(7), 300);

    let text = render(&net);
    assert!(
        text.contains(
            "Hidden layer 1: 2 of 3 neurons affect the output; left out: 1 constant (folded into hidden layer 2's constants):\n\
             \x20 h1_1 = max(0, [x])\n\
             \x20 h1_3 = max(0, −[x] − 1)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Hidden layer 2: 2 of 4 neurons affect the output; left out: 2 always 0:\n\
             \x20 h2_2 = max(0, −h1_1 + 0.5)\n\
             \x20 h2_4 = max(0, −h1_1 + h1_3 − 2)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Hidden layer 4: 1 of 2 neurons affect the output; left out: 1 always 0:\n\
             \x20 h4_2 = max(0, h2_2 + h2_4)\n"
        ),
        "{text}"
    );
    assert!(text.contains("  a = −h4_2\n  b = h4_2 + 0.25\n"), "{text}");
    for gone in ["h2_1 =", "h2_3 =", "h4_1 ="] {
        assert!(!text.contains(gone), "{gone} is shown: {text}");
    }
}

#[test]
fn always_zero_is_decided_in_the_forward_pass_order_of_addition() {
    // h2_1 = max(0, −h1_1 + 0.6 + 1.1 − 1.7): folded as −1.7 + 0.6 + 1.1 the
    // constants give 0, but the forward pass adds 0.6 + 1.1 first and then
    // −1.7, which gives 2.2e−16: h2_1 is not always 0.
    let l1 = dense(vec![vec![1.0], vec![0.0], vec![0.0]], vec![0.0, 0.6, 1.1], true);
    let l2 = dense(vec![vec![-1.0, 1.0, 1.0]], vec![-1.7], true);
    let l3 = dense(vec![vec![1.0], vec![-1.0]], vec![0.0, 0.0], false);
    let net = network(
        &["x"],
        &["a", "b"],
        standardizer(vec![0.0], vec![1.0]),
        vec![l1, l2, l3],
    );
    assert_eq!(net.activations(&[-1.0])[1], vec![2.220446049250313e-16]);
    let eff = net.effective();
    assert_eq!(eff.layers[1].roles, vec![Role::Effective]);
    assert_simplification_exact(&net, &mut Rng(8), 100);
}

#[test]
fn a_coefficient_is_printed_without_a_factor_when_it_prints_as_one() {
    // 1.00001 and −0.99999 both round to 1 at 4 decimals; 1.0001 does not.
    let l1 = dense(vec![vec![1.00001, -0.99999, 1.0001]], vec![0.0], true);
    let l2 = dense(vec![vec![1.0], vec![-1.0]], vec![0.0, 0.0], false);
    let net = network(
        &["u", "v", "w"],
        &["p", "q"],
        standardizer(vec![0.0; 3], vec![1.0; 3]),
        vec![l1, l2],
    );
    let text = render(&net);
    assert!(text.contains("  h1_1 = max(0, [u] − [v] + 1.0001·[w])\n"), "{text}");
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
    let (mut constants, mut dead, mut never_positive) = (0, 0, 0);
    for _ in 0..300 {
        let net = random_network(&mut rng);
        let eff = net.effective();
        for (l, le) in eff.layers[..eff.layers.len() - 1].iter().enumerate() {
            constants += le
                .roles
                .iter()
                .filter(|r| matches!(r, Role::Constant(c) if *c != 0.0))
                .count();
            dead += le.roles.iter().filter(|r| **r == Role::NoEffect).count();
            // Always 0 although it reads a varying value: the sign rule.
            never_positive += le
                .roles
                .iter()
                .zip(&net.layers[l].weights)
                .filter(|(r, row)| {
                    **r == Role::Constant(0.0)
                        && !net.layers[l].identity
                        && row.iter().enumerate().any(|(i, w)| {
                            *w != 0.0
                                && (l == 0
                                    || eff.layers[l - 1]
                                        .roles
                                        .get(i)
                                        .is_some_and(|p| !matches!(p, Role::Constant(_))))
                        })
                })
                .count();
        }
        assert_simplification_exact(&net, &mut rng, 20);
        assert_equations_exact(&net, &mut rng, 20);
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
    assert!(
        constants > 50 && dead > 50 && never_positive > 50,
        "{constants} constant, {dead} dead, {never_positive} never above 0"
    );
}
