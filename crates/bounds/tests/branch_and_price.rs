//! Branch-and-price against references that do not come from it: the
//! enumerated optimum of one-feature problems (tests/exact, its own
//! simplex), HiGHS's zero-gap optimum of tiny multi-feature problems, and
//! brute-force membership checks of the tree's splits. The bound must stay
//! below the optimum whatever the incumbent it is given, and where the
//! formulation has no term the decomposition drops, the finished tree must
//! reach the optimum, also on instances whose root bound is well below it.

#[allow(dead_code)] // the exact Dantzig–Wolfe master is for unit_columns_exact
mod exact;
mod support;

use exact::{one_feature_cases, Problem};
use mipnet_bounds::unit_columns::branch::node::{BlockColumn, Node, Restriction, Split};
use mipnet_bounds::unit_columns::branch::{BranchRun, BranchSettings, SIDE_TOLERANCE};
use mipnet_bounds::unit_columns::column::{activations, Side, Unit};
use mipnet_bounds::UnitColumns;
use mipnet_data::Dataset;
use mipnet_formulate::FormulationSettings;
use mipnet_highs::HighsSolver;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use support::{one_thread, proven_optimum, toy_data};

/// The bound may exceed the reference by this share of it: the enumerated
/// optimum is a forward pass in f64 (a few dozen O(1) operations).
const REFERENCE_ROUNDING: f64 = 1e-12;

/// HiGHS's zero-gap optimum is an incumbent's objective up to its
/// feasibility tolerances (1e-7 on O(1) rows).
const MODEL_AGREEMENT: f64 = 1e-5;

/// A finished tree reaches the optimum within the nodes' convergence
/// tolerance (1e-4 of the master's value) and the pricing MILPs' gaps
/// (≈ 1e-6 absolute): ten times that.
const CLOSED_SHORTFALL: f64 = 1e-3;
const PRICING_SLACK: f64 = 1e-5;

fn run(data: &Dataset, s: &FormulationSettings, incumbent: Option<f64>) -> BranchRun {
    UnitColumns::new(data, s)
        .unwrap()
        .branch_and_price(
            &HighsSolver,
            &one_thread(),
            &BranchSettings {
                seconds: 60.0,
                ..Default::default()
            },
            incumbent,
            &mut |_| {},
        )
        .unwrap()
}

/// Whether the decomposition keeps every term of `s` (so its finished
/// tree is exact): no layer-1 ℓ0 or ℓ2, no class weights, no rules.
fn exact_terms(s: &FormulationSettings) -> bool {
    s.l0 == 0.0 && s.l2 == 0.0 && s.class_weights.is_empty() && s.rules.is_empty()
}

#[test]
fn the_tree_stays_below_the_enumerated_optimum_and_closes_on_it() {
    let (mut closed_gaps, mut count) = (0, 0);
    for (case, (n, k, s)) in one_feature_cases().iter().enumerate() {
        for seed in 0..3 {
            let data = toy_data(1000 + 10 * case as u64 + seed, *n, 1, *k);
            let label = format!("case {case} seed {seed}");
            let (optimum, net) = Problem::new(&data, s).optimum();
            // Without an incumbent nothing is pruned: every leaf settles.
            for incumbent in [None, Some(optimum)] {
                let r = run(&data, s, incumbent);
                let lb = r.bound.value;
                eprintln!(
                    "{label} incumbent {incumbent:?}: bound {lb:.9} root {:.9} OPT {optimum:.9}, {} nodes, finished {}",
                    r.root_bound, r.nodes, r.finished
                );
                assert!(
                    lb <= optimum + REFERENCE_ROUNDING * optimum.abs().max(1.0),
                    "{label}: bound {lb} above the enumerated optimum {optimum} of {net:?}"
                );
                assert!(r.root_bound <= lb + 1e-12, "{label}: the tree lost the root's bound");
                assert!(r.finished, "{label}: a tiny tree did not finish in 60 s");
                if exact_terms(s) {
                    assert!(
                        lb >= optimum * (1.0 - CLOSED_SHORTFALL) - PRICING_SLACK,
                        "{label}: the finished tree ends at {lb}, below the optimum {optimum} (root {})",
                        r.root_bound
                    );
                    count += 1;
                    if r.root_bound < optimum * (1.0 - 10.0 * CLOSED_SHORTFALL) - PRICING_SLACK {
                        closed_gaps += 1;
                    }
                }
            }
        }
    }
    // The closing assertion has teeth only where the root leaves a gap.
    assert!(
        closed_gaps >= 4,
        "only {closed_gaps} of {count} exact runs started with a root gap the tree had to close"
    );
}

#[test]
fn the_tree_reaches_highs_zero_gap_optimum_on_two_features() {
    let mut closed_gaps = 0;
    for seed in 0..3 {
        let k = 2 + (seed as usize % 2);
        let data = toy_data(2000 + seed, 8, 2, k);
        let s = FormulationSettings {
            hidden: vec![2],
            l1: 0.02,
            ..Default::default()
        };
        let optimum = proven_optimum(&data, &s);
        let r = run(&data, &s, Some(optimum));
        let lb = r.bound.value;
        eprintln!(
            "seed {seed}: bound {lb:.9} root {:.9} HiGHS {optimum:.9}, {} nodes",
            r.root_bound, r.nodes
        );
        assert!(
            lb <= optimum + MODEL_AGREEMENT * optimum.abs().max(1.0),
            "seed {seed}: bound {lb} above HiGHS's optimum {optimum}"
        );
        assert!(r.finished, "seed {seed}: the tree did not finish");
        assert!(
            lb >= optimum * (1.0 - CLOSED_SHORTFALL) - PRICING_SLACK,
            "seed {seed}: the finished tree ends at {lb}, below the optimum {optimum}"
        );
        closed_gaps += usize::from(r.root_bound < optimum * (1.0 - 10.0 * CLOSED_SHORTFALL));
    }
    assert!(closed_gaps >= 2, "only {closed_gaps} instances had a root gap to close");
}

