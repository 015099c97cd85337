//! The picture `salint graph` draws: nodes for ServiceAccounts, workloads, bindings, roles
//! and group/user subjects, and the edges between them, with the risky ones marked.
//!
//! The picture is built once, independent of the output format, with ids that depend only
//! on the objects (sorted keys, numbered per kind), so DOT, Mermaid and JSON agree and a
//! re-run on the same input gives the same bytes. One node per workload identity
//! ([`Graph::workload_key`]): a Deployment, its ReplicaSets and Pods are one box.
//! Built-in ClusterRoles appear only when they matter to the input: bound by one of its
//! bindings, or aggregating (or aggregated by) one of its roles.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::text::{self, namespaced};
use super::{Location, View};
use crate::authz::subjects::{ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP};
use crate::graph::{Graph, WorkloadKey};
use crate::model::rbac::{Binding, SubjectKind};
use crate::model::Namespace;

#[derive(Debug, Serialize)]
pub struct Picture {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Serialize)]
pub struct Node {
    pub id: String,
    /// `service-account`, `workload`, `binding`, `role`, `group` or `user`.
    pub kind: &'static str,
    pub label: String,
    /// False for a ServiceAccount or role that is referenced but in neither the input nor
    /// the built-in roles.
    pub defined: bool,
    pub location: Option<Location>,
}

#[derive(Debug, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// `runs-as`, `member`, `subject`, `role`, `aggregates` or `escalates` (an escalation
    /// step, labelled with its kind).
    pub kind: &'static str,
    pub label: &'static str,
    /// A workload whose pods get no token of the ServiceAccount (drawn dashed).
    pub dashed: bool,
    /// A binding that gives cluster-admin, a capability of `crate::authz` or a `*` rule, or a
    /// workload that mounts the token of a ServiceAccount such a binding reaches.
    pub risky: bool,
}

/// Sort keys of nodes; the variant order is the order of the picture.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    ServiceAccount(Namespace, String),
    Workload(WorkloadKey),
    /// (kind, namespace, name, object index).
    Binding(String, Option<Namespace>, String, usize),
    /// (kind, namespace, name, index into `graph.roles`, or `None` when missing).
    Role(String, Option<Namespace>, String, Option<usize>),
    Group(String),
    User(String),
}

/// What a node shows, before it gets its id.
struct Draft {
    kind: &'static str,
    label: String,
    defined: bool,
    location: Option<Location>,
}

/// Builds the picture of the whole graph.
pub fn picture(view: &View) -> Picture {
    let graph = view.graph;
    let mut nodes: BTreeMap<Key, Draft> = BTreeMap::new();
    // (from, to, kind, label, dashed, risky)
    let mut edges: BTreeMap<(Key, Key, &'static str), (&'static str, bool, bool)> = BTreeMap::new();
    let risky: Vec<bool> = graph.bindings.iter().map(|b| is_risky(graph, b)).collect();
    let risky_object: HashMap<usize, bool> = graph
        .bindings
        .iter()
        .zip(&risky)
        .map(|(b, &r)| (b.object.index, r))
        .collect();

    for sa in &graph.service_accounts {
        nodes.insert(
            Key::ServiceAccount(sa.namespace.clone(), sa.name().to_string()),
            Draft {
                kind: "service-account",
                label: format!("ServiceAccount {}", namespaced(&sa.namespace, sa.name())),
                defined: true,
                location: view.locate_object(sa.object),
            },
        );
    }
    for (index, workload) in graph.workloads.iter().enumerate() {
        let key = graph.workload_key(index).clone();
        let is_top = key.kind == workload.object.kind && key.name == workload.object.name;
        let draft = nodes.entry(Key::Workload(key.clone())).or_insert(Draft {
            kind: "workload",
            label: format!("{} {}", key.kind, namespaced(&key.namespace, &key.name)),
            defined: true,
            location: None,
        });
        if is_top || draft.location.is_none() {
            draft.location = view.locate_object(workload.object);
        }
        let sa = sa_node(&mut nodes, &workload.namespace, &workload.service_account);
        let mounted =
            graph.effective_automount(workload).mounted || workload.projected_token.is_some();
        let sa_risky = graph
            .bindings_reaching(&workload.namespace, &workload.service_account)
            .iter()
            .any(|grant| risky_object.get(&grant.binding.object.index) == Some(&true));
        let entry = edges
            .entry((Key::Workload(key), sa, "runs-as"))
            .or_insert(("runs as", true, false));
        if mounted {
            entry.1 = false;
            entry.2 |= sa_risky;
        }
    }

    let included = included_roles(graph);
    for &index in &included {
        let role = &graph.roles[index];
        nodes.insert(
            role_key(graph, index),
            Draft {
                kind: "role",
                label: role_node_label(role),
                defined: true,
                location: view.locate_object(role.object),
            },
        );
    }
    for (b, binding) in graph.bindings.iter().enumerate() {
        let key = Key::Binding(
            binding.kind().to_string(),
            binding.namespace.clone(),
            binding.object.name.clone(),
            binding.object.index,
        );
        nodes.insert(
            key.clone(),
            Draft {
                kind: "binding",
                label: text::binding_label(binding),
                defined: true,
                location: view.locate_object(binding.object),
            },
        );
        for subject in &binding.subjects {
            let target = match subject.kind {
                SubjectKind::ServiceAccount => {
                    sa_node(&mut nodes, &subject.namespace, subject.name)
                }
                SubjectKind::Group => subject_node(&mut nodes, Key::Group(subject.name.into())),
                SubjectKind::User => subject_node(&mut nodes, Key::User(subject.name.into())),
            };
            edges.insert((key.clone(), target, "subject"), ("subject", false, false));
        }
        let role = match graph.bound_role(binding) {
            Some((index, _)) => Some(role_key(graph, index)),
            None => missing_role(&mut nodes, binding),
        };
        if let Some(role) = role {
            edges.insert((key, role, "role"), ("grants", false, risky[b]));
        }
    }
    for &aggregator in &included {
        let Some(selectors) = &graph.roles[aggregator].aggregation else {
            continue;
        };
        for &other in &included {
            let role = &graph.roles[other];
            if other != aggregator
                && role.cluster
                && selectors.iter().any(|s| s.matches(&role.labels))
            {
                edges.insert(
                    (
                        role_key(graph, aggregator),
                        role_key(graph, other),
                        "aggregates",
                    ),
                    ("aggregates", false, false),
                );
            }
        }
    }
    member_edges(&nodes, &mut edges);
    escalation_edges(graph, &nodes, &mut edges);
    number(nodes, edges)
}

