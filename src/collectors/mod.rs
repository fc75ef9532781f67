//! Collectors beyond the metric families: metrics whose value comes from a callback, the process
//! collector, and the exporter's count of collectors that overran a scrape's deadline.

mod callback;
pub mod process;
pub mod timeout;

pub use callback::CallbackMetric;
