//! Reads the discovered inputs and parses them into Kubernetes objects, in parallel.
//!
//! Each file is decoded, parsed into span trees, and split into objects (one per document,
//! one per item of a `kind: List`/`*List`). A file that cannot be read or parsed yields an
//! [`InputError`]; the documents it parsed before the error are still used.

pub use crate::size::{human_size, parse_size};
use std::io::Read;

use rayon::prelude::*;

use std::path::{Path, PathBuf};

use crate::discover::{display_path, io_message, Discovered, InputSource};
use crate::kustomize::file::normalize;
use crate::kustomize::plan::canonical;
use crate::kustomize::{Plan, RenderMode, Renderer, Renderings, RootRendering};
use crate::model::object::may_leave_out;
use crate::model::object::Object;
use crate::source::{FileId, FileRole, SourceFile, Span};
use crate::yaml::{for_each_document, for_each_pruned, Document, Node, Stop};

/// A file that could not be read or parsed, with the place of the problem when known.
#[derive(Debug, Clone)]
pub struct InputError {
    /// Display path of the file or argument.
    pub path: String,
    /// The file, when its text could be read (then `span` points into it).
    pub file: Option<FileId>,
    pub span: Option<Span>,
    pub message: String,
}

/// Everything read in one run: the files (sorted, so `FileId`s are stable; Kustomize's
/// outputs after the repository's files), the objects in file order, the input errors, and
/// what rendering did.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<SourceFile>,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    /// What the run decided or could not do, said once (stderr, SARIF notifications):
    /// `kustomize not found: ...`, remote resources not fetched.
    pub notes: Vec<String>,
    /// The kustomizations, their renderings and the maps back to the repository.
    pub renderings: Renderings,
    /// The Helm charts, their renderings and the maps back to their templates.
    pub charts: crate::helm::Charts,
}

/// Reads every input. Standard input is read first, on this thread; files are read and
/// parsed on rayon's pool and gathered in input order.
pub fn read_inputs(sources: &[InputSource]) -> Inputs {
    read_inputs_limited(sources, DEFAULT_MAX_FILE_SIZE)
}

/// Files above this size are skipped with a diagnostic (`--max-file-size`): a stray dump
/// or disk image named `.yaml` must not take the run's memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// As [`read_inputs`], skipping files (and stdin) larger than `max_size` bytes without
/// reading them.
pub fn read_inputs_limited(sources: &[InputSource], max_size: u64) -> Inputs {
    read_inputs_with(
        sources,
        &ReadOptions {
            max_file_size: max_size,
            ..ReadOptions::default()
        },
    )
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files above this size are skipped with a diagnostic.
    pub max_file_size: u64,
    /// Whether each file keeps its text after parsing. Only output that shows source lines
    /// needs it (the human format's snippets, the language server); without it a file
    /// keeps its line table, and every position stays exact (see
    /// [`SourceFile::let_go_of_text`]).
    pub keep_text: bool,
    /// How kustomizations are rendered ([`read_repository`]).
    pub render: RenderOptions,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            keep_text: true,
            render: RenderOptions::default(),
        }
    }
}

/// How [`read_repository`] renders kustomizations.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// How kustomizations are rendered.
    pub mode: RenderMode,
    /// How charts are rendered.
    pub helm: RenderMode,
    /// The release name of every chart (else each chart's name).
    pub helm_release: Option<String>,
    /// Per chart folder (absolute), its renderings as lists of values files (relative to
    /// the chart folder); other charts get their own values and `ci/*-values.yaml`.
    pub helm_values: Vec<(PathBuf, Vec<Vec<PathBuf>>)>,
    /// The namespace releases are rendered in (`--namespace`).
    pub namespace: Option<String>,
    /// The time limit of one rendering.
    pub timeout: std::time::Duration,
    /// Render only the roots and charts whose rendering reads one of these files
    /// (absolute paths): pre-commit renders what the staged files are part of. `None`:
    /// every one.
    pub only_containing: Option<Vec<PathBuf>>,
    /// The chart Helm's output on standard input came from (`--chart DIR`).
    pub stdin_chart: Option<PathBuf>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            mode: RenderMode::Auto,
            helm: RenderMode::Auto,
            helm_release: None,
            helm_values: Vec::new(),
            namespace: None,
            timeout: crate::kustomize::DEFAULT_TIMEOUT,
            only_containing: None,
            stdin_chart: None,
        }
    }
}

