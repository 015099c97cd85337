//! `--format json`: a stable, documented shape (see README "JSON output").

use serde::Serialize;

use super::{Report, Summary};
use crate::finding::{Finding, Location};
use crate::model::ObjectRef;
use crate::source::{Position, SourceFile};

/// Version of the JSON shape; bumped only on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'r> {
    version: u32,
    tool: JsonTool,
    findings: Vec<JsonFinding<'r>>,
    input_errors: Vec<JsonInputError<'r>>,
    /// With `--baseline`: the entries no finding matched any more (fixed since).
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_absent: Option<&'r [crate::baseline::BaselineEntry]>,
    summary: Summary,
}

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

/// Writes the report to `out` as it is serialised, so a large one is never held whole.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let json = JsonReport {
        version: JSON_FORMAT_VERSION,
        tool: JsonTool {
            name: "salint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.shown().map(|f| finding(report.files, f)).collect(),
        input_errors: report
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
            .collect(),
        baseline_absent: report.baseline_used.then_some(report.absent),
        summary: report.summary(),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    out.write_all(b"\n")
}
