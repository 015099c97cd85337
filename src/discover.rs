//! Which files a run reads: named files always, folders walked the way ripgrep walks them
//! (.gitignore honoured inside git repositories, hidden entries skipped), filtered by the
//! manifest extensions or `--include`, minus `--exclude`.

use std::path::{Path, PathBuf};

mod glob_index;

use glob_index::GlobIndex;

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputSource {
    Stdin,
    File(PathBuf),
}

/// What discovery found: the inputs in a stable order, the kustomization files, and the
/// arguments it could not use.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<InputSource>,
    /// `kustomization.yaml`, `kustomization.yml` and `Kustomization` files: read as
    /// kustomizations, never as manifests (whatever `--include` says).
    pub kustomizations: Vec<PathBuf>,
    /// `Chart.yaml` files: Helm charts, rendered by Helm; their templates are never read
    /// as manifests.
    pub charts: Vec<PathBuf>,
    pub problems: Vec<DiscoveryProblem>,
}

/// An argument or folder entry that could not be used (missing path, unreadable folder).
#[derive(Debug, Clone)]
pub struct DiscoveryProblem {
    pub path: String,
    pub message: String,
}

/// The file names Kustomize looks for in a folder, in its order.
pub const KUSTOMIZATION_FILE_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether `path` names a kustomization file.
pub fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| KUSTOMIZATION_FILE_NAMES.contains(&name))
}

/// Whether `path` names a chart's `Chart.yaml`.
pub fn is_chart_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == "Chart.yaml")
}

/// The file patterns read inside folders when `--include` is not given.
pub const DEFAULT_INCLUDE: &[&str] = &["*.yaml", "*.yml", "*.json"];

/// Include and exclude globs, filed by the path components they need and compiled when a
/// path needs them (a configuration may list hundreds of thousands).
pub struct FileFilter {
    include: GlobIndex,
    exclude: GlobIndex,
    /// Whether folder walks follow symbolic links (`--follow`); off by default, as in
    /// ripgrep, so a link out of the tree is not read unless asked.
    follow_links: bool,
}

impl FileFilter {
    /// Builds the filter; an empty `include` means [`DEFAULT_INCLUDE`]. A bad glob is an
    /// error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, GlobError> {
        let include: Vec<&str> = if include.is_empty() {
            DEFAULT_INCLUDE.to_vec()
        } else {
            include.iter().map(String::as_str).collect()
        };
        Ok(FileFilter {
            include: GlobIndex::new(&include)?,
            exclude: GlobIndex::new(&exclude.iter().map(String::as_str).collect::<Vec<_>>())?,
            follow_links: false,
        })
    }

    /// Whether the path, or any folder on the way to it, matches an exclude glob (by its
    /// path relative to the folder walked, or by its name), so `--exclude vendor` skips the
    /// whole `vendor` folder.
    fn excluded(&self, relative: &Path) -> bool {
        relative
            .ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| {
                self.exclude.is_match(p)
                    || p.file_name()
                        .is_some_and(|name| self.exclude.is_match(Path::new(name)))
            })
    }

    /// The same filter, following symbolic links in folder walks (loops are reported).
    pub fn following_links(mut self, follow: bool) -> Self {
        self.follow_links = follow;
        self
    }

    /// Whether the path, or a folder on the way to it, is excluded (kustomization files
    /// are read whatever the include globs say, unless excluded).
    pub fn excludes(&self, relative: &Path) -> bool {
        self.excluded(relative)
    }

    /// Whether a file found by other means (an editor's file watcher) is one a walk
    /// would read.
    pub fn accepts(&self, path: &Path) -> bool {
        self.included(path) && !self.excluded(path)
    }

    fn included(&self, relative: &Path) -> bool {
        self.include.is_match(relative)
            || relative
                .file_name()
                .is_some_and(|name| self.include.is_match(Path::new(name)))
    }
}

/// An `--include` or `--exclude` glob (or one of the configuration's) that globset cannot
/// compile.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GlobError {
    #[error("invalid glob `{pattern}`: {source}")]
    Invalid {
        pattern: String,
        source: globset::Error,
    },
    #[error("invalid glob set: {0}")]
    Set(#[source] globset::Error),
}

