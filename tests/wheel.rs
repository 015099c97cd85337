//! The Python wheel (`salint-k8s`, built by maturin from pyproject.toml) and the pre-commit
//! hook that installs it: the wheel installs into a fresh virtual environment with no index
//! and runs `salint check testdata/demo`; a checkout of a release tag installs that
//! published wheel instead of compiling (python/salint_build.py), through pip and through
//! pre-commit itself; any other checkout would compile.
//!
//! The wheel is built once per run with the `dev` profile into the same target folder as
//! the tests, so only the binary is linked again (seconds, not a release build), and
//! `--offline`: `.ci/run` fetches every locked crate first (`cargo fetch --locked`). Its
//! platform tag is this machine's; the release's manylinux2014/musllinux tags come from
//! the musl build in release.yml. `.ci/run` installs maturin and pre-commit (with
//! virtualenv, which makes the test environments) into target/ci-tools from PyPI; without them these tests fail when `CI` is set, and are
//! skipped with a message otherwise. No test reaches an index: pip runs with `--no-index`
//! (or `PIP_NO_INDEX`) and the wheel's folder as its only source.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use insta_cmd::get_cargo_bin;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_version() -> String {
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let line = cargo.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .to_string()
}

/// `name` from target/ci-tools (what .ci/run installs), else PATH; in CI its absence is a
/// failure, not a skip.
fn tool(name: &str) -> Option<PathBuf> {
    let installed = root().join("target/ci-tools/bin").join(name);
    let found = [installed, PathBuf::from(name)]
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

/// A command with no pip configuration from the environment (this machine sets
/// `PIP_FIND_LINKS`): every test says where pip may look.
fn hermetic(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PIP_") {
            command.env_remove(key);
        }
    }
    command.env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The folder holding the wheel maturin builds from this checkout (built once per run).
fn wheel_dir() -> Option<&'static Path> {
    static WHEELS: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    WHEELS
        .get_or_init(|| {
            let maturin = tool("maturin")?;
            let out = tempfile::tempdir().unwrap();
            // The tests' own target folder: the crate and its dependencies are already
            // built there with the dev profile.
            let target_dir = get_cargo_bin("salint")
                .parent()
                .and_then(Path::parent)
                .unwrap()
                .to_path_buf();
            let build = Command::new(maturin)
                .current_dir(root())
                .args(["build", "--profile", "dev", "--offline", "--out"])
                .arg(out.path())
                .arg("--target-dir")
                .arg(&target_dir)
                .output()
                .unwrap();
            assert!(
                build.status.success(),
                "maturin build failed (offline: run `cargo fetch --locked` once):\n{}",
                String::from_utf8_lossy(&build.stderr)
            );
            Some(out)
        })
        .as_ref()
        .map(|dir| dir.path())
}

fn the_wheel(dir: &Path) -> PathBuf {
    let wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    wheels[0].clone()
}

/// A fresh virtual environment with pip (no download: virtualenv's own copy, which it
/// links in in a second; `python3 -m venv` installs its copy, several seconds each).
fn venv() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    match tool("virtualenv") {
        Some(virtualenv) => run(hermetic(virtualenv)
            .args([
                "--quiet",
                "--no-setuptools",
                "--no-wheel",
                "--no-periodic-update",
            ])
            .arg(dir.path())
            .env("VIRTUALENV_OFFLINE", "1")),
        None => run(hermetic("python3").args(["-m", "venv"]).arg(dir.path())),
    };
    dir
}

