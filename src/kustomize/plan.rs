//! Which kustomizations a run has, which of them are roots, and what each consumes.
//!
//! A *root* is a scanned kustomization that no other kustomization refers to (in
//! `resources`, `bases` or `components`): what `kubectl kustomize DIR` is run on. Folders a
//! scanned kustomization refers to are read too, inside the scanned paths or not: a base
//! is part of every overlay's rendering.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::file::{self, Kustomization, PatchSource, Reference, Target};
use crate::discover::KUSTOMIZATION_FILE_NAMES;
use crate::yaml::load_documents;

/// A kustomization file that could not be used, with the place of the problem when known.
#[derive(Debug, Clone)]
pub struct PlanError {
    pub file: PathBuf,
    pub offset: Option<usize>,
    pub message: String,
}

/// Every kustomization of a run.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Sorted by file path.
    pub kustomizations: Vec<Kustomization>,
    /// Each kustomization file's text, for locations in it.
    pub texts: Vec<String>,
    /// Whether each one was among the scanned files (rather than reached from one).
    pub scanned: Vec<bool>,
    pub roots: Vec<usize>,
    /// Kustomization files that could not be read or parsed (with their text when read).
    pub errors: Vec<(PlanError, Option<String>)>,
    by_dir: HashMap<PathBuf, usize>,
}

/// The kustomization file Kustomize reads in `dir`, if there is one.
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// One kustomization file read: what it says, its text, and the kustomization files
/// of the folders it builds on.
struct Read {
    kustomization: Kustomization,
    text: String,
    children: Vec<PathBuf>,
}

fn read_kustomization(path: &Path, max_size: u64) -> Result<Read, (PlanError, Option<String>)> {
    let text = read_text(path, max_size).map_err(|message| {
        let error = PlanError {
            file: path.to_path_buf(),
            offset: None,
            message,
        };
        (error, None)
    })?;
    let loaded = load_documents(&text);
    if let Some(error) = loaded.error {
        let error = PlanError {
            file: path.to_path_buf(),
            offset: Some(error.offset),
            message: format!("YAML parse error: {}", error.message),
        };
        return Err((error, Some(text)));
    }
    let Some(document) = loaded.documents.into_iter().next() else {
        return Ok(Read {
            kustomization: file::read(path, &empty_map()),
            text,
            children: Vec::new(),
        });
    };
    let kustomization = file::read(path, &document.root);
    let children = kustomization
        .resources
        .iter()
        .chain(&kustomization.components)
        .filter_map(|reference| {
            reference
                .local()
                .filter(|_| reference.is_dir)
                .and_then(kustomization_in)
        })
        .collect();
    Ok(Read {
        kustomization,
        text,
        children,
    })
}

/// A path as the plan keys it: absolute, symbolic links resolved when it exists.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| file::normalize(&std::path::absolute(path).unwrap_or_default()))
}

impl Plan {
    /// Reads the scanned kustomization files and every kustomization they reach.
    /// `max_size` bounds each file as `--max-file-size` does.
    pub fn build(scanned: &[PathBuf], max_size: u64) -> Plan {
        use rayon::prelude::*;
        let mut plan = Plan::default();
        let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
        let mut frontier: Vec<PathBuf> = scanned.par_iter().map(|path| canonical(path)).collect();
        frontier.sort();
        // The scanned ones are the first level, so a file both scanned and reached counts
        // as scanned; each level's files are read and parsed in parallel (a repository has
        // hundreds of kustomizations, read on every pre-commit run), in a fixed order.
        let mut was_scanned = true;
        let mut read: Vec<(Kustomization, String, bool)> = Vec::new();
        while !frontier.is_empty() {
            frontier.retain(|path| seen.insert(path.clone()));
            let levels: Vec<Result<Read, (PlanError, Option<String>)>> = frontier
                .par_iter()
                .map(|path| read_kustomization(path, max_size))
                .collect();
            let mut next = Vec::new();
            for level in levels {
                match level {
                    Ok(Read {
                        kustomization,
                        text,
                        children,
                    }) => {
                        next.extend(children);
                        read.push((kustomization, text, was_scanned));
                    }
                    Err(error) => plan.errors.push(error),
                }
            }
            frontier = next;
            was_scanned = false;
        }
        read.sort_by(|a, b| a.0.file.cmp(&b.0.file));
        for (kustomization, text, was_scanned) in read {
            plan.by_dir
                .insert(kustomization.dir.clone(), plan.kustomizations.len());
            plan.kustomizations.push(kustomization);
            plan.texts.push(text);
            plan.scanned.push(was_scanned);
        }
        let referenced: BTreeSet<usize> = (0..plan.kustomizations.len())
            .flat_map(|k| plan.children(k))
            .collect();
        plan.roots = (0..plan.kustomizations.len())
            .filter(|&k| {
                plan.scanned[k] && !plan.kustomizations[k].component && !referenced.contains(&k)
            })
            .collect();
        plan
    }

