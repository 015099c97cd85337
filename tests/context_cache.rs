//! The context cache of `check --context` (pre-commit): the output is byte for byte the
//! same with and without it — cold, warm, after a file is edited, touched, added or
//! removed, with the cache file truncated, damaged or replaced — it lives in the
//! repository's `.git` folder (else the user's cache folder), and `--no-cache` neither
//! reads nor writes it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

mod common;

const APP: &str = "# salint: ignore[SA102] the worker shares it on purpose\napiVersion: apps/v1
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

const WORKER: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: worker, image: worker:1}]
---
apiVersion: v1
kind: Secret
metadata:
  name: web-token
  namespace: shop
  annotations: {kubernetes.io/service-account.name: web}
type: kubernetes.io/service-account-token
";

const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: b}
";

/// The files of the repository: the named file, context files of every sort (bindings, a
/// second workload, a token Secret, a ConfigMap whose text is dropped, a parse error, a
/// UTF-16 file, a `kind: List`).
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(CONFIG_MAP.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    vec![
        ("k8s/app.yaml", APP.as_bytes().to_vec()),
        ("k8s/rbac.yaml", RBAC.as_bytes().to_vec()),
        ("k8s/worker.yaml", WORKER.as_bytes().to_vec()),
        ("k8s/settings.yaml", CONFIG_MAP.as_bytes().to_vec()),
        ("k8s/utf16.yaml", utf16),
        (
            "k8s/broken.yaml",
            b"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b, namespace: shop\n".to_vec(),
        ),
        (
            "k8s/list.json",
            br#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "listed", "namespace": "shop"}}]}"#.to_vec(),
        ),
    ]
}

/// A file written with a modification time a minute ago (one written just now is not
/// cached: a second write within the clock's granularity could keep its size and time).
fn write_old(path: &Path, bytes: &[u8], age_seconds: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    let when = SystemTime::now() - Duration::from_secs(age_seconds);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn repository() -> tempfile::TempDir {
    let dir = common::scratch_repo::<&[u8]>(&[]);
    for (name, bytes) in files() {
        write_old(&dir.path().join(name), &bytes, 60);
    }
    dir
}

/// stdout, stderr and exit code of `check --context k8s k8s/app.yaml` in `format`.
fn check(dir: &Path, format: &str, extra: &[&str]) -> (String, String, Option<i32>) {
    let output = salint(dir)
        .args([
            "check",
            "--color",
            "never",
            "--show-suppressed",
            "--format",
            format,
        ])
        .args(["--context", "k8s"])
        .args(extra)
        .arg("k8s/app.yaml")
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code(),
    )
}

fn salint(dir: &Path) -> Command {
    let mut command = common::salint_in(dir);
    // Outside a repository the cache goes here, never into the user's own.
    command.env("XDG_CACHE_HOME", dir.join("user-cache"));
    command
}

/// Every output format that shows something different: findings with positions (JSON),
/// snippets read from the kept texts (human).
fn outputs(dir: &Path, extra: &[&str]) -> Vec<(String, String, Option<i32>)> {
    ["json", "human", "sarif"]
        .into_iter()
        .map(|format| check(dir, format, extra))
        .collect()
}

