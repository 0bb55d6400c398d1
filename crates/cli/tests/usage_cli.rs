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
