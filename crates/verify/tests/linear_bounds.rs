//! Back-substitution bounds (DeepPoly/CROWN) checked by sampling: every
//! sampled value of every operation lies within them, every sampled value
//! of a linear function of outputs and inputs lies above its proven lower
//! bound, and they are never looser than interval arithmetic (and tighter
//! somewhere on deeper networks).

use mipnet_network::{generated_names, Op, ReluNet};
use mipnet_verify::bounds::{interval_bounds, Bounds};
use mipnet_verify::linear_bounds::{lower_bounds, optimized_lower_bounds, tighten_linear};
use mipnet_verify::Region;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod support;
use support::{random_affine, random_net};

/// normalize → affine → relu → maxpool → affine → relu → affine: every kind
/// of operation, with back-substitution stopping at the max pooling.
fn net_with_pooling(seed: u64) -> ReluNet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ops = vec![
        Op::Normalize {
            sub: vec![0.1, -0.2, 0.3],
            div: vec![0.5, 2.0, 1.5],
        },
        Op::Affine(random_affine(&mut rng, 3, 8)),
        Op::Relu,
        Op::MaxPool {
            inputs: 8,
            windows: vec![vec![0, 1], vec![2, 3], vec![4, 5, 6], vec![6, 7]],
        },
        Op::Affine(random_affine(&mut rng, 4, 6)),
        Op::Relu,
        Op::Affine(random_affine(&mut rng, 6, 3)),
    ];
    let net = ReluNet {
        inputs: 3,
        ops,
        input_names: generated_names("x", 3),
        output_names: generated_names("y", 3),
    };
    net.check().unwrap();
    net
}

/// Total width of every ReLU's input bounds.
fn relu_input_width(net: &ReluNet, b: &Bounds) -> f64 {
    (0..net.ops.len())
        .filter(|&k| matches!(net.ops[k], Op::Relu))
        .map(|k| {
            let i = b.before(k);
            i.lower.iter().zip(&i.upper).map(|(l, u)| u - l).sum::<f64>()
        })
        .sum()
}

#[test]
fn linear_bounds_contain_every_sample_and_are_never_looser_than_intervals() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut nets: Vec<ReluNet> = (0..5).map(|s| random_net(s, &[5, 12, 12, 12, 4])).collect();
    nets.push(net_with_pooling(7));
    nets.push(net_with_pooling(8));
    let mut tighter = 0;
    for (n, net) in nets.iter().enumerate() {
        let inputs = net.inputs;
        let lo: Vec<f64> = (0..inputs).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.2..1.5)).collect();
        let region = Region::boxed(lo.clone(), hi.clone());
        let interval = interval_bounds(net, &region);
        let mut linear = interval.clone();
        tighten_linear(net, &mut linear);
        for (a, b) in interval.ops.iter().zip(&linear.ops) {
            for i in 0..a.lower.len() {
                assert!(
                    b.lower[i] >= a.lower[i] && b.upper[i] <= a.upper[i],
                    "net {n}: looser than interval"
                );
                assert!(b.lower[i] <= b.upper[i], "net {n}: crossed bounds");
            }
        }
        if relu_input_width(net, &linear) < relu_input_width(net, &interval) - 1e-6 {
            tighter += 1;
        }
        // Random linear functions of outputs and inputs.
        let outputs = net.outputs();
        let specs: Vec<(Vec<f64>, Vec<f64>)> = (0..6)
            .map(|s| {
                let c = (0..outputs).map(|_| rng.gen_range(-1.0..1.0)).collect();
                let a = if s % 2 == 0 {
                    Vec::new()
                } else {
                    (0..inputs).map(|_| rng.gen_range(-1.0..1.0)).collect()
                };
                (c, a)
            })
            .collect();
        let proven = lower_bounds(net, &linear, net.ops.len(), &specs);
        for _ in 0..3000 {
            let x: Vec<f64> = (0..inputs).map(|i| rng.gen_range(lo[i]..=hi[i])).collect();
            let trace = net.trace(&x);
            for (k, v) in trace.iter().enumerate() {
                for (i, val) in v.iter().enumerate() {
                    assert!(
                        *val >= linear.ops[k].lower[i] && *val <= linear.ops[k].upper[i],
                        "net {n} op {k} unit {i}: {val} outside [{}, {}]",
                        linear.ops[k].lower[i],
                        linear.ops[k].upper[i]
                    );
                }
            }
            let y = trace.last().unwrap();
            for ((c, a), p) in specs.iter().zip(&proven) {
                let value: f64 = c.iter().zip(y).map(|(c, y)| c * y).sum::<f64>()
                    + a.iter().zip(&x).map(|(a, x)| a * x).sum::<f64>();
                assert!(
                    value >= p.lower,
                    "net {n}: sampled {value} below the proven {}",
                    p.lower
                );
            }
        }
    }
    assert!(
        tighter >= 4,
        "back-substitution tightened only {tighter} of {} networks",
        nets.len()
    );
}

