//! Named benchmark suites: fixed datasets, splits, seeds and budgets, so a
//! table in the docs can be reproduced by one command. HiGHS's results vary
//! with its seed, so every run is repeated over seeds and the table shows
//! medians.

use crate::{train, StageName, TrainError, TrainObserver, TrainReport, TrainSettings, TrainSolver};
use mipnet_data::{load_mnist, mnist_dir, Bundled, Dataset};
use mipnet_network::{parse_architecture, ConvSpec};
use serde::Serialize;

/// One dataset and architecture of a suite.
#[derive(Clone, Debug, Serialize)]
pub struct BenchCase {
    /// A bundled dataset's name, or `mnist`.
    pub dataset: &'static str,
    /// The layers, as `--arch` writes them.
    pub arch: String,
    pub conv: Option<ConvSpec>,
    pub hidden: Vec<usize>,
    /// MNIST: training images per class (a balanced subset drawn with the
    /// run's seed) and the input pooling; the test set is all 10,000.
    pub per_class: Option<usize>,
    pub image_pool: usize,
    /// P of the grid weights, when the case sets its own.
    pub grid_levels: Option<u32>,
    /// Whether the full MIP runs (a case too large for it runs the
    /// pipeline up to the polish and search: certified, but no bound).
    pub mip: bool,
}

impl BenchCase {
    fn new(dataset: &'static str, arch: &str) -> BenchCase {
        let (conv, hidden, _) = parse_architecture(arch).expect("suite architectures parse");
        BenchCase {
            dataset,
            arch: arch.to_string(),
            conv,
            hidden,
            per_class: None,
            image_pool: 1,
            grid_levels: None,
            mip: true,
        }
    }

    /// MNIST with `per_class` training images per class, pooled 2×2.
    fn mnist(per_class: usize, arch: &str, grid_levels: Option<u32>) -> BenchCase {
        BenchCase {
            per_class: Some(per_class),
            image_pool: 2,
            grid_levels,
            ..BenchCase::new("mnist", arch)
        }
    }

