//! What `report.json` holds: the run's report and each stage's part of it.

use crate::events::Step;
use crate::lns::KindReport;
use crate::settings::TrainSettings;
use mipnet_bounds::{BoundError, ProvenBound};
use mipnet_formulate::{Certificate, ModelStats, Rule, RuleCheck, ARGMAX_GAP_WARNING};
use serde::Serialize;
use std::time::Instant;

/// A network one step of a stage produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageReport {
    pub stage: Step,
    /// The gradient seed of the start this stage worked on, if any.
    pub seed: Option<u64>,
    /// The MILP objective of the stage's network (by its forward pass);
    /// none for the gradient network, which is not on the MILP's grid.
    pub objective: Option<f64>,
    pub train_accuracy: f64,
    pub seconds: f64,
}

/// The best objective after each part of the pipeline, and how often each
/// step found a new best network (a certified one).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Best projected or fine-tuned start (before any LP).
    pub warm_start: Option<f64>,
    /// Best after the LP polish of the starts.
    pub polish: Option<f64>,
    /// Best after the search rounds, pattern flips and the
    /// large-neighbourhood search.
    pub search: Option<f64>,
    /// The returned network's (after the full MIP).
    pub end: f64,
    /// Step name → number of new best networks it found.
    pub improvements: std::collections::BTreeMap<String, usize>,
}

impl Progress {
    pub(crate) fn of(
        records: &[StageReport],
        improvements: std::collections::BTreeMap<String, usize>,
        end: f64,
    ) -> Progress {
        let best = |steps: &[Step]| {
            records
                .iter()
                .filter(|s| steps.contains(&s.stage))
                .filter_map(|s| s.objective)
                .fold(None, |b: Option<f64>, o| Some(b.map_or(o, |b| b.min(o))))
        };
        Progress {
            warm_start: best(&[Step::Projection, Step::Finetune]),
            polish: best(&[Step::Polish]),
            search: best(&[Step::Polish, Step::Search, Step::Flip, Step::Lns]),
            end,
            improvements,
        }
    }
}

/// The gradient network beside the MILP's, on the same split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    /// Fraction of its weights exactly 0.
    pub weight_sparsity: f64,
    /// Magnitude-pruned to the MILP network's weight sparsity.
    pub pruned_to_milp_sparsity_train_accuracy: f64,
    pub pruned_to_milp_sparsity_test_accuracy: Option<f64>,
    /// The run's rules checked on the gradient network, as the certificate
    /// checks them (monotonicity by the sign condition on every path, so
    /// "broken" there means the condition fails, not that a decreasing
    /// stretch was found); empty without rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleReport>,
}

/// When the full MIP ran, relative to the neighbourhood search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MipSchedule {
    /// `--no-mip`.
    #[serde(rename = "none")]
    None,
    #[serde(rename = "after the search")]
    AfterSearch,
    /// `stages.mip_alongside_search`, when the run could (2+ threads, the
    /// search on, memory for the copies).
    #[serde(rename = "alongside the search")]
    AlongsideSearch,
}

impl MipSchedule {
    pub fn name(self) -> &'static str {
        match self {
            MipSchedule::None => "none",
            MipSchedule::AfterSearch => "after the search",
            MipSchedule::AlongsideSearch => "alongside the search",
        }
    }
}

/// One stage of the MILP's bounds before the full MIP: how many ReLU
/// binaries and how large a big-M it leaves, and what its LP relaxation
/// proves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoundStage {
    /// "interval" (the model as built: interval bounds), "cutoff" (after
    /// the objective-cutoff tightening) or "cuts" (after the Lipschitz cut
    /// loop).
    pub stage: String,
    pub relu_binaries: usize,
    /// Mean U − L over the ReLU binaries.
    pub mean_big_m: f64,
    /// The LP relaxation's value: a lower bound on every network's
    /// objective. None when `stages.root_lp_seconds` is 0 (the default) or
    /// too short.
    pub root_lp_bound: Option<f64>,
    /// Seconds of the stage (its rebuild or cut loop, and its LP).
    pub seconds: f64,
}

/// What the objective-cutoff tightening did to the MILP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tightening {
    /// The incumbent's objective f*, and the ℓ1 budget f*/α it gives.
    pub cutoff: f64,
    pub l1_budget: f64,
    /// Whether the tightened model replaced the first (only when it is
    /// tighter somewhere).
    pub applied: bool,
    /// ReLU binaries and mean big-M (U − L) before and after.
    pub relu_binaries_before: usize,
    pub relu_binaries_after: usize,
    pub mean_big_m_before: f64,
    pub mean_big_m_after: f64,
    pub seconds: f64,
}

