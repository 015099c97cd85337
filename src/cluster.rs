//! Clusters: which objects reach one API server together, and so are judged in one graph.
//!
//! A repository holds the manifests of several clusters or environments side by side
//! (`clusters/prod`, `clusters/staging`), Kustomize overlays of one base, alternative
//! renderings of one chart. Judging them as one graph makes a binding of staging silence a
//! finding in prod. So each cluster gets its own graph, decided by the configuration
//! (`clusters:`, globs of the files applied together) or, without it, by these rules:
//!
//! 1. every Kustomize root is a cluster (its rendering, or without Kustomize its plain
//!    resources);
//! 2. among the other files, when files in different folders define the same object,
//!    their paths split at the first folder where they differ: each sibling folder at that
//!    level is a cluster, and the files outside those siblings belong to all of them (files
//!    of one folder always share a cluster: two of them defining one object is a
//!    `duplicate-object`);
//! 3. otherwise they are one cluster.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::{Config, Origin};
use crate::discover::display_path;
use crate::input::Inputs;
use crate::model::Namespace;
use crate::source::{FileId, FileRole};

/// Why a set of objects is a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterOrigin {
    /// Named in `.salint.yaml`'s `clusters:`, at this place.
    Configured(Origin),
    /// Files that match no configured cluster.
    Unassigned,
    /// A Kustomize root.
    KustomizeRoot,
    /// One rendering of a Helm chart (its own values, or one more values file).
    HelmRendering,
    /// A folder whose files define objects that a sibling folder defines too.
    Folder,
    /// Everything else, judged together.
    Whole,
}

/// One cluster: the objects judged in one graph.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub origin: ClusterOrigin,
    /// The objects, by index, in file order.
    pub objects: Vec<usize>,
    /// The namespace of its objects without `metadata.namespace`.
    pub implicit: Namespace,
    /// The repository files it reads: its manifests, and for a Kustomize root the
    /// kustomizations, resources and patches of its rendering.
    pub files: Vec<FileId>,
}

/// The clusters of a run.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    pub list: Vec<Cluster>,
    /// For each file, the clusters that read it (indexes into `list`).
    pub of_file: Vec<Vec<usize>>,
    /// What salint decided, to say once (`None` when there is one cluster of plain files,
    /// or the configuration decided).
    pub decision: Option<String>,
}

impl Clusters {
    /// Keeps only the clusters `keep` accepts (`--cluster`, pre-commit).
    pub fn retain(&mut self, keep: impl Fn(&Cluster) -> bool) {
        let kept: Vec<bool> = self.list.iter().map(&keep).collect();
        let mut renumbered = Vec::with_capacity(kept.len());
        let mut next = 0;
        for &k in &kept {
            renumbered.push(next);
            if k {
                next += 1;
            }
        }
        let mut index = 0;
        self.list.retain(|_| {
            index += 1;
            kept[index - 1]
        });
        for clusters in &mut self.of_file {
            clusters.retain(|&c| kept[c]);
            for c in clusters.iter_mut() {
                *c = renumbered[*c];
            }
        }
    }

    /// The names of the clusters, for messages.
    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|c| c.name.as_str()).collect()
    }
}

/// A unit of objects that is never split: a manifest file, or a Kustomize root's rendering.
struct Unit {
    name: String,
    objects: Vec<usize>,
    files: Vec<FileId>,
    implicit: Option<String>,
    /// The file the configuration's globs are matched against.
    matched_as: Option<FileId>,
}

