//! Output formats. Each reads the same findings and input errors; none looks at YAML.

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::finding::{Finding, Severity};
use crate::input::InputError;
use crate::source::SourceFile;

/// Everything a report shows.
pub struct Report<'r> {
    pub files: &'r [SourceFile],
    pub findings: &'r [Finding],
    pub errors: &'r [InputError],
    /// Objects read (after splitting Lists).
    pub object_count: usize,
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
}

impl Report<'_> {
    pub fn summary(&self) -> Summary {
        let count = |severity| {
            self.findings
                .iter()
                .filter(|f| f.severity == severity)
                .count()
        };
        Summary {
            files: self.files.len(),
            objects: self.object_count,
            findings: self.findings.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            input_errors: self.errors.len(),
        }
    }
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
        if self.input_errors > 0 {
            line.push_str(&format!(
                "; {} could not be read",
                plural(self.input_errors, "input")
            ));
        }
        line
    }
}
