//! The editor's view of the manifests: every file of the workspace folders, read from disk,
//! with the open documents' unsaved texts in their place. Each file is parsed once and kept
//! parsed; a lint run moves the parsed files into one [`Inputs`], runs the same pipeline as
//! `salint check`, and moves them back, so a keystroke costs one file's parse, never a
//! re-read of the workspace. Each file content has a stamp: a cluster whose files keep
//! theirs keeps the findings it was judged with ([`ClusterCache`]), so an edit judges again
//! only the clusters that read the edited file, and the clusters are decided again only when
//! an edit changes what decides them (the `layout`).
//!
//! Kustomize roots are rendered when a document they read is opened, and again when one
//! is saved (Kustomize reads the disk, not the editor); their renderings are kept parsed
//! like the files. Findings on rendered objects are located in the open documents' texts.

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

use crate::cluster::Clusters;
use crate::config::{find_config_file, load_config_file, Config};
use crate::discover::FileFilter;
use crate::finding::Finding;
use crate::input::{
    read_bytes, read_texts, Inputs, ReadOptions, RenderedRoot, Repository, RootOutput,
    DEFAULT_MAX_FILE_SIZE,
};
use crate::kustomize::Plan;
use crate::lint::{lint_clusters_cached, ClusterCache};

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
    /// Which content this is: a number no other content of any file had in this session,
    /// so the lint of a cluster whose files all keep their stamps can be reused
    /// ([`ClusterCache`]).
    stamp: u64,
}

/// The workspace: its folders, its configuration and its parsed files.
pub struct Workspace {
    roots: Vec<PathBuf>,
    pub config: Config,
    /// Why the configuration file could not be used, to show the user once.
    pub config_error: Option<String>,
    filter: FileFilter,
    files: BTreeMap<PathBuf, FileState>,
    /// The workspace's kustomization files, and what they plan.
    kustomizations: Vec<PathBuf>,
    plan: Plan,
    /// Kustomize's output per root (by kustomization file), parsed: rendered on open and
    /// on save, or the error Kustomize gave.
    rendered: BTreeMap<PathBuf, Result<RenderedRoot, String>>,
    /// The workspace's charts (`Chart.yaml` files).
    charts: Vec<PathBuf>,
    /// Helm's output per chart folder and values files, parsed, rendered on open and on
    /// save of a file of the chart, or the error Helm gave.
    chart_renders: BTreeMap<(PathBuf, Vec<PathBuf>), Result<Inputs, String>>,
    /// The stamp the next file content gets.
    next_stamp: u64,
    /// Each cluster's findings as last judged: an edit judges again only the clusters that
    /// read the edited file.
    cluster_cache: ClusterCache,
    /// Counts the changes to what decides the clusters ([`crate::cluster::decide`]): the
    /// files there are, their objects' kinds, names and namespaces, the kustomizations,
    /// charts and renderings, the configuration. An edit that keeps them (most keystrokes)
    /// keeps it.
    layout: u64,
    /// The clusters decided at a `layout`, with whether a renderer was found then.
    decided: Option<(u64, bool, Clusters)>,
    /// The emptied vectors of the last analysis, kept with their capacity: each analysis
    /// gathers every file's objects into one list, and a fresh one of that size is pages
    /// the system must hand over again (about 3 microseconds each here), on every edit.
    spare: SpareVectors,
    /// How many times the clusters were decided (not taken from `decided`).
    #[cfg(test)]
    decisions: usize,
}

#[derive(Default)]
struct SpareVectors {
    files: Vec<crate::source::SourceFile>,
    objects: Vec<crate::model::Object>,
    errors: Vec<crate::input::InputError>,
}

