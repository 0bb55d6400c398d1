//! A run from a given start (`train_from`) that is interrupted before it
//! begins, or whose time limit is far shorter than the start's handling,
//! ends normally: no panic, a certified network returned, the status
//! saying the MIP was interrupted or never started, and the report's gradient baseline a gradient
//! network that was trained (the first gradient start always runs, so
//! the baseline is never missing; review finding F1).

use mipnet_data::Dataset;
use mipnet_highs::HighsSolver;
use mipnet_network::Network;
use mipnet_solver::InterruptFlag;
use mipnet_train::{train, train_from, GivenStartReport, Job, Silent, Step, TrainOutcome, TrainSettings};

mod support;
use support::clusters;

fn settings(seconds: f64) -> TrainSettings {
    let mut s = TrainSettings::default();
    s.formulation.hidden = vec![2];
    s.solver.time_limit = seconds;
    s.solver.threads = Some(1);
    s
}

/// Seconds the start network trains for.
const START_SECONDS: f64 = 2.0;

/// A time limit far below what the given start's projection, fine-tune
/// and polish take, so the warm starts' share (30 % of it) is over before
/// the gradient starts' turn.
const TINY_SECONDS: f64 = 1e-3;

/// A time limit long enough for a whole run on 24 samples.
const AMPLE_SECONDS: f64 = 30.0;

/// A certified network of the job's architecture to start from.
fn start_network(data: &Dataset) -> Network {
    trained_start(data).0
}

/// [`start_network`] and its objective.
fn trained_start(data: &Dataset) -> (Network, f64) {
    let s = settings(START_SECONDS).check(&HighsSolver).unwrap();
    let job = Job {
        dataset: "clusters".into(),
        train: data,
        test: None,
        settings: &s,
        solver: &HighsSolver,
    };
    let out = train(&job, &mut Silent::default(), None).unwrap();
    (out.network, out.report.objective)
}

/// `train_from(start)` with `seconds` of time limit and `interrupt`.
fn run_from(data: &Dataset, start: &Network, seconds: f64, interrupt: Option<&InterruptFlag>) -> TrainOutcome {
    let s = settings(seconds).check(&HighsSolver).unwrap();
    let job = Job {
        dataset: "clusters".into(),
        train: data,
        test: None,
        settings: &s,
        solver: &HighsSolver,
    };
    train_from(&job, start, &mut Silent::default(), interrupt).expect("a network, not an error")
}

/// The returned network passed its certificate, and the report's baseline
/// is a gradient network that was trained in this run.
fn assert_certified_with_a_baseline(out: &TrainOutcome, data: &Dataset) {
    let r = &out.report;
    assert!(r.certificate.passed, "{:?}", r.certificate);
    assert_eq!(r.train_accuracy, out.network.accuracy(data));
    let gradient_starts = r.stages.iter().filter(|st| st.stage == Step::Gradient).count();
    assert!(gradient_starts >= 1, "no gradient start ran: {:?}", r.stages);
    assert!(
        (0.0..=1.0).contains(&r.baseline.train_accuracy),
        "{}",
        r.baseline.train_accuracy
    );
}

#[test]
fn an_interrupt_raised_before_a_run_from_a_given_start_ends_it_with_a_certified_network() {
    let data = clusters();
    let start = start_network(&data);
    let interrupt = InterruptFlag::new();
    interrupt.raise();
    let out = run_from(&data, &start, AMPLE_SECONDS, Some(&interrupt));
    assert_certified_with_a_baseline(&out, &data);
    assert_eq!(out.report.status, "interrupted", "{:?}", out.report.stages);
    assert!(
        out.report.total_seconds < AMPLE_SECONDS / 2.0,
        "the interrupted run took {} s",
        out.report.total_seconds
    );
}

#[test]
fn a_run_from_a_given_start_with_no_time_for_the_gradient_starts_ends_without_the_mip() {
    let data = clusters();
    let start = start_network(&data);
    let out = run_from(&data, &start, TINY_SECONDS, None);
    assert_certified_with_a_baseline(&out, &data);
    // The status is the full MIP's, which had no time left to start.
    assert_eq!(out.report.status, "not_run", "{:?}", out.report.stages);
}

/// A given start better than the gradient starts' networks is returned
/// when the warm starts are not polished: it comes after the gradient
/// starts, so it meets an incumbent already, and it must still be offered
/// to it (review finding M2: it was offered only when there was none, so
/// without the polish a region round's start was ignored).
#[test]
fn a_given_start_better_than_the_gradient_starts_is_returned_without_the_polish() {
    let data = clusters();
    let (start, start_objective) = trained_start(&data);
    let mut s = settings(TINY_SECONDS);
    s.stages.polish = false;
    let s = s.check(&HighsSolver).unwrap();
    let job = Job {
        dataset: "clusters".into(),
        train: &data,
        test: None,
        settings: &s,
        solver: &HighsSolver,
    };
    let out = train_from(&job, &start, &mut Silent::default(), None).expect("a network, not an error");
    assert!(out.report.certificate.passed, "{:?}", out.report.certificate);
    assert_eq!(
        out.report.given_start,
        Some(GivenStartReport {
            fine_tuned: false,
            incumbent: true,
            dropped: None,
        })
    );
    // The start trained for seconds; the gradient starts of a run this
    // short barely train, so the start (on the grid already, its
    // projection is itself) must be what is returned.
    assert!(
        out.report.objective <= start_objective + 1e-9,
        "returned {} but the given start scores {start_objective}",
        out.report.objective
    );
}