/// What the root cut loop did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CutReport {
    pub candidate_pairs: usize,
    pub candidates: usize,
    pub rounds: usize,
    pub cuts_added: usize,
    /// Value of the LP relaxation before any cut.
    pub root_bound_before: Option<f64>,
    /// … and after the last round.
    pub root_bound_after: Option<f64>,
    pub seconds: f64,
}

/// The large-neighbourhood search's report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LnsReport {
    pub rounds: usize,
    pub seconds: f64,
    /// Objective before and after the search.
    pub objective_before: f64,
    pub objective_after: f64,
    pub kinds: Vec<KindReport>,
    /// New best networks handed to the full MIP running alongside (0 when
    /// it runs after the search).
    pub handed_to_mip: usize,
}

/// One lower-bound method's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LowerBoundReport {
    /// The method (`lipschitz-margin`).
    pub method: String,
    /// The certified bound: no network of the formulation scores below it.
    /// None when the method gave no bound (see `note`).
    pub bound: Option<f64>,
    pub seconds: f64,
    /// Rounds the method ran (1 for the Lipschitz-margin LP, column
    /// generation rounds for the others); None without a bound.
    pub rounds: Option<usize>,
    /// What it took (pairs, rows), or why it gave no bound.
    pub note: String,
    /// What of this method the full MIP was given (`stages.bound_rows`):
    /// None when it was given nothing, e.g. the MIP did not run.
    pub given_to_mip: Option<GivenToMip>,
    /// The Lipschitz-margin LP's active sample pairs, largest multiplier
    /// first (empty for the other methods): the full MIP's output-pair rows.
    #[serde(skip)]
    pub active_pairs: Vec<(usize, usize)>,
}

/// The rows a bound method's result became in the full MIP's model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GivenToMip {
    /// The objective floor (this method's bound), when it was the best.
    pub floor: Option<f64>,
    /// Output-pair rows added, and the sample pairs they came from.
    pub pair_rows: usize,
    pub pairs: usize,
}

/// The objective floor the full MIP was given, if any: its dual bound is
/// then at least this floor from the root on, which is the method's proof
/// passed through, not HiGHS's own bound.
pub fn mip_floor(methods: &[LowerBoundReport]) -> Option<f64> {
    methods
        .iter()
        .find_map(|m| m.given_to_mip.as_ref().and_then(|g| g.floor))
}

/// The name under which the full MIP's own dual bound is reported.
pub const MIP_METHOD: &str = "highs-mip";

/// The MIP's dual bound counts as its own proof only when it exceeds every
/// method's bound by this relative amount: the methods' best bound is given
/// to the MIP as an objective floor (stages/lower_bounds.rs), so a MIP bound
/// at that floor (up to the solver's tolerances) is the method's proof
/// passed through, not the MIP's.
pub const MIP_OWN_BOUND_MARGIN: f64 = 1e-6;

/// The best proven bound and its method: the methods' bounds and the full
/// MIP's own dual bound (`mip`), whichever is highest; the MIP's only when
/// above the methods' by [`MIP_OWN_BOUND_MARGIN`].
pub fn best_bound(methods: &[LowerBoundReport], mip: Option<f64>) -> Option<(f64, String)> {
    let best_method = methods
        .iter()
        .filter_map(|m| m.bound.map(|b| (b, m.method.clone())))
        .filter(|(b, _)| b.is_finite())
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let mip = mip.filter(|b| b.is_finite()).map(|b| (b, MIP_METHOD.to_string()));
    match (best_method, mip) {
        (Some(m), Some(h)) if h.0 > m.0 + MIP_OWN_BOUND_MARGIN * m.0.abs().max(1.0) => Some(h),
        (Some(m), _) => Some(m),
        (None, h) => h,
    }
}

/// The proof in words: "no network of this architecture scores below B: the
/// returned one (objective O) is within G % of the best".
pub fn bound_in_words(objective: f64, bound: Option<(f64, &str)>) -> String {
    match bound {
        Some((b, method)) if b > 0.0 => {
            let gap = if objective > 0.0 {
                100.0 * ((objective - b) / objective).max(0.0)
            } else {
                0.0
            };
            format!(
                "no network of this architecture scores below {b:.6} ({method}): \
                 the returned one ({objective:.6}) is within {gap:.1} % of the best"
            )
        }
        _ => format!(
            "no lower bound above 0 was proven: the returned network ({objective:.6}) is not proven near the best"
        ),
    }
}