/// One lint run over the whole workspace.
pub struct Analysis<'w> {
    pub inputs: &'w Inputs,
    pub findings: Vec<Finding>,
    /// The path of each file id (Kustomize's outputs have none of their own).
    pub paths: Vec<&'w Path>,
    pub config: &'w Config,
    pub clusters: Clusters,
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
                    load_config_file(&path.display().to_string(), text)
                        .and_then(|config| crate::rules::check_options(&config).map(|()| config))
                        .map_err(|e| e.message)
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
            kustomizations: Vec::new(),
            plan: Plan::default(),
            rendered: BTreeMap::new(),
            charts: Vec::new(),
            chart_renders: BTreeMap::new(),
            next_stamp: 0,
            cluster_cache: ClusterCache::default(),
            layout: 0,
            decided: None,
            spare: SpareVectors::default(),
            #[cfg(test)]
            decisions: 0,
        }
    }

    /// Puts a file's new state in place; the layout changes unless the file was there with
    /// objects of the same kinds, names and namespaces in the same order.
    fn put(&mut self, path: PathBuf, state: FileState) {
        let same = self
            .files
            .get(&path)
            .is_some_and(|old| same_layout(&old.parsed, &state.parsed));
        if !same {
            self.layout += 1;
        }
        self.files.insert(path, state);
    }

    /// A file's state with a stamp of its own.
    fn state(&mut self, parsed: Inputs, open: Option<i32>) -> FileState {
        self.next_stamp += 1;
        FileState {
            parsed,
            open,
            stamp: self.next_stamp,
        }
    }

    /// Reads `.salint.yaml` again (it changed on disk), keeping the parsed files.
    pub fn reload_config(&mut self) {
        let fresh = Workspace::new(self.roots.clone());
        self.config = fresh.config;
        self.config_error = fresh.config_error;
        self.filter = fresh.filter;
        // Findings and clusters decided under the old configuration say nothing about the
        // new one.
        self.cluster_cache.clear();
        self.layout += 1;
    }

    /// Reads the manifests of the workspace folders (walked as `check` walks them, parsed in
    /// parallel) within `limits`, reporting progress; stops early, with nothing, when
    /// `cancel` is set (`shutdown`).
    pub fn load_from_disk(
        &self,
        limits: &LoadLimits,
        reporter: &LoadReporter,
        cancel: &AtomicBool,
    ) -> Loaded {
        let deadline = Instant::now() + limits.time;
        let token = reporter.begin();
        let mut stopped = None;
        let mut paths = Vec::new();
        let mut kustomizations = Vec::new();
        let mut charts = Vec::new();
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
                    return Loaded::default();
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
                let relative = path.strip_prefix(root).unwrap_or(path);
                if crate::discover::is_kustomization_file(path) {
                    if !self.filter.excludes(relative) {
                        kustomizations.extend(std::path::absolute(path).ok());
                    }
                    continue;
                }
                if crate::discover::is_chart_file(path) {
                    if !self.filter.excludes(relative) {
                        charts.extend(std::path::absolute(path).ok());
                    }
                    continue;
                }
                if !self.filter.accepts(relative) {
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
                let parsed = parsed_from(&path, read_bytes(path.display().to_string(), bytes));
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
            return Loaded::default();
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
        kustomizations.sort();
        charts.sort();
        Loaded {
            files: loaded,
            kustomizations,
            charts,
        }
    }

    /// Takes files read by [`Workspace::load_from_disk`]; open documents keep their text.
    pub fn add_loaded(&mut self, loaded: Loaded) {
        for (path, parsed) in loaded.files {
            if self.files.get(&path).is_some_and(|f| f.open.is_some()) {
                continue;
            }
            let state = self.state(parsed, None);
            self.put(path, state);
        }
        self.kustomizations = loaded.kustomizations;
        self.charts = loaded.charts;
        self.layout += 1;
        self.replan();
    }

    /// Reads the kustomizations again (one was edited or saved).
    fn replan(&mut self) {
        self.layout += 1;
        self.plan = Plan::build(&self.kustomizations, crate::input::DEFAULT_MAX_FILE_SIZE);
        let roots: Vec<PathBuf> = self
            .plan
            .roots
            .iter()
            .map(|&r| self.plan.kustomizations[r].file.clone())
            .collect();
        self.rendered.retain(|root, _| roots.contains(root));
    }

    /// An opened or edited document.
    pub fn set_text(&mut self, path: &Path, text: String, version: i32) {
        let parsed = parsed_from(path, read_texts(vec![(path.display().to_string(), text)]));
        let state = self.state(parsed, Some(version));
        self.put(path.to_path_buf(), state);
    }

    /// Renders the roots that read an open document and have no rendering yet (`saved`:
    /// also those that read the file just saved, again). Returns whether anything was
    /// rendered.
    pub fn render(&mut self, saved: Option<&Path>) -> bool {
        // Renderings are part of the layout (their files and objects make clusters).
        self.layout += 1;
        if saved.is_some_and(crate::discover::is_kustomization_file) {
            self.replan();
        }
        let open: Vec<PathBuf> = self
            .open_paths()
            .iter()
            .map(|p| crate::kustomize::plan::canonical(p))
            .collect();
        let saved = saved.map(crate::kustomize::plan::canonical);
        let wanted: Vec<usize> = self
            .plan
            .roots
            .iter()
            .copied()
            .filter(|&root| {
                let reads = crate::input::root_reads(&self.plan, root);
                let file = &self.plan.kustomizations[root].file;
                let stale = saved.as_ref().is_some_and(|s| reads.contains(s));
                let needed =
                    !self.rendered.contains_key(file) && reads.iter().any(|r| open.contains(r));
                stale || needed
            })
            .collect();
        let options = self.read_options();
        let charts_rendered = self.render_charts(&open, saved.as_deref(), &options);
        if wanted.is_empty() {
            return charts_rendered;
        }
        let renderer = crate::kustomize::Renderer::find(&options.render.mode)
            .ok()
            .flatten();
        let repository = Repository::from_plan(self.plan.clone(), renderer, wanted);
        for RootOutput { root, output } in repository.render(&options) {
            self.rendered
                .insert(self.plan.kustomizations[root].file.clone(), output);
        }
        true
    }

    /// Renders the charts an open document belongs to (again, for a saved one).
    fn render_charts(
        &mut self,
        open: &[PathBuf],
        saved: Option<&Path>,
        options: &ReadOptions,
    ) -> bool {
        if self.charts.is_empty() {
            return false;
        }
        let mut plan = crate::input::ChartPlan::plan(&self.charts, None, options);
        let stale = |dir: &Path| saved.is_some_and(|s| s.starts_with(dir));
        let open_in = |dir: &Path| open.iter().any(|o| o.starts_with(dir));
        let renders = &self.chart_renders;
        let dirs: Vec<PathBuf> = plan.charts.iter().map(|c| c.dir.clone()).collect();
        plan.wanted.retain(|(c, values)| {
            let dir = &dirs[*c];
            stale(dir) || (open_in(dir) && !renders.contains_key(&(dir.clone(), values.clone())))
        });
        if plan.wanted.is_empty() {
            return false;
        }
        for output in plan.render(options) {
            let dir = plan.charts[output.chart].dir.clone();
            self.chart_renders
                .insert((dir, output.values), output.output);
        }
        true
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            render: crate::input::RenderOptions::from_config(&self.config),
            ..ReadOptions::default()
        }
    }

    /// A closed document: back to the disk's version, or gone if it is not on disk or not
    /// a manifest of the workspace.
    pub fn close(&mut self, path: &Path) {
        self.layout += 1;
        self.files.remove(path);
        self.refresh_from_disk(path);
    }

    /// A file changed on disk (watched files, saves): re-read it unless it is open.
    pub fn refresh_from_disk(&mut self, path: &Path) {
        if self.files.get(path).is_some_and(|f| f.open.is_some()) {
            return;
        }
        self.layout += 1;
        let in_workspace = self.roots.iter().any(|root| path.starts_with(root));
        let wanted = in_workspace && self.filter.accepts(path);
        if crate::discover::is_chart_file(path) && in_workspace {
            self.charts.retain(|c| c != path && c.is_file());
            if path.is_file() {
                self.charts.push(path.to_path_buf());
                self.charts.sort();
            }
            self.chart_renders.clear();
        }
        if crate::discover::is_kustomization_file(path) && in_workspace {
            if !self.kustomizations.iter().any(|k| k == path) && path.is_file() {
                self.kustomizations.push(path.to_path_buf());
            }
            self.kustomizations.retain(|k| k.is_file());
            self.replan();
            return;
        }
        match std::fs::read(path) {
            Ok(bytes) if wanted => {
                let parsed = parsed_from(path, read_bytes(path.display().to_string(), bytes));
                let state = self.state(parsed, None);
                self.put(path.to_path_buf(), state);
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
        let spare = std::mem::take(&mut self.spare);
        let mut combined = Inputs {
            files: spare.files,
            objects: spare.objects,
            errors: spare.errors,
            ..Inputs::default()
        };
        let mut shapes = Vec::with_capacity(self.files.len());
        // Per file id, the stamp of its content (renderings and kustomizations have none).
        let mut stamps: Vec<Option<u64>> = Vec::with_capacity(self.files.len());
        // Sized once: growing them file by file copied every object again and again.
        let sizes = self.files.values().fold((0, 0, 0), |(f, o, e), state| {
            let parsed = &state.parsed;
            (
                f + parsed.files.len(),
                o + parsed.objects.len(),
                e + parsed.errors.len(),
            )
        });
        combined.files.reserve_exact(sizes.0);
        combined.objects.reserve_exact(sizes.1);
        combined.errors.reserve_exact(sizes.2);
        // Moved in bulk (each part's vectors keep their capacity for the way back): an
        // edit of one file moves every file's objects twice, so this is per edit.
        for state in self.files.values_mut() {
            let part = &mut state.parsed;
            shapes.push((part.files.len(), part.objects.len(), part.errors.len()));
            stamps.extend(std::iter::repeat_n(Some(state.stamp), part.files.len()));
            let base = combined.files.len();
            for error in &mut part.errors {
                error.file = error.file.map(|f| f + base);
            }
            combined.errors.append(&mut part.errors);
            combined.files.append(&mut part.files);
            let start = combined.objects.len();
            combined.objects.append(&mut part.objects);
            for (offset, object) in combined.objects[start..].iter_mut().enumerate() {
                object.file += base;
                object.index = start + offset;
            }
        }
        let mut paths: Vec<&Path> = Vec::new();
        for (path, (files, _, _)) in self.files.keys().zip(&shapes) {
            paths.extend(std::iter::repeat_n(path.as_path(), *files));
        }
        let own_files = combined.files.len();
        let own_objects = combined.objects.len();
        let own_errors = combined.errors.len();
        // The roots rendered so far (or, without Kustomize, every root as written).
        let options = self.read_options();
        let mut outputs = Vec::new();
        let mut taken = Vec::new();
        let mut wanted = Vec::new();
        let renderer = match self.plan.kustomizations.is_empty() {
            true => None,
            false => crate::kustomize::Renderer::find(&options.render.mode)
                .ok()
                .flatten(),
        };
        let renders = renderer.is_some();
        for &root in &self.plan.roots {
            let file = &self.plan.kustomizations[root].file;
            match self.rendered.get_mut(file) {
                Some(Ok(_)) => {
                    if let Some(Ok(rendered)) = self.rendered.remove(file) {
                        taken.push((
                            file.clone(),
                            rendered.origin_base.clone(),
                            rendered.aliases.clone(),
                        ));
                        outputs.push(RootOutput {
                            root,
                            output: Ok(rendered),
                        });
                        wanted.push(root);
                    }
                }
                Some(Err(message)) => {
                    outputs.push(RootOutput {
                        root,
                        output: Err(message.clone()),
                    });
                    wanted.push(root);
                }
                None if !renders => wanted.push(root),
                None => {}
            }
        }
        if !self.plan.kustomizations.is_empty() {
            let repository = Repository::from_plan(self.plan.clone(), renderer, wanted);
            combined.attach(repository, outputs);
        }
        // The charts: their files are no manifests; the renderings made so far.
        let mut chart_taken: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
        if !self.charts.is_empty() {
            let plan = crate::input::ChartPlan::plan(&self.charts, None, &options);
            for file in &mut combined.files[..own_files] {
                if file.path.as_deref().is_some_and(|path| plan.owns(path)) {
                    file.role = crate::source::FileRole::Chart;
                }
            }
            let mut outputs = Vec::new();
            for (c, values) in &plan.wanted {
                let key = (plan.charts[*c].dir.clone(), values.clone());
                let output = match self.chart_renders.remove(&key) {
                    Some(Ok(inputs)) => {
                        chart_taken.push(key);
                        Ok(inputs)
                    }
                    Some(Err(message)) => {
                        self.chart_renders.insert(key, Err(message.clone()));
                        Err(message)
                    }
                    None => continue,
                };
                outputs.push(crate::input::ChartOutput {
                    chart: *c,
                    values: values.clone(),
                    output,
                });
            }
            combined.attach_charts(plan, outputs);
        }
        // The files attach added: kustomizations (with their paths) and renderings.
        let extra: Vec<PathBuf> = combined.files[own_files..]
            .iter()
            .map(|f| f.path.clone().unwrap_or_default())
            .collect();
        paths.extend(extra.iter().map(PathBuf::as_path));
        let combined_len = combined.files.len();
        // The clusters of the last run when nothing they are decided from changed. Not with
        // charts: which renderings they have is planned from the disk on every run.
        let clusters = match self.decided.take() {
            Some((layout, found, clusters))
                if layout == self.layout && found == renders && self.charts.is_empty() =>
            {
                clusters
            }
            _ => {
                #[cfg(test)]
                {
                    self.decisions += 1;
                }
                crate::cluster::decide(&combined, &self.config)
            }
        };
        let result = {
            let analysis = Analysis {
                findings: lint_clusters_cached(
                    &combined,
                    &self.config,
                    &clusters,
                    &stamps,
                    &mut self.cluster_cache,
                ),
                inputs: &combined,
                paths,
                config: &self.config,
                clusters,
            };
            let result = use_it(&analysis);
            self.decided = Some((self.layout, renders, analysis.clusters));
            result
        };
        // Move every file's parts back where they came from: the renderings after the
        // workspace's files (the kustomization files attach added are dropped), then each
        // file's, from the last, in bulk off the end.
        let files = combined.files.split_off(own_files);
        let objects = combined.objects.split_off(own_objects);
        combined.errors.truncate(own_errors);
        let (mut file_end, mut object_end, mut error_end) = (own_files, own_objects, own_errors);
        for (state, (file_count, object_count, error_count)) in
            self.files.values_mut().zip(shapes).rev()
        {
            let part = &mut state.parsed;
            part.files
                .extend(combined.files.drain(file_end - file_count..));
            part.objects
                .extend(combined.objects.drain(object_end - object_count..));
            part.errors
                .extend(combined.errors.drain(error_end - error_count..));
            for (index, object) in part.objects.iter_mut().enumerate() {
                object.file = 0;
                object.index = index;
            }
            for error in &mut part.errors {
                error.file = error.file.map(|_| 0);
            }
            file_end -= file_count;
            object_end -= object_count;
            error_end -= error_count;
        }
        self.spare = SpareVectors {
            files: combined.files,
            objects: combined.objects,
            errors: combined.errors,
        };
        // The renderings follow, one file each, in the order they were taken.
        let rendered_files: Vec<_> = files
            .into_iter()
            .filter(|f| f.role == crate::source::FileRole::Rendered)
            .collect();
        let first_rendered = combined_len - rendered_files.len();
        let mut by_rendering: Vec<Vec<crate::model::Object>> =
            (0..rendered_files.len()).map(|_| Vec::new()).collect();
        for mut object in objects {
            if let Some(list) = object
                .file
                .checked_sub(first_rendered)
                .and_then(|i| by_rendering.get_mut(i))
            {
                object.file = 0;
                object.index = list.len();
                list.push(object);
            }
        }
        // Kustomize's renderings first, then Helm's, as attached.
        let mut rendered_files = rendered_files.into_iter();
        let mut by_rendering = by_rendering.into_iter();
        let kustomize_files: Vec<_> = rendered_files.by_ref().take(taken.len()).collect();
        let kustomize_objects: Vec<_> = by_rendering.by_ref().take(taken.len()).collect();
        for ((key, file), objects) in chart_taken
            .into_iter()
            .zip(rendered_files)
            .zip(by_rendering)
        {
            let inputs = Inputs {
                files: vec![file],
                objects,
                ..Inputs::default()
            };
            self.chart_renders.insert(key, Ok(inputs));
        }
        for (((root_file, origin_base, aliases), file), objects) in taken
            .into_iter()
            .zip(kustomize_files)
            .zip(kustomize_objects)
        {
            let inputs = Inputs {
                files: vec![file],
                objects,
                ..Inputs::default()
            };
            self.rendered.insert(
                root_file,
                Ok(RenderedRoot {
                    inputs,
                    origin_base,
                    aliases,
                }),
            );
        }
        result
    }
}

/// What [`Workspace::load_from_disk`] read.
#[derive(Default)]
pub struct Loaded {
    files: Vec<(PathBuf, Inputs)>,
    kustomizations: Vec<PathBuf>,
    charts: Vec<PathBuf>,
}

/// Whether two parses of a file give [`crate::cluster::decide`] the same input: as many
/// files (with their roles), and objects of the same kinds, names and declared namespaces
/// in the same order. Paths come from the file's place in the workspace, which is the same.
fn same_layout(old: &Inputs, new: &Inputs) -> bool {
    let same_object = |a: &crate::model::Object, b: &crate::model::Object| {
        (a.file, a.index, &a.kind, &a.name, &a.declared_namespace)
            == (b.file, b.index, &b.kind, &b.name, &b.declared_namespace)
    };
    old.files.len() == new.files.len()
        && old
            .files
            .iter()
            .zip(&new.files)
            .all(|(a, b)| a.role == b.role)
        && old.objects.len() == new.objects.len()
        && old
            .objects
            .iter()
            .zip(&new.objects)
            .all(|(a, b)| same_object(a, b))
}

/// A file's parse with its real path recorded (Kustomize's origins name files by it).
fn parsed_from(path: &Path, mut parsed: Inputs) -> Inputs {
    for file in &mut parsed.files {
        file.path = Some(crate::kustomize::plan::canonical(path));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example/api:1
";

    const SERVICE_ACCOUNT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
";

    /// Grants shop/api `view`: without it the token `APP` mounts is needless.
    const BINDING: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: api-view
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: api
    namespace: shop
";

    /// Defined in both folders, so each folder is a cluster of its own.
    const COMMON: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
";

    fn path(root: &Path, name: &str) -> PathBuf {
        root.join(name)
    }

    /// Every file's diagnostics, in path order.
    fn diagnostics(workspace: &mut Workspace) -> Vec<(PathBuf, Vec<lsp_types::Diagnostic>)> {
        let paths: Vec<PathBuf> = workspace.files.keys().cloned().collect();
        workspace.analyse(|analysis| {
            paths
                .iter()
                .map(|p| (p.clone(), super::super::diagnostics::for_file(analysis, p)))
                .collect()
        })
    }

    /// A workspace that never linted, with these texts.
    fn from_scratch(root: &Path, texts: &BTreeMap<PathBuf, String>) -> Workspace {
        let mut workspace = Workspace::new(vec![root.to_path_buf()]);
        for (path, text) in texts {
            workspace.set_text(path, text.clone(), 1);
        }
        workspace
    }

    #[test]
    fn every_edit_gives_the_diagnostics_of_a_fresh_workspace() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        let mut texts: BTreeMap<PathBuf, String> = [
            ("prod/app.yaml", APP),
            ("prod/sa.yaml", SERVICE_ACCOUNT),
            ("prod/binding.yaml", BINDING),
            ("prod/common.yaml", COMMON),
            ("staging/app.yaml", APP),
            ("staging/sa.yaml", SERVICE_ACCOUNT),
            ("staging/binding.yaml", BINDING),
            ("staging/common.yaml", COMMON),
        ]
        .into_iter()
        .map(|(name, text)| (path(root, name), text.to_string()))
        .collect();
        let mut incremental = from_scratch(root, &texts);
        let first = diagnostics(&mut incremental);
        assert_eq!(
            incremental.cluster_cache.judged_again, 2,
            "prod and staging"
        );
        let needless = |all: &[(PathBuf, Vec<lsp_types::Diagnostic>)], name: &str| {
            let wanted = path(root, name);
            all.iter()
                .filter(|(p, _)| *p == wanted)
                .flat_map(|(_, d)| d)
                .any(|d| d.code == Some(NumberOrString::String("SA201".to_string())))
        };
        assert!(!needless(&first, "prod/app.yaml"));
        let without_binding =
            BINDING.replace("name: api\n    namespace", "name: nobody\n    namespace");
        let edits: Vec<(&str, String)> = vec![
            // The binding no longer names shop/api: the token in prod/app.yaml is needless.
            ("prod/binding.yaml", without_binding.clone()),
            ("prod/binding.yaml", BINDING.to_string()),
            // The binding goes: a layout change (one object fewer).
            ("prod/binding.yaml", String::new()),
            ("prod/binding.yaml", BINDING.to_string()),
            // A renamed ServiceAccount: the Deployment's is missing.
            ("prod/sa.yaml", SERVICE_ACCOUNT.replace("name: api", "name: api2")),
            // A suppression, then none.
            (
                "staging/app.yaml",
                APP.replace(
                    "  name: api\n  namespace",
                    "  name: api\n  annotations:\n    ignore.salint.io/default-service-account: \"not this one\"\n  namespace",
                ),
            ),
            (
                "staging/app.yaml",
                format!("# salint: ignore[needless-token-automount] tested\n{APP}"),
            ),
            ("staging/app.yaml", APP.to_string()),
            // Broken YAML, then fixed.
            ("staging/binding.yaml", format!("{BINDING}  - [unclosed\n")),
            ("staging/binding.yaml", without_binding),
            // Another kind.
            ("staging/app.yaml", APP.replace("kind: Deployment", "kind: StatefulSet")),
            // A file ahead of all others (every file id moves) in a folder of its own.
            ("a/extra.yaml", format!("{SERVICE_ACCOUNT}---\n{APP}")),
            ("prod/sa.yaml", SERVICE_ACCOUNT.to_string()),
        ];
        // Which edits add, remove or rename an object (or a file): the others keep the layout.
        let changes_layout = [
            false, false, true, true, true, false, false, false, true, true, true, true, true,
        ];
        assert_eq!(changes_layout.len(), edits.len());
        let mut decisions = incremental.decisions;
        let mut reused_any = false;
        for (step, (name, text)) in edits.into_iter().enumerate() {
            let edited = path(root, name);
            texts.insert(edited.clone(), text.clone());
            incremental.set_text(&edited, text, 2);
            let got = diagnostics(&mut incremental);
            reused_any |= incremental.cluster_cache.reused > 0;
            let decided = incremental.decisions;
            let want = diagnostics(&mut from_scratch(root, &texts));
            assert_eq!(got, want, "after editing {name}");
            // A layout change decides the clusters again, once; other edits do not.
            assert_eq!(
                decided - decisions,
                usize::from(changes_layout[step]),
                "{name}"
            );
            decisions = decided;
            if step == 0 {
                // Found in another document; staging's cluster was not judged again.
                assert!(needless(&got, "prod/app.yaml"));
                assert!(!needless(&got, "staging/app.yaml"));
                let cache = &incremental.cluster_cache;
                assert_eq!((cache.reused, cache.judged_again), (1, 1));
            }
        }
        assert!(
            reused_any,
            "some edit judged only the edited file's cluster"
        );
        let now = diagnostics(&mut incremental);
        assert!(!needless(&now, "prod/app.yaml"));
    }
}
