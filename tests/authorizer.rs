//! `who-can` against Kubernetes' own RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go
//! with pkg/registry/rbac/validation/rule.go, the bootstrap policy and the ClusterRole
//! aggregation controller, Kubernetes v1.31.12, as `../shared/tools/k8s-oracle` runs them).
//!
//! `testdata/authorizer/` holds 300 generated RBAC manifest sets, 30 requests of each and the
//! authorizer's answer to each, recorded by `scripts/authorizer-cases`; the replay needs only
//! those files. The other tests pin one behaviour each on a small set, with the answer the
//! authorizer gave recorded beside it (`oracle can DIR USER "" VERB GROUP RESOURCE SUB NS NAME`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use salint::testing::Graph;
use salint::testing::Namespace;
use salint::testing::Target;
use salint::testing::View;
use salint::testing::{who_can, Answer};
use salint::InputSource;
use salint::{read_inputs, read_texts};
use serde_json::Value;

/// What `who-can` says of each subject: allowed on every object, or only on these names.
type Allowed = BTreeMap<String, (bool, BTreeSet<String>)>;

fn ask(view: &View, verb: &str, resource: &str, ns: &str) -> Allowed {
    let target = Target::parse(resource).expect("a resource");
    subjects(&who_can(view, verb, &target, Some(ns)))
}

/// `Kind:namespace:name` → (unrestricted, names), as difftest reads `who-can --format json`.
fn subjects(answer: &Answer) -> Allowed {
    let mut found = Allowed::new();
    for subject in &answer.subjects {
        let key = format!(
            "{}:{}:{}",
            subject.kind,
            subject.namespace.as_deref().unwrap_or(""),
            subject.name
        );
        let entry = found.entry(key).or_default();
        for path in &subject.paths {
            if path.only.is_empty() {
                entry.0 = true;
            }
            entry.1.extend(path.only.iter().cloned());
        }
    }
    found
}

fn ask_text(text: &str, verb: &str, resource: &str, ns: &str) -> Allowed {
    let inputs = read_texts(vec![("set.yaml".to_string(), text.to_string())]);
    assert!(inputs.errors.is_empty(), "{:?}", inputs.errors);
    let graph = Graph::build(&inputs.objects, Namespace::Implicit);
    let view = View {
        graph: &graph,
        inputs: &inputs,
    };
    ask(&view, verb, resource, ns)
}

fn only(names: &[&str]) -> (bool, BTreeSet<String>) {
    (false, names.iter().map(|n| n.to_string()).collect())
}

const ANY: (bool, BTreeSet<String>) = (true, BTreeSet::new());

#[test]
fn who_can_answers_every_recorded_request_as_the_authorizer_did() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/authorizer");
    let answers = std::fs::read_to_string(dir.join("answers.jsonl")).unwrap();
    let (mut requests, mut allowed, mut mismatches) = (0, 0, Vec::new());
    for line in answers.lines() {
        let set: Value = serde_json::from_str(line).unwrap();
        let file = dir.join(set["set"].as_str().unwrap());
        let inputs = read_inputs(&[InputSource::File(file.clone())]);
        assert!(inputs.errors.is_empty(), "{file:?}: {:?}", inputs.errors);
        let implicit = match set["implicit_namespace"].as_str() {
            Some(ns) => Namespace::Named(ns.to_string()),
            None => Namespace::Implicit,
        };
        let graph = Graph::build(&inputs.objects, implicit);
        let view = View {
            graph: &graph,
            inputs: &inputs,
        };
        for query in set["queries"].as_array().unwrap() {
            requests += 1;
            let (verb, resource) = (
                query["verb"].as_str().unwrap(),
                query["resource"].as_str().unwrap(),
            );
            let ns = query["namespace"].as_str().unwrap();
            let ours = ask(&view, verb, resource, ns);
            let theirs: Allowed = query["answer"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(key, a)| {
                    let names = a["names"].as_array().unwrap();
                    let names = names.iter().map(|n| n.as_str().unwrap().to_string());
                    (
                        key.clone(),
                        (a["unrestricted"].as_bool().unwrap(), names.collect()),
                    )
                })
                .collect();
            allowed += usize::from(!theirs.is_empty());
            // A request on one named object: the answer is yes or no (as difftest compares).
            let named = query["request"]["name"].as_str().unwrap_or("");
            let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
            for key in keys {
                let none = (false, BTreeSet::new());
                let (a, b) = (
                    ours.get(key).unwrap_or(&none),
                    theirs.get(key).unwrap_or(&none),
                );
                // Names count only for a subject not allowed on every object.
                let same = if named.is_empty() {
                    a.0 == b.0 && (a.0 || a.1 == b.1)
                } else {
                    (a.0 || a.1.contains(named)) == b.0
                };
                if !same {
                    mismatches.push(format!(
                        "{}: who-can {verb} {resource} --namespace {ns}: {key}: salint {a:?}, authorizer {b:?}",
                        set["set"]
                    ));
                }
            }
        }
    }
    assert!(
        requests >= 9000 && allowed >= 1500,
        "{requests} requests, {allowed} allowed"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

// Item 1. The aggregation controller (pkg/controller/clusterroleaggregation) reads selectors
// with LabelSelectorAsSelector (k8s.io/apimachinery pkg/apis/meta/v1/helpers.go): `{}`
// selects everything, cluster-admin included.
// oracle can i1 system:serviceaccount:shop:api "" delete "" secrets "" shop x: allowed
#[test]
fn an_empty_aggregation_selector_selects_every_cluster_role() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything-by-mistake}
aggregationRule:
  clusterRoleSelectors: [{}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything-by-mistake}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
