//! The walk along the graph's chain of nodes, converting each to [`Op`]s.

use crate::tensor::{broadcast, constant, decode, Attrs, Tensor};
use crate::unroll::{self, Window};
use crate::{OnnxError, SUPPORTED_OPS};
use mipnet_network::{generated_names, Affine, Op, ReluNet};
use onnx_protobuf::tensor_shape_proto::dimension::Value as Dim;
use onnx_protobuf::type_proto::Value as Type;
use onnx_protobuf::{ModelProto, NodeProto, ValueInfoProto};
use std::collections::HashMap;

/// Largest value the importer builds (the input, or the value after any operation), in numbers:
/// far above what a MILP verifier can encode (an ImageNet image, 3×224×224, is 150,528), and
/// small enough that the input's names and a forward pass fit in memory.
const MAX_VALUE_LEN: usize = 1 << 22;

/// Largest unrolled form of one operation, in entries (each output times its weights or window
/// taps): each costs 16 bytes and a visit, so a file of a few bytes cannot ask for gigabytes of
/// memory or hours of work.
const MAX_UNROLLED: usize = 1 << 26;

/// Refuses an operation that computes `outputs` values from `per_output` entries each (`None`:
/// the count overflows), beyond [`MAX_VALUE_LEN`] or [`MAX_UNROLLED`].
fn within_limits(outputs: Option<usize>, per_output: Option<usize>) -> Result<(), String> {
    let shown = |n: Option<usize>| n.map_or_else(|| format!("more than {}", usize::MAX), |n| n.to_string());
    let entries = outputs.zip(per_output).and_then(|(n, k)| n.checked_mul(k));
    let beyond = |n: Option<usize>, max: usize| n.filter(|&n| n <= max).is_none();
    if beyond(outputs, MAX_VALUE_LEN) {
        Err(format!(
            "would compute {} values; mipnet imports at most {MAX_VALUE_LEN}",
            shown(outputs)
        ))
    } else if beyond(entries, MAX_UNROLLED) {
        Err(format!(
            "its unrolled form would have {} entries (outputs × weights or taps); mipnet imports at most {MAX_UNROLLED}",
            shown(entries)
        ))
    } else {
        Ok(())
    }
}

pub fn model(model: &ModelProto) -> Result<ReluNet, OnnxError> {
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| OnnxError::Decode("the file holds no graph".into()))?;
    let mut consts = HashMap::new();
    for t in &graph.initializer {
        consts.insert(t.name.clone(), decode(t)?);
    }
    let inputs: Vec<&ValueInfoProto> = graph.input.iter().filter(|i| !consts.contains_key(&i.name)).collect();
    let [input] = inputs[..] else {
        let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        return Err(OnnxError::Malformed(format!(
            "the graph has {} inputs besides its initializers ({}); mipnet reads networks with one",
            names.len(),
            names.join(", ")
        )));
    };
    let mut chain = Chain {
        consts,
        current: input.name.clone(),
        shape: input_shape(input)?,
        ops: vec![],
    };
    let n_in = chain.size();
    for node in &graph.node {
        chain.node(node)?;
    }
    let [output] = &graph.output[..] else {
        return Err(OnnxError::Malformed(format!(
            "the graph has {} outputs; mipnet reads networks with one",
            graph.output.len()
        )));
    };
    if output.name != chain.current {
        return Err(OnnxError::Malformed(format!(
            "the graph's output '{}' is not the end of the chain of nodes, '{}'",
            output.name, chain.current
        )));
    }
    let n_out = chain.size();
    let names = |key: &str, prefix: &str, n: usize| {
        let meta = model.metadata_props.iter().find(|p| p.key == key);
        let parsed = meta.and_then(|p| serde_json::from_str::<Vec<String>>(&p.value).ok());
        parsed
            .filter(|v| v.len() == n)
            .unwrap_or_else(|| generated_names(prefix, n))
    };
    let net = ReluNet {
        inputs: n_in,
        ops: chain.ops,
        input_names: names("mipnet.feature_names", "x", n_in),
        output_names: names("mipnet.class_names", "y", n_out),
    };
    net.check()
        .map_err(|e| OnnxError::Malformed(format!("the imported network is inconsistent: {e}")))?;
    Ok(net)
}

