//! OTLP/HTTP metrics: an `ExportMetricsServiceRequest` (opentelemetry-proto's
//! `collector/metrics/v1/metrics_service.proto` and `metrics/v1/metrics.proto`), the families
//! mapped as the OpenTelemetry spec's Prometheus-compatibility page says.
//!
//! One `ResourceMetrics` (the resource attributes), one `ScopeMetrics` (scope
//! `prometheus_emulator` at the crate's version), one `Metric` per family that has points:
//!
//! | family | OTLP |
//! | --- | --- |
//! | counter `x` | `x_total`, monotonic cumulative `Sum`, start time from `created` |
//! | gauge, unknown | `Gauge` |
//! | info `x` | `x_info`, non-monotonic cumulative `Sum` of 1, the info labels as attributes |
//! | state set `x` | non-monotonic cumulative `Sum`, one point per state (attribute `x`), 0 or 1 |
//! | classic histogram | explicit-bucket `Histogram`: finite bounds, per-bucket counts |
//! | native histogram | `ExponentialHistogram` (its classic buckets, if any, are not sent) |
//! | summary | `Summary` |
//!
//! Names are the text format's (`x_total`, `x_info`), which the spec says to keep, and which
//! Prometheus' OTLP receiver keeps under each translation strategy (it adds `_total` to a
//! monotonic sum only when missing). The unit goes from Prometheus' words to UCUM (`seconds` →
//! `s`, `bytes_per_second` → `By/s`, `ratio` → `1`), the inverse of the receiver's table, and
//! `prometheus.type` goes into the metric's metadata. Labels become string attributes (empty
//! values left out); exemplar labels `trace_id` and `span_id` holding hex ids become the exemplar's
//! ids. The Remote Write external labels are not used: OTLP identifies the source through the
//! resource (`service.name`, `service.instance.id`).
//!
//! A Prometheus native bucket `k` covers `(b^(k-1), b^k]`, an OTLP bucket `i` covers
//! `(b^i, b^(i+1)]`: the OTLP offset is the first key minus one, and the counts are dense (the
//! gaps between spans filled with zeros).

use crate::snapshot::{
    BucketSpan, Exemplar, LabelSet, MetricFamily, MetricPoint, MetricType, PointValue,
};

use super::series::{created, point_millis};
use super::{Counts, EncodeOptions};
use crate::exposition::wire::{
    push_bytes, push_double, push_fixed64, push_message, push_packed_fixed, push_packed_varints,
    push_sint, push_str, push_str_nonempty, push_varint,
};

/// The instrumentation scope every metric is reported under.
pub const SCOPE_NAME: &str = "prometheus_emulator";
const SCOPE_VERSION: &str = env!("CARGO_PKG_VERSION");

const CUMULATIVE: u64 = 2;

/// Appends the `ExportMetricsServiceRequest` of `families` to `out`.
pub(super) fn push_request(
    out: &mut Vec<u8>,
    families: &[MetricFamily],
    options: &EncodeOptions,
) -> Counts {
    let mut counts = Counts::default();
    let mut scratch = Scratch::default();
    let guess = out.capacity();
    push_message(out, 1, guess, |out| {
        push_message(out, 1, 64, |out| {
            for (key, value) in &options.resource_attributes {
                push_attribute(out, 1, key, value);
            }
        });
        push_message(out, 2, guess, |out| {
            push_message(out, 1, 32, |out| {
                push_str(out, 1, SCOPE_NAME);
                push_str(out, 2, SCOPE_VERSION);
            });
            for family in families {
                push_family(out, family, options, &mut scratch, &mut counts);
            }
        });
    });
    counts
}

/// Reused between families and points.
#[derive(Default)]
struct Scratch {
    name: String,
    unit: String,
    dense: Vec<u64>,
}

fn push_family(
    out: &mut Vec<u8>,
    family: &MetricFamily,
    options: &EncodeOptions,
    scratch: &mut Scratch,
    counts: &mut Counts,
) {
    let native = |point: &MetricPoint| {
        matches!(
            &point.value,
            PointValue::Histogram {
                native: Some(_),
                ..
            }
        )
    };
    if family.points.is_empty() {
        // Nothing to report: OTLP has no metadata-only metrics worth a receiver's time.
        return;
    }
    if family.kind == MetricType::Histogram {
        // Points with native buckets and points without cannot share one OTLP metric.
        if family.points.iter().any(native) {
            push_metric(out, family, scratch, 10, |out, scratch| {
                for point in family.points.iter().filter(|p| native(p)) {
                    push_exponential_point(out, point, options, scratch, counts);
                }
                push_varint(out, 2, CUMULATIVE);
            });
        }
        if family.points.iter().all(native) {
            return;
        }
        push_metric(out, family, scratch, 9, |out, scratch| {
            for point in family.points.iter().filter(|p| !native(p)) {
                push_explicit_point(out, point, options, scratch, counts);
            }
            push_varint(out, 2, CUMULATIVE);
        });
        return;
    }
    let (tag, monotonic) = match family.kind {
        MetricType::Counter => (7, Some(true)),
        MetricType::Info | MetricType::StateSet => (7, Some(false)),
        MetricType::Summary => (11, None),
        _ => (5, None),
    };
    push_metric(out, family, scratch, tag, |out, _| {
        for point in &family.points {
            push_point(out, family, point, options, counts);
        }
        if let Some(monotonic) = monotonic {
            push_varint(out, 2, CUMULATIVE);
            if monotonic {
                push_varint(out, 3, 1);
            }
        }
    });
}

