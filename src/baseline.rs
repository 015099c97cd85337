//! Baselines: record today's findings by fingerprint, then report and fail only on new ones.
//!
//! Fingerprints come from the rule, the object's identity and the field at fault, never
//! from line numbers, so moving, reordering or reformatting manifests keeps them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::discover::io_message;
use crate::finding::{BaselineState, Finding};
use crate::model::ObjectRef;
use crate::source::SourceFile;

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// Why a baseline file cannot be used: the run stops, since findings compared with a
/// baseline that is not the one written would be wrongly new or wrongly known.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("{}", io_message(.0))]
    Unreadable(#[source] std::io::Error),
    #[error("not a salint baseline: {0}")]
    NotABaseline(#[source] serde_json::Error),
    #[error("baseline version {0} is not supported (expected {BASELINE_VERSION})")]
    Version(u32),
}

/// One recorded finding. Everything but `fingerprint` is there for people reading the
/// file and for reporting entries that are gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub code: String,
    pub rule: String,
    pub object: BaselineObject,
    pub field: String,
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineObject {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl From<&ObjectRef> for BaselineObject {
    fn from(object: &ObjectRef) -> Self {
        BaselineObject {
            kind: object.kind.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// Records the findings that are not suppressed.
    pub fn record(findings: &[Finding], files: &[SourceFile]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint(),
                code: f.rule.code().to_string(),
                rule: f.rule.name().to_string(),
                object: (&f.object).into(),
                field: f.field.clone(),
                file: files[f.location.file].display.clone(),
                line: files[f.location.file].position(f.location.span.start).line,
                message: f.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.fingerprint, &a.file, a.line).cmp(&(&b.fingerprint, &b.file, b.line))
        });
        Baseline {
            version: BASELINE_VERSION,
            findings: entries,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("baseline serialises");
        text.push('\n');
        text
    }

    /// Reads the baseline file `--baseline` names.
    pub fn read(path: &std::path::Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(BaselineError::Unreadable)?;
        Baseline::from_json(&text)
    }

    pub fn from_json(text: &str) -> Result<Baseline, BaselineError> {
        let baseline: Baseline = serde_json::from_str(text).map_err(BaselineError::NotABaseline)?;
        if baseline.version != BASELINE_VERSION {
            return Err(BaselineError::Version(baseline.version));
        }
        Ok(baseline)
    }

    /// Marks each finding `New` or `Unchanged`, and returns the entries no
    /// finding matched any more (fixed since the baseline was written). Equal
    /// fingerprints are matched one for one.
    pub fn compare(&self, findings: &mut [Finding]) -> Vec<BaselineEntry> {
        let mut remaining: BTreeMap<&str, Vec<&BaselineEntry>> = BTreeMap::new();
        for entry in &self.findings {
            remaining.entry(&entry.fingerprint).or_default().push(entry);
        }
        // Suppressed findings match too: a finding silenced since the baseline was written is
        // not fixed, and every SARIF result of the run carries a state.
        for finding in findings.iter_mut() {
            let fingerprint = finding.fingerprint();
            let matched = remaining
                .get_mut(fingerprint.as_str())
                .and_then(|entries| entries.pop());
            finding.baseline = Some(if matched.is_some() {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            });
        }
        let mut absent: Vec<BaselineEntry> = remaining.into_values().flatten().cloned().collect();
        absent.sort_by(|a, b| (&a.file, a.line, &a.code).cmp(&(&b.file, b.line, &b.code)));
        absent
    }
}
