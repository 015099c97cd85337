//! One lint run: build the graph over everything read, run the rules, order the findings.

use crate::finding::Finding;
use crate::graph::Graph;
use crate::input::Inputs;
use crate::model::Namespace;
use crate::rules;

/// Settings that change what the rules see.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The namespace objects without `metadata.namespace` are applied to (`--namespace`).
    pub namespace: Option<String>,
}

impl LintOptions {
    pub fn implicit_namespace(&self) -> Namespace {
        match &self.namespace {
            Some(ns) => Namespace::Named(ns.clone()),
            None => Namespace::Implicit,
        }
    }
}

/// Lints everything read. Findings come sorted by file, position, rule and message, so the
/// output is the same whatever order files were parsed in.
pub fn lint(inputs: &Inputs, options: &LintOptions) -> Vec<Finding> {
    let graph = Graph::build(&inputs.objects, options.implicit_namespace());
    let mut findings = rules::check_all(&graph);
    findings.sort_by(|a, b| {
        (a.location, a.rule.code(), &a.message).cmp(&(b.location, b.rule.code(), &b.message))
    });
    findings.dedup_by(|a, b| {
        a.location == b.location && a.rule.code() == b.rule.code() && a.message == b.message
    });
    findings
}
