//! `mipnet train`, `predict` and `show` as a user runs them: a checked
//! network and its report, readable output, and bad input refused with a
//! one-line error and exit code 2, with nothing written.

use std::path::Path;

mod common;
use common::{assert_bad_input, assert_usage_error, mipnet, stderr, train_quick_iris, train_quick_iris_with, QUICK};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn iris_trains_to_a_certified_network_with_a_complete_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = train_quick_iris(&out);
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("certificate  passed"), "{summary}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    for key in [
        "dataset",
        "n_train",
        "n_test",
        "train_accuracy",
        "test_accuracy",
        "weight_sparsity",
        "params_total",
        "params_kept",
        "neurons_kept",
        "objective",
        "dual_bound",
        "bound_method",
        "mip_dual_bound",
        "lower_bounds",
        "bound_summary",
        "neurons_effective",
        "mip_gap",
        "status",
        "solve_seconds",
        "build_seconds",
        "columns",
        "binaries",
        "rows",
        "nonzeros",
        "settings",
        "mipnet_version",
        "certificate",
        "baseline",
        "stages",
    ] {
        assert!(report.get(key).is_some(), "report lacks {key}");
    }
    assert_eq!(report["n_train"], 112);
    assert_eq!(report["n_test"], 38);
    assert_eq!(report["certificate"]["passed"], true);
    // The summary counts the neurons kept and those that affect an output.
    let effective = mipnet_network::Network::load(&out.join("network.json"))
        .unwrap()
        .neurons_effective();
    let kept: Vec<u64> = report["neurons_kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let line = format!("neurons kept {kept:?}, affecting the output {effective:?}\n");
    assert!(summary.contains(&line), "{summary} lacks {line}");
    assert!(report["test_accuracy"].as_f64().unwrap() >= 0.85);
    assert_eq!(report["settings"]["formulation"]["hidden"][0], 4);
    assert_eq!(report["settings"]["gradient"]["seed"], 0);
    // The objective is the forward pass's, and at least the proven bound
    // (the 1 s MIP may end before HiGHS has one on a loaded machine).
    let obj = report["objective"].as_f64().unwrap();
    if let Some(bound) = report["dual_bound"].as_f64() {
        assert!(obj >= bound - 1e-9);
        assert!(report["mip_gap"].as_f64().is_some());
    }
    // The proof: the three bound methods ran (one hidden layer), and the
    // summary says it in words.
    assert_eq!(report["lower_bounds"].as_array().unwrap().len(), 3);
    assert_eq!(report["lower_bounds"][0]["method"], "lipschitz-margin");
    assert_eq!(report["lower_bounds"][1]["method"], "path-norm");
    assert_eq!(report["lower_bounds"][2]["method"], "unit-columns");
    let proof = report["bound_summary"].as_str().unwrap();
    assert!(summary.contains(&format!("proof        {proof}\n")), "{summary}");
    // The bound stages: the model as built first; their root LPs are not
    // solved unless asked for (--root-lp-seconds).
    let bounds = report["bounds"].as_array().unwrap();
    assert_eq!(bounds[0]["stage"], "interval", "{bounds:?}");
    for b in bounds {
        assert!(b["root_lp_bound"].is_null(), "{b}");
        assert!(b["relu_binaries"].as_u64().unwrap() > 0, "{b}");
        assert!(b["mean_big_m"].as_f64().unwrap() > 0.0, "{b}");
    }
    assert!(summary.contains("bounds       interval ("), "{summary}");
    // Each part of the pipeline can only keep or lower the best objective.
    let pr = &report["progress"];
    let at = |k: &str| pr[k].as_f64().unwrap();
    assert!(at("polish") <= at("warm_start") + 1e-9, "{pr}");
    assert!(at("search") <= at("polish") + 1e-9, "{pr}");
    assert!((at("end") - obj).abs() < 1e-12 && obj <= at("search") + 1e-9, "{pr}");
    let found: u64 = pr["improvements"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(found >= 1, "{pr}");
    assert!(summary.contains("progress     best after warm start"), "{summary}");

    let net = out.join("network.json");
    let shown = mipnet(&["show", net.to_str().unwrap()]);
    assert_eq!(shown.status.code(), Some(0));
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("Hidden layer 1") && text.contains("virginica = "),
        "{text}"
    );
    assert!(
        text.contains("[petal length (cm)]") || text.contains("[petal width (cm)]"),
        "{text}"
    );

    // Predict on the iris file with a header: accuracy is printed.
    let mut csv = String::from("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),label\n");
    csv += "5.1,3.5,1.4,0.2,setosa\n6.7,3.0,5.2,2.3,virginica\n";
    let data = write(dir.path(), "few.csv", &csv);
    let p = mipnet(&["predict", "--model", net.to_str().unwrap(), "--data", &data]);
    assert_eq!(p.status.code(), Some(0), "{}", stderr(&p));
    let lines = String::from_utf8_lossy(&p.stdout);
    assert!(lines.starts_with("row,predicted,label\n1,"), "{lines}");
    assert!(stderr(&p).contains("accuracy"));
}