/// Reads every input as `options` say (plain files: no kustomization is looked at).
pub fn read_inputs_with(sources: &[InputSource], options: &ReadOptions) -> Inputs {
    let stdin_text = sources
        .contains(&InputSource::Stdin)
        .then(|| read_stdin(options.max_file_size));
    read_inputs_given(sources, stdin_text.as_ref(), options)
}

/// [`read_inputs_with`] with standard input read already.
fn read_inputs_given(
    sources: &[InputSource],
    stdin_text: Option<&Result<Vec<u8>, String>>,
    options: &ReadOptions,
) -> Inputs {
    let parsed: Vec<ParsedFile> = sources
        .par_iter()
        .map(|source| read_source(source, stdin_text, options, FileRole::Manifest))
        .collect();
    assemble(parsed)
}

/// The `Chart.yaml` of the chart Helm's output on standard input came from: `--chart
/// DIR`'s, else the one its first `# Source: CHART/...` path finds under the current folder.
fn stdin_chart(bytes: &[u8], given: Option<&Path>) -> Option<PathBuf> {
    let text = String::from_utf8_lossy(bytes);
    let source = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("# Source:"))
        .map(str::trim)
        .find(|source| !source.is_empty())?;
    let dir = match given {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from(source.split('/').next()?),
    };
    let chart = dir.join("Chart.yaml");
    chart.is_file().then_some(chart)
}

/// Reads one input; a consumed file keeps its trees (rendered fields are located in them).
fn read_source(
    source: &InputSource,
    stdin_text: Option<&Result<Vec<u8>, String>>,
    options: &ReadOptions,
    role: FileRole,
) -> ParsedFile {
    let max_size = options.max_file_size;
    let mut parsed = match source {
        InputSource::Stdin => match stdin_text {
            Some(Ok(bytes)) => parse_bytes("<stdin>".to_string(), bytes.clone()),
            Some(Err(_)) | None => {
                ParsedFile::unreadable("<stdin>".to_string(), message_or_default(stdin_text))
            }
        },
        InputSource::File(path) => {
            let display = display_path(path);
            match read_file(path, max_size) {
                // A chart's file is text: a template is not YAML until Helm renders it.
                Ok(bytes) if role == FileRole::Chart => text_only(display, bytes),
                Ok(bytes) => {
                    let parsed = parse_bytes(display, bytes);
                    let mut parsed = if role == FileRole::Manifest {
                        parsed.without_unused_text()
                    } else {
                        parsed
                    };
                    // A consumed file keeps its text until its patches are parsed.
                    if let (false, FileRole::Manifest, Some(source)) =
                        (options.keep_text, role, &mut parsed.source)
                    {
                        source.let_go_of_text();
                    }
                    parsed
                }
                Err(message) => ParsedFile::unreadable(display, message),
            }
        }
    };
    if let Some(file) = &mut parsed.source {
        file.role = role;
        if let InputSource::File(path) = source {
            file.path = std::path::absolute(path).ok().map(|p| normalize(&p));
        }
    }
    parsed
}

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
            let scanned: std::collections::HashSet<&PathBuf> = sources
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
            let scanned: std::collections::HashSet<PathBuf> = sources
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

/// A run's charts: each read, its renderings, and Helm.
#[derive(Debug, Default)]
pub struct ChartPlan {
    pub charts: Vec<crate::helm::Chart>,
    pub renderer: Option<crate::helm::HelmRenderer>,
    /// The renderings to make: chart and values files (relative to the chart).
    pub wanted: Vec<(usize, Vec<PathBuf>)>,
    notes: Vec<String>,
    errors: Vec<InputError>,
    /// Every chart folder, subcharts included (their files are the parent's).
    dirs: Vec<PathBuf>,
    /// The chart (its `Chart.yaml`) of Helm's output on standard input, when it is here.
    pub stdin: Option<PathBuf>,
}

/// One rendering of a chart: Helm's output read as a file, or why there is none.
pub struct ChartOutput {
    pub chart: usize,
    pub values: Vec<PathBuf>,
    pub output: Result<Inputs, String>,
}

