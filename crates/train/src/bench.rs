//! Named benchmark suites: fixed datasets, splits, seeds and budgets, so a
//! table in the docs can be reproduced by one command. HiGHS's results vary
//! with its seed, so every run is repeated over seeds and the table shows
//! medians.

use crate::{train, TrainError, TrainObserver, TrainReport, TrainSettings};
use mipnet_data::Bundled;
use serde::Serialize;

/// One dataset of a suite.
#[derive(Clone, Debug, Serialize)]
pub struct BenchCase {
    pub dataset: &'static str,
    pub hidden: Vec<usize>,
}

/// A named suite.
#[derive(Clone, Debug, Serialize)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<BenchCase>,
    pub seeds: Vec<u64>,
    /// The settings of every run (hidden widths and seeds set per run).
    pub settings: TrainSettings,
    pub test_fraction: f64,
    pub split_seed: u64,
}

/// The suites `mipnet bench --suite` knows.
pub const SUITES: &[&str] = &["dense"];

impl Suite {
    /// The suite named `name`; `quick` shortens it to about 30 s (one
    /// seed, 5 s of MIP, shorter gradient phases).
    pub fn named(name: &str, quick: bool) -> Result<Suite, String> {
        let mut settings = TrainSettings::default();
        settings.solver.threads = Some(2);
        let cases = match name {
            "dense" => ["iris", "wine", "wdbc"]
                .into_iter()
                .map(|dataset| BenchCase {
                    dataset,
                    hidden: vec![8],
                })
                .collect(),
            other => return Err(format!("unknown suite '{other}' (suites: {})", SUITES.join(", "))),
        };
        let mut seeds = vec![0, 1, 2];
        if quick {
            seeds = vec![0];
            settings.solver.time_limit = 5.0;
            settings.gradient.epochs = 1500;
            settings.stages.finetune_epochs = 1000;
        }
        Ok(Suite {
            name: if quick {
                format!("{name} (quick)")
            } else {
                name.to_string()
            },
            cases,
            seeds,
            settings,
            test_fraction: 0.25,
            split_seed: 0,
        })
    }
}

/// Medians of one case over its seeds.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    pub dataset: String,
    pub hidden: Vec<usize>,
    pub runs: usize,
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub weight_sparsity: f64,
    pub params_kept: f64,
    pub params_total: usize,
    pub objective: f64,
    pub dual_bound: Option<f64>,
    pub mip_gap: Option<f64>,
    pub total_seconds: f64,
    pub baseline_test_accuracy: f64,
    pub baseline_weight_sparsity: f64,
    pub certificates_passed: usize,
}

/// One part of the pipeline switched off (or, for parts that are off by
/// default, on), to show what it buys at the same budget.
#[derive(Clone, Copy, Debug)]
pub struct Ablation {
    pub name: &'static str,
    apply: fn(&mut TrainSettings),
}

/// The ablations of `--ablate`, each changing one thing. Bound tightening
/// (LP-based and objective cutoff) is not among them: with one hidden layer
/// under the ω box it cannot tighten anything (see docs/benchmarks.md), and
/// mipnet does not run it in training.
pub const ABLATIONS: &[Ablation] = &[
    Ablation {
        name: "no polish",
        apply: |s| s.stages.polish = false,
    },
    Ablation {
        name: "no search",
        apply: |s| s.stages.search_rounds = 0,
    },
    Ablation {
        name: "one gradient start",
        apply: |s| s.stages.gradient_starts = 1,
    },
    Ablation {
        name: "no full MIP",
        apply: |s| s.stages.mip = false,
    },
    Ablation {
        name: "no symmetry breaking",
        apply: |s| s.formulation.symmetry_breaking = false,
    },
    Ablation {
        name: "with Lipschitz cuts",
        apply: |s| s.stages.lipschitz_cuts = true,
    },
];

/// The medians of one ablation.
#[derive(Clone, Debug, Serialize)]
pub struct AblationResult {
    pub ablation: &'static str,
    pub summaries: Vec<CaseSummary>,
    pub reports: Vec<TrainReport>,
}

/// Everything `bench.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub suite: Suite,
    pub summaries: Vec<CaseSummary>,
    pub reports: Vec<TrainReport>,
    /// With `--ablate`: the same cases with each part switched in turn.
    pub ablations: Vec<AblationResult>,
    pub solver: String,
    pub mipnet_version: &'static str,
}

/// The median of some values (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn median_opt(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    (!v.is_empty()).then(|| median(&v))
}

