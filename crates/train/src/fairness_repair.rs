//! Repairing a start for its fairness rules, which
//! `DenseFormulation::repair_for_rules` leaves as they are. Shifting the
//! output biases by s toward class t (t's up by s/2, every other class's
//! down by s/2) moves every sample's score of t over each other class by
//! s and leaves the other differences as they are. So a sample counted
//! for t (its counted class c = t) leads by L + s, and one counted for
//! c ≠ t leads by min(o_c − o_t − s, the rest): each sample is counted
//! on one side of its own breakpoint in s. For every class t, the
//! candidate shifts are 0 and each breakpoint (a little past it, or a
//! band's width before it); the smallest |s| whose counts keep every gap,
//! with no sample inside the band below the margin and every bias within
//! ±ω, is applied (with two classes, t = 1 and t = 0 give the same
//! networks). Otherwise the start is left as it is (and then dropped).

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
    let classes = data.num_classes();
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
        // Each sample's group, counted class and scores.
        let samples: Vec<(usize, usize, Vec<f64>)> = (0..data.len())
            .map(|n| {
                let c = positive.unwrap_or(data.label(n));
                (members.of_sample[n], c, out.scores_standardized(data.row(n)))
            })
            .collect();
        let sizes = members.sizes();
        // The lead of c after shifting toward t by s.
        let lead_after = |c: usize, o: &[f64], t: usize, s: f64| -> f64 {
            let moved = |k: usize| if k == t { o[k] + s / 2.0 } else { o[k] - s / 2.0 };
            (0..classes)
                .filter(|&k| k != c)
                .map(|k| moved(c) - moved(k))
                .fold(f64::INFINITY, f64::min)
        };
        let keeps = |t: usize, s: f64| -> bool {
            let mut missed = vec![0usize; sizes.len()];
            for (g, c, o) in &samples {
                let lead = lead_after(*c, o, t, s);
                if lead < margin {
                    if lead > margin - DECISION_BAND {
                        return false;
                    }
                    missed[*g] += 1;
                }
            }
            (0..sizes.len()).all(|g| {
                (0..sizes.len()).filter(|&h| h != g).all(|h| {
                    let allowed = allowed_gap_count(*max_gap, sizes[g] * sizes[h]) as f64;
                    (missed[g] * sizes[h]) as f64 - (missed[h] * sizes[g]) as f64 <= allowed
                })
            })
        };
        let bias = out.layers.last().expect("an output layer").bias.clone();
        let in_box =
            |t: usize, s: f64| (0..classes).all(|k| (bias[k] + if k == t { s / 2.0 } else { -s / 2.0 }).abs() <= omega);
        let past = PAST_BREAKPOINT * margin.max(1.0);
        let before = BEFORE_BREAKPOINT * DECISION_BAND;
        let mut candidates: Vec<(usize, f64)> = Vec::new();
        for t in 0..classes {
            candidates.push((t, 0.0));
            for (_, c, o) in &samples {
                if *c == t {
                    // lead = L + s reaches the margin at s = margin − L.
                    let at = margin - lead_after(t, o, t, 0.0);
                    candidates.extend([(t, at + past), (t, at - before)]);
                } else {
                    // o_c − o_t − s reaches the margin at s = o_c − o_t − margin.
                    let at = o[*c] - o[t] - margin;
                    candidates.extend([(t, at - past), (t, at + before)]);
                }
            }
        }
        candidates.sort_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        if let Some((t, s)) = candidates.into_iter().find(|&(t, s)| in_box(t, s) && keeps(t, s)) {
            let b = &mut out.layers.last_mut().expect("an output layer").bias;
            for (k, v) in b.iter_mut().enumerate() {
                *v += if k == t { s / 2.0 } else { -s / 2.0 };
            }
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

    /// Samples whose positive class `p` leads every other by the margin
    /// 1, per group.
    fn positive(net: &Network, data: &Dataset, groups: &[usize], p: usize) -> [usize; 2] {
        let mut c = [0; 2];
        for n in 0..data.len() {
            let o = net.scores_standardized(data.row(n));
            if (0..o.len()).filter(|&k| k != p).all(|k| o[p] - o[k] >= 1.0 - 1e-7) {
                c[groups[n]] += 1;
            }
        }
        c
    }

    #[test]
    fn three_classes_positive_rates_are_balanced_by_the_smallest_shift_toward_one_class() {
        // Scores (2.5, 2, x + 2): class 2 leads by x − 0.5, so only the
        // last sample (x = 1.5) is predicted c2 with margin 1: rates 0 and
        // 1/3. The smallest shift that equalizes moves it just below the
        // margin (s = −2 band widths toward class 2): rates 0 and 0.
        let xs = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5];
        let groups = vec![0, 0, 0, 1, 1, 1];
        let classes: Vec<String> = vec!["c0".into(), "c1".into(), "c2".into()];
        let data = Dataset::new(
            "g3",
            vec!["x".into()],
            classes.clone(),
            xs.to_vec(),
            vec![0, 1, 2, 0, 1, 2],
        );
        let net = Network {
            format_version: FORMAT_VERSION,
            feature_names: vec!["x".into()],
            class_names: classes,
            standardizer: Standardizer::identity(1),
            layers: vec![
                layer(vec![vec![1.0]], vec![2.0], true),
                layer(vec![vec![0.0], vec![0.0], vec![1.0]], vec![2.5, 2.0, 0.0], false),
            ],
            settings: serde_json::Value::Null,
        };
        let rule = Rule::Fairness {
            group: "x".into(),
            threshold: Some(0.2),
            measure: FairnessMeasure::PositiveRate,
            positive_class: Some("c2".into()),
            max_gap: 0.0,
            group_is_feature: true,
            margin: Some(1.0),
            members: Some(GroupMembers {
                names: vec!["low".into(), "high".into()],
                of_sample: groups.clone(),
            }),
        };
        assert_eq!(positive(&net, &data, &groups, 2), [0, 1]);
        let fixed = balance_groups(&net, &data, &[rule], 1.0, 3.0);
        assert_eq!(positive(&fixed, &data, &groups, 2), [0, 0]);
        // No sample inside the band below the margin, every bias in ±ω,
        // and the shift is tiny (2 band widths).
        for n in 0..data.len() {
            let o = fixed.scores_standardized(data.row(n));
            let lead = o[2] - o[0].max(o[1]);
            assert!(!(lead > 1.0 - mipnet_formulate::DECISION_BAND && lead < 1.0), "{lead}");
        }
        let b = &fixed.layers[1].bias;
        assert!(b.iter().all(|v| v.abs() <= 3.0), "{b:?}");
        assert!((b[2] - b[0] + 2.5).abs() < 1e-3, "{b:?}");
    }
}
