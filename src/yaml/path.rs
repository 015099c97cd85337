//! Key paths: where a span lies in a span tree, as the keys and items leading to it, and the
//! same path followed in another tree.
//!
//! A rendered object (Kustomize's output) and the file it came from hold the same fields in
//! different places: Kustomize sorts keys, re-indents and may add list items. A key path is
//! what both agree on, so a finding on the rendered text is located in the source by its
//! path. List items are matched by their `name` when they have one (containers, volumes,
//! subjects are merged by name), else by position.

use super::node::{Node, Value};
use crate::source::Span;

/// One step from a node to a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The value of a mapping key.
    Key(Box<str>),
    /// A sequence item, with its `name` when it is a mapping that has one.
    Item {
        index: usize,
        name: Option<Box<str>>,
    },
}

/// Which side of the last step a span is: a mapping key, or the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Key,
    Value,
}

/// Where a span lies in a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    pub steps: Vec<Step>,
    pub part: Part,
    /// Whether the span is exactly a key or a node of the tree (not just inside one).
    pub exact: bool,
}

impl KeyPath {
    /// The path as written in messages and JSON pointers' spirit: `spec.template.spec`,
    /// `subjects[0].name` (the tests print paths with it).
    #[cfg(test)]
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                Step::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Step::Item { index, .. } => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The `name` of a mapping item, the key lists are merged by.
fn item_name(node: &Node) -> Option<Box<str>> {
    node.get("name")?.as_str().map(Box::from)
}

/// The path from `root` to `span`: exact when `span` is a key or a node of the tree, else
/// the deepest node that holds it.
pub fn path_to(root: &Node, span: Span) -> KeyPath {
    let mut steps = Vec::new();
    let mut node = root;
    loop {
        match &node.value {
            Value::Map(entries) => {
                // The last of duplicate keys is the one that counts (kubectl keeps it).
                let mut next = None;
                for entry in entries.iter().rev() {
                    let key = entry.key.as_scalar().map_or("", |s| &s.text);
                    if entry.key.span == span {
                        steps.push(Step::Key(key.into()));
                        return KeyPath {
                            steps,
                            part: Part::Key,
                            exact: true,
                        };
                    }
                    if entry.value.span == span && !is_empty_at(&entry.value, span) {
                        steps.push(Step::Key(key.into()));
                        return KeyPath {
                            steps,
                            part: Part::Value,
                            exact: true,
                        };
                    }
                    if contains(entry.value.span, span) && !entry.value.span.is_empty() {
                        next = Some((key, &entry.value));
                        break;
                    }
                    if contains(entry.key.span, span) {
                        steps.push(Step::Key(key.into()));
                        return KeyPath {
                            steps,
                            part: Part::Key,
                            exact: false,
                        };
                    }
                }
                match next {
                    Some((key, value)) => {
                        steps.push(Step::Key(key.into()));
                        node = value;
                    }
                    None => break,
                }
            }
            Value::Seq(items) => {
                let found = items
                    .iter()
                    .enumerate()
                    .find(|(_, item)| contains(item.span, span));
                match found {
                    Some((index, item)) => {
                        steps.push(Step::Item {
                            index,
                            name: item_name(item),
                        });
                        if item.span == span {
                            return KeyPath {
                                steps,
                                part: Part::Value,
                                exact: true,
                            };
                        }
                        node = item;
                    }
                    None => break,
                }
            }
            Value::Scalar(_) => break,
        }
    }
    KeyPath {
        steps,
        part: Part::Value,
        exact: node.span == span,
    }
}

/// An empty (null) value sits where its key ends; a span there is the key's, not the value's.
fn is_empty_at(value: &Node, span: Span) -> bool {
    value.span.is_empty() && span.is_empty()
}

/// What a path leads to in a tree: the node, and the span of the key it is the value of.
#[derive(Debug, Clone, Copy)]
pub struct Found<'n> {
    pub node: &'n Node,
    pub key_span: Option<Span>,
}

impl Found<'_> {
    /// The span of the part asked for: the key when there is one and it is asked for.
    pub fn span(&self, part: Part) -> Span {
        match (part, self.key_span) {
            (Part::Key, Some(key)) => key,
            _ => self.node.span,
        }
    }
}

/// Follows `steps` from `node`: keys by name (the last of duplicates), items by `name`
/// when the step has one, else by position.
pub fn follow<'n>(node: &'n Node, steps: &[Step]) -> Option<Found<'n>> {
    let mut found = Found {
        node,
        key_span: None,
    };
    for step in steps {
        found = match step {
            Step::Key(key) => {
                let entry = found.node.entry(key)?;
                Found {
                    node: &entry.value,
                    key_span: Some(entry.key.span),
                }
            }
            Step::Item { index, name } => {
                let items = found.node.as_seq()?;
                let item = match name {
                    Some(name) => items
                        .iter()
                        .rev()
                        .find(|item| item_name(item).as_deref() == Some(&**name))?,
                    None => items.get(*index)?,
                };
                Found {
                    node: item,
                    key_span: None,
                }
            }
        };
    }
    Some(found)
}

/// The longest prefix of `steps` that `node` holds, and what it leads to.
pub fn follow_longest<'n>(node: &'n Node, steps: &[Step]) -> (usize, Found<'n>) {
    let mut best = (
        0,
        Found {
            node,
            key_span: None,
        },
    );
    for len in 1..=steps.len() {
        match follow(node, &steps[..len]) {
            Some(found) => best = (len, found),
            None => break,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load_documents;

    fn root(text: &str) -> Node {
        load_documents(text).documents.remove(0).root
    }

    #[test]
    fn finds_and_follows_paths() {
        let text = "spec:\n  template:\n    spec:\n      serviceAccountName: api\n      volumes:\n        - name: a\n        - name: b\n          secret: {secretName: s}\n";
        let tree = root(text);
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let value = path_to(&tree, at("api"));
        assert_eq!(value.dotted(), "spec.template.spec.serviceAccountName");
        assert_eq!((value.part, value.exact), (Part::Value, true));
        let key = path_to(&tree, at("serviceAccountName"));
        assert_eq!((key.part, key.exact), (Part::Key, true));
        let secret = text.find("s}").unwrap();
        let deep = path_to(&tree, Span::new(secret, secret + 1));
        assert_eq!(
            deep.dotted(),
            "spec.template.spec.volumes[1].secret.secretName"
        );
        // The same path in a tree that orders items differently: matched by name.
        let other = root("spec:\n  template:\n    spec:\n      volumes:\n        - name: b\n          secret: {secretName: t}\n");
        let found = follow(&other, &deep.steps).unwrap();
        assert_eq!(found.node.as_str(), Some("t"));
        assert!(follow(&other, &value.steps).is_none());
        let (len, _) = follow_longest(&other, &value.steps);
        assert_eq!(len, 3);
    }
}
