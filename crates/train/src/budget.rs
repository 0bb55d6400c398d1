//! The run's time budget: the one owner of `--time-limit`.
//!
//! A [`Budget`] is created when [`crate::train`] starts, so the time limit
//! is the run's wall time from there on: model building, the gradient
//! starts, the polish LPs, the search, the bound stages, the full MIP and
//! the final polish all come out of it. Every stage asks the budget for its
//! share instead of reading the time limit itself:
//!
//! - the **warm starts** (gradient starts with their projection, fine-tune
//!   and polish, then the search rounds and pattern flips) end by
//!   [`WARM_START_SHARE`] of the limit; each gradient start gets an equal
//!   slice of what is left of it, and its epochs stop at the slice's end;
//! - the **neighbourhood search** gets `lns_share` of what is left after
//!   them, and the **full MIP** the rest, less [`FINISH_SHARE`] kept for
//!   polishing the MIP's incumbent and writing the report;
//!   Within a gradient start, the gradient network gets
//!   [`GRADIENT_SHARE_OF_START`] of its slice and the fine-tune the rest;
//! - the optional **bound stages** (root LPs, cut loop) get at most
//!   [`BOUND_STAGE_SHARE`] of what is left; the **proven lower bounds**
//!   [`LOWER_BOUND_SHARE`] of it (at least [`LOWER_BOUND_FLOOR_SECONDS`]);
//!   the **cutoff tightening** runs only when the MIP has
//!   [`TIGHTEN_MIN_BUILDS`] builds' time left;
//! - run **alongside** the search, the full MIP and the search both get
//!   what the MIP would get after it;
//! - every LP or MIP is given at least [`MIN_SOLVE_SECONDS`], so a run whose
//!   budget is spent still ends with a solved (certified) network, not none.
//!
//! What the budget cannot interrupt is bounded, not stopped: one gradient
//! epoch, one model build (the first, and the cutoff tightening's rebuild,
//! which runs only when the MIP has time to use it), HiGHS's own
//! granularity in checking its time limit (presolve, one LP iteration), and
//! the [`MIN_SOLVE_SECONDS`] floors (the full MIP is skipped, with a
//! message, when only its floor is left). That is the margin by which a run
//! may exceed its limit: [`Budget::worst_case`], from [`OVERSHOOT_SECONDS`]
//! and [`OVERSHOOT_SHARE`].
//!
//! The gradient epochs stop at a deadline, so a run whose limit cuts them
//! short depends on the machine's speed, not only on its seeds; a run whose
//! warm starts end within their share (every default run of 60 s on the
//! bundled datasets) is as reproducible as before.

use std::time::{Duration, Instant};

/// Share of the time limit by which the warm starts (gradient starts and
/// their polish, search rounds, pattern flips) end. They give the search
/// and the MIP their incumbent, but the MIP's bound needs most of the time:
/// on a 60 s run of Iris or WDBC they take 2–5 s and never reach it; on a
/// 3 s run they would take the whole limit without it.
pub const WARM_START_SHARE: f64 = 0.3;

/// Share of the time limit kept after the full MIP for polishing its
/// incumbent (one LP) and computing the report: on the bundled datasets
/// that takes well under 5 % of a 3 s run.
pub const FINISH_SHARE: f64 = 0.05;

/// Largest share of the remaining time the optional bound stages (the root
/// LP of each bound stage, the Lipschitz cut loop) may take, whatever their
/// own setting asks: they serve the full MIP, which keeps at least the
/// other half.
pub const BOUND_STAGE_SHARE: f64 = 0.5;

/// Share of a gradient start's time slice for the gradient network; the
/// fine-tune on the grid gets the rest. Their default epochs are 3000 and
/// 2000 of about the same cost each, so a slice that cannot hold both is
/// cut in that proportion.
pub const GRADIENT_SHARE_OF_START: f64 = 0.6;

/// Largest share of the time left that the proven lower bounds may take
/// before the full MIP: measured (docs/training.md, docs/benchmarks.md),
/// the Lipschitz-margin LP with its default 3,000 pairs takes 0.2–0.3 s on
/// Iris, 0.7 s on Wine and 1.9–2.4 s on WDBC on 2 cores, and the path-norm
/// bound converges in 0.2–0.4 s on Iris and 5–14 s on Wine and improves for
/// 30 s and more on WDBC; both prove 5–15 times what the MIP's bound does,
/// which stays at its root LP's value (docs/benchmarks.md), while the MIP
/// after the search rarely finds a better network. So the bounds and the
/// MIP share the time after the search evenly. The unit-columns
/// decomposition, third, gets what the first two leave (the path-norm
/// keeps at most `PATH_NORM_SHARE` of it: `stages/lower_bounds.rs`); on
/// Iris it converges in 1–5 s, on Wine it needs 5–40 s.
pub const LOWER_BOUND_SHARE: f64 = 0.5;

