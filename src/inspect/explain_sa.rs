//! `salint explain-sa NAMESPACE/NAME`: everything the manifests say about one
//! ServiceAccount. Its permissions are listed per binding that reaches it (by name or
//! through a group), because that is what one changes to take a permission away; the
//! dangerous capabilities are named after the rules that report them, so the answer leads
//! to `salint explain <rule>`.

use serde::Serialize;

use super::text::{self, namespaced};
use super::{at, InspectError, Location, ObjectId, RuleFields, View};
use crate::authz::CAPABILITIES;
use crate::graph::{AutomountSource, Reaching, Via};
use crate::model::rbac::Binding;
use crate::model::{Namespace, ObjectRef};

/// The answer, as printed by `--format json`.
#[derive(Debug, Serialize)]
pub struct Explanation {
    pub service_account: Identity,
    pub bindings: Vec<BindingGrant>,
    pub capabilities: Vec<CapabilityGrant>,
    /// What it can become through escalation paths: each identity, role and capability
    /// it reaches, with the shortest path.
    pub can_become: Vec<super::paths::PathView>,
    pub workloads: Vec<WorkloadUse>,
    pub token_secrets: Vec<TokenSecretRef>,
}

#[derive(Debug, Serialize)]
pub struct Identity {
    pub namespace: String,
    pub name: String,
    /// Whether a ServiceAccount object of the input defines it.
    pub defined: bool,
    pub location: Option<Location>,
    /// The ServiceAccount's own `automountServiceAccountToken`, when set.
    pub automount: Option<bool>,
    pub automount_location: Option<Location>,
}

#[derive(Debug, Serialize)]
pub struct BindingGrant {
    pub binding: String,
    pub binding_object: ObjectId,
    pub location: Option<Location>,
    /// The subject of the binding that reaches the ServiceAccount.
    pub subject: String,
    /// `null` when the subject names the ServiceAccount, else the group.
    pub via_group: Option<String>,
    pub role: String,
    /// `null` when the role is missing.
    pub role_object: Option<ObjectId>,
    pub role_location: Option<Location>,
    /// Whether the role is in the input or built in.
    pub role_found: bool,
    pub scope: String,
    pub rules: Vec<RuleGrant>,
}

#[derive(Debug, Serialize)]
pub struct RuleGrant {
    pub text: String,
    #[serde(flatten)]
    pub fields: RuleFields,
    /// The aggregated role holding the rule, when not the bound role itself.
    pub from: Option<String>,
    pub location: Option<Location>,
    /// What the binding's scope takes away from the rule.
    pub limits: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CapabilityGrant {
    /// The rule that reports it.
    pub rule: &'static str,
    pub what: &'static str,
    pub through: Vec<CapabilitySource>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct CapabilitySource {
    pub binding: String,
    /// The request the binding allows (`get on secrets`), or the wildcard rule.
    pub request: String,
    pub location: Option<Location>,
}

#[derive(Debug, Serialize)]
pub struct WorkloadUse {
    pub object: String,
    /// The workload it is part of (a Pod's Deployment), when it is not the object itself.
    pub part_of: Option<String>,
    pub location: Option<Location>,
    pub token_mounted: bool,
    pub reason: String,
    pub reason_location: Option<Location>,
    /// A projected `serviceAccountToken` volume: a token whatever automount says.
    pub projected_token: Option<Location>,
}

#[derive(Debug, Serialize)]
pub struct TokenSecretRef {
    pub object: String,
    pub location: Option<Location>,
}

/// Splits `NAMESPACE/NAME`.
pub fn parse_name(text: &str) -> Result<(String, String), InspectError> {
    match text.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((ns.to_string(), name.to_string()))
        }
        _ => Err(InspectError::ServiceAccountName(text.to_string())),
    }
}

