//! The network as a person reads it: each kept neuron's equation over the
//! named input features it still uses, in the data's own units (the
//! standardization is folded into the coefficients), then each class's
//! score over the kept neurons. Pruned neurons and zero weights are left out.

use crate::Network;
use std::fmt::Write;

fn num(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".into()
        } else {
            s.into()
        }
    }
}

/// `a·x + b·y − c` from (coefficient, name) pairs and a constant.
fn linear(terms: &[(f64, String)], constant: f64) -> String {
    let mut s = String::new();
    for (c, name) in terms {
        let sign = if *c < 0.0 { "−" } else { "+" };
        if s.is_empty() {
            if *c < 0.0 {
                s.push('−');
            }
        } else {
            let _ = write!(s, " {sign} ");
        }
        if (c.abs() - 1.0).abs() < 1e-12 {
            s.push_str(name);
        } else {
            let _ = write!(s, "{}·{name}", num(c.abs()));
        }
    }
    if constant != 0.0 || s.is_empty() {
        if s.is_empty() {
            s = num(constant);
        } else {
            let sign = if constant < 0.0 { "−" } else { "+" };
            let _ = write!(s, " {sign} {}", num(constant.abs()));
        }
    }
    s
}

/// A convolution layer: each kept filter's kernel (on standardized inputs)
/// and bias; and the names and liveness of what the next layer reads.
fn render_conv(li: usize, layer: &crate::Layer, c: &crate::Conv) -> (String, Vec<String>, Vec<bool>) {
    let mut out = String::new();
    let sh = &c.shape;
    let [ch, oh, ow] = sh.output_shape();
    let per = oh * ow;
    let kept: Vec<bool> = (0..ch).map(|f| layer.kept[f * per]).collect();
    let _ = writeln!(
        out,
        "\nConvolution layer {} ({} of {ch} filters kept): {k}×{k} kernels over {}×{}×{} (standardized), stride {}, padding {} → {ch}×{oh}×{ow}, ReLU{}",
        li + 1,
        kept.iter().filter(|k| **k).count(),
        sh.input[0],
        sh.input[1],
        sh.input[2],
        sh.stride,
        sh.padding,
        layer.pool.map_or(String::new(), |p| format!(", {}", p.describe())),
        k = sh.kernel
    );
    let k = sh.kernel;
    let block = sh.input[0] * k * k;
    for f in (0..ch).filter(|&f| kept[f]) {
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
    let alive = (0..ch * plane).map(|q| kept[q / plane]).collect();
    (out, names, alive)
}

/// The text `mipnet show` prints.
pub fn render(net: &Network) -> String {
    let mut out = String::new();
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
    let _ = writeln!(
        out,
        "Network: {} inputs → {} → {} classes; {} of {} weights nonzero ({:.1} % zero), {} of {} parameters kept",
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
    );
    let std = &net.standardizer;
    // Names of the current layer's inputs, and whether each is still used.
    let mut names: Vec<String> = net.feature_names.iter().map(|f| format!("[{f}]")).collect();
    let mut alive: Vec<bool> = vec![true; names.len()];
    let last = net.layers.len() - 1;
    for (li, layer) in net.layers.iter().enumerate() {
        if layer.identity {
            let _ = writeln!(out, "\nLayer {}: pruned (passes its input through unchanged)", li + 1);
            continue;
        }
        let is_output = li == last;
        if let Some(c) = &layer.conv {
            let (text, next_names, next_alive) = render_conv(li, layer, c);
            out.push_str(&text);
            names = next_names;
            alive = next_alive;
            continue;
        }
        if is_output {
            let _ = writeln!(out, "\nClass scores (the predicted class has the highest score):");
        } else {
            let kept = layer.kept.iter().filter(|k| **k).count();
            let _ = writeln!(
                out,
                "\nHidden layer {} ({kept} of {} neurons kept):",
                li + 1,
                layer.outputs()
            );
        }
        let mut next_names = Vec::new();
        let mut next_alive = Vec::new();
        for (j, (row, &b)) in layer.weights.iter().zip(&layer.bias).enumerate() {
            let name = if is_output {
                net.class_names[j].clone()
            } else {
                format!("h{}_{}", li + 1, j + 1)
            };
            let used = layer.kept[j] && (is_output || row.iter().any(|w| *w != 0.0) || b != 0.0);
            next_names.push(name.clone());
            next_alive.push(used);
            if !used && !is_output {
                continue;
            }
            let mut terms = Vec::new();
            let mut constant = b;
            for (i, &w) in row.iter().enumerate() {
                if w == 0.0 || !alive[i] {
                    continue;
                }
                if li == 0 {
                    // w·(x − μ)/σ = (w/σ)·x − w·μ/σ
                    terms.push((w / std.std[i], names[i].clone()));
                    constant -= w * std.mean[i] / std.std[i];
                } else {
                    terms.push((w, names[i].clone()));
                }
            }
            let body = linear(&terms, constant);
            if is_output {
                let _ = writeln!(out, "  {name} = {body}");
            } else {
                let _ = writeln!(out, "  {name} = max(0, {body})");
            }
        }
        names = next_names;
        alive = next_alive;
    }
    let first = &net.layers[0];
    let unused: Vec<&str> = net
        .feature_names
        .iter()
        .enumerate()
        .filter(|&(i, _)| first.identity || first.weights.iter().zip(&first.kept).all(|(r, &k)| !k || r[i] == 0.0))
        .map(|(_, f)| f.as_str())
        .collect();
    if !unused.is_empty() && !first.identity {
        let _ = writeln!(out, "\nInputs not used: {}", unused.join(", "));
    }
    out
}
