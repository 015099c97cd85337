//! Order independence, as properties over generated manifest sets: the findings of a set
//! are the same whatever the order of its files and of the documents in them, and the
//! report is byte-identical with one thread and with several.

use std::collections::BTreeSet;

use proptest::prelude::*;
use salint::report::{json, Report};
use salint::{discover, FileFilter};
use salint::{lint, LintOptions};
use salint::{read_inputs, read_texts, Inputs};

const NAMESPACES: &[&str] = &["shop", "web", "ops"];
const NAMES: &[&str] = &["api", "worker", "default", "ci"];
const ROLES: &[&str] = &["edit", "view", "admin", "reader", "everything", "missing"];

/// One generated document.
#[derive(Debug, Clone)]
enum Doc {
    ServiceAccount {
        ns: usize,
        name: usize,
        automount: Option<bool>,
    },
    Deployment {
        ns: usize,
        name: usize,
        sa: Option<usize>,
        automount: Option<bool>,
    },
    RoleBinding {
        ns: usize,
        role: usize,
        subjects: Vec<(Option<usize>, usize)>,
    },
    ClusterRoleBinding {
        role: usize,
        subject_ns: usize,
        subject: usize,
    },
    Role {
        ns: usize,
    },
    TokenSecret {
        ns: usize,
        sa: usize,
    },
}

fn doc() -> impl Strategy<Value = Doc> {
    let ns = 0..NAMESPACES.len();
    let name = 0..NAMES.len();
    let flag = proptest::option::of(any::<bool>());
    prop_oneof![
        (ns.clone(), name.clone(), flag.clone()).prop_map(|(ns, name, automount)| {
            Doc::ServiceAccount {
                ns,
                name,
                automount,
            }
        }),
        (
            ns.clone(),
            name.clone(),
            proptest::option::of(name.clone()),
            flag
        )
            .prop_map(|(ns, name, sa, automount)| Doc::Deployment {
                ns,
                name,
                sa,
                automount
            }),
        (
            ns.clone(),
            0..ROLES.len(),
            proptest::collection::vec((proptest::option::of(ns.clone()), name.clone()), 1..3)
        )
            .prop_map(|(ns, role, subjects)| Doc::RoleBinding { ns, role, subjects }),
        (0..ROLES.len(), ns.clone(), name.clone()).prop_map(|(role, subject_ns, subject)| {
            Doc::ClusterRoleBinding {
                role,
                subject_ns,
                subject,
            }
        }),
        ns.clone().prop_map(|ns| Doc::Role { ns }),
        (ns, name).prop_map(|(ns, sa)| Doc::TokenSecret { ns, sa }),
    ]
}

fn flag(value: Option<bool>) -> String {
    value
        .map(|v| format!("\n  automountServiceAccountToken: {v}"))
        .unwrap_or_default()
}

fn render(doc: &Doc, index: usize) -> String {
    match doc {
        Doc::ServiceAccount { ns, name, automount } => format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n  namespace: {}{}\n",
            NAMES[*name],
            NAMESPACES[*ns],
            flag(*automount).replace("\n  ", "\n")
        ),
        Doc::Deployment { ns, name, sa, automount } => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {}-{index}\n  namespace: {}\nspec:\n  template:\n    spec:{}{}\n      containers: [{{name: c, image: c}}]\n",
            NAMES[*name],
            NAMESPACES[*ns],
            sa.map(|s| format!("\n      serviceAccountName: {}", NAMES[s])).unwrap_or_default(),
            flag(*automount).replace("\n  ", "\n      "),
        ),
        Doc::RoleBinding { ns, role, subjects } => {
            let kind = if ROLES[*role] == "reader" { "Role" } else { "ClusterRole" };
            let subjects: String = subjects
                .iter()
                .map(|(sub_ns, name)| {
                    let namespace = sub_ns
                        .map(|n| format!(", namespace: {}", NAMESPACES[n]))
                        .unwrap_or_default();
                    format!("\n  - {{kind: ServiceAccount, name: {}{namespace}}}", NAMES[*name])
                })
                .collect();
            format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{index}\n  namespace: {}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {}}}\nsubjects:{subjects}\n",
                NAMESPACES[*ns],
                ROLES[*role]
            )
        }
        Doc::ClusterRoleBinding { role, subject_ns, subject } => format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{index}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {}}}\nsubjects:\n  - {{kind: ServiceAccount, name: {}, namespace: {}}}\n",
            ROLES[*role],
            NAMES[*subject],
            NAMESPACES[*subject_ns]
        ),
        // The ClusterRole comes with the first namespace's Role only: defined twice, it
        // would be a `duplicate-object`, reported on whichever copy comes first.
        Doc::Role { ns } => format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: {}\nrules:\n  - {{apiGroups: [\"\"], resources: [secrets, pods], verbs: [get, list]}}\n{}",
            NAMESPACES[*ns],
            if *ns == 0 {
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything\nrules:\n  - {apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}\n"
            } else {
                ""
            }
        ),
        Doc::TokenSecret { ns, sa } => format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata:\n  name: token-{index}\n  namespace: {}\n  annotations: {{kubernetes.io/service-account.name: {}}}\n",
            NAMESPACES[*ns],
            NAMES[*sa]
        ),
    }
}

