//! A one-line progress display for long solves, on stderr (stdout is kept
//! for results and `--json`). indicatif draws it only on a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use mipnet_solver::{Control, Observer, Progress, ProgressEvent};
use std::time::Duration;

/// Shows elapsed time, incumbent, bound, gap and nodes.
pub struct ProgressLine {
    bar: ProgressBar,
}

impl ProgressLine {
    /// A progress line; hidden when `quiet`.
    pub fn new(quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        ProgressLine { bar }
    }

    /// Prints a line above the progress line (stderr).
    pub fn println(&self, text: &str) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.6}"))
}

/// The text of one progress line.
pub fn describe(p: &Progress) -> String {
    format!(
        "{:7.1}s  incumbent {}  bound {}  gap {}  nodes {}{}",
        p.elapsed,
        show(p.primal_bound),
        show(p.dual_bound),
        p.gap.map_or_else(|| "-".into(), |g| format!("{:.2}%", 100.0 * g)),
        p.nodes,
        if p.event == ProgressEvent::Improvement {
            "  (new incumbent)"
        } else {
            ""
        }
    )
}

impl Observer for ProgressLine {
    fn on_progress(&mut self, p: &Progress) -> Control {
        self.bar.set_message(describe(p));
        Control::Continue
    }
}
