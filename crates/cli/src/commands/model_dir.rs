//! The model directory of `train --write-model DIR`: the training MILP for
//! any solver, the run's network as a MIP start in each solver's format,
//! and the manifest `certify` reads a solution back with.
//!
//! - `model.mps`: the training MILP exactly as the run's full MIP had it
//!   (the training split, the formulation settings with their rules, and
//!   the objective cutoff when the run's cutoff tightening applied one),
//!   written by HiGHS's MPS writer, every column named
//!   (`DenseFormulation::column_names`);
//! - `start.sol` (MIPLIB format, `=obj=` first: HiGHS `readSolution` /
//!   `--read_solution_file`, SCIP `read`), `start.gurobi.mst` (Gurobi's
//!   MST: `read`, `gurobi_cl InputFile=`), `start.cplex.mst` (CPLEX's XML
//!   MIP start: `read`): the run's certified network, every column;
//! - `manifest.json`: format version, the data source and split (with the
//!   SHA-256 of each data file), the standardizer, the training settings
//!   (the formulation's among them: one source), the cutoff, and the
//!   SHA-256 of model.mps, so `certify` rebuilds the same model and
//!   refuses a directory whose model or data it does not rebuild.
//!
//! model.mps leaves out what rests on mipnet's own proofs rather than on
//! the formulation: the proven-bound rows the run's full MIP gets (the
//! objective floor and the Lipschitz output-pair rows,
//! `mipnet_formulate::formulation::bound_rows`) and the Lipschitz cuts of
//! --lipschitz-cuts; the manifest's notes say so.
//!
//! The files are written beside DIR and read back before DIR appears
//! ([`crate::output_dir::OutputDir`]): the model by mipnet's strict MPS
//! reader and HiGHS's, then compared with the model built field by field
//! (`mipnet_milp::files::compare`); every start, the CPLEX XML one
//! included, to the bit.

use crate::commands::data::{DataArgs, MissingArg};
use crate::exit::{input, Exit};
use crate::output_dir::{OutputDir, RunKind};
use crate::run_files::is_mipnet_json;
use anyhow::{anyhow, Context, Result};
use mipnet_data::{Dataset, Standardizer};
use mipnet_formulate::{DenseFormulation, FormulationSettings, Rule, Tolerances};
use mipnet_highs::{read_model, write_model};
use mipnet_milp::files::{compare, read_solution, write_cplex_mst, write_gurobi_mst, write_miplib_sol};
use mipnet_network::write_atomic;
use mipnet_train::{TrainOutcome, TrainSettings};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const MODEL_FILE: &str = "model.mps";
pub const MANIFEST: &str = "manifest.json";
/// The start in MIPLIB's solution format: HiGHS and SCIP read it.
pub const START_MIPLIB: &str = "start.sol";
/// The start in Gurobi's MST format.
pub const START_GUROBI: &str = "start.gurobi.mst";
/// The start in CPLEX's XML MST format.
pub const START_CPLEX: &str = "start.cplex.mst";
/// The manifest format this mipnet writes and reads (2: the data files'
/// SHA-256, the formulation read from the training settings).
pub const MANIFEST_FORMAT: u32 = 2;
/// Keys every manifest has: its format and what makes it mipnet's.
const MANIFEST_KEYS: &[&str] = &["format_version", "mipnet_version", "model_sha256", "training_settings"];
/// What the manifest's notes say model.mps leaves out, always.
const LEFT_OUT_NOTE: &str = "model.mps is the training MILP without the proven-bound rows the run's full MIP may get \
     (the objective floor and the Lipschitz output-pair rows) and without --lipschitz-cuts' cuts: those rest on \
     mipnet's own proofs, not on the formulation";

/// A model directory: `--force` may replace one, nothing else.
pub static MODEL_DIR: RunKind = RunKind {
    required: &[MODEL_FILE, MANIFEST, START_MIPLIB, START_GUROBI, START_CPLEX],
    optional: &[],
    recognise: |dir| is_mipnet_json(&dir.join(MANIFEST), MANIFEST_KEYS),
};

