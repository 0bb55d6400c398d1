//! The split seeds of `--split-seeds`: a range (`0-4`), a list (`0,2,5`),
//! or both (`0-2,7`); each seed one stratified train/test split the suite
//! runs on.

use std::collections::BTreeSet;

/// The most split seeds one bench takes. Each split is a whole run of the
/// suite (minutes to hours), so a longer list is a typo (`0-100000`), not
/// a bench this machine would finish.
pub const MAX_SPLIT_SEEDS: usize = 1000;

/// Reads `text` as split seeds, in the order given; refuses an empty text
/// or item, a value that is not a whole number, a range written backwards,
/// a seed given twice and more than [`MAX_SPLIT_SEEDS`], naming the cause.
pub fn parse_split_seeds(text: &str) -> Result<Vec<u64>, String> {
    const FORM: &str = "a range such as 0-4, a list such as 0,2,5, or both (0-2,7)";
    if text.trim().is_empty() {
        return Err(format!("empty; give split seeds as {FORM}"));
    }
    let mut seeds = Vec::new();
    let mut seen = BTreeSet::new();
    for item in text.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(format!("'{text}' has an empty item; give split seeds as {FORM}"));
        }
        let (first, last) = match item.split_once('-') {
            Some((a, b)) => (seed(a, item)?, seed(b, item)?),
            None => {
                let s = seed(item, item)?;
                (s, s)
            }
        };
        if first > last {
            return Err(format!(
                "the range {item} runs backwards; write the smaller seed first ({last}-{first})"
            ));
        }
        for s in first..=last {
            if !seen.insert(s) {
                return Err(format!("'{text}' gives split seed {s} twice"));
            }
            seeds.push(s);
            if seeds.len() > MAX_SPLIT_SEEDS {
                return Err(format!(
                    "'{text}' gives more than {MAX_SPLIT_SEEDS} split seeds (each is a whole run of the suite)"
                ));
            }
        }
    }
    Ok(seeds)
}

/// One seed of `item`: a whole number from 0 up.
fn seed(text: &str, item: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "'{item}' is not a split seed or a range of them (whole numbers from 0 to {}, a range written first-last)",
            u64::MAX
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_lists_and_both_are_read_in_order() {
        assert_eq!(parse_split_seeds("0-4").unwrap(), vec![0, 1, 2, 3, 4]);
        assert_eq!(parse_split_seeds("0,2,5").unwrap(), vec![0, 2, 5]);
        assert_eq!(parse_split_seeds(" 7 , 0-2 ").unwrap(), vec![7, 0, 1, 2]);
        assert_eq!(parse_split_seeds("3").unwrap(), vec![3]);
        assert_eq!(parse_split_seeds("3-3").unwrap(), vec![3]);
    }

    #[test]
    fn bad_seeds_are_refused_naming_the_cause() {
        let cases = [
            (
                "3-1",
                "the range 3-1 runs backwards; write the smaller seed first (1-3)",
            ),
            ("a", "'a' is not a split seed"),
            ("", "empty; give split seeds as"),
            ("  ", "empty; give split seeds as"),
            ("0,,2", "'0,,2' has an empty item"),
            ("0,2,2", "gives split seed 2 twice"),
            ("0-3,2", "gives split seed 2 twice"),
            ("-1", "'-1' is not a split seed"),
            ("1-", "'1-' is not a split seed"),
            ("1.5", "'1.5' is not a split seed"),
            ("0-1000", "more than 1000 split seeds"),
        ];
        for (text, want) in cases {
            let e = parse_split_seeds(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        assert_eq!(parse_split_seeds("0-999").unwrap().len(), MAX_SPLIT_SEEDS);
    }
}