/// What became of a start network handed to the run (`train_from`, a
/// region rule's later rounds).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GivenStartReport {
    /// Fine-tuned once more with the fixed decisions' points, since its
    /// repair alone left one broken.
    pub fine_tuned: bool,
    /// It (or its polish) beat the gradient starts' incumbent and became
    /// the incumbent.
    pub incumbent: bool,
    /// Why it was dropped (it still broke a rule); then it was not
    /// offered at all.
    pub dropped: Option<String>,
}

/// Everything `report.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    pub dataset: String,
    pub n_train: usize,
    pub n_test: usize,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub weight_sparsity: f64,
    pub params_total: usize,
    pub params_kept: usize,
    pub neurons_kept: Vec<usize>,
    /// Neurons of each hidden layer (filters of a convolution) that affect
    /// an output: not constant, on a nonzero path to an output (what
    /// `mipnet show` prints).
    pub neurons_effective: Vec<usize>,
    /// Objective of the returned network.
    pub objective: f64,
    /// The best proven lower bound on the optimum: the highest of the bound
    /// methods' (`lower_bounds`) and the full MIP's own (`mip_dual_bound`).
    /// None when neither ran.
    pub dual_bound: Option<f64>,
    /// Which proved `dual_bound`: a method of `lower_bounds`, or `highs-mip`.
    pub bound_method: Option<String>,
    /// (objective − dual_bound) / objective.
    pub mip_gap: Option<f64>,
    /// The full MIP's own dual bound, None without the MIP. When a lower
    /// bound method's entry says `given_to_mip.floor` (see [`mip_floor`]),
    /// the MILP it solved held that bound as an objective floor, so once its
    /// root LP is solved this is at least that floor (before, HiGHS reports
    /// 0): compare with a run with `--no-bound-rows` for the solver's bound
    /// alone.
    pub mip_dual_bound: Option<f64>,
    /// Each bound method's certified bound, seconds, and what it took (or
    /// why it gave none): the methods before the full MIP unless
    /// `stages.lower_bounds` is off, then branch-and-price when
    /// `stages.prove_seconds` is above 0.
    pub lower_bounds: Vec<LowerBoundReport>,
    /// The proof in words.
    pub bound_summary: String,
    /// The full MIP's status, or `not_run`.
    pub status: String,
    /// The step whose network was returned.
    pub found_by: Step,
    pub solve_seconds: f64,
    pub build_seconds: f64,
    pub total_seconds: f64,
    pub columns: usize,
    pub binaries: usize,
    pub rows: usize,
    pub nonzeros: usize,
    pub model: ModelStats,
    /// The root cut loop, when it ran.
    pub cuts: Option<CutReport>,
    /// The large-neighbourhood search, when it ran.
    pub lns: Option<LnsReport>,
    /// The objective-cutoff tightening before the full MIP, when it ran.
    pub tightening: Option<Tightening>,
    /// The bound stages before the full MIP (none without it): ReLU
    /// binaries, mean big-M, root LP bound and seconds of each.
    pub bounds: Vec<BoundStage>,
    /// When the full MIP ran.
    pub mip_schedule: MipSchedule,
    /// Networks of the search that the solver took to check while the MIP
    /// ran alongside (it keeps one as its incumbent when it is feasible in
    /// the full model and better than its own).
    pub mip_user_solutions: usize,
    pub stages: Vec<StageReport>,
    /// The best objective after each part of the pipeline.
    pub progress: Progress,
    /// When each better certified network (by step) and each better proven
    /// lower bound (by method) was found: both series monotone.
    pub trace: Vec<crate::trace::TracePoint>,
    pub baseline: Baseline,
    /// The same run without its rules, in a share of the time limit
    /// (`train_compared`, `--compare-unconstrained`); omitted otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconstrained: Option<crate::compare::Unconstrained>,
    /// Why the run without rules failed, when it did (`unconstrained` is
    /// then omitted; the rules run is the result all the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconstrained_failure: Option<String>,
    /// Each region rule: whether the verifier proved it on the returned
    /// network, and the counterexamples added; empty without region rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<crate::region_rules::RegionReport>,
    /// Each rule of the settings, described, and whether it holds on the
    /// returned network (the certificate's check, in f64); empty without
    /// rules.
    pub rules: Vec<RuleReport>,
    /// Warm starts dropped because they broke a rule after their repair
    /// (a given start among them).
    pub starts_dropped_by_rules: usize,
    /// What became of the start network handed to the run; omitted when
    /// none was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_start: Option<GivenStartReport>,
    /// What the returned network's rules do not say, in words, one line
    /// each: a fairness rule that holds at its margin while the plain
    /// argmax rates (predict's classes) differ by more than its gap.
    /// Omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub certificate: Certificate,
    pub solver: String,
    pub settings: TrainSettings,
    pub mipnet_version: &'static str,
}

