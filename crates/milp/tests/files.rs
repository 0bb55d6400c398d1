//! The strict MPS and LP readers on their own: what each refuses (with the
//! line and the cause), what accepted files mean, and that no input makes
//! them panic.

use mipnet_milp::files::{check_lp, check_mps, compare, FileError};
use mipnet_milp::{Col, Row, Sense};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SMALL_MPS: &str = "\
NAME small
ROWS
 N obj
 L c1
 G c2
 E c3
COLUMNS
 x obj 1 c1 2
 x c2 1
 y obj -1 c1 1
 y c3 1
RHS
 RHS c1 10 c2 1
 RHS c3 4 obj 2.5
BOUNDS
 UP BND x 4
ENDATA
";

fn refused_mps(text: &str) -> String {
    check_mps(text).expect_err("refused").to_string()
}

fn refused_lp(text: &str) -> String {
    check_lp(text).expect_err("refused").to_string()
}

#[test]
fn a_small_mps_file_reads_as_written() {
    let m = check_mps(SMALL_MPS).unwrap();
    assert_eq!((m.num_cols(), m.num_rows(), m.num_nonzeros()), (2, 3, 4));
    assert_eq!(m.col_cost(), &[1.0, -1.0]);
    assert_eq!(m.offset(), -2.5, "an RHS on the objective row is minus its constant");
    assert_eq!(m.col_upper()[0], 4.0);
    assert_eq!(m.row_upper()[0], 10.0);
    assert_eq!(m.row_lower()[0], f64::NEG_INFINITY);
    assert_eq!((m.row_lower()[2], m.row_upper()[2]), (4.0, 4.0));
    assert_eq!(m.row_name(Row::from_index(1)), "c2");
    assert_eq!(m.col_name(Col::from_index(1)), "y");
}

#[test]
fn ranges_infinite_bounds_and_bound_types_mean_what_the_standard_says() {
    let text = SMALL_MPS
        .replace("BOUNDS\n", "RANGES\n RNG c1 4 c3 -2\nBOUNDS\n MI BND y\n")
        .replace(" UP BND x 4", " UP BND x 1e30");
    let m = check_mps(&text).unwrap();
    assert_eq!((m.row_lower()[0], m.row_upper()[0]), (6.0, 10.0));
    assert_eq!((m.row_lower()[2], m.row_upper()[2]), (2.0, 4.0));
    assert_eq!(m.col_upper()[0], f64::INFINITY, "1e30 is infinite for solvers");
    assert_eq!(m.col_lower()[1], f64::NEG_INFINITY);
    let m = check_mps(&SMALL_MPS.replace(" UP BND x 4", " BV BND x\n FR BND y")).unwrap();
    assert_eq!(m.num_binary(), 1);
    assert_eq!((m.col_lower()[1], m.col_upper()[1]), (f64::NEG_INFINITY, f64::INFINITY));
}

