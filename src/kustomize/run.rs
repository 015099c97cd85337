//! Running the real Kustomize on a root: `kustomize build` or `kubectl kustomize`, found on
//! PATH, or the command the configuration names.
//!
//! Each root is built through a wrapper kustomization in a temporary folder that lists the
//! root as its one resource and turns on Kustomize's origin annotations
//! (`buildMetadata: [originAnnotations]`), so every rendered object says which file it came
//! from, and the user's files are never touched. Kustomize runs without plugins (neither
//! `--enable-alpha-plugins` nor `--enable-exec` nor `--enable-helm` is passed), with a time
//! limit, and with the network closed to it: its HTTP proxy points at a closed port and git
//! may use only local repositories, so a remote base is an error, never a download.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::plan::{Edit, Mirror};

pub use crate::config::{RenderMode, DEFAULT_RENDER_TIMEOUT as DEFAULT_TIMEOUT};

/// A program that renders a kustomization folder given as its last argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renderer {
    pub argv: Vec<String>,
}

impl Renderer {
    /// The renderer `mode` names, `Ok(None)` when rendering is off or no Kustomize is on
    /// PATH, and an error when a configured command cannot be found.
    pub fn find(mode: &RenderMode) -> Result<Option<Renderer>, String> {
        match mode {
            RenderMode::Never => Ok(None),
            RenderMode::Auto => {
                if let Ok(path) = which::which("kustomize") {
                    return Ok(Some(Renderer {
                        argv: vec![path.to_string_lossy().to_string(), "build".to_string()],
                    }));
                }
                Ok(which::which("kubectl").ok().map(|path| Renderer {
                    argv: vec![path.to_string_lossy().to_string(), "kustomize".to_string()],
                }))
            }
            RenderMode::Command(argv) => {
                let program = argv
                    .first()
                    .ok_or_else(|| "render.kustomize: the command is empty".to_string())?;
                let path = which::which(program).map_err(|_| {
                    format!("render.kustomize: `{program}` is not a program on PATH")
                })?;
                let mut argv = argv.clone();
                argv[0] = path.to_string_lossy().to_string();
                Ok(Some(Renderer { argv }))
            }
        }
    }

    /// How users would write it: `kubectl kustomize`.
    pub fn describe(&self) -> String {
        let mut words = self.argv.clone();
        if let Some(program) = words.first_mut() {
            if let Some(name) = Path::new(program.as_str()).file_name() {
                *program = name.to_string_lossy().to_string();
            }
        }
        words.join(" ")
    }

