//! Repairing a start for its fairness rules (two classes), which
//! `DenseFormulation::repair_for_rules` leaves as they are: shifting the
//! output biases by s (class 1's up by s/2, class 0's down by s/2) moves
//! every sample's lead of class 1 over class 0 by s, so each sample is
//! counted (its class's lead at least the margin) on one side of its own
//! breakpoint. The candidate shifts are 0 and each breakpoint (a little
//! past it, or a band's width before it); the smallest |s| whose counts
//! keep every gap, with no sample inside the band below the margin and
//! both biases within ±ω, is applied. Otherwise the start is left as it
//! is (and then dropped).

use mipnet_data::Dataset;
use mipnet_formulate::{allowed_gap_count, FairnessMeasure, Rule, DECISION_BAND};
use mipnet_network::Network;

/// How far past its breakpoint a shift puts a sample, relative to the
/// margin: enough for the forward pass's rounding (the certificate's
/// slack is 1e-7), far inside the band.
const PAST_BREAKPOINT: f64 = 1e-6;

/// How far before its breakpoint a shift leaves a sample, in band widths:
/// below the band, with room for rounding.
const BEFORE_BREAKPOINT: f64 = 2.0;

/// `net` with each fairness rule of `rules` met on `data` (the
/// standardized training data, as the rule's groups index it) by the
/// smallest output-bias shift that meets it, where one does.
pub(crate) fn balance_groups(
    net: &Network,
    data: &Dataset,
    rules: &[Rule],
    default_margin: f64,
    omega: f64,
) -> Network {
    let mut out = net.clone();
    if data.num_classes() != 2 {
        return out;
    }
    for rule in rules {
        let Rule::Fairness {
            measure,
            positive_class,
            max_gap,
            margin,
            members: Some(members),
            ..
        } = rule
        else {
            continue;
        };
        if members.of_sample.len() != data.len() {
            continue;
        }
        let positive = match (measure, positive_class) {
            (FairnessMeasure::PositiveRate, Some(p)) => data.class_names.iter().position(|c| c == p),
            _ => None,
        };
        let margin = margin.unwrap_or(default_margin);
        // Each sample's counted class c and its lead of class 1 over 0
        // (the lead of c is σ·that, σ = +1 for class 1, −1 for class 0).
        let samples: Vec<(usize, f64, f64)> = (0..data.len())
            .map(|n| {
                let c = positive.unwrap_or(data.label(n));
                let o = out.scores_standardized(data.row(n));
                let sigma = if c == 1 { 1.0 } else { -1.0 };
                (members.of_sample[n], sigma, o[1] - o[0])
            })
            .collect();
        let sizes = members.sizes();
        let keeps = |s: f64| -> bool {
            let mut missed = vec![0usize; sizes.len()];
            for &(g, sigma, d) in &samples {
                let lead = sigma * (d + s);
                if lead < margin {
                    if lead > margin - DECISION_BAND {
                        return false;
                    }
                    missed[g] += 1;
                }
            }
            (0..sizes.len()).all(|g| {
                (0..sizes.len()).filter(|&h| h != g).all(|h| {
                    let allowed = allowed_gap_count(*max_gap, sizes[g] * sizes[h]) as f64;
                    (missed[g] * sizes[h]) as f64 - (missed[h] * sizes[g]) as f64 <= allowed
                })
            })
        };
        let bias = &out.layers.last().expect("an output layer").bias;
        let in_box = |s: f64| (bias[1] + s / 2.0).abs() <= omega && (bias[0] - s / 2.0).abs() <= omega;
        let mut candidates = vec![0.0];
        for &(_, sigma, d) in &samples {
            // lead = σ(d + s) = margin at s = σ·margin − d.
            let at = sigma * margin - d;
            candidates.push(at + sigma * PAST_BREAKPOINT * margin.max(1.0));
            candidates.push(at - sigma * BEFORE_BREAKPOINT * DECISION_BAND);
        }
        candidates.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        if let Some(s) = candidates.into_iter().find(|&s| in_box(s) && keeps(s)) {
            let b = &mut out.layers.last_mut().expect("an output layer").bias;
            b[1] += s / 2.0;
            b[0] -= s / 2.0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::balance_groups;
    use mipnet_data::{Dataset, Standardizer};
    use mipnet_formulate::{FairnessMeasure, GroupMembers, Rule};
    use mipnet_network::{Grid, Layer, Network, FORMAT_VERSION};

    fn layer(weights: Vec<Vec<f64>>, bias: Vec<f64>, relu: bool) -> Layer {
        Layer {
            kept: vec![true; bias.len()],
            weights,
            bias,
            relu,
            identity: false,
            grid: (!relu).then_some(Grid { step: 1.0, levels: 1 }),
            conv: None,
            pool: None,
        }
    }

    /// Samples of class 1 correct (lead ≥ 1) per group.
    fn correct(net: &Network, data: &Dataset, groups: &[usize]) -> [usize; 2] {
        let mut c = [0; 2];
        for n in 0..data.len() {
            let o = net.scores_standardized(data.row(n));
            if o[1] - o[0] >= 1.0 - 1e-7 {
                c[groups[n]] += 1;
            }
        }
        c
    }

    #[test]
    fn the_output_biases_are_shifted_until_the_groups_error_rates_agree() {
        // Class 1 everywhere; the lead of class 1 is x, so only x ≥ 1
        // (group 1's last two) meets the margin: error rates 1 and 1/3.
        let xs = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5];
        let groups = vec![0, 0, 0, 1, 1, 1];
        let data = Dataset::new(
            "g",
            vec!["x".into()],
            vec!["c0".into(), "c1".into()],
            xs.to_vec(),
            vec![1; 6],
        );
        let net = Network {
            format_version: FORMAT_VERSION,
            feature_names: vec!["x".into()],
            class_names: vec!["c0".into(), "c1".into()],
            standardizer: Standardizer::identity(1),
            layers: vec![
                layer(vec![vec![1.0]], vec![2.0], true),
                layer(vec![vec![0.0], vec![1.0]], vec![1.0, -1.0], false),
            ],
            settings: serde_json::Value::Null,
        };
        let rule = Rule::Fairness {
            group: "x".into(),
            threshold: Some(0.2),
            measure: FairnessMeasure::ErrorRate,
            positive_class: None,
            max_gap: 0.0,
            group_is_feature: true,
            margin: Some(1.0),
            members: Some(GroupMembers {
                names: vec!["low".into(), "high".into()],
                of_sample: groups.clone(),
            }),
        };
        assert_eq!(correct(&net, &data, &groups), [0, 2]);
        let fixed = balance_groups(&net, &data, &[rule], 1.0, 1.0);
        // The shift within the box ±1 that equalizes: every sample correct
        // (s = 2: both output biases 0).
        assert_eq!(correct(&fixed, &data, &groups), [3, 3]);
        let b = &fixed.layers[1].bias;
        assert!(b.iter().all(|v| v.abs() <= 1.0), "{b:?}");
    }
}
