//! Output formats. Each reads the same findings and input errors; none looks at YAML.

pub mod compact;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::baseline::BaselineEntry;
use crate::finding::{BaselineState, Finding, Severity};
use crate::input::InputError;
use crate::source::SourceFile;

/// Everything a report shows.
pub struct Report<'r> {
    pub files: &'r [SourceFile],
    /// Every finding of the files reported on, suppressed and baselined ones included.
    pub findings: &'r [Finding],
    pub errors: &'r [InputError],
    /// What the run decided or could not do (clusters, rendering), said once.
    pub notes: &'r [String],
    /// Objects read (after splitting Lists).
    pub object_count: usize,
    /// Files reported on (with `--context`, fewer than were read).
    pub file_count: usize,
    /// Print suppressed findings too (`--show-suppressed`).
    pub show_suppressed: bool,
    /// Baseline entries no finding matches any more.
    pub absent: &'r [BaselineEntry],
    /// Whether the run compared against a baseline (`--baseline`).
    pub baseline_used: bool,
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub input_errors: usize,
    pub suppressed: usize,
    /// Findings already in the baseline (not printed, not failing).
    pub baseline_unchanged: usize,
    /// Baseline entries that are gone: fixed since.
    pub baseline_absent: usize,
}

impl Report<'_> {
    /// The findings the text formats print: active ones, plus suppressed ones when asked.
    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.is_active() || (self.show_suppressed && f.suppression.is_some()))
    }

    pub fn summary(&self) -> Summary {
        let active = || self.findings.iter().filter(|f| f.is_active());
        let count = |severity| active().filter(|f| f.severity == severity).count();
        Summary {
            files: self.file_count,
            objects: self.object_count,
            findings: active().count(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            input_errors: self.errors.len(),
            suppressed: self
                .findings
                .iter()
                .filter(|f| f.suppression.is_some())
                .count(),
            baseline_unchanged: self
                .findings
                .iter()
                .filter(|f| f.suppression.is_none() && f.baseline == Some(BaselineState::Unchanged))
                .count(),
            baseline_absent: self.absent.len(),
        }
    }
}

/// `--statistics`: the active findings counted per rule, most first (then by code), one
/// line each: `COUNT  CODE  name  severity`.
pub fn statistics(report: &Report) -> String {
    let mut counts: Vec<(crate::catalog::RuleId, usize, Severity)> = Vec::new();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        match counts.iter_mut().find(|(rule, _, _)| *rule == finding.rule) {
            Some((_, count, _)) => *count += 1,
            None => counts.push((finding.rule, 1, finding.severity)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.code().cmp(b.0.code())));
    let width = counts.first().map_or(1, |(_, n, _)| n.to_string().len());
    let name_width = counts
        .iter()
        .map(|(r, _, _)| r.name().len())
        .max()
        .unwrap_or(0);
    counts
        .iter()
        .map(|(rule, count, severity)| {
            format!(
                "{count:>width$}  {}  {:<name_width$}  {}\n",
                rule.code(),
                rule.name(),
                severity.as_str()
            )
        })
        .collect()
}

impl Summary {
    /// One line, e.g. "3 findings (1 error, 2 warnings) in 5 objects from 2 files".
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let mut parts = Vec::new();
        for (n, word) in [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.notes, "note"),
        ] {
            if n > 0 {
                parts.push(plural(n, word));
            }
        }
        let breakdown = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        };
        let mut line = format!(
            "{}{breakdown} in {} from {}",
            plural(self.findings, "finding"),
            plural(self.objects, "object"),
            plural(self.files, "file"),
        );
        if self.suppressed > 0 {
            line.push_str(&format!("; {} suppressed", self.suppressed));
        }
        if self.baseline_unchanged > 0 || self.baseline_absent > 0 {
            line.push_str(&format!(
                "; {} already in the baseline, {} fixed since",
                self.baseline_unchanged, self.baseline_absent
            ));
        }
        if self.input_errors > 0 {
            line.push_str(&format!(
                "; {} could not be read",
                plural(self.input_errors, "input")
            ));
        }
        line
    }
}
