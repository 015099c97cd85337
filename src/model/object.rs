//! One Kubernetes object read from a document (or a List item), with its span tree.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use super::workload::{is_builtin_workload, pod_spec_path, TOKEN_MOUNT_PATH};
use super::Namespace;
use crate::source::{FileId, Span};
use crate::yaml::{DuplicateKey, Entry, Node, Value};

/// Kinds that are cluster-scoped: their `metadata.namespace` is meaningless.
const CLUSTER_SCOPED: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "Namespace",
    "Node",
    "PersistentVolume",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CertificateSigningRequest",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "VolumeAttachment",
];

/// A Kubernetes object: a mapping with `apiVersion` and `kind`.
#[derive(Debug, Clone)]
pub struct Object {
    pub file: FileId,
    /// Position in the run's object list.
    pub index: usize,
    /// The text ahead of the object's document (its head comments: Helm's `# Source:`,
    /// `# salint: ignore[...]`). List items share their List's head.
    pub head: Span,
    /// The object's mapping; its span is the object's range in the file. Whole for the kinds
    /// the rules read (see [`is_modelled_kind`]) but for the parts of them no rule reads
    /// ([`unread_parts`]); for other kinds only what every object is asked for: `apiVersion`,
    /// `kind`, `metadata` and `spec.template`.
    pub root: Node,
    pub api_version: String,
    pub kind: String,
    /// `metadata.name`, or `generateName`, or empty.
    pub name: String,
    /// `metadata.namespace` as written, if any.
    pub declared_namespace: Option<String>,
    /// Helm's `# Source:` comment ahead of the document.
    pub origin: Option<String>,
    /// Keys set twice in one of the object's mappings, left-out parts included.
    pub duplicate_keys: Vec<DuplicateKey>,
}

impl Object {
    /// Reads the identity of an object; `None` for documents that are not objects.
    pub fn from_node(root: Node, head: Span, origin: Option<String>) -> Option<Object> {
        let api_version = root.get("apiVersion")?.as_str()?.to_string();
        let kind = root.get("kind")?.as_str()?.to_string();
        let metadata = root.get("metadata");
        let name = metadata
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let declared_namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .filter(|ns| !ns.is_empty())
            .map(str::to_string);
        let root = if keeps_unread_parts() {
            root
        } else if let Some((path, keys)) = unread_parts(&kind) {
            without_keys_at(root, path, keys)
        } else if is_builtin_workload(&kind) {
            without_container_details(root, pod_spec_path(&kind))
        } else if is_modelled_kind(&kind) {
            root
        } else {
            prune(root)
        };
        Some(Object {
            file: 0,
            index: 0,
            head,
            root,
            api_version,
            kind,
            name,
            declared_namespace,
            origin,
            duplicate_keys: Vec::new(),
        })
    }

    pub fn is_cluster_scoped(&self) -> bool {
        CLUSTER_SCOPED.contains(&self.kind.as_str())
    }

