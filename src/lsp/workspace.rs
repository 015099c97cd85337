//! The editor's view of the manifests: every file of the workspace folders, read from disk,
//! with the open documents' unsaved texts in their place. Each file is parsed once and kept
//! parsed; a lint run moves the parsed files into one [`Inputs`], runs the same pipeline as
//! `salint check`, and moves them back, so a keystroke costs one file's parse plus the
//! graph and the rules, never a re-read of the workspace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Message, Notification};
use lsp_types::notification::Notification as _;
use lsp_types::{
    MessageType, NumberOrString, ProgressParams, ProgressParamsValue, ShowMessageParams,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport,
};
use rayon::prelude::*;

use crate::config::{find_config_file, load_config_file, Config};
use crate::discover::FileFilter;
use crate::finding::Finding;
use crate::input::{read_bytes, read_texts, Inputs, DEFAULT_MAX_FILE_SIZE};
use crate::lint::lint_with_config;

/// How much of the workspace folders the background load reads. An editor opened on `/`
/// or a home folder must not take the machine's memory or keep the server from answering:
/// past a limit the load stops, the client is told, and the files read so far are the
/// context. The client can raise them (`initializationOptions`: `maxWorkspaceFiles`,
/// `workspaceLoadSeconds`, `maxWorkspaceMegabytes`).
#[derive(Debug, Clone)]
pub struct LoadLimits {
    pub max_files: usize,
    pub time: Duration,
    pub max_bytes: u64,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_files: 20_000,
            time: Duration::from_secs(20),
            max_bytes: 512 << 20,
        }
    }
}

impl LoadLimits {
    /// The defaults, with what the client's `initializationOptions` set.
    pub fn from_options(options: Option<&serde_json::Value>) -> Self {
        let mut limits = LoadLimits::default();
        let Some(options) = options else {
            return limits;
        };
        if let Some(n) = options.get("maxWorkspaceFiles").and_then(|v| v.as_u64()) {
            limits.max_files = usize::try_from(n).unwrap_or(usize::MAX);
        }
        if let Some(s) = options.get("workspaceLoadSeconds").and_then(|v| v.as_f64()) {
            if s.is_finite() && s >= 0.0 {
                limits.time = Duration::from_secs_f64(s.min(86_400.0));
            }
        }
        if let Some(mb) = options
            .get("maxWorkspaceMegabytes")
            .and_then(|v| v.as_u64())
        {
            limits.max_bytes = mb.saturating_mul(1 << 20);
        }
        limits
    }
}

/// Tells the client how the background load goes: `$/progress` under a token the client
/// created (`window/workDoneProgress`), and a message when a limit stopped the load.
pub struct LoadReporter {
    pub sender: Sender<Message>,
    pub token: Option<NumberOrString>,
    /// Answers whether the client created the token.
    pub created: Option<Receiver<bool>>,
}

impl LoadReporter {
    /// Waits (briefly) for the token, then says the load began; the token to use.
    fn begin(&self) -> Option<&NumberOrString> {
        let token = self.token.as_ref()?;
        let created = self.created.as_ref()?;
        if !created
            .recv_timeout(Duration::from_secs(2))
            .unwrap_or(false)
        {
            return None;
        }
        self.progress(
            token,
            WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "salint: reading the workspace".to_string(),
                cancellable: Some(false),
                message: None,
                percentage: None,
            }),
        );
        Some(token)
    }

    fn progress(&self, token: &NumberOrString, value: WorkDoneProgress) {
        self.notify(
            lsp_types::notification::Progress::METHOD,
            ProgressParams {
                token: token.clone(),
                value: ProgressParamsValue::WorkDone(value),
            },
        );
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let _ = self
            .sender
            .send(Notification::new(method.to_string(), params).into());
    }
}