#[test]
fn the_mip_alongside_the_search_is_reported_and_its_network_certified() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = mipnet(&[
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "4",
        "--epochs",
        "400",
        "--finetune-epochs",
        "300",
        "--time-limit",
        "3",
        "--threads",
        "2",
        "--mip-alongside-search",
        "--option",
        "mip_heuristic_effort=0.1",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("offered to the MIP alongside"), "{summary}");
    assert!(summary.contains("(alongside the search)"), "{summary}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["certificate"]["passed"], true);
    assert_eq!(report["mip_schedule"], "alongside the search");
    assert_eq!(report["settings"]["stages"]["mip_alongside_search"], true);
    assert_eq!(report["settings"]["solver"]["options"]["mip_heuristic_effort"], "0.1");
    assert!(report["lns"]["handed_to_mip"].as_u64().is_some());
    assert!(report["mip_user_solutions"].as_u64().is_some());
}

#[test]
fn a_user_csv_with_string_labels_trains_and_names_its_classes() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x1,risk,x2\n");
    for i in 0..24 {
        let (a, b) = ((i % 6) as f64 * 0.3, (i / 6) as f64 * 0.5);
        let label = if a + b > 1.4 { "high" } else { "low" };
        csv += &format!("{a},{label},{b}\n");
    }
    let data = write(dir.path(), "risk.csv", &csv);
    let out = dir.path().join("o");
    let mut args = vec![
        "train",
        "--data",
        &data,
        "--label",
        "risk",
        "--hidden",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let net: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("network.json")).unwrap()).unwrap();
    assert_eq!(net["class_names"], serde_json::json!(["high", "low"]));
    assert_eq!(net["feature_names"], serde_json::json!(["x1", "x2"]));
    // Dense networks are written as version 1 (older mipnets read them).
    assert_eq!(net["format_version"], 1);
}

