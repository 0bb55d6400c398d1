//! Inputs found by `scripts/fuzz.sh` (target `vnnlib`), minimized, each with
//! the error it must now give.

use mipnet_vnnlib::Property;

const DECLS: &str = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n";

fn error(body: &str) -> String {
    Property::parse(&format!("{DECLS}{body}")).unwrap_err().to_string()
}

/// Finite numbers whose product or sum overflows f64 became an infinite
/// coefficient and a NaN or infinite right-hand side; `(* 1e308 10 X_0) <= 1`
/// was read as the box `X_0 <= 0` (1 / inf), a different property.
#[test]
fn arithmetic_that_overflows_f64_is_refused_where_it_happens() {
    let beyond = "beyond the largest finite number (±1.8e308)";
    for (body, want) in [
        (
            "(assert (<= (* 1e308 10 X_0) 1))",
            format!("line 3, column 13: the product is {beyond}"),
        ),
        (
            "(assert (<= (+ 1e308 1e308) Y_0))",
            format!("line 3, column 13: the sum is {beyond}"),
        ),
        (
            "(assert (<= Y_0 (- -1e308 1e308)))",
            format!("line 3, column 17: the difference is {beyond}"),
        ),
        (
            "(assert (<= (+ Y_0 1e308)\n  -1e308))",
            format!("line 4, column 3: the difference of the compared terms is {beyond}"),
        ),
    ] {
        assert_eq!(error(body), want, "for {body:?}");
    }
}

/// Every disjunct repeats the rows asserted beside an `or`: 12 two-way `or`s
/// and 1100 bounds on Y_0 (a 25 KB file) built 4096 × 1100 rows, about
/// 400 MB; 16 `or`s and 1000 bounds (22 KB) needed over 5 GB. Found with the
/// fuzz target's memory limit (2 GB), by a file built to reach it.
#[test]
fn a_dnf_with_too_many_rows_in_all_is_refused() {
    let ors = ["(or (<= X_0 1) (<= X_0 2))"; 12].join(" ");
    let bounds: String = (0..1100).map(|i| format!("\n(assert (<= Y_0 {i}))")).collect();
    let want = "the disjunctive normal form would hold more than 4194304 constraints \
                (every disjunct repeats the constraints asserted beside an or)";
    assert_eq!(
        error(&format!("(assert (and {ors})){bounds}")),
        format!("line 1016, column 1: {want}") // the assert that goes over
    );
}
