//! A fuzzer on the stable toolchain, with the same entry points as the cargo-fuzz targets
//! in `fuzz/`:
//! - `loader`, `pipeline` (the cargo-fuzz targets of those names) and `mutate` (both):
//!   mutations of every manifest under `testdata/`;
//! - `manifests`: the structure-aware generator `fuzz/manifest_set.rs` (the same file the
//!   cargo-fuzz target `manifests` uses), fed with random bytes, through
//!   `salint::fuzz::manifest_set`.
//!
//! Each runs for a bounded time. A panic or an input slower than the time limit (2 s, and
//! 1 s more per MB of input) is saved under `fuzz/artifacts/` and reported; the exit code
//! is 1 then.
//!
//! usage: cargo run --release --example fuzz -- [SECONDS] [SEED] [loader|pipeline|mutate|manifests]
//! (default 60 s, seed 1, mutate)
//!
//! `cargo run --release --example fuzz -- replay ARTIFACT...` runs saved inputs again (a
//! `.txt` through `manifests`, anything else through `mutate`) and prints the time each
//! took, to reproduce and profile a failure.

#[path = "../fuzz/manifest_set.rs"]
mod manifest_set;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Tokens that steer mutations toward interesting YAML.
const TOKENS: &[&[u8]] = &[
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"- ",
    b": ",
    b"\n",
    b"\r\n",
    b"\t",
    b"---\n",
    b"...\n",
    b"!!str ",
    b"!!binary ",
    b"\"",
    b"'",
    b"|\n",
    b">-\n",
    b"? ",
    b"#",
    b"\xef\xbb\xbf",
    b"\x00",
    b"\xff\xfe",
    b"kind: List\nitems:\n",
    b"apiVersion: v1\n",
    b"kind: ServiceAccount\n",
    b"serviceAccountName: ",
    b"automountServiceAccountToken: no\n",
    b"# salint: ignore[all] x\n",
    b"# Source: c/templates/x.yaml\n",
    b"subjects: ",
    b"roleRef: ",
    b"rules: ",
    b"verbs: [\"*\"]",
    b"aggregationRule:\n",
    b"\xc3\xa9",
    b"\xf0\x9f\x98\x80",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn seeds(root: &Path) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) && !path.ends_with("sarif-schema-2.1.0.json")
            {
                if let Ok(bytes) = std::fs::read(&path) {
                    found.push(bytes);
                }
            }
        }
    }
    found
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(8) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                input.drain(start..end);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256)).min(len);
                let chunk: Vec<u8> = input[start..end].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(512)).min(other.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[start..end].iter().copied());
                }
            }
            5 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            _ => {
                // Repeat a line: deep nesting and long documents.
                if let Some(line_end) = input.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = input[..=line_end].to_vec();
                    for _ in 0..rng.below(16) {
                        input.splice(0..0, line.iter().copied());
                    }
                }
            }
        }
    }
    input.truncate(1 << 20);
}

/// The files of a saved `manifests` artifact: each starts at a `# file: NAME` line.
fn artifact_files(saved: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in saved.split_inclusive('\n') {
        match line.strip_prefix("# file: ") {
            Some(name) => files.push((name.trim_end().to_string(), String::new())),
            None => match files.last_mut() {
                Some((_, text)) => text.push_str(line),
                None => files.push(("set-0.yaml".to_string(), line.to_string())),
            },
        }
    }
    for (_, text) in &mut files {
        // Saving added a line break after each file.
        text.pop();
    }
    files
}