/// Decides the clusters of a run (see the module doc).
pub fn decide(inputs: &Inputs, config: &Config) -> Clusters {
    let mut objects_of: Vec<Vec<usize>> = vec![Vec::new(); inputs.files.len()];
    for object in &inputs.objects {
        if let Some(list) = objects_of.get_mut(object.file) {
            list.push(object.index);
        }
    }
    let roots: Vec<Unit> = inputs
        .renderings
        .roots
        .iter()
        .filter(|root| !root.failed)
        .map(|root| {
            let plan = &inputs.renderings.plan;
            let mut objects = Vec::new();
            let mut files = root.files.clone();
            if let Some(rendered) = root.rendered {
                objects.extend(&objects_of[rendered]);
                files.push(rendered);
            }
            for &file in &root.plain {
                objects.extend(&objects_of[file]);
            }
            objects.sort_unstable();
            files.sort_unstable();
            files.dedup();
            Unit {
                name: display_path(&plan.kustomizations[root.kustomization].dir),
                objects,
                files,
                implicit: if root.rendered.is_some() {
                    None
                } else {
                    plan.namespace_of(root.kustomization).map(str::to_string)
                },
                matched_as: inputs.renderings.kustomization_files[root.kustomization],
            }
        })
        .collect();
    let renderings: Vec<Unit> = inputs
        .charts
        .renderings
        .iter()
        .filter(|rendering| !rendering.failed)
        .map(|rendering| {
            let mut objects = Vec::new();
            let mut files = rendering.files.clone();
            if let Some(rendered) = rendering.rendered {
                objects.extend(&objects_of[rendered]);
                files.push(rendered);
            }
            files.sort_unstable();
            Unit {
                name: rendering.name.clone(),
                objects,
                files,
                implicit: None,
                matched_as: inputs.charts.charts.get(rendering.chart).and_then(|chart| {
                    inputs
                        .files
                        .iter()
                        .position(|f| f.path.as_ref() == Some(&chart.file))
                }),
            }
        })
        .collect();
    let manifests: Vec<FileId> = (0..inputs.files.len())
        .filter(|&f| inputs.files[f].role == FileRole::Manifest)
        .collect();
    let implicit = |unit_ns: Option<&str>| match config.namespace.value.as_deref().or(unit_ns) {
        Some(ns) => Namespace::Named(ns.to_string()),
        None => Namespace::Implicit,
    };
    let mut list = if config.clusters.is_empty() {
        automatic(
            inputs,
            &objects_of,
            roots,
            renderings,
            &manifests,
            &implicit,
        )
    } else {
        let units = roots.into_iter().chain(renderings).collect();
        configured(inputs, config, &objects_of, units, &manifests, &implicit)
    };
    disambiguate(&mut list);
    let mut of_file = vec![Vec::new(); inputs.files.len()];
    for (c, cluster) in list.iter().enumerate() {
        for &file in &cluster.files {
            of_file[file].push(c);
        }
    }
    let decision = describe_decision(&list, config);
    Clusters {
        list,
        of_file,
        decision,
    }
}

type ImplicitOf<'f> = dyn Fn(Option<&str>) -> Namespace + 'f;

fn cluster_of(
    name: String,
    origin: ClusterOrigin,
    units: &[&Unit],
    implicit: Namespace,
) -> Cluster {
    let mut objects: Vec<usize> = units
        .iter()
        .flat_map(|u| u.objects.iter().copied())
        .collect();
    objects.sort_unstable();
    objects.dedup();
    let mut files: Vec<FileId> = units.iter().flat_map(|u| u.files.iter().copied()).collect();
    files.sort_unstable();
    files.dedup();
    Cluster {
        name,
        origin,
        objects,
        implicit,
        files,
    }
}

