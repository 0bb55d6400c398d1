//! A [`Network`] as an opset-13 ONNX model.

use crate::Precision;
use mipnet_network::Network;
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

pub fn model_bytes(net: &Network, p: Precision) -> Vec<u8> {
    let d = net.feature_names.len();
    let s = &net.standardizer;
    let mut init = vec![
        tensor("mean", &[d], s.mean.iter().copied(), p),
        tensor("std", &[d], s.std.iter().copied(), p),
    ];
    let mut nodes = vec![
        node("Sub", &["input", "mean"], "centered", vec![]),
        node("Div", &["centered", "std"], "standardized", vec![]),
    ];
    let mut cur = "standardized".to_string();
    for (k, l) in net.layers.iter().enumerate().filter(|(_, l)| !l.identity) {
        let (w, b) = (format!("layer{}.weight", k + 1), format!("layer{}.bias", k + 1));
        init.push(tensor(
            &w,
            &[l.outputs(), l.inputs()],
            l.weights.iter().flatten().copied(),
            p,
        ));
        init.push(tensor(&b, &[l.outputs()], l.bias.iter().copied(), p));
        let trans_b = AttributeProto {
            name: "transB".into(),
            type_: onnx_protobuf::attribute_proto::AttributeType::INT.into(),
            i: 1,
            ..Default::default()
        };
        let out = format!("layer{}", k + 1);
        nodes.push(node("Gemm", &[&cur, &w, &b], &out, vec![trans_b]));
        cur = out;
        if l.relu {
            let out = format!("layer{}.relu", k + 1);
            nodes.push(node("Relu", &[&cur], &out, vec![]));
            cur = out;
        }
    }
    // The last node computes the scores.
    let last = nodes.last_mut().expect("two nodes at least");
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
        metadata_props: vec![
            meta("mipnet.feature_names", json(&net.feature_names)),
            meta("mipnet.class_names", json(&net.class_names)),
            meta("mipnet.format_version", "1".into()),
        ],
        ..Default::default()
    };
    model.write_to_bytes().expect("an in-memory model serializes")
}