fn cache_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn output_is_the_same_with_the_cache_cold_warm_and_damaged() {
    let dir = repository();
    let cache_folder = dir.path().join(".git/salint");
    let reference = outputs(dir.path(), &["--no-cache"]);
    // The fixtures say something: a finding that rests on another file, suppressed.
    let json = &reference[0].0;
    assert!(
        json.contains("\"rule\": \"shared-service-account\""),
        "{json}"
    );
    assert!(json.contains("with Deployment worker"), "{json}");
    assert!(json.contains("\"suppressed\": 1"), "{json}");
    assert!(reference[1].0.contains("serviceAccountName: web"));
    assert_eq!(reference[0].2, Some(0));
    assert!(
        cache_files(&cache_folder).is_empty(),
        "--no-cache wrote a cache"
    );

    // Cold: the cache is written, in the repository's `.git` folder only.
    assert_eq!(outputs(dir.path(), &[]), reference, "cold");
    let written = cache_files(&cache_folder);
    assert_eq!(written.len(), 1, "{written:?}");
    let cache = written[0].clone();
    assert!(!dir.path().join("user-cache").exists());
    let cached = std::fs::read(&cache).unwrap();

    // Warm, three formats (the human report's snippets come from the cached texts); a
    // warm run with nothing changed writes nothing.
    assert_eq!(outputs(dir.path(), &[]), reference, "warm");
    assert_eq!(std::fs::read(&cache).unwrap(), cached);

    // Truncated, damaged at many places, emptied, replaced by garbage or by a folder's
    // worth of zeros: the same output, and a sound cache written again.
    let damaged: Vec<(String, Vec<u8>)> = [0, 8, 30, cached.len() / 3, cached.len() - 1]
        .into_iter()
        .map(|cut| (format!("cut at {cut}"), cached[..cut].to_vec()))
        .chain((0..cached.len()).step_by(cached.len() / 12).map(|at| {
            let mut bytes = cached.clone();
            bytes[at] ^= 0xA5;
            (format!("byte {at} flipped"), bytes)
        }))
        .chain([
            ("zeros".to_string(), vec![0; cached.len()]),
            (
                "garbage".to_string(),
                (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect(),
            ),
        ])
        .collect();
    let cases = damaged.len();
    let mut left = Vec::new();
    for (what, bytes) in damaged {
        std::fs::write(&cache, &bytes).unwrap();
        assert_eq!(
            check(dir.path(), "json", &[]),
            reference[0].clone(),
            "{what}"
        );
        let after = std::fs::read(&cache).unwrap();
        if after != cached {
            // Only the named file's own entry was damaged: a miss, read anew, and not
            // worth rewriting the cache for (`a_run_that_read_only_its_named_files_anew…`).
            assert_eq!(after, bytes, "{what}: neither rewritten nor left as it was");
            left.push(what);
        }
    }
    assert!(left.len() <= cases / 4, "{left:?} of {cases} not rewritten");
    // A cache that cannot be written (its folder is a file): the same output, no error.
    std::fs::remove_dir_all(&cache_folder).unwrap();
    std::fs::write(&cache_folder, "not a folder").unwrap();
    assert_eq!(outputs(dir.path(), &[]), reference, "unwritable");
}

#[test]
fn a_changed_context_is_read_again() {
    let dir = repository();
    let original = outputs(dir.path(), &[]); // cold: written
    let cache = cache_files(&dir.path().join(".git/salint"))[0].clone();
    assert!(cache.exists());

    // Edited (another time and size): the binding removed.
    write_old(&dir.path().join("k8s/rbac.yaml"), CONFIG_MAP.as_bytes(), 50);
    let fresh = outputs(dir.path(), &["--no-cache"]);
    assert_ne!(fresh, original);
    assert_eq!(outputs(dir.path(), &[]), fresh, "edited");
    assert_eq!(outputs(dir.path(), &[]), fresh, "edited, warm");

    // The same bytes rewritten with another time: still the same output.
    write_old(&dir.path().join("k8s/worker.yaml"), WORKER.as_bytes(), 40);
    assert_eq!(outputs(dir.path(), &[]), fresh, "touched");

    // Same size, other text, another time: the edit is seen.
    let renamed = WORKER.replace("worker", "wurker");
    assert_eq!(renamed.len(), WORKER.len());
    write_old(&dir.path().join("k8s/worker.yaml"), renamed.as_bytes(), 30);
    let after = outputs(dir.path(), &["--no-cache"]);
    assert!(after[0].0.contains("wurker"), "{}", after[0].0);
    assert_eq!(outputs(dir.path(), &[]), after, "same size");

    // A file added, a file removed.
    write_old(&dir.path().join("k8s/more.yaml"), RBAC.as_bytes(), 20);
    std::fs::remove_file(dir.path().join("k8s/settings.yaml")).unwrap();
    let after = outputs(dir.path(), &["--no-cache"]);
    assert_eq!(outputs(dir.path(), &[]), after, "added and removed");

    // A file edited just now (its size and time may yet repeat): read, and not cached.
    std::fs::write(dir.path().join("k8s/more.yaml"), CONFIG_MAP).unwrap();
    let after = outputs(dir.path(), &["--no-cache"]);
    assert_eq!(outputs(dir.path(), &[]), after, "just now");
    assert_eq!(outputs(dir.path(), &[]), after, "just now, again");
}

/// A warm run with nothing changed takes every file from the cache: it reads no file anew,
/// so it leaves the cache file as it was (a miss would be stored, and the file rewritten).
/// A file rewritten with its old size and modification time kept (`cp -p`, `rsync -t`,
/// `tar x`) is still read again: its inode's change time moved.
#[test]
fn the_cache_is_what_a_warm_run_reads() {
    let dir = repository();
    let before = check(dir.path(), "json", &[]);
    let cache = cache_files(&dir.path().join(".git/salint"))[0].clone();
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(check(dir.path(), "json", &[]), before, "warm");
    assert_eq!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        written,
        "a warm run with nothing changed rewrote the cache: it read a file anew"
    );

    let renamed = WORKER.replace("worker", "wurker");
    let path = dir.path().join("k8s/worker.yaml");
    let time = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, &renamed).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(time)
        .unwrap();
    let read = check(dir.path(), "json", &["--no-cache"]);
    assert!(read.0.contains("wurker"), "{}", read.0);
    assert!(!before.0.contains("wurker"));
    assert_eq!(
        check(dir.path(), "json", &[]),
        read,
        "same size and time, new text"
    );
}

