//! The files of a training run (`network.json`, `report.json`, `test.csv`):
//! written into the run's staging directory, then read back and checked
//! before the run is moved into place. A file mipnet wrote but cannot read
//! back is never reported as a result.

use crate::exit::Exit;
use crate::non_finite::first_non_finite;
use crate::output_dir::RunKind;
use anyhow::{anyhow, Context, Result};
use mipnet_data::Dataset;
use mipnet_network::{write_atomic, Network};
use mipnet_train::TrainOutcome;
use serde_json::Value;
use std::path::Path;

pub const NETWORK: &str = "network.json";
pub const REPORT: &str = "report.json";
pub const TEST_SPLIT: &str = "test.csv";
/// A training run's directory: network.json and report.json, test.csv
/// unless the run had no test set; report.json is mipnet's.
pub static TRAIN_RUN: RunKind = RunKind {
    required: &[NETWORK, REPORT],
    optional: &[TEST_SPLIT],
    recognise: |dir| is_mipnet_json(&dir.join(REPORT), REPORT_KEYS),
};
/// Keys every `report.json` of mipnet has had (its version, the settings
/// that made it, its certificate).
const REPORT_KEYS: &[&str] = &["mipnet_version", "settings", "certificate", "status"];

/// Whether `path` is a JSON object holding every key in `keys` (a file
/// mipnet wrote, not a user's); the error says what it is not.
pub fn is_mipnet_json(path: &Path, keys: &[&str]) -> std::result::Result<(), String> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name} cannot be read: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{name} is not mipnet's: not JSON ({e})"))?;
    match keys.iter().find(|k| value.get(**k).is_none()) {
        Some(k) => Err(format!("{name} is not mipnet's: it has no '{k}'")),
        None => Ok(()),
    }
}

/// Writes the run's files into `dir` and checks each by reading it back.
pub fn write_and_check(dir: &Path, outcome: &TrainOutcome, test: Option<&Dataset>) -> Result<()> {
    write_run(dir, &outcome.network, &outcome.report, test)
}

/// Writes a certified network, its report (any command's) and the test
/// split into `dir`, and checks each by reading it back.
pub fn write_run<R: serde::Serialize>(dir: &Path, network: &Network, report: &R, test: Option<&Dataset>) -> Result<()> {
    network.save(&dir.join(NETWORK))?;
    if let Some(test) = test {
        write_atomic(&dir.join(TEST_SPLIT), test.to_csv().as_bytes())
            .with_context(|| format!("cannot write {}", dir.join(TEST_SPLIT).display()))?;
    }
    let text = serde_json::to_string_pretty(report)?;
    write_atomic(&dir.join(REPORT), text.as_bytes())
        .with_context(|| format!("cannot write {}", dir.join(REPORT).display()))?;
    check_network(&dir.join(NETWORK), network)?;
    check_report(&dir.join(REPORT), report)?;
    if let Some(test) = test {
        check_test_split(&dir.join(TEST_SPLIT), test)?;
    }
    Ok(())
}

/// The field of network.json that records the file format, not the
/// network (it is set when the file is written).
const FORMAT_VERSION: &str = "format_version";

/// `network.json` must load and hold every field of the certified network
/// (weights, masks, standardization, names, settings), each number to the
/// bit. Unreadable, or a number that is not finite (JSON has none; written
/// as null): an internal failure (exit 1); another network: the
/// certificate does not hold for the file (exit 4).
pub fn check_network(path: &Path, certified: &Network) -> Result<()> {
    if let Some(field) = first_non_finite(certified) {
        return Err(anyhow!(
            "{}: the network holds a number that is not finite at {field} (JSON cannot hold it)",
            path.display()
        ));
    }
    let loaded = Network::load(path).map_err(|e| anyhow!("the network as written cannot be read back: {e}"))?;
    let as_value = |n: &Network| -> Result<Value> {
        let mut v = serde_json::to_value(n)?;
        if let Some(fields) = v.as_object_mut() {
            fields.remove(FORMAT_VERSION);
        }
        Ok(v)
    };
    if let Some((field, in_certified, in_file)) = first_difference(&as_value(certified)?, &as_value(&loaded)?) {
        return Err(anyhow::Error::new(Exit::certificate(format!(
            "{}: the network as written is not the certified one: {} is {in_file} in the file, {in_certified} in \
             the certified network",
            path.display(),
            field.trim_start_matches('.')
        ))));
    }
    Ok(())
}

