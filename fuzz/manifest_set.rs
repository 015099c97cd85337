//! A structure-aware generator of Kubernetes manifest sets, shared by the cargo-fuzz target
//! `fuzz/fuzz_targets/manifests.rs` and the stable fuzzer `examples/fuzz.rs` (both include
//! this file). Mutating the small files of `testdata/` never makes a long line, a long name
//! or thousands of findings; this builds near-valid manifests from the fuzzer's bytes
//! instead: workloads, ServiceAccounts, roles and bindings whose names are long, unicode or
//! hostile (control characters, workflow commands, HTML), lines of tens of thousands of
//! characters, hundreds of findings in one file, values of the wrong type, duplicate keys,
//! anchors and merge keys, and suppression comments and annotations.

use std::fmt::Write as _;

use arbitrary::{Arbitrary, Result, Unstructured};

/// The files of one run: (name, YAML or JSON text).
#[derive(Debug)]
pub struct ManifestSet {
    pub files: Vec<(String, String)>,
}

impl<'a> Arbitrary<'a> for ManifestSet {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let file_count = u.int_in_range(1..=4)?;
        let mut files = Vec::with_capacity(file_count);
        for index in 0..file_count {
            let mut text = String::new();
            if u.ratio(1, 8)? {
                let _ = writeln!(text, "# salint: ignore-file[{}] {}", rule(u)?, reason(u)?);
            }
            let documents = u.int_in_range(1..=6)?;
            for _ in 0..documents {
                if u.ratio(1, 10)? {
                    // Many findings in one file: Pods without a ServiceAccount of their own.
                    let count = u.int_in_range(10..=1500)?;
                    // A long name here is repeated in every Pod: 1,500 copies of 70,000
                    // characters made sets of 100 MB, a few inputs a minute.
                    let namespace = Some(namespace(u)?)
                        .filter(|namespace| namespace.len() <= 256)
                        .unwrap_or_else(|| "shop".to_string());
                    for n in 0..count {
                        let _ = write!(
                            text,
                            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}, namespace: {namespace}}}\nspec:\n  containers: [{{name: c, image: i}}]\n"
                        );
                    }
                    continue;
                }
                text.push_str("---\n");
                document(u, &mut text)?;
            }
            let name = if u.ratio(1, 6)? {
                // A hostile file name, but one a file system allows (255 bytes): every
                // finding repeats its file's name, and a 50,000-character one made reports
                // of 100 MB.
                let mut stem = name(u)?;
                while stem.len() > 240 {
                    stem.pop();
                }
                format!("{stem}-{index}.yaml")
            } else if u.ratio(1, 6)? {
                format!("set-{index}.json")
            } else {
                format!("set-{index}.yaml")
            };
            if name.ends_with(".json") {
                text = json_document(u)?;
            }
            files.push((name, text));
        }
        Ok(ManifestSet { files })
    }
}

/// Names: mostly ordinary, some long, unicode or hostile.
fn name(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=15)? {
        0..=5 => {
            ["api", "web", "worker", "default", "ci", "db"][u.int_in_range(0..=5)?].to_string()
        }
        6 => "a".repeat(u.int_in_range(64..=70_000)?),
        7 => "sa-".repeat(u.int_in_range(100..=15_000)?),
        8 => "日本語-é-😀".to_string(),
        9 => "x\n::error title=pwned::injected".to_string(),
        10 => "t\u{1b}]0;title\u{7}\u{1b}[2J\r\u{9b}".to_string(),
        11 => "<img src=x onerror=alert(1)>![](http://example.invalid/x.png)".to_string(),
        12 => "\u{202e}evil\u{2066}\u{200f}".to_string(),
        13 => format!("{}\u{0}", u.arbitrary::<char>()?),
        14 => "system:serviceaccounts".to_string(),
        _ => u.arbitrary::<String>()?.chars().take(200).collect(),
    })
}

/// A string as a YAML double-quoted scalar (JSON escaping is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"x\"".to_string())
}

fn namespace(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0..=2 => "shop".to_string(),
        3 => "kube-system".to_string(),
        _ => quoted(&name(u)?),
    })
}

fn rule(u: &mut Unstructured) -> Result<&'static str> {
    Ok([
        "SA101",
        "all",
        "default-service-account",
        "missing-service-account",
        "needless-token-automount",
        "no-such-rule",
        "",
    ][u.int_in_range(0..=6)?])
}

fn reason(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => String::new(),
        1 => "reviewed".to_string(),
        _ => name(u)?.replace('\n', " "),
    })
}

/// A value that is sometimes of the wrong type.
fn boolean(u: &mut Unstructured) -> Result<&'static str> {
    Ok([
        "true",
        "false",
        "no",
        "\"false\"",
        "3",
        "[x]",
        "{a: b}",
        "null",
        "~",
    ][u.int_in_range(0..=8)?])
}

