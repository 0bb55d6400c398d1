//! A network as a chain of piecewise-linear operations, the form that
//! verification and ONNX work on.
//!
//! `Network` is what mipnet trains: dense layers with a standardization in
//! front. Networks made elsewhere (ONNX files from PyTorch or Keras) also
//! have convolutions, pooling and normalization. All of these are either
//! affine maps (dense, convolution, average pooling, normalization), the
//! ReLU, or a max over windows — so one small vocabulary covers them, and
//! the MILP encoder of `mipnet verify` needs to know only these four.
//! Shapes (channels, height, width) only matter while importing: once a
//! convolution is an affine map with sparse rows, the values are a flat
//! vector in row-major (C, H, W) order, which is also how ONNX's Flatten
//! and Reshape lay them out.

use crate::{Network, PoolKind};

/// `y = W x + b` with sparse rows: a dense layer, or a convolution or
/// average pooling unrolled over its input positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Affine {
    /// Length of the input vector.
    pub inputs: usize,
    /// `rows[i]` = the (input index, weight) pairs of output `i`, in
    /// increasing input order.
    pub rows: Vec<Vec<(usize, f64)>>,
    pub bias: Vec<f64>,
}

impl Affine {
    /// From a dense `weights[out][in]`, dropping exact zeros.
    pub fn dense(weights: &[Vec<f64>], bias: &[f64]) -> Affine {
        let inputs = weights.first().map_or(0, |r| r.len());
        let rows = weights
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .filter(|(_, w)| **w != 0.0)
                    .map(|(j, w)| (j, *w))
                    .collect()
            })
            .collect();
        Affine {
            inputs,
            rows,
            bias: bias.to_vec(),
        }
    }

    pub fn outputs(&self) -> usize {
        self.rows.len()
    }

    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        self.rows
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| row.iter().map(|&(j, w)| w * x[j]).sum::<f64>() + b)
            .collect()
    }
}

/// One step of a [`ReluNet`].
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `(x − sub) / div`, elementwise: input normalization, kept apart from
    /// the affine maps so the forward pass rounds exactly as mipnet's
    /// standardization and ONNX's Sub/Div do.
    Normalize {
        sub: Vec<f64>,
        div: Vec<f64>,
    },
    Affine(Affine),
    /// `max(x, 0)` elementwise.
    Relu,
    /// Output `i` is the largest of the inputs `windows[i]`.
    MaxPool {
        inputs: usize,
        windows: Vec<Vec<usize>>,
    },
}

impl Op {
    /// Length of this operation's output for an input of length `inputs`.
    pub fn output_len(&self, inputs: usize) -> usize {
        match self {
            Op::Normalize { .. } | Op::Relu => inputs,
            Op::Affine(a) => a.outputs(),
            Op::MaxPool { windows, .. } => windows.len(),
        }
    }

    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        match self {
            Op::Normalize { sub, div } => x.iter().zip(sub).zip(div).map(|((v, s), d)| (v - s) / d).collect(),
            Op::Affine(a) => a.apply(x),
            Op::Relu => x.iter().map(|v| v.max(0.0)).collect(),
            Op::MaxPool { windows, .. } => windows
                .iter()
                .map(|w| w.iter().map(|&j| x[j]).fold(f64::NEG_INFINITY, f64::max))
                .collect(),
        }
    }

    /// A short name for messages and summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Normalize { .. } => "normalize",
            Op::Affine(_) => "affine",
            Op::Relu => "relu",
            Op::MaxPool { .. } => "maxpool",
        }
    }
}

/// A feed-forward network as a chain of [`Op`]s over a flat input vector.
#[derive(Clone, Debug, PartialEq)]
pub struct ReluNet {
    pub inputs: usize,
    pub ops: Vec<Op>,
    /// Names of the inputs and outputs, when known (from a mipnet network
    /// or ONNX metadata); generated `x0…`, `y0…` otherwise.
    pub input_names: Vec<String>,
    pub output_names: Vec<String>,
}

impl ReluNet {
    /// The same function as `net.scores`, step for step: the
    /// standardization, then each layer's affine map and ReLU (identity
    /// layers left out).
    pub fn from_network(net: &Network) -> ReluNet {
        let mut ops = vec![Op::Normalize {
            sub: net.standardizer.mean.clone(),
            div: net.standardizer.std.clone(),
        }];
        for l in net.layers.iter().filter(|l| !l.identity) {
            ops.push(Op::Affine(Affine::dense(&l.weights, &l.bias)));
            if l.relu {
                ops.push(Op::Relu);
            }
            if let (Some(p), Some(c)) = (&l.pool, &l.conv) {
                let shape = c.shape.output_shape();
                let windows = p.windows(shape);
                ops.push(match p.kind {
                    PoolKind::Max => Op::MaxPool {
                        inputs: l.outputs(),
                        windows,
                    },
                    PoolKind::Average => Op::Affine(Affine {
                        inputs: l.outputs(),
                        bias: vec![0.0; windows.len()],
                        rows: windows
                            .iter()
                            .map(|w| w.iter().map(|&j| (j, 1.0 / w.len() as f64)).collect())
                            .collect(),
                    }),
                });
            }
        }
        ReluNet {
            inputs: net.feature_names.len(),
            ops,
            input_names: net.feature_names.clone(),
            output_names: net.class_names.clone(),
        }
    }

    pub fn outputs(&self) -> usize {
        self.ops.iter().fold(self.inputs, |n, op| op.output_len(n))
    }

