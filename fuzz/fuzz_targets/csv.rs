//! CSV loading (`mipnet train --data`, `predict --data`): the first byte
//! chooses the options (label column, a dropped column, the missing-value
//! policy), the rest is the file. Any file either loads or gets an error;
//! a loaded training table has finite features and labels among its
//! classes, and reading the same file the way a trained network reads it
//! gives the same rows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mipnet_data::{CsvOptions, Dataset, LabelColumn, Missing};
use std::path::PathBuf;
use std::sync::OnceLock;

/// One scratch file per fuzzing process: the loaders read a path, as the
/// commands do, so the input goes through the same file reading.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        dir.join(format!("mipnet-fuzz-table-{}.csv", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, file)) = data.split_first() else { return };
    let path = scratch();
    std::fs::write(path, file).expect("the scratch file is writable");
    // The header as the csv crate reads it, to name a label column.
    let header: Vec<String> = match csv::ReaderBuilder::new().flexible(true).from_reader(file).headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(_) => vec![],
    };
    let pick = |k: u8| header.get(k as usize % header.len().max(1)).cloned().unwrap_or_default();
    let opts = CsvOptions {
        label: pick(choice & 0x0f),
        drop: if choice & 0x10 != 0 { vec![pick((choice >> 5) & 0x3)] } else { vec![] },
        missing: if choice & 0x80 != 0 { Missing::Drop } else { Missing::Error },
    };
    let Ok((ds, _notes)) = Dataset::from_csv_with(path, &opts) else {
        let _ = Dataset::from_csv(path, &opts.label);
        return;
    };
    let features = |d: &Dataset| (0..d.len()).flat_map(|i| d.row(i).to_vec()).collect::<Vec<f64>>();
    assert!((0..ds.len()).all(|i| ds.row(i).len() == ds.num_features()), "a row of another width");
    assert!(features(&ds).iter().all(|v| v.is_finite()), "a feature that is not finite");
    assert!(ds.labels().iter().all(|&y| y < ds.num_classes()), "a label beyond the classes");
    let _ = mipnet_data::Standardizer::try_fit(&ds);
    // What `predict --data FILE --label COL` reads from the training file itself.
    let (again, labelled, _) = Dataset::from_csv_like_with(path, LabelColumn::Required(&opts.label), &ds, opts.missing)
        .expect("a table that trains is refused when read like its own network");
    assert!(labelled, "the label column was not read back");
    assert_eq!(again.len(), ds.len(), "a different number of rows read back");
    let bits = |d: &Dataset| features(d).iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert!(bits(&again) == bits(&ds), "different features read back");
    assert_eq!(again.labels(), ds.labels(), "different labels read back");
});
