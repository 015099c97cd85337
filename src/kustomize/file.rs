//! One kustomization file, read into what salint needs of it: the files it consumes, its
//! patches, and the transformers that change what its resources say. Kustomize itself
//! renders; this reading only decides what is a root, what is consumed (so it is not judged
//! on its own), and where a rendered field was written.

use std::path::{Path, PathBuf};

use crate::source::Span;
use crate::yaml::{Node, ScalarStyle};

/// A path written in a kustomization, resolved against its folder.
#[derive(Debug, Clone)]
pub struct Reference {
    pub written: String,
    /// The scalar's span in the kustomization file.
    pub span: Span,
    pub target: Target,
    /// Whether the target is a folder (another kustomization), asked once when read.
    pub is_dir: bool,
}

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file or folder on this machine (it may be missing: Kustomize then says so).
    Local(PathBuf),
    /// A URL or a git repository: never fetched.
    Remote,
}

impl Reference {
    pub fn local(&self) -> Option<&Path> {
        match &self.target {
            Target::Local(path) => Some(path),
            Target::Remote => None,
        }
    }
}

/// Which resources a patch applies to (`target:` of `patches` and `patchesJson6902`).
/// Kustomize matches `name` and `namespace` as anchored regular expressions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

/// Where a patch's text is.
#[derive(Debug, Clone)]
pub enum PatchSource {
    File(Reference),
    /// Written in the kustomization itself: the scalar's span, its text and whether it is a
    /// literal block (`|`), whose lines are the file's lines less their indentation.
    Inline {
        span: Span,
        text: String,
        literal: bool,
    },
}

/// One patch of `patches`, `patchesStrategicMerge` or `patchesJson6902`.
#[derive(Debug, Clone)]
pub struct Patch {
    pub source: PatchSource,
    pub target: Option<Selector>,
}

/// A transformer field whose effect is written nowhere else: `namespace: prod` changes
/// every resource's namespace, `namePrefix` every name.
#[derive(Debug, Clone)]
pub struct Transformer {
    pub key: &'static str,
    /// The key's span in the kustomization.
    pub key_span: Span,
    /// A short form of the value for messages (`prod`, `prod-`).
    pub value: Option<String>,
}

/// The transformer fields salint attributes fields to.
const TRANSFORMER_KEYS: &[&str] = &[
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
];

/// A ConfigMap or Secret generator entry.
#[derive(Debug, Clone)]
pub struct Generator {
    pub kind: &'static str,
    pub name: String,
    /// The entry's `name` value span.
    pub span: Span,
}

/// A kustomization file as salint reads it.
#[derive(Debug, Clone)]
pub struct Kustomization {
    /// The kustomization file (absolute, normalised).
    pub file: PathBuf,
    /// Its folder: the kustomization's root.
    pub dir: PathBuf,
    /// `kind: Component`: only ever used through another kustomization's `components`.
    pub component: bool,
    /// `resources` and the deprecated `bases`: files and folders (other kustomizations).
    pub resources: Vec<Reference>,
    pub components: Vec<Reference>,
    pub patches: Vec<Patch>,
    /// Other files it reads: generator inputs, `crds`, `replacements`, `openapi`, and the
    /// plugin configurations of `generators`, `transformers` and `validators`.
    pub inputs: Vec<Reference>,
    /// `namespace:`, the namespace every resource is given.
    pub namespace: Option<String>,
    pub transformers: Vec<Transformer>,
    pub generators: Vec<Generator>,
}

impl Kustomization {
    /// Every reference it makes, with what for.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        let patch_files = self.patches.iter().filter_map(|patch| match &patch.source {
            PatchSource::File(reference) => Some(reference),
            PatchSource::Inline { .. } => None,
        });
        self.resources
            .iter()
            .chain(&self.components)
            .chain(patch_files)
            .chain(&self.inputs)
    }

    /// The transformer written with `key`, if this kustomization has it.
    pub fn transformer(&self, key: &str) -> Option<&Transformer> {
        self.transformers.iter().find(|t| t.key == key)
    }
}

