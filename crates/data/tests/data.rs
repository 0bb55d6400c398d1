//! Loading, splitting and standardizing data; bad CSV input.

use mipnet_data::{
    read_rows_like, Bundled, ColumnEncoding, CsvOptions, DataError, Dataset, LabelColumn, Missing, Standardizer,
    MAX_CATEGORIES, MAX_CLASSES, MIN_ROWS_FOR_IDENTIFIER_NOTE,
};
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
            &["line 2", "column 'b'", "missing value ('NaN', not a finite number)"],
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

/// A penguins-like table: an ID column, a text column, missing values.
const PENGUINS: &str = "\
id,species,island,bill_length_mm,sex
1,Adelie,Torgersen,39.1,male
2,Adelie,Biscoe,NA,female
3,Gentoo,Biscoe,46.1,female
4,Gentoo,Biscoe,50.0,male
5,Chinstrap,Dream,46.5,
6,Chinstrap,Dream,50.0,male
7,Adelie,Dream,37.2,male
";

fn penguins_opts(missing: Missing) -> CsvOptions {
    CsvOptions {
        label: "species".into(),
        drop: vec!["id".into()],
        missing,
    }
}

#[test]
fn text_columns_are_one_hot_encoded_with_named_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "penguins.csv", PENGUINS);
    let (ds, notes) = Dataset::from_csv_with(&p, &penguins_opts(Missing::Drop)).unwrap();
    assert_eq!(notes.rows_dropped, 2);
    assert_eq!(notes.most_missing, Some(("bill_length_mm".to_string(), 1)));
    assert_eq!(ds.len(), 5);
    assert_eq!(
        ds.feature_names,
        [
            "island=Biscoe",
            "island=Dream",
            "island=Torgersen",
            "bill_length_mm",
            "sex=female",
            "sex=male"
        ]
    );
    assert_eq!(ds.class_names, ["Adelie", "Chinstrap", "Gentoo"]);
    // Line 4 (penguin 3): Biscoe, 46.1, female.
    assert_eq!(ds.row(1), &[1.0, 0.0, 0.0, 46.1, 1.0, 0.0]);
    let enc = ds.encoding().expect("text columns are encoded");
    assert_eq!(enc.feature_names(), ds.feature_names);
    assert_eq!(
        enc.columns[0],
        ColumnEncoding::OneHot {
            name: "island".into(),
            categories: vec!["Biscoe".into(), "Dream".into(), "Torgersen".into()]
        }
    );
    // The standardizer carries the encoding into the network.
    assert_eq!(Standardizer::fit(&ds).encoding.as_ref(), Some(enc));
    // Splits keep it.
    assert_eq!(ds.subset(&[0, 1]).encoding(), Some(enc));
    // An ID column is used (not dropped) but noted.
    let mut t = String::from("PassengerId,age,y\n");
    for i in 0..MIN_ROWS_FOR_IDENTIFIER_NOTE {
        t += &format!("{},{},{}\n", 101 + i, 30 - i, i % 2);
    }
    let opts = CsvOptions {
        label: "y".into(),
        ..Default::default()
    };
    let (ids, notes) = Dataset::from_csv_with(&write(&dir, "ids.csv", &t), &opts).unwrap();
    assert_eq!(ids.feature_names, ["PassengerId", "age"]);
    assert_eq!(notes.likely_identifiers, ["PassengerId"]);
    // An all-numeric table needs no encoding.
    let n = write(&dir, "n.csv", "a,y\n1,0\n2,1\n");
    assert!(Dataset::from_csv(&n, "y").unwrap().encoding().is_none());
}