    /// Renders the kustomization in `root` (absolute), returning Kustomize's output and the
    /// folder its origin paths are relative to, or Kustomize's own error message. With a
    /// `mirror` (the root has remote resources) the mirror's copies are rendered instead,
    /// without them.
    pub fn render(
        &self,
        root: &Path,
        mirror: Option<&Mirror>,
        timeout: Duration,
        max_bytes: u64,
    ) -> Result<Rendered, String> {
        let wrapper = tempfile::Builder::new()
            .prefix("salint-kustomize-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        let wrapper_dir = super::plan::canonical(wrapper.path());
        let unreachable = |path: &Path| {
            format!(
                "cannot reach {} from the temporary folder {}",
                path.display(),
                wrapper_dir.display()
            )
        };
        let mut aliases = Vec::new();
        let resource = match mirror {
            None => relative_path(&wrapper_dir, root).ok_or_else(|| unreachable(root))?,
            Some(mirror) => {
                aliases = write_mirror(&wrapper_dir, mirror).map_err(|e| {
                    format!("cannot write the kustomizations without remote resources: {e}")
                })?;
                PathBuf::from(format!("k{}", mirror.root))
            }
        };
        let text = format!(
            "# Written by salint to render {} with origin annotations.\nresources:\n- {}\nbuildMetadata: [originAnnotations]\n",
            root.display(),
            serde_json::to_string(&resource.to_string_lossy()).unwrap_or_default()
        );
        std::fs::write(wrapper_dir.join("kustomization.yaml"), text)
            .map_err(|e| format!("cannot write the wrapper kustomization: {e}"))?;
        let (program, args) = self.argv.split_first().expect("a renderer has a program");
        let mut command = Command::new(program);
        command.args(args);
        if mirror.is_some() {
            // The copies refer to the repository's files where they are.
            command.arg("--load-restrictor=LoadRestrictionsNone");
        }
        command
            .arg(&wrapper_dir)
            .current_dir(&wrapper_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        crate::process::close_network(&mut command);
        let output = crate::process::run_bounded("Kustomize", command, timeout, max_bytes)?;
        match output {
            crate::process::Finished {
                success: true,
                stdout,
                ..
            } => Ok(Rendered {
                text: stdout,
                origin_base: wrapper_dir,
                aliases,
            }),
            crate::process::Finished { stderr, .. } => {
                // Kustomize names the root and the copies by their temporary folders.
                let through = match mirror {
                    Some(_) => wrapper_dir.join(&resource),
                    None => root.to_path_buf(),
                };
                let mut names = vec![(through, root.to_path_buf())];
                for (copy, original) in &aliases {
                    if let (Some(copy), Some(original)) = (copy.parent(), original.parent()) {
                        names.push((copy.to_path_buf(), original.to_path_buf()));
                    }
                }
                let message = user_paths(&clean_message(&stderr), root, &resource, &names);
                Err(match mirror {
                    // The copies (folders `k0`, `k1`, ... of the temporary folder) write
                    // their references relative to themselves.
                    Some(_) => copies_relative(&message, &wrapper_dir.join("k0"), &names),
                    None => message,
                })
            }
        }
    }
}

/// Kustomize's message as the user's: without the wrapper kustomization's layer (it names
/// the root through the temporary folder), with the temporary copies named as the
/// kustomizations they copy, and with paths as salint shows them.
fn user_paths(message: &str, root: &Path, resource: &Path, names: &[(PathBuf, PathBuf)]) -> String {
    let mut message = message.to_string();
    if let Some((through, _)) = names.first() {
        let layer = format!(
            "recursed accumulation of path '{}': ",
            through.to_string_lossy()
        );
        if let Some(at) = message.find(&layer) {
            message = message[at + layer.len()..].to_string();
        }
    }
    for (temporary, real) in names {
        message = message.replace(
            &*temporary.to_string_lossy(),
            &crate::discover::display_path(real),
        );
    }
    message = message.replace(
        &format!("'{}'", resource.to_string_lossy()),
        &format!("'{}'", crate::discover::display_path(root)),
    );
    // Absolute paths below the working folder, as display paths (where a path starts).
    if let Ok(cwd) = std::env::current_dir() {
        let cwd = super::plan::canonical(&cwd);
        for before in ["'", " ", "("] {
            message = message.replace(&format!("{before}{}/", cwd.to_string_lossy()), before);
        }
    }
    message
}

/// Quoted paths relative to a copy (`'../k1'`, `'../../../repo/base'`) as the user's. A
/// relative path that names no copy is left as written: it comes from one of the user's
/// own kustomizations (which the copies refer to where they are), relative to its folder.
fn copies_relative(message: &str, copy_dir: &Path, names: &[(PathBuf, PathBuf)]) -> String {
    let relative = regex::Regex::new(r"'((?:\.\./)+[^']*)'").expect("a valid pattern");
    let outside = copy_dir.parent().map(|wrapper| wrapper.to_path_buf());
    relative
        .replace_all(message, |captures: &regex::Captures| {
            let path = super::file::normalize(&copy_dir.join(&captures[1]));
            match names.iter().find(|(temporary, _)| *temporary == path) {
                Some((_, real)) => format!("'{}'", crate::discover::display_path(real)),
                None if outside
                    .as_ref()
                    .is_some_and(|wrapper| !path.starts_with(wrapper)) =>
                {
                    format!("'{}'", crate::discover::display_path(&path))
                }
                None => captures[0].to_string(),
            }
        })
        .into_owned()
}

/// Kustomize's output for a root.
#[derive(Debug)]
pub struct Rendered {
    pub text: String,
    /// The folder the `config.kubernetes.io/origin` paths are relative to.
    pub origin_base: PathBuf,
    /// Copied kustomization files (rendered without remote resources) and the repository
    /// files they copy: generated objects name the copy.
    pub aliases: Vec<(PathBuf, PathBuf)>,
}

/// Writes a mirror's copies into the wrapper's folder (`k0`, `k1`, ..., and the empty
/// kustomizations that stand for remote resources); returns each copy's file and the file
/// it copies.
fn write_mirror(dir: &Path, mirror: &Mirror) -> std::io::Result<Vec<(PathBuf, PathBuf)>> {
    for (name, text) in [
        ("empty", "resources: []\n"),
        (
            "empty-component",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        ),
    ] {
        std::fs::create_dir_all(dir.join(name))?;
        std::fs::write(dir.join(name).join("kustomization.yaml"), text)?;
    }
    let mut aliases = Vec::new();
    for (i, copy) in mirror.copies.iter().enumerate() {
        let copy_dir = dir.join(format!("k{i}"));
        std::fs::create_dir_all(&copy_dir)?;
        let mut edits = copy.edits.clone();
        edits.sort_by_key(|(span, _, _)| std::cmp::Reverse(span.start));
        let mut text = copy.text.clone();
        for (span, edit, prefix) in edits {
            let target = match edit {
                Edit::Empty { component: false } => PathBuf::from("../empty"),
                Edit::Empty { component: true } => PathBuf::from("../empty-component"),
                Edit::Copy(other) => PathBuf::from(format!("../k{other}")),
                Edit::Path(path) => relative_path(&copy_dir, &path).unwrap_or(path),
            };
            let written = format!("{prefix}{}", target.to_string_lossy());
            if span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
            {
                let quoted = serde_json::to_string(&written).unwrap_or_default();
                text.replace_range(span.start..span.end, &quoted);
            }
        }
        let file = copy_dir.join("kustomization.yaml");
        std::fs::write(&file, text)?;
        aliases.push((file, copy.original.clone()));
    }
    Ok(aliases)
}

/// Kustomize's message without the logging around it: kubectl prints
/// `E1201 ... run.go:72] "command failed" err="..."` (or `err=<` and an indented block),
/// kustomize `Error: ...`. Paths of the wrapper folder are not the user's business.
pub fn clean_message(stderr: &str) -> String {
    let mut message = stderr.trim().to_string();
    if let Some(at) = message.find(" err=\"") {
        let rest = &message[at + 6..];
        let end = rest.rfind('"').unwrap_or(rest.len());
        message = rest[..end].replace("\\\"", "\"").replace("\\n", " ");
    } else if let Some(at) = message.find(" err=<") {
        let rest = &message[at + 6..];
        let end = rest.rfind('>').unwrap_or(rest.len());
        message = rest[..end]
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("# Warning:"))
        .collect();
    let message = lines.join(" ");
    let message = message
        .strip_prefix("Error: ")
        .unwrap_or(&message)
        .to_string();
    if message.is_empty() {
        "Kustomize failed without a message".to_string()
    } else {
        message
    }
}

/// `to` written relative to `from` (both absolute): `../../repo/overlays/prod`.
pub fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    if from.first() != to.first() {
        return None; // another drive
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for component in &to[common..] {
        relative.push(component.as_os_str());
    }
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    Some(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/tmp/w"), Path::new("/repo/a/b")),
            Some(PathBuf::from("../../repo/a/b"))
        );
        assert_eq!(
            relative_path(Path::new("/repo"), Path::new("/repo/a")),
            Some(PathBuf::from("a"))
        );
    }

    /// Relative paths in Kustomize's message are resolved against the copies only when they
    /// name a copy or leave the temporary folder; a path from one of the user's own
    /// kustomizations (the copies refer to them where they are) stays as the user wrote it.
    #[test]
    fn relative_paths_in_messages_name_copies_or_stay_as_written() {
        let wrapper = Path::new("/tmp/salint-kustomize-x");
        let names = vec![(wrapper.join("k1"), PathBuf::from("/repo/base"))];
        let message = "from '../k1': x; from '../generic': y; from '../../../repo/other': z";
        assert_eq!(
            copies_relative(message, &wrapper.join("k0"), &names),
            "from '/repo/base': x; from '../generic': y; from '/repo/other': z"
        );
    }

    #[test]
    fn cleans_kustomize_messages() {
        let kubectl = "E1201 22:11:37.511595    6648 run.go:72] \"command failed\" err=\"accumulating resources: 'missing.yaml': no such file or directory\"\n";
        assert_eq!(
            clean_message(kubectl),
            "accumulating resources: 'missing.yaml': no such file or directory"
        );
        let block = "E1201 run.go:72] \"command failed\" err=<\n\tfirst line\n\tsecond\n >\n";
        assert_eq!(clean_message(block), "first line second");
        assert_eq!(
            clean_message("Error: no kustomization\n"),
            "no kustomization"
        );
    }
}