impl ChartPlan {
    /// Reads the charts (`Chart.yaml` files, subcharts left to their parents), finds Helm,
    /// and says once what cannot be done.
    pub fn plan(chart_files: &[PathBuf], stdin: Option<&Path>, options: &ReadOptions) -> ChartPlan {
        let stdin = stdin.map(canonical);
        let mut real: Vec<PathBuf> = chart_files.iter().map(|f| canonical(f)).collect();
        // The chart of standard input's Helm output is read, not rendered again (unless
        // it is scanned too).
        let stdin_only = stdin.clone().filter(|file| !real.contains(file));
        real.extend(stdin_only.clone());
        let mut plan = ChartPlan {
            dirs: real
                .iter()
                .filter_map(|f| f.parent().map(Path::to_path_buf))
                .collect(),
            stdin,
            ..ChartPlan::default()
        };
        for file in crate::helm::chart::roots(&real) {
            let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let configured = options
                .render
                .helm_values
                .iter()
                .find(|(chart, _)| *chart == dir)
                .map(|(_, renderings)| renderings.as_slice());
            match crate::helm::Chart::read(&file, configured) {
                Ok(chart) => plan.charts.push(chart),
                Err(message) => plan.errors.push(InputError {
                    path: display_path(&file),
                    file: None,
                    span: None,
                    message,
                }),
            }
        }
        if plan.charts.is_empty() {
            return plan;
        }
        plan.renderer = match crate::helm::HelmRenderer::find(&options.render.helm) {
            Ok(renderer) => renderer,
            Err(message) => {
                plan.errors.push(InputError {
                    path: "render.helm".to_string(),
                    file: None,
                    span: None,
                    message,
                });
                None
            }
        };
        let wanted_charts: Vec<usize> = (0..plan.charts.len())
            .filter(|&c| stdin_only.as_ref() != Some(&plan.charts[c].file))
            .filter(|&c| match &options.render.only_containing {
                None => true,
                Some(files) => files.iter().any(|f| f.starts_with(&plan.charts[c].dir)),
            })
            .collect();
        let count = |n: usize| format!("{n} chart{}", if n == 1 { "" } else { "s" });
        match (&plan.renderer, &options.render.helm) {
            (None, RenderMode::Never) if !wanted_charts.is_empty() => plan.notes.push(format!(
                "rendering is off (render: never): {} not rendered",
                count(wanted_charts.len())
            )),
            (None, _) if !wanted_charts.is_empty() => plan.notes.push(format!(
                "helm not found: {} not rendered (install helm, or name a command in render.helm)",
                count(wanted_charts.len())
            )),
            _ => {}
        }
        if plan.renderer.is_none() {
            return plan;
        }
        for c in wanted_charts {
            let chart = &plan.charts[c];

            if !chart.missing_dependencies.is_empty() {
                plan.notes.push(format!(
                    "{}: dependency `{}` is not in charts/ (salint does not download it; run `helm dependency build`): not rendered",
                    display_path(&chart.file),
                    chart.missing_dependencies.join("`, `")
                ));
                continue;
            }
            for values in &chart.renderings {
                plan.wanted.push((c, values.clone()));
            }
        }
        plan
    }

    /// Whether a file belongs to one of the charts (never a manifest).
    pub fn owns(&self, path: &Path) -> bool {
        self.dirs
            .iter()
            .any(|dir| crate::helm::chart::belongs_to_chart(dir, path))
    }