/// A `Metric` with its descriptor fields and the data message `data_tag` (`gauge`, `sum`,
/// `histogram`, `exponential_histogram`, `summary`) holding what `data` writes.
fn push_metric(
    out: &mut Vec<u8>,
    family: &MetricFamily,
    scratch: &mut Scratch,
    data_tag: u32,
    data: impl FnOnce(&mut Vec<u8>, &mut Scratch),
) {
    super::series::exposed_name(family, &mut scratch.name);
    ucum_unit(family.unit.as_deref().unwrap_or(""), &mut scratch.unit);
    let guess = family.points.len() * 64 + family.help.len() + 32;
    push_message(out, 2, guess, |out| {
        push_str(out, 1, &scratch.name);
        push_str_nonempty(out, 2, &family.help);
        push_str_nonempty(out, 3, &scratch.unit);
        push_message(out, data_tag, guess, |out| data(out, scratch));
        push_attribute(out, 12, "prometheus.type", prometheus_type(family.kind));
    });
}

/// The OpenMetrics type name, as `prometheus.type` metadata.
fn prometheus_type(kind: MetricType) -> &'static str {
    match kind {
        MetricType::Counter => "counter",
        MetricType::Gauge => "gauge",
        MetricType::Histogram => "histogram",
        MetricType::Summary => "summary",
        MetricType::Info => "info",
        MetricType::StateSet => "stateset",
        MetricType::Unknown => "unknown",
    }
}

/// Times of a point, in nanoseconds since the epoch: when it was taken and, for cumulative
/// points with a `created` time, when it started (0, unknown, otherwise).
fn times(point: &MetricPoint, options: &EncodeOptions) -> (u64, u64) {
    let time = point_millis(point.timestamp, options).max(0) as u64 * 1_000_000;
    let start = created(&point.value).map_or(0, nanos);
    (time, start)
}