#[test]
fn bad_training_input_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let out_s = out.to_str().unwrap();
    let ragged = write(dir.path(), "ragged.csv", "a,b,y\n1,2,0\n3,1\n");
    let single = write(dir.path(), "single.csv", "a,b,y\n1,2,0\n3,1,0\n");
    let nan = write(dir.path(), "nan.csv", "a,b,y\n1,nan,0\n3,1,1\n");
    let empty = write(dir.path(), "empty.csv", "");
    let two = write(dir.path(), "two.csv", "a,b,y\n1,2,0\n3,1,1\n2,2,0\n0,1,1\n");
    let cfg = write(dir.path(), "bad.toml", "[formulation]\nhiden = [4]\n");
    let forever = write(dir.path(), "forever.toml", "[solver]\ntime_limit = 1e30\n");
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--data", &ragged, "--label", "y"],
            vec!["ragged.csv, line 3", "2 fields"],
        ),
        (vec!["--data", &single, "--label", "y"], vec!["only one class"]),
        (
            vec!["--data", &nan, "--label", "y"],
            vec!["line 2", "column 'b'", "not a finite number"],
        ),
        (vec!["--data", &empty, "--label", "y"], vec!["empty.csv", "empty"]),
        (
            vec!["--data", &single, "--label", "nope"],
            vec!["no label column 'nope'"],
        ),
        (
            vec!["--dataset", "iris", "--hidden", "4,0"],
            vec!["layer 2 has width 0"],
        ),
        (vec!["--dataset", "iris", "--l1", "-0.5"], vec!["invalid setting l1"]),
        (
            vec!["--dataset", "iris", "--neuron-penalty", "-1"],
            vec!["invalid setting neuron_penalty"],
        ),
        (
            vec!["--dataset", "iris", "--hidden", "8,4", "--prune-layers"],
            vec!["no hidden layer can become the identity"],
        ),
        (
            vec!["--dataset", "cifar"],
            vec!["unknown dataset 'cifar'", "mnist is read from data/mnist"],
        ),
        (vec!["--dataset", "iris", "--config", &cfg], vec!["bad.toml", "hiden"]),
        // A deadline that far away overflowed (a panic, before the cap).
        (
            vec!["--dataset", "iris", "--config", &forever],
            vec!["time_limit", "at most 1e9", "got 1000000000000000000000000000000"],
        ),
        (
            vec!["--dataset", "iris", "--lns-share", "1.5"],
            vec!["lns_share", "from 0 (off) to 1, got 1.5"],
        ),
        (
            vec!["--dataset", "iris", "--lns-sub-seconds", "0"],
            vec!["lns_sub_seconds", "positive"],
        ),
        (
            vec!["--dataset", "iris", "--root-lp-seconds", "-1"],
            vec!["root_lp_seconds", "got -1"],
        ),
        (
            vec!["--dataset", "iris", "--prove-seconds", "-1"],
            vec!["prove_seconds", "got -1"],
        ),
        (
            vec!["--dataset", "iris", "--option", "no_such_option=1"],
            vec!["solver.options", "no option named 'no_such_option'"],
        ),
        (
            vec!["--dataset", "iris", "--option", "presolve=sometimes"],
            vec!["solver.options", "refused value 'sometimes' for option 'presolve'"],
        ),
        (
            vec!["--dataset", "iris", "--option", "mip_heuristic_effort=lots"],
            vec!["mip_heuristic_effort", "takes a number, got 'lots'"],
        ),
        (
            vec!["--dataset", "iris", "--option", "threads=4"],
            vec!["'threads' is set by solver.threads (--threads)"],
        ),
        (
            vec!["--dataset", "iris", "--option", "log_to_console=true"],
            vec!["'log_to_console' is mipnet's", "--log"],
        ),
        (
            vec!["--dataset", "iris", "--option", "presolve"],
            vec!["not of the form NAME=VALUE"],
        ),
        (
            vec!["--dataset", "iris", "--test-data", &single],
            vec!["needs --label COLUMN"],
        ),
        (
            vec!["--data", &two, "--label", "y", "--test-data", &empty],
            vec!["empty.csv"],
        ),
    ];
    for (extra, fragments) in cases {
        let mut args = vec!["train", "--out", out_s, "-q"];
        args.extend(extra.iter().copied());
        let o = mipnet(&args);
        assert_bad_input(&o, &fragments);
        assert!(!out.exists(), "{extra:?} wrote {out_s}");
    }
    // A bad flag value is a usage error in clap's words.
    let o = mipnet(&["train", "--dataset", "iris", "--time-limit", "0", "--out", out_s]);
    assert_usage_error(&o, &["--time-limit", "positive number of seconds"]);
    assert!(!out.exists());
}

#[test]
fn bad_network_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let v9 = write(dir.path(), "v9.json", r#"{"format_version": 9, "layers": []}"#);
    assert_bad_input(&mipnet(&["show", &v9]), &["format version 9", "reads versions 1 to "]);
    let junk = write(dir.path(), "junk.json", "not json");
    assert_bad_input(&mipnet(&["show", &junk]), &["junk.json", "not a mipnet network file"]);
    assert_bad_input(&mipnet(&["show", "missing.json"]), &["cannot read missing.json"]);
}

