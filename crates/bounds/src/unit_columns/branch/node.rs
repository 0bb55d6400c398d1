//! A node of the branch-and-price tree: what each hidden unit (block) may
//! be there, the columns it has, and how a node splits into children.
//!
//! A block's restriction is an interval of grid patterns (by their index in
//! [`Patterns`], the empty pattern z = 0 first) and a side per sample
//! ([`Side`]). Two children always cover their parent: a pattern interval
//! is cut in two, or one sample's side is fixed to active (w·x + b ≥ 0) in
//! one child and inactive (≤ 0) in the other, 0 belonging to both.
//!
//! The units of a network can be listed in any order, so the tree only
//! looks at networks whose units are sorted by pattern index (block j's
//! index ≤ block j+1's): the pattern intervals are narrowed accordingly
//! ([`Node::propagate`]), exactly, in integers. Every network has a sorted
//! listing, so no network is lost.

use super::super::column::{pattern_cost, Side, Unit};
use super::super::heuristic::same_unit;
use std::sync::Arc;

/// Every grid pattern, the empty one (z = 0) at index 0, then the nonzero
/// ones in the order [`super::super::column::patterns`] lists them.
pub struct Patterns {
    pub all: Vec<Vec<i32>>,
}

impl Patterns {
    /// The empty pattern followed by `nonzero`.
    pub fn new(classes: usize, nonzero: &[Vec<i32>]) -> Self {
        let mut all = vec![vec![0; classes]];
        all.extend(nonzero.iter().cloned());
        Patterns { all }
    }

    /// The index of pattern `z`, if it is on the grid.
    pub fn index(&self, z: &[i32]) -> Option<usize> {
        self.all.iter().position(|p| p == z)
    }
}

/// What one block may be at a node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Restriction {
    /// The block's pattern index lies in lo..=hi.
    pub lo: usize,
    pub hi: usize,
    /// The block's side on each sample.
    pub sides: Vec<Side>,
}

/// A column of one block: a unit meeting the block's restriction, its
/// pattern's index, its cost in the master and its activations w·x_n + b.
#[derive(Clone, Debug)]
pub struct BlockColumn {
    pub block: usize,
    pub unit: Unit,
    pub pattern: usize,
    pub cost: f64,
    pub activations: Vec<f64>,
    pub hidden: Vec<f64>,
}

impl BlockColumn {
    /// Whether the column meets `r`: its pattern in the interval and its
    /// activations on the fixed sides, up to `tolerance`.
    pub fn meets(&self, r: &Restriction, tolerance: f64) -> bool {
        (r.lo..=r.hi).contains(&self.pattern)
            && r.sides.iter().zip(&self.activations).all(|(s, &a)| match s {
                Side::Free => true,
                Side::Active => a >= -tolerance,
                Side::Inactive => a <= tolerance,
            })
    }
}

/// One node: a restriction per block, the columns found for it (and its
/// ancestors), and the best certified bound of its region so far (its
/// parent's until it is priced). Columns are shared with the node's
/// relatives (each holds two vectors over the samples; a best-first tree
/// keeps many nodes open).
#[derive(Clone, Debug)]
pub struct Node {
    pub blocks: Vec<Restriction>,
    pub columns: Vec<Arc<BlockColumn>>,
    pub bound: f64,
    pub depth: usize,
}

/// How a node splits.
#[derive(Clone, Debug, PartialEq)]
pub enum Split {
    /// Block `block`'s patterns lo..=at and at+1..=hi.
    Patterns { block: usize, at: usize },
    /// Block `block`'s side on sample `sample`: active, inactive.
    Side { block: usize, sample: usize },
}

impl Node {
    /// Narrows the pattern intervals to sorted networks (index of block j ≤
    /// index of block j+1). `false` when a block is left no pattern: the
    /// node holds no sorted network.
    pub fn propagate(&mut self) -> bool {
        for j in 1..self.blocks.len() {
            self.blocks[j].lo = self.blocks[j].lo.max(self.blocks[j - 1].lo);
        }
        for j in (0..self.blocks.len().saturating_sub(1)).rev() {
            self.blocks[j].hi = self.blocks[j].hi.min(self.blocks[j + 1].hi);
        }
        self.blocks.iter().all(|b| b.lo <= b.hi)
    }

    /// The columns of block `j`, in the order they were added.
    pub fn block_columns(&self, j: usize) -> impl Iterator<Item = &BlockColumn> {
        self.columns.iter().map(|c| c.as_ref()).filter(move |c| c.block == j)
    }

    /// Adds `column` unless its block has the same unit already.
    pub fn add_column(&mut self, column: BlockColumn) -> bool {
        let j = column.block;
        if self.block_columns(j).any(|c| same_unit(&c.unit, &column.unit)) {
            return false;
        }
        self.columns.push(Arc::new(column));
        true
    }

    /// Block `j`'s columns weighted above `positive` in `lambda` (one weight
    /// per column of the node), with their weights.
    pub fn weighted(&self, j: usize, lambda: &[f64], positive: f64) -> Vec<(&BlockColumn, f64)> {
        self.columns
            .iter()
            .zip(lambda)
            .filter(|(c, &l)| c.block == j && l > positive)
            .map(|(c, &l)| (c.as_ref(), l))
            .collect()
    }