#[test]
fn rows_of_a_raw_table_encode_as_in_training() {
    let dir = tempfile::tempdir().unwrap();
    let train = Dataset::from_csv_with(&write(&dir, "p.csv", PENGUINS), &penguins_opts(Missing::Drop))
        .unwrap()
        .0;
    // Columns in another order, an extra column, an unseen island and an
    // unseen species.
    let raw = write(
        &dir,
        "raw.csv",
        "sex,bill_length_mm,island,species,note\nfemale,40,Dream,Adelie,x\nmale,41,Atlantis,Emperor,y\n",
    );
    let rows = read_rows_like(&raw, LabelColumn::IfPresent("species"), &train, Missing::Error).unwrap();
    assert_eq!(rows.features.row(0), &[0.0, 1.0, 0.0, 40.0, 1.0, 0.0]);
    assert_eq!(rows.features.row(1), &[0.0, 0.0, 0.0, 41.0, 0.0, 1.0]);
    assert_eq!(rows.notes.rows_with_unseen_category, 1);
    assert_eq!(rows.labels.unwrap(), ["Adelie", "Emperor"]);
    assert_eq!(rows.lines, [2, 3]);
    // The strict reader refuses the unseen class, naming the line.
    let e = Dataset::from_csv_like(&raw, Some("species"), &train)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3: label 'Emperor' is not a class"), "{e}");
    // The encoded inputs themselves (as `train --out` writes test.csv) read as they are.
    let encoded = write(&dir, "test.csv", &train.to_csv());
    let (back, labelled) = Dataset::from_csv_like(&encoded, Some("label"), &train).unwrap();
    assert!(labelled);
    assert_eq!(back.row(2), train.row(2));
    assert_eq!(back.labels(), train.labels());
    // A raw column missing is named.
    let e = read_rows_like(
        &write(&dir, "m.csv", "sex,bill_length_mm\nmale,3\n"),
        LabelColumn::None,
        &train,
        Missing::Error,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("feature 'island'"), "{e}");
    // A required label column must be there.
    let e = read_rows_like(&raw, LabelColumn::Required("kind"), &train, Missing::Error)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no label column 'kind'"), "{e}");
}

#[test]
fn real_table_mistakes_are_refused_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let many = |n: usize, f: &dyn Fn(usize) -> String| -> String {
        let mut t = String::from("a,t,y\n");
        for i in 0..n {
            t += &format!("{},{},{}\n", i % 7, f(i), i % 2);
        }
        t
    };
    let too_many_categories = many(MAX_CATEGORIES + 1, &|i| format!("name{i}"));
    let mut continuous = String::from("a,y\n");
    for i in 0..=MAX_CLASSES {
        continuous += &format!("{i},{}\n", 20 + i);
    }
    let cases: Vec<(&str, String, CsvOptions, Vec<String>)> = vec![
        (
            "missing.csv",
            PENGUINS.into(),
            penguins_opts(Missing::Error),
            vec![
                "line 3".into(),
                "column 'bill_length_mm'".into(),
                "missing value ('NA')".into(),
            ],
        ),
        (
            "empty_label.csv",
            "a,y\n1,0\n2,\n3,1\n".into(),
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec!["line 3".into(), "column 'y' (the label)".into(), "missing value".into()],
        ),
        (
            "unnamed.csv",
            ",a,y\n0,1,0\n1,2,1\n".into(),
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec!["column 1 has no name".into(), "--drop ''".into()],
        ),
        (
            "drop_unknown.csv",
            "a,b,y\n0,1,0\n1,2,1\n".into(),
            CsvOptions {
                label: "y".into(),
                drop: vec!["c".into()],
                ..Default::default()
            },
            vec!["--drop 'c': no such column".into(), "a, b, y".into()],
        ),
        (
            "drop_label.csv",
            "a,b,y\n0,1,0\n1,2,1\n".into(),
            CsvOptions {
                label: "y".into(),
                drop: vec!["y".into()],
                ..Default::default()
            },
            vec!["--drop 'y' names the label column".into()],
        ),
        (
            "continuous.csv",
            continuous,
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec![
                format!("{} distinct values", MAX_CLASSES + 1),
                "is this a continuous target? mipnet classifies".into(),
            ],
        ),
        (
            "fractional.csv",
            "a,y\n1,0.5\n2,1.25\n".into(),
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec!["line 2".into(), "label '0.5'".into(), "continuous target".into()],
        ),
        (
            "names.csv",
            too_many_categories,
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec![
                format!("column 't' has {} distinct text values", MAX_CATEGORIES + 1),
                "--drop 't'".into(),
            ],
        ),
        (
            "mixed.csv",
            "a,y\n1,0\n2,1\nthree,0\n4,1\n".into(),
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec![
                "line 4, column 'a': 'three' is not a number".into(),
                "(line 2: '1')".into(),
            ],
        ),
        (
            "collide.csv",
            "c,c=x,y\nx,1,0\nz,2,1\n".into(),
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec!["two inputs would be named 'c=x'".into()],
        ),
        (
            "huge.csv",
            "a,b,y\n1,-1e300,0\n2,1e300,1\n".into(),
            CsvOptions {
                label: "y".into(),
                ..Default::default()
            },
            vec!["column 'b' cannot be standardized".into(), "variance overflows".into()],
        ),
    ];
    for (name, text, opts, fragments) in cases {
        let p = write(&dir, name, &text);
        let e = Dataset::from_csv_with(&p, &opts).unwrap_err().to_string();
        assert!(e.contains(name), "{name}: {e:?} does not name the file");
        for f in &fragments {
            assert!(e.contains(f.as_str()), "{name}: {e:?} lacks {f:?}");
        }
    }
    // Dropping every row leaves nothing to train on.
    let p = write(&dir, "all.csv", "a,y\nNA,0\n2,\n");
    let opts = CsvOptions {
        label: "y".into(),
        missing: Missing::Drop,
        ..Default::default()
    };
    let e = Dataset::from_csv_with(&p, &opts).unwrap_err().to_string();
    assert!(e.contains("all 2 rows have a missing value"), "{e}");
    // --drop '' leaves unnamed columns out.
    let p = write(&dir, "index.csv", ",a,y\n0,1,0\n1,2,1\n");
    let opts = CsvOptions {
        label: "y".into(),
        drop: vec![String::new()],
        ..Default::default()
    };
    assert_eq!(Dataset::from_csv_with(&p, &opts).unwrap().0.feature_names, ["a"]);
}

