//! The strict readers against HiGHS's: the issue's three malformed MPS
//! files are refused with the line and the cause, and on thousands of
//! seeded random mutations of an MPS and an LP file, every file that both
//! HiGHS and the strict reader accept reads as the same model.

use mipnet_highs::{read_model, read_model_with_highs};
use mipnet_milp::files::{check_lp, check_mps, compare};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

fn example(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn refused(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    read_model(&path).expect_err("refused").to_string()
}

#[test]
fn the_issues_three_malformed_knapsacks_are_refused_with_line_and_cause() {
    let dir = tempfile::tempdir().unwrap();
    let text = example("knapsack.mps");
    let abc = text.replacen("item3      value     40", "item3      value     abc", 1);
    let e = refused(dir.path(), "abc.mps", &abc);
    assert!(e.contains("line 13") && e.contains("'abc' is not a number"), "{e}");
    let rowz = text.replacen("ROWS", "ROWZ", 1);
    let e = refused(dir.path(), "rowz.mps", &rowz);
    assert!(e.contains("line 5") && e.contains("unknown section 'ROWZ'"), "{e}");
    let misspelled = text.replacen(
        "item6      value     57   weight",
        "item6      value     57   wieght",
        1,
    );
    let e = refused(dir.path(), "row.mps", &misspelled);
    assert!(
        e.contains("line 16") && e.contains("unknown row 'wieght' in COLUMNS"),
        "{e}"
    );
}

/// Found by the mutation test: this edit of the knapsack (OBJSENSE line
/// dropped, a BOUNDS line and the INTORG marker swapped) crashes HiGHS's
/// MPS reader (a segmentation fault, after it falls back to its fixed-format
/// reader). `read_model` gives HiGHS only files the strict reader accepts,
/// so it is refused with its line instead of killing the process.
#[test]
fn a_file_that_crashes_highs_reader_is_refused_before_highs_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = example("knapsack.mps").replacen("OBJSENSE\n", "", 1);
    let mut lines: Vec<&str> = text.lines().collect();
    let marker = lines.iter().position(|l| l.contains("'INTORG'")).unwrap();
    let bound = lines.iter().position(|l| l.contains("UP BND       item0")).unwrap();
    lines.swap(marker, bound);
    let e = refused(dir.path(), "crash.mps", &(lines.join("\n") + "\n"));
    assert!(
        e.contains("line 3: data line 'MAX' before any section that takes data"),
        "{e}"
    );
}

/// One random edit of a file: the kinds of mistakes people and programs
/// make (a word replaced, misspelled, dropped or doubled; a line dropped,
/// doubled or moved; odd numbers).
fn mutate(text: &str, rng: &mut ChaCha8Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let pool = [
        "abc",
        "0",
        "-0",
        "1e400",
        "nan",
        "inf",
        "-inf",
        "1e30",
        "-1e30",
        "1e-12",
        "2.5",
        "-3",
        "1d2",
        "12abc",
        "x",
        "N",
        "E",
        "L",
        "G",
        "UP",
        "LO",
        "FX",
        "FR",
        "MI",
        "PL",
        "BV",
        "LI",
        "UI",
        "SC",
        "'MARKER'",
        "'INTORG'",
        "'INTEND'",
        "RHS",
        "BND",
        "ROWS",
        "BOUNDS",
        "RANGES",
        "<=",
        ">=",
        "=",
        "+",
        "-",
        ":",
        "free",
        "end",
        "binary",
        "general",
        "bounds",
        "subject to",
        "item0",
        "item3",
        "weight",
        "value",
        "3 item2",
        "[",
        "\\",
        "*",
    ];
    let edits = rng.gen_range(1..=2);
    for _ in 0..edits {
        if lines.is_empty() {
            break;
        }
        let i = rng.gen_range(0..lines.len());
        match rng.gen_range(0..8) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(rng.gen_range(0..=lines.len()), l);
            }
            2..=4 => {
                let words: Vec<&str> = lines[i].split_whitespace().collect();
                if words.is_empty() {
                    continue;
                }
                let k = rng.gen_range(0..words.len());
                let replacement = if rng.gen_bool(0.5) {
                    pool[rng.gen_range(0..pool.len())].to_string()
                } else {
                    let mut w: Vec<char> = words[k].chars().collect();
                    let p = rng.gen_range(0..w.len());
                    w[p] = ['a', '1', '.', 'e', 'X', '-'][rng.gen_range(0..6)];
                    w.into_iter().collect()
                };
                let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
                let mut new_words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                new_words[k] = replacement;
                lines[i] = format!("{indent}{}", new_words.join("   "));
            }
            5 => {
                let words: Vec<&str> = lines[i].split_whitespace().collect();
                if words.len() > 1 {
                    let k = rng.gen_range(0..words.len());
                    let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
                    let kept: Vec<&str> = words
                        .iter()
                        .enumerate()
                        .filter(|&(n, _)| n != k)
                        .map(|(_, w)| *w)
                        .collect();
                    lines[i] = format!("{indent}{}", kept.join("   "));
                }
            }
            6 => {
                let j = rng.gen_range(0..lines.len());
                lines.swap(i, j);
            }
            _ => {
                let l = lines[i].trim_start().to_string();
                lines[i] = if lines[i].starts_with(' ') { l } else { format!(" {l}") };
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Mutates `base` `count` times; for every mutant both readers accept,
/// asserts the models are equal. Returns how many both accepted.
fn both_accept_the_same_model(base: &str, ext: &str, seed: u64, count: usize) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut agreed = 0;
    for n in 0..count {
        let text = mutate(base, &mut rng);
        let path = dir.path().join(format!("m{n}.{ext}"));
        std::fs::write(&path, &text).unwrap();
        let strict = if ext == "lp" { check_lp(&text) } else { check_mps(&text) };
        // HiGHS is only given what the strict reader accepts, as in
        // `read_model`: some malformed MPS files crash HiGHS's reader
        // (a segmentation fault, found by this test).
        let Ok(s) = &strict else { continue };
        if let Ok(h) = &read_model_with_highs(&path) {
            if let Err(e) = compare(s, h) {
                panic!("mutant {n} (seed {seed}) read differently: {e}\n{text}");
            }
            agreed += 1;
        }
    }
    eprintln!("{ext}: {agreed} of {count} mutants accepted by both readers");
    agreed
}

#[test]
fn mutated_mps_files_read_the_same_wherever_both_readers_accept_them() {
    let agreed = both_accept_the_same_model(&example("knapsack.mps"), "mps", 14, 1500);
    // Enough mutants pass both readers for the comparison to mean something.
    assert!(agreed >= 50, "only {agreed} mutants accepted by both");
}

#[test]
fn mutated_lp_files_read_the_same_wherever_both_readers_accept_them() {
    let agreed = both_accept_the_same_model(&example("knapsack.lp"), "lp", 14, 1500);
    assert!(agreed > 100, "only {agreed} mutants accepted by both");
}

#[test]
fn the_examples_read_strictly_as_highs_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    for (name, cols) in [("knapsack.mps", 15), ("knapsack.lp", 16)] {
        let path = dir.path().join(name);
        std::fs::write(&path, example(name)).unwrap();
        let m = read_model(&path).unwrap();
        assert_eq!((m.num_cols(), m.num_integral()), (cols, 15), "{name}");
    }
}
