//! Where a rendered field was written: from a span in Kustomize's output to the repository
//! file, line and column it came from.
//!
//! Each rendered object names its source file (`config.kubernetes.io/origin`, turned on by
//! the wrapper kustomization); the object in that file is the one of the same kind whose
//! name the rendered name holds (prefixes and suffixes are added around it). A field is
//! then found by its key path ([`crate::yaml::path`]):
//!
//! 1. a leaf value a patch of the overlays writes (the last applied: the outermost
//!    kustomization's, the later in its list; one writing the rendered value first) is
//!    located in that patch;
//! 2. else the field as the source object writes it;
//! 3. else a patch that writes it (a mapping a patch adds);
//! 4. else a transformer made it (`namespace:`, `namePrefix:`, `images:` ...): located at
//!    the nearest field the source writes (the object's name at worst), with a related
//!    location on the transformer's line in the kustomization.
//!
//! Generated objects (`configMapGenerator`, `secretGenerator`) are located at their entry
//! in the kustomization.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::file::{normalize, Kustomization, PatchSource};
use super::patch::{selects, ParsedPatch};
use super::plan::Plan;
use crate::model::Object;
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::path::{follow, follow_longest, path_to, Part, Step};
use crate::yaml::{load_documents, Node, Value};

/// The annotation Kustomize writes on each object with `buildMetadata: [originAnnotations]`.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

/// Where a rendered object came from.
#[derive(Debug, Clone)]
enum Source {
    /// A resource file: the object in it (when found) and the kustomizations from the root
    /// down to the one that lists the file (outermost first).
    Resource {
        file: FileId,
        object: Option<usize>,
        chain: Vec<usize>,
    },
    /// A generator entry of a kustomization.
    Generated { kustomization: usize, span: Span },
    /// Nothing to go by: the root's kustomization.
    Unknown,
}

#[derive(Debug, Clone)]
struct ObjectOrigin {
    root: usize,
    source: Source,
}

/// One root's rendering.
#[derive(Debug, Clone, Default)]
pub struct RootRendering {
    /// The root, as an index into [`Plan::kustomizations`].
    pub kustomization: usize,
    /// Kustomize's output, when it rendered.
    pub rendered: Option<FileId>,
    /// Without rendering: the root's resource files, linted as they are.
    pub plain: Vec<FileId>,
    /// Whether Kustomize rejected it (an input error says why).
    pub failed: bool,
    /// The repository files its rendering reads: its kustomizations, resources, patches.
    pub files: Vec<FileId>,
}

/// A span relocated into a repository file, with the transformer that made it when the
/// field is written nowhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relocated {
    pub file: FileId,
    pub span: Span,
    /// The kustomization line of a transformer: file, span and what it says.
    pub via: Option<(FileId, Span, String)>,
}

/// Every kustomization of the run, how each root was rendered, and the maps from rendered
/// objects back to the repository.
#[derive(Debug, Default, Clone)]
pub struct Renderings {
    pub plan: Plan,
    /// How rendering went, said once per run.
    pub renderer: Option<String>,
    /// The file of each kustomization of the plan.
    pub kustomization_files: Vec<Option<FileId>>,
    /// The roots, in [`Plan::roots`] order.
    pub roots: Vec<RootRendering>,
    patches: Vec<Vec<ParsedPatch>>,
    origins: HashMap<usize, ObjectOrigin>,
    /// Each rendered file's root (position in `roots`) and its objects by start.
    rendered_files: HashMap<FileId, (usize, Vec<usize>)>,
}

/// The folder a rendering's origin paths are relative to, and the kustomizations it
/// copied (rendered without remote resources) with the files they copy.
pub type OriginBase = (PathBuf, Vec<(PathBuf, PathBuf)>);

/// What the reader hands over once files and objects are numbered.
pub struct Numbered<'i> {
    pub files: &'i [SourceFile],
    pub objects: &'i [Object],
    /// Repository files by canonical path.
    pub file_ids: &'i crate::source::FileIds,
}

