//! The permission model, bullet by bullet: Kubernetes' matching semantics (`*`,
//! subresources, `resourceNames`, `nonResourceURLs`, aggregation, binding scope), built-in
//! roles known without their objects, subjects reached through groups, and the RBAC rules
//! firing and staying silent.

use salint::config::{Config, Origin, Setting};
use salint::lint_with_config;
use salint::read_texts;

/// `rule line:col` of every finding of the rules named, in output order.
fn fired_with(config: &Config, yaml: &str, rules: &[&str]) -> Vec<String> {
    let inputs = read_texts(vec![("m.yaml".to_string(), yaml.to_string())]);
    assert!(inputs.errors.is_empty(), "{:?}", inputs.errors);
    lint_with_config(&inputs, config)
        .iter()
        .filter(|f| rules.contains(&f.rule.name()))
        .map(|f| {
            let p = inputs.files[0].position(f.location.span.start);
            format!("{} {}:{}", f.rule.name(), p.line, p.column)
        })
        .collect()
}

fn fired(yaml: &str, rules: &[&str]) -> Vec<String> {
    fired_with(&Config::default(), yaml, rules)
}

const PERMISSION_RULES: &[&str] = &[
    "wildcard-permission",
    "secrets-access",
    "pod-creation",
    "pod-exec",
    "token-creation",
    "privilege-escalation",
    "node-proxy",
    "control-plane-takeover",
];

/// A ClusterRole `r` with `rules` (flow YAML), bound to SA ops/bot by a binding of `kind`
/// (in namespace ops for a RoleBinding). The subject's `name` is on line 12.
fn bound(rules: &str, kind: &str) -> String {
    let namespace = if kind == "RoleBinding" {
        "\n  namespace: ops"
    } else {
        ""
    };
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: r}}
rules: {rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: b{namespace}
subjects:
  - kind: ServiceAccount
    name: bot
    namespace: ops
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}}
"
    )
}

fn subject_line(kind: &str) -> usize {
    if kind == "RoleBinding" {
        13
    } else {
        12
    }
}

fn permission_findings(rules: &str, kind: &str) -> Vec<String> {
    let line = format!(" {}:11", subject_line(kind));
    fired(&bound(rules, kind), PERMISSION_RULES)
        .into_iter()
        .map(|f| f.replace(&line, ""))
        .collect()
}

#[test]
fn wildcards_in_each_list_match_everything_of_that_list() {
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [secrets], verbs: ["*"]}]"#,
            "RoleBinding"
        ),
        ["wildcard-permission", "secrets-access", "token-creation"]
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: ["*"], resources: [secrets], verbs: [list]}]"#,
            "RoleBinding"
        ),
        ["wildcard-permission", "secrets-access"]
    );
    // `*` resources covers subresources: pods/exec, serviceaccounts/token.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: ["*"], verbs: [create]}]"#,
            "RoleBinding"
        ),
        [
            "wildcard-permission",
            "pod-creation",
            "pod-exec",
            "token-creation"
        ]
    );
}

#[test]
fn subresources_match_exactly_or_through_star_slash() {
    // `pods` does not cover `pods/exec`; `pods/exec` does not cover `pods`.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [pods], verbs: [get, list]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]"#,
            "RoleBinding"
        ),
        ["pod-exec"]
    );
    // `*/exec` is the exec subresource of every resource.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: ["*/exec"], verbs: [get]}]"#,
            "RoleBinding"
        ),
        ["wildcard-permission", "pod-exec"]
    );
    // `get` on pods/exec is enough (websocket upgrades are GETs).
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [pods/attach], verbs: [get]}]"#,
            "RoleBinding"
        ),
        ["pod-exec"]
    );
}

#[test]
fn named_objects_are_enough_for_escalation() {
    // Binding cluster-admin by name is how Kubernetes documents delegating it.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [cluster-admin], verbs: [bind]}]"#,
            "ClusterRoleBinding"
        ),
        ["privilege-escalation"]
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [groups], resourceNames: ["system:masters"], verbs: [impersonate]}]"#,
            "ClusterRoleBinding"
        ),
        ["privilege-escalation"]
    );
    // A subresource request carries its parent's name: create on pods/exec of one pod.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [pods/exec], resourceNames: [debug], verbs: [create]}]"#,
            "RoleBinding"
        ),
        ["pod-exec"]
    );
    // Creating a pod carries no name: a named rule never allows it.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [pods], resourceNames: [x], verbs: [create]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn pod_templates_that_can_change_and_pods_whose_image_can() {
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [pods], verbs: [patch]}]"#,
            "RoleBinding"
        ),
        ["pod-creation"]
    );
    // A Job's pod template is immutable; a CronJob's is not.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [batch], resources: [jobs], verbs: [patch]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [batch], resources: [cronjobs], verbs: [patch]}]"#,
            "RoleBinding"
        ),
        ["pod-creation"]
    );
}