    /// The value after every operation, the last being the outputs.
    pub fn trace(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let next = op.apply(out.last().map_or(x, |v| v.as_slice()));
            out.push(next);
        }
        out
    }

    /// The outputs for input `x`.
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        self.ops.iter().fold(x.to_vec(), |cur, op| op.apply(&cur))
    }

    /// Checks that every operation fits the length of its input, indices are
    /// in range and numbers finite; names the first operation that does not.
    pub fn check(&self) -> Result<(), String> {
        if self.inputs == 0 {
            return Err("the network has no inputs".into());
        }
        let mut n = self.inputs;
        for (i, op) in self.ops.iter().enumerate() {
            let at = |what: String| format!("operation {} ({}): {what}", i + 1, op.kind());
            match op {
                Op::Normalize { sub, div } => {
                    if sub.len() != n || div.len() != n {
                        return Err(at(format!("{} / {} values for {n} inputs", sub.len(), div.len())));
                    }
                    if sub.iter().any(|v| !v.is_finite()) || div.iter().any(|v| !v.is_finite() || *v == 0.0) {
                        return Err(at("a value is not finite, or a divisor is 0".into()));
                    }
                }
                Op::Affine(a) => {
                    if a.inputs != n {
                        return Err(at(format!("expects {} inputs, gets {n}", a.inputs)));
                    }
                    if a.bias.len() != a.rows.len() {
                        return Err(at(format!("{} biases for {} outputs", a.bias.len(), a.rows.len())));
                    }
                    for row in &a.rows {
                        if row.iter().any(|&(j, w)| j >= n || !w.is_finite()) {
                            return Err(at("an input index is out of range or a weight not finite".into()));
                        }
                        if row.windows(2).any(|p| p[0].0 >= p[1].0) {
                            return Err(at("input indices of a row are not increasing".into()));
                        }
                    }
                    if a.bias.iter().any(|b| !b.is_finite()) {
                        return Err(at("a bias is not finite".into()));
                    }
                }
                Op::Relu => {}
                Op::MaxPool { inputs, windows } => {
                    if *inputs != n {
                        return Err(at(format!("expects {inputs} inputs, gets {n}")));
                    }
                    if windows.iter().any(|w| w.is_empty() || w.iter().any(|&j| j >= n)) {
                        return Err(at("an empty window or an input index out of range".into()));
                    }
                }
            }
            n = op.output_len(n);
        }
        if n == 0 {
            return Err("the network has no outputs".into());
        }
        if self.input_names.len() != self.inputs || self.output_names.len() != n {
            return Err(format!(
                "{} input names for {} inputs, {} output names for {n} outputs",
                self.input_names.len(),
                self.inputs,
                self.output_names.len()
            ));
        }
        Ok(())
    }

    /// Number of ReLU and max-pool outputs: the nonlinearities a MILP of
    /// this network has to branch on at most.
    pub fn nonlinear_units(&self) -> usize {
        let mut n = self.inputs;
        let mut units = 0;
        for op in &self.ops {
            let out = op.output_len(n);
            if matches!(op, Op::Relu | Op::MaxPool { .. }) {
                units += out;
            }
            n = out;
        }
        units
    }
}

/// `x0, x1, …` style names.
pub fn generated_names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Grid, Layer, FORMAT_VERSION};
    use mipnet_data::Standardizer;

    fn sample_network() -> Network {
        Network {
            format_version: FORMAT_VERSION,
            feature_names: vec!["a".into(), "b".into()],
            class_names: vec!["p".into(), "q".into()],
            standardizer: Standardizer {
                mean: vec![0.3, -1.1],
                std: vec![2.0, 0.7],
                encoding: None,
            },
            layers: vec![
                Layer {
                    weights: vec![vec![0.5, -0.25], vec![0.0, 1.5], vec![-0.75, 0.1]],
                    bias: vec![0.1, -0.2, 0.05],
                    kept: vec![true; 3],
                    relu: true,
                    identity: false,
                    grid: None,
                    conv: None,
                    pool: None,
                },
                Layer {
                    weights: vec![vec![1.0, -1.0, 0.0], vec![0.0, 1.0, 1.0]],
                    bias: vec![0.0, 0.3],
                    kept: vec![true; 2],
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

    #[test]
    fn from_network_computes_the_same_scores_bit_for_bit() {
        let net = sample_network();
        let r = ReluNet::from_network(&net);
        r.check().unwrap();
        assert_eq!(r.outputs(), 2);
        assert_eq!(r.nonlinear_units(), 3);
        for k in 0..50 {
            let x = [(k as f64 * 0.37).sin() * 3.0, (k as f64 * 0.91).cos() * 2.0];
            assert_eq!(r.forward(&x), net.scores(&x));
            let t = r.trace(&x);
            assert_eq!(t.len(), r.ops.len());
            assert_eq!(t.last().unwrap(), &net.scores(&x));
        }
    }

    #[test]
    fn maxpool_takes_window_maxima_and_check_finds_bad_shapes() {
        let op = Op::MaxPool {
            inputs: 4,
            windows: vec![vec![0, 1], vec![2, 3], vec![0, 3]],
        };
        assert_eq!(op.apply(&[1.0, -2.0, 0.5, 4.0]), vec![1.0, 4.0, 4.0]);
        let mut r = ReluNet {
            inputs: 4,
            ops: vec![op],
            input_names: generated_names("x", 4),
            output_names: generated_names("y", 3),
        };
        r.check().unwrap();
        r.inputs = 3;
        r.input_names.pop();
        assert!(r
            .check()
            .unwrap_err()
            .contains("operation 1 (maxpool): expects 4 inputs, gets 3"));
    }
}
