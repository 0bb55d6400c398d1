//! `solver.time_limit` is the run's wall time: every stage (gradient
//! starts, fine-tune, polish, search, bound stages, full MIP) takes its
//! share of one budget, so a run ends within the documented margin
//! ([`Budget::worst_case`]) even when the defaults would spend far longer
//! on the warm starts alone.

use mipnet_data::{Bundled, Dataset};
use mipnet_highs::HighsSolver;
use mipnet_train::{train, Budget, Job, Silent, TrainError, TrainSettings};
use std::time::Instant;

/// Trains `data` with the default pipeline (3 gradient starts of 3000 +
/// 2000 epochs, search rounds, neighbourhood search, full MIP) for
/// `limit` seconds; returns the wall time of `train` and the report's.
fn run(data: &Dataset, hidden: usize, limit: f64) -> (f64, f64) {
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![hidden];
    settings.solver.time_limit = limit;
    settings.solver.threads = Some(2);
    let job = Job {
        dataset: data.name.clone(),
        train: data,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    let clock = Instant::now();
    let out = train(&job, &mut Silent::default(), None).expect("a network");
    let wall = clock.elapsed().as_secs_f64();
    assert!(out.report.certificate.passed);
    (wall, out.report.total_seconds)
}

/// WDBC (426 training samples, 30 features) at 2 s: the three default
/// gradient starts alone took longer than that before the budget, and
/// `bench --quick` (5 s) took 23 s in all.
#[test]
fn a_short_run_on_wdbc_ends_within_its_limit_and_margin() {
    let all = Bundled::Wdbc.load();
    let (train_set, _) = all.split_stratified(0.25, 0).unwrap();
    let limit = 2.0;
    let (wall, reported) = run(&train_set, 8, limit);
    let most = Budget::worst_case(limit);
    assert!(
        wall <= most,
        "took {wall:.2} s, more than {most:.2} s for a {limit} s limit"
    );
    assert!(reported <= wall + 1e-6);
}

/// A model far too large is refused from its estimated size before
/// anything is built or trained (it spent 15–40 s building sample models
/// before).
#[test]
fn a_model_too_large_is_refused_at_once() {
    let all = Bundled::Iris.load();
    let mut settings = TrainSettings::default();
    settings.formulation.hidden = vec![100_000];
    let job = Job {
        dataset: "iris".into(),
        train: &all,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    let clock = Instant::now();
    let err = match train(&job, &mut Silent::default(), None) {
        Ok(_) => panic!("100,000 hidden neurons were trained"),
        Err(e) => e,
    };
    let took = clock.elapsed().as_secs_f64();
    assert!(matches!(err, TrainError::TooLarge(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("would not fit in memory") && message.contains("GiB"),
        "{message}"
    );
    assert!(took < 2.0, "the refusal took {took:.2} s");
}

/// Digits (1,347 samples, 64 features) at 1 s: the first start's polish LP
/// alone takes longer, so the run keeps the certified fine-tuned start and
/// skips the full MIP (loading and presolving it took 1.7 s past the
/// limit for no bound) rather than overrun.
#[test]
fn a_spent_budget_skips_the_full_mip_and_keeps_a_certified_network() {
    let all = Bundled::Digits.load();
    let mut settings = TrainSettings::default();
    settings.solver.time_limit = 1.0;
    settings.solver.threads = Some(2);
    let job = Job {
        dataset: "digits".into(),
        train: &all,
        test: None,
        settings: &settings.clone().check(&HighsSolver).unwrap(),
        solver: &HighsSolver,
    };
    let clock = Instant::now();
    let out = train(&job, &mut Silent::default(), None).expect("a network");
    let wall = clock.elapsed().as_secs_f64();
    let r = &out.report;
    assert!(r.certificate.passed);
    assert_eq!(r.status, "not_run");
    assert_eq!(r.dual_bound, None);
    let most = Budget::worst_case(1.0);
    assert!(wall <= most, "took {wall:.2} s, more than {most:.2} s for a 1 s limit");
}