    /// How the table names the case.
    pub fn label(&self) -> String {
        let name = match self.per_class {
            Some(k) => format!("{} {k}/class", self.dataset),
            None => self.dataset.to_string(),
        };
        if self.mip {
            name
        } else {
            format!("{name} (no MIP)")
        }
    }
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
pub const SUITES: &[&str] = &["dense", "mnist"];

impl Suite {
    /// The suite named `name`; `quick` shortens it to about 30 s (one
    /// seed, a 5 s time limit, shorter gradient phases).
    pub fn named(name: &str, quick: bool) -> Result<Suite, String> {
        let mut settings = TrainSettings::default();
        settings.solver.threads = Some(2);
        let cases = match name {
            "dense" => ["iris", "wine", "wdbc"]
                .into_iter()
                .map(|dataset| BenchCase::new(dataset, &format!("dense 8 > dense {}", class_count(dataset))))
                .collect(),
            // BeMi's protocol (10 and 40 training images per class, the full
            // test set) with a dense and a convolutional network, and a
            // larger convolutional run in the paper's style.
            "mnist" => vec![
                BenchCase::mnist(10, MNIST_DENSE, None),
                BenchCase::mnist(10, MNIST_CNN, MNIST_CNN_LEVELS),
                BenchCase::mnist(40, MNIST_DENSE, None),
                BenchCase::mnist(40, MNIST_CNN, MNIST_CNN_LEVELS),
                // The paper's kind of run, as large as this machine allows:
                // 1,000 images; the full MIP would need about 39 GiB, so
                // the network is polished and certified without a bound.
                BenchCase {
                    mip: false,
                    ..BenchCase::mnist(100, MNIST_CNN, MNIST_CNN_LEVELS)
                },
            ],
            other => return Err(format!("unknown suite '{other}' (suites: {})", SUITES.join(", "))),
        };
        let mut seeds = vec![0, 1, 2];
        if quick && name == "mnist" {
            // 10/class only, one seed, short phases: about two minutes.
            let cases: Vec<BenchCase> = cases.into_iter().filter(|c| c.per_class == Some(10)).collect();
            return Ok(Suite {
                name: format!("{name} (quick)"),
                cases,
                seeds: vec![0],
                settings: TrainSettings {
                    solver: crate::SolverSettings {
                        time_limit: 10.0,
                        ..settings.solver
                    },
                    ..settings
                },
                test_fraction: 0.25,
                split_seed: 0,
            });
        }
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

/// The dense network of the MNIST suite: BeMi-size inputs (14×14), one
/// hidden layer of 16.
const MNIST_DENSE: &str = "dense 16 > dense 10";
/// The convolutional network of the MNIST suite.
const MNIST_CNN: &str = "conv 4x3x3 > avgpool 4 > dense 10";
const MNIST_CNN_LEVELS: Option<u32> = Some(3);

fn class_count(dataset: &str) -> usize {
    Bundled::from_name(dataset).map_or(0, |b| b.load().num_classes())
}

/// A case's data, read once: the full training set and the test set
/// (MNIST's original split, or a bundled dataset's fixed split).
fn case_data(case: &BenchCase, suite: &Suite) -> Result<(Dataset, Dataset), TrainError> {
    let bad = |e: mipnet_data::DataError| TrainError::Data(e.to_string());
    match case.per_class {
        Some(_) => load_mnist(&mnist_dir(), case.image_pool).map_err(bad),
        None => {
            let data = Bundled::from_name(case.dataset).map_err(bad)?.load();
            data.split_stratified(suite.test_fraction, suite.split_seed)
                .map_err(bad)
        }
    }
}

/// The training set of a run with `seed`: MNIST's balanced subset drawn
/// with that seed, the whole split otherwise.
fn run_train_set(case: &BenchCase, train: &Dataset, seed: u64) -> Result<Dataset, TrainError> {
    match case.per_class {
        Some(k) => train
            .balanced_subset(k, seed)
            .map_err(|e| TrainError::Data(e.to_string())),
        None => Ok(train.clone()),
    }
}

/// Medians of one case over its seeds.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    pub dataset: String,
    pub arch: String,
    pub runs: usize,
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub weight_sparsity: f64,
    pub params_kept: f64,
    pub params_total: usize,
    pub objective: f64,
    /// Best objective after the LP polish of the starts, and after the
    /// search rounds and the large-neighbourhood search (before the MIP).
    pub polished_objective: Option<f64>,
    pub searched_objective: Option<f64>,
    /// The best proven bound (the bound methods' and the MIP's), and the
    /// MIP's own beside it.
    pub dual_bound: Option<f64>,
    pub mip_dual_bound: Option<f64>,
    pub mip_gap: Option<f64>,
    pub total_seconds: f64,
    pub baseline_test_accuracy: f64,
    pub baseline_weight_sparsity: f64,
    pub certificates_passed: usize,
}

/// One part of the pipeline switched off (or, for parts that are off by
/// default, on), to show what it buys at the same budget: an edit of the
/// settings that removes stages from the run's list or adds them (checked
/// by a test against [`crate::stage_names`]), or changes one stage's or the
/// formulation's settings.
#[derive(Clone, Copy, Debug)]
pub struct Ablation {
    pub name: &'static str,
    /// The stages it takes out of the list, and those it puts in.
    pub removes: &'static [StageName],
    pub adds: &'static [StageName],
    apply: fn(&mut TrainSettings),
}

/// The ablations of `--ablate`, each changing one thing. LP-based bound
/// tightening is not among them: with one hidden layer under the ω box the
/// LP bound of a pre-activation is its interval bound (docs/training.md),
/// and mipnet does not run it.
pub const ABLATIONS: &[Ablation] = &[
    Ablation {
        name: "no polish",
        removes: &[StageName::SearchRounds, StageName::NeighbourhoodSearch],
        adds: &[],
        apply: |s| s.stages.polish = false,
    },
    Ablation {
        name: "no search rounds",
        removes: &[StageName::SearchRounds],
        adds: &[],
        apply: |s| s.stages.search_rounds = 0,
    },
    Ablation {
        // The full MIP gets the search's share of the time limit.
        name: "no neighbourhood search",
        removes: &[StageName::NeighbourhoodSearch],
        adds: &[],
        apply: |s| s.stages.lns_share = 0.0,
    },
    Ablation {
        name: "one gradient start",
        removes: &[],
        adds: &[],
        apply: |s| s.stages.gradient_starts = 1,
    },
    Ablation {
        name: "no cutoff tightening",
        removes: &[StageName::CutoffTightening],
        adds: &[],
        apply: |s| s.stages.cutoff_tightening = false,
    },
    Ablation {
        name: "no full MIP",
        removes: &[
            StageName::IntervalBounds,
            StageName::CutoffTightening,
            StageName::FullMip,
        ],
        adds: &[],
        apply: |s| s.stages.mip = false,
    },
    Ablation {
        name: "no lower bounds",
        removes: &[StageName::LowerBounds],
        adds: &[],
        apply: |s| s.stages.lower_bounds = false,
    },
    Ablation {
        name: "no symmetry breaking",
        removes: &[],
        adds: &[],
        apply: |s| s.formulation.symmetry_breaking = false,
    },
    Ablation {
        name: "with Lipschitz cuts",
        removes: &[],
        adds: &[StageName::CutLoop],
        apply: |s| s.stages.lipschitz_cuts = true,
    },
    Ablation {
        name: "with pattern flips",
        removes: &[],
        adds: &[StageName::PatternFlips],
        apply: |s| s.stages.flip_rounds = 3,
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
        dataset: case.label(),
        arch: case.arch.clone(),
        runs: reports.len(),
        test_accuracy: m(&|r| r.test_accuracy.unwrap_or(f64::NAN)),
        train_accuracy: m(&|r| r.train_accuracy),
        weight_sparsity: m(&|r| r.weight_sparsity),
        params_kept: m(&|r| r.params_kept as f64),
        params_total: reports.first().map_or(0, |r| r.params_total),
        objective: m(&|r| r.objective),
        polished_objective: median_opt(reports.iter().map(|r| r.progress.polish)),
        searched_objective: median_opt(reports.iter().map(|r| r.progress.search)),
        dual_bound: median_opt(reports.iter().map(|r| r.dual_bound)),
        mip_dual_bound: median_opt(reports.iter().map(|r| r.mip_dual_bound)),
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
    solver: &dyn TrainSolver,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&mipnet_solver::InterruptFlag>,
) -> Result<BenchResult, TrainError> {
    let (summaries, reports) = run_cases(suite, "", |_| {}, solver, obs, interrupt)?;
    let mut ablations = Vec::new();
    if ablate {
        for a in ABLATIONS {
            if interrupt.is_some_and(|f| f.is_raised()) {
                break;
            }
            let (summaries, reports) = run_cases(suite, a.name, a.apply, solver, obs, interrupt)?;
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
        solver: solver.name(),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    })
}

type Runs = (Vec<CaseSummary>, Vec<TrainReport>);

fn run_cases(
    suite: &Suite,
    label: &str,
    change: fn(&mut TrainSettings),
    solver: &dyn TrainSolver,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&mipnet_solver::InterruptFlag>,
) -> Result<Runs, TrainError> {
    let mut reports = Vec::new();
    let mut summaries = Vec::new();
    for case in &suite.cases {
        let first = reports.len();
        let (all_train, test) = case_data(case, suite)?;
        for &seed in &suite.seeds {
            if interrupt.is_some_and(|f| f.is_raised()) {
                break;
            }
            let train_set = run_train_set(case, &all_train, seed)?;
            let mut s = suite.settings.clone();
            change(&mut s);
            s.formulation.hidden = case.hidden.clone();
            s.formulation.conv = case.conv;
            if let Some(p) = case.grid_levels {
                s.formulation.grid_levels = p;
            }
            s.stages.mip &= case.mip;
            s.gradient.seed = seed;
            s.solver.seed = seed;
            let what = if label.is_empty() {
                String::new()
            } else {
                format!(" [{label}]")
            };
            obs.stage(&format!(
                "bench {}{what}: {} ({}) seed {seed}",
                suite.name,
                case.label(),
                case.arch
            ));
            let s = s.check(solver)?;
            let job = crate::Job {
                dataset: case.label(),
                train: &train_set,
                test: Some(&test),
                settings: &s,
                solver,
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
    let split = if s.cases.iter().any(|c| c.per_class.is_some()) {
        "MNIST: balanced training subsets drawn with the run's seed, all 10,000 test images, 2×2-pooled inputs"
            .to_string()
    } else {
        format!("split seed {}, test fraction {}", s.split_seed, s.test_fraction)
    };
    let mut levels: Vec<String> = s
        .cases
        .iter()
        .filter_map(|c| c.grid_levels.map(|p| format!("P = {p} for {}", c.arch)))
        .collect();
    levels.dedup();
    let mut out = format!(
        "Suite `{}`: {} seed(s) {:?} (gradient and HiGHS), {split}, \
         {} s per run for {}, {} threads{}, ω = {}, s = {}, P = {}{}, α = {}, loss {}; {}. Medians over seeds.\n\n",
        s.name,
        s.seeds.len(),
        s.seeds,
        s.settings.solver.time_limit,
        if s.settings.stages.mip_alongside_search {
            let along = r
                .reports
                .iter()
                .filter(|x| x.mip_schedule == crate::MipSchedule::AlongsideSearch)
                .count();
            let fell_back = if along < r.reports.len() {
                format!(
                    "; in {along} of {} runs, the others with the MIP after the search or none",
                    r.reports.len()
                )
            } else {
                String::new()
            };
            format!("the neighbourhood search and the full MIP alongside it (fed the search's networks{fell_back})")
        } else {
            format!(
                "the neighbourhood search ({:.0} %) and the full MIP",
                100.0 * s.settings.stages.lns_share
            )
        },
        s.settings.solver.threads.map_or("default".into(), |t| t.to_string()),
        if s.settings.solver.options.is_empty() {
            String::new()
        } else {
            let set: Vec<String> = s
                .settings
                .solver
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!(", HiGHS options {}", set.join(" "))
        },
        f.omega,
        f.grid_step,
        f.grid_levels,
        if levels.is_empty() {
            String::new()
        } else {
            format!(" ({})", levels.join(", "))
        },
        f.l1,
        f.loss.name(),
        r.solver
    );
    out += "| dataset | network | test accuracy | sparsity | params kept | polished | searched | objective | proven bound | HiGHS's bound | gap | time (s) | baseline accuracy | baseline sparsity | certified |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    let obj = |o: Option<f64>| o.map_or("-".into(), |o| format!("{o:.4}"));
    for c in &r.summaries {
        out += &format!(
            "| {} | {} | {} | {} | {:.0}/{} | {} | {} | {:.4} | {} | {} | {} | {:.1} | {} | {} | {}/{} |\n",
            c.dataset,
            c.arch,
            pct(c.test_accuracy),
            pct(c.weight_sparsity),
            c.params_kept,
            c.params_total,
            obj(c.polished_objective),
            obj(c.searched_objective),
            c.objective,
            c.dual_bound.map_or("-".into(), |b| format!("{b:.4}")),
            c.mip_dual_bound.map_or("-".into(), |b| format!("{b:.4}")),
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
            arch: "dense 8 > dense 3".into(),
            runs: 3,
            test_accuracy: 0.95,
            train_accuracy: 0.99,
            weight_sparsity: 0.5,
            params_kept: 30.0,
            params_total: 67,
            objective,
            polished_objective: Some(0.3),
            searched_objective: Some(0.25),
            dual_bound: Some(0.01),
            mip_dual_bound: Some(0.005),
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
        let mnist = Suite::named("mnist", false).unwrap();
        assert_eq!(mnist.cases.len(), 5);
        assert!(mnist
            .cases
            .iter()
            .any(|c| !c.mip && c.label() == "mnist 100/class (no MIP)"));
        assert!(mnist.cases.iter().any(|c| c.conv.is_some() && c.per_class == Some(40)));
        assert_eq!(Suite::named("mnist", true).unwrap().cases.len(), 2);
    }

    #[test]
    fn each_ablation_edits_the_stage_list_as_it_says() {
        let base = Suite::named("dense", true).unwrap().settings;
        let before = crate::stage_names(&base);
        for a in ABLATIONS {
            let mut s = base.clone();
            (a.apply)(&mut s);
            let after = crate::stage_names(&s);
            let kept: Vec<StageName> = before.iter().copied().filter(|n| !a.removes.contains(n)).collect();
            let without_added: Vec<StageName> = after.iter().copied().filter(|n| !a.adds.contains(n)).collect();
            assert_eq!(without_added, kept, "{}: {after:?}", a.name);
            assert!(a.removes.iter().all(|n| before.contains(n)), "{}", a.name);
            assert!(
                a.adds.iter().all(|n| !before.contains(n) && after.contains(n)),
                "{}",
                a.name
            );
        }
    }
}
