//! The editor's view of the manifests: every file of the workspace folders, read from disk,
//! with the open documents' unsaved texts in their place. Each file is parsed once and kept
//! parsed; a lint run moves the parsed files into one [`Inputs`], runs the same pipeline as
//! `salint check`, and moves them back, so a keystroke costs one file's parse plus the
//! graph and the rules, never a re-read of the workspace.
//!
//! Kustomize roots are rendered when a document they read is opened, and again when one
//! is saved (Kustomize reads the disk, not the editor); their renderings are kept parsed
//! like the files. Findings on rendered objects are located in the open documents' texts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cluster::Clusters;
use crate::config::{find_config_file, load_config_file, Config};
use crate::discover::{discover, FileFilter, InputSource};
use crate::finding::Finding;
use crate::input::{read_bytes, read_texts, Inputs, ReadOptions, RenderedRoot, Repository, RootOutput};
use crate::kustomize::Plan;
use crate::lint::lint_clusters;

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
    /// The workspace's kustomization files, and what they plan.
    kustomizations: Vec<PathBuf>,
    plan: Plan,
    /// Kustomize's output per root (by kustomization file), parsed: rendered on open and
    /// on save, or the error Kustomize gave.
    rendered: BTreeMap<PathBuf, Result<RenderedRoot, String>>,
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
            kustomizations: Vec::new(),
            plan: Plan::default(),
            rendered: BTreeMap::new(),
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
    /// documents opened meanwhile, and the kustomization files found.
    pub fn load_from_disk(&self) -> Loaded {
        let roots: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        if roots.is_empty() {
            return Loaded::default();
        }
        let found = discover(&roots, &self.filter);
        let files = found
            .inputs
            .par_iter()
            .filter_map(|source| match source {
                InputSource::File(path) => {
                    let path = std::path::absolute(path).ok()?;
                    let bytes = std::fs::read(&path).ok()?;
                    Some((path.clone(), parsed_from(&path, read_bytes(path.display().to_string(), bytes))))
                }
                InputSource::Stdin => None,
            })
            .collect();
        let kustomizations = found
            .kustomizations
            .iter()
            .filter_map(|path| std::path::absolute(path).ok())
            .collect();
        Loaded {
            files,
            kustomizations,
        }
    }

    /// Takes files read by [`Workspace::load_from_disk`]; open documents keep their text.
    pub fn add_loaded(&mut self, loaded: Loaded) {
        for (path, parsed) in loaded.files {
            if self.files.get(&path).is_some_and(|f| f.open.is_some()) {
                continue;
            }
            self.files.insert(path, FileState { parsed, open: None });
        }
        self.kustomizations = loaded.kustomizations;
        self.replan();
    }

    /// Reads the kustomizations again (one was edited or saved).
    fn replan(&mut self) {
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
        self.files.insert(
            path.to_path_buf(),
            FileState {
                parsed,
                open: Some(version),
            },
        );
    }

    /// Renders the roots that read an open document and have no rendering yet (`saved`:
    /// also those that read the file just saved, again). Returns whether anything was
    /// rendered.
    pub fn render(&mut self, saved: Option<&Path>) -> bool {
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
                let needed = !self.rendered.contains_key(file)
                    && reads.iter().any(|r| open.contains(r));
                stale || needed
            })
            .collect();
        if wanted.is_empty() {
            return false;
        }
        let options = self.read_options();
        let renderer = crate::kustomize::Renderer::find(&options.render.mode).ok().flatten();
        let repository = Repository::from_plan(self.plan.clone(), renderer, wanted);
        for RootOutput { root, output } in repository.render(&options) {
            self.rendered
                .insert(self.plan.kustomizations[root].file.clone(), output);
        }
        true
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            render: crate::input::RenderOptions {
                mode: self.config.render.kustomize.value.clone(),
                timeout: std::time::Duration::from_secs(self.config.render.timeout_seconds.value),
                only_containing: None,
            },
            ..ReadOptions::default()
        }
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
            combined.absorb(part);
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
            false => crate::kustomize::Renderer::find(&options.render.mode).ok().flatten(),
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
        // The files attach added: kustomizations (with their paths) and renderings.
        let extra: Vec<PathBuf> = combined.files[own_files..]
            .iter()
            .map(|f| f.path.clone().unwrap_or_default())
            .collect();
        paths.extend(extra.iter().map(PathBuf::as_path));
        let combined_len = combined.files.len();
        let result = {
            let clusters = crate::cluster::decide(&combined, &self.config);
            let analysis = Analysis {
                findings: lint_clusters(&combined, &self.config, &clusters),
                inputs: &combined,
                paths,
                config: &self.config,
                clusters,
            };
            use_it(&analysis)
        };
        // Move every file's parts back where they came from: the workspace's files first,
        // then the renderings (the kustomization files attach added are dropped).
        let mut files = combined.files.into_iter();
        let mut objects = combined.objects.into_iter();
        let mut errors = combined.errors.into_iter();
        let own: Vec<_> = files.by_ref().take(own_files).collect();
        let own_objects: Vec<_> = objects.by_ref().take(own_objects).collect();
        let own_errors: Vec<_> = errors.by_ref().take(own_errors).collect();
        let mut own = own.into_iter();
        let mut own_objects = own_objects.into_iter();
        let mut own_errors = own_errors.into_iter();
        for (state, (file_count, object_count, error_count)) in self.files.values_mut().zip(shapes)
        {
            let part = &mut state.parsed;
            part.files.extend(own.by_ref().take(file_count));
            for mut object in own_objects.by_ref().take(object_count) {
                object.file = 0;
                object.index = part.objects.len();
                part.objects.push(object);
            }
            for mut error in own_errors.by_ref().take(error_count) {
                error.file = error.file.map(|_| 0);
                part.errors.push(error);
            }
        }
        // The renderings follow, one file each, in the order they were taken.
        let rendered_files: Vec<_> = files
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
        for (((root_file, origin_base, aliases), file), objects) in
            taken.into_iter().zip(rendered_files).zip(by_rendering)
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
}

/// A file's parse with its path recorded (Kustomize's origins name files by path).
fn parsed_from(path: &Path, mut parsed: Inputs) -> Inputs {
    for file in &mut parsed.files {
        file.path = Some(crate::kustomize::file::normalize(path));
    }
    parsed
}
