//! `mipnet verify`, `bounds` and `export` as a user runs them, on a freshly
//! trained Iris network and on the ONNX fixtures of crates/onnx: verdicts
//! that add up, counterexamples that `predict` confirms, the same answers
//! from network.json and its ONNX export, and bad input refused.

use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::{assert_bad_input, assert_usage_error, mipnet, stderr, train_quick_iris};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../onnx/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn json(o: &std::process::Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Trains a small Iris network into `dir/run`; returns (network.json, test.csv).
fn train_iris(dir: &Path) -> (String, String) {
    let out = dir.join("run");
    train_quick_iris(&out);
    let net = out.join("network.json").to_string_lossy().into_owned();
    let test = out.join("test.csv").to_string_lossy().into_owned();
    (net, test)
}

fn verdicts(report: &Value) -> Vec<String> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["result"]["verdict"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn iris_robustness_is_decided_and_counterexamples_replay() {
    let dir = tempfile::tempdir().unwrap();
    let (net, test) = train_iris(dir.path());
    let header = std::fs::read_to_string(&test).unwrap();
    assert!(header.starts_with("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),label\n"));
    assert_eq!(header.lines().count(), 39);

    // ε = 0: the ball is the point itself, every prediction stays.
    let r0 = json(&mipnet(&[
        "verify", "--model", &net, "--data", &test, "--eps", "0", "--json",
    ]));
    assert_eq!(r0["summary"]["robust"], 38);

    let r = json(&mipnet(&[
        "verify", "--model", &net, "--data", &test, "--eps", "0.3", "--json",
    ]));
    let s = &r["summary"];
    assert_eq!(s["inputs"], 38);
    assert_eq!(s["unknown"], 0);
    let (robust, not_robust) = (s["robust"].as_u64().unwrap(), s["not_robust"].as_u64().unwrap());
    assert_eq!(robust + not_robust, 38);
    assert!(robust > 0 && not_robust > 0, "{s}");

    // Every counterexample lies in the ball and `predict` gives it another class.
    let rows: Vec<Vec<f64>> = std::fs::read_to_string(&test)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(4).map(|v| v.parse().unwrap()).collect())
        .collect();
    let mut csv = String::from("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n");
    let mut expected_not = Vec::new();
    for i in r["inputs"].as_array().unwrap() {
        let cex = &i["result"]["counterexample"];
        if cex.is_null() {
            continue;
        }
        let x: Vec<f64> = cex["input"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let row = &rows[i["row"].as_u64().unwrap() as usize - 1];
        assert!(x.iter().zip(row).all(|(a, b)| (a - b).abs() <= 0.3 + 1e-12));
        csv += &x.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",");
        csv.push('\n');
        expected_not.push(i["predicted"].as_str().unwrap().to_string());
    }
    let cex_file = write(dir.path(), "cex.csv", &csv);
    let p = mipnet(&["predict", "--model", &net, "--data", &cex_file]);
    assert_eq!(p.status.code(), Some(0), "{}", stderr(&p));
    let predicted: Vec<String> = String::from_utf8_lossy(&p.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(predicted.len(), expected_not.len());
    for (now, before) in predicted.iter().zip(&expected_not) {
        assert_ne!(now, before);
    }

    // The radius: proven at `certified`; within the resolution above it, a
    // counterexample, or an unknown step (a margin within the solver's
    // tolerance, at the boundary) with the counterexample further up.
    let rr = json(&mipnet(&[
        "verify", "--model", &net, "--data", &test, "--eps", "2", "--radius", "--limit", "3", "--json",
    ]));
    for i in rr["inputs"].as_array().unwrap() {
        let res = &i["result"];
        let certified = res["certified"].as_f64().unwrap();
        let not_proven = res["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s[1] != "robust")
            .map(|s| s[0].as_f64().unwrap())
            .fold(f64::INFINITY, f64::min);
        if let Some(c) = res["counterexample"].as_array() {
            let at = c[0].as_f64().unwrap();
            assert!(at > certified && not_proven - certified <= 1e-3 + 1e-12, "{res}");
            assert!(res["undecided"] == true || at == not_proven, "{res}");
        } else {
            assert_eq!(certified, 2.0);
        }
    }

    // The ONNX export gives the same network: same verdicts from the .onnx file.
    let onnx = dir.path().join("iris.onnx").to_string_lossy().into_owned();
    let e = mipnet(&["export", "--model", &net, "--out", &onnx]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    let ro = json(&mipnet(&[
        "verify", "--model", &onnx, "--data", &test, "--eps", "0.3", "--json",
    ]));
    assert_eq!(verdicts(&ro), verdicts(&r));
    let p_json = mipnet(&["predict", "--model", &net, "--data", &test]);
    let p_onnx = mipnet(&["predict", "--model", &onnx, "--data", &test]);
    assert_eq!(p_onnx.status.code(), Some(0), "{}", stderr(&p_onnx));
    assert_eq!(p_json.stdout, p_onnx.stdout);
    let shown = mipnet(&["show", &onnx]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.starts_with("4 inputs → 3 outputs (setosa, versicolor, virginica)\n"),
        "{text}"
    );

    // Output bounds over a box: a witness reaches each end.
    let boxed = write(
        dir.path(),
        "box.csv",
        "input,lower,upper\npetal width (cm),0.5,1.5\nsepal length (cm),5,6\nsepal width (cm),2.5,3.5\npetal length (cm),3,5\n",
    );
    let b = json(&mipnet(&["bounds", "--model", &net, "--box", &boxed, "--json"]));
    for o in b["report"]["outputs"].as_array().unwrap() {
        let (lo, hi) = (o["lower"].as_f64().unwrap(), o["upper"].as_f64().unwrap());
        assert!(lo <= hi);
        assert_eq!(o["exact"], true);
        // Witnesses reach the bounds, which are moved outward by 1e-5·(1 + |b|).
        let (wl, wh) = (
            o["lower_witness"]["value"].as_f64().unwrap(),
            o["upper_witness"]["value"].as_f64().unwrap(),
        );
        assert!(wl >= lo && wl - lo <= 2e-5 * (1.0 + lo.abs()), "{o}");
        assert!(wh <= hi && hi - wh <= 2e-5 * (1.0 + hi.abs()), "{o}");
    }

    // A VNN-LIB property over the same box: "class 0 scores above class 2
    // by more than the largest possible gap" is unsat; by a hair less than
    // the smallest, sat.
    let prop =
        |rhs: f64| {
            format!(
            "; iris\n{}{}\n(assert (>= X_0 5))\n(assert (<= X_0 6))\n(assert (>= X_1 2.5))\n(assert (<= X_1 3.5))\n\
             (assert (>= X_2 3))\n(assert (<= X_2 5))\n(assert (>= X_3 0.5))\n(assert (<= X_3 1.5))\n\
             (assert (>= (- Y_0 Y_2) {rhs}))\n",
            (0..4).map(|i| format!("(declare-const X_{i} Real)\n")).collect::<String>(),
            (0..3).map(|j| format!("(declare-const Y_{j} Real)\n")).collect::<String>(),
        )
        };
    let far = write(dir.path(), "far.vnnlib", &prop(1e6));
    let o = mipnet(&["verify", "--model", &net, "--property", &far]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().next(), Some("unsat"));
    let near = write(dir.path(), "near.vnnlib", &prop(-1e6));
    let o = mipnet(&["verify", "--model", &net, "--property", &near]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("sat\nX_0 = "), "{out}");
}

#[test]
fn onnx_fixture_made_elsewhere_is_verified() {
    let dir = tempfile::tempdir().unwrap();
    // small_cnn.onnx: 36 pixels in [0, 1]; names x0…x35 since the file has none.
    let mut csv = (0..36).map(|i| format!("x{i}")).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for r in 0..3 {
        let row: Vec<String> = (0..36)
            .map(|i| format!("{}", ((i * 7 + r * 13) % 10) as f64 / 10.0))
            .collect();
        csv += &row.join(",");
        csv.push('\n');
    }
    let data = write(dir.path(), "img.csv", &csv);
    let model = fixture("small_cnn.onnx");
    let r = json(&mipnet(&[
        "verify", "--model", &model, "--data", &data, "--eps", "0.01", "--domain", "0,1", "--json",
    ]));
    assert_eq!(r["summary"]["inputs"], 3);
    assert_eq!(r["summary"]["unknown"], 0, "{}", r["summary"]);
    let big = json(&mipnet(&[
        "verify", "--model", &model, "--data", &data, "--eps", "1", "--domain", "0,1", "--json",
    ]));
    // With the whole domain allowed, each input's class can be changed
    // unless the network is constant on [0, 1]^36; the answers must be decided.
    assert_eq!(big["summary"]["unknown"], 0, "{}", big["summary"]);
}

#[test]
fn bad_verification_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture("small_cnn.onnx");
    let mut csv = (0..36).map(|i| format!("x{i}")).collect::<Vec<_>>().join(",");
    csv += "\n";
    csv += &vec!["0.5"; 36].join(",");
    csv += "\n";
    let data = write(dir.path(), "img.csv", &csv);

    let o = mipnet(&["verify", "--model", &model, "--data", &data, "--eps", "-0.1"]);
    assert_bad_input(&o, &["--eps must be a finite number ≥ 0, got -0.1"]);
    let ball = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            "--model",
            model.as_str(),
            "--data",
            data.as_str(),
            "--eps",
            "0.1",
        ];
        a.extend_from_slice(extra);
        mipnet(&a)
    };
    assert_bad_input(
        &ball(&["--radius", "--resolution", "0"]),
        &["--resolution must be > 0, got 0"],
    );
    assert_bad_input(
        &ball(&["--tighten-seconds", "-1"]),
        &["--tighten-seconds must be ≥ 0, got -1"],
    );
    assert_bad_input(
        &ball(&["--time-limit", "0"]),
        &["time limit must be a positive number of seconds, got 0"],
    );
    let o = mipnet(&[
        "verify", "--model", &model, "--data", &data, "--eps", "0.1", "--domain", "1",
    ]);
    assert_bad_input(&o, &["--domain takes MIN,MAX (two numbers), got '1'"]);
    let o = mipnet(&[
        "verify",
        "--model",
        &fixture("unsupported.onnx"),
        "--data",
        &data,
        "--eps",
        "0.1",
    ]);
    assert_bad_input(&o, &["unsupported.onnx", "unsupported ONNX operator 'Sigmoid'", "sig1"]);
    let garbage = write(dir.path(), "garbage.onnx", "this is not protobuf");
    let o = mipnet(&["verify", "--model", &garbage, "--data", &data, "--eps", "0.1"]);
    assert_bad_input(&o, &["garbage.onnx"]);
    // Data whose columns are not the network's inputs.
    let narrow = write(dir.path(), "narrow.csv", "x0,x1\n0.1,0.2\n");
    let o = mipnet(&["verify", "--model", &model, "--data", &narrow, "--eps", "0.1"]);
    assert_bad_input(&o, &["narrow.csv", "x2"]);
    // Malformed VNN-LIB.
    let bad = write(
        dir.path(),
        "bad.vnnlib",
        "(declare-const X_0 Real)\n(assert (<= X_0 1)\n",
    );
    let o = mipnet(&["verify", "--model", &model, "--property", &bad]);
    assert_bad_input(&o, &["bad.vnnlib", "unbalanced parentheses"]);
    // A property for another network shape.
    let other = write(
        dir.path(),
        "other.vnnlib",
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n",
    );
    let o = mipnet(&["verify", "--model", &model, "--property", &other]);
    assert_bad_input(
        &o,
        &["the property declares 1 inputs and 1 outputs, the network has 36 and 3"],
    );
    // A property leaving an input unbounded.
    let open = (0..36)
        .map(|i| format!("(declare-const X_{i} Real)\n"))
        .collect::<String>()
        + &(0..3)
            .map(|j| format!("(declare-const Y_{j} Real)\n"))
            .collect::<String>()
        + "(assert (<= Y_0 Y_1))\n";
    let open = write(dir.path(), "open.vnnlib", &open);
    let o = mipnet(&["verify", "--model", &model, "--property", &open]);
    assert_bad_input(&o, &["input X_0 has no finite lower and upper bound"]);
    // Boxes.
    let b = write(dir.path(), "b.csv", "lower,upper\n0,1\n");
    let o = mipnet(&["bounds", "--model", &model, "--box", &b]);
    assert_bad_input(&o, &["b.csv", "1 rows for 36 inputs; input 'x1' has no bounds"]);
    let b = write(dir.path(), "c.csv", "input,lower,upper\nx0,0,one\n");
    let o = mipnet(&["bounds", "--model", &model, "--box", &b]);
    assert_bad_input(&o, &["c.csv", "line 2: upper 'one' is not a finite number"]);
    let b = write(dir.path(), "nan.csv", "input,lower,upper\nx0,NaN,1\n");
    let o = mipnet(&["bounds", "--model", &model, "--box", &b]);
    assert_bad_input(&o, &["nan.csv", "line 2: lower 'NaN' is not a finite number"]);
    // A row outside the domain the ball is clipped to.
    let o = mipnet(&[
        "verify", "--model", &model, "--data", &data, "--eps", "0.1", "--domain", "0,0.4",
    ]);
    assert_bad_input(&o, &["img.csv", "row 1 has x0 = 0.5 outside --domain 0,0.4"]);
    let b = write(dir.path(), "d.csv", "input,low,high\n");
    let o = mipnet(&["bounds", "--model", &model, "--box", &b]);
    assert_bad_input(&o, &["d.csv", "needs columns 'lower' and 'upper'"]);
    let b = write(dir.path(), "e.csv", "input,lower,upper\nz9,0,1\n");
    let o = mipnet(&["bounds", "--model", &model, "--box", &b]);
    assert_bad_input(&o, &["e.csv", "line 2: the network has no input named 'z9'"]);
    // Export needs a mipnet network.
    let o = mipnet(&[
        "export",
        "--model",
        &model,
        "--out",
        dir.path().join("x.onnx").to_str().unwrap(),
    ]);
    assert_bad_input(
        &o,
        &[
            "small_cnn.onnx: this is an ONNX model already; export takes mipnet's network.json",
            "read an ONNX model as it is",
        ],
    );
    assert!(!dir.path().join("x.onnx").exists());
    // By its content too, whatever its name.
    let renamed = dir.path().join("model.bin");
    std::fs::copy(&model, &renamed).unwrap();
    let o = mipnet(&[
        "export",
        "--model",
        renamed.to_str().unwrap(),
        "--out",
        dir.path().join("x.onnx").to_str().unwrap(),
    ]);
    assert_bad_input(&o, &["model.bin: this is an ONNX model already"]);
    assert!(!dir.path().join("x.onnx").exists());
}

/// A 2→2→2 network.json (inputs `a`, `b`; classes `p`, `q`) whose weight
/// from `b` to the second hidden neuron is `weight`.
fn tiny_network(dir: &Path, name: &str, weight: &str) -> String {
    write(
        dir,
        name,
        &format!(
            r#"{{"format_version": 1, "feature_names": ["a", "b"], "class_names": ["p", "q"],
 "standardizer": {{"mean": [0.0, 0.0], "std": [1.0, 1.0]}},
 "layers": [
  {{"weights": [[1.0, -1.0], [0.5, {weight}]], "bias": [0.0, 0.1], "kept": [true, true], "relu": true, "identity": false, "grid": null}},
  {{"weights": [[1.0, -1.0], [-1.0, 1.0]], "bias": [0.0, 0.0], "kept": [true, true], "relu": false, "identity": false, "grid": null}}
 ]}}"#
        ),
    )
}

