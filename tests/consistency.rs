//! Every permission question answered once: on testdata/consistency (one ServiceAccount per
//! question, each bound by a binding of its name and run by a Deployment of its name),
//! `salint check`, `salint explain-sa`, `salint who-can`, `salint graph` and the language
//! server's hover give every ServiceAccount the same dangers. Each surface is asked as a
//! user asks it (the binary, JSON output; the server over stdio) and reduced to the set of
//! danger names per ServiceAccount; the sets must be equal, and the fixture must show each
//! danger at least once and a ServiceAccount with none.

use std::collections::{BTreeMap, BTreeSet};

use std::path::Path;
use std::process::Command;

use insta_cmd::get_cargo_bin;
use serde_json::{json, Value};

mod common;

use common::lsp::Client;

const FIXTURE: &str = "testdata/consistency";
const FILE: &str = "rbac.yaml";

const CLUSTER_ADMIN: &str = "cluster-admin-binding";
const WILDCARD: &str = "wildcard-permission";
const POWERFUL_TOKEN: &str = "powerful-token-mounted";

/// A `who-can` question: (verb, resource, whether it is asked in namespace `team`).
type Request = (&'static str, &'static str, bool);

/// The capability rules, each with the requests that give it as `who-can` is asked them:
/// (verb, resource, whether the request is made in the ServiceAccounts' namespace).
/// Written from src/authz/capability.rs's table, which who-can does not read.
const CAPABILITIES: &[(&str, &[Request])] = &[
    (
        "secrets-access",
        &[
            ("get", "secrets", true),
            ("list", "secrets", true),
            ("watch", "secrets", true),
        ],
    ),
    (
        "pod-creation",
        &[
            ("create", "pods", true),
            ("update", "pods", true),
            ("patch", "pods", true),
            ("create", "replicationcontrollers", true),
            ("create", "deployments", true),
            ("create", "daemonsets", true),
            ("create", "statefulsets", true),
            ("create", "replicasets", true),
            ("create", "jobs", true),
            ("create", "cronjobs", true),
        ],
    ),
    (
        "pod-exec",
        &[
            ("create", "pods/exec", true),
            ("get", "pods/exec", true),
            ("create", "pods/attach", true),
            ("get", "pods/attach", true),
            ("patch", "pods/ephemeralcontainers", true),
            ("update", "pods/ephemeralcontainers", true),
        ],
    ),
    (
        "token-creation",
        &[
            ("create", "serviceaccounts/token", true),
            ("create", "secrets", true),
            ("update", "secrets", true),
            ("patch", "secrets", true),
        ],
    ),
    (
        "privilege-escalation",
        &[
            ("bind", "roles", true),
            // `bind` is checked in the namespace of the RoleBinding being written.
            ("bind", "clusterroles", true),
            ("escalate", "roles", true),
            ("escalate", "clusterroles", false),
            ("impersonate", "serviceaccounts", true),
            ("impersonate", "users", false),
            ("impersonate", "groups", false),
        ],
    ),
    (
        "node-proxy",
        &[
            ("get", "nodes/proxy", false),
            ("create", "nodes/proxy", false),
        ],
    ),
    (
        "control-plane-takeover",
        &[
            // A RoleBinding reaches the `namespaces` object of its own namespace.
            ("update", "namespaces", true),
            ("patch", "namespaces", true),
            ("update", "nodes", false),
            ("patch", "nodes", false),
            ("create", "persistentvolumes", false),
        ],
    ),
];

/// Capabilities whose danger needs every object of the resource: a path narrowed by
/// `resourceNames` does not give them.
const ALL_OBJECTS: &[&str] = &["secrets-access"];

/// Danger names per ServiceAccount (its name in namespace `team`).
type Dangers = BTreeMap<String, BTreeSet<String>>;