/// A manifest set: documents, each assigned to one of 4 files. An object is defined at
/// most once: two definitions of one object are order-dependent by nature (kubectl
/// applies files in order, and the last one wins; `duplicate-object` reports the first).
fn manifest_set() -> impl Strategy<Value = (Vec<Doc>, Vec<usize>)> {
    proptest::collection::vec((doc(), 0..4usize), 1..14).prop_map(|docs| {
        let mut accounts = BTreeSet::new();
        let mut roles = BTreeSet::new();
        docs.into_iter()
            .filter(|(doc, _)| match doc {
                Doc::ServiceAccount { ns, name, .. } => accounts.insert((*ns, *name)),
                Doc::Role { ns } => roles.insert(*ns),
                _ => true,
            })
            .unzip()
    })
}

/// The files of a set, with documents in the given order within each file.
fn files(docs: &[Doc], file_of: &[usize], order: &[usize]) -> Vec<(String, String)> {
    let mut texts: Vec<(String, String)> = (0..4)
        .map(|i| (format!("f{i}.yaml"), String::new()))
        .collect();
    for &d in order {
        let text = &mut texts[file_of[d]].1;
        text.push_str("---\n");
        text.push_str(&render(&docs[d], d));
    }
    texts.retain(|(_, text)| !text.is_empty());
    texts
}

/// Findings without positions: (rule, file, object, field, message, related messages).
fn identities(inputs: &Inputs) -> BTreeSet<String> {
    lint(inputs, &LintOptions::default())
        .iter()
        .map(|f| {
            let mut related: Vec<&str> = f.related.iter().map(|r| r.message.as_str()).collect();
            related.sort_unstable();
            format!(
                "{} {} {} {} | {} | {:?}",
                f.rule.name(),
                inputs.files[f.location.file].display,
                f.object,
                f.field,
                f.message,
                related
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn findings_do_not_depend_on_file_or_document_order(
        (docs, file_of) in manifest_set(),
        seed in any::<u64>(),
    ) {
        let forward: Vec<usize> = (0..docs.len()).collect();
        // A deterministic shuffle of the documents, and the files in reverse order.
        let mut shuffled = forward.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = identities(&read_texts(files(&docs, &file_of, &forward)));
        let mut reversed = files(&docs, &file_of, &shuffled);
        reversed.reverse();
        let b = identities(&read_texts(reversed));
        prop_assert_eq!(a, b);
    }
}

#[test]
fn one_thread_and_many_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed, varied set: every generated kind, spread over many files.
    let docs: Vec<Doc> = (0..60)
        .map(|i| match i % 6 {
            0 => Doc::ServiceAccount {
                ns: i % 3,
                name: i % 4,
                automount: None,
            },
            1 => Doc::Deployment {
                ns: i % 3,
                name: i % 4,
                sa: Some((i / 6) % 4),
                automount: None,
            },
            2 => Doc::RoleBinding {
                ns: i % 3,
                role: i % 6,
                subjects: vec![(None, i % 4), (Some((i + 1) % 3), (i + 1) % 4)],
            },
            3 => Doc::ClusterRoleBinding {
                role: i % 6,
                subject_ns: i % 3,
                subject: i % 4,
            },
            4 => Doc::Role { ns: i % 3 },
            _ => Doc::TokenSecret {
                ns: i % 3,
                sa: i % 4,
            },
        })
        .collect();
    for (i, d) in docs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("m{i:02}.yaml")), render(d, i)).unwrap();
    }
    let filter = FileFilter::new(&[], &[]).unwrap();
    let root = dir.path().display().to_string();
    let report_with = |threads: usize| -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let found = discover(std::slice::from_ref(&root), &filter);
            let inputs = read_inputs(&found.inputs);
            let findings = lint(&inputs, &LintOptions::default());
            json::render(&Report {
                files: &inputs.files,
                findings: &findings,
                errors: &inputs.errors,
                notes: &[],
                object_count: inputs.objects.len(),
                file_count: inputs.files.len(),
                show_suppressed: false,
                absent: &[],
                baseline_used: false,
            })
        })
    };
    let one = report_with(1);
    assert!(one.contains("\"findings\""));
    for threads in [2, 4, 8] {
        assert_eq!(report_with(threads), one, "{threads} threads");
    }
}
