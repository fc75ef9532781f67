//! Collectors beyond the metric families: metrics whose value comes from a callback, and any
//! collector seen through a wrapper (a prefix and added labels).

mod callback;
pub mod process;
pub mod wrapped;

pub use callback::CallbackMetric;
pub use wrapped::{Wrap, Wrapped};
