//! The edits that fix or silence a finding, as byte ranges of the file's text: what the
//! language server offers as quick fixes and what `salint check --fix`/`--diff` apply.
//! Both read them from here, so an editor's fix and the command line's are the same bytes.
//!
//! Edits insert or remove whole lines at the indentation of the mapping they go into, and
//! change nothing else: comments, quoting, blank lines and line breaks (`\n` or `\r\n`, as
//! the file has them) stay as they are. Flow-style mappings (`{...}`) get no edit.
//!
//! Which fixes are *safe*, applied without asking ([`safe_fix`]): turning the token
//! automount off on the pod spec of a `needless-token-automount` finding (nothing grants
//! that ServiceAccount anything, so the pod cannot be using the token), and removing a
//! suppression `unused-suppression` reports (it silences nothing). Only in plain YAML
//! files of the repository: never a Helm template, Helm's output (it is regenerated), an
//! object Kustomize rendered (the field may come from a patch), JSON, or standard input.

use crate::catalog::RuleId;
use crate::config::Config;
use crate::finding::Finding;
use crate::input::Inputs;
use crate::model::workload::Workload;
use crate::model::Object;
use crate::source::{FileId, FileRole, SourceFile};
use crate::suppress::ANNOTATION_PREFIX;
use crate::yaml::Node;

/// The placeholder reason of a suppression the editor inserts: the user writes the real one.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this is acceptable";

/// Replace `start..end` of a file's text with `text` (an insertion when they are equal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The object a finding's fix edits: a rendered object's source object (a base's fix
/// reaches every overlay); none when that is Kustomize's output itself.
pub fn object_to_edit<'i>(inputs: &'i Inputs, finding: &Finding) -> Option<&'i Object> {
    let object = inputs.objects.get(finding.object_index)?;
    let object = match inputs.renderings.source_object(object.index) {
        Some(source) => &inputs.objects[source],
        None => object,
    };
    (inputs.files[object.file].role != FileRole::Rendered).then_some(object)
}

/// `automountServiceAccountToken: false` on the object's pod spec: the value changed when
/// the field is there, else a first entry of the pod spec.
pub fn automount_on_pod_spec(inputs: &Inputs, config: &Config, object: &Object) -> Option<Edit> {
    let implicit = config.implicit_namespace();
    let workload = Workload::from_object(object, &object.namespace(&implicit))?;
    let file = &inputs.files[object.file];
    match workload.pod_spec.get("automountServiceAccountToken") {
        Some(value) => Some(replace(object.file, value, "false")),
        None => insert_entry(
            object.file,
            file,
            workload.pod_spec,
            "automountServiceAccountToken: false",
        ),
    }
}

/// `automountServiceAccountToken: false` on the ServiceAccount the object's pods run as,
/// when the inputs define it: with the ServiceAccount's name.
pub fn automount_on_service_account<'i>(
    inputs: &'i Inputs,
    config: &Config,
    object: &Object,
) -> Option<(&'i Object, Edit)> {
    let implicit = config.implicit_namespace();
    let workload = Workload::from_object(object, &object.namespace(&implicit))?;
    let account = inputs.objects.iter().find(|o| {
        o.kind == "ServiceAccount"
            && o.name == workload.service_account
            && o.namespace(&implicit) == workload.namespace
    })?;
    let file = &inputs.files[account.file];
    let edit = match account.root.get("automountServiceAccountToken") {
        Some(value) => replace(account.file, value, "false"),
        None => append_entry(
            account.file,
            file,
            &account.root,
            "automountServiceAccountToken: false",
        )?,
    };
    Some((account, edit))
}

/// An `ignore.salint.io/<rule>` annotation on the object, with a placeholder reason.
pub fn suppression_annotation(inputs: &Inputs, rule: RuleId, object: &Object) -> Option<Edit> {
    let file = &inputs.files[object.file];
    let metadata = object.metadata()?;
    let line = format!(
        "{ANNOTATION_PREFIX}{}: \"{REASON_PLACEHOLDER}\"",
        rule.name()
    );
    match metadata.get("annotations") {
        Some(annotations) if annotations.as_map().is_some_and(|m| !m.is_empty()) => {
            insert_entry(object.file, file, annotations, &line)
        }
        Some(_) => None,
        None => {
            let indent = entry_indent(file, metadata)?;
            insert_entry(
                object.file,
                file,
                metadata,
                &format!("annotations:{}{indent}  {line}", line_break(file)),
            )
        }
    }
}

