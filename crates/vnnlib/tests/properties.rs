//! Parsing of valid properties: boxes, constraint rows, DNF shape, `holds`.

use mipnet_vnnlib::{Disjunct, Linear, Property};

const INF: f64 = f64::INFINITY;

fn decls(inputs: usize, outputs: usize) -> String {
    let x = (0..inputs).map(|i| format!("(declare-const X_{i} Real)\n"));
    x.chain((0..outputs).map(|j| format!("(declare-const Y_{j} Real)\n")))
        .collect()
}

fn parse(inputs: usize, outputs: usize, body: &str) -> Property {
    Property::parse(&(decls(inputs, outputs) + body)).unwrap()
}

fn row(inputs: &[(usize, f64)], outputs: &[(usize, f64)], rhs: f64) -> Linear {
    Linear {
        inputs: inputs.to_vec(),
        outputs: outputs.to_vec(),
        rhs,
        strict: false,
    }
}

/// An output-only row.
fn y(outputs: &[(usize, f64)], rhs: f64) -> Linear {
    row(&[], outputs, rhs)
}

/// The constraints of a one-disjunct property.
fn rows(p: &Property) -> &[Linear] {
    assert_eq!(p.disjuncts.len(), 1);
    &p.disjuncts[0].constraints
}

const ACAS: &str = "; ACAS Xu style property
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const X_2 Real)
(declare-const X_3 Real)
(declare-const X_4 Real)
(declare-const Y_0 Real)   ; outputs
(declare-const Y_1 Real)
(declare-const Y_2 Real)
(declare-const Y_3 Real)
(declare-const Y_4 Real)
(assert (<= X_0 0.679857769))
(assert (>= X_0 0.6))
(assert (<= X_1 0.5))    (assert (>= X_1 -0.5))
(assert (<= X_2 0.5))
(assert (>= X_2 -0.5))
(assert (<= X_3 0.5))
(assert (>= X_3 0.45))
(assert (<= X_4 -0.45))
(assert (>= X_4 -0.5))
(assert (<= Y_0 Y_1))
(assert (or (and (<= Y_0 Y_2) (>= Y_3 -0.5))
            (and (>= (+ Y_0 (* -1.0 Y_4)) 0.1))))
(check-sat)
";

#[test]
fn acas_xu_property() {
    let p = Property::parse(ACAS).unwrap();
    assert_eq!((p.inputs, p.outputs, p.disjuncts.len()), (5, 5, 2));
    for d in &p.disjuncts {
        assert_eq!(d.lower, [0.6, -0.5, -0.5, 0.45, -0.5]);
        assert_eq!(d.upper, [0.679857769, 0.5, 0.5, 0.5, -0.45]);
        assert_eq!(d.unbounded_input(), None);
    }
    let y01 = y(&[(0, 1.0), (1, -1.0)], 0.0);
    let first = [y01.clone(), y(&[(0, 1.0), (2, -1.0)], 0.0), y(&[(3, -1.0)], 0.5)];
    assert_eq!(p.disjuncts[0].constraints, first);
    let second = [y01, y(&[(0, -1.0), (4, 1.0)], -0.1)];
    assert_eq!(p.disjuncts[1].constraints, second);
}

#[test]
fn holds_inside_and_outside() {
    let p = Property::parse(ACAS).unwrap();
    let (x, y1) = ([0.65, 0.0, 0.0, 0.47, -0.47], [0.0, 1.0, 2.0, 0.0, 5.0]);
    assert!(p.holds(&x, &y1, 0.0)); // first disjunct
    assert!(p.holds(&x, &[0.0, 1.0, -1.0, -1.0, -0.2], 0.0)); // second only
    assert!(!p.holds(&x, &[0.0, 1.0, -1.0, -1.0, 0.0], 0.0)); // neither
    assert!(!p.holds(&x, &[2.0, 1.0, 3.0, 0.0, 0.0], 0.0)); // Y_0 > Y_1
    assert!(!p.holds(&[0.7, 0.0, 0.0, 0.47, -0.47], &y1, 0.0)); // X_0 above its box
    assert!(!p.holds(&[0.65, 0.0, 0.0, 0.47, -0.6], &y1, 0.0)); // X_4 below its box
                                                                // Tolerance applies to box bounds and to rows.
    assert!(p.holds(&[0.6 - 1e-9, 0.0, 0.0, 0.47, -0.47], &y1, 1e-6));
    assert!(p.holds(&x, &[1.0 + 1e-9, 1.0, 2.0, 0.0, 5.0], 1e-6));
    assert!(!p.holds(&x, &[1.0 + 1e-3, 1.0, 2.0, 0.0, 5.0], 1e-6));
}

