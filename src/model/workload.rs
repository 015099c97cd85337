//! Workloads: every object with a pod template, and the identity its pods run as.

use super::{Namespace, Object};
use crate::source::Span;
use crate::yaml::{yaml11_bool, Entry, Node, Yaml11Bool};

/// Where the pod spec sits, by kind. Kinds not listed here are workloads when they have a
/// `spec.template.spec` with `containers` (Argo Rollout, OpenShift DeploymentConfig,
/// Knative Service, ...).
pub fn pod_spec_path(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        _ => &["spec", "template", "spec"],
    }
}

const BUILTIN_WORKLOADS: &[&str] = &[
    "Pod",
    "CronJob",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "ReplicationController",
];

/// Whether `kind` is a built-in workload kind (other kinds are workloads only when their
/// `spec.template.spec` has `containers`).
pub fn is_builtin_workload(kind: &str) -> bool {
    BUILTIN_WORKLOADS.contains(&kind)
}

/// The field that names a pod's ServiceAccount, when one is set.
#[derive(Debug, Clone, Copy)]
pub struct ServiceAccountField {
    /// The value's span.
    pub span: Span,
    /// `serviceAccount`, the deprecated alias, rather than `serviceAccountName`.
    pub deprecated: bool,
}

/// A boolean field as written, with the span of its value.
#[derive(Debug, Clone, Copy)]
pub struct BoolField {
    pub value: Yaml11Bool,
    pub span: Span,
}

/// A workload and what its pod template says about identity.
#[derive(Debug)]
pub struct Workload<'a> {
    pub object: &'a Object,
    pub namespace: Namespace,
    /// The pod spec mapping.
    pub pod_spec: &'a Node,
    /// The key `spec:` of the pod template: where a missing field belongs.
    pub pod_spec_key: Span,
    /// The effective ServiceAccount name: `serviceAccountName`, else the deprecated
    /// `serviceAccount`, else `default`.
    pub service_account: String,
    pub service_account_field: Option<ServiceAccountField>,
    /// `automountServiceAccountToken` on the pod spec (it wins over the SA's).
    pub automount: Option<BoolField>,
    /// A projected `serviceAccountToken` volume source: a token even without automount.
    pub projected_token: Option<Span>,
    /// A projected token for the API server's audience (no `audience` set), if any.
    pub api_projected_token: Option<Span>,
    /// The controller owning this object (`ownerReferences` with `controller: true`), as
    /// (kind, name).
    pub controller: Option<(String, String)>,
    /// What the ServiceAccount admission plugin finds in the pod that decides whether it
    /// mounts the token.
    pub token_mount: TokenMountFacts,
}

/// Where the ServiceAccount admission plugin mounts the API token.
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The prefix of the token volume's name (`kube-api-access-<random>`).
pub const TOKEN_VOLUME_PREFIX: &str = "kube-api-access-";

/// The annotation of a mirror pod (a static pod's copy in the API).
pub const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// The parts of a pod that the ServiceAccount admission plugin
/// (plugin/pkg/admission/serviceaccount/admission.go, `Admit` and
/// `mountServiceAccountToken`) looks at besides automount: it leaves a mirror pod alone, adds
/// its token volume mount only to the containers (init containers included) that mount
/// nothing at [`TOKEN_MOUNT_PATH`] yet, and reuses a volume named `kube-api-access-*`
/// instead of adding one.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenMountFacts {
    /// The `kubernetes.io/config.mirror` annotation key, on a mirror pod (or pod template).
    pub mirror: Option<Span>,
    /// The containers and init containers.
    pub containers: usize,
    /// Those that mount a volume at the token path already, and the first such `mountPath`.
    pub path_taken: usize,
    pub first_path_taken: Option<Span>,
    /// The first `mountPath` at the token path of a projected volume named
    /// `kube-api-access-*`: a token the pod spec mounts itself (as a pod read back from a
    /// cluster does).
    pub own_token_mount: Option<Span>,
    /// Whether the volume the plugin would mount is projected: its own (always), or the
    /// first volume named `kube-api-access-*` it reuses.
    pub plugin_volume_projected: bool,
}

