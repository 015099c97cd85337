//! Hostile and broken input: each case gives a clear diagnostic (with line and column where
//! there is one) and exit code 2, every other file's findings survive, and nothing runs
//! longer than a generous bound (each run is killed after `LIMIT`). Large inputs are
//! generated at test time.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use insta_cmd::get_cargo_bin;
use serde_json::Value;

mod common;

/// No input may make salint run longer than this (the test binary is a debug build).
const LIMIT: Duration = Duration::from_secs(60);

/// A good file with a known finding (default-service-account at 7:5) that must survive.
const GOOD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1}]
";

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

/// Runs `salint check --format json ARGS` in `dir` under [`LIMIT`].
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = Command::new(get_cargo_bin("salint"));
    command.args(["check", "--format", "json"]).args(args);
    run_command(command, dir, args, stdin)
}

/// Runs `command` (salint, or a shell that execs it) in `dir` under [`LIMIT`].
fn run_command(mut command: Command, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let started = Instant::now();
    let mut child = command
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let _ = pipe.write_all(bytes);
    }
    let output = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("salint {args:?} ran longer than {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: output.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    common::scratch_repo(files)
}

/// `file line:col message` of each input error.
fn errors(run: &Run) -> Vec<String> {
    run.json["input_errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            let at = match e.get("position").filter(|p| !p.is_null()) {
                Some(p) => format!(" {}:{}", p["line"], p["column"]),
                None => String::new(),
            };
            format!(
                "{}{at} {}",
                e["file"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn findings(run: &Run) -> Vec<String> {
    run.json["findings"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["span"]["start"]["line"],
                f["span"]["start"]["column"]
            )
        })
        .collect()
}

/// The good file's findings are all there.
fn good_survives(run: &Run) {
    let found = findings(run);
    assert!(
        found.contains(&"SA101 good.yaml:7:5".to_string()),
        "the good file's findings are gone: {found:?}\n{}",
        run.stderr
    );
}

fn bad_input(name: &str, bytes: &[u8], expected: &str) -> Run {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes()), (name, bytes)]);
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    let errors = errors(&run);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(name) && e.contains(expected)),
        "{name}: expected an error with {expected:?}, got {errors:?}"
    );
    good_survives(&run);
    run
}

#[test]
fn alias_bombs_are_errors_not_out_of_memory() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
        ));
    }
    let run = bad_input("bomb.yaml", bomb.as_bytes(), "alias");
    assert!(
        errors(&run).iter().any(|e| e.starts_with("bomb.yaml ")),
        "{:?}",
        errors(&run)
    );
}

#[test]
fn ten_thousand_levels_of_nesting_are_an_error() {
    let seqs = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    bad_input("seqs.yaml", seqs.as_bytes(), "nest");
    let maps = format!("{}x{}", "{a: ".repeat(10_000), "}".repeat(10_000));
    bad_input("maps.yaml", maps.as_bytes(), "nest");
    let block: String = (0..10_000)
        .map(|i| format!("{}- \n", "  ".repeat(i % 3000)))
        .collect();
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("block.yaml", block.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["."], None);
    good_survives(&run);
}

#[test]
fn a_file_above_the_size_limit_is_skipped_without_reading_it() {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    // 200 MB, sparse: salint must decide from the size, not by reading it.
    let huge = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    huge.set_len(200 * 1024 * 1024).unwrap();
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        errors(&run)
            .iter()
            .any(|e| e.starts_with("huge.yaml") && e.contains("--max-file-size")),
        "{:?}",
        errors(&run)
    );
    good_survives(&run);
    // The limit is a flag.
    let small = dir_with(&[("good.yaml", GOOD.as_bytes()), ("big.yaml", &[b'#'; 4096])]);
    let run = run_in(small.path(), &["--max-file-size", "1K", "."], None);
    assert!(
        errors(&run).iter().any(|e| e.starts_with("big.yaml")),
        "{:?}",
        errors(&run)
    );
    let run = run_in(small.path(), &["--max-file-size", "1M", "."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = run_in(small.path(), &["--max-file-size", "lots", "."], None);
    assert_eq!(run.code, 2);
}

#[test]
fn a_hundred_thousand_documents_in_one_file() {
    let mut text = String::with_capacity(7 << 20);
    for i in 0..100_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: shop}}\n"
        ));
    }
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("many.yaml", text.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.json["summary"]["objects"], 100_001, "{}", run.stderr);
    good_survives(&run);
}

