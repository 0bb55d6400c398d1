//! The suites and their cases: datasets, architectures, splits, seeds and
//! budgets; each case's data.

use crate::selection::SuiteSelection;
use crate::BenchError;
use mipnet_data::{load_mnist, mnist_dir, Bundled, Dataset};
use mipnet_network::{parse_architecture, ConvSpec};
use mipnet_train::TrainSettings;
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
    /// Seeds of the stratified train/test splits of the bundled datasets:
    /// the suite runs once per split (MNIST keeps its original split, so
    /// its runs repeat per split seed with the same data).
    pub split_seeds: Vec<u64>,
    /// Model selection in every run (none: one `train` run each).
    pub selection: Option<SuiteSelection>,
    /// The pruning baselines beside every dense run.
    pub baselines: bool,
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
                    solver: mipnet_train::SolverSettings {
                        time_limit: 10.0,
                        ..settings.solver
                    },
                    ..settings
                },
                test_fraction: 0.25,
                split_seeds: vec![0],
                selection: None,
                baselines: true,
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
            split_seeds: vec![0],
            selection: None,
            baselines: true,
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

/// A case's data for one split, read once: the full training set and the
/// test set (MNIST's original split, or a bundled dataset's stratified
/// split with `split_seed`).
pub(crate) fn case_data(case: &BenchCase, suite: &Suite, split_seed: u64) -> Result<(Dataset, Dataset), BenchError> {
    let bad = |e: mipnet_data::DataError| BenchError::Data(e.to_string());
    match case.per_class {
        Some(_) => load_mnist(&mnist_dir(), case.image_pool).map_err(bad),
        None => {
            let data = Bundled::from_name(case.dataset).map_err(bad)?.load();
            data.split_stratified(suite.test_fraction, split_seed).map_err(bad)
        }
    }
}

/// The training set of a run with `seed`: MNIST's balanced subset drawn
/// with that seed, the whole split otherwise.
pub(crate) fn run_train_set(case: &BenchCase, train: &Dataset, seed: u64) -> Result<Dataset, BenchError> {
    match case.per_class {
        Some(k) => train
            .balanced_subset(k, seed)
            .map_err(|e| BenchError::Data(e.to_string())),
        None => Ok(train.clone()),
    }
}
