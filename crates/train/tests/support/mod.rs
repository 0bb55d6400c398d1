//! Shared by the training tests: a small two-class dataset whose classes
//! are far apart, so a tiny network separates it within seconds.
#![allow(dead_code)]

use mipnet_data::Dataset;

/// Two clusters, "a" around (0, 0) and "b" around (3, 3), on a fixed
/// pattern (24 samples).
pub fn clusters() -> Dataset {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..12 {
        let t = i as f64 * 0.37;
        let (dx, dy) = (0.6 * t.sin(), 0.6 * (1.7 * t).cos());
        x.extend([dx, dy]);
        y.push(0);
        x.extend([3.0 + dy, 3.0 + dx]);
        y.push(1);
    }
    Dataset::new(
        "clusters",
        vec!["u".into(), "v".into()],
        vec!["a".into(), "b".into()],
        x,
        y,
    )
}
