//! Column generation at one node, with a certified bound every round.
//!
//! The master has one convexity row per block (Σ_u λ_ju = 1) and is solved
//! in its dual form ([`super::super::master`]) through an LP session, which
//! returns both its multipliers π (the dual form's column values) and the
//! columns' weights λ (its row multipliers), for branching. Each round
//! prices every (distinct side vector, distinct coefficient vector e) pair
//! by its exact MILP ([`PatternPricing::exact`] with the block's sides), so
//! every round is certified:
//!
//! LB(t) = t·(margin·Σπ − ω·Σ_k|r_k|) + Σ_j min_{z ∈ Z_j} (cost(z) + t·L_{j,z})
//!
//! for any t ∈ (0, 1] ([`best_scaling_blocks`]), L_{j,z} a certified lower
//! bound on block j's inner pricing minimum for pattern z (0 for z = 0).
//! It holds for every network of the node's region, whatever π: the
//! module docs of [`super::super`] derive it for one block of width H; with
//! one block per unit, each unit u_j of a network in the region prices at
//! least min_z (…) in its own block, and there is exactly one per block.

use super::super::certify::best_scaling_blocks;
use super::super::column::{activations, pattern_cost, unit_cost, Unit};
use super::super::dual::HingeDual;
use super::super::master::{Convexity, Master, MasterColumn};
use super::super::parallel::{in_parallel, workers};
use super::super::pricing::PatternPricing;
use super::super::{UnitColumns, CERTIFICATE_ROUNDING, COLUMN_VIOLATION, CONVERGED, MIN_SOLVE_SECONDS};
use super::node::{BlockColumn, Node, Patterns};
use super::{BranchSettings, BranchSolver};
use crate::safe::ROUNDING_MARGIN_FLOOR;
use crate::BoundError;
use mipnet_milp::Sense;
use mipnet_solver::{SolveOptions, Status};
use std::time::Instant;

/// What column generation reached at one node.
pub struct NodeOutcome {
    /// The best certified bound of the node's rounds.
    pub bound: Option<f64>,
    /// The last master's weight on each of the node's columns.
    pub lambda: Vec<f64>,
    /// The last master's value (not certified).
    pub master_value: Option<f64>,
    /// The pricing proved every block's reduced costs ≥ μ_j ([`CONVERGED`]).
    pub converged: bool,
    /// The last master LP ended without an optimum (no weights, no
    /// multipliers from it).
    pub master_failed: bool,
    /// Master solves.
    pub rounds: usize,
    /// The largest rounding margin a certificate was lowered by.
    pub rounding_margin: f64,
}

/// One pricing problem of a round: a group of blocks with one side vector
/// (named by its first block) and a coefficient vector e, with the
/// patterns that have it.
struct Problem {
    group: usize,
    e: Vec<f64>,
    /// Pattern indices with this e (and a block of these sides allowing them).
    patterns: Vec<usize>,
}