fn salint(args: &[&str]) -> Value {
    let output = Command::new(get_cargo_bin("salint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RAYON_NUM_THREADS", "2")
        .args(args)
        .args(["--no-config", FIXTURE])
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The ServiceAccounts of the fixture, from its Deployments.
fn service_accounts(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("serviceAccountName: "))
        .map(str::to_string)
        .collect()
}

fn empty(accounts: &[String]) -> Dangers {
    accounts
        .iter()
        .map(|a| (a.clone(), BTreeSet::new()))
        .collect()
}

fn add(dangers: &mut Dangers, account: &str, danger: &str) {
    dangers
        .get_mut(account)
        .unwrap_or_else(|| panic!("{account} is not a ServiceAccount of the fixture"))
        .insert(danger.to_string());
}

/// `salint check`: the findings of the danger rules, on the binding named as its subject,
/// and powerful-token-mounted, on the Deployment named as its ServiceAccount.
fn from_check(accounts: &[String]) -> Dangers {
    let report = salint(&["check", "--format", "json"]);
    let mut dangers = empty(accounts);
    let rules: BTreeSet<&str> = CAPABILITIES
        .iter()
        .map(|c| c.0)
        .chain([CLUSTER_ADMIN, WILDCARD])
        .collect();
    for finding in report["findings"].as_array().unwrap() {
        let rule = finding["rule"].as_str().unwrap();
        if rule == POWERFUL_TOKEN {
            assert_eq!(finding["object"]["kind"], "Deployment", "{finding}");
            add(
                &mut dangers,
                finding["object"]["name"].as_str().unwrap(),
                rule,
            );
        } else if rules.contains(rule) {
            let object = &finding["object"];
            assert!(
                object["kind"].as_str().unwrap().ends_with("Binding"),
                "{finding}"
            );
            add(&mut dangers, object["name"].as_str().unwrap(), rule);
        }
    }
    dangers
}

/// `salint explain-sa team/NAME`: its dangerous capabilities.
fn from_explain_sa(accounts: &[String]) -> Dangers {
    let mut dangers = empty(accounts);
    for account in accounts {
        let answer = salint(&["explain-sa", &format!("team/{account}"), "--format", "json"]);
        for capability in answer["capabilities"].as_array().unwrap() {
            add(&mut dangers, account, capability["rule"].as_str().unwrap());
        }
    }
    dangers
}

/// `salint who-can VERB RESOURCE`: the ServiceAccounts listed for a capability's requests.
fn from_who_can(accounts: &[String]) -> Dangers {
    let mut dangers = empty(accounts);
    for &(capability, requests) in CAPABILITIES {
        for &(verb, resource, namespaced) in requests {
            let mut args = vec!["who-can", verb, resource, "--format", "json"];
            if namespaced {
                args.extend(["--namespace", "team"]);
            }
            let answer = salint(&args);
            for subject in answer["subjects"].as_array().unwrap() {
                if subject["kind"] != "ServiceAccount" || subject["namespace"] != "team" {
                    continue;
                }
                let gives = subject["paths"].as_array().unwrap().iter().any(|path| {
                    !ALL_OBJECTS.contains(&capability)
                        || path["rule_fields"]["resource_names"]
                            .as_array()
                            .is_none_or(Vec::is_empty)
                });
                if gives {
                    add(&mut dangers, subject["name"].as_str().unwrap(), capability);
                }
            }
        }
    }
    dangers
}

/// `salint graph --format json`: whether the edge from each binding to its role is risky,
/// and whether the edge from each Deployment to its ServiceAccount is, by name.
fn from_graph(accounts: &[String]) -> (BTreeMap<String, bool>, BTreeMap<String, bool>) {
    let picture = salint(&["graph", "--format", "json"]);
    let labels: BTreeMap<&str, &str> = picture["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n["label"].as_str().unwrap()))
        .collect();
    let (mut bindings, mut workloads) = (BTreeMap::new(), BTreeMap::new());
    for edge in picture["edges"].as_array().unwrap() {
        let risky = match edge["kind"].as_str().unwrap() {
            "role" => &mut bindings,
            "runs-as" => &mut workloads,
            _ => continue,
        };
        let from = labels[edge["from"].as_str().unwrap()];
        let name = from.rsplit(['/', ' ']).next().unwrap().to_string();
        assert!(accounts.contains(&name), "{from}");
        risky.insert(name, edge["risky"].as_bool().unwrap());
    }
    (bindings, workloads)
}

/// The language server's hover on each Deployment's `serviceAccountName`: the `Risky:`
/// line, with `everything (cluster-admin)` read as the rule that reports it.
fn from_hover(accounts: &[String], text: &str) -> Dangers {
    let dir = common::scratch_repo(&[(FILE, text)]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = format!("file://{}", root.join(FILE).display());
    let mut server = Client::start(&root);
    let root_uri = format!("file://{}", root.display());
    server.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {},
               "workspaceFolders": [{"uri": root_uri, "name": "ws"}]}),
    );
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let mut dangers = empty(accounts);
    for (line, content) in text.lines().enumerate() {
        let Some(at) = content.find("serviceAccountName: ") else {
            continue;
        };
        let account = &content[at + "serviceAccountName: ".len()..];
        let hover = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri},
                   "position": {"line": line, "character": at + "serviceAccountName: ".len() + 1}}),
        );
        let shown = hover["contents"]["value"].as_str().unwrap();
        assert!(
            shown.contains(&format!("**ServiceAccount team/{account}**")),
            "{shown}"
        );
        if let Some(risky) = shown.lines().find_map(|l| l.strip_prefix("Risky: ")) {
            for danger in risky.split(", ") {
                let danger = match danger {
                    "everything (cluster-admin)" => CLUSTER_ADMIN,
                    other => other,
                };
                add(&mut dangers, account, danger);
            }
        }
    }
    server.shutdown();
    dangers
}

