//! In-process micro-benchmarks of the two halves of a run, with divan (`cargo bench`):
//!
//! - `parse_to_model`: YAML text to objects with their span trees (decode, saphyr-parser
//!   events, the span tree, splitting into objects, pruning what no rule reads), on one
//!   thread;
//! - `graph_build` and `graph_and_rules`: objects to the graph, and to sorted findings with
//!   suppressions applied (what `lint` does after reading).
//!
//! The input is a small deterministic manifest set per team namespace (a workload with its
//! ServiceAccount, RBAC, a ConfigMap with a data block), so the sizes scale the way real
//! repositories grow. `scripts/bench` measures the whole process on larger corpora.

use std::fmt::Write as _;

use divan::counter::BytesCount;
use divan::Bencher;
use salint::read_texts;
use salint::testing::Graph;
use salint::testing::Namespace;
use salint::{lint, LintOptions};

/// The binary's allocator, so the numbers match what `salint` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// Team namespaces; each is one file of seven documents.
const TEAMS: &[usize] = &[10, 100, 1000];

/// One file per team: a Deployment and its ServiceAccount, a Role and RoleBinding, a
/// binding to a built-in ClusterRole, a Service and a ConfigMap.
fn manifests(teams: usize) -> Vec<(String, String)> {
    (0..teams)
        .map(|team| {
            let ns = format!("team-{team}");
            let mut text = format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: {ns}\n---\n\
                 apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: {ns}\n  labels: {{app: api}}\n\
                 spec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: api}}\n  template:\n    metadata:\n      labels: {{app: api}}\n\
                 \x20   spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          image: registry.example.com/api:1.{team}\n\
                 \x20         ports: [{{containerPort: 8080}}]\n          env:\n            - {{name: MODE, value: production}}\n\
                 \x20         resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}\n---\n\
                 apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: {ns}\n\
                 rules:\n  - apiGroups: [\"\"]\n    resources: [configmaps, secrets]\n    verbs: [get, list, watch]\n---\n\
                 apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: api-reader\n  namespace: {ns}\n\
                 roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}\n\
                 subjects: [{{kind: ServiceAccount, name: api, namespace: {ns}}}]\n---\n\
                 apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: api-view\n  namespace: {ns}\n\
                 roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}\n\
                 subjects: [{{kind: ServiceAccount, name: default, namespace: {ns}}}]\n---\n\
                 apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: {ns}\nspec:\n  selector: {{app: api}}\n  ports: [{{port: 80}}]\n---\n\
                 apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\n  namespace: {ns}\ndata:\n  settings.yaml: |\n"
            );
            for line in 0..40 {
                let _ = writeln!(text, "    option_{line}: \"value {line} for {ns}\"");
            }
            (format!("team-{team}.yaml"), text)
        })
        .collect()
}

#[divan::bench(args = TEAMS)]
fn parse_to_model(bencher: Bencher, teams: usize) {
    let texts = manifests(teams);
    let bytes: usize = texts.iter().map(|(_, text)| text.len()).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .with_inputs(|| texts.clone())
        .bench_values(read_texts);
}

#[divan::bench(args = TEAMS)]
fn graph_build(bencher: Bencher, teams: usize) {
    let inputs = read_texts(manifests(teams));
    bencher.bench(|| {
        Graph::build(&inputs.objects, Namespace::Implicit)
            .workloads
            .len()
    });
}

#[divan::bench(args = TEAMS)]
fn graph_and_rules(bencher: Bencher, teams: usize) {
    let inputs = read_texts(manifests(teams));
    bencher.bench(|| lint(&inputs, &LintOptions::default()));
}