/// The node of a ServiceAccount, added as "not defined" when no object defines it.
fn sa_node(nodes: &mut BTreeMap<Key, Draft>, namespace: &Namespace, name: &str) -> Key {
    let key = Key::ServiceAccount(namespace.clone(), name.to_string());
    nodes.entry(key.clone()).or_insert_with(|| Draft {
        kind: "service-account",
        label: format!(
            "ServiceAccount {} (not defined)",
            namespaced(namespace, name)
        ),
        defined: false,
        location: None,
    });
    key
}

fn subject_node(nodes: &mut BTreeMap<Key, Draft>, key: Key) -> Key {
    let (kind, label) = match &key {
        Key::Group(name) => ("group", format!("Group {name}")),
        Key::User(name) => ("user", format!("User {name}")),
        _ => unreachable!("only group and user subjects have nodes of their own"),
    };
    nodes.entry(key.clone()).or_insert(Draft {
        kind,
        label,
        defined: true,
        location: None,
    });
    key
}

/// A node for a roleRef that resolves to nothing.
fn missing_role(nodes: &mut BTreeMap<Key, Draft>, binding: &Binding) -> Option<Key> {
    let role_ref = binding.role_ref.as_ref()?;
    let namespace = (role_ref.kind == "Role")
        .then(|| binding.namespace.clone())
        .flatten();
    let label = match &namespace {
        Some(ns) => format!(
            "{} {} (missing)",
            role_ref.kind,
            namespaced(ns, role_ref.name)
        ),
        None => format!("{} {} (missing)", role_ref.kind, role_ref.name),
    };
    let key = Key::Role(
        role_ref.kind.to_string(),
        namespace,
        role_ref.name.to_string(),
        None,
    );
    nodes.entry(key.clone()).or_insert(Draft {
        kind: "role",
        label,
        defined: false,
        location: None,
    });
    Some(key)
}

/// The groups every ServiceAccount (of a namespace) is in: an edge to each SA node.
fn member_edges(
    nodes: &BTreeMap<Key, Draft>,
    edges: &mut BTreeMap<(Key, Key, &'static str), (&'static str, bool, bool)>,
) {
    for group in nodes.keys() {
        let Key::Group(name) = group else { continue };
        let reaches = |namespace: &Namespace| match name.as_str() {
            ALL_SERVICE_ACCOUNTS_GROUP | AUTHENTICATED_GROUP => true,
            other => other
                .strip_prefix("system:serviceaccounts:")
                .is_some_and(|ns| Namespace::Named(ns.to_string()).may_equal(namespace)),
        };
        for sa in nodes.keys() {
            if let Key::ServiceAccount(namespace, _) = sa {
                if reaches(namespace) {
                    edges.insert(
                        (group.clone(), sa.clone(), "member"),
                        ("includes", false, false),
                    );
                }
            }
        }
    }
}