/// Explains the ServiceAccount, or says why it cannot: not defined, not used by any
/// workload or token Secret, and named by no binding.
pub fn explain(view: &View, namespace: &str, name: &str) -> Result<Explanation, InspectError> {
    let graph = view.graph;
    let target = Namespace::Named(namespace.to_string());
    let defined = graph.service_account(&target, name).or_else(|| {
        graph
            .service_accounts_named(name)
            .find(|sa| sa.namespace.may_equal(&target))
    });
    let grants = graph.bindings_reaching(&target, name);
    let workloads = workloads(view, &target, name);
    let token_secrets: Vec<TokenSecretRef> = graph
        .token_secrets
        .iter()
        .filter(|s| s.service_account.is_some_and(|(n, _)| n == name))
        .filter(|s| s.namespace.may_equal(&target))
        .map(|s| TokenSecretRef {
            object: ObjectRef::of(s.object, &graph.implicit).to_string(),
            location: view.locate_object(s.object),
        })
        .collect();
    let named = grants.iter().any(|g| g.via == Via::Name);
    if defined.is_none() && workloads.is_empty() && token_secrets.is_empty() && !named {
        return Err(unknown(view, namespace, name));
    }
    let automount = defined.and_then(|sa| sa.automount);
    let identity = Identity {
        namespace: namespace.to_string(),
        name: name.to_string(),
        defined: defined.is_some(),
        location: defined.and_then(|sa| view.locate_object(sa.object)),
        automount: automount.map(|f| f.value != crate::yaml::Yaml11Bool::False),
        automount_location: defined
            .zip(automount)
            .and_then(|(sa, f)| view.locate(sa.object.file, f.span)),
    };
    Ok(Explanation {
        service_account: identity,
        bindings: grants.iter().map(|g| binding_grant(view, g)).collect(),
        capabilities: capabilities(view, &grants),
        can_become: super::paths::paths(
            view,
            &crate::graph::escalation::Identity::service_account(&target, name),
            &super::paths::Wanted::All,
        )
        .map(|found| found.paths)
        .unwrap_or_default(),
        workloads,
        token_secrets,
    })
}

fn unknown(view: &View, namespace: &str, name: &str) -> InspectError {
    let mut defined: Vec<String> = view
        .graph
        .service_accounts
        .iter()
        .map(|sa| namespaced(&sa.namespace, sa.name()))
        .collect();
    defined.sort();
    defined.dedup();
    InspectError::UnknownServiceAccount {
        namespace: namespace.to_string(),
        name: name.to_string(),
        defined,
    }
}

fn binding_grant(view: &View, grant: &Reaching) -> BindingGrant {
    let graph = view.graph;
    let binding = grant.binding;
    let bound = graph.bound_role(binding);
    let rules = match bound {
        Some((index, role)) => graph
            .effective_rules(index)
            .map(|(holder, rule)| RuleGrant {
                text: text::rule(rule),
                fields: RuleFields::of(rule),
                from: (!std::ptr::eq(holder, role)).then(|| text::role_short(holder)),
                location: view.locate(holder.object.file, rule.span()),
                limits: text::role_binding_limits(binding, rule),
            })
            .collect(),
        None => Vec::new(),
    };
    BindingGrant {
        binding: text::binding_label(binding),
        binding_object: ObjectId::binding(binding),
        location: view.locate_object(binding.object),
        subject: text::subject_label(grant.subject),
        via_group: match grant.via {
            Via::Name => None,
            Via::Group(group) => Some(group.to_string()),
        },
        role: match bound {
            Some((_, role)) => text::role_label(role),
            None => text::missing_role_label(binding),
        },
        role_object: bound.map(|(_, role)| ObjectId::role(role)),
        role_location: bound.and_then(|(_, role)| view.locate_object(role.object)),
        role_found: bound.is_some(),
        scope: text::scope(binding),
        rules,
    }
}

