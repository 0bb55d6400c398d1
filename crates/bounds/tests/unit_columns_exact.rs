//! The unit-columns bound against references that do not come from HiGHS
//! (review F1/F2 of the unit-columns method): on one-feature problems the
//! training optimum is enumerated exactly (activation sets × grid patterns,
//! an LP each, solved by the tests' own simplex, the winner re-priced by a
//! forward pass) and the Dantzig–Wolfe master is solved over its complete
//! set of columns. The bound must stay below the first and come close to
//! the second; settings it cannot cover are refused by name.

mod exact;
mod support;

use exact::{one_feature_cases, Problem};
use mipnet_bounds::unit_columns::{UnitColumns, UnitColumnsRun, UnitColumnsSettings};
use mipnet_bounds::BoundError;
use mipnet_data::Dataset;
use mipnet_formulate::{FormulationSettings, Loss, Rule};
use mipnet_highs::HighsSolver;
use mipnet_network::ConvSpec;
use std::collections::BTreeMap;
use support::{one_thread, proven_optimum, toy_data};

/// The bound may exceed the enumerated optimum by this share of it, no
/// more: the optimum is a network's objective recomputed in f64 (a few
/// dozen operations of O(1) values, each off by at most 2⁻⁵³ relative).
const REFERENCE_ROUNDING: f64 = 1e-12;

/// A converged run certifies within [`mipnet_bounds::unit_columns::CONVERGED`]
/// (1e-4) of the master's value plus the pricing MILPs' tolerances
/// (≈ 1e-6 absolute each); this is ten times that share, so a bound lower
/// by more than it means margins far wider than documented.
const CONVERGED_SHORTFALL: f64 = 1e-3;

/// Absolute part of [`CONVERGED_SHORTFALL`], for the pricing's tolerances.
const PRICING_SLACK: f64 = 1e-5;

/// The enumeration models the formulation's MILP: HiGHS's zero-gap
/// incumbent on that MILP (a check of the reference, not the reference)
/// agrees with it up to HiGHS's feasibility tolerances (1e-7 on O(1) rows).
const MODEL_AGREEMENT: f64 = 1e-5;

/// Two references this close are equal (DW = OPT).
const SAME_VALUE: f64 = 1e-9;

fn run(data: &Dataset, s: &FormulationSettings) -> UnitColumnsRun {
    UnitColumns::new(data, s)
        .unwrap()
        .solve(
            &HighsSolver,
            &one_thread(),
            &UnitColumnsSettings {
                seconds: 20.0,
                ..Default::default()
            },
        )
        .unwrap()
}

/// The bound of one instance against its enumerated optimum (and, when
/// `dw` is set, the exact Dantzig–Wolfe master); returns (bound, DW, OPT).
fn check(data: &Dataset, s: &FormulationSettings, label: &str, dw: bool) -> (f64, f64, f64) {
    let problem = Problem::new(data, s);
    let (optimum, net) = problem.optimum();
    let highs = proven_optimum(data, s);
    assert!(
        (optimum - highs).abs() <= MODEL_AGREEMENT * optimum.abs().max(1.0),
        "{label}: the enumeration ({optimum}) does not model the MILP (HiGHS {highs}); network {net:?}"
    );
    let r = run(data, s);
    let lb = r.bound.value;
    let master = if dw { problem.dantzig_wolfe() } else { f64::NAN };
    eprintln!(
        "{label}: bound {lb:.9} DW {master:.9} OPT {optimum:.9} (HiGHS {highs:.9}) converged {}",
        r.converged
    );
    assert!(
        lb <= optimum + REFERENCE_ROUNDING * optimum.abs().max(1.0),
        "{label}: bound {lb} above the enumerated optimum {optimum} of {net:?}"
    );
    if dw {
        assert!(
            master <= optimum + SAME_VALUE,
            "{label}: the master {master} above OPT {optimum}"
        );
        if r.converged {
            assert!(
                lb >= master * (1.0 - CONVERGED_SHORTFALL) - PRICING_SLACK,
                "{label}: converged bound {lb} far below the master's optimum {master}"
            );
        }
    }
    (lb, master, optimum)
}

