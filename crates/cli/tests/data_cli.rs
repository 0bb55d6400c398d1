//! Real tables through `mipnet train --data`: text columns one-hot
//! encoded and carried into the network, `--drop`, `--missing`, and the
//! table mistakes that are refused (exit 2, one line naming the cause,
//! nothing written).

use mipnet_network::Network;
use std::path::Path;

mod common;
use common::{assert_bad_input, assert_usage_error, mipnet, stderr, QUICK};

/// A penguins-like table (45 rows): an unnamed index column, a text
/// column (`island`), a text column with a missing value (`sex`), and one
/// row with `NA` measurements.
const PENGUINS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/penguins.csv");

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn train(data: &str, label: &str, extra: &[&str], out: &Path) -> std::process::Output {
    let mut args = vec![
        "train",
        "--data",
        data,
        "--label",
        label,
        "--hidden",
        "3",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(QUICK);
    mipnet(&args)
}

/// The inputs of a raw row, encoded by hand from the network file's
/// `standardizer.encoding` (independently of mipnet's reader): one 0/1
/// input per category, all 0 for a category not in the list.
fn encode_by_hand(net: &serde_json::Value, header: &[String], row: &[String]) -> Vec<f64> {
    let mut x = Vec::new();
    for col in net["standardizer"]["encoding"]["columns"].as_array().unwrap() {
        let name = col["name"].as_str().unwrap();
        let value = &row[header.iter().position(|h| h == name).unwrap()];
        match col["kind"].as_str().unwrap() {
            "numeric" => x.push(value.parse().unwrap()),
            "one_hot" => {
                for k in col["categories"].as_array().unwrap() {
                    x.push(if k.as_str().unwrap() == value { 1.0 } else { 0.0 });
                }
            }
            other => panic!("unknown column kind {other}"),
        }
    }
    x
}

#[test]
fn a_table_with_text_columns_trains_and_predicts_on_the_raw_csv_as_its_forward_pass() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = train(PENGUINS, "species", &["--drop", "", "--missing", "drop"], &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "penguins.csv: dropped 2 of 45 rows with a missing feature or label (--missing drop); \
             most often 'sex', missing in 2"
        ),
        "{}",
        stderr(&o)
    );
    let net_path = out.join("network.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&net_path).unwrap()).unwrap();
    assert_eq!(json["format_version"], 3);
    let names: Vec<&str> = json["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "island=Biscoe",
            "island=Dream",
            "island=Torgersen",
            "bill_length_mm",
            "bill_depth_mm",
            "flipper_length_mm",
            "body_mass_g",
            "sex=female",
            "sex=male"
        ]
    );

    // The raw table's complete rows, one island renamed to one never seen.
    let text = std::fs::read_to_string(PENGUINS).unwrap();
    let mut lines = text.lines();
    let header_line = lines.next().unwrap();
    let mut raw = format!("{header_line}\n");
    let complete: Vec<&str> = lines
        .filter(|l| !l.split(',').any(|f| f.is_empty() || f == "NA"))
        .collect();
    for (i, l) in complete.iter().enumerate() {
        raw += &if i == 0 {
            l.replace(",Dream,", ",Atlantis,").replace(",Biscoe,", ",Atlantis,")
        } else {
            l.to_string()
        };
        raw += "\n";
    }
    let raw_path = write(dir.path(), "raw.csv", raw.as_bytes());
    let o = mipnet(&[
        "predict",
        "--model",
        net_path.to_str().unwrap(),
        "--data",
        &raw_path,
        "--label",
        "species",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 rows have a text value not seen in training"),
        "{}",
        stderr(&o)
    );
    let predicted: Vec<String> = csv::Reader::from_reader(o.stdout.as_slice())
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();

    let network = Network::load(&net_path).unwrap();
    let mut reader = csv::Reader::from_reader(raw.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let expected: Vec<String> = reader
        .records()
        .map(|r| {
            let row: Vec<String> = r.unwrap().iter().map(String::from).collect();
            network.class_names[network.predict(&encode_by_hand(&json, &header, &row))].clone()
        })
        .collect();
    assert_eq!(predicted.len(), complete.len());
    assert_eq!(predicted, expected);
}

#[test]
fn table_mistakes_are_refused_naming_the_cause_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let mut continuous = String::from("a,price\n");
    for i in 0..60 {
        continuous += &format!("{i},{}\n", 100 + 3 * i);
    }
    let continuous = write(dir.path(), "price.csv", continuous.as_bytes());
    let huge = write(dir.path(), "huge.csv", b"a,b,y\n1,-1e300,0\n2,1e300,1\n3,0,0\n4,5,1\n");
    let empty_label = write(dir.path(), "label.csv", b"a,y\n1,0\n2,\n3,1\n4,0\n");
    let latin1 = write(dir.path(), "latin1.csv", b"a,town,y\n1,Bern,0\n2,Z\xfcrich,1\n");
    let cases: Vec<(&str, &str, Vec<&str>, Vec<&str>)> = vec![
        (
            PENGUINS,
            "species",
            vec![],
            vec!["penguins.csv", "column 1 has no name in the header", "--drop ''"],
        ),
        (
            PENGUINS,
            "species",
            vec!["--drop", ""],
            vec![
                "penguins.csv, line 5, column 'bill_length_mm': missing value ('NA')",
                "--missing drop leaves out rows",
            ],
        ),
        (
            PENGUINS,
            "species",
            vec!["--drop", "", "--drop", "species"],
            vec!["--drop 'species' names the label column"],
        ),
        (
            PENGUINS,
            "species",
            vec!["--drop", "id"],
            vec!["--drop 'id': no such column", "species, island"],
        ),
        (
            &continuous,
            "price",
            vec![],
            vec![
                "price.csv",
                "60 distinct values",
                "is this a continuous target? mipnet classifies",
            ],
        ),
        (
            &huge,
            "y",
            vec![],
            vec!["huge.csv", "column 'b' cannot be standardized", "variance overflows"],
        ),
        (
            &empty_label,
            "y",
            vec![],
            vec!["label.csv, line 3, column 'y' (the label): missing value ('')"],
        ),
        (
            &latin1,
            "y",
            vec![],
            vec!["latin1.csv, line 3, column 'town': not UTF-8 text (byte 0xFC"],
        ),
    ];
    for (data, label, extra, fragments) in cases {
        let o = train(data, label, &extra, &out);
        assert_bad_input(&o, &fragments);
        assert!(!out.exists(), "{fragments:?}: wrote {}", out.display());
    }
}

