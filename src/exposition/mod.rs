//! The text exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.

pub mod escape;
pub mod number;

use crate::snapshot::MetricFamily;

/// `Content-Type` of Prometheus text format 0.0.4.
pub const CONTENT_TYPE_PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of OpenMetrics 1.0.0 text.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A text exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text format.
    OpenMetrics,
}

impl Format {
    /// The exact `Content-Type` this format prescribes.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => CONTENT_TYPE_PROMETHEUS,
            Format::OpenMetrics => CONTENT_TYPE_OPENMETRICS,
        }
    }
}

/// Renders families in `format` (placeholder until the encoders land).
pub fn encode(families: &[MetricFamily], format: Format) -> String {
    let mut out = String::new();
    encode_into(families, format, &mut out);
    out
}

/// Appends the rendering of `families` in `format` to `out`.
pub fn encode_into(_families: &[MetricFamily], format: Format, out: &mut String) {
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
}