impl TokenMountFacts {
    fn of(pod_spec: &Node, pod_metadata: Option<&Node>) -> TokenMountFacts {
        let volumes = pod_spec.get("volumes").map(Node::items).unwrap_or(&[]);
        fn named(volume: &Node) -> Option<&str> {
            volume.get("name").and_then(Node::as_str)
        }
        let projected_token_volume = |name: &str| {
            name.starts_with(TOKEN_VOLUME_PREFIX)
                && volumes
                    .iter()
                    .find(|v| named(v) == Some(name))
                    .is_some_and(|v| v.get("projected").is_some())
        };
        let reused = volumes
            .iter()
            .find(|v| named(v).is_some_and(|n| n.starts_with(TOKEN_VOLUME_PREFIX)));
        let mut facts = TokenMountFacts {
            mirror: pod_metadata
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.entry(MIRROR_POD_ANNOTATION))
                .map(|e| e.key.span),
            plugin_volume_projected: reused.is_none_or(|v| v.get("projected").is_some()),
            ..TokenMountFacts::default()
        };
        for list in ["initContainers", "containers"] {
            for container in pod_spec.get(list).map(Node::items).unwrap_or(&[]) {
                facts.containers += 1;
                let at_path = container
                    .get("volumeMounts")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|m| {
                        let path = m.get("mountPath")?;
                        (path.as_str() == Some(TOKEN_MOUNT_PATH)).then_some((m, path.span))
                    })
                    .collect::<Vec<_>>();
                if let Some((_, span)) = at_path.first() {
                    facts.path_taken += 1;
                    facts.first_path_taken.get_or_insert(*span);
                }
                if let Some((_, span)) = at_path.iter().find(|(m, _)| {
                    m.get("name")
                        .and_then(Node::as_str)
                        .is_some_and(projected_token_volume)
                }) {
                    facts.own_token_mount.get_or_insert(*span);
                }
            }
        }
        facts
    }
}

impl<'a> Workload<'a> {
    pub fn from_object(object: &'a Object, namespace: &Namespace) -> Option<Workload<'a>> {
        let path = pod_spec_path(&object.kind);
        let entry = object.root.path_entry(path)?;
        let pod_spec = &entry.value;
        pod_spec.as_map()?;
        if !is_builtin_workload(&object.kind) && pod_spec.get("containers").is_none() {
            return None;
        }
        let named = |key: &str| {
            pod_spec
                .get(key)
                .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        };
        let chosen = match (named("serviceAccountName"), named("serviceAccount")) {
            (Some(node), _) => Some((node, false)),
            (None, Some(node)) => Some((node, true)),
            (None, None) => None,
        };
        let service_account = chosen
            .and_then(|(node, _)| node.as_str())
            .unwrap_or("default")
            .to_string();
        let service_account_field = chosen.map(|(node, deprecated)| ServiceAccountField {
            span: node.span,
            deprecated,
        });
        Some(Workload {
            object,
            namespace: namespace.clone(),
            pod_spec,
            pod_spec_key: entry.key.span,
            service_account,
            service_account_field,
            automount: pod_spec
                .get("automountServiceAccountToken")
                .map(|node| BoolField {
                    value: yaml11_bool(node),
                    span: node.span,
                }),
            projected_token: projected_token(pod_spec),
            api_projected_token: api_projected_token(pod_spec),
            controller: controller(object),
            token_mount: TokenMountFacts::of(pod_spec, pod_metadata(object)),
        })
    }
}

/// The projected `serviceAccountToken` volume sources of a pod spec (the entries, key
/// `serviceAccountToken` and its mapping).
pub fn projected_token_sources(pod_spec: &Node) -> impl Iterator<Item = &Entry> {
    pod_spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|volume| volume.path(&["projected", "sources"]))
        .flat_map(Node::items)
        .filter_map(|source| source.entry("serviceAccountToken"))
}

