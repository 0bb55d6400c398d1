//! The network as a person reads it: each neuron that affects an output,
//! as an equation over the named input features it uses, in the data's own
//! units (the standardization is folded into the coefficients), then each
//! class's score.
//!
//! Only effective neurons are printed and counted (see [`crate::Effective`]):
//! pruned neurons, neurons whose output is the same for every input and
//! neurons whose outgoing weights reach no output are left out, with a count
//! of each kind. A constant neuron's value is folded into the constants of
//! the next layer, so every printed constant is the one the network adds.
//! [`Network::equations`] gives the printed equations unrounded, so that
//! they can be checked against the forward pass; the printed text rounds
//! them to 4 decimals.
//!
//! Every minus sign is U+2212 (`−`), in equations and numbers alike
//! (`−0.25`, `1.5e−4`): the text is for reading, beside `·`, `→` and `×`,
//! and is not meant to be pasted into code (network.json holds the exact
//! numbers for that).

use crate::{Conv, Effective, Layer, LayerEffect, Network, Role};
use std::fmt::{self, Write};
use std::ops::Range;

/// The minus sign of everything `show` prints.
const MINUS: char = '−';

/// Magnitudes printed in fixed notation with 4 decimals; outside, in
/// scientific notation with 4 significant digits.
const FIXED_NOTATION: std::ops::Range<f64> = 1e-3..1e5;

/// A number with 4 decimals (trailing zeros dropped) or in scientific
/// notation, with [`MINUS`] as its sign.
fn num(v: f64) -> String {
    let a = v.abs();
    let body = if a != 0.0 && !FIXED_NOTATION.contains(&a) {
        format!("{a:.3e}").replace('-', &MINUS.to_string())
    } else {
        let s = format!("{a:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if v < 0.0 && body != "0" {
        format!("{MINUS}{body}")
    } else {
        body
    }
}

/// A value an [`Equation`] reads, with its coefficient.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// What the value is multiplied by: per unit of the raw feature when
    /// the equation reads the inputs (the standardization folded in), else
    /// the weight itself.
    pub coefficient: f64,
    /// Which value of the layer's input: a raw feature for the first layer
    /// that is not the identity, else an output of the layer before it
    /// (pooled for a convolution; identity layers keep indices).
    pub input: usize,
    /// How it is printed: `[feature]`, `h1_2` or `f1[2,3]`.
    pub name: String,
}

/// One neuron of a dense layer as `show` prints it, unrounded:
/// `name = max(0, Σ coefficient·value + constant)`, without `max` for an
/// output. Evaluated on raw inputs, it gives the neuron's activation (to
/// rounding: the standardization and the constants are folded in another
/// order than the forward pass adds them).
#[derive(Clone, Debug, PartialEq)]
pub struct Equation {
    /// The neuron's index in its layer.
    pub neuron: usize,
    /// `h2_1`, or the class name for an output.
    pub name: String,
    pub relu: bool,
    /// Only values that vary and are read with a nonzero weight.
    pub terms: Vec<Term>,
    /// The bias with every constant folded in, in the data's units.
    pub constant: f64,
}

impl Equation {
    /// The equation's value for the values of its layer's input.
    pub fn evaluate(&self, inputs: &[f64]) -> f64 {
        let sum = self.terms.iter().map(|t| t.coefficient * inputs[t.input]).sum::<f64>() + self.constant;
        if self.relu {
            sum.max(0.0)
        } else {
            sum
        }
    }
}

/// `h1_2 = max(0, a·x + b·y − c)`: coefficients and the constant rounded to
/// 4 decimals (or 4 significant digits), a coefficient that prints as 1
/// left out.
impl fmt::Display for Equation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        for t in &self.terms {
            let c = t.coefficient;
            if s.is_empty() {
                if c < 0.0 {
                    s.push(MINUS);
                }
            } else {
                let _ = write!(s, " {} ", if c < 0.0 { MINUS } else { '+' });
            }
            let magnitude = num(c.abs());
            if magnitude == "1" {
                s.push_str(&t.name);
            } else {
                let _ = write!(s, "{magnitude}·{}", t.name);
            }
        }
        let constant = self.constant;
        if s.is_empty() {
            s = num(constant);
        } else if num(constant) != "0" {
            let _ = write!(
                s,
                " {} {}",
                if constant < 0.0 { MINUS } else { '+' },
                num(constant.abs())
            );
        }
        if self.relu {
            write!(f, "{} = max(0, {s})", self.name)
        } else {
            write!(f, "{} = {s}", self.name)
        }
    }
}

