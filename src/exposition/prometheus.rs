//! Prometheus text format 0.0.4, as `prometheus/docs` (`exposition_formats.md`) specifies it and
//! client_golang writes it.
//!
//! The metadata lines name the series a type shows: a counter is announced as `name_total` and
//! an info metric as `name_info` (a gauge), since 0.0.4 has no `_total` or `_info` rules of its
//! own. Types 0.0.4 lacks become gauges (info, state set) or `untyped` (unknown). `_created`
//! samples and exemplars are left out, like client_golang does: 0.0.4 parsers would take a
//! `_created` line for a separate, untyped series.

use super::text::Dialect;
use crate::snapshot::{MetricFamily, MetricType, SampleStyle};
use crate::text::escape::push_help_text;
use crate::text::names::{Escaping, NameKind, push_name};
use crate::text::number::push_timestamp_ms;

/// The 0.0.4 rules for [`super::text::encode`].
pub(crate) struct Prometheus;

impl Dialect for Prometheus {
    const STYLE: SampleStyle = SampleStyle::Prometheus;
    const CREATED: bool = false;
    const EXEMPLARS: bool = false;

    /// `# HELP` then `# TYPE`, the order client_golang and the format's documentation use. The
    /// HELP line is written even for empty help (`# HELP name `), as client_golang does.
    fn push_metadata(out: &mut String, family: &MetricFamily, escaping: Escaping, _: bool) {
        let (suffix, kind) = match family.kind {
            MetricType::Counter => ("_total", "counter"),
            MetricType::Gauge => ("", "gauge"),
            MetricType::Histogram => ("", "histogram"),
            MetricType::Summary => ("", "summary"),
            MetricType::Info => ("_info", "gauge"),
            MetricType::StateSet => ("", "gauge"),
            MetricType::Unknown => ("", "untyped"),
        };
        let name = [&*family.name, suffix];
        out.push_str("# HELP ");
        push_name(out, NameKind::Metric, &name, escaping);
        out.push(' ');
        push_help_text(out, &family.help);
        out.push_str("\n# TYPE ");
        push_name(out, NameKind::Metric, &name, escaping);
        out.push(' ');
        out.push_str(kind);
        out.push('\n');
    }

    /// Integer milliseconds, the only timestamp 0.0.4 knows.
    fn push_timestamp(out: &mut String, seconds: f64) {
        push_timestamp_ms(out, seconds);
    }

    fn finish(_out: &mut String) {}
}
