//! `mipnet predict` as a user runs it: properly quoted CSV out, the label
//! column asked for or found, labels that are not classes, text columns
//! encoded as in training, ONNX models that pick the lowest output, and
//! network files that cannot be used refused naming the field.

use std::path::Path;

mod common;
use common::{assert_bad_input, mipnet, stderr};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// A network by hand: inputs `a` and `b`, one output per class equal to
/// one input (`a` wins when larger), classes that need quoting in CSV.
fn two_class_network(std_a: &str) -> String {
    format!(
        r#"{{
  "format_version": 1,
  "feature_names": ["a", "b"],
  "class_names": ["neg, class", "pos \"q\""],
  "standardizer": {{ "mean": [0.0, 0.0], "std": [{std_a}, 1.0] }},
  "layers": [
    {{ "weights": [[1.0, 0.0], [0.0, 1.0]], "bias": [0.0, 0.0], "kept": [true, true], "relu": false, "grid": null }}
  ]
}}"#
    )
}

/// A network by hand with a one-hot text column: inputs `color=blue`,
/// `color=red`, `size`; scores (`color=blue`, `color=red`, `size` − 5)
/// for classes blue, red, big.
const ENCODED_NETWORK: &str = r#"{
  "format_version": 3,
  "feature_names": ["color=blue", "color=red", "size"],
  "class_names": ["blue", "red", "big"],
  "standardizer": {
    "mean": [0.0, 0.0, 0.0],
    "std": [1.0, 1.0, 1.0],
    "encoding": { "columns": [
      { "kind": "one_hot", "name": "color", "categories": ["blue", "red"] },
      { "kind": "numeric", "name": "size" }
    ] }
  },
  "layers": [
    { "weights": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "bias": [0.0, 0.0, -5.0],
      "kept": [true, true, true], "relu": false, "grid": null }
  ]
}"#;

fn records(o: &std::process::Output) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(o.stdout.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn class_names_with_commas_and_quotes_round_trip_through_the_output_csv() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(dir.path(), "net.json", &two_class_network("1.0"));
    let data = write(
        dir.path(),
        "d.csv",
        "a,b,label\n2,1,\"neg, class\"\n0,3,\"pos \"\"q\"\"\"\n",
    );
    let o = mipnet(&["predict", "--model", &net, "--data", &data]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        records(&o),
        [
            vec!["row", "predicted", "label"],
            vec!["1", "neg, class", "neg, class"],
            vec!["2", "pos \"q\"", "pos \"q\""],
        ]
    );
    assert!(stderr(&o).contains("accuracy 2/2"), "{}", stderr(&o));
    // Without a label column: two columns, no accuracy.
    let bare = write(dir.path(), "bare.csv", "b,a\n1,2\n");
    let o = mipnet(&["predict", "--model", &net, "--data", &bare]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&o), [vec!["row", "predicted"], vec!["1", "neg, class"]]);
    assert!(!stderr(&o).contains("accuracy"));
}

#[test]
fn an_explicit_label_column_must_exist_the_default_one_need_not() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(dir.path(), "net.json", &two_class_network("1.0"));
    let data = write(dir.path(), "d.csv", "a,b,label\n2,1,\"neg, class\"\n");
    let o = mipnet(&["predict", "--model", &net, "--data", &data, "--label", "species"]);
    assert_bad_input(&o, &["d.csv", "no label column 'species'", "a, b, label"]);
    // Given and present: used.
    let o = mipnet(&["predict", "--model", &net, "--data", &data, "--label", "label"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&o)[0], ["row", "predicted", "label"]);
}

#[test]
fn a_row_whose_outputs_overflow_is_refused_not_predicted() {
    let dir = tempfile::tempdir().unwrap();
    // std 2e-12: a = 1e300 standardizes to 5e311, which overflows to inf.
    let net = write(dir.path(), "net.json", &two_class_network("2e-12"));
    let data = write(dir.path(), "d.csv", "a,b\n1e-13,2\n1e300,0\n");
    let o = mipnet(&["predict", "--model", &net, "--data", &data]);
    assert_bad_input(
        &o,
        &[
            "d.csv, line 3",
            "output 'neg, class' is inf",
            "not a finite number",
            "nothing predicted",
        ],
    );
}

#[test]
fn a_label_that_is_not_a_class_is_printed_as_written_and_counted_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(dir.path(), "net.json", &two_class_network("1.0"));
    let data = write(
        dir.path(),
        "d.csv",
        "a,b,label\n2,1,\"neg, class\"\n0,3,maybe\n5,1,\"neg, class\"\n",
    );
    let o = mipnet(&["predict", "--model", &net, "--data", &data]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&o)[2], ["2", "pos \"q\"", "maybe"]);
    let err = stderr(&o);
    assert!(err.contains("accuracy 2/3"), "{err}");
    assert!(
        err.contains(
            "note: 1 rows have a label that is not a class of the model (neg, class, pos \"q\"); they count as wrong"
        ),
        "{err}"
    );
}