/// Removes the suppression an `unused-suppression` finding is on: the annotation's line
/// (and `annotations:` with it when it was the only one), or the comment (its whole line
/// when it is alone on it, else from the spaces before `#`).
pub fn remove_unused_suppression(inputs: &Inputs, finding: &Finding) -> Option<Edit> {
    let id = finding.location.file;
    let file = &inputs.files[id];
    let span = finding.location.span;
    let text = file.text.as_str();
    let line = file.line_of(span.start);
    let line_start = file.line_start(line)?;
    let line_end = file.line_start(line + 1).unwrap_or(text.len());
    let before = text.get(line_start..span.start)?;
    if text.get(span.start..span.end)?.starts_with('#') {
        let after = text.get(span.end..line_end)?;
        if !after.trim().is_empty() {
            return None;
        }
        if before.trim().is_empty() {
            return Some(removal(id, line_start, line_end));
        }
        let keep = before.trim_end_matches([' ', '\t']).len();
        let end = span.end + after.trim_end_matches(['\r', '\n']).len();
        return Some(removal(id, line_start + keep, end));
    }
    // An annotation: its entry in `metadata.annotations`, alone on its lines.
    let object = inputs.objects.get(finding.object_index)?;
    if object.file != id {
        return None;
    }
    let metadata = object.metadata()?;
    let annotations_entry = metadata
        .as_map()?
        .iter()
        .find(|e| e.key.as_str() == Some("annotations"))?;
    let entries = annotations_entry.value.as_map()?;
    let entry = entries.iter().find(|e| e.key.span == span)?;
    if !before.chars().all(|c| c == ' ') {
        return None;
    }
    let last_line = file.line_of(entry.value.span.end.saturating_sub(1).max(span.start));
    let end = file.line_start(last_line + 1).unwrap_or(text.len());
    // Nothing after the value on its line but a comment (which goes with it).
    let rest = text.get(entry.value.span.end..end)?.trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return None;
    }
    if entries.len() > 1 {
        return Some(removal(id, line_start, end));
    }
    // The only annotation: `annotations:` goes too, when it is on a line of its own.
    let key_line = file.line_of(annotations_entry.key.span.start);
    let key_start = file.line_start(key_line)?;
    let key_line_end = file.line_start(key_line + 1)?;
    let key_line_text = text.get(key_start..key_line_end)?.trim();
    (key_line_text == "annotations:" && key_line < line)
        .then(|| removal(id, key_start, end))
        .or(Some(removal(id, line_start, end)))
}

/// The fix `--fix` applies for a finding without asking, if it has one (see the module
/// docs for which are safe).
pub fn safe_fix(inputs: &Inputs, config: &Config, finding: &Finding) -> Option<Edit> {
    if !finding.is_active() {
        return None;
    }
    let edit = match finding.rule.name() {
        "needless-token-automount" => {
            let object = inputs.objects.get(finding.object_index)?;
            // Helm's output is regenerated, Kustomize's is no file: neither is edited.
            if object.origin.is_some() || inputs.renderings.source_object(object.index).is_some() {
                return None;
            }
            automount_on_pod_spec(inputs, config, object)?
        }
        "unused-suppression" => remove_unused_suppression(inputs, finding)?,
        _ => return None,
    };
    is_plain_yaml(&inputs.files[edit.file]).then_some(edit)
}

/// A file salint may rewrite: a manifest (or a file a kustomization reads) on disk, named
/// `.yaml`/`.yml`, with no template action in it.
pub fn is_plain_yaml(file: &SourceFile) -> bool {
    let yaml_name = file.display.ends_with(".yaml") || file.display.ends_with(".yml");
    matches!(file.role, FileRole::Manifest | FileRole::Consumed)
        && file.path.is_some()
        && yaml_name
        && !file.text.is_empty()
        && !file.text.contains("{{")
}

/// `text` with the edits made: later ones first, so earlier offsets hold; an edit that
/// overlaps one already made, or repeats it, is left out. Returns the text and how many
/// edits were made.
pub fn apply(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    sorted.dedup_by(|a, b| a == b);
    let mut out = text.to_string();
    let mut made = 0;
    let mut floor = usize::MAX;
    for edit in sorted {
        let overlaps = edit.end > floor || (edit.start == edit.end && edit.start == floor);
        if overlaps || edit.end > out.len() || !out.is_char_boundary(edit.start) {
            continue;
        }
        out.replace_range(edit.start..edit.end, &edit.text);
        floor = edit.start;
        made += 1;
    }
    (out, made)
}

fn replace(file: FileId, value: &Node, text: &str) -> Edit {
    Edit {
        file,
        start: value.span.start,
        end: value.span.end,
        text: text.to_string(),
    }
}

fn removal(file: FileId, start: usize, end: usize) -> Edit {
    Edit {
        file,
        start,
        end,
        text: String::new(),
    }
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
    let prefix = file.text.get(line_start..start)?;
    prefix.chars().all(|c| c == ' ').then(|| prefix.to_string())
}

/// Inserts `text` as a new first entry of a block mapping, at its indentation.
fn insert_entry(id: FileId, file: &SourceFile, mapping: &Node, text: &str) -> Option<Edit> {
    let indent = entry_indent(file, mapping)?;
    let line_start = file.line_start(file.position(mapping.span.start).line)?;
    Some(Edit {
        file: id,
        start: line_start,
        end: line_start,
        text: format!("{indent}{text}{}", line_break(file)),
    })
}

/// Appends `text` as a last entry of a block mapping (after its last line).
fn append_entry(id: FileId, file: &SourceFile, mapping: &Node, text: &str) -> Option<Edit> {
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
    Some(Edit {
        file: id,
        start: offset,
        end: offset,
        text: format!("{lead}{indent}{text}{break_}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            file: 0,
            start,
            end,
            text: text.to_string(),
        }
    }

    #[test]
    fn edits_apply_from_the_end_and_overlaps_are_left_out() {
        let (a, b, c) = (edit(0, 1, "X"), edit(4, 4, "Y"), edit(0, 2, "Z"));
        assert_eq!(apply("abcdef", &[&a, &b]), ("XbcdYef".to_string(), 2));
        assert_eq!(apply("abcdef", &[&a, &c]).1, 1);
        assert_eq!(apply("abcdef", &[&b, &b]), ("abcdYef".to_string(), 1));
        assert_eq!(apply("abc", &[]), ("abc".to_string(), 0));
    }
}
