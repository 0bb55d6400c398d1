//! Helpers shared by the CLI tests: run the binary, read its stderr, and
//! assert the bad-input contract (exit code 2, one line naming the cause).

use std::process::{Command, Output};

pub fn mipnet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mipnet"))
        .args(args)
        .output()
        .expect("mipnet runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit code 2, nothing on stdout, and a one-line error containing
/// every fragment.
#[allow(dead_code)] // not every test binary checks bad input
pub fn assert_bad_input(o: &Output, fragments: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("mipnet: error: "), "{err}");
    for f in fragments {
        assert!(err.contains(f), "{err:?} lacks {f:?}");
    }
    assert!(o.stdout.is_empty(), "stdout not empty on error");
}

/// Asserts a usage error as clap words it: exit code 2, nothing on stdout,
/// an error starting with `mipnet: error: ` and containing every fragment
/// (clap's whole message: missing arguments, "did you mean", usage).
#[allow(dead_code)] // not every test binary checks usage errors
pub fn assert_usage_error(o: &Output, fragments: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.starts_with("mipnet: error: "), "{err}");
    for f in fragments {
        assert!(err.contains(f), "{err:?} lacks {f:?}");
    }
    assert!(o.stdout.is_empty(), "stdout not empty on error");
}

/// Flags of a quick training run: short gradient phases, a 2 s MIP.
#[allow(dead_code)] // not every test binary trains
pub const QUICK: &[&str] = &[
    "--epochs",
    "400",
    "--finetune-epochs",
    "300",
    "--time-limit",
    "2",
    "--threads",
    "1",
    "-q",
];

/// A quick Iris 4→4→3 training run into `out`; asserts it succeeded.
#[allow(dead_code)] // not every test binary trains
pub fn train_quick_iris(out: &std::path::Path) -> Output {
    train_quick_iris_with(out, &[])
}

/// [`train_quick_iris`] with `extra` flags.
#[allow(dead_code)] // not every test binary trains
pub fn train_quick_iris_with(out: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "4",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(QUICK);
    let o = mipnet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}