/// Where the training data came from: `train`'s data flags (after its
/// config file), paths made absolute, so `certify` loads the same split,
/// with the SHA-256 of each data file so it refuses a changed one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    pub dataset: Option<String>,
    pub data: Option<PathBuf>,
    pub label: Option<String>,
    pub drop: Vec<String>,
    /// Rows with a missing value were dropped (`--missing drop`).
    pub drop_missing: bool,
    pub test_data: Option<PathBuf>,
    pub test_fraction: f64,
    pub split_seed: u64,
    pub train_per_class: Option<usize>,
    pub image_pool: usize,
    /// Every file the data was read from (--data, --test-data, MNIST's
    /// files) with its SHA-256 as the run read it. A bundled dataset is
    /// part of mipnet and has none: its name, `mipnet_version` and the
    /// model's SHA-256 identify it.
    pub files: Vec<DataFile>,
}

/// A file the training data was read from, and its SHA-256.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    /// Which data it is ("--data", "--test-data", "mnist").
    pub role: String,
    pub path: PathBuf,
    pub sha256: String,
}

impl DataFile {
    fn of(role: &str, path: &Path) -> Result<Self> {
        Ok(DataFile {
            role: role.to_string(),
            path: path.to_path_buf(),
            sha256: file_sha256(path)?,
        })
    }
}

/// The files of `dir` (MNIST's directory), sorted by name.
fn files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    files.retain(|p| p.is_file());
    files.sort();
    Ok(files)
}

impl DataSource {
    /// The data flags as given, with files made absolute (they must exist:
    /// the run read them).
    pub fn of(d: &DataArgs) -> Result<Self> {
        let absolute = |p: &Option<PathBuf>| -> Result<Option<PathBuf>> {
            p.as_ref()
                .map(|p| std::fs::canonicalize(p).with_context(|| format!("cannot resolve {}", p.display())))
                .transpose()
        };
        let (data, test_data) = (absolute(&d.data)?, absolute(&d.test_data)?);
        let mut files = Vec::new();
        for (role, path) in [("--data", &data), ("--test-data", &test_data)] {
            if let Some(path) = path {
                files.push(DataFile::of(role, path)?);
            }
        }
        if d.dataset.as_deref().is_some_and(|n| n.eq_ignore_ascii_case("mnist")) {
            let dir = std::fs::canonicalize(mipnet_data::mnist_dir())
                .with_context(|| format!("cannot resolve {}", mipnet_data::mnist_dir().display()))?;
            for path in files_in(&dir)? {
                files.push(DataFile::of("mnist", &path)?);
            }
        }
        Ok(DataSource {
            dataset: d.dataset.clone(),
            data,
            label: d.label.clone(),
            drop: d.drop.clone(),
            drop_missing: d.missing == MissingArg::Drop,
            test_data,
            files,
            test_fraction: d.test_fraction,
            split_seed: d.split_seed,
            train_per_class: d.train_per_class,
            image_pool: d.image_pool,
        })
    }

    /// Loads (name, train, test) as the run did; a data file whose SHA-256
    /// is not the run's is refused (exit 2), naming it.
    pub fn load(&self) -> Result<(String, Dataset, Option<Dataset>)> {
        for f in &self.files {
            let now = file_sha256(&f.path).map_err(input)?;
            if now != f.sha256 {
                return Err(input(anyhow!(
                    "{} ({} of the run) changed since `train --write-model`: SHA-256 {now}, the manifest's {}",
                    f.path.display(),
                    f.role,
                    f.sha256
                )));
            }
        }
        DataArgs {
            dataset: self.dataset.clone(),
            image_pool: self.image_pool,
            data: self.data.clone(),
            drop: self.drop.clone(),
            missing: if self.drop_missing {
                MissingArg::Drop
            } else {
                MissingArg::Error
            },
            label: self.label.clone(),
            test_data: self.test_data.clone(),
            test_fraction: self.test_fraction,
            split_seed: self.split_seed,
            train_per_class: self.train_per_class,
        }
        .load()
    }
}

