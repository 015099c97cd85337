//! `long-lived-projected-token`: a projected `serviceAccountToken` volume source whose
//! `expirationSeconds` exceeds the configured limit (default 3607 s: the hour the
//! automounted token gets, plus the kubelet's slack).

use super::describe::object_phrase;
use super::Emitter;
use crate::yaml::Node;

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    let limit = emit.config.projected_token_max_seconds.value;
    for workload in &graph.workloads {
        let volumes = workload
            .pod_spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or(&[]);
        for volume in volumes {
            let volume_name = volume.get("name").and_then(Node::as_str).unwrap_or("");
            let sources = volume
                .path(&["projected", "sources"])
                .map(Node::items)
                .unwrap_or(&[]);
            for source in sources {
                let Some(token) = source.get("serviceAccountToken") else {
                    continue;
                };
                let Some(field) = token.get("expirationSeconds") else {
                    continue;
                };
                let Some(seconds) = field.as_str().and_then(|s| s.parse::<u64>().ok()) else {
                    continue;
                };
                if seconds <= limit {
                    continue;
                }
                let audience = token
                    .get("audience")
                    .and_then(Node::as_str)
                    .map(|a| format!(" for audience `{a}`"))
                    .unwrap_or_default();
                emit.report(
                    workload.object,
                    field.span,
                    format!("volumes[{volume_name}].serviceAccountToken.expirationSeconds"),
                    format!(
                        "{} projects a ServiceAccount token{audience} valid for {} ({seconds} s), above the limit of {limit} s: \
                         a token copied out of the pod stays usable that long, and the kubelet refreshes it anyway at 80% of its life. \
                         Lower `expirationSeconds` to {limit} or less (at least 600).",
                        object_phrase(graph, workload.object),
                        duration(seconds),
                    ),
                );
            }
        }
    }
}

/// "2 days", "36 hours", "90 minutes": the largest unit that divides evenly, else hours.
fn duration(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if seconds % 86_400 == 0 {
        plural(seconds / 86_400, "day")
    } else if seconds % 3_600 == 0 {
        plural(seconds / 3_600, "hour")
    } else if seconds % 60 == 0 {
        plural(seconds / 60, "minute")
    } else {
        format!("about {}", plural(seconds.div_ceil(3_600), "hour"))
    }
}