/// The named file changes with every commit: a run whose only new entry is the named
/// file's leaves the cache file as it was (rewriting it would cost more than the parse it
/// saves), and gives the output of `--no-cache`; a context file edited is stored again.
#[test]
fn a_run_that_read_only_its_named_files_anew_does_not_rewrite_the_cache() {
    let dir = repository();
    check(dir.path(), "json", &[]);
    let cache = cache_files(&dir.path().join(".git/salint"))[0].clone();
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));

    let edited = APP.replace("image: web:1", "image: web:2");
    write_old(&dir.path().join("k8s/app.yaml"), edited.as_bytes(), 30);
    let fresh = check(dir.path(), "json", &["--no-cache"]);
    assert!(fresh.0.contains("web"), "{}", fresh.0);
    assert_eq!(check(dir.path(), "json", &[]), fresh, "named file edited");
    assert_eq!(check(dir.path(), "json", &[]), fresh, "and again");
    assert_eq!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        written,
        "the named file's new entry alone rewrote the cache"
    );

    write_old(&dir.path().join("k8s/rbac.yaml"), CONFIG_MAP.as_bytes(), 20);
    let fresh = check(dir.path(), "json", &["--no-cache"]);
    assert_eq!(check(dir.path(), "json", &[]), fresh, "context file edited");
    assert_ne!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        written,
        "a context file's new entry is stored"
    );
}