#[test]
fn non_utf8_text_is_refused_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("latin1.csv");
    std::fs::write(&p, b"a,town,y\n1,Bern,0\n2,Z\xfcrich,1\n").unwrap();
    let e = Dataset::from_csv(&p, "y").unwrap_err().to_string();
    for f in [
        "latin1.csv",
        "line 3",
        "column 'town'",
        "not UTF-8",
        "0xFC",
        "save the file as UTF-8",
    ] {
        assert!(e.contains(f), "{e:?} lacks {f:?}");
    }
    // A byte order mark (as spreadsheets write) is not part of a name.
    std::fs::write(&p, b"\xEF\xBB\xBFid,y\n1,0\n2,1\n").unwrap();
    assert_eq!(Dataset::from_csv(&p, "y").unwrap().feature_names, ["id"]);
    std::fs::write(&p, b"a,t\xfc,y\n1,2,0\n").unwrap();
    let e = Dataset::from_csv(&p, "y").unwrap_err().to_string();
    assert!(e.contains("line 1, column 2: not UTF-8"), "{e}");
}

#[test]
fn standardization_that_overflows_is_refused_naming_the_column() {
    // Finite values near the top of f64: their variance overflows.
    let ds = Dataset::new(
        "huge",
        vec!["fine".into(), "big".into()],
        vec!["a".into(), "b".into()],
        vec![1.0, 1.7e308, 2.0, -1.7e308],
        vec![0, 1],
    );
    assert!(!Standardizer::fit(&ds).std[1].is_finite());
    let e = Standardizer::try_fit(&ds).unwrap_err().to_string();
    assert!(e.contains("column 'big' cannot be standardized"), "{e}");
    assert!(e.contains("variance overflows"), "{e}");
    assert!(ds.check_trainable().is_err());
    // One scale over all columns: the spread between columns overflows.
    let ds = Dataset::new(
        "cols",
        vec!["lo".into(), "hi".into()],
        vec!["a".into(), "b".into()],
        vec![-1e200, 1e200, -1e200, 1e200],
        vec![0, 1],
    );
    assert!(Standardizer::try_fit(&ds).is_ok());
    let e = Standardizer::try_fit_global(&ds).unwrap_err().to_string();
    assert!(e.contains("one scale over all columns"), "{e}");
}

#[test]
fn to_csv_names_its_label_column_so_no_feature_has_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let opts = CsvOptions {
        label: "y".into(),
        ..Default::default()
    };
    for (header, label_column) in [
        ("a,b,y", "label"),
        ("label,b,y", "label_2"),
        ("label,label_2,y", "label_3"),
    ] {
        let path = write(&dir, "t.csv", &format!("{header}\n1,2,x\n3,4,z\n5,6,x\n"));
        let (data, _) = Dataset::from_csv_with(&path, &opts).unwrap();
        assert_eq!(data.csv_label_column(), label_column);
        let text = data.to_csv();
        let written_header = text.lines().next().unwrap();
        assert_eq!(
            written_header,
            format!("{},{label_column}", &header[..header.len() - 2])
        );
        // It reads back, the feature named `label` a feature.
        let back = write(&dir, "back.csv", &text);
        let (read, labelled) = Dataset::from_csv_like(&back, Some(label_column), &data).unwrap();
        assert!(labelled);
        assert_eq!(read.labels(), data.labels());
        assert_eq!(read.row(2), data.row(2));
    }
}