";
    let allowed = ask_text(set, "delete", "secrets", "shop");
    assert_eq!(allowed.get("ServiceAccount:shop:api"), Some(&ANY));
    // A selector that matches nothing leaves the role with no rules.
    let none = set.replace("[{}]", "[{matchLabels: {example.com/none: \"true\"}}]");
    assert!(ask_text(&none, "delete", "secrets", "shop").is_empty());
}

// Item 1, through the built-in chain: a role labelled aggregate-to-view that selects
// everything makes `view` (and so `edit` and `admin`) all-powerful.
// oracle can i1b system:serviceaccount:shop:viewer "" create "" pods exec shop x: allowed
// oracle can i1b system:serviceaccount:shop:viewer "" get "" secrets "" shop x: allowed
#[test]
fn an_empty_selector_labelled_aggregate_to_view_makes_view_all_powerful() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: extra-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}
aggregationRule:
  clusterRoleSelectors: [{}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: viewer, namespace: shop}]
";
    for (verb, resource) in [("create", "pods/exec"), ("get", "secrets")] {
        let allowed = ask_text(set, verb, resource, "shop");
        assert_eq!(
            allowed.get("ServiceAccount:shop:viewer"),
            Some(&ANY),
            "{verb} {resource}"
        );
    }
    // Without the empty selector, view reads no Secrets.
    let plain = set.replace(
        "aggregationRule:\n  clusterRoleSelectors: [{}]\n",
        "rules: []\n",
    );
    assert!(ask_text(&plain, "get", "secrets", "shop").is_empty());
}

