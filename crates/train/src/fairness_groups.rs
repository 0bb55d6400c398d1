//! The groups of fairness rules, read from the raw training data before
//! anything else: the formulation sees standardized data (a threshold is
//! in the data's own units) and, for a rule with `group_is_feature =
//! false`, data without the group column at all. Each fairness rule gets
//! its groups (`members`); the columns kept out of the inputs are dropped
//! from the training and test data the run uses.

use crate::error::TrainError;
use crate::job::Job;
use crate::settings::{CheckedSettings, TrainSettingError};
use mipnet_data::Dataset;
use mipnet_formulate::{check_rules_on_inputs, group_members, Rule, SettingError};
use std::collections::BTreeSet;

/// A job's data and settings with the fairness rules' groups given and
/// the group columns that are not inputs dropped.
pub(crate) struct Grouped {
    pub(crate) train: Dataset,
    pub(crate) test: Option<Dataset>,
    pub(crate) settings: CheckedSettings,
}

impl Grouped {
    /// The job over this data and these settings.
    pub(crate) fn job<'a>(&'a self, job: &Job<'a>) -> Job<'a> {
        Job {
            dataset: job.dataset.clone(),
            train: &self.train,
            test: self.test.as_ref(),
            settings: &self.settings,
            solver: job.solver,
        }
    }
}

fn refused(reason: String) -> TrainError {
    TrainError::Settings(TrainSettingError::from(SettingError { name: "rules", reason }))
}

/// The job's data and settings with every fairness rule's groups read
/// from the raw training data; none when the job has no fairness rule.
pub(crate) fn with_groups(job: &Job) -> Result<Option<Grouped>, TrainError> {
    let rules = &job.settings.formulation.rules;
    if !rules.iter().any(|r| matches!(r, Rule::Fairness { .. })) {
        return Ok(None);
    }
    // Unknown columns, empty groups, bad values: named by rule. A fairness
    // rule reads its group column from the raw data; every other rule
    // (a fixed decision: a user's, or a region's counterexample over the
    // network's features) names the data the network reads, without the
    // group columns kept out of the inputs.
    let kept_out: BTreeSet<String> = rules
        .iter()
        .filter_map(|r| match r {
            Rule::Fairness {
                group,
                group_is_feature: false,
                ..
            } => Some(group.clone()),
            _ => None,
        })
        .collect();
    check_rules_on_inputs(rules, job.train, &without(job.train, &kept_out)).map_err(TrainSettingError::from)?;
    let mut settings = job.settings.clone().into_inner();
    let (mut dropped, mut kept) = (BTreeSet::new(), BTreeSet::new());
    for rule in settings.formulation.rules.iter_mut() {
        if let Rule::Fairness {
            group,
            threshold,
            group_is_feature,
            members,
            ..
        } = rule
        {
            *members = Some(group_members(group, *threshold, job.train).map_err(refused)?);
            if *group_is_feature {
                kept.insert(group.clone());
            } else {
                dropped.insert(group.clone());
            }
        }
    }
    if let Some(both) = dropped.intersection(&kept).next() {
        return Err(refused(format!(
            "the group column \"{both}\" is kept out of the inputs by one fairness rule (group_is_feature = false) and read by another"
        )));
    }
    if !dropped.is_empty() && job.train.encoding().is_some() {
        return Err(refused(
            "a group column can be kept out of the inputs only for data without one-hot encoded text columns (drop the column from the file and give the groups as a numeric column)".into(),
        ));
    }
    let train = without(job.train, &dropped);
    if train.num_features() == 0 {
        return Err(refused(
            "the group columns kept out of the inputs were the only features".into(),
        ));
    }
    let settings = settings.check(job.solver).map_err(TrainError::Settings)?;
    Ok(Some(Grouped {
        test: job.test.map(|t| without(t, &dropped)),
        train,
        settings,
    }))
}

/// `data` without the columns named in `dropped`.
fn without(data: &Dataset, dropped: &BTreeSet<String>) -> Dataset {
    if dropped.is_empty() {
        return data.clone();
    }
    let keep: Vec<usize> = (0..data.num_features())
        .filter(|&i| !dropped.contains(&data.feature_names[i]))
        .collect();
    let x: Vec<f64> = (0..data.len())
        .flat_map(|n| keep.iter().map(move |&i| data.row(n)[i]))
        .collect();
    Dataset::new(
        data.name.clone(),
        keep.iter().map(|&i| data.feature_names[i].clone()).collect(),
        data.class_names.clone(),
        x,
        data.labels().to_vec(),
    )
}