/// The dangerous capabilities, in the order of the rules table: cluster-admin first, then
/// wildcards, then `crate::authz::CAPABILITIES`.
fn capabilities(view: &View, grants: &[Reaching]) -> Vec<CapabilityGrant> {
    let graph = view.graph;
    let mut bindings: Vec<&Binding> = Vec::new();
    for grant in grants {
        if !bindings.iter().any(|b| std::ptr::eq(*b, grant.binding)) {
            bindings.push(grant.binding);
        }
    }
    let mut found = Vec::new();
    let mut push = |rule, what, through: Vec<CapabilitySource>| {
        if !through.is_empty() {
            found.push(CapabilityGrant {
                rule,
                what,
                through,
            });
        }
    };
    let admin = bindings
        .iter()
        .filter(|b| graph.is_cluster_admin_equivalent(b))
        .map(|b| CapabilitySource {
            binding: text::binding_label(b),
            request: "everything (`*` on `*` in every API group)".to_string(),
            location: view.locate_object(b.object),
        })
        .collect();
    push("cluster-admin-binding", "do everything", admin);
    let mut wild = Vec::new();
    for binding in &bindings {
        let Some((index, _)) = graph.bound_role(binding) else {
            continue;
        };
        // The rules `wildcard-permission` reports, asked of the same code.
        for (holder, policy_rule) in graph.wildcard_rules(index, binding.cluster) {
            wild.push(CapabilitySource {
                binding: text::binding_label(binding),
                request: text::rule(policy_rule),
                location: view.locate(holder.object.file, policy_rule.span()),
            });
        }
    }
    push("wildcard-permission", "use `*` in a rule", wild);
    for capability in CAPABILITIES {
        let mut through = Vec::new();
        for binding in &bindings {
            for m in graph.binding_capability(binding, capability) {
                let source = CapabilitySource {
                    binding: text::binding_label(binding),
                    request: request(m.verb, m.group, m.resource),
                    location: view.locate(m.holder.object.file, m.policy_rule.span()),
                };
                if !through.contains(&source) {
                    through.push(source);
                }
            }
        }
        let wording = crate::rules::capability_rule(capability);
        push(capability.rule.name(), wording.what, through);
    }
    found
}

/// `get on secrets`, `create on deployments.apps`.
fn request(verb: &str, group: &str, resource: &str) -> String {
    if group.is_empty() {
        format!("{verb} on {resource}")
    } else {
        format!("{verb} on {resource}.{group}")
    }
}

/// Every workload object running as the ServiceAccount, sorted by workload and object.
fn workloads(view: &View, target: &Namespace, name: &str) -> Vec<WorkloadUse> {
    let graph = view.graph;
    let mut found: Vec<(String, WorkloadUse)> = Vec::new();
    for (index, workload) in graph.workloads.iter().enumerate() {
        if workload.service_account != name || !workload.namespace.may_equal(target) {
            continue;
        }
        let key = graph.workload_key(index);
        let object = ObjectRef::of(workload.object, &graph.implicit).to_string();
        let key_text = format!("{} {}", key.kind, namespaced(&key.namespace, &key.name));
        let automount = graph.effective_automount(workload);
        let (reason, span) = match automount.source {
            AutomountSource::PodSpec(span) => (
                "the pod spec sets automountServiceAccountToken".to_string(),
                Some((workload.object.file, span)),
            ),
            AutomountSource::ServiceAccount(span) => {
                let sa = graph.service_account(&workload.namespace, &workload.service_account);
                (
                    "the ServiceAccount sets automountServiceAccountToken".to_string(),
                    sa.map(|sa| (sa.object.file, span)),
                )
            }
            AutomountSource::Default => (
                "neither the pod spec nor the ServiceAccount sets automountServiceAccountToken (default: mounted)"
                    .to_string(),
                None,
            ),
            AutomountSource::MirrorPod(span) => (
                "a mirror pod (kubernetes.io/config.mirror): the admission plugin adds no token"
                    .to_string(),
                Some((workload.object.file, span)),
            ),
            AutomountSource::PathTaken(span) => (
                "every container already mounts a volume at /var/run/secrets/kubernetes.io/serviceaccount: the admission plugin adds no token"
                    .to_string(),
                Some((workload.object.file, span)),
            ),
            AutomountSource::OwnTokenVolume(span) => (
                "the pod spec mounts a kube-api-access volume at the token path itself".to_string(),
                Some((workload.object.file, span)),
            ),
        };
        found.push((
            key_text.clone(),
            WorkloadUse {
                part_of: (key_text != object).then_some(key_text),
                object,
                location: view.locate_object(workload.object),
                token_mounted: automount.mounted,
                reason,
                reason_location: span.and_then(|(file, span)| view.locate(file, span)),
                projected_token: workload
                    .projected_token
                    .and_then(|span| view.locate(workload.object.file, span)),
            },
        ));
    }
    found.sort_by(|a, b| (&a.0, &a.1.object).cmp(&(&b.0, &b.1.object)));
    found.into_iter().map(|(_, w)| w).collect()
}

