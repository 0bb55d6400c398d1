//! Per-class loss weights on a tiny instance (2 features, 2 classes, 6
//! samples, ternary grid): the weighted optimum against the unweighted
//! optimum on the data with each sample of the weighted class repeated
//! (enumerated without the weights: the same objective up to a known
//! factor), the certificate's recomputed objective, and bad weights.

mod rules_common;

use mipnet_data::Dataset;
use mipnet_formulate::{DenseFormulation, FormulationSettings};
use rules_common::*;
use std::collections::BTreeMap;

/// Optima agree to this: HiGHS proves them with zero gap, up to its
/// feasibility tolerance (1e-7) times the loss rows' coefficients.
const SAME_OPTIMUM: f64 = 1e-6;

/// `data` with every sample of class `c` present `times` times.
fn repeated(data: &Dataset, c: usize, times: usize) -> Dataset {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for n in 0..data.len() {
        let copies = if data.label(n) == c { times } else { 1 };
        for _ in 0..copies {
            x.extend_from_slice(data.row(n));
            y.push(data.label(n));
        }
    }
    Dataset::new("repeated", data.feature_names.clone(), data.class_names.clone(), x, y)
}

fn weighted(s: &FormulationSettings, class: &str, w: f64) -> FormulationSettings {
    FormulationSettings {
        class_weights: BTreeMap::from([(class.to_string(), w)]),
        ..s.clone()
    }
}

#[test]
fn a_class_weighed_three_times_is_the_class_repeated_three_times() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let n = data.len() as f64;
    for (class, c) in [("c0", 0), ("c1", 1)] {
        let f = build(&data, &weighted(&s, class, 3.0));
        // The certificate (in `optimum`) recomputes the weighted objective
        // by the forward pass and compares it with the MILP's.
        let (ruled, net) = optimum(&f);
        assert!((f.objective_of(&net) - ruled).abs() < SAME_OPTIMUM);
        // Enumerated without weights: N' samples, the class's repeated;
        // (1/N)·Σ w·loss + α·R = (N'/N)·[(1/N')·Σ' loss + α·(N/N')·R].
        let rep = repeated(&data, c, 3);
        let n_rep = rep.len() as f64;
        let s_rep = FormulationSettings {
            l1: s.l1 * n / n_rep,
            ..s.clone()
        };
        let (plain, _) = optimum(&build(&rep, &s_rep));
        let expected = plain * n_rep / n;
        assert!(
            (ruled - expected).abs() < SAME_OPTIMUM,
            "{class}: {ruled} vs {expected}"
        );
    }
}

#[test]
fn the_weight_changes_the_optimum_and_the_objective_counts_it() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let (_, free_net) = optimum(&build(&data, &s));
    let f = build(&data, &weighted(&s, "c1", 4.0));
    let (ruled, _) = optimum(&f);
    // The unweighted optimum is not optimal under the weight.
    assert!(
        f.objective_of(&free_net) > ruled + SAME_OPTIMUM,
        "the weight must bite on this data: {} vs {ruled}",
        f.objective_of(&free_net)
    );
    // Weight 1 is no weight.
    let (one, _) = optimum(&build(&data, &weighted(&s, "c1", 1.0)));
    let (free, _) = optimum(&build(&data, &s));
    assert!((one - free).abs() < SAME_OPTIMUM);
}

#[test]
fn bad_weights_are_refused_naming_the_class_and_the_range() {
    let data = tiny_data(6);
    let s = tiny_settings(1);
    let err = |w: FormulationSettings| DenseFormulation::build(&data, &w).err().expect("refused").to_string();
    let e = err(weighted(&s, "c9", 2.0));
    assert!(
        e.contains("class_weights") && e.contains("unknown class \"c9\"") && e.contains("c0, c1"),
        "{e}"
    );
    for w in [0.5, 0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = err(weighted(&s, "c1", w));
        assert!(e.contains("class \"c1\"") && e.contains("at least 1"), "{w}: {e}");
    }
}