/// What `certify` needs to rebuild the model and read a solution back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format_version: u32,
    pub mipnet_version: String,
    pub data: DataSource,
    pub standardizer: Standardizer,
    /// The incumbent objective f* whose cutoff (layer-1 ℓ1 ≤ f*/α) the
    /// run's full MIP had; null when the run's model was not tightened.
    pub objective_cutoff: Option<f64>,
    /// SHA-256 of model.mps, hexadecimal.
    pub model_sha256: String,
    pub columns: usize,
    pub rows: usize,
    /// The MIP start's objective (the run's network).
    pub start_objective: f64,
    /// Which file holds the start for which solver.
    pub starts: Vec<StartFile>,
    /// The whole run's settings (the network file's); the model is built
    /// from their `formulation`, so the two cannot disagree.
    pub training_settings: TrainSettings,
    /// What the model file leaves out of the run's full MIP, if anything.
    pub notes: Vec<String>,
}

/// A start file and the solvers that read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartFile {
    pub file: String,
    pub solvers: String,
}

/// The start files and who reads them, as the manifest and `--help` say.
fn start_files() -> Vec<StartFile> {
    [
        (START_MIPLIB, "HiGHS (readSolution, --read_solution_file), SCIP (read)"),
        (START_GUROBI, "Gurobi (read, gurobi_cl InputFile=)"),
        (START_CPLEX, "CPLEX (read, MIP start XML)"),
    ]
    .into_iter()
    .map(|(file, solvers)| StartFile {
        file: file.into(),
        solvers: solvers.into(),
    })
    .collect()
}

/// The training MILP of `train` (raw, as loaded) standardized by
/// `standardizer`, with the objective cutoff if any, every column named:
/// the model the run's full MIP solved, without its proven-bound rows and
/// cuts (see the module docs). A failure is returned as is: the caller
/// says whether it is the user's input (certify's manifest) or mipnet's
/// (a run that trained with these settings).
pub fn formulation(
    train: &Dataset,
    standardizer: &Standardizer,
    settings: &FormulationSettings,
    cutoff: Option<f64>,
) -> Result<DenseFormulation> {
    let data = train.standardized(standardizer);
    let mut f = DenseFormulation::build_with_standardizer(&data, settings, standardizer, cutoff)
        .map_err(|e| anyhow!("the formulation cannot be built: {e}"))?;
    f.name_columns();
    Ok(f)
}

/// Checks `--write-model DIR` before any work (not --out's directory, no
/// fairness or region rule; its staging directory made, as --out's) and records the
/// data source.
pub fn prepare(
    dir: &Path,
    out: Option<&Path>,
    data: &DataArgs,
    rules: &[Rule],
    force: bool,
) -> Result<(OutputDir, DataSource)> {
    // The trainer reads a fairness rule's groups from the raw data (and may
    // drop the group column) inside mipnet-train; certify cannot rebuild
    // that model yet, so it is not written.
    if let Some(rule) = rules.iter().find(|r| matches!(r, Rule::Fairness { .. })) {
        return Err(input(anyhow!(
            "--write-model does not support fairness rules yet (\"{}\"): their groups are read from the raw data \
             inside the trainer, which certify cannot rebuild; drop --write-model or the rule",
            rule.describe()
        )));
    }
    // A region rule is no rows of the MILP: the trainer's counterexample
    // loop solves a different model each round, and none of them is the
    // rule; refused before the run rather than after it.
    if let Some((i, rule)) = rules.iter().enumerate().find(|(_, r)| matches!(r, Rule::Region { .. })) {
        return Err(input(anyhow!(
            "--write-model does not support region rules (rule {}: \"{}\"): the region is enforced by a loop of MILPs \
             with counterexamples and proven by the verifier, not by rows of one model that certify could check; \
             drop --write-model or the rule",
            i + 1,
            rule.describe()
        )));
    }
    let same = |a: &Path, b: &Path| match (std::path::absolute(a), std::path::absolute(b)) {
        (Ok(a), Ok(b)) => a.components().eq(b.components()),
        _ => false,
    };
    if out.is_some_and(|o| same(o, dir)) {
        return Err(input(anyhow!(
            "--write-model {} is also --out: give the model its own directory",
            dir.display()
        )));
    }
    // One inside the other: the inner one's staging would sit in the outer
    // one, which then holds files it does not own (or cannot be moved).
    let inside = |a: &Path, b: &Path| match (std::path::absolute(a), std::path::absolute(b)) {
        (Ok(a), Ok(b)) => a.starts_with(&b),
        _ => false,
    };
    if let Some(o) = out.filter(|o| inside(dir, o) || inside(o, dir)) {
        return Err(input(anyhow!(
            "--write-model {} and --out {} are one inside the other: give them separate directories",
            dir.display(),
            o.display()
        )));
    }
    let source = DataSource::of(data).map_err(input)?;
    Ok((OutputDir::prepare("--write-model", dir, &MODEL_DIR, force)?, source))
}

