//! Reading a repository's Helm charts: each chart rendered by Helm per values set, its
//! templates read as text, the renderings attached to the templates they came from.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::parse::parse_bytes;
use super::{InputError, Inputs, ReadOptions};
use crate::discover::display_path;
use crate::kustomize::plan::canonical;
use crate::kustomize::RenderMode;
use crate::source::{FileId, FileRole};

/// The `Chart.yaml` of the chart Helm's output on standard input came from: `--chart
/// DIR`'s, else the one its first `# Source: CHART/...` path finds under the current folder.
pub(crate) fn stdin_chart(bytes: &[u8], given: Option<&Path>) -> Option<PathBuf> {
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
        let file_ids: crate::source::FileIds = self
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
