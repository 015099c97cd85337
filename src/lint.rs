//! One lint run: each cluster judged in its own graph, the findings located in the
//! repository's files, the configuration and the suppressions applied, the clusters'
//! findings merged and ordered.

use rayon::prelude::*;

use crate::cluster::{self, Clusters};
use crate::config::{Config, Origin, Setting};
use crate::finding::{Finding, Location, Related, Suppression, SuppressionKind};
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

/// Lints everything read, in the clusters [`cluster::decide`] finds. Findings come sorted
/// by file, position, rule and message, so the output is the same whatever order files
/// were parsed in. Suppressed findings are kept, marked with their suppression.
pub fn lint_with_config(inputs: &Inputs, config: &Config) -> Vec<Finding> {
    lint_clusters(inputs, config, &cluster::decide(inputs, config))
}

/// Lints the given clusters: each in its own graph, in parallel.
pub fn lint_clusters(inputs: &Inputs, config: &Config, clusters: &Clusters) -> Vec<Finding> {
    let (per_cluster, mut suppressions) = rayon::join(
        || {
            clusters
                .list
                .par_iter()
                .map(|cluster| {
                    let graph = Graph::of_cluster(cluster, &inputs.objects);
                    let mut findings = check_rules(&graph, config);
                    // The findings own what they say: the graph is freed on another thread
                    // meanwhile (on a large run, tens of thousands of small allocations).
                    rayon::join(
                        move || drop(graph),
                        || relocate(inputs, &cluster.name, &mut findings),
                    );
                    findings
                })
                .collect::<Vec<_>>()
        },
        || suppress::collect(inputs),
    );
    let mut findings = Vec::with_capacity(per_cluster.iter().map(Vec::len).sum());
    for (c, mut found) in per_cluster.into_iter().enumerate() {
        found.retain(|f| !config.skips_namespace(f.object.namespace.as_deref()));
        prepare_positions(inputs, &found);
        apply_path_ignores(inputs, config, &mut found);
        suppressions.apply(inputs, &mut found);
        for finding in &mut found {
            finding.clusters = vec![clusters.list[c].name.clone()];
        }
        findings.extend(found);
    }
    let mut findings = merge_clusters(clusters, findings);
    // Suppressions of files no checked cluster reads say nothing (`--cluster`).
    let mut meta = crate::rules::check_suppressions(&suppressions.uses(inputs, config), config);
    meta.retain(|f| {
        let file = f.location.file;
        clusters.of_file.get(file).is_some_and(|c| !c.is_empty())
            || inputs.files[file].role == crate::source::FileRole::Manifest
                && !inputs.objects.iter().any(|o| o.file == file)
    });
    for finding in &mut meta {
        finding.clusters = cluster_names(clusters, finding.location.file);
    }
    prepare_positions(inputs, &meta);
    apply_path_ignores(inputs, config, &mut meta);
    findings.extend(meta);
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

fn cluster_names(clusters: &Clusters, file: usize) -> Vec<String> {
    let mut names: Vec<String> = clusters
        .of_file
        .get(file)
        .map(|list| {
            list.iter()
                .map(|&c| clusters.list[c].name.clone())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// One finding per place, rule and suppression state, whatever the number of clusters it
/// holds in: a base shared by two overlays gets each finding once, listing both. When it
/// does not hold in every cluster that reads its file, the message says where it does.
fn merge_clusters(clusters: &Clusters, mut findings: Vec<Finding>) -> Vec<Finding> {
    if clusters.list.len() <= 1 {
        return findings;
    }
    findings.sort_by(|a, b| {
        (
            a.location,
            a.rule.code(),
            a.suppression.is_some(),
            &a.clusters,
        )
            .cmp(&(
                b.location,
                b.rule.code(),
                b.suppression.is_some(),
                &b.clusters,
            ))
    });
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings {
        match merged.last_mut() {
            Some(last)
                if last.location == finding.location
                    && last.rule.code() == finding.rule.code()
                    && last.suppression.is_some() == finding.suppression.is_some() =>
            {
                for name in finding.clusters {
                    if !last.clusters.contains(&name) {
                        last.clusters.push(name);
                    }
                }
                for related in finding.related {
                    if !last.related.iter().any(|r| r.location == related.location) {
                        last.related.push(related);
                    }
                }
            }
            _ => merged.push(finding),
        }
    }
    for finding in &mut merged {
        finding.clusters.sort();
        let reading = cluster_names(clusters, finding.location.file);
        let others: Vec<&String> = reading
            .iter()
            .filter(|name| !finding.clusters.contains(name))
            .collect();
        if !others.is_empty() {
            finding.message.push_str(&format!(
                " (This holds in {} only, not in {}.)",
                cluster_list(&finding.clusters.iter().collect::<Vec<_>>()),
                cluster_list(&others),
            ));
        }
    }
    merged
}

/// "cluster `a`", "clusters `a`, `b` and 3 more".
fn cluster_list(names: &[&String]) -> String {
    const LIMIT: usize = 5;
    let word = if names.len() == 1 {
        "cluster"
    } else {
        "clusters"
    };
    let shown: Vec<String> = names.iter().take(LIMIT).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(LIMIT);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{word} {}{tail}", shown.join(", "))
}

/// Moves every location in Kustomize's output to the repository file that wrote the
/// field; a field a transformer made gets the transformer's line as a related location.
fn relocate(inputs: &Inputs, cluster: &str, findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        let here = &inputs.files[finding.location.file];
        if here.role == crate::source::FileRole::Rendered {
            let position = here.position(finding.location.span.start);
            finding.rendered = Some(crate::finding::RenderedAt {
                cluster: cluster.to_string(),
                line: position.line,
                column: position.column,
                text: here.line_text(position.line).trim().to_string(),
            });
        }
        let moved = |location: Location| {
            inputs.relocate(location.file, location.span).map(|r| {
                (
                    Location {
                        file: r.file,
                        span: r.span,
                    },
                    r.via,
                )
            })
        };
        if let Some((location, via)) = moved(finding.location) {
            finding.location = location;
            if let Some((file, span, message)) = via {
                finding.related.insert(
                    0,
                    Related {
                        location: Location { file, span },
                        message,
                    },
                );
            }
        }
        for related in &mut finding.related {
            if let Some((location, _)) = moved(related.location) {
                related.location = location;
            }
        }
        // Two related places may have become one.
        let mut seen = Vec::new();
        finding.related.retain(|r| {
            let new = !seen.contains(&r.location);
            seen.push(r.location);
            new
        });
    }
}

/// Runs the rules that are on, each as its own rayon task. A rule is a pure function of the
/// graph and the findings are sorted and deduplicated afterwards by location, rule and
/// message (two rules never produce equal findings, and one rule's findings keep their
/// order), so the result is the one a serial run gives; the wall time is not (one costly
/// rule took a third of a run while the other core idled).
fn check_rules(graph: &Graph<'_>, config: &Config) -> Vec<Finding> {
    let per_rule: Vec<Vec<Finding>> = crate::catalog::all()
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
                forms.iter().any(|form| globs.is_match(form)) && rules.contains(&finding.rule)
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
