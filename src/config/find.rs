//! Finding `.salint.yaml`: in the scanned folder or a parent, up to the repository root.

use std::path::{Path, PathBuf};

use super::CONFIG_FILE_NAME;

/// Looks for the config file starting at `start` (a folder, or a file's folder) and going
/// up; stops after the folder that holds `.git` (the repository root) or at the file
/// system root.
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    let start = match start.parent() {
        // A bare file name's parent is "": the current folder.
        Some(parent) if start.is_file() && parent.as_os_str().is_empty() => Path::new("."),
        Some(parent) if start.is_file() => parent,
        _ => start,
    };
    let start = std::fs::canonicalize(start).ok()?;
    for folder in start.ancestors() {
        let candidate = folder.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if folder.join(".git").exists() {
            return None;
        }
    }
    None
}