#[test]
fn the_wheel_installs_offline_and_runs_salint_check_on_the_demo() {
    let Some(dir) = wheel_dir() else {
        return;
    };
    let wheel = the_wheel(dir);
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let version = cargo_version();
    assert!(
        name.starts_with(&format!("salint_k8s-{version}-py3-none-")),
        "{name}"
    );
    let env = venv();
    run(hermetic(env.path().join("bin/pip"))
        .args(["install", "--no-index", "--no-deps"])
        .arg(&wheel));
    let salint = env.path().join("bin/salint");
    let out = run(Command::new(&salint).arg("-V"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("salint {version}")
    );
    let check = Command::new(&salint)
        .current_dir(root())
        .args(["check", "testdata/demo"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(
        check.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        stdout.contains("salint: 20 findings (4 errors, 16 warnings) in 21 objects from 6 files"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SA201(needless-token-automount)"),
        "{stdout}"
    );
    // pip knows it by its PyPI name; the command is `salint`.
    let show = run(hermetic(env.path().join("bin/pip")).args(["show", "salint-k8s"]));
    assert!(String::from_utf8_lossy(&show.stdout).contains(&format!("Version: {version}")));
}

/// A git repository holding what `pip install .` reads of the hook repository, committed
/// and tagged `tag` when given.
fn hook_repository(tag: Option<&str>) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    for file in [
        "pyproject.toml",
        "Cargo.toml",
        "python/salint_build.py",
        "README.md",
        ".pre-commit-hooks.yaml",
    ] {
        let to = repo.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(file), to).unwrap();
    }
    let git = |args: &[&str]| {
        run(Command::new("git")
            .current_dir(repo.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args));
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "release"]);
    if let Some(tag) = tag {
        // Annotated, as releases are: pre-commit's clone fetches the tag object.
        git(&["tag", "-a", tag, "-m", tag]);
    }
    repo
}

/// The hook repository as pre-commit clones it: `git fetch origin REV --depth=1` and a
/// checkout of FETCH_HEAD, so no tag exists in the clone.
fn shallow_clone(origin: &Path, rev: &str) -> tempfile::TempDir {
    let clone = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        run(Command::new("git").current_dir(clone.path()).args(args));
    };
    git(&["init", "-q"]);
    git(&[
        "remote",
        "add",
        "origin",
        &format!("file://{}", origin.display()),
    ]);
    git(&["fetch", "-q", "origin", rev, "--depth=1"]);
    git(&["checkout", "-q", "FETCH_HEAD"]);
    clone
}

/// `pip install .` in `checkout`, with `wheels` as the only place pip may look, said the
/// way a user's pip configuration says it (environment variables), which the backend's own
/// pip reads too.
fn pip_install_checkout(checkout: &Path, wheels: &Path) -> (Output, tempfile::TempDir) {
    let env = venv();
    let output = hermetic(env.path().join("bin/pip"))
        .current_dir(checkout)
        .args(["install", "."])
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", wheels)
        .output()
        .unwrap();
    (output, env)
}

#[test]
fn pip_install_of_a_release_tag_checkout_takes_the_published_wheel() {
    let Some(wheels) = wheel_dir() else {
        return;
    };
    let tag = format!("v{}", cargo_version());
    let origin = hook_repository(Some(&tag));
    // pre-commit's shallow clone of the tag: the tag is known from FETCH_HEAD only.
    let clone = shallow_clone(origin.path(), &tag);
    let (output, env) = pip_install_checkout(clone.path(), wheels);
    assert!(
        output.status.success(),
        "no index, no maturin: only the published wheel can satisfy this\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let version = run(Command::new(env.path().join("bin/salint")).arg("--version"));
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("salint "));
    // A checkout with the tag itself (a full clone) too.
    let (output, _env) = pip_install_checkout(origin.path(), wheels);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn pip_install_of_any_other_checkout_builds_from_source() {
    let Some(wheels) = wheel_dir() else {
        return;
    };
    // A commit that is not a release (no tag; pre-commit pinned to a SHA): the backend asks
    // for maturin to compile it, which this index-less pip cannot get.
    let origin = hook_repository(None);
    let head = Command::new("git")
        .current_dir(origin.path())
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    let clone = shallow_clone(origin.path(), head.trim());
    let (output, _env) = pip_install_checkout(clone.path(), wheels);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("maturin"), "{stderr}");
}

/// pre-commit itself (`try-repo`, as a user tries the hook) installs the `salint` hook of a
/// release tag from the wheel, offline, and runs it on staged files.
#[test]
fn pre_commit_installs_the_salint_hook_from_the_wheel() {
    let Some(wheels) = wheel_dir() else {
        return;
    };
    let Some(pre_commit) = tool("pre-commit") else {
        return;
    };
    let tag = format!("v{}", cargo_version());
    let hooks = hook_repository(Some(&tag));
    // A project with one staged manifest.
    let project = tempfile::tempdir().unwrap();
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n";
    std::fs::write(project.path().join("pod.yaml"), manifest).unwrap();
    for args in [&["init", "-q"][..], &["add", "pod.yaml"]] {
        run(Command::new("git").current_dir(project.path()).args(args));
    }
    let home = tempfile::tempdir().unwrap();
    let output = hermetic(&pre_commit)
        .current_dir(project.path())
        .args(["try-repo"])
        .arg(hooks.path())
        .args(["salint", "--ref", &tag, "--color", "never"])
        .env("PRE_COMMIT_HOME", home.path())
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", wheels)
        .env("VIRTUALENV_OFFLINE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The hook ran and found the Pod's finding: it failed as a linter fails.
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("salint") && stdout.contains("Failed"),
        "{stdout}"
    );
    assert!(stdout.contains("default-service-account"), "{stdout}");
}