    /// The charts' files that must be read whatever discovery found: every template
    /// (helpers too), `Chart.yaml` and the values files of each rendering.
    pub fn files_to_read(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for chart in &self.charts {
            files.push(chart.file.clone());
            files.push(chart.dir.join("values.yaml"));
            for values in chart.renderings.iter().flatten() {
                files.push(chart.dir.join(values));
            }
            let mut folders = vec![chart.dir.join("templates")];
            if let Ok(subcharts) = std::fs::read_dir(chart.dir.join("charts")) {
                for entry in subcharts.filter_map(Result::ok) {
                    folders.push(entry.path().join("templates"));
                    files.push(entry.path().join("values.yaml"));
                    files.push(entry.path().join("Chart.yaml"));
                }
            }
            while let Some(folder) = folders.pop() {
                let Ok(entries) = std::fs::read_dir(&folder) else {
                    continue;
                };
                for entry in entries.filter_map(Result::ok) {
                    let path = entry.path();
                    match entry.file_type() {
                        Ok(t) if t.is_dir() => folders.push(path),
                        Ok(t) if t.is_file() => files.push(path),
                        _ => {}
                    }
                }
            }
        }
        let mut files: Vec<PathBuf> = files
            .into_iter()
            .filter(|f| f.is_file())
            .map(|f| canonical(&f))
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// Renders the wanted releases, in parallel, each read as a file of its own.
    pub fn render(&self, options: &ReadOptions) -> Vec<ChartOutput> {
        let Some(renderer) = &self.renderer else {
            return Vec::new();
        };
        self.wanted
            .par_iter()
            .map(|(c, values)| {
                let chart = &self.charts[*c];
                let files: Vec<PathBuf> = values.iter().map(|v| chart.dir.join(v)).collect();
                let release = crate::helm::Release {
                    chart_dir: &chart.dir,
                    name: options
                        .render
                        .helm_release
                        .as_deref()
                        .unwrap_or(&chart.name),
                    namespace: options.render.namespace.as_deref(),
                    values: &files,
                };
                let output = renderer
                    .render(&release, options.render.timeout, options.max_file_size)
                    .map(|text| {
                        let display = format!("<helm {}>", chart.rendering_name(values));
                        let mut file = parse_bytes(display, text.into_bytes());
                        if let Some(source) = &mut file.source {
                            source.role = FileRole::Rendered;
                        }
                        let mut inputs = Inputs::default();
                        inputs.add(file);
                        inputs
                    });
                ChartOutput {
                    chart: *c,
                    values: values.clone(),
                    output,
                }
            })
            .collect()
    }
}

impl Inputs {
    /// Wires the charts' renderings into files read already (see [`Inputs::attach`]).
    pub fn attach_charts(&mut self, plan: ChartPlan, outputs: Vec<ChartOutput>) {
        let ChartPlan {
            charts,
            renderer,
            notes,
            errors,
            stdin,
            ..
        } = plan;
        let file_ids: std::collections::HashMap<PathBuf, FileId> = self
            .files
            .iter()
            .enumerate()
            .filter(|(_, file)| file.role != FileRole::Rendered)
            .filter_map(|(id, file)| Some((file.path.clone()?, id)))
            .collect();
        let describe = renderer.as_ref().map(|r| {
            let program = Path::new(&r.argv[0])
                .file_name()
                .map_or_else(|| r.argv[0].clone(), |n| n.to_string_lossy().to_string());
            format!("{program} template")
        });
        let mut renderings = Vec::new();
        for output in outputs {
            let chart = &charts[output.chart];
            let chart_file = file_ids.get(&chart.file).copied();
            let mut values: Vec<FileId> = file_ids
                .get(&canonical(&chart.dir.join("values.yaml")))
                .copied()
                .into_iter()
                .collect();
            values.extend(
                output
                    .values
                    .iter()
                    .filter_map(|v| file_ids.get(&canonical(&chart.dir.join(v))).copied()),
            );
            let mut files: Vec<FileId> = file_ids
                .iter()
                .filter(|(path, &id)| {
                    path.starts_with(&chart.dir) && self.files[id].role == FileRole::Chart
                })
                .map(|(_, &id)| id)
                .collect();
            files.sort_unstable();
            let mut rendering = crate::helm::ChartRendering {
                chart: output.chart,
                name: chart.rendering_name(&output.values),
                values,
                rendered: None,
                failed: false,
                files,
            };
            match output.output {
                Ok(rendered) => {
                    let id = self.files.len();
                    self.absorb(rendered);
                    for error in &mut self.errors {
                        if error.file == Some(id) {
                            error.path = display_path(&chart.file);
                            error.file = chart_file;
                            error.span = None;
                            error.message = format!("Helm's output: {}", error.message);
                        }
                    }
                    rendering.rendered = (self.files.len() > id).then_some(id);
                }
                Err(message) => {
                    rendering.failed = true;
                    self.errors.push(InputError {
                        path: display_path(&chart.file),
                        file: chart_file,
                        span: None,
                        message: format!(
                            "{} ({}) failed: {message}",
                            describe.as_deref().unwrap_or("helm template"),
                            rendering.name
                        ),
                    });
                }
            }
            renderings.push(rendering);
        }
        // Helm's output on standard input: a rendering of its chart, made already.
        let stdin_file = self.files.iter().position(|f| f.display == "<stdin>");
        if let (Some(stdin), Some(id)) = (&stdin, stdin_file) {
            if let Some(chart) = charts.iter().position(|c| c.file == *stdin) {
                self.files[id].role = FileRole::Rendered;
                renderings.push(crate::helm::ChartRendering {
                    chart,
                    name: "<stdin>".to_string(),
                    values: file_ids
                        .get(&canonical(&charts[chart].dir.join("values.yaml")))
                        .copied()
                        .into_iter()
                        .collect(),
                    rendered: Some(id),
                    failed: false,
                    files: file_ids
                        .iter()
                        .filter(|(path, &f)| {
                            path.starts_with(&charts[chart].dir)
                                && self.files[f].role == FileRole::Chart
                        })
                        .map(|(_, &f)| f)
                        .collect(),
                });
            }
        }
        self.charts = crate::helm::Charts::new(
            charts,
            describe,
            renderings,
            &self.files,
            &self.objects,
            &file_ids,
        );
        self.errors.extend(errors);
        self.notes.extend(notes);
    }
}

/// A file read as text only (a chart's template): decoded, its suppression comments found,
/// never parsed.
fn text_only(display: String, bytes: Vec<u8>) -> ParsedFile {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((text, _, _)) => text,
    };
    let mut source = SourceFile::new(display, text);
    source.marked_lines = crate::source::marked_lines(&source.text);
    ParsedFile {
        source: Some(source),
        objects: Vec::new(),
        error: None,
    }
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
        let known: std::collections::HashSet<PathBuf> =
            self.files.iter().filter_map(|f| f.path.clone()).collect();
        for (k, kustomization) in plan.kustomizations.iter().enumerate() {
            if !known.contains(&kustomization.file) {
                let mut source =
                    SourceFile::new(display_path(&kustomization.file), plan.texts[k].clone());
                source.role = FileRole::Kustomization;
                source.path = Some(kustomization.file.clone());
                self.files.push(source);
            }
        }
        // Files carry their real paths (see `read_repository` and the editor's workspace).
        let mut file_ids: std::collections::HashMap<PathBuf, FileId> = self
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
struct CanonicalPaths {
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

/// Numbers parsed files: standard input first, then files by display path.
fn assemble(mut parsed: Vec<ParsedFile>) -> Inputs {
    let key = |file: &ParsedFile| match &file.source {
        Some(source) if source.display == "<stdin>" => (0, String::new()),
        Some(source) => (1, source.display.clone()),
        None => (
            1,
            file.error
                .as_ref()
                .map_or_else(String::new, |e| e.path.clone()),
        ),
    };
    parsed.sort_by_cached_key(key);
    // Sized once: growing a vector of tens of thousands of objects copies them over and
    // over, on one thread.
    let mut inputs = Inputs {
        files: Vec::with_capacity(parsed.len()),
        objects: Vec::with_capacity(parsed.iter().map(|file| file.objects.len()).sum()),
        ..Inputs::default()
    };
    for file in parsed {
        inputs.add(file);
    }
    inputs
}

impl Inputs {
    /// Adds one parsed file, numbering it and its objects.
    fn add(&mut self, file: ParsedFile) {
        let file_id = file.source.as_ref().map(|_| self.files.len());
        if let Some(error) = file.error {
            self.errors.push(InputError {
                file: file_id,
                ..error
            });
        }
        if let (Some(source), Some(id)) = (file.source, file_id) {
            self.files.push(source);
            for mut object in file.objects {
                object.file = id;
                object.index = self.objects.len();
                self.objects.push(object);
            }
        }
    }

