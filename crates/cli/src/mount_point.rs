//! Whether a directory is a mount point. An output directory that is one
//! cannot be replaced: renaming onto or removing a mount point fails
//! (EBUSY), and a run moved there at the end would be lost in its parent.
//!
//! Two tests: the directory's device differs from its parent's (a mounted
//! file system: a volume, a tmpfs, a container's bind mount from the host),
//! or, where `/proc/self/mountinfo` can be read (Linux), the directory is
//! listed there as a mount point (a bind mount within one file system keeps
//! the device).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The kernel's table of this process's mounts (Linux).
const MOUNT_TABLE: &str = "/proc/self/mountinfo";
/// The field of a `mountinfo` line that holds the mount point (0-based;
/// see proc(5)).
const MOUNT_POINT_FIELD: usize = 4;

/// Whether `dir` (an existing directory, not a symbolic link) is a mount
/// point. An unreadable parent or mount table counts as no evidence.
pub fn is_mount_point(dir: &Path) -> bool {
    let Ok(canonical) = std::fs::canonicalize(dir) else {
        return false;
    };
    let Some(parent) = canonical.parent() else {
        // The root directory.
        return true;
    };
    let other_device = match (std::fs::metadata(&canonical), std::fs::metadata(parent)) {
        (Ok(d), Ok(p)) => d.dev() != p.dev(),
        _ => false,
    };
    other_device || listed_as_mount_point(&canonical)
}

/// Whether the mount table lists `canonical` as a mount point.
fn listed_as_mount_point(canonical: &Path) -> bool {
    let Ok(table) = std::fs::read_to_string(MOUNT_TABLE) else {
        return false;
    };
    table
        .lines()
        .filter_map(|line| line.split(' ').nth(MOUNT_POINT_FIELD))
        .any(|field| unescape_octal(field) == canonical)
}

/// A mountinfo path: space, tab, newline and backslash are written as
/// `\040`, `\011`, `\012` and `\134`.
fn unescape_octal(field: &str) -> PathBuf {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)))
            .and_then(|d| u8::try_from(d.iter().fold(0u32, |v, b| v * 8 + u32::from(b - b'0'))).ok());
        match (bytes[i], escaped) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_and_the_root_are_mount_points_a_fresh_directory_is_not() {
        assert!(is_mount_point(Path::new("/proc")));
        assert!(is_mount_point(Path::new("/")));
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        std::fs::create_dir(&dir).unwrap();
        assert!(!is_mount_point(&dir));
    }

    #[test]
    fn mount_table_paths_are_unescaped() {
        assert_eq!(unescape_octal(r"/mnt/my\040runs"), PathBuf::from("/mnt/my runs"));
        assert_eq!(unescape_octal(r"/a\134b\011c"), PathBuf::from("/a\\b\tc"));
        assert_eq!(unescape_octal(r"/odd\04"), PathBuf::from(r"/odd\04"));
    }
}
