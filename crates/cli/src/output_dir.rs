//! A command's output directory (`train --out`, `bench --out`), written
//! whole or not at all.
//!
//! Before any work, [`OutputDir::prepare`] checks the directory the user
//! named: it must not be a file, a symbolic link or a mount point, and an
//! existing run is replaced only with `--force` (a directory that is not
//! recognisably this command's run, see [`RunKind`], is never replaced).
//! It then creates a fresh staging directory
//! beside it, `.<name>.tmp-<pid>` in the same parent, which proves the
//! parent can be written. The command writes its files there, reads them
//! back, and [`OutputDir::commit`] flushes every file and the staging
//! directory to disk, moves it into place with one rename (replacing a run:
//! the old one is renamed aside first and removed last), and flushes the
//! parent, so a crash or power loss leaves the old run or the new one. A run that fails or is refused before the commit leaves
//! nothing behind: dropping an uncommitted `OutputDir` removes the staging
//! directory and any parent it created. A commit that fails keeps the
//! finished run in the staging directory and says where; so does a run
//! whose files failed their check ([`OutputDir::keep_aside`]).

use crate::exit::input;
use crate::mount_point::is_mount_point;
use anyhow::{anyhow, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// How many existing entries an error message names at most.
const NAMED_ENTRIES: usize = 5;
/// Staging names tried (`-1`, `-2`, … after the first): only a leftover of
/// an earlier process with the same id can be in the way, so a few suffice.
const STAGING_ATTEMPTS: u32 = 100;

/// What a command's run directory holds, to tell its own earlier run (which
/// `--force` may replace) from anything else (never replaced).
#[derive(Debug)]
pub struct RunKind {
    /// Regular files every run holds.
    pub required: &'static [&'static str],
    /// Files a run may hold besides.
    pub optional: &'static [&'static str],
    /// Checks that the files in a directory are this command's output
    /// (e.g. its report parses as mipnet's); the error says what is not.
    pub recognise: fn(&Path) -> std::result::Result<(), String>,
}

impl RunKind {
    fn holds(&self, name: &str) -> bool {
        self.required.contains(&name) || self.optional.contains(&name)
    }
}

/// The output directory of one command, being written.
#[derive(Debug)]
pub struct OutputDir {
    /// The flag that named it, for messages (`--out`).
    flag: &'static str,
    /// Where the run ends up.
    target: PathBuf,
    /// Where its files are written first.
    staging: PathBuf,
    /// What a run of this command holds (an existing run of it may be
    /// replaced with `--force`).
    kind: &'static RunKind,
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
    pub fn prepare(flag: &'static str, target: &Path, kind: &'static RunKind, force: bool) -> Result<Self> {
        let shown = target.display();
        let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(input(anyhow!(
                "{flag} {shown}: name a new directory for the run (e.g. runs/iris), not '{shown}'"
            )));
        };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // `out/` and `out/.` name `out` itself: without the trailing part a
        // symbolic link is seen as one, and the rename at the end works.
        let target = parent.join(&name);
        let existing = inspect(flag, &target, kind)?;
        if matches!(existing, Existing::Run) && !force {
            return Err(input(anyhow!(
                "{flag} {shown}: already holds a run ({}); give --force to replace it, or choose another directory",
                files_in(&target, kind).join(", ")
            )));
        }
        let created_parents = create_parents(flag, &target, &parent)?;
        let mut dir = OutputDir {
            flag,
            target,
            staging: PathBuf::new(),
            kind,
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
        sync_tree(&self.staging)?;
        // Looked at again: the directory may have changed during the run.
        let existing = inspect(self.flag, &self.target, self.kind).map_err(|e| anyhow!("{e:#}"))?;
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
                // The new run is in place on disk before the old one goes.
                sync_parent(&self.target)?;
                if let Err(e) = std::fs::remove_dir_all(&old) {
                    eprintln!(
                        "mipnet: note: the replaced run could not be removed from {}: {e}",
                        old.display()
                    );
                }
            }
        }
        sync_parent(&self.target)
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