#[test]
fn a_wrong_incumbent_moves_the_work_not_the_bound() {
    // An incumbent below the optimum prunes every node at once: the bound
    // is then the pruned nodes' own, never the incumbent's.
    let (_, k, s) = one_feature_cases().swap_remove(3);
    for seed in 0..3 {
        let data = toy_data(1030 + seed, 5, 1, k);
        let (optimum, _) = Problem::new(&data, &s).optimum();
        for lie in [0.0, 0.5 * optimum, -1.0] {
            let r = run(&data, &s, Some(lie));
            assert!(
                r.bound.value <= optimum + REFERENCE_ROUNDING,
                "seed {seed}, incumbent {lie}: bound {} above the optimum {optimum}",
                r.bound.value
            );
            assert!(r.bound.value >= r.root_bound - 1e-12);
        }
    }
}

fn block_column(block: usize, unit: Unit, pattern: usize, rows: &[&[f64]]) -> BlockColumn {
    let a = activations(&unit.w, unit.b, rows);
    BlockColumn {
        block,
        unit,
        pattern,
        cost: 0.0,
        hidden: a.iter().map(|v| v.max(0.0)).collect(),
        activations: a,
    }
}

#[test]
fn every_split_keeps_every_sorted_network_in_a_child() {
    // Random units (pattern index, w, b) assigned to blocks in sorted
    // order: a network in the parent is in at least one child, and a
    // network outside the parent is in none.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let data = toy_data(3000, 6, 2, 3);
    let rows: Vec<&[f64]> = (0..data.len()).map(|n| data.row(n)).collect();
    let patterns = 9;
    let in_node = |node: &Node, net: &[BlockColumn]| {
        net.iter().all(|c| c.meets(&node.blocks[c.block], SIDE_TOLERANCE))
            && net.windows(2).all(|p| p[0].pattern <= p[1].pattern)
    };
    let (mut inside, mut checked_children) = (0, 0);
    for trial in 0..400 {
        let width = 2 + trial % 2;
        let mut node = Node {
            blocks: (0..width)
                .map(|_| {
                    let lo = rng.gen_range(0..patterns);
                    Restriction {
                        lo,
                        hi: rng.gen_range(lo..patterns),
                        sides: (0..data.len())
                            .map(|_| match rng.gen_range(0..8) {
                                0 => Side::Active,
                                1 => Side::Inactive,
                                _ => Side::Free,
                            })
                            .collect(),
                    }
                })
                .collect(),
            columns: Vec::new(),
            bound: 0.0,
            depth: 0,
        };
        if !node.propagate() {
            continue;
        }
        let split = if trial % 3 == 0 {
            let block = rng.gen_range(0..width);
            let (lo, hi) = (node.blocks[block].lo, node.blocks[block].hi);
            if lo == hi {
                continue;
            }
            Split::Patterns {
                block,
                at: rng.gen_range(lo..hi),
            }
        } else {
            let block = rng.gen_range(0..width);
            let sample = rng.gen_range(0..data.len());
            node.blocks[block].sides[sample] = Side::Free;
            Split::Side { block, sample }
        };
        let children = node.children(&split, SIDE_TOLERANCE);
        for _ in 0..200 {
            let mut net: Vec<BlockColumn> = (0..width)
                .map(|j| {
                    let unit = Unit {
                        w: (0..2).map(|_| rng.gen_range(-1.0..1.0)).collect(),
                        b: if rng.gen_bool(0.1) {
                            0.0
                        } else {
                            rng.gen_range(-1.0..1.0)
                        },
                        z: vec![0; 3],
                    };
                    let unit = if rng.gen_bool(0.1) {
                        Unit {
                            w: vec![0.0, 0.0],
                            ..unit
                        }
                    } else {
                        unit
                    };
                    block_column(j, unit, rng.gen_range(0..patterns), &rows)
                })
                .collect();
            net.sort_by_key(|c| c.pattern);
            for (j, c) in net.iter_mut().enumerate() {
                c.block = j;
            }
            let parent = in_node(&node, &net);
            let kids = children.iter().filter(|c| in_node(c, &net)).count();
            checked_children += children.len();
            if parent {
                inside += 1;
                assert!(
                    kids >= 1,
                    "trial {trial}: a network of the node is in no child of {split:?}"
                );
            } else {
                assert_eq!(kids, 0, "trial {trial}: a child holds a network its parent does not");
            }
        }
    }
    assert!(inside >= 50, "only {inside} random networks fell inside their node");
    assert!(checked_children > 0);
}

#[test]
fn a_bad_budget_is_refused_by_name() {
    let data = toy_data(1200, 4, 1, 2);
    let s = FormulationSettings {
        hidden: vec![2],
        ..Default::default()
    };
    let method = UnitColumns::new(&data, &s).unwrap();
    for (settings, what) in [
        (
            BranchSettings {
                seconds: f64::NAN,
                ..Default::default()
            },
            "time budget",
        ),
        (
            BranchSettings {
                relative_gap: -1.0,
                ..Default::default()
            },
            "relative gap",
        ),
    ] {
        let e = method
            .branch_and_price(&HighsSolver, &one_thread(), &settings, None, &mut |_| {})
            .unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
}