fn document(u: &mut Unstructured, out: &mut String) -> Result<()> {
    if u.ratio(1, 5)? {
        let _ = writeln!(out, "# salint: ignore[{}] {}", rule(u)?, reason(u)?);
    }
    match u.int_in_range(0..=8)? {
        8 => unread_document(u, out),
        0 => service_account(u, out),
        1..=3 => workload(u, out),
        4 => role(u, out),
        5 => binding(u, out),
        6 => {
            let _ = writeln!(
                out,
                "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata:\n  name: {}\n  namespace: {}\n  annotations:\n    kubernetes.io/service-account.name: {}",
                quoted(&name(u)?),
                namespace(u)?,
                quoted(&name(u)?)
            );
            Ok(())
        }
        _ => {
            // Anchors and merge keys, and a key set twice.
            let _ = writeln!(
                out,
                "apiVersion: apps/v1\nkind: Deployment\nbase: &base\n  name: {}\n  namespace: {}\nmetadata:\n  <<: *base\n  name: {}\nspec:\n  template:\n    spec: &spec\n      serviceAccountName: {}\n      serviceAccountName: {}\n      containers: [{{name: c, image: i}}]",
                quoted(&name(u)?),
                namespace(u)?,
                quoted(&name(u)?),
                quoted(&name(u)?),
                quoted(&name(u)?)
            );
            Ok(())
        }
    }
}

/// A document of a kind no rule reads (a CRD as controller-gen writes it, or a ConfigMap),
/// its `spec` lines picked and indented by the fuzzer: what the pre-scan reads without the
/// parser, and what it must leave to the parser (tabs, flow collections, anchors, tags,
/// keys set twice, odd indentation, unclosed quotes, document markers).
fn unread_document(u: &mut Unstructured, out: &mut String) -> Result<()> {
    const LINES: &[&str] = &[
        "group: example.com",
        "names:",
        "kind: Widget",
        "- name: v1",
        "- served: true",
        "-",
        "- a",
        "description: 'Widget is a",
        "widget: it widgets.'",
        "description: \"How big, \\\"really\\\" \\",
        "  of sorts\"",
        "text: |",
        "text: >-",
        "text: |+",
        "  block line",
        "plain text that goes on",
        "enum: [small, large]",
        "x: {}",
        "x: []",
        "# a comment",
        "",
        "   ",
        "key: value # comment",
        "key: &a v",
        "key: *a",
        "key: !!str v",
        "? complex",
        ": v",
        "key:\tv",
        "template: {}",
        "type: object",
        "dup: 1",
        "dup: 2",
        "\"dup\": 3",
        "---",
        "...",
        "key: v: w",
        "key: 'it''s'",
        "'unclosed",
        "日本: é",
        "x-kubernetes-preserve-unknown-fields: true",
        "properties:",
        "status:",
    ];
    let kind =
        ["CustomResourceDefinition", "ConfigMap", "Service", "Widget"][u.int_in_range(0..=3)?];
    let _ = writeln!(
        out,
        "apiVersion: apiextensions.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {}\n  labels: {{}}",
        quoted(&name(u)?)
    );
    out.push_str(["spec:\n", "data:\n", "status:\n"][u.int_in_range(0..=2)?]);
    for _ in 0..u.int_in_range(1..=40)? {
        let indent = if u.ratio(1, 8)? {
            u.int_in_range(0..=9)?
        } else {
            2 * u.int_in_range(1..=4)?
        };
        let line = LINES[u.int_in_range(0..=LINES.len() - 1)?];
        let _ = writeln!(out, "{}{line}", " ".repeat(indent));
    }
    if u.ratio(1, 3)? {
        out.push_str("status:\n  acceptedNames:\n    kind: ''\n");
    }
    Ok(())
}

fn service_account(u: &mut Unstructured, out: &mut String) -> Result<()> {
    let _ = writeln!(
        out,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n  namespace: {}\nautomountServiceAccountToken: {}",
        quoted(&name(u)?),
        namespace(u)?,
        boolean(u)?
    );
    Ok(())
}

