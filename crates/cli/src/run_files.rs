//! The files of a training run (`network.json`, `report.json`, `test.csv`):
//! written into the run's staging directory, then read back and checked
//! before the run is moved into place. A file mipnet wrote but cannot read
//! back is never reported as a result.

use crate::exit::Exit;
use crate::output_dir::RunKind;
use anyhow::{anyhow, Context, Result};
use mipnet_data::Dataset;
use mipnet_network::{write_atomic, Network};
use mipnet_train::TrainOutcome;
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
pub fn write_and_check(dir: &Path, outcome: &TrainOutcome, train: &Dataset, test: Option<&Dataset>) -> Result<()> {
    outcome.network.save(&dir.join(NETWORK))?;
    if let Some(test) = test {
        write_atomic(&dir.join(TEST_SPLIT), test.to_csv().as_bytes())
            .with_context(|| format!("cannot write {}", dir.join(TEST_SPLIT).display()))?;
    }
    let report = serde_json::to_string_pretty(&outcome.report)?;
    write_atomic(&dir.join(REPORT), report.as_bytes())
        .with_context(|| format!("cannot write {}", dir.join(REPORT).display()))?;
    check_network(&dir.join(NETWORK), &outcome.network, train)?;
    check_report(&dir.join(REPORT), &outcome.report)?;
    if let Some(test) = test {
        check_test_split(&dir.join(TEST_SPLIT), test)?;
    }
    Ok(())
}

/// `network.json` must load, and its forward pass must give the certified
/// network's scores on every training sample, bit for bit. Unreadable: an
/// internal failure (exit 1); other scores: the certificate does not hold
/// for the file (exit 4).
pub fn check_network(path: &Path, certified: &Network, train: &Dataset) -> Result<()> {
    let loaded = Network::load(path).map_err(|e| anyhow!("the network as written cannot be read back: {e}"))?;
    for i in 0..train.len() {
        let want = certified.scores(train.row(i));
        let got = loaded.scores(train.row(i));
        let differs = want.len() != got.len() || want.iter().zip(&got).any(|(a, b)| a.to_bits() != b.to_bits());
        if differs {
            return Err(anyhow::Error::new(Exit::certificate(format!(
                "{}: the network as written is not the certified one: on training sample {} it gives scores \
                 {got:?}, the certified network {want:?}",
                path.display(),
                i + 1
            ))));
        }
    }
    Ok(())
}

/// `report.json` must parse and hold exactly the report.
fn check_report(path: &Path, report: &mipnet_train::TrainReport) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read back {}", path.display()))?;
    let read: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: the report as written cannot be read back: {e}", path.display()))?;
    if read != serde_json::to_value(report)? {
        return Err(anyhow!(
            "{}: the report as written differs from the run's report",
            path.display()
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
    fn iris_and_network() -> (Dataset, Network) {
        let data = Bundled::from_name("iris").unwrap().load();
        let text = r#"{"format_version":1,"feature_names":["sepal length (cm)","sepal width (cm)","petal length (cm)","petal width (cm)"],
            "class_names":["setosa","versicolor","virginica"],
            "standardizer":{"mean":[5.8,3.0,3.7,1.2],"std":[0.8,0.4,1.7,0.7]},
            "layers":[{"weights":[[0.5,-0.25,1.0,0.0],[0.0,1.0,-1.0,0.5]],"bias":[0.1,-0.2],"kept":[true,true],"relu":true},
                      {"weights":[[1.0,-1.0],[0.5,0.5],[-1.0,1.0]],"bias":[0.0,0.3,-0.3],"kept":[true,true,true],"relu":false}]}"#;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("n.json");
        std::fs::write(&path, text).unwrap();
        (data, Network::load(&path).unwrap())
    }

    #[test]
    fn a_network_read_back_unchanged_passes() {
        let (data, net) = iris_and_network();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NETWORK);
        net.save(&path).unwrap();
        check_network(&path, &net, &data).unwrap();
    }

    #[test]
    fn a_network_that_cannot_be_read_back_is_an_internal_failure() {
        // A standard deviation that overflowed is written as null.
        let (data, mut net) = iris_and_network();
        net.standardizer.std[1] = f64::INFINITY;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NETWORK);
        net.save(&path).unwrap();
        let e = check_network(&path, &net, &data).unwrap_err();
        assert!(e.downcast_ref::<Exit>().is_none(), "exit 1, not 4");
        let text = format!("{e:#}");
        assert!(text.contains("cannot be read back") && text.contains(NETWORK), "{text}");
    }

    #[test]
    fn a_network_file_that_is_not_the_certified_network_fails_its_certificate() {
        let (data, net) = iris_and_network();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NETWORK);
        let mut other = net.clone();
        // One ulp off in one weight.
        let w = &mut other.layers[0].weights[0][0];
        *w = f64::from_bits(w.to_bits() + 1);
        other.save(&path).unwrap();
        let e = check_network(&path, &net, &data).unwrap_err();
        let exit = e.downcast_ref::<Exit>().expect("an exit of its own");
        assert_eq!(exit.code, crate::exit::CERTIFICATE_FAILED);
        assert!(exit.message.contains("not the certified one") && exit.message.contains("on training sample "));
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