/// `(declare-const …)` for the tiny network, a box on `X_1`, then `body`.
fn tiny_property(dir: &Path, name: &str, body: &str) -> String {
    write(
        dir,
        name,
        &format!(
            "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n\
             (assert (>= X_1 0))\n(assert (<= X_1 1))\n{body}"
        ),
    )
}

#[test]
fn an_empty_input_region_is_refused_not_answered_unsat() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path(), "net.json", "2.0");
    let empty = tiny_property(
        dir.path(),
        "empty.vnnlib",
        "(assert (<= X_0 0.5))\n(assert (>= X_0 0.6))\n(assert (<= Y_0 Y_1))\n",
    );
    let o = mipnet(&["verify", "--model", &net, "--property", &empty]);
    assert_bad_input(
        &o,
        &[
            "the property's input region is empty",
            "X_0 ≥ 0.6 and X_0 ≤ 0.5",
            "nothing to verify",
        ],
    );
    // Empty only because of strict comparisons (was: unsat, exit 0).
    let strict = tiny_property(
        dir.path(),
        "strict.vnnlib",
        "(assert (< X_0 0.5))\n(assert (> X_0 0.5))\n(assert (<= Y_0 Y_1))\n",
    );
    let o = mipnet(&["verify", "--model", &net, "--property", &strict]);
    assert_bad_input(
        &o,
        &[
            "the property's input region is empty",
            "X_0 > 0.5 and X_0 < 0.5",
            "nothing to verify",
        ],
    );
    let all = tiny_property(
        dir.path(),
        "all.vnnlib",
        "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (or (>= X_0 2) (<= X_0 -1)))\n(assert (<= Y_0 Y_1))\n",
    );
    let o = mipnet(&["verify", "--model", &net, "--property", &all]);
    assert_bad_input(
        &o,
        &["every one of the property's 2 disjuncts has an empty input region"],
    );
    // Beside a disjunct with inputs, an empty one is dropped with a note.
    let some = tiny_property(
        dir.path(),
        "some.vnnlib",
        "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (or (>= X_0 2) (<= X_0 0.5)))\n(assert (>= Y_0 1000))\n",
    );
    let o = mipnet(&["verify", "--model", &net, "--property", &some]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "unsat\n");
    let err = stderr(&o);
    assert!(
        err.contains(
            "note: disjunct 1 of 2 dropped, no input satisfies it: the input box is empty: X_0 ≥ 2 and X_0 ≤ 1\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("1 of 2 disjuncts checked by input splitting or a MILP, 1 dropped (empty input region)"),
        "{err}"
    );
    // bounds: a box with lower above upper.
    let b = write(dir.path(), "rev.csv", "input,lower,upper\na,1,0\nb,0,1\n");
    let o = mipnet(&["bounds", "--model", &net, "--box", &b]);
    assert_bad_input(&o, &["rev.csv: input 0 (a): lower bound 1 is above upper bound 0"]);
}

