//! Files found by `scripts/fuzz.sh` (target `mps_lp`), minimized, each with
//! the error the strict readers must now give.

use mipnet_milp::files::{check_lp, check_mps};

/// A column whose lower bound is above its upper bound was accepted, and the
/// model then refused later by `Model::validate` without the file's line
/// (`mipnet solve` printed "invalid model: column 16 (slack): bounds [42, 4]
/// are empty or not numbers" twice). Found as `42 <= slack <= 4` in a
/// mutated knapsack.lp.
#[test]
fn an_empty_column_range_is_refused_where_the_file_gives_it() {
    let lp = "minimize\n obj: x\nsubject to\n c: x >= 0\nbounds\n 42 <= x <= 4\nend\n";
    assert_eq!(
        check_lp(lp).unwrap_err().to_string(),
        "'x': lower bound 42 is above upper bound 4: the range is empty"
    );
    let mps =
        "NAME T\nROWS\n N obj\n G c\nCOLUMNS\n x obj 1 c 1\nRHS\n RHS c 0\nBOUNDS\n LO BND x 5\n UP BND x 3\nENDATA\n";
    assert_eq!(
        check_mps(mps).unwrap_err().to_string(),
        "line 6: column 'x': lower bound 5 is above upper bound 3: the range is empty"
    );
}
