//! The default terminal report: miette's graphical diagnostics with the source snippet and
//! a label on the exact span, then a one-line summary.
//!
//! Two things keep it safe on any input. Each diagnostic hands miette only the few lines it
//! shows ([`Snippet`]): miette's own `SourceCode` for a string scans the text from its start
//! to the span, which made a file with thousands of findings cost the square of its size.
//! And a line too long to draw (past [`MAX_DRAWN_LINE`] bytes: minified JSON, a 10 MB key)
//! is not drawn: the diagnostic names the place instead. miette panics on a label past
//! column 65,535, and a line of a megabyte is no use on a terminal anyway. Every text that
//! comes from the input goes through [`crate::escape`].

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::Report;
use crate::escape;
use crate::finding::{Finding, Severity};
use crate::input::InputError;
use crate::source::{SourceFile, Span};

/// Lines longer than this (in bytes) are not drawn in a snippet; the diagnostic gives the
/// position instead. Far below miette's limit of 65,535 columns, and wider than any
/// terminal.
pub const MAX_DRAWN_LINE: usize = 1000;

/// Lines shown before and after a span.
const CONTEXT_LINES: usize = 1;

/// How much of a suppression's reason a finding shows, in characters. One `ignore-file`
/// comment suppresses every finding of its file and each repeats the reason: a reason of
/// 56,000 characters over 1,260 findings made a report of 70 MB that took miette 2 s to
/// wrap. The JSON and SARIF reports keep the whole reason.
const MAX_SHOWN_REASON: usize = 300;

/// The reason, escaped, and cut after [`MAX_SHOWN_REASON`] characters with its length.
fn shown_reason(reason: &str) -> String {
    match reason.char_indices().nth(MAX_SHOWN_REASON) {
        None => escape::text(reason).into_owned(),
        Some((cut, _)) => format!(
            "{}… ({} characters in all; `--format json` shows it whole)",
            escape::text(&reason[..cut]),
            reason.chars().count()
        ),
    }
}

/// How the report is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// ANSI colours (terminals only).
    pub color: bool,
    /// The columns lines are wrapped to (the terminal's; 100 when not on one).
    pub width: usize,
    /// The closing summary line (not with `--quiet`).
    pub summary: bool,
    /// How many findings `--fix` fixed before this report, said in the summary.
    pub fixed: Option<usize>,
}

/// What the summary line adds after `--fix`: `; 3 fixed`.
pub fn fixed_part(fixed: Option<usize>) -> String {
    fixed.map_or(String::new(), |n| format!("; {n} fixed"))
}

/// The width when nothing says another: what the report was drawn at before it followed
/// the terminal.
pub const DEFAULT_WIDTH: usize = 100;

/// Renders the report at [`DEFAULT_WIDTH`], with its summary. `color` turns on ANSI
/// colours (terminals only).
pub fn render(report: &Report, color: bool) -> String {
    render_with(
        report,
        &Options {
            color,
            width: DEFAULT_WIDTH,
            summary: true,
            fixed: None,
        },
    )
}

/// Renders the report as `options` say.
pub fn render_with(report: &Report, options: &Options) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Words are moved to the next line whole, and a word is what spaces delimit: a rule
    // name, a path or `shop/web` cut through the `│` gutter (textwrap's default breaks
    // after `/` and `-`) can be neither read nor searched for. Narrower than 40 columns
    // the gutter leaves no room, so 40 is the least.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width.max(40))
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES);
    let mut out = String::new();
    // Each file's text made safe to show once, shared by all its diagnostics.
    let mut safe_texts: Vec<Option<Arc<String>>> = vec![None; report.files.len()];
    let mut safe_text = |id: usize| {
        safe_texts[id]
            .get_or_insert_with(|| {
                let text = &report.files[id].text;
                match escape::source_line(text) {
                    std::borrow::Cow::Borrowed(_) => text.clone(),
                    std::borrow::Cow::Owned(safe) => Arc::new(safe),
                }
            })
            .clone()
    };
    for error in report.errors {
        let text = error.file.map(&mut safe_text);
        let diagnostic = ErrorDiagnostic::new(error, report.files, text);
        render_one(&handler, &diagnostic, &mut out);
    }
    for finding in report.shown() {
        let text = safe_text(finding.location.file);
        let diagnostic = FindingDiagnostic::new(finding, report.files, text);
        render_one(&handler, &diagnostic, &mut out);
    }
    if options.summary {
        out.push_str(&format!(
            "salint: {}{}\n",
            report.summary().line(),
            fixed_part(options.fixed)
        ));
    }
    out
}

/// Whether any line of `text` is too long to draw (for diagnostics on other files, such as
/// the configuration).
pub fn has_long_line(text: &str) -> bool {
    text.split('\n').any(|line| line.len() > MAX_DRAWN_LINE)
}

fn render_one(handler: &GraphicalReportHandler, diagnostic: &dyn Diagnostic, out: &mut String) {
    if handler.render_report(out, diagnostic).is_err() {
        out.push_str(&diagnostic.to_string());
    }
    out.push('\n');
}

/// The lines of one file a diagnostic shows, found with the file's line table: the cost
/// is that of the lines, not of the text before them.
struct Snippet<'f> {
    file: &'f SourceFile,
    /// The file's text with unsafe characters replaced at the same byte length.
    text: Arc<String>,
    name: String,
}

impl<'f> Snippet<'f> {
    fn new(file: &'f SourceFile, text: Arc<String>) -> Self {
        Snippet {
            file,
            text,
            name: escape::text(&file.display).into_owned(),
        }
    }

