//! Where users run salint: the pre-commit hooks (run as pre-commit runs them) and the GitHub
//! Action (parsed, every input used and documented). The README snippets are checked
//! against the files they refer to.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use insta_cmd::get_cargo_bin;
use salint::yaml::{load_documents, Node};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// The single YAML document of `text`, which must parse.
fn yaml(text: &str) -> Node {
    let loaded = load_documents(text);
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    loaded.documents.into_iter().next().unwrap().root
}

fn str_at<'n>(node: &'n Node, keys: &[&str]) -> &'n str {
    node.path(keys)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("no string at {keys:?}"))
}

/// The fenced ```yaml blocks of the README that contain `needle`.
fn readme_yaml_blocks(needle: &str) -> Vec<String> {
    read("README.md")
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(block, _)| block.to_string()))
        .filter(|block| block.contains(needle))
        .collect()
}

/// Copies a fixture folder to a scratch repository (with `.git`, so the config search
/// stops there).
fn scratch_repo(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let from = root().join(fixture);
    let mut stack = vec![from.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let target = dir.path().join(path.strip_prefix(&from).unwrap());
            if path.is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                stack.push(path);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    dir
}

/// Whether a workflow step `uses:` an action whose reference starts with `prefix`.
fn uses(step: &Node, prefix: &str) -> bool {
    step.get("uses")
        .and_then(Node::as_str)
        .is_some_and(|u| u.starts_with(prefix))
}

fn hooks() -> Vec<Node> {
    yaml(&read(".pre-commit-hooks.yaml")).items().to_vec()
}

#[test]
fn pre_commit_hooks_declare_both_ways_to_install() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| str_at(h, &["id"])).collect();
    assert_eq!(ids, ["salint", "salint-system"]);
    let languages: Vec<&str> = hooks.iter().map(|h| str_at(h, &["language"])).collect();
    assert_eq!(languages, ["rust", "system"]);
    for hook in &hooks {
        let types: Vec<&str> = hook.get("types_or").unwrap().str_items().collect();
        assert_eq!(types, ["yaml", "json"]);
        assert!(str_at(hook, &["entry"]).contains("--context ."));
        assert_eq!(
            hook.path(&["require_serial"]).and_then(Node::as_str),
            Some("true"),
            "one run gets all files, so the context is read once"
        );
    }
    // The README's .pre-commit-config.yaml uses a hook that exists.
    let snippet = readme_yaml_blocks("repos:");
    assert_eq!(snippet.len(), 1);
    let config = yaml(&snippet[0]);
    let repo = &config.get("repos").unwrap().items()[0];
    let used: Vec<&str> = repo
        .get("hooks")
        .unwrap()
        .items()
        .iter()
        .map(|h| str_at(h, &["id"]))
        .collect();
    for id in used {
        assert!(ids.contains(&id), "README uses unknown hook {id}");
    }
}

/// Runs a hook's entry as pre-commit does: the entry's words, then the staged files, from
/// the repository root.
fn run_hook(repo: &Path, staged: &[&str]) -> (i32, String, String) {
    let hook = hooks()
        .into_iter()
        .find(|h| str_at(h, &["id"]) == "salint-system");
    let entry = str_at(hook.as_ref().unwrap(), &["entry"]).to_string();
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("salint"));
    let output = Command::new(get_cargo_bin("salint"))
        .current_dir(repo)
        .args(words)
        .args(["--format", "compact"])
        .args(staged)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn codes_and_places(compact: &str) -> Vec<String> {
    compact
        .lines()
        .map(|line| {
            let (place, rest) = line.split_once(": ").unwrap();
            let code = rest.split_once('[').unwrap().1.split(' ').next().unwrap();
            format!("{code} {place}")
        })
        .collect()
}

#[test]
fn pre_commit_hook_reports_on_staged_files_with_the_repository_as_context() {
    let repo = scratch_repo("testdata/precommit");
    let (code, stdout, stderr) =
        run_hook(repo.path(), &["k8s/app.yaml", ".github/workflows/ci.yaml"]);
    // The binding in the unstaged rbac.yaml counts (no needless-token-automount), the
    // unstaged worker.yaml shares the SA (shared-service-account), and nothing is
    // reported on unstaged files.
    assert_eq!(codes_and_places(&stdout), ["SA102 k8s/app.yaml:10:27"]);
    assert!(stdout.contains("with Deployment worker"), "{stdout}");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("1 finding (1 warning) in 1 object from 2 files"),
        "{stderr}"
    );

    // Without the context, the same file alone gives the wrong answer: this is why the
    // hook loads it.
    let alone = Command::new(get_cargo_bin("salint"))
        .current_dir(repo.path())
        .args(["check", "--format", "compact", "k8s/app.yaml"])
        .output()
        .unwrap();
    let alone = String::from_utf8(alone.stdout).unwrap();
    assert_eq!(codes_and_places(&alone), ["SA201 k8s/app.yaml:9:5"]);
}

