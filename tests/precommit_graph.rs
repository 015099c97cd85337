//! pre-commit with the whole graph: with `--context`, a staged change that creates a
//! finding in another, unstaged file (removing the binding that gave a mounted token its
//! purpose; a new workload sharing a ServiceAccount) is reported there, its message naming
//! the staged file; and the shipped hooks' context follows `.salint.yaml`'s `context:`.
//! The repositories are real git repositories (git is what pre-commit runs in). When
//! Kustomize or Helm renders the cluster, the `HEAD` side is rendered too: those tests run
//! the real renderers (`.ci/run` installs kubectl and helm-python-sdk; without them they
//! fail when `CI` is set, and are skipped otherwise).

use std::path::Path;
use std::process::Command;

mod common;

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
";

const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: ServiceAccount, name: web, namespace: shop}
";

const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
";

/// A git repository with the files committed.
fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir.path(), &["init", "--quiet"]);
    git(dir.path(), &["add", "."]);
    git(
        dir.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "--quiet",
            "-m",
            "x",
        ],
    );
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn stage(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
    git(dir, &["add", name]);
}

/// The `salint-system` hook's entry, then the staged files, as pre-commit runs it.
fn hook(dir: &Path, staged: &[&str]) -> (i32, String) {
    let hooks = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let entry = hooks
        .lines()
        .skip_while(|l| !l.contains("id: salint-system"))
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .unwrap()
        .to_string();
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("salint"));
    let output = common::salint_in(dir)
        .args(words)
        .args(["--format", "compact"])
        .args(staged)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn a_staged_change_that_creates_a_finding_elsewhere_is_reported_there() {
    let repo = git_repo(&[("k8s/app.yaml", APP), ("k8s/rbac.yaml", RBAC)]);
    // Staged as committed: nothing.
    assert_eq!(hook(repo.path(), &["k8s/rbac.yaml"]), (0, String::new()));
    // The binding goes: app.yaml's token is needless now, and the hook says why.
    stage(repo.path(), "k8s/rbac.yaml", CONFIG_MAP);
    let (code, stdout) = hook(repo.path(), &["k8s/rbac.yaml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("k8s/app.yaml:6:5: warning [SA201 needless-token-automount]"),
        "{stdout}"
    );
    assert!(
        lines[0].ends_with(
            "(New with the staged change to `k8s/rbac.yaml`: this file itself is unchanged.)"
        ),
        "{stdout}"
    );
}

#[test]
fn a_new_file_is_compared_with_its_absence() {
    let repo = git_repo(&[("k8s/app.yaml", APP), ("k8s/rbac.yaml", RBAC)]);
    let worker = APP
        .replace("name: web, namespace", "name: worker, namespace")
        .split("---")
        .next()
        .unwrap()
        .to_string();
    stage(repo.path(), "k8s/worker.yaml", &worker);
    let (code, stdout) = hook(repo.path(), &["k8s/worker.yaml"]);
    assert_eq!(code, 1);
    // The new workload shares web's ServiceAccount: reported in the new file as ever, and
    // in app.yaml, which did not change, as new with it.
    let places: Vec<&str> = stdout
        .lines()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        places,
        ["k8s/app.yaml:7:27", "k8s/worker.yaml:7:27"],
        "{stdout}"
    );
    assert!(stdout.contains("New with the staged change to `k8s/worker.yaml`"));
}