/// `clusters:` of the configuration: each named cluster takes the manifests and the
/// Kustomize roots (by their kustomization file) its globs match; what none matches is
/// one more cluster, `unassigned`.
fn configured(
    inputs: &Inputs,
    config: &Config,
    objects_of: &[Vec<usize>],
    roots: Vec<Unit>,
    manifests: &[FileId],
    implicit: &ImplicitOf,
) -> Vec<Cluster> {
    let units: Vec<Unit> = roots
        .into_iter()
        .chain(
            manifests
                .iter()
                .map(|&file| manifest_unit(inputs, objects_of, file)),
        )
        .collect();
    let globs: Vec<GlobSet> = config
        .clusters
        .iter()
        .map(|cluster| {
            let mut builder = GlobSetBuilder::new();
            for glob in &cluster.globs {
                if let Ok(glob) = Glob::new(&glob.value) {
                    builder.add(glob);
                }
            }
            builder.build().unwrap_or_else(|_| GlobSet::empty())
        })
        .collect();
    let mut members: Vec<Vec<&Unit>> = vec![Vec::new(); config.clusters.len()];
    let mut unassigned = Vec::new();
    for unit in &units {
        let forms = unit
            .matched_as
            .map(|file| config.path_forms(&inputs.files[file].display))
            .unwrap_or_default();
        let mut matched = false;
        for (c, set) in globs.iter().enumerate() {
            if forms.iter().any(|form| set.is_match(form)) {
                members[c].push(unit);
                matched = true;
            }
        }
        if !matched && !unit.objects.is_empty() {
            unassigned.push(unit);
        }
    }
    let mut list: Vec<Cluster> = config
        .clusters
        .iter()
        .zip(&members)
        .map(|(cluster, units)| {
            let namespace = units.iter().find_map(|u| u.implicit.as_deref());
            cluster_of(
                cluster.name.value.clone(),
                ClusterOrigin::Configured(cluster.name.origin.clone()),
                units,
                implicit(namespace),
            )
        })
        .collect();
    if !unassigned.is_empty() {
        list.push(cluster_of(
            "unassigned".to_string(),
            ClusterOrigin::Unassigned,
            &unassigned,
            implicit(None),
        ));
    }
    list
}

fn manifest_unit(inputs: &Inputs, objects_of: &[Vec<usize>], file: FileId) -> Unit {
    Unit {
        name: inputs.files[file].display.clone(),
        objects: objects_of[file].clone(),
        files: vec![file],
        implicit: None,
        matched_as: Some(file),
    }
}

/// Rules 1 to 3 of the module doc.
fn automatic(
    inputs: &Inputs,
    objects_of: &[Vec<usize>],
    roots: Vec<Unit>,
    renderings: Vec<Unit>,
    manifests: &[FileId],
    implicit: &ImplicitOf,
) -> Vec<Cluster> {
    let rendered = roots
        .iter()
        .map(|unit| (unit, ClusterOrigin::KustomizeRoot))
        .chain(
            renderings
                .iter()
                .map(|unit| (unit, ClusterOrigin::HelmRendering)),
        );
    let mut list: Vec<Cluster> = rendered
        .map(|(unit, origin)| {
            cluster_of(
                unit.name.clone(),
                origin,
                &[unit],
                implicit(unit.implicit.as_deref()),
            )
        })
        .collect();
    let with_objects: Vec<FileId> = manifests
        .iter()
        .copied()
        .filter(|&f| !objects_of[f].is_empty())
        .collect();
    if with_objects.is_empty() {
        return list;
    }
    let splits = split_folders(inputs, objects_of, &with_objects);
    let tree = FolderTree::new(inputs, &with_objects);
    let groups = tree.groups(&tree.root, &with_objects, &splits);
    let whole = groups.len() == 1;
    for (name, files) in groups {
        let units: Vec<Unit> = files
            .iter()
            .map(|&file| manifest_unit(inputs, objects_of, file))
            .collect();
        let refs: Vec<&Unit> = units.iter().collect();
        let name = if whole {
            common_folder(inputs, &files)
        } else {
            name
        };
        let origin = if whole {
            ClusterOrigin::Whole
        } else {
            ClusterOrigin::Folder
        };
        list.push(cluster_of(name, origin, &refs, implicit(None)));
    }
    list
}

/// What makes two definitions "the same object" for splitting: kind, namespace as
/// written (none for cluster-scoped kinds) and name.
fn identity(object: &crate::model::Object) -> Option<(String, String, String)> {
    if object.name.is_empty() {
        return None;
    }
    let namespace = if object.is_cluster_scoped() {
        String::new()
    } else {
        object.declared_namespace.clone().unwrap_or_default()
    };
    Some((object.kind.clone(), namespace, object.name.clone()))
}