/// The span of the first projected `serviceAccountToken` volume source, if any.
fn projected_token(pod_spec: &Node) -> Option<Span> {
    projected_token_sources(pod_spec)
        .next()
        .map(|entry| entry.key.span)
}

/// The span of the first projected token for the API server (no `audience`): as good a
/// credential as the automounted token.
fn api_projected_token(pod_spec: &Node) -> Option<Span> {
    projected_token_sources(pod_spec)
        .find(|entry| entry.value.get("audience").and_then(Node::as_str).is_none())
        .map(|entry| entry.key.span)
}

/// The controller named in `ownerReferences` (the entry with `controller: true`, else the
/// first), as (kind, name).
fn controller(object: &Object) -> Option<(String, String)> {
    let owners = object.metadata()?.get("ownerReferences")?.items();
    let is_controller =
        |owner: &&Node| owner.get("controller").map(yaml11_bool) == Some(Yaml11Bool::True);
    let owner = owners.iter().find(is_controller).or(owners.first())?;
    Some((
        owner.get("kind")?.as_str()?.to_string(),
        owner.get("name")?.as_str()?.to_string(),
    ))
}

/// The metadata of the pods: a Pod's own, a template's otherwise.
fn pod_metadata(object: &Object) -> Option<&Node> {
    match object.kind.as_str() {
        "Pod" => object.metadata(),
        _ => pod_template_metadata(object),
    }
}

/// The pod template's `metadata` of a workload object (where pod annotations live), for
/// kinds whose pod spec sits in a template.
pub fn pod_template_metadata(object: &Object) -> Option<&Node> {
    let path = pod_spec_path(&object.kind);
    let (_, template) = path.split_last()?;
    if template.is_empty() {
        return None; // a Pod: its own metadata
    }
    object.root.path(template)?.get("metadata")
}

/// The name prefix of the token volume the ServiceAccount admission plugin adds to every
/// Pod that automounts its token; the plugin appends five random characters (apimachinery's
/// `names.SimpleNameGenerator`).
pub const ADMISSION_TOKEN_VOLUME_PREFIX: &str = "kube-api-access-";

/// The characters apimachinery's random names are made of (`util/rand`: no vowels).
const GENERATED_NAME_CHARACTERS: &str = "bcdfghjklmnpqrstvwxz2456789";

/// Whether `volume` is the token volume the API server's ServiceAccount admission plugin
/// injects into a Pod, as `kubectl get pods -o yaml` prints it: named
/// `kube-api-access-` and five generated characters, a projected volume whose sources are exactly the plugin's
/// `TokenVolumeSource()` (plugin/pkg/admission/serviceaccount): a `serviceAccountToken`
/// at path `token` with `expirationSeconds: 3607` and no audience, the `kube-root-ca.crt`
/// ConfigMap, and the downward API's `namespace` — plus, on OpenShift, the
/// `openshift-service-ca.crt` ConfigMap its fork of the plugin adds. Nobody writes this
/// volume: it is the automounted token, which other rules judge through
/// `automountServiceAccountToken`. A volume with that name but another shape (another
/// lifetime, an audience, more sources) was written by someone and is not this one.
pub fn is_admission_token_volume(volume: &Node) -> bool {
    let named = volume
        .get("name")
        .and_then(Node::as_str)
        .and_then(|name| name.strip_prefix(ADMISSION_TOKEN_VOLUME_PREFIX))
        .is_some_and(|suffix| {
            suffix.len() == 5
                && suffix
                    .chars()
                    .all(|c| GENERATED_NAME_CHARACTERS.contains(c))
        });
    let Some(sources) = volume.path(&["projected", "sources"]).map(Node::items) else {
        return false;
    };
    let is_token = |source: &Node| {
        source.get("serviceAccountToken").is_some_and(|token| {
            token.get("path").and_then(Node::as_str) == Some("token")
                && token.get("expirationSeconds").and_then(Node::as_str) == Some("3607")
                && token.get("audience").is_none()
        })
    };
    let is_config_map = |source: &Node, name: &str| {
        source
            .get("configMap")
            .is_some_and(|map| map.get("name").and_then(Node::as_str) == Some(name))
    };
    let is_namespace = |source: &Node| {
        source.get("downwardAPI").is_some_and(|api| {
            api.get("items").map(Node::items).is_some_and(|items| {
                items.len() == 1
                    && items[0].get("path").and_then(Node::as_str) == Some("namespace")
                    && items[0]
                        .path(&["fieldRef", "fieldPath"])
                        .and_then(Node::as_str)
                        == Some("metadata.namespace")
            })
        })
    };
    let has = |test: &dyn Fn(&Node) -> bool| sources.iter().filter(|s| test(s)).count() == 1;
    named
        && has(&is_token)
        && has(&|s| is_config_map(s, "kube-root-ca.crt"))
        && has(&is_namespace)
        && sources.iter().all(|source| {
            is_token(source)
                || is_config_map(source, "kube-root-ca.crt")
                || is_config_map(source, "openshift-service-ca.crt")
                || is_namespace(source)
        })
}

