//! OpenMetrics 2.0 text (2.0.0-rc, experimental), served only to scrapers that ask for
//! `version=2.0.0`.
//!
//! What changes from 1.0 for an exposer:
//! - a family is named after its samples: `# TYPE requests_total counter`, `requests_total 3`,
//!   and `# TYPE build_info info`;
//! - histograms and summaries are one sample each, with a composite value:
//!   `{count:3,sum:1.5,bucket:[0.1:1,1.0:2,+Inf:3]}` for classic buckets,
//!   `{count:3,sum:1.5,schema:3,zero_threshold:1e-128,zero_count:0,positive_spans:[0:2],positive_buckets:[1,2]}`
//!   for native ones (both kinds in one value when a histogram has both, classic last), and
//!   `{count:3,sum:1.5,quantile:[0.5:0.2,0.9:0.8]}`; counts are integers;
//! - `_created` samples are gone: the start time follows the value (and its timestamp) as
//!   `st@<seconds>` on counters, histograms and summaries;
//! - a sample may carry several exemplars, each with a timestamp: exemplars without one are
//!   left out. A native histogram shows its native exemplars, or its classic ones when it has
//!   those too (the spec prefers the classic set);
//! - `_count` and `_sum` are always there, negative bucket bounds or not.

use super::text::{labels_text, push_labels};
use crate::collector::LiveFamily;
use crate::snapshot::{Exemplar, LabelSet, MetricFamily, MetricType, NativeBuckets, PointValue};
use crate::text::escape::{push_help_openmetrics, push_label_value};
use crate::text::names::{Escaping, NameKind, name_inside_braces};
use crate::text::number::{push_bound, push_u64, push_value};

/// `Content-Type` of OpenMetrics 2.0.0 text.
pub const CONTENT_TYPE_OPENMETRICS_2: &str =
    "application/openmetrics-text; version=2.0.0; charset=utf-8";

/// Appends one collected family.
pub(crate) fn push_family(out: &mut String, family: &MetricFamily, escaping: Escaping) {
    push_metadata(out, family, escaping);
    let opening = Opening::new(family, escaping);
    for point in &family.points {
        push_point(
            out,
            family,
            &opening,
            escaping,
            &point.labels,
            &point.value,
            point.timestamp,
        );
    }
}

/// Appends one family read in place.
pub(crate) fn push_live(
    out: &mut String,
    header: &MetricFamily,
    live: &dyn LiveFamily,
    escaping: Escaping,
) {
    push_metadata(out, header, escaping);
    let opening = Opening::new(header, escaping);
    live.visit_points(&mut |labels, value| {
        push_point(out, header, &opening, escaping, labels, value, None)
    });
}

pub(crate) fn finish(out: &mut String) {
    out.push_str("# EOF\n");
}

/// The suffix that makes a family's name its samples' name.
fn suffix(kind: MetricType) -> &'static str {
    match kind {
        MetricType::Counter => "_total",
        MetricType::Info => "_info",
        _ => "",
    }
}

fn push_name(out: &mut String, family: &MetricFamily, escaping: Escaping) {
    let parts = [&*family.name, suffix(family.kind)];
    crate::text::names::push_name(out, NameKind::Metric, &parts, escaping);
}

/// TYPE, UNIT (when there is one), HELP (even when empty: `# HELP name `).
fn push_metadata(out: &mut String, family: &MetricFamily, escaping: Escaping) {
    out.push_str("# TYPE ");
    push_name(out, family, escaping);
    out.push(' ');
    out.push_str(family.kind.as_str());
    out.push('\n');
    if let Some(unit) = family.unit.as_deref().filter(|unit| !unit.is_empty()) {
        out.push_str("# UNIT ");
        push_name(out, family, escaping);
        out.push(' ');
        out.push_str(unit);
        out.push('\n');
    }
    out.push_str("# HELP ");
    push_name(out, family, escaping);
    out.push(' ');
    push_help_openmetrics(out, &family.help);
    out.push('\n');
}

/// How a family's sample lines start, written once per family.
struct Opening {
    /// Before the labels: `name{`, or `{"name",` for a quoted name.
    open: String,
    /// The whole series when there are no labels: `name`, or `{"name"}`.
    bare: String,
}

impl Opening {
    fn new(family: &MetricFamily, escaping: Escaping) -> Self {
        let mut name = String::new();
        push_name(&mut name, family, escaping);
        if name_inside_braces(&[&family.name, suffix(family.kind)], escaping) {
            Opening {
                open: format!("{{{name},"),
                bare: format!("{{{name}}}"),
            }
        } else {
            Opening {
                open: format!("{name}{{"),
                bare: name,
            }
        }
    }
}

/// `name{labels,extra} `, or `{"name",labels,extra} ` for a quoted name.
fn push_series(out: &mut String, opening: &Opening, labels: &str, extra: &str) {
    if labels.is_empty() && extra.is_empty() {
        out.push_str(&opening.bare);
    } else {
        out.push_str(&opening.open);
        out.push_str(labels);
        if !labels.is_empty() && !extra.is_empty() {
            out.push(',');
        }
        out.push_str(extra);
        out.push('}');
    }
    out.push(' ');
}

