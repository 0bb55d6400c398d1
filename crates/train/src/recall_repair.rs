//! Repairing a start for its class-recall rules, which
//! `DenseFormulation::repair_for_rules` leaves as they are: a gradient
//! network seldom finds 98 % of a class with the rule's margin, and a start
//! that misses is dropped. Raising the class's output bias by δ raises its
//! margin over every other class by δ on every sample, so the smallest δ
//! that lifts enough samples of the class over the margin repairs the rule
//! (the rest of the network unchanged; the polish then re-balances the
//! continuous weights under the rule's rows). A bias past the box ±ω hands
//! the excess to the other classes' biases, lowered within the box; when
//! even that is not enough, the hidden activations are scaled down
//! (layer 1 and the hidden biases by one factor) under output biases at
//! the box's ends; when the margin exceeds what the box allows at all, the
//! start is left as it is (and then dropped).

use mipnet_data::Dataset;
use mipnet_formulate::Rule;
use mipnet_network::Network;

/// Added to the bias shift beyond the exact need, relative to the shift,
/// so that the samples lifted to the margin meet it after the forward
/// pass's rounding (the certificate's own slack is 1e-9 scale).
const SHIFT_ROOM: f64 = 1e-6;

/// `net` with each class-recall rule of `rules` met on `data` (the
/// standardized training data) by shifting output biases, where the box
/// ±`omega` allows; `default_margin` is the formulation's margin, the
/// rule's when it gives none. Then each fairness rule, by
/// [`crate::fairness_repair::balance_groups`].
pub(crate) fn raise_recalls(net: &Network, data: &Dataset, rules: &[Rule], default_margin: f64, omega: f64) -> Network {
    let mut out = net.clone();
    for rule in rules {
        let Rule::ClassRecall {
            class,
            min_recall,
            max_errors,
            margin,
        } = rule
        else {
            continue;
        };
        let Some(c) = data.class_names.iter().position(|n| n == class) else {
            continue;
        };
        let margin = margin.unwrap_or(default_margin);
        let needs = margin_needs(&out, data, c, margin);
        let n_c = needs.len();
        // At least as many as the MILP asks for (its rounding forgives a
        // recall a hair above a count; this does not).
        let required = match (min_recall, max_errors) {
            (Some(r), _) => ((r * n_c as f64).ceil() as usize).min(n_c),
            (None, Some(e)) => n_c.saturating_sub(*e),
            (None, None) => continue,
        };
        if required == 0 {
            continue;
        }
        let shift = needs[required - 1];
        if shift > 0.0 && !shift_towards(&mut out, c, shift * (1.0 + SHIFT_ROOM) + SHIFT_ROOM * margin, omega) {
            shrink_towards(&mut out, data, c, margin, required, omega);
        }
    }
    // Then the fairness rules' groups, by the same kind of shift.
    crate::fairness_repair::balance_groups(&out, data, rules, default_margin, omega)
}

/// For each sample of class `c`, how much its margin over the closest
/// other class falls short of `margin` (≤ 0 when met), ascending.
fn margin_needs(net: &Network, data: &Dataset, c: usize, margin: f64) -> Vec<f64> {
    let mut needs: Vec<f64> = (0..data.len())
        .filter(|&n| data.label(n) == c)
        .map(|n| {
            let o = net.scores_standardized(data.row(n));
            let worst = (0..o.len())
                .filter(|&k| k != c)
                .map(|k| o[c] - o[k])
                .fold(f64::INFINITY, f64::min);
            margin - worst
        })
        .collect();
    needs.sort_by(f64::total_cmp);
    needs
}

/// Raises class `c`'s output bias by `shift` relative to every other
/// class: its own bias up to ω, the rest by lowering the others' (down to
/// −ω). Leaves the network as it is, and says so, when the box does not
/// allow it.
fn shift_towards(net: &mut Network, c: usize, shift: f64, omega: f64) -> bool {
    let bias = &mut net.layers.last_mut().expect("an output layer").bias;
    let up = shift.min(omega - bias[c]).max(0.0);
    let rest = shift - up;
    let others_can = (0..bias.len()).filter(|&k| k != c).all(|k| bias[k] - rest >= -omega);
    if !others_can {
        return false;
    }
    bias[c] += up;
    for (k, b) in bias.iter_mut().enumerate() {
        if k != c {
            *b -= rest;
        }
    }
    true
}

/// When the biases alone cannot lift enough samples: the output biases at
/// the box's ends in favour of `c` (a margin of 2ω from them), and layer 1's
/// weights with every hidden bias scaled by the largest t ∈ (0, 1] for which
/// `required` samples of class `c` meet `margin`. Scaling layer 1 and the
/// hidden biases by t > 0 scales every hidden activation by t (ReLU is
/// positively homogeneous) and keeps every activation pattern, so the
/// outputs become t·(V·h) + b; the polish LP then takes the network's
/// continuous weights back up as far as the rule's rows allow. Dense
/// networks only; left as it is when 2ω does not exceed the margin.
fn shrink_towards(net: &mut Network, data: &Dataset, c: usize, margin: f64, required: usize, omega: f64) {
    let room = 2.0 * omega - margin * (1.0 + SHIFT_ROOM);
    if net.has_conv() || net.layers.len() < 2 || room <= 0.0 {
        return;
    }
    // Each sample's largest t: unbounded when its bias-free margin is ≥ 0.
    let last = net.layers.len() - 1;
    let bias = net.layers[last].bias.clone();
    let mut largest: Vec<f64> = (0..data.len())
        .filter(|&n| data.label(n) == c)
        .map(|n| {
            let o = net.scores_standardized(data.row(n));
            let worst = (0..o.len())
                .filter(|&k| k != c)
                .map(|k| (o[c] - bias[c]) - (o[k] - bias[k]))
                .fold(f64::INFINITY, f64::min);
            if worst >= 0.0 {
                f64::INFINITY
            } else {
                room / -worst
            }
        })
        .collect();
    largest.sort_by(|a, b| b.total_cmp(a));
    let t = (largest[required - 1] * (1.0 - SHIFT_ROOM)).min(1.0);
    if t.is_nan() || t <= 0.0 {
        return;
    }
    for row in &mut net.layers[0].weights {
        row.iter_mut().for_each(|w| *w *= t);
    }
    for layer in &mut net.layers[..last] {
        layer.bias.iter_mut().for_each(|b| *b *= t);
    }
    for (k, b) in net.layers[last].bias.iter_mut().enumerate() {
        *b = if k == c { omega } else { -omega };
    }
}