/// Why the neurons of a hidden layer that are not printed were left out,
/// counted by kind.
#[derive(Default)]
struct LeftOut {
    pruned: usize,
    folded: usize,
    always_zero: usize,
    no_effect: usize,
}

impl LeftOut {
    /// `role` of neuron `j` (not effective); `kept` from the pruning mask;
    /// `read` whether the next layer reads it with a nonzero weight.
    fn count(&mut self, role: Role, kept: bool, read: bool) {
        match role {
            Role::Effective => {}
            Role::Constant(c) if c != 0.0 && read => self.folded += 1,
            _ if !kept => self.pruned += 1,
            Role::Constant(0.0) => self.always_zero += 1,
            _ => self.no_effect += 1,
        }
    }

    /// `; left out: 1 pruned, 2 constant (folded into …)`, or nothing.
    fn describe(&self, folded_into: &str) -> String {
        let mut parts = Vec::new();
        if self.pruned > 0 {
            parts.push(format!("{} pruned", self.pruned));
        }
        if self.folded > 0 {
            parts.push(format!("{} constant (folded into {folded_into})", self.folded));
        }
        if self.always_zero > 0 {
            parts.push(format!("{} always 0", self.always_zero));
        }
        if self.no_effect > 0 {
            parts.push(format!("{} whose outgoing weights reach no output", self.no_effect));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; left out: {}", parts.join(", "))
        }
    }
}

/// Whether layer `next` reads any of `values` of its input with a nonzero
/// weight (identity layers in between keep indices).
fn reads(net: &Network, next: Option<usize>, values: Range<usize>) -> bool {
    next.is_some_and(|k| {
        net.layers[k]
            .weights
            .iter()
            .any(|row| row[values.clone()].iter().any(|w| *w != 0.0))
    })
}

/// Where the constants of the layer before `next` are folded.
fn folded_into(net: &Network, next: Option<usize>) -> String {
    match next {
        Some(k) if Some(k) == net.last_computing_layer() => "the class scores' constants".to_string(),
        Some(k) => format!("hidden layer {}'s constants", k + 1),
        None => String::new(),
    }
}

/// The shape of what a convolution layer passes on: pooled or plain
/// feature maps.
fn conv_value_shape(layer: &Layer, c: &Conv) -> [usize; 3] {
    let maps = c.shape.output_shape();
    match &layer.pool {
        Some(p) => p.output_shape(maps).unwrap_or([maps[0], 0, 0]),
        None => maps,
    }
}

/// The names of the values a convolution layer passes on: `f1[2,3]` is
/// filter 1's (pooled) value at row 2, column 3.
fn conv_value_names(layer: &Layer, c: &Conv) -> Vec<String> {
    let [ch, h, w] = conv_value_shape(layer, c);
    (0..ch * h * w)
        .map(|q| format!("f{}[{},{}]", q / (h * w) + 1, (q % (h * w)) / w + 1, q % w + 1))
        .collect()
}

