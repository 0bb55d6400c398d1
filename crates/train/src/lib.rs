//! Exact training of dense ReLU classifiers: a pipeline around the solver.
//!
//! HiGHS on the training MILP alone returns the zero network and proves
//! nothing (its LP relaxation is 0), so the trainer works in one direction,
//! each stage taking the previous stage's network and handing on a better
//! one:
//!
//! 1. **gradient**: Adam on the same architecture (seeded) — also the
//!    report's baseline;
//! 2. **projection** onto the MILP's feasible set (grid weights, box,
//!    neuron order; scale moves into layer 1);
//! 3. **fine-tune**: Adam again with the grid weights frozen and layer 1
//!    clipped to the box (quantization-aware);
//! 4. **LP polish**: every binary fixed at the network's values (activation
//!    patterns, grid weights); the LP left in the continuous weights is
//!    solved exactly;
//! 5. **search**: fine-tune/polish rounds, pattern flips, then the exact
//!    large-neighbourhood search ([`lns`]): sub-MIPs around the incumbent;
//! 6. **bounds**: the model as built, the objective-cutoff tightening, the
//!    proven lower bounds, the cut loop;
//! 7. **full MIP** with the best network as MIP start, for a better network
//!    and the dual bound; a better incumbent is polished in turn. It runs
//!    after the search, or alongside it, fed the search's new bests.
//!
//! Steps 1–4 are the `warm-starts` stage; each stage is one file of
//! `stages/` (named by [`StageName`]), and [`train`] is the list of them,
//! built from the settings. A stage takes the run's incumbent
//! (`incumbent.rs`, which owns "better") and leaves a better one or the
//! same; `alongside.rs` runs two stages at once.
//!
//! `solver.time_limit` is the whole run's wall time: one [`Budget`],
//! started when [`train`] starts, hands every stage its share (see
//! `budget.rs` for the shares and the margin a run may exceed it by).
//!
//! Every network that leaves a stage as a result has passed the
//! certificate check: its forward pass in f64 reproduces the MILP's
//! activations, outputs, losses and objective.
//!
//! Rules (`formulation.rules`) are checked against the data before
//! anything is built; every start is repaired for them
//! (`DenseFormulation::repair_for_rules`) and dropped when it still breaks
//! one, so the solver is never handed an infeasible start; the
//! certificate checks them on every incumbent. When the full MIP proves
//! that no network keeps them all, `rules.rs` names the rules involved.

mod alongside;
pub mod budget;
mod compare;
mod error;
mod events;
mod fairness_groups;
mod fairness_repair;
mod given_start;
mod incumbent;
mod job;
pub mod lns;
mod memory;
mod outcome;
mod polish;
mod recall_repair;
mod region_rules;
mod relaxation;
mod report;
mod rules;
mod run;
mod settings;
mod solver;
mod stage;
mod stages;
mod trace;

pub use budget::Budget;
pub use compare::{train_compared, Unconstrained, DEFAULT_UNCONSTRAINED_SHARE};
pub use error::TrainError;
pub use events::{RunStage, RunStatus, Silent, Step, TrainEvent, TrainObserver};
pub use given_start::POINT_COPIES;
pub use incumbent::{BETTER_TOLERANCE, MIN_RELATIVE_GAIN};
pub use job::Job;
pub use outcome::TrainOutcome;
pub use region_rules::{RegionReport, REGION_VERDICTS_KEY};
pub use report::{
    best_bound, mip_floor, Baseline, BoundStage, CutReport, GivenStartReport, GivenToMip, LnsReport, LowerBoundReport,
    MipSchedule, Progress, RuleReport, StageReport, Tightening, TrainReport, MIP_METHOD, MIP_OWN_BOUND_MARGIN,
};
pub use rules::RULE_ALONE_SECONDS;
pub use settings::{
    overlay, CheckedSettings, DataSource, MissingRows, OutputSettings, RunConfig, SolverSettings, Stages,
    TrainSettingError, TrainSettings, MAX_PROVE_SECONDS, MAX_TIME_LIMIT,
};
pub use solver::TrainSolver;
pub use stage::StageName;
pub use trace::TracePoint;

