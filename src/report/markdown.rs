//! `--format markdown`: a findings table for job summaries and pull-request comments.

use super::compact::one_line;
use super::Report;

fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
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
                .map(|o| format!(" (from `{}`)", cell(o)))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {} | `{}` {} | `{}:{}:{}`{origin} | {} | {} |\n",
                finding.severity,
                finding.rule.code(),
                finding.rule.name(),
                cell(&file.display),
                p.line,
                p.column,
                cell(&finding.object.to_string()),
                cell(&finding.message)
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
                cell(&error.path),
                cell(&error.message)
            ));
        }
        out.push('\n');
    }
    out
}
