//! Collectors beyond the metric families: metrics whose value comes from a callback.

mod callback;
pub mod process;

pub use callback::CallbackMetric;