use alongside::Alongside;
use events::RunStage as Shown;
use mipnet_data::Standardizer;
use mipnet_formulate::{check_class_weights, check_rules, DenseFormulation, Rule, Tolerances};
use mipnet_network::Network;
use mipnet_solver::InterruptFlag;
use mipnet_verify::VerifySolver;
use run::{Findings, MipFindings, Run};
use stage::Stage;
use stages::branch_and_price::BranchAndPrice;
use stages::cut_loop::CutLoop;
use stages::cutoff_tightening::CutoffTightening;
use stages::full_mip::FullMip;
use stages::interval_bounds::IntervalBounds;
use stages::lower_bounds::LowerBounds;
use stages::neighbourhood_search::NeighbourhoodSearch;
use stages::pattern_flips::PatternFlips;
use stages::search_rounds::SearchRounds;
use stages::warm_starts::WarmStarts;
use std::sync::Arc;
use std::time::Instant;

/// Runs the whole pipeline: builds the MILP, then runs the stages the
/// settings switch on, in order, on one incumbent.
pub fn train(
    job: &Job,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    train_with(job, None, obs, interrupt)
}

/// [`train`], with `verifier` for the region rules' counterexample loop
/// (`region_rules.rs`): a job with region rules needs it.
pub fn train_verified(
    job: &Job,
    verifier: Arc<dyn VerifySolver>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    train_with(job, Some(verifier), obs, interrupt)
}

/// [`train`] from `start` as well: a network of the job's architecture
/// trained on the same data (its features, classes and standardizer),
/// offered after the gradient starts as one more warm start — projected,
/// repaired for the rules, fine-tuned with the fixed decisions' points
/// when it breaks one, and dropped when it still does (never handed to
/// the solver as feasible unless it is; `given_start.rs`). Region rules
/// are refused here (their loop gives each round its own start).
pub fn train_from(
    job: &Job,
    start: &Network,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    if job
        .settings
        .formulation
        .rules
        .iter()
        .any(|r| matches!(r, Rule::Region { .. }))
    {
        return Err(TrainError::Settings(TrainSettingError::Other(
            "rules: train_from takes no region rules (train_verified runs their loop, each round from the round before's network)".into(),
        )));
    }
    train_grouped(job, Some(start), obs, interrupt)
}

/// [`train`] with an optional verifier for region rules.
pub(crate) fn train_with(
    job: &Job,
    verifier: Option<Arc<dyn VerifySolver>>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    let rules = &job.settings.formulation.rules;
    if !rules.iter().any(|r| matches!(r, Rule::Region { .. })) {
        return train_grouped(job, None, obs, interrupt);
    }
    // Names and boxes checked against the data before any work.
    check_rules(rules, job.train).map_err(TrainSettingError::from)?;
    match verifier {
        Some(v) => region_rules::train_regions(job, v, obs, interrupt),
        None => Err(TrainError::Settings(TrainSettingError::Other(
            "rules: region rules need a verifier (mipnet_train::train_verified)".into(),
        ))),
    }
}

/// [`train`] without region rules, from `start` too when given.
pub(crate) fn train_grouped(
    job: &Job,
    start: Option<&Network>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    // Fairness rules' groups come from the raw data, and a group column
    // kept out of the inputs leaves the data here.
    match fairness_groups::with_groups(job)? {
        Some(grouped) => train_job(&grouped.job(job), start, obs, interrupt),
        None => train_job(job, start, obs, interrupt),
    }
}

/// [`train`] on a job whose fairness rules have their groups.
fn train_job(
    job: &Job,
    start: Option<&Network>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    // A feature budget is not passed to the gradient starts
    // (`gradient.max_features` stays the user's): masked, every start
    // read the same few features by their ℓ2 norm, and the search rarely
    // swaps them; on the WDBC rules example (120 s) the end objective
    // was 0.622 and 1.057 on split seeds 0 and 1 against 0.412 and 0.715
    // with the starts unmasked and repaired to the budget.
    let s: &TrainSettings = job.settings;
    let mut run = build(job, job.solver, obs, interrupt)?;
    // The gradient starts first (the first always runs: it is the
    // report's baseline), then the given start, then the search rounds
    // and flips from the best of them.
    let stages = warm_starts(s);
    let (gradient_starts, improving) = stages.split_at(1);
    run_stages(gradient_starts, &mut run, obs)?;
    if let Some(net) = start {
        // An interrupted run with an incumbent ends without more work.
        if !(run.stopped() && run.best.is_some()) {
            given_start::consider_given_start(&mut run, net, obs)?;
        }
    }
    run_stages(improving, &mut run, obs)?;
    // Decided once the warm starts have an incumbent to search from.
    run.findings.mip.schedule = mip_schedule(&run, obs);
    run_stages(&after_warm_starts(s, run.findings.mip.schedule), &mut run, obs)?;
    run.started(obs, Shown::Finishing);
    let proven_infeasible = run.findings.mip.status == mipnet_solver::Status::Infeasible.as_str();
    if run.best.is_none() && proven_infeasible && !s.formulation.rules.is_empty() {
        return Err(rules::cannot_all_hold(&run, obs));
    }
    outcome::outcome(job, run)
}

