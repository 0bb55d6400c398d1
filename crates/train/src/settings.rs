//! Everything a training run takes, as one validated struct; with the
//! run's data and output directory it is also the schema of `--config
//! run.toml` (sections `[data]`, `[output]`, `[formulation]`, `[gradient]`,
//! `[solver]`, `[stages]`; `examples/train.toml` shows every key).

use mipnet_formulate::{FormulationSettings, SettingError};
use mipnet_gradient::{GradientError, GradientSettings};
use mipnet_solver::{ChecksOptions, SolveOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The solver's settings for the full MIP.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolverSettings {
    /// The run's wall time in seconds, every stage included (see
    /// `mipnet_train::budget`). Default 60.
    pub time_limit: f64,
    /// Stop the MIP at this relative gap. Default: HiGHS's (1e-4).
    pub gap: Option<f64>,
    /// Solver threads. Default: HiGHS's choice.
    pub threads: Option<usize>,
    /// HiGHS's random seed. Default 0.
    pub seed: u64,
    /// Show HiGHS's log on stderr.
    pub log: bool,
    /// Any other HiGHS option by name, for every HiGHS call of the run
    /// (polish LPs, sub-MIPs, the full MIP), e.g. `presolve = "off"` or
    /// `mip_heuristic_effort = 0.3` in `[solver.options]`. HiGHS checks
    /// names and values before anything runs; the options the fields above
    /// set, and the log's own, are refused here (use those fields). The
    /// polish solves LPs over 10^5 nonzeros with `solver = "ipm"` whatever
    /// is set here (crossover makes the result exact).
    #[serde(deserialize_with = "option_texts")]
    pub options: BTreeMap<String, String>,
}

/// HiGHS options set by [`SolverSettings`]' own fields.
const OWN_OPTIONS: &[(&str, &str)] = &[
    ("time_limit", "time_limit"),
    ("mip_rel_gap", "gap"),
    ("threads", "threads"),
    ("random_seed", "seed"),
];

/// Reads option values written as text, numbers or booleans, as text.
fn option_texts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Value {
        Bool(bool),
        Int(i64),
        Float(f64),
        Text(String),
    }
    let raw = BTreeMap::<String, Value>::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Float(x) => x.to_string(),
                Value::Text(t) => t,
            };
            (k, text)
        })
        .collect())
}

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            time_limit: 60.0,
            gap: None,
            threads: None,
            seed: 0,
            log: false,
            options: BTreeMap::new(),
        }
    }
}

impl SolverSettings {
    pub fn options(&self, time_limit: f64) -> SolveOptions {
        SolveOptions {
            time_limit: Some(time_limit.max(0.01)),
            relative_gap: self.gap,
            threads: self.threads,
            seed: Some(self.seed),
            log: self.log,
            extra: self.options.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ..SolveOptions::default()
        }
    }
}

