//! `mipnet train`: exact training of a dense ReLU classifier.

use crate::commands::data::{DataArgs, MissingArg};
use crate::commands::model_dir;
use crate::commands::{cap_threads, parse_options, SolverFlags};
use crate::exit::{input, Exit, RULES_CANNOT_ALL_HOLD};
use crate::output_dir::OutputDir;
use crate::progress::ProgressLine;
use crate::run_files::{self, NETWORK, REPORT, TEST_SPLIT, TRAIN_RUN};
use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ValueEnum};
use mipnet_data::{Dataset, CSV_LABEL};
use mipnet_formulate::{check_class_weights, check_rules, Direction, Rule, MIN_CLASS_WEIGHT};
use mipnet_highs::HighsSolver;
use mipnet_network::{parse_architecture, ConvSpec};
use mipnet_solver::{InterruptFlag, Observer};
use mipnet_train::{
    train_compared, train_verified, CheckedSettings, Job, MipSchedule, Step, TrainError, TrainEvent, TrainObserver,
    TrainOutcome, TrainSettings,
};
use mipnet_verify::VerifySolver;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LossArg {
    Hinge,
    Misclassification,
    L1,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Settings file (TOML: [data], [output], [formulation], [gradient],
    /// [solver], [stages]; examples/train.toml shows every key); flags
    /// given here override it.
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Hidden layer widths, e.g. 8 or 16,8.
    #[arg(long, value_name = "W[,W…]", value_delimiter = ',', conflicts_with = "arch")]
    pub hidden: Option<Vec<usize>>,
    /// All layers as text, a convolution allowed first: e.g.
    /// "conv 4x3x3 stride 2 pad 1 > maxpool 2 > dense 16 > dense 10"
    /// (avgpool for average pooling; the last dense layer is the output,
    /// one neuron per class). Images are square with one channel unless
    /// the config file's [formulation.conv] gives image = [C, H, W].
    #[arg(long, value_name = "LAYERS")]
    pub arch: Option<String>,
    #[arg(long, value_enum)]
    pub loss: Option<LossArg>,
    /// Margin of the hinge and misclassification losses.
    #[arg(long, allow_negative_numbers = true)]
    pub margin: Option<f64>,
    /// ω: box of layer-1 weights and all biases.
    #[arg(long, allow_negative_numbers = true)]
    pub omega: Option<f64>,
    /// s: step of the weight grid of layers ≥ 2.
    #[arg(long, allow_negative_numbers = true)]
    pub grid_step: Option<f64>,
    /// P: grid weights are s·{−P..P}.
    #[arg(long)]
    pub grid_levels: Option<u32>,
    /// α: ℓ1 penalty on weights.
    #[arg(long, allow_negative_numbers = true)]
    pub l1: Option<f64>,
    /// λ: penalty per nonzero weight (ℓ0).
    #[arg(long, allow_negative_numbers = true)]
    pub l0: Option<f64>,
    /// γ: ℓ2 penalty (elastic net), tangent approximation.
    #[arg(long, allow_negative_numbers = true)]
    pub l2: Option<f64>,
    /// Let the MILP prune whole neurons.
    #[arg(long)]
    pub prune_neurons: bool,
    /// β: cost per kept neuron (implies --prune-neurons).
    #[arg(long, allow_negative_numbers = true)]
    pub neuron_penalty: Option<f64>,
    /// Let the MILP turn hidden layers into the identity (equal widths only).
    #[arg(long)]
    pub prune_layers: bool,
    /// Cost per kept prunable layer (implies --prune-layers).
    #[arg(long, allow_negative_numbers = true)]
    pub layer_penalty: Option<f64>,
    /// Turn off the neuron-order symmetry breaking.
    #[arg(long)]
    pub no_symmetry_breaking: bool,
    /// Rule: the network reads at most M input features (every layer-1
    /// weight of the others is 0). Added to the config file's rules.
    #[arg(long, value_name = "M", help_heading = "Rules")]
    pub max_features: Option<usize>,
    /// Rule: at most K hidden units kept (turns neuron pruning on).
    #[arg(long, value_name = "K", help_heading = "Rules")]
    pub max_neurons: Option<usize>,
    /// Rule: the recall of CLASS on the training data is at least R, in
    /// [0, 1] (a sample counts when its class's score beats every other by
    /// the margin). Repeatable.
    #[arg(long, value_name = "CLASS=R", help_heading = "Rules")]
    pub min_recall: Vec<String>,
    /// Rule: the margin of CLASS over every other class is monotone in
    /// FEATURE for every input (one hidden layer; enforced by a sign
    /// condition on every path, see docs/training.md). Repeatable.
    #[arg(long, value_name = "FEATURE:CLASS:increasing|decreasing", help_heading = "Rules")]
    pub monotone: Vec<String>,
    /// Loss weight of CLASS: each of its samples' loss counts W times in
    /// the mean loss (W at least 1; other classes weigh 1). Repeatable;
    /// replaces the config file's weight of that class.
    #[arg(long, value_name = "CLASS=W", help_heading = "Rules")]
    pub class_weight: Vec<String>,
    /// Also train without the rules, in SHARE of the time limit (default
    /// 0.3; the rules run gets the rest), on the same split: the summary
    /// and report.json (`unconstrained`) put its accuracy beside the rules
    /// run's (a comparison run that fails is recorded as
    /// `unconstrained_failure`; the rules run stands). Needs rules.
    #[arg(long, value_name = "SHARE", num_args = 0..=1, default_missing_value = "0.3", help_heading = "Rules")]
    pub compare_unconstrained: Option<f64>,
    #[command(flatten)]
    pub solver: SolverFlags,
    /// Seed of the gradient trainer's initialization.
    #[arg(long, value_name = "N")]
    pub gradient_seed: Option<u64>,
    /// Adam steps of the gradient start.
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// Adam steps of the fine-tuning on the grid (0 = off).
    #[arg(long, value_name = "N")]
    pub finetune_epochs: Option<usize>,
    /// Root cut loop with Lipschitz cuts before the full MIP (a stronger
    /// bound; needs --l1 > 0).
    #[arg(long)]
    pub lipschitz_cuts: bool,
    /// Seconds the cut loop may take.
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub cut_seconds: Option<f64>,
    /// Number of gradient starts (seeds gradient-seed, +1, …).
    #[arg(long, value_name = "N")]
    pub gradient_starts: Option<usize>,
    /// Rounds of pattern flips after the search (flip the activations that
    /// block the worst samples, polish, keep the best); 0 = off.
    #[arg(long, value_name = "N")]
    pub flip_rounds: Option<usize>,
    /// Share of the time limit for the large-neighbourhood search before the
    /// full MIP (sub-MIPs around the incumbent, one per thread at a time;
    /// needs the polish); 0 = off. With --no-mip the search has the whole
    /// time limit. Default 0.5.
    #[arg(long, value_name = "SHARE")]
    pub lns_share: Option<f64>,
    /// Time limit of each of the search's sub-MIPs. Default 5.
    #[arg(long, value_name = "SECONDS")]
    pub lns_sub_seconds: Option<f64>,
    /// Skip the LP polish.
    #[arg(long)]
    pub no_polish: bool,
    /// Skip the objective-cutoff tightening before the full MIP (the
    /// incumbent's objective bounds layer 1's ℓ1 norm, hence the big-Ms).
    #[arg(long)]
    pub no_cutoff_tightening: bool,
    /// Skip the proven lower bounds before the full MIP (the Lipschitz-margin
    /// LP, certified from its dual); the bound is then HiGHS's alone.
    #[arg(long)]
    pub no_lower_bounds: bool,
    /// Prove the lower bounds but do not hand them to the full MIP (no
    /// objective floor, no output-pair rows): the MIP's bound is then
    /// HiGHS's own on the plain MILP, to measure what the rows do.
    #[arg(long)]
    pub no_bound_rows: bool,
    /// Run the full MIP alongside the neighbourhood search (one thread,
    /// the whole time limit; the search's new best networks are handed to
    /// it) instead of after it. Needs 2 threads or more (--threads, or the
    /// machine's cores by default); otherwise the MIP runs after the search
    /// and the run says why.
    #[arg(long)]
    pub mip_alongside_search: bool,
    /// Seconds for the LP relaxation of each bound stage before the full
    /// MIP (the report's root LP bounds), on top of the time limit. Default
    /// 0: not solved (Iris takes 2–3 s, WDBC over 10 s per stage).
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub root_lp_seconds: Option<f64>,
    /// After the run, spend up to this many seconds (on top of the time
    /// limit) proving a lower bound against the returned network by
    /// branch-and-price: the unit-columns decomposition split unit by unit
    /// (one dense hidden layer, the hinge loss). Default 0: off.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub prove_seconds: Option<f64>,
    /// Skip the full MIP (no dual bound then).
    #[arg(long)]
    pub no_mip: bool,
    /// Write the run into this new directory: network.json, report.json and
    /// the test split as test.csv. They are written beside it first, read
    /// back and checked, then moved into place together. An existing run
    /// there is refused before any work unless --force is given; a mount
    /// point always is (give a subdirectory of it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the training MILP for any solver into this new directory:
    /// model.mps (the run's full MIP, columns named, by HiGHS's writer),
    /// the run's network as a MIP start in start.sol (MIPLIB format: HiGHS
    /// readSolution, SCIP read), start.gurobi.mst (Gurobi) and
    /// start.cplex.mst (CPLEX), and manifest.json (data, split,
    /// standardizer, settings, the SHA-256 of the model and of every data
    /// file), from which `mipnet certify DIR SOLUTION` reads a solver's
    /// solution back. model.mps leaves out the proven-bound rows (objective
    /// floor, Lipschitz output-pair rows) and --lipschitz-cuts' cuts.
    /// Written whole or not at all, as --out; refused with a fairness rule,
    /// or inside or around --out.
    #[arg(long, value_name = "DIR")]
    pub write_model: Option<PathBuf>,
    /// Replace the run already in --out: a directory holding mipnet's
    /// network.json and report.json (and test.csv), nothing else; anything
    /// else is never replaced. The old run is removed only once the new one
    /// is in place. Likewise for --write-model (a directory holding only
    /// its files, with mipnet's manifest).
    #[arg(long)]
    pub force: bool,
    /// Print the report as JSON on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

impl TrainArgs {
    /// Reads the config file (if any) and applies its data (its label,
    /// drop, missing, test_file and image_pool only to its own dataset or
    /// file, or to any data when it names none)
    /// and output directory where no flag gives them (`given` tells which flags were
    /// given on the command line); returns the settings with the flags
    /// applied over the file's.
    pub fn apply_config(&mut self, given: &dyn Fn(&str) -> bool) -> Result<CheckedSettings> {
        let Some(path) = &self.config else {
            return self.settings(TrainSettings::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(input)?;
        let config =
            TrainSettings::from_run_config(&text).map_err(|e| input(anyhow::anyhow!("{}: {e}", path.display())))?;
        let c = &config.data;
        if c.dataset.is_some() && c.file.is_some() {
            return Err(input(anyhow::anyhow!(
                "{}: [data] gives both dataset and file; give one",
                path.display()
            )));
        }
        let d = &mut self.data;
        // The data source as a whole: a --dataset or --data flag replaces
        // the file's dataset or file and every key tied to it (its label,
        // dropped columns, missing-value policy, test file, MNIST pooling),
        // which would otherwise apply to data they were not written for. A
        // file that names no data source gives those keys for any data.
        let flag_source = given("dataset") || given("data");
        if !flag_source {
            d.dataset = c.dataset.clone();
            d.data = c.file.clone();
        }
        if !flag_source || (c.dataset.is_none() && c.file.is_none()) {
            if !given("label") && c.label.is_some() {
                d.label = c.label.clone();
            }
            if let Some(v) = c.drop.as_ref().filter(|_| !given("drop")) {
                d.drop = v.clone();
            }
            if let Some(v) = c.missing.filter(|_| !given("missing")) {
                d.missing = if v.drops() { MissingArg::Drop } else { MissingArg::Error };
            }
            if !given("test_data") && c.test_file.is_some() {
                d.test_data = c.test_file.clone();
            }
            if let Some(v) = c.image_pool.filter(|_| !given("image_pool")) {
                d.image_pool = v;
            }
        }
        if let Some(v) = c.test_fraction.filter(|_| !given("test_fraction")) {
            d.test_fraction = v;
        }
        if let Some(v) = c.split_seed.filter(|_| !given("split_seed")) {
            d.split_seed = v;
        }
        if !given("train_per_class") && c.train_per_class.is_some() {
            d.train_per_class = c.train_per_class;
        }
        // A --data flag without --label is refused when the data is loaded.
        if let (Some(file), None, false) = (&d.data, &d.label, given("data")) {
            return Err(input(anyhow::anyhow!(
                "{}: the data file {} needs a label column: set label in [data] or give --label",
                path.display(),
                file.display()
            )));
        }
        if self.out.is_none() {
            self.out = config.output.dir.clone();
        }
        self.settings(config.settings())
    }

    /// `base` (the config file's settings, or the defaults) with the flags
    /// laid over it ([`TrainArgs::overlay`]), checked.
    pub fn settings(&self, base: TrainSettings) -> Result<CheckedSettings> {
        let mut s = base.overlaid(self.overlay()?).map_err(input)?;
        if let Some(text) = &self.arch {
            let (conv, hidden, _) =
                parse_architecture(text).map_err(|e| input(anyhow::anyhow!("--arch '{text}': {e}")))?;
            // An image shape from the config file stays.
            let image = s.formulation.conv.and_then(|c| c.image);
            s.formulation.conv = conv.map(|c| ConvSpec { image, ..c });
            s.formulation.hidden = hidden;
        }
        s.solver.threads = s.solver.threads.map(cap_threads);
        // The flags' rules come after the config file's.
        s.formulation.rules.extend(self.flag_rules()?);
        for text in &self.class_weight {
            let (class, w) =
                parse_class_weight(text).map_err(|e| input(anyhow::anyhow!("--class-weight '{text}': {e}")))?;
            s.formulation.class_weights.insert(class, w);
        }
        s.check(&HighsSolver).map_err(input)
    }

    /// The rules the flags give (--max-features, --max-neurons,
    /// --min-recall, --monotone), in that order; each value checked here,
    /// naming its flag. Names are checked against the data once it is
    /// loaded ([`check_rules_fit`]).
    fn flag_rules(&self) -> Result<Vec<Rule>> {
        let mut rules = Vec::new();
        if let Some(m) = self.max_features {
            if m < 1 {
                return Err(input(anyhow::anyhow!("--max-features must be at least 1, got {m}")));
            }
            rules.push(Rule::FeatureBudget { max_features: m });
        }
        if let Some(k) = self.max_neurons {
            if k < 1 {
                return Err(input(anyhow::anyhow!("--max-neurons must be at least 1, got {k}")));
            }
            rules.push(Rule::NeuronLimit { max_neurons: k });
        }
        for text in &self.min_recall {
            rules.push(parse_min_recall(text).map_err(|e| input(anyhow::anyhow!("--min-recall '{text}': {e}")))?);
        }
        for text in &self.monotone {
            rules.push(parse_monotone(text).map_err(|e| input(anyhow::anyhow!("--monotone '{text}': {e}")))?);
        }
        Ok(rules)
    }

    /// The settings the flags give, as a document of the config file's
    /// shape: a flag not given is null, so it leaves the file's value (or
    /// the default); a switch gives its value only when given.
    fn overlay(&self) -> Result<serde_json::Value> {
        let on = |given: bool| given.then_some(true);
        let off = |given: bool| given.then_some(false);
        let flags = &self.solver;
        let options: BTreeMap<String, String> = parse_options(&flags.options)?.into_iter().collect();
        Ok(json!({
            "formulation": {
                "hidden": self.hidden,
                "loss": self.loss,
                "margin": self.margin,
                "omega": self.omega,
                "grid_step": self.grid_step,
                "grid_levels": self.grid_levels,
                "l1": self.l1,
                "l0": self.l0,
                "l2": self.l2,
                "prune_neurons": on(self.prune_neurons || self.neuron_penalty.is_some()),
                "neuron_penalty": self.neuron_penalty,
                "prune_layers": on(self.prune_layers || self.layer_penalty.is_some()),
                "layer_penalty": self.layer_penalty,
                "symmetry_breaking": off(self.no_symmetry_breaking),
            },
            "gradient": { "seed": self.gradient_seed, "epochs": self.epochs },
            "solver": {
                "time_limit": flags.time_limit,
                "gap": flags.gap,
                "threads": flags.run.threads,
                "seed": flags.run.seed,
                "log": on(flags.run.log),
                "options": options,
            },
            "stages": {
                "finetune_epochs": self.finetune_epochs,
                "lipschitz_cuts": on(self.lipschitz_cuts),
                "cut_seconds": self.cut_seconds,
                "gradient_starts": self.gradient_starts,
                "flip_rounds": self.flip_rounds,
                "lns_share": self.lns_share,
                "lns_sub_seconds": self.lns_sub_seconds,
                "lower_bounds": off(self.no_lower_bounds),
                "bound_rows": off(self.no_bound_rows),
                "cutoff_tightening": off(self.no_cutoff_tightening),
                "mip_alongside_search": on(self.mip_alongside_search),
                "root_lp_seconds": self.root_lp_seconds,
                "prove_seconds": self.prove_seconds,
                "polish": off(self.no_polish),
                "mip": off(self.no_mip),
            },
        }))
    }
}

/// `CLASS=R`: the class's recall on the training data at least R in [0, 1]
/// (the class name may itself hold '=': the last one splits).
fn parse_min_recall(text: &str) -> Result<Rule, String> {
    let Some((class, r)) = text.rsplit_once('=') else {
        return Err("expected CLASS=R, e.g. malignant=0.98".into());
    };
    if class.is_empty() {
        return Err("the class name is empty (expected CLASS=R)".into());
    }
    let r: f64 = r
        .trim()
        .parse()
        .map_err(|_| format!("the recall '{r}' is not a number (expected CLASS=R with R in [0, 1])"))?;
    if !(0.0..=1.0).contains(&r) {
        return Err(format!("the recall must be within [0, 1], got {r}"));
    }
    Ok(Rule::ClassRecall {
        class: class.to_string(),
        min_recall: Some(r),
        max_errors: None,
        margin: None,
    })
}

/// `CLASS=W`: the loss weight of CLASS, at least 1 (the class name may
/// itself hold '=': the last one splits).
fn parse_class_weight(text: &str) -> Result<(String, f64), String> {
    let Some((class, w)) = text.rsplit_once('=') else {
        return Err("expected CLASS=W, e.g. malignant=3".into());
    };
    if class.is_empty() {
        return Err("the class name is empty (expected CLASS=W)".into());
    }
    let w: f64 = w
        .trim()
        .parse()
        .map_err(|_| format!("the weight '{w}' is not a number (expected CLASS=W with W ≥ {MIN_CLASS_WEIGHT})"))?;
    if !(w.is_finite() && w >= MIN_CLASS_WEIGHT) {
        return Err(format!(
            "the weight must be a number of at least {MIN_CLASS_WEIGHT}, got {w}"
        ));
    }
    Ok((class.to_string(), w))
}

/// `FEATURE:CLASS:increasing|decreasing` (the feature name may itself
/// hold ':': the last two split).
fn parse_monotone(text: &str) -> Result<Rule, String> {
    let mut parts = text.rsplitn(3, ':');
    let (Some(direction), Some(class), Some(feature)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected FEATURE:CLASS:increasing or FEATURE:CLASS:decreasing".into());
    };
    let direction = match direction {
        "increasing" => Direction::Increasing,
        "decreasing" => Direction::Decreasing,
        other => return Err(format!("the direction must be increasing or decreasing, got '{other}'")),
    };
    if feature.is_empty() || class.is_empty() {
        return Err("the feature or class name is empty (expected FEATURE:CLASS:increasing|decreasing)".into());
    }
    Ok(Rule::Monotone {
        feature: feature.to_string(),
        class: class.to_string(),
        direction,
    })
}

/// Refuses rules (the config file's and the flags') that do not fit the
/// training data: an unknown feature or class, a class without samples.
/// Checked before any work, so nothing is written.
pub fn check_rules_fit(s: &TrainSettings, train_set: &Dataset) -> Result<()> {
    check_rules(&s.formulation.rules, train_set).map_err(input)?;
    check_class_weights(&s.formulation.class_weights, train_set).map_err(input)
}

/// Refuses `--compare-unconstrained` with a share outside (0, 1) or a run
/// without rules, before any work.
fn check_compare_unconstrained(share: Option<f64>, s: &TrainSettings) -> Result<()> {
    match share {
        Some(v) if !(v > 0.0 && v < 1.0) => Err(input(anyhow::anyhow!(
            "--compare-unconstrained: the share of the time limit must be within (0, 1), got {v}"
        ))),
        Some(_) if s.formulation.rules.is_empty() => Err(input(anyhow::anyhow!(
            "--compare-unconstrained: the run has no rules to compare with (give rules in the config file or by flags)"
        ))),
        _ => Ok(()),
    }
}

/// Stage messages on stderr and the solver's progress line.
pub struct Console {
    quiet: bool,
    line: ProgressLine,
}

impl Console {
    pub fn new(quiet: bool) -> Self {
        Console {
            quiet,
            line: ProgressLine::new(quiet),
        }
    }
}

impl Console {
    /// Clears the progress line.
    pub fn finish(&self) {
        self.line.finish();
    }
}

impl TrainObserver for Console {
    fn stage(&mut self, message: &str) {
        if !self.quiet {
            self.line.println(&format!("mipnet: {message}"));
        }
    }
    fn event(&mut self, event: &TrainEvent) {
        match event {
            TrainEvent::StageStarted(status) | TrainEvent::NewIncumbent(status) => self.line.set_status(status),
        }
    }
    fn solver(&mut self) -> &mut dyn Observer {
        &mut self.line
    }
}

/// Runs the pipeline (with `compare`, a share of the time limit, the same
/// run without its rules beside it: [`train_compared`]) and maps its
/// failures to exit codes; the flag tells whether the run was interrupted
/// (Ctrl-C) and ended early with its best certified network.
pub fn run_training(
    name: String,
    train_set: &Dataset,
    test: Option<&Dataset>,
    s: &CheckedSettings,
    quiet: bool,
    interrupt: &InterruptFlag,
    compare: Option<f64>,
) -> Result<(TrainOutcome, bool)> {
    let mut console = Console::new(quiet);
    let job = Job {
        dataset: name,
        train: train_set,
        test,
        settings: s,
        solver: &HighsSolver,
    };
    // HiGHS also answers the region rules' verification questions.
    let verifier: Arc<dyn VerifySolver> = Arc::new(HighsSolver);
    let outcome = match compare {
        Some(share) => train_compared(&job, share, Some(verifier), &mut console, Some(interrupt)),
        None => train_verified(&job, verifier, &mut console, Some(interrupt)),
    };
    console.finish();
    let mut outcome = outcome.map_err(train_failure)?;
    let interrupted = interrupt.is_raised();
    if interrupted {
        // Whichever stage the interrupt ended, the run as a whole was.
        outcome.report.status = INTERRUPTED_STATUS.to_string();
    }
    Ok((outcome, interrupted))
}

/// A failed training run (or bench) as an error with its exit code: bad
/// input (settings, data, a model too large for memory) exits 2, a failed
/// certificate and no network their own codes, anything else 1.
pub fn train_failure(e: TrainError) -> anyhow::Error {
    match e {
        TrainError::Certificate(_) => anyhow::Error::new(Exit::certificate(e.to_string())),
        TrainError::NoNetwork(_) => anyhow::Error::new(Exit::no_network(e.to_string())),
        TrainError::RulesInfeasible(_) => anyhow::Error::new(Exit {
            code: RULES_CANNOT_ALL_HOLD,
            message: e.to_string(),
        }),
        TrainError::Settings(_) | TrainError::TooLarge(_) => input(e),
        other => anyhow::Error::new(other),
    }
}

/// The report's status of a run ended by an interrupt (the solver's own
/// word for it).
const INTERRUPTED_STATUS: &str = "interrupted";

/// A flag that Ctrl-C (SIGINT), SIGTERM and SIGHUP raise (the `ctrlc`
/// crate's `termination` feature; the pipeline then ends with its best
/// network).
pub fn interrupt_on_ctrl_c() -> InterruptFlag {
    let interrupt = InterruptFlag::new();
    let flag = interrupt.clone();
    let _ = ctrlc::set_handler(move || flag.raise());
    interrupt
}

/// Refuses an `--arch` whose output layer does not have one neuron per class.
pub fn check_output_width(arch: Option<&str>, data: &Dataset) -> Result<()> {
    let Some((_, _, k)) = arch.and_then(|a| parse_architecture(a).ok()) else {
        return Ok(());
    };
    if k != data.num_classes() {
        return Err(input(anyhow::anyhow!(
            "--arch: the output layer has {k} neurons, but {} has {} classes",
            data.name,
            data.num_classes()
        )));
    }
    Ok(())
}

pub fn run(mut args: TrainArgs, matches: &ArgMatches) -> Result<std::process::ExitCode> {
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let settings = args.apply_config(&given)?;
    check_compare_unconstrained(args.compare_unconstrained, &settings)?;
    let (name, train_set, test) = args.data.load()?;
    check_output_width(args.arch.as_deref(), &train_set)?;
    check_rules_fit(&settings, &train_set)?;
    // From here on Ctrl-C ends the run with what it has (and never
    // leaves a staging directory behind).
    let interrupt = interrupt_on_ctrl_c();
    // Checked, and its staging directory made, before any work.
    let out = match &args.out {
        Some(dir) => Some(OutputDir::prepare("--out", dir, &TRAIN_RUN, args.force)?),
        None => None,
    };
    let write_model = match &args.write_model {
        Some(dir) => Some(model_dir::prepare(
            dir,
            args.out.as_deref(),
            &args.data,
            &settings.formulation.rules,
            args.force,
        )?),
        None => None,
    };
    let quiet = args.quiet || args.json;
    let (outcome, interrupted) = run_training(
        name,
        &train_set,
        test.as_ref(),
        &settings,
        quiet,
        &interrupt,
        args.compare_unconstrained,
    )?;
    if let Some(out) = out {
        if let Err(e) = run_files::write_and_check(out.staging(), &outcome, test.as_ref()) {
            let target = out.target().display().to_string();
            let kept = out.keep_aside();
            return Err(e.context(format!(
                "the run was not moved into {target} (its files are kept in {} for inspection)",
                kept.display()
            )));
        }
        out.commit()?;
    }
    // A failed --write-model still prints the summary first: the run in
    // --out is already committed and its numbers are the user's.
    let model_written = write_model
        .map(|(dir, source)| model_dir::write_and_commit(dir, source, &train_set, &settings, &outcome, quiet));
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &outcome.report)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", summary(&outcome))?;
        if let Some(dir) = &args.out {
            writeln!(
                stdout,
                "wrote        {0}/{NETWORK}, {0}/{REPORT}{1} (read it: mipnet show {0}/{NETWORK})",
                dir.display(),
                match &test {
                    Some(t) => format!(
                        ", {}/{TEST_SPLIT} (label column '{}')",
                        dir.display(),
                        t.csv_label_column()
                    ),
                    None => String::new(),
                }
            )?;
        }
    }
    if let (Some(_), Some(t)) = (&args.out, &test) {
        let column = t.csv_label_column();
        if column != CSV_LABEL {
            eprintln!(
                "mipnet: note: a feature is named '{CSV_LABEL}', so {TEST_SPLIT}'s label column is '{column}': \
                 give --label {column} to predict and verify"
            );
        }
    }
    drop(stdout);
    if let Some(Err(e)) = model_written {
        return Err(e);
    }
    if interrupted {
        match &args.out {
            Some(dir) => eprintln!(
                "mipnet: interrupted: the best certified network so far was written to {}",
                dir.display()
            ),
            None => {
                eprintln!("mipnet: interrupted: the best certified network so far is above (no --out: not written)")
            }
        }
        return Ok(std::process::ExitCode::from(crate::exit::INTERRUPTED));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn pct(v: f64) -> String {
    format!("{:.1} %", 100.0 * v)
}

/// The human summary printed at the end of `train`.
pub fn summary(o: &TrainOutcome) -> String {
    let r = &o.report;
    let f = &r.settings.formulation;
    let arch: Vec<String> = f
        .conv
        .map(|c| c.describe().replace(" > ", " → "))
        .into_iter()
        .chain(f.hidden.iter().map(|w| w.to_string()))
        .collect();
    let mut s = String::new();
    s += &format!(
        "dataset      {} ({} train / {} test), {} → {} → {}, loss {}, ω = {}, grid {}·{{−{}..{}}}, α = {}\n",
        r.dataset,
        r.n_train,
        r.n_test,
        o.network.feature_names.len(),
        arch.join(" → "),
        o.network.class_names.len(),
        f.loss.name(),
        f.omega,
        f.grid_step,
        f.grid_levels,
        f.grid_levels,
        f.l1
    );
    // The neighbourhood search's polished sub-MIP results are summed up in
    // their own line.
    let stages: Vec<String> = r
        .stages
        .iter()
        .filter(|st| st.stage != Step::Lns)
        .map(|st| match st.objective {
            None => format!("{} (train {})", st.stage, pct(st.train_accuracy)),
            Some(o) => format!("{} {o:.4}", st.stage),
        })
        .collect();
    s += &format!("stages       {}\n", stages.join(" → "));
    if let Some(l) = &r.lns {
        let kinds: Vec<String> = l
            .kinds
            .iter()
            .map(|k| format!("{} {}/{}", k.kind.name(), k.improvements, k.tries))
            .collect();
        s += &format!(
            "lns          {} rounds in {:.0} s, {:.4} → {:.4}; new bests/sub-MIPs by neighbourhood: {}{}\n",
            l.rounds,
            l.seconds,
            l.objective_before,
            l.objective_after,
            kinds.join(", "),
            if r.mip_schedule == MipSchedule::AlongsideSearch {
                format!(
                    "; {} offered to the MIP alongside, {} taken to check",
                    l.handed_to_mip, r.mip_user_solutions
                )
            } else {
                String::new()
            }
        );
    }
    let pr = &r.progress;
    let opt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.4}"));
    if !r.bounds.is_empty() {
        let stages: Vec<String> = r
            .bounds
            .iter()
            .map(|b| {
                format!(
                    "{} ({} ReLU binaries, mean big-M {:.2}, root LP {})",
                    b.stage,
                    b.relu_binaries,
                    b.mean_big_m,
                    opt(b.root_lp_bound)
                )
            })
            .collect();
        s += &format!("bounds       {}\n", stages.join(" → "));
    }
    let found: Vec<String> = pr.improvements.iter().map(|(k, n)| format!("{k} {n}")).collect();
    s += &format!(
        "progress     best after warm start {}, polish {}, search (rounds and lns) {}, end {:.4}; new bests by {}\n",
        opt(pr.warm_start),
        opt(pr.polish),
        opt(pr.search),
        pr.end,
        found.join(", ")
    );
    s += &format!(
        "network      train {}, test {}, {} of weights zero, {} of {} parameters kept, neurons kept {:?}, \
         affecting the output {:?}\n",
        pct(r.train_accuracy),
        r.test_accuracy.map_or("-".into(), pct),
        pct(r.weight_sparsity),
        r.params_kept,
        r.params_total,
        r.neurons_kept,
        o.network.neurons_effective()
    );
    if !f.class_weights.is_empty() {
        let w: Vec<String> = f.class_weights.iter().map(|(c, w)| format!("{c} {w}")).collect();
        s += &format!("class weights {} (the other classes 1)\n", w.join(", "));
    }
    for rule in &r.rules {
        s += &format!(
            "rule         {}: {} ({})\n",
            rule.description,
            if rule.holds { "holds" } else { "BROKEN" },
            rule.detail
        );
    }
    s += &format!(
        "objective    {:.6}   bound {}   gap {}   MIP status {} ({})   found by {}\n",
        r.objective,
        match (&r.dual_bound, &r.bound_method) {
            (Some(b), Some(m)) => format!("{b:.6} ({m})"),
            (Some(b), None) => format!("{b:.6}"),
            _ => "-".into(),
        },
        r.mip_gap.map_or("-".into(), pct),
        r.status,
        r.mip_schedule.name(),
        r.found_by
    );
    s += &format!("proof        {}\n", r.bound_summary);
    let c = &r.certificate;
    s += &format!(
        "certificate  {} (max deviation: activation {:.1e}, output {:.1e}, loss {:.1e}; objective MILP {:.6} = forward {:.6})\n",
        if c.passed { "passed" } else { "FAILED" },
        c.max_activation_deviation,
        c.max_output_deviation,
        c.max_loss_deviation,
        c.objective_milp,
        c.objective_forward
    );
    let b = &r.baseline;
    s += &format!(
        "baseline     gradient net: train {}, test {}, {} zero; magnitude-pruned to {} zero: train {}, test {}\n",
        pct(b.train_accuracy),
        b.test_accuracy.map_or("-".into(), pct),
        pct(b.weight_sparsity),
        pct(r.weight_sparsity),
        pct(b.pruned_to_milp_sparsity_train_accuracy),
        b.pruned_to_milp_sparsity_test_accuracy.map_or("-".into(), pct)
    );
    let broken: Vec<&str> = b
        .rules
        .iter()
        .filter(|c| !c.holds)
        .map(|c| c.description.as_str())
        .collect();
    if !b.rules.is_empty() {
        s += &format!(
            "             the gradient net breaks {} of the {} rules{}{}\n",
            broken.len(),
            b.rules.len(),
            if broken.is_empty() { "" } else { ": " },
            broken.join("; ")
        );
    }
    for g in &r.regions {
        s += &format!(
            "region       {}: {} (verifier: {})\n",
            g.description, g.in_words, g.verifier_answer
        );
    }
    if let Some(u) = &r.unconstrained {
        s += &format!(
            "without rules train {}, test {}, {} of weights zero, {} features read, objective {:.4} ({:.0} % of the time limit, MIP status {}); the rules cost {} test accuracy\n",
            pct(u.train_accuracy),
            u.test_accuracy.map_or("-".into(), pct),
            pct(u.weight_sparsity),
            u.features_read,
            u.objective,
            100.0 * u.share,
            u.status,
            match (r.test_accuracy, u.test_accuracy) {
                (Some(a), Some(b)) => format!("{:.1} points", 100.0 * (b - a)),
                _ => "- (no test split)".into(),
            }
        );
    }
    if let Some(why) = &r.unconstrained_failure {
        s += &format!("without rules the comparison run failed: {why}\n");
    }
    for w in &r.warnings {
        s += &format!("warning      {w}\n");
    }
    s += &format!(
        "time         {:.1} s in all (MIP {:.1} s, model build {:.2} s); {} columns, {} binaries, {} rows\n",
        r.total_seconds, r.solve_seconds, r.build_seconds, r.columns, r.binaries, r.rows
    );
    s
}
