//! Hover on a `serviceAccountName` value: what that ServiceAccount can do, per the graph
//! of the whole workspace: the bindings that reach it (by name or through a group), the
//! roles they grant, the dangerous capabilities among them, and who else runs as it.

use std::path::Path;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::position::{offset, range};
use super::workspace::Analysis;
use crate::graph::{Graph, Via};
use crate::model::Namespace;

pub fn hover(analysis: &Analysis, path: &Path, at: Position) -> Option<Hover> {
    let id = analysis.file_id(path)?;
    let file = &analysis.inputs.files[id];
    let offset = offset(file, at);
    // The graph of the first cluster that reads the file (a base shared by overlays is
    // read by each).
    let cluster = analysis
        .clusters
        .of_file
        .get(id)
        .and_then(|clusters| clusters.first())
        .map(|&c| &analysis.clusters.list[c])?;
    let graph = Graph::of_cluster(cluster, &analysis.inputs.objects);
    // Where a workload's field is written: a rendered one's in the file it came from.
    let written =
        |file: usize, span: crate::source::Span| match analysis.inputs.relocate(file, span) {
            Some(relocated) => (relocated.file, relocated.span),
            None => (file, span),
        };
    let workload = graph.workloads.iter().find(|w| {
        w.service_account_field.is_some_and(|f| {
            let (file, span) = written(w.object.file, f.span);
            file == id && span.start <= offset && offset <= span.end
        })
    })?;
    let field = workload.service_account_field?;
    let name = workload.service_account.as_str();
    let namespace = &workload.namespace;
    let shown = match namespace {
        Namespace::Named(ns) => format!("{ns}/{name}"),
        Namespace::Implicit => name.to_string(),
    };
    let mut text = format!("**ServiceAccount {shown}**");
    match graph.service_account(namespace, name) {
        Some(account) => {
            let (file, span) = written(account.object.file, account.object.root.span);
            let p = analysis.inputs.files[file].position(span.start);
            text.push_str(&format!(
                " (defined in `{}` line {})\n\n",
                relative(analysis.paths[file]),
                p.line
            ));
        }
        None => text.push_str(" (not defined in the workspace)\n\n"),
    }
    let grants = graph.bindings_reaching(namespace, name);
    if grants.is_empty() {
        text.push_str("No binding in the workspace grants it anything.\n");
    } else {
        text.push_str("Granted:\n");
        let mut powers: Vec<&str> = Vec::new();
        for grant in &grants {
            let binding = grant.binding;
            let role = match graph.bound_role(binding) {
                Some((_, role)) if role.builtin => {
                    format!("{} `{}` (built in)", role.kind(), role.name())
                }
                Some((_, role)) => format!("{} `{}`", role.kind(), role.name()),
                None => match &binding.role_ref {
                    Some(r) => format!("{} `{}` (not found)", r.kind, r.name),
                    None => "no role".to_string(),
                },
            };
            let scope = match &binding.namespace {
                Some(Namespace::Named(ns)) => format!("in namespace `{ns}`"),
                Some(Namespace::Implicit) => "in the namespace it is applied to".to_string(),
                None => "cluster-wide".to_string(),
            };
            let via = match grant.via {
                Via::Name => String::new(),
                Via::Group(group) => format!(", via group `{group}`"),
            };
            text.push_str(&format!(
                "- {role} {scope} ({} `{}`{via})\n",
                binding.kind(),
                binding.object.name
            ));
            let dangers = graph.dangers(binding);
            if dangers.cluster_admin {
                powers.push("everything (cluster-admin)");
            }
            powers.extend(dangers.capabilities.iter().map(|c| c.rule.name()));
            if dangers.wildcards {
                powers.push("wildcard-permission");
            }
        }
        powers.sort_unstable();
        powers.dedup();
        if !powers.is_empty() {
            text.push_str(&format!("\nRisky: {}\n", powers.join(", ")));
        }
    }
    let users = graph
        .workloads
        .iter()
        .filter(|w| &w.namespace == namespace && w.service_account == name)
        .count();
    let mounted = graph.effective_automount(workload).mounted;
    text.push_str(&format!(
        "\nRun by {users} workload{} in the workspace; this one {} its token.",
        if users == 1 { "" } else { "s" },
        if mounted { "mounts" } else { "does not mount" }
    ));
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(range(file, written(workload.object.file, field.span).1)),
    })
}

fn relative(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