#[test]
fn a_one_megabyte_line() {
    let line = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: shop}}\ndata: {{k: \"{}\"}}\n",
        "x".repeat(1 << 20)
    );
    let flow = format!("items: [{}]\n", vec!["1"; 300_000].join(", "));
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("line.yaml", line.as_bytes()),
        ("flow.yaml", flow.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    good_survives(&run);
}

#[test]
fn binary_content_and_nul_bytes_are_input_errors() {
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    binary.splice(0..0, b"apiVersion: v1\n".iter().copied());
    bad_input("binary.yaml", &binary, "");
    bad_input("nul.yaml", b"apiVersion: v1\nkind: \x00Pod\n", "");
}

#[test]
fn invalid_utf8_is_reported_where_it_is() {
    let run = bad_input(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
        "UTF-8",
    );
    assert!(
        errors(&run).iter().any(|e| e.starts_with("latin1.yaml 3:")),
        "{:?}",
        errors(&run)
    );
}

#[test]
fn bom_utf8_and_utf16_are_decoded_with_right_columns() {
    let mut utf8 = b"\xef\xbb\xbf".to_vec();
    utf8.extend_from_slice(GOOD.replace("name: api,", "name: bom8,").as_bytes());
    let mut utf16: Vec<u8> = vec![0xff, 0xfe];
    for unit in GOOD.replace("name: api,", "name: bom16,").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("bom8.yaml", &utf8),
        ("bom16.yaml", &utf16),
    ]);
    let run = run_in(dir.path(), &["."], None);
    let found = findings(&run);
    for file in ["bom8.yaml", "bom16.yaml"] {
        assert!(
            found.contains(&format!("SA101 {file}:7:5")),
            "{file}: {found:?}"
        );
    }
}

#[test]
fn crlf_and_tabs_keep_columns_right() {
    // Tabs as separators inside flow collections and before comments, CRLF line ends.
    let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: \"p\\tq\",\tnamespace: shop}\r\nspec: {containers: [{name: c,\timage: c}],\tserviceAccountName: default}\t# tab\r\n";
    let dir = dir_with(&[("tabs.yaml", text.as_bytes())]);
    let run = run_in(dir.path(), &["."], None);
    // `default` follows two tabs on line 4: column 63, each tab one character.
    assert!(
        findings(&run).contains(&"SA101 tabs.yaml:4:63".to_string()),
        "{:?}",
        findings(&run)
    );
    let end = &run.json["findings"][1]["span"]["end"];
    assert_eq!(
        (end["line"].as_u64(), end["column"].as_u64()),
        (Some(4), Some(70))
    );
}

#[test]
fn duplicate_keys_are_reported_and_the_later_value_wins() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  serviceAccountName: api
  automountServiceAccountToken: false
  containers: [{name: c, image: c}]
  automountServiceAccountToken: true
";
    let dir = dir_with(&[("dup.yaml", text.as_bytes())]);
    let run = run_in(dir.path(), &["."], None);
    let found = findings(&run);
    assert!(
        found.contains(&"SA502 dup.yaml:6:3".to_string()),
        "{found:?}"
    );
    // kubectl keeps `true`: the token is mounted, and nothing grants `api` anything.
    assert!(
        found.contains(&"SA201 dup.yaml:8:33".to_string()),
        "{found:?}"
    );
}

#[test]
fn wrong_types_say_what_the_api_server_does() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: 42
      automountServiceAccountToken: \"false\"
      containers: [{name: a, image: a}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules:
  apiGroups: [\"\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
subjects: \"x\"
";
    let dir = dir_with(&[("types.yaml", text.as_bytes())]);
    let run = run_in(dir.path(), &["."], None);
    let types: Vec<String> = findings(&run)
        .into_iter()
        .filter(|f| f.starts_with("SA501"))
        .collect();
    assert_eq!(
        types,
        [
            "SA501 types.yaml:7:27",
            "SA501 types.yaml:8:37",
            "SA501 types.yaml:15:3",
            "SA501 types.yaml:21:11"
        ]
    );
    let messages = run.json["findings"].to_string();
    assert!(messages.contains("the API server rejects the whole object"));
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_only_when_asked_and_loops_are_diagnosed() {
    let outside = dir_with(&[(
        "secret.yaml",
        GOOD.replace("name: api,", "name: outside,").as_bytes(),
    )]);
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run),
        ["SA101 good.yaml:7:5", "SA201 good.yaml:7:5"]
    );
    let followed = run_in(dir.path(), &["--follow", "."], None);
    assert!(
        findings(&followed).contains(&"SA101 linked/secret.yaml:7:5".to_string()),
        "{:?}",
        findings(&followed)
    );
    assert_eq!(followed.code, 2, "the loop is a diagnostic");
    assert!(
        errors(&followed).iter().any(|e| e.contains("loop")),
        "{:?}",
        errors(&followed)
    );
    good_survives(&followed);
}

#[test]
fn a_folder_named_like_a_manifest_is_walked() {
    let dir = dir_with(&[("x.yaml/good.yaml", GOOD.as_bytes())]);
    let run = run_in(dir.path(), &["x.yaml"], None);
    assert!(
        findings(&run).contains(&"SA101 x.yaml/good.yaml:7:5".to_string()),
        "{:?}",
        findings(&run)
    );
}

