//! Checks, over every manifest under the paths given, that skipping the documents of kinds
//! no rule reads (the pre-scan of `src/yaml/prescan.rs`) reads exactly what parsing every
//! byte reads: the same objects (spans, identity, kept trees), duplicate keys and error.
//! Also says how much of the input the pre-scan took. Not a test: it reads
//! `../shared/corpus` or whatever it is given; tests compare the two over `testdata/`.
//!
//! ```sh
//! cargo run --release --example skip_compare -- ../shared/corpus
//! ```
//!
//! Exits 1 when any file reads differently (each such file is named).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use salint::testing::{objects_parsing_everything, objects_skipping_unread};

/// What one file gave: its bytes, the bytes the pre-scan left unscanned, whether it was
/// read as UTF-8 at all, and whether the two reads differ.
#[derive(Default, Clone, Copy)]
struct Tally {
    files: usize,
    bytes: usize,
    skipped: usize,
    not_utf8: usize,
    differ: usize,
}

fn compare(path: &Path) -> Tally {
    let Ok(bytes) = std::fs::read(path) else {
        return Tally::default();
    };
    let size = bytes.len();
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .map_or(bytes.clone(), <[u8]>::to_vec);
    let Ok(text) = String::from_utf8(bytes) else {
        return Tally {
            files: 1,
            bytes: size,
            not_utf8: 1,
            ..Tally::default()
        };
    };
    let whole = format!("{:?}", objects_parsing_everything(&text));
    let (skipping, skipped) = match objects_skipping_unread(&text) {
        Some((objects, error, skipped)) => (format!("{:?}", (objects, error)), skipped),
        None => (whole.clone(), 0),
    };
    let differ = usize::from(skipping != whole);
    if differ == 1 {
        // Where the two reads part, in their `Debug` text.
        let at = skipping
            .bytes()
            .zip(whole.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(skipping.len().min(whole.len()));
        let from = at.saturating_sub(300);
        println!(
            "DIFFERS: {}\n  skipping: ...{}\n  whole:    ...{}",
            path.display(),
            skipping
                .get(from..(at + 200).min(skipping.len()))
                .unwrap_or(""),
            whole.get(from..(at + 200).min(whole.len())).unwrap_or("")
        );
    }
    Tally {
        files: 1,
        bytes: size,
        skipped,
        not_utf8: 0,
        differ,
    }
}

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        // The files `salint check ARG` reads as manifests, found the way it finds them.
        let filter = salint::FileFilter::new(&[], &[]).expect("the default globs are valid");
        let these: Vec<PathBuf> = salint::discover(std::slice::from_ref(&arg), &filter)
            .inputs
            .into_iter()
            .filter_map(|source| match source {
                salint::InputSource::File(path) => Some(path),
                salint::InputSource::Stdin => None,
            })
            .collect();
        let tally = these
            .par_iter()
            .map(|p| compare(p))
            .reduce(Tally::default, |a, b| Tally {
                files: a.files + b.files,
                bytes: a.bytes + b.bytes,
                skipped: a.skipped + b.skipped,
                not_utf8: a.not_utf8 + b.not_utf8,
                differ: a.differ + b.differ,
            });
        println!(
            "{arg}: {} files, {:.1} MB; left unscanned {:.1} MB ({:.1}% of the bytes); {} not UTF-8 (not compared); {} differ",
            tally.files,
            tally.bytes as f64 / 1e6,
            tally.skipped as f64 / 1e6,
            100.0 * tally.skipped as f64 / tally.bytes.max(1) as f64,
            tally.not_utf8,
            tally.differ
        );
        if tally.differ > 0 {
            std::process::exit(1);
        }
        files.extend(these);
    }
}