fn summarize(case: &BenchCase, reports: &[&TrainReport]) -> CaseSummary {
    let m = |f: &dyn Fn(&TrainReport) -> f64| median(&reports.iter().map(|r| f(r)).collect::<Vec<_>>());
    CaseSummary {
        dataset: case.dataset.to_string(),
        hidden: case.hidden.clone(),
        runs: reports.len(),
        test_accuracy: m(&|r| r.test_accuracy.unwrap_or(f64::NAN)),
        train_accuracy: m(&|r| r.train_accuracy),
        weight_sparsity: m(&|r| r.weight_sparsity),
        params_kept: m(&|r| r.params_kept as f64),
        params_total: reports.first().map_or(0, |r| r.params_total),
        objective: m(&|r| r.objective),
        dual_bound: median_opt(reports.iter().map(|r| r.dual_bound)),
        mip_gap: median_opt(reports.iter().map(|r| r.mip_gap)),
        total_seconds: m(&|r| r.total_seconds),
        baseline_test_accuracy: m(&|r| r.baseline.test_accuracy.unwrap_or(f64::NAN)),
        baseline_weight_sparsity: m(&|r| r.baseline.weight_sparsity),
        certificates_passed: reports.iter().filter(|r| r.certificate.passed).count(),
    }
}

/// Runs every case of a suite over its seeds, then (with `ablate`) again
/// for each of [`ABLATIONS`]. `progress` hears about each run as it starts.
/// An interrupt (Ctrl-C) ends the current run with what it has and skips
/// the rest; what finished is kept.
pub fn run_suite(
    suite: &Suite,
    ablate: bool,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&mipnet_solver::InterruptFlag>,
) -> Result<BenchResult, TrainError> {
    let (summaries, reports) = run_cases(suite, "", |_| {}, obs, interrupt)?;
    let mut ablations = Vec::new();
    if ablate {
        for a in ABLATIONS {
            if interrupt.is_some_and(|f| f.is_raised()) {
                break;
            }
            let (summaries, reports) = run_cases(suite, a.name, a.apply, obs, interrupt)?;
            ablations.push(AblationResult {
                ablation: a.name,
                summaries,
                reports,
            });
        }
    }
    Ok(BenchResult {
        suite: suite.clone(),
        summaries,
        reports,
        ablations,
        solver: mipnet_solver::Solver::name(&mipnet_highs::HighsSolver),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    })
}

type Runs = (Vec<CaseSummary>, Vec<TrainReport>);

fn run_cases(
    suite: &Suite,
    label: &str,
    change: fn(&mut TrainSettings),
    obs: &mut dyn TrainObserver,
    interrupt: Option<&mipnet_solver::InterruptFlag>,
) -> Result<Runs, TrainError> {
    let mut reports = Vec::new();
    let mut summaries = Vec::new();
    for case in &suite.cases {
        let data = Bundled::from_name(case.dataset)
            .expect("suite datasets are bundled")
            .load();
        let (train_set, test) = data
            .split_stratified(suite.test_fraction, suite.split_seed)
            .expect("bundled data splits");
        let first = reports.len();
        for &seed in &suite.seeds {
            if interrupt.is_some_and(|f| f.is_raised()) {
                break;
            }
            let mut s = suite.settings.clone();
            change(&mut s);
            s.formulation.hidden = case.hidden.clone();
            s.gradient.seed = seed;
            s.solver.seed = seed;
            let what = if label.is_empty() {
                String::new()
            } else {
                format!(" [{label}]")
            };
            obs.stage(&format!("bench {}{what}: {} seed {seed}", suite.name, case.dataset));
            let job = crate::Job {
                dataset: case.dataset.to_string(),
                train: &train_set,
                test: Some(&test),
                settings: &s,
            };
            reports.push(train(&job, obs, interrupt)?.report);
        }
        let mine: Vec<&TrainReport> = reports[first..].iter().collect();
        if !mine.is_empty() {
            summaries.push(summarize(case, &mine));
        }
    }
    Ok((summaries, reports))
}

fn pct(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{:.1} %", 100.0 * v)
    }
}

