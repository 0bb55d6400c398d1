//! Models found by `scripts/fuzz.sh` (targets `onnx`, `onnx_graph`), minimized, each with the
//! error it must now give.

use mipnet_onnx::import_bytes;
use onnx_protobuf::attribute_proto::AttributeType;
use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::tensor_shape_proto::{dimension, Dimension};
use onnx_protobuf::{
    type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};
use protobuf::{Message, MessageField};

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = |&v: &i64| Dimension {
        value: Some(dimension::Value::DimValue(v)),
        ..Default::default()
    };
    let shape = TensorShapeProto {
        dim: dims.iter().map(dim).collect(),
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

fn floats(name: &str, dims: &[i64], value: f32) -> TensorProto {
    TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: DataType::FLOAT as i32,
        float_data: vec![value; dims.iter().product::<i64>() as usize],
        ..Default::default()
    }
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::INTS.into(),
        ints: v.to_vec(),
        ..Default::default()
    }
}

/// A model of one node `op` (output "y") reading "x" of shape `input` and the initializers.
fn one_node(input: &[i64], op: &str, initializer: Vec<TensorProto>, attribute: Vec<AttributeProto>) -> Vec<u8> {
    let mut inputs = vec!["x".to_string()];
    inputs.extend(initializer.iter().map(|t| t.name.clone()));
    let node = NodeProto {
        op_type: op.into(),
        name: "n".into(),
        input: inputs,
        output: vec!["y".into()],
        attribute,
        ..Default::default()
    };
    let model = ModelProto {
        ir_version: 7,
        graph: MessageField::some(GraphProto {
            node: vec![node],
            initializer,
            input: vec![value_info("x", input)],
            output: vec![value_info("y", &[])],
            ..Default::default()
        }),
        ..Default::default()
    };
    model.write_to_bytes().unwrap()
}

fn error(bytes: &[u8]) -> String {
    import_bytes(bytes).map(|_| ()).unwrap_err().to_string()
}

/// A 30-byte model whose input declares 16,734,587 values (the importer took up to 2^32) made
/// the import build that many input names and a forward pass that many numbers: gigabytes, an
/// out-of-memory abort for 2^32.
#[test]
fn an_input_too_large_to_hold_is_refused() {
    let model = ModelProto {
        graph: MessageField::some(GraphProto {
            input: vec![value_info("x", &[16734587])],
            output: vec![value_info("x", &[])],
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        error(&model.write_to_bytes().unwrap()),
        "input 'x' has 16734587 values (shape [16734587]); mipnet imports at most 4194304"
    );
}

/// Operations whose unrolled form is far larger than the file: a 16 KB MatMul or a 256-byte
/// convolution asked for billions of rows (an out-of-memory abort), a max pooling with a huge
/// kernel over a 1×1 image for 2^48 visits per window (hours).
#[test]
fn operations_that_unroll_beyond_memory_or_time_are_refused() {
    let mm = one_node(
        &[1, 1024, 1024, 1],
        "MatMul",
        vec![floats("b", &[1, 4096], 0.5)],
        vec![],
    );
    assert_eq!(
        error(&mm),
        "node 'n' (MatMul): would compute 4294967296 values; mipnet imports at most 4194304"
    );
    let conv = one_node(
        &[1, 1, 2048, 2048],
        "Conv",
        vec![floats("w", &[64, 1, 1, 1], 0.5)],
        vec![],
    );
    assert_eq!(
        error(&conv),
        "node 'n' (Conv): would compute 268435456 values; mipnet imports at most 4194304"
    );
    let huge = 1 << 24;
    let pool = one_node(
        &[1, 1, 1, 1],
        "MaxPool",
        vec![],
        vec![
            ints("kernel_shape", &[huge, huge]),
            ints("pads", &[huge; 4]),
            ints("strides", &[huge, huge]),
        ],
    );
    assert_eq!(
        error(&pool),
        "node 'n' (MaxPool): its unrolled form would have 1125899906842624 entries (outputs × weights or taps); \
         mipnet imports at most 67108864"
    );
}

/// A Reshape to dimensions whose product overflows usize (here 2^32 · 2^32; found as seven
/// dimensions of 1e30) panicked with "attempt to multiply with overflow".
#[test]
fn a_reshape_whose_dimensions_overflow_is_refused() {
    let shape = TensorProto {
        name: "s".into(),
        dims: vec![2],
        data_type: DataType::INT64 as i32,
        int64_data: vec![1 << 32, 1 << 32],
        ..Default::default()
    };
    assert_eq!(
        error(&one_node(&[7], "Reshape", vec![shape], vec![])),
        "node 'n' (Reshape): shape [4294967296, 4294967296] does not fit the value's shape [7]"
    );
}