/// Flushes every file in `dir` (one level: a run's files) and `dir` itself
/// to disk.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| anyhow!("cannot flush {} to disk: {e}", path.display()))?;
    }
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| anyhow!("cannot flush {} to disk: {e}", dir.display()))
}

/// Flushes the directory holding `path` (its entries: a rename) to disk.
fn sync_parent(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)
        .and_then(|f| f.sync_all())
        .map_err(|e| anyhow!("cannot flush {} to disk: {e}", parent.display()))
}

/// What is at `target`: nothing, an empty directory, or a run of `kind`;
/// anything else is refused.
fn inspect(flag: &str, target: &Path, kind: &RunKind) -> Result<Existing> {
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
    if is_mount_point(target) {
        return Err(input(anyhow!(
            "{flag} {shown}: is a mount point, which a run cannot replace; give a new subdirectory of it \
             (e.g. {})",
            target.join("run").display()
        )));
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
    let mut foreign: Vec<&String> = entries.iter().filter(|e| !kind.holds(e)).collect();
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
    let not_a_run = |cause: String| {
        input(anyhow!(
            "{flag} {shown}: is not a mipnet run ({cause}); it is never replaced, even with --force: \
             choose a new directory"
        ))
    };
    for name in kind.required {
        let is_file = std::fs::symlink_metadata(target.join(name)).is_ok_and(|m| m.is_file());
        if !is_file {
            return Err(not_a_run(format!("no file {name}")));
        }
    }
    (kind.recognise)(target).map_err(not_a_run)?;
    Ok(Existing::Run)
}

/// The run's files present in `dir`, required ones first.
fn files_in(dir: &Path, kind: &RunKind) -> Vec<String> {
    kind.required
        .iter()
        .chain(kind.optional)
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

    /// A run holds a.json and b.json, c.txt optionally; a.json says "run".
    static FILES: RunKind = RunKind {
        required: &["a.json", "b.json"],
        optional: &["c.txt"],
        recognise: |dir| match std::fs::read_to_string(dir.join("a.json")) {
            Ok(text) if text.starts_with("run") => Ok(()),
            _ => Err("a.json is not a run's".to_string()),
        },
    };

    fn write_run(dir: &Path, text: &str) {
        for f in FILES.required {
            std::fs::write(dir.join(f), format!("run {text}")).unwrap();
        }
    }

    #[test]
    fn a_new_run_appears_whole_and_leaves_no_staging_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("deep/er/run");
        let out = OutputDir::prepare("--out", &target, &FILES, false).unwrap();
        assert!(!target.exists(), "nothing in place before the commit");
        write_run(out.staging(), "new");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "run new");
        let left: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the run: {left:?}");
    }

    #[test]
    fn an_uncommitted_run_leaves_nothing_not_even_the_parents_it_made() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("made/run");
        let out = OutputDir::prepare("--out", &target, &FILES, false).unwrap();
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
        let e = OutputDir::prepare("--out", &target, &FILES, false).unwrap_err();
        assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
        let text = format!("{e:#}");
        assert!(
            text.contains("already holds a run (a.json, b.json)") && text.contains("--force"),
            "{text}"
        );
        let out = OutputDir::prepare("--out", &target, &FILES, true).unwrap();
        write_run(out.staging(), "new");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("b.json")).unwrap(), "run new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "old run removed");
    }

    #[test]
    fn a_directory_with_other_files_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("home");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        std::fs::write(target.join("thesis.tex"), "mine").unwrap();
        let e = OutputDir::prepare("--out", &target, &FILES, true).unwrap_err();
        let text = format!("{e:#}");
        assert!(text.contains("thesis.tex") && text.contains("never replaced"), "{text}");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging left");
    }

    #[test]
    fn a_run_that_appears_during_the_work_is_not_overwritten_and_the_new_one_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        let out = OutputDir::prepare("--out", &target, &FILES, false).unwrap();
        write_run(out.staging(), "new");
        let staging = out.staging().to_path_buf();
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "other");
        let e = out.commit().unwrap_err().to_string();
        assert!(
            e.contains("kept in") && e.contains(&staging.display().to_string()),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "run other");
        assert_eq!(std::fs::read_to_string(staging.join("a.json")).unwrap(), "run new");
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
            let e = OutputDir::prepare("--out", &target, &FILES, true).unwrap_err();
            assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
            let text = format!("{e:#}");
            assert!(
                text.contains(fragment) && text.contains(&target.display().to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn an_existing_empty_directory_is_replaced_by_the_run() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("empty");
        std::fs::create_dir(&target).unwrap();
        let out = OutputDir::prepare("--out", &target, &FILES, false).unwrap();
        write_run(out.staging(), "new");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "run new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "no staging left");
    }

    #[test]
    fn a_directory_that_is_not_recognisably_a_run_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        for (files, fragment) in [
            (vec![("c.txt", "mine")], "no file a.json"),
            (vec![("a.json", "run"), ("c.txt", "mine")], "no file b.json"),
            (vec![("a.json", "thesis"), ("b.json", "run")], "a.json is not a run's"),
        ] {
            let target = tmp.path().join("mine");
            std::fs::create_dir(&target).unwrap();
            for (name, text) in &files {
                std::fs::write(target.join(name), text).unwrap();
            }
            let e = OutputDir::prepare("--out", &target, &FILES, true).unwrap_err();
            assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
            let text = format!("{e:#}");
            assert!(
                text.contains("is not a mipnet run") && text.contains(fragment) && text.contains("never replaced"),
                "{text}"
            );
            for (name, text) in &files {
                assert_eq!(&std::fs::read_to_string(target.join(name)).unwrap(), text);
            }
            std::fs::remove_dir_all(&target).unwrap();
        }
    }

    #[test]
    fn a_required_file_that_is_a_directory_is_not_a_run() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("mine");
        std::fs::create_dir_all(target.join("b.json")).unwrap();
        std::fs::write(target.join("a.json"), "run").unwrap();
        let e = format!("{:#}", OutputDir::prepare("--out", &target, &FILES, true).unwrap_err());
        assert!(e.contains("no file b.json"), "{e}");
    }

    #[test]
    fn a_trailing_slash_or_dot_names_the_directory_itself() {
        let tmp = tempfile::tempdir().unwrap();
        for suffix in ["/", "/."] {
            let target = tmp.path().join("run");
            let given = PathBuf::from(format!("{}{suffix}", target.display()));
            let out = OutputDir::prepare("--out", &given, &FILES, false).unwrap();
            assert_eq!(out.target(), target);
            write_run(out.staging(), "new");
            out.commit().unwrap();
            assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "run new");
            std::fs::remove_dir_all(&target).unwrap();
        }
    }

    #[test]
    fn a_symbolic_link_is_refused_with_or_without_a_trailing_slash() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        for given in [link.display().to_string(), format!("{}/", link.display())] {
            let e = OutputDir::prepare("--out", Path::new(&given), &FILES, true).unwrap_err();
            assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
            let text = format!("{e:#}");
            let named = format!("{}: is a symbolic link", link.display());
            assert!(text.contains(&named), "{text}");
        }
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2, "nothing staged");
    }

    #[test]
    fn a_mount_point_is_refused_suggesting_a_subdirectory() {
        let e = OutputDir::prepare("--out", Path::new("/proc"), &FILES, true).unwrap_err();
        assert!(e.downcast_ref::<crate::exit::InputError>().is_some());
        let text = format!("{e:#}");
        assert!(
            text.contains("/proc: is a mount point") && text.contains("/proc/run"),
            "{text}"
        );
    }

    #[test]
    fn a_run_kept_aside_with_force_leaves_the_old_run_in_place() {
        // What train and bench do when the new files fail their read-back.
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        let out = OutputDir::prepare("--out", &target, &FILES, true).unwrap();
        write_run(out.staging(), "new");
        let kept = out.keep_aside();
        assert_eq!(std::fs::read_to_string(target.join("a.json")).unwrap(), "run old");
        assert_eq!(std::fs::read_to_string(kept.join("a.json")).unwrap(), "run new");
    }
}
