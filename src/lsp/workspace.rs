//! The editor's view of the manifests: every file of the workspace folders, read from disk,
//! with the open documents' unsaved texts in their place. Each file is parsed once and kept
//! parsed; a lint run moves the parsed files into one [`Inputs`], runs the same pipeline as
//! `salint check`, and moves them back, so a keystroke costs one file's parse plus the
//! graph and the rules, never a re-read of the workspace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{find_config_file, load_config_file, Config};
use crate::discover::{discover, FileFilter, InputSource};
use crate::finding::Finding;
use crate::input::{read_bytes, read_texts, Inputs};
use crate::lint::lint_with_config;

/// One file of the workspace, parsed.
struct FileState {
    parsed: Inputs,
    /// The editor's version while the document is open.
    open: Option<i32>,
}

/// The workspace: its folders, its configuration and its parsed files.
pub struct Workspace {
    roots: Vec<PathBuf>,
    pub config: Config,
    /// Why the configuration file could not be used, to show the user once.
    pub config_error: Option<String>,
    filter: FileFilter,
    files: BTreeMap<PathBuf, FileState>,
}

/// One lint run over the whole workspace.
pub struct Analysis<'w> {
    pub inputs: &'w Inputs,
    pub findings: Vec<Finding>,
    /// The path of each file id.
    pub paths: Vec<&'w Path>,
    pub config: &'w Config,
}

impl Analysis<'_> {
    /// The file id of `path`, if it was read.
    pub fn file_id(&self, path: &Path) -> Option<usize> {
        self.paths.iter().position(|p| *p == path)
    }
}

impl Workspace {
    /// An empty workspace with the configuration found from the first folder.
    pub fn new(roots: Vec<PathBuf>) -> Workspace {
        let (config, config_error) = match roots.first().and_then(|r| find_config_file(r)) {
            Some(path) => match std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    load_config_file(&path.display().to_string(), text).map_err(|e| e.message)
                }) {
                Ok(mut config) => {
                    config.base_dir = path.parent().map(Path::to_path_buf);
                    (config, None)
                }
                Err(message) => (
                    Config::default(),
                    Some(format!("salint: ignoring {}: {message}", path.display())),
                ),
            },
            None => (Config::default(), None),
        };
        let filter = config
            .file_filter()
            .unwrap_or_else(|_| FileFilter::new(&[], &[]).expect("the default filter builds"));
        Workspace {
            roots,
            config,
            config_error,
            filter,
            files: BTreeMap::new(),
        }
    }

    /// Reads `.salint.yaml` again (it changed on disk), keeping the parsed files.
    pub fn reload_config(&mut self) {
        let fresh = Workspace::new(self.roots.clone());
        self.config = fresh.config;
        self.config_error = fresh.config_error;
        self.filter = fresh.filter;
    }

    /// Reads every manifest of the workspace folders (in parallel), keeping the texts of
    /// documents opened meanwhile.
    pub fn load_from_disk(&self) -> Vec<(PathBuf, Inputs)> {
        let roots: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        if roots.is_empty() {
            return Vec::new();
        }
        let found = discover(&roots, &self.filter);
        found
            .inputs
            .par_iter()
            .filter_map(|source| match source {
                InputSource::File(path) => {
                    let path = std::path::absolute(path).ok()?;
                    let bytes = std::fs::read(&path).ok()?;
                    let parsed = read_bytes(path.display().to_string(), bytes);
                    Some((path, parsed))
                }
                InputSource::Stdin => None,
            })
            .collect()
    }

    /// Takes files read by [`Workspace::load_from_disk`]; open documents keep their text.
    pub fn add_loaded(&mut self, loaded: Vec<(PathBuf, Inputs)>) {
        for (path, parsed) in loaded {
            if self.files.get(&path).is_some_and(|f| f.open.is_some()) {
                continue;
            }
            self.files.insert(path, FileState { parsed, open: None });
        }
    }

    /// An opened or edited document.
    pub fn set_text(&mut self, path: &Path, text: String, version: i32) {
        let parsed = read_texts(vec![(path.display().to_string(), text)]);
        self.files.insert(
            path.to_path_buf(),
            FileState {
                parsed,
                open: Some(version),
            },
        );
    }

    /// A closed document: back to the disk's version, or gone if it is not on disk or not
    /// a manifest of the workspace.
    pub fn close(&mut self, path: &Path) {
        self.files.remove(path);
        self.refresh_from_disk(path);
    }

    /// A file changed on disk (watched files, saves): re-read it unless it is open.
    pub fn refresh_from_disk(&mut self, path: &Path) {
        if self.files.get(path).is_some_and(|f| f.open.is_some()) {
            return;
        }
        let in_workspace = self.roots.iter().any(|root| path.starts_with(root));
        let wanted = in_workspace && self.filter.accepts(path);
        match std::fs::read(path) {
            Ok(bytes) if wanted => {
                let parsed = read_bytes(path.display().to_string(), bytes);
                self.files
                    .insert(path.to_path_buf(), FileState { parsed, open: None });
            }
            _ => {
                self.files.remove(path);
            }
        }
    }

    /// The open documents.
    pub fn open_paths(&self) -> Vec<PathBuf> {
        self.files
            .iter()
            .filter(|(_, f)| f.open.is_some())
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Lints the whole workspace and hands the result to `use_it`.
    pub fn analyse<R>(&mut self, use_it: impl FnOnce(&Analysis) -> R) -> R {
        let mut combined = Inputs::default();
        let mut shapes = Vec::with_capacity(self.files.len());
        for state in self.files.values_mut() {
            let part = std::mem::take(&mut state.parsed);
            shapes.push((part.files.len(), part.objects.len(), part.errors.len()));
            let base = combined.files.len();
            for mut error in part.errors {
                error.file = error.file.map(|f| f + base);
                combined.errors.push(error);
            }
            combined.files.extend(part.files);
            for mut object in part.objects {
                object.file += base;
                object.index = combined.objects.len();
                combined.objects.push(object);
            }
        }
        let mut paths = Vec::new();
        for (path, (files, _, _)) in self.files.keys().zip(&shapes) {
            paths.extend(std::iter::repeat_n(path.as_path(), *files));
        }
        let result = {
            let analysis = Analysis {
                findings: lint_with_config(&combined, &self.config),
                inputs: &combined,
                paths,
                config: &self.config,
            };
            use_it(&analysis)
        };
        // Move every file's parts back where they came from.
        let mut files = combined.files.into_iter();
        let mut objects = combined.objects.into_iter();
        let mut errors = combined.errors.into_iter();
        for (state, (file_count, object_count, error_count)) in self.files.values_mut().zip(shapes)
        {
            let part = &mut state.parsed;
            part.files.extend(files.by_ref().take(file_count));
            for mut object in objects.by_ref().take(object_count) {
                object.file = 0;
                object.index = part.objects.len();
                part.objects.push(object);
            }
            for mut error in errors.by_ref().take(error_count) {
                error.file = error.file.map(|_| 0);
                part.errors.push(error);
            }
        }
        result
    }
}