#[test]
fn numbers_too_large_for_the_milp_are_refused_naming_value_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path(), "net.json", "2.0");
    let limit = "mipnet's MILPs accept magnitudes up to 1e7";
    let points = write(dir.path(), "points.csv", "a,b\n0.1,0.2\n");
    // bounds with a ±1e300 box.
    let b = write(dir.path(), "huge.csv", "input,lower,upper\na,-1e300,1e300\nb,0,1\n");
    let o = mipnet(&["bounds", "--model", &net, "--box", &b]);
    assert_bad_input(&o, &["huge.csv: input 0 (a): the lower bound is -1e300", limit]);
    // verify --eps 1e300 (without a --domain to clip it).
    let o = mipnet(&["verify", "--model", &net, "--data", &points, "--eps", "1e300"]);
    assert_bad_input(&o, &["--eps is 1e300", limit, "or give --domain"]);
    // Clipped to --domain, a huge ε is the whole domain: accepted, and shown as a number.
    let o = mipnet(&[
        "verify", "--model", &net, "--data", &points, "--eps", "1e300", "--domain", "0,1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().next().unwrap().ends_with("detail (eps 1e300)"), "{out}");
    // A 1e300 input row.
    let rows = write(dir.path(), "rows.csv", "a,b\n0.1,0.2\n0.1,1e300\n");
    let o = mipnet(&["verify", "--model", &net, "--data", &rows, "--eps", "0.1"]);
    assert_bad_input(&o, &["rows.csv: row 2: input 1 (b) is 1e300", limit]);
    // A 1e300 weight in network.json, and in its ONNX export.
    let heavy = tiny_network(dir.path(), "heavy.json", "1e300");
    let weight = "operation 2 of 4 (affine): the weight of output 1 on input 1 is 1e300";
    let o = mipnet(&["verify", "--model", &heavy, "--data", &points, "--eps", "0.1"]);
    assert_bad_input(&o, &["heavy.json: ", weight, limit]);
    let onnx = dir.path().join("heavy.onnx").to_string_lossy().into_owned();
    let e = mipnet(&["export", "--model", &heavy, "--out", &onnx]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    let o = mipnet(&[
        "bounds",
        "--model",
        &onnx,
        "--box",
        &write(dir.path(), "unit.csv", "lower,upper\n0,1\n0,1\n"),
    ]);
    assert_bad_input(&o, &["heavy.onnx: ", weight, limit]);
    // A VNN-LIB box.
    let p = tiny_property(
        dir.path(),
        "huge.vnnlib",
        "(assert (>= X_0 0))\n(assert (<= X_0 1e300))\n",
    );
    let o = mipnet(&["verify", "--model", &net, "--property", &p]);
    assert_bad_input(&o, &["disjunct 1 of 1: the upper bound of X_0 is 1e300", limit]);
}

#[test]
fn a_vnnlib_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path(), "net.json", "2.0");
    let bad = tiny_property(dir.path(), "bad.vnnlib", "(assert (<= X_0 abc))\n");
    let o = mipnet(&["verify", "--model", &net, "--property", &bad]);
    assert_bad_input(&o, &["bad.vnnlib: line 7, column 17: expected a number, got 'abc'"]);
    assert_eq!(stderr(&o).matches("expected a number").count(), 1, "{}", stderr(&o));
    let missing = dir.path().join("missing.vnnlib").to_string_lossy().into_owned();
    let o = mipnet(&["verify", "--model", &net, "--property", &missing]);
    assert_bad_input(&o, &["cannot read", "missing.vnnlib"]);
    assert_eq!(stderr(&o).matches("No such file").count(), 1, "{}", stderr(&o));
}