/// Which stages of the pipeline run. Each can be switched off on its own
/// (for ablations); the certificate check cannot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Stages {
    /// Quantization-aware fine-tuning of the projected start (grid weights
    /// frozen, layer 1 and biases clipped to ±ω): Adam steps; 0 = off.
    /// Default 2000.
    pub finetune_epochs: usize,
    /// LP polish: fix every binary at the start's value and solve the LP in
    /// the continuous weights exactly. Default on.
    pub polish: bool,
    /// The full MIP, started from the best network so far. Default on.
    pub mip: bool,
    /// Gradient starts with seeds seed, seed+1, …; each is projected,
    /// fine-tuned and polished, and the best goes on. Default 3.
    pub gradient_starts: usize,
    /// Search rounds after the polish: fine-tune the incumbent on the grid,
    /// polish the new activation pattern, keep it if the objective falls;
    /// stops at the first round without improvement. Default 5.
    pub search_rounds: usize,
    /// Adam steps per search round. Default 500.
    pub search_epochs: usize,
    /// Adam's step size in search rounds (smaller than the start's: the
    /// incumbent is already good). Default 0.003.
    pub search_learning_rate: f64,
    /// Rounds of pattern flips after the search: flip the ReLU binaries that
    /// block the samples missing the margin (ranked by how much the output
    /// weights favour the wrong class), polish each flipped pattern, keep
    /// the best if the objective falls; stops at the first round without
    /// improvement. 0 = off.
    pub flip_rounds: usize,
    /// Flips tried per round (each one LP polish). Default 16.
    pub flip_candidates: usize,
    /// Seconds the flips may take in all. Default 30.
    pub flip_seconds: f64,
    /// Share of the time left after the warm starts given to the exact large-neighbourhood
    /// search after the search rounds (the full MIP gets the rest):
    /// sub-MIPs that free a few units, samples, grid weights or random
    /// binaries and fix every other binary at the incumbent; 0 = off.
    /// Default 0.5.
    pub lns_share: f64,
    /// Time limit of one sub-MIP. Default 5.
    pub lns_sub_seconds: f64,
    /// Objective-cutoff tightening before the full MIP: the incumbent's
    /// objective f* bounds the layer-1 ℓ1 norm by f*/α, which shrinks the
    /// big-Ms of every layer when f*/α is below ω times a neuron's inputs
    /// (needs α > 0; without it, skipped). Default on.
    pub cutoff_tightening: bool,
    /// Run the full MIP alongside the neighbourhood search instead of after
    /// it: the MIP on one thread and the search's sub-MIPs on the others,
    /// both for the whole time limit, each new best network of the search
    /// handed to the running MIP (HiGHS's user-solution callback). Needs 2+
    /// threads and memory for three copies of the model (HiGHS's, the MIP's
    /// and a sub-MIP's); otherwise the MIP runs after the search and the run
    /// says why. Default off.
    pub mip_alongside_search: bool,
    /// Seconds for the LP relaxation of each bound stage before the full MIP
    /// (as built, after the cutoff tightening), whose value the report
    /// records as that stage's root LP bound; within the time limit, at most
    /// half of what is left.
    /// Default 0 (not solved): measured, the LP takes 2–3 s on Iris 4→8→3,
    /// 5–7 s on Wine and over 10 s on WDBC, and the MIP's final bound
    /// equals it on Iris and Wine (docs/benchmarks.md).
    pub root_lp_seconds: f64,
    /// Proven lower bounds before the full MIP (`mipnet-bounds`: the
    /// Lipschitz-margin LP, certified from its dual, then the path-norm
    /// relaxation by column generation with the time left); the report's
    /// dual bound is the best of them and of the MIP's own. They take at
    /// most [`crate::budget::LOWER_BOUND_SHARE`] of the time left. Default on.
    pub lower_bounds: bool,
    /// Sample pairs of the Lipschitz-margin LP (all pairs when the training
    /// data has fewer). Default 3,000: measured, the same bound to 4 digits
    /// as all pairs on Iris and Wine and as 30,000 on WDBC, in 0.2–2.4 s.
    pub lower_bound_pairs: usize,
    /// Hand the proven lower bounds to the full MIP: the best certified
    /// bound as an objective floor and the Lipschitz-margin LP's active
    /// sample pairs as output-pair rows, added when the full MIP starts
    /// (after the cut loop, so its root LP bounds are the MILP's own). Off,
    /// the bounds are still proven and reported but the MIP solves the
    /// MILP alone, which measures what the rows do. Default on.
    pub bound_rows: bool,
    /// Root cut loop with Lipschitz cuts before the full MIP (needs α > 0).
    /// Default off.
    pub lipschitz_cuts: bool,
    /// Each sample is paired with this many nearest samples of other
    /// classes. Default 3.
    pub cut_neighbours: usize,
    /// Rounds of the cut loop. Default 5.
    pub cut_rounds: usize,
    /// Most violated cuts added per round. Default 2000.
    pub cuts_per_round: usize,
    /// Seconds the cut loop may take (on top of the MIP's time limit).
    /// Default 30.
    pub cut_seconds: f64,
    /// Seconds of branch-and-price after the run, on top of the time limit:
    /// it proves a lower bound against the returned network's objective
    /// (`mipnet_bounds::unit_columns::branch`; one dense hidden layer, the
    /// hinge loss). 0 = off. Default 0, so a run takes the time limit it
    /// is given; measured (docs/benchmarks.md, "Branch-and-price after the
    /// run"): 60 s on Iris 4→8→3 take the median proven gap over three
    /// splits from 13.0 % to 5.0 %, and 30 Iris samples with 2 or 3 hidden
    /// units are proven optimal in 4 of 6 instances (24–69 s of tree).
    pub prove_seconds: f64,
}

impl Default for Stages {
    fn default() -> Self {
        Stages {
            finetune_epochs: 2000,
            polish: true,
            mip: true,
            gradient_starts: 3,
            search_rounds: 5,
            search_epochs: 500,
            search_learning_rate: 0.003,
            flip_rounds: 0,
            flip_candidates: 16,
            flip_seconds: 30.0,
            lns_share: 0.5,
            lns_sub_seconds: 5.0,
            cutoff_tightening: true,
            mip_alongside_search: false,
            root_lp_seconds: 0.0,
            lower_bounds: true,
            lower_bound_pairs: 3_000,
            bound_rows: true,
            lipschitz_cuts: false,
            cut_neighbours: 3,
            cut_rounds: 5,
            cuts_per_round: 2000,
            cut_seconds: 30.0,
            prove_seconds: 0.0,
        }
    }
}