#[test]
fn a_config_file_sets_what_flags_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "run.toml",
        "[formulation]\nhidden = [3]\nl1 = 0.01\n[gradient]\nepochs = 300\nseed = 5\n[solver]\ntime_limit = 1\nthreads = 1\n[stages]\nfinetune_epochs = 100\n",
    );
    let o = mipnet(&[
        "train",
        "--dataset",
        "iris",
        "--config",
        &cfg,
        "--l1",
        "0.02",
        "--json",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["settings"]["formulation"]["hidden"][0], 3);
    assert_eq!(r["settings"]["formulation"]["l1"], 0.02);
    assert_eq!(r["settings"]["gradient"]["seed"], 5);
    assert!(r["neurons_kept"][0].as_u64().unwrap() <= 3);
}

#[test]
fn every_loss_and_pruning_switch_yields_a_certified_network() {
    let variants: [&[&str]; 3] = [
        &[
            "--loss",
            "misclassification",
            "--prune-neurons",
            "--neuron-penalty",
            "0.01",
            "--flip-rounds",
            "2",
        ],
        &[
            "--loss",
            "l1",
            "--l0",
            "0.001",
            "--l2",
            "0.01",
            "--grid-levels",
            "2",
            "--grid-step",
            "0.5",
        ],
        &[
            "--hidden",
            "3,3",
            "--prune-layers",
            "--layer-penalty",
            "0.01",
            "--no-symmetry-breaking",
        ],
    ];
    for extra in variants {
        let mut args = vec!["train", "--dataset", "iris", "--hidden", "3", "--json"];
        args.extend_from_slice(QUICK);
        args.extend_from_slice(extra);
        let o = mipnet(&args);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {}", stderr(&o));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["certificate"]["passed"], true, "{extra:?}");
        let c = &r["certificate"];
        assert!(
            (c["objective_milp"].as_f64().unwrap() - c["objective_forward"].as_f64().unwrap()).abs() < 1e-5,
            "{extra:?}"
        );
    }
}

/// `mipnet bench --quick --time-limit 1 [extra] --out DIR -q`, its exit
/// asserted 0; returns bench.json.
fn bench_quick(out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "bench",
        "--quick",
        "--time-limit",
        "1",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(out.join("bench.json")).unwrap()).unwrap()
}