/// The escalation steps between the identities drawn (`crate::graph::escalation`): one
/// edge per pair, labelled with the kind of its first step (`run-as`, `mint-token`, ...),
/// through the sets of ServiceAccounts a step reaches at once.
fn escalation_edges(
    graph: &Graph,
    nodes: &BTreeMap<Key, Draft>,
    edges: &mut BTreeMap<(Key, Key, &'static str), (&'static str, bool, bool)>,
) {
    use crate::graph::escalation::{Identity, Node};
    let esc = graph.escalation();
    let key_of = |node: &Node| -> Option<Key> {
        let key = match node {
            Node::Identity(Identity::ServiceAccount { namespace, name }) => {
                Key::ServiceAccount(namespace.clone(), name.clone())
            }
            Node::Identity(Identity::Group(name)) => Key::Group(name.clone()),
            Node::Identity(Identity::User(name)) => Key::User(name.clone()),
            _ => return None,
        };
        nodes.contains_key(&key).then_some(key)
    };
    for (id, node) in esc.nodes() {
        let Some(from) = key_of(node) else { continue };
        for edge in esc.edges(id) {
            let Some(step) = &edge.step else { continue };
            let mut stack = vec![edge.to];
            let mut seen = BTreeSet::new();
            while let Some(at) = stack.pop() {
                if !seen.insert(at) {
                    continue;
                }
                match esc.node(at) {
                    Node::Hub(_) => stack.extend(
                        esc.edges(at)
                            .iter()
                            .filter(|e| e.step.is_none())
                            .map(|e| e.to),
                    ),
                    target => {
                        if let Some(to) = key_of(target).filter(|to| *to != from) {
                            edges.entry((from.clone(), to, "escalates")).or_insert((
                                step.kind.name(),
                                false,
                                false,
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn role_key(graph: &Graph, index: usize) -> Key {
    let role = &graph.roles[index];
    Key::Role(
        role.kind().to_string(),
        role.namespace.clone(),
        role.name().to_string(),
        Some(index),
    )
}

fn role_node_label(role: &crate::model::rbac::Role) -> String {
    match &role.namespace {
        Some(ns) => format!("{} {}", role.kind(), namespaced(ns, role.name())),
        None => text::role_short(role),
    }
}

/// The roles drawn: all of the input's, and the built-in ones bound by an input binding or
/// directly aggregating or aggregated by an input role.
fn included_roles(graph: &Graph) -> BTreeSet<usize> {
    let aggregates = |a: usize, b: usize| {
        let (a, b) = (&graph.roles[a], &graph.roles[b]);
        b.cluster
            && a.aggregation
                .as_ref()
                .is_some_and(|selectors| selectors.iter().any(|s| s.matches(&b.labels)))
    };
    let input: Vec<usize> = (0..graph.roles.len())
        .filter(|&i| !graph.roles[i].builtin)
        .collect();
    let mut included: BTreeSet<usize> = input.iter().copied().collect();
    for binding in &graph.bindings {
        if let Some((index, _)) = graph.bound_role(binding) {
            included.insert(index);
        }
    }
    for builtin in (0..graph.roles.len()).filter(|&i| graph.roles[i].builtin) {
        if input
            .iter()
            .any(|&i| i != builtin && (aggregates(builtin, i) || aggregates(i, builtin)))
        {
            included.insert(builtin);
        }
    }
    included
}

/// Whether a binding is cluster-admin in effect, gives a dangerous capability or a rule
/// using `*` ([`crate::graph::Dangers::is_dangerous`], what `powerful-token-mounted` counts).
pub fn is_risky(graph: &Graph, binding: &Binding) -> bool {
    graph.dangers(binding).is_dangerous()
}

/// Gives every node its id (a prefix per kind, numbered in key order) and orders the edges
/// by their ends.
fn number(
    nodes: BTreeMap<Key, Draft>,
    edges: BTreeMap<(Key, Key, &'static str), (&'static str, bool, bool)>,
) -> Picture {
    let mut ids: BTreeMap<Key, (usize, String)> = BTreeMap::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (position, (key, draft)) in nodes.into_iter().enumerate() {
        let prefix = match draft.kind {
            "service-account" => "sa",
            "workload" => "w",
            "binding" => "b",
            "role" => "r",
            "group" => "g",
            _ => "u",
        };
        let count = counts.entry(prefix).or_default();
        *count += 1;
        let id = format!("{prefix}{count}");
        ids.insert(key, (position, id.clone()));
        out.push(Node {
            id,
            kind: draft.kind,
            label: draft.label,
            defined: draft.defined,
            location: draft.location,
        });
    }
    let mut edge_list: Vec<(usize, usize, Edge)> = edges
        .into_iter()
        .map(|((from, to, kind), (label, dashed, risky))| {
            let (from_pos, from_id) = ids[&from].clone();
            let (to_pos, to_id) = ids[&to].clone();
            (
                from_pos,
                to_pos,
                Edge {
                    from: from_id,
                    to: to_id,
                    kind,
                    label,
                    dashed,
                    risky,
                },
            )
        })
        .collect();
    edge_list.sort_by(|a, b| (a.0, a.1, a.2.kind).cmp(&(b.0, b.1, b.2.kind)));
    Picture {
        nodes: out,
        edges: edge_list.into_iter().map(|(_, _, e)| e).collect(),
    }
}