/// The largest `stages.prove_seconds` accepted: a year.
pub const MAX_PROVE_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// All settings of a training run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainSettings {
    pub formulation: FormulationSettings,
    pub gradient: GradientSettings,
    pub solver: SolverSettings,
    pub stages: Stages,
}

/// Where a run's data comes from: a config file's `[data]` section, the
/// same as `train`'s data flags (a flag given on the command line overrides
/// its key). Every key is optional; an absent key leaves the flag's default.
/// Paths are taken as given, relative to the directory mipnet runs in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSource {
    /// A bundled dataset (`--dataset`): iris, wine, wdbc, digits, mnist.
    pub dataset: Option<String>,
    /// A CSV file with a header row (`--data`); needs `label`.
    pub file: Option<PathBuf>,
    /// The label column of `file` and `test_file` (`--label`).
    pub label: Option<String>,
    /// Columns of `file` left out (`--drop`).
    pub drop: Option<Vec<String>>,
    /// Rows with a missing feature or label (`--missing`).
    pub missing: Option<MissingRows>,
    /// A separate test set with the same columns (`--test-data`).
    pub test_file: Option<PathBuf>,
    /// Fraction held out for testing without a test file (`--test-fraction`).
    pub test_fraction: Option<f64>,
    /// Seed of the split and of `train_per_class` (`--split-seed`).
    pub split_seed: Option<u64>,
    /// A balanced training subset of N samples per class (`--train-per-class`).
    pub train_per_class: Option<usize>,
    /// MNIST only: P×P average pooling of the images (`--image-pool`).
    pub image_pool: Option<usize>,
}

/// What to do with a data row that has a missing feature or label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingRows {
    /// Refuse the file, naming the line and column.
    Error,
    /// Leave such rows out, and say how many.
    Drop,
}

impl MissingRows {
    /// Whether such rows are left out (rather than refused).
    pub fn drops(self) -> bool {
        self == MissingRows::Drop
    }
}

/// Where a run is written: a config file's `[output]` section.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputSettings {
    /// The run's directory (`--out`).
    pub dir: Option<PathBuf>,
}

/// A `--config` file: the run's settings, and optionally its data and its
/// output directory. Unknown keys are refused, naming the key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    pub data: DataSource,
    pub output: OutputSettings,
    pub formulation: FormulationSettings,
    pub gradient: GradientSettings,
    pub solver: SolverSettings,
    pub stages: Stages,
}