#[test]
fn input_bounds_inside_disjuncts_give_separate_boxes() {
    let text = "(assert (or (and (>= X_0 0) (<= X_0 0.5) (>= X_1 -1) (<= X_1 1) (<= Y_0 0))
                     (and (>= X_0 0.5) (<= X_0 1) (>= X_1 -1) (<= X_1 1) (>= Y_0 1))))
                (assert (<= X_1 0.25))";
    let p = parse(2, 1, text);
    let boxes: Vec<_> = p.disjuncts.iter().map(|d| (d.lower.clone(), d.upper.clone())).collect();
    assert_eq!(
        boxes,
        [(vec![0.0, -1.0], vec![0.5, 0.25]), (vec![0.5, -1.0], vec![1.0, 0.25])]
    );
    assert_eq!(p.disjuncts[0].constraints, [y(&[(0, 1.0)], 0.0)]);
    assert_eq!(p.disjuncts[1].constraints, [y(&[(0, -1.0)], -1.0)]);
    assert!(p.holds(&[0.2, 0.0], &[-1.0], 0.0) && p.holds(&[0.8, 0.0], &[2.0], 0.0));
    assert!(!p.holds(&[0.2, 0.0], &[2.0], 0.0) && !p.holds(&[0.8, 0.5], &[2.0], 0.0));
}

#[test]
fn nested_and_or_distributes() {
    let text = "(assert (and (or (<= Y_0 1) (<= Y_0 2)) (or (<= Y_0 3) (and (<= Y_0 4) (<= Y_0 5)))))";
    let rhs = |p: Property| -> Vec<Vec<f64>> {
        p.disjuncts
            .iter()
            .map(|d| d.constraints.iter().map(|c| c.rhs).collect())
            .collect()
    };
    let want = [vec![1.0, 3.0], vec![1.0, 4.0, 5.0], vec![2.0, 3.0], vec![2.0, 4.0, 5.0]];
    assert_eq!(rhs(parse(0, 1, text)), want);
    // Separate asserts are a conjunction too.
    let text = "(assert (or (<= Y_0 1) (<= Y_0 2)))\n(assert (or (<= Y_0 3) (<= Y_0 4)))";
    assert_eq!(rhs(parse(0, 1, text)), [[1.0, 3.0], [1.0, 4.0], [2.0, 3.0], [2.0, 4.0]]);
}

#[test]
fn equality_strict_and_chained_comparisons() {
    let p = parse(1, 2, "(assert (= Y_0 (+ Y_1 2)))\n(assert (= X_0 0.5))");
    assert_eq!(
        rows(&p),
        [y(&[(0, 1.0), (1, -1.0)], 2.0), y(&[(0, -1.0), (1, 1.0)], -2.0)]
    );
    assert_eq!((p.disjuncts[0].lower[0], p.disjuncts[0].upper[0]), (0.5, 0.5));
    // Strict rows are the same rows, flagged.
    let strict = |mut r: Linear| {
        r.strict = true;
        r
    };
    assert_eq!(rows(&parse(0, 1, "(assert (< Y_0 1))")), [strict(y(&[(0, 1.0)], 1.0))]);
    assert_eq!(
        rows(&parse(0, 1, "(assert (> Y_0 1))")),
        [strict(y(&[(0, -1.0)], -1.0))]
    );
    assert_eq!(
        rows(&parse(0, 2, "(assert (< Y_0 Y_1 2))")),
        [strict(y(&[(0, 1.0), (1, -1.0)], 0.0)), strict(y(&[(1, 1.0)], 2.0))]
    );
    let p = parse(0, 2, "(assert (<= 0 Y_0 Y_1))");
    assert_eq!(rows(&p), [y(&[(0, -1.0)], 0.0), y(&[(0, 1.0), (1, -1.0)], 0.0)]);
}

