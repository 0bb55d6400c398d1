//! Every refusal names its cause and the line and column of the token.

use mipnet_vnnlib::{Property, VnnlibError, MAX_DISJUNCTS};

const DECLS: &str = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n";

/// The error message for `DECLS` followed by `body` (so `body` starts on line 3).
fn error(body: &str) -> String {
    Property::parse(&format!("{DECLS}{body}")).unwrap_err().to_string()
}

/// `body => message` pairs: each body (after `DECLS`) must fail with exactly that message.
macro_rules! check {
    ($($body:expr => $want:expr),* $(,)?) => {
        $(assert_eq!(error(&$body), $want, "for {:?}", $body);)*
    };
}

#[test]
fn messages_name_cause_and_position() {
    let unknown = "(VNN-LIB variables are X_i and Y_j, declared with declare-const)";
    let not_bool = "expected a boolean term (comparison, and, or)";
    // Variables and declarations.
    check! {
        "; c\n(assert (<= Z_1 1))" => format!("line 4, column 13: unknown variable Z_1 {unknown}"),
        "(declare-const Z_1 Real)" => format!("line 3, column 16: unknown variable Z_1 {unknown}"),
        "(declare-const x Real)" => format!("line 3, column 16: unknown variable x {unknown}"),
        "(declare-const X_01 Real)" => format!("line 3, column 16: unknown variable X_01 {unknown}"),
        "(assert (<= X_0\n    X_5))" => "line 4, column 5: X_5 is used but not declared",
        "(declare-const X_1 Int)" => "line 3, column 20: X_1 must be declared Real (no other sort is supported)",
        "(declare-const X_1)" => "line 3, column 1: declare-const expects a name and a sort",
        "\n  (declare-const X_0 Real)" => "line 4, column 18: X_0 is declared twice",
        "(declare-const Y_1 Real)\n(declare-const X_2 Real)" =>
            "line 4, column 16: X_2 is declared but X_1 is not (indices must run from 0 without gaps)",
    }
    // Operators and commands.
    check! {
        "\n\n\n\n(assert (<= (ite (<= X_0 0) 1 2) Y_0))" => "line 7, column 14: unsupported operator 'ite'",
        "(assert (not (<= X_0 0)))" => "line 3, column 10: unsupported operator 'not'",
        "(check-sat)\n(get-model)\n(set-logic QF_LRA)\n(push 1)" =>
            "line 6, column 2: unknown command 'push' (only declare-const and assert are supported)",
        "assert" => "line 3, column 1: expected a command in parentheses, got 'assert'",
        "(assert ())" => "line 3, column 9: empty list '()'",
        "(assert ((<= X_0 1)))" => "line 3, column 10: expected an operator, got a list",
    }
    // Arithmetic terms.
    check! {
        "(assert (<= X_0 abc))" => "line 3, column 17: expected a number, got 'abc'",
        "(assert (<= X_0 1.2.3))" => "line 3, column 17: expected a number, got '1.2.3'",
        "(assert (<= X_0 inf))" => "line 3, column 17: expected a number, got 'inf'",
        "(assert (<= X_0 1e999))" => "line 3, column 17: number '1e999' is out of range",
        "(assert (<= (* X_0 Y_0) 1))" =>
            "line 3, column 14: nonlinear term: product of two variable terms (one factor must be a constant)",
        "(assert (<= (and (<= X_0 1)) 1))" => "line 3, column 14: expected an arithmetic term, got boolean 'and'",
        "(assert (<= X_0))" => "line 3, column 10: '<=' needs at least two arguments",
        "(assert (<= (-) 1))" => "line 3, column 14: '-' needs at least one argument",
    }
    // Asserts that are not boolean.
    check! {
        "(assert (+ X_0 1))" => format!("line 3, column 10: {not_bool}, got arithmetic '+'"),
        "(assert X_0)" => format!("line 3, column 9: {not_bool}, got 'X_0'"),
        "(assert (or (<= X_0 1) 2))" => format!("line 3, column 24: {not_bool}, got '2'"),
        "(assert)" => "line 3, column 1: assert expects exactly one term",
    }
    // Parentheses.
    check! {
        "(assert (<= X_0 1)))" => "unbalanced parentheses: ')' at line 3, column 20 has no matching '('",
        "\n(assert (<= X_0 1)\n(assert (>= X_0 0))" => "unbalanced parentheses: '(' at line 4, column 1 is never closed",
        "(".repeat(1001) => "line 3, column 1001: nesting deeper than 1000 levels",
    }
}