/// A convolution layer: its geometry, how many filters affect the output
/// and why the others are left out, each effective filter's kernel (on
/// standardized inputs) and bias.
fn render_conv(net: &Network, li: usize, layer: &Layer, c: &Conv, le: &LayerEffect) -> String {
    let mut out = String::new();
    let sh = &c.shape;
    let [ch, oh, ow] = sh.output_shape();
    let per = layer.neurons_per_filter();
    let kept = (0..ch).filter(|f| layer.kept[f * per]).count();
    let effective: Vec<bool> = (0..ch).map(|f| le.roles[f * per] == Role::Effective).collect();
    let _ = writeln!(
        out,
        "\nConvolution layer {} ({kept} of {ch} filters kept): {k}×{k} kernels over {}×{}×{} (standardized), stride {}, padding {} → {ch}×{oh}×{ow}, ReLU{}",
        li + 1,
        sh.input[0],
        sh.input[1],
        sh.input[2],
        sh.stride,
        sh.padding,
        layer.pool.map_or(String::new(), |p| format!(", {}", p.describe())),
        k = sh.kernel
    );
    let next = net.next_computing_layer(li);
    let [_, h, w] = conv_value_shape(layer, c);
    let mut left = LeftOut::default();
    for f in 0..ch {
        let values = f * h * w..(f + 1) * h * w;
        left.count(le.roles[f * per], layer.kept[f * per], reads(net, next, values));
    }
    let _ = writeln!(
        out,
        "  {} of {ch} filters affect the output (a convolution is simplified by whole filters only){}",
        effective.iter().filter(|e| **e).count(),
        left.describe(&folded_into(net, next))
    );
    let k = sh.kernel;
    let block = sh.input[0] * k * k;
    for f in (0..ch).filter(|&f| effective[f]) {
        let _ = writeln!(out, "  filter {} (bias {}):", f + 1, num(layer.bias[f * per]));
        for ic in 0..sh.input[0] {
            for ky in 0..k {
                let row: Vec<String> = (0..k)
                    .map(|kx| format!("{:>8}", num(c.filters[f * block + (ic * k + ky) * k + kx])))
                    .collect();
                let label = if sh.input[0] > 1 && ky == 0 {
                    format!("in {}", ic + 1)
                } else {
                    String::new()
                };
                let _ = writeln!(out, "    {label:>5} {}", row.join(" "));
            }
        }
    }
    out
}

/// How an equation names neuron `j` of layer `li`: the class name for an
/// output of a network with one output per class, else `h{layer}_{neuron}`.
fn neuron_name(net: &Network, li: usize, j: usize) -> String {
    let layer = &net.layers[li];
    if Some(li) == net.last_computing_layer() && layer.outputs() == net.class_names.len() {
        net.class_names[j].clone()
    } else {
        format!("h{}_{}", li + 1, j + 1)
    }
}

impl Network {
    /// Each layer's equations as `show` prints them, unrounded (`Equation`):
    /// the effective neurons of a hidden dense layer, every output; none
    /// for a convolution or identity layer. The network must pass
    /// [`Network::check`], whose standard deviations are large enough to
    /// divide by.
    pub fn equations(&self) -> Vec<Vec<Equation>> {
        self.equations_of(&self.effective())
    }

    /// [`Network::equations`] from `eff = self.effective()`.
    fn equations_of(&self, eff: &Effective) -> Vec<Vec<Equation>> {
        debug_assert!(self.check().is_ok(), "show needs a checked network");
        let std = &self.standardizer;
        let last = self.last_computing_layer();
        // The current layer's input values: how each is named, and whether
        // it is shown (it varies and is read: constants are folded); raw
        // features until the first layer that is not the identity.
        let mut names: Vec<String> = self.feature_names.iter().map(|f| format!("[{f}]")).collect();
        let mut shown: Vec<bool> = vec![true; names.len()];
        let mut raw_features = true;
        let mut all = Vec::with_capacity(self.layers.len());
        for (li, (layer, le)) in self.layers.iter().zip(&eff.layers).enumerate() {
            if layer.identity {
                all.push(Vec::new());
                continue;
            }
            if let Some(c) = &layer.conv {
                names = conv_value_names(layer, c);
                let per_filter_value = names.len() / c.shape.channels.max(1);
                let per = layer.neurons_per_filter();
                shown = (0..names.len())
                    .map(|q| le.roles[q / per_filter_value.max(1) * per] == Role::Effective)
                    .collect();
                raw_features = false;
                all.push(Vec::new());
                continue;
            }
            let is_output = Some(li) == last;
            let mut equations = Vec::new();
            for (j, row) in layer.weights.iter().enumerate() {
                if !is_output && le.roles[j] != Role::Effective {
                    continue;
                }
                let mut terms = Vec::new();
                let mut constant = le.folded_bias[j];
                for (i, &w) in row.iter().enumerate() {
                    if w == 0.0 || !shown[i] {
                        continue;
                    }
                    let coefficient = if raw_features {
                        // w·(x − μ)/σ = (w/σ)·x − w·μ/σ
                        constant -= w * std.mean[i] / std.std[i];
                        w / std.std[i]
                    } else {
                        w
                    };
                    terms.push(Term {
                        coefficient,
                        input: i,
                        name: names[i].clone(),
                    });
                }
                equations.push(Equation {
                    neuron: j,
                    name: neuron_name(self, li, j),
                    relu: layer.relu,
                    terms,
                    constant,
                });
            }
            names = (0..layer.outputs()).map(|j| neuron_name(self, li, j)).collect();
            shown = le.effective_mask();
            raw_features = false;
            all.push(equations);
        }
        all
    }
}