#[cfg(unix)]
#[test]
fn a_file_that_is_gone_is_a_diagnostic() {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    std::os::unix::fs::symlink(
        dir.path().join("vanished.yaml"),
        dir.path().join("dangling.yaml"),
    )
    .unwrap();
    let run = run_in(dir.path(), &["good.yaml", "dangling.yaml"], None);
    assert_eq!(run.code, 2);
    assert!(
        errors(&run)
            .iter()
            .any(|e| e.starts_with("dangling.yaml") && e.contains("No such file")),
        "{:?}",
        errors(&run)
    );
    good_survives(&run);
}

#[test]
fn stdin_empty_or_cut_short() {
    let dir = dir_with(&[]);
    let empty = run_in(dir.path(), &["-"], Some(b""));
    assert_eq!(empty.code, 0);
    let cut = run_in(
        dir.path(),
        &["-"],
        Some(b"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namesp"),
    );
    assert_eq!(cut.code, 2, "{}", cut.stderr);
    assert!(
        errors(&cut).iter().any(|e| e.starts_with("<stdin> 3:")),
        "{:?}",
        errors(&cut)
    );
}

#[test]
fn salint_writes_only_where_it_is_told() {
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("sub/more.yaml", GOOD.as_bytes()),
    ]);
    let listing = |dir: &Path| -> Vec<String> {
        let mut names = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                names.push(path.strip_prefix(dir).unwrap().display().to_string());
                if path.is_dir() {
                    stack.push(path);
                }
            }
        }
        names.sort();
        names
    };
    let before = listing(dir.path());
    for format in [
        "human", "json", "sarif", "github", "compact", "markdown", "junit", "gitlab",
    ] {
        let _ = run_in(dir.path(), &["--format", format, "."], None);
    }
    assert_eq!(listing(dir.path()), before, "a check wrote files");
    let _ = run_in(dir.path(), &["--output", "report.json", "."], None);
    let mut expected = before.clone();
    expected.push("report.json".to_string());
    expected.sort();
    assert_eq!(listing(dir.path()), expected);
}

#[test]
fn the_source_runs_no_program_but_the_renderers_and_opens_no_connection() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // Kustomize and Helm are run from these, through `process::run_bounded` (offline,
    // bounded), and git (`process::git`, for `check --context`); nothing else starts a
    // process.
    let renderers = ["src/process.rs", "src/kustomize/run.rs", "src/helm/run.rs"];
    let mut stack = vec![root];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let renderer = renderers.iter().any(|r| path.ends_with(r));
            for forbidden in ["process::Command", "Command::new"] {
                assert!(
                    renderer || !text.contains(forbidden),
                    "{} uses {forbidden}",
                    path.display()
                );
            }
            for forbidden in ["TcpStream", "UdpSocket", "TcpListener", "std::net::"] {
                assert!(
                    !text.contains(forbidden),
                    "{} uses {forbidden}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn regression_inputs_pass_through_the_whole_pipeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        salint::fuzz::loader(&bytes);
        salint::fuzz::pipeline(&bytes);
        count += 1;
    }
    assert!(count >= 6, "only {count} regression inputs");
}

// ---- Hostile input, round two (issue 15) ----

/// Output of one run of `salint ARGS` under [`LIMIT`], any command.
struct TextRun {
    code: i32,
    stdout: String,
    stderr: String,
}

fn salint_text(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> TextRun {
    let started = Instant::now();
    let mut command = Command::new(get_cargo_bin("salint"));
    command
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    // Read while it runs: a large report fills the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut text).unwrap();
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut text).unwrap();
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("salint {args:?} ran longer than {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    TextRun {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

#[test]
fn a_finding_or_error_past_column_65535_is_named_not_drawn() {
    let long_name = "a".repeat(70_000);
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": long_name, "namespace": "shop"},
        "spec": {"containers": [{"name": "c", "image": "i"}]}
    })
    .to_string();
    let key = format!("{}: [\n", "k".repeat(100_000));
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("long.json", pod.as_bytes()),
        ("key.yaml", key.as_bytes()),
    ]);
    let run = salint_text(dir.path(), &["check", "--color", "never", "."], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // The long lines are named by position...
    assert!(
        run.stdout.contains("at long.json:1:"),
        "{}",
        &run.stdout[..2000.min(run.stdout.len())]
    );
    assert!(run.stdout.contains("key.yaml:1:100001: YAML parse error"));
    assert!(run.stdout.contains("(the line is too long to show)"));
    // ...and a short line is still drawn, with its label.
    assert!(run.stdout.contains("╭─[good.yaml:7:5]"), "{}", run.stdout);
    assert!(run.stdout.contains("salint: 4 findings"), "{}", run.stdout);
}

