//! Two stages at once: a [`BesideStage`] (the full MIP) on a thread of its
//! own, a [`Stage`] (the neighbourhood search) in the foreground on the
//! run's other threads, both for the time the MIP would have after the
//! search.
//!
//! Run one after the other, the search and the MIP split the time left
//! after the warm starts (see [`crate::Budget`]), and the MIP starts its
//! tree (root cuts, bound) only when the search is done. Run together,
//! every new incumbent of the foreground stage is handed to the running
//! MIP ([`mipnet_solver::TakesSolutions`]): the solver checks it against
//! the full model and keeps it as its incumbent when it is better, so its
//! pruning uses the search's networks while its bound keeps rising. The
//! MIP's own incumbent is taken into the run at its end, polished and
//! certified like every other network.

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::memory::copies_that_fit;
use crate::run::Run;
use crate::stage::{BesideStage, Partner, Stage, StageName};
use mipnet_solver::{Control, InterruptFlag, Observer, Progress, SolutionFeed, SolveRequest, TakesSolutions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

/// How often the foreground's thread passes the MIP's progress on once the
/// foreground stage has ended and the MIP runs to its own limit.
const FORWARD_EVERY: Duration = Duration::from_millis(100);

/// Copies of the model the MIP's side holds (the solver's and the copy
/// handed to its thread); the foreground's sub-MIPs fit beside them.
const MIP_MODEL_COPIES: usize = 2;

/// A foreground stage and a stage beside it.
pub(crate) struct Alongside<F, B> {
    pub foreground: F,
    pub beside: B,
}

/// What the beside stage's thread and the foreground share.
struct Shared {
    /// The newest incumbent of the foreground, not yet taken by the solver.
    offer: Mutex<Option<Vec<f64>>>,
    /// The beside stage's solve has ended (set even if its thread panics).
    finished: AtomicBool,
    /// Stops the solve: the user's interrupt, an observer's, or a failed
    /// foreground stage. The solver checks it at every callback.
    stop: InterruptFlag,
}

/// Marks the solve as ended when its thread leaves, however it leaves.
struct Finished<'a>(&'a AtomicBool);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The solve's observer: sends progress to the foreground's thread.
struct SolveProgress(Sender<Progress>);

impl Observer for SolveProgress {
    fn on_progress(&mut self, progress: &Progress) -> Control {
        // The foreground's thread may have stopped listening; that is fine.
        let _ = self.0.send(*progress);
        Control::Continue
    }
}

/// Hands the foreground's newest incumbent to the solver when it asks.
struct Offers<'a>(&'a Shared);

impl SolutionFeed for Offers<'_> {
    fn next_solution(&mut self) -> Option<Vec<f64>> {
        self.0.offer.lock().ok()?.take()
    }
}

/// The foreground's side of the link.
struct Link<'a> {
    shared: &'a Shared,
    progress: Receiver<Progress>,
    /// The user's interrupt flag, passed on to the solve.
    interrupt: Option<&'a InterruptFlag>,
    /// The objective last offered.
    offered_objective: f64,
    offered: usize,
    threads_left: usize,
    seconds: f64,
}

impl Partner for Link<'_> {
    /// Offers the incumbent `x` if it is better than the last one offered
    /// (replacing one the solver has not taken yet).
    fn offer(&mut self, x: &[f64], objective: f64) {
        if objective < self.offered_objective {
            if let Ok(mut slot) = self.shared.offer.lock() {
                *slot = Some(x.to_vec());
                self.offered_objective = objective;
                self.offered += 1;
            }
        }
    }

    /// Passes the solve's progress reports on to `obs`; an observer's
    /// interrupt, or the user's, stops the solve.
    fn forward(&mut self, obs: &mut dyn TrainObserver) {
        for p in self.progress.try_iter() {
            if obs.solver().on_progress(&p) == Control::Interrupt {
                self.shared.stop.raise();
            }
        }
        if self.interrupt.is_some_and(|f| f.is_raised()) {
            self.shared.stop.raise();
        }
    }

    fn finished(&self) -> bool {
        self.shared.finished.load(Ordering::Acquire)
    }

    fn threads_left(&self) -> usize {
        self.threads_left
    }

    fn seconds(&self) -> f64 {
        self.seconds
    }

    fn offered(&self) -> usize {
        self.offered
    }
}

impl<F: Stage, B: BesideStage> Stage for Alongside<F, B> {
    /// Named by the stage beside, whose result ends the pair.
    fn name(&self) -> StageName {
        self.beside.name()
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        let seconds = run.budget.alongside_seconds();
        // One thread for the solve, the others for the foreground.
        let Some(solve) = self.beside.prepare(run, obs, seconds, 1) else {
            return Ok(());
        };
        let shared = Shared {
            offer: Mutex::new(None),
            finished: AtomicBool::new(false),
            stop: InterruptFlag::new(),
        };
        let (tx, rx) = channel();
        // The foreground changes the run while the solve runs: the solve
        // gets its own copy of the model.
        let model = run.f.model.clone();
        let model_bytes = run.findings.model_bytes;
        let mut link = Link {
            shared: &shared,
            progress: rx,
            interrupt: run.interrupt,
            offered_objective: run.incumbent().unwrap_or(f64::INFINITY),
            offered: 0,
            threads_left: run
                .threads()
                .saturating_sub(1)
                .min(copies_that_fit(model_bytes).saturating_sub(MIP_MODEL_COPIES))
                .max(1),
            seconds,
        };
        let solver = run.solver;
        let result = std::thread::scope(|scope| {
            let solving = scope.spawn(|| {
                let _finished = Finished(&shared.finished);
                let mut req = SolveRequest::new(&model, &solve.options).interrupt(&shared.stop);
                if let Some(start) = &solve.start {
                    req = req.start(start);
                }
                TakesSolutions::solve_with_feed(solver, req, &mut SolveProgress(tx), &mut Offers(&shared))
            });
            let foreground = self.foreground.run(run, obs, Some(&mut link));
            if foreground.is_err() {
                shared.stop.raise();
            }
            // The foreground is done; the solve runs to its own limit.
            while !solving.is_finished() {
                link.forward(obs);
                std::thread::sleep(FORWARD_EVERY);
            }
            link.forward(obs);
            let solved = solving.join();
            // The foreground's error first: it is why the solve was stopped.
            foreground?;
            solved
                .map_err(|_| TrainError::NoNetwork("the full MIP's thread panicked".into()))?
                .map_err(TrainError::from)
        })?;
        obs.stage(&format!(
            "full MIP: {} of the search's {} new best networks taken to check",
            result.user_solutions, link.offered
        ));
        self.beside.finish(run, result, obs)
    }
}
