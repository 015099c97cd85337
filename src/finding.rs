//! Findings as plain data: every output format, the exit code and fingerprints read these.

use crate::catalog::RuleId;
pub use crate::catalog::Severity;
use crate::model::ObjectRef;
use crate::source::{FileId, Span};

/// A place in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

/// The other side of a cross-object finding (another workload sharing the SA, the role a
/// binding grants), with a short note on what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// A place in a renderer's output: the rendering (its cluster), line, column and the
/// line's text. Not a file of the repository: JSON and SARIF show it beside the location.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RenderedAt {
    pub cluster: String,
    pub line: usize,
    pub column: usize,
    pub text: String,
}

/// How a finding was silenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// By an annotation or comment in the manifests.
    InSource,
    /// By the configuration file (`per-path-ignores`).
    External,
}

/// A suppression that applies to a finding, with the reason given for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub justification: String,
    /// Where the suppression is written (annotation key, comment), for in-source ones.
    pub location: Option<Location>,
}

/// A finding's state against a baseline (`--baseline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BaselineState {
    /// Not in the baseline: reported and counted.
    New,
    /// In the baseline: known, neither printed nor failing the run.
    Unchanged,
}

/// One problem found.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// What is wrong, why it matters and how to fix it, in one paragraph.
    pub message: String,
    /// The exact field at fault (or the mapping where a missing field belongs).
    pub location: Location,
    pub related: Vec<Related>,
    /// The object the finding is about.
    pub object: ObjectRef,
    /// The Helm template the object was rendered from.
    pub origin: Option<String>,
    /// What within the object the finding concerns (a field path with a discriminator,
    /// e.g. `subjects[ServiceAccount:default]`). With the rule and object it is the
    /// finding's identity: fingerprints derive from it, never from line numbers.
    pub field: String,
    /// The object's index in the run's object list.
    pub object_index: usize,
    /// The clusters it holds in (see `crate::cluster`), sorted.
    pub clusters: Vec<String>,
    /// Where a finding on a renderer's output (Kustomize's, Helm's) was in that output,
    /// before it was located in the repository file that wrote it.
    pub rendered: Option<RenderedAt>,
    /// Set when an annotation, a comment or the configuration silences the finding.
    pub suppression: Option<Suppression>,
    /// Set when the run compares against a baseline.
    pub baseline: Option<BaselineState>,
}

impl Finding {
    /// Whether the finding counts: not suppressed and not already in the baseline.
    pub fn is_active(&self) -> bool {
        self.suppression.is_none() && self.baseline != Some(BaselineState::Unchanged)
    }

    /// A fingerprint stable across line moves, reformatting and unrelated edits: a hash of
    /// rule code, object identity and field (FNV-1a 64, fixed forever for `salint/v1`).
    pub fn fingerprint(&self) -> String {
        let identity = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            self.rule.code(),
            self.object.kind,
            self.object.namespace.as_deref().unwrap_or(""),
            self.object.name,
            self.field
        );
        format!("{:016x}", fnv1a64(identity.as_bytes()))
    }
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
    }
}
