//! Running a renderer (Kustomize, Helm) as salint does: offline, within a time limit,
//! with its output bounded.

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

/// Closes the network to a renderer: HTTP goes to a closed port (9, discard), git may use
/// only local repositories and never asks for credentials.
pub fn close_network(command: &mut Command) {
    for key in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
        command.env(key, "http://127.0.0.1:9");
    }
    for key in ["NO_PROXY", "no_proxy"] {
        command.env_remove(key);
    }
    command
        .env("GIT_ALLOW_PROTOCOL", "file")
        .env("GIT_TERMINAL_PROMPT", "0");
}

/// How a renderer's run ended.
pub struct Finished {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` (`what` names it in messages: "Kustomize", "Helm"), killing it after
/// `timeout`; output beyond `max_bytes` is an error. Its output is read while it runs, so
/// a full pipe never stalls it.
pub fn run_bounded(
    what: &str,
    mut command: Command,
    timeout: Duration,
    max_bytes: u64,
) -> Result<Finished, String> {
    let mut child = command.spawn().map_err(|e| {
        format!(
            "cannot run {}: {e}",
            command.get_program().to_string_lossy()
        )
    })?;
    let reader = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(stream) = stream {
                let _ = stream.take(max_bytes + 1).read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{what} did not finish within {} seconds",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for {what}: {e}")),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if stdout.len() as u64 > max_bytes {
        return Err(format!(
            "{what}'s output is larger than the --max-file-size limit of {}",
            crate::size::human_size(max_bytes)
        ));
    }
    Ok(Finished {
        success: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// Runs git in `dir` as `check --context` asks it what a file was at `HEAD`: with the
/// network closed as for a renderer, no prompt, no standard input, within 30 seconds and
/// `max_bytes` of output; None when it cannot run.
pub fn git(args: &[&str], dir: &std::path::Path, max_bytes: u64) -> Option<Finished> {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    close_network(&mut command);
    run_bounded("git", command, Duration::from_secs(30), max_bytes).ok()
}
