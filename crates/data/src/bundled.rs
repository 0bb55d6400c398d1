//! The datasets shipped in `data/`, embedded in the binary so `--dataset`
//! works from any directory.

use crate::{DataError, Dataset};
use flate2::read::GzDecoder;
use std::io::Read;

const IRIS: &str = include_str!("../../../data/iris.csv");
const WINE: &str = include_str!("../../../data/wine_data.csv");
const WDBC: &str = include_str!("../../../data/breast_cancer.csv");
const DIGITS_GZ: &[u8] = include_bytes!("../../../data/digits.csv.gz");
const FEATURES: &str = include_str!("../../../data/FEATURES.txt");

/// A bundled dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundled {
    /// Iris: 150 flowers, 4 features, 3 species.
    Iris,
    /// Wine: 178 wines, 13 chemical features, 3 cultivars.
    Wine,
    /// Wisconsin diagnostic breast cancer: 569 samples, 30 features, 2 classes.
    Wdbc,
    /// 8×8 handwritten digits: 1797 images, 64 pixels, 10 classes.
    Digits,
}

impl Bundled {
    pub const ALL: [Bundled; 4] = [Bundled::Iris, Bundled::Wine, Bundled::Wdbc, Bundled::Digits];

    pub fn name(self) -> &'static str {
        match self {
            Bundled::Iris => "iris",
            Bundled::Wine => "wine",
            Bundled::Wdbc => "wdbc",
            Bundled::Digits => "digits",
        }
    }

    /// The dataset named `name` (`iris`, `wine`, `wdbc`, `digits`).
    pub fn from_name(name: &str) -> Result<Bundled, DataError> {
        Bundled::ALL
            .into_iter()
            .find(|b| b.name() == name.to_ascii_lowercase())
            .ok_or_else(|| {
                DataError::Invalid(format!(
                    "unknown dataset '{name}' (bundled: iris, wine, wdbc, digits; mnist is read from data/mnist)"
                ))
            })
    }

    /// Loads the dataset.
    pub fn load(self) -> Dataset {
        match self {
            Bundled::Iris => parse_sklearn(self, IRIS, "iris.csv"),
            Bundled::Wine => parse_sklearn(self, WINE, "wine_data.csv"),
            Bundled::Wdbc => parse_sklearn(self, WDBC, "breast_cancer.csv"),
            Bundled::Digits => {
                let mut text = String::new();
                GzDecoder::new(DIGITS_GZ)
                    .read_to_string(&mut text)
                    .expect("bundled digits decompress");
                let features: Vec<String> = (0..64).map(|p| format!("pixel_{}_{}", p / 8, p % 8)).collect();
                let classes: Vec<String> = (0..10).map(|k| k.to_string()).collect();
                let (x, y) = parse_rows(&text, 64);
                Dataset::new("digits", features, classes, x, y)
            }
        }
    }
}

/// scikit-learn's format: a first line `n,d,class names…`, then rows of
/// `d` features and a class index.
fn parse_sklearn(which: Bundled, text: &str, file: &str) -> Dataset {
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    let d: usize = head[1].trim().parse().expect("feature count");
    let classes: Vec<String> = head[2..].iter().map(|s| s.trim().to_string()).collect();
    let features = feature_names(file);
    assert_eq!(features.len(), d, "FEATURES.txt disagrees with {file}");
    let (x, y) = parse_rows(&lines.collect::<Vec<_>>().join("\n"), d);
    Dataset::new(which.name(), features, classes, x, y)
}

fn parse_rows(text: &str, d: usize) -> (Vec<f64>, Vec<usize>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), d + 1, "bundled row has the wrong width");
        x.extend(f[..d].iter().map(|v| v.trim().parse::<f64>().expect("bundled number")));
        y.push(f[d].trim().parse::<f64>().expect("bundled label") as usize);
    }
    (x, y)
}

fn feature_names(file: &str) -> Vec<String> {
    FEATURES
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{file}: ")))
        .expect("file listed in FEATURES.txt")
        .split(';')
        .map(|s| s.trim().to_string())
        .collect()
}
