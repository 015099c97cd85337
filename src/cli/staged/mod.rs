//! pre-commit with the whole graph: with `--context`, the findings that the named (staged)
//! files' changes create in *other* files — a binding removed in one file makes a mounted
//! token needless in another. They are the findings of the graph as it is now that the
//! graph with the named files as they are at `HEAD` (`git show HEAD:PATH`; a new file had
//! no HEAD version) does not have, located where they are, their message naming the
//! staged files that caused them.
//!
//! Only the clusters holding a finding in a file not named are judged at `HEAD`. When no
//! renderer ran, their graph is built from the run's own objects with the named files
//! parsed as at `HEAD` ([`Inputs::with_versions`]): one parse of the named files and one
//! lint, no second read of the disk (the texts are parsed again only when a cached file's
//! tree is missing). When Kustomize or Helm renders a cluster, the renderers need the files
//! on disk: the files of the roots and charts concerned (or, when that does not render,
//! every file the run read) are copied to a temporary folder with the named files as at
//! `HEAD`, and read and rendered there (see [`head_copy`]).

mod head_copy;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub(super) use head_copy::RunSources;

use crate::cluster::{Cluster, ClusterOrigin, Clusters};
use crate::config::Config;
use crate::finding::Finding;
use crate::input::Inputs;
use crate::kustomize::plan::canonical;
use crate::source::FileRole;

