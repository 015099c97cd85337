//! The span tree: mappings keep their entries in source order with the key's span.

use crate::source::Span;

/// How a scalar was written; it decides how kubectl would type it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar. Text and tag are boxed slices rather than `String`s: a tree holds millions of
/// them and never grows one, so the capacity word would be dead weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The scalar's value after YAML unescaping/folding.
    pub text: Box<str>,
    pub style: ScalarStyle,
    /// An explicit tag such as `!!str`, as `handle` + `suffix` (e.g. `tag:yaml.org,2002:str`).
    pub tag: Option<Box<str>>,
}

impl Scalar {
    /// A plain, untagged `null`, `~`, `Null`, `NULL` or empty scalar.
    pub fn is_null(&self) -> bool {
        is_null_scalar(&self.text, self.style, self.tag.is_some())
    }
}

/// [`Scalar::is_null`] for a scalar not built (yet).
pub(crate) fn is_null_scalar(text: &str, style: ScalarStyle, tagged: bool) -> bool {
    style == ScalarStyle::Plain && !tagged && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// A node's value. Sequences and mappings are exact-size boxed slices: the loader knows
/// every length when it closes a collection, and nothing edits a tree afterwards.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Box<[Node]>),
    Map(Box<[Entry]>),
}

/// A YAML node and the byte range it covers in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

impl Node {
    /// The entry for `key` in a mapping. With duplicate keys the last one wins, as with
    /// kubectl's decoder.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|e| e.key.as_scalar().is_some_and(|s| &*s.text == key)),
            _ => None,
        }
    }

    /// The value for `key` in a mapping; `None` when absent or null.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key)
            .map(|e| &e.value)
            .filter(|value| !value.is_null())
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The entry at the end of a path of mapping keys.
    pub fn path_entry(&self, keys: &[&str]) -> Option<&Entry> {
        let (last, parents) = keys.split_last()?;
        self.path(parents)?.entry(last)
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().filter(|s| !s.is_null()).map(|s| &*s.text)
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// The items of a sequence; empty for anything else.
    pub fn items(&self) -> &[Node] {
        self.as_seq().unwrap_or(&[])
    }

    /// The string items of a sequence (non-string items are skipped).
    pub fn str_items(&self) -> impl Iterator<Item = &str> {
        self.items().iter().filter_map(Node::as_str)
    }

    /// Number of nodes in this subtree, for alias-expansion accounting.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar(_) => 0,
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.key.size() + e.value.size()).sum(),
        }
    }
}
