//! `salint graph` output: the [`Picture`] as Graphviz DOT, as a Mermaid flowchart, or as
//! JSON. Mermaid is written for GitHub's renderer: `flowchart LR`, every label quoted,
//! risky edges red through `linkStyle` (indexes count edges in declaration order),
//! escalation steps as thick arrows (`==>`, bold orange in DOT), and
//! undefined ServiceAccounts and missing roles with a dashed border.

use super::graph_view::{Edge, Node, Picture};

/// Graphviz DOT (`salint graph --format dot | dot -Tsvg > graph.svg`).
pub fn dot(picture: &Picture) -> String {
    let mut out = String::from(
        "digraph salint {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for node in &picture.nodes {
        let shape = match node.kind {
            "service-account" => "ellipse",
            "workload" => "box",
            "binding" => "hexagon",
            "role" => "note",
            _ => "house",
        };
        let style = if node.defined { "" } else { ", style=dashed" };
        out.push_str(&format!(
            "  {} [label=\"{}\", shape={shape}{style}];\n",
            node.id,
            dot_escape(&node.label)
        ));
    }
    for edge in &picture.edges {
        let mut attributes = vec![format!("label=\"{}\"", dot_escape(edge_label(edge)))];
        if edge.dashed {
            attributes.push("style=dashed".to_string());
        } else if edge.kind == "escalates" {
            attributes.push("style=bold".to_string());
            attributes.push("color=darkorange".to_string());
        } else if edge.kind == "member" {
            attributes.push("style=dotted".to_string());
        }
        if edge.risky {
            attributes.push("color=red".to_string());
            attributes.push("fontcolor=red".to_string());
            attributes.push("penwidth=2".to_string());
        }
        out.push_str(&format!(
            "  {} -> {} [{}];\n",
            edge.from,
            edge.to,
            attributes.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart that GitHub renders in a ```mermaid block.
pub fn mermaid(picture: &Picture) -> String {
    let mut out = String::from("flowchart LR\n");
    for node in &picture.nodes {
        out.push_str(&format!("  {}\n", mermaid_node(node)));
    }
    let mut red = Vec::new();
    for (index, edge) in picture.edges.iter().enumerate() {
        let arrow = if edge.dashed || edge.kind == "member" {
            "-.->"
        } else if edge.kind == "escalates" {
            "==>"
        } else {
            "-->"
        };
        out.push_str(&format!(
            "  {} {arrow}|\"{}\"| {}\n",
            edge.from,
            mermaid_escape(edge_label(edge)),
            edge.to
        ));
        if edge.risky {
            red.push(index.to_string());
        }
    }
    if !red.is_empty() {
        out.push_str(&format!(
            "  linkStyle {} stroke:red,stroke-width:2px,color:red\n",
            red.join(",")
        ));
    }
    let missing: Vec<&str> = picture
        .nodes
        .iter()
        .filter(|n| !n.defined)
        .map(|n| n.id.as_str())
        .collect();
    if !missing.is_empty() {
        out.push_str("  classDef missing stroke-dasharray: 5 5\n");
        out.push_str(&format!("  class {} missing\n", missing.join(",")));
    }
    out
}

/// Nodes and edges as one JSON document.
pub fn json(picture: &Picture) -> String {
    let mut text = serde_json::to_string_pretty(picture).expect("the picture serialises");
    text.push('\n');
    text
}

fn edge_label(edge: &Edge) -> &'static str {
    if edge.dashed {
        "runs as, token not mounted"
    } else {
        edge.label
    }
}

/// A node with a shape per kind: ServiceAccounts as stadiums, workloads as boxes,
/// bindings as hexagons, roles as subroutines, groups and users as flags.
fn mermaid_node(node: &Node) -> String {
    let label = mermaid_escape(&node.label);
    let id = &node.id;
    match node.kind {
        "service-account" => format!("{id}([\"{label}\"])"),
        "workload" => format!("{id}[\"{label}\"]"),
        "binding" => format!("{id}{{{{\"{label}\"}}}}"),
        "role" => format!("{id}[[\"{label}\"]]"),
        _ => format!("{id}>\"{label}\"]"),
    }
}

/// Mermaid entity codes for the characters that would end or confuse a quoted label.
pub(crate) fn mermaid_escape(text: &str) -> String {
    crate::escape::text(text)
        .replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

pub(crate) fn dot_escape(text: &str) -> String {
    crate::escape::text(text)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}