/// The findings of `findings` (the whole run's, before only the named files are kept) in
/// files not named that the named files' staged changes created.
pub(super) fn caused_elsewhere(
    sources: &RunSources,
    inputs: &Inputs,
    config: &Config,
    findings: &[Finding],
    named: &dyn Fn(usize) -> bool,
    with_trees: &dyn Fn(usize) -> bool,
    judged: &Clusters,
) -> Vec<Finding> {
    let elsewhere: Vec<&Finding> = findings
        .iter()
        .filter(|f| !named(f.location.file) && f.is_active())
        .collect();
    if inputs.files.is_empty() || elsewhere.is_empty() || !in_git_repository() {
        return Vec::new();
    }
    // A named file outside the repository has no staged change to compare: nothing is
    // (and no work is done reading the context again).
    let Some(top) = repository_top() else {
        return Vec::new();
    };
    let outside = inputs.files.iter().enumerate().any(|(id, file)| {
        named(id)
            && file.role != FileRole::Rendered
            && file
                .path
                .as_deref()
                .is_none_or(|path| !canonical(path).starts_with(&top))
    });
    if outside {
        return Vec::new();
    }
    // The named files at HEAD (None: new there), and the names of those that changed.
    let max_file_size = sources.options.max_file_size;
    let mut head: HashMap<PathBuf, Option<String>> = HashMap::new();
    let mut head_of_file: HashMap<usize, Option<String>> = HashMap::new();
    let mut changed = Vec::new();
    for (id, file) in inputs.files.iter().enumerate() {
        if !named(id) || file.role == FileRole::Rendered {
            continue;
        }
        let Some(path) = &file.path else { continue };
        let at_head = head_version(path, max_file_size);
        // Not UTF-8 at HEAD (UTF-16, binary): no fair comparison; none is made.
        if at_head.as_ref().is_some_and(|t| t.contains('\u{fffd}'))
            && !file.text.contains('\u{fffd}')
        {
            return Vec::new();
        }
        if at_head.as_deref() != Some(file.text.as_str()) {
            changed.push(file.display.clone());
            head_of_file.insert(id, at_head.clone());
            head.insert(canonical(path), at_head);
        }
    }
    if changed.is_empty() {
        return Vec::new();
    }
    // Only the clusters holding a file with such a finding are judged at HEAD: the
    // others cannot tell whether it is new.
    let elsewhere_files: HashSet<&str> = elsewhere
        .iter()
        .map(|f| inputs.files[f.location.file].display.as_str())
        .collect();
    let holds_elsewhere = |inputs: &Inputs, cluster: &Cluster| {
        let objects_files = cluster.objects.iter().map(|&o| inputs.objects[o].file);
        cluster
            .files
            .iter()
            .copied()
            .chain(objects_files)
            .any(|f| elsewhere_files.contains(inputs.files[f].display.as_str()))
    };
    let concerned = |before: &Inputs| {
        let mut clusters = crate::cluster::decide(before, config);
        clusters.retain(|cluster| holds_elsewhere(before, cluster));
        clusters
    };
    // The run's objects with the changed files parsed at HEAD, when the clusters judged
    // there hold only files whose trees this run has (a cached file not judged now is
    // its identity alone).
    let reused = inputs.with_versions(&head_of_file).and_then(|before| {
        let clusters = concerned(&before);
        let trees_there = clusters.list.iter().all(|cluster| {
            cluster.objects.iter().all(|&o| {
                let file = before.objects[o].file;
                head_of_file.contains_key(&file) || with_trees(file)
            })
        });
        trees_there.then_some((before, clusters))
    });
    let (before, clusters) = match reused {
        Some(reused) => reused,
        None => {
            let plain = inputs.files.iter().all(|f| f.role == FileRole::Manifest);
            let before = match plain {
                true => plain_at_head(inputs, &head),
                false => {
                    // Kustomize roots and Helm renderings are clusters of their own: when
                    // only they can tell, only their files are copied and rendered.
                    let only = rendered_files(inputs, judged, &holds_elsewhere);
                    let partial = only.and_then(|only| {
                        head_copy::read_at_head(sources, inputs, &head, &top, Some(&only))
                    });
                    match partial
                        .or_else(|| head_copy::read_at_head(sources, inputs, &head, &top, None))
                    {
                        Some(before) => before,
                        None => return Vec::new(),
                    }
                }
            };
            let clusters = concerned(&before);
            (before, clusters)
        }
    };
    let known: HashSet<(String, String)> = crate::lint::lint_clusters(&before, config, &clusters)
        .iter()
        .filter(|f| f.is_active())
        .map(|f| {
            (
                before.files[f.location.file].display.clone(),
                f.fingerprint(),
            )
        })
        .collect();
    let cause = match changed.as_slice() {
        [one] => format!("the staged change to `{one}`"),
        many => format!(
            "the staged changes to {}",
            many.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    elsewhere
        .into_iter()
        .filter(|f| {
            let key = (
                inputs.files[f.location.file].display.clone(),
                f.fingerprint(),
            );
            !known.contains(&key)
        })
        .map(|f| {
            let mut finding = f.clone();
            finding.message.push_str(&format!(
                " (New with {cause}: this file itself is unchanged.)"
            ));
            finding
        })
        .collect()
}

/// The real paths of the files the judged clusters holding such findings read, when all
/// of them are Kustomize roots or Helm renderings (whose objects no other file decides).
fn rendered_files(
    inputs: &Inputs,
    judged: &Clusters,
    holds_elsewhere: &dyn Fn(&Inputs, &Cluster) -> bool,
) -> Option<BTreeSet<PathBuf>> {
    let mut files = BTreeSet::new();
    for cluster in judged.list.iter().filter(|c| holds_elsewhere(inputs, c)) {
        if !matches!(
            cluster.origin,
            ClusterOrigin::KustomizeRoot | ClusterOrigin::HelmRendering
        ) {
            return None;
        }
        let objects_files = cluster.objects.iter().map(|&o| inputs.objects[o].file);
        for file in cluster.files.iter().copied().chain(objects_files) {
            if let Some(path) = &inputs.files[file].path {
                files.insert(canonical(path));
            }
        }
    }
    (!files.is_empty()).then_some(files)
}

/// The run's plain manifests read again from their texts, the changed ones as at `HEAD`.
fn plain_at_head(inputs: &Inputs, head: &HashMap<PathBuf, Option<String>>) -> Inputs {
    let mut texts = Vec::new();
    let mut paths = Vec::new();
    for file in &inputs.files {
        let at_head = file
            .path
            .as_ref()
            .and_then(|path| head.get(&canonical(path)));
        let text = match at_head {
            Some(Some(text)) => text.clone(),
            Some(None) => continue,
            None => file.text.to_string(),
        };
        texts.push((file.display.clone(), text));
        paths.push(file.path.clone());
    }
    let mut before = crate::input::read_texts(texts);
    for (file, path) in before.files.iter_mut().zip(paths) {
        file.path = path;
    }
    before
}

/// The repository's top folder (real path): what the comparison and the copy cover.
fn repository_top() -> Option<PathBuf> {
    let run = crate::process::git(&["rev-parse", "--show-toplevel"], Path::new("."), 64 * 1024)?;
    let top = run.stdout.trim_end_matches(['\n', '\r']);
    (run.success && !top.is_empty()).then(|| canonical(Path::new(top)))
}

fn in_git_repository() -> bool {
    crate::process::git(
        &["rev-parse", "--verify", "--quiet", "HEAD"],
        Path::new("."),
        4096,
    )
    .is_some_and(|run| run.success)
}

/// The file's text at `HEAD`; None when it has none (a new file) or git cannot say.
fn head_version(path: &Path, max_bytes: u64) -> Option<String> {
    let folder = path.parent()?;
    let name = path.file_name()?.to_str()?;
    let run = crate::process::git(&["show", &format!("HEAD:./{name}")], folder, max_bytes)?;
    run.success.then_some(run.stdout)
}
