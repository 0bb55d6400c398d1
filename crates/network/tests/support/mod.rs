//! Helpers of the `show` tests, in one place for both test binaries that
//! use them (crates/network/tests/show.rs, and crates/cli/tests/show_cli.rs
//! through `#[path]`): hand-made networks, seeded random inputs, and the
//! checks that `show`'s analysis and equations compute what the forward
//! pass computes.
#![allow(dead_code)] // each test binary uses its own part

use mipnet_data::Standardizer;
use mipnet_network::{Layer, Network, Role, FORMAT_VERSION};

/// How far the simplified network's scores may be from the original's, relative to `1 + |value|`. Folding a
/// constant adds its terms to the bias in another order than the forward
/// pass adds them, so the two agree to rounding, not bit for bit: a
/// reordered sum of n terms moves by at most n·2⁻⁵³ times the sum of its
/// terms' magnitudes, under 1e−14 of it for sums of at most a few dozen
/// terms of the hand-made and trained networks; 1e−9 leaves room for that
/// error to pass through three layers with weights up to 2. A wrong fold
/// (a constant dropped or counted twice) moves a score by a weight times a
/// constant, at least 1e−2 in the hand-made networks (weights and biases
/// are multiples of 1/4).
pub const FOLD_TOLERANCE: f64 = 1e-9;

/// How far an equation of `show`, evaluated unrounded on raw inputs, may be
/// from the forward pass's activation, relative to `1 +` the sum of the
/// magnitudes it adds (its terms and its constant). The equation folds the
/// standardization into its coefficients, `(w/σ)·x − w·μ/σ` for
/// `w·(x − μ)/σ`, and adds in another order: a few roundings of each term,
/// far below 1e−9 of those magnitudes; the error an equation inherits from
/// the values it reads is as small, times weights of at most 2. A wrong
/// equation (a term, a constant or a standardization missing or doubled)
/// is off by a whole term.
pub const EQUATION_TOLERANCE: f64 = 1e-9;

/// A dense layer with every neuron kept.
pub fn dense(weights: Vec<Vec<f64>>, bias: Vec<f64>, relu: bool) -> Layer {
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

pub fn standardizer(mean: Vec<f64>, std: Vec<f64>) -> Standardizer {
    let mut s = Standardizer::identity(mean.len());
    s.mean = mean;
    s.std = std;
    s
}

/// A network as given, not checked: for files `load` must refuse.
pub fn unchecked_network(
    features: &[&str],
    classes: &[&str],
    standardizer: Standardizer,
    layers: Vec<Layer>,
) -> Network {
    Network {
        format_version: FORMAT_VERSION,
        feature_names: features.iter().map(|s| s.to_string()).collect(),
        class_names: classes.iter().map(|s| s.to_string()).collect(),
        standardizer,
        layers,
        settings: Default::default(),
    }
}

/// A network that passes [`Network::check`].
pub fn network(features: &[&str], classes: &[&str], standardizer: Standardizer, layers: Vec<Layer>) -> Network {
    let net = unchecked_network(features, classes, standardizer, layers);
    net.check().unwrap();
    net
}

/// Seeded pseudo-random numbers (SplitMix64) for inputs and random
/// networks: the network crate has no random-number dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform(0.0, 1.0) < p
    }
}

/// A raw input within 3 standard deviations of the training mean.
pub fn random_input(net: &Network, rng: &mut Rng) -> Vec<f64> {
    (0..net.feature_names.len())
        .map(|i| net.standardizer.mean[i] + net.standardizer.std[i] * rng.uniform(-3.0, 3.0))
        .collect()
}

/// Each layer's neuron outputs before pooling, for a raw input.
pub fn unpooled_activations(net: &Network, x_raw: &[f64]) -> Vec<Vec<f64>> {
    let mut cur = net.standardizer.apply(x_raw);
    let mut out = Vec::with_capacity(net.layers.len());
    for l in &net.layers {
        let h = l.neuron_outputs(&cur);
        out.push(h.clone());
        cur = l.pool_outputs(h);
    }
    out
}

/// Asserts that the simplified network computes the original's scores on
/// `samples` random inputs, and that every neuron called constant has
/// exactly its value (before pooling).
pub fn assert_simplification_exact(net: &Network, rng: &mut Rng, samples: usize) {
    let simple = net.simplified();
    simple.check().unwrap();
    let eff = net.effective();
    for _ in 0..samples {
        let x = random_input(net, rng);
        let (a, b) = (net.scores(&x), simple.scores(&x));
        for (u, v) in a.iter().zip(&b) {
            assert!((u - v).abs() <= FOLD_TOLERANCE * (1.0 + u.abs()), "{a:?} vs {b:?}");
        }
        let acts = unpooled_activations(net, &x);
        for (l, le) in eff.layers.iter().enumerate() {
            if net.layers[l].identity {
                continue;
            }
            for (j, role) in le.roles.iter().enumerate() {
                if let Role::Constant(c) = role {
                    // Computed as the forward pass adds: bit for bit.
                    assert_eq!(acts[l][j], *c, "layer {l} neuron {j}");
                }
            }
        }
    }
}

/// Asserts that `show`'s equations, evaluated unrounded on the raw input
/// `x_raw` layer by layer, give the forward pass's activations and scores;
/// that they read only values that some equation (or a convolution the
/// forward pass computes) gives; and that `text` prints each of them.
/// Returns how many hidden neurons were left out.
pub fn assert_equations_match(net: &Network, text: &str, x_raw: &[f64]) -> usize {
    let equations = net.equations();
    let eff = net.effective();
    let acts = net.activations(&net.standardizer.apply(x_raw));
    let last = net.layers.iter().rposition(|l| !l.identity).unwrap();
    let mut left_out = 0;
    // The values the current layer reads: NaN where no equation gives one,
    // so that an equation reading it fails.
    let mut values = x_raw.to_vec();
    for (l, layer) in net.layers.iter().enumerate() {
        if layer.identity {
            continue;
        }
        if let Some(c) = &layer.conv {
            // Printed as filters on standardized inputs: the head reads the
            // forward pass's values of the effective filters only.
            let per_value = acts[l].len() / c.shape.channels;
            let per = eff.layers[l].roles.len() / c.shape.channels;
            values = (0..acts[l].len())
                .map(|q| match eff.layers[l].roles[q / per_value * per] {
                    Role::Effective => acts[l][q],
                    _ => f64::NAN,
                })
                .collect();
            continue;
        }
        let mut next = vec![f64::NAN; layer.outputs()];
        for e in &equations[l] {
            assert!(text.contains(&format!("  {e}\n")), "{e} is not printed: {text}");
            let v = e.evaluate(&values);
            let magnitude: f64 = e
                .terms
                .iter()
                .map(|t| (t.coefficient * values[t.input]).abs())
                .sum::<f64>()
                + e.constant.abs();
            let want = acts[l][e.neuron];
            assert!(
                (v - want).abs() <= EQUATION_TOLERANCE * (1.0 + magnitude),
                "layer {} {e}: {v} ≠ {want} (input {x_raw:?})",
                l + 1
            );
            next[e.neuron] = v;
        }
        if l == last {
            assert_eq!(equations[l].len(), layer.outputs(), "every score has an equation");
        } else {
            left_out += layer.outputs() - equations[l].len();
        }
        values = next;
    }
    left_out
}

/// age, dose → 4 hidden → no, yes. h1_1 = max(0, 1) is constant, h1_2
/// reads age, h1_3 reads both but no class reads it, h1_4 is pruned.
pub fn dead_and_constant() -> Network {
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