    /// The kustomization in folder `dir`, if the plan has it.
    pub fn in_dir(&self, dir: &Path) -> Option<usize> {
        self.by_dir.get(dir).copied()
    }

    /// The kustomizations `k` builds on: its folder resources and its components.
    pub fn children(&self, k: usize) -> Vec<usize> {
        let kustomization = &self.kustomizations[k];
        kustomization
            .resources
            .iter()
            .chain(&kustomization.components)
            .filter_map(|r| r.local())
            .filter_map(|path| self.in_dir(path))
            .collect()
    }

    /// The kustomizations a root's rendering reads, the root first, each once.
    pub fn closure(&self, root: usize) -> Vec<usize> {
        let mut order = Vec::new();
        let mut stack = vec![root];
        while let Some(k) = stack.pop() {
            if order.contains(&k) {
                continue;
            }
            order.push(k);
            let mut children = self.children(k);
            children.reverse();
            stack.extend(children);
        }
        order
    }

    /// The kustomizations from `root` down to the one that lists `file` (outermost first),
    /// or down to kustomization `target` when `file` is its own file.
    pub fn chain_to(&self, root: usize, file: &Path) -> Option<Vec<usize>> {
        let lists = |k: usize| {
            let kustomization = &self.kustomizations[k];
            kustomization.file == file
                || kustomization
                    .references()
                    .filter_map(Reference::local)
                    .any(|path| path == file)
        };
        let mut path = Vec::new();
        let mut visited = BTreeSet::new();
        self.find_chain(root, &lists, &mut path, &mut visited)
            .then_some(path)
    }

    fn find_chain(
        &self,
        k: usize,
        lists: &dyn Fn(usize) -> bool,
        path: &mut Vec<usize>,
        visited: &mut BTreeSet<usize>,
    ) -> bool {
        if !visited.insert(k) {
            return false;
        }
        path.push(k);
        if lists(k) {
            return true;
        }
        for child in self.children(k) {
            if self.find_chain(child, lists, path, visited) {
                return true;
            }
        }
        path.pop();
        false
    }

    /// Every file some kustomization consumes: resource files, patches, generator inputs.
    /// Such a file reaches a cluster only through Kustomize, so it is never judged alone.
    pub fn consumed_files(&self) -> foldhash::HashSet<PathBuf> {
        self.kustomizations
            .iter()
            .flat_map(Kustomization::references)
            .filter(|reference| !reference.is_dir)
            .filter_map(Reference::local)
            .map(Path::to_path_buf)
            .collect()
    }

    /// The files listed as patches: never judged as objects, rendered or not.
    pub fn patch_files(&self) -> BTreeSet<PathBuf> {
        self.kustomizations
            .iter()
            .flat_map(|k| &k.patches)
            .filter_map(|patch| match &patch.source {
                PatchSource::File(reference) => reference.local().map(Path::to_path_buf),
                PatchSource::Inline { .. } => None,
            })
            .collect()
    }

    /// The resource files a root reaches, for linting it without Kustomize: its own and
    /// its bases' and components' `resources` that are files (patches are not resources).
    pub fn plain_resources(&self, root: usize) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for k in self.closure(root) {
            for reference in &self.kustomizations[k].resources {
                if let Some(path) = reference.local().filter(|_| !reference.is_dir) {
                    if !files.iter().any(|f| f == path) {
                        files.push(path.to_path_buf());
                    }
                }
            }
        }
        files
    }

    /// The namespace a root gives its resources: the outermost `namespace:` on the way.
    pub fn namespace_of(&self, root: usize) -> Option<&str> {
        self.closure(root)
            .into_iter()
            .find_map(|k| self.kustomizations[k].namespace.as_deref())
    }

    /// The remote references a root's rendering would need, with their kustomization.
    pub fn remote_references(&self, root: usize) -> Vec<(usize, &Reference)> {
        self.closure(root)
            .into_iter()
            .flat_map(|k| {
                self.kustomizations[k]
                    .references()
                    .filter(|r| r.target == Target::Remote)
                    .map(move |r| (k, r))
            })
            .collect()
    }
}

/// What a reference becomes in a copy of a kustomization rendered without its remote
/// resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A remote resource: an empty kustomization (or component) instead.
    Empty { component: bool },
    /// A local file or folder, written relative to the copy.
    Path(PathBuf),
    /// Another copied kustomization, by its position in [`Mirror::copies`].
    Copy(usize),
}

/// One kustomization written again: its text, and the scalars to replace.
#[derive(Debug, Clone)]
pub struct MirrorCopy {
    /// The kustomization file it copies.
    pub original: PathBuf,
    pub text: String,
    /// Spans of reference scalars, what to write there, and the `key=` a generator file
    /// keeps in front.
    pub edits: Vec<(crate::source::Span, Edit, String)>,
}