    /// The byte range of lines `first..=last` (1-based), line break included.
    fn lines(&self, first: usize, last: usize) -> (usize, usize) {
        let start = self.file.line_start(first).unwrap_or(self.text.len());
        let end = self
            .file
            .line_start(last + 1)
            .unwrap_or(self.text.len())
            .max(start);
        (start, end)
    }

    /// Whether the lines a diagnostic on `spans` would show can be drawn.
    fn drawable(&self, spans: impl Iterator<Item = Span>) -> bool {
        let (mut first, mut last) = (usize::MAX, 0);
        for span in spans {
            first = first.min(self.file.line_of(span.start));
            last = last.max(self.file.line_of(span.end));
        }
        if first > last {
            return true;
        }
        let first = first.saturating_sub(CONTEXT_LINES).max(1);
        let last = (last + CONTEXT_LINES).min(self.file.line_count());
        (first..=last).all(|line| {
            let (start, end) = self.lines(line, line);
            end - start <= MAX_DRAWN_LINE + 2
        })
    }
}

impl SourceCode for Snippet<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let span_end = span.offset() + span.len();
        if span_end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = self.file.line_of(span.offset());
        // A span ending at a line break ends on that line, as miette counts.
        let last_line = self
            .file
            .line_of(span_end.saturating_sub(1).max(span.offset()));
        let first = first_line.saturating_sub(context_lines_before).max(1);
        let last = (last_line + context_lines_after).min(self.file.line_count().max(1));
        let (mut start, end) = self.lines(first, last);
        // Without context lines miette wants the span's own place (its header shows it),
        // as its `SourceCode` for strings gives: from the span on, with the span's column.
        let mut column = 0;
        if context_lines_before == 0 {
            column = self.text[start..span.offset()].chars().count();
            start = span.offset();
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[start..end],
            (start, end - start).into(),
            first - 1,
            column,
            last - first + 1,
        )))
    }
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
    message: String,
    code: String,
    /// None when the lines are too long to draw; `help` then says where.
    source: Option<Snippet<'r>>,
    labels: Vec<LabeledSpan>,
    help: String,
}

impl<'r> FindingDiagnostic<'r> {
    fn new(finding: &'r Finding, files: &'r [SourceFile], text: Arc<String>) -> Self {
        let file = &files[finding.location.file];
        let span = finding.location.span;
        let snippet = Snippet::new(file, text);
        let line_of = |span: Span| file.line_of(span.start);
        let near = |related: &crate::finding::Related| {
            related.location.file == finding.location.file
                && line_of(related.location.span).abs_diff(line_of(span)) <= NEAR_LINES
        };
        let drawn = snippet.drawable(
            std::iter::once(span).chain(
                finding
                    .related
                    .iter()
                    .filter(|r| near(r))
                    .map(|r| r.location.span),
            ),
        );
        let mut labels = Vec::new();
        let mut help = Vec::new();
        let at = |file: &SourceFile, span: Span| {
            let position = file.position(span.start);
            format!(
                "{}:{}:{}",
                escape::text(&file.display),
                position.line,
                position.column
            )
        };
        if drawn {
            labels.push(LabeledSpan::new_primary_with_span(
                Some(finding.rule.name().to_string()),
                (span.start, span.len()),
            ));
        } else {
            help.push(format!(
                "at {} (the line is too long to show)",
                at(file, span)
            ));
        }
        for related in &finding.related {
            let message = escape::text(&related.message).into_owned();
            if drawn && near(related) {
                labels.push(LabeledSpan::new_with_span(
                    Some(message),
                    (related.location.span.start, related.location.span.len()),
                ));
            } else {
                let other = &files[related.location.file];
                help.push(format!("{message} ({})", at(other, related.location.span)));
            }
        }
        if let Some(origin) = &finding.origin {
            help.push(format!(
                "rendered from Helm template {}",
                escape::text(origin)
            ));
        }
        if let Some(suppression) = &finding.suppression {
            help.push(format!(
                "suppressed: {}",
                shown_reason(&suppression.justification)
            ));
        }
        help.push(format!("see `salint explain {}`", finding.rule.name()));
        FindingDiagnostic {
            finding,
            message: escape::text(&finding.message).into_owned(),
            code: format!("{}({})", finding.rule.code(), finding.rule.name()),
            source: drawn.then_some(snippet),
            labels,
            help: help.join("\n"),
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// An input error as a miette diagnostic, with the file's snippet when there is a position
/// and its line can be drawn.
struct ErrorDiagnostic<'r> {
    message: String,
    source: Option<Snippet<'r>>,
    label: Option<LabeledSpan>,
}

impl<'r> ErrorDiagnostic<'r> {
    fn new(error: &InputError, files: &'r [SourceFile], text: Option<Arc<String>>) -> Self {
        let file = error.file.map(|id| &files[id]);
        let snippet = file.zip(text).map(|(file, text)| Snippet::new(file, text));
        let message = escape::text(&error.message);
        match (snippet, error.span) {
            (Some(snippet), Some(span)) if snippet.drawable(std::iter::once(span)) => {
                ErrorDiagnostic {
                    message: message.into_owned(),
                    source: Some(snippet),
                    label: Some(LabeledSpan::new_primary_with_span(
                        Some("here".to_string()),
                        (span.start, 0),
                    )),
                }
            }
            (Some(snippet), Some(span)) => {
                let position = snippet.file.position(span.start);
                ErrorDiagnostic {
                    message: format!(
                        "{}:{}:{}: {message} (the line is too long to show)",
                        snippet.name, position.line, position.column
                    ),
                    source: None,
                    label: None,
                }
            }
            _ => ErrorDiagnostic {
                message: format!("{}: {message}", escape::text(&error.path)),
                source: None,
                label: None,
            },
        }
    }
}

impl fmt::Debug for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorDiagnostic<'_> {}

impl Diagnostic for ErrorDiagnostic<'_> {
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