/// A cache path that is a FIFO (or a link to one) is not waited on, and a `.git/salint`
/// that is a link, or a `.git` file naming a folder that is no git folder, is not written
/// through: the cache goes nowhere else, and the output stays that of `--no-cache`.
#[cfg(unix)]
#[test]
fn a_hostile_cache_location_is_neither_waited_on_nor_written_through() {
    let dir = repository();
    let reference = check(dir.path(), "json", &["--no-cache"]);
    check(dir.path(), "json", &[]);
    let cache = cache_files(&dir.path().join(".git/salint"))[0].clone();

    // A FIFO in the cache's place: read as no cache (a run that opened it would block).
    std::fs::remove_file(&cache).unwrap();
    let fifo = Command::new("mkfifo").arg(&cache).status().unwrap();
    assert!(fifo.success());
    let mut child = salint(dir.path())
        .args([
            "check",
            "--color",
            "never",
            "--show-suppressed",
            "--format",
            "json",
        ])
        .args(["--context", "k8s", "k8s/app.yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("salint waited on a FIFO at the cache's path");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), reference.0);

    // `.git/salint` a link to another folder: nothing is written there.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(dir.path().join(".git/salint")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(".git/salint")).unwrap();
    assert_eq!(check(dir.path(), "json", &[]), reference);
    assert_eq!(cache_files(elsewhere.path()), Vec::<PathBuf>::new());

    // A `.git` file (repository content) naming a folder that is no git folder.
    let target = tempfile::tempdir().unwrap();
    std::fs::remove_file(dir.path().join(".git/salint")).unwrap();
    std::fs::remove_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join(".git"),
        format!("gitdir: {}\n", target.path().display()),
    )
    .unwrap();
    assert_eq!(check(dir.path(), "json", &[]).0, reference.0);
    assert!(
        !target.path().join("salint").exists(),
        "written through a .git file"
    );
}

#[test]
fn outside_a_repository_the_cache_is_in_the_user_cache_folder() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files() {
        write_old(&dir.path().join(name), &bytes, 60);
    }
    let reference = check(dir.path(), "json", &["--no-cache"]);
    assert!(!dir.path().join("user-cache").exists());
    assert_eq!(check(dir.path(), "json", &[]), reference);
    let written = cache_files(&dir.path().join("user-cache/salint"));
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(check(dir.path(), "json", &[]), reference);
    // Nothing in the working tree but the files and the (test's) cache folder.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["k8s", "user-cache"]);
    // Without --context there is no cache.
    std::fs::remove_dir_all(dir.path().join("user-cache")).unwrap();
    salint(dir.path())
        .args(["check", "--format", "json", "k8s"])
        .output()
        .unwrap();
    assert!(!dir.path().join("user-cache").exists());
}

/// The staged change's findings in other files (which compare the texts read with
/// `HEAD`'s) are the same from cached texts.
#[test]
fn findings_a_staged_change_creates_elsewhere_are_the_same_warm() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("k8s/app.yaml", APP), ("k8s/rbac.yaml", RBAC)] {
        write_old(&dir.path().join(name), text.as_bytes(), 60);
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "--quiet",
        "-m",
        "x",
    ]);
    // The binding goes: the token web mounts in app.yaml becomes needless.
    write_old(&dir.path().join("k8s/rbac.yaml"), CONFIG_MAP.as_bytes(), 50);
    git(&["add", "k8s/rbac.yaml"]);
    let run = |extra: &[&str]| {
        let output = salint(dir.path())
            .args(["check", "--format", "compact", "--context", "k8s"])
            .args(extra)
            .arg("k8s/rbac.yaml")
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let reference = run(&["--no-cache"]);
    assert!(
        reference.contains("New with the staged change to `k8s/rbac.yaml`"),
        "{reference}"
    );
    assert_eq!(run(&[]), reference, "cold");
    assert!(!cache_files(&dir.path().join(".git/salint")).is_empty());
    assert_eq!(run(&[]), reference, "warm");
}

/// Two clusters (sibling folders define the same ServiceAccount): a run judges the named
/// file's cluster, whose files' trees it takes from the cache; the other cluster's files
/// count only by their identities, until a run names one of them.
#[test]
fn the_clusters_not_judged_are_read_as_identities() {
    let dir = common::scratch_repo::<&[u8]>(&[]);
    let staging_app = APP.replace("web:1", "web:2");
    for (name, text) in [
        ("k8s/prod/app.yaml", APP),
        ("k8s/prod/rbac.yaml", RBAC),
        ("k8s/staging/app.yaml", staging_app.as_str()),
        ("k8s/staging/worker.yaml", WORKER),
        ("k8s/shared.yaml", CONFIG_MAP),
    ] {
        write_old(&dir.path().join(name), text.as_bytes(), 60);
    }
    let run = |named: &str, extra: &[&str]| {
        let output = salint(dir.path())
            .args([
                "check",
                "--show-suppressed",
                "--format",
                "json",
                "--context",
                "k8s",
            ])
            .args(extra)
            .arg(named)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        (String::from_utf8(output.stdout).unwrap(), stderr)
    };
    let prod = run("k8s/prod/app.yaml", &["--no-cache"]);
    let staging = run("k8s/staging/app.yaml", &["--no-cache"]);
    assert!(prod.1.contains("2 clusters"), "{}", prod.1);
    assert!(
        staging.0.contains("with Deployment worker"),
        "{}",
        staging.0
    );
    assert!(!prod.0.contains("with Deployment worker"), "{}", prod.0);
    assert_eq!(run("k8s/prod/app.yaml", &[]), prod, "cold");
    assert_eq!(run("k8s/prod/app.yaml", &[]), prod, "warm");
    // Staging's trees were never needed yet: now they are, from the cache.
    assert_eq!(
        run("k8s/staging/app.yaml", &[]),
        staging,
        "warm, the other cluster"
    );
    assert_eq!(run("k8s/prod/app.yaml", &[]), prod, "warm again");
}

