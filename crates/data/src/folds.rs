//! Seeded stratified K-fold cross-validation folds of a (training) dataset.
//!
//! Each class's samples are shuffled with the seed and dealt in turn to the
//! folds, the deal continuing from class to class, so every fold holds
//! ⌊n_c/K⌋ or ⌈n_c/K⌉ samples of each class c and the fold sizes differ by
//! at most one. The folds are disjoint and together hold every sample once.

use crate::{DataError, Dataset};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The fewest folds cross-validation can have (one to train on, one to
/// validate on).
pub const MIN_FOLDS: usize = 2;

/// K disjoint validation folds covering a dataset, each stratified by class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StratifiedFolds {
    /// Sample indices of each fold, ascending.
    folds: Vec<Vec<usize>>,
    /// Samples of the dataset the folds were drawn from.
    samples: usize,
}

impl StratifiedFolds {
    /// Number of folds.
    pub fn len(&self) -> usize {
        self.folds.len()
    }

    /// Never true: there are at least [`MIN_FOLDS`].
    pub fn is_empty(&self) -> bool {
        self.folds.is_empty()
    }

    /// The indices validated on in fold `k` (ascending).
    pub fn validation(&self, k: usize) -> &[usize] {
        &self.folds[k]
    }

    /// The indices trained on in fold `k`: every sample not in its
    /// validation fold (ascending).
    pub fn training(&self, k: usize) -> Vec<usize> {
        let mut held = vec![false; self.samples];
        for &i in &self.folds[k] {
            held[i] = true;
        }
        (0..self.samples).filter(|&i| !held[i]).collect()
    }

    /// Fold `k` of `data` (the dataset the folds were drawn from) as
    /// (training part, validation part).
    pub fn split(&self, data: &Dataset, k: usize) -> (Dataset, Dataset) {
        assert_eq!(data.len(), self.samples, "folds of another dataset");
        (data.subset(&self.training(k)), data.subset(self.validation(k)))
    }
}

impl Dataset {
    /// Seeded stratified `k`-fold folds of this dataset. Refused when `k`
    /// is below [`MIN_FOLDS`] or exceeds the samples of some class present
    /// (a fold would then validate on no sample of it), naming the class
    /// and its count.
    pub fn stratified_folds(&self, k: usize, seed: u64) -> Result<StratifiedFolds, DataError> {
        if k < MIN_FOLDS {
            return Err(DataError::Invalid(format!(
                "cross-validation needs at least {MIN_FOLDS} folds, got {k}"
            )));
        }
        let counts = self.class_counts();
        if let Some((class, &count)) = counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .min_by_key(|(_, &c)| c)
            .filter(|(_, &c)| c < k)
        {
            return Err(DataError::Invalid(format!(
                "{k} folds need at least {k} training samples of each class, but class '{}' has {count} \
                 (class counts: {}); use at most {count} folds",
                self.class_names[class],
                self.class_names
                    .iter()
                    .zip(&counts)
                    .map(|(name, c)| format!("{name} {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut folds = vec![Vec::new(); k];
        let mut next = 0;
        for mut indices in self.indices_by_class() {
            indices.shuffle(&mut rng);
            for i in indices {
                folds[next].push(i);
                next = (next + 1) % k;
            }
        }
        for fold in &mut folds {
            fold.sort_unstable();
        }
        Ok(StratifiedFolds {
            folds,
            samples: self.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bundled;

    #[test]
    fn folds_are_disjoint_cover_the_data_and_are_stratified() {
        let data = Bundled::from_name("wine").unwrap().load();
        let (train, _) = data.split_stratified(0.25, 0).unwrap();
        let counts = train.class_counts();
        for k in [2, 3, 5, 10] {
            let folds = train.stratified_folds(k, 7).unwrap();
            assert_eq!(folds.len(), k);
            let mut seen = vec![0; train.len()];
            for f in 0..k {
                for &i in folds.validation(f) {
                    seen[i] += 1;
                }
                // Stratified: each class ⌊n_c/k⌋ or ⌈n_c/k⌉ times.
                let (fit, val) = folds.split(&train, f);
                for (c, &n) in counts.iter().enumerate() {
                    let got = val.class_counts()[c];
                    assert!(
                        got == n / k || got == n.div_ceil(k),
                        "class {c}: {got} of {n} in fold {f}/{k}"
                    );
                    assert_eq!(fit.class_counts()[c] + got, n);
                }
                // Training part = the complement of the validation part.
                let t = folds.training(f);
                assert_eq!(t.len() + folds.validation(f).len(), train.len());
                assert!(t.iter().all(|i| !folds.validation(f).contains(i)));
            }
            assert!(seen.iter().all(|&s| s == 1), "every sample in exactly one fold");
            let sizes: Vec<usize> = (0..k).map(|f| folds.validation(f).len()).collect();
            assert!(
                sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
                "{sizes:?}"
            );
        }
    }

    #[test]
    fn folds_are_seeded() {
        let data = Bundled::from_name("iris").unwrap().load();
        let a = data.stratified_folds(5, 1).unwrap();
        assert_eq!(a, data.stratified_folds(5, 1).unwrap());
        assert_ne!(a, data.stratified_folds(5, 2).unwrap());
    }

    #[test]
    fn more_folds_than_samples_of_a_class_are_refused_naming_the_class() {
        let x = vec![0.0; 9];
        let y = vec![0, 0, 0, 0, 0, 0, 1, 1, 1];
        let data = Dataset::new("toy", vec!["f".into()], vec!["big".into(), "small".into()], x, y);
        let e = data.stratified_folds(4, 0).unwrap_err().to_string();
        assert!(
            e.contains("4 folds") && e.contains("class 'small' has 3") && e.contains("big 6, small 3"),
            "{e}"
        );
        assert!(data.stratified_folds(3, 0).is_ok());
        let e = data.stratified_folds(1, 0).unwrap_err().to_string();
        assert!(e.contains("at least 2 folds, got 1"), "{e}");
    }
}