#[test]
fn did_you_mean_skips_long_names() {
    let mut text = String::new();
    for i in 0..50 {
        let sa = format!("{}{i}", "s".repeat(20_000 + i * 400));
        let wanted = format!("{}{i}", "t".repeat(20_000 + i * 400));
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {sa}, namespace: shop}}\n\
             ---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: shop}}\n\
             spec:\n  template:\n    spec:\n      serviceAccountName: {wanted}\n      containers: [{{name: c, image: i}}]\n"
        ));
    }
    // A short typo still gets its suggestion.
    text.push_str(
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n\
         ---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: short, namespace: shop}\n\
         spec:\n  template:\n    spec:\n      serviceAccountName: apii\n      containers: [{name: c, image: i}]\n",
    );
    let dir = dir_with(&[("sas.yaml", text.as_bytes())]);
    // Megabytes of JSON: read while it runs.
    let run = salint_text(dir.path(), &["check", "--format", "json", "."], &[]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let missing: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "missing-service-account")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 51, "{}", run.stderr);
    let suggested: Vec<&&str> = missing
        .iter()
        .filter(|m| m.contains("Did you mean"))
        .collect();
    assert_eq!(suggested.len(), 1);
    assert!(suggested[0].contains("Did you mean `api`?"));
}

#[test]
fn five_thousand_findings_in_one_file_in_the_human_format() {
    let mut text = String::new();
    for i in 0..2_500 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: shop}}\nspec:\n  containers: [{{name: c, image: i}}]\n"
        ));
    }
    let dir = dir_with(&[("pods.yaml", text.as_bytes())]);
    // Quadratic, this took minutes in a debug build; LIMIT is the bound.
    let run = salint_text(dir.path(), &["check", "--color", "never", "."], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .ends_with("salint: 5000 findings (5000 warnings) in 2500 objects from 1 file\n"),
        "{}",
        &run.stdout[run.stdout.len().saturating_sub(300)..]
    );
    assert_eq!(run.stdout.matches("╭─[pods.yaml:").count(), 5000);
}

/// Strings that must not reach a terminal or a CI log as they are.
fn hostile_strings() -> Vec<String> {
    let mut strings: Vec<String> = (1u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .chain([0x61c, 0x200e, 0x200f, 0x2028, 0x2029])
        .chain(0x202a..0x202f)
        .chain(0x2066..0x206a)
        .map(|c| format!("c{c:x}-{}-x", char::from_u32(c).unwrap()))
        .collect();
    strings.extend(
        [
            "x\n::error title=pwned::injected",
            "x\n::add-mask::secret",
            "x\n   ::stop-commands::token",
            "t\u{1b}]0;title\u{7}\u{1b}[2J\r",
            "<img src=x onerror=alert(1)>",
            "![](http://example.invalid/i.png)",
            "[link](http://example.invalid/)",
        ]
        .map(String::from),
    );
    strings
}

/// A YAML double-quoted scalar holding `text`, every character outside printable ASCII
/// written as an escape.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// What no text output may hold: a control character but the line break, a line that a
/// GitHub runner reads as a workflow command (except the github format's own), HTML or an
/// image from a name.
fn assert_safe(what: &str, text: &str, own_commands: bool) {
    if let Some(c) = text
        .chars()
        .find(|&c| c != '\n' && salint::testing::is_unsafe(c))
    {
        panic!("{what}: raw U+{:04X} in the output", c as u32);
    }
    for line in text.lines() {
        let ours = own_commands
            && ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|c| line.starts_with(c));
        assert!(
            ours || !line.trim_start().starts_with("::"),
            "{what}: a workflow command line: {line:.120}"
        );
    }
}

