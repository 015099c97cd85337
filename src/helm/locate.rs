//! Where a rendered field was written: from a span in Helm's output to the template line
//! that produces it, with the values file entry it reads as a related location.
//!
//! Each document of Helm's output follows a `# Source: CHART/templates/FILE` comment: the
//! template. The document of that template (a template may hold several, separated by
//! `---`) is found by position, else by `kind`; the field by its key path in the
//! template's [`Outline`]: the line that writes it, or the action that does (a `toYaml`,
//! an `include`), or the document's first line. When that line reads `.Values.X` (itself,
//! or through a `define` it includes), `X` in the values file the rendering used is a
//! related location.

use std::collections::HashMap;

use super::chart::Chart;
use super::template::{defines, included_names, values_read, Outline};
use crate::kustomize::Relocated;
use crate::model::Object;
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::path::{follow, path_to, Step};
use crate::yaml::{load_documents, Node};

/// One rendering of a chart: a release with a set of values files.
#[derive(Debug, Clone, Default)]
pub struct ChartRendering {
    /// The chart, as an index into [`Charts::charts`].
    pub chart: usize,
    /// Its cluster's name: `CHART[VALUES]`.
    pub name: String,
    /// The values files it used, the chart's own first.
    pub values: Vec<FileId>,
    /// Helm's output, when it rendered.
    pub rendered: Option<FileId>,
    /// Whether Helm refused it (an input error says why), or a dependency is missing.
    pub failed: bool,
    /// The repository files it reads: templates, values, `Chart.yaml`.
    pub files: Vec<FileId>,
}

/// Where a rendered object came from: its template and which of its documents.
#[derive(Debug, Clone, Copy)]
struct Origin {
    rendering: usize,
    template: FileId,
    doc: usize,
}

/// The charts of a run, their renderings, and the maps back to the templates.
#[derive(Debug, Default, Clone)]
pub struct Charts {
    pub charts: Vec<Chart>,
    pub renderings: Vec<ChartRendering>,
    /// How rendering went, once per run.
    pub renderer: Option<String>,
    origins: HashMap<usize, Origin>,
    outlines: HashMap<FileId, Outline>,
    /// `define`s by name: the file and the body's span.
    defines: HashMap<String, (FileId, Span)>,
    values: HashMap<FileId, Node>,
    rendered_files: HashMap<FileId, Vec<usize>>,
    /// Each chart's `Chart.yaml`: where a field nothing else places goes.
    chart_files: Vec<Option<FileId>>,
}

impl Charts {
    /// Puts together the maps of a run whose files are numbered (`file_ids`: repository
    /// files by real path).
    pub fn new(
        charts: Vec<Chart>,
        renderer: Option<String>,
        renderings: Vec<ChartRendering>,
        files: &[SourceFile],
        objects: &[Object],
        file_ids: &crate::source::FileIds,
    ) -> Charts {
        let mut maps = Charts {
            chart_files: charts
                .iter()
                .map(|c| file_ids.get(&c.file).copied())
                .collect(),
            charts,
            renderings,
            renderer,
            ..Charts::default()
        };
        // Every template of every chart: outlines, and the `define`s helpers hold.
        for (path, &id) in file_ids {
            let in_templates = maps.charts.iter().any(|chart| {
                path.strip_prefix(&chart.dir).is_ok_and(|relative| {
                    relative.components().any(|c| c.as_os_str() == "templates")
                })
            });
            if !in_templates {
                continue;
            }
            let text = &files[id].text;
            for (name, span) in defines(text) {
                maps.defines.entry(name).or_insert((id, span));
            }
            maps.outlines.insert(id, Outline::of(text));
        }
        for rendering in &maps.renderings {
            for &values in &rendering.values {
                if let Some(document) = load_documents(&files[values].text)
                    .documents
                    .into_iter()
                    .next()
                {
                    maps.values.insert(values, document.root);
                }
            }
        }
        let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
        for object in objects {
            by_file.entry(object.file).or_default().push(object.index);
        }
        for (r, rendering) in maps.renderings.iter().enumerate() {
            let Some(rendered) = rendering.rendered else {
                continue;
            };
            let chart = &maps.charts[rendering.chart];
            let mut in_file = by_file.remove(&rendered).unwrap_or_default();
            in_file.sort_by_key(|&o| objects[o].root.span.start);
            // The k-th object of a template is the k-th document of it, when the counts
            // agree; else the one of its kind.
            let mut seen: HashMap<FileId, usize> = HashMap::new();
            let mut count: HashMap<FileId, usize> = HashMap::new();
            let templates: Vec<Option<FileId>> = in_file
                .iter()
                .map(|&o| {
                    let template = template_file(chart, objects[o].origin.as_deref()?, file_ids)?;
                    *count.entry(template).or_default() += 1;
                    Some(template)
                })
                .collect();
            for (&object, template) in in_file.iter().zip(templates) {
                let Some(template) = template else { continue };
                let position = seen.entry(template).or_default();
                let outline = maps.outlines.get(&template);
                let docs = outline.map_or(0, |o| o.docs.len());
                let doc = if docs == count[&template] {
                    *position
                } else {
                    outline
                        .and_then(|o| {
                            o.docs.iter().position(|d| {
                                d.kind.as_deref() == Some(objects[object].kind.as_str())
                            })
                        })
                        .unwrap_or(0)
                };
                *position += 1;
                maps.origins.insert(
                    object,
                    Origin {
                        rendering: r,
                        template,
                        doc,
                    },
                );
            }
            maps.rendered_files.insert(rendered, in_file);
        }
        maps
    }