/// Removes `.` and `..` from a path without asking the file system (Kustomize joins paths
/// the same way).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether a reference Kustomize would fetch rather than read: a URL, an scp-style git
/// address, or a `host/org/repo//path?ref=` form.
fn looks_remote(written: &str) -> bool {
    written.contains("://")
        || written.starts_with("git@")
        || written.contains("?ref=")
        || written.contains("?version=")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|host| written.starts_with(host))
}

/// Reads a kustomization's tree. Fields of the wrong type are left to Kustomize, which
/// reports them when it renders; salint only takes what it can use.
pub fn read(file: &Path, root: &Node) -> Kustomization {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let reference = |node: &Node| -> Option<Reference> {
        let written = node.as_str()?.trim().to_string();
        if written.is_empty() {
            return None;
        }
        // Resolved once here (symbolic links included), so the plan compares paths.
        let local = normalize(&dir.join(&written));
        let metadata = std::fs::metadata(&local).ok();
        let is_dir = metadata.as_ref().is_some_and(std::fs::Metadata::is_dir);
        let target = if metadata.is_some() {
            Target::Local(std::fs::canonicalize(&local).unwrap_or(local))
        } else if looks_remote(&written) {
            Target::Remote
        } else {
            Target::Local(local)
        };
        Some(Reference {
            written,
            span: node.span,
            target,
            is_dir,
        })
    };
    let references = |key: &str| -> Vec<Reference> {
        root.get(key)
            .map(|list| list.items().iter().filter_map(reference).collect())
            .unwrap_or_default()
    };
    let mut resources = references("resources");
    resources.extend(references("bases"));
    let components = references("components");
    let mut inputs = references("crds");
    for key in ["generators", "transformers", "validators"] {
        // Entries are file paths or inline YAML configurations (which hold a newline).
        inputs.extend(
            references(key)
                .into_iter()
                .filter(|r| !r.written.contains('\n')),
        );
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for generator in root.get(key).map(Node::items).unwrap_or(&[]) {
            for file in generator.get("files").map(Node::items).unwrap_or(&[]) {
                // `key=path` or `path`.
                if let Some(mut found) = reference(file) {
                    if let Some((_, path)) = found.written.split_once('=') {
                        found.target = Target::Local(normalize(&dir.join(path.trim())));
                    }
                    inputs.push(found);
                }
            }
            for env in generator.get("envs").map(Node::items).unwrap_or(&[]) {
                inputs.extend(reference(env));
            }
            inputs.extend(generator.get("env").and_then(reference));
        }
    }
    for replacement in root.get("replacements").map(Node::items).unwrap_or(&[]) {
        inputs.extend(replacement.get("path").and_then(reference));
    }
    inputs.extend(root.path(&["openapi", "path"]).and_then(reference));
    for chart in root.get("helmCharts").map(Node::items).unwrap_or(&[]) {
        inputs.extend(chart.get("valuesFile").and_then(reference));
    }

    let mut patches = Vec::new();
    for entry in root.get("patches").map(Node::items).unwrap_or(&[]) {
        patches.extend(patch_entry(entry, &reference));
    }
    for entry in root
        .get("patchesStrategicMerge")
        .map(Node::items)
        .unwrap_or(&[])
    {
        // A path, or the patch itself inline (it holds a newline or starts a mapping).
        let Some(text) = entry.as_str() else { continue };
        if text.contains('\n') || text.trim_start().starts_with('{') {
            patches.push(Patch {
                source: inline(entry),
                target: None,
            });
        } else if let Some(found) = reference(entry) {
            patches.push(Patch {
                source: PatchSource::File(found),
                target: None,
            });
        }
    }
    for entry in root.get("patchesJson6902").map(Node::items).unwrap_or(&[]) {
        patches.extend(patch_entry(entry, &reference));
    }

    let transformers = TRANSFORMER_KEYS
        .iter()
        .filter_map(|&key| {
            let entry = root.entry(key)?;
            if entry.value.is_null() {
                return None;
            }
            Some(Transformer {
                key,
                key_span: entry.key.span,
                value: entry.value.as_str().map(str::to_string),
            })
        })
        .collect();
    let mut generators = Vec::new();
    for (key, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for generator in root.get(key).map(Node::items).unwrap_or(&[]) {
            if let Some(name) = generator.get("name").filter(|n| n.as_str().is_some()) {
                generators.push(Generator {
                    kind,
                    name: name.as_str().unwrap_or("").to_string(),
                    span: name.span,
                });
            }
        }
    }
    Kustomization {
        file: file.to_path_buf(),
        dir: dir.clone(),
        component: root.get("kind").and_then(Node::as_str) == Some("Component"),
        resources,
        components,
        patches,
        inputs,
        namespace: root
            .get("namespace")
            .and_then(Node::as_str)
            .filter(|ns| !ns.is_empty())
            .map(str::to_string),
        transformers,
        generators,
    }
}

