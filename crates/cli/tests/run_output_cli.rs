//! A finished run is never lost or half-written: `train --out` and `bench
//! --out` are checked before any work, written beside their place and moved
//! in whole, never replace a run without `--force`, and an interrupted run
//! (Ctrl-C) writes what it has and exits with its own code. A config file
//! can set the data and the output directory too.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{assert_bad_input, mipnet, stderr, QUICK};

/// The exit code of an interrupted run (see `mipnet --help`).
const INTERRUPTED: i32 = 5;

/// The example config shipped in examples/.
fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/train.toml")
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A quick Iris training run into `out` with extra flags.
fn train_iris(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "3",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    args.extend_from_slice(extra);
    mipnet(&args)
}

#[test]
fn an_unwritable_out_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let under_file = file.join("run");
    // /sys refuses new directories even to root.
    let cases: Vec<(PathBuf, Vec<String>)> = vec![
        (
            under_file.clone(),
            vec![under_file.display().to_string(), "Not a directory".into()],
        ),
        (
            file.clone(),
            vec![file.display().to_string(), "exists and is not a directory".into()],
        ),
        (
            PathBuf::from("/sys/mipnet-run"),
            vec!["/sys/mipnet-run".into(), "cannot write in /sys".into()],
        ),
    ];
    for (out, fragments) in &cases {
        let fragments: Vec<&str> = fragments.iter().map(String::as_str).collect();
        // A long time limit: refused at once, not after training.
        let clock = Instant::now();
        let o = mipnet(&[
            "train",
            "--dataset",
            "iris",
            "--time-limit",
            "600",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_bad_input(&o, &fragments);
        let o = mipnet(&["bench", "--quick", "-q", "--out", out.to_str().unwrap()]);
        assert_bad_input(&o, &fragments);
        assert!(
            clock.elapsed() < Duration::from_secs(20),
            "{out:?}: not refused up front"
        );
    }
    assert_eq!(names_in(dir.path()), ["a-file"]);
}

#[test]
fn an_existing_run_is_refused_without_force_and_replaced_whole_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = train_iris(&out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Written beside its place and moved in: no staging directory left.
    assert_eq!(names_in(dir.path()), ["run"]);
    assert_eq!(names_in(&out), ["network.json", "report.json", "test.csv"]);
    let before = std::fs::read(out.join("report.json")).unwrap();

    // Refused up front (a long time limit would show), the run untouched.
    let clock = Instant::now();
    let o = mipnet(&[
        "train",
        "--dataset",
        "iris",
        "--time-limit",
        "600",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_bad_input(&o, &[out.to_str().unwrap(), "already holds a run", "--force"]);
    assert!(clock.elapsed() < Duration::from_secs(20));
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), before);
    assert_eq!(names_in(dir.path()), ["run"]);

    // --force replaces it whole: the new run's settings, nothing else left.
    let o = train_iris(&out, &["--force", "--gradient-seed", "7"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["settings"]["gradient"]["seed"], 7);
    assert_eq!(names_in(dir.path()), ["run"]);
    assert_eq!(names_in(&out), ["network.json", "report.json", "test.csv"]);

    // A directory holding anything else is never replaced, even with --force.
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep").unwrap();
    let o = train_iris(&mine, &["--force"]);
    assert_bad_input(&o, &["notes.txt", "never replaced, even with --force"]);
    assert_eq!(names_in(&mine), ["notes.txt"]);
}

#[test]
fn a_run_that_fails_after_the_check_leaves_nothing_not_even_new_parents() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/parents/run");
    // Refused on memory once the data is known: after the --out check.
    let o = mipnet(&[
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "100000",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
}

#[test]
fn bench_refuses_to_replace_its_output_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(
        out.join("bench.json"),
        r#"{"mipnet_version":"0.1.0","suite":{},"summaries":[],"reports":[]}"#,
    )
    .unwrap();
    std::fs::write(out.join("bench.md"), "old").unwrap();
    let o = mipnet(&["bench", "--quick", "-q", "--out", out.to_str().unwrap()]);
    assert_bad_input(
        &o,
        &[
            out.to_str().unwrap(),
            "already holds a run (bench.json, bench.md)",
            "--force",
        ],
    );
    let o = mipnet(&[
        "bench",
        "--quick",
        "--time-limit",
        "1",
        "--case",
        "iris",
        "-q",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(out.join("bench.md"))
        .unwrap()
        .contains("| iris |"));
    assert_eq!(names_in(dir.path()), ["b"]);
}

#[test]
fn an_unknown_suite_names_the_known_ones_once() {
    let o = mipnet(&["bench", "--suite", "foo"]);
    assert_bad_input(&o, &["unknown suite 'foo'", "dense, mnist"]);
    assert_eq!(stderr(&o).matches("dense").count(), 1, "{}", stderr(&o));
}

/// Spawns mipnet with `args`, waits until its stderr shows `cue`, sends
/// SIGINT (as Ctrl-C does), and returns its exit code and whole stderr.
fn interrupt_after(args: &[&str], cue: &str) -> (Option<i32>, String) {
    signal_after(args, cue, "-INT")
}

/// [`interrupt_after`] with another signal (`kill`'s option, e.g. `-TERM`).
fn signal_after(args: &[&str], cue: &str, signal: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mipnet"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mipnet runs");
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all += &line;
            all.push('\n');
        }
        all
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(cue) => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("no '{cue}' on stderr: {}", reader.join().unwrap());
            }
        }
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let clock = Instant::now();
    let status = child.wait().unwrap();
    // The run ends soon after, long before its time limit.
    assert!(
        clock.elapsed() < Duration::from_secs(60),
        "not stopped by the interrupt"
    );
    (status.code(), reader.join().unwrap())
}

