//! Collectors beyond the metric families: metrics whose value comes from a callback, the process
//! collector, the exporter's count of collectors that overran a scrape's deadline, and any
//! collector seen through a wrapper (a prefix and added labels).

mod callback;
pub mod process;
pub mod timeout;
pub mod wrapped;

pub use callback::CallbackMetric;
pub use wrapped::{Wrap, Wrapped};