#[test]
fn bench_quick_writes_its_json_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let json = bench_quick(&out, &[]);
    let table = std::fs::read_to_string(out.join("bench.md")).unwrap();
    for ds in ["| iris |", "| wine |", "| wdbc |"] {
        assert!(table.contains(ds), "{table}");
    }
    assert_eq!(json["reports"].as_array().unwrap().len(), 3);
    for s in json["summaries"].as_array().unwrap() {
        assert_eq!(s["certificates_passed"], 1);
    }
    assert_bad_input(
        &mipnet(&["bench", "--suite", "imagenet"]),
        &["unknown suite 'imagenet'"],
    );
    assert_bad_input(
        &mipnet(&["bench", "--suite", "mnist", "--case", "20/class"]),
        &["--case 20/class", "mnist 10/class", "mnist 100/class (no MIP)"],
    );
    // --case keeps the matching cases only; --split-seed is recorded.
    // --option reaches every run's settings and the table.
    let json = bench_quick(
        &dir.path().join("one"),
        &[
            "--case",
            "iris",
            "--split-seed",
            "3",
            "--option",
            "mip_heuristic_effort=0.2",
        ],
    );
    assert_eq!(json["reports"].as_array().unwrap().len(), 1);
    assert_eq!(json["suite"]["split_seeds"], serde_json::json!([3]));
    assert_eq!(json["rows"][0]["split_seed"], 3);
    assert_eq!(
        json["suite"]["settings"]["solver"]["options"]["mip_heuristic_effort"],
        "0.2"
    );
    assert_eq!(
        json["reports"][0]["settings"]["solver"]["options"]["mip_heuristic_effort"],
        "0.2"
    );
    let md = std::fs::read_to_string(dir.path().join("one/bench.md")).unwrap();
    assert!(md.contains("split seed 3"), "{md}");
    assert!(md.contains("HiGHS options mip_heuristic_effort=0.2"), "{md}");
    assert_bad_input(
        &mipnet(&[
            "bench",
            "--quick",
            "--lns-share",
            "2",
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ]),
        &["lns_share", "got 2"],
    );
    assert!(!dir.path().join("x").exists());
    assert_bad_input(
        &mipnet(&[
            "bench",
            "--quick",
            "--option",
            "random_seed=3",
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ]),
        &["'random_seed' is set by solver.seed (--seed)"],
    );
    assert!(!dir.path().join("x").exists());
    // MNIST's files missing: refused, naming the file, nothing written.
    let empty = dir.path().join("no-data");
    std::fs::create_dir_all(&empty).unwrap();
    let none = dir.path().join("none");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_mipnet"))
        .args([
            "bench",
            "--suite",
            "mnist",
            "--quick",
            "-q",
            "--out",
            none.to_str().unwrap(),
        ])
        .env("MIPNET_DATA_DIR", &empty)
        .output()
        .unwrap();
    assert_bad_input(&o, &["train-images-idx3-ubyte.gz"]);
    assert!(!none.exists());
}

#[test]
fn lipschitz_cuts_keep_the_network_certified_and_report_the_root_bound() {
    let mut args = vec![
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "2",
        "--lipschitz-cuts",
        "--cut-seconds",
        "5",
        "--json",
    ];
    // QUICK's flags with a 10 s limit: the cut loop's root LPs get their
    // share of the run's time even on a loaded machine.
    args.extend_from_slice(&[
        "--epochs",
        "400",
        "--finetune-epochs",
        "300",
        "--time-limit",
        "10",
        "--threads",
        "1",
        "-q",
    ]);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["certificate"]["passed"], true);
    let cuts = &r["cuts"];
    let before = cuts["root_bound_before"].as_f64().unwrap();
    let after = cuts["root_bound_after"].as_f64().unwrap();
    // Adding rows can only raise a minimization LP's value.
    assert!(after >= before - 1e-9, "{before} → {after}");
    assert!(r["objective"].as_f64().unwrap() >= r["dual_bound"].as_f64().unwrap() - 1e-9);
    let o = mipnet(&["train", "--dataset", "iris", "--lipschitz-cuts", "--l1", "0", "-q"]);
    assert_bad_input(&o, &["lipschitz_cuts", "l1 > 0"]);
}

#[test]
fn mnist_trains_on_a_balanced_subset_and_tests_on_all_10000_images() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    let mut args = vec![
        "train",
        "--dataset",
        "mnist",
        "--image-pool",
        "4",
        "--train-per-class",
        "2",
        "--hidden",
        "2",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["n_train"], 20);
    assert_eq!(r["n_test"], 10000);
    assert_eq!(r["certificate"]["passed"], true);
    let net: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("network.json")).unwrap()).unwrap();
    assert_eq!(net["feature_names"].as_array().unwrap().len(), 49);
    assert_eq!(net["feature_names"][8], "px_1_1");

    let o = mipnet(&[
        "train",
        "--dataset",
        "mnist",
        "--image-pool",
        "3",
        "--train-per-class",
        "2",
    ]);
    assert_bad_input(&o, &["pooling 3×3 does not divide the 28×28 images"]);
    let o = mipnet(&["train", "--dataset", "iris", "--image-pool", "2"]);
    assert_bad_input(&o, &["--image-pool applies to --dataset mnist only"]);
    // All 60,000 images with a wide layer: refused before anything is built.
    let o = mipnet(&["train", "--dataset", "mnist", "--hidden", "512", "--time-limit", "1"]);
    assert_bad_input(
        &o,
        &[
            "the training MILP would not fit in memory",
            "GiB available",
            "--train-per-class",
            "or --no-mip",
        ],
    );
    // Without the MIP the model alone is estimated (still too large here).
    let o = mipnet(&["train", "--dataset", "mnist", "--hidden", "512", "--no-mip"]);
    assert_bad_input(&o, &["would not fit in memory"]);
    assert!(!stderr(&o).contains("or --no-mip"), "{}", stderr(&o));
}