/// Nanoseconds since the epoch from seconds, whole seconds and fraction apart so that the
/// nanoseconds are exact as far as the seconds are (a plain product rounds at 2^53).
fn nanos(seconds: f64) -> u64 {
    if seconds <= 0.0 {
        return 0;
    }
    let whole = seconds.floor();
    let fraction = ((seconds - whole) * 1e9).round() as u64;
    (whole as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(fraction)
}

fn push_times(out: &mut Vec<u8>, (time, start): (u64, u64)) {
    if start != 0 {
        push_fixed64(out, 2, start);
    }
    push_fixed64(out, 3, time);
}

/// The `NumberDataPoint`s (or the `SummaryDataPoint`) of a point that is not a histogram.
fn push_point(
    out: &mut Vec<u8>,
    family: &MetricFamily,
    point: &MetricPoint,
    options: &EncodeOptions,
    counts: &mut Counts,
) {
    let times = times(point, options);
    let guess = point.labels.rendered().len() + 48;
    let number = |out: &mut Vec<u8>, value: f64, extra: &dyn Fn(&mut Vec<u8>)| {
        push_message(out, 1, guess, |out| {
            push_attributes(out, 7, &point.labels);
            extra(out);
            push_times(out, times);
            push_double(out, 4, value);
        });
    };
    match &point.value {
        PointValue::Counter {
            value, exemplar, ..
        } => {
            counts.samples += 1;
            push_message(out, 1, guess, |out| {
                push_attributes(out, 7, &point.labels);
                push_times(out, times);
                push_double(out, 4, *value);
                if let Some(exemplar) = exemplar {
                    counts.exemplars += 1;
                    push_exemplar(out, 5, exemplar, times.0);
                }
            });
        }
        PointValue::Gauge { value } | PointValue::Unknown { value } => {
            counts.samples += 1;
            number(out, *value, &|_| {});
        }
        PointValue::Info { info } => {
            counts.samples += 1;
            number(out, 1.0, &|out| push_attributes(out, 7, info));
        }
        PointValue::StateSet { states, active } => {
            for (state, on) in states.iter().zip(active) {
                counts.samples += 1;
                let value = f64::from(u8::from(*on));
                number(out, value, &|out| {
                    push_attribute(out, 7, &family.name, state)
                });
            }
        }
        PointValue::Summary {
            quantiles,
            sum,
            count,
            ..
        } => {
            counts.samples += 1;
            push_message(out, 1, guess + quantiles.len() * 20, |out| {
                push_attributes(out, 7, &point.labels);
                push_times(out, times);
                push_fixed64(out, 4, *count);
                push_double(out, 5, *sum);
                for (quantile, value) in quantiles {
                    push_message(out, 6, 18, |out| {
                        push_double(out, 1, *quantile);
                        push_double(out, 2, *value);
                    });
                }
            });
        }
        PointValue::Histogram { .. } => {}
    }
}

/// A `HistogramDataPoint`: the finite bounds and the count of each bucket (the last one above
/// the largest finite bound), not cumulative.
fn push_explicit_point(
    out: &mut Vec<u8>,
    point: &MetricPoint,
    options: &EncodeOptions,
    scratch: &mut Scratch,
    counts: &mut Counts,
) {
    let PointValue::Histogram {
        bounds,
        cumulative,
        sum,
        count,
        exemplars,
        ..
    } = &point.value
    else {
        return;
    };
    counts.samples += 1;
    let times = times(point, options);
    let finite_len = bounds
        .iter()
        .zip(cumulative)
        .take_while(|(bound, _)| bound.is_finite())
        .count();
    let (finite, below) = (&bounds[..finite_len], &cumulative[..finite_len]);
    let guess = point.labels.rendered().len() + 48 + finite_len * 18;
    push_message(out, 1, guess, |out| {
        push_attributes(out, 9, &point.labels);
        push_times(out, times);
        push_fixed64(out, 4, *count);
        push_double(out, 5, *sum);
        let buckets = &mut scratch.dense;
        buckets.clear();
        let mut previous = 0u64;
        for cumulative in below {
            buckets.push(cumulative.saturating_sub(previous));
            previous = *cumulative;
        }
        buckets.push(count.saturating_sub(previous));
        push_packed_fixed(out, 6, buckets.iter().map(|b| b.to_le_bytes()));
        push_packed_fixed(out, 7, finite.iter().map(|bound| bound.to_le_bytes()));
        for exemplar in exemplars.iter().flatten() {
            counts.exemplars += 1;
            push_exemplar(out, 8, exemplar, times.0);
        }
    });
}

/// An `ExponentialHistogramDataPoint` from a point's native buckets.
fn push_exponential_point(
    out: &mut Vec<u8>,
    point: &MetricPoint,
    options: &EncodeOptions,
    scratch: &mut Scratch,
    counts: &mut Counts,
) {
    let PointValue::Histogram {
        sum,
        count,
        native: Some(native),
        ..
    } = &point.value
    else {
        return;
    };
    counts.histograms += 1;
    let times = times(point, options);
    let guess = point.labels.rendered().len() + 64 + native.positive_counts.len() * 2;
    push_message(out, 1, guess, |out| {
        push_attributes(out, 1, &point.labels);
        push_times(out, times);
        push_fixed64(out, 4, *count);
        push_double(out, 5, *sum);
        if native.schema != 0 {
            push_sint(out, 6, i64::from(native.schema));
        }
        push_fixed64(out, 7, native.zero_count);
        let signs = [
            (8, &native.positive_spans, &native.positive_counts),
            (9, &native.negative_spans, &native.negative_counts),
        ];
        for (tag, spans, bucket_counts) in signs {
            push_buckets(out, tag, spans, bucket_counts, &mut scratch.dense);
        }
        for exemplar in &native.exemplars {
            counts.exemplars += 1;
            push_exemplar(out, 11, exemplar, times.0);
        }
        if native.zero_threshold != 0.0 {
            push_double(out, 14, native.zero_threshold);
        }
    });
}

/// The `Buckets` of one sign: the offset (first key minus one) and dense counts.
fn push_buckets(
    out: &mut Vec<u8>,
    tag: u32,
    spans: &[BucketSpan],
    counts: &[u64],
    dense: &mut Vec<u64>,
) {
    let Some(first) = dense_buckets(spans, counts, dense) else {
        return;
    };
    push_message(out, tag, dense.len() + 4, |out| {
        let offset = i64::from(first) - 1;
        if offset != 0 {
            push_sint(out, 1, offset);
        }
        push_packed_varints(out, 2, dense.iter().copied());
    });
}

/// Fills `dense` with the counts of consecutive buckets from the first bucket of `spans` to the
/// last, zeros in the gaps; the first bucket's key, or `None` when there are no buckets.
pub(super) fn dense_buckets(
    spans: &[BucketSpan],
    counts: &[u64],
    dense: &mut Vec<u64>,
) -> Option<i32> {
    dense.clear();
    let mut first = None;
    let mut key = 0i32;
    let mut after_last = 0i32;
    let mut counts = counts.iter();
    for (index, span) in spans.iter().enumerate() {
        key = if index == 0 {
            span.offset
        } else {
            key + span.offset.max(0)
        };
        for _ in 0..span.length {
            let Some(count) = counts.next() else {
                return first;
            };
            match first {
                None => first = Some(key),
                Some(_) => dense.extend(std::iter::repeat_n(0, (key - after_last) as usize)),
            }
            dense.push(*count);
            key += 1;
            after_last = key;
        }
    }
    first
}

/// Label pairs as `KeyValue` attributes (string values), empty values left out.
fn push_attributes(out: &mut Vec<u8>, tag: u32, labels: &LabelSet) {
    for (name, value) in labels.iter() {
        if !value.is_empty() {
            push_attribute(out, tag, name, value);
        }
    }
}

fn push_attribute(out: &mut Vec<u8>, tag: u32, key: &str, value: &str) {
    push_message(out, tag, key.len() + value.len() + 6, |out| {
        push_str(out, 1, key);
        push_message(out, 2, value.len() + 2, |out| push_str(out, 1, value));
    });
}

/// An `Exemplar`: `trace_id` and `span_id` labels holding hex ids become the ids, the other
/// labels its filtered attributes.
fn push_exemplar(out: &mut Vec<u8>, tag: u32, exemplar: &Exemplar, point_time: u64) {
    push_message(out, tag, exemplar.labels.rendered().len() + 32, |out| {
        let time = exemplar
            .timestamp
            .filter(|t| t.is_finite())
            .map_or(point_time, nanos);
        push_fixed64(out, 2, time);
        push_double(out, 3, exemplar.value);
        for (name, value) in exemplar.labels.iter() {
            if name == "trace_id" {
                if let Some(id) = hex_id::<16>(value) {
                    push_bytes(out, 5, &id);
                    continue;
                }
            }
            if name == "span_id" {
                if let Some(id) = hex_id::<8>(value) {
                    push_bytes(out, 4, &id);
                    continue;
                }
            }
            if !value.is_empty() {
                push_attribute(out, 7, name, value);
            }
        }
    });
}

/// `N` bytes from `2N` hex digits.
pub(super) fn hex_id<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut id = [0u8; N];
    for (byte, pair) in id.iter_mut().zip(text.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(id)
}

/// A Prometheus unit in UCUM, as OTLP writes units: each word of `x_per_y` mapped (`seconds` →
/// `s`), joined with `/`; a word without a mapping kept as it is.
pub(super) fn ucum_unit(unit: &str, out: &mut String) {
    out.clear();
    let (main, per) = match unit.split_once("_per_") {
        Some((main, per)) => (main, Some(per)),
        None => (unit, None),
    };
    out.push_str(ucum_word(main, MAIN_UNITS));
    if let Some(per) = per {
        out.push('/');
        out.push_str(ucum_word(per, PER_UNITS));
    }
}

fn ucum_word<'a>(word: &'a str, table: &[(&'static str, &'static str)]) -> &'a str {
    table
        .iter()
        .find(|(prometheus, _)| *prometheus == word)
        .map_or(word, |(_, ucum)| ucum)
}