#[test]
fn no_format_lets_a_name_reach_the_terminal_raw() {
    let mut text = String::from(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: plain-api, namespace: shop}\n",
    );
    for (i, hostile) in hostile_strings().iter().enumerate() {
        let name = |prefix: &str| yaml_quoted(&format!("{prefix}{i}-{hostile}"));
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {}, namespace: shop}}\n\
             ---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {}, namespace: shop}}\n\
             spec:\n  template:\n    spec:\n      serviceAccountName: {}\n      containers: [{{name: c, image: i}}]\n\
             ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {}, namespace: shop}}\n\
             roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {}}}\n\
             subjects: [{{kind: ServiceAccount, name: {}, namespace: shop}}, {{kind: User, name: {}}}]\n",
            name("sa"),
            name("dep"),
            name("ghost"),
            name("rb"),
            name("role"),
            name("sa"),
            name("user"),
        ));
    }
    text.push_str(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\n\
         rules: [{apiGroups: [\"\"], resources: [secrets], verbs: [get]}]\n\
         ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: \"crb\\n::error title=x::y\"}\n\
         roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\n\
         subjects: [{kind: Group, name: \"g\\u001b[2J\\n::add-mask::x\"}]\n",
    );
    let dir = dir_with(&[
        ("hostile.yaml", text.as_bytes()),
        ("bad\nname::error x.yaml", GOOD.as_bytes()),
    ]);
    for format in ["human", "compact", "github", "markdown"] {
        let run = salint_text(
            dir.path(),
            &["check", "--color", "never", "--format", format, "."],
            &[],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_safe(format, &run.stdout, format == "github");
        assert_safe(format, &run.stderr, false);
        // Plain names stay as they are; escaped ones stay visible.
        assert!(run.stdout.contains("Deployment shop/api "), "{format}");
        assert!(run.stdout.contains("\\u{1b}"), "{format}");
        if format == "compact" {
            assert!(run.stdout.contains("bad\\nname:\\u{3a}error x.yaml:7:5:"));
        }
        if format == "markdown" {
            // Outside code spans (where Markdown acts on nothing): no HTML, image or link.
            let prose: String = run
                .stdout
                .lines()
                .flat_map(|line| {
                    let line = line.replace("\\`", "");
                    line.split('`')
                        .step_by(2)
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            assert!(!prose.contains("<img"), "HTML from a name");
            assert!(!prose.contains("!["), "an image from a name");
            assert!(
                !prose.replace("\\]", "").contains("](http"),
                "a link from a name"
            );
            assert!(prose.contains("&lt;img src=x onerror=alert(1)&gt;"));
        }
    }
    let sa = format!(
        "shop/sa{}-x\n::error title=pwned::injected",
        hostile_strings().len() - 7
    );
    for args in [
        vec!["who-can", "get", "secrets", "."],
        vec!["explain-sa", sa.as_str(), "."],
        vec!["graph", "--format", "mermaid", "."],
        vec!["graph", "--format", "dot", "."],
        vec!["explain", "x\u{1b}]0;t\u{7}\n::error::y"],
        vec!["check", "--config", "no\u{1b}[2J\n::error::such.yaml", "."],
    ] {
        let run = salint_text(dir.path(), &args, &[]);
        assert!(run.code == 0 || run.code == 2, "{args:?}: {}", run.stderr);
        assert_safe(args[0], &run.stdout, false);
        assert_safe(args[0], &run.stderr, false);
        if args[0] != "explain" && args[0] != "check" {
            assert!(run.stdout.contains("u{3a}"), "{args:?}: {}", run.stdout);
        }
    }
}

#[cfg(unix)]
#[test]
fn the_configuration_search_stays_in_the_repository() {
    use std::os::unix::fs::PermissionsExt;
    // parent/.salint.yaml switches the finding off; parent/project has no .git.
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(
        parent.path().join(".salint.yaml"),
        "rules:\n  default-service-account: off\n",
    )
    .unwrap();
    let project = parent.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join("good.yaml"), GOOD).unwrap();
    let codes = |run: &Run| -> Vec<String> {
        findings(run)
            .into_iter()
            .map(|f| f.split(' ').next().unwrap().to_string())
            .collect()
    };
    let elsewhere = parent.path().join("home-elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let home = |home: &Path| {
        let mut command = Command::new(get_cargo_bin("salint"));
        command
            .current_dir(&project)
            .env("HOME", home)
            .args(["check", "--format", "json", "."]);
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            json: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    };
    // Home elsewhere, parent not writable by others: the parent's file is found.
    assert!(!codes(&home(&elsewhere)).contains(&"SA101".to_string()));
    // The project is the home folder: the search stops there.
    assert!(codes(&home(&project)).contains(&"SA101".to_string()));
    // The project is a repository: the search stops at its root.
    std::fs::create_dir(project.join(".git")).unwrap();
    assert!(codes(&home(&elsewhere)).contains(&"SA101".to_string()));
    std::fs::remove_dir(project.join(".git")).unwrap();
    // A folder anyone can write to (as /tmp) is never read.
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    assert!(codes(&home(&elsewhere)).contains(&"SA101".to_string()));
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_context_outside_the_repository_needs_the_flag() {
    let outside = dir_with(&[(
        "sa.yaml",
        b"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x, namespace: shop}\n",
    )]);
    let config = format!("context: {}\n", outside.path().display());
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        (".salint.yaml", config.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["good.yaml"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".salint.yaml:1:10: context")
            && run
                .stderr
                .contains("outside the configuration's repository")
            && run.stderr.contains("--context"),
        "{}",
        run.stderr
    );
    // Named on the command line, it is read; inside the repository, it needs no flag.
    let outside_arg = outside.path().display().to_string();
    let run = run_in(dir.path(), &["--context", &outside_arg, "good.yaml"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    good_survives(&run);
    let inside = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("k8s/sa.yaml", b"kind: X\n"),
        (".salint.yaml", b"context: k8s\n"),
    ]);
    let run = run_in(inside.path(), &["good.yaml"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn reports_and_baselines_replace_files_and_refuse_links() {
    use std::os::unix::fs::symlink;
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes()), ("victim.txt", b"keep me")]);
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // An existing report is replaced whole, with no temporary file left.
    std::fs::write(dir.path().join("report.json"), "old".repeat(100_000)).unwrap();
    let run = run_in(dir.path(), &["-o", "report.json", "."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["findings"], 2);
    assert_eq!(
        names(dir.path()),
        [".git", "good.yaml", "report.json", "victim.txt"]
    );
    // A link, existing or dangling, is refused and its target left alone.
    symlink(dir.path().join("victim.txt"), dir.path().join("link.json")).unwrap();
    symlink(dir.path().join("nowhere"), dir.path().join("dangling.json")).unwrap();
    for args in [
        ["-o", "link.json", "."],
        ["-o", "dangling.json", "."],
        ["--write-baseline", "link.json", "."],
    ] {
        let run = run_in(dir.path(), &args, None);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("victim.txt")).unwrap(),
        "keep me"
    );
    assert!(!dir.path().join("nowhere").exists());
    // init: a dangling link counts as an existing file.
    let init = salint_text(dir.path(), &["init"], &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    std::fs::remove_file(dir.path().join(".salint.yaml")).unwrap();
    symlink(dir.path().join("nowhere"), dir.path().join(".salint.yaml")).unwrap();
    let init = salint_text(dir.path(), &["init"], &[]);
    assert_eq!(init.code, 2);
    let init = salint_text(dir.path(), &["init", "--force"], &[]);
    assert_eq!(init.code, 2, "{}", init.stderr);
    assert!(init.stderr.contains("symbolic link"), "{}", init.stderr);
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn the_largest_size_limit_reads_files() {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    let run = run_in(
        dir.path(),
        &["--max-file-size", "18446744073709551615", "."],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    good_survives(&run);
}

#[cfg(target_os = "linux")]
#[test]
fn devices_and_pipes_named_on_the_command_line() {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    let run = run_in(
        dir.path(),
        &["--max-file-size", "64K", "good.yaml", "/dev/zero"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        errors(&run).contains(
            &"/dev/zero skipped: more than the --max-file-size limit of 64.0 KiB (read up to the limit)"
                .to_string()
        ),
        "{:?}",
        errors(&run)
    );
    good_survives(&run);
    let status = Command::new("mkfifo")
        .arg(dir.path().join("pipe.yaml"))
        .status()
        .expect("mkfifo (coreutils) is installed");
    assert!(status.success());
    // Named: skipped with a diagnostic (opening it would wait for a writer forever).
    let run = run_in(dir.path(), &["good.yaml", "pipe.yaml"], None);
    assert_eq!(run.code, 2);
    assert!(errors(&run)[0].starts_with("pipe.yaml skipped: a named pipe"));
    good_survives(&run);
    // Inside a folder: not a file, passed over.
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn nesting_of_255_levels_is_read_and_256_is_an_error() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let nested = |levels: usize| format!("{}1{}\n", open.repeat(levels), close.repeat(levels));
        let dir = dir_with(&[
            ("good.yaml", GOOD.as_bytes()),
            ("ok.yaml", nested(255).as_bytes()),
        ]);
        let run = run_in(dir.path(), &["."], None);
        assert_eq!(run.code, 1, "255 levels of {open}: {:?}", errors(&run));
        bad_input(
            "deep.yaml",
            nested(256).as_bytes(),
            "nesting deeper than 255 levels",
        );
    }
    let block = |levels: usize| -> String {
        (0..levels)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect::<String>()
            + &"  ".repeat(levels)
            + "v\n"
    };
    bad_input(
        "block.yaml",
        block(256).as_bytes(),
        "nesting deeper than 255 levels",
    );
}

#[test]
fn a_bad_baseline_or_configuration_stops_the_run() {
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("baseline.json", b"{not json"),
        ("bad-config.yaml", b"rules: {no-such-rule: off}\n"),
    ]);
    let run = run_in(dir.path(), &["--baseline", "baseline.json", "."], None);
    assert_eq!(run.code, 2);
    assert_eq!(run.json, Value::Null, "no report is printed");
    assert!(
        run.stderr.contains("baseline baseline.json"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["--config", "bad-config.yaml", "."], None);
    assert_eq!(run.code, 2);
    assert_eq!(run.json, Value::Null, "no report is printed");
    assert!(run.stderr.contains("unknown rule"), "{}", run.stderr);
}

/// Row 13: 200,000 `exclude` globs. globset compiled each `**/vendorN/*.yaml` into a regex
/// of its own when the configuration was loaded (1.9 GB and 12 s or more in a debug build) and
/// then tried each `.yaml` path walked against all 200,000; filed by the folder name each
/// glob needs, a path looks only at the globs that can match it, compiled when first needed.
/// The run is capped at 1 GiB of address space, which the old filter overran on any machine
/// (this one runs in under 256 MiB), and it walks 2,000 files, cheap only when a path does
/// not cost every glob. The globs still apply: `vendor7` and `vendor199999` are skipped,
/// `vendor200000` (no glob names it) is read.
#[cfg(target_os = "linux")]
#[test]
fn two_hundred_thousand_exclude_globs() {
    let mut config = String::from("exclude:\n");
    for i in 0..200_000 {
        config.push_str(&format!("  - \"**/vendor{i}/*.yaml\"\n"));
    }
    let kept = GOOD.replace("{name: api,", "{name: kept,");
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("good.yaml".into(), GOOD.into()),
        ("vendor7/skip.yaml".into(), GOOD.into()),
        ("deep/vendor199999/skip.yaml".into(), GOOD.into()),
        ("vendor200000/kept.yaml".into(), kept.into()),
        (".salint.yaml".into(), config.into()),
    ];
    files.extend((0..2_000).map(|i| (format!("many/f{i}.yaml"), b"# no objects\n".to_vec())));
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, content)| (name.as_str(), content.as_slice()))
        .collect();
    let dir = dir_with(&files);
    let mut command = Command::new("sh");
    command
        .args(["-c", r#"ulimit -v "$0" && exec "$@""#, "1048576"])
        .arg(get_cargo_bin("salint"))
        .args(["check", "--format", "json", "."])
        .env("RAYON_NUM_THREADS", "2");
    let run = run_command(command, dir.path(), &["."], None);
    assert_eq!(
        run.code, 1,
        "under a 1 GiB address-space cap: {}",
        run.stderr
    );
    assert_eq!(
        findings(&run),
        [
            "SA101 good.yaml:7:5",
            "SA201 good.yaml:7:5",
            "SA101 vendor200000/kept.yaml:7:5",
            "SA201 vendor200000/kept.yaml:7:5"
        ]
    );
}

/// A suppression's reason is written once and repeated by every finding it suppresses (a
/// 56,000-character `ignore-file` reason over 1,260 findings made a human report of 70 MB,
/// found by the structure-aware fuzzer): the human report shows its first 300 characters
/// and its length, a short reason whole; the JSON report keeps all of it.
#[test]
fn a_long_suppression_reason_is_cut_in_the_human_report() {
    let pods = |namespace: &str| -> String {
        (0..2)
            .map(|n| {
                format!(
                    "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}, namespace: {namespace}}}\nspec:\n  containers: [{{name: c, image: i}}]\n"
                )
            })
            .collect()
    };
    let long = format!(
        "# salint: ignore-file[all] {}\n{}",
        "Z".repeat(10_000),
        pods("shop")
    );
    let short = format!(
        "# salint: ignore-file[all] reviewed by ops\n{}",
        pods("web")
    );
    let dir = dir_with(&[
        ("long.yaml", long.as_bytes()),
        ("short.yaml", short.as_bytes()),
    ]);
    let run = salint_text(
        dir.path(),
        &["check", "--color", "never", "--show-suppressed", "."],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = "Z… (10000 characters in all; `--format json` shows it whole)";
    assert_eq!(text.matches(cut).count(), 4, "{}", run.stdout);
    assert_eq!(run.stdout.matches('Z').count(), 4 * 300);
    assert_eq!(text.matches("suppressed: reviewed by ops see").count(), 4);

    let json = run_in(dir.path(), &["--show-suppressed", "long.yaml"], None);
    let reasons: Vec<usize> = json.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["suppression"]["justification"].as_str().unwrap().len())
        .collect();
    assert_eq!(reasons, [10_000; 4]);
}

/// One long name repeated by every finding that mentions it: a ClusterRoleBinding named with
/// 100,000 characters grants cluster-admin to every ServiceAccount, so each Pod's
/// `powerful-token-mounted` names it twice (2,000 Pods: 400 MB of JSON and a 440 MB human
/// report in 20 s, from a 400 KB file; found by the structure-aware fuzzer). Messages keep
/// their first 2,048 and last 1,024 characters; the binding's own finding still names the
/// object whole.
#[test]
fn a_long_name_in_every_finding_is_cut_in_messages() {
    let name = "b".repeat(100_000);
    let mut text = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {name}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\nsubjects: [{{kind: Group, name: \"system:serviceaccounts\", apiGroup: rbac.authorization.k8s.io}}]\n"
    );
    for n in 0..200 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}, namespace: shop}}\nspec:\n  containers: [{{name: c, image: i}}]\n"
        ));
    }
    let dir = dir_with(&[("all.yaml", text.as_bytes())]);
    // Read while it runs (`run_in` reads at the end: the report fills the pipe).
    let run = salint_text(dir.path(), &["check", "--format", "json", "."], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let powerful: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "powerful-token-mounted")
        .collect();
    assert_eq!(powerful.len(), 200);
    for finding in &powerful {
        let message = finding["message"].as_str().unwrap();
        assert!(message.chars().count() < 4200, "{}", message.len());
        let left_out: usize = message
            .split_once(" … (")
            .and_then(|(_, rest)| rest.split_once(" characters left out) … "))
            .and_then(|(count, _)| count.parse().ok())
            .unwrap_or_else(|| panic!("{message:.300}"));
        assert!(left_out > 96_000, "{left_out}");
        let related = finding["related"][0]["message"].as_str().unwrap();
        assert!(related.chars().count() < 4200, "{}", related.len());
    }
    let binding = findings
        .iter()
        .find(|f| f["object"]["kind"] == "ClusterRoleBinding")
        .expect("the binding's own finding");
    assert_eq!(binding["object"]["name"].as_str().unwrap().len(), 100_000);

    let human = salint_text(dir.path(), &["check", "--color", "never", "."], &[]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human.stdout.len() < 10_000_000,
        "{} bytes",
        human.stdout.len()
    );
}

/// Shapes kubectl (go-yaml) and PyYAML read that saphyr-parser 0.3.4 rejected, losing the
/// whole file: a quoted scalar continued at its key's indentation, and a tab after `key:`.
/// The values are PyYAML's (`CSafeLoader`); the oracle's go-yaml loads both files too.
#[test]
fn kubectl_yaml_shapes_load_with_kubectl_values() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regressions");
    let read = |name: &str| {
        let inputs = salint::read_inputs(&[salint::InputSource::File(dir.join(name))]);
        assert!(inputs.errors.is_empty(), "{name}: {:?}", inputs.errors);
        inputs
    };
    let quoted = read("quoted-scalar-at-key-indentation.yaml");
    let kinds: Vec<&str> = quoted.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["CustomResourceDefinition", "ClusterRole"]);
    let role = &quoted.objects[1];
    assert_eq!(
        role.root
            .path(&["metadata", "annotations", "description"])
            .and_then(|n| n.as_str()),
        Some("edits widgets, continued at less indentation than the key")
    );
    assert_eq!(role.root.get("rules").map(|r| r.items().len()), Some(1));
    let tabs = read("tab-after-key-colon.yaml");
    let role = &tabs.objects[0];
    assert_eq!(
        (role.kind.as_str(), role.name.as_str()),
        ("Role", "tab-reader")
    );
    assert_eq!(role.api_version, "rbac.authorization.k8s.io/v1");
    assert_eq!(
        role.root
            .path(&["metadata", "labels", "app"])
            .and_then(|n| n.as_str()),
        Some("shop")
    );
}