/// The human text.
pub fn render_human(e: &Explanation) -> String {
    // Every name is escaped: a manifest's strings must not reach the terminal raw.
    let t = |text: &str| crate::escape::text(text).into_owned();
    let sa = &e.service_account;
    let mut out = format!("ServiceAccount {}/{}\n", t(&sa.namespace), t(&sa.name));
    match &sa.location {
        Some(location) => out.push_str(&format!("  defined at {location}\n")),
        None if sa.defined => out.push_str("  defined\n"),
        None => out.push_str("  not defined in the manifests (only referenced)\n"),
    }
    if let Some(value) = sa.automount {
        out.push_str(&format!(
            "  automountServiceAccountToken: {value}{}\n",
            at(&sa.automount_location)
        ));
    }

    out.push_str("\nPermissions, per binding that reaches it:\n");
    if e.bindings.is_empty() {
        out.push_str("  none: no binding in the manifests reaches it\n");
    }
    for grant in &e.bindings {
        let via = match &grant.via_group {
            Some(group) => format!("via group {}", t(group)),
            None => "by name".to_string(),
        };
        out.push_str(&format!(
            "  {}{}, {via}\n",
            t(&grant.binding),
            at(&grant.location)
        ));
        out.push_str(&format!(
            "    role: {}{}\n",
            t(&grant.role),
            at(&grant.role_location)
        ));
        out.push_str(&format!("    scope: {}\n", t(&grant.scope)));
        for rule in &grant.rules {
            let from = match &rule.from {
                Some(from) => format!(" [from {}]", t(from)),
                None => String::new(),
            };
            out.push_str(&format!(
                "    - {}{from}{}\n",
                t(&rule.text),
                at(&rule.location)
            ));
            for limit in &rule.limits {
                out.push_str(&format!("      ({})\n", t(limit)));
            }
        }
    }

    out.push_str("\nDangerous capabilities:\n");
    if e.capabilities.is_empty() {
        out.push_str("  none\n");
    }
    for capability in &e.capabilities {
        out.push_str(&format!("  {}: {}\n", capability.rule, capability.what));
        for source in &capability.through {
            out.push_str(&format!(
                "    {} through {}{}\n",
                t(&source.request),
                t(&source.binding),
                at(&source.location)
            ));
        }
    }

    out.push_str("\nCan become (escalation paths):\n");
    if e.can_become.is_empty() {
        out.push_str("  nothing more\n");
    }
    out.push_str(&super::paths::render_paths(&e.can_become, "  "));

    out.push_str("\nWorkloads running as it:\n");
    if e.workloads.is_empty() {
        out.push_str("  none\n");
    }
    for w in &e.workloads {
        let part_of = match &w.part_of {
            Some(key) => format!(" (part of {})", t(key)),
            None => String::new(),
        };
        let mounted = if w.token_mounted {
            "token mounted"
        } else {
            "token not mounted"
        };
        out.push_str(&format!("  {}{part_of}{}\n", t(&w.object), at(&w.location)));
        out.push_str(&format!(
            "    {mounted}: {}{}\n",
            t(&w.reason),
            at(&w.reason_location)
        ));
        if let Some(location) = &w.projected_token {
            out.push_str(&format!(
                "    a projected serviceAccountToken volume mounts a token too ({location})\n"
            ));
        }
    }

    out.push_str("\nToken Secrets:\n");
    if e.token_secrets.is_empty() {
        out.push_str("  none\n");
    }
    for secret in &e.token_secrets {
        out.push_str(&format!(
            "  {}{}\n",
            t(&secret.object),
            at(&secret.location)
        ));
    }
    out
}

/// Whether a cluster's graph knows the ServiceAccount: defines it, runs a workload or
/// holds a token Secret as it, or binds it by name (`explain-sa` looks only at the clusters
/// that do).
pub fn knows(graph: &crate::graph::Graph, namespace: &str, name: &str) -> bool {
    let target = Namespace::Named(namespace.to_string());
    graph
        .service_accounts_named(name)
        .any(|sa| sa.namespace.may_equal(&target))
        || graph
            .workloads
            .iter()
            .any(|w| w.service_account == name && w.namespace.may_equal(&target))
        || graph.token_secrets.iter().any(|s| {
            s.service_account.is_some_and(|(n, _)| n == name) && s.namespace.may_equal(&target)
        })
        || graph
            .bindings_reaching(&target, name)
            .iter()
            .any(|g| g.via == Via::Name)
}
