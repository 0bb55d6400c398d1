//! `mipnet certify DIR SOLUTION`: another solver's solution of the model
//! `train --write-model DIR` wrote, read back into a network and certified
//! as mipnet certifies its own.
//!
//! The model is rebuilt from DIR's manifest (data, split, standardizer,
//! formulation, cutoff) and must be the one in DIR/model.mps to the byte
//! (its SHA-256); the solution is read by column name; the network it
//! stands for passes the certificate (its forward pass in f64 reproduces
//! the solution's activations, outputs, losses and objective, and the
//! solution satisfies every row) or is refused (exit 4). The objective the
//! file states must be the model's at the point read (else the file was
//! misread or is another model's: exit 2). A bound the other solver
//! reports (`--bound`) is recorded as its claim (`external_bound`), never
//! as mipnet's proven `dual_bound`; a bound above the certified objective
//! is proven false (or another model's) and refused (exit 2).

use crate::commands::model_dir::{file_sha256, formulation, read_manifest, Manifest, MODEL_FILE};
use crate::exit::{input, Exit};
use crate::output_dir::OutputDir;
use crate::run_files::{self, NETWORK, REPORT, TRAIN_RUN};
use anyhow::{anyhow, Result};
use clap::Args;
use mipnet_formulate::{Certificate, Tolerances};
use mipnet_highs::write_model;
use mipnet_milp::files::read_solution;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CertifyArgs {
    /// The model directory `mipnet train --write-model DIR` wrote
    /// (model.mps, manifest.json, the starts).
    pub dir: PathBuf,
    /// A solution of DIR/model.mps by column name: Gurobi's .sol (name
    /// value, # comments), SCIP's `write solution` (.sol; columns left out
    /// are 0), a MIPLIB .sol (=obj= first; columns left out are 0),
    /// HiGHS's solution file (raw style), CPLEX's XML .sol/.mst, or
    /// `mipnet solve --solution`'s CSV. Gurobi, HiGHS, CPLEX and CSV files
    /// must list every column. An objective the file states must be the
    /// model's at its values (1e-6 relative), else it is refused.
    pub solution: PathBuf,
    /// The lower bound the other solver reported for the model: recorded
    /// as `external_bound` (its claim, not checked by mipnet), with the
    /// gap against it; never as mipnet's proven bound. A bound above the
    /// certified objective (beyond 1e-6 relative) is refused: the
    /// certified network proves it false.
    #[arg(long, value_name = "B", allow_negative_numbers = true)]
    pub bound: Option<f64>,
    /// Write network.json and report.json (and test.csv) into this new
    /// directory, as `train --out` does (written beside it, read back,
    /// moved into place together).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the run already in --out (mipnet's network.json and
    /// report.json, and test.csv; nothing else).
    #[arg(long)]
    pub force: bool,
    /// Print the report as JSON on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// The note beside an external bound in the report.
const EXTERNAL_BOUND_NOTE: &str =
    "the other solver's claim for model.mps, not checked by mipnet: not a proof; mipnet proved no bound here";

/// How far (relative, of 1 + |objective|) the objective a solution file
/// states may differ from the model's objective at the point read: solvers
/// print the objective and the values with 15–17 significant digits, so a
/// faithful file agrees to about 1e-12; 1e-6 leaves room for a solver
/// that prints fewer digits while any misread column or another model's
/// file (whose objective differs in a leading digit) is caught.
pub const STATED_OBJECTIVE_TOLERANCE: f64 = 1e-6;

/// How far (relative, of 1 + |objective|) an external bound may lie above
/// the certified objective before it is refused: a solver's dual bound may
/// exceed its incumbent by its own feasibility and optimality tolerances
/// (1e-6 and below for HiGHS, SCIP, Gurobi, CPLEX defaults), never by more.
pub const EXTERNAL_BOUND_TOLERANCE: f64 = 1e-6;

/// The report's `certified_point`: the solution as read was certified.
const POINT_SOLUTION: &str = "solution";
/// The report's `certified_point`: the solution left slack in its loss
/// columns, so the network's exact point (its forward pass) was certified.
const POINT_EXACT: &str = "network's exact point";

/// Where the solution came from and how it was read.
#[derive(Serialize)]
pub struct SolutionSource {
    pub model_dir: String,
    pub file: String,
    pub format: &'static str,
    /// The objective the file states (if it states one).
    pub stated_objective: Option<f64>,
    /// The model's objective at the solution as read.
    pub objective_as_read: f64,
    pub columns: usize,
    /// Columns the file left out, 0 by its format's convention.
    pub zero_filled: usize,
    pub model_sha256: String,
}

/// `certify`'s report.json: what `train`'s report says of a network that
/// mipnet did not search for, and where it came from.
#[derive(Serialize)]
pub struct CertifyReport {
    pub status: &'static str,
    pub dataset: String,
    pub n_train: usize,
    pub n_test: usize,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub weight_sparsity: f64,
    pub params_total: usize,
    pub params_kept: usize,
    pub neurons_kept: Vec<usize>,
    pub neurons_effective: Vec<usize>,
    /// Which point was certified: the solution as read ("solution") or,
    /// where it differs (slack a solver left in the loss columns), the
    /// network's exact point ("network's exact point"); the certificate's
    /// deviations are of that point, `solution.objective_as_read` of the
    /// solution.
    pub certified_point: &'static str,
    /// The certified network's objective (its forward pass).
    pub objective: f64,
    /// The other solver's bound (`--bound`), as given.
    pub external_bound: Option<f64>,
    pub external_bound_note: Option<&'static str>,
    /// (objective − external bound) / objective: the gap if the other
    /// solver's claim holds.
    pub external_gap: Option<f64>,
    pub solution: SolutionSource,
    /// The objective cutoff the model had (see the manifest).
    pub objective_cutoff: Option<f64>,
    pub certificate: Certificate,
    /// The training run's settings (from the manifest).
    pub settings: serde_json::Value,
    pub mipnet_version: &'static str,
}

/// The report's status of a certified solution.
const CERTIFIED: &str = "certified";

pub fn run(args: CertifyArgs) -> Result<ExitCode> {
    if let Some(b) = args.bound.filter(|b| !b.is_finite()) {
        return Err(input(anyhow!("--bound must be a finite number, got {b}")));
    }
    let manifest = read_manifest(&args.dir)?;
    let solution_text = std::fs::read_to_string(&args.solution)
        .map_err(|e| input(anyhow!("cannot read {}: {e}", args.solution.display())))?;
    let out = match &args.out {
        Some(dir) => Some(OutputDir::prepare("--out", dir, &TRAIN_RUN, args.force)?),
        None => None,
    };
    let (name, train, test) = manifest.data.load()?;
    let f = formulation(
        &train,
        &manifest.standardizer,
        &manifest.training_settings.formulation,
        manifest.objective_cutoff,
    )
    .map_err(|e| input(e.context(format!("{}: the manifest's model", args.dir.display()))))?;
    check_fingerprint(&args.dir, &manifest, &f.model)?;
    let shown = args.solution.display();
    let file = read_solution(&solution_text).map_err(|e| input(anyhow!("{shown}: {e}")))?;
    let names = f.column_names();
    let values = file.column_values(&names).map_err(|e| input(anyhow!("{shown}: {e}")))?;
    let x = values.values;
    let objective_as_read = f.model.objective_value(&x);
    if let Some(stated) = file.objective {
        if (stated - objective_as_read).abs() > STATED_OBJECTIVE_TOLERANCE * (1.0 + objective_as_read.abs()) {
            return Err(input(anyhow!(
                "{shown}: the file states objective {stated}, but its values give the model's objective \
                 {objective_as_read} (beyond {STATED_OBJECTIVE_TOLERANCE:e} relative): a misread file or another model's solution"
            )));
        }
    }
    let tol = Tolerances::default();
    let mut network = f.network_from(&x, &manifest.standardizer, &tol);
    network.settings = serde_json::to_value(&manifest.training_settings)?;
    // A solver may leave slack in the loss variables; see exact_point.
    let point = f.exact_point(&x, &network, &tol);
    let certified_point = if point.iter().zip(&x).all(|(a, b)| a.to_bits() == b.to_bits()) {
        POINT_SOLUTION
    } else {
        POINT_EXACT
    };
    let certificate = f.certify(&point, &network, &tol);
    if !certificate.passed {
        return Err(anyhow::Error::new(Exit::certificate(format!(
            "{shown}: the solution fails the certificate: {} (no network was written)",
            certificate.failure.as_deref().unwrap_or("no reason given")
        ))));
    }
    let objective = certificate.objective_forward;
    if let Some(b) = args.bound {
        if b > objective + EXTERNAL_BOUND_TOLERANCE * (1.0 + objective.abs()) {
            return Err(input(anyhow!(
                "--bound {b} is above the certified objective {objective} (beyond {EXTERNAL_BOUND_TOLERANCE:e} relative): \
                 the certified network proves it false, or it is another model's bound"
            )));
        }
    }
    let report = CertifyReport {
        status: CERTIFIED,
        dataset: name,
        n_train: train.len(),
        n_test: test.as_ref().map_or(0, |t| t.len()),
        train_accuracy: network.accuracy(&train),
        test_accuracy: test.as_ref().filter(|t| !t.is_empty()).map(|t| network.accuracy(t)),
        weight_sparsity: network.weight_sparsity(),
        params_total: network.params_total(),
        params_kept: network.params_kept(),
        neurons_kept: network.neurons_kept(),
        neurons_effective: network.neurons_effective(),
        certified_point,
        objective,
        external_bound: args.bound,
        external_bound_note: args.bound.map(|_| EXTERNAL_BOUND_NOTE),
        external_gap: args.bound.map(|b| gap(objective, b)),
        solution: SolutionSource {
            model_dir: args.dir.display().to_string(),
            file: shown.to_string(),
            format: file.format.name(),
            stated_objective: file.objective,
            objective_as_read,
            columns: names.len(),
            zero_filled: values.zero_filled,
            model_sha256: manifest.model_sha256.clone(),
        },
        objective_cutoff: manifest.objective_cutoff,
        certificate,
        settings: network.settings.clone(),
        mipnet_version: env!("CARGO_PKG_VERSION"),
    };
    if let Some(out) = out {
        if let Err(e) = run_files::write_run(out.staging(), &network, &report, test.as_ref()) {
            let target = out.target().display().to_string();
            let kept = out.keep_aside();
            return Err(e.context(format!(
                "the network was not moved into {target} (its files are kept in {} for inspection)",
                kept.display()
            )));
        }
        out.commit()?;
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", summary(&report))?;
        if let Some(dir) = &args.out {
            writeln!(
                stdout,
                "wrote        {0}/{NETWORK}, {0}/{REPORT} (read it: mipnet show {0}/{NETWORK})",
                dir.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The relative gap of `objective` over `bound` (0 when the objective is
/// 0; a bound above the objective is refused before, so the gap is ≥ 0 up
/// to [`EXTERNAL_BOUND_TOLERANCE`], where it is 0).
fn gap(objective: f64, bound: f64) -> f64 {
    if objective > 0.0 {
        ((objective - bound) / objective).max(0.0)
    } else {
        0.0
    }
}

/// DIR/model.mps must be the file the manifest names (its SHA-256), and
/// the model rebuilt from the manifest must write to the same bytes;
/// either mismatch is refused (exit 2), saying which.
fn check_fingerprint(dir: &std::path::Path, manifest: &Manifest, model: &mipnet_milp::Model) -> Result<()> {
    let path = dir.join(MODEL_FILE);
    let on_disk = file_sha256(&path).map_err(input)?;
    if on_disk != manifest.model_sha256 {
        return Err(input(anyhow!(
            "{} is not the model the manifest was written for (SHA-256 {on_disk}, the manifest's {}): \
             it was changed after `train --write-model`",
            path.display(),
            manifest.model_sha256
        )));
    }
    let scratch = tempfile::tempdir().map_err(|e| anyhow!("cannot make a scratch directory: {e}"))?;
    let rebuilt = scratch.path().join(MODEL_FILE);
    write_model(model, &rebuilt).map_err(|e| anyhow!("cannot write the rebuilt model: {e}"))?;
    let ours = file_sha256(&rebuilt)?;
    if ours != manifest.model_sha256 {
        return Err(input(anyhow!(
            "the model rebuilt from {}'s manifest is not {} (SHA-256 {ours}, the file's {}): the data or \
             mipnet changed since `train --write-model`",
            dir.display(),
            path.display(),
            manifest.model_sha256
        )));
    }
    Ok(())
}

fn pct(v: f64) -> String {
    format!("{:.1} %", 100.0 * v)
}

/// The human summary of `certify`.
fn summary(r: &CertifyReport) -> String {
    let s = &r.solution;
    let c = &r.certificate;
    let mut t = String::new();
    t += &format!(
        "model        {}/{MODEL_FILE} ({} columns; rebuilt from the manifest, SHA-256 {} matches)\n",
        s.model_dir,
        s.columns,
        &s.model_sha256[..12]
    );
    t += &format!(
        "solution     {} ({}{}), objective {}{}\n",
        s.file,
        s.format,
        if s.zero_filled > 0 {
            format!("; {} columns left out, 0 by the format", s.zero_filled)
        } else {
            String::new()
        },
        s.objective_as_read,
        s.stated_objective
            .map_or(String::new(), |o| format!(" (the file states {o})"))
    );
    t += &format!(
        "certificate  passed at the {} (max deviation: activation {:.1e}, output {:.1e}, loss {:.1e}, rows {:.1e}; objective MILP {:.6} = forward {:.6})\n",
        r.certified_point,
        c.max_activation_deviation,
        c.max_output_deviation,
        c.max_loss_deviation,
        c.max_constraint_violation,
        c.objective_milp,
        c.objective_forward
    );
    for rule in &c.rules {
        t += &format!(
            "rule         {}: {} ({})\n",
            rule.rule.describe(),
            if rule.holds { "holds" } else { "BROKEN" },
            rule.detail
        );
    }
    t += &format!(
        "network      {}: train {}, test {}, {} of weights zero, {} of {} parameters kept, neurons kept {:?}\n",
        r.dataset,
        pct(r.train_accuracy),
        r.test_accuracy.map_or("-".into(), pct),
        pct(r.weight_sparsity),
        r.params_kept,
        r.params_total,
        r.neurons_kept
    );
    t += &format!(
        "objective    {:.6}   bound {}\n",
        r.objective,
        match (r.external_bound, r.external_gap) {
            (Some(b), Some(g)) => format!(
                "{b} external (the other solver's claim, not mipnet's proof): external gap {}",
                pct(g)
            ),
            _ => "- (mipnet proves no bound for another solver's solution; give the solver's as --bound)".into(),
        }
    );
    t
}
