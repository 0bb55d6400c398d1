//! Usage errors keep clap's whole message (issue 14, item 8): the missing
//! arguments by name, "did you mean" for typos, and exit code 2.

mod common;
use common::{assert_usage_error, mipnet};

#[test]
fn a_missing_required_argument_is_named() {
    let o = mipnet(&["predict", "--data", "x.csv"]);
    assert_usage_error(&o, &["the following required arguments were not provided", "--model"]);
}

#[test]
fn a_misspelled_subcommand_gets_a_suggestion() {
    let o = mipnet(&["trian"]);
    assert_usage_error(&o, &["unrecognized subcommand 'trian'", "similar subcommand", "train"]);
}

#[test]
fn a_misspelled_flag_gets_a_suggestion() {
    let o = mipnet(&["train", "--dataset", "iris", "--hiden", "4"]);
    assert_usage_error(&o, &["unexpected argument '--hiden'", "similar argument", "--hidden"]);
}

#[test]
fn every_solving_command_checks_the_solver_flags_alike() {
    let onnx = "examples/acasxu-like/net.onnx";
    let prop = "examples/acasxu-like/prop_1.vnnlib";
    let runs: [&[&str]; 3] = [
        &["solve", "examples/knapsack.mps"],
        &["verify", "--model", onnx, "--property", prop],
        &["bounds", "--model", onnx, "--box", "no-such-box.csv"],
    ];
    for base in runs {
        for (flag, value, fragment) in [
            ("--threads", "0", "expected a whole number of threads, at least 1"),
            ("--seed", "x", "--seed"),
        ] {
            let mut args = base.to_vec();
            args.extend([flag, value]);
            assert_usage_error(&mipnet(&args), &[flag, fragment]);
        }
    }
}