#[test]
fn a_role_binding_reaches_its_own_namespace_object() {
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [namespaces], verbs: [patch]}]"#,
            "RoleBinding"
        ),
        ["control-plane-takeover"]
    );
}

#[test]
fn a_user_named_like_a_service_account_token_is_that_service_account() {
    let yaml = workload_and_binding(
        "{kind: User, name: \"system:serviceaccount:shop:api\", apiGroup: rbac.authorization.k8s.io}",
        "ClusterRoleBinding",
    );
    assert_eq!(
        fired(
            &yaml,
            &[
                "powerful-token-mounted",
                "needless-token-automount",
                "pod-creation"
            ]
        ),
        ["powerful-token-mounted 7:5", "pod-creation 20:24"]
    );
}

#[test]
fn resource_names_narrow_a_rule_to_named_objects() {
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [secrets], resourceNames: [app-config], verbs: [get]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [secrets], verbs: [watch]}]"#,
            "RoleBinding"
        ),
        ["secrets-access"]
    );
}

#[test]
fn api_groups_must_match_the_resource() {
    // deployments are in `apps`; the core group does not hold them.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [deployments], verbs: [create]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [apps], resources: [deployments], verbs: [patch]}]"#,
            "RoleBinding"
        ),
        ["pod-creation"]
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [batch], resources: [cronjobs], verbs: [create]}]"#,
            "RoleBinding"
        ),
        ["pod-creation"]
    );
}

#[test]
fn a_role_binding_never_grants_cluster_scoped_resources() {
    let rules = r#"[{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}, {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}]"#;
    assert_eq!(
        permission_findings(rules, "RoleBinding"),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(rules, "ClusterRoleBinding"),
        ["node-proxy", "control-plane-takeover"]
    );
    // services/status is namespaced: a RoleBinding grants it.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [services/status], verbs: [update]}]"#,
            "RoleBinding"
        ),
        ["control-plane-takeover"]
    );
}

#[test]
fn escalation_verbs_are_tested_on_roles_not_on_bindings() {
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create, bind]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]"#,
            "RoleBinding"
        ),
        ["privilege-escalation"]
    );
    // Impersonating users is cluster-scoped; service accounts are namespaced.
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [users], verbs: [impersonate]}]"#,
            "RoleBinding"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        permission_findings(
            r#"[{apiGroups: [""], resources: [users], verbs: [impersonate]}]"#,
            "ClusterRoleBinding"
        ),
        ["privilege-escalation"]
    );
}

#[test]
fn non_resource_urls_grant_no_resource_access() {
    let rules = r#"[{nonResourceURLs: ["*"], verbs: ["*"]}]"#;
    assert_eq!(
        permission_findings(rules, "ClusterRoleBinding"),
        Vec::<String>::new()
    );
}

/// A RoleBinding in `shop` to a ClusterRole named `role`, for SA shop/ci; the subject's
/// name is on line 7.
fn binding_to(role: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: ci, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}
subjects:
  - kind: ServiceAccount
    name: ci
    namespace: shop
"
    )
}

#[test]
fn built_in_edit_is_known_without_its_object() {
    assert_eq!(
        fired(&binding_to("edit"), PERMISSION_RULES),
        [
            "secrets-access 7:11",
            "pod-creation 7:11",
            "pod-exec 7:11",
            "token-creation 7:11",
            "privilege-escalation 7:11"
        ]
    );
    assert_eq!(
        fired(&binding_to("edit"), &["dangling-role-ref"]),
        Vec::<String>::new()
    );
    // view reads no Secrets and runs nothing.
    assert_eq!(
        fired(&binding_to("view"), PERMISSION_RULES),
        Vec::<String>::new()
    );
}

#[test]
fn a_role_in_the_input_takes_the_place_of_the_built_in_one() {
    let own_edit = format!(
        "{}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: edit}}
rules: [{{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}}]
",
        binding_to("edit")
    );
    assert_eq!(fired(&own_edit, PERMISSION_RULES), Vec::<String>::new());
}