impl UnitColumns<'_> {
    /// Column generation at `node` until converged, the node's bound
    /// reaches `prune_at`, `settings.node_rounds` masters, or `deadline`.
    /// Adds the columns it finds to the node.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn price_node(
        &self,
        solver: &dyn BranchSolver,
        options: &SolveOptions,
        settings: &BranchSettings,
        patterns: &Patterns,
        node: &mut Node,
        prune_at: f64,
        deadline: Instant,
    ) -> Result<NodeOutcome, BoundError> {
        let fs = self.settings;
        let rows = self.rows();
        let shape = self.master_shape(&rows);
        let blocks = vec![Convexity::One; node.blocks.len()];
        let mut outcome = NodeOutcome {
            bound: None,
            lambda: Vec::new(),
            master_value: None,
            converged: false,
            master_failed: false,
            rounds: 0,
            rounding_margin: 0.0,
        };
        for _ in 0..settings.node_rounds {
            if Instant::now() >= deadline || self.interrupted() {
                break;
            }
            outcome.rounds += 1;
            let columns: Vec<MasterColumn> = node
                .columns
                .iter()
                .map(|c| MasterColumn {
                    block: c.block,
                    unit: &c.unit,
                    cost: c.cost,
                    h: &c.hidden,
                })
                .collect();
            let master = Master::build(&shape, &blocks, &columns);
            let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
            let lp_options = SolveOptions {
                time_limit: Some(left.max(MIN_SOLVE_SECONDS)),
                threads: options.threads,
                seed: options.seed,
                ..SolveOptions::default()
            };
            let mut lp = solver
                .sessions()
                .relaxation(&master.model, &lp_options)
                .map_err(|e| BoundError::Solver(e.to_string()))?;
            let objective: Vec<_> = master
                .model
                .col_cost()
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != 0.0)
                .map(|(j, c)| (mipnet_milp::Col::from_index(j), *c))
                .collect();
            let solved = lp
                .optimize(&objective, Sense::Maximize)
                .map_err(|e| BoundError::Solver(e.to_string()))?;
            let (Status::Optimal, Some(value), Some(x), Some(y)) =
                (solved.status, solved.value, solved.col_values, solved.row_duals)
            else {
                outcome.master_failed = Instant::now() < deadline && !self.interrupted();
                break;
            };
            outcome.master_value = Some(value);
            outcome.lambda = master.column_rows.iter().map(|r| y[r.index()].abs()).collect();
            let dual = self.round_dual(&master.multipliers(&x));
            let mu: Vec<f64> = master.mu.iter().map(|c| x[c.index()]).collect();
            let unit_scale = value.abs().max(f64::MIN_POSITIVE) / node.blocks.len() as f64;

            let (problems, zero_e, group) = self.node_problems(node, patterns, &dual);
            let (workers, threads) = workers(options.threads, problems.len());
            let results = in_parallel(problems.len(), workers, |i| {
                let p = &problems[i];
                let pricing =
                    PatternPricing::new(&rows, p.e.clone(), fs.l1, fs.omega).with_sides(&node.blocks[p.group].sides);
                // The best column of these sides and patterns as the start.
                let start = node
                    .columns
                    .iter()
                    .filter(|c| group[c.block] == p.group && p.patterns.contains(&c.pattern))
                    .map(|c| (pricing.value(&c.unit.w, c.unit.b), c))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, c)| (c.unit.w.as_slice(), c.unit.b));
                let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
                if left <= 0.0 {
                    // Past the deadline: the bound that needs no solve.
                    return Ok((pricing.trivial_lower(), None, false));
                }
                let waves = (problems.len() - i).div_ceil(workers);
                let opts = SolveOptions {
                    time_limit: Some((left / waves as f64).max(MIN_SOLVE_SECONDS)),
                    threads,
                    ..options.clone()
                };
                pricing
                    .exact(solver.solver(), &opts, start, self.interrupt.as_ref(), None, &|| None)
                    .map(|r| match r {
                        Some(x) => {
                            let best = x.best.map(|(w, b)| {
                                let v = pricing.value(&w, b);
                                (v, w, b)
                            });
                            (x.lower, best, x.finished)
                        }
                        None => (pricing.trivial_lower(), None, false),
                    })
            });
            // The empty pattern, and every pattern whose e is all 0, has an
            // inner minimum of exactly 0 (α‖w‖₁ ≥ 0, w = 0 and b = 0 meet
            // every side); every other allowed pattern is priced below.
            let mut lower_of: Vec<Vec<Option<f64>>> = node
                .blocks
                .iter()
                .map(|b| {
                    (0..patterns.all.len())
                        .map(|z| ((b.lo..=b.hi).contains(&z) && zero_e[z]).then_some(0.0))
                        .collect()
                })
                .collect();
            let mut found: Vec<Vec<(f64, Unit, usize)>> = vec![Vec::new(); node.blocks.len()];
            let mut all_finished = true;
            for (p, r) in problems.iter().zip(results) {
                let (lower, best, finished) = r.map_err(BoundError::Solver)?;
                all_finished &= finished;
                for (j, b) in node.blocks.iter().enumerate() {
                    if group[j] != p.group {
                        continue;
                    }
                    for &z in p.patterns.iter().filter(|&&z| (b.lo..=b.hi).contains(&z)) {
                        lower_of[j][z] = Some(lower);
                        if let Some((v, w, bias)) = &best {
                            let z_vec = &patterns.all[z];
                            let rc = pattern_cost(fs, z_vec) + v;
                            found[j].push((
                                rc,
                                Unit {
                                    w: w.clone(),
                                    b: *bias,
                                    z: z_vec.clone(),
                                },
                                z,
                            ));
                        }
                    }
                }
            }
            // Per block, its lines (cost(z), L_{j,z}).
            let lines: Vec<Vec<(f64, f64)>> = node
                .blocks
                .iter()
                .enumerate()
                .map(|(j, b)| {
                    (b.lo..=b.hi)
                        .map(|z| {
                            let lower = lower_of[j][z].expect("every allowed pattern is priced or has e = 0");
                            (pattern_cost(fs, &patterns.all[z]), lower)
                        })
                        .collect()
                })
                .collect();
            let grouped: Vec<(f64, &[(f64, f64)])> = lines.iter().map(|l| (1.0, l.as_slice())).collect();
            let g = self.dual_value(&dual);
            let (_, raw) = best_scaling_blocks(g, &grouped);
            let magnitude = fs.margin * dual.total()
                + fs.omega * dual.imbalance()
                + lines
                    .iter()
                    .map(|l| l.iter().fold(0.0f64, |a, (c, v)| a.max(c.abs() + v.abs())))
                    .sum::<f64>();
            let rounding_margin = CERTIFICATE_ROUNDING * magnitude + ROUNDING_MARGIN_FLOOR;
            outcome.rounding_margin = outcome.rounding_margin.max(rounding_margin);
            let certified = raw - rounding_margin;
            if outcome.bound.is_none_or(|b| certified > b) {
                outcome.bound = Some(certified);
            }
            if certified >= prune_at {
                break;
            }
            // Converged: no block has a unit pricing below its μ_j.
            let least: Vec<f64> = lines
                .iter()
                .map(|l| l.iter().map(|(c, v)| c + v).fold(f64::INFINITY, f64::min))
                .collect();
            if least.iter().zip(&mu).all(|(rho, m)| *rho >= m - CONVERGED * unit_scale) {
                outcome.converged = true;
                break;
            }
            let mut added = 0;
            for (j, mut candidates) in found.into_iter().enumerate() {
                candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut taken = 0;
                for (rc, unit, z) in candidates {
                    if taken >= settings.columns_per_block || rc >= mu[j] - COLUMN_VIOLATION * unit_scale {
                        break;
                    }
                    let activations = activations(&unit.w, unit.b, &rows);
                    let column = BlockColumn {
                        block: j,
                        cost: unit_cost(fs, &unit),
                        hidden: activations.iter().map(|a| a.max(0.0)).collect(),
                        activations,
                        unit,
                        pattern: z,
                    };
                    if node.add_column(column) {
                        taken += 1;
                        added += 1;
                    }
                }
            }
            if added == 0 {
                // Nothing new below μ: what is left of μ − ρ* is the
                // pricing's tolerance when every MILP ran to its end (the
                // node has converged), else its time limit's doing.
                outcome.converged = all_finished;
                break;
            }
        }
        Ok(outcome)
    }

    /// The distinct pricing problems of a node for multipliers `dual`: per
    /// distinct side vector among the blocks, the nonzero patterns some such
    /// block allows, grouped by their coefficients e (patterns z and
    /// z + c·(1, …, 1) share them, since Σ_k λ_nk = 0). Patterns whose e is
    /// all 0 need no MILP and are left out: the second vector marks them
    /// (and the empty pattern) by index. The third gives each block's group:
    /// the first block with its side vector (compared once per round, not
    /// per column).
    fn node_problems(
        &self,
        node: &Node,
        patterns: &Patterns,
        dual: &HingeDual,
    ) -> (Vec<Problem>, Vec<bool>, Vec<usize>) {
        let step = self.settings.grid_step;
        let mut problems: Vec<Problem> = Vec::new();
        let mut coefficients: Vec<Option<Vec<f64>>> = vec![None; patterns.all.len()];
        let mut zero_e = vec![false; patterns.all.len()];
        zero_e[0] = true;
        let blocks = &node.blocks;
        let group: Vec<usize> = (0..blocks.len())
            .map(|j| (0..=j).find(|&i| blocks[i].sides == blocks[j].sides).unwrap_or(j))
            .collect();
        for (j, b) in blocks.iter().enumerate() {
            for z in b.lo.max(1)..=b.hi {
                let e = coefficients[z]
                    .get_or_insert_with(|| {
                        dual.pattern_coefficients(&patterns.all[z])
                            .iter()
                            .map(|c| step * c)
                            .collect()
                    })
                    .clone();
                if e.iter().all(|&v| v == 0.0) {
                    zero_e[z] = true;
                    continue;
                }
                match problems.iter_mut().find(|p| p.group == group[j] && p.e == e) {
                    Some(p) => {
                        if !p.patterns.contains(&z) {
                            p.patterns.push(z);
                        }
                    }
                    None => problems.push(Problem {
                        group: group[j],
                        e,
                        patterns: vec![z],
                    }),
                }
            }
        }
        (problems, zero_e, group)
    }
}
