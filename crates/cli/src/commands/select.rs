//! `mipnet select`: model selection by stratified K-fold cross-validation
//! on the training split, refit of the best setting, gradient baselines
//! beside it.

use crate::commands::train::{check_output_width, interrupt_on_ctrl_c, train_failure, Console, TrainArgs};
use crate::exit::{input, Exit};
use crate::non_finite::first_non_finite;
use crate::output_dir::OutputDir;
use crate::run_files::{self, NETWORK, REPORT, TEST_SPLIT, TRAIN_RUN};
use anyhow::{anyhow, Context, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use mipnet_formulate::Loss;
use mipnet_highs::HighsSolver;
use mipnet_network::write_atomic;
use mipnet_select::{
    select, BaselineEntry, FoldRun, FoldStatus, Grid, RunId, SelectError, SelectJob, SelectObserver, SelectReport,
    SelectSection, Selection, DEFAULT_FOLDS, DEFAULT_REFIT_SHARE,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Shown under `mipnet select --help`.
const SELECT_HELP: &str = "\
Every setting of the grid (the lists of --l1-values, --hidden-values, --margin-values, \
--grid-levels-values and --loss-values, or of a --grid file's [select] section; a dimension \
not given takes the single value of train's flag or --config) is trained on each of K \
stratified folds of the training split (an exact, certified `train` run per setting and \
fold) and scored on the fold it left out. The setting with the best mean validation accuracy \
wins (ties: fewer parameters kept); it is refit on the whole training split and certified, \
and written like `train --out` writes a run, report.json gaining `selection` (the grid, the \
folds and their seed, the plan, the CV table and every run) and `baselines` (dense gradient, \
one-shot magnitude pruning + fine-tuning, iterative magnitude pruning with rewinding, ℓ1 \
proximal training, each at the MILP network's zero-weight fraction and at its parameters \
kept, trained on the training split only, with test accuracy).

--time-limit is the whole selection's: the refit gets --refit-share of it, the CV runs the \
rest, as many at once as --threads (default: the cores) and memory allow, each with its \
share of the threads. Ctrl-C keeps the finished folds: the table is printed, no refit runs, \
nothing is written, exit 5.

Example:
  mipnet select --dataset iris --l1-values 0.001,0.01,0.1 --hidden-values 4 --hidden-values 8 \\
      --folds 5 --time-limit 600 --out runs/iris-select";

/// The flags of `select`: train's, and the grid's.
#[derive(Args, Debug)]
#[command(after_long_help = SELECT_HELP)]
pub struct SelectArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// Folds K of the stratified cross-validation (at least 2, at most the
    /// training samples of the smallest class). Default 5.
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
    /// Seed of the folds. Default 0.
    #[arg(long, value_name = "N")]
    pub fold_seed: Option<u64>,
    /// α values to try (ℓ1 penalty), e.g. 0.001,0.01,0.1.
    #[arg(long, value_name = "A[,A…]", allow_hyphen_values = true)]
    pub l1_values: Option<String>,
    /// Hidden widths to try: one architecture per value, written like
    /// --hidden (8 or 16,8); repeat the flag, or separate architectures by
    /// spaces ("4 8 16,8").
    #[arg(long, value_name = "W[,W…]", allow_hyphen_values = true)]
    pub hidden_values: Vec<String>,
    /// Margins to try, e.g. 0.5,1.
    #[arg(long, value_name = "M[,M…]", allow_hyphen_values = true)]
    pub margin_values: Option<String>,
    /// P values to try (grid weights s·{−P..P}), e.g. 1,2,3.
    #[arg(long, value_name = "P[,P…]", allow_hyphen_values = true)]
    pub grid_levels_values: Option<String>,
    /// Losses to try: hinge, misclassification, l1 (comma-separated).
    #[arg(long, value_name = "LOSS[,LOSS…]")]
    pub loss_values: Option<String>,
    /// A TOML file with a [select] section: folds, fold_seed, refit_share,
    /// and the lists l1, hidden (e.g. [[4], [8], [16, 8]]), margin,
    /// grid_levels, loss; flags given here override its keys.
    #[arg(long, value_name = "FILE.toml")]
    pub grid: Option<PathBuf>,
    /// Share of --time-limit for the refit of the chosen setting on the
    /// whole training split (strictly between 0 and 1). Default 0.25.
    #[arg(long, value_name = "SHARE", allow_hyphen_values = true)]
    pub refit_share: Option<f64>,
    /// Skip the gradient baselines.
    #[arg(long)]
    pub no_baselines: bool,
}

/// Splits a comma list; an empty value is an empty list.
fn items(text: &str) -> Vec<&str> {
    if text.trim().is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::trim).collect()
    }
}