/// The folders at which the files split: where two of them, in different child folders,
/// define the same object. For each object, the folders defining it in tree order; the
/// lowest common folder of two neighbours is a split when neither is that folder itself
/// (checking neighbours finds every such folder).
fn split_folders(
    inputs: &Inputs,
    objects_of: &[Vec<usize>],
    files: &[FileId],
) -> BTreeSet<Vec<String>> {
    let mut folders_of: HashMap<(String, String, String), BTreeSet<Vec<String>>> = HashMap::new();
    for &file in files {
        let folder = folder_components(inputs, file);
        for &object in &objects_of[file] {
            if let Some(id) = identity(&inputs.objects[object]) {
                folders_of.entry(id).or_default().insert(folder.clone());
            }
        }
    }
    let mut splits = BTreeSet::new();
    for folders in folders_of.values() {
        let folders: Vec<&Vec<String>> = folders.iter().collect();
        for pair in folders.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            if common < a.len() && common < b.len() {
                splits.insert(a[..common].to_vec());
            }
        }
    }
    splits
}

/// A file's folder as path components (none for standard input).
fn folder_components(inputs: &Inputs, file: FileId) -> Vec<String> {
    let Some(path) = &inputs.files[file].path else {
        return Vec::new();
    };
    path.parent()
        .map(|folder| {
            folder
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The files' folders, to walk down from the top.
struct FolderTree {
    root: Vec<String>,
    /// Each file's folder.
    folder: HashMap<FileId, Vec<String>>,
}

impl FolderTree {
    fn new(inputs: &Inputs, files: &[FileId]) -> FolderTree {
        let folder: HashMap<FileId, Vec<String>> = files
            .iter()
            .map(|&f| (f, folder_components(inputs, f)))
            .collect();
        // Walking starts at the deepest folder every file is under.
        let mut root: Option<Vec<String>> = None;
        for path in folder.values() {
            root = Some(match root {
                None => path.clone(),
                Some(r) => {
                    let common = r.iter().zip(path).take_while(|(a, b)| a == b).count();
                    r[..common].to_vec()
                }
            });
        }
        FolderTree {
            root: root.unwrap_or_default(),
            folder,
        }
    }

    /// The clusters of the files under `at` (named by folder), per the module doc.
    fn groups(
        &self,
        at: &[String],
        files: &[FileId],
        splits: &BTreeSet<Vec<String>>,
    ) -> Vec<(String, Vec<FileId>)> {
        let name = || folder_display(at);
        let below = splits
            .range(at.to_vec()..)
            .next()
            .is_some_and(|split| split.starts_with(at));
        if !below {
            return vec![(name(), files.to_vec())];
        }
        let mut own = Vec::new();
        let mut children: BTreeMap<&str, Vec<FileId>> = BTreeMap::new();
        for &file in files {
            let folder = &self.folder[&file];
            match folder.get(at.len()) {
                Some(child) if folder.starts_with(at) => {
                    children.entry(child).or_default().push(file)
                }
                _ => own.push(file),
            }
        }
        let child_groups: Vec<Vec<(String, Vec<FileId>)>> = children
            .iter()
            .map(|(child, files)| {
                let mut path = at.to_vec();
                path.push(child.to_string());
                self.groups(&path, files, splits)
            })
            .collect();
        let mut shared = own;
        let mut result = Vec::new();
        if splits.contains(at) {
            // Each child folder is a cluster (or several); what lies here joins all.
            result.extend(child_groups.into_iter().flatten());
        } else {
            for groups in child_groups {
                if groups.len() > 1 {
                    result.extend(groups);
                } else {
                    shared.extend(groups.into_iter().flat_map(|(_, files)| files));
                }
            }
            if result.is_empty() {
                shared.sort_unstable();
                return vec![(name(), shared)];
            }
        }
        for (_, files) in &mut result {
            files.extend(&shared);
            files.sort_unstable();
        }
        result
    }
}

fn folder_display(components: &[String]) -> String {
    let path: PathBuf = components.iter().collect();
    display_path(&path)
}

/// The deepest folder all the files are in, as users see it.
fn common_folder(inputs: &Inputs, files: &[FileId]) -> String {
    let folders: Vec<Vec<String>> = files
        .iter()
        .map(|&f| folder_components(inputs, f))
        .collect();
    if folders.iter().all(Vec::is_empty) {
        return "<stdin>".to_string();
    }
    let mut common: Vec<String> = folders.first().cloned().unwrap_or_default();
    for folder in &folders[1..] {
        let len = common
            .iter()
            .zip(folder)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(len);
    }
    folder_display(&common)
}

/// Two clusters may come out with one name (a Kustomize root and a folder of manifests
/// in the same place): the later ones get `#2`, `#3`.
fn disambiguate(list: &mut [Cluster]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for cluster in list.iter_mut() {
        let count = seen.entry(cluster.name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            cluster.name = format!("{}#{}", cluster.name, count);
        }
    }
}

/// What salint decided, in one line; nothing when the configuration decided or there is
/// one cluster of plain manifests (a run like any other).
fn describe_decision(list: &[Cluster], config: &Config) -> Option<String> {
    if !config.clusters.is_empty() {
        return None;
    }
    // One cluster of plain manifests, or Helm's output on standard input: as ever.
    let trivial = list.len() <= 1
        && list
            .iter()
            .all(|c| c.origin == ClusterOrigin::Whole || c.name == "<stdin>");
    if trivial {
        return None;
    }
    let names = |origin: ClusterOrigin| -> Vec<String> {
        list.iter()
            .filter(|c| c.origin == origin)
            .map(|c| c.name.clone())
            .collect()
    };
    let mut parts = Vec::new();
    for (origin, why) in [
        (ClusterOrigin::KustomizeRoot, "Kustomize roots"),
        (ClusterOrigin::HelmRendering, "Helm renderings"),
        (ClusterOrigin::Folder, "they define the same objects"),
        (ClusterOrigin::Whole, "the other manifests"),
    ] {
        let names = names(origin);
        if !names.is_empty() {
            parts.push(format!("{} ({why})", short_names(&names)));
        }
    }
    Some(format!(
        "{} cluster{}: {}; set clusters: in .salint.yaml to change this",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        parts.join("; ")
    ))
}

fn short_names(names: &[String]) -> String {
    const LIMIT: usize = 8;
    let shown = names
        .iter()
        .take(LIMIT)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LIMIT {
        format!("{shown} and {} more", names.len() - LIMIT)
    } else {
        shown
    }
}

impl Clusters {
    /// The clusters as `salint config` lists them: each with why it is one and what it
    /// holds, as comments (the output stays a valid configuration).
    pub fn describe(&self) -> String {
        let mut out = String::from("# clusters for these paths:\n");
        if self.list.is_empty() {
            out.push_str("#   (none: no Kubernetes objects)\n");
        }
        for cluster in &self.list {
            let why = match &cluster.origin {
                ClusterOrigin::Configured(origin) => format!("configured at {origin}"),
                ClusterOrigin::Unassigned => "files no configured cluster matches".to_string(),
                ClusterOrigin::KustomizeRoot => "Kustomize root".to_string(),
                ClusterOrigin::HelmRendering => "Helm rendering".to_string(),
                ClusterOrigin::Folder => {
                    "folder whose objects a sibling folder defines too".to_string()
                }
                ClusterOrigin::Whole => "all the manifests".to_string(),
            };
            let files = cluster.files.len();
            let objects = cluster.objects.len();
            out.push_str(&format!(
                "#   {:<46} {why}; {objects} object{}, {files} file{}\n",
                cluster.name,
                if objects == 1 { "" } else { "s" },
                if files == 1 { "" } else { "s" },
            ));
        }
        out
    }
}