/// Writes the model directory for the finished run and moves it into
/// place (saying so on stderr unless `quiet`); a failed check keeps the
/// files aside and says where.
pub fn write_and_commit(
    dir: OutputDir,
    source: DataSource,
    train: &Dataset,
    settings: &TrainSettings,
    outcome: &TrainOutcome,
    quiet: bool,
) -> Result<()> {
    if let Err(e) = write(dir.staging(), source, train, settings, outcome) {
        let target = dir.target().display().to_string();
        let kept = dir.keep_aside();
        return Err(e.context(format!(
            "the model was not moved into {target} (its files are kept in {} for inspection)",
            kept.display()
        )));
    }
    let target = dir.target().to_path_buf();
    dir.commit()?;
    if quiet {
        return Ok(());
    }
    eprintln!(
        "mipnet: wrote the training MILP for any solver to {0} ({MODEL_FILE}; starts {START_MIPLIB} for HiGHS and SCIP, \
         {START_GUROBI}, {START_CPLEX}); read a solver's solution back with: mipnet certify {0} SOLUTION",
        target.display()
    );
    Ok(())
}

/// The SHA-256 of a file, hexadecimal.
pub fn file_sha256(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes the model directory's files into `dir` (the staging directory)
/// for the run `outcome` on `train` with `settings`, and checks each by
/// reading it back.
pub fn write(
    dir: &Path,
    source: DataSource,
    train: &Dataset,
    settings: &TrainSettings,
    outcome: &TrainOutcome,
) -> Result<()> {
    let network = &outcome.network;
    // The cutoff the run's full MIP had, if its tightening applied one.
    let cutoff = outcome
        .report
        .tightening
        .as_ref()
        .filter(|t| t.applied)
        .map(|t| t.cutoff);
    // The run trained with these settings: a failure here is mipnet's
    // (exit 1), not the user's input.
    let f = formulation(train, &network.standardizer, &settings.formulation, cutoff)?;
    let names = f.column_names();
    let model_path = dir.join(MODEL_FILE);
    write_model(&f.model, &model_path).map_err(|e| anyhow!("cannot write {}: {e}", model_path.display()))?;
    check_model_file(&model_path, &f.model)?;
    // The run's network must be a point of the model and pass its
    // certificate there; either failure is a failed certificate (exit 4).
    let x = f.start_values(network).map_err(|e| {
        anyhow::Error::new(Exit::certificate(format!(
            "the run's network is not a point of the model written: {e}"
        )))
    })?;
    let tol = Tolerances::default();
    let certificate = f.certify(&x, network, &tol);
    if !certificate.passed {
        return Err(anyhow::Error::new(Exit::certificate(format!(
            "the run's network fails its certificate in the model written: {}",
            certificate.failure.unwrap_or_default()
        ))));
    }
    let objective = f.model.objective_value(&x);
    let comment = format!(
        "MIP start for {MODEL_FILE}: mipnet's certified network, objective {objective}\nwritten by mipnet {}",
        env!("CARGO_PKG_VERSION")
    );
    let files = [
        (START_MIPLIB, write_miplib_sol(objective, &names, &x)),
        (START_GUROBI, write_gurobi_mst(&comment, &names, &x)),
        (START_CPLEX, write_cplex_mst(MODEL_FILE, objective, &names, &x)),
    ];
    for (file, text) in &files {
        let path = dir.join(file);
        write_atomic(&path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    for file in [START_MIPLIB, START_GUROBI, START_CPLEX] {
        check_start(&dir.join(file), &names, &x)?;
    }
    let mut notes = vec![LEFT_OUT_NOTE.to_string()];
    if let Some(c) = outcome.report.cuts.as_ref().filter(|c| c.cuts_added > 0) {
        notes.push(format!(
            "the run's cut loop added {} Lipschitz cuts to its full MIP; {MODEL_FILE} leaves them out (they cut off no network)",
            c.cuts_added
        ));
    }
    let manifest = Manifest {
        format_version: MANIFEST_FORMAT,
        mipnet_version: env!("CARGO_PKG_VERSION").to_string(),
        data: source,
        standardizer: network.standardizer.clone(),
        objective_cutoff: cutoff,
        model_sha256: file_sha256(&model_path)?,
        columns: f.model.num_cols(),
        rows: f.model.num_rows(),
        start_objective: objective,
        starts: start_files(),
        training_settings: settings.clone(),
        notes,
    };
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest)?;
    write_atomic(&path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    let read: Manifest = serde_json::from_str(&std::fs::read_to_string(&path)?)
        .map_err(|e| anyhow!("{}: the manifest as written cannot be read back: {e}", path.display()))?;
    if read != manifest {
        return Err(anyhow!(
            "{}: the manifest as written reads back differently",
            path.display()
        ));
    }
    Ok(())
}

/// The model file must read back (mipnet's strict reader, then HiGHS's,
/// compared with each other) to `built` field by field: sense, objective,
/// every column's name, bounds, cost and integrality, every row's sides and
/// coefficients (`mipnet_milp::files::compare`, exact). A difference is
/// mipnet's bug (exit 1), named.
fn check_model_file(path: &Path, built: &mipnet_milp::Model) -> Result<()> {
    let read = read_model(path).map_err(|e| anyhow!("{} as written cannot be read back: {e}", path.display()))?;
    compare(built, &read).map_err(|e| anyhow!("{} as written is not the model built: {e}", path.display()))?;
    Ok(())
}

/// A start file must read back to the start, every value to the bit.
fn check_start(path: &Path, names: &[String], x: &[f64]) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read back {}", path.display()))?;
    let values = read_solution(&text)
        .and_then(|s| s.column_values(names))
        .map_err(|e| anyhow!("{}: the start as written cannot be read back: {e}", path.display()))?;
    if let Some(j) = (0..x.len()).find(|&j| values.values[j].to_bits() != x[j].to_bits()) {
        return Err(anyhow!(
            "{}: the start as written reads back {} for column {}, not {}",
            path.display(),
            values.values[j],
            names[j],
            x[j]
        ));
    }
    Ok(())
}

/// Reads DIR's manifest; a directory without one, or with one of another
/// format, is refused (exit 2) saying what DIR is not.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let shown = dir.display();
    if !dir.is_dir() {
        return Err(input(anyhow!(
            "{shown} is not a directory (give the directory `mipnet train --write-model` wrote)"
        )));
    }
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        input(anyhow!(
            "{shown} is not a model directory of `mipnet train --write-model`: cannot read its {MANIFEST} ({e})"
        ))
    })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| input(anyhow!("{}: not mipnet's manifest: not JSON ({e})", path.display())))?;
    if let Err(e) = is_mipnet_json(&path, MANIFEST_KEYS) {
        return Err(input(anyhow!(
            "{shown} is not a model directory of `mipnet train --write-model`: {e}"
        )));
    }
    match value.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if v == MANIFEST_FORMAT as u64 => {}
        other => {
            return Err(input(anyhow!(
                "{}: manifest format version {}; this mipnet reads version {MANIFEST_FORMAT}",
                path.display(),
                other.map_or("missing".to_string(), |v| v.to_string())
            )))
        }
    }
    serde_json::from_value(value).map_err(|e| input(anyhow!("{}: the manifest cannot be read: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::InputError;
    use mipnet_highs::HighsSolver;
    use mipnet_milp::{Col, Model, Sense, VarType};
    use mipnet_train::{CheckedSettings, Job, Silent};

    /// A run on Iris (2 samples per class, 2 hidden units), quick.
    fn tiny_run() -> (Dataset, CheckedSettings, TrainOutcome) {
        let data = mipnet_data::Bundled::from_name("iris")
            .unwrap()
            .load()
            .balanced_subset(2, 0)
            .unwrap();
        let mut s = TrainSettings::default();
        s.formulation.hidden = vec![2];
        s.gradient.epochs = 200;
        s.solver.time_limit = 2.0;
        s.solver.threads = Some(1);
        let checked = s.check(&HighsSolver).unwrap();
        let job = Job {
            dataset: "iris".into(),
            train: &data,
            test: None,
            settings: &checked,
            solver: &HighsSolver,
        };
        let outcome = mipnet_train::train(&job, &mut Silent::default(), None).unwrap();
        (data, checked, outcome)
    }

    fn source() -> DataSource {
        DataSource {
            dataset: Some("iris".into()),
            data: None,
            label: None,
            drop: Vec::new(),
            drop_missing: false,
            test_data: None,
            test_fraction: 0.0,
            split_seed: 0,
            train_per_class: Some(2),
            image_pool: 1,
            files: Vec::new(),
        }
    }

    /// After training, a failure to write the model is mipnet's, never
    /// "bad input": the run's network failing its certificate in the
    /// written model is a certificate failure (exit 4), a formulation that
    /// cannot be built an internal one (exit 1).
    #[test]
    fn write_failures_after_training_carry_their_exit_codes() {
        let (data, settings, outcome) = tiny_run();
        let tmp = tempfile::tempdir().unwrap();
        let dir = |name: &str| {
            let d = tmp.path().join(name);
            std::fs::create_dir(&d).unwrap();
            d
        };
        write(&dir("ok"), source(), &data, &settings, &outcome).unwrap();
        // Settings the formulation refuses (no output layer fits): internal.
        let mut other = (*settings).clone();
        other.formulation.hidden = vec![0];
        let e = write(&dir("unbuilt"), source(), &data, &other, &outcome).unwrap_err();
        assert!(e.downcast_ref::<InputError>().is_none(), "{e:#}");
        assert!(e.downcast_ref::<Exit>().is_none(), "{e:#}");
        assert!(format!("{e:#}").contains("the formulation cannot be built"), "{e:#}");
        // A network the model cannot hold (a weight beyond ±ω): exit 4.
        let mut broken = outcome;
        broken.network.layers[0].weights[0][0] = 1e6;
        let e = write(&dir("broken"), source(), &data, &settings, &broken).unwrap_err();
        let text = format!("{e:#}");
        match e.downcast_ref::<Exit>() {
            Some(exit) => assert_eq!(exit.code, crate::exit::CERTIFICATE_FAILED, "{text}"),
            None => panic!("not a certificate failure: {text}"),
        }
        assert!(
            text.contains("the run's network is not a point of the model written"),
            "{text}"
        );
    }

    /// A small MILP with named columns; `coef`, `upper`, `ty` and `cost`
    /// vary one field of it each.
    fn model(coef: f64, upper: f64, ty: VarType, cost: f64) -> Model {
        let mut m = Model::new(Sense::Minimize);
        let a = m.add_col(0.0, upper, cost, ty);
        let b = m.add_col(-1.0, 1.0, 0.5, VarType::Continuous);
        m.add_row(1.0, f64::INFINITY, vec![(a, coef), (b, 1.0)]);
        m.set_col_name(Col::from_index(0), "a");
        m.set_col_name(Col::from_index(1), "b");
        m
    }

    /// The model file read back is compared with the model built field by
    /// field: a file of another model (same names) is refused, naming the
    /// field.
    #[test]
    fn a_model_file_is_checked_against_the_built_model_field_by_field() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(MODEL_FILE);
        let written = model(2.0, 3.0, VarType::Integer, 1.0);
        write_model(&written, &path).unwrap();
        check_model_file(&path, &written).unwrap();
        let others = [
            (model(2.5, 3.0, VarType::Integer, 1.0), "coefficient"),
            (model(2.0, 4.0, VarType::Integer, 1.0), "upper bound of column 'a'"),
            (model(2.0, 3.0, VarType::Continuous, 1.0), "column 'a' is continuous"),
            (
                model(2.0, 3.0, VarType::Integer, 1.5),
                "objective coefficient of column 'a'",
            ),
        ];
        for (built, field) in others {
            let e = check_model_file(&path, &built).unwrap_err().to_string();
            assert!(e.contains("as written is not the model built"), "{e}");
            assert!(e.contains(field), "{field}: {e}");
        }
    }
}
