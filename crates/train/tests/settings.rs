//! The settings file schema: the example config reads, unknown keys and bad values are refused.

use mipnet_highs::HighsSolver;
use mipnet_train::{DataSource, OutputSettings, RunConfig, TrainSettings};
use std::path::PathBuf;

/// The example config, so that it can never rot.
const EXAMPLE: &str = include_str!("../../../examples/train.toml");

#[test]
fn the_example_config_reads_and_shows_the_defaults() {
    let c = TrainSettings::from_run_config(EXAMPLE).unwrap();
    c.settings().clone().check(&HighsSolver).unwrap();
    // Every value it sets is the default, as its comments say; only the
    // data and the output directory are the example's own.
    let want = RunConfig {
        data: DataSource {
            dataset: Some("iris".into()),
            test_fraction: Some(0.25),
            split_seed: Some(0),
            image_pool: Some(1),
            ..DataSource::default()
        },
        output: OutputSettings {
            dir: Some(PathBuf::from("runs/iris")),
        },
        ..RunConfig::default()
    };
    assert_eq!(c, want);
}

/// (section, key) of every `key = …` line of a TOML text, commented
/// out or not; a table header `[a.b]` counts as key b of section a.
fn keys_shown(text: &str) -> std::collections::BTreeSet<(String, String)> {
    let mut section = String::new();
    let mut keys = std::collections::BTreeSet::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches('#').trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some((outer, inner)) = header.rsplit_once('.') {
                keys.insert((outer.to_string(), inner.to_string()));
            }
            section = header.to_string();
        } else if let Some((key, _)) = line.split_once('=') {
            let key = key.trim();
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                keys.insert((section.clone(), key.to_string()));
            }
        }
    }
    keys
}

#[test]
fn the_example_config_shows_every_key() {
    use mipnet_network::{ConvSpec, Pool, PoolKind};
    let shown = keys_shown(EXAMPLE);
    let mut config = RunConfig::default();
    // Optional sections and keys are serialized only when set.
    config.formulation.conv = Some(ConvSpec {
        channels: 4,
        kernel: 3,
        stride: 1,
        padding: 0,
        pool: Some(Pool {
            kind: PoolKind::Max,
            size: 2,
            stride: 2,
        }),
        image: Some([1, 14, 14]),
    });
    let value = serde_json::to_value(&config).unwrap();
    let mut missing = Vec::new();
    let mut walk = vec![(String::new(), &value)];
    while let Some((section, v)) = walk.pop() {
        let serde_json::Value::Object(map) = v else { continue };
        for (key, inner) in map {
            let is_table = inner.is_object() && key != "pool";
            if !section.is_empty() && !shown.contains(&(section.clone(), key.clone())) {
                missing.push(format!("{section}.{key}"));
            }
            if is_table {
                let name = if section.is_empty() {
                    key.clone()
                } else {
                    format!("{section}.{key}")
                };
                walk.push((name, inner));
            }
        }
    }
    assert!(missing.is_empty(), "examples/train.toml lacks {missing:?}");
}

#[test]
fn a_run_config_sets_data_and_output_and_refuses_unknown_keys_by_name() {
    let c = TrainSettings::from_run_config(
        "[data]\nfile = \"d.csv\"\nlabel = \"y\"\nsplit_seed = 3\n[output]\ndir = \"runs/x\"\n[formulation]\nhidden = [6]\n",
    )
    .unwrap();
    assert_eq!(c.data.file, Some(PathBuf::from("d.csv")));
    assert_eq!(c.data.label.as_deref(), Some("y"));
    assert_eq!(c.data.split_seed, Some(3));
    assert_eq!(c.data.dataset, None);
    assert_eq!(c.output.dir, Some(PathBuf::from("runs/x")));
    assert_eq!(c.settings().formulation.hidden, vec![6]);
    for (text, key) in [
        ("[data]\nlabell = \"y\"\n", "labell"),
        ("[output]\nout = \"x\"\n", "`out`"),
        ("[formulaton]\nhidden = [6]\n", "formulaton"),
        ("[stages]\nlns_shares = 0.5\n", "lns_shares"),
    ] {
        let e = TrainSettings::from_run_config(text).unwrap_err();
        assert!(e.contains("unknown field") && e.contains(key), "{e}");
    }
}

#[test]
fn highs_options_in_toml_are_read_as_text_and_reach_every_solve() {
    let s = TrainSettings::from_toml(
        "[solver.options]\npresolve = \"off\"\nmip_heuristic_effort = 0.3\nmip_max_leaves = 5\nmip_detect_symmetry = false\n",
    )
    .unwrap();
    let want = [
        ("mip_detect_symmetry", "false"),
        ("mip_heuristic_effort", "0.3"),
        ("mip_max_leaves", "5"),
        ("presolve", "off"),
    ];
    let got: Vec<(&str, &str)> = s.solver.options.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, want);
    s.clone().check(&HighsSolver).unwrap();
    let extra = s.solver.options(10.0).extra;
    assert_eq!(extra.len(), 4);
    assert!(extra.contains(&("presolve".to_string(), "off".to_string())));
    // HiGHS checks values before anything runs.
    let bad = TrainSettings::from_toml("[solver.options]\nmip_heuristic_effort = 2.5\n").unwrap();
    let e = bad.check(&HighsSolver).unwrap_err().to_string();
    assert!(
        e.contains("solver.options") && e.contains("mip_heuristic_effort"),
        "{e}"
    );
}

#[test]
fn an_overlay_changes_only_what_it_gives_and_merges_maps() {
    let base = TrainSettings::from_toml(
        "[formulation]\nomega = 2.0\nmargin = 0.5\n[solver]\ntime_limit = 30.0\n[solver.options]\npresolve = \"off\"\n",
    )
    .unwrap();
    let top = serde_json::json!({
        "formulation": { "omega": null, "margin": 0.25 },
        "solver": { "options": { "mip_heuristic_effort": "0.3" }, "gap": null },
        "stages": { "polish": false },
    });
    let s = base.overlaid(top).unwrap();
    assert_eq!(s.formulation.omega, 2.0, "a null leaves the base");
    assert_eq!(s.formulation.margin, 0.25);
    assert_eq!(s.solver.time_limit, 30.0);
    assert_eq!(s.solver.options.len(), 2, "maps merge: {:?}", s.solver.options);
    assert!(!s.stages.polish);
    // Everything not named stays as it was.
    let unchanged = base.overlaid(serde_json::json!({})).unwrap();
    assert_eq!(unchanged, base);
    let e = base
        .overlaid(serde_json::json!({ "stages": { "polsh": false } }))
        .unwrap_err();
    assert!(e.to_string().contains("polsh"), "{e}");
}