    /// The namespace the object lives in, given the run's implicit namespace.
    pub fn namespace(&self, implicit: &Namespace) -> Namespace {
        match &self.declared_namespace {
            Some(ns) => Namespace::Named(ns.clone()),
            None => implicit.clone(),
        }
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    pub fn span(&self) -> Span {
        self.root.span
    }

    /// The span of `metadata.name`'s value, else `kind`'s: where to point for the object.
    pub fn name_span(&self) -> Span {
        self.root
            .path(&["metadata", "name"])
            .or_else(|| self.root.get("kind"))
            .map_or(self.root.span, |n| n.span)
    }

    /// The value of a label or annotation.
    pub fn meta_map_value(&self, map: &str, key: &str) -> Option<&Node> {
        self.metadata()?.get(map)?.get(key)
    }
}

/// Kinds the model reads beyond identity and metadata: ServiceAccounts, RBAC, token
/// Secrets and the built-in workloads. Their trees are kept whole, but for the parts no
/// rule reads ([`unread_parts`]). Everything else, the bulk of a real manifest
/// set (ConfigMaps, CRDs, Services), keeps only what [`prune`] leaves, so a run holds the
/// model and its spans rather than every parse tree. A rule that starts reading another
/// kind's fields adds the kind here.
pub fn is_modelled_kind(kind: &str) -> bool {
    matches!(
        kind,
        "ServiceAccount" | "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" | "Secret"
    ) || is_builtin_workload(kind)
}

/// The pod spec keys that hold a built-in workload's containers. Of a container, only the
/// `name` and `mountPath` of its `volumeMounts` at the token path are kept
/// ([`CONTAINER_KEYS_READ`], [`VOLUME_MOUNT_KEYS_READ`]): whether the admission plugin
/// mounts the token depends on what the containers already mount there, and nothing reads
/// the rest, which is most of a workload's nodes (images, env, probes, resources).
pub const CONTAINER_LISTS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

/// The keys of a built-in workload's containers that the tree keeps.
pub const CONTAINER_KEYS_READ: &[&str] = &["volumeMounts"];

/// The keys of a container's `volumeMounts` items that the tree keeps.
pub const VOLUME_MOUNT_KEYS_READ: &[&str] = &["name", "mountPath"];

/// [`CONTAINER_LISTS`] as the loader names their items on a [`Prune`] path.
///
/// [`Prune`]: crate::yaml::Prune
const CONTAINER_ITEMS: &[&str] = &["containers[]", "initContainers[]", "ephemeralContainers[]"];

/// The keys of a Secret's values, which no rule reads (a token Secret is known by its
/// `type` and annotation) and salint has no business holding.
pub const SECRET_VALUES: &[&str] = &["data", "stringData"];

/// The parts of a modelled kind's tree no rule reads, as the keys left out of the mapping
/// at a path: a Secret's values (a built-in workload's containers are cut down too, see
/// [`CONTAINER_LISTS`]). Duplicate keys in them are still found while parsing
/// ([`Object::duplicate_keys`]). A rule that starts reading one of these parts takes it out
/// of here.
pub fn unread_parts(kind: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    (kind == "Secret").then_some((&[], SECRET_VALUES))
}

/// A switch for tests only: set, objects keep every part of their trees (nothing is left
/// out while parsing nor dropped after), so a test can lint with and without the pruning of
/// unread parts and compare the findings (tests/pruning.rs). Process-wide, so it is set only
/// by a test binary whose one test does the comparison.
#[doc(hidden)]
pub static KEEP_UNREAD_PARTS: AtomicBool = AtomicBool::new(false);

/// Whether [`KEEP_UNREAD_PARTS`] is set.
pub(crate) fn keeps_unread_parts() -> bool {
    KEEP_UNREAD_PARTS.load(Ordering::Relaxed)
}

/// What the loader may leave out while parsing a document of `kind` (a [`Prune`]): exactly
/// what [`Object::from_node`] drops from the whole tree, so the parts no rule reads are
/// never built. `List` kinds are never pruned: their items are objects of their own.
///
/// [`Prune`]: crate::yaml::Prune
pub fn may_leave_out(kind: &str, path: &[&str], key: &str) -> bool {
    if let Some((at, keys)) = unread_parts(kind) {
        return keys.contains(&key) && path == at;
    }
    if is_builtin_workload(kind) {
        let pod_spec = pod_spec_path(kind);
        let kept = match path.strip_prefix(pod_spec) {
            Some([container]) if CONTAINER_ITEMS.contains(container) => CONTAINER_KEYS_READ,
            Some([container, "volumeMounts[]"]) if CONTAINER_ITEMS.contains(container) => {
                VOLUME_MOUNT_KEYS_READ
            }
            _ => return false,
        };
        // A merge key may bring kept keys in: the whole tree is cut down after merging.
        return !kept.contains(&key) && key != "<<";
    }
    if is_modelled_kind(kind) || kind.ends_with("List") {
        return false;
    }
    match path {
        [] => !matches!(key, "apiVersion" | "kind" | "metadata" | "spec"),
        ["spec"] => key != "template",
        _ => false,
    }
}

/// A tree without the entries of `keys` in the mapping at `path` (see [`unread_parts`]).
/// Applied to trees parsed whole and to pruned ones alike, so entries that came in through
/// an alias or a merge key go too, and both give the same tree.
fn without_keys_at(node: Node, path: &[&str], keys: &[&str]) -> Node {
    let key_is =
        |entry: &Entry, name: &str| entry.key.as_scalar().is_some_and(|k| &*k.text == name);
    match path.split_first() {
        None => filter_entries(node, &|entry: Entry| {
            (!keys.iter().any(|key| key_is(&entry, key))).then_some(entry)
        }),
        Some((first, rest)) => filter_entries(node, &|entry: Entry| {
            Some(if key_is(&entry, first) {
                Entry {
                    value: without_keys_at(entry.value, rest, keys),
                    key: entry.key,
                }
            } else {
                entry
            })
        }),
    }
}

/// A workload's tree whose containers (at the pod spec at `path`) keep only
/// [`CONTAINER_KEYS_READ`], as [`may_leave_out`] leaves them while parsing.
fn without_container_details(node: Node, path: &[&str]) -> Node {
    let key_is =
        |entry: &Entry, name: &str| entry.key.as_scalar().is_some_and(|k| &*k.text == name);
    match path.split_first() {
        None => filter_entries(node, &|entry: Entry| {
            if !CONTAINER_LISTS.iter().any(|list| key_is(&entry, list)) {
                return Some(entry);
            }
            let value = match entry.value.value {
                Value::Seq(items) => Node {
                    span: entry.value.span,
                    value: Value::Seq(
                        items
                            .into_vec()
                            .into_iter()
                            .map(|item| {
                                let container =
                                    keep_entries(item, &|k| CONTAINER_KEYS_READ.contains(&k));
                                token_path_mounts(container)
                            })
                            .collect(),
                    ),
                },
                value => Node {
                    span: entry.value.span,
                    value,
                },
            };
            Some(Entry {
                key: entry.key,
                value,
            })
        }),
        Some((first, rest)) => filter_entries(node, &|entry: Entry| {
            Some(if key_is(&entry, first) {
                Entry {
                    value: without_container_details(entry.value, rest),
                    key: entry.key,
                }
            } else {
                entry
            })
        }),
    }
}

/// Drops what nothing reads from an object of another kind. Kept: `apiVersion`, `kind`,
/// `metadata` (identity, labels, owners, suppression annotations) and `spec.template`,
/// which makes a custom kind a workload when it has a pod spec with containers (Argo
/// Rollout, Knative Service) and may carry suppression annotations. Duplicate keys stay in
/// order, so last-one-wins lookups give what they gave on the whole tree; spans are kept.
fn prune(root: Node) -> Node {
    let spec = |value: Node| keep_entries(value, &|key| key == "template");
    let top = |entry: Entry| match entry.key.as_str() {
        Some("apiVersion" | "kind" | "metadata") => Some(entry),
        Some("spec") => Some(Entry {
            value: spec(entry.value),
            key: entry.key,
        }),
        _ => None,
    };
    filter_entries(root, &top)
}

/// A container with only its `volumeMounts` at the token path, each with only
/// [`VOLUME_MOUNT_KEYS_READ`]: the one question asked of containers is what they mount
/// there, and a workload has many containers and mounts (keeping them all cost a tenth of
/// the peak memory of a large run).
fn token_path_mounts(container: Node) -> Node {
    filter_entries(container, &|entry: Entry| {
        let Value::Seq(mounts) = entry.value.value else {
            return Some(entry);
        };
        let at_token_path =
            |mount: &Node| mount.get("mountPath").and_then(Node::as_str) == Some(TOKEN_MOUNT_PATH);
        let kept: Box<[Node]> = mounts
            .into_vec()
            .into_iter()
            .filter(at_token_path)
            .map(|mount| keep_entries(mount, &|k| VOLUME_MOUNT_KEYS_READ.contains(&k)))
            .collect();
        (!kept.is_empty()).then_some(Entry {
            key: entry.key,
            value: Node {
                span: entry.value.span,
                value: Value::Seq(kept),
            },
        })
    })
}

fn keep_entries(node: Node, keep: &dyn Fn(&str) -> bool) -> Node {
    filter_entries(node, &|entry: Entry| {
        entry.key.as_str().is_some_and(keep).then_some(entry)
    })
}

/// A mapping with only the entries `filter` returns; other nodes unchanged.
fn filter_entries(node: Node, filter: &dyn Fn(Entry) -> Option<Entry>) -> Node {
    match node.value {
        Value::Map(entries) => Node {
            span: node.span,
            value: Value::Map(entries.into_vec().into_iter().filter_map(filter).collect()),
        },
        value => Node {
            span: node.span,
            value,
        },
    }
}

/// Kind, namespace and name: how findings name an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ObjectRef {
    pub kind: String,
    /// `None` for cluster-scoped objects and for objects in an unknown implicit namespace.
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn of(object: &Object, implicit: &Namespace) -> ObjectRef {
        let namespace = if object.is_cluster_scoped() {
            None
        } else {
            object.namespace(implicit).name().map(str::to_string)
        };
        ObjectRef {
            kind: object.kind.clone(),
            namespace,
            name: object.name.clone(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}
