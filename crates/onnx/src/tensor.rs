//! Constant tensors and node attributes, read from the protobuf types.

use crate::OnnxError;
use onnx_protobuf::tensor_proto::{DataLocation, DataType};
use onnx_protobuf::{NodeProto, TensorProto};
use protobuf::Enum;

/// A constant (initializer or `Constant` node) as f64, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub dims: Vec<usize>,
    pub data: Vec<f64>,
}

impl Tensor {
    /// The values as integers, for shapes and axes.
    pub fn ints(&self) -> Vec<i64> {
        self.data.iter().map(|&v| v as i64).collect()
    }
}

fn malformed(msg: String) -> OnnxError {
    OnnxError::Malformed(msg)
}

/// Reads FLOAT, DOUBLE, INT64 and INT32 tensors, from their typed fields or `raw_data`.
pub fn decode(t: &TensorProto) -> Result<Tensor, OnnxError> {
    let name = &t.name;
    if !t.external_data.is_empty() || t.data_location.enum_value() == Ok(DataLocation::EXTERNAL) {
        return Err(malformed(format!(
            "tensor '{name}' keeps its data in an external file, which mipnet does not read; \
             save the model with its data inside (onnx.save(..., save_as_external_data=False))"
        )));
    }
    if t.dims.iter().any(|&d| d < 0) {
        return Err(malformed(format!("tensor '{name}' has a negative dimension")));
    }
    let dims: Vec<usize> = t.dims.iter().map(|&d| d as usize).collect();
    let raw = &t.raw_data;
    let from_raw = |width: usize, f: &dyn Fn(&[u8]) -> f64| -> Vec<f64> { raw.chunks_exact(width).map(f).collect() };
    let data: Vec<f64> = match DataType::from_i32(t.data_type) {
        Some(DataType::FLOAT) if raw.is_empty() => t.float_data.iter().map(|&v| v as f64).collect(),
        Some(DataType::FLOAT) => from_raw(4, &|b| f32::from_le_bytes(b.try_into().unwrap()) as f64),
        Some(DataType::DOUBLE) if raw.is_empty() => t.double_data.clone(),
        Some(DataType::DOUBLE) => from_raw(8, &|b| f64::from_le_bytes(b.try_into().unwrap())),
        Some(DataType::INT64) if raw.is_empty() => t.int64_data.iter().map(|&v| v as f64).collect(),
        Some(DataType::INT64) => from_raw(8, &|b| i64::from_le_bytes(b.try_into().unwrap()) as f64),
        Some(DataType::INT32) if raw.is_empty() => t.int32_data.iter().map(|&v| v as f64).collect(),
        Some(DataType::INT32) => from_raw(4, &|b| i32::from_le_bytes(b.try_into().unwrap()) as f64),
        other => {
            let ty = other.map_or_else(|| t.data_type.to_string(), |d| format!("{d:?}"));
            return Err(malformed(format!(
                "tensor '{name}' has data type {ty}; mipnet reads FLOAT, DOUBLE, INT64 and INT32"
            )));
        }
    };
    let n = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if n != Some(data.len()) {
        return Err(malformed(format!(
            "tensor '{name}' has {} values for shape {dims:?}",
            data.len()
        )));
    }
    Ok(Tensor { dims, data })
}

/// Attribute lookup with ONNX defaults.
pub struct Attrs<'a>(pub &'a NodeProto);

impl Attrs<'_> {
    fn get(&self, name: &str) -> Option<&onnx_protobuf::AttributeProto> {
        self.0.attribute.iter().find(|a| a.name == name)
    }
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.get(name).map_or(default, |a| a.i)
    }
    pub fn float(&self, name: &str, default: f32) -> f32 {
        self.get(name).map_or(default, |a| a.f)
    }
    pub fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.get(name).map(|a| a.ints.clone())
    }
    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
    }
}

/// The value of a `Constant` node.
pub fn constant(node: &NodeProto) -> Result<Tensor, OnnxError> {
    let a = node.attribute.first().filter(|_| node.attribute.len() == 1);
    let err = || {
        malformed(format!(
            "Constant node '{}': mipnet reads value, value_float(s), value_int(s)",
            node.name
        ))
    };
    let a = a.ok_or_else(err)?;
    let vec = |data: Vec<f64>| Tensor {
        dims: vec![data.len()],
        data,
    };
    match a.name.as_str() {
        "value" => decode(a.t.as_ref().ok_or_else(err)?),
        "value_float" => Ok(Tensor {
            dims: vec![],
            data: vec![a.f as f64],
        }),
        "value_int" => Ok(Tensor {
            dims: vec![],
            data: vec![a.i as f64],
        }),
        "value_floats" => Ok(vec(a.floats.iter().map(|&v| v as f64).collect())),
        "value_ints" => Ok(vec(a.ints.iter().map(|&v| v as f64).collect())),
        _ => Err(err()),
    }
}

/// `c` broadcast (ONNX multidirectional rules) to the shape of the network's value, when that
/// leaves the value's size unchanged: the broadcast shape (`shape`, perhaps with leading 1s) and
/// `c`'s value at each of its positions, row-major.
pub fn broadcast(c: &Tensor, shape: &[usize]) -> Option<(Vec<usize>, Vec<f64>)> {
    let rank = shape.len().max(c.dims.len());
    let pad = |d: &[usize]| [vec![1; rank - d.len()], d.to_vec()].concat();
    let (out, cd) = (pad(shape), pad(&c.dims));
    if out.iter().zip(&cd).any(|(&o, &k)| k != o && k != 1) {
        return None;
    }
    // Strides of `c`, 0 along broadcast axes.
    let mut strides = vec![0; rank];
    let mut s = 1;
    for k in (0..rank).rev() {
        strides[k] = if cd[k] == 1 { 0 } else { s };
        s *= cd[k];
    }
    let n: usize = out.iter().product();
    let values = (0..n)
        .map(|flat| {
            let (mut rest, mut at) = (flat, 0);
            for k in (0..rank).rev() {
                at += (rest % out[k]) * strides[k];
                rest /= out[k];
            }
            c.data[at]
        })
        .collect();
    Some((out, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_follows_onnx_rules() {
        let per_channel = Tensor {
            dims: vec![2, 1, 1],
            data: vec![1.0, 2.0],
        };
        let (shape, v) = broadcast(&per_channel, &[1, 2, 1, 3]).unwrap();
        assert_eq!(shape, vec![1, 2, 1, 3]);
        assert_eq!(v, vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
        let row = Tensor {
            dims: vec![1, 3],
            data: vec![1.0, 2.0, 3.0],
        };
        assert_eq!(broadcast(&row, &[3]).unwrap(), (vec![1, 3], vec![1.0, 2.0, 3.0]));
        assert!(broadcast(&row, &[1, 1]).is_none(), "would grow the value");
        assert!(broadcast(&row, &[2]).is_none());
    }
}