/// Least time the lower bounds get while the MIP still has that much:
/// Iris's LP takes 0.3–0.6 s alone and more on a loaded machine, and an LP
/// stopped early proves nothing.
pub const LOWER_BOUND_FLOOR_SECONDS: f64 = 1.0;

/// The cutoff tightening rebuilds the MILP (about one build's time, not
/// interruptible) to shorten the full MIP; it runs only when the MIP has at
/// least this many builds' time left, so a short or spent budget is not
/// overrun by a rebuild the MIP has no time to use.
pub const TIGHTEN_MIN_BUILDS: f64 = 2.0;

/// Least time limit handed to an LP or MIP, even when the budget is spent:
/// enough for HiGHS to load the model and its start and return a status
/// (the polish LP of a bundled dataset solves in 10–50 ms), so the run ends
/// with a certified network rather than none.
pub const MIN_SOLVE_SECONDS: f64 = 0.1;

/// The margin by which a run may exceed its time limit, in seconds, on top
/// of [`OVERSHOOT_SHARE`] of the limit: the work the budget cannot
/// interrupt (one gradient epoch, the model builds, HiGHS's checks of its
/// own time limit, the [`MIN_SOLVE_SECONDS`] floors of the last solves).
/// Measured with the CLI (process start to exit) on a shared 2-core
/// machine, 4→8→K: Iris at 3 and 20 s and WDBC at 5–20 s ended within 0.6 s
/// of their limit, digits (64 features, 1,347 samples, a polish LP longer
/// than the whole limit) at 10 s within 0.2 s. A model whose build alone
/// takes longer than the limit overshoots by that build.
pub const OVERSHOOT_SECONDS: f64 = 2.0;

/// The margin's part that grows with the limit: HiGHS checks its time limit
/// between nodes and LP iterations, so a longer MIP can end a little later
/// past it.
pub const OVERSHOOT_SHARE: f64 = 0.1;

/// The wall-clock budget of one training run.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    start: Instant,
    limit: f64,
}

impl Budget {
    /// Starts the clock on a run of `limit` seconds.
    pub fn start(limit: f64) -> Budget {
        Budget {
            start: Instant::now(),
            limit,
        }
    }

    /// The time limit, in seconds.
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// The most a run of `limit` seconds may take, its margin included.
    pub fn worst_case(limit: f64) -> f64 {
        limit * (1.0 + OVERSHOOT_SHARE) + OVERSHOOT_SECONDS
    }

    /// Seconds since the run started.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Seconds left of the limit (0 once it has passed).
    pub fn remaining(&self) -> f64 {
        (self.limit - self.elapsed()).max(0.0)
    }

    /// Whether the limit has passed.
    pub fn spent(&self) -> bool {
        self.remaining() <= 0.0
    }

    fn at(&self, seconds: f64) -> Instant {
        self.start + Duration::from_secs_f64(seconds.max(0.0))
    }

    /// When the warm starts must end.
    pub fn warm_start_deadline(&self) -> Instant {
        self.at(WARM_START_SHARE * self.limit)
    }

    /// Whether the warm starts' share is used up.
    pub fn warm_starts_over(&self) -> bool {
        Instant::now() >= self.warm_start_deadline()
    }

    /// When gradient start `i` (0-based) of `starts` must end: an equal
    /// slice of what is left of the warm starts' share, so one slow start
    /// does not leave the others nothing and the last one may use what the
    /// earlier ones left.
    pub fn gradient_start_deadline(&self, i: usize, starts: usize) -> Instant {
        let now = Instant::now();
        let end = self.warm_start_deadline();
        let left = end.saturating_duration_since(now);
        let starts_left = u32::try_from(starts.saturating_sub(i)).unwrap_or(u32::MAX).max(1);
        now + left / starts_left
    }

    /// When the gradient network of a start that began at `started` and
    /// must end by `deadline` stops: its share of the slice.
    pub fn gradient_deadline(started: Instant, deadline: Instant) -> Instant {
        started
            + deadline
                .saturating_duration_since(started)
                .mul_f64(GRADIENT_SHARE_OF_START)
    }

    /// When the polish LPs of gradient start `i` must end: the first
    /// start's may take the run's time (the run needs a network), later
    /// ones end with the warm starts' share.
    pub fn start_polish_deadline(&self, i: usize) -> Instant {
        if i == 0 {
            self.end()
        } else {
            self.warm_start_deadline()
        }
    }

    /// Seconds the pattern flips may take when they ask for `requested`:
    /// at most what is left of the warm starts' share.
    pub fn flip_seconds(&self, requested: f64) -> f64 {
        requested.min(self.warm_start_remaining())
    }

    /// Seconds left of the warm starts' share (0 once it is used up).
    pub fn warm_start_remaining(&self) -> f64 {
        self.warm_start_deadline()
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    }