#[test]
fn arithmetic_terms() {
    let cases = [
        ("(- Y_0)", 3.0, y(&[(0, -1.0)], 3.0)),
        ("(- Y_0 Y_1 Y_2 1)", 0.0, y(&[(0, 1.0), (1, -1.0), (2, -1.0)], 1.0)),
        ("(* 2 Y_0)", 0.0, y(&[(0, 2.0)], 0.0)),
        ("(* Y_1 0.5)", 1.0, y(&[(1, 0.5)], 1.0)),
        ("(* 2 (+ Y_0 1) 3)", 0.0, y(&[(0, 6.0)], -6.0)),
        ("(+ Y_0 Y_0 (* -2 Y_1) Y_1)", 0.0, y(&[(0, 2.0), (1, -1.0)], 0.0)),
        ("(+ Y_0 (- Y_0) Y_2)", 1.0, y(&[(2, 1.0)], 1.0)),
    ];
    for (term, bound, want) in cases {
        assert_eq!(
            rows(&parse(0, 3, &format!("(assert (<= {term} {bound}))"))),
            [want],
            "{term}"
        );
    }
    for (number, value) in [
        ("1e-3", 1e-3),
        ("-2.5E+2", -250.0),
        ("+2", 2.0),
        (".5", 0.5),
        ("-0.5", -0.5),
    ] {
        let p = parse(0, 1, &format!("(assert (<= Y_0 {number}))"));
        assert_eq!(rows(&p), [y(&[(0, 1.0)], value)], "{number}");
    }
    // Zero coefficients are dropped, also from a lone product.
    assert_eq!(
        rows(&parse(0, 3, "(assert (<= (* 0 Y_0) Y_2))")),
        [y(&[(2, -1.0)], 0.0)]
    );
    let p = parse(0, 2, "(assert (<= (* 2 Y_0) (* Y_1 0.5)))");
    assert_eq!(rows(&p), [y(&[(0, 2.0), (1, -0.5)], 0.0)]);
}

#[test]
fn mixed_constraints_stay_general_and_scaled_bounds_go_to_box() {
    let p = parse(
        2,
        1,
        "(assert (<= (+ X_0 X_1) 1))\n(assert (<= (- X_0 Y_0) 0))\n(assert (>= (* -2 X_1) 1))\n(assert (<= (* 0 X_0) (- 5 X_1)))",
    );
    assert_eq!(
        rows(&p),
        [
            row(&[(0, 1.0), (1, 1.0)], &[], 1.0),
            row(&[(0, 1.0)], &[(0, -1.0)], 0.0)
        ]
    );
    let d: &Disjunct = &p.disjuncts[0];
    assert_eq!((d.lower.clone(), d.upper.clone()), (vec![-INF, -INF], vec![INF, -0.5]));
    assert_eq!(d.unbounded_input(), Some(0));
}

#[test]
fn constant_comparisons_and_empty_boxes() {
    let p = parse(
        1,
        1,
        "(assert (<= 1 2))\n(assert (or (<= 2 1) (<= Y_0 0) (and (>= X_0 1) (<= X_0 0))))",
    );
    // The constant false is gone; the empty box stays, named by its input.
    assert_eq!(p.disjuncts.len(), 2);
    assert_eq!(p.disjuncts[0].constraints, [y(&[(0, 1.0)], 0.0)]);
    assert_eq!(p.disjuncts[0].empty_input(), None);
    let empty = &p.disjuncts[1];
    assert_eq!(empty.empty_input(), Some(0));
    assert_eq!((empty.lower[0], empty.upper[0]), (1.0, 0.0));
    // An empty box holds nowhere, however large the tolerance.
    assert!(!empty.holds(&[0.5], &[1.0], 10.0));
    assert!(!p.holds(&[0.5], &[1.0], 0.0) && p.holds(&[0.5], &[-1.0], 0.0));
    assert_eq!(parse(1, 1, "(assert true)").disjuncts.len(), 1);
    let unsat = parse(1, 1, "(assert (<= Y_0 0))\n(assert (> 0 1))");
    assert!(unsat.disjuncts.is_empty() && !unsat.holds(&[0.0], &[0.0], 1.0));
    assert!(parse(0, 1, "(assert false)").disjuncts.is_empty());
    // A false conjunct wins even over a DNF that would be too large (10^6 disjuncts).
    let ten: String = (0..10).map(|k| format!("(<= Y_0 {k})")).collect();
    let text = format!("(assert (and {}false))", format!("(or {ten}) ").repeat(6));
    assert!(parse(0, 1, &text).disjuncts.is_empty());
}