/// The first place where `b` differs from `a` (numbers to the bit): its
/// path and both values.
fn first_difference(a: &Value, b: &Value) -> Option<(String, String, String)> {
    let differ = |path: String| Some((path, a.to_string(), b.to_string()));
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let same = match (x.is_f64(), y.is_f64()) {
                (true, true) => x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits),
                (false, false) => x == y,
                _ => false,
            };
            if same {
                None
            } else {
                differ(String::new())
            }
        }
        (Value::Array(xs), Value::Array(ys)) => {
            if xs.len() != ys.len() {
                return differ(format!(" (length {} vs {})", xs.len(), ys.len()));
            }
            xs.iter()
                .zip(ys)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y).map(|(p, x, y)| (format!("[{i}]{p}"), x, y)))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            if let Some(k) = xs
                .keys()
                .chain(ys.keys())
                .find(|k| !xs.contains_key(*k) || !ys.contains_key(*k))
            {
                return Some((
                    format!(".{k}"),
                    xs.get(k).map_or("absent".into(), Value::to_string),
                    ys.get(k).map_or("absent".into(), Value::to_string),
                ));
            }
            xs.iter()
                .find_map(|(k, x)| first_difference(x, &ys[k]).map(|(p, x, y)| (format!(".{k}{p}"), x, y)))
        }
        _ if a == b => None,
        _ => differ(String::new()),
    }
}

