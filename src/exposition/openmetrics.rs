//! OpenMetrics 1.0 text format, as the OpenMetrics 1.0 specification defines it.
//!
//! Metadata uses the family name (`# TYPE requests counter`, samples `requests_total`), in the
//! order the spec's examples use: TYPE, UNIT (only when the family has a unit), HELP; or with
//! HELP first, as client_python and client_golang write it, in their style. Counters,
//! histograms and summaries show `_created` when they know it; counter totals and histogram
//! buckets carry their exemplars; timestamps are seconds; `# EOF` ends the exposition.
//!
//! One spec rule changes what is shown: a histogram with a negative bucket bound shows neither
//! `_sum` nor `_count` ("Negative threshold buckets MAY be used, but then the Histogram
//! MetricPoint MUST NOT contain a sum value", and `_count` appears "if and only if" the sum does).
//! The bounds never change, so those series never come and go. Negative sums and quantile values
//! that negative observations produce in histograms with non-negative bounds and in summaries are
//! written as they are: dropping them would make series appear and disappear with the data.

use super::text::Dialect;
use super::text::type_suffix;
use crate::snapshot::{MetricFamily, SampleStyle};
use crate::text::escape::push_help_openmetrics;
use crate::text::names::{Escaping, push_sample_name};
use crate::text::number::push_value;

/// The OpenMetrics rules for [`super::text::encode`].
pub(crate) struct OpenMetrics;

impl Dialect for OpenMetrics {
    const STYLE: SampleStyle = SampleStyle::OpenMetrics;
    const CREATED: bool = true;
    const EXEMPLARS: bool = true;

    /// The HELP line is written even for empty help (`# HELP name `): the spec treats an empty
    /// HELP like a missing one, and client_python writes it the same way.
    fn push_metadata(
        out: &mut String,
        family: &MetricFamily,
        escaping: Escaping,
        help_first: bool,
    ) {
        // A counter is `app_dot_requests_` under `dots`: its samples' name without `_total`.
        let push_family_name = |out: &mut String| {
            push_sample_name(out, &family.name, type_suffix(family.kind), "", escaping)
        };
        let push_help = |out: &mut String| {
            out.push_str("# HELP ");
            push_family_name(out);
            out.push(' ');
            push_help_openmetrics(out, &family.help);
            out.push('\n');
        };
        if help_first {
            push_help(out);
        }
        out.push_str("# TYPE ");
        push_family_name(out);
        out.push(' ');
        out.push_str(family.kind.as_str());
        out.push('\n');
        if let Some(unit) = family.unit.as_deref().filter(|unit| !unit.is_empty()) {
            out.push_str("# UNIT ");
            push_family_name(out);
            out.push(' ');
            out.push_str(unit);
            out.push('\n');
        }
        if !help_first {
            push_help(out);
        }
    }

    /// Seconds, in the shortest form that reads back exactly (`1520879607.789`).
    fn push_timestamp(out: &mut String, seconds: f64) {
        push_value(out, seconds);
    }

    fn finish(out: &mut String) {
        out.push_str("# EOF\n");
    }
}