// Item 2. syncClusterRole (pkg/controller/clusterroleaggregation/
// clusterroleaggregation_controller.go) writes the selected roles' rules over the
// aggregating role's own.
// oracle can i2 system:serviceaccount:shop:prometheus "" get "" secrets "" shop x: denied
// oracle can i2 system:serviceaccount:shop:prometheus "" get "" configmaps "" shop x: allowed
#[test]
fn an_aggregating_cluster_roles_own_rules_are_replaced() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-monitoring: \"true\"}}]
rules:
  - {apiGroups: [\"\"], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-configmaps
  labels: {example.com/aggregate-to-monitoring: \"true\"}
rules:
  - {apiGroups: [\"\"], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: prometheus, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: shop}]
";
    assert!(ask_text(set, "get", "secrets", "shop").is_empty());
    let allowed = ask_text(set, "get", "configmaps", "shop");
    assert_eq!(allowed.get("ServiceAccount:shop:prometheus"), Some(&ANY));
}

// Item 3. ResourceNameMatches (pkg/apis/rbac/v1/evaluation_helpers.go) against the name
// RequestInfo (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) gives a request: a
// subresource request names its parent, `create` of a resource names nothing.
// oracle can i3 system:serviceaccount:shop:debugger "" create "" pods exec shop db-0: allowed
// oracle can i3 system:serviceaccount:shop:debugger "" create "" pods exec shop web-0: denied
// oracle can i3 system:serviceaccount:shop:debugger "" create "" pods "" shop "": denied
#[test]
fn create_on_a_subresource_is_allowed_for_the_named_objects() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: db-debug, namespace: shop}
rules:
  - {apiGroups: [\"\"], resources: [pods/exec], resourceNames: [db-0], verbs: [create]}
  - {apiGroups: [\"\"], resources: [pods], resourceNames: [db-0], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: db-debug, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: db-debug}
subjects: [{kind: ServiceAccount, name: debugger, namespace: shop}]
";
    let exec = ask_text(set, "create", "pods/exec", "shop");
    assert_eq!(
        exec.get("ServiceAccount:shop:debugger"),
        Some(&only(&["db-0"]))
    );
    assert!(ask_text(set, "create", "pods", "shop").is_empty());
}

// Item 4. The bootstrap policy's ControllerRoles
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go) exist in every cluster.
// oracle can i4 system:serviceaccount:ops:gc "" delete "" secrets "" shop x: allowed
#[test]
fn system_controller_roles_are_built_in_with_their_rules() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: gc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:controller:generic-garbage-collector}
subjects: [{kind: ServiceAccount, name: gc, namespace: ops}]
";
    let allowed = ask_text(set, "delete", "secrets", "shop");
    assert_eq!(allowed.get("ServiceAccount:ops:gc"), Some(&ANY));
    assert_eq!(salint::testing::builtin_objects().len(), 64 + 7);
    let unknown = set.replace("generic-garbage-collector", "no-such-controller");
    assert!(ask_text(&unknown, "delete", "secrets", "shop").is_empty());
}

// Item 5. RequestInfo files `GET /api/v1/watch/namespaces/NS` under namespace NS (name NS),
// so a RoleBinding in NS applies (VisitRulesFor, pkg/registry/rbac/validation/rule.go);
// `list` of namespaces is filed under no namespace.
// oracle can i5 system:serviceaccount:shop:watcher "" watch "" namespaces "" shop shop: allowed
// oracle can i5 system:serviceaccount:shop:watcher "" list "" namespaces "" "" "": denied
#[test]
fn watch_on_namespaces_through_a_role_binding_reaches_its_own_namespace() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: namespace-watcher}
rules:
  - {apiGroups: [\"\"], resources: [namespaces], verbs: [watch, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: watcher, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-watcher}
subjects: [{kind: ServiceAccount, name: watcher, namespace: shop}]
";
    let watch = ask_text(set, "watch", "namespaces", "shop");
    assert_eq!(
        watch.get("ServiceAccount:shop:watcher"),
        Some(&only(&["shop"]))
    );
    assert!(ask_text(set, "list", "namespaces", "shop").is_empty());
}

// `bind` on a ClusterRole is checked in the namespace of the RoleBinding being written
// (BindingAuthorized, pkg/registry/rbac/escalation_check.go), so a RoleBinding in NS grants
// it for RoleBindings of NS and for nothing cluster-wide.
// oracle can i7 system:serviceaccount:shop:binder "" bind rbac.authorization.k8s.io clusterroles "" shop cluster-admin: allowed
// oracle can i7 system:serviceaccount:shop:binder "" bind rbac.authorization.k8s.io clusterroles "" web cluster-admin: denied
// oracle can i7 system:serviceaccount:shop:binder "" bind rbac.authorization.k8s.io clusterroles "" "" cluster-admin: denied
#[test]
fn bind_on_cluster_roles_through_a_role_binding_is_granted_in_its_namespace() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: role-binder}
rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: binder, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-binder}
subjects: [{kind: ServiceAccount, name: binder, namespace: shop}]
";
    let shop = ask_text(set, "bind", "clusterroles", "shop");
    assert_eq!(shop.get("ServiceAccount:shop:binder"), Some(&ANY));
    assert!(ask_text(set, "bind", "clusterroles", "web").is_empty());
}

// Item 6. NamespaceRoles of the bootstrap policy (bootstrappolicy/namespace_policy.go): the
// leader-locking Roles hold leases and leasecandidates.
// oracle can i6 system:serviceaccount:kube-system:my-scheduler "" create coordination.k8s.io leases "" kube-system "": allowed
// oracle can i6 system:serviceaccount:kube-system:my-scheduler "" update coordination.k8s.io leasecandidates "" kube-system x: allowed
#[test]
fn the_leader_locking_roles_have_their_lease_rules() {
    let set = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: scheduler-lock, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: system::leader-locking-kube-scheduler}
subjects: [{kind: ServiceAccount, name: my-scheduler, namespace: kube-system}]
";
    for (verb, resource) in [
        ("create", "leases.coordination.k8s.io"),
        ("update", "leasecandidates.coordination.k8s.io"),
    ] {
        let allowed = ask_text(set, verb, resource, "kube-system");
        let key = "ServiceAccount:kube-system:my-scheduler";
        assert_eq!(allowed.get(key), Some(&ANY), "{verb} {resource}");
    }
}
