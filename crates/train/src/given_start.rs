//! A start network handed to the pipeline ([`crate::train_from`]), e.g. a
//! region round's incumbent re-solved under its new counterexamples. It is
//! treated as a warm start: projected onto the MILP's feasible set (grid
//! weights, box, neuron order) and repaired for the rules it can be
//! repaired for; when it still breaks a rule and the rules hold fixed
//! decisions, it is fine-tuned once more (grid weights frozen, layer 1 and
//! biases within ±ω) on the training data with each fixed decision's
//! point added [`POINT_COPIES`] times, and repaired again. Only a network
//! whose every column value `DenseFormulation::start_values` accepts (it
//! keeps every rule) is polished and offered as the incumbent, which the
//! certificate checks; otherwise the start is dropped, said so, and the
//! gradient starts go on as without it. It never reaches HiGHS as
//! feasible unless it is.

use crate::error::TrainError;
use crate::events::{Step, TrainObserver};
use crate::report::GivenStartReport;
use crate::run::Run;
use crate::settings::TrainSettingError;
use mipnet_data::Dataset;
use mipnet_formulate::{project, Rule};
use mipnet_network::Network;
use std::time::{Duration, Instant};

/// How many times each fixed decision's point joins the training data of
/// the start's extra fine-tune: one sample among hundreds barely moves the
/// hinge loss, and a counterexample is a hard rule; 20 copies weigh it as
/// a small class without swamping the data (the bundled region examples
/// have 24–400 samples).
pub const POINT_COPIES: usize = 20;

/// Share of the run's remaining time the start's extra fine-tune may
/// take: it comes after the gradient starts, whose share may be spent, and
/// a tenth leaves the search and the MIP most of the rest (the fine-tune
/// of a small network takes far less).
const FINETUNE_SHARE: f64 = 0.1;

/// Share of the run's remaining time the start's polish LPs may take when
/// the gradient starts left an incumbent: a polish of a small network takes
/// far less, and a large one must not eat the search's and the MIP's time.
const POLISH_SHARE: f64 = 0.25;

/// Refuses a start that does not read the run's data as the run does:
/// other features, classes, standardizer or layer widths.
fn check_fits(run: &Run, net: &Network) -> Result<(), TrainError> {
    let refuse = |why: String| {
        Err(TrainError::Settings(TrainSettingError::Other(format!(
            "start network: {why}"
        ))))
    };
    if let Err(why) = net.check() {
        return refuse(format!("it is not a consistent network: {why}"));
    }
    if net.feature_names != run.train.feature_names {
        return refuse(format!(
            "it reads features {:?}, the training data has {:?}",
            net.feature_names, run.train.feature_names
        ));
    }
    if net.class_names != run.train.class_names {
        return refuse(format!(
            "its classes are {:?}, the training data's {:?}",
            net.class_names, run.train.class_names
        ));
    }
    if net.standardizer.mean != run.standardizer.mean || net.standardizer.std != run.standardizer.std {
        return refuse("it was trained on other data (its standardizer differs from the run's)".into());
    }
    let widths: Vec<usize> = net.layers.iter().map(|l| l.outputs()).collect();
    let mut expected = run.settings.formulation.hidden.clone();
    expected.push(run.train.num_classes());
    if run.settings.formulation.conv.is_some() || widths != expected {
        return refuse(format!(
            "its layers have widths {widths:?}, the run's architecture {expected:?} (dense)"
        ));
    }
    Ok(())
}

