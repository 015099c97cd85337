//! A kustomization's patches, parsed with spans in the file they are written in, and the
//! question relocation asks of them: does this patch write the field at this key path?

use super::file::{Patch, PatchSource, Selector};
use crate::source::{FileId, Span};
use crate::yaml::path::{follow, Found, Part, Step};
use crate::yaml::{load_documents, Node, Value};

/// One operation of a JSON 6902 patch that writes a value.
#[derive(Debug, Clone)]
pub struct JsonOp {
    /// The `path` pointer, split into its tokens (`~1` and `~0` decoded).
    pub pointer: Vec<String>,
    /// The span of the `path` value.
    pub pointer_span: Span,
    pub value: Option<Node>,
}

/// A patch document: a strategic-merge patch (an object fragment) or JSON 6902 operations.
#[derive(Debug, Clone)]
pub enum PatchDoc {
    Strategic(Node),
    Json(Vec<JsonOp>),
}

/// A patch as relocation uses it.
#[derive(Debug, Clone)]
pub struct ParsedPatch {
    /// The file it is written in (a patch file, or the kustomization for inline patches).
    pub file: FileId,
    pub target: Option<Selector>,
    pub docs: Vec<PatchDoc>,
}

impl ParsedPatch {
    /// Parses a patch. `text` is the patch file's text, or the kustomization's for inline
    /// patches, whose spans are moved back into the kustomization's lines.
    pub fn parse(patch: &Patch, file: FileId, text: &str) -> ParsedPatch {
        let docs = match &patch.source {
            PatchSource::File(_) => docs_of(text),
            PatchSource::Inline {
                span,
                text: inline,
                literal,
            } => {
                let mut docs = docs_of(inline);
                let map = InlineMap::new(text, *span, *literal);
                for doc in &mut docs {
                    doc.move_spans(&|offset| map.to_file(offset));
                }
                docs
            }
        };
        ParsedPatch {
            file,
            target: patch.target.clone(),
            docs,
        }
    }
}

fn docs_of(text: &str) -> Vec<PatchDoc> {
    load_documents(text)
        .documents
        .into_iter()
        .filter(|d| !d.root.is_null())
        .map(|d| match &d.root.value {
            Value::Seq(items) => PatchDoc::Json(items.iter().filter_map(json_op).collect()),
            _ => PatchDoc::Strategic(d.root),
        })
        .collect()
}

fn json_op(item: &Node) -> Option<JsonOp> {
    let op = item.get("op")?.as_str()?;
    if !matches!(op, "add" | "replace" | "copy" | "move") {
        return None;
    }
    let path = item.get("path")?;
    let pointer = path
        .as_str()?
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect();
    Some(JsonOp {
        pointer,
        pointer_span: path.span,
        value: item.get("value").cloned(),
    })
}

impl PatchDoc {
    fn move_spans(&mut self, to_file: &dyn Fn(usize) -> usize) {
        match self {
            PatchDoc::Strategic(root) => move_node(root, to_file),
            PatchDoc::Json(ops) => {
                for op in ops {
                    op.pointer_span = moved(op.pointer_span, to_file);
                    if let Some(value) = &mut op.value {
                        move_node(value, to_file);
                    }
                }
            }
        }
    }

    /// The span in the patch that writes the field at `steps` (`part` of it), if it does.
    pub fn writes(&self, steps: &[Step], part: Part) -> Option<(Span, Option<&Node>)> {
        match self {
            PatchDoc::Strategic(root) => {
                // A strategic-merge patch names its target with these; it does not write
                // them.
                let identity = matches!(steps.first(), Some(Step::Key(k)) if matches!(&**k, "apiVersion" | "kind"))
                    || matches!(steps, [Step::Key(m), Step::Key(k)] if &**m == "metadata" && matches!(&**k, "name" | "namespace"));
                if identity {
                    return None;
                }
                let found = follow(root, steps)?;
                Some((found.span(part), Some(found.node)))
            }
            // The last operation that writes the path or one of its parents wins.
            PatchDoc::Json(ops) => ops.iter().rev().find_map(|op| {
                let rest = strip_pointer(&op.pointer, steps)?;
                match (&op.value, rest.is_empty(), part) {
                    (_, true, Part::Key) | (None, _, _) => {
                        Some((op.pointer_span, op.value.as_ref()))
                    }
                    (Some(value), _, _) => {
                        let found: Found = follow(value, rest)?;
                        Some((found.span(part), Some(found.node)))
                    }
                }
            }),
        }
    }
}