#[test]
fn a_box_shrunk_to_a_point_gives_bounds_at_the_forward_pass() {
    // At a point every ReLU is stable, and the bounds must enclose the
    // forward pass within the rounding margin alone.
    for seed in 0..4 {
        let net = random_net(seed, &[4, 10, 10, 3]);
        let x = vec![0.3, -0.2, 0.7, -0.9];
        let mut b = interval_bounds(&net, &Region::boxed(x.clone(), x.clone()));
        tighten_linear(&net, &mut b);
        let y = net.forward(&x);
        let out = b.ops.last().unwrap();
        for ((v, l), u) in y.iter().zip(&out.lower).zip(&out.upper) {
            assert!(l <= v && v <= u);
            assert!(u - l < 1e-6, "width {}", u - l);
        }
    }
}

/// Optimized lower slopes (any slope in `[0, 1]` is a sound lower line):
/// the bounds they give hold on every sample, including the corners where
/// bounds are attained, are never looser than CROWN's adaptive slopes, and
/// are tighter on some rows of deeper networks.
#[test]
fn bounds_with_optimized_slopes_contain_every_sampled_output() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let mut tighter = 0;
    let mut rows = 0;
    for seed in 0..8 {
        let net = random_net(100 + seed, &[4, 16, 16, 16, 3]);
        let lo: Vec<f64> = (0..4).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.5..2.0)).collect();
        let mut bounds = interval_bounds(&net, &Region::boxed(lo.clone(), hi.clone()));
        tighten_linear(&net, &mut bounds);
        let specs: Vec<(Vec<f64>, Vec<f64>)> = (0..6)
            .map(|s| {
                let c = (0..3).map(|_| rng.gen_range(-1.0..1.0)).collect();
                let a = if s % 2 == 0 {
                    Vec::new()
                } else {
                    (0..4).map(|_| rng.gen_range(-1.0..1.0)).collect()
                };
                (c, a)
            })
            .collect();
        let plain = lower_bounds(&net, &bounds, net.ops.len(), &specs);
        let optimized = optimized_lower_bounds(&net, &bounds, &specs);
        for (p, o) in plain.iter().zip(&optimized) {
            assert!(
                o.lower >= p.lower,
                "seed {seed}: optimized {} looser than {}",
                o.lower,
                p.lower
            );
            rows += 1;
            if o.lower > p.lower + 1e-9 {
                tighter += 1;
            }
        }
        // Random points and every corner of the box.
        let corners = (0..16).map(|m: usize| (0..4).map(|i| if m >> i & 1 == 1 { hi[i] } else { lo[i] }).collect());
        let samples = (0..4000).map(|_| (0..4).map(|i| rng.gen_range(lo[i]..=hi[i])).collect::<Vec<f64>>());
        for x in corners.chain(samples.collect::<Vec<_>>()) {
            let y = net.forward(&x);
            for ((c, a), o) in specs.iter().zip(&optimized) {
                let value: f64 = c.iter().zip(&y).map(|(c, y)| c * y).sum::<f64>()
                    + a.iter().zip(&x).map(|(a, x)| a * x).sum::<f64>();
                assert!(
                    value >= o.lower,
                    "seed {seed}: sampled {value} below the optimized {}",
                    o.lower
                );
            }
        }
    }
    assert!(
        tighter * 4 >= rows,
        "optimized slopes tightened only {tighter} of {rows} rows"
    );
}