    /// Seconds left before the reserve kept for the end of the run.
    fn before_finish(&self) -> f64 {
        (self.remaining() - FINISH_SHARE * self.limit).max(0.0)
    }

    /// Seconds for the neighbourhood search: `share` of what is left before
    /// the finish when the full MIP follows it, all of it otherwise.
    pub fn search_seconds(&self, share: f64, mip_follows: bool) -> f64 {
        if mip_follows {
            share * self.before_finish()
        } else {
            self.before_finish()
        }
    }

    /// Whether the full MIP has more than [`MIN_SOLVE_SECONDS`] left
    /// before the finish.
    pub fn mip_has_time(&self) -> bool {
        self.before_finish() > MIN_SOLVE_SECONDS
    }

    /// Time limit of the full MIP: what is left before the finish, at least
    /// [`MIN_SOLVE_SECONDS`].
    pub fn mip_seconds(&self) -> f64 {
        self.before_finish().max(MIN_SOLVE_SECONDS)
    }

    /// Seconds for the proven lower bounds: [`LOWER_BOUND_SHARE`] of what
    /// is left, at least [`LOWER_BOUND_FLOOR_SECONDS`] while the MIP has
    /// that much.
    pub fn lower_bound_seconds(&self) -> f64 {
        (self.remaining() * LOWER_BOUND_SHARE).max(LOWER_BOUND_FLOOR_SECONDS.min(self.mip_seconds()))
    }

    /// Whether the MIP's time left pays for rebuilding the MILP, a build
    /// taking `build_seconds` (see [`TIGHTEN_MIN_BUILDS`]).
    pub fn rebuild_pays(&self, build_seconds: f64) -> bool {
        self.mip_seconds() > TIGHTEN_MIN_BUILDS * build_seconds
    }

    /// Seconds for the full MIP and the neighbourhood search run alongside
    /// it: both get what the MIP would get after the search.
    pub fn alongside_seconds(&self) -> f64 {
        self.mip_seconds()
    }

    /// When the run's time limit passes.
    pub fn end(&self) -> Instant {
        self.at(self.limit)
    }

    /// Time limit of a solve that must end by `deadline`: the time until
    /// then, at least [`MIN_SOLVE_SECONDS`].
    pub fn solve_seconds_until(deadline: Instant) -> f64 {
        deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            .max(MIN_SOLVE_SECONDS)
    }

    /// Seconds an optional bound stage asking for `requested` may take: at
    /// most [`BOUND_STAGE_SHARE`] of what is left before the finish.
    pub fn bound_stage_seconds(&self, requested: f64) -> f64 {
        requested.min(BOUND_STAGE_SHARE * self.before_finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_within_the_limit() {
        let b = Budget::start(10.0);
        assert!(b.mip_has_time());
        let warm = b.warm_start_remaining();
        assert!(warm <= WARM_START_SHARE * 10.0 && warm > WARM_START_SHARE * 10.0 - 0.5);
        // The search and the MIP after it share what is left before the finish.
        let search = b.search_seconds(0.5, true);
        assert!(search <= 0.5 * (1.0 - FINISH_SHARE) * 10.0 + 1e-9);
        assert!(b.mip_seconds() <= (1.0 - FINISH_SHARE) * 10.0 + 1e-9);
        assert!(b.bound_stage_seconds(1e9) <= BOUND_STAGE_SHARE * 10.0);
        assert_eq!(b.bound_stage_seconds(0.0), 0.0);
    }

    #[test]
    fn a_spent_budget_still_gives_each_solve_its_floor() {
        let b = Budget::start(0.0);
        assert!(b.spent());
        assert!(!b.mip_has_time());
        assert_eq!(b.remaining(), 0.0);
        assert_eq!(b.search_seconds(0.5, true), 0.0);
        assert_eq!(b.mip_seconds(), MIN_SOLVE_SECONDS);
        assert_eq!(Budget::solve_seconds_until(b.end()), MIN_SOLVE_SECONDS);
        assert!(b.warm_starts_over());
    }

    #[test]
    fn gradient_starts_share_the_warm_start_time_evenly() {
        let b = Budget::start(100.0);
        let end = b.warm_start_deadline();
        let first = b.gradient_start_deadline(0, 3);
        let last = b.gradient_start_deadline(2, 3);
        let third = (end - Instant::now()).as_secs_f64() / 3.0;
        assert!(((first - Instant::now()).as_secs_f64() - third).abs() < 0.1);
        assert!(
            last <= end && (end - last).as_secs_f64() < 0.1,
            "the last start may use the rest"
        );
        // Any number of starts (a config file's) divides without overflow.
        let many = b.gradient_start_deadline(0, 1usize << 32);
        assert!(many <= end);
    }
}
