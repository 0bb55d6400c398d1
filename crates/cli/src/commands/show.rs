//! `mipnet show`: the trained network as a person reads it.

use crate::exit::input;
use crate::run_files::REPORT;
use anyhow::Result;
use clap::Args;
use mipnet_formulate::Rule;
use mipnet_network::{generated_names, render, Network, Op, ReluNet};
use mipnet_train::REGION_VERDICTS_KEY;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A network.json written by `mipnet train --out` (shown as equations
    /// of the neurons that affect an output), or an ONNX file (.onnx: its
    /// input names, which `predict` reads as CSV columns, and its chain of
    /// operations).
    pub network: PathBuf,
}

pub fn run(args: ShowArgs) -> Result<std::process::ExitCode> {
    let mut out = std::io::stdout().lock();
    if args.network.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) {
        let net = crate::commands::model_io::load_model(&args.network)?;
        write!(out, "{}", describe_ops(&net))?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let net = Network::load(&args.network).map_err(input)?;
    write!(out, "{}", render(&net))?;
    write!(out, "{}", describe_rules(&net, &args.network)?)?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The network's rules (from its settings), one line each, with whether
/// each holds: the certificate's check on the training data, as the
/// report.json beside the network recorded it when the run was written
/// (recall and fixed decisions need the training data, which the run
/// directory does not hold). Empty without rules.
fn describe_rules(net: &Network, network_path: &Path) -> Result<String> {
    let rules: Vec<Rule> = match net.settings.get("formulation").and_then(|f| f.get("rules")) {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            input(anyhow::anyhow!(
                "{}: settings.formulation.rules: {e}",
                network_path.display()
            ))
        })?,
    };
    if rules.is_empty() {
        return Ok(String::new());
    }
    let report_path = network_path.with_file_name(REPORT);
    // The certificate checks the rules other than regions; a region is
    // proven (or not) by the verifier during training, and network.json
    // records its verdict.
    let checked: Vec<Rule> = rules.iter().filter(|r| !is_region(r)).cloned().collect();
    let checks = recorded_checks(&report_path, &checked);
    let mut s = match &checks {
        Some(_) => format!(
            "Rules (each checked on the network and its training data by the certificate, as {} records):\n",
            report_path.display()
        ),
        None => format!(
            "Rules (not checked here: no {} beside the network recording them):\n",
            report_path.display()
        ),
    };
    if rules.iter().any(is_region) {
        s += "  (region rules: whether the verifier proved them on the returned network, as network.json records)\n";
    }
    let verdicts = region_verdicts(net);
    let mut next_check = 0;
    for rule in &rules {
        if is_region(rule) {
            s += &match verdicts.iter().find(|v| v.rule == *rule) {
                Some(v) if v.proven => format!(
                    "  region {}: proven on the region (verifier: {})\n",
                    rule.describe(),
                    v.verifier_answer
                ),
                Some(v) => format!(
                    "  region {}: NOT PROVEN ({}; verifier: {})\n",
                    rule.describe(),
                    v.in_words,
                    v.verifier_answer
                ),
                None => format!("  region {}: no verdict recorded in network.json\n", rule.describe()),
            };
            continue;
        }
        s += &match checks.as_ref().map(|c| &c[next_check]) {
            Some((true, detail)) => format!("  {}: holds ({detail})\n", rule.describe()),
            Some((false, detail)) => format!("  {}: BROKEN ({detail})\n", rule.describe()),
            None => format!("  {}\n", rule.describe()),
        };
        next_check += 1;
    }
    Ok(s)
}

fn is_region(rule: &Rule) -> bool {
    matches!(rule, Rule::Region { .. })
}

/// A region rule's verdict as network.json records it (the report's
/// `regions`, under [`REGION_VERDICTS_KEY`] of the settings).
#[derive(serde::Deserialize)]
struct RegionVerdict {
    rule: Rule,
    proven: bool,
    verifier_answer: String,
    in_words: String,
}

/// The region verdicts `net`'s settings record; none when absent or
/// unreadable (then each region says no verdict is recorded).
fn region_verdicts(net: &Network) -> Vec<RegionVerdict> {
    net.settings
        .get(REGION_VERDICTS_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// Whether each rule holds, and why, from the report at `path`: only when
/// it records exactly these rules, in this order (a report of another run
/// says nothing about this network).
fn recorded_checks(path: &Path, rules: &[Rule]) -> Option<Vec<(bool, String)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let report: serde_json::Value = serde_json::from_str(&text).ok()?;
    let recorded = report.get("rules")?.as_array()?;
    if recorded.len() != rules.len() {
        return None;
    }
    recorded
        .iter()
        .zip(rules)
        .map(|(r, rule)| {
            let same: Rule = serde_json::from_value(r.get("rule")?.clone()).ok()?;
            (same == *rule).then_some(())?;
            Some((r.get("holds")?.as_bool()?, r.get("detail")?.as_str()?.to_string()))
        })
        .collect()
}

/// Input names are listed one by one up to this many when they are the
/// generated `x0, x1, …`; a longer generated sequence is given as a range.
const LISTED_GENERATED_NAMES: usize = 8;

/// One line per operation of an imported network: what it is, its sizes,
/// its nonzero weights; then its nonlinear units, naming only the kinds it
/// has.
fn describe_ops(net: &ReluNet) -> String {
    let mut s = format!(
        "{} inputs → {} outputs ({})\n",
        net.inputs,
        net.outputs(),
        net.output_names.join(", ")
    );
    s += &format!(
        "Inputs (the CSV columns `predict` and `verify --data` read, by name, in any order): {}\n",
        input_names(&net.input_names)
    );
    let mut width = net.inputs;
    let (mut relu, mut maxpool) = (0, 0);
    for (k, op) in net.ops.iter().enumerate() {
        let next = op.output_len(width);
        let detail = match op {
            Op::Affine(a) => {
                let nz: usize = a.rows.iter().map(|r| r.len()).sum();
                format!("{nz} nonzero weights of {}", width * next)
            }
            Op::MaxPool { windows, .. } => format!("{} windows", windows.len()),
            Op::Normalize { .. } | Op::Relu => String::new(),
        };
        match op {
            Op::Relu => relu += next,
            Op::MaxPool { .. } => maxpool += next,
            Op::Affine(_) | Op::Normalize { .. } => {}
        }
        s += &format!("{:>3}  {:<10} {width:>6} → {next:<6} {detail}\n", k + 1, op.kind());
        width = next;
    }
    s += &match (relu, maxpool) {
        (0, 0) => "no ReLU or max-pool units: the network is affine\n".to_string(),
        (r, 0) => format!("{r} ReLU units\n"),
        (0, m) => format!("{m} max-pool units\n"),
        (r, m) => format!("{r} ReLU units, {m} max-pool units\n"),
    };
    s
}

/// The input names, a name with a comma in quotes; generated names
/// `x0 … x63` as a range.
fn input_names(names: &[String]) -> String {
    let n = names.len();
    if n > LISTED_GENERATED_NAMES && names == generated_names("x", n).as_slice() {
        return format!("x0 … x{} ({n} columns)", n - 1);
    }
    names
        .iter()
        .map(|name| {
            if name.contains(',') {
                format!("\"{name}\"")
            } else {
                name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
