//! Namespaces as salint knows them: named, or the run's implicit one.

use std::fmt;

/// The namespace an object lives in.
///
/// Objects without `metadata.namespace` land in whatever namespace they are applied to; in
/// one run they all share that one *implicit* namespace. `--namespace NS` names it, turning
/// every implicit namespace into `Named(NS)`. Without it, the implicit namespace is unknown
/// and may or may not equal any named one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    Implicit,
    Named(String),
}

impl Namespace {
    /// `ns/name`, or `name` alone in the unknown implicit namespace: how messages and the
    /// inspection commands name a namespaced object.
    pub fn qualify(&self, name: &str) -> String {
        match self {
            Namespace::Named(ns) => format!("{ns}/{name}"),
            Namespace::Implicit => name.to_string(),
        }
    }

    /// Whether two namespaces could be the same at apply time. Only two different names
    /// are certainly different.
    pub fn may_equal(&self, other: &Namespace) -> bool {
        match (self, other) {
            (Namespace::Named(a), Namespace::Named(b)) => a == b,
            _ => true,
        }
    }

    /// Whether two namespaces are certainly different (both named, different names).
    pub fn differs_from(&self, other: &Namespace) -> bool {
        !self.may_equal(other)
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Namespace::Named(name) => Some(name),
            Namespace::Implicit => None,
        }
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Namespace::Named(name) => f.write_str(name),
            Namespace::Implicit => f.write_str("(implicit)"),
        }
    }
}
