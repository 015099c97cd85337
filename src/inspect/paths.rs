//! `salint paths FROM [--to IDENTITY | --to-capability NAME]`, and the "Can become" part
//! of `explain-sa`: the shortest escalation paths from one identity, hop by hop with the
//! binding and rule of each step, from `crate::graph::escalation` (the closure the rule
//! `escalation-path` reports from, so the two never disagree).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{at, InspectError, Location, View};
use crate::graph::escalation::{
    binding_label, request_words, Escalation, Identity, Node, Path, CLUSTER_ADMIN, SLOTS,
};
use crate::model::Namespace;
use crate::rules::escalation_path::{capability_path_phrase, slot_name, slot_what};

/// The answer of `salint paths`, as printed by `--format json`.
#[derive(Debug, Serialize)]
pub struct Paths {
    pub from: String,
    pub paths: Vec<PathView>,
}

/// One shortest path: to an identity (or a role it binds to itself), or to a capability.
#[derive(Debug, Clone, Serialize)]
pub struct PathView {
    /// `identity`, `role` or `capability`.
    pub kind: &'static str,
    /// The identity's label, or the capability's name (`cluster-admin`, `secrets-access`).
    pub to: String,
    /// For a capability: what it lets one do.
    pub what: Option<&'static str>,
    pub steps: u32,
    /// The whole path in words.
    pub text: String,
    /// For a capability: how the end of the path holds it ("which ClusterRoleBinding ops
    /// binds to ClusterRole cluster-admin").
    pub held_through: Option<String>,
    pub hops: Vec<HopView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HopView {
    pub from: String,
    pub to: String,
    /// The step's kind (`run-as`, `mint-token`, ...), or `member` for group membership.
    pub step: &'static str,
    /// The request that makes the step (`create pods`), and its companion.
    pub request: Option<String>,
    pub companion: Option<String>,
    pub binding: Option<String>,
    pub binding_location: Option<Location>,
    pub rule_location: Option<Location>,
    pub companion_location: Option<Location>,
}

/// Reads FROM: `NS/NAME` or `ServiceAccount:NS/NAME`, `User:NAME`, `Group:NAME`.
pub fn parse_identity(text: &str) -> Result<Identity, InspectError> {
    let bad = || InspectError::Identity(text.to_string());
    if let Some(name) = text.strip_prefix("User:") {
        return (!name.is_empty())
            .then(|| Identity::User(name.into()))
            .ok_or_else(bad);
    }
    if let Some(name) = text.strip_prefix("Group:") {
        return (!name.is_empty())
            .then(|| Identity::Group(name.into()))
            .ok_or_else(bad);
    }
    let sa = text.strip_prefix("ServiceAccount:").unwrap_or(text);
    match sa.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => Ok(
            Identity::service_account(&Namespace::Named(ns.to_string()), name),
        ),
        _ => Err(bad()),
    }
}

/// The capability slot named `name` (`cluster-admin`, or a permission rule's name).
pub fn parse_capability(name: &str) -> Result<usize, InspectError> {
    (0..SLOTS)
        .find(|&slot| slot_name(slot) == name)
        .ok_or_else(|| {
            InspectError::Capability(
                name.to_string(),
                (0..SLOTS).map(slot_name).collect::<Vec<_>>().join(", "),
            )
        })
}

/// What the query keeps.
#[derive(Debug, Clone)]
pub enum Wanted {
    All,
    Identity(Identity),
    Capability(usize),
}

/// Whether the graph knows the identity (`paths` looks only at the clusters that do).
pub fn knows(graph: &crate::graph::Graph, identity: &Identity) -> bool {
    graph
        .escalation()
        .id(&Node::Identity(identity.clone()))
        .is_some()
}

