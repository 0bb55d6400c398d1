//! ONNX import, structure-aware: the fuzzer's bytes choose a chain of the
//! supported operators (with constants, attributes and shapes, mostly small,
//! sometimes extreme), written as a real ModelProto and imported from its
//! bytes. Random bytes (target `onnx`) rarely get past the protobuf decoder;
//! this target reaches the importer's shape and index arithmetic.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use onnx_protobuf::attribute_proto::AttributeType;
use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::tensor_shape_proto::{dimension, Dimension};
use onnx_protobuf::{
    type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};
use protobuf::{Message, MessageField};

/// Constants are filled with at most this many values, so that a huge
/// declared shape costs the fuzzer nothing (the importer must refuse the
/// mismatch) and a small one is filled exactly.
const MAX_CONST_VALUES: usize = 4096;

/// Operators beside mipnet's supported ones that a node may also have: one
/// it refuses by name and one it reads as a constant.
const OTHER_OPS: [&str; 2] = ["Softmax", "Constant"];

/// Operator `i` (wrapping) of the supported ones followed by [`OTHER_OPS`].
fn op(i: usize) -> &'static str {
    let all = mipnet_onnx::SUPPORTED_OPS.len() + OTHER_OPS.len();
    let i = i % all;
    mipnet_onnx::SUPPORTED_OPS
        .get(i)
        .copied()
        .unwrap_or_else(|| OTHER_OPS[i - mipnet_onnx::SUPPORTED_OPS.len()])
}

/// Attribute names the importer reads.
const ATTRS: [&str; 16] = [
    "axis",
    "allowzero",
    "transA",
    "transB",
    "alpha",
    "beta",
    "epsilon",
    "training_mode",
    "group",
    "kernel_shape",
    "strides",
    "pads",
    "dilations",
    "auto_pad",
    "ceil_mode",
    "count_include_pad",
];

/// A number: usually small, sometimes any i64.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Num {
    Small(i8),
    Any(i64),
}

impl Num {
    fn get(self) -> i64 {
        match self {
            Num::Small(v) => (v % 8) as i64,
            Num::Any(v) => v,
        }
    }
}

/// An input dimension: a number or a symbolic one.
#[derive(Arbitrary, Debug)]
enum Dim {
    Value(Num),
    Symbolic,
}

#[derive(Arbitrary, Debug)]
enum Value {
    Float(f32),
    Special(u8),
}

impl Value {
    fn get(&self) -> f64 {
        match self {
            Value::Float(v) => *v as f64,
            Value::Special(k) => [
                0.0,
                -1.0,
                1.0,
                f64::INFINITY,
                f64::NAN,
                1e30,
                f64::MAX,
                f64::MIN_POSITIVE,
            ][*k as usize % 8],
        }
    }
}

/// How a constant reaches a node: an initializer or a `Constant` node.
#[derive(Arbitrary, Debug)]
enum Via {
    Initializer,
    ConstantValue,
    ConstantFloats,
    ConstantInts,
}

#[derive(Arbitrary, Debug)]
struct Const {
    dims: Vec<Num>,
    values: Vec<Value>,
    /// FLOAT, DOUBLE, INT64, INT32 or another (refused) type.
    data_type: u8,
    raw: bool,
    via: Via,
}

#[derive(Arbitrary, Debug)]
enum AttrValue {
    Int(Num),
    Float(f32),
    Ints(Vec<Num>),
    Text(bool),
}

#[derive(Arbitrary, Debug)]
struct Node {
    op: u8,
    /// Arithmetic reads the chain's value as its second operand.
    data_second: bool,
    consts: Vec<Const>,
    attrs: Vec<(u8, AttrValue)>,
}

#[derive(Arbitrary, Debug)]
struct Graph {
    input: Vec<Dim>,
    nodes: Vec<Node>,
    /// A second graph output (refused).
    two_outputs: bool,
}

fn tensor(name: &str, c: &Const) -> TensorProto {
    let dims: Vec<i64> = c.dims.iter().take(5).map(|d| d.get()).collect();
    let declared = dims
        .iter()
        .try_fold(1usize, |n, &d| usize::try_from(d).ok().and_then(|d| n.checked_mul(d)));
    let n = declared
        .filter(|&n| n <= MAX_CONST_VALUES)
        .unwrap_or(c.values.len().min(MAX_CONST_VALUES));
    let cycle = |k: usize| c.values.get(k % c.values.len().max(1)).map_or(1.0, Value::get);
    let values: Vec<f64> = (0..n).map(cycle).collect();
    let mut t = TensorProto {
        name: name.into(),
        dims,
        ..Default::default()
    };
    let (ty, raw): (DataType, Vec<u8>) = match c.data_type % 5 {
        0 => (
            DataType::FLOAT,
            values.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect(),
        ),
        1 => (DataType::DOUBLE, values.iter().flat_map(|&v| v.to_le_bytes()).collect()),
        2 => (
            DataType::INT64,
            values.iter().flat_map(|&v| (v as i64).to_le_bytes()).collect(),
        ),
        3 => (
            DataType::INT32,
            values.iter().flat_map(|&v| (v as i32).to_le_bytes()).collect(),
        ),
        _ => (DataType::UINT8, values.iter().map(|&v| v as u8).collect()),
    };
    t.data_type = ty as i32;
    if c.raw {
        t.raw_data = raw;
    } else {
        match ty {
            DataType::FLOAT => t.float_data = values.iter().map(|&v| v as f32).collect(),
            DataType::DOUBLE => t.double_data = values,
            DataType::INT64 => t.int64_data = values.iter().map(|&v| v as i64).collect(),
            _ => t.int32_data = values.iter().map(|&v| v as i32).collect(),
        }
    }
    t
}