fn push_point(
    out: &mut String,
    family: &MetricFamily,
    opening: &Opening,
    escaping: Escaping,
    labels: &LabelSet,
    value: &PointValue,
    timestamp: Option<f64>,
) {
    let timestamp = timestamp.filter(|t| t.is_finite());
    let rendered = &*labels_text(labels, escaping);
    match value {
        PointValue::Counter {
            value,
            created,
            exemplar,
        } => {
            push_series(out, opening, rendered, "");
            push_value(out, *value);
            end_line(out, escaping, timestamp, *created, exemplar.iter());
        }
        PointValue::Gauge { value } | PointValue::Unknown { value } => {
            push_series(out, opening, rendered, "");
            push_value(out, *value);
            end_line(out, escaping, timestamp, None, std::iter::empty());
        }
        PointValue::Info { info } => {
            push_series(out, opening, rendered, &labels_text(info, escaping));
            out.push('1');
            end_line(out, escaping, timestamp, None, std::iter::empty());
        }
        PointValue::StateSet { states, active } => {
            let mut extra = String::new();
            for (state, on) in states.iter().zip(active) {
                extra.clear();
                crate::text::names::push_name(
                    &mut extra,
                    NameKind::Label,
                    &[&family.name],
                    escaping,
                );
                extra.push_str("=\"");
                push_label_value(&mut extra, state);
                extra.push('"');
                push_series(out, opening, rendered, &extra);
                out.push(if *on { '1' } else { '0' });
                end_line(out, escaping, timestamp, None, std::iter::empty());
            }
        }
        PointValue::Summary {
            quantiles,
            sum,
            count,
            created,
        } => {
            push_composite_start(out, opening, rendered, *count, *sum);
            out.push_str(",quantile:[");
            for (index, (quantile, value)) in quantiles.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                push_bound(out, *quantile);
                out.push(':');
                push_value(out, *value);
            }
            out.push_str("]}");
            end_line(out, escaping, timestamp, *created, std::iter::empty());
        }
        PointValue::Histogram {
            bounds,
            cumulative,
            sum,
            count,
            created,
            exemplars,
            native,
        } => {
            push_composite_start(out, opening, rendered, *count, *sum);
            if let Some(native) = native {
                push_native(out, native);
            }
            let classic = native.is_none() || !bounds.is_empty();
            if classic {
                out.push_str(",bucket:[");
                let buckets = bounds.len().min(cumulative.len());
                for (index, (bound, cumulative)) in bounds.iter().zip(cumulative).enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    push_bound(out, *bound);
                    out.push(':');
                    push_u64(out, *cumulative);
                }
                if bounds[..buckets].last() != Some(&f64::INFINITY) {
                    if buckets > 0 {
                        out.push(',');
                    }
                    out.push_str("+Inf:");
                    push_u64(out, *count);
                }
                out.push(']');
            }
            out.push('}');
            let classic_exemplars = exemplars.iter().flatten();
            match native {
                Some(native) if bounds.is_empty() || exemplars.iter().all(Option::is_none) => {
                    end_line(out, escaping, timestamp, *created, native.exemplars.iter())
                }
                _ => end_line(out, escaping, timestamp, *created, classic_exemplars),
            }
        }
    }
}

/// `name{labels} {count:…,sum:…`, the start of a histogram's or summary's sample.
fn push_composite_start(out: &mut String, opening: &Opening, labels: &str, count: u64, sum: f64) {
    push_series(out, opening, labels, "");
    out.push_str("{count:");
    push_u64(out, count);
    out.push_str(",sum:");
    push_value(out, sum);
}

/// `,schema:…,zero_threshold:…,zero_count:…` and the spans and counts of each sign that has
/// buckets.
fn push_native(out: &mut String, native: &NativeBuckets) {
    out.push_str(",schema:");
    out.push_str(itoa::Buffer::new().format(native.schema));
    out.push_str(",zero_threshold:");
    push_value(out, native.zero_threshold);
    out.push_str(",zero_count:");
    push_u64(out, native.zero_count);
    let signs = [
        ("negative", &native.negative_spans, &native.negative_counts),
        ("positive", &native.positive_spans, &native.positive_counts),
    ];
    for (sign, spans, counts) in signs {
        if spans.is_empty() || counts.is_empty() {
            continue;
        }
        out.push(',');
        out.push_str(sign);
        out.push_str("_spans:[");
        for (index, span) in spans.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str(itoa::Buffer::new().format(span.offset));
            out.push(':');
            out.push_str(itoa::Buffer::new().format(span.length));
        }
        out.push_str("],");
        out.push_str(sign);
        out.push_str("_buckets:[");
        for (index, count) in counts.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            push_u64(out, *count);
        }
        out.push(']');
    }
}

/// ` timestamp`, ` st@start`, then each exemplar that has a timestamp, then the line feed.
fn end_line<'a>(
    out: &mut String,
    escaping: Escaping,
    timestamp: Option<f64>,
    start: Option<f64>,
    exemplars: impl Iterator<Item = &'a Exemplar>,
) {
    if let Some(timestamp) = timestamp {
        out.push(' ');
        push_value(out, timestamp);
    }
    if let Some(start) = start.filter(|s| s.is_finite()) {
        out.push_str(" st@");
        push_value(out, start);
    }
    for exemplar in exemplars {
        let Some(at) = exemplar.timestamp.filter(|t| t.is_finite()) else {
            continue;
        };
        out.push_str(" # {");
        push_labels(out, &exemplar.labels, escaping);
        out.push_str("} ");
        push_value(out, exemplar.value);
        out.push(' ');
        push_value(out, at);
    }
    out.push('\n');
}