#[test]
fn pre_commit_hook_with_only_unstaged_problems_passes() {
    let repo = scratch_repo("testdata/precommit");
    let (code, stdout, stderr) = run_hook(repo.path(), &[".github/workflows/ci.yaml"]);
    assert_eq!(stdout, "");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_file_named_twice_is_read_once() {
    let repo = scratch_repo("testdata/precommit");
    let output = Command::new(get_cargo_bin("salint"))
        .current_dir(repo.path())
        .args(["check", "--format", "compact", "k8s", "./k8s/app.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("in 5 objects from 3 files"), "{stderr}");
}

#[test]
fn action_inputs_are_each_used_and_documented() {
    let text = read("action.yml");
    let action = yaml(&text);
    assert_eq!(str_at(&action, &["runs", "using"]), "composite");
    let inputs: Vec<&str> = action
        .get("inputs")
        .unwrap()
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap())
        .collect();
    for required in [
        "paths",
        "config",
        "fail-on",
        "baseline",
        "namespace",
        "sarif-file",
        "upload-sarif",
    ] {
        assert!(
            inputs.contains(&required),
            "action.yml lacks input {required}"
        );
    }
    let steps = action.path(&["runs", "steps"]).unwrap().items();
    let steps_text = &text[steps[0].span.start..];
    let readme = read("README.md");
    for input in &inputs {
        assert!(
            steps_text.contains(&format!("inputs.{input} "))
                || steps_text.contains(&format!("inputs.{input}}}")),
            "input {input} is never used"
        );
        assert!(
            readme.contains(&format!("| `{input}` |")),
            "input {input} is not in the README's table"
        );
    }
    // Defaults the issue names.
    assert_eq!(
        str_at(&action, &["inputs", "sarif-file", "default"]),
        "salint.sarif"
    );
    assert_eq!(
        str_at(&action, &["inputs", "upload-sarif", "default"]),
        "true"
    );
    // SARIF is uploaded with category salint, and only after that does the job fail.
    let names: Vec<&str> = steps.iter().map(|s| str_at(s, &["name"])).collect();
    let upload = steps
        .iter()
        .position(|s| uses(s, "github/codeql-action/upload-sarif@"))
        .expect("an upload-sarif step");
    assert_eq!(str_at(&steps[upload], &["with", "category"]), "salint");
    assert!(str_at(&steps[upload], &["if"]).contains("always()"));
    let fail = names.iter().position(|n| *n == "Fail on findings").unwrap();
    assert!(upload < fail && fail == steps.len() - 1, "{names:?}");
    assert!(steps_text.contains("GITHUB_STEP_SUMMARY"));
}

#[test]
fn readme_workflow_uses_the_action_with_its_inputs_and_permissions() {
    let blocks = readme_yaml_blocks("security-events: write");
    assert_eq!(blocks.len(), 1);
    let workflow = yaml(&blocks[0]);
    assert_eq!(
        str_at(&workflow, &["permissions", "security-events"]),
        "write"
    );
    let action = yaml(&read("action.yml"));
    let declared: BTreeSet<&str> = action
        .get("inputs")
        .unwrap()
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap())
        .collect();
    let steps = workflow.path(&["jobs", "salint", "steps"]).unwrap().items();
    let step = steps
        .iter()
        .find(|s| uses(s, "salint/salint@"))
        .expect("the workflow uses the salint action");
    for entry in step.get("with").unwrap().as_map().unwrap() {
        let key = entry.key.as_str().unwrap();
        assert!(declared.contains(key), "README passes unknown input {key}");
    }
}

/// Runs one `run:` step of action.yml with bash as the runner would: its `env:` with the
/// `${{ inputs.* }}` expressions replaced by `inputs`, salint on PATH, and the runner's
/// output and summary files. Returns the exit code.
fn run_action_step(name: &str, inputs: &[(&str, &str)], workdir: &Path, files: &Path) -> i32 {
    let action = yaml(&read("action.yml"));
    let steps = action.path(&["runs", "steps"]).unwrap().items();
    let step = steps
        .iter()
        .find(|s| str_at(s, &["name"]) == name)
        .unwrap_or_else(|| panic!("no step {name}"));
    let bin_dir = get_cargo_bin("salint").parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .args(["-e", "-c", str_at(step, &["run"])])
        .current_dir(workdir)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", files.join("output"))
        .env("GITHUB_STEP_SUMMARY", files.join("summary.md"));
    if let Some(env) = step.get("env").and_then(Node::as_map) {
        for entry in env {
            let expression = entry.value.as_str().unwrap();
            let mut value = expression.to_string();
            for (input, given) in inputs {
                value = value.replace(&format!("${{{{ inputs.{input} }}}}"), given);
            }
            command.env(entry.key.as_str().unwrap(), value);
        }
    }
    command.status().unwrap().code().unwrap()
}

#[test]
fn action_run_step_writes_sarif_and_summary_and_fails_only_afterwards() {
    let repo = scratch_repo("testdata/precommit");
    let files = tempfile::tempdir().unwrap();
    let inputs = [
        ("paths", "k8s"),
        ("config", ""),
        ("fail-on", "warning"),
        ("baseline", ""),
        ("namespace", ""),
        ("sarif-file", "out/salint.sarif"),
    ];
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let code = run_action_step("Run salint", &inputs, repo.path(), files.path());
    assert_eq!(code, 0, "the run step itself never fails the job");
    let output = std::fs::read_to_string(files.path().join("output")).unwrap();
    assert_eq!(output, "exit-code=1\n");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("out/salint.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    let summary = std::fs::read_to_string(files.path().join("summary.md")).unwrap();
    assert!(summary.contains("SA102"), "{summary}");

    let action = yaml(&read("action.yml"));
    let steps = action.path(&["runs", "steps"]).unwrap().items();
    let fail = Command::new("bash")
        .args(["-c", str_at(steps.last().unwrap(), &["run"])])
        .env("CODE", "1")
        .output()
        .unwrap();
    assert_eq!(fail.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&fail.stdout).contains("::error title=salint::findings"));
}