/// An entry of `patches` or `patchesJson6902`: `path` or `patch`, and `target`.
fn patch_entry(entry: &Node, reference: &dyn Fn(&Node) -> Option<Reference>) -> Option<Patch> {
    let target = entry.get("target").map(selector);
    let source = match (entry.get("path"), entry.get("patch")) {
        (Some(path), _) => PatchSource::File(reference(path)?),
        (None, Some(text)) => inline(text),
        (None, None) => return None,
    };
    Some(Patch { source, target })
}

fn inline(node: &Node) -> PatchSource {
    let scalar = node.as_scalar();
    PatchSource::Inline {
        span: node.span,
        text: scalar.map_or_else(String::new, |s| s.text.to_string()),
        literal: scalar.is_some_and(|s| s.style == ScalarStyle::Literal),
    }
}

fn selector(node: &Node) -> Selector {
    let field = |key: &str| node.get(key).and_then(Node::as_str).map(str::to_string);
    Selector {
        group: field("group"),
        version: field("version"),
        kind: field("kind"),
        name: field("name"),
        namespace: field("namespace"),
        label_selector: field("labelSelector"),
        annotation_selector: field("annotationSelector"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load_documents;

    #[test]
    fn reads_what_a_kustomization_consumes() {
        let text = "namespace: prod\nnamePrefix: p-\nresources:\n- ../base\n- https://github.com/org/repo//k8s?ref=v1\n- extra.yaml\npatches:\n- path: patch.yaml\n- target: {kind: Deployment, name: api}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\npatchesStrategicMerge:\n- old.yaml\nconfigMapGenerator:\n- name: cm\n  files: [conf=settings.ini]\n";
        let root = load_documents(text).documents.remove(0).root;
        let k = read(Path::new("/repo/overlays/prod/kustomization.yaml"), &root);
        assert_eq!(k.dir, Path::new("/repo/overlays/prod"));
        assert_eq!(k.namespace.as_deref(), Some("prod"));
        let targets: Vec<_> = k.resources.iter().map(|r| r.target.clone()).collect();
        assert_eq!(
            targets,
            [
                Target::Local("/repo/overlays/base".into()),
                Target::Remote,
                Target::Local("/repo/overlays/prod/extra.yaml".into())
            ]
        );
        assert_eq!(k.patches.len(), 3);
        assert!(matches!(
            &k.patches[1].source,
            PatchSource::Inline { literal: true, .. }
        ));
        assert_eq!(
            k.patches[1].target.as_ref().and_then(|t| t.kind.as_deref()),
            Some("Deployment")
        );
        assert_eq!(
            k.inputs[0].local(),
            Some(Path::new("/repo/overlays/prod/settings.ini"))
        );
        let keys: Vec<_> = k.transformers.iter().map(|t| t.key).collect();
        assert_eq!(keys, ["namespace", "namePrefix"]);
    }
}
