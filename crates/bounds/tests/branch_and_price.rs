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
use mipnet_bounds::unit_columns::certify::best_scaling_blocks;
use mipnet_bounds::unit_columns::column::{activations, Side, Unit};
use mipnet_bounds::unit_columns::pricing::PatternPricing;
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

/// A 401 × 401 grid over a box of side at most 3 finds a piecewise-linear
/// minimum of slope at most Σ|e_n|·|x_n| + α ≤ 2.1 to within this.
const GRID_SLACK: f64 = 2e-2;

/// A master LP's value is a network's objective up to HiGHS's LP
/// tolerances (1e-7 on O(1) rows, a few dozen of them).
const MASTER_TOLERANCE: f64 = 1e-5;

/// HiGHS's primal feasibility tolerance, pinned for the pricing MILPs.
const MILP_FEASIBILITY: f64 = 1e-6;

/// A tree bound never falls below its root's (the root's bound is one of
/// its ancestors'), up to this rounding.
const SAME_BOUND: f64 = 1e-12;

/// Of the exact runs, at least this many must start with a root gap the
/// tree has to close, or the closing assertion has no teeth.
const MIN_CLOSED_GAPS: usize = 4;

/// Random networks inside their node, at least.
const MIN_INSIDE: usize = 50;

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
    let (mut closed_gaps, mut count, mut leaves) = (0, 0, 0);
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
                    r.root_bound, r.counts.nodes, r.finished
                );
                assert!(
                    lb <= optimum + REFERENCE_ROUNDING * optimum.abs().max(1.0),
                    "{label}: bound {lb} above the enumerated optimum {optimum} of {net:?}"
                );
                assert!(
                    r.root_bound <= lb + SAME_BOUND,
                    "{label}: the tree lost the root's bound"
                );
                assert!(r.finished, "{label}: a tiny tree did not finish in 60 s");
                if let (Some(leaf), true) = (&r.best_leaf, exact_terms(s)) {
                    // A settled node's blend is a network: its master value
                    // cannot be below the optimum (up to the LP's tolerance).
                    assert!(
                        leaf.master_value >= optimum - MASTER_TOLERANCE,
                        "{label}: a settled blend at {} below the optimum {optimum}",
                        leaf.master_value
                    );
                    assert_eq!(leaf.units.len(), s.hidden[0]);
                    leaves += 1;
                }
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
    assert!(leaves >= MIN_CLOSED_GAPS, "only {leaves} runs settled a node");
    // The closing assertion has teeth only where the root leaves a gap.
    assert!(
        closed_gaps >= MIN_CLOSED_GAPS,
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
            r.root_bound, r.counts.nodes
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
            assert!(r.bound.value >= r.root_bound - SAME_BOUND);
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
        // Membership is judged against the node as drawn: propagation must
        // keep every sorted network of it.
        let drawn = node.clone();
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
        let drawn = match split {
            Split::Side { block, sample } => {
                let mut d = drawn;
                d.blocks[block].sides[sample] = Side::Free;
                d
            }
            _ => drawn,
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
            let parent = in_node(&drawn, &net);
            assert_eq!(
                parent,
                in_node(&node, &net),
                "trial {trial}: propagation changed the node's sorted networks"
            );
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
    assert!(
        inside >= MIN_INSIDE,
        "only {inside} random networks fell inside their node"
    );
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

#[test]
fn the_pricing_bound_with_fixed_sides_covers_the_restricted_minimum() {
    // One feature: a fine grid over the box, kept where the unit meets the
    // fixed sides, finds the restricted minimum to within the grid's step
    // times the slope; the certified bound must lie below every kept point
    // and (with the sides) at or above the unrestricted bound.
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    let mut restricted_higher = 0;
    for case in 0..20 {
        let n = rng.gen_range(3..10);
        let xs: Vec<Vec<f64>> = (0..n).map(|_| vec![rng.gen_range(-2.0..2.0)]).collect();
        let rows: Vec<&[f64]> = xs.iter().map(|x| x.as_slice()).collect();
        let e: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0) / n as f64).collect();
        let (alpha, omega) = (rng.gen_range(0.0..0.1), rng.gen_range(0.3..1.5));
        // Sides of a random reference unit, so the region has an interior.
        let (w0, b0) = (rng.gen_range(-omega..omega), rng.gen_range(-omega..omega));
        let sides: Vec<Side> = xs
            .iter()
            .map(|x| match (w0 * x[0] + b0 > 0.0, rng.gen_bool(0.5)) {
                (_, false) => Side::Free,
                (true, true) => Side::Active,
                (false, true) => Side::Inactive,
            })
            .collect();
        let meets = |w: f64, b: f64| {
            xs.iter().zip(&sides).all(|(x, s)| match s {
                Side::Free => true,
                Side::Active => w * x[0] + b >= 0.0,
                Side::Inactive => w * x[0] + b <= 0.0,
            })
        };
        let free = PatternPricing::new(&rows, e.clone(), alpha, omega);
        let pricing = PatternPricing::new(&rows, e.clone(), alpha, omega).with_sides(&sides);
        let steps = 400;
        let mut least = f64::INFINITY;
        for i in 0..=steps {
            let w = -omega + 2.0 * omega * i as f64 / steps as f64;
            for j in 0..=steps {
                let b = -omega + 2.0 * omega * j as f64 / steps as f64;
                if meets(w, b) {
                    least = least.min(pricing.value(&[w], b));
                }
            }
        }
        let solve = |p: &PatternPricing| {
            p.exact(&HighsSolver, &one_thread(), None, None, None, &|| None)
                .unwrap()
                .expect("a bound")
        };
        let (restricted, unrestricted) = (solve(&pricing), solve(&free));
        assert!(
            restricted.lower <= least + REFERENCE_ROUNDING,
            "case {case}: bound {} above a value {least} of the restricted box",
            restricted.lower
        );
        assert!(
            restricted.lower >= least - GRID_SLACK,
            "case {case}: bound {} far below the restricted minimum {least}",
            restricted.lower
        );
        assert!(restricted.lower >= unrestricted.lower - PRICING_SLACK, "case {case}");
        restricted_higher += usize::from(restricted.lower > unrestricted.lower + GRID_SLACK);
        if let Some((w, b)) = restricted.best {
            let a: Vec<f64> = xs.iter().map(|x| w[0] * x[0] + b).collect();
            for (n, s) in sides.iter().enumerate() {
                match s {
                    Side::Active => assert!(a[n] >= -MILP_FEASIBILITY, "case {case}: sample {n} inactive"),
                    Side::Inactive => assert!(a[n] <= MILP_FEASIBILITY, "case {case}: sample {n} active"),
                    Side::Free => {}
                }
            }
        }
    }
    assert!(
        restricted_higher >= 3,
        "the sides raised the minimum in only {restricted_higher} of 20 cases"
    );
}

