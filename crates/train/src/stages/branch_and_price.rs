//! Branch-and-price after the run (`stages.prove_seconds`, on top of the
//! time limit): a lower bound proven against the run's best network, from
//! the unit-columns decomposition split unit by unit until no blend of
//! units is left (`mipnet_bounds::unit_columns::branch`). The network's
//! objective only decides which nodes need no more work; the bound is the
//! least over the tree's leaves, valid whatever that objective is. Its
//! report joins the lower-bound methods', so the run's `dual_bound` is the
//! best of all of them.

use crate::error::TrainError;
use crate::events::{RunStage, TrainObserver};
use crate::incumbent::hidden_units;
use crate::report::bound_report;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_bounds::unit_columns::branch::{BranchRun, BranchSettings, NodeReport, METHOD};
use mipnet_bounds::UnitColumns;
use std::time::Instant;

/// Seconds between two progress lines of the tree.
pub const PROGRESS_SECONDS: f64 = 5.0;

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
        let note = result.as_ref().map(tree_in_words).unwrap_or_default();
        let report = bound_report(METHOD, started, result.map(|r| r.bound), |_| note.clone());
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