    /// Whether `file` is Helm's output.
    pub fn is_rendered(&self, file: FileId) -> bool {
        self.rendered_files.contains_key(&file)
    }

    /// The template a rendered object came from.
    pub fn template_of(&self, object: usize) -> Option<FileId> {
        self.origins.get(&object).map(|o| o.template)
    }

    /// Relocates a span of Helm's output into the template that writes it; `None` when
    /// `file` is not Helm's output.
    pub fn relocate(
        &self,
        files: &[SourceFile],
        objects: &[Object],
        file: FileId,
        span: Span,
    ) -> Option<Relocated> {
        let in_file = self.rendered_files.get(&file)?;
        let at = in_file.partition_point(|&o| objects[o].root.span.start <= span.start);
        let object = at.checked_sub(1).and_then(|i| in_file.get(i)).copied();
        let origin = object.and_then(|o| self.origins.get(&o));
        let Some((object, origin)) = object.zip(origin) else {
            // No template to go by: the chart's own file.
            let rendering = self.renderings.iter().find(|r| r.rendered == Some(file))?;
            return Some(Relocated {
                file: self.chart_files[rendering.chart].unwrap_or(file),
                span: Span::default(),
                via: None,
            });
        };
        let path = path_to(&objects[object].root, span);
        let doc = self
            .outlines
            .get(&origin.template)
            .and_then(|o| o.docs.get(origin.doc));
        let written = doc.and_then(|d| d.locate(&path.steps, path.part, &objects[object].root));
        let Some(written) = written else {
            return Some(Relocated {
                file: origin.template,
                span: doc.and_then(|d| d.first).unwrap_or_default(),
                via: None,
            });
        };
        let text = &files[origin.template].text;
        let via = self.values_entry(files, origin.rendering, text, written.line);
        Some(Relocated {
            file: origin.template,
            span: written.span,
            via,
        })
    }

    /// The values entry a template line reads (itself, or through the `define`s it
    /// includes), in the last values file of the rendering that has it.
    fn values_entry(
        &self,
        files: &[SourceFile],
        rendering: usize,
        text: &str,
        line: Span,
    ) -> Option<(FileId, Span, String)> {
        let mut paths = values_read(text, line);
        for name in included_names(text, line) {
            if let Some(&(file, body)) = self.defines.get(&name) {
                paths.extend(values_read(&files[file].text, body));
            }
        }
        let rendering = &self.renderings[rendering];
        // The last values file first: what a rendering's own values file sets is what
        // makes it differ from the chart's defaults.
        for &values in rendering.values.iter().rev() {
            for path in &paths {
                let steps: Vec<Step> = path.iter().map(|k| Step::Key(k.as_str().into())).collect();
                let Some(found) = self
                    .values
                    .get(&values)
                    .and_then(|tree| follow(tree, &steps))
                else {
                    continue;
                };
                let span = found.key_span.unwrap_or(found.node.span);
                return Some((
                    values,
                    span,
                    format!(
                        "the value of `{}` in {}",
                        path.join("."),
                        files[values].display
                    ),
                ));
            }
        }
        None
    }
}

/// The template a `# Source:` path names: `CHART/templates/x.yaml` is `templates/x.yaml`
/// of the chart's folder, `CHART/charts/SUB/templates/x.yaml` a subchart's.
fn template_file(chart: &Chart, source: &str, file_ids: &crate::source::FileIds) -> Option<FileId> {
    let (_, relative) = source.split_once('/')?;
    let path = crate::kustomize::file::normalize(&chart.dir.join(relative));
    file_ids.get(&path).copied().or_else(|| {
        let real = std::fs::canonicalize(&path).ok()?;
        file_ids.get(&real).copied()
    })
}