/// Why the load stopped early.
enum Stopped {
    Files(usize),
    Time(Duration),
    Bytes(u64),
}

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

    /// Reads the manifests of the workspace folders (walked as `check` walks them, parsed in
    /// parallel) within `limits`, reporting progress; stops early, with nothing, when
    /// `cancel` is set (`shutdown`).
    pub fn load_from_disk(
        &self,
        limits: &LoadLimits,
        reporter: &LoadReporter,
        cancel: &AtomicBool,
    ) -> Vec<(PathBuf, Inputs)> {
        let deadline = Instant::now() + limits.time;
        let token = reporter.begin();
        let mut stopped = None;
        let mut paths = Vec::new();
        'roots: for root in &self.roots {
            let walk = ignore::WalkBuilder::new(root)
                .hidden(true)
                .git_ignore(true)
                .git_exclude(true)
                .ignore(true)
                .parents(true)
                .follow_links(false)
                .build();
            for entry in walk {
                if cancel.load(Ordering::Relaxed) {
                    return Vec::new();
                }
                if Instant::now() > deadline {
                    stopped = Some(Stopped::Time(limits.time));
                    break 'roots;
                }
                let Ok(entry) = entry else { continue };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let path = entry.path();
                if !self.filter.accepts(path.strip_prefix(root).unwrap_or(path)) {
                    continue;
                }
                if paths.len() >= limits.max_files {
                    stopped = Some(Stopped::Files(limits.max_files));
                    break 'roots;
                }
                paths.push(path.to_path_buf());
            }
        }
        let (bytes_read, files_read) = (AtomicU64::new(0), AtomicUsize::new(0));
        let over = AtomicBool::new(false);
        let loaded: Vec<(PathBuf, Inputs)> = paths
            .par_iter()
            .filter_map(|path| {
                if cancel.load(Ordering::Relaxed) || Instant::now() > deadline {
                    return None;
                }
                let path = std::path::absolute(path).ok()?;
                let size = std::fs::metadata(&path).ok()?.len();
                if size > DEFAULT_MAX_FILE_SIZE {
                    return None;
                }
                if bytes_read.fetch_add(size, Ordering::Relaxed) + size > limits.max_bytes {
                    over.store(true, Ordering::Relaxed);
                    return None;
                }
                let bytes = std::fs::read(&path).ok()?;
                let parsed = read_bytes(path.display().to_string(), bytes);
                let done = files_read.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(token) = token.filter(|_| done % 500 == 0) {
                    reporter.progress(
                        token,
                        WorkDoneProgress::Report(WorkDoneProgressReport {
                            cancellable: Some(false),
                            message: Some(format!("{done} of {} files", paths.len())),
                            percentage: Some((done * 100 / paths.len().max(1)) as u32),
                        }),
                    );
                }
                Some((path, parsed))
            })
            .collect();
        if cancel.load(Ordering::Relaxed) {
            return Vec::new();
        }
        if stopped.is_none() && over.load(Ordering::Relaxed) {
            stopped = Some(Stopped::Bytes(limits.max_bytes));
        } else if stopped.is_none() && loaded.len() < paths.len() && Instant::now() > deadline {
            stopped = Some(Stopped::Time(limits.time));
        }
        if let Some(token) = token {
            reporter.progress(
                token,
                WorkDoneProgress::End(WorkDoneProgressEnd {
                    message: Some(format!("{} files read", loaded.len())),
                }),
            );
        }
        if let Some(stopped) = stopped {
            let (limit, option) = match stopped {
                Stopped::Files(n) => (format!("{n} files"), "maxWorkspaceFiles"),
                Stopped::Time(t) => (format!("{} s", t.as_secs_f64()), "workspaceLoadSeconds"),
                Stopped::Bytes(b) => (format!("{} MiB", b >> 20), "maxWorkspaceMegabytes"),
            };
            reporter.notify(
                lsp_types::notification::ShowMessage::METHOD,
                ShowMessageParams {
                    typ: MessageType::WARNING,
                    message: format!(
                        "salint: stopped reading the workspace at its limit of {limit}, after {} files; \
                         findings use the files read and the open documents (raise it with the \
                         initialization option `{option}`)",
                        loaded.len()
                    ),
                },
            );
        }
        loaded
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