#[test]
fn each_commands_help_is_true_for_it() {
    let help = |cmd: &str| {
        let o = mipnet(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let bounds = help("bounds");
    for foreign in ["--radius", "VNN-LIB", "disjunct", "bisection"] {
        assert!(!bounds.contains(foreign), "bounds --help mentions {foreign}: {bounds}");
    }
    assert!(bounds.contains("each output's minimum and its maximum"), "{bounds}");
    let verify = help("verify");
    assert!(verify.contains("per bisection step with --radius"), "{verify}");
    assert!(verify.contains("per disjunct with --property"), "{verify}");
}

#[test]
fn export_reads_its_file_back_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path(), "net.json", "2.0");
    let out = dir.path().join("net.onnx");
    for extra in [&[][..], &["--float32"][..]] {
        let mut args = vec!["export", "--model", &net, "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = mipnet(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("read back by mipnet's importer: the same outputs on 5 inputs"),
            "{}",
            stderr(&o)
        );
    }
    // Nothing but the network and its export in the directory: no temporary file.
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["net.json", "net.onnx"]);
    // An unwritable destination: bad input, nothing written.
    let o = mipnet(&[
        "export",
        "--model",
        &net,
        "--out",
        dir.path().join("missing/net.onnx").to_str().unwrap(),
    ]);
    assert_bad_input(&o, &["cannot write", "missing/net.onnx"]);
}