/// Documents of kinds no rule reads are built from a pre-scan, not parsed
/// (`src/yaml/prescan.rs`); with `SALINT_PARSE_EVERYTHING=1` every byte goes through the
/// parser. The reports must be the same bytes: over every test input, and over CRDs with a
/// syntax error, a key set twice, a definition repeated and a List among them (and the
/// error and the `duplicate-object` finding are there; `duplicate-key` reports only the
/// kinds rules read, see src/model/document.rs's tests for the key found in a CRD).
#[test]
fn skipping_unread_documents_changes_no_report() {
    let crd = |name: &str, extra: &str| {
        format!(
            "# Source: c/templates/crd.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {name}\nspec:\n  group: example.com\n  names:\n    kind: Widget\n{extra}  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        description: 'A widget,\n          of sorts.'\n        type: object\n"
        )
    };
    let bundle = format!(
        "---\n{}---\n{}---\n{}---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {{name: a, namespace: x}}\n",
        crd("a.example.com", ""),
        crd("a.example.com", ""),
        crd("b.example.com", "    plural: widgets\n    plural: gadgets\n"),
    );
    let broken = format!(
        "{}---\n{}",
        crd("c.example.com", ""),
        crd("d.example.com", "  scope: x: y\n")
    );
    let dir = dir_with(&[
        ("bundle.yaml", bundle.as_bytes()),
        ("broken.yaml", broken.as_bytes()),
    ]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs: [(&Path, &[&str]); 4] = [
        (dir.path(), &["check", "--format", "json", "."]),
        (
            dir.path(),
            &["check", "--format", "human", "--color", "never", "."],
        ),
        (
            root,
            &["check", "--format", "json", "--render", "never", "testdata"],
        ),
        (root, &["check", "--format", "sarif", "testdata/repos"]),
    ];
    for (at, args) in runs {
        let skipping = common::salint_in(at).args(args).output().unwrap();
        let whole = common::salint_in(at)
            .env("SALINT_PARSE_EVERYTHING", "1")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(skipping.status.code(), whole.status.code(), "{args:?}");
        assert!(skipping.stdout == whole.stdout, "{args:?}: stdout differs");
        assert!(skipping.stderr == whole.stderr, "{args:?}: stderr differs");
        if at == dir.path() && args[2] == "json" {
            let report = String::from_utf8_lossy(&skipping.stdout);
            // The error in the second CRD of broken.yaml, at its line (27).
            for expected in ["duplicate-object", "YAML parse error", "\"line\": 27,"] {
                assert!(report.contains(expected), "{expected}: {report}");
            }
        }
    }
}
