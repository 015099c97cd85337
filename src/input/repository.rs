//! Reading a repository as it is applied: its kustomizations planned, each Kustomize root
//! rendered by the real Kustomize while the files are read, and the renderings attached to
//! the files they came from.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::charts::{stdin_chart, ChartPlan};
use super::parse::{parse_bytes, ParsedFile};
use super::read::read_stdin;
use super::{assemble, read_inputs_given, read_source, InputError, Inputs, ReadOptions};
use crate::discover::{display_path, Discovered, InputSource};
use crate::kustomize::plan::canonical;
use crate::kustomize::{Plan, RenderMode, Renderer, Renderings, RootRendering};
use crate::source::{FileId, FileRole, SourceFile, Span};

/// Reads a repository as it is applied: the files discovery found and, for every
/// Kustomize root among its kustomizations, what the real Kustomize renders of it (see
/// [`crate::kustomize`]). Files a kustomization consumes are read too (inside the scanned
/// paths or not), and never judged on their own; without Kustomize each root's plain
/// resources are.
pub fn read_repository(found: &Discovered, options: &ReadOptions) -> Inputs {
    let stdin_text = found
        .inputs
        .contains(&InputSource::Stdin)
        .then(|| read_stdin(options.max_file_size));
    // Helm's output on standard input, whose chart is here: located in its templates.
    let stdin_chart = stdin_text
        .as_ref()
        .and_then(|text| text.as_ref().ok())
        .and_then(|bytes| stdin_chart(bytes, options.render.stdin_chart.as_deref()));
    if found.kustomizations.is_empty() && found.charts.is_empty() && stdin_chart.is_none() {
        return read_inputs_given(&found.inputs, stdin_text.as_ref(), options);
    }
    let repository = Repository::plan(&found.kustomizations, options);
    let charts = ChartPlan::plan(&found.charts, stdin_chart.as_deref(), options);
    let consumed = repository.plan.consumed_files();
    let ((rendered, chart_outputs), mut parsed) = rayon::join(
        || rayon::join(|| repository.render(options), || charts.render(options)),
        || {
            // Kustomize names files by their real paths: each file's, once.
            let canonical_paths = CanonicalPaths::default();
            let mut sources: Vec<(InputSource, FileRole, Option<PathBuf>)> = found
                .inputs
                .par_iter()
                .map(|source| match source {
                    InputSource::File(path) => {
                        let real = canonical_paths.of(path);
                        let role = if charts.owns(&real) {
                            FileRole::Chart
                        } else if consumed.contains(&real) {
                            FileRole::Consumed
                        } else {
                            FileRole::Manifest
                        };
                        (source.clone(), role, Some(real))
                    }
                    InputSource::Stdin => (source.clone(), FileRole::Manifest, None),
                })
                .collect();
            // Consumed files outside the scanned paths: findings are located there too.
            let scanned: foldhash::HashSet<&PathBuf> = sources
                .iter()
                .filter_map(|(_, _, real)| real.as_ref())
                .collect();
            let outside: Vec<PathBuf> = consumed
                .iter()
                .filter(|path| !scanned.contains(path) && path.is_file())
                .cloned()
                .collect();
            for path in outside {
                sources.push((
                    InputSource::File(path.clone()),
                    FileRole::Consumed,
                    Some(path),
                ));
            }
            // A chart's templates and values, whatever the include globs say.
            let scanned: foldhash::HashSet<PathBuf> = sources
                .iter()
                .filter_map(|(_, _, real)| real.clone())
                .collect();
            for path in charts.files_to_read() {
                if !scanned.contains(&path) {
                    sources.push((InputSource::File(path.clone()), FileRole::Chart, Some(path)));
                }
            }
            sources
                .par_iter()
                .map(|(source, role, real)| {
                    let mut parsed = read_source(source, stdin_text.as_ref(), options, *role);
                    if let (Some(file), Some(real)) = (&mut parsed.source, real) {
                        file.path = Some(real.clone());
                    }
                    parsed
                })
                .collect::<Vec<ParsedFile>>()
        },
    );
    // The kustomization files go in their place among the others.
    parsed.extend(repository.kustomization_files());
    let mut inputs = assemble(parsed);
    inputs.attach(repository, rendered);
    inputs.attach_charts(charts, chart_outputs);
    if !options.keep_text {
        for file in &mut inputs.files {
            if matches!(file.role, FileRole::Consumed | FileRole::Kustomization) {
                file.let_go_of_text();
            }
        }
    }
    inputs
}