#[cfg(test)]
mod tests {
    use super::is_admission_token_volume;
    use crate::yaml::load_documents;

    /// The admission plugin's volume as the API server stores it, with `name` and extra
    /// source lines spliced in.
    fn volume(name: &str, token: &str, extra: &str) -> String {
        format!(
            "name: {name}
projected:
  defaultMode: 420
  sources:
  - serviceAccountToken:
      {token}
      path: token
  - configMap:
      items: [{{key: ca.crt, path: ca.crt}}]
      name: kube-root-ca.crt
  - downwardAPI:
      items:
      - fieldRef: {{apiVersion: v1, fieldPath: metadata.namespace}}
        path: namespace
{extra}"
        )
    }

    fn recognised(text: &str) -> bool {
        let loaded = load_documents(text);
        assert!(loaded.error.is_none(), "{:?}", loaded.error);
        is_admission_token_volume(&loaded.documents[0].root)
    }

    #[test]
    fn the_admission_plugins_volume_is_recognised() {
        assert!(recognised(&volume(
            "kube-api-access-9xq7z",
            "expirationSeconds: 3607",
            ""
        )));
        // OpenShift's plugin adds its service CA.
        let openshift = "  - configMap:\n      name: openshift-service-ca.crt\n";
        assert!(recognised(&volume(
            "kube-api-access-b2m4d",
            "expirationSeconds: 3607",
            openshift
        )));
    }

    #[test]
    fn a_volume_of_another_shape_is_not_the_admission_plugins() {
        let token = "expirationSeconds: 3607";
        // Not a generated name: no suffix, a vowel, too long.
        for name in [
            "kube-api-access-",
            "kube-api-access-abcde",
            "kube-api-access-9xq7zz",
            "api-access-9xq7z",
        ] {
            assert!(!recognised(&volume(name, token, "")), "{name}");
        }
        // Another lifetime, an audience, another source.
        assert!(!recognised(&volume(
            "kube-api-access-9xq7z",
            "expirationSeconds: 86400",
            ""
        )));
        assert!(!recognised(&volume(
            "kube-api-access-9xq7z",
            "expirationSeconds: 3607\n      audience: vault",
            ""
        )));
        let secret = "  - secret:\n      name: db-password\n";
        assert!(!recognised(&volume("kube-api-access-9xq7z", token, secret)));
        let second_token = "  - serviceAccountToken:\n      path: token2\n";
        assert!(!recognised(&volume(
            "kube-api-access-9xq7z",
            token,
            second_token
        )));
    }
}
