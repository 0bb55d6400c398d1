//! VNN-LIB properties (`mipnet verify --property`): any text either parses
//! or gets an error; a parsed property is one a verifier can use as is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mipnet_vnnlib::Property;

fuzz_target!(|data: &[u8]| {
    // `Property::from_file` refuses non-UTF-8 before parsing.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(p) = Property::parse(text) else { return };
    for d in &p.disjuncts {
        assert_eq!(d.lower.len(), p.inputs, "box length differs from the declared inputs");
        assert_eq!(d.upper.len(), p.inputs, "box length differs from the declared inputs");
        for (l, u) in d.lower.iter().zip(&d.upper) {
            assert!(!l.is_nan() && !u.is_nan(), "a NaN bound in {d:?}");
        }
        let empty = d.lower.iter().zip(&d.upper).any(|(l, u)| l > u);
        for c in &d.constraints {
            assert!(!c.inputs.is_empty() || !c.outputs.is_empty(), "a constraint without variables: {c:?}");
            assert!(c.inputs.iter().all(|&(i, a)| i < p.inputs && a.is_finite() && a != 0.0), "bad input term: {c:?}");
            assert!(c.outputs.iter().all(|&(j, b)| j < p.outputs && b.is_finite() && b != 0.0), "bad output term: {c:?}");
            assert!(c.rhs.is_finite(), "a right-hand side that is not finite: {c:?}");
        }
        // Replaying a point of the declared dimensions never panics.
        // A disjunct with an empty box holds nowhere, even at its own bounds.
        let x: Vec<f64> = d.lower.iter().map(|l| if l.is_finite() { *l } else { 0.0 }).collect();
        let held = d.holds(&x, &vec![0.0; p.outputs], f64::INFINITY);
        assert!(!(empty && held), "a disjunct with an empty box holds: {d:?}");
    }
    let _ = p.holds(&vec![0.0; p.inputs], &vec![0.0; p.outputs], 0.0);
});