/// A run's kustomizations: the plan, the renderer, and which roots to render.
#[derive(Debug)]
pub struct Repository {
    pub plan: Plan,
    pub renderer: Option<Renderer>,
    /// The roots to render (all, or those `only_containing` asks for).
    pub wanted: Vec<usize>,
    notes: Vec<String>,
    errors: Vec<InputError>,
}

/// One root's rendering: Kustomize's output read as a file, or why there is none.
pub struct RootOutput {
    pub root: usize,
    pub output: Result<RenderedRoot, String>,
}

/// Kustomize's output for a root, read, with what its origin annotations are relative to.
#[derive(Debug)]
pub struct RenderedRoot {
    pub inputs: Inputs,
    pub origin_base: PathBuf,
    /// Kustomizations copied without their remote resources, and the files they copy.
    pub aliases: Vec<(PathBuf, PathBuf)>,
}

impl Repository {
    /// Reads the kustomizations, finds the renderer, and says once what cannot be done
    /// (no Kustomize, remote resources).
    pub fn plan(kustomizations: &[PathBuf], options: &ReadOptions) -> Repository {
        let plan = Plan::build(kustomizations, options.max_file_size);
        let mut notes = Vec::new();
        let mut errors = Vec::new();
        let renderer = match Renderer::find(&options.render.mode) {
            Ok(renderer) => renderer,
            Err(message) => {
                errors.push(InputError {
                    path: "render.kustomize".to_string(),
                    file: None,
                    span: None,
                    message,
                });
                None
            }
        };
        let wanted: Vec<usize> = plan
            .roots
            .iter()
            .copied()
            .filter(|&root| match &options.render.only_containing {
                None => true,
                Some(files) => root_reads(&plan, root).iter().any(|f| files.contains(f)),
            })
            .collect();
        let count = |n: usize| format!("{n} kustomization{}", if n == 1 { "" } else { "s" });
        match (&renderer, &options.render.mode) {
            (None, RenderMode::Never) if !wanted.is_empty() => notes.push(format!(
                "rendering is off (render: never): {} linted without Kustomize",
                count(wanted.len())
            )),
            (None, _) if !wanted.is_empty() => notes.push(format!(
                "kustomize not found: {} not rendered (their resources are linted as written; install kustomize or kubectl)",
                count(wanted.len())
            )),
            _ => {}
        }
        if renderer.is_some() {
            // Once per kustomization that has them, however many roots reach it.
            let mut remote: Vec<(usize, &str, usize)> = Vec::new();
            for &root in &wanted {
                for (k, reference) in plan.remote_references(root) {
                    match remote.iter_mut().find(|(known, _, _)| *known == k) {
                        Some(_) => {}
                        None => {
                            let count = plan.kustomizations[k]
                                .references()
                                .filter(|r| r.target == crate::kustomize::file::Target::Remote)
                                .count();
                            remote.push((k, &reference.written, count));
                        }
                    }
                }
            }
            remote.sort_by_key(|(k, _, _)| *k);
            for (k, written, count) in remote {
                notes.push(format!(
                    "{}: remote resource `{written}` is not fetched{}",
                    display_path(&plan.kustomizations[k].file),
                    match count {
                        1 => String::new(),
                        n => format!(" (nor {} more)", n - 1),
                    }
                ));
            }
        }
        Repository {
            plan,
            renderer,
            wanted,
            notes,
            errors,
        }
    }