/// The first line: sizes, weights and parameters.
fn summary(net: &Network) -> String {
    let widths: Vec<String> = net
        .layers
        .iter()
        .take(net.layers.len() - 1)
        .map(|l| match (&l.conv, &l.pool) {
            (Some(c), pool) => {
                let [ch, h, w] = c.shape.output_shape();
                let mut t = format!("conv {ch}×{h}×{w}");
                if let Some(p) = pool {
                    let [_, ph, pw] = p.output_shape([ch, h, w]).unwrap_or_default();
                    let _ = write!(t, " → {} {ch}×{ph}×{pw}", p.describe());
                }
                t
            }
            _ => l.outputs().to_string(),
        })
        .collect();
    format!(
        "Network: {} inputs → {} → {} classes; {} of {} weights nonzero ({:.1} % zero), {} of {} parameters kept\n",
        net.feature_names.len(),
        if widths.is_empty() {
            "(no hidden layer)".into()
        } else {
            widths.join(" → ")
        },
        net.class_names.len(),
        net.layers
            .iter()
            .map(|l| l.weight_params().filter(|w| **w != 0.0).count())
            .sum::<usize>(),
        net.weight_count(),
        100.0 * net.weight_sparsity(),
        net.params_kept(),
        net.params_total(),
    )
}

/// The text `mipnet show` prints. The network must pass
/// [`Network::check`].
pub fn render(net: &Network) -> String {
    let eff: Effective = net.effective();
    let equations = net.equations_of(&eff);
    let mut out = summary(net);
    let last = net.last_computing_layer();
    for (li, (layer, le)) in net.layers.iter().zip(&eff.layers).enumerate() {
        if layer.identity {
            let _ = writeln!(out, "\nLayer {}: pruned (passes its input through unchanged)", li + 1);
            continue;
        }
        if let Some(c) = &layer.conv {
            out.push_str(&render_conv(net, li, layer, c, le));
            continue;
        }
        if Some(li) == last {
            let _ = writeln!(out, "\nClass scores (the predicted class has the highest score):");
        } else {
            let next = net.next_computing_layer(li);
            let mut left = LeftOut::default();
            for (j, role) in le.roles.iter().enumerate() {
                left.count(*role, layer.kept[j], reads(net, next, j..j + 1));
            }
            let _ = writeln!(
                out,
                "\nHidden layer {}: {} of {} neurons affect the output{}:",
                li + 1,
                le.effective_count(),
                layer.outputs(),
                left.describe(&folded_into(net, next))
            );
            if equations[li].is_empty() {
                let _ = writeln!(out, "  none");
            }
        }
        for equation in &equations[li] {
            let _ = writeln!(out, "  {equation}");
        }
    }
    if last.is_some_and(|l| equations[l].iter().all(|e| e.terms.is_empty())) {
        // The standardized input 0 is the training mean; any input gives
        // the same scores.
        let class = crate::argmax(&net.scores_standardized(&vec![0.0; net.feature_names.len()]));
        let _ = writeln!(
            out,
            "\nEvery class score is constant: the network predicts {} for every input.",
            net.class_names[class]
        );
    }
    let unused: Vec<&str> = net
        .feature_names
        .iter()
        .zip(&eff.inputs_used)
        .filter(|(_, used)| !**used)
        .map(|(f, _)| f.as_str())
        .collect();
    if !unused.is_empty() {
        let _ = writeln!(out, "\nInputs not used: {}", unused.join(", "));
    }
    out
}