/// The training data with each fixed decision's point (standardized as
/// the data) added [`POINT_COPIES`] times with its class; none when the
/// rules hold no fixed decision.
fn with_points(run: &Run) -> Option<Dataset> {
    let points: Vec<(Vec<f64>, usize)> = run
        .settings
        .formulation
        .rules
        .iter()
        .filter_map(|r| match r {
            Rule::FixedDecision { point, class, .. } => {
                let raw: Vec<f64> = run.train.feature_names.iter().map(|f| point[f]).collect();
                let c = run.train.class_names.iter().position(|n| n == class)?;
                Some((run.standardizer.apply(&raw), c))
            }
            _ => None,
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let data = &run.train;
    let mut x: Vec<f64> = (0..data.len()).flat_map(|n| data.row(n).to_vec()).collect();
    let mut y = data.labels().to_vec();
    for (p, c) in &points {
        for _ in 0..POINT_COPIES {
            x.extend(p);
            y.push(*c);
        }
    }
    Some(Dataset::new(
        data.name.clone(),
        data.feature_names.clone(),
        data.class_names.clone(),
        x,
        y,
    ))
}

/// Offers `net` to the run as a warm start (see the module docs), after
/// the gradient starts (the first of which is the report's baseline) and
/// before the search rounds; its fine-tune takes at most
/// [`FINETUNE_SHARE`] of the remaining time, its polish [`POLISH_SHARE`]
/// (the run's end when there is no incumbent yet). What became of it is
/// the report's `given_start`.
pub(crate) fn consider_given_start(
    run: &mut Run,
    net: &Network,
    obs: &mut dyn TrainObserver,
) -> Result<(), TrainError> {
    check_fits(run, net)?;
    let s = run.settings;
    let t = Instant::now();
    let mut start = run.repair_for_rules(&project(net, &s.formulation));
    let mut fine_tuned = false;
    let mut x = run.f.start_values(&start);
    // An interrupted run skips the extra fine-tune (the gradient trainer
    // has a deadline, not the interrupt).
    let points = if run.stopped() { None } else { with_points(run) };
    if let (Err(why), Some(data)) = (&x, points) {
        obs.stage(&format!(
            "the given start breaks a rule ({why}); fine-tuning it with the fixed decisions' points"
        ));
        let deadline = Instant::now() + Duration::from_secs_f64(FINETUNE_SHARE * run.budget.remaining());
        let tuned = run.finetune_on(
            &start,
            &data,
            s.stages.finetune_epochs.max(1),
            s.gradient.learning_rate,
            deadline,
        );
        start = run.repair_for_rules(&tuned);
        x = run.f.start_values(&start);
        fine_tuned = true;
    }
    let x = match x {
        Ok(x) => x,
        Err(why) => {
            obs.stage(&format!("the given start dropped: {why}"));
            run.findings.dropped_starts += 1;
            run.findings.given_start = Some(GivenStartReport {
                fine_tuned,
                incumbent: false,
                dropped: Some(why),
            });
            return Ok(());
        }
    };
    let step = if fine_tuned { Step::Finetune } else { Step::Projection };
    run.record(step, None, &start, t.elapsed().as_secs_f64());
    let obj = run.f.objective_of(&start);
    if run.findings.best_start.as_ref().is_none_or(|(o, _)| obj < *o) {
        run.findings.best_start = Some((obj, x.clone()));
    }
    // The gradient starts ran first, so there is usually an incumbent
    // already: the polished start and the start itself are both offered,
    // and each replaces it only when better (also without the polish, or
    // when its LP ends without a solution).
    let before = run.best.as_ref().map(|b| b.objective());
    if s.stages.polish {
        // With an incumbent already, the polish must leave the search and
        // the MIP their time; without one the run needs this network.
        let deadline = if before.is_some() {
            Instant::now() + Duration::from_secs_f64(POLISH_SHARE * run.budget.remaining())
        } else {
            run.budget.start_polish_deadline(0)
        };
        run.polish_and_consider(&x, Step::Polish, None, deadline)?;
    }
    let net = run.with_standardizer(start);
    run.consider(x, net, step);
    let incumbent = match (before, run.best.as_ref()) {
        (None, Some(_)) => true,
        (Some(b), Some(now)) => now.objective() < b,
        (_, None) => false,
    };
    obs.stage(&format!(
        "the given start{} offered (objective {obj:.6}): {}",
        if fine_tuned {
            ", fine-tuned with the fixed decisions' points,"
        } else {
            ""
        },
        if incumbent {
            "it (or its polish) is the incumbent"
        } else {
            "the gradient starts' incumbent is better"
        }
    ));
    run.findings.given_start = Some(GivenStartReport {
        fine_tuned,
        incumbent,
        dropped: None,
    });
    Ok(())
}
