//! The commands that show the graph: `explain-sa`, `who-can` and `graph`. Snapshots of each
//! on testdata/inspect (a RoleBinding to the built-in `edit`, an aggregated ClusterRole, a
//! group binding, resourceNames, a ClusterRoleBinding, a RoleBinding that cannot grant
//! nodes/proxy, workloads with automount off), and assertions for who-can's matching
//! semantics on small manifests written here.

use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use serde_json::Value;

fn salint() -> Command {
    let mut command = Command::new(get_cargo_bin("salint"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env("RAYON_NUM_THREADS", "2");
    command
}

const FIXTURE: &str = "testdata/inspect";

#[test]
fn explain_sa_with_builtin_edit_group_binding_and_token_secret() {
    assert_cmd_snapshot!(salint().args(["explain-sa", "shop/api", "--no-config", FIXTURE]));
}

#[test]
fn explain_sa_with_automount_off_and_role_binding_to_cluster_scoped_rules() {
    assert_cmd_snapshot!(salint().args(["explain-sa", "shop/worker", "--no-config", FIXTURE]));
}

#[test]
fn explain_sa_referenced_but_not_defined() {
    assert_cmd_snapshot!(salint().args(["explain-sa", "shop/ghost", "--no-config", FIXTURE]));
}

#[test]
fn explain_sa_through_aggregated_cluster_role_json() {
    assert_cmd_snapshot!(salint().args([
        "explain-sa",
        "monitoring/prometheus",
        "--format",
        "json",
        "--no-config",
        FIXTURE
    ]));
}

#[test]
fn explain_sa_unknown_is_an_error() {
    assert_cmd_snapshot!(salint().args(["explain-sa", "shop/nobody", "--no-config", FIXTURE]));
}

#[test]
fn explain_sa_needs_namespace_and_name() {
    let output = salint()
        .args(["explain-sa", "api", "--no-config", FIXTURE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("NAMESPACE/NAME"));
}

#[test]
fn explain_sa_on_bad_input_still_explains_and_exits_2() {
    assert_cmd_snapshot!(salint().args([
        "explain-sa",
        "team-a/default",
        "--no-config",
        "testdata/broken"
    ]));
}

#[test]
fn who_can_get_secrets() {
    assert_cmd_snapshot!(salint().args(["who-can", "get", "secrets", "--no-config", FIXTURE]));
}

#[test]
fn who_can_get_nodes_proxy_leaves_out_the_role_binding() {
    assert_cmd_snapshot!(salint().args(["who-can", "get", "nodes/proxy", "--no-config", FIXTURE]));
}

#[test]
fn who_can_create_deployments_in_a_namespace_json() {
    assert_cmd_snapshot!(salint().args([
        "who-can",
        "create",
        "deployments",
        "--namespace",
        "shop",
        "--format",
        "json",
        "--no-config",
        FIXTURE
    ]));
}

#[test]
fn graph_mermaid() {
    assert_cmd_snapshot!(salint().args(["graph", "--format", "mermaid", "--no-config", FIXTURE]));
}

#[test]
fn graph_dot() {
    assert_cmd_snapshot!(salint().args(["graph", "--format", "dot", "--no-config", FIXTURE]));
}

#[test]
fn graph_json() {
    assert_cmd_snapshot!(salint().args(["graph", "--format", "json", "--no-config", FIXTURE]));
}

#[test]
fn graph_is_the_same_whatever_the_thread_count() {
    let run = |threads: &str| {
        salint()
            .env("RAYON_NUM_THREADS", threads)
            .args(["graph", "--format", "mermaid", "--no-config", FIXTURE])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("8"));
}

#[test]
fn graph_marks_risky_edges_from_the_json() {
    let output = salint()
        .args(["graph", "--format", "json", "--no-config", FIXTURE])
        .output()
        .unwrap();
    let picture: Value = serde_json::from_slice(&output.stdout).unwrap();
    let label = |id: &str| {
        picture["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()["label"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut risky: Vec<String> = picture["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["risky"] == true)
        .map(|e| {
            format!(
                "{} -> {}",
                label(e["from"].as_str().unwrap()),
                label(e["to"].as_str().unwrap())
            )
        })
        .collect();
    risky.sort();
    assert_eq!(
        risky,
        [
            "ClusterRoleBinding monitoring -> ClusterRole monitoring",
            "ClusterRoleBinding platform-admins -> ClusterRole cluster-admin (built in)",
            "Deployment shop/api -> ServiceAccount shop/api",
            "RoleBinding shop/api-edit -> ClusterRole edit (built in)",
            "RoleBinding shop/ci-deployer -> Role shop/deployer",
            "StatefulSet monitoring/prometheus -> ServiceAccount monitoring/prometheus",
        ]
    );
}

// --- who-can semantics -------------------------------------------------------------------

/// One ClusterRole per case, each bound to its own User (so the answer names the case),
/// through a RoleBinding in namespace `app` unless the case is about ClusterRoleBindings.
const SEMANTICS: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: star-verbs}
rules: [{apiGroups: [""], resources: [pods], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: star-resources}
rules: [{apiGroups: [""], resources: ["*"], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: star-groups}
rules: [{apiGroups: ["*"], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: any-exec}
rules: [{apiGroups: [""], resources: ["*/exec"], verbs: [create, get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pods-only}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: named-secret}
rules: [{apiGroups: [""], resources: [secrets], resourceNames: [db, cache], verbs: [get, create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: nodes}
rules:
  - {apiGroups: [""], resources: [nodes, nodes/proxy], verbs: [get]}
  - {nonResourceURLs: [/metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: namespace-labeler}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [patch, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: other-group}
rules: [{apiGroups: [extensions], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: star-verbs, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: star-verbs}
subjects: [{kind: User, name: star-verbs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: star-resources, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: star-resources}
subjects: [{kind: User, name: star-resources}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: star-groups, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: star-groups}
subjects: [{kind: User, name: star-groups}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: any-exec, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: any-exec}
subjects: [{kind: User, name: any-exec}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pods-only, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods-only}
subjects: [{kind: User, name: pods-only}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: named-secret, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: named-secret}
subjects: [{kind: User, name: named-secret}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nodes-in-app, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}
subjects: [{kind: User, name: nodes-via-role-binding}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}
subjects: [{kind: User, name: nodes-via-cluster-role-binding}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: namespace-labeler, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-labeler}
subjects: [{kind: User, name: namespace-labeler}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-group, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: other-group}
subjects: [{kind: User, name: other-group}]
---
# No metadata.namespace: the implicit namespace may be any.
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: anywhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods-only}
subjects: [{kind: User, name: implicit-namespace}]
"#;

/// Runs who-can on [`SEMANTICS`]; the users that can, each with its `only` names.
fn who_can(verb: &str, resource: &str, namespace: Option<&str>) -> Vec<(String, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rbac.yaml"), SEMANTICS).unwrap();
    let mut command = salint();
    command.args(["who-can", verb, resource, "--format", "json", "--no-config"]);
    if let Some(ns) = namespace {
        command.args(["--namespace", ns]);
    }
    let output = command.arg(dir.path()).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    answer["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|subject| {
            let only = subject["paths"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["only"].as_array().unwrap().iter())
                .map(|n| n.as_str().unwrap().to_string())
                .collect();
            (subject["name"].as_str().unwrap().to_string(), only)
        })
        .collect()
}

fn names(answer: &[(String, Vec<String>)]) -> Vec<&str> {
    answer.iter().map(|(name, _)| name.as_str()).collect()
}

#[test]
fn star_verbs_allow_every_verb() {
    let answer = who_can("deletecollection", "pods", None);
    assert_eq!(names(&answer), ["star-verbs"]);
}

#[test]
fn star_resources_cover_resources_and_subresources_of_the_group() {
    assert_eq!(
        names(&who_can("get", "secrets", None)),
        ["named-secret", "star-resources"]
    );
    assert!(names(&who_can("get", "pods/exec", None)).contains(&"star-resources"));
    // `*` resources in the core group say nothing about other groups.
    assert!(!names(&who_can("get", "deployments.apps", None)).contains(&"star-resources"));
}

#[test]
fn star_api_groups_cover_every_group() {
    assert_eq!(
        names(&who_can("create", "deployments.apps", None)),
        ["star-groups"]
    );
    assert_eq!(
        names(&who_can("create", "deployments.extensions", None)),
        ["other-group", "star-groups"]
    );
    // A bare name is read in the group kubectl would find: deployments are in apps.
    assert_eq!(
        names(&who_can("create", "deployments", None)),
        ["star-groups"]
    );
}

#[test]
fn star_slash_subresource_covers_that_subresource_of_any_resource() {
    let exec = who_can("create", "pods/exec", None);
    assert!(names(&exec).contains(&"any-exec"));
    assert!(!names(&who_can("create", "pods", None)).contains(&"any-exec"));
    assert!(!names(&who_can("create", "pods/attach", None)).contains(&"any-exec"));
}

#[test]
fn pods_do_not_cover_pods_exec() {
    assert!(names(&who_can("create", "pods", None)).contains(&"pods-only"));
    let exec = who_can("create", "pods/exec", None);
    assert!(!names(&exec).contains(&"pods-only"), "{exec:?}");
    assert_eq!(names(&exec), ["any-exec"]);
}

#[test]
fn resource_names_narrow_a_rule_to_the_named_objects() {
    let get = who_can("get", "secrets", None);
    let named = get.iter().find(|(name, _)| name == "named-secret").unwrap();
    assert_eq!(named.1, ["db", "cache"]);
    let unrestricted = get
        .iter()
        .find(|(name, _)| name == "star-resources")
        .unwrap();
    assert!(unrestricted.1.is_empty());
    // A create request names no object, so a rule with resourceNames never allows it.
    assert!(!names(&who_can("create", "secrets", None)).contains(&"named-secret"));
}

#[test]
fn role_bindings_never_grant_cluster_scoped_resources() {
    // Neither the rule naming nodes nor the `*` resources of star-resources, both bound
    // by RoleBindings: only the ClusterRoleBinding.
    for resource in ["nodes", "nodes/proxy"] {
        assert_eq!(
            names(&who_can("get", resource, None)),
            ["nodes-via-cluster-role-binding"],
            "{resource}"
        );
    }
    // Non-resource URLs neither.
    assert_eq!(
        names(&who_can("get", "/metrics", None)),
        ["nodes-via-cluster-role-binding"]
    );
}

#[test]
fn a_role_binding_reaches_its_own_namespace_object_only() {
    let patch = who_can("patch", "namespaces", None);
    assert_eq!(
        patch,
        [("namespace-labeler".to_string(), vec!["app".to_string()])]
    );
    // Listing namespaces is a cluster-wide request.
    assert!(who_can("list", "namespaces", None).is_empty());
}

#[test]
fn namespace_of_the_request_selects_role_bindings() {
    assert_eq!(
        names(&who_can("create", "pods", Some("app"))),
        ["implicit-namespace", "pods-only", "star-verbs"]
    );
    // Other namespaces: only the RoleBinding whose namespace is not known.
    assert_eq!(
        names(&who_can("create", "pods", Some("other"))),
        ["implicit-namespace"]
    );
    // ClusterRoleBindings apply in every namespace.
    assert_eq!(
        names(&who_can("get", "nodes", Some("other"))),
        ["nodes-via-cluster-role-binding"]
    );
}

#[test]
fn nobody_can_is_still_exit_0() {
    assert!(who_can("escalate", "clusterroles", None).is_empty());
}

#[test]
fn who_can_rejects_a_malformed_resource() {
    let output = salint()
        .args(["who-can", "get", "pods/", "--no-config", FIXTURE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn readme_mermaid_example_is_what_the_command_prints() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```mermaid\n")
        .expect("README has a mermaid block")
        + 11;
    let end = start + readme[start..].find("```").unwrap();
    let output = salint()
        .args([
            "graph",
            "--format",
            "mermaid",
            "--no-config",
            "testdata/inspect/shop.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(
        readme[start..end],
        String::from_utf8(output.stdout).unwrap()
    );
}

/// explain-sa and `wildcard-permission` ask the same code: a rule with `*/exec` is a wildcard
/// rule to both, and a rule of non-resource URLs with `*` verbs is one to neither.
#[test]
fn explain_sa_lists_the_wildcard_rules_the_rule_reports() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec-anything}
rules:
  - {apiGroups: [\"\"], resources: [\"*/exec\"], verbs: [create]}
  - {nonResourceURLs: [/metrics], verbs: [\"*\"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debug, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec-anything}
subjects: [{kind: ServiceAccount, name: debugger, namespace: shop}]
";
    let inputs = salint::read_texts(vec![("set.yaml".to_string(), text.to_string())]);
    let findings = salint::lint(&inputs, &salint::LintOptions::default());
    let reported: Vec<usize> = findings
        .iter()
        .filter(|f| f.rule.name() == "wildcard-permission")
        .flat_map(|f| f.related.iter().map(|r| r.location.span.start))
        .collect();
    let graph =
        salint::testing::Graph::build(&inputs.objects, salint::testing::Namespace::Implicit);
    let view = salint::testing::View {
        graph: &graph,
        inputs: &inputs,
    };
    let explained = salint::testing::explain(&view, "shop", "debugger").unwrap();
    let listed: Vec<&str> = explained
        .capabilities
        .iter()
        .filter(|c| c.rule == "wildcard-permission")
        .flat_map(|c| c.through.iter().map(|s| s.request.as_str()))
        .collect();
    assert_eq!(listed, ["create on */exec (core)"]);
    let exec_rule = text
        .find("{apiGroups: [\"\"], resources: [\"*/exec\"]")
        .unwrap();
    assert_eq!(reported, [exec_rule]);
}

const ESCALATION: &str = "testdata/escalation";

#[test]
fn paths_from_a_service_account_text() {
    assert_cmd_snapshot!(salint().args(["paths", "ci/builder", "--no-config", ESCALATION]));
}

#[test]
fn paths_to_cluster_admin_json() {
    assert_cmd_snapshot!(salint().args([
        "paths",
        "ci/builder",
        "--to-capability",
        "cluster-admin",
        "--format",
        "json",
        "--no-config",
        ESCALATION
    ]));
}

#[test]
fn paths_to_one_identity_mermaid_and_dot() {
    assert_cmd_snapshot!(salint().args([
        "paths",
        "ci/builder",
        "--to",
        "prod/ops",
        "--format",
        "mermaid",
        "--no-config",
        ESCALATION
    ]));
    assert_cmd_snapshot!(salint().args([
        "paths",
        "ci/builder",
        "--to",
        "prod/ops",
        "--format",
        "dot",
        "--no-config",
        ESCALATION
    ]));
}

#[test]
fn paths_of_an_unknown_identity_or_capability_is_an_error() {
    for args in [
        vec!["paths", "ci/nobody"],
        vec!["paths", "ci/builder", "--to-capability", "everything"],
        vec!["paths", "builder"],
    ] {
        let output = salint()
            .args(args.iter().chain(&["--no-config", ESCALATION]))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn explain_sa_can_become() {
    assert_cmd_snapshot!(salint().args([
        "explain-sa",
        "build/packager",
        "--no-config",
        ESCALATION
    ]));
}

#[test]
fn explain_sa_can_become_json() {
    let output = salint()
        .args([
            "explain-sa",
            "ci/deployer",
            "--format",
            "json",
            "--no-config",
            ESCALATION,
        ])
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    let become_ = answer["can_become"].as_array().unwrap();
    let admin = become_
        .iter()
        .find(|p| p["to"] == "cluster-admin")
        .expect("a path to cluster-admin");
    assert_eq!(admin["steps"], 1);
    assert_eq!(admin["hops"][0]["step"], "run-as");
    assert_eq!(admin["hops"][0]["to"], "ServiceAccount platform/operator");
    // Without a path, nothing to become.
    let output = salint()
        .args([
            "explain-sa",
            "prod/ops",
            "--format",
            "json",
            "--no-config",
            ESCALATION,
        ])
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(answer["can_become"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["kind"] != "capability"));
}

#[test]
fn who_can_transitive_adds_the_subjects_with_a_path() {
    assert_cmd_snapshot!(salint().args([
        "who-can",
        "create",
        "pods/exec",
        "--transitive",
        "--no-config",
        ESCALATION
    ]));
    let plain = salint()
        .args([
            "who-can",
            "create",
            "pods/exec",
            "--format",
            "json",
            "--no-config",
            ESCALATION,
        ])
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(answer.get("transitive").is_none());
}

#[test]
fn graph_draws_escalation_steps() {
    assert_cmd_snapshot!(salint().args([
        "graph",
        "--format",
        "mermaid",
        "--no-config",
        ESCALATION
    ]));
}

#[test]
fn paths_are_the_same_whatever_the_thread_count() {
    let run = |threads: &str| {
        salint()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "paths",
                "ci/builder",
                "--format",
                "json",
                "--no-config",
                ESCALATION,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    for threads in ["2", "4", "8"] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}

#[test]
fn escalation_findings_carry_every_hop_and_do_not_depend_on_threads_or_file_order() {
    let run = |threads: &str| {
        salint()
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--format", "json", "--no-config", ESCALATION])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    for threads in ["2", "4", "8"] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
    let report: Value = serde_json::from_slice(&one).unwrap();
    let builder = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "escalation-path"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("ServiceAccount ci/builder")
        })
        .expect("ci/builder's path");
    assert_eq!(builder["severity"], "error");
    let related_lines: Vec<u64> = builder["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["span"]["start"]["line"].as_u64().unwrap())
        .collect();
    // Each step's binding and rule, and the binding that makes prod/ops cluster-admin.
    for line in [54, 46, 78, 71, 111, 104, 136] {
        assert!(
            related_lines.contains(&line),
            "line {line} in {related_lines:?}"
        );
    }
    // The same findings whatever the order the files are read in.
    let texts: Vec<(String, String)> = ["rbac.yaml", "workloads.yaml"]
        .iter()
        .map(|name| {
            let path = format!("{ESCALATION}/{name}");
            let text = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&path),
            )
            .unwrap();
            (path, text)
        })
        .collect();
    let findings = |texts: Vec<(String, String)>| {
        let inputs = salint::read_texts(texts);
        let mut found: Vec<(String, usize, String)> = salint::lint(&inputs, &Default::default())
            .iter()
            .map(|f| {
                let file = &inputs.files[f.location.file];
                (
                    file.display.clone(),
                    file.position(f.location.span.start).line,
                    f.message.clone(),
                )
            })
            .collect();
        found.sort();
        found
    };
    let mut reversed = texts.clone();
    reversed.reverse();
    assert_eq!(findings(reversed), findings(texts));
}
