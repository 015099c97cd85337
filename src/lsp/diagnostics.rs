//! Findings and input errors as LSP diagnostics: the same messages as the command line,
//! exact ranges, the rule code with a link to its doc, and the other side of cross-object
//! findings as related information.

use std::path::Path;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};

use super::position::range;
use super::uri::from_path;
use super::workspace::Analysis;
use crate::catalog::RuleId;
use crate::finding::{Finding, Severity};

/// The `source` of every diagnostic.
pub const SOURCE: &str = "salint";

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// The doc of a rule on the project's site.
pub fn rule_href(rule: RuleId) -> Option<Uri> {
    rule.doc_url().parse().ok()
}

/// The diagnostics of one file.
pub fn for_file(analysis: &Analysis, path: &Path) -> Vec<Diagnostic> {
    let Some(id) = analysis.file_id(path) else {
        return Vec::new();
    };
    let file = &analysis.inputs.files[id];
    let mut out: Vec<Diagnostic> = Vec::new();
    // A Helm template (`{{ }}`) is not YAML until rendered: its parse errors are noise.
    let template = file.role == crate::source::FileRole::Chart || file.text.contains("{{");
    for error in &analysis.inputs.errors {
        if error.file != Some(id) || template {
            continue;
        }
        let span = error.span.unwrap_or_default();
        out.push(Diagnostic {
            range: range(file, span),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("input-error".to_string())),
            source: Some(SOURCE.to_string()),
            message: error.message.clone(),
            ..Diagnostic::default()
        });
    }
    for finding in analysis
        .findings
        .iter()
        .filter(|f| f.location.file == id && f.is_active())
    {
        out.push(diagnostic(analysis, finding));
    }
    out
}

fn diagnostic(analysis: &Analysis, finding: &Finding) -> Diagnostic {
    let file = &analysis.inputs.files[finding.location.file];
    let mut related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(
                from_path(analysis.paths[r.location.file]),
                range(&analysis.inputs.files[r.location.file], r.location.span),
            ),
            message: r.message.clone(),
        })
        .collect();
    if let (Some(origin), Some(object)) = (
        &finding.origin,
        analysis.inputs.objects.get(finding.object_index),
    ) {
        related.push(DiagnosticRelatedInformation {
            location: Location::new(
                from_path(analysis.paths[object.file]),
                range(file, object.head),
            ),
            message: format!("rendered from Helm template {origin}"),
        });
    }
    Diagnostic {
        range: range(file, finding.location.span),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.code().to_string())),
        code_description: rule_href(finding.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        data: Some(serde_json::json!({ "rule": finding.rule.name() })),
        ..Diagnostic::default()
    }
}
