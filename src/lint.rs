//! One lint run: each cluster judged in its own graph, the findings located in the
//! repository's files, the configuration and the suppressions applied, the clusters'
//! findings merged and ordered.

use rayon::prelude::*;

use foldhash::{HashMap, HashMapExt};

use crate::cluster::{self, Cluster, Clusters};
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
    lint_clusters_cached(inputs, config, clusters, &[], &mut ClusterCache::default())
}

/// What each cluster's graph gave in an earlier run, so a caller that lints again after a
/// small change (the language server, on every edit) judges again only the clusters whose
/// files changed. A cluster is taken from here only when every one of its files is a plain
/// manifest with a stamp (see [`lint_clusters_cached`]) and the stamps are the ones it was
/// judged with: its findings are then, by construction, the ones a fresh run gives. The
/// graph and the rules read nothing but the cluster's objects, its implicit namespace and
/// the configuration, and a manifest's locations are never moved (only renderers' outputs
/// are). Findings are kept with file ids and object indexes as positions in the cluster's
/// own lists, since a file added or removed elsewhere moves the run's ids.
///
/// The configuration is not part of the key: whoever holds a cache clears it when the
/// configuration changes.
#[derive(Default)]
pub struct ClusterCache {
    judged: HashMap<ClusterKey, Vec<Finding>>,
    /// The suppressions of each file, by stamp, likewise.
    suppressions: suppress::FileSuppressions,
    /// How many clusters the last run took from the cache, and how many it judged.
    pub reused: usize,
    pub judged_again: usize,
}

impl ClusterCache {
    /// Forgets every cluster (the configuration changed).
    pub fn clear(&mut self) {
        self.judged.clear();
        self.suppressions.clear();
    }
}

/// What a cluster's findings depend on besides the configuration: its name (findings
/// carry it), its implicit namespace and the stamps of its files, in file order (the stamps
/// name the files' versions, so they also name its objects, in order).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClusterKey {
    name: String,
    implicit: crate::model::Namespace,
    stamps: Vec<u64>,
}

impl ClusterKey {
    /// The key of `cluster`, when it may be cached: all its files plain manifests, stamped.
    fn of(inputs: &Inputs, cluster: &Cluster, stamps: &[Option<u64>]) -> Option<ClusterKey> {
        let stamps = cluster
            .files
            .iter()
            .map(|&file| match inputs.files[file].role {
                crate::source::FileRole::Manifest => stamps.get(file).copied().flatten(),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>()?;
        Some(ClusterKey {
            name: cluster.name.clone(),
            implicit: cluster.implicit.clone(),
            stamps,
        })
    }
}

/// Rewrites the file ids and object indexes of `findings` with `file` and `object`
/// (built-in objects' ids stay as they are); `None` when one has no image.
fn renumbered(
    findings: &[Finding],
    file: impl Fn(usize) -> Option<usize>,
    object: impl Fn(usize) -> Option<usize>,
) -> Option<Vec<Finding>> {
    let file = |id: usize| match id {
        crate::model::builtin::BUILTIN_FILE => Some(id),
        id => file(id),
    };
    let object = |index: usize| match index {
        usize::MAX => Some(index),
        index => object(index),
    };
    findings
        .iter()
        .map(|finding| {
            let mut finding = finding.clone();
            finding.location.file = file(finding.location.file)?;
            finding.object_index = object(finding.object_index)?;
            for related in &mut finding.related {
                related.location.file = file(related.location.file)?;
            }
            Some(finding)
        })
        .collect()
}

/// [`lint_clusters`], taking from `cache` the graph findings of clusters judged before
/// with the same files and keeping there those judged now, and likewise each file's
/// suppressions ([`suppress::collect_cached`]). `stamps` holds, per file id,
/// a number that changes whenever the file's content does (the language server counts its
/// files' versions); a file without one (none given, `None`) makes its clusters judged
/// every time. The result is the one [`lint_clusters`] gives.
pub fn lint_clusters_cached(
    inputs: &Inputs,
    config: &Config,
    clusters: &Clusters,
    stamps: &[Option<u64>],
    cache: &mut ClusterCache,
) -> Vec<Finding> {
    let judged = &cache.judged;
    let file_suppressions = &mut cache.suppressions;
    let (judged_now, mut suppressions) = rayon::join(
        || {
            clusters
                .list
                .par_iter()
                .map(|cluster| {
                    let key = ClusterKey::of(inputs, cluster, stamps);
                    let earlier = key.as_ref().and_then(|key| judged.get(key));
                    if let Some(findings) = earlier.and_then(|kept| {
                        renumbered(
                            kept,
                            |f| cluster.files.get(f).copied(),
                            |o| cluster.objects.get(o).copied(),
                        )
                    }) {
                        return (findings, key, false);
                    }
                    let graph = Graph::of_cluster(cluster, &inputs.objects);
                    let mut findings = check_rules(&graph, config);
                    // The findings own what they say: the graph is freed on another thread
                    // meanwhile (on a large run, tens of thousands of small allocations).
                    rayon::join(
                        move || drop(graph),
                        || relocate(inputs, &cluster.name, &mut findings),
                    );
                    (findings, key, true)
                })
                .collect::<Vec<_>>()
        },
        || suppress::collect_cached(inputs, stamps, file_suppressions),
    );
    let mut kept = HashMap::with_capacity(judged_now.len());
    let mut per_cluster = Vec::with_capacity(judged_now.len());
    cache.reused = 0;
    cache.judged_again = 0;
    for ((findings, key, fresh), cluster) in judged_now.into_iter().zip(&clusters.list) {
        match fresh {
            true => cache.judged_again += 1,
            false => cache.reused += 1,
        }
        let local = key.and_then(|key| {
            let local = renumbered(
                &findings,
                |f| cluster.files.binary_search(&f).ok(),
                |o| cluster.objects.binary_search(&o).ok(),
            )?;
            Some((key, local))
        });
        if let Some((key, local)) = local {
            kept.insert(key, local);
        }
        per_cluster.push(findings);
    }
    // Only the clusters of this run: a cluster that is gone keeps no memory.
    cache.judged = kept;
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
