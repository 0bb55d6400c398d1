//! Model selection as a suite option: every run of the suite becomes
//! `mipnet select`'s plan (mipnet-select: stratified K-fold
//! cross-validation on the run's training split, the choice, the refit on
//! the whole split, certified) instead of one `train` run.

use mipnet_select::{Grid, SelectSection, Setting, DEFAULT_FOLDS, DEFAULT_REFIT_SHARE};
use serde::Serialize;

/// The selection every run of a suite makes: a `--grid` file's `[select]`
/// section, as `mipnet select` reads it. The suite's time limit is each
/// selection's whole (cross-validation and refit), as `select
/// --time-limit` is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SuiteSelection {
    /// The lists tried; a dimension left out takes the case's value (its
    /// hidden widths, the suite's α, margin, P and loss).
    pub grid: Grid,
    pub folds: usize,
    pub fold_seed: u64,
    pub refit_share: f64,
}

impl SuiteSelection {
    /// The selection a `[select]` section gives, with `mipnet select`'s
    /// defaults for the keys it leaves out.
    pub fn of(section: &SelectSection) -> SuiteSelection {
        SuiteSelection {
            grid: section.grid(),
            folds: section.folds.unwrap_or(DEFAULT_FOLDS),
            fold_seed: section.fold_seed.unwrap_or(0),
            refit_share: section.refit_share.unwrap_or(DEFAULT_REFIT_SHARE),
        }
    }

    /// `setting` by the dimensions the grid varies (those with more than
    /// one value), e.g. `α 0.01` or `α 0.1, hidden 4`; the whole setting
    /// when the grid varies none.
    pub fn varied(&self, setting: &Setting) -> String {
        let g = &self.grid;
        let many = |n: Option<usize>| n.is_some_and(|n| n > 1);
        let mut parts = Vec::new();
        if many(g.l1.as_ref().map(Vec::len)) {
            parts.push(format!("α {}", setting.l1));
        }
        if many(g.hidden.as_ref().map(Vec::len)) {
            let widths: Vec<String> = setting.hidden.iter().map(|w| w.to_string()).collect();
            parts.push(format!("hidden {}", widths.join(",")));
        }
        if many(g.margin.as_ref().map(Vec::len)) {
            parts.push(format!("margin {}", setting.margin));
        }
        if many(g.grid_levels.as_ref().map(Vec::len)) {
            parts.push(format!("P {}", setting.grid_levels));
        }
        if many(g.loss.as_ref().map(Vec::len)) {
            parts.push(setting.loss.name().to_string());
        }
        if parts.is_empty() {
            setting.describe()
        } else {
            parts.join(", ")
        }
    }

    /// One line for the table's header: the lists, folds and refit share.
    pub fn describe(&self) -> String {
        let g = &self.grid;
        let mut lists = Vec::new();
        let list = |v: Vec<String>| format!("[{}]", v.join(", "));
        if let Some(v) = &g.l1 {
            lists.push(format!("α {}", list(v.iter().map(|x| x.to_string()).collect())));
        }
        if let Some(v) = &g.hidden {
            let archs = v
                .iter()
                .map(|h| h.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(","))
                .collect();
            lists.push(format!("hidden {}", list(archs)));
        }
        if let Some(v) = &g.margin {
            lists.push(format!("margin {}", list(v.iter().map(|x| x.to_string()).collect())));
        }
        if let Some(v) = &g.grid_levels {
            lists.push(format!("P {}", list(v.iter().map(|x| x.to_string()).collect())));
        }
        if let Some(v) = &g.loss {
            lists.push(format!(
                "loss {}",
                list(v.iter().map(|x| x.name().to_string()).collect())
            ));
        }
        format!(
            "model selection in every run (mipnet select's plan): grid {}, {} stratified folds of the training split (fold seed {}), \
             the best mean validation accuracy refit on the whole training split with {} of the time limit",
            if lists.is_empty() {
                "of the suite's single setting".to_string()
            } else {
                lists.join(", ")
            },
            self.folds,
            self.fold_seed,
            self.refit_share
        )
    }
}
