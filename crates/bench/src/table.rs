//! The markdown tables of a bench: medians over the seeds per case and
//! split (with the pruning baselines beside each), over the splits (median
//! and min–max of the per-split medians), and per ablation.

use crate::quantities::Quantity::{self, *};
use crate::run::BenchResult;
use crate::summary::{CaseSummary, MethodAccuracy, MethodSpread, SplitsSummary, Spread};

fn pct(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{:.1} %", 100.0 * v)
    }
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or("-".into(), pct)
}

/// A number with `decimals` decimals, `-` when missing.
fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

/// The "HiGHS's bound" cell: the MIP's dual bound `mip`, or `≤ proven`
/// where the MIP was given an objective floor (`floor`, the bound methods'
/// best bound) and its bound does not exceed it by `best_bound`'s margin
/// ([`mipnet_train::MIP_OWN_BOUND_MARGIN`]): that bound is the methods'
/// floor passed through, not what HiGHS proved, so printing it as HiGHS's
/// would credit the solver with the methods' bound. Without a floor
/// (`--no-bound-rows`, the methods off) the MIP's bound is its own, even
/// below the methods' bound, and is printed.
fn highs_bound_cell(mip: Option<f64>, floor: Option<f64>) -> String {
    match (mip, floor) {
        (None, _) => "-".into(),
        (Some(m), Some(f)) if m <= f + mipnet_train::MIP_OWN_BOUND_MARGIN * f.abs().max(1.0) => "≤ proven".into(),
        (Some(m), _) => format!("{m:.4}"),
    }
}

/// `median (min–max)` in percent.
fn spread_pct(s: Option<Spread>) -> String {
    match s {
        Some(s) if s.min == s.max => pct(s.median),
        Some(s) => format!("{} ({:.1}–{:.1})", pct(s.median), 100.0 * s.min, 100.0 * s.max),
        None => "-".into(),
    }
}

fn spread_num(s: Option<Spread>, decimals: usize) -> String {
    match s {
        Some(s) if s.min == s.max => format!("{:.*}", decimals, s.median),
        Some(s) => format!(
            "{:.*} ({:.*}–{:.*})",
            decimals, s.median, decimals, s.min, decimals, s.max
        ),
        None => "-".into(),
    }
}

/// The pruning methods' columns: the methods' names in the order the
/// baselines give them (one-shot, iterative, ℓ1 proximal).
fn methods(r: &BenchResult) -> Vec<String> {
    r.summaries
        .iter()
        .find(|c| !c.at_equal_sparsity.is_empty())
        .map(|c| c.at_equal_sparsity.iter().map(|m| m.method.clone()).collect())
        .unwrap_or_default()
}

fn method_pct(list: &[MethodAccuracy], method: &str) -> String {
    opt_pct(list.iter().find(|m| m.method == method).and_then(|m| m.test_accuracy))
}

fn method_spread(list: &[MethodSpread], method: &str) -> String {
    spread_pct(list.iter().find(|m| m.method == method).and_then(|m| m.test_accuracy))
}