#[test]
fn a_convolutional_network_trains_shows_predicts_exports_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cnn");
    let mut args = vec![
        "train",
        "--dataset",
        "digits",
        "--train-per-class",
        "4",
        "--arch",
        "conv 2x3x3 > maxpool 2 > dense 10",
        "--grid-levels",
        "2",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["certificate"]["passed"], true);
    assert_eq!(r["n_train"], 40);
    // 2 filters of 3×3 and 2 biases, then 10 × (2·3·3 pooled) weights and 10 biases.
    assert_eq!(r["params_total"], 18 + 2 + 180 + 10);
    assert_eq!(r["settings"]["formulation"]["conv"]["channels"], 2);
    let net = out.join("network.json");
    let net = net.to_str().unwrap();
    let shown = mipnet(&["show", net]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("Convolution layer 1") && text.contains("maxpool 2") && text.contains("  filter "),
        "{text}"
    );

    // The held-out split predicts the same from network.json and its ONNX export.
    let test = out.join("test.csv");
    let test = test.to_str().unwrap();
    let onnx = dir.path().join("cnn.onnx");
    let onnx = onnx.to_str().unwrap();
    let e = mipnet(&["export", "--model", net, "--out", onnx]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    assert!(
        stderr(&e).contains("Conv") && stderr(&e).contains("--float32"),
        "{}",
        stderr(&e)
    );
    let p_json = mipnet(&["predict", "--model", net, "--data", test]);
    let p_onnx = mipnet(&["predict", "--model", onnx, "--data", test]);
    assert_eq!(p_json.status.code(), Some(0), "{}", stderr(&p_json));
    assert_eq!(p_json.stdout, p_onnx.stdout);

    // Robustness of a few test images, decided with the max-pool encoding.
    let v = mipnet(&[
        "verify", "--model", net, "--data", test, "--eps", "0.5", "--limit", "3", "--json",
    ]);
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    let v: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(v["summary"]["inputs"], 3, "{v}");
    assert_eq!(v["summary"]["unknown"], 0, "{v}");

    // Architectures that cannot be used are refused by name.
    let o = mipnet(&["train", "--dataset", "digits", "--arch", "conv 2x3x3 > dense 3"]);
    assert_bad_input(&o, &["--arch", "3 neurons", "10 classes"]);
    let o = mipnet(&["train", "--dataset", "wine", "--arch", "conv 2x3x3 > dense 3"]);
    assert_bad_input(&o, &["invalid setting conv", "not a square image"]);
    let o = mipnet(&[
        "train",
        "--dataset",
        "digits",
        "--arch",
        "dense 8 > maxpool 2 > dense 10",
    ]);
    assert_bad_input(&o, &["--arch", "must directly follow the convolution"]);
    let o = mipnet(&[
        "train",
        "--dataset",
        "digits",
        "--arch",
        "dense 8 > dense 10",
        "--hidden",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = mipnet(&[
        "train",
        "--dataset",
        "digits",
        "--arch",
        "conv 2x3x3 > dense 10",
        "--lipschitz-cuts",
    ]);
    assert_bad_input(&o, &["lipschitz_cuts", "convolutional"]);
}

#[test]
fn without_lower_bounds_the_bound_is_highs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    train_quick_iris_with(&out, &["--no-lower-bounds"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(report["lower_bounds"].as_array().unwrap().is_empty());
    assert_eq!(report["settings"]["stages"]["lower_bounds"], false);
    assert_eq!(report["dual_bound"], report["mip_dual_bound"]);
}
