//! Helpers the integration tests share: scratch repositories and the binary under test.
#![allow(dead_code)] // each test crate uses a part

pub mod lsp;

use std::path::Path;
use std::process::Command;

use insta_cmd::get_cargo_bin;

/// A scratch repository: a temporary folder with `.git` (so the config search stops
/// there) and the given files, created with their folders.
pub fn scratch_repo<T: AsRef<[u8]>>(files: &[(&str, T)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The salint binary, run in `dir` with a fixed thread count and colour left to the flags.
pub fn salint_in(dir: &Path) -> Command {
    let mut command = Command::new(get_cargo_bin("salint"));
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("RAYON_NUM_THREADS", "2");
    command
}
