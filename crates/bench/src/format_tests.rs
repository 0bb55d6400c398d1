//! `bench.json`'s format (version 2) stays as it is: the rows, the
//! summaries per split and over the splits, and the ablations of a planted
//! bench serialize exactly as the committed fixture. The suite, the reports
//! and the mipnet-select parts of a row (`selection`, `baselines`) are left
//! out: their formats belong to other crates.

use crate::planted::{bench, row, selected_row};
use crate::run::AblationResult;
use crate::summary::summarize;
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bench_format_2.json");

/// Set to write the fixture from the current code instead of comparing
/// (after a deliberate format change, with `format_version` raised).
const BLESS: &str = "MIPNET_BLESS_FIXTURES";

/// Rows with every kind of value: missing bounds and accuracies, an
/// interrupted run, a selection, a run without baselines, two cases and
/// two splits with odd and even seed counts.
fn planted_rows() -> Vec<crate::RunRow> {
    let mut rows = vec![
        row("iris", 0, 0, 0.75, 0.2),
        row("iris", 0, 1, 1.0, 0.125),
        row("iris", 0, 2, 0.875, 0.3),
        row("iris", 1, 0, 0.5, 0.25),
        row("iris", 1, 1, 0.0, 9.0),
        selected_row("wine", 0, 0.01),
        row("wine", 1, 0, 0.9, 0.1),
        row("wine", 1, 1, 0.8, 0.15),
    ];
    rows[0].dual_bound = None;
    rows[0].mip_gap = None;
    rows[1].polished_objective = None;
    rows[1].mip_dual_bound = Some(0.0625);
    rows[2].test_accuracy = None;
    rows[2].params_kept = 41;
    rows[2].cv_seconds = Some(7.5);
    rows[3].report_baseline_test_accuracy = None;
    rows[4].interrupted = true;
    // Wine's split 0: no test accuracy at all (NaN and none alike).
    rows[5].test_accuracy = None;
    rows[6].baselines = None;
    rows[6].searched_objective = None;
    rows[7].mip_alongside_search = true;
    rows[7].certified = false;
    rows[7].weight_sparsity = 0.25;
    rows
}

/// The bench's JSON, without the parts other crates own.
fn owned_json() -> Value {
    let cases = ["iris", "wine"];
    let rows = planted_rows();
    let mut r = bench(rows.clone(), &cases, &[0, 1]);
    let names: Vec<String> = cases.iter().map(|c| c.to_string()).collect();
    let (summaries, over_splits) = summarize(&rows[..4], &names, &[0, 1]);
    r.ablations.push(AblationResult {
        ablation: "no polish",
        rows: rows[..4].to_vec(),
        summaries,
        over_splits,
        reports: Vec::new(),
    });
    let mut v = serde_json::to_value(&r).unwrap();
    let o = v.as_object_mut().unwrap();
    for key in ["suite", "reports", "solver", "mipnet_version"] {
        o.remove(key).unwrap();
    }
    let strip_rows = |rows: &mut Value| {
        for row in rows.as_array_mut().unwrap() {
            let row = row.as_object_mut().unwrap();
            row.remove("selection").unwrap();
            row.remove("baselines").unwrap();
        }
    };
    strip_rows(&mut o["rows"]);
    for a in o["ablations"].as_array_mut().unwrap() {
        a.as_object_mut().unwrap().remove("reports").unwrap();
        strip_rows(&mut a["rows"]);
    }
    v
}

#[test]
fn bench_json_serializes_as_the_fixture() {
    let actual = owned_json();
    let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
    if std::env::var_os(BLESS).is_some() {
        std::fs::create_dir_all(std::path::Path::new(FIXTURE).parent().unwrap()).unwrap();
        std::fs::write(FIXTURE, &text).unwrap();
        return;
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    assert_eq!(actual["format_version"], 2);
    assert_eq!(actual, expected, "bench.json's format changed; now:\n{text}");
}