/// The steps after `pointer` when the pointer names `steps` or one of its parents.
fn strip_pointer<'s>(pointer: &[String], steps: &'s [Step]) -> Option<&'s [Step]> {
    if pointer.len() > steps.len() {
        return None;
    }
    for (token, step) in pointer.iter().zip(steps) {
        let same = match step {
            Step::Key(key) => **key == **token,
            Step::Item { index, .. } => token == "-" || token.parse::<usize>().ok() == Some(*index),
        };
        if !same {
            return None;
        }
    }
    Some(&steps[pointer.len()..])
}

fn moved(span: Span, to_file: &dyn Fn(usize) -> usize) -> Span {
    Span::new(to_file(span.start), to_file(span.end))
}

fn move_node(node: &mut Node, to_file: &dyn Fn(usize) -> usize) {
    node.span = moved(node.span, to_file);
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(|item| move_node(item, to_file)),
        Value::Map(entries) => {
            for entry in entries.iter_mut() {
                move_node(&mut entry.key, to_file);
                move_node(&mut entry.value, to_file);
            }
        }
    }
}

/// Offsets in an inline patch's text, as offsets of the kustomization file. A literal
/// block (`patch: |-`) keeps its lines: line `n` of the patch is line `n` of the block
/// less the block's indentation. Other scalars fold or unescape their text; their offsets
/// all go to the scalar's start.
struct InlineMap {
    /// Where each patch line starts in the file, and the block's indentation.
    lines: Vec<usize>,
    indent: usize,
    fallback: usize,
    file_len: usize,
}

impl InlineMap {
    fn new(file_text: &str, span: Span, literal: bool) -> InlineMap {
        let mut map = InlineMap {
            lines: Vec::new(),
            indent: 0,
            fallback: span.start,
            file_len: file_text.len(),
        };
        if !literal {
            return map;
        }
        // The block's lines start after its indicator line (`|-`); a span that starts at
        // the content starts on the first of them.
        let at = span.start.min(file_text.len());
        let mut start = if file_text[at..].starts_with(['|', '>']) {
            match file_text[at..].find('\n') {
                Some(header_end) => at + header_end + 1,
                None => return map,
            }
        } else {
            file_text[..at].rfind('\n').map_or(0, |i| i + 1)
        };
        let end = span.end.min(file_text.len());
        while start < end {
            map.lines.push(start);
            start = match file_text[start..].find('\n') {
                Some(i) => start + i + 1,
                None => end,
            };
        }
        map.indent = map
            .lines
            .iter()
            .map(|&line| {
                let rest = &file_text[line..];
                let text = rest.split('\n').next().unwrap_or("");
                (
                    text.len() - text.trim_start_matches(' ').len(),
                    text.trim().is_empty(),
                )
            })
            .find(|(_, blank)| !blank)
            .map_or(0, |(indent, _)| indent);
        map
    }

    fn to_file(&self, offset: usize) -> usize {
        if self.lines.is_empty() {
            return self.fallback;
        }
        // The patch's own line table is the block's, less the indentation of each line.
        let mut remaining = offset;
        for (i, &start) in self.lines.iter().enumerate() {
            let next = self.lines.get(i + 1).copied().unwrap_or(self.file_len);
            // A blank line of the block may be shorter than the indentation: in the patch
            // it is a bare line break.
            let patch_len = (next - start).saturating_sub(self.indent).max(1);
            if remaining < patch_len || i + 1 == self.lines.len() {
                return (start + self.indent + remaining).min(next.max(start));
            }
            remaining -= patch_len;
        }
        self.fallback
    }
}