#[test]
fn aggregation_labels_add_rules_to_built_in_roles() {
    let yaml = format!(
        "{}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: read-secrets-too
  labels: {{rbac.authorization.k8s.io/aggregate-to-view: \"true\"}}
rules: [{{apiGroups: [\"\"], resources: [secrets], verbs: [list]}}]
",
        binding_to("view")
    );
    assert_eq!(fired(&yaml, PERMISSION_RULES), ["secrets-access 7:11"]);
    // view flows into edit and admin as well.
    let admin = yaml.replacen("name: view", "name: admin", 1);
    assert!(fired(&admin, PERMISSION_RULES).contains(&"secrets-access 7:11".to_string()));
}

#[test]
fn dangling_role_refs_are_reported_and_known_roles_are_not() {
    assert_eq!(
        fired(&binding_to("no-such-role"), &["dangling-role-ref"]),
        ["dangling-role-ref 4:73"]
    );
    for known in ["system:auth-delegator", "system:controller:job-controller"] {
        assert_eq!(
            fired(&binding_to(known), &["dangling-role-ref"]),
            Vec::<String>::new()
        );
    }
    // A Role that exists only in another namespace is cross-namespace-reference's.
    let elsewhere = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: other}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: ci}]
";
    assert_eq!(
        fired(
            elsewhere,
            &["dangling-role-ref", "cross-namespace-reference"]
        ),
        ["cross-namespace-reference 9:66"]
    );
}

#[test]
fn cluster_admin_in_effect_is_left_to_the_core_rule() {
    let everything = r#"[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]"#;
    assert_eq!(
        permission_findings(everything, "ClusterRoleBinding"),
        Vec::<String>::new()
    );
    assert_eq!(
        fired(
            &bound(everything, "ClusterRoleBinding"),
            &["cluster-admin-binding"]
        ),
        ["cluster-admin-binding 14:73"]
    );
}

/// A workload of namespace `shop` running as SA `api`, its `spec:` key on line 7, and a
/// binding of `subject` to ClusterRole `edit`.
fn workload_and_binding(subject: &str, binding_kind: &str) -> String {
    let namespace = if binding_kind == "RoleBinding" {
        ", namespace: shop"
    } else {
        ""
    };
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: shop}}
spec:
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      serviceAccountName: api
      containers: [{{name: api, image: api:1}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: api, namespace: shop}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {binding_kind}
metadata: {{name: b{namespace}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}
subjects:
  - {subject}
"
    )
}

#[test]
fn a_powerful_token_is_found_through_name_and_group_subjects() {
    for subject in [
        "{kind: ServiceAccount, name: api, namespace: shop}",
        "{kind: Group, name: \"system:serviceaccounts:shop\", apiGroup: rbac.authorization.k8s.io}",
        "{kind: Group, name: \"system:serviceaccounts\", apiGroup: rbac.authorization.k8s.io}",
    ] {
        let yaml = workload_and_binding(subject, "RoleBinding");
        assert_eq!(
            fired(
                &yaml,
                &["powerful-token-mounted", "needless-token-automount"]
            ),
            ["powerful-token-mounted 7:5"],
            "{subject}"
        );
    }
    // Another namespace's group does not reach shop/api.
    let other = workload_and_binding(
        "{kind: Group, name: \"system:serviceaccounts:web\", apiGroup: rbac.authorization.k8s.io}",
        "ClusterRoleBinding",
    );
    assert_eq!(
        fired(
            &other,
            &["powerful-token-mounted", "needless-token-automount"]
        ),
        ["needless-token-automount 7:5"]
    );
    // Automount off: nothing to steal.
    let off = workload_and_binding(
        "{kind: ServiceAccount, name: api, namespace: shop}",
        "RoleBinding",
    )
    .replace(
        "      serviceAccountName: api\n",
        "      serviceAccountName: api\n      automountServiceAccountToken: false\n",
    );
    assert_eq!(
        fired(&off, &["powerful-token-mounted"]),
        Vec::<String>::new()
    );
}

#[test]
fn group_bindings_to_all_service_accounts_and_to_everyone() {
    let yaml = workload_and_binding(
        "{kind: Group, name: \"system:serviceaccounts:shop\", apiGroup: rbac.authorization.k8s.io}",
        "RoleBinding",
    );
    assert_eq!(
        fired(&yaml, &["broad-service-account-group"]),
        ["broad-service-account-group 20:25"]
    );
    let everyone = workload_and_binding(
        "{kind: Group, name: \"system:authenticated\", apiGroup: rbac.authorization.k8s.io}",
        "ClusterRoleBinding",
    );
    assert_eq!(
        fired(&everyone, &["anonymous-access"]),
        ["anonymous-access 20:25"]
    );
    // Discovery for everyone is how clusters work.
    let discovery = binding_to("system:basic-user")
        .replace("kind: ServiceAccount", "kind: Group")
        .replace(
            "name: ci\n    namespace: shop",
            "name: \"system:authenticated\"",
        );
    assert_eq!(
        fired(&discovery, &["anonymous-access"]),
        Vec::<String>::new()
    );
    // Publishing the OIDC issuer documents to everyone is how Kubernetes documents it.
    let issuer = binding_to("system:service-account-issuer-discovery")
        .replace("kind: ServiceAccount", "kind: Group")
        .replace(
            "name: ci\n    namespace: shop",
            "name: \"system:unauthenticated\"",
        );
    assert_eq!(fired(&issuer, &["anonymous-access"]), Vec::<String>::new());
    // Anonymous is reported whatever else the role is.
    let anonymous = discovery
        .replace("kind: Group", "kind: User")
        .replace("system:authenticated", "system:anonymous");
    assert_eq!(
        fired(&anonymous, &["anonymous-access"]),
        ["anonymous-access 7:11"]
    );
}

#[test]
fn people_are_judged_only_when_asked() {
    let team = binding_to("admin").replace(
        "  - kind: ServiceAccount\n    name: ci\n    namespace: shop\n",
        "  - kind: Group\n    name: shop-team\n",
    );
    assert_eq!(fired(&team, PERMISSION_RULES), Vec::<String>::new());
    let config = Config {
        permission_subjects_all: Setting {
            value: true,
            origin: Origin::Flag("test"),
        },
        ..Config::default()
    };
    assert!(fired_with(&config, &team, PERMISSION_RULES).contains(&"pod-creation 7:11".to_string()));
    // Control-plane identities and bootstrap defaults stay out even then.
    let node = team.replace("shop-team", "\"system:nodes\"");
    assert_eq!(
        fired_with(&config, &node, PERMISSION_RULES),
        Vec::<String>::new()
    );
    let default = binding_to("edit").replace(
        "metadata: {name: ci, namespace: shop}",
        "metadata: {name: ci, namespace: shop, labels: {kubernetes.io/bootstrapping: rbac-defaults}}",
    );
    assert_eq!(fired(&default, PERMISSION_RULES), Vec::<String>::new());
}

/// A Pod with a projected token of `seconds`; the value is on line 11.
fn projected(seconds: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: shop}}
spec:
  containers: [{{name: c, image: c:1}}]
  volumes:
    - name: token
      projected:
        sources:
          - serviceAccountToken:
              expirationSeconds: {seconds}
              audience: vault
"
    )
}

