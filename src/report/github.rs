//! `--format github`: GitHub Actions workflow commands, so findings show inline on pull
//! requests without code scanning.

use super::Report;
use crate::escape;
use crate::finding::Severity;

/// Escapes a workflow command's message (data): what the runner decodes (`%`, CR, LF), after
/// [`escape::text`] has written every control character visibly, so none reaches the log.
fn escape_data(text: &str) -> String {
    escape::text(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for error in report.errors {
        let position = error
            .file
            .zip(error.span)
            .map(|(file, span)| report.files[file].position(span.start));
        let place = match position {
            Some(p) => format!(",line={},col={}", p.line, p.column),
            None => String::new(),
        };
        out.push_str(&format!(
            "::error file={}{place},title={}::{}\n",
            escape_property(&error.path),
            escape_property("salint input error"),
            escape_data(&error.message)
        ));
    }
    for finding in report.shown() {
        let file = &report.files[finding.location.file];
        let (start, end) = file.range(finding.location.span);
        let mut message = finding.message.clone();
        if let Some(origin) = &finding.origin {
            message.push_str(&format!(" (Helm template: {origin})"));
        }
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(finding.severity),
            escape_property(&file.display),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", finding.rule.code(), finding.rule.name())),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50% a b"), "50%25 a b");
        assert_eq!(escape_data("a\nb\x1b"), "a\\nb\\u{1b}");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