    /// Per block, the blend of its columns weighted above `positive` in
    /// `lambda` (one weight per column): Σλ·(w, b) / Σλ with the pattern of
    /// its heaviest column (a settled node's blocks have one pattern), the
    /// block's empty unit when none is weighted.
    pub fn blend(&self, lambda: &[f64], positive: f64) -> Vec<Unit> {
        (0..self.blocks.len())
            .map(|j| {
                let weighted = self.weighted(j, lambda, positive);
                let total: f64 = weighted.iter().map(|(_, l)| l).sum();
                let Some(heaviest) = weighted.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
                    let d = self.columns.first().map_or(0, |c| c.unit.w.len());
                    let z = self.columns.first().map_or(Vec::new(), |c| vec![0; c.unit.z.len()]);
                    return Unit {
                        w: vec![0.0; d],
                        b: 0.0,
                        z,
                    };
                };
                let d = heaviest.0.unit.w.len();
                Unit {
                    w: (0..d)
                        .map(|i| weighted.iter().map(|(c, l)| l * c.unit.w[i]).sum::<f64>() / total)
                        .collect(),
                    b: weighted.iter().map(|(c, l)| l * c.unit.b).sum::<f64>() / total,
                    z: heaviest.0.unit.z.clone(),
                }
            })
            .collect()
    }

    /// The two children of `split`, each narrowed to sorted networks and
    /// keeping the parent's columns that meet its restrictions; a child
    /// with no sorted network is left out.
    pub fn children(&self, split: &Split, tolerance: f64) -> Vec<Node> {
        let mut restricted: Vec<Vec<Restriction>> = vec![self.blocks.clone(), self.blocks.clone()];
        match *split {
            Split::Patterns { block, at } => {
                restricted[0][block].hi = at;
                restricted[1][block].lo = at + 1;
            }
            Split::Side { block, sample } => {
                restricted[0][block].sides[sample] = Side::Active;
                restricted[1][block].sides[sample] = Side::Inactive;
            }
        }
        restricted
            .into_iter()
            .filter_map(|blocks| {
                let mut child = Node {
                    blocks,
                    columns: Vec::new(),
                    bound: self.bound,
                    depth: self.depth + 1,
                };
                if !child.propagate() {
                    return None;
                }
                child.columns = self
                    .columns
                    .iter()
                    .filter(|c| c.meets(&child.blocks[c.block], tolerance))
                    .cloned()
                    .collect();
                Some(child)
            })
            .collect()
    }
}

/// The empty unit of a pattern: w = 0, b = 0 meets every side (its
/// activations are all 0), so with it every block of every node has a
/// column and the master is feasible. Its cost is its pattern's.
pub fn empty_column(
    block: usize,
    pattern: usize,
    patterns: &Patterns,
    features: usize,
    samples: usize,
    settings: &mipnet_formulate::FormulationSettings,
) -> BlockColumn {
    let z = patterns.all[pattern].clone();
    BlockColumn {
        block,
        cost: pattern_cost(settings, &z),
        unit: Unit {
            w: vec![0.0; features],
            b: 0.0,
            z,
        },
        pattern,
        activations: vec![0.0; samples],
        hidden: vec![0.0; samples],
    }
}

/// The split of a node whose master put weights `lambda` (one per column
/// of `node.columns`) on its columns, or `None` when in every block the
/// weighted columns share one pattern and one side on every sample: their
/// mix is then itself a unit of the block (the activations mix linearly on
/// one side, the ℓ1 norm is convex, the box and the restriction are
/// convex), so the master's value is the value of a network of the node.
///
/// Patterns first: the block whose weight is split most evenly between
/// two pattern intervals. Then sides: the (block, sample) whose weight is
/// split most evenly between active and inactive columns.
pub fn choose_split(node: &Node, lambda: &[f64], positive: f64, tolerance: f64) -> Option<Split> {
    let mut best: Option<(f64, Split)> = None;
    let consider = |best: &mut Option<(f64, Split)>, score: f64, split: Split| {
        if score > positive && best.as_ref().is_none_or(|(s, _)| score > *s) {
            *best = Some((score, split));
        }
    };
    for j in 0..node.blocks.len() {
        let weighted = node.weighted(j, lambda, positive);
        let mut used: Vec<usize> = weighted.iter().map(|(c, _)| c.pattern).collect();
        used.sort_unstable();
        used.dedup();
        for &at in &used[..used.len().saturating_sub(1)] {
            let below: f64 = weighted.iter().filter(|(c, _)| c.pattern <= at).map(|(_, l)| l).sum();
            let above: f64 = weighted.iter().filter(|(c, _)| c.pattern > at).map(|(_, l)| l).sum();
            consider(&mut best, below.min(above), Split::Patterns { block: j, at });
        }
    }
    if best.is_some() {
        return best.map(|(_, s)| s);
    }
    for j in 0..node.blocks.len() {
        let weighted = node.weighted(j, lambda, positive);
        if weighted.len() < 2 {
            continue;
        }
        for (n, side) in node.blocks[j].sides.iter().enumerate() {
            if *side != Side::Free {
                continue;
            }
            let active: f64 = weighted
                .iter()
                .filter(|(c, _)| c.activations[n] > tolerance)
                .map(|(_, l)| l)
                .sum();
            let inactive: f64 = weighted
                .iter()
                .filter(|(c, _)| c.activations[n] < -tolerance)
                .map(|(_, l)| l)
                .sum();
            consider(&mut best, active.min(inactive), Split::Side { block: j, sample: n });
        }
    }
    best.map(|(_, s)| s)
}
