//! The strict MPS and LP readers (`mipnet solve FILE.mps|FILE.lp` reads
//! every file with them before HiGHS does): any text is read by both, each
//! either refusing it or returning a valid model; a model compares equal to
//! itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mipnet_milp::files::{check_lp, check_mps, compare};
use mipnet_milp::Model;

fn accepted(m: &Model) {
    m.validate().expect("a model the strict reader accepted is invalid");
    let bounds = m.col_lower().iter().chain(m.col_upper()).chain(m.row_lower()).chain(m.row_upper());
    assert!(bounds.clone().all(|v| !v.is_nan()), "a NaN bound or side");
    let (_, _, values) = m.matrix();
    assert!(values.iter().chain(m.col_cost()).all(|v| v.is_finite()), "a coefficient or cost that is not finite");
    compare(m, m).expect("a model differs from itself");
}

fuzz_target!(|data: &[u8]| {
    // `read_model` refuses non-UTF-8 before either reader runs.
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(m) = check_mps(text) {
        accepted(&m);
    }
    if let Ok(m) = check_lp(text) {
        accepted(&m);
    }
});
