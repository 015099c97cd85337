//! Whether a workload's pods get the ServiceAccount token mounted, as the ServiceAccount
//! admission plugin decides it.

use super::Graph;
use crate::model::workload::Workload;
use crate::source::Span;
use crate::yaml::Yaml11Bool;

/// Where a workload's effective automount comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomountSource {
    /// The pod spec's own field, at this span.
    PodSpec(Span),
    /// The ServiceAccount's field (the pod spec sets none).
    ServiceAccount(Span),
    /// Neither sets it: the token is mounted.
    Default,
    /// A mirror pod (annotation key at this span): the admission plugin leaves it alone.
    MirrorPod(Span),
    /// Every container already mounts a volume at the token path (the first `mountPath`
    /// here): the admission plugin adds no token.
    PathTaken(Span),
    /// The pod spec mounts a projected `kube-api-access-*` volume at the token path itself
    /// (this `mountPath`), as a pod read back from a cluster does.
    OwnTokenVolume(Span),
}

/// Whether a workload's pods get the ServiceAccount token mounted, and why.
#[derive(Debug, Clone, Copy)]
pub struct EffectiveAutomount {
    pub mounted: bool,
    pub source: AutomountSource,
}

impl<'a> Graph<'a> {
    /// Whether the workload's pods get the API token mounted, as the ServiceAccount
    /// admission plugin decides it (plugin/pkg/admission/serviceaccount/admission.go): not
    /// for a mirror pod; else automount (the pod spec's field wins, else the
    /// ServiceAccount's, else true) mounts it into each container that mounts nothing at the
    /// token path yet; and a pod spec may mount a `kube-api-access-*` volume itself.
    pub fn effective_automount(&self, workload: &Workload<'a>) -> EffectiveAutomount {
        let facts = &workload.token_mount;
        let own = facts.own_token_mount.map(|span| EffectiveAutomount {
            mounted: true,
            source: AutomountSource::OwnTokenVolume(span),
        });
        if let Some(span) = facts.mirror {
            return own.unwrap_or(EffectiveAutomount {
                mounted: false,
                source: AutomountSource::MirrorPod(span),
            });
        }
        let wanted = self.automount_setting(workload);
        let plugin_mounts = facts.plugin_volume_projected && facts.path_taken < facts.containers;
        match (wanted.mounted, plugin_mounts, own, facts.first_path_taken) {
            (true, true, _, _) | (false, _, None, _) => wanted,
            (_, _, Some(own), _) => own,
            (true, false, None, Some(span)) if facts.path_taken == facts.containers => {
                EffectiveAutomount {
                    mounted: false,
                    source: AutomountSource::PathTaken(span),
                }
            }
            // No container, or the `kube-api-access-*` volume it would reuse holds no token.
            (true, false, None, _) => EffectiveAutomount {
                mounted: false,
                source: wanted.source,
            },
        }
    }

    /// `automountServiceAccountToken` in effect: the pod spec's field wins, else the
    /// ServiceAccount's, else true.
    fn automount_setting(&self, workload: &Workload<'a>) -> EffectiveAutomount {
        if let Some(field) = workload.automount {
            return EffectiveAutomount {
                mounted: field.value != Yaml11Bool::False,
                source: AutomountSource::PodSpec(field.span),
            };
        }
        let sa_field = self
            .service_account(&workload.namespace, &workload.service_account)
            .and_then(|sa| sa.automount);
        match sa_field {
            Some(field) => EffectiveAutomount {
                mounted: field.value != Yaml11Bool::False,
                source: AutomountSource::ServiceAccount(field.span),
            },
            None => EffectiveAutomount {
                mounted: true,
                source: AutomountSource::Default,
            },
        }
    }
}