fn replay(paths: &[String]) {
    for path in paths {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let started = Instant::now();
        if path.ends_with(".txt") {
            salint::fuzz::manifest_set(&artifact_files(&String::from_utf8_lossy(&bytes)));
        } else {
            salint::fuzz::loader(&bytes);
            salint::fuzz::pipeline(&bytes);
        }
        println!("{path}: {} bytes, {:?}", bytes.len(), started.elapsed());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("replay") {
        replay(&args[1..]);
        return;
    }
    let mut args = args.into_iter();
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let target = args.next().unwrap_or_else(|| "mutate".to_string());
    assert!(
        ["loader", "pipeline", "mutate", "manifests"].contains(&target.as_str()),
        "unknown target `{target}`: loader, pipeline, mutate or manifests"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = seeds(&root.join("testdata"));
    assert!(!corpus.is_empty(), "no seeds under testdata/");
    let artifacts = root.join("fuzz/artifacts");
    // A panic is caught and saved; keep stderr readable.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed.max(1));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut runs, mut failures) = (0u64, 0u64);
    let (mut slowest, mut slowest_bytes) = (Duration::ZERO, 0usize);
    let (mut bytes_generated, mut largest) = (0usize, 0usize);
    while Instant::now() < deadline {
        // What to save when it fails, and the run itself.
        let (input, extension, outcome, took) = match target.as_str() {
            "manifests" => {
                let mut raw = vec![0u8; 64 + rng.below(4096)];
                raw.iter_mut().for_each(|b| *b = rng.next() as u8);
                let Ok(set) =
                    arbitrary::Arbitrary::arbitrary(&mut arbitrary::Unstructured::new(&raw))
                else {
                    continue;
                };
                let set: manifest_set::ManifestSet = set;
                let size: usize = set.files.iter().map(|(_, text)| text.len()).sum();
                bytes_generated += size;
                largest = largest.max(size);
                let started = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    salint::fuzz::manifest_set(&set.files);
                }));
                let mut saved = Vec::new();
                for (name, text) in &set.files {
                    saved.extend_from_slice(format!("# file: {name}\n").as_bytes());
                    saved.extend_from_slice(text.as_bytes());
                    saved.push(b'\n');
                }
                (saved, "txt", outcome, started.elapsed())
            }
            _ => {
                let mut input = corpus[rng.below(corpus.len())].clone();
                mutate(&mut rng, &mut input, &corpus);
                let started = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    if target != "pipeline" {
                        salint::fuzz::loader(&input);
                    }
                    if target != "loader" {
                        salint::fuzz::pipeline(&input);
                    }
                }));
                (input, "yaml", outcome, started.elapsed())
            }
        };
        if took > slowest {
            (slowest, slowest_bytes) = (took, input.len());
        }
        runs += 1;
        let problem = match outcome {
            Err(_) => Some("panic"),
            Ok(()) if took > time_limit(input.len()) => Some("slow"),
            Ok(()) => None,
        };
        if let Some(kind) = problem {
            failures += 1;
            std::fs::create_dir_all(&artifacts).expect("fuzz/artifacts");
            let name = format!("{kind}-{:016x}.{extension}", fnv(&input));
            std::fs::write(artifacts.join(&name), &input).expect("write artifact");
            eprintln!(
                "{kind}: saved fuzz/artifacts/{name} ({} bytes, {took:?})",
                input.len()
            );
        }
    }
    let generated = if target == "manifests" {
        format!(
            ", {:.1} MB generated, largest set {:.1} MB",
            bytes_generated as f64 / 1e6,
            largest as f64 / 1e6
        )
    } else {
        String::new()
    };
    println!(
        "fuzz {target}: {runs} inputs in {seconds} s (seed {seed}), {failures} failures, slowest {slowest:?} ({slowest_bytes} bytes){generated}"
    );
    std::process::exit(i32::from(failures > 0));
}

/// How long one input may take before it is saved as slow: 2 s, and 1 s more per MB. The
/// entry points must be linear in their input (a generated megabyte takes 0.3 to 1.5 s
/// through every format in a release build), so this flags what grows faster than its
/// input, not what is merely big.
fn time_limit(input_bytes: usize) -> Duration {
    Duration::from_secs(2) + Duration::from_secs_f64(input_bytes as f64 / 1e6)
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
