//! The default terminal report: miette's graphical diagnostics with the source snippet and
//! a label on the exact span, then a one-line summary.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::Report;
use crate::finding::{Finding, Severity};
use crate::input::InputError;
use crate::source::SourceFile;

/// Renders the report. `color` turns on ANSI colours (terminals only).
pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for error in report.errors {
        let diagnostic = ErrorDiagnostic::new(error, report.files);
        render_one(&handler, &diagnostic, &mut out);
    }
    for finding in report.shown() {
        let diagnostic = FindingDiagnostic::new(finding, report.files);
        render_one(&handler, &diagnostic, &mut out);
    }
    out.push_str(&format!("salint: {}\n", report.summary().line()));
    out
}

fn render_one(handler: &GraphicalReportHandler, diagnostic: &dyn Diagnostic, out: &mut String) {
    if handler.render_report(out, diagnostic).is_err() {
        out.push_str(&diagnostic.to_string());
    }
    out.push('\n');
}

fn named_source(file: &SourceFile) -> NamedSource<Arc<String>> {
    NamedSource::new(file.display.clone(), file.text.clone()).with_language("yaml")
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// Related spans within this many lines of the finding share its snippet; farther ones are
/// listed by position, so a snippet never runs over dozens of unrelated lines.
const NEAR_LINES: usize = 6;

/// A finding as a miette diagnostic.
struct FindingDiagnostic<'r> {
    finding: &'r Finding,
    code: String,
    source: NamedSource<Arc<String>>,
    labels: Vec<LabeledSpan>,
    help: String,
}

impl<'r> FindingDiagnostic<'r> {
    fn new(finding: &'r Finding, files: &[SourceFile]) -> Self {
        let file = &files[finding.location.file];
        let span = finding.location.span;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(finding.rule.name().to_string()),
            (span.start, span.len()),
        )];
        let mut help = Vec::new();
        let line_of = |span: crate::source::Span| file.position(span.start).line;
        for related in &finding.related {
            let near = related.location.file == finding.location.file
                && line_of(related.location.span).abs_diff(line_of(span)) <= NEAR_LINES;
            if near {
                labels.push(LabeledSpan::new_with_span(
                    Some(related.message.clone()),
                    (related.location.span.start, related.location.span.len()),
                ));
            } else {
                let other = &files[related.location.file];
                let position = other.position(related.location.span.start);
                help.push(format!(
                    "{} ({}:{}:{})",
                    related.message, other.display, position.line, position.column
                ));
            }
        }
        if let Some(origin) = &finding.origin {
            help.push(format!("rendered from Helm template {origin}"));
        }
        if let Some(suppression) = &finding.suppression {
            help.push(format!("suppressed: {}", suppression.justification));
        }
        help.push(format!("see `salint explain {}`", finding.rule.name()));
        FindingDiagnostic {
            finding,
            code: format!("{}({})", finding.rule.code(), finding.rule.name()),
            source: named_source(file),
            labels,
            help: help.join("\n"),
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.finding.severity))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// An input error as a miette diagnostic, with the file's snippet when there is a position.
struct ErrorDiagnostic {
    message: String,
    source: Option<NamedSource<Arc<String>>>,
    label: Option<LabeledSpan>,
}

impl ErrorDiagnostic {
    fn new(error: &InputError, files: &[SourceFile]) -> Self {
        let file = error.file.map(|id| &files[id]);
        let located = file.zip(error.span);
        ErrorDiagnostic {
            message: match located {
                Some(_) => error.message.clone(),
                None => format!("{}: {}", error.path, error.message),
            },
            source: located.map(|(file, _)| named_source(file)),
            label: located.map(|(_, span)| {
                LabeledSpan::new_primary_with_span(Some("here".to_string()), (span.start, 0))
            }),
        }
    }
}

impl fmt::Debug for ErrorDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for ErrorDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorDiagnostic {}

impl Diagnostic for ErrorDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("input-error"))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Error)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
