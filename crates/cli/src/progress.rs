//! A one-line progress display for long runs, on stderr (stdout is kept
//! for results and `--json`). indicatif draws it only on a terminal.
//!
//! The line's clock is indicatif's own, redrawn by its steady tick, so the
//! elapsed time moves even while a stage or the solver reports nothing (a
//! gradient start, a polish LP, HiGHS between two callbacks). Beside it: the
//! training stage and its incumbent ([`RunStatus`]) and, during a MIP, the
//! solver's incumbent, bound, gap and nodes.

use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use mipnet_solver::{Control, Observer, Progress, ProgressEvent};
use mipnet_train::{RunStage, RunStatus};
use std::fmt::Write as _;
use std::time::Duration;

/// How often the line is redrawn (its clock and spinner), with or without
/// news: often enough that the seconds visibly tick, rarely enough to cost
/// nothing.
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// What the line says besides its clock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineState {
    /// The training run's status, when the line shows one.
    run: Option<RunStatus>,
    /// The solver's last report, in the current stage.
    solver: Option<Progress>,
}

/// A training stage's short name on the line.
fn describe(stage: RunStage) -> String {
    match stage {
        RunStage::Building => "building the MILP".into(),
        RunStage::GradientStart { index, of } => format!("gradient start {index}/{of}"),
        RunStage::SearchRounds => "search rounds".into(),
        RunStage::PatternFlips => "pattern flips".into(),
        RunStage::NeighbourhoodSearch => "neighbourhood search".into(),
        RunStage::Bounds => "bounds".into(),
        RunStage::FullMip => "full MIP".into(),
        RunStage::FullMipAlongsideSearch => "full MIP + search".into(),
        RunStage::Finishing => "finishing".into(),
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.6}"))
}

impl LineState {
    /// A training stage started or its incumbent changed; the solver's
    /// figures belong to the stage they came in.
    pub fn set_run(&mut self, status: &RunStatus) {
        if self.run.is_none_or(|r| r.stage != status.stage) {
            self.solver = None;
        }
        self.run = Some(*status);
    }

    pub fn set_solver(&mut self, progress: &Progress) {
        self.solver = Some(*progress);
    }

    /// The line's text after its clock.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(r) = &self.run {
            let _ = write!(out, "of {:.0} s  {}", r.time_limit, describe(r.stage));
        }
        // The solver's incumbent is the newest while it runs; the run's
        // (certified) one otherwise.
        let incumbent = self
            .solver
            .and_then(|p| p.primal_bound)
            .or(self.run.and_then(|r| r.incumbent));
        if self.run.is_some() || self.solver.is_some() {
            let _ = write!(
                out,
                "{}incumbent {}",
                if out.is_empty() { "" } else { "  " },
                show(incumbent)
            );
        }
        if let Some(p) = &self.solver {
            let _ = write!(
                out,
                "  bound {}  gap {}  nodes {}{}",
                show(p.dual_bound),
                p.gap.map_or_else(|| "-".into(), |g| format!("{:.2}%", 100.0 * g)),
                p.nodes,
                if p.event == ProgressEvent::Improvement {
                    "  (new incumbent)"
                } else {
                    ""
                }
            );
        }
        out
    }
}

/// Shows the elapsed time (ticking), the stage, the incumbent, and the
/// solver's bound, gap and nodes.
pub struct ProgressLine {
    bar: ProgressBar,
    state: LineState,
}

/// The line's template: spinner, the clock in seconds, the text.
fn style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {seconds} {msg}")
        .expect("valid template")
        .with_key("seconds", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:7.1}s", s.elapsed().as_secs_f64());
        })
}

impl ProgressLine {
    /// A progress line, its clock started now; hidden when `quiet`.
    pub fn new(quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new_spinner();
            bar.set_style(style());
            bar.enable_steady_tick(REDRAW_EVERY);
            bar
        };
        ProgressLine {
            bar,
            state: LineState::default(),
        }
    }

    /// Prints a line above the progress line (stderr).
    pub fn println(&self, text: &str) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    /// Shows a training run's stage and incumbent.
    pub fn set_status(&mut self, status: &RunStatus) {
        self.state.set_run(status);
        self.bar.set_message(self.state.text());
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for ProgressLine {
    fn on_progress(&mut self, p: &Progress) -> Control {
        self.state.set_solver(p);
        self.bar.set_message(self.state.text());
        Control::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mip_progress(primal: f64, dual: f64) -> Progress {
        Progress {
            event: ProgressEvent::Improvement,
            elapsed: 0.6,
            primal_bound: Some(primal),
            dual_bound: Some(dual),
            gap: Some((primal - dual) / primal),
            nodes: 12,
        }
    }

    #[test]
    fn a_training_line_shows_stage_limit_and_incumbent_and_the_mip_s_figures_only_in_the_mip() {
        let mut line = LineState::default();
        let status = |stage, incumbent| RunStatus {
            stage,
            incumbent,
            time_limit: 60.0,
        };
        line.set_run(&status(RunStage::GradientStart { index: 2, of: 3 }, Some(0.25)));
        assert_eq!(line.text(), "of 60 s  gradient start 2/3  incumbent 0.250000");
        line.set_run(&status(RunStage::FullMip, Some(0.2)));
        line.set_solver(&mip_progress(0.19, 0.05));
        assert_eq!(
            line.text(),
            "of 60 s  full MIP  incumbent 0.190000  bound 0.050000  gap 73.68%  nodes 12  (new incumbent)"
        );
        // The MIP's figures do not outlive its stage.
        line.set_run(&status(RunStage::Finishing, Some(0.18)));
        assert_eq!(line.text(), "of 60 s  finishing  incumbent 0.180000");
    }

    #[test]
    fn a_plain_solve_shows_the_solver_s_figures() {
        let mut line = LineState::default();
        assert_eq!(line.text(), "");
        // Before the first incumbent: every figure in its place, as dashes.
        line.set_solver(&Progress {
            event: ProgressEvent::Tick,
            elapsed: 0.0,
            primal_bound: None,
            dual_bound: None,
            gap: None,
            nodes: 0,
        });
        assert_eq!(line.text(), "incumbent -  bound -  gap -  nodes 0");
        line.set_solver(&mip_progress(314.0, 320.0));
        assert!(
            line.text().starts_with("incumbent 314.000000  bound 320.000000"),
            "{}",
            line.text()
        );
    }
}
