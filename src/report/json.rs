//! `--format json`: a stable, documented shape (see README "JSON output").

use rayon::prelude::*;
use serde::Serialize;

use super::Report;
use crate::finding::{Finding, Location};
use crate::model::ObjectRef;
use crate::source::{Position, SourceFile};

/// Version of the JSON shape; bumped only on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// The report's shape (README "JSON output"), in this order:
///
/// - `version`: [`JSON_FORMAT_VERSION`];
/// - `tool`: [`JsonTool`];
/// - `findings`: [`JsonFinding`]s;
/// - `input_errors`: [`JsonInputError`]s;
/// - `notes`: what the run decided or could not do (clusters, rendering), as text;
/// - `baseline_absent`, only with `--baseline`: the entries no finding matched any more
///   (fixed since);
/// - `summary`: [`Summary`](super::Summary).
///
/// [`write`] writes it field by field.

#[derive(Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'r> {
    code: &'r str,
    rule: &'r str,
    severity: &'r str,
    message: &'r str,
    file: &'r str,
    span: JsonSpan,
    object: &'r ObjectRef,
    template_origin: Option<&'r str>,
    /// The clusters the finding holds in (see README "Clusters").
    clusters: &'r [String],
    /// The line of a renderer's output the finding was on, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered: Option<&'r crate::finding::RenderedAt>,
    fingerprint: String,
    related: Vec<JsonRelated<'r>>,
    /// Present when suppressed (shown with `--show-suppressed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'r>>,
    /// Present when the run compares against a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<crate::finding::BaselineState>,
}

#[derive(Serialize)]
struct JsonSuppression<'r> {
    kind: crate::finding::SuppressionKind,
    justification: &'r str,
}

#[derive(Serialize)]
struct JsonRelated<'r> {
    message: &'r str,
    file: &'r str,
    span: JsonSpan,
}

/// Start and end (exclusive) positions, 1-based lines and character columns, plus byte
/// offsets for tools that slice the file.
#[derive(Serialize)]
struct JsonSpan {
    start: Position,
    end: Position,
    byte_start: usize,
    byte_end: usize,
}

#[derive(Serialize)]
struct JsonInputError<'r> {
    file: &'r str,
    position: Option<Position>,
    message: &'r str,
}

fn span(files: &[SourceFile], location: Location) -> JsonSpan {
    let (start, end) = files[location.file].range(location.span);
    JsonSpan {
        start,
        end,
        byte_start: location.span.start,
        byte_end: location.span.end,
    }
}

fn finding<'r>(files: &'r [SourceFile], finding: &'r Finding) -> JsonFinding<'r> {
    JsonFinding {
        code: finding.rule.code(),
        rule: finding.rule.name(),
        severity: finding.severity.as_str(),
        message: &finding.message,
        file: &files[finding.location.file].display,
        span: span(files, finding.location),
        object: &finding.object,
        template_origin: finding.origin.as_deref(),
        clusters: &finding.clusters,
        rendered: finding.rendered.as_ref(),
        fingerprint: finding.fingerprint(),
        related: finding
            .related
            .iter()
            .map(|related| JsonRelated {
                message: &related.message,
                file: &files[related.location.file].display,
                span: span(files, related.location),
            })
            .collect(),
        suppression: finding.suppression.as_ref().map(|s| JsonSuppression {
            kind: s.kind,
            justification: &s.justification,
        }),
        baseline_state: finding.baseline,
    }
}

pub fn render(report: &Report) -> String {
    let mut text = Vec::new();
    write(report, &mut text).expect("writing to memory cannot fail");
    String::from_utf8(text).expect("JSON is UTF-8")
}

/// Writes the report to `out`: the shape described above, in serde_json's pretty layout.
/// The findings are rendered in parallel, each on its own (on a large run their positions,
/// fingerprints and text are most of the output's time), a batch at a time so the output
/// is never held whole, and written in order.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let shown: Vec<&Finding> = report.shown().collect();
    let input_errors: Vec<JsonInputError> = report
        .errors
        .iter()
        .map(|error| JsonInputError {
            file: &error.path,
            position: error
                .file
                .zip(error.span)
                .map(|(file, span)| report.files[file].position(span.start)),
            message: &error.message,
        })
        .collect();
    let tool = JsonTool {
        name: "salint",
        version: env!("CARGO_PKG_VERSION"),
    };
    out.write_all(b"{")?;
    let mut fields = Fields { out, first: true };
    fields.value("version", &JSON_FORMAT_VERSION)?;
    fields.value("tool", &tool)?;
    fields.array("findings", &shown, |f| pretty(&finding(report.files, f), 2))?;
    fields.value("input_errors", &input_errors)?;
    fields.value("notes", &report.notes)?;
    if report.baseline_used {
        fields.value("baseline_absent", &report.absent)?;
    }
    fields.value("summary", &report.summary())?;
    out.write_all(b"\n}\n")
}

/// The fields of the top-level object, written one by one as serde_json's pretty printer
/// writes them.
struct Fields<'w> {
    out: &'w mut dyn std::io::Write,
    first: bool,
}

impl Fields<'_> {
    fn key(&mut self, key: &str) -> std::io::Result<()> {
        let separator = if std::mem::take(&mut self.first) {
            ""
        } else {
            ","
        };
        write!(self.out, "{separator}\n  \"{key}\": ")
    }

    fn value(&mut self, key: &str, value: &impl Serialize) -> std::io::Result<()> {
        self.key(key)?;
        self.out.write_all(&pretty(value, 1))
    }

    /// An array of `items`, each rendered two levels deep by `render`, in parallel.
    fn array<T: Sync>(
        &mut self,
        key: &str,
        items: &[T],
        render: impl Fn(&T) -> Vec<u8> + Sync,
    ) -> std::io::Result<()> {
        /// Items rendered at once: enough to keep both cores busy, few enough that a
        /// report of 20,000 findings with long related lists stays out of memory.
        const BATCH: usize = 256;
        self.key(key)?;
        if items.is_empty() {
            return self.out.write_all(b"[]");
        }
        self.out.write_all(b"[")?;
        let mut first = true;
        for batch in items.chunks(BATCH) {
            let rendered: Vec<Vec<u8>> = batch.par_iter().map(&render).collect();
            for item in rendered {
                let separator: &[u8] = if first { b"\n    " } else { b",\n    " };
                first = false;
                self.out.write_all(separator)?;
                self.out.write_all(&item)?;
            }
        }
        self.out.write_all(b"\n  ]")
    }
}

/// `value` in serde_json's pretty layout as it appears `depth` levels deep: every line
/// after the first indented two spaces per level. (JSON strings escape their line breaks,
/// so every `\n` in the text is the layout's.)
fn pretty(value: &impl Serialize, depth: usize) -> Vec<u8> {
    let text = serde_json::to_vec_pretty(value).expect("salint's JSON types always serialise");
    let indent = " ".repeat(2 * depth);
    let mut indented = Vec::with_capacity(text.len() + text.len() / 4);
    let mut rest = text.as_slice();
    while let Some(at) = memchr::memchr(b'\n', rest) {
        indented.extend_from_slice(&rest[..=at]);
        indented.extend_from_slice(indent.as_bytes());
        rest = &rest[at + 1..];
    }
    indented.extend_from_slice(rest);
    indented
}
