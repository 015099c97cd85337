//! Running the real Helm on a chart: `helm template`, found on PATH, or the command
//! `render.helm` names (a program that takes `helm`'s arguments). Offline: no repository
//! update, no `--dependency-update` (a missing dependency is reported before Helm runs),
//! the network closed to it, and within a time limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::kustomize::RenderMode;

/// A program that takes `helm`'s arguments (`template NAME CHART --namespace NS --values
/// FILE ...`) and prints what `helm template` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmRenderer {
    pub argv: Vec<String>,
}

/// What to render: a chart, with a release name, a namespace and values files.
pub struct Release<'r> {
    pub chart_dir: &'r Path,
    pub name: &'r str,
    pub namespace: Option<&'r str>,
    /// Values files, absolute, in order (the later wins).
    pub values: &'r [PathBuf],
}

impl HelmRenderer {
    /// The renderer `mode` names; `Ok(None)` when rendering is off or Helm is not on PATH.
    pub fn find(mode: &RenderMode) -> Result<Option<HelmRenderer>, String> {
        match mode {
            RenderMode::Never => Ok(None),
            RenderMode::Auto => Ok(which::which("helm").ok().map(|path| HelmRenderer {
                argv: vec![path.to_string_lossy().to_string()],
            })),
            RenderMode::Command(argv) => {
                let program = argv
                    .first()
                    .ok_or_else(|| "render.helm: the command is empty".to_string())?;
                let path = which::which(program)
                    .map_err(|_| format!("render.helm: `{program}` is not a program on PATH"))?;
                let mut argv = argv.clone();
                argv[0] = path.to_string_lossy().to_string();
                Ok(Some(HelmRenderer { argv }))
            }
        }
    }

    /// `helm template` of one release: its output, or Helm's own error message.
    pub fn render(
        &self,
        release: &Release,
        timeout: Duration,
        max_bytes: u64,
    ) -> Result<String, String> {
        let (program, args) = self.argv.split_first().expect("a renderer has a program");
        let mut command = Command::new(program);
        command
            .args(args)
            .arg("template")
            .arg(release.name)
            .arg(release.chart_dir);
        if let Some(namespace) = release.namespace {
            command.arg("--namespace").arg(namespace);
        }
        for values in release.values {
            command.arg("--values").arg(values);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        crate::process::close_network(&mut command);
        let finished = crate::process::run_bounded("Helm", command, timeout, max_bytes)?;
        if finished.success {
            return Ok(finished.stdout);
        }
        let message: Vec<&str> = finished
            .stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let message = message.join(" ");
        let message = message.strip_prefix("Error: ").unwrap_or(&message);
        Err(if message.is_empty() {
            "Helm failed without a message".to_string()
        } else {
            message.to_string()
        })
    }
}
