//! The exact large-neighbourhood search: sub-MIPs around the incumbent
//! (see [`crate::lns`] for the neighbourhoods), several at once, each
//! better result polished and certified. After the warm starts it has its
//! share of the budget; beside the full MIP (see [`crate::alongside`]) it
//! has the MIP's time and threads but one, and hands each new incumbent
//! to the MIP.

use crate::error::TrainError;
use crate::events::{RunStage, Step, TrainObserver};
use crate::incumbent::better;
use crate::lns::{solve_all, Search};
use crate::memory::copies_that_fit;
use crate::report::LnsReport;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_solver::Status;
use std::time::Instant;

/// Least time left for which the search starts another round of sub-MIPs.
const MIN_ROUND_SECONDS: f64 = 0.5;

/// The search's settings.
pub(crate) struct NeighbourhoodSearch {
    /// Share of the time after the warm starts when the full MIP follows.
    pub share: f64,
    /// Whether the full MIP runs after the search (else the search has all
    /// the time left).
    pub mip_follows: bool,
    /// Time limit of one sub-MIP.
    pub sub_seconds: f64,
}

impl Stage for NeighbourhoodSearch {
    fn name(&self) -> StageName {
        StageName::NeighbourhoodSearch
    }

    fn run(
        &self,
        run: &mut Run,
        obs: &mut dyn TrainObserver,
        mut partner: Option<&mut dyn Partner>,
    ) -> Result<(), TrainError> {
        let (seconds, threads, stage) = match partner.as_deref() {
            Some(p) => (p.seconds(), p.threads_left(), RunStage::FullMipAlongsideSearch),
            None => (
                run.budget.search_seconds(self.share, self.mip_follows),
                run.threads(),
                RunStage::NeighbourhoodSearch,
            ),
        };
        if seconds <= 0.0 {
            return Ok(());
        }
        let Some(before) = run.incumbent() else {
            return Ok(());
        };
        let s = run.settings;
        // Each sub-MIP holds a copy of the model in the solver: as many at
        // once as fit in memory (the MNIST models fit once, if at all).
        let threads = threads.min(copies_that_fit(run.findings.model_bytes));
        if threads == 0 {
            obs.stage("large-neighbourhood search skipped: a sub-MIP of this model would not fit in memory");
            return Ok(());
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| TrainError::NoNetwork(format!("could not start the search's threads: {e}")))?;
        let clock = Instant::now();
        let mut search = Search::new(&run.f, s.solver.seed);
        run.started(obs, stage);
        obs.stage(&format!(
            "large-neighbourhood search for {seconds:.0} s, {threads} sub-MIPs at a time (objective {before:.6})"
        ));
        loop {
            let remaining = seconds - clock.elapsed().as_secs_f64();
            if remaining < MIN_ROUND_SECONDS || run.stopped() {
                break;
            }
            if let Some(p) = partner.as_deref_mut() {
                p.forward(obs);
                if p.finished() {
                    obs.stage("neighbourhood search: the full MIP has ended; stopping");
                    break;
                }
            }
            let best = run.best.as_ref().expect("checked above");
            let (x, incumbent) = (best.x.clone(), best.objective());
            let data = run.f.data();
            let losses: Vec<f64> = (0..data.len())
                .map(|n| {
                    run.f
                        .sample_loss(data.label(n), &best.network.scores_standardized(data.row(n)))
                })
                .collect();
            let hoods = search.draw(&run.f, &losses, threads);
            let options: Vec<_> = (0..hoods.len())
                .map(|i| {
                    let mut o = s.solver.options(self.sub_seconds.min(remaining));
                    o.threads = Some(1);
                    o.log = false;
                    // Solvers take seeds up to i32::MAX.
                    let offset = (search.rounds * hoods.len() + i) as u64;
                    o.seed = Some(s.solver.seed.wrapping_add(offset) % (i32::MAX as u64 + 1));
                    o
                })
                .collect();
            let results = solve_all(
                run.solver,
                &run.f,
                search.integral(),
                &x,
                &hoods,
                &options,
                run.interrupt,
                &pool,
            );
            let mut proven = false;
            for (hood, r) in hoods.iter().zip(results) {
                // A failed sub-MIP costs its neighbourhood, not the incumbent.
                let r = match r {
                    Ok(r) => r,
                    Err(e) => {
                        obs.stage(&format!(
                            "neighbourhood search: a {} sub-MIP failed: {e}",
                            hood.kind.name()
                        ));
                        search.record(hood, Status::Unknown, false);
                        continue;
                    }
                };
                // Compared with the round's start, which every sub-MIP of the
                // round started from.
                let candidate = r.objective.is_some_and(|o| better(o, incumbent));
                let improved = match (&r.solution, candidate) {
                    (Some(sol), true) => run.polish_and_consider(sol, Step::Lns, None, run.budget.end())?,
                    _ => false,
                };
                if improved {
                    let best = run.best.as_ref().expect("improved");
                    let now = best.objective();
                    if let Some(p) = partner.as_deref_mut() {
                        p.offer(&best.x, now);
                    }
                    run.incumbent_changed(obs, stage);
                    obs.stage(&format!(
                        "neighbourhood search: {} neighbourhood ({} binaries free) found {now:.6} at {:.0} s",
                        hood.kind.name(),
                        hood.free.len(),
                        clock.elapsed().as_secs_f64()
                    ));
                }
                // Every binary free and solved to optimality: nothing better
                // exists (within the solver's gap); the full MIP will prove
                // it again.
                proven |= !improved && !candidate && r.status == Status::Optimal && search.frees_everything(hood);
                search.record(hood, r.status, improved);
            }
            search.rounds += 1;
            if proven {
                obs.stage("neighbourhood search: a sub-MIP over every binary found nothing better; stopping");
                break;
            }
        }
        let after = run.incumbent().unwrap_or(before);
        obs.stage(&format!(
            "neighbourhood search: {} rounds in {:.0} s, objective {before:.6} → {after:.6}",
            search.rounds,
            clock.elapsed().as_secs_f64()
        ));
        run.findings.lns = Some(LnsReport {
            rounds: search.rounds,
            seconds: clock.elapsed().as_secs_f64(),
            objective_before: before,
            objective_after: after,
            kinds: search.kinds(),
            handed_to_mip: partner.map_or(0, |p| p.offered()),
        });
        Ok(())
    }
}
