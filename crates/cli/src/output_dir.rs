//! A command's output directory (`train --out`, `bench --out`), written
//! whole or not at all.
//!
//! Before any work, [`OutputDir::prepare`] checks the directory the user
//! named: it must not be a file or a symbolic link, and an existing run is
//! replaced only with `--force` (a directory holding anything but a run's
//! own files is never replaced). It then creates a fresh staging directory
//! beside it, `.<name>.tmp-<pid>` in the same parent, which proves the
//! parent can be written. The command writes its files there, reads them
//! back, and [`OutputDir::commit`] moves the staging directory into place
//! with one rename (replacing a run: the old one is renamed aside first and
//! removed last). A run that fails or is refused before the commit leaves
//! nothing behind: dropping an uncommitted `OutputDir` removes the staging
//! directory and any parent it created. A commit that fails keeps the
//! finished run in the staging directory and says where; so does a run
//! whose files failed their check ([`OutputDir::keep_aside`]).

use crate::exit::input;
use anyhow::{anyhow, Result};
use std::path::{Path, PathBuf};

/// How many existing entries an error message names at most.
const NAMED_ENTRIES: usize = 5;
/// Staging names tried (`-1`, `-2`, … after the first): only a leftover of
/// an earlier process with the same id can be in the way, so a few suffice.
const STAGING_ATTEMPTS: u32 = 100;

/// The output directory of one command, being written.
#[derive(Debug)]
pub struct OutputDir {
    /// The flag that named it, for messages (`--out`).
    flag: &'static str,
    /// Where the run ends up.
    target: PathBuf,
    /// Where its files are written first.
    staging: PathBuf,
    /// The files a run of this command holds (an existing directory holding
    /// only these may be replaced with `--force`).
    run_files: &'static [&'static str],
    force: bool,
    /// Parents of `target` this run created, innermost first (removed again
    /// if the run does not end in place).
    created_parents: Vec<PathBuf>,
    /// Set once the staging directory is in place or must be kept.
    settled: bool,
}

/// What is at the target path now.
enum Existing {
    Nothing,
    EmptyDir,
    /// A directory holding only a run's files.
    Run,
}