/// A named file outside the repository has no staged change: nothing is said about other
/// files (git cannot show it at HEAD, which is not "new at HEAD").
#[test]
fn a_named_file_outside_the_repository_is_compared_with_nothing() {
    let repo = git_repo(&[("k8s/app.yaml", APP), ("k8s/rbac.yaml", RBAC)]);
    let outside = tempfile::tempdir().unwrap();
    let worker = APP
        .replace("name: web, namespace", "name: worker, namespace")
        .split("---")
        .next()
        .unwrap()
        .to_string();
    let path = outside.path().join("worker.yaml");
    std::fs::write(&path, worker).unwrap();
    let output = common::salint_in(repo.path())
        .args(["check", "--context", "k8s", "--format", "compact"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    // The shared ServiceAccount is reported in the named file only.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].contains("worker.yaml:7:27: "), "{stdout}");
    assert!(
        !stdout.contains("k8s/app.yaml") && !stdout.contains("New with"),
        "{stdout}"
    );
}

#[test]
fn the_hooks_context_follows_the_configuration() {
    // The binding is outside k8s/: with `context: k8s` the hook does not see it.
    let files = [
        ("k8s/app.yaml", APP),
        ("platform/rbac.yaml", RBAC),
        (".salint.yaml", "context: k8s\n"),
    ];
    let repo = git_repo(&files);
    let (code, stdout) = hook(repo.path(), &["k8s/app.yaml"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("SA201"), "{stdout}");
    // Without `context:`, the whole repository: the binding counts.
    let repo = git_repo(&files[..2]);
    assert_eq!(hook(repo.path(), &["k8s/app.yaml"]), (0, String::new()));
}

/// Sets a file's modification time a minute back: a file written just now is not cached.
fn age(path: &Path) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// The hook run with the context cache cold, warm, and turned off says the same. The HEAD
/// side reuses the run's own objects (only the staged file is parsed at HEAD) while the
/// clusters judged there are the ones judged now; here the staged file's duplicate splits
/// the folders apart, so at HEAD they are one cluster holding `b/`, which this run did not
/// judge (its cached trees are not read): that side is then parsed from the texts. A
/// kustomization elsewhere, which no staged file is part of, changes neither.
#[test]
fn the_head_side_is_the_same_with_the_cache_cold_warm_or_off() {
    let shared = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: shop}\n";
    let repo = git_repo(&[
        ("a/app.yaml", APP),
        ("a/rbac.yaml", CONFIG_MAP),
        ("b/rbac.yaml", &format!("{RBAC}---\n{shared}")),
        ("other/kustomization.yaml", "resources: [cm.yaml]\n"),
        ("other/cm.yaml", CONFIG_MAP),
    ]);
    stage(repo.path(), "a/rbac.yaml", shared);
    for file in ["a/app.yaml", "a/rbac.yaml", "b/rbac.yaml", "other/cm.yaml"] {
        age(&repo.path().join(file));
    }
    let cold = hook(repo.path(), &["a/rbac.yaml"]);
    assert!(
        repo.path().join(".git/salint").is_dir(),
        "the cache is written"
    );
    let warm = hook(repo.path(), &["a/rbac.yaml"]);
    let output = common::salint_in(repo.path())
        .args([
            "check",
            "--default-context",
            ".",
            "--no-cache",
            "--format",
            "compact",
        ])
        .arg("a/rbac.yaml")
        .output()
        .unwrap();
    let off = (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    );
    assert_eq!(cold.0, 1, "{}", cold.1);
    assert!(
        cold.1
            .starts_with("a/app.yaml:6:5: warning [SA201 needless-token-automount]")
            && cold
                .1
                .contains("New with the staged change to `a/rbac.yaml`"),
        "{}",
        cold.1
    );
    assert_eq!(warm, cold);
    assert_eq!(off, cold);

    // Staged back as committed: nothing, warm or not.
    stage(repo.path(), "a/rbac.yaml", CONFIG_MAP);
    assert_eq!(hook(repo.path(), &["a/rbac.yaml"]), (0, String::new()));
}

fn namespaced_by_kustomize(text: &str) -> String {
    text.replace(", namespace: shop}", "}")
}

#[test]
fn a_change_to_a_file_kustomize_renders_is_compared_with_its_rendering_at_head() {
    if !common::kustomize() {
        return;
    }
    let app = namespaced_by_kustomize(APP);
    let files = [
        (
            "k8s/base/kustomization.yaml",
            "namespace: shop\nresources: [app.yaml, rbac.yaml]\n",
        ),
        ("k8s/base/app.yaml", app.as_str()),
        ("k8s/base/rbac.yaml", RBAC),
    ];
    let repo = git_repo(&files);
    assert_eq!(
        hook(repo.path(), &["k8s/base/rbac.yaml"]),
        (0, String::new())
    );
    // An unrelated change to the rendered file: nothing new elsewhere.
    stage(
        repo.path(),
        "k8s/base/rbac.yaml",
        &format!("{RBAC}# reviewed\n"),
    );
    assert_eq!(
        hook(repo.path(), &["k8s/base/rbac.yaml"]),
        (0, String::new())
    );
    // The binding goes: the Deployment Kustomize renders from app.yaml mounts a needless
    // token, reported in app.yaml, which is unchanged.
    stage(
        repo.path(),
        "k8s/base/rbac.yaml",
        &namespaced_by_kustomize(CONFIG_MAP),
    );
    let (code, stdout) = hook(repo.path(), &["k8s/base/rbac.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("k8s/base/app.yaml:6:5: warning [SA201 needless-token-automount]"),
        "{stdout}"
    );
    assert!(
        lines[0].ends_with(
            "(New with the staged change to `k8s/base/rbac.yaml`: this file itself is unchanged.)"
        ),
        "{stdout}"
    );
    // The kustomization itself staged: it no longer lists the binding.
    git(
        repo.path(),
        &["checkout", "HEAD", "--", "k8s/base/rbac.yaml"],
    );
    stage(
        repo.path(),
        "k8s/base/kustomization.yaml",
        "namespace: shop\nresources: [app.yaml]\n",
    );
    let (code, stdout) = hook(repo.path(), &["k8s/base/kustomization.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with("k8s/base/app.yaml:6:5: warning [SA201 needless-token-automount]")
            && stdout.contains("New with the staged change to `k8s/base/kustomization.yaml`"),
        "{stdout}"
    );
}

/// Only the files of the Kustomize roots concerned are copied to render them at HEAD; a
/// root that reads at HEAD a base it no longer reads (another folder) does not render
/// from that copy, and the whole repository is copied instead: the answer is the same.
#[test]
fn a_root_that_read_other_files_at_head_is_rendered_from_the_whole_repository() {
    if !common::kustomize() {
        return;
    }
    let app = namespaced_by_kustomize(APP);
    let repo = git_repo(&[
        (
            "k8s/base/kustomization.yaml",
            "namespace: shop\nresources: [app.yaml, ../rbac]\n",
        ),
        ("k8s/base/app.yaml", app.as_str()),
        ("k8s/rbac/kustomization.yaml", "resources: [rbac.yaml]\n"),
        ("k8s/rbac/rbac.yaml", RBAC),
        ("k8s/other/settings.yaml", CONFIG_MAP),
    ]);
    assert_eq!(
        hook(repo.path(), &["k8s/base/kustomization.yaml"]),
        (0, String::new())
    );
    stage(
        repo.path(),
        "k8s/base/kustomization.yaml",
        "namespace: shop\nresources: [app.yaml]\n",
    );
    let (code, stdout) = hook(repo.path(), &["k8s/base/kustomization.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("k8s/base/app.yaml:6:5: warning [SA201 needless-token-automount]")
            && lines[0].contains("New with the staged change to `k8s/base/kustomization.yaml`"),
        "{stdout}"
    );
}

#[test]
fn a_changed_chart_value_is_compared_with_the_charts_rendering_at_head() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let command = format!(
        "{} {}",
        python.display(),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts/helm-template")
            .display()
    );
    let config = format!(
        "render:\n  helm: {}\n",
        serde_json::to_string(&command).unwrap()
    );
    let rbac_template = format!("{{{{- if .Values.rbac }}}}\n{RBAC}{{{{- end }}}}\n");
    let files = [
        (".salint.yaml", config.as_str()),
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        ),
        ("chart/values.yaml", "rbac: true\n"),
        ("chart/templates/app.yaml", APP),
        ("chart/templates/rbac.yaml", rbac_template.as_str()),
    ];
    let repo = git_repo(&files);
    assert_eq!(
        hook(repo.path(), &["chart/values.yaml"]),
        (0, String::new())
    );
    // The value that renders the binding turned off: the unchanged template's Deployment
    // mounts a needless token.
    stage(repo.path(), "chart/values.yaml", "rbac: false\n");
    let (code, stdout) = hook(repo.path(), &["chart/values.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0]
            .starts_with("chart/templates/app.yaml:6:5: warning [SA201 needless-token-automount]")
            && lines[0].ends_with(
                "(New with the staged change to `chart/values.yaml`: this file itself is unchanged.)"
            ),
        "{stdout}"
    );
}
