//! Quick fixes where the fix is mechanical: turn the token automount off (on the pod spec,
//! or on the ServiceAccount for all its pods), or suppress a finding with an
//! `ignore.salint.io/<rule>` annotation. Edits insert whole lines at the indentation of
//! the mapping they go into; flow-style mappings (`{...}`) get no edit.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Range, TextEdit, WorkspaceEdit,
};

use super::diagnostics::for_file;
use super::position::{position, range};
use super::uri::from_path;
use super::workspace::Analysis;
use crate::finding::Finding;
use crate::model::workload::Workload;
use crate::model::Object;
use crate::source::SourceFile;
use crate::suppress::ANNOTATION_PREFIX;
use crate::yaml::Node;

/// The placeholder reason of a suppression the editor inserts: the user writes the real one.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this is acceptable";

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
        let Some(object) = analysis.inputs.objects.get(finding.object_index) else {
            continue;
        };
        // A rendered object is fixed where it is written: its source object (a base's
        // fix reaches every overlay). Kustomize's output itself is no file to edit.
        let object = match analysis.inputs.renderings.source_object(object.index) {
            Some(source) => &analysis.inputs.objects[source],
            None => object,
        };
        if analysis.inputs.files[object.file].role == crate::source::FileRole::Rendered {
            continue;
        }
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

fn action(
    title: String,
    path: &Path,
    edit: TextEdit,
    diagnostic: &Option<Diagnostic>,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: diagnostic.clone().map(|d| vec![d]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(from_path(path), vec![edit])])),
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
    let implicit = analysis.config.implicit_namespace();
    let Some(workload) = Workload::from_object(object, &object.namespace(&implicit)) else {
        return Vec::new();
    };
    let file = &analysis.inputs.files[object.file];
    let path = analysis.paths[object.file];
    let mut fixes = Vec::new();
    let pod_edit = match workload.pod_spec.get("automountServiceAccountToken") {
        Some(value) => Some(TextEdit::new(range(file, value.span), "false".to_string())),
        None => insert_entry(
            file,
            workload.pod_spec,
            "automountServiceAccountToken: false",
        ),
    };
    if let Some(edit) = pod_edit {
        fixes.push(action(
            "Set `automountServiceAccountToken: false` on this pod spec".to_string(),
            path,
            edit,
            diagnostic,
            true,
        ));
    }
    let account = analysis.inputs.objects.iter().find(|o| {
        o.kind == "ServiceAccount"
            && o.name == workload.service_account
            && o.namespace(&implicit) == workload.namespace
    });
    if let Some(account) = account {
        let sa_file = &analysis.inputs.files[account.file];
        let edit = match account.root.get("automountServiceAccountToken") {
            Some(value) => Some(TextEdit::new(
                range(sa_file, value.span),
                "false".to_string(),
            )),
            None => append_entry(
                sa_file,
                &account.root,
                "automountServiceAccountToken: false",
            ),
        };
        if let Some(edit) = edit {
            fixes.push(action(
                format!(
                    "Set `automountServiceAccountToken: false` on ServiceAccount {} (all its pods)",
                    account.name
                ),
                analysis.paths[account.file],
                edit,
                diagnostic,
                false,
            ));
        }
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
    let file = &analysis.inputs.files[object.file];
    let metadata = object.metadata()?;
    let line = format!(
        "{ANNOTATION_PREFIX}{}: \"{REASON_PLACEHOLDER}\"",
        finding.rule.name()
    );
    let edit = match metadata.get("annotations") {
        Some(annotations) if annotations.as_map().is_some_and(|m| !m.is_empty()) => {
            insert_entry(file, annotations, &line)?
        }
        Some(_) => return None,
        None => {
            let indent = entry_indent(file, metadata)?;
            insert_entry(
                file,
                metadata,
                &format!("annotations:{}{indent}  {line}", line_break(file)),
            )?
        }
    };
    Some(action(
        format!(
            "Suppress {} on {} with an annotation",
            finding.rule.name(),
            object.name
        ),
        analysis.paths[object.file],
        edit,
        diagnostic,
        false,
    ))
}

fn line_break(file: &SourceFile) -> &'static str {
    if file.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The indentation of a block mapping's entries: the text before its first key, when that
/// is only spaces (a block mapping on its own lines). The mapping's span starts at that
/// key even when the tree left the entry out (a pod spec's `containers`).
fn entry_indent(file: &SourceFile, mapping: &Node) -> Option<String> {
    mapping.as_map()?;
    let start = mapping.span.start;
    let line_start = file.line_start(file.position(start).line)?;
    let prefix = &file.text[line_start..start];
    prefix.chars().all(|c| c == ' ').then(|| prefix.to_string())
}

/// Inserts `text` as a new first entry of a block mapping, at its indentation.
fn insert_entry(file: &SourceFile, mapping: &Node, text: &str) -> Option<TextEdit> {
    let indent = entry_indent(file, mapping)?;
    let line_start = file.line_start(file.position(mapping.span.start).line)?;
    let at = position(file, line_start);
    Some(TextEdit::new(
        Range::new(at, at),
        format!("{indent}{text}{}", line_break(file)),
    ))
}

/// Appends `text` as a last entry of a block mapping (after its last line).
fn append_entry(file: &SourceFile, mapping: &Node, text: &str) -> Option<TextEdit> {
    let indent = entry_indent(file, mapping)?;
    let last_line = file.position(mapping.span.end.saturating_sub(1)).line;
    let break_ = line_break(file);
    let (offset, lead) = match file.line_start(last_line + 1) {
        Some(next) => (next, ""),
        None => (
            file.text.len(),
            if file.text.ends_with('\n') {
                ""
            } else {
                break_
            },
        ),
    };
    let at = position(file, offset);
    Some(TextEdit::new(
        Range::new(at, at),
        format!("{lead}{indent}{text}{break_}"),
    ))
}
