//! A [`Network`] as an opset-13 ONNX model.
//!
//! The input `[N, d]` is standardized (`Sub`, `Div`) unless the standardization was folded into
//! the first layer (then the graph starts with that layer and the metadata says so); a dense layer is a `Gemm` (then `Relu`),
//! a convolution layer reshapes the flat value to `[N, C, H, W]` (`Reshape`), convolves it
//! (`Conv` with its filters `[channels, C, k, k]` and one bias per filter), applies `Relu`, pools
//! (`MaxPool` / `AveragePool`, no padding) when it pools and flattens back to `[N, d']`
//! (`Flatten`): the layouts are the same (C, H, W) row-major order mipnet uses. (ONNX defines
//! `Conv` and the pools in float64 too, but onnxruntime's CPU provider implements them in float32
//! only.)

use crate::Precision;
use mipnet_network::{Conv, Layer, Network, Pool, PoolKind};
use onnx_protobuf::attribute_proto::AttributeType;
use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::tensor_shape_proto::{dimension, Dimension};
use onnx_protobuf::{
    type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};
use protobuf::{Message, MessageField};

fn elem_type(p: Precision) -> i32 {
    match p {
        Precision::F64 => DataType::DOUBLE as i32,
        Precision::F32 => DataType::FLOAT as i32,
    }
}

fn tensor(name: &str, dims: &[usize], values: impl Iterator<Item = f64>, p: Precision) -> TensorProto {
    let raw_data = match p {
        Precision::F64 => values.flat_map(f64::to_le_bytes).collect(),
        Precision::F32 => values.flat_map(|v| (v as f32).to_le_bytes()).collect(),
    };
    TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: elem_type(p),
        raw_data,
        ..Default::default()
    }
}