impl Renderings {
    /// Puts together the maps of a run whose files are numbered. `roots` says, per root,
    /// its rendered file and the folder its origin paths are relative to.
    pub fn new(
        plan: Plan,
        renderer: Option<String>,
        roots: Vec<(RootRendering, Option<OriginBase>)>,
        numbered: &Numbered,
    ) -> Renderings {
        let file_id = |path: &Path| numbered.file_ids.get(path).copied();
        let kustomization_files: Vec<Option<FileId>> = plan
            .kustomizations
            .iter()
            .map(|k| file_id(&k.file))
            .collect();
        let patches = plan
            .kustomizations
            .iter()
            .zip(&kustomization_files)
            .map(|(k, &own_file)| parse_patches(k, own_file, numbered))
            .collect();
        let mut renderings = Renderings {
            plan,
            renderer,
            kustomization_files,
            roots: Vec::new(),
            patches,
            origins: HashMap::new(),
            rendered_files: HashMap::new(),
        };
        let mut objects_by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
        for object in numbered.objects {
            objects_by_file
                .entry(object.file)
                .or_default()
                .push(object.index);
        }
        for (position, (root, origin_base)) in roots.into_iter().enumerate() {
            if let (Some(file), Some((base, aliases))) = (root.rendered, &origin_base) {
                let mut objects = objects_by_file.get(&file).cloned().unwrap_or_default();
                objects.sort_by_key(|&o| numbered.objects[o].root.span.start);
                // Objects of one file share their origin annotation: resolved once.
                let mut resolved: HashMap<&str, Source> = HashMap::new();
                for &object in &objects {
                    let rendered = &numbered.objects[object];
                    let annotation = rendered
                        .meta_map_value("annotations", ORIGIN_ANNOTATION)
                        .and_then(Node::as_str)
                        .unwrap_or("");
                    let source = resolved
                        .entry(annotation)
                        .or_insert_with(|| {
                            renderings.source_of(
                                annotation,
                                root.kustomization,
                                base,
                                aliases,
                                numbered,
                            )
                        })
                        .clone();
                    let source = match source {
                        Source::Resource { file, chain, .. } => Source::Resource {
                            file,
                            object: matching_object(
                                rendered,
                                objects_by_file.get(&file).map_or(&[], Vec::as_slice),
                                numbered.objects,
                            ),
                            chain,
                        },
                        Source::Generated { kustomization, .. } => {
                            renderings.generated(rendered, kustomization)
                        }
                        Source::Unknown => Source::Unknown,
                    };
                    renderings.origins.insert(
                        object,
                        ObjectOrigin {
                            root: position,
                            source,
                        },
                    );
                }
                renderings.rendered_files.insert(file, (position, objects));
            }
            renderings.roots.push(root);
        }
        renderings
    }

    /// Whether `file` is Kustomize's output (never shown: findings there are relocated).
    pub fn is_rendered(&self, file: FileId) -> bool {
        self.rendered_files.contains_key(&file)
    }

    /// The source object a rendered object came from, if it is known: suppressions
    /// written on the source object's document cover it.
    pub fn source_object(&self, object: usize) -> Option<usize> {
        match self.origins.get(&object)?.source {
            Source::Resource { object, .. } => object,
            _ => None,
        }
    }

    /// The repository file a rendered object came from, if it is known.
    pub fn source_file(&self, object: usize) -> Option<FileId> {
        match self.origins.get(&object)?.source {
            Source::Resource { file, .. } => Some(file),
            Source::Generated { kustomization, .. } => self.kustomization_files[kustomization],
            Source::Unknown => None,
        }
    }

    /// The root a rendered object belongs to (a position in [`Renderings::roots`]).
    pub fn root_of(&self, object: usize) -> Option<usize> {
        self.origins.get(&object).map(|o| o.root)
    }