/// Runs that name different files (one outside the context) keep each other's entries:
/// alternating them rewrites nothing; a file gone is dropped.
#[test]
fn entries_of_files_a_run_did_not_read_are_kept_while_the_files_are_there() {
    let dir = repository();
    write_old(&dir.path().join("other/extra.yaml"), WORKER.as_bytes(), 60);
    let run = |named: &str| {
        salint(dir.path())
            .args(["check", "--format", "json", "--context", "k8s", named])
            .output()
            .unwrap()
    };
    let extra = run("other/extra.yaml");
    run("k8s/app.yaml");
    let cache = cache_files(&dir.path().join(".git/salint"))[0].clone();
    let written = std::fs::read(&cache).unwrap();
    for named in ["other/extra.yaml", "k8s/app.yaml", "other/extra.yaml"] {
        run(named);
        assert_eq!(std::fs::read(&cache).unwrap(), written, "{named}");
    }
    assert_eq!(run("other/extra.yaml").stdout, extra.stdout);
    // The extra file's entry goes with the file.
    std::fs::remove_file(dir.path().join("other/extra.yaml")).unwrap();
    run("k8s/app.yaml");
    let after = std::fs::read(&cache).unwrap();
    assert!(
        after.len() < written.len(),
        "{} {}",
        after.len(),
        written.len()
    );
}

/// A Kustomize root rendered on every run (renderings are not cached) from files that are:
/// its findings, and those a staged change creates elsewhere (compared with the root
/// rendered at `HEAD` from a temporary copy), are the same warm.
#[test]
fn a_rendered_root_reads_its_files_from_the_cache_the_same() {
    if !common::kustomize() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = APP.replace(", namespace: shop}", "}");
    for (name, text) in [
        (
            "k8s/base/kustomization.yaml",
            "namespace: shop\nresources: [app.yaml, rbac.yaml]\n",
        ),
        ("k8s/base/app.yaml", app.as_str()),
        ("k8s/base/rbac.yaml", RBAC),
        ("k8s/other/settings.yaml", CONFIG_MAP),
    ] {
        write_old(&dir.path().join(name), text.as_bytes(), 60);
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "--quiet",
        "-m",
        "x",
    ]);
    let run = |named: &str, extra: &[&str]| {
        let output = salint(dir.path())
            .args(["check", "--format", "compact", "--context", "k8s"])
            .args(extra)
            .arg(named)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            output.status.code(),
        )
    };
    let unchanged = run("k8s/base/app.yaml", &["--no-cache"]);
    assert_eq!(run("k8s/base/app.yaml", &[]), unchanged, "cold");
    assert_eq!(run("k8s/base/app.yaml", &[]), unchanged, "warm");
    // The binding goes, staged.
    let rbac = CONFIG_MAP.replace(", namespace: shop}", "}");
    write_old(&dir.path().join("k8s/base/rbac.yaml"), rbac.as_bytes(), 50);
    git(&["add", "k8s/base/rbac.yaml"]);
    let reference = run("k8s/base/rbac.yaml", &["--no-cache"]);
    assert!(
        reference
            .0
            .contains("New with the staged change to `k8s/base/rbac.yaml`"),
        "{}",
        reference.0
    );
    assert_eq!(run("k8s/base/rbac.yaml", &[]), reference, "cold");
    assert_eq!(run("k8s/base/rbac.yaml", &[]), reference, "warm");
}