/// The stages a run with settings `s` runs, in order, when the full MIP
/// runs as asked (alongside the search, or after it); the pair of stages
/// run alongside is named by the full MIP.
pub fn stage_names(s: &TrainSettings) -> Vec<StageName> {
    let schedule = match (s.stages.mip, s.stages.mip_alongside_search) {
        (false, _) => MipSchedule::None,
        (true, false) => MipSchedule::AfterSearch,
        (true, true) => MipSchedule::AlongsideSearch,
    };
    warm_starts(s)
        .iter()
        .chain(after_warm_starts(s, schedule).iter())
        .map(|stage| stage.name())
        .collect()
}

/// The stages that find the first incumbent and improve it by LPs.
fn warm_starts(s: &TrainSettings) -> Vec<Box<dyn Stage>> {
    let st = &s.stages;
    let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(WarmStarts {
        starts: st.gradient_starts,
        finetune_epochs: st.finetune_epochs,
        polish: st.polish,
    })];
    if st.polish && st.search_rounds > 0 {
        stages.push(Box::new(SearchRounds {
            rounds: st.search_rounds,
            epochs: st.search_epochs,
            learning_rate: st.search_learning_rate,
        }));
    }
    if st.polish && st.flip_rounds > 0 {
        stages.push(Box::new(PatternFlips {
            rounds: st.flip_rounds,
            candidates: st.flip_candidates,
            seconds: st.flip_seconds,
        }));
    }
    stages
}

/// The search, the bound stages and the full MIP, which runs `schedule`.
fn after_warm_starts(s: &TrainSettings, schedule: MipSchedule) -> Vec<Box<dyn Stage>> {
    let st = &s.stages;
    let search = (st.polish && st.lns_share > 0.0).then_some(NeighbourhoodSearch {
        share: st.lns_share,
        mip_follows: st.mip,
        sub_seconds: st.lns_sub_seconds,
    });
    let (search_first, search_beside) = match schedule {
        MipSchedule::AlongsideSearch => (None, search),
        _ => (search, None),
    };
    let mut stages: Vec<Box<dyn Stage>> = Vec::new();
    if let Some(search) = search_first {
        stages.push(Box::new(search));
    }
    if st.mip {
        stages.push(Box::new(IntervalBounds));
    }
    if st.mip && st.cutoff_tightening && s.formulation.l1 > 0.0 {
        stages.push(Box::new(CutoffTightening));
    }
    if st.lower_bounds {
        stages.push(Box::new(LowerBounds {
            max_pairs: st.lower_bound_pairs,
        }));
    }
    if st.mip && st.lipschitz_cuts {
        stages.push(Box::new(CutLoop {
            neighbours: st.cut_neighbours,
            rounds: st.cut_rounds,
            cuts_per_round: st.cuts_per_round,
            seconds: st.cut_seconds,
        }));
    }
    if st.mip {
        stages.push(match search_beside {
            Some(search) => Box::new(Alongside {
                foreground: search,
                beside: FullMip,
            }),
            None => Box::new(FullMip),
        });
    }
    if st.prove_seconds > 0.0 {
        stages.push(Box::new(BranchAndPrice {
            seconds: st.prove_seconds,
        }));
    }
    stages
}

/// Runs `stages` in order on `run`.
fn run_stages(stages: &[Box<dyn Stage>], run: &mut Run, obs: &mut dyn TrainObserver) -> Result<(), TrainError> {
    for stage in stages {
        stage.run(run, obs, None)?;
    }
    Ok(())
}