/// `[d]`, `[N, d]` or `[N, C, H, W]` with the batch size N 1 or symbolic; N is taken as 1.
fn input_shape(input: &ValueInfoProto) -> Result<Vec<usize>, OnnxError> {
    let dims: Option<Vec<Option<i64>>> = match input.type_.value.as_ref() {
        Some(Type::TensorType(t)) => t.shape.as_ref().map(|s| {
            s.dim
                .iter()
                .map(|d| match d.value {
                    Some(Dim::DimValue(v)) => Some(v),
                    _ => None,
                })
                .collect()
        }),
        _ => None,
    };
    let bad = |what: String| {
        OnnxError::Malformed(format!(
            "input '{}' has {what}; mipnet reads shapes [d], [N, d] or [N, C, H, W] with N 1 or symbolic",
            input.name
        ))
    };
    let dims = dims.ok_or_else(|| bad("no tensor shape".into()))?;
    let shown = format!(
        "shape [{}]",
        dims.iter()
            .map(|d| d.map_or("?".into(), |v| v.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let known = |d: &Option<i64>| d.filter(|&v| (1..1 << 24).contains(&v)).map(|v| v as usize);
    let shape: Option<Vec<usize>> = match dims.len() {
        1 => known(&dims[0]).map(|d| vec![d]),
        2 | 4 if matches!(dims[0], None | Some(1)) => {
            std::iter::once(Some(1)).chain(dims[1..].iter().map(known)).collect()
        }
        _ => None,
    };
    let size = shape
        .as_ref()
        .and_then(|s| s.iter().try_fold(1usize, |n, &d| n.checked_mul(d)));
    match size {
        Some(n) if n <= MAX_VALUE_LEN => Ok(shape.unwrap_or_default()),
        Some(n) => Err(OnnxError::Malformed(format!(
            "input '{}' has {n} values ({shown}); mipnet imports at most {MAX_VALUE_LEN}",
            input.name
        ))),
        None => Err(bad(shown)),
    }
}

/// The chain so far: its operations, the name and shape of the value it computes, and the
/// constants seen.
struct Chain {
    consts: HashMap<String, Tensor>,
    current: String,
    shape: Vec<usize>,
    ops: Vec<Op>,
}

/// Elementwise `w x + b` as an affine map.
fn diagonal(w: &[f64], bias: Vec<f64>) -> Op {
    let rows = w
        .iter()
        .enumerate()
        .map(|(i, &w)| if w == 0.0 { vec![] } else { vec![(i, w)] })
        .collect();
    Op::Affine(Affine {
        inputs: w.len(),
        rows,
        bias,
    })
}

impl Chain {
    fn size(&self) -> usize {
        self.shape.iter().product()
    }

    fn node(&mut self, n: &NodeProto) -> Result<(), OnnxError> {
        let op = n.op_type.as_str();
        let name = if n.name.is_empty() {
            n.output.first().cloned().unwrap_or_default()
        } else {
            n.name.clone()
        };
        let out = n.output.first().filter(|o| !o.is_empty());
        if op == "Constant" && n.domain.is_empty() {
            let out = out.ok_or_else(|| OnnxError::Malformed(format!("Constant node '{name}' has no output")))?;
            self.consts.insert(out.clone(), constant(n)?);
            return Ok(());
        }
        if !SUPPORTED_OPS.contains(&op) || !(n.domain.is_empty() || n.domain == "ai.onnx") {
            return Err(OnnxError::Unsupported {
                op: op.into(),
                node: name,
            });
        }
        let refuse = |reason: String| OnnxError::UnsupportedUse {
            op: op.into(),
            node: name.clone(),
            reason,
        };
        // Which input is the value computed so far: the first, or either operand of arithmetic.
        let data = if matches!(op, "Add" | "Sub" | "Mul" | "Div") {
            n.input.iter().position(|i| *i == self.current)
        } else {
            (n.input.first() == Some(&self.current)).then_some(0)
        };
        let Some(data) = data else {
            return Err(refuse(format!(
                "does not read the value computed so far ('{}'); mipnet reads a chain of nodes from the input \
                 to the output, not branching graphs",
                self.current
            )));
        };
        for (k, i) in n.input.iter().enumerate() {
            if k != data && !i.is_empty() && !self.consts.contains_key(i) {
                return Err(refuse(format!(
                    "input '{i}' is neither the value computed so far nor a constant; mipnet reads a chain of \
                     nodes, not branching graphs"
                )));
            }
        }
        let out = out.ok_or_else(|| refuse("no output".into()))?.clone();
        let konst = |k: usize| n.input.get(k).filter(|i| !i.is_empty()).map(|i| &self.consts[i]);
        let need = |k: usize, what: &str| konst(k).ok_or_else(|| refuse(format!("needs a constant {what}")));
        let a = Attrs(n);
        let shape = self.shape.clone();
        let size = self.size();
        let mismatch = |what: String| refuse(format!("{what} does not fit the value's shape {shape:?}"));
        match op {
            "Relu" => self.ops.push(Op::Relu),
            "Identity" | "Dropout" => {}
            "Flatten" => {
                let r = shape.len() as i64;
                let axis = a.int("axis", 1);
                let axis = if axis < 0 { axis + r } else { axis };
                if !(0..=r).contains(&axis) {
                    return Err(mismatch(format!("axis {axis}")));
                }
                self.shape = vec![
                    shape[..axis as usize].iter().product(),
                    shape[axis as usize..].iter().product(),
                ];
            }
            "Reshape" => {
                let target = need(1, "shape")?.ints();
                if target.iter().filter(|&&d| d == -1).count() > 1 || target.iter().any(|&d| d < -1) {
                    return Err(mismatch(format!("shape {target:?}")));
                }
                let zero_copies = a.int("allowzero", 0) == 0;
                let mut dims: Vec<usize> = Vec::new();
                for (k, &d) in target.iter().enumerate() {
                    dims.push(match d {
                        0 if zero_copies => *shape.get(k).ok_or_else(|| mismatch(format!("shape {target:?}")))?,
                        -1 => 1,
                        d => d as usize,
                    });
                }
                // Products of dimensions from the file can overflow: `None` then, and refused.
                let product = |dims: &[usize]| dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
                let known = product(&dims);
                if let Some(k) = target.iter().position(|&d| d == -1) {
                    dims[k] = known.and_then(|known| size.checked_div(known)).unwrap_or(0);
                }
                if product(&dims) != Some(size) {
                    return Err(mismatch(format!("shape {target:?}")));
                }
                self.shape = dims;
            }
            "Gemm" => {
                if a.int("transA", 0) != 0 {
                    return Err(refuse("transA must be 0".into()));
                }
                let (alpha, beta) = (a.float("alpha", 1.0) as f64, a.float("beta", 1.0) as f64);
                let b = need(1, "B")?;
                if b.dims.len() != 2 || shape.len() != 2 || shape[0] != 1 {
                    return Err(mismatch(format!("B of shape {:?}", b.dims)));
                }
                let trans = a.int("transB", 0) != 0;
                let (k, m) = if trans {
                    (b.dims[1], b.dims[0])
                } else {
                    (b.dims[0], b.dims[1])
                };
                if k != shape[1] {
                    return Err(mismatch(format!("B of shape {:?}", b.dims)));
                }
                let weight = |o: usize, i: usize| alpha * if trans { b.data[o * k + i] } else { b.data[i * m + o] };
                let weights: Vec<Vec<f64>> = (0..m).map(|o| (0..k).map(|i| weight(o, i)).collect()).collect();
                let bias = match konst(2) {
                    None => vec![0.0; m],
                    Some(c) => match broadcast(c, &[1, m]) {
                        Some((s, v)) if s.len() == 2 => v.iter().map(|v| beta * v).collect(),
                        _ => {
                            return Err(refuse(format!(
                                "C of shape {:?} does not broadcast to [1, {m}]",
                                c.dims
                            )))
                        }
                    },
                };
                self.ops.push(Op::Affine(Affine::dense(&weights, &bias)));
                self.shape = vec![1, m];
            }
            "MatMul" => {
                let b = need(1, "second operand")?;
                if b.dims.len() != 2 || shape.last() != Some(&b.dims[0]) {
                    return Err(mismatch(format!("second operand of shape {:?}", b.dims)));
                }
                let (k, m) = (b.dims[0], b.dims[1]);
                within_limits((size / k).checked_mul(m), Some(k)).map_err(refuse)?;
                let mut rows = Vec::with_capacity(size / k * m);
                for g in 0..size / k {
                    for o in 0..m {
                        let row = (0..k).map(|i| (g * k + i, b.data[i * m + o])).filter(|p| p.1 != 0.0);
                        rows.push(row.collect());
                    }
                }
                let bias = vec![0.0; rows.len()];
                self.ops.push(Op::Affine(Affine {
                    inputs: size,
                    rows,
                    bias,
                }));
                *self.shape.last_mut().unwrap() = m;
            }
            "Add" | "Sub" | "Mul" | "Div" => {
                let c = konst(1 - data.min(1))
                    .filter(|_| n.input.len() == 2)
                    .ok_or_else(|| refuse("needs one constant operand".into()))?;
                let (new_shape, v) =
                    broadcast(c, &shape).ok_or_else(|| mismatch(format!("a constant of shape {:?}", c.dims)))?;
                self.shape = new_shape;
                let last = self.ops.last_mut();
                match (op, data, last) {
                    ("Add", _, Some(Op::Affine(prev))) => prev.bias.iter_mut().zip(&v).for_each(|(b, c)| *b += c),
                    ("Add", _, _) => self.ops.push(diagonal(&vec![1.0; size], v)),
                    ("Sub", 0, _) => self.ops.push(Op::Normalize {
                        sub: v,
                        div: vec![1.0; size],
                    }),
                    ("Sub", _, _) => self.ops.push(diagonal(&vec![-1.0; size], v)),
                    ("Mul", _, _) => self.ops.push(diagonal(&v, vec![0.0; size])),
                    ("Div", 0, Some(Op::Normalize { div, .. })) if div.iter().all(|&d| d == 1.0) => *div = v,
                    ("Div", 0, _) => self.ops.push(Op::Normalize {
                        sub: vec![0.0; size],
                        div: v,
                    }),
                    _ => {
                        return Err(refuse(
                            "dividing a constant by the network's value is not piecewise linear".into(),
                        ))
                    }
                }
            }
            "BatchNormalization" => {
                if a.int("training_mode", 0) != 0 {
                    return Err(refuse("training_mode must be 0 (inference)".into()));
                }
                let channels = *shape
                    .get(1)
                    .ok_or_else(|| mismatch("a per-channel normalization".into()))?;
                let p = ["scale", "B", "mean", "var"]
                    .iter()
                    .enumerate()
                    .map(|(k, w)| need(k + 1, w));
                let p: Vec<&Tensor> = p.collect::<Result<_, _>>()?;
                if p.iter().any(|t| t.data.len() != channels) {
                    return Err(mismatch("parameters not of one value per channel".into()));
                }
                let eps = a.float("epsilon", 1e-5) as f64;
                let spatial: usize = shape[2..].iter().product();
                let scale: Vec<f64> = (0..channels)
                    .map(|c| p[0].data[c] / (p[3].data[c] + eps).sqrt())
                    .collect();
                let w: Vec<f64> = (0..size).map(|i| scale[i / spatial % channels]).collect();
                let b = (0..size)
                    .map(|i| i / spatial % channels)
                    .map(|c| p[1].data[c] - p[2].data[c] * scale[c]);
                self.ops.push(diagonal(&w, b.collect()));
            }
            "Conv" | "MaxPool" | "AveragePool" | "GlobalAveragePool" => {
                let [1, c, h, w] = shape[..] else {
                    return Err(mismatch("a 2-D operation over [1, C, H, W]".into()));
                };
                let (op_, new_c, win) = match op {
                    "GlobalAveragePool" => {
                        let win = Window {
                            h,
                            w,
                            kernel: [h, w],
                            strides: [1, 1],
                            pads: [0; 4],
                            dilations: [1, 1],
                        };
                        (Op::Affine(unroll::average_pool(&win, c, false)), c, win)
                    }
                    "Conv" => {
                        let wt = need(1, "weight")?;
                        let group = a.int("group", 1).max(0) as usize;
                        let &[m, cg, kh, kw] = &wt.dims[..] else {
                            return Err(mismatch(format!("weight of shape {:?}", wt.dims)));
                        };
                        if group == 0 || c % group != 0 || m % group != 0 || cg * group != c {
                            return Err(mismatch(format!("weight of shape {:?} in {group} groups", wt.dims)));
                        }
                        if a.ints("kernel_shape").is_some_and(|k| k != [kh as i64, kw as i64]) {
                            return Err(mismatch("kernel_shape differing from the weight's".into()));
                        }
                        let bias = match konst(2) {
                            Some(b) if b.data.len() == m => b.data.clone(),
                            Some(b) => return Err(mismatch(format!("bias of shape {:?}", b.dims))),
                            None => vec![0.0; m],
                        };
                        let win = window(&a, h, w, [kh, kw]).map_err(refuse)?;
                        let [oh, ow] = win.out().expect("checked by window()");
                        within_limits(m.checked_mul(oh * ow), cg.checked_mul(kh * kw)).map_err(refuse)?;
                        (Op::Affine(unroll::conv(&win, c, m, group, &wt.data, &bias)), m, win)
                    }
                    _ => {
                        if a.int("ceil_mode", 0) != 0 {
                            return Err(refuse("ceil_mode must be 0".into()));
                        }
                        let k = a.ints("kernel_shape").unwrap_or_default();
                        let &[kh, kw] = &k[..] else {
                            return Err(refuse("needs a kernel_shape of 2 values".into()));
                        };
                        let win = window(&a, h, w, [kh.max(0) as usize, kw.max(0) as usize]).map_err(refuse)?;
                        // ONNX pads max pooling with −∞ and divides by the count of inside positions.
                        let [oh, ow] = win.out().expect("checked by window()");
                        within_limits(c.checked_mul(oh * ow), win.kernel[0].checked_mul(win.kernel[1]))
                            .map_err(refuse)?;
                        if (0..oh).any(|y| (0..ow).any(|x| win.taps(y, x).is_empty())) {
                            return Err(refuse("a window lies wholly in the padding".into()));
                        }
                        let include = a.int("count_include_pad", 0) != 0;
                        match op {
                            "MaxPool" => (unroll::max_pool(&win, c), c, win),
                            _ => (Op::Affine(unroll::average_pool(&win, c, include)), c, win),
                        }
                    }
                };
                let [oh, ow] = win.out().expect("checked by window()");
                self.ops.push(op_);
                self.shape = vec![1, new_c, oh, ow];
            }
            _ => unreachable!("every operator of SUPPORTED_OPS is handled"),
        }
        self.current = out;
        Ok(())
    }
}

/// The sliding window of a Conv or pool node: strides, pads, dilations, auto_pad.
fn window(a: &Attrs, h: usize, w: usize, kernel: [usize; 2]) -> Result<Window, String> {
    // Bounds that keep the index arithmetic far from overflowing.
    const MAX: i64 = 1 << 24;
    if kernel.iter().any(|&k| k as i64 > MAX) {
        return Err(format!("kernel {kernel:?} is too large"));
    }
    let pair = |name: &str| -> Result<[usize; 2], String> {
        match a.ints(name).as_deref() {
            None => Ok([1, 1]),
            Some(&[y, x]) if (1..=MAX).contains(&y) && (1..=MAX).contains(&x) => Ok([y as usize, x as usize]),
            Some(v) => Err(format!("{name} {v:?} is not 2 positive values")),
        }
    };
    let pads = match a.string("auto_pad").as_deref() {
        None | Some("NOTSET") | Some("") => match a.ints("pads").as_deref() {
            None => [0; 4],
            Some(&[t, l, b, r]) if [t, l, b, r].iter().all(|p| (0..=MAX).contains(p)) => {
                [t as usize, l as usize, b as usize, r as usize]
            }
            Some(v) => Err(format!("pads {v:?} are not 4 values ≥ 0"))?,
        },
        Some("VALID") => [0; 4],
        Some(other) => Err(format!(
            "auto_pad '{other}' is not supported; export with explicit pads"
        ))?,
    };
    let win = Window {
        h,
        w,
        kernel,
        strides: pair("strides")?,
        pads,
        dilations: pair("dilations")?,
    };
    match win.out() {
        Some(_) => Ok(win),
        None => Err(format!("kernel {kernel:?} does not fit the padded {h}×{w} input")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onnx_protobuf::AttributeProto;

    #[test]
    fn window_reads_pads_and_refuses_same_padding_by_name() {
        let attr = |name: &str, ints: Vec<i64>, s: &str| AttributeProto {
            name: name.into(),
            ints,
            s: s.into(),
            ..Default::default()
        };
        let node = |attribute| NodeProto {
            attribute,
            ..Default::default()
        };
        let n = node(vec![
            attr("pads", vec![0, 1, 2, 3], ""),
            attr("strides", vec![2, 1], ""),
        ]);
        let win = window(&Attrs(&n), 5, 4, [3, 3]).unwrap();
        assert_eq!((win.pads, win.strides, win.out()), ([0, 1, 2, 3], [2, 1], Some([3, 6])));
        let n = node(vec![attr("auto_pad", vec![], "SAME_UPPER")]);
        let err = window(&Attrs(&n), 5, 5, [3, 3]).unwrap_err();
        assert_eq!(err, "auto_pad 'SAME_UPPER' is not supported; export with explicit pads");
        let n = node(vec![attr("auto_pad", vec![], "VALID"), attr("pads", vec![-1; 4], "")]);
        assert_eq!(window(&Attrs(&n), 5, 5, [3, 3]).unwrap().out(), Some([3, 3]));
        assert!(window(&Attrs(&n), 2, 5, [3, 3]).unwrap_err().contains("does not fit"));
    }
}
