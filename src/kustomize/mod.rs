//! Kustomize: a repository's overlays judged as what reaches a cluster.
//!
//! salint never guesses Kustomize's output. It reads each kustomization file only to know
//! which folders are *roots* (what `kubectl kustomize DIR` is run on), which files are
//! consumed (resources, patches, components, generator inputs: not judged on their own)
//! and where a rendered field was written; the real Kustomize renders each root
//! ([`run`]), and every finding on a rendered object is located in the repository file
//! that wrote the field ([`locate`]).

pub mod file;
pub mod locate;
pub mod patch;
pub mod plan;
pub mod run;

pub use locate::{Relocated, Renderings, RootRendering};
pub use plan::Plan;
pub use run::{RenderMode, Renderer, DEFAULT_TIMEOUT};