    /// Moves a span of a renderer's output (Kustomize's, Helm's) to the repository file
    /// that wrote it; `None` for a span already in the repository.
    pub fn relocate(&self, file: FileId, span: Span) -> Option<crate::kustomize::Relocated> {
        self.renderings
            .relocate(&self.objects, file, span)
            .or_else(|| self.charts.relocate(&self.files, &self.objects, file, span))
    }

    /// Whether the objects of `file` are judged: manifests and renderers' outputs.
    pub fn is_judged(&self, file: FileId) -> bool {
        matches!(
            self.files[file].role,
            FileRole::Manifest | FileRole::Rendered
        )
    }
}

/// Parses one file's bytes (decoded as files are: BOM, UTF-16) as if read from a file
/// named `display`; for editors, which read files themselves.
pub fn read_bytes(display: String, bytes: Vec<u8>) -> Inputs {
    let mut inputs = Inputs::default();
    inputs.add(parse_bytes(display, bytes));
    inputs
}

/// Parses in-memory texts as if they were files named `display` (for tests, rule examples
/// and editors), in the given order.
pub fn read_texts(texts: Vec<(String, String)>) -> Inputs {
    let mut inputs = Inputs::default();
    for (display, text) in texts {
        inputs.add(parse_bytes(display, text.into_bytes()));
    }
    inputs
}

/// Reads a file whole, refusing one above `max_size` before reading it. One open, one
/// size query and one read per file: a run reads thousands.
fn read_file(path: &std::path::Path, max_size: u64) -> Result<Vec<u8>, String> {
    let cannot_read = |error: std::io::Error| format!("cannot read: {}", io_message(&error));
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > max_size {
        return Err(too_large(size, max_size));
    }
    // A file that grew since the size query is still held to the limit.
    read_within(&mut file, max_size, size, cannot_read)
}

/// Reads `reader` to its end, at most `max_size` bytes (one more says it is larger), into
/// a buffer sized for `expected` bytes.
fn read_within(
    reader: impl Read,
    max_size: u64,
    expected: u64,
    cannot_read: impl Fn(std::io::Error) -> String,
) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(max_size)).unwrap_or(0));
    // Saturating: `--max-file-size 18446744073709551615` plus one wrapped to a limit of
    // zero bytes, and every file read as empty.
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_size {
        // Only the first bytes past the limit were read: the size is not known (a device
        // such as /dev/zero, a pipe, or a file that grew).
        return Err(format!(
            "skipped: more than the --max-file-size limit of {} (read up to the limit)",
            human_size(max_size)
        ));
    }
    Ok(bytes)
}