#[test]
fn no_asserts_is_one_unconstrained_disjunct() {
    let p = parse(2, 1, "(set-logic QF_LRA) (get-model)");
    assert_eq!(p.disjuncts.len(), 1);
    assert_eq!(p.disjuncts[0].unbounded_input(), Some(0));
    assert!(p.holds(&[1e300, -1e300], &[0.0], 0.0));
}

#[test]
fn from_file_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prop.vnnlib");
    std::fs::write(&path, ACAS).unwrap();
    assert_eq!(Property::from_file(&path).unwrap(), Property::parse(ACAS).unwrap());
}

/// `X_0 < 0.5` and `X_0 > 0.5` leave no input, though the bounds are equal:
/// strictness is kept per side of the box (it used to be read as `≤`, and
/// a verifier answered `unsat` over the one-point box).
#[test]
fn a_box_emptied_by_strictness_is_empty() {
    let p = parse(1, 1, "(assert (< X_0 0.5))\n(assert (> X_0 0.5))\n(assert (<= Y_0 0))");
    let d = &p.disjuncts[0];
    assert_eq!((d.lower[0], d.upper[0]), (0.5, 0.5));
    assert_eq!((d.lower_strict[0], d.upper_strict[0]), (true, true));
    assert_eq!(d.empty_input(), Some(0));
    assert!(!p.holds(&[0.5], &[-1.0], 0.0));
    // One strict side is enough; non-strict sides that meet are one point.
    let one = parse(1, 1, "(assert (<= X_0 0.5))\n(assert (> X_0 0.5))");
    assert_eq!(one.disjuncts[0].empty_input(), Some(0));
    let point = parse(1, 1, "(assert (<= X_0 0.5))\n(assert (>= X_0 0.5))");
    assert_eq!(point.disjuncts[0].empty_input(), None);
    assert!(point.holds(&[0.5], &[0.0], 0.0));
    // A strict bound and a looser non-strict one on the same side: the strict one binds;
    // equal values: strict wins.
    let p = parse(
        1,
        1,
        "(assert (< X_0 0.5))\n(assert (<= X_0 0.5))\n(assert (<= X_0 0.7))\n(assert (>= X_0 0))",
    );
    let d = &p.disjuncts[0];
    assert_eq!((d.upper[0], d.upper_strict[0], d.lower_strict[0]), (0.5, true, false));
    assert!(p.holds(&[0.0], &[0.0], 0.0) && p.holds(&[0.4999], &[0.0], 0.0) && !p.holds(&[0.5], &[0.0], 0.0));
    // A constant strict comparison of equal numbers is false.
    assert!(parse(0, 1, "(assert (< 1 1))").disjuncts.is_empty());
    assert_eq!(parse(0, 1, "(assert (<= 1 1))").disjuncts.len(), 1);
}

/// Scaled bounds are rounded outward: `3·X_0 ≤ 1` gives an upper bound at
/// or above 1/3 (f64 division alone rounds it below, shrinking the box), and
/// `3·X_0 = 1` still holds an input.
#[test]
fn scaled_bounds_never_shrink_the_box() {
    let p = parse(1, 0, "(assert (<= (* 3 X_0) 1))\n(assert (>= (* 3 X_0) 1))");
    let d = &p.disjuncts[0];
    assert!(d.upper[0] > 1.0 / 3.0 && d.upper[0].mul_add(3.0, -1.0) > 0.0, "{d:?}");
    assert!(d.lower[0] < 1.0 / 3.0 && d.lower[0].mul_add(3.0, -1.0) < 0.0, "{d:?}");
    assert_eq!(d.empty_input(), None);
    // An exact quotient is kept as it is, non-strict.
    let p = parse(1, 0, "(assert (<= (* -2 X_0) 1))");
    let d = &p.disjuncts[0];
    assert_eq!((d.lower[0], d.lower_strict[0]), (-0.5, false));
}
