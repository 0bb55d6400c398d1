//! `mipnet verify` and `mipnet bounds`: proofs about a network (mipnet's
//! network.json or an ONNX file).

use crate::commands::model_io::{load_model_encoded, read_inputs, Model};
use crate::commands::train::interrupt_on_ctrl_c;
use crate::commands::SolverRunFlags;
use crate::exit::{input, Exit};
use anyhow::{bail, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use mipnet_highs::{highs_version, HighsSolver};
use mipnet_network::ReluNet;
use mipnet_solver::{InterruptFlag, SolveOptions, Solver};
use mipnet_verify::attack::AttackSettings;
use mipnet_verify::{
    check_property, limits, output_ranges, radius, robustness, Answer, PropertyReport, Region, Verdict, VerifyError,
    VerifyOptions,
};
use mipnet_vnnlib::Property;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags shared by `verify` and `bounds`: the model and the solver. Their
/// help is true for both commands; what differs (the time limit's unit of
/// work) is each command's own flag.
#[derive(Args, Debug)]
pub struct ModelFlags {
    /// The network: a network.json from `mipnet train`, or an ONNX file (.onnx).
    #[arg(long, value_name = "network.json|model.onnx")]
    pub model: PathBuf,
    #[command(flatten)]
    pub run: SolverRunFlags,
    /// Skip LP-based bound tightening (interval bounds only).
    #[arg(long)]
    pub no_lp_tightening: bool,
    /// Seconds LP bound tightening may take each time it runs (once per
    /// input region checked).
    #[arg(long, value_name = "S", default_value_t = 10.0, allow_negative_numbers = true)]
    pub tighten_seconds: f64,
    /// Skip the back-substitution bounds (DeepPoly/CROWN) between interval
    /// arithmetic and LP tightening.
    #[arg(long)]
    pub no_linear_bounds: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
}

impl ModelFlags {
    /// A spinner with `message` on stderr, hidden when stdout or stderr is
    /// taken (--quiet, --log, --json).
    fn spinner(&self, message: String) -> ProgressBar {
        if self.quiet || self.run.log || self.json {
            return ProgressBar::hidden();
        }
        let s = ProgressBar::new_spinner();
        s.set_message(message);
        s.enable_steady_tick(std::time::Duration::from_millis(200));
        s
    }

    /// The options of one run; `time_limit` is per question (see each
    /// command's --time-limit).
    fn options(&self, time_limit: f64, interrupt: &InterruptFlag) -> Result<VerifyOptions> {
        let solve = SolveOptions {
            time_limit: Some(time_limit),
            threads: self.run.threads,
            seed: self.run.seed,
            log: self.run.log,
            ..SolveOptions::default()
        };
        solve.validate().map_err(input)?;
        if self.tighten_seconds.is_nan() || self.tighten_seconds < 0.0 {
            return Err(input(anyhow::anyhow!(
                "--tighten-seconds must be ≥ 0, got {}",
                self.tighten_seconds
            )));
        }
        Ok(VerifyOptions {
            solve,
            solver: std::sync::Arc::new(HighsSolver),
            lp_tightening: !self.no_lp_tightening,
            tighten_seconds: self.tighten_seconds,
            linear_bounds: !self.no_linear_bounds,
            interrupt: Some(interrupt.clone()),
            ..VerifyOptions::new(std::sync::Arc::new(HighsSolver))
        })
    }
}

/// Maps verification errors to exit codes: what the user gave → 2, a
/// replay that failed → 4, the rest → 1.
fn classify(e: VerifyError) -> anyhow::Error {
    match e {
        VerifyError::Region(_) | VerifyError::Shape(_) | VerifyError::Magnitude(_) => input(e),
        VerifyError::Check(m) => anyhow::Error::new(Exit::certificate(m)),
        VerifyError::Solver(s) => anyhow::Error::new(s),
    }
}

/// Reads the model and checks that its numbers fit a MILP
/// ([`limits::MAX_MAGNITUDE`]) before any work, naming the file.
fn load_checked_model(path: &Path) -> Result<Model> {
    let net = load_model_encoded(path)?;
    limits::check_network(&net).map_err(|e| input(anyhow::anyhow!("{}: {e}", path.display())))?;
    Ok(net)
}

fn parse_domain(text: &str) -> Result<(f64, f64)> {
    let parts: Vec<&str> = text.split(',').collect();
    let nums: Vec<f64> = parts
        .iter()
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| input(anyhow::anyhow!("--domain takes MIN,MAX (two numbers), got '{text}'")))?;
    match nums[..] {
        [lo, hi] if lo <= hi => Ok((lo, hi)),
        [lo, hi] => Err(input(anyhow::anyhow!("--domain: MIN {lo} is above MAX {hi}"))),
        _ => Err(input(anyhow::anyhow!(
            "--domain takes MIN,MAX (two numbers), got '{text}'"
        ))),
    }
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub model: ModelFlags,
    /// Seconds per question: per input (per bisection step with --radius),
    /// per disjunct with --property.
    #[arg(long, value_name = "S", default_value_t = 60.0, allow_negative_numbers = true)]
    pub time_limit: f64,
    /// Inputs to check: a CSV with a header naming the network's inputs
    /// (any order; extra columns ignored).
    #[arg(
        long,
        value_name = "FILE.csv",
        required_unless_present = "property",
        conflicts_with = "property"
    )]
    pub data: Option<PathBuf>,
    /// The label column of --data, when it has one (shown beside the prediction).
    #[arg(long, value_name = "COLUMN", default_value = "label")]
    pub label: String,
    /// Check only the first N rows of --data.
    #[arg(long, value_name = "N", conflicts_with = "property")]
    pub limit: Option<usize>,
    /// Radius of the ℓ∞ ball around each input, in the units of the data
    /// (with --radius: the largest radius tried).
    #[arg(
        long,
        value_name = "E",
        allow_negative_numbers = true,
        required_unless_present = "property",
        conflicts_with = "property"
    )]
    pub eps: Option<f64>,
    /// Clip the ball to this input domain, e.g. 0,1 for images scaled to [0, 1].
    #[arg(long, value_name = "MIN,MAX", conflicts_with = "property")]
    pub domain: Option<String>,
    /// Find the largest certified radius up to --eps by bisection.
    #[arg(long, conflicts_with = "property")]
    pub radius: bool,
    /// Bisection stops when the bracket is this narrow.
    #[arg(
        long,
        value_name = "R",
        default_value_t = 1e-3,
        allow_negative_numbers = true,
        conflicts_with = "property"
    )]
    pub resolution: f64,
    /// Check a VNN-LIB property instead (answers sat with a witness, unsat, or unknown).
    #[arg(long, value_name = "FILE.vnnlib")]
    pub property: Option<PathBuf>,
    /// Seconds for the whole property, every disjunct and the attack
    /// included (VNN-COMP's per-instance timeout); --time-limit still caps
    /// each disjunct.
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub total_time_limit: Option<f64>,
    /// Write the answer in VNN-COMP's result format to this file: `sat`
    /// with the witness as `((X_0 v) … (Y_0 v) …)`, `unsat`, `timeout`
    /// or `unknown`. The competition checks a witness in float32
    /// (onnxruntime), so with this flag a witness counts only when its
    /// inputs, rounded to float32 inside the box, satisfy the property in
    /// the f64 and in a float32 forward pass; the witness printed is that
    /// float32 point.
    #[arg(long, value_name = "FILE")]
    pub result_file: Option<PathBuf>,
    /// Seed of the attack run before any proof (random points of the box,
    /// then gradient steps; every candidate replayed in f64).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub attack_seed: u64,
    /// Random points the attack tries.
    #[arg(long, value_name = "N", default_value_t = mipnet_verify::attack::DEFAULT_SAMPLES)]
    pub attack_samples: usize,
    /// Gradient descents of the attack (steps each: --attack-steps).
    #[arg(long, value_name = "N", default_value_t = mipnet_verify::attack::DEFAULT_PGD_STARTS)]
    pub attack_starts: usize,
    /// Steps of each gradient descent.
    #[arg(long, value_name = "N", default_value_t = mipnet_verify::attack::DEFAULT_PGD_STEPS)]
    pub attack_steps: usize,
    /// No attack: go straight to bounds and MILPs.
    #[arg(long)]
    pub no_attack: bool,
    /// Properties: no input splitting before the MILP (it runs on networks
    /// with at most 16 inputs).
    #[arg(long)]
    pub no_input_split: bool,
}