/// `report.json` must hold only finite numbers (JSON writes a NaN as
/// null, which would read back as "no value"), parse, and hold exactly the
/// report, every number to the bit.
fn check_report<R: serde::Serialize>(path: &Path, report: &R) -> Result<()> {
    if let Some(field) = first_non_finite(report) {
        return Err(anyhow!(
            "{}: the report holds a number that is not finite at {field} (it would read back as null)",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read back {}", path.display()))?;
    let read: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: the report as written cannot be read back: {e}", path.display()))?;
    if let Some((field, in_run, in_file)) = first_difference(&serde_json::to_value(report)?, &read) {
        return Err(anyhow!(
            "{}: the report as written differs from the run's report: {} is {in_file} in the file, {in_run} in the run",
            path.display(),
            field.trim_start_matches('.')
        ));
    }
    Ok(())
}

/// `test.csv` must read back (as `predict` and `verify` read it) to the
/// same samples and classes.
fn check_test_split(path: &Path, test: &Dataset) -> Result<()> {
    let (read, labelled) = Dataset::from_csv_like(path, Some(&test.csv_label_column()), test)
        .map_err(|e| anyhow!("the test split as written cannot be read back: {e}"))?;
    let same = labelled
        && read.len() == test.len()
        && (0..test.len()).all(|i| {
            read.label(i) == test.label(i)
                && read
                    .row(i)
                    .iter()
                    .zip(test.row(i))
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        });
    if !same {
        return Err(anyhow!(
            "{}: the test split as written does not read back to the same samples",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_data::Bundled;

    /// A small dense network over Iris's features, with its standardizer.
    fn iris_network() -> Network {
        let text = r#"{"format_version":1,"feature_names":["sepal length (cm)","sepal width (cm)","petal length (cm)","petal width (cm)"],
            "class_names":["setosa","versicolor","virginica"],
            "standardizer":{"mean":[5.8,3.0,3.7,1.2],"std":[0.8,0.4,1.7,0.7]},
            "layers":[{"weights":[[0.5,-0.25,1.0,0.0],[0.0,1.0,-1.0,0.5]],"bias":[0.1,-0.2],"kept":[true,true],"relu":true},
                      {"weights":[[1.0,-1.0],[0.5,0.5],[-1.0,1.0]],"bias":[0.0,0.3,-0.3],"kept":[true,true,true],"relu":false}]}"#;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("n.json");
        std::fs::write(&path, text).unwrap();
        Network::load(&path).unwrap()
    }

    #[test]
    fn a_network_read_back_unchanged_passes() {
        let net = iris_network();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NETWORK);
        net.save(&path).unwrap();
        check_network(&path, &net).unwrap();
    }

    #[test]
    fn a_network_that_cannot_be_written_or_read_back_is_an_internal_failure() {
        // A standard deviation that overflowed would be written as null.
        let mut net = iris_network();
        net.standardizer.std[1] = f64::INFINITY;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NETWORK);
        net.save(&path).unwrap();
        let e = check_network(&path, &net).unwrap_err();
        assert!(e.downcast_ref::<Exit>().is_none(), "exit 1, not 4");
        let text = format!("{e:#}");
        assert!(
            text.contains("not finite at standardizer.std[1]") && text.contains(NETWORK),
            "{text}"
        );
        // A file that is not a network.
        std::fs::write(&path, "{}").unwrap();
        let net = iris_network();
        let text = format!("{:#}", check_network(&path, &net).unwrap_err());
        assert!(text.contains("cannot be read back"), "{text}");
    }

    /// An edit of a network file's content.
    type Change = fn(&mut Network);

    #[test]
    fn a_network_file_that_is_not_the_certified_network_fails_its_certificate() {
        let net = iris_network();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NETWORK);
        let changes: [(Change, &str); 4] = [
            // One ulp off in one weight.
            (
                |n| {
                    let w = &mut n.layers[0].weights[0][0];
                    *w = f64::from_bits(w.to_bits() + 1);
                },
                "layers[0].weights[0][0] is 0.5000000000000001 in the file, 0.5 in the certified network",
            ),
            // Fields no training sample's scores show.
            (
                |n| n.class_names[2] = "other".into(),
                "class_names[2] is \"other\" in the file",
            ),
            (
                |n| n.layers[1].kept[0] = false,
                "layers[1].kept[0] is false in the file",
            ),
            // The sign of a zero.
            (
                |n| n.layers[1].bias[0] = -0.0,
                "layers[1].bias[0] is -0.0 in the file, 0.0 in the certified network",
            ),
        ];
        for (change, fragment) in changes {
            let mut other = net.clone();
            change(&mut other);
            other.save(&path).unwrap();
            let e = check_network(&path, &net).unwrap_err();
            let exit = e.downcast_ref::<Exit>().expect("an exit of its own");
            assert_eq!(exit.code, crate::exit::CERTIFICATE_FAILED);
            assert!(
                exit.message.contains("not the certified one") && exit.message.contains(fragment),
                "{}",
                exit.message
            );
        }
    }

    #[derive(serde::Serialize)]
    struct SmallReport {
        gap: Option<f64>,
        bound: f64,
    }

    #[test]
    fn a_report_reads_back_to_every_number_to_the_bit_and_holds_only_finite_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(REPORT);
        let report = SmallReport { gap: None, bound: 0.0 };
        std::fs::write(&path, serde_json::to_string(&report).unwrap()).unwrap();
        check_report(&path, &report).unwrap();
        // NaN is written as null, like a missing gap: refused before that.
        let nan = SmallReport {
            gap: Some(f64::NAN),
            bound: 0.0,
        };
        std::fs::write(&path, serde_json::to_string(&nan).unwrap()).unwrap();
        let e = check_report(&path, &nan).unwrap_err().to_string();
        assert!(e.contains("not finite at gap"), "{e}");
        // The sign of a zero.
        std::fs::write(&path, r#"{"gap":null,"bound":-0.0}"#).unwrap();
        let e = check_report(&path, &report).unwrap_err().to_string();
        assert!(e.contains("bound is -0.0 in the file, 0.0 in the run"), "{e}");
    }

    #[test]
    fn a_test_split_reads_back_to_the_same_samples() {
        let data = Bundled::from_name("wine").unwrap().load();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(TEST_SPLIT);
        std::fs::write(&path, data.to_csv()).unwrap();
        check_test_split(&path, &data).unwrap();
        // A lost row is found.
        let text = data.to_csv();
        let cut: String = text.lines().take(data.len()).map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, cut).unwrap();
        let e = check_test_split(&path, &data).unwrap_err().to_string();
        assert!(e.contains("does not read back"), "{e}");
    }
}
