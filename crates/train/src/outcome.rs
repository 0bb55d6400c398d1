//! The run's end: the incumbent as the returned network, and the report
//! from what the stages found.

use crate::error::TrainError;
use crate::job::Job;
use crate::report::{best_bound, bound_in_words, withdraw_bounds_above, Baseline, Progress, RuleReport, TrainReport};
use crate::run::Run;
use mipnet_data::Dataset;
use mipnet_gradient::magnitude_prune;
use mipnet_network::Network;

/// The trained network and its report.
pub struct TrainOutcome {
    pub network: Network,
    pub report: TrainReport,
}

fn accuracy_or_none(net: &Network, data: Option<&Dataset>) -> Option<f64> {
    data.filter(|d| !d.is_empty()).map(|d| net.accuracy(d))
}

/// The returned network and the report of a finished run.
pub(crate) fn outcome(job: &Job, run: Run) -> Result<TrainOutcome, TrainError> {
    let s = run.settings;
    let total_seconds = run.budget.elapsed();
    let solver = run.solver.name();
    let findings = run.findings;
    let Some(best) = run.best else {
        return Err(match findings.failed_certificate {
            Some(c) => TrainError::Certificate(c.failure.unwrap_or_default()),
            None if findings.dropped_starts > 0 => TrainError::NoNetwork(format!(
                "every warm start broke a rule and was dropped, and the solver ended with status {} and no solution",
                findings.mip.status
            )),
            None => TrainError::NoNetwork(format!(
                "the solver ended with status {} and no solution",
                findings.mip.status
            )),
        });
    };
    let grad = findings.gradient.expect("at least one gradient start");
    let baseline_rules = run.f.rule_checks(&grad);
    let mut network = best.network;
    network.settings = serde_json::to_value(s).expect("settings serialize");
    let objective = best.certificate.objective_forward;
    let mip_dual_bound = findings.mip.dual_bound;
    let mut lower_bounds = findings.lower_bounds;
    // A stage after a bound was proven may have found a better network:
    // no bound may stand above the returned network's certified objective.
    withdraw_bounds_above(&mut lower_bounds, objective);
    let best_bound = best_bound(&lower_bounds, mip_dual_bound);
    let bound_summary = bound_in_words(objective, best_bound.as_ref().map(|(b, m)| (*b, m.as_str())));
    let (dual_bound, bound_method) = match best_bound {
        Some((b, m)) => (Some(b), Some(m)),
        None => (None, None),
    };
    let mip_gap = dual_bound.map(|b| {
        if objective > 0.0 {
            ((objective - b) / objective).max(0.0)
        } else {
            0.0
        }
    });
    let sparsity = network.weight_sparsity();
    let pruned = magnitude_prune(&grad, sparsity);
    let stats = findings.stats;
    let report = TrainReport {
        dataset: job.dataset.clone(),
        n_train: job.train.len(),
        n_test: job.test.map_or(0, |t| t.len()),
        train_accuracy: network.accuracy(job.train),
        test_accuracy: accuracy_or_none(&network, job.test),
        weight_sparsity: sparsity,
        params_total: network.params_total(),
        params_kept: network.params_kept(),
        neurons_kept: network.neurons_kept(),
        neurons_effective: network.neurons_effective(),
        objective,
        dual_bound,
        bound_method,
        mip_gap,
        mip_dual_bound,
        lower_bounds,
        bound_summary,
        status: findings.mip.status,
        found_by: best.found_by,
        solve_seconds: findings.mip.seconds,
        build_seconds: findings.build_seconds,
        total_seconds,
        columns: stats.columns,
        binaries: stats.binaries,
        rows: stats.rows,
        nonzeros: stats.nonzeros,
        model: stats,
        cuts: findings.cuts,
        lns: findings.lns,
        tightening: findings.tightening,
        bounds: findings.bounds,
        mip_schedule: findings.mip.schedule,
        mip_user_solutions: findings.mip.user_solutions,
        progress: Progress::of(&findings.records, findings.improvements, objective),
        trace: findings.trace.into_points(),
        stages: findings.records,
        baseline: Baseline {
            train_accuracy: grad.accuracy(job.train),
            test_accuracy: accuracy_or_none(&grad, job.test),
            weight_sparsity: grad.weight_sparsity(),
            pruned_to_milp_sparsity_train_accuracy: pruned.accuracy(job.train),
            pruned_to_milp_sparsity_test_accuracy: accuracy_or_none(&pruned, job.test),
            rules: baseline_rules.iter().map(RuleReport::from).collect(),
        },
        unconstrained: None,
        unconstrained_failure: None,
        regions: Vec::new(),
        rules: best.certificate.rules.iter().map(RuleReport::from).collect(),
        starts_dropped_by_rules: findings.dropped_starts,
        given_start: findings.given_start.clone(),
        warnings: crate::report::rule_warnings(&best.certificate.rules),
        certificate: best.certificate,
        solver,
        settings: s.clone(),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    };
    Ok(TrainOutcome { network, report })
}
