//! Back-substitution of many rows at once (one matrix per layer, dense
//! weights) must give each row exactly the bound it gets alone: a slip in
//! the batch's row indexing, or in which rows the slope rounds keep
//! refining, would hand one row another's coefficients or slopes — a bound
//! that sampling might not catch on every network, but that differs from
//! the row's own. The tightened intermediate bounds (re-propagated only up
//! to the next layer they are read at) must still contain every sampled
//! trace of deep networks.

use mipnet_network::{Op, ReluNet};
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

/// `net` with a share `keep` of each affine layer's weights kept and the
/// rest dropped from its sparse rows (below half kept, back-substitution
/// carries the layer's sparse rows, as for a convolution), and the same
/// network with the dropped weights written as explicit zeros (a full
/// row: the dense path).
fn sparse_and_padded(net: &ReluNet, keep: f64, rng: &mut ChaCha8Rng) -> (ReluNet, ReluNet) {
    let (mut sparse, mut padded) = (net.clone(), net.clone());
    for (s, p) in sparse.ops.iter_mut().zip(padded.ops.iter_mut()) {
        if let (Op::Affine(s), Op::Affine(p)) = (s, p) {
            for (srow, prow) in s.rows.iter_mut().zip(p.rows.iter_mut()) {
                let mut kept = Vec::new();
                for (j, w) in prow.iter_mut() {
                    if rng.gen_bool(keep) {
                        kept.push((*j, *w));
                    } else {
                        *w = 0.0;
                    }
                }
                *srow = kept;
            }
        }
    }
    (sparse, padded)
}

#[test]
fn sparse_layers_get_exactly_the_bounds_of_their_dense_form() {
    let mut rng = ChaCha8Rng::seed_from_u64(47);
    for seed in 0..4 {
        let net = random_net(400 + seed, &[6, 16, 16, 16, 3]);
        let (sparse, padded) = sparse_and_padded(&net, 0.3, &mut rng);
        let lo: Vec<f64> = (0..6).map(|_| rng.gen_range(-1.0..0.0)).collect();
        let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.3..2.0)).collect();
        let region = Region::boxed(lo, hi);
        let (mut bs, mut bp) = (interval_bounds(&sparse, &region), interval_bounds(&padded, &region));
        assert_eq!(bs, bp, "seed {seed}: interval bounds differ");
        tighten_linear(&sparse, &mut bs);
        tighten_linear(&padded, &mut bp);
        assert_eq!(bs, bp, "seed {seed}: tightened bounds differ");
        let specs = random_specs(&mut rng, 7, 3, 6);
        assert_eq!(
            lower_bounds(&sparse, &bs, sparse.ops.len(), &specs),
            lower_bounds(&padded, &bp, padded.ops.len(), &specs),
            "seed {seed}: plain bounds differ"
        );
        assert_eq!(
            optimized_lower_bounds(&sparse, &bs, &specs),
            optimized_lower_bounds(&padded, &bp, &specs),
            "seed {seed}: optimized bounds differ"
        );
    }
}

#[test]
fn more_rows_than_one_chunk_get_exactly_their_own_bounds() {
    let mut rng = ChaCha8Rng::seed_from_u64(53);
    let net = random_net(500, &[5, 12, 12, 4]);
    let lo: Vec<f64> = (0..5).map(|_| rng.gen_range(-1.0..0.0)).collect();
    let hi: Vec<f64> = lo.iter().map(|l| l + rng.gen_range(0.3..2.0)).collect();
    let mut bounds = interval_bounds(&net, &Region::boxed(lo, hi));
    tighten_linear(&net, &mut bounds);
    // Several chunks of rows (256 each) and a partial last one.
    let specs = random_specs(&mut rng, 700, 4, 5);
    let together = lower_bounds(&net, &bounds, net.ops.len(), &specs);
    let optimized_together = optimized_lower_bounds(&net, &bounds, &specs);
    for r in (0..specs.len()).step_by(37).chain([255, 256, 511, 512, 699]) {
        let alone = std::slice::from_ref(&specs[r]);
        assert_eq!(
            together[r],
            lower_bounds(&net, &bounds, net.ops.len(), alone)[0],
            "row {r}"
        );
        assert_eq!(
            optimized_together[r],
            optimized_lower_bounds(&net, &bounds, alone)[0],
            "row {r}"
        );
    }
}