fn workload(u: &mut Unstructured, out: &mut String) -> Result<()> {
    let kind = [
        "Deployment",
        "StatefulSet",
        "CronJob",
        "Pod",
        "Job",
        "DaemonSet",
    ][u.int_in_range(0..=5)?];
    let (api, template) = match kind {
        "Pod" => ("v1", ""),
        "CronJob" => ("batch/v1", "jobTemplate:\n    spec:\n      template:\n"),
        "Job" => ("batch/v1", "template:\n"),
        _ => ("apps/v1", "template:\n"),
    };
    let _ = writeln!(
        out,
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {}\n  namespace: {}",
        quoted(&name(u)?),
        namespace(u)?
    );
    if u.ratio(1, 4)? {
        let _ = writeln!(
            out,
            "  annotations:\n    ignore.salint.io/{}: {}",
            rule(u)?,
            quoted(&reason(u)?)
        );
    }
    let indent = match kind {
        "Pod" => "",
        "CronJob" => "        ",
        _ => "    ",
    };
    let _ = write!(out, "spec:\n  {template}");
    let _ = writeln!(out, "{indent}  spec:");
    if u.ratio(2, 3)? {
        let field = if u.ratio(1, 5)? {
            "serviceAccount"
        } else {
            "serviceAccountName"
        };
        let value = if u.ratio(1, 8)? {
            boolean(u)?.to_string()
        } else {
            quoted(&name(u)?)
        };
        let _ = writeln!(out, "{indent}    {field}: {value}");
    }
    if u.ratio(1, 2)? {
        let _ = writeln!(
            out,
            "{indent}    automountServiceAccountToken: {}",
            boolean(u)?
        );
    }
    if u.ratio(1, 6)? {
        let _ = writeln!(
            out,
            "{indent}    volumes:\n{indent}      - name: t\n{indent}        projected:\n{indent}          sources:\n{indent}            - serviceAccountToken: {{expirationSeconds: {}, path: t}}",
            u.int_in_range(0..=1_000_000_000u64)?
        );
    }
    if u.ratio(1, 10)? {
        // A long line: a comment, then a long value.
        let _ = writeln!(
            out,
            "{indent}    # {}",
            "long ".repeat(u.int_in_range(1..=20_000)?)
        );
    }
    let _ = writeln!(out, "{indent}    containers: [{{name: c, image: i}}]");
    Ok(())
}

fn rbac_list(u: &mut Unstructured, pool: &[&str]) -> Result<String> {
    let count = u.int_in_range(1..=3)?;
    let mut items = Vec::new();
    for _ in 0..count {
        items.push(if u.ratio(1, 6)? {
            quoted(&name(u)?)
        } else {
            quoted(pool[u.int_in_range(0..=pool.len() - 1)?])
        });
    }
    Ok(format!("[{}]", items.join(", ")))
}

fn role(u: &mut Unstructured, out: &mut String) -> Result<()> {
    let cluster = u.ratio(1, 2)?;
    let _ = writeln!(
        out,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {}\nmetadata:\n  name: {}\n  namespace: {}\nrules:",
        if cluster { "ClusterRole" } else { "Role" },
        quoted(&name(u)?),
        namespace(u)?
    );
    for _ in 0..u.int_in_range(1..=3)? {
        let _ = writeln!(
            out,
            "  - apiGroups: {}\n    resources: {}\n    verbs: {}\n    resourceNames: {}",
            rbac_list(u, &["", "*", "apps", "rbac.authorization.k8s.io"])?,
            rbac_list(
                u,
                &[
                    "secrets",
                    "pods",
                    "pods/exec",
                    "*",
                    "nodes/proxy",
                    "serviceaccounts/token"
                ]
            )?,
            rbac_list(
                u,
                &["get", "list", "create", "*", "escalate", "impersonate"]
            )?,
            if u.ratio(1, 3)? {
                rbac_list(u, &["a", "b"])?
            } else {
                "[]".to_string()
            }
        );
    }
    Ok(())
}

fn binding(u: &mut Unstructured, out: &mut String) -> Result<()> {
    let cluster = u.ratio(1, 2)?;
    let role_kind = if u.ratio(1, 2)? {
        "ClusterRole"
    } else {
        "Role"
    };
    let role_name = if u.ratio(1, 3)? {
        "cluster-admin".to_string()
    } else {
        quoted(&name(u)?)
    };
    let _ = writeln!(
        out,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {}\nmetadata:\n  name: {}\n  namespace: {}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role_name}}}\nsubjects:",
        if cluster { "ClusterRoleBinding" } else { "RoleBinding" },
        quoted(&name(u)?),
        namespace(u)?
    );
    for _ in 0..u.int_in_range(0..=3)? {
        let kind = ["ServiceAccount", "Group", "User", "Robot"][u.int_in_range(0..=3)?];
        let _ = writeln!(
            out,
            "  - kind: {kind}\n    name: {}\n    namespace: {}",
            quoted(&name(u)?),
            namespace(u)?
        );
    }
    Ok(())
}

/// A JSON file on one line (what `kubectl get -o json` minified looks like): a List whose
/// items hold long names, so every finding sits far along one line.
fn json_document(u: &mut Unstructured) -> Result<String> {
    let mut items = Vec::new();
    for _ in 0..u.int_in_range(1..=20)? {
        items.push(serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name(u)?, "namespace": "shop"},
            "spec": {"template": {"spec": {
                "serviceAccountName": name(u)?,
                "containers": [{"name": "c", "image": "i"}]
            }}}
        }));
    }
    items.push(serde_json::json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": name(u)?, "namespace": "shop"}
    }));
    Ok(serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string())
}
