//! Loading, splitting and standardizing data; bad CSV input.

use mipnet_data::{Bundled, DataError, Dataset, Standardizer};
use std::path::PathBuf;

#[test]
fn bundled_datasets_have_their_known_shapes() {
    let cases = [
        (Bundled::Iris, 150, 4, 3),
        (Bundled::Wine, 178, 13, 3),
        (Bundled::Wdbc, 569, 30, 2),
        (Bundled::Digits, 1797, 64, 10),
    ];
    for (b, n, d, k) in cases {
        let ds = b.load();
        assert_eq!(
            (ds.len(), ds.num_features(), ds.num_classes()),
            (n, d, k),
            "{}",
            b.name()
        );
    }
    let iris = Bundled::Iris.load();
    assert_eq!(iris.class_names, ["setosa", "versicolor", "virginica"]);
    assert_eq!(iris.feature_names[2], "petal length (cm)");
    assert_eq!(iris.row(0), &[5.1, 3.5, 1.4, 0.2]);
    assert_eq!(Bundled::Wdbc.load().class_counts(), vec![212, 357]);
    assert!(Bundled::from_name("mnist").is_err());
}

#[test]
fn stratified_splits_match_the_papers_test_sizes_and_are_seeded() {
    let iris = Bundled::Iris.load();
    let (train, test) = iris.split_stratified(0.25, 0).unwrap();
    assert_eq!((train.len(), test.len()), (112, 38));
    let c = test.class_counts();
    assert!(c.iter().all(|&k| (12..=13).contains(&k)), "{c:?}");
    let (_, test_wdbc) = Bundled::Wdbc.load().split_stratified(0.25, 0).unwrap();
    assert_eq!(test_wdbc.len(), 143);
    assert_eq!(test_wdbc.class_counts(), vec![53, 90]);
    // Same seed, same split; another seed, another split.
    assert_eq!(iris.split_stratified(0.25, 0).unwrap().1, test);
    assert_ne!(iris.split_stratified(0.25, 1).unwrap().1, test);
    assert!(iris.split_stratified(1.5, 0).is_err());
}

#[test]
fn balanced_subsets_take_n_per_class() {
    let digits = Bundled::Digits.load();
    let sub = digits.balanced_subset(10, 3).unwrap();
    assert_eq!(sub.class_counts(), vec![10; 10]);
    assert!(digits
        .balanced_subset(1000, 3)
        .unwrap_err()
        .to_string()
        .contains("fewer than"));
}

#[test]
fn global_standardization_shares_one_scale_over_all_features() {
    let digits = Bundled::Digits.load();
    let s = Standardizer::fit_global(&digits);
    assert!(s.mean.iter().all(|m| *m == s.mean[0]) && s.std.iter().all(|v| *v == s.std[0]));
    let z = digits.standardized(&s);
    let all: Vec<f64> = (0..z.len()).flat_map(|i| z.row(i).to_vec()).collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let var = all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / all.len() as f64;
    assert!(mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9, "{mean} {var}");
}

#[test]
fn standardization_uses_training_statistics() {
    let (train, test) = Bundled::Iris.load().split_stratified(0.25, 0).unwrap();
    let s = Standardizer::fit(&train);
    let z = train.standardized(&s);
    for j in 0..4 {
        let col: Vec<f64> = (0..z.len()).map(|i| z.row(i)[j]).collect();
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / col.len() as f64;
        assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-9);
    }
    // The test set is transformed with the training statistics.
    let zt = test.standardized(&s);
    assert_eq!(zt.row(0)[0], (test.row(0)[0] - s.mean[0]) / s.std[0]);
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn user_csv_with_string_labels_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "d.csv",
        "risk,age,bmi\nhigh,61,31.5\nlow,25,22\nlow,33,24.1\nhigh,70,29\n",
    );
    let ds = Dataset::from_csv(&p, "risk").unwrap();
    assert_eq!(ds.feature_names, ["age", "bmi"]);
    assert_eq!(ds.class_names, ["high", "low"]);
    assert_eq!(ds.labels(), &[0, 1, 1, 0]);
    assert_eq!(ds.row(2), &[33.0, 24.1]);
    // Test data with columns in another order and an extra column.
    let t = write(&dir, "t.csv", "bmi,id,risk,age\n20,7,low,30\n");
    let (tds, labelled) = Dataset::from_csv_like(&t, Some("risk"), &ds).unwrap();
    assert!(labelled);
    assert_eq!(tds.row(0), &[30.0, 20.0]);
    assert_eq!(tds.labels(), &[1]);
    // Integer labels are ordered numerically.
    let p = write(&dir, "n.csv", "x,y\n1,10\n2,9\n3,10\n");
    assert_eq!(Dataset::from_csv(&p, "y").unwrap().class_names, ["9", "10"]);
}

#[test]
fn bad_csv_input_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str]); 8] = [
        ("empty.csv", "", &["empty.csv", "empty"]),
        (
            "ragged.csv",
            "a,b,y\n1,2,0\n3,1\n",
            &["ragged.csv", "line 3", "2 fields", "header has 3"],
        ),
        (
            "text.csv",
            "a,b,y\n1,2,0\n3,abc,1\n",
            &["line 3", "column 'b'", "'abc' is not a number"],
        ),
        (
            "nan.csv",
            "a,b,y\n1,NaN,0\n3,1,1\n",
            &["line 2", "column 'b'", "not a finite number"],
        ),
        ("inf.csv", "a,b,y\n1,inf,0\n3,1,1\n", &["not a finite number"]),
        ("one.csv", "a,b,y\n1,2,0\n3,1,0\n", &["only one class ('0')"]),
        (
            "nolabel.csv",
            "a,b,c\n1,2,0\n3,1,1\n",
            &["no label column 'y'", "a, b, c"],
        ),
        ("header.csv", "a,b,y\n", &["no data rows"]),
    ];
    for (name, text, fragments) in cases {
        let p = write(&dir, name, text);
        let e = Dataset::from_csv(&p, "y").unwrap_err().to_string();
        for f in fragments {
            assert!(e.contains(f), "{name}: {e:?} lacks {f:?}");
        }
    }
    let e = Dataset::from_csv(&dir.path().join("missing.csv"), "y").unwrap_err();
    assert!(matches!(e, DataError::Io { .. }));
    let train = Dataset::from_csv(&write(&dir, "ok.csv", "a,b,y\n1,2,0\n3,1,1\n"), "y").unwrap();
    let e = Dataset::from_csv_like(&write(&dir, "t.csv", "a,y\n1,0\n"), Some("y"), &train).unwrap_err();
    assert!(e.to_string().contains("feature 'b'"), "{e}");
    let e = Dataset::from_csv_like(&write(&dir, "u.csv", "a,b,y\n1,2,7\n"), Some("y"), &train).unwrap_err();
    assert!(e.to_string().contains("label '7' is not a class"), "{e}");
}