fn message_or_default(result: Option<&Result<Vec<u8>, String>>) -> String {
    match result {
        Some(Err(message)) => message.clone(),
        _ => "cannot read standard input".to_string(),
    }
}

fn read_stdin(max_size: u64) -> Result<Vec<u8>, String> {
    read_within(std::io::stdin().lock(), max_size, 0, |e| {
        format!("cannot read standard input: {}", io_message(&e))
    })
}

/// The diagnostic of a file above the size limit.
fn too_large(size: u64, max_size: u64) -> String {
    format!(
        "skipped: {} is larger than the --max-file-size limit of {}",
        human_size(size),
        human_size(max_size)
    )
}

struct ParsedFile {
    source: Option<SourceFile>,
    objects: Vec<Object>,
    error: Option<InputError>,
}

impl ParsedFile {
    /// Drops the text of a file no finding can point into: it parsed, holds no object a rule
    /// reads (only ConfigMaps, Services, CRDs and the like, none of them a workload) and no
    /// suppression. Such files are most of a real manifest set; their text is most of its
    /// memory. Spans into it are kept, and nothing reads them.
    fn without_unused_text(mut self) -> Self {
        let Some(source) = &self.source else {
            return self;
        };
        let unused = self.error.is_none()
            && memchr::memmem::find(source.text.as_bytes(), b"salint").is_none()
            && self.objects.iter().all(|object| {
                !crate::model::object::is_modelled_kind(&object.kind)
                    && crate::model::workload::Workload::from_object(
                        object,
                        &crate::model::Namespace::Implicit,
                    )
                    .is_none()
            });
        if unused {
            self.source = Some(SourceFile::new(source.display.clone(), String::new()));
            // Their trees too: no rule and no suppression reads them (identity is kept).
            for object in &mut self.objects {
                object.root = Node {
                    span: object.root.span,
                    value: crate::yaml::Value::Map(Box::new([])),
                };
            }
        }
        self
    }

    fn unreadable(path: String, message: String) -> Self {
        ParsedFile {
            source: None,
            objects: Vec::new(),
            error: Some(InputError {
                path,
                file: None,
                span: None,
                message,
            }),
        }
    }
}

