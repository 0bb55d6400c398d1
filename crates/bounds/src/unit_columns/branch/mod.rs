//! Branch-and-price on the unit-columns decomposition: the bound that
//! closes the gap the convex relaxations leave.
//!
//! The master of [`super`] mixes units: Σ_u λ_u ≤ H with fractional λ lets
//! it blend units of different grid patterns and different activation
//! sets, which no network can. Here the master has one block per hidden
//! unit (Σ_u λ_ju = 1, the empty unit z = 0 standing for an unused one),
//! and the tree splits a block's choices until no blend is left:
//!
//! - a block's grid patterns, an interval of pattern indices cut in two;
//! - a block's side on one sample, active (w·x_n + b ≥ 0) or inactive (≤ 0),
//!   which fixes one binary of that block's pricing MILP.
//!
//! When every block's weighted columns share one pattern and one side on
//! every sample, their blend is a unit of the block (on one side relu is
//! linear, the ℓ1 norm is convex), so the master's value is a network's:
//! the node needs no more splitting ([`node::choose_split`]). Units are
//! sorted by pattern index to drop the H! orderings of one network
//! ([`node::Node::propagate`]).
//!
//! # What is proven
//!
//! Every node's bound is the Lagrangian certificate of [`price`], valid
//! for every network of its region whatever the multipliers, and the
//! leaves of the tree cover every sorted network. The method's bound is
//! the least over the leaves: the open ones (their parent's bound), those
//! closed without a split, and those pruned because their bound reached the
//! incumbent's objective (their own bound, not the incumbent's). So the
//! incumbent only decides where work goes; a wrong incumbent cannot make
//! the bound wrong. The dropped terms of [`super`] (layer-1 ℓ0 and ℓ2,
//! class weights above 1, rules) are dropped here too: the tree closes
//! to the training optimum only when the formulation has none of them.

pub mod node;
pub mod price;

use super::column::{activations, unit_cost, Side, Unit};
use super::UnitColumns;
use crate::{BoundError, ProvenBound};
use mipnet_solver::{RelaxationSessions, SolveOptions, Solver};
use node::{choose_split, empty_column, BlockColumn, Node, Patterns, Restriction};
use std::time::{Duration, Instant};

/// The method's name in reports.
pub const METHOD: &str = "branch-and-price";

/// What the tree needs of a backend: MILPs for the pricing (from several
/// threads) and LP sessions for the master (whose row multipliers are the
/// columns' weights). Every backend with both is one.
pub trait BranchSolver: Sync {
    fn solver(&self) -> &(dyn Solver + Sync);
    fn sessions(&self) -> &dyn RelaxationSessions;
}

impl<T: Solver + RelaxationSessions + Sync> BranchSolver for T {
    fn solver(&self) -> &(dyn Solver + Sync) {
        self
    }
    fn sessions(&self) -> &dyn RelaxationSessions {
        self
    }
}

/// A column's weight in the master above this counts for branching.
pub const POSITIVE_WEIGHT: f64 = 1e-6;

/// An activation within this of 0 is on both sides of a split.
pub const SIDE_TOLERANCE: f64 = 1e-9;

/// The budget and effort of the tree search.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchSettings {
    /// Wall-clock budget. Default 60 s.
    pub seconds: f64,
    /// Master solves per node, at most. Default 40.
    pub node_rounds: usize,
    /// Nodes priced, at most. Default 100,000.
    pub max_nodes: usize,
    /// Columns added per block per round, at most. Default 3.
    pub columns_per_block: usize,
    /// A node is pruned once its bound is within this share of the
    /// incumbent's objective. Default 1e-4.
    pub relative_gap: f64,
}

impl Default for BranchSettings {
    fn default() -> Self {
        BranchSettings {
            seconds: 60.0,
            node_rounds: 40,
            max_nodes: 100_000,
            columns_per_block: 3,
            relative_gap: 1e-4,
        }
    }
}

/// The tree after each node, for a progress callback.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeReport {
    pub nodes: usize,
    pub open: usize,
    /// The tree's certified bound so far.
    pub bound: f64,
    /// The node's own bound and depth.
    pub node_bound: f64,
    pub depth: usize,
    pub seconds: f64,
}

/// What the tree search did, node by node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TreeCounts {
    /// Nodes priced (a node priced again after running out of rounds
    /// counts again).
    pub nodes: usize,
    /// Nodes closed because their bound reached the incumbent.
    pub pruned: usize,
    /// Nodes closed because no blend was left to split.
    pub settled: usize,
    /// Of those, nodes whose column generation had not converged (their
    /// bound is valid but may be below their region's optimum).
    pub unconverged: usize,
    /// Nodes closed with the bound they had because their master LP
    /// failed (picking them again would fail again).
    pub failed: usize,
    /// Deepest node priced.
    pub depth: usize,
}