    /// What an origin annotation names, for objects of a root whose wrapper was `base`;
    /// the object within the file is matched per object afterwards.
    fn source_of(
        &self,
        annotation: &str,
        root: usize,
        base: &Path,
        aliases: &[(PathBuf, PathBuf)],
        numbered: &Numbered,
    ) -> Source {
        let loaded = load_documents(annotation);
        let Some(fields) = loaded.documents.first().map(|d| &d.root) else {
            return Source::Unknown;
        };
        let resolve = |written: &str| {
            let path = normalize(&base.join(written));
            match aliases.iter().find(|(copy, _)| *copy == path) {
                Some((_, original)) => original.clone(),
                None => super::plan::canonical(&path),
            }
        };
        if let Some(path) = fields.get("path").and_then(Node::as_str) {
            if fields.get("repo").is_some() {
                return Source::Unknown;
            }
            let path = resolve(path);
            let Some(&file) = numbered.file_ids.get(&path) else {
                return Source::Unknown;
            };
            let chain = self
                .plan
                .chain_to(root, &path)
                .unwrap_or_else(|| vec![root]);
            return Source::Resource {
                file,
                object: None,
                chain,
            };
        }
        if let Some(configured_in) = fields.get("configuredIn").and_then(Node::as_str) {
            let path = resolve(configured_in);
            if let Some(k) = self.plan.kustomizations.iter().position(|k| k.file == path) {
                return Source::Generated {
                    kustomization: k,
                    span: Span::default(),
                };
            }
        }
        Source::Unknown
    }

    /// A generated object's entry in its kustomization: the same kind, and the longest
    /// generator name the rendered name holds (prefixes and a hash suffix are added).
    fn generated(&self, object: &Object, kustomization: usize) -> Source {
        let span = self.plan.kustomizations[kustomization]
            .generators
            .iter()
            .filter(|g| g.kind == object.kind && object.name.contains(g.name.as_str()))
            .max_by_key(|g| g.name.len())
            .map_or(Span::default(), |g| g.span);
        Source::Generated {
            kustomization,
            span,
        }
    }

    /// Relocates a span of a rendered file into the repository; `None` when `file` is not
    /// rendered (the span is in the repository already).
    pub fn relocate(&self, objects: &[Object], file: FileId, span: Span) -> Option<Relocated> {
        let (root_position, in_file) = self.rendered_files.get(&file)?;
        let root = &self.roots[*root_position];
        let root_file = self.kustomization_files[root.kustomization];
        let fallback = Relocated {
            file: root_file.unwrap_or(file),
            span: Span::default(),
            via: None,
        };
        // The object holding the span: the last one starting at or before it.
        let at = in_file.partition_point(|&o| objects[o].root.span.start <= span.start);
        let Some(&object_index) = at.checked_sub(1).and_then(|i| in_file.get(i)) else {
            return Some(fallback);
        };
        let rendered = &objects[object_index];
        let origin = self.origins.get(&object_index)?;
        match &origin.source {
            Source::Unknown => Some(fallback),
            Source::Generated {
                kustomization,
                span,
            } => Some(Relocated {
                file: self.kustomization_files[*kustomization].unwrap_or(fallback.file),
                span: *span,
                via: None,
            }),
            Source::Resource {
                file: source_file,
                object,
                chain,
            } => {
                let path = path_to(&rendered.root, span);
                let source = object.map(|o| &objects[o]);
                Some(self.locate_field(
                    rendered,
                    source,
                    *source_file,
                    chain,
                    &path.steps,
                    path.part,
                ))
            }
        }
    }