/// Standardizes the data, checks the model fits, builds the MILP.
fn build<'a>(
    job: &Job<'a>,
    solver: &'a dyn TrainSolver,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&'a InterruptFlag>,
) -> Result<Run<'a>, TrainError> {
    let s: &TrainSettings = job.settings;
    // The time limit is the run's wall time from here on.
    let budget = Budget::start(s.solver.time_limit);
    // Images for a convolution share one scale (see Standardizer::fit_global).
    let standardizer = if s.formulation.conv.is_some() {
        Standardizer::fit_global(job.train)
    } else {
        Standardizer::fit(job.train)
    };
    // Rules name the data's features and classes: refused here, before
    // anything is built, when they do not fit it.
    check_rules(&s.formulation.rules, job.train).map_err(TrainSettingError::from)?;
    check_class_weights(&s.formulation.class_weights, job.train).map_err(TrainSettingError::from)?;
    let train = job.train.standardized(&standardizer);
    let estimate = memory::check_fits(&train, s)?;
    obs.event(&TrainEvent::StageStarted(RunStatus {
        stage: Shown::Building,
        incumbent: None,
        time_limit: budget.limit(),
    }));
    obs.stage(&format!(
        "building the MILP (estimated {} nonzeros, {:.2} GiB)",
        estimate.nonzeros,
        if s.stages.mip {
            estimate.bytes
        } else {
            estimate.bytes_without_mip
        } / (1u64 << 30) as f64
    ));
    let t = Instant::now();
    // A fixed decision's point is in the data's own units: the formulation
    // standardizes it as the training data was.
    let f = DenseFormulation::build_with_standardizer(&train, &s.formulation, &standardizer, None)
        .map_err(TrainSettingError::from)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let stats = f.stats();
    obs.stage(&format!(
        "MILP: {} columns ({} binaries), {} rows, {} nonzeros, built in {build_seconds:.2} s",
        stats.columns, stats.binaries, stats.rows, stats.nonzeros
    ));
    Ok(Run {
        settings: s,
        budget,
        solver,
        interrupt,
        f,
        train,
        raw_train: job.train,
        standardizer,
        tol: Tolerances::default(),
        best: None,
        findings: Findings {
            build_seconds,
            stats,
            model_bytes: estimate.bytes,
            gradient: None,
            records: Vec::new(),
            improvements: Default::default(),
            best_start: None,
            dropped_starts: 0,
            given_start: None,
            failed_certificate: None,
            lns: None,
            tightening: None,
            bounds: Vec::new(),
            lower_bounds: Vec::new(),
            cuts: None,
            trace: Default::default(),
            mip: MipFindings {
                schedule: MipSchedule::None,
                status: "not_run".to_string(),
                dual_bound: None,
                seconds: 0.0,
                user_solutions: 0,
            },
        },
    })
}

/// Least copies of the model that must fit for the MIP to run beside the
/// search: the solver's, the MIP thread's, and one sub-MIP.
const ALONGSIDE_MODEL_COPIES: usize = 3;

/// When the full MIP runs: after the search, or alongside it when asked
/// and the run can (the search on, an incumbent to search from, 2 threads
/// or more, memory for the copies); otherwise says why not.
fn mip_schedule(run: &Run, obs: &mut dyn TrainObserver) -> MipSchedule {
    let st = &run.settings.stages;
    if !st.mip {
        return MipSchedule::None;
    }
    if !st.mip_alongside_search {
        return MipSchedule::AfterSearch;
    }
    let why_not = if !st.polish || st.lns_share <= 0.0 {
        Some("the search is off")
    } else if run.best.is_none() {
        Some("no polished network to search from")
    } else if run.threads() < 2 {
        Some("it needs 2 threads or more")
    } else if memory::copies_that_fit(run.findings.model_bytes) < ALONGSIDE_MODEL_COPIES {
        Some("three copies of the model would not fit in memory")
    } else {
        None
    };
    match why_not {
        Some(why) => {
            obs.stage(&format!("the full MIP runs after the search, not alongside it: {why}"));
            MipSchedule::AfterSearch
        }
        None => MipSchedule::AlongsideSearch,
    }
}

#[cfg(test)]
mod tests {
    use super::{stage_names, StageName::*, TrainSettings};

    #[test]
    fn the_settings_switch_stages_on_and_off_in_one_order() {
        let mut s = TrainSettings::default();
        s.formulation.l1 = 0.01;
        let all = [
            WarmStarts,
            SearchRounds,
            NeighbourhoodSearch,
            IntervalBounds,
            CutoffTightening,
            LowerBounds,
            FullMip,
        ];
        assert_eq!(stage_names(&s), all);
        s.stages.polish = false;
        assert_eq!(
            stage_names(&s),
            [WarmStarts, IntervalBounds, CutoffTightening, LowerBounds, FullMip]
        );
        s.stages.polish = true;
        s.stages.mip = false;
        s.stages.flip_rounds = 2;
        assert_eq!(
            stage_names(&s),
            [WarmStarts, SearchRounds, PatternFlips, NeighbourhoodSearch, LowerBounds]
        );
        // Alongside, the search runs in the full MIP's place.
        s.stages.mip = true;
        s.stages.flip_rounds = 0;
        s.stages.mip_alongside_search = true;
        s.stages.lipschitz_cuts = true;
        assert_eq!(
            stage_names(&s),
            [
                WarmStarts,
                SearchRounds,
                IntervalBounds,
                CutoffTightening,
                LowerBounds,
                CutLoop,
                FullMip
            ]
        );
    }
}