/// Only the names in `keep`.
fn only(dangers: &Dangers, keep: impl Fn(&str) -> bool) -> Dangers {
    dangers
        .iter()
        .map(|(a, d)| {
            let kept = d.iter().filter(|d| keep(d)).cloned().collect();
            (a.clone(), kept)
        })
        .collect()
}

#[test]
fn check_explain_sa_who_can_graph_and_hover_agree_on_every_danger() {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join(FILE)).unwrap();
    let accounts = service_accounts(&text);
    assert!(accounts.len() >= 15, "{accounts:?}");
    let check = from_check(&accounts);
    let explain_sa = from_explain_sa(&accounts);
    let who_can = from_who_can(&accounts);
    let hover = from_hover(&accounts, &text);
    let (graph_bindings, graph_workloads) = from_graph(&accounts);
    let check_tokens: BTreeMap<String, bool> = check
        .iter()
        .map(|(a, d)| (a.clone(), d.contains(POWERFUL_TOKEN)))
        .collect();
    let check = only(&check, |d| d != POWERFUL_TOKEN);

    // A binding to cluster-admin is one finding, not one per capability it gives: the
    // other surfaces list every capability of such a subject, and are compared with each
    // other on those.
    let admins: BTreeSet<&String> = check
        .iter()
        .filter(|(_, d)| d.contains(CLUSTER_ADMIN))
        .map(|(a, _)| a)
        .collect();
    let is_capability = |d: &str| CAPABILITIES.iter().any(|c| c.0 == d);
    let capabilities = |dangers: &Dangers| only(dangers, is_capability);
    let not_admin = |dangers: &Dangers| -> Dangers {
        dangers
            .iter()
            .filter(|(a, _)| !admins.contains(a))
            .map(|(a, d)| (a.clone(), d.clone()))
            .collect()
    };

    // The capabilities: every surface that names them.
    assert_eq!(
        capabilities(&explain_sa),
        capabilities(&who_can),
        "explain-sa (left) vs who-can (right)"
    );
    assert_eq!(
        capabilities(&hover),
        capabilities(&who_can),
        "hover (left) vs who-can (right)"
    );
    assert_eq!(
        not_admin(&check),
        not_admin(&explain_sa),
        "check (left) vs explain-sa (right), cluster-admin subjects aside"
    );
    assert_eq!(
        not_admin(&hover),
        not_admin(&explain_sa),
        "hover (left) vs explain-sa (right), cluster-admin subjects aside"
    );
    // Cluster-admin: check, explain-sa and hover.
    let admin_of = |dangers: &Dangers| only(dangers, |d| d == CLUSTER_ADMIN);
    assert_eq!(
        admin_of(&check),
        admin_of(&explain_sa),
        "check vs explain-sa"
    );
    assert_eq!(
        admin_of(&hover),
        admin_of(&explain_sa),
        "hover vs explain-sa"
    );
    // The graph marks a binding risky when it gives cluster-admin, a capability or a `*`
    // rule: what powerful-token-mounted counts.
    let expected_risky: BTreeMap<String, bool> = explain_sa
        .iter()
        .map(|(a, d)| {
            let dangerous = d
                .iter()
                .any(|d| d == CLUSTER_ADMIN || d == "wildcard-permission" || is_capability(d));
            (a.clone(), dangerous)
        })
        .collect();
    assert_eq!(
        graph_bindings, expected_risky,
        "graph's binding edges (left) vs explain-sa (right)"
    );
    // A Deployment's edge to its ServiceAccount is risky when it mounts a token the
    // check reports as powerful (every Deployment of the fixture mounts its token).
    assert_eq!(
        graph_workloads, check_tokens,
        "graph's runs-as edges (left) vs powerful-token-mounted (right)"
    );

    // The fixture asks every question: each danger given to someone, and someone
    // given none.
    let given: BTreeSet<&String> = explain_sa.values().flatten().collect();
    for danger in CAPABILITIES
        .iter()
        .map(|c| c.0)
        .chain([CLUSTER_ADMIN, WILDCARD])
    {
        assert!(
            given.contains(&danger.to_string()),
            "no subject gets {danger}"
        );
    }
    assert!(explain_sa["plain"].is_empty(), "{:?}", explain_sa["plain"]);
}
