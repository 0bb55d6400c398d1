//! The full MIP alongside the neighbourhood search.
//!
//! Run one after the other, the search and the MIP split the time left
//! after the warm starts (see [`crate::Budget`]),
//! and HiGHS starts its tree (root cuts, bound) only when the search is
//! done. Run together, the MIP takes one thread for all of that time
//! while the search's sub-MIPs take the others, and every new best network
//! of the search is handed to the running MIP through HiGHS's
//! user-solution callback ([`mipnet_solver::TakesSolutions`]): HiGHS checks it
//! against the full model and keeps it as its incumbent when it is better,
//! so its pruning uses the search's networks while its bound keeps rising.
//! The MIP's own incumbents are taken at its end, polished and certified
//! like every other network.

use crate::{copies_that_fit, large_neighbourhood_search, run_threads, LnsReport, Pipeline, TrainError, TrainObserver};
use mipnet_highs::HighsSolver;
use mipnet_solver::{
    Control, InterruptFlag, MipStart, Observer, Progress, SolutionFeed, SolveOptions, SolveRequest, SolveResult,
    TakesSolutions,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

/// What the MIP's thread and the search share.
struct Shared {
    /// The newest network the search found, not yet taken by HiGHS.
    offer: Mutex<Option<Vec<f64>>>,
    /// The MIP has ended (set even if its thread panics).
    finished: AtomicBool,
    /// Stops the MIP: the user's interrupt, an observer's, or a failed
    /// search. HiGHS checks it at every interrupt callback.
    stop: InterruptFlag,
}

/// Marks the MIP as ended when its thread leaves, however it leaves.
struct Finished<'a>(&'a AtomicBool);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The MIP thread's observer: sends progress to the search's thread.
struct MipProgress(Sender<Progress>);

impl Observer for MipProgress {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        // The search's thread may have stopped listening; that is fine.
        let _ = self.0.send(*progress);
        Control::Continue
    }
}

/// Hands the search's newest network to the MIP when it asks.
struct MipOffers<'a>(&'a Shared);

impl SolutionFeed for MipOffers<'_> {
    fn next_solution(&mut self) -> Option<Vec<f64>> {
        self.0.offer.lock().ok()?.take()
    }
}

/// The search's side: offers new bests, forwards the MIP's progress.
pub(crate) struct Feed<'a> {
    shared: &'a Shared,
    progress: Receiver<Progress>,
    /// The user's interrupt flag, passed on to the MIP.
    interrupt: Option<&'a InterruptFlag>,
    /// The objective last offered.
    offered: f64,
    /// Networks offered to the MIP.
    pub(crate) handed: usize,
}

impl Feed<'_> {
    /// Offers the incumbent `x` of objective `objective` if it is better
    /// than the last one offered (replacing one HiGHS has not taken yet).
    pub(crate) fn offer(&mut self, x: &[f64], objective: f64) {
        if objective < self.offered {
            if let Ok(mut slot) = self.shared.offer.lock() {
                *slot = Some(x.to_vec());
                self.offered = objective;
                self.handed += 1;
            }
        }
    }

    /// Passes the MIP's progress reports on to `obs`; an observer's
    /// interrupt, or the user's, stops the MIP.
    pub(crate) fn forward(&self, obs: &mut dyn TrainObserver) {
        for p in self.progress.try_iter() {
            if obs.solver().on_progress(&p) == Control::Interrupt {
                self.shared.stop.raise();
            }
        }
        if self.interrupt.is_some_and(|f| f.is_raised()) {
            self.shared.stop.raise();
        }
    }

    /// Whether the MIP has ended (solved, out of time, or failed).
    pub(crate) fn mip_finished(&self) -> bool {
        self.shared.finished.load(Ordering::Acquire)
    }
}

/// Runs the full MIP from `start` (one thread, `options`) and the
/// neighbourhood search on the run's other threads, both for `seconds`
/// (the rest of the run's budget); returns the MIP's result, the search's report and how many
/// networks the search offered to the MIP.
pub(crate) fn run(
    p: &mut Pipeline,
    options: &SolveOptions,
    seconds: f64,
    start: MipStart,
    model_bytes: f64,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<(SolveResult, Option<LnsReport>, usize), TrainError> {
    let shared = Shared {
        offer: Mutex::new(None),
        finished: AtomicBool::new(false),
        stop: InterruptFlag::new(),
    };
    let (tx, rx) = channel();
    // The search changes the pipeline while the MIP runs: the MIP gets its
    // own copy of the model (the same model: the search works on it too).
    let model = p.f.model.clone();
    let offered = p
        .best
        .as_ref()
        .map_or(f64::INFINITY, |b| b.certificate.objective_forward);
    let mut feed = Feed {
        shared: &shared,
        progress: rx,
        interrupt,
        offered,
        handed: 0,
    };
    // The search's sub-MIPs share the memory with the MIP's model and its
    // copy here.
    let threads = run_threads(p.s)
        .saturating_sub(1)
        .min(copies_that_fit(model_bytes).saturating_sub(2))
        .max(1);
    std::thread::scope(|scope| {
        let mip = scope.spawn(|| {
            let _finished = Finished(&shared.finished);
            let req = SolveRequest::new(&model, options).start(&start).interrupt(&shared.stop);
            HighsSolver.solve_with_feed(req, &mut MipProgress(tx), &mut MipOffers(&shared))
        });
        let lns = large_neighbourhood_search(p, seconds, threads, model_bytes, Some(&mut feed), obs, interrupt);
        if lns.is_err() {
            shared.stop.raise();
        }
        // The search is done; the MIP runs to its own limit.
        while !mip.is_finished() {
            feed.forward(obs);
            std::thread::sleep(Duration::from_millis(100));
        }
        feed.forward(obs);
        let mip = mip.join();
        // The search's error first: it is why the MIP was stopped.
        let lns = lns?;
        let r = mip.map_err(|_| TrainError::NoNetwork("the full MIP's thread panicked".into()))??;
        Ok((r, lns, feed.handed))
    })
}