#[test]
fn the_bound_is_below_the_enumerated_optimum_and_reaches_the_exact_master() {
    let (mut count, mut tight, mut converged_close) = (0, 0, 0);
    for (case, (n, k, s)) in one_feature_cases().iter().enumerate() {
        for seed in 0..3 {
            let data = toy_data(1000 + 10 * case as u64 + seed, *n, 1, *k);
            let label = format!("case {case} seed {seed}");
            let (lb, master, optimum) = check(&data, s, &label, true);
            count += 1;
            if (master - optimum).abs() <= SAME_VALUE {
                tight += 1;
                converged_close += usize::from(lb >= optimum * (1.0 - CONVERGED_SHORTFALL) - PRICING_SLACK);
            }
        }
    }
    // Where DW = OPT the assertion lb ≤ OPT has no room: a bound raised by
    // more than the rounding would fail it.
    assert!(tight >= count / 3, "DW = OPT on only {tight} of {count} instances");
    assert!(
        converged_close >= tight / 2,
        "the bound reaches OPT on only {converged_close} of the {tight} instances where DW = OPT"
    );
}

#[test]
fn class_weights_and_a_neuron_limit_are_bounded_by_their_own_optima() {
    // Both references are enumerated: the weights price each sample's
    // hinge at w_y/N, the limit keeps at most one unit with z ≠ 0 (the
    // MILP's neuron indicator is on exactly then at the optimum).
    for seed in 0..3 {
        let data = toy_data(1100 + seed, 6, 1, 2);
        let weighted = FormulationSettings {
            hidden: vec![2],
            l1: 0.05,
            class_weights: BTreeMap::from([("c1".to_string(), 3.0)]),
            ..Default::default()
        };
        let (lb, _, optimum) = check(&data, &weighted, &format!("weighted seed {seed}"), false);
        let unweighted = Problem::new(
            &data,
            &FormulationSettings {
                class_weights: BTreeMap::new(),
                ..weighted.clone()
            },
        )
        .optimum()
        .0;
        assert!(
            optimum > unweighted,
            "seed {seed}: the weight changes nothing ({optimum})"
        );
        assert!(lb > 0.0, "seed {seed}: bound {lb}");

        let limited = FormulationSettings {
            hidden: vec![2],
            l1: 0.02,
            rules: vec![Rule::NeuronLimit { max_neurons: 1 }],
            ..Default::default()
        };
        let (lb, _, optimum) = check(&data, &limited, &format!("limited seed {seed}"), false);
        assert!(lb > 0.0, "seed {seed}: bound {lb} (optimum {optimum})");
    }
}

#[test]
fn settings_the_derivation_does_not_cover_are_refused_by_name() {
    let data = toy_data(1200, 4, 4, 2);
    let accepted = FormulationSettings {
        hidden: vec![2],
        ..Default::default()
    };
    assert!(
        UnitColumns::new(&data, &accepted).is_ok(),
        "the same data without the refused setting is accepted"
    );
    let refused = |data: &Dataset, s: FormulationSettings, what: &str| match UnitColumns::new(data, &s) {
        Err(BoundError::NotApplicable(why)) => assert!(why.contains(what), "{why} (expected {what})"),
        other => panic!("expected a refusal naming {what}, got {:?}", other.map(|_| ())),
    };
    refused(
        &data,
        FormulationSettings {
            conv: Some(ConvSpec {
                channels: 1,
                kernel: 2,
                stride: 1,
                padding: 0,
                pool: None,
                image: None,
            }),
            hidden: vec![2],
            ..Default::default()
        },
        "convolutional first layer",
    );
    refused(
        &data,
        FormulationSettings {
            hidden: vec![2],
            loss: Loss::Misclassification,
            ..Default::default()
        },
        "the misclassification loss",
    );
    refused(
        &data,
        FormulationSettings {
            hidden: vec![2],
            neuron_penalty: 0.1,
            ..Default::default()
        },
        "the formulation itself is refused",
    );
    let one_class = toy_data(1201, 4, 1, 1);
    refused(&one_class, FormulationSettings::default(), "fewer than two classes");
    let mut x: Vec<f64> = (0..4).map(|i| i as f64).collect();
    x[2] = f64::NAN;
    let nan = Dataset::new(
        "nan",
        vec!["f0".into()],
        vec!["a".into(), "b".into()],
        x,
        vec![0, 1, 0, 1],
    );
    refused(&nan, FormulationSettings::default(), "not finite");
    let mut x: Vec<f64> = (0..4).map(|i| i as f64).collect();
    x[1] = f64::INFINITY;
    let inf = Dataset::new(
        "inf",
        vec!["f0".into()],
        vec!["a".into(), "b".into()],
        x,
        vec![0, 1, 0, 1],
    );
    refused(&inf, FormulationSettings::default(), "not finite");
}
