//! `long-lived-projected-token`: a projected `serviceAccountToken` volume source whose
//! `expirationSeconds` exceeds the configured limit (default 3607 s, the lifetime the
//! kubelet asks for the automounted token), or is exactly 3607 s for the API server's
//! audience: the API server extends such tokens to its maximum (a year by default,
//! `--service-account-extend-token-expiration`), as it does for automounted ones. The
//! automounted token's own volume, which the API server writes into every Pod it admits
//! (what `kubectl get pods -o yaml` prints), is not judged here: nobody wrote it.

use super::describe::object_phrase;
use super::{RuleContext, RuleOptions};
use crate::config::{ConfigError, RuleOption, Setting, ShownOption};
use crate::model::workload::is_admission_token_volume;
use crate::yaml::Node;

/// The lifetime the kubelet asks for automounted tokens; the API server extends tokens of
/// exactly this lifetime for its own audience.
const EXTENDED_SECONDS: u64 = 3607;

/// The API server's shortest `expirationSeconds`: a lower limit would flag every token.
const MIN_SECONDS: u64 = 600;

/// `rules: {long-lived-projected-token: {max-expiration-seconds: N}}`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest `expirationSeconds` accepted; by default the automounted token's
    /// lifetime, so a projected token may live as long as the automounted one.
    pub max_expiration_seconds: Setting<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_expiration_seconds: Setting::default(EXTENDED_SECONDS),
        }
    }
}

impl RuleOptions for Options {
    fn read(options: &[RuleOption]) -> Result<Self, ConfigError> {
        let mut read = Options::default();
        for option in options {
            if option.key == "max-expiration-seconds" {
                let text = option.text()?;
                let seconds = text
                    .value
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s >= MIN_SECONDS)
                    .ok_or_else(|| {
                        text.error(format!(
                            "`max-expiration-seconds` must be a whole number of seconds, at least {MIN_SECONDS} (the API server's minimum), not `{}`",
                            text.value
                        ))
                    })?;
                read.max_expiration_seconds = Setting {
                    value: seconds,
                    origin: text.origin.clone(),
                };
            }
        }
        Ok(read)
    }

    fn shown(&self) -> Vec<ShownOption> {
        vec![ShownOption::One {
            key: "max-expiration-seconds",
            value: self.max_expiration_seconds.value.to_string(),
            origin: self.max_expiration_seconds.origin.clone(),
        }]
    }
}

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    let limit = ctx.options::<Options>().max_expiration_seconds.value;
    for workload in &graph.workloads {
        let volumes = workload
            .pod_spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or(&[]);
        for volume in volumes {
            // Only a Pod is ever admitted; a template holding this volume was written by
            // someone who copied it, and gets the API server's extension too.
            if workload.object.kind == "Pod" && is_admission_token_volume(volume) {
                continue;
            }
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
                let audience_value = token.get("audience").and_then(Node::as_str);
                let extended = seconds == EXTENDED_SECONDS && audience_value.is_none();
                if seconds <= limit && !extended {
                    continue;
                }
                let audience = audience_value
                    .map(|a| format!(" for audience `{a}`"))
                    .unwrap_or_default();
                if seconds <= limit {
                    ctx.report(
                        workload.object,
                        field.span,
                        format!("volumes[{volume_name}].serviceAccountToken.expirationSeconds"),
                        format!(
                            "{} projects a ServiceAccount token for the API server with `expirationSeconds: {EXTENDED_SECONDS}`, \
                             the value the API server extends to its maximum token lifetime (a year by default, \
                             `--service-account-extend-token-expiration`): a token copied out of the pod stays usable that long. \
                             Use 3600 or less.",
                            object_phrase(graph, workload.object),
                        ),
                    );
                    continue;
                }
                ctx.report(
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
