//! Finding `.salint.yaml`: in the scanned folder or a parent, never beyond the repository.
//!
//! A configuration can switch rules off, so the search must not pick one up from a folder
//! the repository's owner does not control. It stops at the first of: the folder holding
//! `.git` (the repository root), the user's home folder, the last folder before a file
//! system boundary (another device: a mount), and it never reads a folder anyone may write
//! to (`/tmp`: any user could plant a `.salint.yaml` there that silences findings).

use std::path::{Path, PathBuf};

use super::CONFIG_FILE_NAME;

/// Looks for the config file starting at `start` (a folder, or a file's folder) and going
/// up, within [`search_folders`].
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    let start = match start.parent() {
        // A bare file name's parent is "": the current folder.
        Some(parent) if start.is_file() && parent.as_os_str().is_empty() => Path::new("."),
        Some(parent) if start.is_file() => parent,
        _ => start,
    };
    let start = std::fs::canonicalize(start).ok()?;
    search_folders(&start)
        .into_iter()
        .map(|folder| folder.join(CONFIG_FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// The folders searched from `start` (canonical) upwards, `start` first: up to and with
/// the repository root or the home folder, without crossing a file system boundary or
/// entering a folder anyone may write to.
pub fn search_folders(start: &Path) -> Vec<PathBuf> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .and_then(|h| std::fs::canonicalize(h).ok());
    let device = device_of(start);
    let mut folders = Vec::new();
    for folder in start.ancestors() {
        let Ok(meta) = std::fs::metadata(folder) else {
            break;
        };
        if world_writable(&meta) || device_id(&meta) != device {
            break;
        }
        folders.push(folder.to_path_buf());
        if folder.join(".git").exists() || home.as_deref() == Some(folder) {
            break;
        }
    }
    folders
}

/// The repository a configuration file belongs to: the folder holding `.git` among the
/// folders its search covers, else the configuration's own folder.
pub fn repository_of(config_folder: &Path) -> PathBuf {
    let canonical =
        std::fs::canonicalize(config_folder).unwrap_or_else(|_| config_folder.to_path_buf());
    search_folders(&canonical)
        .into_iter()
        .find(|folder| folder.join(".git").exists())
        .unwrap_or(canonical)
}

#[cfg(unix)]
fn device_id(meta: &std::fs::Metadata) -> Option<u64> {
    Some(std::os::unix::fs::MetadataExt::dev(meta))
}

#[cfg(not(unix))]
fn device_id(_meta: &std::fs::Metadata) -> Option<u64> {
    None
}

fn device_of(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().and_then(|m| device_id(&m))
}

/// Whether anyone may create files in the folder (`o+w`, as `/tmp`).
#[cfg(unix)]
fn world_writable(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o002 != 0
}

#[cfg(not(unix))]
fn world_writable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Why the configuration's `context:` may not be read: a folder outside the configuration's
/// own repository is read only when the command line names it (`--context`), so a
/// configuration file cannot make salint read `/etc` or another checkout.
pub fn context_outside_repository(config: &super::Config) -> Option<String> {
    let context = config.context.value.as_ref()?;
    let super::Origin::File { path, line, column } = &config.context.origin else {
        return None;
    };
    let base = config.base_dir.as_ref()?;
    let repository = repository_of(base);
    // By now relative to the working directory (see `cli::resolve_config`), or absolute.
    let absolute = std::path::absolute(context).ok()?;
    let resolved = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    if resolved.starts_with(&repository) {
        return None;
    }
    Some(format!(
        "{path}:{line}:{column}: context `{context}` is outside the configuration's repository ({}); \
         name it on the command line with --context to read it",
        repository.display()
    ))
}
