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
//!
//! Every minus sign is U+2212 (`−`), in equations and numbers alike
//! (`−0.25`, `1.5e−4`): the text is for reading, beside `·`, `→` and `×`,
//! and is not meant to be pasted into code (network.json holds the exact
//! numbers for that).

use crate::{Conv, Effective, Layer, LayerEffect, Network, Role};
use std::fmt::Write;

/// The minus sign of everything `show` prints.
const MINUS: char = '−';

/// A coefficient this close to ±1 prints without a factor (`h1_2`, not
/// `1·h1_2`): far below the 4 decimals a coefficient is printed with.
const UNIT_COEFFICIENT_TOLERANCE: f64 = 1e-12;

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

/// `a·x + b·y − c` from (coefficient, name) pairs and a constant.
fn linear(terms: &[(f64, String)], constant: f64) -> String {
    let mut s = String::new();
    for (c, name) in terms {
        if s.is_empty() {
            if *c < 0.0 {
                s.push(MINUS);
            }
        } else {
            let _ = write!(s, " {} ", if *c < 0.0 { MINUS } else { '+' });
        }
        if (c.abs() - 1.0).abs() < UNIT_COEFFICIENT_TOLERANCE {
            s.push_str(name);
        } else {
            let _ = write!(s, "{}·{name}", num(c.abs()));
        }
    }
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
    s
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

/// The next layer after `li` that is not pruned to the identity.
fn next_computing(net: &Network, li: usize) -> Option<usize> {
    (li + 1..net.layers.len()).find(|&k| !net.layers[k].identity)
}

/// Whether layer `next` reads value `j` of its input with a nonzero weight
/// (identity layers in between keep indices).
fn reads(net: &Network, next: Option<usize>, j: usize) -> bool {
    next.is_some_and(|k| net.layers[k].weights.iter().any(|row| row[j] != 0.0))
}

/// A convolution layer: each effective filter's kernel (on standardized
/// inputs) and bias; and the names and liveness of what the next layer
/// reads.
fn render_conv(li: usize, layer: &Layer, c: &Conv, le: &LayerEffect) -> (String, Vec<String>, Vec<bool>) {
    let mut out = String::new();
    let sh = &c.shape;
    let [ch, oh, ow] = sh.output_shape();
    let per = oh * ow;
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
    let _ = writeln!(
        out,
        "  {} of {ch} filters affect the output (a convolution is simplified by whole filters only: its constant positions are not folded)",
        effective.iter().filter(|e| **e).count()
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
    // What the next layer reads: pooled or plain feature-map positions.
    let shape = match &layer.pool {
        Some(p) => p.output_shape([ch, oh, ow]).unwrap_or([ch, 0, 0]),
        None => [ch, oh, ow],
    };
    let plane = shape[1] * shape[2];
    let names = (0..ch * plane)
        .map(|q| {
            format!(
                "f{}[{},{}]",
                q / plane + 1,
                (q % plane) / shape[2] + 1,
                q % shape[2] + 1
            )
        })
        .collect();
    let alive = (0..ch * plane).map(|q| effective[q / plane]).collect();
    (out, names, alive)
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
        net.weight_count() - (net.weight_sparsity() * net.weight_count() as f64).round() as usize,
        net.weight_count(),
        100.0 * net.weight_sparsity(),
        net.params_kept(),
        net.params_total(),
    )
}

/// The text `mipnet show` prints.
pub fn render(net: &Network) -> String {
    let eff: Effective = net.effective();
    let mut out = summary(net);
    let std = &net.standardizer;
    // Names of the current layer's inputs, and whether each is a varying
    // value that an effective neuron may read (constants are folded).
    let mut names: Vec<String> = net.feature_names.iter().map(|f| format!("[{f}]")).collect();
    let mut alive: Vec<bool> = vec![true; names.len()];
    let mut reading_features = true;
    // Features read with a standard deviation of 0: constant in training.
    let mut constant_features: Vec<&str> = Vec::new();
    let last = net.layers.iter().rposition(|l| !l.identity);
    let mut constant_scores = true;
    for (li, (layer, le)) in net.layers.iter().zip(&eff.layers).enumerate() {
        if layer.identity {
            let _ = writeln!(out, "\nLayer {}: pruned (passes its input through unchanged)", li + 1);
            continue;
        }
        if let Some(c) = &layer.conv {
            let (text, next_names, next_alive) = render_conv(li, layer, c, le);
            out.push_str(&text);
            names = next_names;
            alive = next_alive;
            reading_features = false;
            constant_scores = false;
            continue;
        }
        let is_output = Some(li) == last;
        let next = next_computing(net, li);
        if is_output {
            let _ = writeln!(out, "\nClass scores (the predicted class has the highest score):");
        } else {
            let mut left = LeftOut::default();
            for (j, role) in le.roles.iter().enumerate() {
                left.count(*role, layer.kept[j], reads(net, next, j));
            }
            let into = match next {
                Some(k) if Some(k) == last => "the class scores' constants".to_string(),
                Some(k) => format!("hidden layer {}'s constants", k + 1),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "\nHidden layer {}: {} of {} neurons affect the output{}:",
                li + 1,
                le.effective_count(),
                layer.outputs(),
                left.describe(&into)
            );
        }
        let mut next_names = Vec::with_capacity(layer.outputs());
        for (j, row) in layer.weights.iter().enumerate() {
            let name = if is_output && layer.outputs() == net.class_names.len() {
                net.class_names[j].clone()
            } else {
                format!("h{}_{}", li + 1, j + 1)
            };
            next_names.push(name.clone());
            if !is_output && le.roles[j] != Role::Effective {
                continue;
            }
            let mut terms = Vec::new();
            let mut constant = le.folded_bias[j];
            for (i, &w) in row.iter().enumerate() {
                if w == 0.0 || !alive[i] {
                    continue;
                }
                if !reading_features {
                    terms.push((w, names[i].clone()));
                } else if std.std[i] == 0.0 {
                    if !constant_features.contains(&net.feature_names[i].as_str()) {
                        constant_features.push(&net.feature_names[i]);
                    }
                } else {
                    // w·(x − μ)/σ = (w/σ)·x − w·μ/σ
                    terms.push((w / std.std[i], names[i].clone()));
                    constant -= w * std.mean[i] / std.std[i];
                }
            }
            if is_output && !terms.is_empty() {
                constant_scores = false;
            }
            let body = linear(&terms, constant);
            if layer.relu {
                let _ = writeln!(out, "  {name} = max(0, {body})");
            } else {
                let _ = writeln!(out, "  {name} = {body}");
            }
        }
        names = next_names;
        alive = le.roles.iter().map(|r| *r == Role::Effective).collect();
        reading_features = false;
    }
    if constant_scores && last.is_some() {
        // The standardized input 0 is the training mean; any input gives
        // the same scores.
        let class = crate::argmax(&net.scores_standardized(&vec![0.0; net.feature_names.len()]));
        let _ = writeln!(
            out,
            "\nEvery class score is constant: the network predicts {} for every input.",
            net.class_names[class]
        );
    }
    for f in &constant_features {
        let _ = writeln!(
            out,
            "\n[{f}] is constant in the training data (standard deviation 0) and is ignored."
        );
    }
    let unused: Vec<&str> = net
        .feature_names
        .iter()
        .zip(&eff.inputs_used)
        .filter(|(f, used)| !**used && !constant_features.contains(&f.as_str()))
        .map(|(f, _)| f.as_str())
        .collect();
    if !unused.is_empty() {
        let _ = writeln!(out, "\nInputs not used: {}", unused.join(", "));
    }
    out
}