/// A root's kustomizations that lead to a remote resource, copied so Kustomize renders
/// the root without them (it would otherwise fetch them). The copies refer to every local
/// file where it is, so only the remote resources are left out.
#[derive(Debug, Clone)]
pub struct Mirror {
    pub copies: Vec<MirrorCopy>,
    /// The copy of the root itself.
    pub root: usize,
}

impl Plan {
    /// The copies that render `root` without remote resources, when it has any.
    pub fn without_remote(&self, root: usize) -> Option<Mirror> {
        let closure = self.closure(root);
        let has_remote = |k: usize| {
            self.kustomizations[k]
                .resources
                .iter()
                .chain(&self.kustomizations[k].components)
                .any(|r| r.target == Target::Remote)
        };
        if !closure.iter().any(|&k| has_remote(k)) {
            return None;
        }
        // Copied: each kustomization that has a remote resource or leads to one.
        let mut copied: Vec<usize> = Vec::new();
        for &k in &closure {
            let leads = self.closure(k).into_iter().any(has_remote);
            if leads {
                copied.push(k);
            }
        }
        let copies = copied
            .iter()
            .map(|&k| {
                let kustomization = &self.kustomizations[k];
                let mut edits = Vec::new();
                let mut add = |reference: &Reference, component: bool| {
                    // A generator's `key=path` keeps its key.
                    let prefix = match reference.written.split_once('=') {
                        Some((key, _)) if !reference.written.contains("://") => format!("{key}="),
                        _ => String::new(),
                    };
                    let edit = match &reference.target {
                        Target::Remote => Edit::Empty { component },
                        Target::Local(path) => match self
                            .in_dir(path)
                            .and_then(|child| copied.iter().position(|&c| c == child))
                        {
                            Some(copy) => Edit::Copy(copy),
                            None => Edit::Path(path.clone()),
                        },
                    };
                    edits.push((reference.span, edit, prefix));
                };
                for reference in &kustomization.resources {
                    add(reference, false);
                }
                for reference in &kustomization.components {
                    add(reference, true);
                }
                for patch in &kustomization.patches {
                    if let PatchSource::File(reference) = &patch.source {
                        add(reference, false);
                    }
                }
                for reference in &kustomization.inputs {
                    if reference.target != Target::Remote {
                        add(reference, false);
                    }
                }
                MirrorCopy {
                    original: kustomization.file.clone(),
                    text: self.texts[k].clone(),
                    edits,
                }
            })
            .collect();
        Some(Mirror {
            copies,
            root: copied.iter().position(|&c| c == root).unwrap_or(0),
        })
    }
}

fn empty_map() -> crate::yaml::Node {
    crate::yaml::Node {
        span: crate::source::Span::default(),
        value: crate::yaml::Value::Map(Box::new([])),
    }
}

/// Reads a kustomization file, refusing one above `max_size`.
fn read_text(path: &Path, max_size: u64) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read: {}", crate::discover::io_message(&e)))?
        .len();
    if size > max_size {
        return Err(format!(
            "skipped: {} is larger than the --max-file-size limit of {}",
            crate::size::human_size(size),
            crate::size::human_size(max_size)
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read: {}", crate::discover::io_message(&e)))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_the_kustomizations_nothing_refers_to() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("base/kustomization.yaml", "resources: [deploy.yaml]\n");
        write("base/deploy.yaml", "kind: Deployment\n");
        write(
            "prod/kustomization.yaml",
            "namespace: prod\nresources: [../base]\ncomponents: [../comp]\npatches: [{path: p.yaml}]\n",
        );
        write("prod/p.yaml", "kind: Deployment\n");
        write(
            "comp/kustomization.yaml",
            "kind: Component\nresources: [role.yaml]\n",
        );
        write("comp/role.yaml", "kind: Role\n");
        // Only prod is scanned: base and comp are reached from it.
        let plan = Plan::build(&[dir.path().join("prod/kustomization.yaml")], u64::MAX);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(plan.kustomizations.len(), 3);
        let root = plan.roots[..].to_vec();
        assert_eq!(root.len(), 1);
        let root = root[0];
        assert!(plan.kustomizations[root]
            .file
            .ends_with("prod/kustomization.yaml"));
        assert_eq!(plan.closure(root).len(), 3);
        let base_file = canonical(&dir.path().join("base/deploy.yaml"));
        let chain = plan.chain_to(root, &base_file).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(plan.namespace_of(root), Some("prod"));
        let names = |mut set: Vec<PathBuf>| -> Vec<String> {
            set.sort();
            set.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
                .collect()
        };
        assert_eq!(
            names(plan.plain_resources(root)),
            ["deploy.yaml", "role.yaml"]
        );
        assert_eq!(
            names(plan.consumed_files().into_iter().collect()),
            ["deploy.yaml", "role.yaml", "p.yaml"]
        );
        assert_eq!(names(plan.patch_files().into_iter().collect()), ["p.yaml"]);
    }
}
