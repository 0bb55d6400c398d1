//! The root cut loop: solve the LP relaxation, add the Lipschitz cuts it
//! violates, repeat. It runs before the full MIP so the solver starts from
//! a stronger relaxation; the report records the root LP bound before and
//! after.

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::relaxation::relaxation;
use crate::report::{BoundStage, CutReport};
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use std::time::Instant;

/// A violation smaller than this does not count.
const VIOLATION_TOL: f64 = 1e-6;

/// The cut loop's settings.
pub(crate) struct CutLoop {
    /// Each sample is paired with this many nearest samples of other classes.
    pub neighbours: usize,
    pub rounds: usize,
    /// Most violated cuts added per round.
    pub cuts_per_round: usize,
    /// Seconds asked for (the budget gives at most its bound stages' share).
    pub seconds: f64,
}

impl Stage for CutLoop {
    fn name(&self) -> StageName {
        StageName::CutLoop
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        obs.stage("root cut loop (Lipschitz cuts)");
        let r = self.cut_loop(run, run.budget.bound_stage_seconds(self.seconds))?;
        obs.stage(&format!(
            "cuts: {} added in {} rounds; root LP bound {} → {}",
            r.cuts_added,
            r.rounds,
            r.root_bound_before.map_or("-".into(), |b| format!("{b:.6}")),
            r.root_bound_after.map_or("-".into(), |b| format!("{b:.6}"))
        ));
        let stats = run.f.stats();
        run.findings.bounds.push(BoundStage {
            stage: "cuts".into(),
            relu_binaries: stats.relu_binaries,
            mean_big_m: stats.mean_big_m,
            root_lp_bound: r.root_bound_after,
            seconds: r.seconds,
        });
        run.findings.cuts = Some(r);
        Ok(())
    }
}

impl CutLoop {
    /// Runs the loop on the run's model for at most `seconds`, adding the
    /// violated cuts to it.
    fn cut_loop(&self, run: &mut Run, seconds: f64) -> Result<CutReport, TrainError> {
        let clock = Instant::now();
        let f = &mut run.f;
        let pairs = f.cut_pairs(self.neighbours);
        let mut candidates: Vec<_> = pairs.iter().flat_map(|&(n, m)| f.lipschitz_cuts(n, m)).collect();
        let mut report = CutReport {
            candidate_pairs: pairs.len(),
            candidates: candidates.len(),
            rounds: 0,
            cuts_added: 0,
            root_bound_before: None,
            root_bound_after: None,
            seconds: 0.0,
        };
        let left = |clock: &Instant| seconds - clock.elapsed().as_secs_f64();
        let Some((bound, mut x)) = relaxation(run.solver, &f.model, run.settings, left(&clock))? else {
            report.seconds = clock.elapsed().as_secs_f64();
            return Ok(report);
        };
        report.root_bound_before = Some(bound);
        report.root_bound_after = Some(bound);
        for _ in 0..self.rounds {
            if left(&clock) <= 0.0 {
                break;
            }
            let mut violated: Vec<(f64, usize)> = candidates
                .iter()
                .enumerate()
                .map(|(i, c)| (c.violation(&x), i))
                .filter(|&(v, _)| v > VIOLATION_TOL)
                .collect();
            if violated.is_empty() {
                break;
            }
            violated.sort_by(|a, b| b.0.total_cmp(&a.0));
            violated.truncate(self.cuts_per_round);
            let mut chosen: Vec<usize> = violated.iter().map(|&(_, i)| i).collect();
            chosen.sort_unstable_by(|a, b| b.cmp(a));
            for i in chosen {
                let cut = candidates.swap_remove(i);
                f.add_cut(&cut);
                report.cuts_added += 1;
            }
            report.rounds += 1;
            // Cuts already added stay valid even if this LP runs out of time.
            match relaxation(run.solver, &f.model, run.settings, left(&clock))? {
                Some((b, nx)) => {
                    report.root_bound_after = Some(b);
                    x = nx;
                }
                None => break,
            }
        }
        report.seconds = clock.elapsed().as_secs_f64();
        Ok(report)
    }
}