/// A comma list of `T`, refused naming the flag and the item.
fn parse_list<T: std::str::FromStr>(flag: &str, text: &str, what: &str) -> Result<Vec<T>> {
    items(text)
        .into_iter()
        .map(|item| {
            item.parse()
                .map_err(|_| input(anyhow!("{flag} '{text}': '{item}' is not {what}")))
        })
        .collect()
}

fn parse_loss(item: &str) -> Result<Loss> {
    match item {
        "hinge" => Ok(Loss::Hinge),
        "misclassification" => Ok(Loss::Misclassification),
        "l1" => Ok(Loss::L1),
        other => Err(input(anyhow!(
            "--loss-values: unknown loss '{other}' (the losses are hinge, misclassification, l1)"
        ))),
    }
}

impl SelectArgs {
    /// The grid the flags give (dimensions not given: None).
    fn flag_grid(&self) -> Result<Grid> {
        let hidden = if self.hidden_values.is_empty() {
            None
        } else {
            let mut archs = Vec::new();
            for value in &self.hidden_values {
                let parts: Vec<&str> = value.split_whitespace().collect();
                if parts.is_empty() {
                    archs.clear();
                    break;
                }
                for part in parts {
                    let widths: Vec<usize> = parse_list("--hidden-values", part, "a whole number of neurons")?;
                    archs.push(widths);
                }
            }
            Some(archs)
        };
        Ok(Grid {
            l1: self
                .l1_values
                .as_deref()
                .map(|t| parse_list("--l1-values", t, "a number"))
                .transpose()?,
            hidden,
            margin: self
                .margin_values
                .as_deref()
                .map(|t| parse_list("--margin-values", t, "a number"))
                .transpose()?,
            grid_levels: self
                .grid_levels_values
                .as_deref()
                .map(|t| parse_list("--grid-levels-values", t, "a whole number from 1 to 64"))
                .transpose()?,
            loss: self
                .loss_values
                .as_deref()
                .map(|t| items(t).into_iter().map(parse_loss).collect::<Result<Vec<_>>>())
                .transpose()?,
        })
    }