/// Prometheus' unit words and their UCUM symbols (the inverse of the table Prometheus' OTLP
/// receiver translates with).
const MAIN_UNITS: &[(&str, &str)] = &[
    ("days", "d"),
    ("hours", "h"),
    ("minutes", "min"),
    ("seconds", "s"),
    ("milliseconds", "ms"),
    ("microseconds", "us"),
    ("nanoseconds", "ns"),
    ("bytes", "By"),
    ("kibibytes", "KiBy"),
    ("mebibytes", "MiBy"),
    ("gibibytes", "GiBy"),
    ("tibibytes", "TiBy"),
    ("kilobytes", "KBy"),
    ("megabytes", "MBy"),
    ("gigabytes", "GBy"),
    ("terabytes", "TBy"),
    ("meters", "m"),
    ("volts", "V"),
    ("amperes", "A"),
    ("joules", "J"),
    ("watts", "W"),
    ("grams", "g"),
    ("celsius", "Cel"),
    ("hertz", "Hz"),
    ("ratio", "1"),
    ("percent", "%"),
];

/// The words after `_per_`.
const PER_UNITS: &[(&str, &str)] = &[
    ("second", "s"),
    ("minute", "m"),
    ("hour", "h"),
    ("day", "d"),
    ("week", "w"),
    ("month", "mo"),
    ("year", "y"),
];