#[test]
fn malformed_or_ambiguous_mps_files_are_refused_with_line_and_cause() {
    let cases: &[(&str, &str, &str)] = &[
        (
            " x c2 1\n",
            " x c2 abc\n",
            "line 9: coefficient of column 'x' in row 'c2': 'abc' is not a number",
        ),
        (
            " x c2 1\n",
            " x c2 nan\n",
            "line 9: coefficient of column 'x' in row 'c2': 'nan' is not a number (NaN)",
        ),
        (
            " x c2 1\n",
            " x c2 inf\n",
            "line 9: coefficient of column 'x' in row 'c2' is infinite",
        ),
        (
            " x c2 1\n",
            " x c2 1e999\n",
            "'1e999' is beyond the range of a 64-bit float",
        ),
        (
            " x c2 1\n",
            " x c2 1e-12\n",
            "line 9: column 'x' in row 'c2': coefficient 1e-12 is below 1e-9",
        ),
        (
            " x c2 1\n",
            " x c9 1\n",
            "line 9: unknown row 'c9' in COLUMNS (not declared in ROWS)",
        ),
        (
            " x c2 1\n",
            " x c1 1\n",
            "line 9: column 'x' has a second entry in row 'c1' (first on line 8)",
        ),
        (
            " y c3 1\n",
            " y c3 1\n x c3 1\n",
            "line 12: column 'x' continues after another column",
        ),
        ("ROWS\n", "ROWZ\n", "line 2: unknown section 'ROWZ'"),
        ("BOUNDS\n", "QUADOBJ\n", "line 15: section QUADOBJ is not supported"),
        (
            " G c2\n",
            " G c1\n",
            "line 5: row 'c1' declared twice (first on line 4)",
        ),
        (" G c2\n", " Q c2\n", "line 5: unknown row type 'Q' of row 'c2'"),
        (
            " G c2\n",
            " G c 2\n",
            "line 5: a ROWS line is a type (N, E, L, G) and a name, found 3 words",
        ),
        (
            " RHS c3 4 obj 2.5\n",
            " RHS c3 4 c3 5\n",
            "line 14: a second RHS of row 'c3' (first on line 14)",
        ),
        (
            " RHS c3 4 obj 2.5\n",
            " RHS2 c3 4\n",
            "line 14: a second RHS set 'RHS2' (the first is 'RHS'",
        ),
        (
            " UP BND x 4\n",
            " UP BND z 4\n",
            "line 16: unknown column 'z' in BOUNDS",
        ),
        (" UP BND x 4\n", " XX BND x 4\n", "line 16: unknown bound type 'XX'"),
        (
            " UP BND x 4\n",
            " SC BND x 4\n",
            "line 16: bound type SC (semi-continuous) is not supported",
        ),
        (
            " UP BND x 4\n",
            " UP BND x 4\n UP BND x 5\n",
            "line 17: a second upper bound of column 'x' (first on line 16)",
        ),
        (
            " UP BND x 4\n",
            " UP BND x -4\n",
            "line 16: negative upper bound -4 of column 'x' without a lower bound",
        ),
        (
            " UP BND x 4\n",
            " LO BND x inf\n",
            "line 16: LO bound +infinity as the lower bound of column 'x'",
        ),
        (
            " UP BND x 4\n",
            " UP BND x\n",
            "line 16: a UP bound is the type, a bound set name, a column and a value; found 3 words",
        ),
        ("ENDATA\n", "", "the file ends without ENDATA"),
        ("ENDATA\n", "ENDATA\n x obj 1\n", "line 18: text after ENDATA"),
        (
            " y obj -1 c1 1\n y c3 1\n",
            " M1 'MARKER' 'INTORG'\n y obj -1 c1 1\n y c3 1\n M2 'MARKER' 'INTEND'\n",
            "line 11: integer column 'y' has no bounds: readers differ on its default",
        ),
        (
            "COLUMNS\n",
            "COLUMNS\n M1 'MARKER' 'INTORG'\n z obj 1\n",
            "the integer block opened on line 8 has no 'INTEND'",
        ),
        (
            "NAME small\n",
            "NAME small\n\u{b}\n",
            "line 2: control character U+000B",
        ),
        (
            "RHS\n",
            "BOUNDS\n UP BND x 4\nRHS\n",
            "section RHS out of order or repeated",
        ),
    ];
    for (from, to, message) in cases {
        assert!(SMALL_MPS.contains(from), "{from:?}");
        let e = refused_mps(&SMALL_MPS.replacen(from, to, 1));
        assert!(e.contains(message), "{from:?} -> {to:?}: {e}");
    }
}

const SMALL_LP: &str = "\
\\ a small model
maximize
 obj: 3 x + 2 y - z + 1.5
subject to
 c1: x + y + z <= 4
 c2: x - y >= -2
 -x + 2 z = 1
bounds
 x <= 3
 -1 <= z <= 5
general
 y
end
";

#[test]
fn a_small_lp_file_reads_as_written() {
    let m = check_lp(SMALL_LP).unwrap();
    assert_eq!(m.sense(), Sense::Maximize);
    assert_eq!((m.num_cols(), m.num_rows(), m.num_nonzeros()), (3, 3, 7));
    assert_eq!(m.col_cost(), &[3.0, 2.0, -1.0]);
    assert_eq!(m.offset(), 1.5);
    assert_eq!((m.col_lower()[2], m.col_upper()[2]), (-1.0, 5.0));
    assert_eq!(m.num_integral(), 1);
    assert_eq!((m.row_lower()[2], m.row_upper()[2]), (1.0, 1.0));
    assert_eq!(m.row_name(Row::from_index(2)), "", "an unnamed constraint has no name");
}