    /// A repository of a plan read already (an editor's workspace), rendering `wanted`
    /// with `renderer`.
    pub fn from_plan(plan: Plan, renderer: Option<Renderer>, wanted: Vec<usize>) -> Repository {
        Repository {
            plan,
            renderer,
            wanted,
            notes: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Renders the wanted roots, in parallel, each read as a file of its own.
    pub fn render(&self, options: &ReadOptions) -> Vec<RootOutput> {
        let Some(renderer) = &self.renderer else {
            return Vec::new();
        };
        self.wanted
            .par_iter()
            .map(|&root| {
                let dir = &self.plan.kustomizations[root].dir;
                let mirror = self.plan.without_remote(root);
                let output = renderer
                    .render(dir, mirror.as_ref(), options.render.timeout, options.max_file_size)
                    .map(|rendered| {
                        let display = format!("<kustomize {}>", display_path(dir));
                        let mut file = parse_bytes(display, rendered.text.into_bytes());
                        if let Some(source) = &mut file.source {
                            source.role = FileRole::Rendered;
                        }
                        let mut inputs = Inputs::default();
                        inputs.add(file);
                        RenderedRoot {
                            inputs,
                            origin_base: rendered.origin_base,
                            aliases: rendered.aliases,
                        }
                    })
                    .map_err(|message| match &mirror {
                        Some(_) => format!("{message} (rendered without its remote resources, which salint does not fetch)"),
                        None => message,
                    });
                RootOutput { root, output }
            })
            .collect()
    }

    /// The kustomization files as files of the run (text only: related locations and
    /// errors point there), unparsable ones with their error.
    fn kustomization_files(&self) -> Vec<ParsedFile> {
        let mut files = Vec::new();
        for (k, kustomization) in self.plan.kustomizations.iter().enumerate() {
            let mut source = SourceFile::new(
                display_path(&kustomization.file),
                self.plan.texts[k].clone(),
            );
            source.role = FileRole::Kustomization;
            source.path = Some(kustomization.file.clone());
            files.push(ParsedFile {
                source: Some(source),
                objects: Vec::new(),
                error: None,
            });
        }
        for (error, text) in &self.plan.errors {
            let display = display_path(&error.file);
            let mut file = ParsedFile::unreadable(display.clone(), error.message.clone());
            if let Some(text) = text {
                let mut source = SourceFile::new(display, text.clone());
                source.role = FileRole::Kustomization;
                source.path = Some(error.file.clone());
                file.source = Some(source);
                if let Some(e) = &mut file.error {
                    e.span = error.offset.map(|o| Span::new(o, o));
                }
            }
            files.push(file);
        }
        files
    }
}

impl Inputs {
    /// Wires a repository's kustomizations into files read already: marks the files they
    /// consume, adds each root's rendering (after every other file) and the maps back to
    /// the repository, and records what failed. Files must carry their paths.
    pub fn attach(&mut self, repository: Repository, outputs: Vec<RootOutput>) {
        let Repository {
            plan,
            renderer,
            wanted,
            notes,
            errors,
        } = repository;
        let known: foldhash::HashSet<&Path> = self
            .files
            .iter()
            .filter_map(|f| f.path.as_deref())
            .collect();
        let missing: Vec<usize> = (0..plan.kustomizations.len())
            .filter(|&k| !known.contains(plan.kustomizations[k].file.as_path()))
            .collect();
        for k in missing {
            let kustomization = &plan.kustomizations[k];
            let mut source =
                SourceFile::new(display_path(&kustomization.file), plan.texts[k].clone());
            source.role = FileRole::Kustomization;
            source.path = Some(kustomization.file.clone());
            self.files.push(source);
        }
        // Files carry their real paths (see `read_repository` and the editor's workspace).
        let mut file_ids: crate::source::FileIds = self
            .files
            .iter()
            .enumerate()
            .filter_map(|(id, file)| Some((file.path.clone()?, id)))
            .collect();
        let consumed = plan.consumed_files();
        for (path, &id) in &file_ids {
            if consumed.contains(path) && self.files[id].role == FileRole::Manifest {
                self.files[id].role = FileRole::Consumed;
            }
        }
        let describe = renderer.as_ref().map(Renderer::describe);
        let mut roots = Vec::new();
        let mut outputs: Vec<Option<RootOutput>> = outputs.into_iter().map(Some).collect();
        for &root in &wanted {
            let files: Vec<FileId> = root_reads(&plan, root)
                .iter()
                .filter_map(|path| file_ids.get(path).copied())
                .collect();
            let output = outputs
                .iter_mut()
                .find(|o| o.as_ref().is_some_and(|o| o.root == root))
                .and_then(Option::take);
            let mut state = RootRendering {
                kustomization: root,
                rendered: None,
                plain: Vec::new(),
                failed: false,
                files,
            };
            let mut base = None;
            let root_file = file_ids.get(&plan.kustomizations[root].file).copied();
            match output.map(|o| o.output) {
                Some(Ok(RenderedRoot {
                    inputs: rendered,
                    origin_base,
                    aliases,
                })) => {
                    let id = self.files.len();
                    self.absorb(rendered);
                    // Kustomize's output that does not parse is the root's error.
                    for error in &mut self.errors {
                        if error.file == Some(id) {
                            error.path = display_path(&plan.kustomizations[root].file);
                            error.file = root_file;
                            error.span = None;
                            error.message = format!("Kustomize's output: {}", error.message);
                        }
                    }
                    state.rendered = (self.files.len() > id).then_some(id);
                    base = Some((origin_base, aliases));
                }
                Some(Err(message)) => {
                    state.failed = true;
                    self.errors.push(InputError {
                        path: display_path(&plan.kustomizations[root].file),
                        file: root_file,
                        span: None,
                        message: format!(
                            "{} failed: {message}",
                            describe.as_deref().unwrap_or("Kustomize")
                        ),
                    });
                }
                None => {
                    state.plain = plan
                        .plain_resources(root)
                        .iter()
                        .filter_map(|path| file_ids.get(path).copied())
                        .collect();
                }
            }
            roots.push((state, base));
        }
        file_ids.retain(|_, id| self.files[*id].role != FileRole::Rendered);
        let numbered = crate::kustomize::locate::Numbered {
            files: &self.files,
            objects: &self.objects,
            file_ids: &file_ids,
        };
        self.renderings = Renderings::new(plan, describe, roots, &numbered);
        self.errors.extend(errors);
        self.notes.extend(notes);
    }

    /// Takes another run's files and objects, numbered after this one's.
    pub fn absorb(&mut self, other: Inputs) {
        let base = self.files.len();
        for mut error in other.errors {
            error.file = error.file.map(|f| f + base);
            self.errors.push(error);
        }
        self.files.extend(other.files);
        for mut object in other.objects {
            object.file += base;
            object.index = self.objects.len();
            self.objects.push(object);
        }
    }
}

/// Real paths (symbolic links resolved), asked of the file system once per folder: a walk
/// follows no link, so a file's real path is its folder's and its name.
#[derive(Default)]
pub(crate) struct CanonicalPaths {
    folders: std::sync::Mutex<std::collections::HashMap<PathBuf, PathBuf>>,
}

impl CanonicalPaths {
    fn of(&self, path: &Path) -> PathBuf {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let (Some(folder), Some(name), false) = (path.parent(), path.file_name(), is_link) else {
            return canonical(path);
        };
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let real = folders.entry(folder.to_path_buf()).or_insert_with(|| {
            canonical(if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            })
        });
        real.join(name)
    }
}

/// The repository files a root's rendering reads: its kustomizations and the files they
/// consume.
pub fn root_reads(plan: &Plan, root: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for k in plan.closure(root) {
        let kustomization = &plan.kustomizations[k];
        files.push(kustomization.file.clone());
        files.extend(
            kustomization
                .references()
                .filter(|r| !r.is_dir)
                .filter_map(|r| r.local())
                .map(Path::to_path_buf),
        );
    }
    files.sort();
    files.dedup();
    files
}
