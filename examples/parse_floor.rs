//! The floor salint's throughput is measured against: walk the folders, read every manifest
//! and run saphyr-parser over it, events only (no tree, no model, no rules), in parallel
//! over files with rayon, as salint's own input stage does. `scripts/bench` times this
//! process end to end, the same way it times `salint check`.
//!
//! ```sh
//! cargo run --release --example parse_floor -- PATH...
//! ```

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use saphyr_parser::Parser;

/// Every `*.yaml`, `*.yml` and `*.json` file under `path` (or `path` itself), skipping
/// hidden entries as salint does.
fn manifests(path: &Path, out: &mut Vec<PathBuf>) {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.len() > 1 && n != "..");
    if hidden {
        return;
    }
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            manifests(&entry.path(), out);
        }
    } else if path
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
    {
        out.push(path.to_path_buf());
    }
}

/// Reads and parses one file; returns (bytes, events). A parse error ends the file, as in
/// salint.
fn parse(path: &Path) -> (usize, usize) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (0, 0);
    };
    // Set as salint's loader sets it (`salint::yaml::parser`), so the floor parses the same.
    let events = Parser::new_from_str(&text)
        .lenient_quoted_indentation(true)
        .take_while(Result::is_ok)
        .count();
    (text.len(), events)
}

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        manifests(Path::new(&arg), &mut files);
    }
    let start = std::time::Instant::now();
    let (bytes, events) = files
        .par_iter()
        .map(|path| parse(path))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{} files, {bytes} bytes, {events} events in {seconds:.3} s: {:.1} MB/s",
        files.len(),
        bytes as f64 / 1e6 / seconds
    );
}
