//! The grid of settings model selection tries: lists of α, hidden widths,
//! margin, P and loss (from flags or a `--grid` file's `[select]` section),
//! validated, and expanded into one [`Setting`] per combination.

use crate::SelectError;
use mipnet_formulate::Loss;
use mipnet_solver::ChecksOptions;
use mipnet_train::TrainSettings;
use serde::{Deserialize, Serialize};

/// Lists of values per dimension; a dimension left out (None) takes the
/// base settings' single value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grid {
    /// α, the ℓ1 penalty on weights (`formulation.l1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l1: Option<Vec<f64>>,
    /// Hidden layer widths, one list per architecture (`formulation.hidden`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<Vec<usize>>>,
    /// Margin of the hinge and misclassification losses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<Vec<f64>>,
    /// P: grid weights are s·{−P..P} (`formulation.grid_levels`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid_levels: Option<Vec<u32>>,
    /// The MILP's loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<Vec<Loss>>,
}

/// The `[select]` section of a `--grid` file: the grid and the
/// cross-validation's own settings; every key optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelectSection {
    /// Folds K of the cross-validation (`--folds`).
    pub folds: Option<usize>,
    /// Seed of the folds (`--fold-seed`).
    pub fold_seed: Option<u64>,
    /// Share of the time limit for the refit (`--refit-share`).
    pub refit_share: Option<f64>,
    pub l1: Option<Vec<f64>>,
    pub hidden: Option<Vec<Vec<usize>>>,
    pub margin: Option<Vec<f64>>,
    pub grid_levels: Option<Vec<u32>>,
    pub loss: Option<Vec<Loss>>,
}

impl SelectSection {
    /// Reads a `--grid` file's text: a `[select]` section and nothing
    /// else (unknown keys refused, naming the key).
    pub fn from_toml(text: &str) -> Result<SelectSection, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            select: SelectSection,
        }
        let file: File = toml::from_str(text).map_err(|e| {
            let one_line = e.to_string().lines().collect::<Vec<_>>().join(" ");
            if one_line.contains("expected `select`") {
                format!("{one_line} (a --grid file holds the [select] section only; the run's settings go in --config)")
            } else {
                one_line
            }
        })?;
        Ok(file.select)
    }

    /// The grid it gives.
    pub fn grid(&self) -> Grid {
        Grid {
            l1: self.l1.clone(),
            hidden: self.hidden.clone(),
            margin: self.margin.clone(),
            grid_levels: self.grid_levels.clone(),
            loss: self.loss.clone(),
        }
    }
}

/// The values one training run of the grid takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub l1: f64,
    pub hidden: Vec<usize>,
    pub margin: f64,
    pub grid_levels: u32,
    pub loss: Loss,
}

impl Setting {
    /// The values `settings` trains with (a single run's setting, as the
    /// grid would name it).
    pub fn of(settings: &TrainSettings) -> Setting {
        let f = &settings.formulation;
        Setting {
            l1: f.l1,
            hidden: f.hidden.clone(),
            margin: f.margin,
            grid_levels: f.grid_levels,
            loss: f.loss,
        }
    }

    /// `base` with this setting's values.
    pub fn apply(&self, base: &TrainSettings) -> TrainSettings {
        let mut s = base.clone();
        let f = &mut s.formulation;
        f.l1 = self.l1;
        f.hidden = self.hidden.clone();
        f.margin = self.margin;
        f.grid_levels = self.grid_levels;
        f.loss = self.loss;
        s
    }

    /// One line: `α 0.01, hidden 8, margin 1, P 1, hinge`.
    pub fn describe(&self) -> String {
        format!(
            "α {}, hidden {}, margin {}, P {}, {}",
            self.l1,
            self.hidden.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(","),
            self.margin,
            self.grid_levels,
            self.loss.name()
        )
    }
}

/// How each dimension is named in messages: its flag and its key.
const L1: &str = "α (--l1-values, l1)";
const HIDDEN: &str = "hidden widths (--hidden-values, hidden)";
const MARGIN: &str = "margin (--margin-values, margin)";
const GRID_LEVELS: &str = "P (--grid-levels-values, grid_levels)";
const LOSS: &str = "loss (--loss-values, loss)";