/// The network of a settled node: per block, the blend of the columns its
/// master weighs (one pattern, one side per sample, so the blend is a unit
/// of the block and the master's value is this network's objective, with
/// the master's output biases, up to the LP's tolerances and the terms the
/// decomposition drops). Not
/// certified here: a caller that wants it as a network rebuilds it and
/// runs its own checks.
#[derive(Clone, Debug, PartialEq)]
pub struct LeafNetwork {
    /// The settled node's master value.
    pub master_value: f64,
    /// One unit per hidden unit (block), sorted by pattern index.
    pub units: Vec<Unit>,
}

/// What the tree search reached.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchRun {
    /// The least bound over the tree's leaves (`rounds` counts master
    /// solves, `rows` the columns of the largest node).
    pub bound: ProvenBound,
    /// The root's certified bound (the unsplit decomposition's).
    pub root_bound: f64,
    pub counts: TreeCounts,
    /// Nodes left open when the search ended.
    pub open: usize,
    /// Every leaf is closed by a split-free master or by the incumbent: no
    /// node is open and none failed.
    pub finished: bool,
    /// A solver error that ended the search early (the bound of the tree
    /// until then is kept).
    pub error: Option<String>,
    /// The settled node of least master value, if any: a network the
    /// tree found, possibly better than the incumbent.
    pub best_leaf: Option<LeafNetwork>,
}