#[test]
fn a_projected_token_for_the_api_server_counts_as_mounted() {
    let base = workload_and_binding("{kind: ServiceAccount, name: api, namespace: shop}", "RoleBinding")
        .replace(
            "      serviceAccountName: api\n",
            "      serviceAccountName: api\n      automountServiceAccountToken: false\n      volumes:\n        - name: t\n          projected:\n            sources:\n              - serviceAccountToken: {path: token}\n",
        );
    assert_eq!(
        fired(&base, &["powerful-token-mounted"]),
        ["powerful-token-mounted 14:17"]
    );
    let vault = base.replace("{path: token}", "{path: token, audience: vault}");
    assert_eq!(
        fired(&vault, &["powerful-token-mounted"]),
        Vec::<String>::new()
    );
}

#[test]
fn long_lived_projected_tokens_against_the_limit() {
    assert_eq!(
        fired(&projected("86400"), &["long-lived-projected-token"]),
        ["long-lived-projected-token 11:34"]
    );
    assert_eq!(
        fired(&projected("3607"), &["long-lived-projected-token"]),
        Vec::<String>::new()
    );
    let config = salint::config::load_config_file(
        ".salint.yaml",
        "rules:\n  long-lived-projected-token:\n    max-expiration-seconds: 600\n".to_string(),
    )
    .unwrap();
    assert_eq!(
        fired_with(&config, &projected("3600"), &["long-lived-projected-token"]),
        ["long-lived-projected-token 11:34"]
    );
}

#[test]
fn deprecated_service_account_field_alone_or_contradicted() {
    let pod = |fields: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: shop}}\nspec:\n{fields}  containers: [{{name: c, image: c:1}}]\n"
        )
    };
    let rule = &["deprecated-service-account-field"];
    assert_eq!(
        fired(&pod("  serviceAccount: api\n"), rule),
        ["deprecated-service-account-field 5:19"]
    );
    assert_eq!(
        fired(
            &pod("  serviceAccountName: web\n  serviceAccount: api\n"),
            rule
        ),
        ["deprecated-service-account-field 6:19"]
    );
    assert_eq!(
        fired(
            &pod("  serviceAccountName: api\n  serviceAccount: api\n"),
            rule
        ),
        Vec::<String>::new()
    );
}

#[test]
fn missing_service_account_only_when_the_namespace_defines_some() {
    let deployment = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: api-sa
      containers: [{name: api, image: api:1}]
";
    let rule = &["missing-service-account"];
    // A chart without its ServiceAccount: partial input, quiet.
    assert_eq!(fired(deployment, rule), Vec::<String>::new());
    let with_other = format!(
        "{deployment}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: api-sa2, namespace: shop}}\n"
    );
    assert_eq!(fired(&with_other, rule), ["missing-service-account 7:27"]);
    let with_it = with_other.replace("api-sa2", "api-sa");
    assert_eq!(fired(&with_it, rule), Vec::<String>::new());
}