#[test]
fn missing_rows_of_the_test_data_follow_missing_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let test = write(
        dir.path(),
        "test.csv",
        b"species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n\
Adelie,Dream,39.0,18.5,190,3700,male\n\
Gentoo,Biscoe,47.0,NA,216,5000,female\n",
    );
    let o = train(
        PENGUINS,
        "species",
        &["--drop", "", "--missing", "drop", "--test-data", &test],
        &out,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("test.csv: dropped 1 of 2 rows"), "{}", stderr(&o));
    let o = train(
        PENGUINS,
        "species",
        &["--drop", "", "--test-data", &test],
        &dir.path().join("x"),
    );
    assert_bad_input(&o, &["penguins.csv, line 5", "missing value"]);
}

#[test]
fn table_flags_need_a_table() {
    for flag in [["--drop", "id"], ["--missing", "drop"]] {
        let o = mipnet(&["train", "--dataset", "iris", flag[0], flag[1]]);
        assert_bad_input(&o, &["--drop and --missing drop apply to a CSV file (--data)"]);
    }
    // A config file cannot set them for a bundled dataset either.
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "run.toml",
        b"[data]\ndataset = \"iris\"\ndrop = [\"petal width (cm)\"]\n",
    );
    let o = mipnet(&["train", "--config", &cfg]);
    assert_bad_input(&o, &["--drop and --missing drop apply to a CSV file (--data)"]);
    let o = mipnet(&["train", "--data", PENGUINS, "--label", "species", "--missing", "skip"]);
    assert_usage_error(&o, &["'skip'", "error", "drop"]);
}

#[test]
fn a_feature_named_label_gets_a_test_csv_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("label,b,y\n");
    for i in 0..40 {
        let (x, z) = (i as f64 / 10.0, (i % 7) as f64);
        csv += &format!("{x},{z},{}\n", if x + 0.1 * z > 2.3 { "high" } else { "low" });
    }
    let data = write(dir.path(), "labelled.csv", csv.as_bytes());
    let out = dir.path().join("run");
    let o = train(&data, "y", &[], &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("test.csv (label column 'label_2')"), "{stdout}");
    assert!(
        stderr(&o).contains("so test.csv's label column is 'label_2': give --label label_2 to predict and verify"),
        "{}",
        stderr(&o)
    );
    let test_csv = out.join("test.csv");
    let header = std::fs::read_to_string(&test_csv).unwrap();
    assert_eq!(header.lines().next(), Some("label,b,label_2"));
    let o = mipnet(&[
        "predict",
        "--model",
        out.join("network.json").to_str().unwrap(),
        "--data",
        test_csv.to_str().unwrap(),
        "--label",
        "label_2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("accuracy"), "{}", stderr(&o));
}
