//! The one place the selection's time limit and threads are split: the
//! refit's share, the cross-validation runs' seconds, how many run at once
//! (threads and memory allowing) and the threads each gets.

use crate::SelectError;
use mipnet_train::TrainSettings;
use serde::{Deserialize, Serialize};

/// Default share of the time limit for the refit on the whole training
/// split: the network that is returned gets more time than any one
/// cross-validation run (with 3 settings × 5 folds two at a time, 0.25 of
/// the limit is 3.4× a run's time).
pub const DEFAULT_REFIT_SHARE: f64 = 0.25;

/// The shortest time limit a training run is given. Below it the gradient
/// starts and the polish do not finish on Iris (measured: a 1 s run still
/// returns a certified, polished network), so a plan that would give less
/// is refused with the time limit it needs.
pub const MIN_RUN_SECONDS: f64 = 1.0;

/// Share of the available memory runs at once may take together (as
/// `mipnet-train` refuses a single model above 80 % of it).
const MEMORY_SHARE: f64 = 0.8;

/// Which of the plan's runs a training run is: it decides the run's time
/// limit and threads ([`Plan::run_settings`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlannedRun {
    /// One (setting, fold) run: [`Plan::run_seconds`] on
    /// [`Plan::threads_per_run`] threads.
    CrossValidation,
    /// The chosen setting on the whole training split:
    /// [`Plan::refit_seconds`] on all [`Plan::threads`].
    Refit,
}

/// How the time limit and threads are spent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The whole selection's time limit (cross-validation and refit).
    pub total_seconds: f64,
    /// Cross-validation runs: settings × folds.
    pub runs: usize,
    /// Threads in all (`--threads`, or the cores).
    pub threads: usize,
    /// Cross-validation runs at once.
    pub parallel: usize,
    /// Whether memory, not threads, limited `parallel`.
    pub memory_limited: bool,
    /// Solver threads of each cross-validation run.
    pub threads_per_run: usize,
    /// Rounds of `parallel` runs: ⌈runs / parallel⌉.
    pub waves: usize,
    /// Time limit of each cross-validation run.
    pub run_seconds: f64,
    /// Time limit of the refit (all threads).
    pub refit_seconds: f64,
}

impl Plan {
    /// Splits `total_seconds` and `threads` over `runs` cross-validation
    /// runs, each needing about `bytes_per_run` of memory (`available`
    /// bytes, when known), and the refit (`refit_share` of the time).
    pub fn new(
        total_seconds: f64,
        refit_share: f64,
        threads: usize,
        runs: usize,
        bytes_per_run: f64,
        available: Option<f64>,
    ) -> Result<Plan, SelectError> {
        if !(refit_share > 0.0 && refit_share < 1.0) {
            return Err(SelectError::Budget(format!(
                "refit share: must be strictly between 0 and 1 (a share of the time limit), got {refit_share}"
            )));
        }
        let threads = threads.max(1);
        let by_memory = available.map(|a| ((MEMORY_SHARE * a) / bytes_per_run.max(1.0)).floor() as usize);
        let by_threads = threads.min(runs.max(1));
        let parallel = by_memory.map_or(by_threads, |m| by_threads.min(m)).max(1);
        let waves = runs.div_ceil(parallel);
        let refit_seconds = total_seconds * refit_share;
        let run_seconds = total_seconds * (1.0 - refit_share) / waves.max(1) as f64;
        if run_seconds < MIN_RUN_SECONDS || refit_seconds < MIN_RUN_SECONDS {
            let need = (MIN_RUN_SECONDS * waves as f64 / (1.0 - refit_share)).max(MIN_RUN_SECONDS / refit_share);
            return Err(SelectError::Budget(format!(
                "time limit {total_seconds} s: {runs} cross-validation runs, {parallel} at a time, would get \
                 {run_seconds:.2} s each and the refit {refit_seconds:.2} s, under the {MIN_RUN_SECONDS} s a run \
                 needs; give a time limit of at least {:.0} s, or fewer settings or folds",
                need.ceil()
            )));
        }
        Ok(Plan {
            total_seconds,
            runs,
            threads,
            parallel,
            memory_limited: by_memory.is_some_and(|m| m < by_threads),
            threads_per_run: (threads / parallel).max(1),
            waves,
            run_seconds,
            refit_seconds,
        })
    }

    /// `settings` with the time limit and threads this plan gives `run`:
    /// the one place a run's budget is set (the CLI's cross-validation and
    /// refit, and the Python plan's runs, all take it from here).
    pub fn run_settings(&self, run: PlannedRun, settings: &TrainSettings) -> TrainSettings {
        let mut s = settings.clone();
        let (seconds, threads) = match run {
            PlannedRun::CrossValidation => (self.run_seconds, self.threads_per_run),
            PlannedRun::Refit => (self.refit_seconds, self.threads),
        };
        s.solver.time_limit = seconds;
        s.solver.threads = Some(threads);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_split_between_waves_of_runs_and_the_refit() {
        let p = Plan::new(100.0, 0.25, 2, 15, 1e6, Some(1e12)).unwrap();
        assert_eq!((p.parallel, p.threads_per_run, p.waves), (2, 1, 8));
        assert_eq!(p.refit_seconds, 25.0);
        assert_eq!(p.run_seconds, 75.0 / 8.0);
        // Fewer runs than threads: each gets a share of the threads.
        let p = Plan::new(100.0, 0.25, 4, 2, 1e6, None).unwrap();
        assert_eq!((p.parallel, p.threads_per_run, p.waves), (2, 2, 1));
    }

    #[test]
    fn each_run_gets_its_time_and_threads_and_keeps_everything_else() {
        let p = Plan::new(100.0, 0.25, 4, 6, 1e6, None).unwrap();
        let mut base = TrainSettings::default();
        base.formulation.l1 = 0.123;
        let cv = p.run_settings(PlannedRun::CrossValidation, &base);
        assert_eq!(
            (cv.solver.time_limit, cv.solver.threads),
            (p.run_seconds, Some(p.threads_per_run))
        );
        let refit = p.run_settings(PlannedRun::Refit, &base);
        assert_eq!((refit.solver.time_limit, refit.solver.threads), (25.0, Some(4)));
        assert_ne!(p.run_seconds, 25.0);
        for s in [cv, refit] {
            assert_eq!(s.formulation, base.formulation);
        }
    }

    #[test]
    fn memory_limits_the_runs_at_once() {
        let p = Plan::new(100.0, 0.25, 8, 16, 1e9, Some(2.6e9)).unwrap();
        assert_eq!((p.parallel, p.threads_per_run, p.memory_limited), (2, 4, true));
    }

    #[test]
    fn a_time_limit_too_short_for_the_runs_is_refused_with_what_it_needs() {
        let e = Plan::new(10.0, 0.25, 2, 30, 1e6, None).unwrap_err().to_string();
        assert!(
            e.contains("30 cross-validation runs, 2 at a time") && e.contains("at least 20 s"),
            "{e}"
        );
        let e = Plan::new(10.0, 1.0, 2, 3, 1e6, None).unwrap_err().to_string();
        assert!(e.contains("strictly between 0 and 1"), "{e}");
    }
}
