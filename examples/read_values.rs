//! Prints what salint read of every object of the files named on standard input (one path a
//! line), as JSON lines (`salint::testing::read_values`), for `scripts/yaml-acceptance`.
//! Each file is decoded and parsed as `salint check` parses it; the trees are those before a
//! file without any object a rule reads lets go of them (it keeps their identity only).
//!
//! usage: find ... | cargo run --release --example read_values

use std::io::{BufRead, Write};

use rayon::prelude::*;

fn main() {
    let paths: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map(|line| line.expect("a path"))
        .collect();
    let dumps: Vec<String> = paths
        .par_iter()
        .map(|path| {
            let inputs = match std::fs::read(path) {
                Ok(bytes) => salint::testing::read_bytes(path.clone(), bytes),
                Err(error) => return format!("{{\"error\":{path:?},\"message\":\"{error}\"}}\n"),
            };
            salint::testing::read_values(&inputs)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for dump in dumps {
        out.write_all(dump.as_bytes()).expect("stdout");
    }
}