    /// Rules 1 to 4 of the module doc for one field of a rendered object.
    fn locate_field(
        &self,
        rendered: &Object,
        source: Option<&Object>,
        source_file: FileId,
        chain: &[usize],
        steps: &[Step],
        part: Part,
    ) -> Relocated {
        let Some(source) = source else {
            return Relocated {
                file: source_file,
                span: Span::default(),
                via: None,
            };
        };
        let rendered_node = follow(&rendered.root, steps).map(|f| f.node);
        let leaf = part == Part::Value && rendered_node.is_some_and(is_leaf);
        let patches = self.applied_patches(chain, rendered, source);
        let written_by_patch = |prefer_equal: bool| {
            let mut first = None;
            for patch in patches.iter().rev() {
                for doc in patch.docs.iter().rev() {
                    if let Some((span, node)) = doc.writes(steps, part) {
                        let equal = match (node, rendered_node) {
                            (Some(a), Some(b)) => same_value(a, b),
                            _ => false,
                        };
                        let located = Relocated {
                            file: patch.file,
                            span,
                            // A value changed after the patch: by a transformer.
                            via: if leaf && !equal {
                                self.transformer_for(chain, steps)
                            } else {
                                None
                            },
                        };
                        if !prefer_equal || equal {
                            return Some(located);
                        }
                        first.get_or_insert(located);
                    }
                }
            }
            first
        };
        if leaf {
            if let Some(located) = written_by_patch(true) {
                return located;
            }
        }
        if let Some(found) = follow(&source.root, steps) {
            // Written here, but a transformer may have changed the value (`namePrefix`
            // renames `serviceAccountName` references, `namespace:` the namespace).
            let changed =
                leaf && rendered_node.is_some_and(|rendered| !same_value(found.node, rendered));
            return Relocated {
                file: source_file,
                span: found.span(part),
                via: if changed {
                    self.transformer_for(chain, steps)
                } else {
                    None
                },
            };
        }
        if let Some(located) = written_by_patch(false) {
            return located;
        }
        // A transformer: the nearest field the source writes, and the transformer's line.
        let (depth, nearest) = follow_longest(&source.root, steps);
        let span = if depth == 0 {
            source.name_span()
        } else {
            nearest.span(Part::Key)
        };
        Relocated {
            file: source_file,
            span,
            via: self.transformer_for(chain, steps),
        }
    }

