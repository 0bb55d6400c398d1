//! The quantities a bench summarizes: the one list from which the medians
//! per split ([`crate::CaseSummary`]) and their spreads over the splits
//! ([`crate::SplitsSummary`]) are made. Each is read from a run's row
//! ([`Quantity::of_run`]) and keyed in `bench.json` by its snake-case name.

use crate::instance::RunRow;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// A quantity of a run that the summaries take the median of; serialized
/// as its `bench.json` key (`test_accuracy`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    TestAccuracy,
    TrainAccuracy,
    WeightSparsity,
    ParamsKept,
    Objective,
    /// Best objective after the LP polish of the starts, and after the
    /// search rounds and the large-neighbourhood search (before the MIP).
    PolishedObjective,
    SearchedObjective,
    /// The best proven bound (the bound methods' and the MIP's), and the
    /// MIP's own beside it.
    DualBound,
    MipDualBound,
    /// The objective floor the MIP was given ([`RunRow::mip_floor`]).
    MipFloor,
    MipGap,
    /// Seconds of a run (with selection: cross-validation and refit).
    TotalSeconds,
    /// The train report's own gradient baseline.
    BaselineTestAccuracy,
    BaselineWeightSparsity,
    /// The pruning baselines' dense network.
    DenseTestAccuracy,
}

use Quantity::*;

impl Quantity {
    /// Every quantity, in `bench.json`'s order.
    pub const ALL: [Quantity; 15] = [
        TestAccuracy,
        TrainAccuracy,
        WeightSparsity,
        ParamsKept,
        Objective,
        PolishedObjective,
        SearchedObjective,
        DualBound,
        MipDualBound,
        MipFloor,
        MipGap,
        TotalSeconds,
        BaselineTestAccuracy,
        BaselineWeightSparsity,
        DenseTestAccuracy,
    ];

    /// Its value in one run; none when the run has none.
    pub fn of_run(self, r: &RunRow) -> Option<f64> {
        match self {
            TestAccuracy => r.test_accuracy,
            TrainAccuracy => Some(r.train_accuracy),
            WeightSparsity => Some(r.weight_sparsity),
            ParamsKept => Some(r.params_kept as f64),
            Objective => Some(r.objective),
            PolishedObjective => r.polished_objective,
            SearchedObjective => r.searched_objective,
            DualBound => r.dual_bound,
            MipDualBound => r.mip_dual_bound,
            MipFloor => r.mip_floor,
            MipGap => r.mip_gap,
            TotalSeconds => Some(r.seconds()),
            BaselineTestAccuracy => r.report_baseline_test_accuracy,
            BaselineWeightSparsity => Some(r.report_baseline_weight_sparsity),
            DenseTestAccuracy => r.baselines.as_ref().and_then(|b| b.dense.test_accuracy),
        }
    }

    /// Whether the summary over the splits carries it too (the others are
    /// per split only).
    pub fn over_splits(self) -> bool {
        matches!(
            self,
            TestAccuracy | WeightSparsity | ParamsKept | Objective | TotalSeconds | DenseTestAccuracy
        )
    }
}

/// A value per quantity (those of [`Quantity::ALL`] it was made for), in
/// that order; serialized as one `name: value` entry each, to be flattened
/// into the summary that holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct PerQuantity<T>(Vec<(Quantity, T)>);

impl<T> PerQuantity<T> {
    /// `value` of each quantity of [`Quantity::ALL`] that `keep` keeps.
    pub fn of(keep: impl Fn(Quantity) -> bool, value: impl Fn(Quantity) -> T) -> Self {
        PerQuantity(
            Quantity::ALL
                .into_iter()
                .filter(|&q| keep(q))
                .map(|q| (q, value(q)))
                .collect(),
        )
    }

    /// The value of `q`; none when this summary does not carry `q`.
    pub fn get(&self, q: Quantity) -> Option<&T> {
        self.0.iter().find(|(p, _)| *p == q).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for PerQuantity<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (q, v) in &self.0 {
            map.serialize_entry(q, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quantity_is_listed_once_under_its_snake_case_name() {
        let names: Vec<String> = Quantity::ALL
            .iter()
            .map(|q| serde_json::to_value(q).unwrap().as_str().unwrap().to_string())
            .collect();
        for (i, name) in names.iter().enumerate() {
            assert!(!names[..i].contains(name), "{name} listed twice");
        }
        assert_eq!(names[0], "test_accuracy");
        assert_eq!(names[9], "mip_floor");
        assert_eq!(names[14], "dense_test_accuracy");
        let over: Vec<Quantity> = Quantity::ALL.into_iter().filter(|q| q.over_splits()).collect();
        assert_eq!(
            over,
            [
                TestAccuracy,
                WeightSparsity,
                ParamsKept,
                Objective,
                TotalSeconds,
                DenseTestAccuracy
            ]
        );
    }
}