impl RunConfig {
    /// The training settings it holds.
    pub fn settings(&self) -> TrainSettings {
        TrainSettings {
            formulation: self.formulation.clone(),
            gradient: self.gradient.clone(),
            solver: self.solver.clone(),
            stages: self.stages.clone(),
        }
    }
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrainSettingError {
    #[error(transparent)]
    Formulation(#[from] SettingError),
    #[error(transparent)]
    Gradient(#[from] GradientError),
    #[error("invalid setting {0}")]
    Other(String),
}

/// The longest time limit taken, in seconds (about 31 years): deadlines
/// are instants, which cannot hold arbitrarily far futures (1e30 s
/// overflowed one).
pub const MAX_TIME_LIMIT: f64 = 1e9;

impl TrainSettings {
    /// Checks every setting, the solver's options as `solver` would take
    /// them: the one check, made before anything is built; the library
    /// takes only [`CheckedSettings`].
    pub fn check(self, solver: &dyn ChecksOptions) -> Result<CheckedSettings, TrainSettingError> {
        self.validate(solver)?;
        Ok(CheckedSettings(self))
    }

    /// These settings with `overlay` laid over them (see [`overlay`]): for
    /// settings from several sources (defaults, a config file, flags),
    /// merged by one rule.
    pub fn overlaid(&self, overlay: serde_json::Value) -> Result<TrainSettings, TrainSettingError> {
        let mut merged = serde_json::to_value(self).expect("settings serialize");
        self::overlay(&mut merged, overlay);
        serde_json::from_value(merged).map_err(|e| TrainSettingError::Other(e.to_string()))
    }

    fn validate(&self, solver: &dyn ChecksOptions) -> Result<(), TrainSettingError> {
        self.formulation.validate()?;
        self.gradient.validate()?;
        let s = &self.solver;
        if !(s.time_limit.is_finite() && s.time_limit > 0.0 && s.time_limit <= MAX_TIME_LIMIT) {
            return Err(TrainSettingError::Other(format!(
                "time_limit: must be a positive number of seconds, at most {MAX_TIME_LIMIT:e}, got {}",
                s.time_limit
            )));
        }
        if let Some((name, field)) = OWN_OPTIONS.iter().find(|(name, _)| s.options.contains_key(*name)) {
            return Err(TrainSettingError::Other(format!(
                "solver.options: '{name}' is set by solver.{field} (--{}), not as a HiGHS option",
                field.replace('_', "-")
            )));
        }
        if let Some(name) = ["log_to_console", "output_flag"]
            .into_iter()
            .find(|name| s.options.contains_key(*name))
        {
            return Err(TrainSettingError::Other(format!(
                "solver.options: '{name}' is mipnet's (stdout belongs to mipnet's output, and error messages \
                 need HiGHS's log); use solver.log (--log) to see HiGHS's log on stderr"
            )));
        }
        solver
            .check_options(&self.solver.options(s.time_limit))
            .map_err(|e| TrainSettingError::Other(format!("solver.options: {e}")))?;
        if self.stages.gradient_starts == 0 {
            return Err(TrainSettingError::Other(
                "stages.gradient_starts: at least one start is needed".into(),
            ));
        }
        positive("stages.search_learning_rate", self.stages.search_learning_rate)?;
        positive("stages.cut_seconds", self.stages.cut_seconds)?;
        if !(0.0..=1.0).contains(&self.stages.lns_share) {
            return Err(TrainSettingError::Other(format!(
                "stages.lns_share: must be a share of the time limit from 0 (off) to 1, got {}",
                self.stages.lns_share
            )));
        }
        positive("stages.lns_sub_seconds", self.stages.lns_sub_seconds)?;
        if self.stages.lower_bound_pairs == 0 {
            return Err(TrainSettingError::Other(
                "stages.lower_bound_pairs: at least one sample pair is needed".into(),
            ));
        }
        let p = self.stages.prove_seconds;
        if !(p.is_finite() && (0.0..=MAX_PROVE_SECONDS).contains(&p)) {
            return Err(TrainSettingError::Other(format!(
                "stages.prove_seconds: must be 0 (off) or a positive number of seconds up to {MAX_PROVE_SECONDS}, got {p}"
            )));
        }
        let r = self.stages.root_lp_seconds;
        if !(r.is_finite() && r >= 0.0) {
            return Err(TrainSettingError::Other(format!(
                "stages.root_lp_seconds: must be 0 (off) or a positive number of seconds, got {r}"
            )));
        }
        if self.stages.lipschitz_cuts && self.formulation.conv.is_some() {
            return Err(TrainSettingError::Other(
                "stages.lipschitz_cuts: not available for convolutional networks (the cuts are written for a dense first layer)"
                    .into(),
            ));
        }
        if self.stages.lipschitz_cuts && self.formulation.l1 <= 0.0 {
            return Err(TrainSettingError::Other(
                "stages.lipschitz_cuts: needs formulation.l1 > 0 (the cuts bound activations by the ℓ1 auxiliaries)"
                    .into(),
            ));
        }
        if !self.stages.polish && !self.stages.mip {
            return Err(TrainSettingError::Other(
                "stages: polish and mip are both off, so no exact network could be produced".into(),
            ));
        }
        Ok(())
    }

    /// Reads a TOML file of settings (unknown keys are refused).
    pub fn from_toml(text: &str) -> Result<TrainSettings, String> {
        toml_from_str(text)
    }

    /// Reads a whole `--config` file: settings, data and output directory
    /// (unknown keys are refused, naming the key).
    pub fn from_run_config(text: &str) -> Result<RunConfig, String> {
        toml_from_str(text)
    }
}

/// Settings that passed [`TrainSettings::check`]: the only kind a
/// [`crate::Job`] takes, so the library never checks them again.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct CheckedSettings(TrainSettings);

impl std::ops::Deref for CheckedSettings {
    type Target = TrainSettings;
    fn deref(&self) -> &TrainSettings {
        &self.0
    }
}

impl CheckedSettings {
    /// The settings, to change them (and check them again).
    pub fn into_inner(self) -> TrainSettings {
        self.0
    }
}

/// Lays `top` over `base`, key by key: objects are merged recursively, a
/// null in `top` leaves `base`'s value, anything else replaces it. A
/// settings document from flags (absent flags null) laid over a config
/// file's (or the defaults) changes only what the flags give.
pub fn overlay(base: &mut serde_json::Value, top: serde_json::Value) {
    use serde_json::Value;
    match (base, top) {
        (_, Value::Null) => {}
        (Value::Object(base), Value::Object(top)) => {
            for (key, value) in top {
                match base.get_mut(&key) {
                    Some(slot) => overlay(slot, value),
                    None if !value.is_null() => {
                        base.insert(key, value);
                    }
                    None => {}
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// Refuses a setting that is not a positive finite number, by name.
fn positive(name: &str, v: f64) -> Result<(), TrainSettingError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(TrainSettingError::Other(format!("{name}: must be positive, got {v}")))
    }
}

fn toml_from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| e.to_string().lines().collect::<Vec<_>>().join(" "))
}
