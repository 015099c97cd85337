//! `--format markdown`: a findings table for job summaries and pull-request comments.

use super::compact::one_line;
use super::Report;
use crate::escape;

/// A table cell of plain text: one line, nothing Markdown or HTML would act on.
fn cell(text: &str) -> String {
    escape::markdown(&one_line(text))
}

/// A table cell's code span.
fn code(text: &str) -> String {
    escape::markdown_code(text)
}

pub fn render(report: &Report) -> String {
    let summary = report.summary();
    let mut out = String::from("## salint\n\n");
    out.push_str(&format!("{}\n\n", summary.line()));
    if report.shown().next().is_some() {
        out.push_str(
            "| Severity | Rule | Location | Object | Message |\n| --- | --- | --- | --- | --- |\n",
        );
        for finding in report.shown() {
            let file = &report.files[finding.location.file];
            let p = file.position(finding.location.span.start);
            let origin = finding
                .origin
                .as_ref()
                .map(|o| format!(" (from `{}`)", code(o)))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {} | `{}` {} | `{}:{}:{}`{origin} | {} | {} |\n",
                finding.severity,
                finding.rule.code(),
                finding.rule.name(),
                code(&file.display),
                p.line,
                p.column,
                cell(&finding.object.to_string()),
                escape::markdown_message(&one_line(&finding.message))
            ));
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        out.push_str("### Inputs that could not be read\n\n| File | Problem |\n| --- | --- |\n");
        for error in report.errors {
            let place = error
                .file
                .zip(error.span)
                .map(|(file, span)| {
                    let p = report.files[file].position(span.start);
                    format!(":{}:{}", p.line, p.column)
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "| `{}{place}` | {} |\n",
                code(&error.path),
                cell(&error.message)
            ));
        }
        out.push('\n');
    }
    out
}