    /// The patches that may apply to a rendered object, in the order Kustomize applies
    /// them: the innermost kustomization's first, and within one kustomization its
    /// components' patches before its own.
    fn applied_patches(
        &self,
        chain: &[usize],
        rendered: &Object,
        source: &Object,
    ) -> Vec<&ParsedPatch> {
        let mut kustomizations = Vec::new();
        for &k in chain.iter().rev() {
            for component in self.components_of(k) {
                kustomizations.push(component);
            }
            kustomizations.push(k);
        }
        let names = [rendered.name.as_str(), source.name.as_str()];
        let namespaces = [
            rendered.declared_namespace.as_deref(),
            source.declared_namespace.as_deref(),
        ];
        let labels = |map: &str| -> Vec<(String, String)> {
            rendered
                .metadata()
                .and_then(|m| m.get(map))
                .and_then(Node::as_map)
                .map(|entries| {
                    entries
                        .iter()
                        .filter_map(|e| {
                            Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut applied = Vec::new();
        for k in kustomizations {
            for patch in &self.patches[k] {
                let applies = match &patch.target {
                    Some(selector) => selects(
                        selector,
                        &rendered.api_version,
                        &rendered.kind,
                        &names,
                        &namespaces,
                        &labels,
                    ),
                    // A strategic-merge patch names its target itself.
                    None => true,
                };
                if applies {
                    applied.push(patch);
                }
            }
        }
        // Untargeted strategic-merge documents must name the object.
        applied.retain(|patch| {
            patch.target.is_some()
                || patch.docs.iter().any(|doc| match doc {
                    super::patch::PatchDoc::Strategic(root) => {
                        names_object(root, &rendered.kind, &names)
                    }
                    super::patch::PatchDoc::Json(_) => false,
                })
        });
        applied
    }

    /// The components a kustomization lists, and theirs.
    fn components_of(&self, k: usize) -> Vec<usize> {
        self.plan.kustomizations[k]
            .components
            .iter()
            .filter_map(|r| r.local())
            .filter_map(|dir| self.plan.in_dir(dir))
            .collect()
    }

    /// The transformer that makes the field at `steps`, in the outermost kustomization of
    /// the chain that has it.
    fn transformer_for(&self, chain: &[usize], steps: &[Step]) -> Option<(FileId, Span, String)> {
        let key = |i: usize| match steps.get(i) {
            Some(Step::Key(key)) => Some(&**key),
            _ => None,
        };
        let last = match steps.last() {
            Some(Step::Key(key)) => Some(&**key),
            _ => None,
        };
        let candidates: &[&str] = match (key(0), key(1)) {
            (Some("metadata"), Some("namespace")) => &["namespace"],
            (Some("metadata"), Some("name")) => &["namePrefix", "nameSuffix"],
            // References to renamed objects are renamed with them.
            _ if matches!(last, Some("serviceAccountName" | "serviceAccount"))
                || (matches!(key(0), Some("roleRef" | "subjects")) && last == Some("name")) =>
            {
                &["namePrefix", "nameSuffix"]
            }
            (Some("metadata"), Some("labels")) => &["labels", "commonLabels"],
            (Some("metadata"), Some("annotations")) => &["commonAnnotations"],
            (Some("spec"), Some("replicas")) => &["replicas"],
            _ if steps
                .iter()
                .any(|s| matches!(s, Step::Key(k) if &**k == "image")) =>
            {
                &["images"]
            }
            // Subjects' namespaces follow `namespace:` too.
            _ if steps.last() == Some(&Step::Key("namespace".into())) => &["namespace"],
            _ => &[],
        };
        for &k in chain {
            let kustomization: &Kustomization = &self.plan.kustomizations[k];
            for candidate in candidates {
                if let (Some(transformer), Some(file)) = (
                    kustomization.transformer(candidate),
                    self.kustomization_files[k],
                ) {
                    let value = transformer
                        .value
                        .as_ref()
                        .map(|v| format!(": {v}"))
                        .unwrap_or_default();
                    return Some((
                        file,
                        transformer.key_span,
                        format!("set by Kustomize's `{}{value}`", transformer.key),
                    ));
                }
            }
        }
        None
    }
}

/// The patches of a kustomization, parsed from their files (or from it, inline).
fn parse_patches(
    kustomization: &Kustomization,
    own_file: Option<FileId>,
    numbered: &Numbered,
) -> Vec<ParsedPatch> {
    kustomization
        .patches
        .iter()
        .filter_map(|patch| {
            let file = match &patch.source {
                PatchSource::File(reference) => *numbered.file_ids.get(reference.local()?)?,
                PatchSource::Inline { .. } => own_file?,
            };
            let text = &numbered.files[file].text;
            Some(ParsedPatch::parse(patch, file, text))
        })
        .collect()
}

/// Whether a strategic-merge patch document names this object (`kind` and
/// `metadata.name`, the rendered or the source name).
fn names_object(root: &Node, kind: &str, names: &[&str]) -> bool {
    root.get("kind").and_then(Node::as_str) == Some(kind)
        && root
            .path(&["metadata", "name"])
            .and_then(Node::as_str)
            .is_some_and(|name| names.contains(&name))
}

/// A scalar, or a list of scalars (Kustomize replaces such lists whole).
fn is_leaf(node: &Node) -> bool {
    match &node.value {
        Value::Scalar(_) => true,
        Value::Seq(items) => items.iter().all(|i| matches!(i.value, Value::Scalar(_))),
        Value::Map(_) => false,
    }
}

/// Whether two nodes hold the same scalars (a patch value and the rendered one).
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Scalar(x), Value::Scalar(y)) => x.text == y.text,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same_value(a, b))
        }
        _ => false,
    }
}

/// The object of a file (`candidates`, its objects) a rendered object came from: the same
/// kind, and the longest name the rendered name holds (Kustomize adds prefixes and suffixes
/// around it); the one object of that kind when no name fits.
fn matching_object(rendered: &Object, candidates: &[usize], objects: &[Object]) -> Option<usize> {
    let same_kind: Vec<&Object> = candidates
        .iter()
        .map(|&i| &objects[i])
        .filter(|o| o.kind == rendered.kind)
        .collect();
    let by_name = same_kind
        .iter()
        .filter(|o| !o.name.is_empty() && rendered.name.contains(o.name.as_str()))
        .max_by_key(|o| (o.name.len(), std::cmp::Reverse(o.index)));
    match by_name {
        Some(object) => Some(object.index),
        None if same_kind.len() == 1 => Some(same_kind[0].index),
        None => None,
    }
}