/// The largest P the formulation takes (`FormulationSettings::validate`).
const MAX_GRID_LEVELS: u32 = 64;

impl Grid {
    /// `self` with the base settings' value in every dimension it leaves out.
    pub fn resolved(&self, base: &TrainSettings) -> Grid {
        let f = &base.formulation;
        Grid {
            l1: Some(self.l1.clone().unwrap_or_else(|| vec![f.l1])),
            hidden: Some(self.hidden.clone().unwrap_or_else(|| vec![f.hidden.clone()])),
            margin: Some(self.margin.clone().unwrap_or_else(|| vec![f.margin])),
            grid_levels: Some(self.grid_levels.clone().unwrap_or_else(|| vec![f.grid_levels])),
            loss: Some(self.loss.clone().unwrap_or_else(|| vec![f.loss])),
        }
    }

    /// `over` with `self`'s dimensions where `self` gives them (flags over
    /// a file).
    pub fn over(&self, over: &Grid) -> Grid {
        Grid {
            l1: self.l1.clone().or_else(|| over.l1.clone()),
            hidden: self.hidden.clone().or_else(|| over.hidden.clone()),
            margin: self.margin.clone().or_else(|| over.margin.clone()),
            grid_levels: self.grid_levels.clone().or_else(|| over.grid_levels.clone()),
            loss: self.loss.clone().or_else(|| over.loss.clone()),
        }
    }

    /// Checks every list (not empty, no repeated value, each value in its
    /// range), then every combination as a whole training run's settings;
    /// returns the combinations in order (hidden, α, margin, P, loss; the
    /// last varying fastest).
    pub fn settings(&self, base: &TrainSettings, solver: &dyn ChecksOptions) -> Result<Vec<Setting>, SelectError> {
        let g = self.resolved(base);
        let (l1, hidden, margin, levels, loss) = (
            g.l1.unwrap_or_default(),
            g.hidden.unwrap_or_default(),
            g.margin.unwrap_or_default(),
            g.grid_levels.unwrap_or_default(),
            g.loss.unwrap_or_default(),
        );
        check_list(L1, &l1, |&a| {
            if !a.is_finite() {
                Some(format!("{a} is not a finite number"))
            } else if a < 0.0 {
                Some(format!("{a} is negative; α must be zero or positive"))
            } else {
                None
            }
        })?;
        check_list(MARGIN, &margin, |&m| {
            (!(m.is_finite() && m >= 0.0)).then(|| format!("{m} is not zero or a positive number"))
        })?;
        check_list(GRID_LEVELS, &levels, |&p| {
            (!(1..=MAX_GRID_LEVELS).contains(&p)).then(|| format!("{p} is not within 1..={MAX_GRID_LEVELS}"))
        })?;
        check_list(HIDDEN, &hidden, |h| {
            if h.is_empty() {
                Some("an architecture with no hidden layer".to_string())
            } else {
                h.contains(&0).then(|| format!("{h:?} has a layer of width 0"))
            }
        })?;
        check_list(LOSS, &loss, |_| None)?;
        let mut out = Vec::new();
        for h in &hidden {
            for &a in &l1 {
                for &m in &margin {
                    for &p in &levels {
                        for &lo in &loss {
                            out.push(Setting {
                                l1: a,
                                hidden: h.clone(),
                                margin: m,
                                grid_levels: p,
                                loss: lo,
                            });
                        }
                    }
                }
            }
        }
        for s in &out {
            s.apply(base)
                .check(solver)
                .map_err(|e| SelectError::Grid(format!("setting {}: {e}", s.describe())))?;
        }
        Ok(out)
    }
}

