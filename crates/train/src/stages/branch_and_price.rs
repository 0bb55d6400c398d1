//! Branch-and-price after the run (`stages.prove_seconds`, on top of the
//! time limit): a lower bound proven against the run's best network, from
//! the unit-columns decomposition split unit by unit until no blend of
//! units is left (`mipnet_bounds::unit_columns::branch`). The network's
//! objective only decides which nodes need no more work; the bound is the
//! least over the tree's leaves, valid whatever that objective is. Its
//! report joins the lower-bound methods', so the run's `dual_bound` is the
//! best of all of them.
//!
//! A settled node of the tree is a network (the blend of its units): when
//! the best one's master value is below the run's objective, it is rebuilt
//! as a network, projected, polished and certified like any start, and
//! becomes the incumbent only through that check (`found_by:
//! branch-and-price`). A bound above a certified network's objective would
//! be a defect; it is withdrawn, never reported.

use crate::error::TrainError;
use crate::events::Step;
use crate::events::{RunStage, TrainObserver};
use crate::incumbent::{hidden_units, with_hidden_units, MIN_RELATIVE_GAIN};
use crate::report::{bound_report, withdraw_bounds_above};
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_bounds::unit_columns::branch::{BranchRun, BranchSettings, LeafNetwork, NodeReport, METHOD};
use mipnet_bounds::UnitColumns;
use mipnet_formulate::project;
use std::time::{Duration, Instant};

/// Seconds between two progress lines of the tree.
pub const PROGRESS_SECONDS: f64 = 5.0;

/// Time limit of the LP polish of the tree's best settled network (on
/// Iris 4→8→3 the polish LP takes well under a second).
pub const LEAF_POLISH_SECONDS: f64 = 10.0;

/// The stage, with its wall-clock budget.
pub(crate) struct BranchAndPrice {
    pub seconds: f64,
}

impl Stage for BranchAndPrice {
    fn name(&self) -> StageName {
        StageName::BranchAndPrice
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        if run.stopped() {
            obs.stage("branch-and-price skipped: the run was interrupted");
            return Ok(());
        }
        let Some(best) = run.best.as_ref() else {
            obs.stage("branch-and-price skipped: no network to prove");
            return Ok(());
        };
        run.started(obs, RunStage::Bounds);
        let (data, formulation) = (run.f.data(), &run.settings.formulation);
        let incumbent = best.objective();
        let seeds = hidden_units(&best.network.layers, formulation.grid_step);
        let started = Instant::now();
        let mut last_line = 0.0;
        let mut progress = |r: &NodeReport| {
            if r.seconds - last_line >= PROGRESS_SECONDS {
                last_line = r.seconds;
                obs.stage(&format!(
                    "branch-and-price: {} nodes, {} open, bound {:.6} ({:.1} s)",
                    r.nodes, r.open, r.bound, r.seconds
                ));
            }
        };
        let result = UnitColumns::new(data, formulation).and_then(|m| {
            m.with_interrupt(run.interrupt.cloned())
                .with_units(seeds)
                .branch_and_price(
                    run.solver.branch(),
                    &run.settings.solver.options(self.seconds),
                    &BranchSettings {
                        seconds: self.seconds,
                        ..BranchSettings::default()
                    },
                    Some(incumbent),
                    &mut progress,
                )
        });
        let mut note = result.as_ref().map(tree_in_words).unwrap_or_default();
        if let Some(leaf) = result.as_ref().ok().and_then(|r| r.best_leaf.as_ref()) {
            note += &self.offer_leaf(run, leaf, incumbent, obs);
        }
        let mut report = bound_report(METHOD, started, result.map(|r| r.bound), |_| note.clone());
        // The returned network's objective, certified by its forward pass,
        // is above every true lower bound.
        let objective = run.best.as_ref().map_or(incumbent, |b| b.objective());
        withdraw_bounds_above(std::slice::from_mut(&mut report), objective);
        obs.stage(&match report.bound {
            Some(b) => format!(
                "lower bound ({METHOD}): {b:.6} in {:.1} s ({})",
                report.seconds, report.note
            ),
            None => format!("lower bound ({METHOD}): none ({})", report.note),
        });
        if let Some(b) = report.bound {
            run.findings.trace.bound(run.budget.elapsed(), METHOD, b);
        }
        run.findings.lower_bounds.push(report);
        Ok(())
    }
}

impl BranchAndPrice {
    /// Offers the network of the tree's best settled node to the run when
    /// its master value is below the incumbent's objective by more than
    /// [`MIN_RELATIVE_GAIN`]: projected, then its LP polish (at most
    /// [`LEAF_POLISH_SECONDS`], after the tree's budget) and itself
    /// certified and considered. What became of it, for the note; an error
    /// of the polish is said there too (the tree's bound stands).
    fn offer_leaf(&self, run: &mut Run, leaf: &LeafNetwork, incumbent: f64, obs: &mut dyn TrainObserver) -> String {
        let master = leaf.master_value;
        if master >= incumbent * (1.0 - MIN_RELATIVE_GAIN) || run.stopped() {
            return String::new();
        }
        let Some(template) = run.best.as_ref().map(|b| b.network.clone()) else {
            return String::new();
        };
        let formulation = &run.settings.formulation;
        let Some(net) = with_hidden_units(&template, &leaf.units, formulation.grid_step) else {
            return String::new();
        };
        let start = run.with_standardizer(project(&net, formulation));
        let x = match run.f.start_values(&start) {
            Ok(x) => x,
            Err(why) => return format!("; its best settled network (master {master:.6}) was not a start: {why}"),
        };
        let deadline = Instant::now() + Duration::from_secs_f64(LEAF_POLISH_SECONDS);
        let polished = match run.polish_and_consider(&x, Step::Tree, None, deadline) {
            Ok(kept) => kept,
            Err(e) => {
                obs.stage(&format!(
                    "branch-and-price: the polish of its best settled network failed ({e})"
                ));
                false
            }
        };
        let itself = run.consider(x, start, Step::Tree);
        let now = run.best.as_ref().map_or(incumbent, |b| b.objective());
        if polished || itself {
            run.incumbent_changed(obs, RunStage::Bounds);
            obs.stage(&format!(
                "branch-and-price: its best settled network (master {master:.6}) is the new incumbent, objective {now:.6}"
            ));
            format!("; its best settled network (master {master:.6}) became the incumbent, {incumbent:.6} → {now:.6}")
        } else {
            format!("; its best settled network (master {master:.6}) was not better once polished and certified")
        }
    }
}

/// The tree in words for the report's note.
fn tree_in_words(r: &BranchRun) -> String {
    let c = &r.counts;
    let mut words = format!(
        "{} nodes ({} pruned by the network's objective, {} settled, {} open), depth {}, root bound {:.6}",
        c.nodes, c.pruned, c.settled, r.open, c.depth, r.root_bound
    );
    if c.unconverged > 0 {
        words += &format!(", {} settled before their column generation converged", c.unconverged);
    }
    if c.failed > 0 {
        words += &format!(", {} closed with their bound after their master LP failed", c.failed);
    }
    if let Some(e) = &r.error {
        words += &format!(", ended early by a solver error ({e})");
    }
    if r.finished {
        words += ", tree finished";
    }
    words
}