/// Decodes, parses and splits one file. Objects get `file` 0 here; the caller renumbers.
fn parse_bytes(display: String, bytes: Vec<u8>) -> ParsedFile {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((text, offset, message)) => {
            // Keep the readable prefix as the file's text so the error can point into it.
            let source = SourceFile::new(display.clone(), text);
            return ParsedFile {
                source: Some(source),
                objects: Vec::new(),
                error: Some(InputError {
                    path: display,
                    file: None,
                    span: Some(Span::new(offset, offset)),
                    message,
                }),
            };
        }
    };
    // Each document becomes objects as soon as it is parsed, so only the parts of it the
    // objects keep outlive it; the parts no object keeps are not even built.
    let mut objects = Vec::new();
    let pruned = for_each_pruned(&text, may_leave_out, |document| {
        document_objects(&text, document, &mut objects)
    });
    let loaded = match pruned {
        Ok(()) => Ok(()),
        Err(Stop::Error(error)) => Err(error),
        Err(Stop::NeedsWholeTrees) => {
            objects.clear();
            for_each_document(&text, |document| {
                document_objects(&text, document, &mut objects)
            })
        }
    };
    let error = loaded.err().map(|error| InputError {
        path: display.clone(),
        file: None,
        span: Some(Span::new(error.offset, error.offset)),
        message: format!("YAML parse error: {}", error.message),
    });
    let mut source = SourceFile::new(display, text);
    source.marked_lines = crate::source::marked_lines(&source.text);
    ParsedFile {
        source: Some(source),
        objects,
        error,
    }
}

/// Adds the objects of one document of `text`.
fn document_objects(text: &str, document: Document, out: &mut Vec<Object>) {
    let head = Span::new(
        document.head.min(document.root.span.start),
        document.root.span.start,
    );
    let origin = template_origin(&text[head.start..head.end]);
    let first = out.len();
    split_objects(document.root, head, origin, out);
    // Each duplicate key goes to the object (the List item) it lies in.
    let objects = &mut out[first..];
    for duplicate in document.duplicate_keys {
        let span = duplicate.span;
        if let Some(object) = objects
            .iter_mut()
            .find(|o| o.root.span.start <= span.start && span.end <= o.root.span.end)
        {
            object.duplicate_keys.push(duplicate);
        }
    }
}

/// Decodes a file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Invalid UTF-8
/// gives the text decoded lossily, the offset of the first bad byte and a message.
fn decode(bytes: Vec<u8>) -> Result<String, (String, usize, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(to_unit) = utf16 {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| to_unit([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units)
            .map_err(|_| (String::new(), 0, "invalid UTF-16 text".to_string()));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.into_bytes();
        // The whole file, lossily, so the error can be shown in context.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            text,
            valid,
            format!("not UTF-8 text: invalid byte 0x{:02X}", bytes[valid]),
        )
    })
}

/// The Helm template a document came from: the last `# Source: <path>` comment ahead of it.
fn template_origin(head: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.trim().strip_prefix("# Source:"))
        .map(|path| path.trim().to_string())
        .rfind(|path| !path.is_empty())
}

