//! One lint run: build the graph over everything read, run the rules, apply the
//! configuration and the suppressions, order the findings.

use rayon::prelude::*;

use crate::config::{Config, Origin, Setting};
use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::graph::Graph;
use crate::input::Inputs;

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
    let graph = Graph::build(&inputs.objects, config.implicit_namespace());
    let (findings, suppressions) =
        rayon::join(|| check_rules(&graph, config), || suppress::collect(inputs));
    // The findings own what they say: the graph is freed on another thread meanwhile (on
    // a large run, tens of thousands of small allocations).
    let ((), findings) = rayon::join(
        move || drop(graph),
        || finish(inputs, config, suppressions, findings),
    );
    findings
}

/// Applies the configuration and the suppressions to the rules' findings and orders them.
fn finish(
    inputs: &Inputs,
    config: &Config,
    suppressions: suppress::Suppressions,
    mut findings: Vec<Finding>,
) -> Vec<Finding> {
    findings.retain(|f| !config.skips_namespace(f.object.namespace.as_deref()));
    prepare_positions(inputs, &findings);
    apply_path_ignores(inputs, config, &mut findings);
    suppress::apply_collected(inputs, config, suppressions, &mut findings);
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

/// Runs the rules that are on, each as its own rayon task. A rule is a pure function of the
/// graph and the findings are sorted and deduplicated afterwards by location, rule and
/// message (two rules never produce equal findings, and one rule's findings keep their
/// order), so the result is the one a serial run gives; the wall time is not (one costly
/// rule took a third of a run while the other core idled).
fn check_rules(graph: &Graph<'_>, config: &Config) -> Vec<Finding> {
    let per_rule: Vec<Vec<Finding>> = rules::all()
        .par_iter()
        .map(|&rule| rules::check_one(rule, graph, config))
        .collect();
    per_rule.into_iter().flatten().collect()
}

/// Builds the line tables of the files findings point into, in parallel: suppressions and
/// every report ask for their lines and columns, one finding at a time.
fn prepare_positions(inputs: &Inputs, findings: &[Finding]) {
    let mut needed = vec![false; inputs.files.len()];
    for finding in findings {
        let related = finding.related.iter().map(|r| r.location.file);
        for file in std::iter::once(finding.location.file).chain(related) {
            if let Some(flag) = needed.get_mut(file) {
                *flag = true;
            }
        }
    }
    inputs
        .files
        .par_iter()
        .zip(needed)
        .filter(|(_, needed)| *needed)
        .for_each(|(file, _)| file.prepare_positions());
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
