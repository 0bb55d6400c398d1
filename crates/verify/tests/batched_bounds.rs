//! Back-substitution of many rows at once (one matrix per layer, dense
//! weights) must give each row exactly the bound it gets alone: a slip in
//! the batch's row indexing, or in which rows the slope rounds keep
//! refining, would hand one row another's coefficients or slopes — a bound
//! that sampling might not catch on every network, but that differs from
//! the row's own. The tightened intermediate bounds (re-propagated only up
//! to the next layer they are read at) must still contain every sampled
//! trace of deep networks.

use mipnet_verify::bounds::interval_bounds;
use mipnet_verify::linear_bounds::{lower_bounds, optimized_lower_bounds, tighten_linear};
use mipnet_verify::Region;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod support;
use support::random_net;

type Spec = (Vec<f64>, Vec<f64>);

/// `count` random rows over `outputs` outputs, every other one with input
/// terms over `inputs` inputs.
fn random_specs(rng: &mut ChaCha8Rng, count: usize, outputs: usize, inputs: usize) -> Vec<Spec> {
    (0..count)
        .map(|s| {
            let c = (0..outputs).map(|_| rng.gen_range(-1.0..1.0)).collect();
            let a = if s % 2 == 0 {
                Vec::new()
            } else {
                (0..inputs).map(|_| rng.gen_range(-1.0..1.0)).collect()
            };
            (c, a)
        })
        .collect()
}

#[test]
fn rows_bounded_together_get_exactly_their_own_bounds() {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    let mut improved = 0;
    for seed in 0..6 {
        let net = random_net(200 + seed, &[5, 14, 14, 14, 14, 4]);
        let lo: Vec<f64> = (0..5).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.3..2.0)).collect();
        let mut bounds = interval_bounds(&net, &Region::boxed(lo, hi));
        tighten_linear(&net, &mut bounds);
        let specs = random_specs(&mut rng, 9, 4, 5);
        let together = lower_bounds(&net, &bounds, net.ops.len(), &specs);
        let optimized_together = optimized_lower_bounds(&net, &bounds, &specs);
        for (r, spec) in specs.iter().enumerate() {
            let alone = lower_bounds(&net, &bounds, net.ops.len(), std::slice::from_ref(spec));
            assert_eq!(
                together[r], alone[0],
                "seed {seed}, row {r}: batched plain bound differs"
            );
            let optimized_alone = optimized_lower_bounds(&net, &bounds, std::slice::from_ref(spec));
            assert_eq!(
                optimized_together[r], optimized_alone[0],
                "seed {seed}, row {r}: batched optimized bound differs"
            );
            assert!(optimized_together[r].lower >= together[r].lower);
            if optimized_together[r].lower > together[r].lower + 1e-9 {
                improved += 1;
            }
        }
    }
    // The slope rounds must do something on these networks, or the
    // comparison above would only compare the unoptimized bounds.
    assert!(improved >= 5, "optimized slopes improved only {improved} rows");
}

#[test]
fn tightened_bounds_of_deep_networks_contain_every_sampled_trace() {
    let mut rng = ChaCha8Rng::seed_from_u64(43);
    for seed in 0..6 {
        let net = random_net(300 + seed, &[5, 12, 12, 12, 12, 12, 3]);
        let lo: Vec<f64> = (0..5).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.2..2.0)).collect();
        let plain = interval_bounds(&net, &Region::boxed(lo.clone(), hi.clone()));
        let mut bounds = plain.clone();
        tighten_linear(&net, &mut bounds);
        let mut tighter = false;
        for (t, p) in bounds.ops.iter().zip(&plain.ops) {
            for i in 0..t.lower.len() {
                assert!(
                    t.lower[i] >= p.lower[i] && t.upper[i] <= p.upper[i],
                    "seed {seed}: looser than intervals"
                );
                tighter |= t.lower[i] > p.lower[i] + 1e-9 || t.upper[i] < p.upper[i] - 1e-9;
            }
        }
        assert!(tighter, "seed {seed}: back-substitution tightened nothing");
        let corners = (0..32).map(|m: usize| (0..5).map(|i| if m >> i & 1 == 1 { hi[i] } else { lo[i] }).collect());
        let samples = (0..3000).map(|_| (0..5).map(|i| rng.gen_range(lo[i]..=hi[i])).collect::<Vec<f64>>());
        for x in corners.chain(samples.collect::<Vec<_>>()) {
            for (k, values) in net.trace(&x).iter().enumerate() {
                let b = &bounds.ops[k];
                for (i, v) in values.iter().enumerate() {
                    assert!(
                        *v >= b.lower[i] && *v <= b.upper[i],
                        "seed {seed}: value {v} of operation {k}, neuron {i} outside [{}, {}]",
                        b.lower[i],
                        b.upper[i]
                    );
                }
            }
        }
    }
}