impl UnitColumns<'_> {
    /// Branch-and-price (module docs) within `settings.seconds`, pruning
    /// nodes whose bound reaches `incumbent` (a known network's objective,
    /// if any). The units given by [`UnitColumns::with_units`] start the
    /// root's columns. Only the time, threads, seed and log of `options`
    /// are used; the solver must keep LP sessions (for the master's
    /// weights).
    pub fn branch_and_price(
        &self,
        solver: &dyn BranchSolver,
        options: &SolveOptions,
        settings: &BranchSettings,
        incumbent: Option<f64>,
        on_node: &mut dyn FnMut(&NodeReport),
    ) -> Result<BranchRun, BoundError> {
        if !(settings.seconds.is_finite() && settings.seconds > 0.0 && settings.seconds <= super::MAX_SECONDS) {
            return Err(BoundError::NoBound(format!(
                "the branch-and-price time budget must be within (0, {}] seconds, got {}",
                super::MAX_SECONDS,
                settings.seconds
            )));
        }
        if !(settings.relative_gap.is_finite() && settings.relative_gap >= 0.0) {
            return Err(BoundError::NoBound(format!(
                "the branch-and-price relative gap must be a number ≥ 0, got {}",
                settings.relative_gap
            )));
        }
        for (name, value) in [
            ("node_rounds", settings.node_rounds),
            ("max_nodes", settings.max_nodes),
            ("columns_per_block", settings.columns_per_block),
        ] {
            if value == 0 {
                return Err(BoundError::NoBound(format!(
                    "the branch-and-price {name} must be at least 1"
                )));
            }
        }
        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(settings.seconds);
        let prune_at_value = |v: f64| v - settings.relative_gap * v.abs();
        let mut prune_at = incumbent
            .filter(|v| v.is_finite())
            .map_or(f64::INFINITY, prune_at_value);
        let mut best_leaf: Option<LeafNetwork> = None;
        let patterns = Patterns::new(self.data.num_classes(), &self.patterns);
        let mut open = vec![self.root(&patterns)];
        // The least bound of the leaves closed so far: pruned, settled, and
        // those whose master LP failed (never picked again, still counted).
        let mut closed = f64::INFINITY;
        let mut counts = TreeCounts::default();
        let (mut rounds, mut largest) = (0, 0);
        let mut root_bound: Option<f64> = None;
        let mut root_master = None;
        let mut rounding_margin: f64 = 0.0;
        let mut error = None;
        let tree_bound = |open: &[Node], closed: f64| open.iter().map(|n| n.bound).fold(closed, f64::min);
        while !open.is_empty() && counts.nodes < settings.max_nodes {
            if Instant::now() >= deadline || self.interrupted() {
                break;
            }
            // Best first: the least bound, the deeper on ties (to settle).
            let pick = (0..open.len())
                .min_by(|&a, &b| {
                    open[a]
                        .bound
                        .total_cmp(&open[b].bound)
                        .then(open[b].depth.cmp(&open[a].depth))
                })
                .expect("the open list is not empty");
            let mut node = open.swap_remove(pick);
            if node.bound >= prune_at {
                counts.pruned += 1;
                closed = closed.min(node.bound);
                continue;
            }
            let outcome = match self.price_node(solver, options, settings, &patterns, &mut node, prune_at, deadline) {
                Ok(o) => o,
                Err(e) => {
                    // The tree so far still proves its bound: end with it.
                    error = Some(e.to_string());
                    open.push(node);
                    break;
                }
            };
            counts.nodes += 1;
            rounds += outcome.rounds;
            counts.depth = counts.depth.max(node.depth);
            largest = largest.max(node.columns.len());
            rounding_margin = rounding_margin.max(outcome.rounding_margin);
            if let Some(b) = outcome.bound {
                node.bound = node.bound.max(b);
                if node.depth == 0 {
                    root_bound = Some(root_bound.map_or(b, |r| r.max(b)));
                }
            }
            if node.depth == 0 && root_master.is_none() {
                root_master = outcome.master_value;
            }
            let interrupted = Instant::now() >= deadline || self.interrupted();
            let (node_bound, node_depth) = (node.bound, node.depth);
            if node.bound >= prune_at {
                counts.pruned += 1;
                closed = closed.min(node.bound);
            } else if outcome.master_failed && !interrupted {
                // Picking it again would fail again: it keeps its bound.
                counts.failed += 1;
                closed = closed.min(node.bound);
            } else if interrupted || outcome.lambda.len() != node.columns.len() {
                // Stopped by the clock, or out of rounds after adding
                // columns: open again, to go on from its columns.
                open.push(node);
            } else {
                match choose_split(&node, &outcome.lambda, POSITIVE_WEIGHT, SIDE_TOLERANCE) {
                    None => {
                        counts.settled += 1;
                        counts.unconverged += usize::from(!outcome.converged);
                        closed = closed.min(node.bound);
                        if let Some(v) = outcome.master_value {
                            if best_leaf.as_ref().is_none_or(|l| v < l.master_value) {
                                best_leaf = Some(LeafNetwork {
                                    master_value: v,
                                    units: node.blend(&outcome.lambda, POSITIVE_WEIGHT),
                                });
                            }
                            // The blend is a network of (about) that
                            // objective, so nodes above it can close: the
                            // pruning level only moves work, never the bound.
                            prune_at = prune_at.min(prune_at_value(v));
                        }
                    }
                    Some(split) => {
                        for mut child in node.children(&split, SIDE_TOLERANCE) {
                            self.add_empty_columns(&mut child, &patterns);
                            open.push(child);
                        }
                    }
                }
            }
            on_node(&NodeReport {
                nodes: counts.nodes,
                open: open.len(),
                bound: tree_bound(&open, closed),
                node_bound,
                depth: node_depth,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        let root_bound = root_bound.ok_or_else(|| match &error {
            Some(e) => BoundError::Solver(e.clone()),
            None => BoundError::NoBound("the time budget ended before the root was certified".into()),
        })?;
        let value = tree_bound(&open, closed);
        if !value.is_finite() {
            return Err(BoundError::NoBound(
                "the tree closed without a leaf bound (no sorted network)".into(),
            ));
        }
        Ok(BranchRun {
            bound: ProvenBound {
                method: METHOD,
                value: value.max(0.0),
                lp_value: root_master,
                rounding_margin,
                seconds: started.elapsed().as_secs_f64(),
                rounds,
                pairs: 0,
                rows: largest,
                active_pairs: Vec::new(),
            },
            root_bound,
            open: open.len(),
            finished: open.is_empty() && counts.failed == 0 && error.is_none(),
            counts,
            error,
            best_leaf,
        })
    }

    /// The root: every block may be any pattern on any side; its columns
    /// are the starting units (each offered to every block) and every
    /// block's empty unit.
    fn root(&self, patterns: &Patterns) -> Node {
        let blocks = (0..self.width)
            .map(|_| Restriction {
                lo: 0,
                hi: patterns.all.len() - 1,
                sides: vec![Side::Free; self.data.len()],
            })
            .collect();
        let mut node = Node {
            blocks,
            columns: Vec::new(),
            bound: f64::NEG_INFINITY,
            depth: 0,
        };
        let rows = self.rows();
        for unit in &self.seeds {
            let Some(pattern) = patterns.index(&unit.z) else {
                continue;
            };
            let a = activations(&unit.w, unit.b, &rows);
            for block in 0..self.width {
                node.add_column(BlockColumn {
                    block,
                    unit: unit.clone(),
                    pattern,
                    cost: unit_cost(self.settings, unit),
                    hidden: a.iter().map(|v| v.max(0.0)).collect(),
                    activations: a.clone(),
                });
            }
        }
        self.add_empty_columns(&mut node, patterns);
        node
    }

    /// Every block's empty unit of its lowest allowed pattern, so each
    /// block has a column meeting its restriction.
    fn add_empty_columns(&self, node: &mut Node, patterns: &Patterns) {
        for j in 0..node.blocks.len() {
            let lo = node.blocks[j].lo;
            node.add_column(empty_column(
                j,
                lo,
                patterns,
                self.data.num_features(),
                self.data.len(),
                self.settings,
            ));
        }
    }
}