#[test]
fn an_interrupted_training_run_writes_its_best_network_and_exits_5() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (code, err) = interrupt_after(
        &[
            "train",
            "--dataset",
            "iris",
            "--hidden",
            "4",
            "--time-limit",
            "600",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        "gradient start 2",
    );
    assert_eq!(code, Some(INTERRUPTED), "{err}");
    assert!(
        err.contains("mipnet: interrupted: the best certified network so far was written to"),
        "{err}"
    );
    assert_eq!(names_in(&out), ["network.json", "report.json", "test.csv"]);
    assert_eq!(names_in(dir.path()), ["run"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["status"], "interrupted");
    assert_eq!(report["certificate"]["passed"], true);
    let o = mipnet(&["show", out.join("network.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_terminated_training_run_writes_its_best_network_and_exits_5() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (code, err) = signal_after(
        &[
            "train",
            "--dataset",
            "iris",
            "--hidden",
            "4",
            "--time-limit",
            "600",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        "gradient start 2",
        "-TERM",
    );
    assert_eq!(code, Some(INTERRUPTED), "{err}");
    assert!(
        err.contains("mipnet: interrupted: the best certified network so far was written to"),
        "{err}"
    );
    assert_eq!(names_in(&out), ["network.json", "report.json", "test.csv"]);
    // The help says which signals end a run this way.
    let help = mipnet(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("5  `train`, `bench`, `select`: interrupted (Ctrl-C, or a SIGTERM or SIGHUP"),
        "{text}"
    );
}

#[test]
fn an_interrupted_bench_writes_its_table_and_exits_5() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let (code, err) = interrupt_after(
        &[
            "bench",
            "--quick",
            "--case",
            "iris",
            "--time-limit",
            "600",
            "--out",
            out.to_str().unwrap(),
        ],
        "gradient start 2",
    );
    assert_eq!(code, Some(INTERRUPTED), "{err}");
    assert!(
        err.contains("mipnet: interrupted: the table holds the runs that finished"),
        "{err}"
    );
    assert_eq!(names_in(&out), ["bench.json", "bench.md"]);
}

#[test]
fn the_example_config_trains() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let config = example_config();
    let o = mipnet(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--time-limit",
        "2",
        "--epochs",
        "400",
        "--finetune-epochs",
        "300",
        "--threads",
        "1",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["dataset"], "iris");
    assert_eq!(report["n_train"], 112);
    assert_eq!(report["certificate"]["passed"], true);
    assert_eq!(report["settings"]["formulation"]["hidden"][0], 8);
}

#[test]
fn a_config_sets_the_data_and_the_output_directory_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("points.csv");
    let mut csv = String::from("a,b,kind\n");
    for i in 0..40 {
        let (x, y) = (i as f64 / 10.0, (i % 7) as f64);
        csv += &format!("{x},{y},{}\n", if x + 0.1 * y > 2.3 { "high" } else { "low" });
    }
    std::fs::write(&data, csv).unwrap();
    let from_config = dir.path().join("from-config");
    let config = dir.path().join("run.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\nfile = {:?}\nlabel = \"kind\"\ntest_fraction = 0.5\nsplit_seed = 2\n\
             [output]\ndir = {:?}\n[formulation]\nhidden = [2]\n[gradient]\nepochs = 300\n\
             [solver]\ntime_limit = 1\nthreads = 1\n[stages]\nfinetune_epochs = 100\n",
            data.to_str().unwrap(),
            from_config.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = mipnet(&["train", "--config", config.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(from_config.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["n_test"], 20, "test_fraction 0.5 of 40");
    assert!(report["dataset"].as_str().unwrap().ends_with("points.csv"));
    // Flags override the file: another dataset, split and directory.
    let from_flags = dir.path().join("from-flags");
    let o = mipnet(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--dataset",
        "iris",
        "--test-fraction",
        "0.2",
        "--out",
        from_flags.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(from_flags.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["dataset"], "iris");
    assert_eq!(report["n_test"], 30);
}

#[test]
fn an_unknown_or_contradictory_config_key_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    for (text, fragments) in [
        (
            "[data]\ndataset = \"iris\"\nlabell = \"y\"\n",
            vec!["bad.toml", "unknown field `labell`"],
        ),
        ("[output]\nout = \"x\"\n", vec!["bad.toml", "unknown field `out`"]),
        ("[sovler]\ntime_limit = 1\n", vec!["bad.toml", "unknown field `sovler`"]),
        (
            "[data]\ndataset = \"iris\"\nfile = \"x.csv\"\n",
            vec!["bad.toml", "gives both dataset and file"],
        ),
        ("[data]\nfile = \"x.csv\"\n", vec!["bad.toml", "needs a label column"]),
    ] {
        let config = dir.path().join("bad.toml");
        std::fs::write(&config, text).unwrap();
        let o = mipnet(&[
            "train",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_bad_input(&o, &fragments);
        assert!(!out.exists());
    }
}

/// `train` and `bench` with `--out out` and a long time limit: a refusal
/// must come before any work.
fn train_and_bench_into(out: &str, extra: &[&str]) -> [std::process::Output; 2] {
    let mut train = vec!["train", "--dataset", "iris", "--time-limit", "600", "-q", "--out", out];
    train.extend_from_slice(extra);
    let mut bench = vec!["bench", "--quick", "-q", "--out", out];
    bench.extend_from_slice(extra);
    [mipnet(&train), mipnet(&bench)]
}

#[test]
fn a_mount_point_is_refused_up_front_suggesting_a_subdirectory() {
    // Renaming onto a mount point fails (EBUSY): the run would be lost.
    let clock = Instant::now();
    for o in train_and_bench_into("/proc", &["--force"]) {
        assert_bad_input(&o, &["--out /proc: is a mount point", "subdirectory", "/proc/run"]);
    }
    assert!(clock.elapsed() < Duration::from_secs(20), "not refused up front");
}

#[test]
fn a_symbolic_link_out_is_refused_up_front_even_with_a_trailing_slash() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let named = format!("{}: is a symbolic link", link.display());
    for given in [link.display().to_string(), format!("{}/", link.display())] {
        for o in train_and_bench_into(&given, &[]) {
            assert_bad_input(&o, &[&named]);
        }
    }
    assert_eq!(names_in(dir.path()), ["link", "real"]);
    assert_eq!(names_in(&real), Vec::<String>::new());
}

#[test]
fn a_trailing_slash_out_and_an_existing_empty_directory_get_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    std::fs::create_dir(&out).unwrap();
    let given = format!("{}/", out.display());
    let o = train_iris(Path::new(&given), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names_in(dir.path()), ["run"]);
    assert_eq!(names_in(&out), ["network.json", "report.json", "test.csv"]);
}

#[test]
fn a_directory_that_only_looks_like_a_run_is_never_replaced_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine");
    // A user's test.csv alone, then a report.json that is not mipnet's.
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("test.csv", "a,label\n1,x\n")], "no file network.json"),
        (
            &[
                ("network.json", "{}"),
                ("report.json", "{\"accuracy\": 1}"),
                ("test.csv", "a\n"),
            ],
            "report.json is not mipnet's: it has no 'mipnet_version'",
        ),
        (
            &[("network.json", "{}"), ("report.json", "my notes")],
            "report.json is not mipnet's: not JSON",
        ),
    ];
    for (files, cause) in cases {
        std::fs::create_dir(&out).unwrap();
        for (name, text) in files {
            std::fs::write(out.join(name), text).unwrap();
        }
        let o = train_and_bench_into(out.to_str().unwrap(), &["--force"]);
        assert_bad_input(
            &o[0],
            &[out.to_str().unwrap(), "is not a mipnet run", cause, "never replaced"],
        );
        for (name, text) in files {
            assert_eq!(&std::fs::read_to_string(out.join(name)).unwrap(), text);
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
    // A bench directory: bench.json must be mipnet's.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("bench.json"), "{}").unwrap();
    std::fs::write(out.join("bench.md"), "mine").unwrap();
    let o = train_and_bench_into(out.to_str().unwrap(), &["--force"]);
    assert_bad_input(
        &o[1],
        &[
            "is not a mipnet run",
            "bench.json is not mipnet's: it has no 'mipnet_version'",
        ],
    );
    assert_eq!(names_in(&out), ["bench.json", "bench.md"]);
}

#[test]
fn a_data_flag_replaces_every_data_source_key_of_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let points = |n: usize, label: &str| {
        let mut csv = format!("id,a,b,{label}\n");
        for i in 0..n {
            let (x, y) = (i as f64 / 10.0, (i % 7) as f64);
            csv += &format!("{i},{x},{y},{}\n", if x + 0.1 * y > 2.3 { "high" } else { "low" });
        }
        csv
    };
    let file = dir.path().join("points.csv");
    std::fs::write(&file, points(40, "kind")).unwrap();
    let test_file = dir.path().join("points-test.csv");
    std::fs::write(&test_file, points(10, "kind")).unwrap();
    // Other columns: no `id` to drop, the label named `class`.
    let other = dir.path().join("other.csv");
    let other_text: String = points(48, "class")
        .lines()
        .map(|l| l.split_once(',').unwrap().1.to_string() + "\n")
        .collect();
    std::fs::write(&other, other_text).unwrap();
    let config = dir.path().join("run.toml");
    std::fs::write(
        &config,
        format!(
            "[data]\nfile = {:?}\nlabel = \"kind\"\ndrop = [\"id\"]\nmissing = \"drop\"\ntest_file = {:?}\n\
             [formulation]\nhidden = [2]\n[gradient]\nepochs = 300\n\
             [solver]\ntime_limit = 1\nthreads = 1\n[stages]\nfinetune_epochs = 100\n",
            file.to_str().unwrap(),
            test_file.to_str().unwrap()
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["train", "--config", config.to_str().unwrap(), "--json", "-q"];
        args.extend_from_slice(extra);
        mipnet(&args)
    };
    // The file's own data: its test file is the test set.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["n_test"], 10);
    // A bundled dataset: the file's drop, missing and test file do not apply
    // (they were refused naming flags never given).
    let o = run(&["--dataset", "iris"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (report["dataset"].as_str(), report["n_test"].as_u64()),
        (Some("iris"), Some(38))
    );
    // Another CSV: split from itself, not tested on the file's test file.
    let o = run(&["--data", other.to_str().unwrap(), "--label", "class"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["n_test"], 12, "25 % of other.csv's 48 rows");
    // Nor does the file's label serve another file.
    let o = run(&["--data", other.to_str().unwrap()]);
    assert_bad_input(&o, &["--data", "other.csv", "needs --label COLUMN"]);
    // A config naming no data source gives its label to any --data.
    std::fs::write(
        &config,
        "[data]\nlabel = \"class\"\n[formulation]\nhidden = [2]\n[gradient]\nepochs = 300\n\
         [solver]\ntime_limit = 1\nthreads = 1\n[stages]\nfinetune_epochs = 100\n",
    )
    .unwrap();
    let o = run(&["--data", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["n_test"], 12);
}

#[test]
fn data_without_label_is_refused_naming_both() {
    let o = mipnet(&["train", "--data", "x.csv", "-q"]);
    assert_bad_input(
        &o,
        &["--data x.csv needs --label COLUMN (the column holding the classes)"],
    );
}