/// Every shortest path from `from`: to each identity and role it reaches, then to each
/// capability it does not hold itself.
pub fn paths(view: &View, from: &Identity, wanted: &Wanted) -> Result<Paths, InspectError> {
    let esc = view.graph.escalation();
    let Some(id) = esc.id(&Node::Identity(from.clone())) else {
        return Err(InspectError::UnknownIdentity(from.label()));
    };
    let mut found = Vec::new();
    if !matches!(wanted, Wanted::Capability(_)) {
        for (steps, path) in esc.paths_from(id) {
            let (kind, to) = match esc.node(path.end) {
                Node::Identity(identity) => {
                    if let Wanted::Identity(target) = wanted {
                        if target != identity {
                            continue;
                        }
                    }
                    ("identity", identity.label())
                }
                Node::Granted { .. } if matches!(wanted, Wanted::All) => {
                    ("role", esc.node(path.end).label())
                }
                _ => continue,
            };
            if steps == 0 {
                // Its own groups: membership, not a step.
                continue;
            }
            found.push(path_view(view, esc, &path, kind, to, None, steps));
        }
    }
    if !matches!(wanted, Wanted::Identity(_)) {
        found.extend(capabilities(view, id, wanted));
    }
    Ok(Paths {
        from: from.label(),
        paths: found,
    })
}

/// The capabilities `id` reaches through at least one step.
pub fn capabilities(view: &View, id: u32, wanted: &Wanted) -> Vec<PathView> {
    let esc = view.graph.escalation();
    let mut found = Vec::new();
    for slot in 0..SLOTS {
        if let Wanted::Capability(only) = wanted {
            if *only != slot {
                continue;
            }
        }
        let Some((steps, path)) = esc.path_to_capability(id, slot) else {
            continue;
        };
        if steps == 0 {
            continue;
        }
        let mut view_of = path_view(
            view,
            esc,
            &path,
            "capability",
            slot_name(slot).to_string(),
            Some(slot_what(slot)),
            steps,
        );
        view_of.text = capability_path_phrase(view.graph, esc, &path, slot);
        view_of.held_through = Some(esc.holding_phrase(view.graph, path.end, slot));
        found.push(view_of);
        if slot == CLUSTER_ADMIN && matches!(wanted, Wanted::All) {
            // Cluster-admin holds every other capability.
            break;
        }
    }
    found
}

/// A path to an identity, for `who-can --transitive`.
pub fn path_view_of(view: &View, path: &Path, steps: u32) -> PathView {
    let esc = view.graph.escalation();
    let to = esc.node(path.end).label();
    path_view(view, esc, path, "identity", to, None, steps)
}

fn path_view(
    view: &View,
    esc: &Escalation,
    path: &Path,
    kind: &'static str,
    to: String,
    what: Option<&'static str>,
    steps: u32,
) -> PathView {
    let graph = view.graph;
    let hops = esc
        .hops(path)
        .into_iter()
        .map(|hop| {
            let locate_rule = |allowed: &crate::graph::escalation::Allowed| {
                let holder = &graph.roles[allowed.holder];
                view.locate(holder.object.file, holder.rules[allowed.rule].span())
            };
            match hop.step {
                None => HopView {
                    from: esc.node(hop.from).label(),
                    to: esc.node(hop.to).label(),
                    step: "member",
                    request: None,
                    companion: None,
                    binding: None,
                    binding_location: None,
                    rule_location: None,
                    companion_location: None,
                },
                Some(step) => HopView {
                    from: esc.node(hop.from).label(),
                    to: esc.node(hop.to).label(),
                    step: step.kind.name(),
                    request: Some(request_words(&step.allowed)),
                    companion: step.companion.as_deref().map(request_words),
                    binding: step.allowed.binding.map(|b| binding_label(graph, b)),
                    binding_location: step
                        .allowed
                        .binding
                        .and_then(|b| view.locate_object(graph.bindings[b].object)),
                    rule_location: locate_rule(&step.allowed),
                    companion_location: step.companion.as_deref().and_then(locate_rule),
                },
            }
        })
        .collect();
    PathView {
        kind,
        to,
        what,
        steps,
        text: esc.path_phrase(graph, path),
        held_through: None,
        hops,
    }
}

