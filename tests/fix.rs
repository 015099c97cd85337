//! `salint check --fix` and `--diff`: the safe fixes (the token automount off where nothing
//! grants the ServiceAccount anything, unused suppressions removed), every other byte kept,
//! plain YAML only (never JSON, Helm's output or a Helm template), the summary counting
//! what was fixed, and a second run finding nothing left to fix. The diffs are pinned with
//! insta.

use std::path::Path;

use insta_cmd::assert_cmd_snapshot;

mod common;

/// Two workloads whose tokens nothing uses (one inserts the field, one changes `true`),
/// stale suppressions of three kinds (the only annotation, one of two, a trailing comment),
/// comments and blank lines that must stay.
const APP: &str = "# The web shop's front end.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    ignore.salint.io/SA104: \"we use serviceAccountName only\"   # stale
spec:
  template:
    spec:
      # runs as its own identity
      serviceAccountName: web

      containers:
        - name: web
          image: web:1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: shop
  annotations:
    team: shop
    ignore.salint.io/default-service-account: \"not the default\"
spec:
  template:
    spec:
      serviceAccountName: worker   # salint: ignore[SA102] only one
      automountServiceAccountToken: true
      containers: [{name: w, image: w:1}]
---
# salint: ignore[legacy-token-secret] no token Secret here any more
apiVersion: v1
kind: ServiceAccount
metadata: {name: worker, namespace: shop}
";

/// The same needless token in JSON and in Helm's output: reported, never edited.
const JSON: &str = "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"j\", \"namespace\": \"shop\"},
 \"spec\": {\"template\": {\"spec\": {\"serviceAccountName\": \"j\", \"containers\": [{\"name\": \"j\", \"image\": \"j\"}]}}}}
";
const HELM_OUTPUT: &str = "---
# Source: shop/templates/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: api
      containers: [{name: a, image: a}]
";

fn repo() -> tempfile::TempDir {
    common::scratch_repo(&[
        ("k8s/app.yaml", APP),
        ("k8s/flow.json", JSON),
        ("k8s/helm-out.yaml", HELM_OUTPUT),
    ])
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = common::salint_in(dir)
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn diff_shows_the_safe_fixes_and_writes_nothing() {
    let repo = repo();
    assert_cmd_snapshot!(common::salint_in(repo.path()).args(["check", "--diff", "k8s"]));
    let app = std::fs::read_to_string(repo.path().join("k8s/app.yaml")).unwrap();
    assert_eq!(app, APP);
}

#[test]
fn fix_writes_them_keeps_every_other_byte_and_a_second_run_has_nothing_to_fix() {
    let repo = repo();
    let (code, stdout, stderr) = run(repo.path(), &["--fix", "-f", "compact", "k8s"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("; 6 fixed"), "{stderr}");
    // What is left: the JSON's and Helm output's tokens (never edited) and the missing SA.
    assert!(!stdout.contains("k8s/app.yaml"), "{stdout}");
    assert_eq!(
        stdout.matches("needless-token-automount").count(),
        2,
        "{stdout}"
    );
    let fixed = std::fs::read_to_string(repo.path().join("k8s/app.yaml")).unwrap();
    insta::assert_snapshot!(fixed);
    for (name, text) in [("k8s/flow.json", JSON), ("k8s/helm-out.yaml", HELM_OUTPUT)] {
        assert_eq!(
            std::fs::read_to_string(repo.path().join(name)).unwrap(),
            text
        );
    }
    // The snapshot pins every byte: comments, the blank line, the flow mapping kept.
    let (_, _, stderr) = run(repo.path(), &["--fix", "-f", "compact", "k8s"]);
    assert!(stderr.contains("; 0 fixed"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("k8s/app.yaml")).unwrap(),
        fixed
    );
    let (code, stdout, stderr) = run(repo.path(), &["--diff", "k8s"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    assert!(stderr.contains("no fixes to apply"), "{stderr}");
}

#[test]
fn fix_keeps_crlf_line_breaks_and_leaves_other_findings_alone() {
    let crlf = APP.replace('\n', "\r\n");
    let repo = common::scratch_repo(&[("k8s/app.yaml", crlf.as_str())]);
    let (_, _, stderr) = run(repo.path(), &["--fix", "-q", "k8s"]);
    assert_eq!(stderr, "");
    let fixed = std::fs::read_to_string(repo.path().join("k8s/app.yaml")).unwrap();
    assert_ne!(fixed, crlf);
    assert!(
        !fixed.replace("\r\n", "").contains('\n'),
        "a bare LF crept in"
    );
    assert!(fixed.contains(
        "      automountServiceAccountToken: false\r\n      serviceAccountName: web\r\n"
    ));
    // A rule without a safe fix: reported, not touched.
    let shared = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: s}\nspec:\n  template:\n    spec:\n      serviceAccountName: ghost\n      automountServiceAccountToken: false\n      containers: [{name: a, image: a}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other, namespace: s}\n";
    let repo = common::scratch_repo(&[("a.yaml", shared)]);
    let (code, stdout, stderr) = run(repo.path(), &["--fix", "-f", "compact", "a.yaml"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("missing-service-account"), "{stdout}");
    assert!(stderr.contains("; 0 fixed"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("a.yaml")).unwrap(),
        shared
    );
}