/// One rule of the run and whether the returned network keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleReport {
    /// The rule as configured.
    pub rule: Rule,
    /// The rule in words ([`Rule::describe`]).
    pub description: String,
    pub holds: bool,
    /// What was counted or measured, in words.
    pub detail: String,
}

/// The warnings of a run's rule checks ([`TrainReport::warnings`]): each
/// fairness rule that holds at its margin while its argmax rates differ
/// by more than its gap, numbered as in the settings.
pub fn rule_warnings(checks: &[RuleCheck]) -> Vec<String> {
    checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.detail.starts_with(ARGMAX_GAP_WARNING))
        .map(|(i, c)| {
            let said = c.detail.split(". ").next().unwrap_or(&c.detail);
            format!("rule {} ({}): {said}", i + 1, c.rule.describe())
        })
        .collect()
}

impl From<&RuleCheck> for RuleReport {
    fn from(c: &RuleCheck) -> Self {
        RuleReport {
            rule: c.rule.clone(),
            description: c.rule.describe(),
            holds: c.holds,
            detail: c.detail.clone(),
        }
    }
}

/// A certified lower bound may lie above a certified network's objective
/// only by rounding: by more than this share of the objective (at least
/// of 1) it is a defect, and the bound is withdrawn, never reported.
pub const WITHDRAW_ABOVE: f64 = 1e-9;

/// Withdraws every bound of `reports` above `objective` (a certified
/// network's, by its forward pass) by more than [`WITHDRAW_ABOVE`]: its
/// `bound` becomes None and its note says why. Returns how many.
pub(crate) fn withdraw_bounds_above(reports: &mut [LowerBoundReport], objective: f64) -> usize {
    let mut withdrawn = 0;
    for r in reports.iter_mut() {
        if let Some(b) = r
            .bound
            .filter(|&b| b > objective + WITHDRAW_ABOVE * objective.abs().max(1.0))
        {
            r.note = format!(
                "bound {b:.9} withdrawn: above the objective {objective:.9} of a certified network (a defect, please report it); {}",
                r.note
            );
            r.bound = None;
            withdrawn += 1;
        }
    }
    withdrawn
}

/// A method's report from its result: its bound, seconds, rounds and
/// `note` of it, or why it gave none.
pub(crate) fn bound_report(
    method: &str,
    started: Instant,
    result: Result<ProvenBound, BoundError>,
    note: impl Fn(&ProvenBound) -> String,
) -> LowerBoundReport {
    match result {
        Ok(b) => LowerBoundReport {
            method: b.method.to_string(),
            bound: Some(b.value),
            seconds: b.seconds,
            rounds: Some(b.rounds),
            note: note(&b),
            given_to_mip: None,
            active_pairs: b.active_pairs.clone(),
        },
        Err(e) => LowerBoundReport {
            method: method.to_string(),
            bound: None,
            seconds: started.elapsed().as_secs_f64(),
            rounds: None,
            note: match e {
                BoundError::NotApplicable(why) => format!("no bound method applies: {why}"),
                other => other.to_string(),
            },
            given_to_mip: None,
            active_pairs: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_above_a_certified_objective_is_withdrawn_and_said() {
        let method = |bound: Option<f64>| LowerBoundReport {
            method: "m".into(),
            bound,
            seconds: 0.0,
            rounds: Some(1),
            note: "tree".into(),
            given_to_mip: None,
            active_pairs: Vec::new(),
        };
        let mut reports = vec![
            method(Some(0.5)),
            method(Some(0.5 + 1e-12)),
            method(Some(0.6)),
            method(None),
        ];
        assert_eq!(withdraw_bounds_above(&mut reports, 0.5), 1);
        assert_eq!(reports[0].bound, Some(0.5), "equal stands");
        assert_eq!(reports[1].bound, Some(0.5 + 1e-12), "rounding stands");
        assert_eq!(reports[2].bound, None);
        assert!(reports[2].note.contains("withdrawn") && reports[2].note.ends_with("tree"));
        assert_eq!(reports[3].bound, None);
    }
}