#[test]
fn text_columns_are_encoded_as_in_training_and_unseen_categories_as_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(dir.path(), "net.json", ENCODED_NETWORK);
    // Raw columns in another order; a colour not seen in training.
    let raw = write(
        dir.path(),
        "raw.csv",
        "size,color\n1,red\n0.5,blue\n7,blue\n0.5,green\n",
    );
    let o = mipnet(&["predict", "--model", &net, "--data", &raw]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let predicted: Vec<String> = records(&o)[1..].iter().map(|r| r[1].clone()).collect();
    // green encodes as (0, 0): scores (0, 0, −4.5), the first wins.
    assert_eq!(predicted, ["red", "blue", "big", "blue"]);
    assert!(
        stderr(&o).contains("1 rows have a text value not seen in training (its one-hot inputs are all 0)"),
        "{}",
        stderr(&o)
    );
    // The encoded inputs themselves (as in test.csv) read as they are.
    let encoded = write(dir.path(), "enc.csv", "color=blue,color=red,size\n0,1,1\n1,0,0.5\n");
    let o = mipnet(&["predict", "--model", &net, "--data", &encoded]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&o)[1..], [vec!["1", "red"], vec!["2", "blue"]]);
    // A missing raw column or value is named.
    let o = mipnet(&[
        "predict",
        "--model",
        &net,
        "--data",
        &write(dir.path(), "m.csv", "size\n1\n"),
    ]);
    assert_bad_input(&o, &["m.csv", "feature 'color'"]);
    let o = mipnet(&[
        "predict",
        "--model",
        &net,
        "--data",
        &write(dir.path(), "na.csv", "size,color\n1,red\n2,NA\n"),
    ]);
    assert_bad_input(&o, &["na.csv", "line 3", "column 'color'", "missing value ('NA')"]);
}

#[test]
fn onnx_models_can_pick_the_lowest_output() {
    let dir = tempfile::tempdir().unwrap();
    let onnx = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/acasxu-like/net.onnx");
    let net = mipnet_onnx::import(Path::new(onnx)).unwrap();
    let mut text = String::from("x4,x3,x2,x1,x0\n");
    let rows = [
        [0.1, -0.2, 0.3, 0.0, 0.5],
        [-0.4, 0.25, 0.1, 0.3, -0.1],
        [0.45, 0.45, -0.45, -0.3, 0.2],
    ];
    for r in &rows {
        text += &format!("{},{},{},{},{}\n", r[4], r[3], r[2], r[1], r[0]);
    }
    let data = write(dir.path(), "x.csv", &text);
    let mut picked = Vec::new();
    for decision in ["argmax", "argmin"] {
        let o = mipnet(&["predict", "--model", onnx, "--data", &data, "--decision", decision]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        picked.push(records(&o)[1..].iter().map(|r| r[1].clone()).collect::<Vec<_>>());
    }
    let by = |f: fn(&[f64]) -> usize| -> Vec<String> {
        rows.iter()
            .map(|r| net.output_names[f(&net.forward(r))].clone())
            .collect()
    };
    assert_eq!(picked[0], by(mipnet_network::argmax));
    assert_eq!(picked[1], by(mipnet_network::argmin));
    assert_ne!(picked[0], picked[1], "the example rows should tell the two apart");
    // A mipnet network's class is its highest score: argmin is refused.
    let json = write(dir.path(), "net.json", &two_class_network("1.0"));
    let o = mipnet(&["predict", "--model", &json, "--data", &data, "--decision", "argmin"]);
    assert_bad_input(&o, &["--decision argmin applies to ONNX models", "net.json"]);
    // --help says where the input names come from.
    let o = mipnet(&["predict", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("mipnet show model.onnx"), "{help}");
    assert!(help.contains("--decision"), "{help}");
}

#[test]
fn a_network_file_with_a_null_or_non_finite_number_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "a,b\n1,2\n");
    // What an overflowing standardization wrote before it was refused.
    let null = write(dir.path(), "null.json", &two_class_network("null"));
    for cmd in ["predict", "show"] {
        let o = match cmd {
            "predict" => mipnet(&["predict", "--model", &null, "--data", &data]),
            _ => mipnet(&["show", &null]),
        };
        assert_bad_input(
            &o,
            &[
                "null.json",
                "standardizer.std[0] is null, not a number",
                "NaN and infinity",
            ],
        );
    }
    let zero = write(dir.path(), "zero.json", &two_class_network("0.0"));
    let o = mipnet(&["predict", "--model", &zero, "--data", &data]);
    assert_bad_input(&o, &["zero.json", "standardizer.std[0] ('a') is 0"]);
    let weight = two_class_network("1.0").replace("[[1.0, 0.0], [0.0, 1.0]]", "[[1.0, 0.0], [null, 1.0]]");
    let o = mipnet(&[
        "predict",
        "--model",
        &write(dir.path(), "w.json", &weight),
        "--data",
        &data,
    ]);
    assert_bad_input(&o, &["w.json", "layers[0].weights[1][0] is null"]);
}