#[test]
fn lp_files_read_leniently_elsewhere_are_refused_with_line_and_cause() {
    let cases: &[(&str, &str, &str)] = &[
        (
            " c1: x + y + z <= 4",
            " c1: x + y + z + 2 <= 4",
            "line 5: a constant (2) on the left-hand side",
        ),
        (
            " x <= 3",
            " w <= 3",
            "line 9: variable 'w' in the bounds appears in no objective or constraint",
        ),
        (
            " y\n",
            " q\n",
            "line 12: variable 'q' in the integer sections appears in no objective or constraint",
        ),
        (
            " x <= 3",
            " x <= 3\n x <= 2",
            "line 10: a second upper bound of 'x' (first on line 9)",
        ),
        (
            " x <= 3",
            " x <= -3",
            "line 9: negative upper bound -3 of 'x' without a lower bound",
        ),
        (
            " c2: x - y >= -2",
            " c1: x - y >= -2",
            "line 6: constraint 'c1' defined twice",
        ),
        (
            " c2: x - y >= -2",
            " c2: x - y >= inf",
            "line 6: the right-hand side of a constraint must be finite",
        ),
        (
            " c2: x - y >= -2",
            " c2: x - y >= 1e999",
            "line 6: '1e999' is beyond the range",
        ),
        (
            " c2: x - y >= -2",
            " c2: x - 1e-12 y >= -2",
            "line 6: 'y': coefficient -1e-12 is below 1e-9",
        ),
        (
            "general\n y\n",
            "semi-continuous\n y\n",
            "line 11: semi-continuous variables are not supported",
        ),
        ("general\n y\n", "binary\n y\n", ""),
        (
            " obj: 3 x",
            " obj: 3 x + [ x ^ 2 ]",
            "line 3: quadratic terms are not supported",
        ),
        ("end\n", "", "line 13: the file ends without 'end'"),
        ("end\n", "end\nx\n", "line 14: text after 'end'"),
        (
            " -1 <= z <= 5",
            " -1 <= z <= 5 x",
            "line 10: expected a new line after the bound",
        ),
    ];
    for (from, to, message) in cases {
        assert!(SMALL_LP.contains(from), "{from:?}");
        let text = SMALL_LP.replacen(from, to, 1);
        if message.is_empty() {
            // Binary y with no bound of its own: 0..1.
            let m = check_lp(&text).unwrap();
            assert_eq!((m.col_lower()[1], m.col_upper()[1]), (0.0, 1.0));
            continue;
        }
        let e = refused_lp(&text);
        assert!(e.contains(message), "{from:?} -> {to:?}: {e}");
    }
    let e = refused_lp(
        &SMALL_LP
            .replacen("general\n y\n", "binary\n y\n", 1)
            .replacen(" x <= 3", " y <= 3", 1),
    );
    assert!(e.contains("binary variable 'y' has a bound outside [0, 1]"), "{e}");
    assert!(refused_lp("").contains("the file is empty"));
}

#[test]
fn compare_names_the_first_difference() {
    let a = check_lp(SMALL_LP).unwrap();
    let b = check_lp(&SMALL_LP.replace(" c2: x - y >= -2", " c2: x - 2 y >= -2")).unwrap();
    assert_eq!(compare(&a, &a), Ok(()));
    let e = compare(&a, &b).unwrap_err();
    assert!(matches!(e, FileError::Differs(_)));
    assert!(
        e.to_string()
            .contains("coefficient of column 'y' in row 'c2': the file says -1, the solver read -2"),
        "{e}"
    );
    let c = check_lp(&SMALL_LP.replace("maximize", "minimize")).unwrap();
    assert!(compare(&a, &c).unwrap_err().to_string().contains("objective sense"));
}

/// Random bytes, random words of the formats, and random cuts of valid
/// files: the readers answer (accept or refuse) and never panic.
#[test]
fn no_input_makes_the_readers_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let words = [
        "NAME",
        "ROWS",
        "COLUMNS",
        "RHS",
        "RANGES",
        "BOUNDS",
        "ENDATA",
        "OBJSENSE",
        "MAX",
        " N",
        " L",
        " E",
        " G",
        " UP",
        " MI",
        " BV",
        "'MARKER'",
        "'INTORG'",
        "'INTEND'",
        "x",
        "c1",
        "obj",
        "1",
        "-2.5",
        "1e30",
        "inf",
        "minimize",
        "st",
        "bounds",
        "general",
        "binary",
        "end",
        "+",
        "-",
        "<=",
        ">=",
        "=",
        ":",
        "*",
        "^",
        "[",
        "]",
        "\\",
        "free",
        "semi-continuous",
        "->",
        "é",
        "\u{0}",
        "\r",
        "\t",
    ];
    for n in 0..4000 {
        let text = match n % 3 {
            0 => (0..rng.gen_range(0..200))
                .map(|_| rng.gen_range(0u8..128) as char)
                .collect::<String>(),
            1 => (0..rng.gen_range(0..60))
                .map(|_| {
                    let w = words[rng.gen_range(0..words.len())];
                    if rng.gen_bool(0.2) {
                        format!("\n{w}")
                    } else {
                        format!(" {w}")
                    }
                })
                .collect(),
            _ => {
                let base = if rng.gen_bool(0.5) { SMALL_MPS } else { SMALL_LP };
                let cut = rng.gen_range(0..base.len());
                base[..cut].to_string() + &base[rng.gen_range(cut..base.len())..]
            }
        };
        let _ = check_mps(&text);
        let _ = check_lp(&text);
    }
}
