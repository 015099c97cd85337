//! Writing the files salint is told to write (`--output`, `--write-baseline`, `init`'s
//! `.salint.yaml`) so that a failure never leaves half a file, and a link planted at the
//! name is never written through.
//!
//! The text goes to a temporary file in the same folder, which is flushed to disk and then
//! renamed over the name: on a full disk the old baseline stays whole, where writing in
//! place had truncated it to invalid JSON. A symbolic link at the name, dangling or not, is
//! refused rather than followed (a repository can hold `report.json -> ~/.bashrc`) or
//! replaced (`-o /dev/stdout` is a link too, and replacing it as root would break the
//! system). A name that is a device or a pipe (`/dev/null`) is written to directly: there
//! is nothing to replace.

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::discover::io_message;

/// Why a file salint was told to write was not written; the file at the name, if any, is
/// as it was.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OutputError {
    #[error("refusing to write {path}: it is a symbolic link{}; remove the link or name its target", points_to(.target))]
    SymbolicLink {
        path: String,
        /// Where the link points, when it can be read.
        target: Option<PathBuf>,
    },
    #[error("cannot write {path}: it is a folder")]
    Folder { path: String },
    #[error("cannot write {path}: {}", io_message(.source))]
    Io { path: String, source: io::Error },
}

/// ` (it points to TARGET)`, or nothing when the link cannot be read.
fn points_to(target: &Option<PathBuf>) -> String {
    target
        .as_ref()
        .map(|t| format!(" (it points to {})", t.display()))
        .unwrap_or_default()
}

/// Writes what `write` produces to `path`, atomically where `path` is (or will be) a
/// regular file.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let shown = path.display().to_string();
    let fail = |source: io::Error| OutputError::Io {
        path: shown.clone(),
        source,
    };
    let permissions = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(OutputError::SymbolicLink {
                path: shown.clone(),
                target: fs::read_link(path).ok(),
            });
        }
        Ok(meta) if meta.is_dir() => {
            return Err(OutputError::Folder {
                path: shown.clone(),
            })
        }
        Ok(meta) if !meta.is_file() => {
            // A device or a pipe: written to, never replaced.
            let file = OpenOptions::new().write(true).open(path).map_err(fail)?;
            let mut out = BufWriter::with_capacity(1 << 18, file);
            return write(&mut out).and_then(|()| out.flush()).map_err(fail);
        }
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    let (temporary, file) = create_temporary(path).map_err(fail)?;
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 18, file);
        write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        // Errors of delayed allocation (a full disk) show here, before the rename.
        file.sync_all()?;
        if let Some(permissions) = permissions {
            fs::set_permissions(&temporary, permissions)?;
        }
        fs::rename(&temporary, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(())
}

/// A new file beside `path` (`.NAME.PID.N.tmp`), created exclusively: an existing entry of
/// that name, a planted link included, is never opened.
fn create_temporary(path: &Path) -> io::Result<(PathBuf, fs::File)> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "salint-output".to_string());
    let mut attempt = 0;
    loop {
        let temporary = folder.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => return Ok((temporary, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_that_fails_midway_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        fs::write(&path, "{\"old\": true}\n").unwrap();
        let result = write_file(&path, |out| {
            out.write_all(b"{\"new\": ")?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
        });
        assert!(result.unwrap_err().to_string().contains("no space left"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"old\": true}\n");
        assert_eq!(
            entries(dir.path()),
            ["baseline.json"],
            "no temporary file left"
        );

        write_file(&path, |out| out.write_all(b"{\"new\": true}\n")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"new\": true}\n");
        assert_eq!(entries(dir.path()), ["baseline.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_devices_written_to() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        fs::write(&target, "keep").unwrap();
        let link = dir.path().join("report.json");
        symlink(&target, &link).unwrap();
        let error = write_file(&link, |out| out.write_all(b"x")).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");

        let dangling = dir.path().join("dangling.json");
        symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_file(&dangling, |out| out.write_all(b"x")).is_err());
        assert!(!dir.path().join("nowhere").exists());

        // An existing file keeps its permissions.
        let kept = dir.path().join("kept.json");
        fs::write(&kept, "old").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o600)).unwrap();
        write_file(&kept, |out| out.write_all(b"new")).unwrap();
        let mode = fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        write_file(Path::new("/dev/null"), |out| out.write_all(b"x")).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::symlink_metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}