/// --property checks the file's own region: the flags of a ball around data
/// rows are usage errors beside it, not silently ignored.
#[test]
fn ball_flags_beside_a_property_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path(), "net.json", "2.0");
    let p = tiny_property(
        dir.path(),
        "p.vnnlib",
        "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= Y_0 1000))\n",
    );
    for (flag, value, shown) in [
        ("--eps", Some("0.1"), "'--eps <E>'"),
        ("--domain", Some("0,1"), "'--domain <MIN,MAX>'"),
        ("--radius", None, "'--radius'"),
        ("--resolution", Some("0.01"), "'--resolution <R>'"),
    ] {
        let mut args = vec!["verify", "--model", &net, "--property", &p, flag];
        args.extend(value);
        let o = mipnet(&args);
        assert_usage_error(&o, &[shown, "cannot be used with", "'--property <FILE.vnnlib>'"]);
    }
    // Alone, the property is checked.
    let o = mipnet(&["verify", "--model", &net, "--property", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A weight beyond float32's range is refused before anything is written
/// (it used to end as "a bug", exit 1, or pass a read-back that counted
/// inf = inf): exit 2 naming the value, no temporary file, an existing
/// --out untouched. Without --float32 it exports.
#[test]
fn a_float32_export_of_a_weight_beyond_float32_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path(), "net.json", "1e39");
    let out = dir.path().join("net.onnx");
    std::fs::write(&out, "an earlier export").unwrap();
    let o = mipnet(&["export", "--model", &net, "--out", out.to_str().unwrap(), "--float32"]);
    assert_bad_input(
        &o,
        &[
            "net.onnx: layer 1: the weight of output 1 on input 1 is 1e39, beyond float32's range",
            "export without --float32",
        ],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "an earlier export");
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["net.json", "net.onnx"]);
    let o = mipnet(&["export", "--model", &net, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A network computing inf at every input the read-back checks cannot be
/// checked: refused with exit 2, nothing written (it used to pass, inf
/// matching inf).
#[test]
fn an_export_whose_outputs_are_never_finite_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(
        dir.path(),
        "inf.json",
        r#"{"format_version": 1, "feature_names": ["a", "b"], "class_names": ["p", "q"],
 "standardizer": {"mean": [0.0, 0.0], "std": [1.0, 1.0]},
 "layers": [
  {"weights": [[0.0, 0.0], [0.0, 0.0]], "bias": [1e300, 0.0], "kept": [true, true], "relu": true, "identity": false, "grid": null},
  {"weights": [[1e300, 0.0], [0.0, 1.0]], "bias": [0.0, 0.0], "kept": [true, true], "relu": false, "identity": false, "grid": null}
 ]}"#,
    );
    let out = dir.path().join("inf.onnx");
    let o = mipnet(&["export", "--model", &net, "--out", out.to_str().unwrap()]);
    assert_bad_input(
        &o,
        &[
            "inf.onnx: the network's outputs are not finite (inf or NaN) at any of the 5 inputs",
            "nothing was written",
        ],
    );
    assert!(!out.exists());
}
