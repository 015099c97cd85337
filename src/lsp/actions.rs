//! Quick fixes where the fix is mechanical: turn the token automount off (on the pod spec,
//! or on the ServiceAccount for all its pods), suppress a finding with an
//! `ignore.salint.io/<rule>` annotation, or remove a suppression that silences nothing.
//! The edits themselves are `crate::fix`'s, the same bytes `salint check --fix` writes;
//! here they become LSP text edits.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Range, TextEdit, WorkspaceEdit,
};

use super::diagnostics::for_file;
use super::position::range;
use super::uri::from_path;
use super::workspace::Analysis;
use crate::finding::Finding;
use crate::fix::Edit;
use crate::model::Object;
use crate::source::Span;

/// The code actions for the findings of `path` that touch `requested`.
pub fn code_actions(
    analysis: &Analysis,
    path: &Path,
    requested: Range,
) -> Vec<CodeActionOrCommand> {
    let Some(id) = analysis.file_id(path) else {
        return Vec::new();
    };
    let file = &analysis.inputs.files[id];
    let diagnostics = for_file(analysis, path);
    let mut actions = Vec::new();
    for finding in analysis
        .findings
        .iter()
        .filter(|f| f.location.file == id && f.is_active())
    {
        let finding_range = range(file, finding.location.span);
        if !overlaps(finding_range, requested) {
            continue;
        }
        let diagnostic = diagnostics
            .iter()
            .find(|d| {
                d.range == finding_range
                    && d.code.as_ref().is_some_and(|c| {
                        *c == lsp_types::NumberOrString::String(finding.rule.code().to_string())
                    })
            })
            .cloned();
        if finding.rule.name() == "unused-suppression" {
            if let Some(edit) = crate::fix::remove_unused_suppression(analysis.inputs, finding) {
                let title = "Remove this suppression: it silences nothing".to_string();
                actions.push(action(title, analysis, edit, &diagnostic, true));
            }
            continue;
        }
        let Some(object) = crate::fix::object_to_edit(analysis.inputs, finding) else {
            continue;
        };
        if matches!(
            finding.rule.name(),
            "needless-token-automount" | "powerful-token-mounted"
        ) {
            actions.extend(automount_fixes(analysis, object, &diagnostic));
        }
        if let Some(action) = suppression(analysis, finding, object, &diagnostic) {
            actions.push(action);
        }
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// A quick fix of one edit, as a workspace edit of the file it is in.
fn action(
    title: String,
    analysis: &Analysis,
    edit: Edit,
    diagnostic: &Option<Diagnostic>,
    preferred: bool,
) -> CodeAction {
    let file = &analysis.inputs.files[edit.file];
    let text_edit = TextEdit::new(range(file, Span::new(edit.start, edit.end)), edit.text);
    let path: &Path = analysis.paths[edit.file];
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: diagnostic.clone().map(|d| vec![d]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(from_path(path), vec![text_edit])])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    }
}

/// `automountServiceAccountToken: false` on the pod spec, and on the ServiceAccount when
/// the workspace defines it.
fn automount_fixes(
    analysis: &Analysis,
    object: &Object,
    diagnostic: &Option<Diagnostic>,
) -> Vec<CodeAction> {
    let mut fixes = Vec::new();
    if let Some(edit) = crate::fix::automount_on_pod_spec(analysis.inputs, analysis.config, object)
    {
        fixes.push(action(
            "Set `automountServiceAccountToken: false` on this pod spec".to_string(),
            analysis,
            edit,
            diagnostic,
            true,
        ));
    }
    if let Some((account, edit)) =
        crate::fix::automount_on_service_account(analysis.inputs, analysis.config, object)
    {
        fixes.push(action(
            format!(
                "Set `automountServiceAccountToken: false` on ServiceAccount {} (all its pods)",
                account.name
            ),
            analysis,
            edit,
            diagnostic,
            false,
        ));
    }
    fixes
}

/// An `ignore.salint.io/<rule>` annotation on the object, with a placeholder reason.
fn suppression(
    analysis: &Analysis,
    finding: &Finding,
    object: &Object,
    diagnostic: &Option<Diagnostic>,
) -> Option<CodeAction> {
    // Rendered Helm output is regenerated: an annotation there would be lost.
    if object.origin.is_some() || finding.rule.name().ends_with("suppression") {
        return None;
    }
    let edit = crate::fix::suppression_annotation(analysis.inputs, finding.rule, object)?;
    Some(action(
        format!(
            "Suppress {} on {} with an annotation",
            finding.rule.name(),
            object.name
        ),
        analysis,
        edit,
        diagnostic,
        false,
    ))
}
