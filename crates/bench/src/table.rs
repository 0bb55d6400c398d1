//! The markdown table of a bench: medians per case, and per ablation.

use crate::run::BenchResult;

fn pct(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{:.1} %", 100.0 * v)
    }
}

/// The markdown table of a bench result (medians over seeds).
pub fn markdown(r: &BenchResult) -> String {
    let s = &r.suite;
    let f = &s.settings.formulation;
    let split = if s.cases.iter().any(|c| c.per_class.is_some()) {
        "MNIST: balanced training subsets drawn with the run's seed, all 10,000 test images, 2×2-pooled inputs"
            .to_string()
    } else {
        format!("split seed {}, test fraction {}", s.split_seed, s.test_fraction)
    };
    let mut levels: Vec<String> = s
        .cases
        .iter()
        .filter_map(|c| c.grid_levels.map(|p| format!("P = {p} for {}", c.arch)))
        .collect();
    levels.dedup();
    let mut out = format!(
        "Suite `{}`: {} seed(s) {:?} (gradient and HiGHS), {split}, \
         {} s per run for {}, {} threads{}, ω = {}, s = {}, P = {}{}, α = {}, loss {}; {}. Medians over seeds.\n\n",
        s.name,
        s.seeds.len(),
        s.seeds,
        s.settings.solver.time_limit,
        if s.settings.stages.mip_alongside_search {
            let along = r
                .reports
                .iter()
                .filter(|x| x.mip_schedule == mipnet_train::MipSchedule::AlongsideSearch)
                .count();
            let fell_back = if along < r.reports.len() {
                format!(
                    "; in {along} of {} runs, the others with the MIP after the search or none",
                    r.reports.len()
                )
            } else {
                String::new()
            };
            format!("the neighbourhood search and the full MIP alongside it (fed the search's networks{fell_back})")
        } else {
            format!(
                "the neighbourhood search ({:.0} %) and the full MIP",
                100.0 * s.settings.stages.lns_share
            )
        },
        s.settings.solver.threads.map_or("default".into(), |t| t.to_string()),
        if s.settings.solver.options.is_empty() {
            String::new()
        } else {
            let set: Vec<String> = s
                .settings
                .solver
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!(", HiGHS options {}", set.join(" "))
        },
        f.omega,
        f.grid_step,
        f.grid_levels,
        if levels.is_empty() {
            String::new()
        } else {
            format!(" ({})", levels.join(", "))
        },
        f.l1,
        f.loss.name(),
        r.solver
    );
    out += "| dataset | network | test accuracy | sparsity | params kept | polished | searched | objective | proven bound | HiGHS's bound | gap | time (s) | baseline accuracy | baseline sparsity | certified |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    let obj = |o: Option<f64>| o.map_or("-".into(), |o| format!("{o:.4}"));
    for c in &r.summaries {
        out += &format!(
            "| {} | {} | {} | {} | {:.0}/{} | {} | {} | {:.4} | {} | {} | {} | {:.1} | {} | {} | {}/{} |\n",
            c.dataset,
            c.arch,
            pct(c.test_accuracy),
            pct(c.weight_sparsity),
            c.params_kept,
            c.params_total,
            obj(c.polished_objective),
            obj(c.searched_objective),
            c.objective,
            c.dual_bound.map_or("-".into(), |b| format!("{b:.4}")),
            c.mip_dual_bound.map_or("-".into(), |b| format!("{b:.4}")),
            c.mip_gap.map_or("-".into(), pct),
            c.total_seconds,
            pct(c.baseline_test_accuracy),
            pct(c.baseline_weight_sparsity),
            c.certificates_passed,
            c.runs
        );
    }
    if !r.ablations.is_empty() {
        out += "\nAblations: each part switched in turn, same budget and seeds (medians; Δ = change of the \
                median against everything on).\n\n";
        out +=
            "| dataset | variant | test accuracy | sparsity | objective | Δ objective | gap | time (s) | certified |\n";
        out += "|---|---|---|---|---|---|---|---|---|\n";
        for base in &r.summaries {
            let rows = std::iter::once(("everything on", base)).chain(r.ablations.iter().filter_map(|a| {
                a.summaries
                    .iter()
                    .find(|c| c.dataset == base.dataset)
                    .map(|c| (a.ablation, c))
            }));
            for (name, c) in rows {
                out += &format!(
                    "| {} | {} | {} | {} | {:.4} | {:+.4} | {} | {:.1} | {}/{} |\n",
                    c.dataset,
                    name,
                    pct(c.test_accuracy),
                    pct(c.weight_sparsity),
                    c.objective,
                    c.objective - base.objective,
                    c.mip_gap.map_or("-".into(), pct),
                    c.total_seconds,
                    c.certificates_passed,
                    c.runs
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use mipnet_train::{StageName, TrainSettings};

    #[test]
    fn medians_of_odd_and_even_counts_skip_nan() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert!(median(&[]).is_nan());
    }

    fn summary(dataset: &str, objective: f64) -> CaseSummary {
        CaseSummary {
            dataset: dataset.into(),
            arch: "dense 8 > dense 3".into(),
            runs: 3,
            test_accuracy: 0.95,
            train_accuracy: 0.99,
            weight_sparsity: 0.5,
            params_kept: 30.0,
            params_total: 67,
            objective,
            polished_objective: Some(0.3),
            searched_objective: Some(0.25),
            dual_bound: Some(0.01),
            mip_dual_bound: Some(0.005),
            mip_gap: Some(0.9),
            total_seconds: 12.0,
            baseline_test_accuracy: 0.94,
            baseline_weight_sparsity: 0.0,
            certificates_passed: 3,
        }
    }

    #[test]
    fn the_ablation_table_has_a_row_per_dataset_and_variant_with_the_change() {
        let r = BenchResult {
            suite: Suite::named("dense", true).unwrap(),
            summaries: vec![summary("iris", 0.2), summary("wine", 0.1)],
            reports: Vec::new(),
            ablations: ABLATIONS
                .iter()
                .map(|a| AblationResult {
                    ablation: a.name,
                    summaries: vec![summary("iris", 0.25), summary("wine", 0.05)],
                    reports: Vec::new(),
                })
                .collect(),
            solver: "HiGHS".into(),
            mipnet_version: "0",
        };
        let md = markdown(&r);
        assert!(
            md.contains("| iris | everything on | 95.0 % | 50.0 % | 0.2000 | +0.0000 |"),
            "{md}"
        );
        assert!(
            md.contains("| iris | no polish | 95.0 % | 50.0 % | 0.2500 | +0.0500 |"),
            "{md}"
        );
        assert!(
            md.contains("| wine | with Lipschitz cuts | 95.0 % | 50.0 % | 0.0500 | -0.0500 |"),
            "{md}"
        );
        let rows = md
            .lines()
            .filter(|l| l.starts_with("| iris |") || l.starts_with("| wine |"))
            .count();
        assert_eq!(rows, 2 + 2 * (1 + ABLATIONS.len()));
        // Each ablation changes exactly what its name says.
        let base = TrainSettings::default();
        for a in ABLATIONS {
            let mut s = base.clone();
            (a.apply)(&mut s);
            assert_ne!(
                serde_json::to_value(&s).unwrap(),
                serde_json::to_value(&base).unwrap(),
                "{} changes nothing",
                a.name
            );
        }
    }

    #[test]
    fn suites_are_named_and_quick_is_short() {
        let full = Suite::named("dense", false).unwrap();
        assert_eq!(full.seeds, vec![0, 1, 2]);
        assert_eq!(full.settings.solver.time_limit, 60.0);
        let quick = Suite::named("dense", true).unwrap();
        assert_eq!(quick.seeds, vec![0]);
        assert!(quick.settings.solver.time_limit < full.settings.solver.time_limit);
        assert!(Suite::named("mnist-cnn", false).unwrap_err().contains("unknown suite"));
        let mnist = Suite::named("mnist", false).unwrap();
        assert_eq!(mnist.cases.len(), 5);
        assert!(mnist
            .cases
            .iter()
            .any(|c| !c.mip && c.label() == "mnist 100/class (no MIP)"));
        assert!(mnist.cases.iter().any(|c| c.conv.is_some() && c.per_class == Some(40)));
        assert_eq!(Suite::named("mnist", true).unwrap().cases.len(), 2);
    }

    #[test]
    fn each_ablation_edits_the_stage_list_as_it_says() {
        let base = Suite::named("dense", true).unwrap().settings;
        let before = mipnet_train::stage_names(&base);
        for a in ABLATIONS {
            let mut s = base.clone();
            (a.apply)(&mut s);
            let after = mipnet_train::stage_names(&s);
            let kept: Vec<StageName> = before.iter().copied().filter(|n| !a.removes.contains(n)).collect();
            let without_added: Vec<StageName> = after.iter().copied().filter(|n| !a.adds.contains(n)).collect();
            assert_eq!(without_added, kept, "{}: {after:?}", a.name);
            assert!(a.removes.iter().all(|n| before.contains(n)), "{}", a.name);
            assert!(
                a.adds.iter().all(|n| !before.contains(n) && after.contains(n)),
                "{}",
                a.name
            );
        }
    }
}
