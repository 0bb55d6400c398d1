//! `mipnet show`: only the neurons that affect an output, constants folded
//! into the class scores, one minus sign; trained networks counted and
//! simplified exactly; ONNX models with their input names and only the
//! kinds of units they have.

mod common;
#[path = "../../network/tests/support/mod.rs"]
mod support;

use common::{assert_bad_input, mipnet, stderr, QUICK};
use mipnet_network::{Conv, ConvShape, Layer, Network, Pool, PoolKind, Role};
use std::path::Path;
use support::{
    assert_equations_match, dead_and_constant, dense, network, random_input, standardizer, unchecked_network, Rng,
    FOLD_TOLERANCE,
};

fn save(dir: &Path, name: &str, net: &Network) -> String {
    let p = dir.join(name);
    net.save(&p).unwrap();
    p.to_str().unwrap().to_string()
}

/// A file under the repository's examples/.
fn example(name: &str) -> String {
    format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn shown(path: &str) -> String {
    let o = mipnet(&["show", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn show_prints_only_neurons_that_affect_an_output_and_folds_constants() {
    // h1_1 = max(0, 1) is constant (as in the WDBC report), h1_2 reads age,
    // h1_3 reads both but no class reads it, h1_4 is pruned.
    let net = dead_and_constant();
    let dir = tempfile::tempdir().unwrap();
    let text = shown(&save(dir.path(), "network.json", &net));
    assert!(
        text.contains(
            "\nHidden layer 1: 1 of 4 neurons affect the output; left out: 1 pruned, \
             1 constant (folded into the class scores' constants), 1 whose outgoing weights reach no output:\n\
             \x20 h1_2 = max(0, 0.1·[age] − 4.5)\n\n\
             Class scores (the predicted class has the highest score):\n\
             \x20 no = −h1_2 + 1\n\
             \x20 yes = h1_2 + 1\n"
        ),
        "{text}"
    );
    for gone in ["h1_1", "h1_3", "h1_4", "max(0, 1)", "kept)"] {
        assert!(!text.contains(gone), "{gone} is shown: {text}");
    }
    assert!(!text.contains('-'), "an ASCII minus: {text}");
}

/// A quick training run into `out`; returns the network it wrote.
fn train(dataset: &str, hidden: &str, out: &Path) -> Network {
    let mut args = vec![
        "train",
        "--dataset",
        dataset,
        "--hidden",
        hidden,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    Network::load(&out.join("network.json")).unwrap()
}

/// Asserts that `text`, what `show` printed for `net`, counts and prints
/// exactly its effective neurons; that its equations, evaluated on random
/// raw inputs around the data, give the forward pass's activations and
/// scores; and that the simplified network computes the same scores.
/// Returns how many hidden neurons were left out.
fn assert_shown_faithfully(what: &str, net: &Network, text: &str, rng: &mut Rng) -> usize {
    let eff = net.effective();
    let counts = net.neurons_effective();
    for (l, le) in eff.layers[..eff.layers.len() - 1].iter().enumerate() {
        let header = format!(
            "Hidden layer {}: {} of {} neurons affect the output",
            l + 1,
            counts[l],
            le.roles.len()
        );
        assert!(text.contains(&header), "{what}: {header:?} not in {text}");
        for (j, role) in le.roles.iter().enumerate() {
            let printed = text.contains(&format!("  h{}_{} = ", l + 1, j + 1));
            assert_eq!(
                printed,
                *role == Role::Effective,
                "{what}: h{}_{}: {text}",
                l + 1,
                j + 1
            );
        }
    }
    assert!(!text.contains('-') && !text.contains("inf"), "{what}: {text}");
    let simple = net.simplified();
    let mut left_out = 0;
    for _ in 0..200 {
        let x = random_input(net, rng);
        let (a, b) = (net.scores(&x), simple.scores(&x));
        for (u, v) in a.iter().zip(&b) {
            assert!(
                (u - v).abs() <= FOLD_TOLERANCE * (1.0 + u.abs()),
                "{what}: {a:?} vs {b:?}"
            );
        }
        left_out = assert_equations_match(net, text, &x);
    }
    left_out
}

#[test]
fn trained_networks_show_their_effective_neurons_and_their_equations_compute_the_scores() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(21);
    let mut left_out = Vec::new();
    let mut wdbc = None;
    for (dataset, hidden) in [("wdbc", "8"), ("iris", "8"), ("wine", "6,4")] {
        let out = dir.path().join(dataset);
        let net = train(dataset, hidden, &out);
        let text = shown(out.join("network.json").to_str().unwrap());
        left_out.push(assert_shown_faithfully(dataset, &net, &text, &mut rng));
        wdbc.get_or_insert(net);
    }
    // Measured: WDBC leaves 3 of 8 out, Iris 4 of 8, Wine 1 of 10 (the ℓ1
    // penalty zeroes whole rows and columns). Should a run keep every
    // neuron, the case below still leaves one out.
    assert!(
        left_out.iter().sum::<usize>() > 0,
        "no trained network left a neuron out: {left_out:?}"
    );

    // A trained network with one effective neuron's outgoing weights set to
    // zero: that neuron must be left out, whatever the run kept.
    let mut net = wdbc.unwrap();
    let hidden = net.layers.len() - 2;
    let j = net.effective().layers[hidden]
        .roles
        .iter()
        .position(|r| *r == Role::Effective)
        .expect("an effective neuron");
    for row in &mut net.layers[hidden + 1].weights {
        row[j] = 0.0;
    }
    let path = save(dir.path(), "cut.json", &net);
    let text = shown(&path);
    assert_eq!(net.effective().layers[hidden].roles[j], Role::NoEffect);
    assert!(!text.contains(&format!("  h{}_{} = ", hidden + 1, j + 1)), "{text}");
    assert!(assert_shown_faithfully("cut WDBC", &net, &text, &mut rng) >= 1);
}

#[test]
fn show_of_an_onnx_model_names_its_inputs_and_only_the_units_it_has() {
    let text = shown(&example("acasxu-like/net.onnx"));
    assert!(
        text.contains(
            "\nInputs (the CSV columns `predict` and `verify --data` read, by name, in any order): x0, x1, x2, x3, x4\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("\n60 ReLU units\n"), "{text}");
    assert!(!text.contains("max-pool"), "{text}");
    let text = shown(&example("verify/digits_mlp.onnx"));
    assert!(text.contains("in any order): x0 … x63 (64 columns)\n"), "{text}");

    // mipnet's own convolution with max pooling, exported: named inputs, both kinds.
    let shape = ConvShape {
        input: [1, 4, 4],
        channels: 2,
        kernel: 3,
        stride: 1,
        padding: 1,
    };
    let filters = (0..shape.params()).map(|i| (i % 5) as f64 * 0.5 - 1.0).collect();
    let pool = Pool {
        kind: PoolKind::Max,
        size: 2,
        stride: 2,
    };
    let conv = Layer::convolution(Conv { shape, filters }, &[0.1, -0.2], Some(pool));
    let head = dense(
        (0..2)
            .map(|k| (0..8).map(|j| ((j + k) % 3) as f64 - 1.0).collect())
            .collect(),
        vec![0.0, 0.5],
        false,
    );
    let pixels: Vec<String> = (0..16).map(|i| format!("p{i}")).collect();
    let pixels: Vec<&str> = pixels.iter().map(|s| s.as_str()).collect();
    let net = network(
        &pixels,
        &["a", "b"],
        standardizer(vec![0.0; 16], vec![1.0; 16]),
        vec![conv, head],
    );
    let dir = tempfile::tempdir().unwrap();
    let json = save(dir.path(), "cnn.json", &net);
    let onnx = dir.path().join("cnn.onnx");
    let onnx = onnx.to_str().unwrap();
    let e = mipnet(&["export", "--model", &json, "--out", onnx]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    let text = shown(onnx);
    assert!(
        text.contains(&format!("in any order): {}\n", pixels.join(", "))),
        "{text}"
    );
    assert!(text.ends_with("\n32 ReLU units, 8 max-pool units\n"), "{text}");

    // No hidden layer: an affine model has neither kind.
    let linear = network(
        &["u", "v"],
        &["a", "b"],
        standardizer(vec![0.0; 2], vec![1.0; 2]),
        vec![dense(vec![vec![1.0, -1.0], vec![0.5, 2.0]], vec![0.0, 1.0], false)],
    );
    let json = save(dir.path(), "linear.json", &linear);
    let onnx = dir.path().join("linear.onnx");
    let onnx = onnx.to_str().unwrap();
    let e = mipnet(&["export", "--model", &json, "--out", onnx]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    let text = shown(onnx);
    assert!(text.contains("in any order): u, v\n"), "{text}");
    assert!(
        text.ends_with("\nno ReLU or max-pool units: the network is affine\n"),
        "{text}"
    );
}

#[test]
fn show_refuses_a_zero_or_tiny_standard_deviation_naming_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    // 1e−310 passed the check once and printed inf·[site]; 1e−12 is the
    // largest a training run never writes (it gives such a feature scale 1).
    for std in [0.0, 1e-310, 1e-12] {
        let net = unchecked_network(
            &["site", "dose"],
            &["p", "q"],
            standardizer(vec![3.0, 1.0], vec![std, 2.0]),
            vec![
                dense(vec![vec![2.0, 1.0]], vec![0.0], true),
                dense(vec![vec![1.0], vec![-1.0]], vec![0.0, 0.0], false),
            ],
        );
        let path = save(dir.path(), "network.json", &net);
        assert_bad_input(
            &mipnet(&["show", &path]),
            &["network.json", "standardizer.std[0] ('site')", "above 1e-12"],
        );
    }
    // Just above it, the file is read and shown in finite numbers.
    let net = network(
        &["site", "dose"],
        &["p", "q"],
        standardizer(vec![3.0, 1.0], vec![2e-12, 2.0]),
        vec![
            dense(vec![vec![2.0, 1.0]], vec![0.0], true),
            dense(vec![vec![1.0], vec![-1.0]], vec![0.0, 0.0], false),
        ],
    );
    let text = shown(&save(dir.path(), "network.json", &net));
    assert!(
        text.contains("h1_1 = max(0, 1.000e12·[site] + 0.5·[dose] − 3.000e12)"),
        "{text}"
    );
}