    /// The --grid file's [select] section (empty without a file).
    fn grid_file(&self) -> Result<SelectSection> {
        let Some(path) = &self.grid else {
            return Ok(SelectSection::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--grid: cannot read {}", path.display()))
            .map_err(input)?;
        SelectSection::from_toml(&text).map_err(|e| input(anyhow!("{}: {e}", path.display())))
    }
}

/// Progress of the cross-validation on stderr, one line per run (also
/// `bench`'s, when its suite selects).
pub(crate) struct CvProgress {
    quiet: bool,
    lock: Mutex<()>,
}

impl CvProgress {
    pub(crate) fn new(quiet: bool) -> CvProgress {
        CvProgress {
            quiet,
            lock: Mutex::new(()),
        }
    }

    fn say(&self, text: &str) {
        if !self.quiet {
            let _held = self.lock.lock();
            eprintln!("mipnet: {text}");
        }
    }
}

fn pct(v: f64) -> String {
    format!("{:.1} %", 100.0 * v)
}

impl SelectObserver for CvProgress {
    fn run_started(&self, id: &RunId) {
        self.say(&format!(
            "setting {}/{}, fold {}/{} ({}): training",
            id.setting + 1,
            id.settings,
            id.fold + 1,
            id.folds,
            id.values.describe()
        ));
    }
    fn run_finished(&self, id: &RunId, run: &FoldRun) {
        let what = match (run.status, run.validation_accuracy) {
            (FoldStatus::Finished, Some(a)) => format!(
                "validation {}, {} zero weights, objective {:.4}",
                pct(a),
                pct(run.weight_sparsity.unwrap_or(0.0)),
                run.objective.unwrap_or(f64::NAN)
            ),
            (FoldStatus::Interrupted, _) => "interrupted (left out of the table)".into(),
            _ => format!("no network ({})", run.note.as_deref().unwrap_or("no reason given")),
        };
        self.say(&format!(
            "setting {}/{}, fold {}/{}: {what} in {:.1} s",
            id.setting + 1,
            id.settings,
            id.fold + 1,
            id.folds,
            run.seconds
        ));
    }
    fn message(&self, text: &str) {
        self.say(&format!("select: {text}"));
    }
}

/// A selection's error as the CLI's exit codes sort it: a failed training
/// run as `train`'s, anything else (grid, folds, time plan) bad input.
pub(crate) fn select_error(e: SelectError) -> anyhow::Error {
    match e {
        SelectError::Train(t) => train_failure(t),
        other => input(other),
    }
}

/// The report's status of a refit ended by an interrupt (as `train`'s).
const INTERRUPTED_STATUS: &str = "interrupted";

pub fn run(mut args: SelectArgs, matches: &ArgMatches) -> Result<std::process::ExitCode> {
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let base = args.train.apply_config(&given)?;
    let file = args.grid_file()?;
    let grid = args.flag_grid()?.over(&file.grid());
    let folds = args.folds.or(file.folds).unwrap_or(DEFAULT_FOLDS);
    let fold_seed = args.fold_seed.or(file.fold_seed).unwrap_or(0);
    let refit_share = args.refit_share.or(file.refit_share).unwrap_or(DEFAULT_REFIT_SHARE);
    let (name, train_set, test) = args.train.data.load()?;
    check_output_width(args.train.arch.as_deref(), &train_set)?;
    let job = SelectJob {
        dataset: name,
        train: &train_set,
        test: test.as_ref(),
        base: &base,
        grid: &grid,
        folds,
        fold_seed,
        refit_share,
        baselines: !args.no_baselines,
        solver: &HighsSolver,
    };
    // The grid, the folds and the time plan are checked before any work.
    mipnet_select::prepare(&job).map_err(select_error)?;
    let interrupt = interrupt_on_ctrl_c();
    let out = match &args.train.out {
        Some(dir) => Some(OutputDir::prepare("--out", dir, &TRAIN_RUN, args.train.force)?),
        None => None,
    };
    let quiet = args.train.quiet || args.train.json;
    let progress = CvProgress::new(quiet);
    let mut console = Console::new(quiet);
    let outcome = select(&job, &progress, &mut console, &interrupt);
    console.finish();
    let mut outcome = outcome.map_err(select_error)?;
    let interrupted = interrupt.is_raised();
    let mut stdout = std::io::stdout().lock();
    let Some(refit) = outcome.refit.as_mut() else {
        // No refit: the table of what finished, nothing written.
        if args.train.json {
            serde_json::to_writer_pretty(&mut stdout, &outcome.selection)?;
            writeln!(stdout)?;
        } else {
            write!(stdout, "{}", selection_summary(&outcome.selection))?;
        }
        drop(stdout);
        drop(out);
        if interrupted {
            eprintln!(
                "mipnet: interrupted: the finished folds are in the table above; no refit ran and nothing was written"
            );
            return Ok(std::process::ExitCode::from(crate::exit::INTERRUPTED));
        }
        return Err(anyhow::Error::new(Exit::no_network(
            "no setting gave a network on every fold, so none was chosen (the table above says which folds failed)"
                .into(),
        )));
    };
    if interrupted {
        refit.report.status = INTERRUPTED_STATUS.to_string();
    }
    let refit = outcome.refit.as_ref().expect("a refit");
    let report = outcome.report().expect("a refit has a report");
    if let Some(out) = out {
        if let Err(e) = write_and_check(out.staging(), refit, &report, test.as_ref()) {
            let target = out.target().display().to_string();
            let kept = out.keep_aside();
            return Err(e.context(format!(
                "the run was not moved into {target} (its files are kept in {} for inspection)",
                kept.display()
            )));
        }
        out.commit()?;
    }
    if args.train.json {
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", crate::commands::train::summary(refit))?;
        write!(stdout, "{}", selection_summary(&outcome.selection))?;
        if let Some(b) = &outcome.baselines {
            write!(stdout, "{}", baselines_summary(b))?;
        }
        if let Some(dir) = &args.train.out {
            writeln!(
                stdout,
                "wrote        {0}/{NETWORK}, {0}/{REPORT}{1} (read it: mipnet show {0}/{NETWORK})",
                dir.display(),
                if test.is_some() {
                    format!(", {}/{TEST_SPLIT}", dir.display())
                } else {
                    String::new()
                }
            )?;
        }
    }
    drop(stdout);
    if let Some(note) = &outcome.baselines_note {
        eprintln!("mipnet: note: {note}");
    }
    if interrupted {
        eprintln!("mipnet: interrupted during the refit: its best certified network so far is the result");
        return Ok(std::process::ExitCode::from(crate::exit::INTERRUPTED));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Writes the run as `train` does, then report.json as select's report
/// (the run's report with `selection` and `baselines`), read back byte for
/// byte and holding only finite numbers.
fn write_and_check(
    dir: &Path,
    refit: &mipnet_train::TrainOutcome,
    report: &SelectReport,
    test: Option<&mipnet_data::Dataset>,
) -> Result<()> {
    run_files::write_and_check(dir, refit, test)?;
    let path = dir.join(REPORT);
    if let Some(field) = first_non_finite(report) {
        return Err(anyhow!(
            "{}: the report holds a number that is not finite at {field} (it would read back as null)",
            path.display()
        ));
    }
    let text = serde_json::to_string_pretty(report)?;
    write_atomic(&path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    let read = std::fs::read_to_string(&path).with_context(|| format!("cannot read back {}", path.display()))?;
    if read != text || serde_json::from_str::<serde_json::Value>(&read).is_err() {
        return Err(anyhow!("{}: the report as written does not read back", path.display()));
    }
    Ok(())
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or("-".into(), pct)
}

/// The CV table, for people.
pub fn selection_summary(s: &Selection) -> String {
    let p = &s.plan;
    let mut out = format!(
        "selection    {} folds (fold seed {}), {} settings, {} runs {} at a time ({} thread{} each), {:.1} s each; \
         refit {:.1} s; CV took {:.1} s{}\n",
        s.folds,
        s.fold_seed,
        s.settings.len(),
        p.runs,
        p.parallel,
        p.threads_per_run,
        if p.threads_per_run == 1 { "" } else { "s" },
        p.run_seconds,
        p.refit_seconds,
        s.cv_seconds,
        if s.interrupted { " (interrupted)" } else { "" }
    );
    out += &format!(
        "  {:>3}  {:<8} {:<8} {:<6} {:<3} {:<17} {:>22} {:>13} {:>10} {:>11} {:>10} {:>7}\n",
        "#",
        "α",
        "hidden",
        "margin",
        "P",
        "loss",
        "validation (mean ± sd)",
        "min–max",
        "zero wts",
        "params kept",
        "objective",
        "s/fold"
    );
    for row in &s.table {
        let v = &row.values;
        let mark = if s.chosen == Some(row.setting) { "*" } else { " " };
        let secs: Vec<f64> = row.fold_seconds.iter().flatten().copied().collect();
        out += &format!(
            "{mark} {:>3}  {:<8} {:<8} {:<6} {:<3} {:<17} {:>22} {:>13} {:>10} {:>11} {:>10} {:>7}{}\n",
            row.setting + 1,
            v.l1,
            v.hidden.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(","),
            v.margin,
            v.grid_levels,
            v.loss.name(),
            match (row.validation_accuracy_mean, row.validation_accuracy_std) {
                (Some(m), Some(sd)) => format!("{} ± {:.1}", pct(m), 100.0 * sd),
                (Some(m), None) => pct(m),
                _ => "-".into(),
            },
            match (row.validation_accuracy_min, row.validation_accuracy_max) {
                (Some(a), Some(b)) => format!("{:.1}–{:.1}", 100.0 * a, 100.0 * b),
                _ => "-".into(),
            },
            opt_pct(row.weight_sparsity_mean),
            row.params_kept_mean.map_or("-".into(), |p| format!("{p:.1}")),
            row.objective_mean.map_or("-".into(), |o| format!("{o:.4}")),
            if secs.is_empty() {
                "-".into()
            } else {
                format!("{:.1}", secs.iter().sum::<f64>() / secs.len() as f64)
            },
            if row.complete(s.folds) {
                String::new()
            } else {
                format!("  ({} of {} folds finished)", row.folds_finished, s.folds)
            }
        );
    }
    out += &match (&s.chosen, &s.chosen_setting) {
        (Some(i), Some(v)) => format!(
            "chosen       setting {} ({}), refit on the whole training split\n",
            i + 1,
            v.describe()
        ),
        _ => "chosen       none: no setting finished every fold\n".to_string(),
    };
    out
}

/// The baselines beside the MILP network, for people.
pub fn baselines_summary(b: &mipnet_select::BaselineComparison) -> String {
    let line = |e: &BaselineEntry| {
        format!(
            "  {:<34} test {:>7}   train {:>7}   {:>7} zero weights ({}/{})   {} parameters kept{}\n",
            e.method,
            opt_pct(e.test_accuracy),
            pct(e.train_accuracy),
            pct(e.weight_sparsity),
            e.zero_weights,
            e.weights,
            e.params_kept,
            e.lambda.map_or(String::new(), |l| format!("   λ {l:.4}"))
        )
    };
    let mut out = String::from("baselines    same architecture, trained on the training split only:\n");
    out += &line(&b.milp);
    out += &line(&b.dense);
    out += &format!("  at the MILP network's zero weights ({}):\n", b.milp.zero_weights);
    b.at_equal_sparsity.iter().for_each(|e| out += &line(e));
    out += &format!(
        "  at its parameters kept ({}; {} zero weights):\n",
        b.milp.params_kept, b.equal_params_zero_weights
    );
    b.at_equal_params_kept.iter().for_each(|e| out += &line(e));
    out
}
