//! Where users run salint: the pre-commit hooks (run as pre-commit runs them) and the GitHub
//! Action (parsed, every input used and documented). The README snippets are checked
//! against the files they refer to.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use insta_cmd::get_cargo_bin;
use salint::testing::{load_documents, Node};

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
fn pre_commit_hooks_declare_the_three_ways_to_install() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| str_at(h, &["id"])).collect();
    assert_eq!(ids, ["salint", "salint-system", "salint-cargo"]);
    // The wheel (tests/wheel.rs installs it through pre-commit), salint on PATH, and cargo
    // through a script that passes --locked (pre-commit's `rust` cannot).
    let languages: Vec<&str> = hooks.iter().map(|h| str_at(h, &["language"])).collect();
    assert_eq!(languages, ["python", "system", "script"]);
    for hook in &hooks {
        let types: Vec<&str> = hook.get("types_or").unwrap().str_items().collect();
        assert_eq!(types, ["yaml", "json"]);
        // The context follows `.salint.yaml`'s `context:`, else the repository root.
        let entry = str_at(hook, &["entry"]);
        assert!(
            entry.contains("--default-context . --force-exclude"),
            "{entry}"
        );
        assert!(!entry.contains("--context "), "{entry}");
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

/// The `salint-cargo` hook's script builds once with `cargo install --locked` into the
/// checkout, then runs that salint with the hook's arguments (a fake `cargo` records what
/// it was asked and installs a stand-in that prints its arguments).
#[test]
fn the_cargo_hook_builds_once_with_the_lock_file_and_runs_salint() {
    let checkout = tempfile::tempdir().unwrap();
    std::fs::create_dir(checkout.path().join("scripts")).unwrap();
    let script = checkout.path().join("scripts/pre-commit-cargo");
    std::fs::copy(root().join("scripts/pre-commit-cargo"), &script).unwrap();
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("cargo.log");
    let fake_cargo = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\nwhile [ \"$1\" != --root ]; do shift; done\nmkdir -p \"$2/bin\"\nprintf '#!/bin/sh\\necho salint \"$@\"\\n' > \"$2/bin/salint\"\nchmod +x \"$2/bin/salint\"\n",
        log.display()
    );
    std::fs::write(bin.path().join("cargo"), fake_cargo).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(bin.path().join("cargo"))
        .status()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let hook = |files: &[&str]| {
        let output = Command::new(&script)
            .args(["check", "--context", "."])
            .args(files)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(hook(&["a.yaml"]), "salint check --context . a.yaml\n");
    assert_eq!(hook(&["b.yaml"]), "salint check --context . b.yaml\n");
    let calls = std::fs::read_to_string(&log).unwrap();
    let checkout = checkout.path().canonicalize().unwrap();
    assert_eq!(
        calls,
        format!(
            "install --locked --quiet --path {0} --root {0}/target/pre-commit-cargo\n",
            checkout.display()
        ),
        "built once, with --locked"
    );
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

/// One `run:` step of action.yml run by bash as the runner runs it (`bash --noprofile
/// --norc -eo pipefail`), with its `env:` expressions replaced by `context` (keys such as
/// `inputs.paths`, `github.action_ref`, `steps.choose.outputs.asset`; an expression not in
/// it is empty, as a missing output is on GitHub), the built salint on PATH, and the
/// runner's files and variables in `runner`.
struct ActionRun {
    code: i32,
    stdout: String,
    stderr: String,
    /// What the step wrote to `GITHUB_OUTPUT`, heredoc values included.
    outputs: Vec<(String, String)>,
    /// The lines written to `GITHUB_PATH`.
    path: Vec<String>,
}

impl ActionRun {
    fn output(&self, key: &str) -> Option<&str> {
        self.outputs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The runner: its temporary folders and the variables every step sees.
struct Runner {
    files: tempfile::TempDir,
    os: &'static str,
    arch: &'static str,
}

impl Runner {
    fn new() -> Runner {
        Runner {
            files: tempfile::tempdir().unwrap(),
            os: "Linux",
            arch: "X64",
        }
    }

    fn run(&self, name: &str, context: &[(&str, &str)], workdir: &Path) -> ActionRun {
        let action = yaml(&read("action.yml"));
        let steps = action.path(&["runs", "steps"]).unwrap().items();
        let step = steps
            .iter()
            .find(|s| str_at(s, &["name"]) == name)
            .unwrap_or_else(|| panic!("no step {name}"));
        let files = self.files.path();
        let bin_dir = get_cargo_bin("salint").parent().unwrap().to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let script = files.join("step.sh");
        std::fs::write(&script, str_at(step, &["run"])).unwrap();
        for file in ["output", "path"] {
            std::fs::write(files.join(file), "").unwrap();
        }
        std::fs::create_dir_all(files.join("temp")).unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workdir)
            .env("PATH", path)
            .env("GITHUB_OUTPUT", files.join("output"))
            .env("GITHUB_PATH", files.join("path"))
            .env("GITHUB_STEP_SUMMARY", files.join("summary.md"))
            .env("GITHUB_ACTION_PATH", root())
            .env("RUNNER_TEMP", files.join("temp"))
            .env("RUNNER_TOOL_CACHE", files.join("tool-cache"))
            .env("RUNNER_OS", self.os)
            .env("RUNNER_ARCH", self.arch)
            .env("NO_COLOR", "1");
        if let Some(env) = step.get("env").and_then(Node::as_map) {
            for entry in env {
                let expression = entry.value.as_str().unwrap();
                let value = expression
                    .strip_prefix("${{ ")
                    .and_then(|e| e.strip_suffix(" }}"))
                    .map(|key| {
                        context
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map_or("", |(_, v)| *v)
                    })
                    .unwrap_or(expression);
                command.env(entry.key.as_str().unwrap(), value);
            }
        }
        let output = command.output().unwrap();
        let written = std::fs::read_to_string(files.join("output")).unwrap();
        let mut outputs = Vec::new();
        let mut lines = written.lines();
        while let Some(line) = lines.next() {
            if let Some((key, delimiter)) = line.split_once("<<") {
                let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
                outputs.push((key.to_string(), value.join("\n")));
            } else if let Some((key, value)) = line.split_once('=') {
                outputs.push((key.to_string(), value.to_string()));
            }
        }
        ActionRun {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            outputs,
            path: std::fs::read_to_string(files.join("path"))
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// The inputs of a `Run salint` step, with `paths` and `fail-on` given.
fn check_inputs<'a>(paths: &'a str, fail_on: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("inputs.paths", paths),
        ("inputs.config", ""),
        ("inputs.fail-on", fail_on),
        ("inputs.baseline", ""),
        ("inputs.namespace", ""),
        ("inputs.sarif-file", "out/salint.sarif"),
    ]
}

#[test]
fn action_run_step_writes_sarif_and_summary_and_fails_only_afterwards() {
    let repo = scratch_repo("testdata/precommit");
    let runner = Runner::new();
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let run = runner.run("Run salint", &check_inputs("k8s", "warning"), repo.path());
    assert_eq!(run.code, 0, "the run step itself never fails the job");
    assert_eq!(
        run.outputs,
        [
            ("exit-code".to_string(), "1".to_string()),
            ("sarif".to_string(), "true".to_string())
        ]
    );
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("out/salint.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    let summary = std::fs::read_to_string(runner.files.path().join("summary.md")).unwrap();
    assert!(summary.contains("SA102"), "{summary}");

    let fail = runner.run(
        "Fail on findings",
        &[
            ("steps.check.outputs.exit-code", "1"),
            ("inputs.fail-on", "warning"),
        ],
        repo.path(),
    );
    assert_eq!(fail.code, 1);
    assert!(fail.stdout.contains("::error title=salint::findings"));
}

#[test]
fn action_expands_globs_in_paths() {
    let repo = scratch_repo("testdata/precommit");
    let runner = Runner::new();
    std::fs::create_dir(repo.path().join("out")).unwrap();
    // Both a glob and a plain folder, on two lines as a YAML block writes them.
    let run = runner.run(
        "Run salint",
        &check_inputs("k8s/*.yaml\n.github", "warning"),
        repo.path(),
    );
    assert_eq!(run.output("exit-code"), Some("1"), "{}", run.stderr);
    assert!(
        run.stderr.contains("from 4 files"),
        "k8s's three files and the workflow: {}",
        run.stderr
    );
    // A glob that matches nothing is passed on as written: salint says it does not exist.
    let run = runner.run(
        "Run salint",
        &check_inputs("manifests/*.yaml", "warning"),
        repo.path(),
    );
    assert_eq!(run.output("exit-code"), Some("2"));
    let summary = std::fs::read_to_string(runner.files.path().join("summary.md")).unwrap();
    assert!(
        summary.contains("| `manifests/*.yaml` | cannot read: No such file or directory |"),
        "{summary}"
    );
}

#[test]
fn action_with_a_bad_configuration_shows_the_error_and_uploads_nothing() {
    let repo = scratch_repo("testdata/precommit");
    std::fs::write(
        repo.path().join(".salint.yaml"),
        "rules:\n  default-service-acount: off\n",
    )
    .unwrap();
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let runner = Runner::new();
    let run = runner.run("Run salint", &check_inputs("k8s", "warning"), repo.path());
    assert_eq!(run.code, 0);
    assert_eq!(run.output("exit-code"), Some("2"));
    assert_eq!(run.output("sarif"), Some("false"), "no SARIF written");
    assert!(!repo.path().join("out/salint.sarif").exists());
    let errors = run.output("errors").unwrap();
    assert!(
        errors.contains("unknown rule `default-service-acount`"),
        "{errors}"
    );
    assert!(
        run.stderr.contains("unknown rule"),
        "shown in the step's log too"
    );

    // The upload runs only when the SARIF is there, and the last step runs whatever
    // happened before it, with salint's own message.
    let action = yaml(&read("action.yml"));
    let steps = action.path(&["runs", "steps"]).unwrap().items();
    let upload = steps
        .iter()
        .find(|s| uses(s, "github/codeql-action/upload-sarif@"))
        .unwrap();
    assert!(str_at(upload, &["if"]).contains("steps.check.outputs.sarif == 'true'"));
    let last = steps.last().unwrap();
    assert!(str_at(last, &["if"]).starts_with("always()"));
    let fail = runner.run(
        "Fail on findings",
        &[
            ("steps.check.outputs.exit-code", "2"),
            ("steps.check.outputs.errors", errors),
            ("inputs.fail-on", "warning"),
        ],
        repo.path(),
    );
    assert_eq!(fail.code, 1);
    let annotation = fail
        .stdout
        .lines()
        .find(|l| l.starts_with("::error"))
        .unwrap();
    assert!(
        annotation.contains("(exit 2)%0A")
            && annotation.contains("unknown rule `default-service-acount`"),
        "{annotation}"
    );
    assert_eq!(
        fail.stdout.lines().count(),
        1,
        "one annotation line: {}",
        fail.stdout
    );
}

#[test]
fn action_fail_on_never_reports_without_failing_but_still_fails_on_bad_input() {
    let repo = scratch_repo("testdata/precommit");
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let runner = Runner::new();
    let run = runner.run("Run salint", &check_inputs("k8s", "never"), repo.path());
    assert_eq!(run.output("exit-code"), Some("1"), "{}", run.stderr);
    assert_eq!(run.output("sarif"), Some("true"));
    let outcome = |code: &str, fail_on: &str| {
        runner
            .run(
                "Fail on findings",
                &[
                    ("steps.check.outputs.exit-code", code),
                    ("inputs.fail-on", fail_on),
                ],
                repo.path(),
            )
            .code
    };
    assert_eq!(outcome("1", "never"), 0);
    assert_eq!(outcome("2", "never"), 1);
    assert_eq!(outcome("1", "error"), 1);
}

/// The `Choose salint` step's outputs for the given runner, inputs and action ref.
fn choose(os: &'static str, arch: &'static str, context: &[(&str, &str)]) -> ActionRun {
    let runner = Runner {
        os,
        arch,
        ..Runner::new()
    };
    runner.run("Choose salint", context, root())
}

fn cargo_version() -> String {
    let cargo = read("Cargo.toml");
    let line = cargo.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .to_string()
}

#[test]
fn action_downloads_the_release_of_its_own_tag_for_the_runner() {
    let repository = [("github.action_repository", "salint/salint")];
    let run = choose(
        "Linux",
        "X64",
        &[repository[0], ("github.action_ref", "v0.3.1")],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.output("how"), Some("release"));
    assert_eq!(run.output("tag"), Some("v0.3.1"));
    assert_eq!(
        run.output("url"),
        Some("https://github.com/salint/salint/releases/download/v0.3.1/salint-x86_64-unknown-linux-musl.tar.gz")
    );
    // A branch or SHA pin: the version its Cargo.toml names.
    let run = choose(
        "macOS",
        "ARM64",
        &[repository[0], ("github.action_ref", "main")],
    );
    assert_eq!(
        run.output("tag"),
        Some(format!("v{}", cargo_version()).as_str())
    );
    assert_eq!(
        run.output("asset"),
        Some("salint-aarch64-apple-darwin.tar.gz")
    );
    // An explicit version, with or without `v`; Windows gets the zip.
    let run = choose(
        "Windows",
        "X64",
        &[
            ("inputs.version", "0.2.0"),
            ("inputs.release-url", "https://mirror.example/salint/"),
        ],
    );
    assert_eq!(
        run.output("url"),
        Some("https://mirror.example/salint/v0.2.0/salint-x86_64-pc-windows-msvc.zip")
    );
    // The given binary, or the source.
    let run = choose("Linux", "X64", &[("inputs.binary", "/opt/salint")]);
    assert_eq!(run.outputs, [("how".to_string(), "binary".to_string())]);
    let run = choose("Linux", "ARM64", &[("inputs.version", "source")]);
    assert_eq!(run.output("how"), Some("source"));
    let key = run.output("key").unwrap();
    assert!(
        key.starts_with("salint-Linux-ARM64-") && key.len() == 35,
        "{key}"
    );
}

#[test]
fn action_source_build_key_follows_the_source_it_builds() {
    // The key hashes the files cargo builds: the same tree gives the same key, any change
    // to them another (a branch pin that moved rebuilds, not restores a stale build).
    let key = |tree: &Path| {
        let runner = Runner::new();
        let action = yaml(&read("action.yml"));
        let steps = action.path(&["runs", "steps"]).unwrap().items();
        let script = str_at(&steps[0], &["run"]).to_string();
        std::fs::write(runner.files.path().join("output"), "").unwrap();
        let status = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .env("GITHUB_OUTPUT", runner.files.path().join("output"))
            .env("GITHUB_ACTION_PATH", tree)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", runner.files.path())
            .env("VERSION", "source")
            .status()
            .unwrap();
        assert!(status.success());
        let written = std::fs::read_to_string(runner.files.path().join("output")).unwrap();
        written
            .lines()
            .find_map(|l| l.strip_prefix("key="))
            .unwrap()
            .to_string()
    };
    let tree = tempfile::tempdir().unwrap();
    for (file, text) in [
        ("Cargo.toml", "[package]\nversion = \"0.1.0\"\n"),
        ("Cargo.lock", "# lock\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("rules/a.md", "# a\n"),
        ("data/roles.yaml", "[]\n"),
    ] {
        let path = tree.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let first = key(tree.path());
    assert_eq!(key(tree.path()), first);
    std::fs::write(
        tree.path().join("src/main.rs"),
        "fn main() { println!(); }\n",
    )
    .unwrap();
    assert_ne!(key(tree.path()), first);
}

#[test]
fn action_refuses_what_it_cannot_download() {
    let run = choose("Linux", "X86", &[("inputs.version", "v0.2.0")]);
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .contains("no salint release for Linux X86; set version: source"));
    let run = choose("Linux", "X64", &[("inputs.version", "latest")]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("version must be a release"),
        "{}",
        run.stdout
    );
}

/// A release folder as GitHub serves it: `TAG/salint-TARGET.tar.gz` (the built salint in
/// `salint-TARGET/`) and its `.sha256`, from `sha256sum`.
fn fake_release(tag: &str, target: &str) -> tempfile::TempDir {
    let releases = tempfile::tempdir().unwrap();
    let name = format!("salint-{target}");
    let staging = releases.path().join("staging").join(&name);
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::copy(get_cargo_bin("salint"), staging.join("salint")).unwrap();
    let dir = releases.path().join(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let archive = format!("{name}.tar.gz");
    let tar = Command::new("tar")
        .arg("czf")
        .arg(dir.join(&archive))
        .arg("-C")
        .arg(releases.path().join("staging"))
        .arg(&name)
        .status()
        .unwrap();
    assert!(tar.success());
    let sum = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(&dir)
        .output()
        .unwrap();
    std::fs::write(dir.join(format!("{archive}.sha256")), sum.stdout).unwrap();
    releases
}

#[test]
fn action_downloads_verifies_and_puts_the_release_binary_on_path() {
    let releases = fake_release("v0.3.1", "x86_64-unknown-linux-musl");
    let base = format!("file://{}", releases.path().display());
    let runner = Runner::new();
    let choice = runner.run(
        "Choose salint",
        &[
            ("inputs.release-url", &base),
            ("github.action_ref", "v0.3.1"),
        ],
        root(),
    );
    let url = choice.output("url").unwrap().to_string();
    let download = runner.run(
        "Download salint",
        &[
            (
                "steps.choose.outputs.asset",
                "salint-x86_64-unknown-linux-musl.tar.gz",
            ),
            ("steps.choose.outputs.url", &url),
        ],
        root(),
    );
    assert_eq!(download.code, 0, "{}{}", download.stdout, download.stderr);
    assert!(
        download.stdout.contains("verified (sha256 "),
        "{}",
        download.stdout
    );
    assert_eq!(download.path.len(), 1);
    let salint = Path::new(&download.path[0]).join("salint");
    let version = Command::new(&salint).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("salint "));

    // A checksum that does not match: nothing is put on PATH.
    let sums = releases
        .path()
        .join("v0.3.1/salint-x86_64-unknown-linux-musl.tar.gz.sha256");
    let text = std::fs::read_to_string(&sums).unwrap();
    let flipped = if text.starts_with('0') { "1" } else { "0" };
    std::fs::write(&sums, format!("{flipped}{}", &text[1..])).unwrap();
    let tampered = runner.run(
        "Download salint",
        &[
            (
                "steps.choose.outputs.asset",
                "salint-x86_64-unknown-linux-musl.tar.gz",
            ),
            ("steps.choose.outputs.url", &url),
        ],
        root(),
    );
    assert_eq!(tampered.code, 1);
    assert!(
        tampered
            .stdout
            .contains("::error title=salint::checksum mismatch"),
        "{}",
        tampered.stdout
    );
    assert!(tampered.path.is_empty());

    // A release that does not exist: curl fails the step.
    let missing = runner.run(
        "Download salint",
        &[
            (
                "steps.choose.outputs.asset",
                "salint-x86_64-unknown-linux-musl.tar.gz",
            ),
            ("steps.choose.outputs.url", &url.replace("v0.3.1", "v9.9.9")),
        ],
        root(),
    );
    assert_ne!(missing.code, 0);
    assert!(missing.path.is_empty());
}
