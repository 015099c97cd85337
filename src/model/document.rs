//! Documents into objects: each document of a parsed file becomes one object, or one per
//! item of a `kind: List` (`*List`); the Helm template a document came from is read from
//! its `# Source:` comment, and each duplicate key goes to the object it lies in.

use super::object::{keeps_unread_parts, may_leave_out, Object};
use crate::source::Span;
use crate::yaml::{for_each_document, for_each_pruned, Document, LoadError, Node, Stop};

/// The objects of `text`, and the parse error that ended it early (the documents before it
/// are kept). Each document becomes objects as soon as it is parsed, so only the parts of it
/// the objects keep outlive it; the parts no object keeps are not even built.
pub fn objects_of(text: &str) -> (Vec<Object>, Option<LoadError>) {
    let mut objects = Vec::new();
    if keeps_unread_parts() {
        let loaded = for_each_document(text, |document| {
            document_objects(text, document, &mut objects)
        });
        return (objects, loaded.err());
    }
    let pruned = for_each_pruned(text, may_leave_out, |document| {
        document_objects(text, document, &mut objects)
    });
    let loaded = match pruned {
        Ok(()) => Ok(()),
        Err(Stop::Error(error)) => Err(error),
        Err(Stop::NeedsWholeTrees) => {
            objects.clear();
            for_each_document(text, |document| {
                document_objects(text, document, &mut objects)
            })
        }
    };
    (objects, loaded.err())
}

/// Adds the objects of one document of `text`.
pub fn document_objects(text: &str, document: Document, out: &mut Vec<Object>) {
    let head = Span::new(
        document.head.min(document.root.span.start),
        document.root.span.start,
    );
    let origin = template_origin(&text[head.start..head.end]);
    let first = out.len();
    split_objects(document.root, head, origin, out);
    // Each duplicate key goes to the object (the List item) it lies in.
    let objects = &mut out[first..];
    for duplicate in document.duplicate_keys {
        let span = duplicate.span;
        if let Some(object) = objects
            .iter_mut()
            .find(|o| o.root.span.start <= span.start && span.end <= o.root.span.end)
        {
            object.duplicate_keys.push(duplicate);
        }
    }
}

/// The Helm template a document came from: the last `# Source: <path>` comment ahead of it.
pub fn template_origin(head: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.trim().strip_prefix("# Source:"))
        .map(|path| path.trim().to_string())
        .rfind(|path| !path.is_empty())
}

/// Turns a document into objects: the document itself, or each item of a List. Documents
/// without `apiVersion` and `kind` (values files, empty documents) are skipped.
fn split_objects(root: Node, head: Span, origin: Option<String>, out: &mut Vec<Object>) {
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let is_list = kind.ends_with("List") && root.get("items").is_some_and(|n| n.as_seq().is_some());
    if is_list {
        if let crate::yaml::Value::Map(entries) = root.value {
            for entry in entries {
                let is_items = entry.key.as_str() == Some("items");
                if let (true, crate::yaml::Value::Seq(items)) = (is_items, entry.value.value) {
                    for item in items {
                        split_objects(item, head, origin.clone(), out);
                    }
                }
            }
        }
        return;
    }
    if let Some(object) = Object::from_node(root, head, origin) {
        out.push(object);
    }
}