#[test]
fn the_blocks_certificate_is_the_best_over_its_scalings() {
    // LB(t) = t·g + Σ_j count_j·min_{lines of j} (c + t·l): the chosen t is
    // in [0, 1], its value is LB(t), and no t on a fine grid does better.
    let mut rng = ChaCha8Rng::seed_from_u64(43);
    for case in 0..200 {
        let g = rng.gen_range(0.0..1.0);
        let blocks: Vec<(f64, Vec<(f64, f64)>)> = (0..rng.gen_range(1..4))
            .map(|_| {
                let lines = (0..rng.gen_range(1..6))
                    .map(|_| (rng.gen_range(0.0..0.1), rng.gen_range(-2.0..0.5)))
                    .collect();
                (rng.gen_range(1..4) as f64, lines)
            })
            .collect();
        let view: Vec<(f64, &[(f64, f64)])> = blocks.iter().map(|(k, l)| (*k, l.as_slice())).collect();
        let at = |t: f64| {
            t * g
                + blocks
                    .iter()
                    .map(|(k, lines)| k * lines.iter().map(|&(c, l)| c + t * l).fold(f64::INFINITY, f64::min))
                    .sum::<f64>()
        };
        let (t, value) = best_scaling_blocks(g, &view);
        assert!((0.0..=1.0).contains(&t), "case {case}: t = {t}");
        assert!((value - at(t)).abs() <= 1e-12, "case {case}: {value} is not LB({t})");
        for i in 0..=1000 {
            let s = i as f64 / 1000.0;
            assert!(at(s) <= value + 1e-9, "case {case}: LB({s}) = {} above {value}", at(s));
        }
    }
}