fn attribute(name: &str, v: &AttrValue) -> AttributeProto {
    let mut a = AttributeProto {
        name: name.into(),
        ..Default::default()
    };
    match v {
        AttrValue::Int(n) => (a.type_, a.i) = (AttributeType::INT.into(), n.get()),
        AttrValue::Float(f) => (a.type_, a.f) = (AttributeType::FLOAT.into(), *f),
        AttrValue::Ints(v) => {
            (a.type_, a.ints) = (AttributeType::INTS.into(), v.iter().take(6).map(|n| n.get()).collect())
        }
        AttrValue::Text(valid) => {
            a.type_ = AttributeType::STRING.into();
            a.s = if *valid {
                b"VALID".to_vec()
            } else {
                b"SAME_UPPER".to_vec()
            };
        }
    }
    a
}

fn value_info(name: &str, dims: &[Dim]) -> ValueInfoProto {
    let dim = |d: &Dim| Dimension {
        value: Some(match d {
            Dim::Value(n) => dimension::Value::DimValue(n.get()),
            Dim::Symbolic => dimension::Value::DimParam("batch".into()),
        }),
        ..Default::default()
    };
    let shape = TensorShapeProto {
        dim: dims.iter().take(5).map(dim).collect(),
        ..Default::default()
    };
    ValueInfoProto {
        name: name.into(),
        type_: MessageField::some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: DataType::FLOAT as i32,
                shape: MessageField::some(shape),
                ..Default::default()
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn model(g: &Graph) -> ModelProto {
    let mut nodes = Vec::new();
    let mut initializer = Vec::new();
    let mut current = "input".to_string();
    for (i, n) in g.nodes.iter().take(8).enumerate() {
        let op = op(n.op as usize);
        let mut const_names = Vec::new();
        for (k, c) in n.consts.iter().take(5).enumerate() {
            let name = format!("c{i}_{k}");
            let t = tensor(&name, c);
            let constant = |a: AttributeProto| NodeProto {
                op_type: "Constant".into(),
                output: vec![name.clone()],
                attribute: vec![a],
                ..Default::default()
            };
            match c.via {
                Via::Initializer => initializer.push(t),
                Via::ConstantValue => nodes.push(constant(AttributeProto {
                    name: "value".into(),
                    type_: AttributeType::TENSOR.into(),
                    t: MessageField::some(t),
                    ..Default::default()
                })),
                Via::ConstantFloats => nodes.push(constant(AttributeProto {
                    name: "value_floats".into(),
                    type_: AttributeType::FLOATS.into(),
                    floats: c.values.iter().take(MAX_CONST_VALUES).map(|v| v.get() as f32).collect(),
                    ..Default::default()
                })),
                Via::ConstantInts => nodes.push(constant(AttributeProto {
                    name: "value_ints".into(),
                    type_: AttributeType::INTS.into(),
                    ints: c.values.iter().take(MAX_CONST_VALUES).map(|v| v.get() as i64).collect(),
                    ..Default::default()
                })),
            }
            const_names.push(name);
        }
        let mut input = const_names;
        input.insert(usize::from(n.data_second).min(input.len()), current.clone());
        let out = format!("v{i}");
        nodes.push(NodeProto {
            op_type: op.into(),
            name: out.clone(),
            input,
            output: vec![out.clone()],
            attribute: n
                .attrs
                .iter()
                .take(6)
                .map(|(k, v)| attribute(ATTRS[*k as usize % ATTRS.len()], v))
                .collect(),
            ..Default::default()
        });
        current = out;
    }
    let mut output = vec![value_info(&current, &[])];
    if g.two_outputs {
        output.push(value_info("other", &[]));
    }
    ModelProto {
        ir_version: 7,
        graph: MessageField::some(GraphProto {
            node: nodes,
            initializer,
            input: vec![value_info("input", &g.input)],
            output,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fuzz_target!(|g: Graph| {
    let bytes = model(&g).write_to_bytes().expect("an in-memory model serializes");
    let Ok(net) = mipnet_onnx::import_bytes(&bytes) else {
        return;
    };
    net.check()
        .expect("import_bytes returned a network its own check refuses");
    let y = net.forward(&vec![0.5; net.inputs]);
    assert_eq!(
        y.len(),
        net.output_names.len(),
        "forward pass length differs from the output names"
    );
});
