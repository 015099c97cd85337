//! How the real renderers run, as `.salint.yaml`'s `render:` and `--render` say. The
//! renderers themselves (kustomize/, helm/) read these settings; configuration only holds
//! them, so it depends on neither.

use std::time::Duration;

/// How kustomizations or charts are rendered (`render.kustomize`, `render.helm`,
/// `--render`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RenderMode {
    /// The first renderer found on PATH (`kustomize build` or `kubectl kustomize`; `helm`).
    #[default]
    Auto,
    /// Not rendered: a kustomization's plain resources are linted as they are; a chart is
    /// skipped.
    Never,
    /// This command line, with the folder to build appended.
    Command(Vec<String>),
}

/// The default time limit of one rendering (`render.timeout-seconds`).
pub const DEFAULT_RENDER_TIMEOUT: Duration = Duration::from_secs(60);
