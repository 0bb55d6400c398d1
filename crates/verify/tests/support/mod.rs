//! Shared by the verification tests: seeded random networks, the test
//! options, and the exact maximum over 2-D boxes by vertex enumeration.
#![allow(dead_code)]

use mipnet_network::{generated_names, Affine, Op, ReluNet};
use mipnet_verify::VerifyOptions;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn random_affine(rng: &mut ChaCha8Rng, inputs: usize, outputs: usize) -> Affine {
    let w: Vec<Vec<f64>> = (0..outputs)
        .map(|_| (0..inputs).map(|_| rng.gen_range(-1.0..1.0)).collect())
        .collect();
    let b: Vec<f64> = (0..outputs).map(|_| rng.gen_range(-0.5..0.5)).collect();
    Affine::dense(&w, &b)
}

/// `widths[0]` inputs, ReLU hidden layers, a linear output layer.
pub fn random_net(seed: u64, widths: &[usize]) -> ReluNet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ops = Vec::new();
    for i in 1..widths.len() {
        ops.push(Op::Affine(random_affine(&mut rng, widths[i - 1], widths[i])));
        if i + 1 < widths.len() {
            ops.push(Op::Relu);
        }
    }
    let net = ReluNet {
        inputs: widths[0],
        ops,
        input_names: generated_names("x", widths[0]),
        output_names: generated_names("y", *widths.last().unwrap()),
    };
    net.check().unwrap();
    net
}

pub fn options() -> VerifyOptions {
    let mut o = VerifyOptions::new(std::sync::Arc::new(mipnet_highs::HighsSolver));
    o.solve.time_limit = Some(30.0);
    o.solve.threads = Some(1);
    o
}

/// Candidate maximizers of any function linear on the cells of a 2-D
/// one-hidden-layer network over a box: box corners, hidden lines crossing
/// box edges, and pairwise crossings of hidden lines inside the box.
pub fn vertices(net: &ReluNet, lo: &[f64], hi: &[f64]) -> Vec<[f64; 2]> {
    let Op::Affine(h) = &net.ops[0] else { panic!() };
    let mut lines: Vec<(f64, f64, f64)> = Vec::new(); // a x + b y + c = 0
    for (row, bias) in h.rows.iter().zip(&h.bias) {
        let mut ab = [0.0; 2];
        for &(j, w) in row {
            ab[j] = w;
        }
        lines.push((ab[0], ab[1], *bias));
    }
    lines.push((1.0, 0.0, -lo[0]));
    lines.push((1.0, 0.0, -hi[0]));
    lines.push((0.0, 1.0, -lo[1]));
    lines.push((0.0, 1.0, -hi[1]));
    let mut pts = Vec::new();
    for i in 0..lines.len() {
        for j in i + 1..lines.len() {
            let (a1, b1, c1) = lines[i];
            let (a2, b2, c2) = lines[j];
            let det = a1 * b2 - a2 * b1;
            if det.abs() < 1e-12 {
                continue;
            }
            let x = (-c1 * b2 + c2 * b1) / det;
            let y = (-a1 * c2 + a2 * c1) / det;
            if x >= lo[0] - 1e-12 && x <= hi[0] + 1e-12 && y >= lo[1] - 1e-12 && y <= hi[1] + 1e-12 {
                pts.push([x.clamp(lo[0], hi[0]), y.clamp(lo[1], hi[1])]);
            }
        }
    }
    pts
}

pub fn exact_max(net: &ReluNet, lo: &[f64], hi: &[f64], f: impl Fn(&[f64]) -> f64) -> f64 {
    vertices(net, lo, hi)
        .iter()
        .map(|p| f(&net.forward(p)))
        .fold(f64::NEG_INFINITY, f64::max)
}