impl OutputDir {
    /// Checks `target` and creates the staging directory beside it; every
    /// refusal is bad input (exit 2) naming the path and the cause.
    pub fn prepare(flag: &'static str, target: &Path, run_files: &'static [&'static str], force: bool) -> Result<Self> {
        let shown = target.display();
        let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(input(anyhow!(
                "{flag} {shown}: name a new directory for the run (e.g. runs/iris), not '{shown}'"
            )));
        };
        let existing = inspect(flag, target, run_files)?;
        if matches!(existing, Existing::Run) && !force {
            return Err(input(anyhow!(
                "{flag} {shown}: already holds a run ({}); give --force to replace it, or choose another directory",
                run_files_in(target, run_files).join(", ")
            )));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let created_parents = create_parents(flag, target, &parent)?;
        let mut dir = OutputDir {
            flag,
            target: target.to_path_buf(),
            staging: PathBuf::new(),
            run_files,
            force,
            created_parents,
            settled: false,
        };
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let suffix = if attempt == 0 {
                String::new()
            } else {
                format!("-{attempt}")
            };
            let staging = parent.join(format!(".{name}.tmp-{pid}{suffix}"));
            match std::fs::create_dir(&staging) {
                Ok(()) => {
                    dir.staging = staging;
                    return Ok(dir);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt + 1 < STAGING_ATTEMPTS => {
                    attempt += 1
                }
                Err(e) => {
                    return Err(input(anyhow!(
                        "{flag} {shown}: cannot write in {}: {e}",
                        parent.display()
                    )))
                }
            }
        }
    }

    /// The staging directory: write the run's files here.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Leaves the staging directory as it is, not in place (for a run whose
    /// files failed their check: kept for inspection); returns its path.
    pub fn keep_aside(mut self) -> PathBuf {
        self.settled = true;
        self.staging.clone()
    }

    /// Where the run is to be moved.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the staging directory into place as a whole. On failure the
    /// finished run stays in the staging directory, and the error says so.
    pub fn commit(mut self) -> Result<()> {
        let result = self.move_into_place();
        // In place, or kept where the error says: never removed.
        self.settled = true;
        result.map_err(|e| {
            anyhow!(
                "cannot move the run into {}: {e:#}; the finished run is kept in {}",
                self.target.display(),
                self.staging.display()
            )
        })
    }

    fn move_into_place(&self) -> Result<()> {
        // Looked at again: the directory may have changed during the run.
        let existing = inspect(self.flag, &self.target, self.run_files).map_err(|e| anyhow!("{e:#}"))?;
        match existing {
            Existing::Nothing => std::fs::rename(&self.staging, &self.target)?,
            Existing::EmptyDir => {
                std::fs::remove_dir(&self.target)?;
                std::fs::rename(&self.staging, &self.target)?;
            }
            Existing::Run if !self.force => {
                return Err(anyhow!(
                    "a run appeared there while this one ran (give --force to replace it)"
                ))
            }
            Existing::Run => {
                let name = self
                    .staging
                    .file_name()
                    .expect("named staging directory")
                    .to_string_lossy();
                let old = self.staging.with_file_name(name.replacen(".tmp-", ".old-", 1));
                std::fs::rename(&self.target, &old)?;
                if let Err(e) = std::fs::rename(&self.staging, &self.target) {
                    // Put the old run back; the new one stays in staging.
                    let _ = std::fs::rename(&old, &self.target);
                    return Err(e.into());
                }
                if let Err(e) = std::fs::remove_dir_all(&old) {
                    eprintln!(
                        "mipnet: note: the replaced run could not be removed from {}: {e}",
                        old.display()
                    );
                }
            }
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    /// An uncommitted run (refused, failed) leaves nothing behind.
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        if !self.staging.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        for dir in &self.created_parents {
            // Only if still empty: never another's files.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// What is at `target`: nothing, an empty directory, or a run; anything
/// else is refused.
fn inspect(flag: &str, target: &Path, run_files: &[&str]) -> Result<Existing> {
    let shown = target.display();
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(input(anyhow!("{flag} {shown}: cannot be used: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(input(anyhow!(
            "{flag} {shown}: is a symbolic link; give the directory it points to, or a new one"
        )));
    }
    if !meta.is_dir() {
        return Err(input(anyhow!("{flag} {shown}: exists and is not a directory")));
    }
    let entries = std::fs::read_dir(target)
        .and_then(|rd| {
            rd.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect::<std::io::Result<Vec<String>>>()
        })
        .map_err(|e| input(anyhow!("{flag} {shown}: cannot be read: {e}")))?;
    if entries.is_empty() {
        return Ok(Existing::EmptyDir);
    }
    let mut foreign: Vec<&String> = entries.iter().filter(|e| !run_files.contains(&e.as_str())).collect();
    if !foreign.is_empty() {
        foreign.sort();
        let more = foreign.len().saturating_sub(NAMED_ENTRIES);
        let named: Vec<&str> = foreign.iter().take(NAMED_ENTRIES).map(|s| s.as_str()).collect();
        return Err(input(anyhow!(
            "{flag} {shown}: holds files that are not a run's ({}{}); it is never replaced, even with --force: \
             choose a new directory",
            named.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )));
    }
    Ok(Existing::Run)
}

/// The run files present in `dir`, in `run_files`' order.
fn run_files_in(dir: &Path, run_files: &[&str]) -> Vec<String> {
    run_files
        .iter()
        .filter(|f| dir.join(f).exists())
        .map(|f| f.to_string())
        .collect()
}

/// Creates `parent` and any missing ancestors, returning those it created,
/// innermost first.
fn create_parents(flag: &str, target: &Path, parent: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = parent;
    loop {
        match std::fs::symlink_metadata(cur) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(cur.to_path_buf());
                match cur.parent() {
                    Some(p) if !p.as_os_str().is_empty() => cur = p,
                    _ => break,
                }
            }
            Err(e) => {
                return Err(input(anyhow!(
                    "{flag} {}: cannot read {}: {e}",
                    target.display(),
                    cur.display()
                )))
            }
        }
    }
    // Outermost first when creating; innermost first when removing.
    let mut created = Vec::new();
    for dir in missing.iter().rev() {
        if let Err(e) = std::fs::create_dir(dir) {
            for made in created.iter().rev() {
                let _ = std::fs::remove_dir(made);
            }
            return Err(input(anyhow!(
                "{flag} {}: cannot create {}: {e}",
                target.display(),
                dir.display()
            )));
        }
        created.push(dir.clone());
    }
    created.reverse();
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[&str] = &["a.json", "b.json"];

    fn write_run(dir: &Path, text: &str) {
        for f in FILES {
            std::fs::write(dir.join(f), text).unwrap();
        }
    }

    #[test]
    fn a_new_run_appears_whole_and_leaves_no_staging_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("deep/er/run");
        let out = OutputDir::prepare("--out", &target, FILES, false).unwrap();
        assert!(!target.exists(), "nothing in place before the commit");
        write_run(out.staging(), "new");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the run: {left:?}");
    }

    #[test]
    fn an_uncommitted_run_leaves_nothing_not_even_the_parents_it_made() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("made/run");
        let out = OutputDir::prepare("--out", &target, FILES, false).unwrap();
        write_run(out.staging(), "half");
        drop(out);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_existing_run_is_replaced_only_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        let e = OutputDir::prepare("--out", &target, FILES, false).unwrap_err();
        assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
        let text = format!("{e:#}");
        assert!(
            text.contains("already holds a run (a.json, b.json)") && text.contains("--force"),
            "{text}"
        );
        let out = OutputDir::prepare("--out", &target, FILES, true).unwrap();
        write_run(out.staging(), "new");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("b.json")).unwrap(), "new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "old run removed");
    }

    #[test]
    fn a_directory_with_other_files_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("home");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        std::fs::write(target.join("thesis.tex"), "mine").unwrap();
        let e = OutputDir::prepare("--out", &target, FILES, true).unwrap_err();
        let text = format!("{e:#}");
        assert!(text.contains("thesis.tex") && text.contains("never replaced"), "{text}");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging left");
    }

    #[test]
    fn a_run_that_appears_during_the_work_is_not_overwritten_and_the_new_one_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        let out = OutputDir::prepare("--out", &target, FILES, false).unwrap();
        write_run(out.staging(), "new");
        let staging = out.staging().to_path_buf();
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "other");
        let e = out.commit().unwrap_err().to_string();
        assert!(
            e.contains("kept in") && e.contains(&staging.display().to_string()),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "other");
        assert_eq!(std::fs::read_to_string(staging.join("a.json")).unwrap(), "new");
    }

    #[test]
    fn no_name_a_file_or_a_file_as_parent_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, "x").unwrap();
        for (target, fragment) in [
            (PathBuf::from("."), "name a new directory"),
            (file.clone(), "exists and is not a directory"),
            (file.join("run"), "Not a directory"),
            (file.join("sub/run"), "Not a directory"),
        ] {
            let e = OutputDir::prepare("--out", &target, FILES, true).unwrap_err();
            assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
            let text = format!("{e:#}");
            assert!(
                text.contains(fragment) && text.contains(&target.display().to_string()),
                "{text}"
            );
        }
    }
}