#[cfg(test)]
mod tests {
    use super::raise_recalls;
    use mipnet_data::{Dataset, Standardizer};
    use mipnet_formulate::Rule;
    use mipnet_network::{Layer, Network, FORMAT_VERSION};

    /// One input, two classes; scores o_a = x + b_a, o_b = b_b.
    fn net(bias: [f64; 2]) -> Network {
        Network {
            format_version: FORMAT_VERSION,
            feature_names: vec!["x".into()],
            class_names: vec!["a".into(), "b".into()],
            standardizer: Standardizer::identity(1),
            layers: vec![Layer {
                weights: vec![vec![1.0], vec![0.0]],
                bias: bias.to_vec(),
                kept: vec![true, true],
                relu: false,
                identity: false,
                grid: None,
                conv: None,
                pool: None,
            }],
            settings: serde_json::Value::Null,
        }
    }

    /// Class a at x = −3, −2, −1, 0 (margins over b: x), one sample of b.
    fn data() -> Dataset {
        Dataset::new(
            "t",
            vec!["x".into()],
            vec!["a".into(), "b".into()],
            vec![-3.0, -2.0, -1.0, 0.0, 5.0],
            vec![0, 0, 0, 0, 1],
        )
    }

    fn recall(r: f64) -> Rule {
        Rule::ClassRecall {
            class: "a".into(),
            min_recall: Some(r),
            max_errors: None,
            margin: Some(0.5),
        }
    }

    fn met(n: &Network, d: &Dataset) -> usize {
        (0..4)
            .filter(|&i| {
                let o = n.scores_standardized(d.row(i));
                o[0] - o[1] >= 0.5
            })
            .count()
    }

    #[test]
    fn the_smallest_shift_that_meets_the_recall_is_taken() {
        let d = data();
        // 3 of 4 must meet margin 0.5: the third best (x = −2) needs 2.5.
        let out = raise_recalls(&net([0.0, 0.0]), &d, &[recall(0.75)], 1.0, 10.0);
        assert_eq!(met(&out, &d), 3);
        assert!((out.layers[0].bias[0] - 2.5).abs() < 1e-4, "{:?}", out.layers[0].bias);
        assert_eq!(out.layers[0].bias[1], 0.0);
        // Met already: unchanged.
        let fine = net([5.0, 0.0]);
        assert_eq!(raise_recalls(&fine, &d, &[recall(1.0)], 1.0, 10.0), fine);
    }

    #[test]
    fn past_the_box_the_other_biases_fall_and_beyond_it_nothing_changes() {
        let d = data();
        // Recall 1 needs a shift of 3.5: a rises to ω = 2, b falls by 1.5.
        let out = raise_recalls(&net([0.0, 0.0]), &d, &[recall(1.0)], 1.0, 2.0);
        assert_eq!(met(&out, &d), 4);
        assert_eq!(out.layers[0].bias[0], 2.0);
        assert!(out.layers[0].bias[1] < -1.5 && out.layers[0].bias[1] >= -2.0);
        // With ω = 0.25 not even the biases' 2ω reach the margin 0.5: left
        // as it was.
        let start = net([0.0, 0.0]);
        assert_eq!(raise_recalls(&start, &d, &[recall(1.0)], 1.0, 0.25), start);
    }

    #[test]
    fn beyond_the_biases_the_hidden_layer_shrinks_under_extreme_output_biases() {
        // x → ReLU(x + 4) → o_a = h, o_b = 5·h... margin of a: −4·h < 0.
        let mut n = net([0.0, 0.0]);
        n.layers[0].weights = vec![vec![1.0]];
        n.layers[0].bias = vec![4.0];
        n.layers[0].kept = vec![true];
        n.layers[0].relu = true;
        n.layers.push(Layer {
            weights: vec![vec![1.0], vec![5.0]],
            bias: vec![0.0, 0.0],
            kept: vec![true, true],
            relu: false,
            identity: false,
            grid: None,
            conv: None,
            pool: None,
        });
        let d = data();
        // h = 1, 2, 3, 4 for class a: margins −4h, far past ω = 1's biases.
        let out = raise_recalls(&n, &d, &[recall(0.5)], 1.0, 1.0);
        let meets = |i: usize| {
            let o = out.scores_standardized(d.row(i));
            o[0] - o[1] >= 0.5
        };
        assert_eq!((0..4).filter(|&i| meets(i)).count(), 2, "{:?}", out.layers);
        assert_eq!(out.layers[1].bias, vec![1.0, -1.0]);
        // The activation pattern is kept: the unit is on for every sample.
        let t = out.layers[0].weights[0][0];
        assert!(t > 0.0 && t < 1.0 && (out.layers[0].bias[0] - 4.0 * t).abs() < 1e-12);
    }
}