#[test]
fn errors_carry_structured_positions() {
    let e = Property::parse("(declare-const X_0 Real)\n\n(assert (<= X_0 1)\n").unwrap_err();
    assert!(matches!(e, VnnlibError::Unclosed { line: 3, column: 1 }));
    let e = Property::parse("(assert (<= Y_0 1))\n(declare-const Y_0 Real)").unwrap_err();
    assert!(
        matches!(
            e,
            VnnlibError::At {
                line: 1,
                column: 13,
                ..
            }
        ),
        "declare before use: {e}"
    );
    // Parentheses and tokens inside comments do not count.
    assert!(Property::parse("; ((( Z_9\n(declare-const X_0 Real) ; )").is_ok());
}

#[test]
fn dnf_blow_up_is_refused() {
    // 17 two-way ors: 2^17 = 131072 > 100000; the 17th assert (line 19) overflows.
    let ors: String = (0..17)
        .map(|i| format!("(assert (or (<= Y_0 {i}) (>= Y_0 {i})))\n"))
        .collect();
    let msg = format!("the disjunctive normal form would exceed {MAX_DISJUNCTS} disjuncts (too many nested or's)");
    assert_eq!(error(&ors), format!("line 19, column 1: {msg}"));
    let nested = format!("(assert (and {}))", "(or (<= Y_0 0) (<= Y_0 1))".repeat(17));
    assert_eq!(error(&nested), format!("line 3, column 430: {msg}"));
    // An `or` of 11 conjunctions of 10^4 disjuncts each overflows at its 11th argument.
    let ten: String = (0..10).map(|k| format!("(<= Y_0 {k})")).collect();
    let part = format!("(and {})", format!("(or {ten}) ").repeat(4));
    let text = format!("(assert (or {}))", format!("{part} ").repeat(11));
    assert_eq!(
        error(&text),
        format!("line 3, column {}: {msg}", 13 + 10 * (part.len() + 1))
    );
    // 16 of them are fine.
    let ok: String = ors.lines().take(16).collect::<Vec<_>>().join("\n");
    assert_eq!(
        Property::parse(&format!("{DECLS}{ok}")).unwrap().disjuncts.len(),
        1 << 16
    );
}

#[test]
fn file_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.vnnlib");
    let e = Property::from_file(&missing).unwrap_err().to_string();
    assert!(e.starts_with(&format!("cannot read {}: ", missing.display())), "{e}");
    let bad = dir.path().join("bad.vnnlib");
    std::fs::write(&bad, "(declare-const X_0 Real)\n(assert (<= X_0 abc))").unwrap();
    let e = Property::from_file(&bad).unwrap_err();
    assert!(matches!(&e, VnnlibError::File { inner, .. } if matches!(**inner, VnnlibError::At { line: 2, .. })));
    assert_eq!(
        e.to_string(),
        format!("{}: line 2, column 17: expected a number, got 'abc'", bad.display())
    );
}

/// The message of a file error already holds its cause's text: the cause is
/// not also the error's `source`, or a printed error chain (anyhow's `{:#}`,
/// which the CLI uses) would show the text twice.
#[test]
fn file_errors_print_their_cause_once() {
    use std::error::Error;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.vnnlib");
    std::fs::write(&bad, "(declare-const X_0 Real)\n(assert (<= X_0 abc))").unwrap();
    let missing = dir.path().join("missing.vnnlib");
    for e in [
        Property::from_file(&bad).unwrap_err(),
        Property::from_file(&missing).unwrap_err(),
    ] {
        assert!(e.source().is_none(), "{e} has a source: {:?}", e.source());
    }
}
