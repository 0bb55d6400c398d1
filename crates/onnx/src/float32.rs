//! The check a float32 export passes before anything is written: every
//! parameter it stores must be a float32 number that computes what the
//! network does up to rounding. A weight beyond float32's range would be
//! stored as ±∞, and a standard deviation that float32 rounds to 0 would
//! divide by zero; either would give a file that computes ∞ or NaN, so
//! such a network is refused, naming the first such parameter.

use mipnet_network::Network;

/// A parameter float32 cannot hold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Unfit {
    /// Which parameter, as a person finds it in network.json.
    pub what: String,
    pub value: f64,
    /// Why float32 cannot hold it.
    pub why: String,
}

fn beyond_range(v: f64) -> bool {
    (v as f32).is_infinite()
}

fn range_error(what: String, value: f64) -> Unfit {
    Unfit {
        what,
        value,
        why: format!("beyond float32's range (magnitudes up to {:e})", f32::MAX),
    }
}

/// The first parameter of `net` that an export in float32 cannot store, in
/// the order the export writes them: the standardizer, then each layer.
pub(crate) fn first_unfit(net: &Network) -> Option<Unfit> {
    let s = &net.standardizer;
    let name = |i: usize| net.feature_names.get(i).map_or("?", |n| n.as_str());
    for (i, &m) in s.mean.iter().enumerate() {
        if beyond_range(m) {
            return Some(range_error(format!("the mean of input {i} ({})", name(i)), m));
        }
    }
    for (i, &d) in s.std.iter().enumerate() {
        if beyond_range(d) {
            return Some(range_error(
                format!("the standard deviation of input {i} ({})", name(i)),
                d,
            ));
        }
        if d != 0.0 && d as f32 == 0.0 {
            return Some(Unfit {
                what: format!("the standard deviation of input {i} ({})", name(i)),
                value: d,
                why: "which float32 rounds to 0 (the export would divide by zero)".into(),
            });
        }
    }
    for (k, l) in net.layers.iter().enumerate().filter(|(_, l)| !l.identity) {
        let layer = k + 1;
        match &l.conv {
            Some(c) => {
                if let Some((j, &v)) = c.filters.iter().enumerate().find(|(_, v)| beyond_range(**v)) {
                    return Some(range_error(format!("layer {layer}: filter value {j}"), v));
                }
                if let Some((f, v)) = l.bias_params().into_iter().enumerate().find(|(_, v)| beyond_range(*v)) {
                    return Some(range_error(format!("layer {layer}: the bias of filter {f}"), v));
                }
            }
            None => {
                for (i, row) in l.weights.iter().enumerate() {
                    if let Some((j, &v)) = row.iter().enumerate().find(|(_, v)| beyond_range(**v)) {
                        return Some(range_error(
                            format!("layer {layer}: the weight of output {i} on input {j}"),
                            v,
                        ));
                    }
                }
                if let Some((i, &v)) = l.bias.iter().enumerate().find(|(_, v)| beyond_range(**v)) {
                    return Some(range_error(format!("layer {layer}: the bias of output {i}"), v));
                }
            }
        }
    }
    None
}