/// The seeds as `0–4` when consecutive, else `0, 2, 5`.
fn seeds_text(seeds: &[u64]) -> String {
    let consecutive = seeds.len() > 2 && seeds.windows(2).all(|w| w[1] == w[0] + 1);
    if consecutive {
        format!("{}–{}", seeds[0], seeds[seeds.len() - 1])
    } else {
        seeds.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// A split's chosen settings over its seeds: `α 0.01` or `α 0.01 ×2; α 0.1`.
fn chosen(r: &BenchResult, settings: &[mipnet_select::Setting]) -> String {
    let Some(sel) = &r.suite.selection else {
        return String::new();
    };
    let mut counts: Vec<(String, usize)> = Vec::new();
    for s in settings {
        let text = sel.varied(s);
        match counts.iter_mut().find(|(t, _)| *t == text) {
            Some((_, n)) => *n += 1,
            None => counts.push((text, 1)),
        }
    }
    if counts.is_empty() {
        return "-".into();
    }
    counts
        .into_iter()
        .map(|(t, n)| if n > 1 { format!("{t} ×{n}") } else { t })
        .collect::<Vec<_>>()
        .join("; ")
}

fn header(r: &BenchResult) -> String {
    let s = &r.suite;
    let f = &s.settings.formulation;
    let split = if s.cases.iter().any(|c| c.per_class.is_some()) {
        "MNIST: balanced training subsets drawn with the run's seed, all 10,000 test images, 2×2-pooled inputs"
            .to_string()
    } else {
        format!(
            "split seed{} {}, test fraction {}",
            if s.split_seeds.len() == 1 { "" } else { "s" },
            seeds_text(&s.split_seeds),
            s.test_fraction
        )
    };
    let mut levels: Vec<String> = s
        .cases
        .iter()
        .filter_map(|c| c.grid_levels.map(|p| format!("P = {p} for {}", c.arch)))
        .collect();
    levels.dedup();
    let alongside = r.rows.iter().filter(|x| x.mip_alongside_search).count();
    format!(
        "Suite `{}`: {} seed(s) {:?} (gradient and HiGHS), {split}, \
         {} s per run for {}, {} threads{}, ω = {}, s = {}, P = {}{}, α = {}, loss {}; {}.{}{}\n\n",
        s.name,
        s.seeds.len(),
        s.seeds,
        s.settings.solver.time_limit,
        if s.settings.stages.mip_alongside_search {
            let fell_back = if alongside < r.rows.len() {
                format!(
                    "; in {alongside} of {} runs, the others with the MIP after the search or none",
                    r.rows.len()
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
        } + &if s.settings.stages.prove_seconds > 0.0 {
            format!(
                ", then {} s of branch-and-price against each run's network",
                s.settings.stages.prove_seconds
            )
        } else {
            String::new()
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
        r.solver,
        match &s.selection {
            Some(sel) => format!(
                " {}; the time limit is each selection's whole (cross-validation and refit), \
                 and the columns are the refit network's.",
                capitalized(&sel.describe())
            ),
            None => String::new(),
        },
        if s.baselines {
            " Baselines (dense networks; trained on the run's training split only, same architecture and α): \
             the dense gradient network, and each pruning method at the mipnet network's zero-weight count; \
             test accuracy."
        } else {
            ""
        }
    )
}

fn capitalized(text: &str) -> String {
    let mut c = text.chars();
    c.next().map_or(String::new(), |first| {
        first.to_uppercase().collect::<String>() + c.as_str()
    })
}

fn split_table(r: &BenchResult, methods: &[String]) -> String {
    let selecting = r.suite.selection.is_some();
    let mut out = format!(
        "Per split: medians over the seeds.\n\n| dataset | network | split seed |{} test accuracy | sparsity | params kept | \
         polished | searched | objective | proven bound | HiGHS's bound | gap | time (s) | dense gradient |",
        if selecting { " selected |" } else { "" }
    );
    for m in methods {
        out += &format!(" {m} |");
    }
    out += " certified |\n|";
    let columns = 15 + usize::from(selecting) + methods.len();
    out += &"---|".repeat(columns);
    out += "\n";
    let obj = |o: Option<f64>| o.map_or("-".into(), |o| format!("{o:.4}"));
    for c in &r.summaries {
        let m = |q: Quantity| c.median(q);
        out += &format!(
            "| {} | {} | {} |{} {} | {} | {}/{} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.dataset,
            c.arch,
            c.split_seed,
            if selecting {
                format!(" {} |", chosen(r, &c.selected))
            } else {
                String::new()
            },
            opt_pct(m(TestAccuracy)),
            opt_pct(m(WeightSparsity)),
            num(m(ParamsKept), 0),
            c.params_total,
            obj(m(PolishedObjective)),
            obj(m(SearchedObjective)),
            num(m(Objective), 4),
            obj(m(DualBound)),
            highs_bound_cell(m(MipDualBound), m(MipFloor)),
            opt_pct(m(MipGap)),
            num(m(TotalSeconds), 1),
            opt_pct(m(DenseTestAccuracy)),
        );
        for m in methods {
            out += &format!(" {} |", method_pct(&c.at_equal_sparsity, m));
        }
        out += &format!(" {}/{} |\n", c.certificates_passed, c.runs + c.interrupted_runs);
    }
    out
}

fn over_splits_table(r: &BenchResult, methods: &[String]) -> String {
    let selecting = r.suite.selection.is_some();
    let mut out = format!(
        "\nOver split seeds {}: the median of the per-split medians, their minimum–maximum in brackets.\n\n\
         | dataset | network | splits | test accuracy | sparsity | params kept | objective | time (s) | dense gradient |",
        seeds_text(&r.suite.split_seeds)
    );
    for m in methods {
        out += &format!(" {m} |");
    }
    if selecting {
        out += " selected (runs) |";
    }
    out += " certified |\n|";
    out += &"---|".repeat(10 + usize::from(selecting) + methods.len());
    out += "\n";
    for c in &r.over_splits {
        out += &over_splits_row(r, c, methods);
    }
    out
}

fn over_splits_row(r: &BenchResult, c: &SplitsSummary, methods: &[String]) -> String {
    let mut out = format!(
        "| {} | {} | {} | {} | {} | {}/{} | {} | {} | {} |",
        c.dataset,
        c.arch,
        c.split_seeds.len(),
        spread_pct(c.spread(TestAccuracy)),
        spread_pct(c.spread(WeightSparsity)),
        spread_num(c.spread(ParamsKept), 0),
        c.params_total,
        spread_num(c.spread(Objective), 4),
        spread_num(c.spread(TotalSeconds), 1),
        spread_pct(c.spread(DenseTestAccuracy)),
    );
    for m in methods {
        out += &format!(" {} |", method_spread(&c.at_equal_sparsity, m));
    }
    if let Some(sel) = &r.suite.selection {
        let chosen: Vec<String> = c
            .selected
            .iter()
            .map(|s| format!("{} ×{}", sel.varied(&s.setting), s.runs))
            .collect();
        out += &format!(
            " {} |",
            if chosen.is_empty() {
                "-".into()
            } else {
                chosen.join("; ")
            }
        );
    }
    out += &format!(" {}/{} |\n", c.certificates_passed, c.runs);
    out
}

fn ablation_table(r: &BenchResult) -> String {
    let mut out = "\nAblations: each part switched in turn, same budget and seeds (medians; Δ = change of the \
                   median against everything on).\n\n"
        .to_string();
    out += "| dataset | split seed | variant | test accuracy | sparsity | objective | Δ objective | gap | time (s) | certified |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|\n";
    for base in &r.summaries {
        let same = |c: &&CaseSummary| c.dataset == base.dataset && c.split_seed == base.split_seed;
        let rows = std::iter::once(("everything on", base)).chain(
            r.ablations
                .iter()
                .filter_map(|a| a.summaries.iter().find(same).map(|c| (a.ablation, c))),
        );
        let base_objective = base.median(Objective);
        for (name, c) in rows {
            let objective = c.median(Objective);
            let change = match (objective, base_objective) {
                (Some(o), Some(b)) => format!("{:+.4}", o - b),
                _ => "-".into(),
            };
            out += &format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {}/{} |\n",
                c.dataset,
                c.split_seed,
                name,
                opt_pct(c.median(TestAccuracy)),
                opt_pct(c.median(WeightSparsity)),
                num(objective, 4),
                change,
                opt_pct(c.median(MipGap)),
                num(c.median(TotalSeconds), 1),
                c.certificates_passed,
                c.runs + c.interrupted_runs
            );
        }
    }
    out
}

/// The markdown of a bench result: the settings line, the per-split
/// table, the table over the splits (with two or more split seeds), and
/// the ablations.
pub fn markdown(r: &BenchResult) -> String {
    let methods = methods(r);
    let mut out = header(r);
    out += &split_table(r, &methods);
    if r.suite.split_seeds.len() > 1 {
        out += &over_splits_table(r, &methods);
    }
    if !r.ablations.is_empty() {
        out += &ablation_table(r);
    }
    if r.interrupted {
        out += "\nInterrupted: the tables hold the runs that finished.\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planted::{bench, row, selected_row};
    use crate::*;
    use mipnet_train::{StageName, TrainSettings};

    #[test]
    fn the_highs_bound_column_shows_only_the_solvers_own_proof() {
        // Given the floor 0.5: HiGHS's bound at it (up to the margin), or
        // below it before its root LP, is the floor passed through.
        assert_eq!(highs_bound_cell(Some(0.5 - 1e-9), Some(0.5)), "≤ proven");
        assert_eq!(highs_bound_cell(Some(0.5 + 1e-8), Some(0.5)), "≤ proven");
        assert_eq!(highs_bound_cell(Some(0.0), Some(0.5)), "≤ proven");
        // HiGHS's own: above the floor by the margin, or no floor given
        // (--no-bound-rows), even below the methods' bound.
        assert_eq!(highs_bound_cell(Some(0.6), Some(0.5)), "0.6000");
        assert_eq!(highs_bound_cell(Some(0.0092), None), "0.0092");
        assert_eq!(highs_bound_cell(Some(0.2), None), "0.2000");
        assert_eq!(highs_bound_cell(None, Some(0.5)), "-");
    }

    #[test]
    fn the_per_split_table_prints_the_highs_bound_by_the_floor_the_mip_was_given() {
        // The planted rows: proven bound 0.01 given as the floor, MIP bound
        // 0.005 (before its root LP): the floor passed through.
        let floor = bench(vec![row("iris", 0, 0, 0.95, 0.2)], &["iris"], &[0]);
        assert!(
            markdown(&floor).contains("| 0.0100 | ≤ proven | 90.0 % |"),
            "{}",
            markdown(&floor)
        );
        // --no-bound-rows: no floor, the same MIP bound is HiGHS's own.
        let mut own = row("iris", 0, 0, 0.95, 0.2);
        own.mip_floor = None;
        let own = bench(vec![own], &["iris"], &[0]);
        assert_eq!(own.summaries[0].median(MipFloor), None);
        assert!(
            markdown(&own).contains("| 0.0100 | 0.0050 | 90.0 % |"),
            "{}",
            markdown(&own)
        );
    }

    #[test]
    fn the_ablation_table_has_a_row_per_dataset_split_and_variant_with_the_change() {
        let mut r = bench(
            vec![row("iris", 0, 0, 0.95, 0.2), row("wine", 0, 0, 0.95, 0.1)],
            &["iris", "wine"],
            &[0],
        );
        r.ablations = ABLATIONS
            .iter()
            .map(|a| {
                let rows = vec![row("iris", 0, 0, 0.95, 0.25), row("wine", 0, 0, 0.95, 0.05)];
                let (summaries, over_splits) = summary::summarize(&rows, &["iris".into(), "wine".into()], &[0]);
                AblationResult {
                    ablation: a.name,
                    rows,
                    summaries,
                    over_splits,
                    reports: Vec::new(),
                }
            })
            .collect();
        let md = markdown(&r);
        assert!(
            md.contains("| iris | 0 | everything on | 95.0 % | 50.0 % | 0.2000 | +0.0000 |"),
            "{md}"
        );
        assert!(
            md.contains("| iris | 0 | no polish | 95.0 % | 50.0 % | 0.2500 | +0.0500 |"),
            "{md}"
        );
        assert!(
            md.contains("| wine | 0 | with Lipschitz cuts | 95.0 % | 50.0 % | 0.0500 | -0.0500 |"),
            "{md}"
        );
        let ablation_rows = md
            .lines()
            .filter(|l| l.starts_with("| iris | 0 |") || l.starts_with("| wine | 0 |"))
            .count();
        assert_eq!(ablation_rows, 2 * (1 + ABLATIONS.len()));
        // One split: no table over splits.
        assert!(!md.contains("Over split seeds"), "{md}");
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
    fn the_tables_show_per_split_medians_and_the_median_and_range_over_splits_beside_the_baselines() {
        // Iris over split seeds 0, 1, 2 with seeds 0 and 1: per-split
        // medians 0.875, 0.5, 0.75 (an interrupted run in split 1 left
        // out); over the splits median 0.75, range 0.5–0.875 (the mean,
        // 0.708, would be wrong).
        let mut interrupted = row("iris", 1, 1, 0.0, 9.0);
        interrupted.interrupted = true;
        let rows = vec![
            row("iris", 0, 0, 0.75, 0.2),
            row("iris", 0, 1, 1.0, 0.2),
            row("iris", 1, 0, 0.5, 0.3),
            interrupted,
            row("iris", 2, 0, 0.625, 0.1),
            row("iris", 2, 1, 0.875, 0.1),
        ];
        let r = bench(rows, &["iris"], &[0, 1, 2]);
        assert_eq!(r.summaries.len(), 3);
        let per_split: Vec<Option<f64>> = r.summaries.iter().map(|c| c.median(TestAccuracy)).collect();
        assert_eq!(per_split, vec![Some(0.875), Some(0.5), Some(0.75)]);
        assert_eq!((r.summaries[1].runs, r.summaries[1].interrupted_runs), (1, 1));
        let over = &r.over_splits[0];
        assert_eq!(
            over.spread(TestAccuracy),
            Some(Spread {
                median: 0.75,
                min: 0.5,
                max: 0.875
            })
        );
        assert_eq!(over.split_seeds, vec![0, 1, 2]);
        assert_eq!(over.runs, 5);
        // The baselines: the planted one-shot network scores 0.25 below mipnet.
        let one_shot = &over.at_equal_sparsity[0];
        assert_eq!(one_shot.method, "one-shot magnitude + fine-tune");
        assert_eq!(one_shot.test_accuracy.unwrap().median, 0.5);
        let md = markdown(&r);
        assert!(md.contains("split seeds 0–2, test fraction 0.25"), "{md}");
        assert!(
            md.contains("| iris | dense 8 > dense 3 | 1 | 50.0 % | 50.0 % | 30/67 |"),
            "{md}"
        );
        assert!(
            md.contains("| 1/2 |\n"),
            "the interrupted run is counted as not certified: {md}"
        );
        assert!(md.contains("Over split seeds 0–2"), "{md}");
        assert!(
            md.contains("| iris | dense 8 > dense 3 | 3 | 75.0 % (50.0–87.5) | 50.0 % | 30/67 |"),
            "{md}"
        );
        assert!(
            md.contains("| one-shot magnitude + fine-tune | iterative magnitude + rewind | ℓ1 proximal |"),
            "{md}"
        );
        assert!(md.contains("| 50.0 % (25.0–62.5) |"), "{md}");
    }

    #[test]
    fn with_selection_the_tables_name_the_chosen_settings() {
        let rows = vec![
            selected_row("iris", 0, 0.01),
            selected_row("iris", 1, 0.01),
            selected_row("iris", 2, 0.1),
        ];
        let mut r = bench(rows, &["iris"], &[0, 1, 2]);
        r.suite.selection = Some(SuiteSelection {
            grid: mipnet_select::Grid {
                l1: Some(vec![0.01, 0.1]),
                ..Default::default()
            },
            folds: 3,
            fold_seed: 0,
            refit_share: 0.25,
        });
        let md = markdown(&r);
        assert!(md.contains("grid α [0.01, 0.1], 3 stratified folds"), "{md}");
        assert!(md.contains("| split seed | selected | test accuracy |"), "{md}");
        assert!(md.contains("| iris | dense 8 > dense 3 | 2 | α 0.1 |"), "{md}");
        assert!(md.contains("| α 0.01 ×2; α 0.1 ×1 |"), "{md}");
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
