//! One lint run: build the graph over everything read, run the rules, apply the
//! configuration and the suppressions, order the findings.

use crate::config::{Config, Origin, Setting};
use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::graph::Graph;
use crate::input::Inputs;
use crate::model::Namespace;
use crate::rules;
use crate::suppress;

/// The one setting most library callers need; see [`lint_with_config`] for the rest.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The namespace objects without `metadata.namespace` are applied to (`--namespace`).
    pub namespace: Option<String>,
}

/// Lints with the default configuration and `options.namespace`.
pub fn lint(inputs: &Inputs, options: &LintOptions) -> Vec<Finding> {
    let mut config = Config::default();
    if options.namespace.is_some() {
        config.namespace = Setting {
            value: options.namespace.clone(),
            origin: Origin::Flag("--namespace"),
        };
    }
    lint_with_config(inputs, &config)
}

/// Lints everything read. Findings come sorted by file, position, rule and message, so the
/// output is the same whatever order files were parsed in. Suppressed findings are kept,
/// marked with their suppression.
pub fn lint_with_config(inputs: &Inputs, config: &Config) -> Vec<Finding> {
    let implicit = match &config.namespace.value {
        Some(ns) => Namespace::Named(ns.clone()),
        None => Namespace::Implicit,
    };
    let graph = Graph::build(&inputs.objects, implicit);
    let mut findings = rules::check_all(&graph, config);
    findings.retain(|f| !config.skips_namespace(f.object.namespace.as_deref()));
    apply_path_ignores(inputs, config, &mut findings);
    suppress::apply(inputs, config, &mut findings);
    // Again: suppressions in skipped namespaces silence nothing, and say nothing either.
    findings.retain(|f| !config.skips_namespace(f.object.namespace.as_deref()));
    findings.sort_by(|a, b| {
        (a.location, a.rule.code(), &a.message).cmp(&(b.location, b.rule.code(), &b.message))
    });
    findings.dedup_by(|a, b| {
        a.location == b.location && a.rule.code() == b.rule.code() && a.message == b.message
    });
    findings
}

/// `per-path-ignores`: findings in matching files are suppressed externally.
fn apply_path_ignores(inputs: &Inputs, config: &Config, findings: &mut [Finding]) {
    let ignores = config.path_ignores();
    if ignores.is_empty() {
        return;
    }
    for finding in findings.iter_mut() {
        let forms = config.path_forms(&inputs.files[finding.location.file].display);
        let matched = config
            .per_path_ignores
            .iter()
            .zip(&ignores)
            .find(|(_, (globs, rules))| {
                forms.iter().any(|form| globs.is_match(form))
                    && rules.iter().any(|r| std::ptr::eq(*r, finding.rule))
            });
        if let Some((ignore, _)) = matched {
            finding.suppression = Some(Suppression {
                kind: SuppressionKind::External,
                justification: format!(
                    "per-path-ignores `{}` ({})",
                    ignore.glob.value, ignore.glob.origin
                ),
                location: None,
            });
        }
    }
}
