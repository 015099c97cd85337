//! Helm charts: each chart in the repository rendered by the real Helm, once per set of
//! values, each rendering judged as its own cluster, and every finding located at the
//! template line that produces the field.
//!
//! salint never reads a template as YAML and never guesses Helm's output: [`chart`] knows
//! which files belong to a chart and which renderings to make, [`run`] runs `helm
//! template` (or the command `render.helm` names), and [`locate`] maps Helm's output back to
//! the templates through [`template`]'s outline of each template.

pub mod chart;
pub mod locate;
pub mod run;
pub mod template;

pub use chart::Chart;
pub use locate::{ChartRendering, Charts};
pub use run::{HelmRenderer, Release};
