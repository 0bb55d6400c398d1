//! Every figure from a run directory: the files are written, with the
//! axes, series and labels the data calls for; figures a report has no
//! data for are skipped with the reason; bad run files are refused.

use mipnet_plot::{plot_run, Figure, PlotError};
use serde_json::json;
use std::path::Path;

fn network() -> serde_json::Value {
    json!({
        "format_version": 1,
        "feature_names": ["a", "b", "c"],
        "class_names": ["x", "y"],
        "standardizer": {"mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]},
        "layers": [
            {"weights": [[0.5, 0.0, -1.0], [0.0, 0.0, 0.0]], "bias": [0.1, 0.0], "kept": [true, false], "relu": true},
            {"weights": [[1.0, 0.0], [-1.0, 0.0]], "bias": [0.0, 0.0], "kept": [true, true], "relu": false}
        ]
    })
}

fn report_with_everything() -> serde_json::Value {
    json!({
        "total_seconds": 10.0,
        "train_accuracy": 0.9,
        "test_accuracy": 0.85,
        "weight_sparsity": 0.6,
        "trace": [
            {"seconds": 0.1, "stage": "warm_start", "incumbent": 3.0, "bound": null},
            {"seconds": 0.5, "stage": "polish", "incumbent": 2.0, "bound": null},
            {"seconds": 2.0, "stage": "lower_bounds", "incumbent": 2.0, "bound": 0.5},
            {"seconds": 6.0, "stage": "mip", "incumbent": 1.8, "bound": 0.7}
        ],
        "selection": {
            "chosen": 1,
            "table": [
                {"values": {"l1": 0.0}, "validation_accuracy_mean": 0.8, "validation_accuracy_min": 0.7, "validation_accuracy_max": 0.9},
                {"values": {"l1": 0.01}, "validation_accuracy_mean": 0.9, "validation_accuracy_min": 0.85, "validation_accuracy_max": 0.95},
                {"values": {"l1": 1.0}, "validation_accuracy_mean": 0.5, "validation_accuracy_min": 0.4, "validation_accuracy_max": 0.6}
            ]
        },
        "baselines": {
            "milp": {"method": "milp", "weight_sparsity": 0.6, "test_accuracy": 0.85, "train_accuracy": 0.9},
            "dense": {"method": "dense", "weight_sparsity": 0.0, "test_accuracy": 0.87, "train_accuracy": 0.95},
            "at_equal_sparsity": [
                {"method": "magnitude", "weight_sparsity": 0.6, "test_accuracy": 0.8, "train_accuracy": 0.85}
            ],
            "at_equal_params_kept": [
                {"method": "l1_proximal", "weight_sparsity": 0.55, "test_accuracy": 0.82, "train_accuracy": 0.86}
            ]
        }
    })
}

fn write_run(dir: &Path, report: &serde_json::Value) {
    std::fs::write(dir.join("report.json"), report.to_string()).unwrap();
    std::fs::write(dir.join("network.json"), network().to_string()).unwrap();
}

fn svg(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn every_figure_is_drawn_with_its_series() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &report_with_everything());
    let out = dir.path().join("figures");
    let figures = plot_run(dir.path(), &out).unwrap();
    assert!(figures.iter().all(|f| matches!(f, Figure::Written(_))), "{figures:?}");

    let progress = svg(&out.join("progress.svg"));
    for text in [
        "seconds",
        "training objective",
        "best network",
        "proven lower bound",
        "warm_start",
        "mip",
    ] {
        assert!(progress.contains(text), "progress.svg lacks {text}");
    }
    // A dot per new network (3) and a legend dot per step (3); a triangle
    // per new bound (2) and per method in the legend (2).
    assert_eq!(progress.matches("<circle").count(), 3 + 3);
    assert!(progress.contains("bound: lower_bounds") && progress.contains("bound: mip"));
    assert_eq!(progress.matches("<polygon").count(), 2 + 2);

    let weights = svg(&out.join("weights.svg"));
    assert!(weights.contains("layer 1: 4/6 zero") && weights.contains("layer 2: 2/4 zero"));
    // The pruned unit's row is drawn in the pruned colour (3 cells).
    assert_eq!(weights.matches("fill=\"#FAC8C8\"").count(), 3);

    let selection = svg(&out.join("selection.svg"));
    for text in ["validation accuracy", "chosen", "0: l1=0.0", "1: l1=0.01", "2: l1=1.0"] {
        assert!(selection.contains(text), "selection.svg lacks {text}");
    }

    let sparsity = svg(&out.join("sparsity.svg"));
    for text in [
        "test accuracy",
        "mipnet (exact)",
        "gradient, dense",
        "magnitude, equal sparsity",
        "l1_proximal, equal parameters",
    ] {
        assert!(sparsity.contains(text), "sparsity.svg lacks {text}");
    }
}

#[test]
fn figures_without_data_are_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &json!({"total_seconds": 1.0}));
    let figures = plot_run(dir.path(), &dir.path().join("f")).unwrap();
    let skipped: Vec<(&str, &str)> = figures
        .iter()
        .filter_map(|f| match f {
            Figure::Skipped { name, reason } => Some((*name, reason.as_str())),
            Figure::Written(_) => None,
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("progress", "the report has no trace of the run"),
            ("selection", "not a model-selection run (no selection in the report)"),
            ("sparsity", "the report has no baselines to compare with"),
        ]
    );
    assert!(dir.path().join("f/weights.svg").exists());
}

#[test]
fn a_missing_or_malformed_run_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = plot_run(dir.path(), &dir.path().join("f")).unwrap_err();
    assert!(
        matches!(err, PlotError::Read { .. }) && err.to_string().contains("report.json"),
        "{err}"
    );
    std::fs::write(dir.path().join("report.json"), "{").unwrap();
    std::fs::write(dir.path().join("network.json"), "{}").unwrap();
    let err = plot_run(dir.path(), &dir.path().join("f")).unwrap_err();
    assert!(
        matches!(err, PlotError::Malformed { .. }) && err.to_string().contains("report.json"),
        "{err}"
    );
}