/// Whether a selector picks an object of this `api_version`, `kind`, names and namespaces
/// (the rendered ones and the source's: a patch may name a resource before a prefix).
pub fn selects(
    selector: &Selector,
    api_version: &str,
    kind: &str,
    names: &[&str],
    namespaces: &[Option<&str>],
    labels: &dyn Fn(&str) -> Vec<(String, String)>,
) -> bool {
    let (group, version) = match api_version.rsplit_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    };
    let field_is =
        |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|w| w == actual);
    if !field_is(&selector.kind, kind)
        || !field_is(&selector.group, group)
        || !field_is(&selector.version, version)
    {
        return false;
    }
    if let Some(pattern) = &selector.name {
        if !names.iter().any(|name| anchored_match(pattern, name)) {
            return false;
        }
    }
    if let Some(pattern) = &selector.namespace {
        if !namespaces
            .iter()
            .any(|ns| anchored_match(pattern, ns.unwrap_or("")))
        {
            return false;
        }
    }
    for (selector, map) in [
        (&selector.label_selector, "labels"),
        (&selector.annotation_selector, "annotations"),
    ] {
        if let Some(selector) = selector {
            if !equality_selector_matches(selector, &labels(map)) {
                return false;
            }
        }
    }
    true
}

/// Kustomize matches selector names as regular expressions anchored at both ends.
fn anchored_match(pattern: &str, text: &str) -> bool {
    match regex::Regex::new(&format!("^(?:{pattern})$")) {
        Ok(regex) => regex.is_match(text),
        Err(_) => pattern == text,
    }
}

/// `app=web,tier!=db,env` as Kubernetes reads equality-based selectors; a set-based
/// selector salint does not evaluate counts as a match (the patch is then asked whether it
/// writes the field at all).
fn equality_selector_matches(selector: &str, labels: &[(String, String)]) -> bool {
    let value = |key: &str| {
        labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    selector
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|term| {
            if term.contains(" in ") || term.contains(" notin ") || term.contains('(') {
                return true;
            }
            if let Some((key, wanted)) = term.split_once("!=") {
                return value(key.trim()) != Some(wanted.trim());
            }
            if let Some((key, wanted)) = term.split_once("==").or_else(|| term.split_once('=')) {
                return value(key.trim()) == Some(wanted.trim());
            }
            if let Some(key) = term.strip_prefix('!') {
                return value(key.trim()).is_none();
            }
            value(term).is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_literal_patches_point_into_the_kustomization() {
        let text = "patches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/serviceAccountName\n      value: api\n";
        let root = load_documents(text).documents.remove(0).root;
        let kustomization =
            super::super::file::read(std::path::Path::new("/k/kustomization.yaml"), &root);
        let parsed = ParsedPatch::parse(&kustomization.patches[0], 0, text);
        let steps: Vec<Step> = ["spec", "template", "spec", "serviceAccountName"]
            .iter()
            .map(|k| Step::Key((*k).into()))
            .collect();
        let (span, _) = parsed.docs[0].writes(&steps, Part::Value).unwrap();
        assert_eq!(&text[span.start..span.end], "api");
        let (span, _) = parsed.docs[0].writes(&steps, Part::Key).unwrap();
        assert_eq!(
            &text[span.start..span.end],
            "/spec/template/spec/serviceAccountName"
        );
    }

    #[test]
    fn strategic_patches_write_the_paths_they_hold() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      serviceAccountName: api\n";
        let docs = docs_of(text);
        let steps: Vec<Step> = ["spec", "template", "spec", "serviceAccountName"]
            .iter()
            .map(|k| Step::Key((*k).into()))
            .collect();
        let (span, _) = docs[0].writes(&steps, Part::Value).unwrap();
        assert_eq!(&text[span.start..span.end], "api");
        assert!(docs[0]
            .writes(
                &[Step::Key("spec".into()), Step::Key("replicas".into())],
                Part::Value
            )
            .is_none());
    }

    #[test]
    fn selectors_match_as_kustomize_does() {
        let selector = Selector {
            kind: Some("Deployment".into()),
            name: Some("api|web".into()),
            label_selector: Some("app=shop".into()),
            ..Selector::default()
        };
        let labels = |_: &str| vec![("app".to_string(), "shop".to_string())];
        assert!(selects(
            &selector,
            "apps/v1",
            "Deployment",
            &["web"],
            &[None],
            &labels
        ));
        assert!(!selects(
            &selector,
            "apps/v1",
            "Deployment",
            &["webb"],
            &[None],
            &labels
        ));
        assert!(!selects(
            &selector,
            "apps/v1",
            "StatefulSet",
            &["web"],
            &[None],
            &labels
        ));
        let none = |_: &str| Vec::new();
        assert!(!selects(
            &selector,
            "apps/v1",
            "Deployment",
            &["web"],
            &[None],
            &none
        ));
    }
}