/// Expands the command-line arguments into inputs. No argument means the current folder.
pub fn discover(args: &[String], filter: &FileFilter) -> Discovered {
    let default_args = [".".to_string()];
    let args = if args.is_empty() {
        &default_args[..]
    } else {
        args
    };
    let mut found = Discovered::default();
    for arg in args {
        if arg == "-" {
            found.inputs.push(InputSource::Stdin);
            continue;
        }
        let path = Path::new(arg);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_folder(path, filter, &mut found),
            // Opening a named pipe waits for a writer, maybe forever; folder walks skip
            // them (they are not files), and so does a name on the command line.
            Ok(meta) if is_fifo(&meta) => found.problems.push(DiscoveryProblem {
                path: display_path(path),
                message: "skipped: a named pipe (FIFO), which could wait forever for a writer; \
                          pipe it to standard input (`-`) instead"
                    .to_string(),
            }),
            Ok(_) if is_kustomization_file(path) => found.kustomizations.push(path.to_path_buf()),
            Ok(_) if is_chart_file(path) => found.charts.push(path.to_path_buf()),
            Ok(_) => found.inputs.push(InputSource::File(path.to_path_buf())),
            Err(error) => found.problems.push(DiscoveryProblem {
                path: display_path(path),
                message: format!("cannot read: {}", io_message(&error)),
            }),
        }
    }
    sort_inputs(&mut found.inputs);
    found.kustomizations.sort();
    found.kustomizations.dedup();
    found.charts.sort();
    found.charts.dedup();
    found
}

#[cfg(unix)]
fn is_fifo(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type())
}

#[cfg(not(unix))]
fn is_fifo(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Sorts inputs by [`sort_key`] and drops duplicates. Each key is computed once: it is a
/// display path, which asks the OS for the working directory.
pub fn sort_inputs(inputs: &mut Vec<InputSource>) {
    let mut keyed: Vec<((u8, String), InputSource)> = inputs
        .drain(..)
        .map(|input| (sort_key(&input), input))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    inputs.extend(keyed.into_iter().map(|(_, input)| input));
}

/// The order inputs are read and reported in: stdin first, then files by display path.
pub fn sort_key(input: &InputSource) -> (u8, String) {
    match input {
        InputSource::Stdin => (0, String::new()),
        InputSource::File(path) => (1, display_path(path)),
    }
}

/// Walks a folder on several threads (a real manifest repository is thousands of files in
/// hundreds of folders: the walk alone took a tenth of a run). The order found does not
/// matter: inputs are sorted afterwards, and the folder's problems are sorted here.
fn walk_folder(root: &Path, filter: &FileFilter, found: &mut Discovered) {
    let walked = std::sync::Mutex::new(Discovered::default());
    let visit = |entry: Result<ignore::DirEntry, ignore::Error>| {
        let mut walked = walked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let path = entry.path();
                let relative = path.strip_prefix(root).unwrap_or(path);
                if !is_file || filter.excluded(relative) {
                    // Not read.
                } else if is_kustomization_file(path) {
                    walked.kustomizations.push(path.to_path_buf());
                } else if is_chart_file(path) {
                    walked.charts.push(path.to_path_buf());
                } else if filter.included(relative) {
                    walked.inputs.push(InputSource::File(path.to_path_buf()));
                }
            }
            Err(error) => walked.problems.push(DiscoveryProblem {
                path: error_path(&error).unwrap_or_else(|| display_path(root)),
                message: walk_message(&error),
            }),
        }
        ignore::WalkState::Continue
    };
    ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        .follow_links(filter.follow_links)
        .build_parallel()
        .run(|| Box::new(visit));
    let mut walked = walked
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    walked
        .problems
        .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));

    found.inputs.append(&mut walked.inputs);
    found.kustomizations.append(&mut walked.kustomizations);
    found.charts.append(&mut walked.charts);
    found.problems.append(&mut walked.problems);
}

fn error_path(error: &ignore::Error) -> Option<String> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn walk_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_message(err),
        ignore::Error::Io(io) => format!("cannot read: {}", io_message(io)),
        other => other.to_string(),
    }
}

/// An io error's message without the "(os error N)" tail.
pub fn io_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A path as users see it: relative to the working directory when below it, with forward
/// slashes and without a leading `./`.
pub fn display_path(path: &Path) -> String {
    // Asked once per process (salint never changes directory): a run shows thousands.
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./");
    if text.is_empty() {
        ".".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folders are walked on several threads; what a walk finds still comes out in one
    /// order, problems included.
    #[cfg(unix)]
    #[test]
    fn a_parallel_walk_gives_one_order() {
        let dir = tempfile::tempdir().unwrap();
        for folder in (0..40).map(|i| format!("f{i:02}")) {
            let path = dir.path().join(folder);
            std::fs::create_dir_all(path.join("deeper")).unwrap();
            std::fs::write(path.join("deeper/x.yaml"), "kind: X\n").unwrap();
            std::os::unix::fs::symlink(dir.path(), path.join("loop")).unwrap();
        }
        let filter = FileFilter::new(&[], &[]).unwrap().following_links(true);
        let arg = dir.path().to_string_lossy().to_string();
        let walk = || {
            let found = discover(std::slice::from_ref(&arg), &filter);
            let problems: Vec<String> = found
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect();
            (found.inputs, problems)
        };
        let first = walk();
        assert_eq!(first.0.len(), 40);
        assert_eq!(first.1.len(), 40, "{:?}", first.1);
        let mut sorted = first.1.clone();
        sorted.sort();
        assert_eq!(first.1, sorted);
        for _ in 0..10 {
            assert_eq!(walk(), first);
        }
    }
}