/// Turns a document into objects: the document itself, or each item of a List. Documents
/// without `apiVersion` and `kind` (values files, empty documents) are skipped.
fn split_objects(root: Node, head: Span, origin: Option<String>, out: &mut Vec<Object>) {
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let is_list = kind.ends_with("List") && root.get("items").is_some_and(|n| n.as_seq().is_some());
    if is_list {
        if let crate::yaml::Value::Map(entries) = root.value {
            for entry in entries {
                let is_items = entry.key.as_str() == Some("items");
                if let (true, crate::yaml::Value::Seq(items)) = (is_items, entry.value.value) {
                    for item in items {
                        split_objects(item, head, origin.clone(), out);
                    }
                }
            }
        }
        return;
    }
    if let Some(object) = Object::from_node(root, head, origin) {
        out.push(object);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: 1".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(utf16).unwrap(), "a: 1");
        let (text, offset, _) = decode(b"a: \xFF".to_vec()).unwrap_err();
        assert_eq!((text.as_str(), offset), ("a: \u{FFFD}", 3));
    }

    /// Leaving parts out while parsing must keep exactly what pruning the whole tree keeps,
    /// with the same spans and the same errors.
    #[test]
    fn leaving_parts_out_while_parsing_equals_pruning_whole_trees() {
        let mut bomb = String::from(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n",
        );
        let mut prev = 'a';
        for name in 'b'..='k' {
            let list = vec![format!("*{prev}"); 10].join(", ");
            bomb.push_str(&format!("  {name}: &{name} [{list}]\n"));
            prev = name;
        }
        let deep = format!(
            "apiVersion: v1\nkind: ConfigMap\ndata: {}x{}\n",
            "[".repeat(300),
            "]".repeat(300)
        );
        let texts = [
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  big: |\n    x\n  other: [1, 2]  \n# end\n",
            "kind: Service\napiVersion: v1\nmetadata:\n  name: s\n  annotations: {ignore.salint.io/all: why}\nspec:\n  ports: [{port: 80}]\n  selector: {app: s}\n",
            "apiVersion: example.com/v1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  replicas: 2\n  template:\n    metadata: {annotations: {ignore.salint.io/SA101: ok}}\n    spec: {containers: [{name: c}]}\n  strategy: {canary: {}}\n",
            // An alias into a left-out part: the file is parsed again whole.
            "apiVersion: v1\nkind: ConfigMap\ndata: &d {k: v}\nmetadata:\n  name: c\n  labels: *d\n",
            // An anchored root that lost entries could be aliased: parsed again whole.
            "--- &root\napiVersion: v1\nkind: ConfigMap\ndata: {k: v}\nmetadata: {name: r}\n",
            // A second `kind` after a left-out part.
            "apiVersion: v1\nkind: ConfigMap\ndata: {k: v}\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n",
            // `kind` after the parts (kubectl's order): nothing can be left out.
            "apiVersion: v1\ndata: {k: v}\nkind: ConfigMap\nmetadata: {name: e}\n",
            "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: f}, data: {k: v}}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: g}\ndata: {k: 'quoted' }\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: h}\ndata: {k: dg==}\n",
            &bomb,
            &deep,
            "apiVersion: v1\nkind: ConfigMap\ndata: {k: *missing}\n",
            // Workloads go without their container lists, at each kind's pod spec path;
            // duplicate keys in them are still found.
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: x, image: y}\n      serviceAccountName: s\n      initContainers: [{name: i}]\n      containers: []\n",
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a, env: [{name: X, value: '1', value: '2'}]}]\n          automountServiceAccountToken: false\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a}], ephemeralContainers: [{name: e}], serviceAccount: s}\n",
            // Containers that come in through a merge key or an alias go as well.
            "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nx-base: &base {containers: [{name: c, image: i}], hostNetwork: true}\nspec:\n  <<: *base\n  serviceAccountName: s\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nx-spec: &spec {containers: [{name: c}], serviceAccountName: s, serviceAccountName: t}\nspec: *spec\n",
            // An alias to a left-out container list: parsed again whole.
            "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  containers: &c [{name: c}]\n  initContainers: *c\n",
            "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: r, name: s}, spec: {containers: [{name: c, name: d}]}}\n  - {apiVersion: v1, kind: Pod, metadata: {name: t}, spec: {containers: [{name: c}]}}\n",
            // A Secret goes without its values.
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata: {a: b, a: c}\nstringData:\n  x: y\n",
        ];
        let mut duplicates = Vec::new();
        for text in texts {
            let pruned = parse_bytes("t".into(), text.as_bytes().to_vec());
            let mut whole = Vec::new();
            let error = for_each_document(text, |d| document_objects(text, d, &mut whole)).err();
            assert_eq!(
                pruned.error.map(|e| (e.span, e.message)),
                error.map(|e| (
                    Some(Span::new(e.offset, e.offset)),
                    format!("YAML parse error: {}", e.message)
                )),
                "{text}"
            );
            assert_eq!(pruned.objects.len(), whole.len(), "{text}");
            for (a, b) in pruned.objects.iter().zip(&whole) {
                assert_eq!((&a.root, a.head), (&b.root, b.head), "{text}");
                assert_eq!(a.duplicate_keys, b.duplicate_keys, "{text}");
                duplicates.extend(a.duplicate_keys.iter().map(|d| d.key.to_string()));
                if let Some((path, keys)) = crate::model::object::unread_parts(&a.kind) {
                    let mapping = a.root.path(path).unwrap();
                    assert!(
                        keys.iter().all(|key| mapping.entry(key).is_none()),
                        "{text}"
                    );
                }
            }
        }
        // At the root, in containers, of a left-out key, in an aliased pod spec (once), in
        // List items (none in the List's own mapping).
        assert_eq!(
            duplicates,
            [
                "kind",
                "image",
                "containers",
                "value",
                "serviceAccountName",
                "name",
                "name",
                "a"
            ]
        );
    }

    #[test]
    fn helm_origin_is_the_last_source_comment() {
        let head = "---\n# Source: chart/templates/a.yaml\n";
        assert_eq!(
            template_origin(head).as_deref(),
            Some("chart/templates/a.yaml")
        );
        assert_eq!(template_origin("# just a comment\n"), None);
    }
}