#[derive(Serialize)]
struct InputResult<T: Serialize> {
    row: usize,
    label: Option<String>,
    predicted: String,
    result: T,
}

#[derive(Serialize, Default)]
struct Summary {
    inputs: usize,
    robust: usize,
    not_robust: usize,
    unknown: usize,
    seconds: f64,
}

#[derive(Serialize)]
struct VerifyReport<T: Serialize> {
    model: String,
    eps: f64,
    domain: Option<(f64, f64)>,
    radius: bool,
    summary: Summary,
    inputs: Vec<InputResult<T>>,
    settings: serde_json::Value,
    solver: String,
    mipnet_version: &'static str,
}

fn bar(len: usize, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} inputs  {msg}  [{elapsed}]").expect("valid template"),
    );
    bar
}

pub fn run_verify(args: VerifyArgs) -> Result<ExitCode> {
    let interrupt = interrupt_on_ctrl_c();
    let mut opts = args.model.options(args.time_limit, &interrupt)?;
    if args.property.is_none() && (args.total_time_limit.is_some() || args.result_file.is_some()) {
        bail!(input(anyhow::anyhow!(
            "--total-time-limit and --result-file apply to --property only (a VNN-LIB property's whole check)"
        )));
    }
    if let Some(t) = args.total_time_limit {
        if t.is_nan() || t <= 0.0 {
            bail!(input(anyhow::anyhow!(
                "--total-time-limit must be > 0 seconds, got {t}"
            )));
        }
        opts.total_time_limit = Some(t);
    }
    // VNN-COMP checks witnesses in float32: the result file's must hold there.
    opts.witness_float32 = args.result_file.is_some();
    opts.attack = if args.no_attack {
        AttackSettings::off()
    } else {
        AttackSettings {
            seed: args.attack_seed,
            samples: args.attack_samples,
            pgd_starts: args.attack_starts,
            pgd_steps: args.attack_steps,
        }
    };
    opts.input_split = !args.no_input_split;
    let net = load_checked_model(&args.model.model)?;
    if let Some(path) = &args.property {
        return run_property(&args, &net, path, &opts);
    }
    let eps = args.eps.expect("clap requires --eps");
    if !(eps >= 0.0 && eps.is_finite()) {
        bail!(input(anyhow::anyhow!("--eps must be a finite number ≥ 0, got {eps}")));
    }
    if args.radius && (args.resolution.is_nan() || args.resolution <= 0.0) {
        bail!(input(anyhow::anyhow!(
            "--resolution must be > 0, got {}",
            args.resolution
        )));
    }
    let domain = args.domain.as_deref().map(parse_domain).transpose()?;
    if domain.is_none() {
        // Clipped to --domain, any ε gives a box within it.
        limits::check_value(|| "--eps".into(), eps)
            .map_err(|e| input(anyhow::anyhow!("{e} (or give --domain to clip the ball)")))?;
    }
    let data_path = args.data.as_ref().expect("clap requires --data");
    let (data, labelled) = read_inputs(data_path, &args.label, &net)?;
    let n = args.limit.map_or(data.len(), |l| l.min(data.len()));
    for i in 0..n {
        limits::check_point(&net, data.row(i))
            .map_err(|e| input(anyhow::anyhow!("{}: row {}: {e}", data_path.display(), i + 1)))?;
    }
    if let Some((lo, hi)) = domain {
        for i in 0..n {
            if let Some(j) = data.row(i).iter().position(|v| *v < lo || *v > hi) {
                return Err(input(anyhow::anyhow!(
                    "{}: row {} has {} = {} outside --domain {lo},{hi}",
                    data_path.display(),
                    i + 1,
                    net.input_names[j],
                    data.row(i)[j]
                )));
            }
        }
    }
    let settings = serde_json::json!({
        "time_limit_per_question": args.time_limit,
        "threads": args.model.run.threads,
        "seed": args.model.run.seed,
        "lp_tightening": !args.model.no_lp_tightening,
        "tighten_seconds": args.model.tighten_seconds,
        "linear_bounds": opts.linear_bounds,
        "attack": opts.attack,
        "tolerance": opts.tolerance,
        "resolution": args.radius.then_some(args.resolution),
    });
    let progress = bar(n, args.model.quiet || args.model.run.log || args.model.json);
    let mut summary = Summary::default();
    let clock = std::time::Instant::now();
    let mut lines = Vec::new();
    let name = |k: usize| net.output_names[k].clone();
    let mut robust_results = Vec::new();
    let mut radius_results = Vec::new();
    for i in 0..n {
        if interrupt.is_raised() {
            progress.println("interrupted: reporting the inputs checked so far");
            break;
        }
        let x = data.row(i);
        let label = labelled.then(|| name(data.label(i)));
        let verdict;
        if args.radius {
            let r = radius(&net, x, eps, args.resolution, domain, &opts).map_err(classify)?;
            let predicted = name(mipnet_network::argmax(&net.forward(x)));
            lines.push(format!(
                "{:>5}  {:<14} {:<14} certified {:<10} {}{}",
                i + 1,
                label.as_deref().unwrap_or("-"),
                predicted,
                format!("{:.6}", r.certified),
                match &r.counterexample {
                    Some((e, c)) => format!("counterexample at {e:.6} (class {})", name(c.class)),
                    None if r.certified >= eps => "robust at the largest eps tried".into(),
                    None => "no counterexample found".into(),
                },
                if r.undecided {
                    "  (some steps hit the time limit)"
                } else {
                    ""
                }
            ));
            verdict = if r.certified >= eps {
                Verdict::Robust
            } else if r.counterexample.is_some() {
                Verdict::NotRobust
            } else {
                Verdict::Unknown
            };
            radius_results.push(InputResult {
                row: i + 1,
                label,
                predicted,
                result: r,
            });
        } else {
            let r = robustness(&net, x, eps, domain, &opts).map_err(classify)?;
            let predicted = name(r.predicted);
            lines.push(format!(
                "{:>5}  {:<14} {:<14} {:<11} {:>7.2}s  {}",
                i + 1,
                label.as_deref().unwrap_or("-"),
                predicted,
                r.verdict.as_str(),
                r.seconds,
                match &r.counterexample {
                    Some(c) => format!("counterexample: class {} at distance {:.6}", name(c.class), c.distance),
                    None => format!("{} binaries", r.binaries),
                }
            ));
            verdict = r.verdict;
            robust_results.push(InputResult {
                row: i + 1,
                label,
                predicted,
                result: r,
            });
        }
        summary.inputs += 1;
        match verdict {
            Verdict::Robust => summary.robust += 1,
            Verdict::NotRobust => summary.not_robust += 1,
            Verdict::Unknown => summary.unknown += 1,
        }
        progress.inc(1);
        progress.set_message(format!(
            "robust {}  not robust {}  unknown {}",
            summary.robust, summary.not_robust, summary.unknown
        ));
    }
    progress.finish_and_clear();
    summary.seconds = clock.elapsed().as_secs_f64();
    let head = VerifyHead {
        model: args.model.model.display().to_string(),
        eps,
        domain,
        radius: args.radius,
        settings,
    };
    if args.model.json {
        if args.radius {
            head.print_json(summary, radius_results)?;
        } else {
            head.print_json(summary, robust_results)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.radius {
        println!(
            "  row  label          predicted      radius (ℓ∞, up to {})",
            readable(eps)
        );
    } else {
        println!(
            "  row  label          predicted      verdict     seconds  detail (eps {})",
            readable(eps)
        );
    }
    for l in &lines {
        println!("{l}");
    }
    println!(
        "{} inputs: {} robust, {} not robust (every counterexample replayed in f64), {} unknown; {:.1} s",
        summary.inputs, summary.robust, summary.not_robust, summary.unknown, summary.seconds
    );
    Ok(ExitCode::SUCCESS)
}

/// A number as a person reads it: `0.3`, but `1e300` rather than its 301 digits.
fn readable(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e7).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

struct VerifyHead {
    model: String,
    eps: f64,
    domain: Option<(f64, f64)>,
    radius: bool,
    settings: serde_json::Value,
}

impl VerifyHead {
    fn print_json<T: Serialize>(self, summary: Summary, inputs: Vec<InputResult<T>>) -> Result<()> {
        let report = VerifyReport {
            model: self.model,
            eps: self.eps,
            domain: self.domain,
            radius: self.radius,
            summary,
            inputs,
            settings: self.settings,
            solver: HighsSolver.name(),
            mipnet_version: env!("CARGO_PKG_VERSION"),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
        Ok(())
    }
}

fn run_property(args: &VerifyArgs, net: &ReluNet, path: &Path, opts: &VerifyOptions) -> Result<ExitCode> {
    let prop = Property::from_file(path).map_err(input)?;
    let spinner = args
        .model
        .spinner(format!("checking {} disjunct(s)", prop.disjuncts.len()));
    let rep = check_property(net, &prop, opts).map_err(classify)?;
    spinner.finish_and_clear();
    if let Some(out) = &args.result_file {
        std::fs::write(out, vnncomp_result(&rep))
            .map_err(|e| input(anyhow::anyhow!("--result-file {}: cannot write it: {e}", out.display())))?;
    }
    if args.model.json {
        #[derive(Serialize)]
        struct PropertyJson<'a> {
            model: String,
            property: String,
            report: &'a mipnet_verify::PropertyReport,
            solver: String,
            mipnet_version: &'static str,
        }
        let j = PropertyJson {
            model: args.model.model.display().to_string(),
            property: path.display().to_string(),
            report: &rep,
            solver: format!("HiGHS {}", highs_version()),
            mipnet_version: env!("CARGO_PKG_VERSION"),
        };
        println!("{}", serde_json::to_string_pretty(&j)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", rep.answer.as_str());
    if let Some((x, y)) = &rep.witness {
        for (i, v) in x.iter().enumerate() {
            println!("X_{i} = {v}");
        }
        for (j, v) in y.iter().enumerate() {
            println!("Y_{j} = {v}");
        }
    }
    for d in &rep.dropped {
        eprintln!(
            "note: disjunct {} of {} dropped, no input satisfies it: {}",
            d.index + 1,
            prop.disjuncts.len(),
            d.reason
        );
    }
    eprintln!(
        "found by {}; {} of {} disjuncts checked by input splitting or a MILP{}, {:.2} s{}",
        rep.found_by,
        rep.disjuncts.len(),
        prop.disjuncts.len(),
        if rep.dropped.is_empty() {
            String::new()
        } else {
            format!(", {} dropped (empty input region)", rep.dropped.len())
        },
        rep.seconds,
        if rep.witness.is_some() && rep.witness_replay != "f64" {
            " (witness replayed in f64 and float32)"
        } else if rep.witness.is_some() {
            " (witness replayed in f64)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// The answer as VNN-COMP's result file: `sat` and the witness as an
/// s-expression of input and output values, `unsat`, `timeout` (time ran
/// out) or `unknown`.
fn vnncomp_result(rep: &PropertyReport) -> String {
    match (rep.answer, &rep.witness) {
        (Answer::Sat, Some((x, y))) => {
            let vals: Vec<String> = x
                .iter()
                .enumerate()
                .map(|(i, v)| format!("(X_{i} {v:e})"))
                .chain(y.iter().enumerate().map(|(j, v)| format!("(Y_{j} {v:e})")))
                .collect();
            format!("sat\n({})\n", vals.join("\n "))
        }
        (Answer::Unsat, _) => "unsat\n".into(),
        _ if rep.timed_out => "timeout\n".into(),
        _ => "unknown\n".into(),
    }
}

#[derive(Args, Debug)]
pub struct BoundsArgs {
    #[command(flatten)]
    pub model: ModelFlags,
    /// Seconds per solve: each output's minimum and its maximum get one each.
    #[arg(long, value_name = "S", default_value_t = 60.0, allow_negative_numbers = true)]
    pub time_limit: f64,
    /// The input box: a CSV with columns `input,lower,upper`, one row per
    /// network input (by name, any order), or just `lower,upper` in input order.
    #[arg(long = "box", value_name = "box.csv")]
    pub box_file: PathBuf,
}

/// Reads box.csv (see [`BoundsArgs::box_file`]).
fn read_box(path: &Path, net: &ReluNet) -> Result<Region> {
    let fail = |msg: String| input(anyhow::anyhow!("{}: {msg}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| fail(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| fail(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(lo_col), Some(hi_col)) = (col("lower"), col("upper")) else {
        return Err(fail("the header needs columns 'lower' and 'upper'".into()));
    };
    let name_col = col("input");
    let n = net.inputs;
    let (mut lower, mut upper) = (vec![0.0; n], vec![0.0; n]);
    let mut seen = vec![false; n];
    let mut rows = 0;
    for (r, rec) in reader.records().enumerate() {
        let line = r + 2;
        let rec = rec.map_err(|e| fail(e.to_string()))?;
        let num = |c: usize, what: &str| -> Result<f64> {
            let t = rec.get(c).unwrap_or("");
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| fail(format!("line {line}: {what} '{t}' is not a finite number")))
        };
        let i = match name_col {
            Some(c) => {
                let name = rec.get(c).unwrap_or("");
                net.input_names
                    .iter()
                    .position(|x| x == name)
                    .ok_or_else(|| fail(format!("line {line}: the network has no input named '{name}'")))?
            }
            None => r,
        };
        if i >= n {
            return Err(fail(format!("line {line}: more rows than the network's {n} inputs")));
        }
        if seen[i] {
            return Err(fail(format!(
                "line {line}: input '{}' appears twice",
                net.input_names[i]
            )));
        }
        seen[i] = true;
        lower[i] = num(lo_col, "lower")?;
        upper[i] = num(hi_col, "upper")?;
        rows += 1;
    }
    if rows != n {
        let missing = (0..n).find(|&i| !seen[i]).unwrap_or(0);
        return Err(fail(format!(
            "{rows} rows for {n} inputs; input '{}' has no bounds",
            net.input_names[missing]
        )));
    }
    Ok(Region::boxed(lower, upper))
}

pub fn run_bounds(args: BoundsArgs) -> Result<ExitCode> {
    let interrupt = interrupt_on_ctrl_c();
    let opts = args.model.options(args.time_limit, &interrupt)?;
    let net = load_checked_model(&args.model.model)?;
    let region = read_box(&args.box_file, &net)?;
    region
        .check(&net)
        .map_err(|e| input(anyhow::anyhow!("{}: {e}", args.box_file.display())))?;
    let spinner = args.model.spinner(format!("bounding {} outputs", net.outputs()));
    let rep = output_ranges(&net, &region, &opts).map_err(classify)?;
    spinner.finish_and_clear();
    if args.model.json {
        #[derive(Serialize)]
        struct BoundsJson<'a> {
            model: String,
            r#box: String,
            output_names: &'a [String],
            report: &'a mipnet_verify::RangeReport,
            solver: String,
            mipnet_version: &'static str,
        }
        let j = BoundsJson {
            model: args.model.model.display().to_string(),
            r#box: args.box_file.display().to_string(),
            output_names: &net.output_names,
            report: &rep,
            solver: HighsSolver.name(),
            mipnet_version: env!("CARGO_PKG_VERSION"),
        };
        println!("{}", serde_json::to_string_pretty(&j)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("output          certified min    certified max    solved");
    for o in &rep.outputs {
        println!(
            "{:<15} {:>15.6} {:>15.6}    {}",
            net.output_names[o.output],
            o.lower,
            o.upper,
            if o.exact {
                "to optimality (witnesses reach both)"
            } else {
                "time limit: bounds valid, not tight"
            }
        );
    }
    eprintln!("{} binaries after bound tightening; {:.2} s", rep.binaries, rep.seconds);
    Ok(ExitCode::SUCCESS)
}
