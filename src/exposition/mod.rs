//! The text exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.

pub mod escape;
pub mod number;