/// The markdown table of a bench result (medians over seeds).
pub fn markdown(r: &BenchResult) -> String {
    let s = &r.suite;
    let f = &s.settings.formulation;
    let mut out = format!(
        "Suite `{}`: {} seed(s) {:?} (gradient and HiGHS), split seed {}, test fraction {}, \
         {} s of MIP, {} threads, ω = {}, s = {}, P = {}, α = {}, loss {}; {}. Medians over seeds.\n\n",
        s.name,
        s.seeds.len(),
        s.seeds,
        s.split_seed,
        s.test_fraction,
        s.settings.solver.time_limit,
        s.settings.solver.threads.map_or("default".into(), |t| t.to_string()),
        f.omega,
        f.grid_step,
        f.grid_levels,
        f.l1,
        f.loss.name(),
        r.solver
    );
    out += "| dataset | hidden | test accuracy | sparsity | params kept | objective | bound | gap | time (s) | baseline accuracy | baseline sparsity | certified |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for c in &r.summaries {
        out += &format!(
            "| {} | {:?} | {} | {} | {:.0}/{} | {:.4} | {} | {} | {:.1} | {} | {} | {}/{} |\n",
            c.dataset,
            c.hidden,
            pct(c.test_accuracy),
            pct(c.weight_sparsity),
            c.params_kept,
            c.params_total,
            c.objective,
            c.dual_bound.map_or("-".into(), |b| format!("{b:.4}")),
            c.mip_gap.map_or("-".into(), pct),
            c.total_seconds,
            pct(c.baseline_test_accuracy),
            pct(c.baseline_weight_sparsity),
            c.certificates_passed,
            c.runs
        );
    }
    if !r.ablations.is_empty() {
        out += "\nAblations: each part switched in turn, same budget and seeds (medians; Δ = change of the \
                median against everything on).\n\n";
        out +=
            "| dataset | variant | test accuracy | sparsity | objective | Δ objective | gap | time (s) | certified |\n";
        out += "|---|---|---|---|---|---|---|---|---|\n";
        for base in &r.summaries {
            let rows = std::iter::once(("everything on", base)).chain(r.ablations.iter().filter_map(|a| {
                a.summaries
                    .iter()
                    .find(|c| c.dataset == base.dataset)
                    .map(|c| (a.ablation, c))
            }));
            for (name, c) in rows {
                out += &format!(
                    "| {} | {} | {} | {} | {:.4} | {:+.4} | {} | {:.1} | {}/{} |\n",
                    c.dataset,
                    name,
                    pct(c.test_accuracy),
                    pct(c.weight_sparsity),
                    c.objective,
                    c.objective - base.objective,
                    c.mip_gap.map_or("-".into(), pct),
                    c.total_seconds,
                    c.certificates_passed,
                    c.runs
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts_skip_nan() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert!(median(&[]).is_nan());
    }

    fn summary(dataset: &str, objective: f64) -> CaseSummary {
        CaseSummary {
            dataset: dataset.into(),
            hidden: vec![8],
            runs: 3,
            test_accuracy: 0.95,
            train_accuracy: 0.99,
            weight_sparsity: 0.5,
            params_kept: 30.0,
            params_total: 67,
            objective,
            dual_bound: Some(0.01),
            mip_gap: Some(0.9),
            total_seconds: 12.0,
            baseline_test_accuracy: 0.94,
            baseline_weight_sparsity: 0.0,
            certificates_passed: 3,
        }
    }

    #[test]
    fn the_ablation_table_has_a_row_per_dataset_and_variant_with_the_change() {
        let r = BenchResult {
            suite: Suite::named("dense", true).unwrap(),
            summaries: vec![summary("iris", 0.2), summary("wine", 0.1)],
            reports: Vec::new(),
            ablations: ABLATIONS
                .iter()
                .map(|a| AblationResult {
                    ablation: a.name,
                    summaries: vec![summary("iris", 0.25), summary("wine", 0.05)],
                    reports: Vec::new(),
                })
                .collect(),
            solver: "HiGHS".into(),
            mipnet_version: "0",
        };
        let md = markdown(&r);
        assert!(
            md.contains("| iris | everything on | 95.0 % | 50.0 % | 0.2000 | +0.0000 |"),
            "{md}"
        );
        assert!(
            md.contains("| iris | no polish | 95.0 % | 50.0 % | 0.2500 | +0.0500 |"),
            "{md}"
        );
        assert!(
            md.contains("| wine | with Lipschitz cuts | 95.0 % | 50.0 % | 0.0500 | -0.0500 |"),
            "{md}"
        );
        let rows = md
            .lines()
            .filter(|l| l.starts_with("| iris |") || l.starts_with("| wine |"))
            .count();
        assert_eq!(rows, 2 + 2 * (1 + ABLATIONS.len()));
        // Each ablation changes exactly what its name says.
        let base = TrainSettings::default();
        for a in ABLATIONS {
            let mut s = base.clone();
            (a.apply)(&mut s);
            assert_ne!(
                serde_json::to_value(&s).unwrap(),
                serde_json::to_value(&base).unwrap(),
                "{} changes nothing",
                a.name
            );
        }
    }

    #[test]
    fn suites_are_named_and_quick_is_short() {
        let full = Suite::named("dense", false).unwrap();
        assert_eq!(full.seeds, vec![0, 1, 2]);
        assert_eq!(full.settings.solver.time_limit, 60.0);
        let quick = Suite::named("dense", true).unwrap();
        assert_eq!(quick.seeds, vec![0]);
        assert!(quick.settings.solver.time_limit < full.settings.solver.time_limit);
        assert!(Suite::named("mnist-cnn", false).unwrap_err().contains("unknown suite"));
    }
}