/// Refuses an empty list, a repeated value, or a value `bad` names.
fn check_list<T: PartialEq + std::fmt::Debug>(
    name: &str,
    values: &[T],
    bad: impl Fn(&T) -> Option<String>,
) -> Result<(), SelectError> {
    if values.is_empty() {
        return Err(SelectError::Grid(format!(
            "grid {name}: empty list; give at least one value"
        )));
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(why) = bad(v) {
            return Err(SelectError::Grid(format!("grid {name}: {why}")));
        }
        if values[..i].contains(v) {
            return Err(SelectError::Grid(format!("grid {name}: lists {v:?} twice")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_highs::HighsSolver;

    fn err(g: Grid) -> String {
        g.settings(&TrainSettings::default(), &HighsSolver)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_grid_expands_in_order_with_the_base_values_for_what_it_leaves_out() {
        let g = Grid {
            l1: Some(vec![0.001, 0.1]),
            hidden: Some(vec![vec![4], vec![8, 4]]),
            ..Grid::default()
        };
        let s = g.settings(&TrainSettings::default(), &HighsSolver).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!((s[0].hidden.clone(), s[0].l1), (vec![4], 0.001));
        assert_eq!((s[1].hidden.clone(), s[1].l1), (vec![4], 0.1));
        assert_eq!((s[3].hidden.clone(), s[3].l1), (vec![8, 4], 0.1));
        assert!(s
            .iter()
            .all(|x| x.margin == 1.0 && x.grid_levels == 1 && x.loss == Loss::Hinge));
        assert_eq!(s[3].describe(), "α 0.1, hidden 8,4, margin 1, P 1, hinge");
        let t = s[3].apply(&TrainSettings::default());
        assert_eq!((t.formulation.l1, t.formulation.hidden.clone()), (0.1, vec![8, 4]));
    }

    #[test]
    fn bad_grids_are_refused_naming_the_cause() {
        let cases = [
            (
                Grid {
                    l1: Some(vec![]),
                    ..Grid::default()
                },
                "grid α (--l1-values, l1): empty list",
            ),
            (
                Grid {
                    l1: Some(vec![0.01, -0.1]),
                    ..Grid::default()
                },
                "-0.1 is negative",
            ),
            (
                Grid {
                    l1: Some(vec![0.01, 0.01]),
                    ..Grid::default()
                },
                "lists 0.01 twice",
            ),
            (
                Grid {
                    hidden: Some(vec![vec![4, 0]]),
                    ..Grid::default()
                },
                "[4, 0] has a layer of width 0",
            ),
            (
                Grid {
                    grid_levels: Some(vec![65]),
                    ..Grid::default()
                },
                "65 is not within 1..=64",
            ),
            (
                Grid {
                    margin: Some(vec![f64::NAN]),
                    ..Grid::default()
                },
                "grid margin",
            ),
        ];
        for (g, want) in cases {
            let e = err(g);
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn a_grid_file_holds_a_select_section_and_refuses_unknown_keys_and_losses() {
        let s = SelectSection::from_toml(
            "[select]\nfolds = 3\nl1 = [0.001, 0.01]\nhidden = [[4], [8]]\nloss = [\"hinge\", \"misclassification\"]\n",
        )
        .unwrap();
        assert_eq!(s.folds, Some(3));
        assert_eq!(s.grid().hidden, Some(vec![vec![4], vec![8]]));
        assert_eq!(s.grid().loss, Some(vec![Loss::Hinge, Loss::Misclassification]));
        let e = SelectSection::from_toml("[select]\nloss = [\"hinge\", \"squared\"]\n").unwrap_err();
        assert!(e.contains("unknown variant `squared`") && e.contains("hinge"), "{e}");
        let e = SelectSection::from_toml("[select]\nalpha = [0.1]\n").unwrap_err();
        assert!(e.contains("unknown field `alpha`"), "{e}");
        let e = SelectSection::from_toml("[formulation]\nl1 = 0.1\n").unwrap_err();
        assert!(
            e.contains("unknown field `formulation`") && e.contains("--config"),
            "{e}"
        );
    }

    #[test]
    fn flags_override_a_file_per_dimension() {
        let file = Grid {
            l1: Some(vec![0.1]),
            margin: Some(vec![0.5]),
            ..Grid::default()
        };
        let flags = Grid {
            l1: Some(vec![0.2]),
            ..Grid::default()
        };
        let g = flags.over(&file);
        assert_eq!((g.l1, g.margin), (Some(vec![0.2]), Some(vec![0.5])));
    }
}