/// A `[batch, width]` tensor.
fn value_info(name: &str, width: usize, p: Precision) -> ValueInfoProto {
    let dim = |v| Dimension {
        value: Some(v),
        ..Default::default()
    };
    let shape = TensorShapeProto {
        dim: vec![
            dim(dimension::Value::DimParam("batch".into())),
            dim(dimension::Value::DimValue(width as i64)),
        ],
        ..Default::default()
    };
    let tensor_type = type_proto::Tensor {
        elem_type: elem_type(p),
        shape: MessageField::some(shape),
        ..Default::default()
    };
    ValueInfoProto {
        name: name.into(),
        type_: MessageField::some(TypeProto {
            value: Some(type_proto::Value::TensorType(tensor_type)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A tensor of 64-bit integers (a shape).
fn int64_tensor(name: &str, values: &[i64]) -> TensorProto {
    TensorProto {
        name: name.into(),
        dims: vec![values.len() as i64],
        data_type: DataType::INT64 as i32,
        raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..Default::default()
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::INT.into(),
        i,
        ..Default::default()
    }
}

fn ints_attr(name: &str, v: usize, n: usize) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::INTS.into(),
        ints: vec![v as i64; n],
        ..Default::default()
    }
}

fn node(op: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        op_type: op.into(),
        name: output.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    }
}

fn meta(key: &str, value: String) -> StringStringEntryProto {
    StringStringEntryProto {
        key: key.into(),
        value,
        ..Default::default()
    }
}

/// A dense layer reading `cur` (`[N, inputs]`): `Gemm`, then `Relu`. Returns the output's name.
fn dense(
    name: &str,
    l: &Layer,
    cur: &str,
    p: Precision,
    init: &mut Vec<TensorProto>,
    nodes: &mut Vec<NodeProto>,
) -> String {
    let (w, b) = (format!("{name}.weight"), format!("{name}.bias"));
    init.push(tensor(
        &w,
        &[l.outputs(), l.inputs()],
        l.weights.iter().flatten().copied(),
        p,
    ));
    init.push(tensor(&b, &[l.outputs()], l.bias.iter().copied(), p));
    nodes.push(node("Gemm", &[cur, &w, &b], name, vec![int_attr("transB", 1)]));
    if !l.relu {
        return name.into();
    }
    let out = format!("{name}.relu");
    nodes.push(node("Relu", &[name], &out, vec![]));
    out
}

/// A convolution layer reading `cur` (`[N, C·H·W]`): `Reshape` to `[N, C, H, W]`, `Conv`,
/// `Relu`, the pooling if any, `Flatten`. Returns the output's
/// name.
fn convolution(
    name: &str,
    l: &Layer,
    c: &Conv,
    cur: &str,
    p: Precision,
    init: &mut Vec<TensorProto>,
    nodes: &mut Vec<NodeProto>,
) -> String {
    let s = c.shape;
    let [c_in, h, w] = s.input;
    // 0 copies the batch dimension.
    let (shape, image) = (format!("{name}.image_shape"), format!("{name}.image"));
    init.push(int64_tensor(&shape, &[0, c_in as i64, h as i64, w as i64]));
    nodes.push(node("Reshape", &[cur, &shape], &image, vec![]));
    let (wt, b) = (format!("{name}.weight"), format!("{name}.bias"));
    init.push(tensor(
        &wt,
        &[s.channels, c_in, s.kernel, s.kernel],
        c.filters.iter().copied(),
        p,
    ));
    let bias = l.bias_params();
    init.push(tensor(&b, &[bias.len()], bias.into_iter(), p));
    let attrs = vec![
        ints_attr("kernel_shape", s.kernel, 2),
        ints_attr("strides", s.stride, 2),
        ints_attr("pads", s.padding, 4),
    ];
    nodes.push(node("Conv", &[&image, &wt, &b], name, attrs));
    let mut out = name.to_string();
    if l.relu {
        nodes.push(node("Relu", &[name], &format!("{name}.relu"), vec![]));
        out = format!("{name}.relu");
    }
    if let Some(Pool { kind, size, stride }) = l.pool {
        let op = match kind {
            PoolKind::Max => "MaxPool",
            PoolKind::Average => "AveragePool",
        };
        let pooled = format!("{name}.pool");
        let attrs = vec![ints_attr("kernel_shape", size, 2), ints_attr("strides", stride, 2)];
        nodes.push(node(op, &[&out], &pooled, attrs));
        out = pooled;
    }
    let flat = format!("{name}.flat");
    nodes.push(node("Flatten", &[&out], &flat, vec![int_attr("axis", 1)]));
    flat
}

/// `net` as an ONNX model. With `folded`, `net` is a network whose standardization was folded
/// into its first layer (its standardizer is the identity): no `Sub`/`Div` nodes are written.
pub fn model_bytes(net: &Network, p: Precision, folded: bool) -> Vec<u8> {
    let d = net.feature_names.len();
    let s = &net.standardizer;
    let (mut init, mut nodes, mut cur) = (Vec::new(), Vec::new(), "input".to_string());
    if !folded {
        init.push(tensor("mean", &[d], s.mean.iter().copied(), p));
        init.push(tensor("std", &[d], s.std.iter().copied(), p));
        nodes.push(node("Sub", &["input", "mean"], "centered", vec![]));
        nodes.push(node("Div", &["centered", "std"], "standardized", vec![]));
        cur = "standardized".to_string();
    }
    for (k, l) in net.layers.iter().enumerate().filter(|(_, l)| !l.identity) {
        let name = format!("layer{}", k + 1);
        cur = match &l.conv {
            Some(c) => convolution(&name, l, c, &cur, p, &mut init, &mut nodes),
            None => dense(&name, l, &cur, p, &mut init, &mut nodes),
        };
    }
    // The last node computes the scores.
    let last = nodes
        .last_mut()
        .expect("a layer that is not the identity (the fold refuses a network without one)");
    last.output[0] = "scores".into();
    last.name = "scores".into();
    let graph = GraphProto {
        name: "mipnet".into(),
        node: nodes,
        initializer: init,
        input: vec![value_info("input", d, p)],
        output: vec![value_info("scores", net.class_names.len(), p)],
        ..Default::default()
    };
    let json = |names: &[String]| serde_json::to_string(names).expect("names serialize");
    let model = ModelProto {
        ir_version: 7,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: 13,
            ..Default::default()
        }],
        producer_name: "mipnet".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        graph: MessageField::some(graph),
        metadata_props: [
            meta("mipnet.feature_names", json(&net.feature_names)),
            meta("mipnet.class_names", json(&net.class_names)),
            meta("mipnet.format_version", mipnet_network::FORMAT_VERSION.to_string()),
        ]
        .into_iter()
        .chain(folded.then(|| meta("mipnet.standardization", "folded into the first layer".into())))
        .collect(),
        ..Default::default()
    };
    model.write_to_bytes().expect("an in-memory model serializes")
}