/// The paths as text, hop by hop with `file:line`.
pub fn render_paths(paths: &[PathView], indent: &str) -> String {
    let t = |text: &str| crate::escape::text(text).into_owned();
    let mut out = String::new();
    for path in paths {
        let what = match path.what {
            Some(what) => format!("{} ({what})", t(&path.to)),
            None => t(&path.to),
        };
        let plural = if path.steps == 1 { "" } else { "s" };
        out.push_str(&format!(
            "{indent}{what}, in {} step{plural}:\n",
            path.steps
        ));
        for hop in &path.hops {
            match &hop.request {
                None => out.push_str(&format!(
                    "{indent}  {} is a member of {}\n",
                    t(&hop.from),
                    t(&hop.to)
                )),
                Some(request) => {
                    let through = match &hop.binding {
                        Some(binding) => {
                            format!(" through {}{}", t(binding), at(&hop.binding_location))
                        }
                        None => String::new(),
                    };
                    out.push_str(&format!(
                        "{indent}  {} → {} [{}: {}{}]{through}\n",
                        t(&hop.from),
                        t(&hop.to),
                        hop.step,
                        t(request),
                        at(&hop.rule_location)
                    ));
                    if let Some(companion) = &hop.companion {
                        out.push_str(&format!(
                            "{indent}    with {}{}\n",
                            t(companion),
                            at(&hop.companion_location)
                        ));
                    }
                }
            }
        }
        if let Some(held) = &path.held_through {
            let end = path.hops.last().map_or(String::new(), |hop| t(&hop.to));
            out.push_str(&format!("{indent}  {end}, {}\n", t(held)));
        }
    }
    out
}

/// The human text of `salint paths`.
pub fn render_human(answer: &Paths) -> String {
    let mut out = format!(
        "Escalation paths from {}:\n\n",
        crate::escape::text(&answer.from)
    );
    if answer.paths.is_empty() {
        out.push_str("  none: it becomes nothing more through the manifests\n");
    }
    out.push_str(&render_paths(&answer.paths, "  "));
    out
}

/// Nodes (in order of first appearance) and edges of the paths, for the diagrams.
fn diagram(answer: &Paths) -> (Vec<String>, BTreeMap<(usize, usize), &'static str>) {
    let mut nodes: Vec<String> = vec![answer.from.clone()];
    let index = |label: &str, nodes: &mut Vec<String>| match nodes.iter().position(|n| n == label) {
        Some(i) => i,
        None => {
            nodes.push(label.to_string());
            nodes.len() - 1
        }
    };
    let mut edges = BTreeMap::new();
    for path in &answer.paths {
        for hop in &path.hops {
            let from = index(&hop.from, &mut nodes);
            let to = index(&hop.to, &mut nodes);
            edges.entry((from, to)).or_insert(hop.step);
        }
        if path.kind == "capability" {
            let last = path.hops.last().map_or(0, |hop| index(&hop.to, &mut nodes));
            let capability = index(&path.to, &mut nodes);
            edges.entry((last, capability)).or_insert("holds");
        }
    }
    (nodes, edges)
}

/// A Mermaid flowchart of the paths; labels escaped as `salint graph` escapes them.
pub fn mermaid(answer: &Paths) -> String {
    let (nodes, edges) = diagram(answer);
    let mut out = String::from("flowchart LR\n");
    for (i, label) in nodes.iter().enumerate() {
        out.push_str(&format!(
            "  n{i}[\"{}\"]\n",
            super::graph_render::mermaid_escape(label)
        ));
    }
    for ((from, to), step) in &edges {
        let arrow = if *step == "member" { "-.->" } else { "-->" };
        out.push_str(&format!("  n{from} {arrow}|\"{step}\"| n{to}\n"));
    }
    out
}

/// Graphviz DOT of the paths.
pub fn dot(answer: &Paths) -> String {
    let (nodes, edges) = diagram(answer);
    let mut out = String::from(
        "digraph paths {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10, shape=box];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (i, label) in nodes.iter().enumerate() {
        out.push_str(&format!(
            "  n{i} [label=\"{}\"];\n",
            super::graph_render::dot_escape(label)
        ));
    }
    for ((from, to), step) in &edges {
        let style = if *step == "member" {
            ", style=dotted"
        } else {
            ""
        };
        out.push_str(&format!("  n{from} -> n{to} [label=\"{step}\"{style}];\n"));
    }
    out.push_str("}\n");
    out
}
