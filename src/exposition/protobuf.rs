//! The protobuf exposition format: length-delimited `io.prometheus.client.MetricFamily` messages
//! (client_model's `metrics.proto`), what Prometheus asks for first when it scrapes native
//! histograms.
//!
//! Messages are written field by field with prost's encoding primitives, straight from the
//! points as they are read: no message structs are built, nothing is allocated per series. A
//! message's length comes before its body, so each body is written after a guessed length prefix
//! and moved when the guess was wrong (rarely, and then by a few bytes).
//!
//! What goes where, as client_golang writes it: a counter family is named `x_total`, an info
//! family `x_info` (a gauge of 1), a state set is a gauge family with one series per state
//! (labelled with the family name), unknown is `UNTYPED`. Every field client_golang sets is
//! written even when zero (proto2 presence). A histogram's classic buckets leave out `+Inf`
//! (its count is the sample count) unless it carries an exemplar; an empty native histogram with
//! a zero threshold of 0 gets one empty span, so that it does not look classic.

use std::sync::Arc;

use super::wire::{
    delimited, push_double, push_message, push_str, push_varint as push_uint, zigzag,
};
use crate::collector::LiveFamily;
use crate::snapshot::{
    BucketSpan, Exemplar, LabelSet, MetricFamily, MetricType, NativeBuckets, PointValue,
};
use crate::text::names::{Escaping, NameKind, escape_name, is_legacy_label_name, push_name};
use prost::encoding::{WireType, encode_key, encode_varint};

/// `Content-Type` of the protobuf format.
pub const CONTENT_TYPE_PROTOBUF: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

// client_model's `MetricType` values.
const COUNTER: u64 = 0;
const GAUGE: u64 = 1;
const SUMMARY: u64 = 2;
const UNTYPED: u64 = 3;
const HISTOGRAM: u64 = 4;

/// Reused between families: the family's name with its suffix, deltas of native buckets, and
/// whether the last label names seen are written as they are.
pub(crate) struct Scratch {
    name: String,
    deltas: Vec<i64>,
    escaping: Escaping,
    names: Option<Arc<[Box<str>]>>,
    names_as_they_are: bool,
}

impl Scratch {
    pub(crate) fn new(escaping: Escaping) -> Self {
        Scratch {
            name: String::new(),
            deltas: Vec::new(),
            escaping,
            names: None,
            names_as_they_are: true,
        }
    }

    /// The escaping a point's label names need, `None` when they are written as they are;
    /// decided once for every point sharing a family's names.
    #[inline]
    fn label_escaping(&mut self, labels: &LabelSet) -> Option<Escaping> {
        if self.escaping == Escaping::AllowUtf8 {
            return None;
        }
        let names = labels.shared_names();
        if !self
            .names
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, names))
        {
            self.names_as_they_are = names_as_they_are(labels, self.escaping);
            self.names = Some(names.clone());
        }
        (!self.names_as_they_are).then_some(self.escaping)
    }
}

/// Whether protobuf carries these label names unchanged under `escaping` (it has no quoting).
fn names_as_they_are(labels: &LabelSet, escaping: Escaping) -> bool {
    escaping == Escaping::AllowUtf8 || labels.names().iter().all(|n| is_legacy_label_name(n))
}

/// [`Scratch::label_escaping`] for sets outside the cache (info labels, exemplars).
fn other_label_escaping(labels: &LabelSet, escaping: Escaping) -> Option<Escaping> {
    (!names_as_they_are(labels, escaping)).then_some(escaping)
}

/// Appends one collected family as a length-delimited `MetricFamily`.
pub(crate) fn push_family(out: &mut Vec<u8>, family: &MetricFamily, scratch: &mut Scratch) {
    let guess = family.points.len() * 64;
    delimited(out, None, guess, |out| {
        push_header(out, family, scratch);
        for point in &family.points {
            push_point(
                out,
                family,
                &point.labels,
                &point.value,
                point.timestamp,
                scratch,
            );
        }
    });
}

/// Appends one family read in place.
pub(crate) fn push_live(
    out: &mut Vec<u8>,
    header: &MetricFamily,
    live: &dyn LiveFamily,
    scratch: &mut Scratch,
) {
    let (points, label_len) = live.size_hint();
    let guess = points * (label_len + 48);
    delimited(out, None, guess, |out| {
        push_header(out, header, scratch);
        live.visit_points(&mut |labels, value| {
            push_point(out, header, labels, value, None, scratch);
        });
    });
}

/// `name`, `help`, `type` (and `unit`) of a `MetricFamily`.
fn push_header(out: &mut Vec<u8>, family: &MetricFamily, scratch: &mut Scratch) {
    let (suffix, kind) = match family.kind {
        MetricType::Counter => ("_total", COUNTER),
        MetricType::Gauge => ("", GAUGE),
        MetricType::Histogram => ("", HISTOGRAM),
        MetricType::Summary => ("", SUMMARY),
        MetricType::Info => ("_info", GAUGE),
        MetricType::StateSet => ("", GAUGE),
        MetricType::Unknown => ("", UNTYPED),
    };
    scratch.name.clear();
    if scratch.escaping == Escaping::AllowUtf8 {
        scratch.name.push_str(&family.name);
        scratch.name.push_str(suffix);
    } else {
        let parts = [&*family.name, suffix];
        push_name(
            &mut scratch.name,
            NameKind::Metric,
            &parts,
            scratch.escaping,
        );
    }
    push_str(out, 1, &scratch.name);
    push_str(out, 2, &family.help);
    encode_key(3, WireType::Varint, out);
    encode_varint(kind, out);
    if let Some(unit) = family.unit.as_deref().filter(|unit| !unit.is_empty()) {
        push_str(out, 5, unit);
    }
}

/// The `Metric` messages of one point (one, except for a state set: one per state).
fn push_point(
    out: &mut Vec<u8>,
    family: &MetricFamily,
    labels: &LabelSet,
    value: &PointValue,
    timestamp: Option<f64>,
    scratch: &mut Scratch,
) {
    let timestamp = timestamp.filter(|t| t.is_finite());
    let guess = labels.rendered().len() + 32;
    let escaping = scratch.escaping;
    let label_escaping = scratch.label_escaping(labels);
    if let PointValue::StateSet { states, active } = value {
        let state_label: std::borrow::Cow<'_, str> = match escaping {
            Escaping::AllowUtf8 => (*family.name).into(),
            _ if is_legacy_label_name(&family.name) => (*family.name).into(),
            scheme => escape_name(NameKind::Label, &family.name, scheme).into(),
        };
        for (state, on) in states.iter().zip(active) {
            delimited(out, Some(4), guess, |out| {
                push_labels(out, labels, label_escaping);
                push_label(out, &state_label, state, None);
                push_message(out, 2, 9, |out| {
                    push_double(out, 1, f64::from(u8::from(*on)))
                });
                push_timestamp_ms(out, timestamp);
            });
        }
        return;
    }
    delimited(out, Some(4), guess, |out| {
        push_labels(out, labels, label_escaping);
        match value {
            PointValue::Counter {
                value,
                created,
                exemplar,
            } => push_message(out, 3, 32, |out| {
                push_double(out, 1, *value);
                if let Some(exemplar) = exemplar {
                    push_exemplar(out, 2, exemplar, escaping);
                }
                push_created(out, 3, *created);
            }),
            PointValue::Gauge { value } => {
                push_message(out, 2, 9, |out| push_double(out, 1, *value))
            }
            PointValue::Unknown { value } => {
                push_message(out, 5, 9, |out| push_double(out, 1, *value))
            }
            PointValue::Info { info } => {
                push_labels(out, info, other_label_escaping(info, escaping));
                push_message(out, 2, 9, |out| push_double(out, 1, 1.0));
            }
            PointValue::Summary {
                quantiles,
                sum,
                count,
                created,
            } => push_message(out, 4, 32 + quantiles.len() * 20, |out| {
                push_uint(out, 1, *count);
                push_double(out, 2, *sum);
                for (quantile, value) in quantiles {
                    push_message(out, 3, 18, |out| {
                        push_double(out, 1, *quantile);
                        push_double(out, 2, *value);
                    });
                }
                push_created(out, 4, *created);
            }),
            PointValue::Histogram {
                bounds,
                cumulative,
                sum,
                count,
                created,
                exemplars,
                native,
            } => push_message(out, 7, 32 + bounds.len() * 12, |out| {
                push_uint(out, 1, *count);
                push_double(out, 2, *sum);
                for (index, (bound, cumulative)) in bounds.iter().zip(cumulative).enumerate() {
                    let exemplar = exemplars.get(index).and_then(Option::as_ref);
                    if *bound == f64::INFINITY && exemplar.is_none() {
                        continue;
                    }
                    push_message(out, 3, 20, |out| {
                        push_uint(out, 1, *cumulative);
                        push_double(out, 2, *bound);
                        if let Some(exemplar) = exemplar {
                            push_exemplar(out, 3, exemplar, escaping);
                        }
                    });
                }
                if let Some(native) = native {
                    push_native(out, native, &mut scratch.deltas);
                }
                push_created(out, 15, *created);
                if let Some(native) = native {
                    for exemplar in &native.exemplars {
                        push_exemplar(out, 16, exemplar, escaping);
                    }
                }
            }),
            PointValue::StateSet { .. } => {}
        }
        push_timestamp_ms(out, timestamp);
    });
}

/// The native fields of a `Histogram`: schema, zero bucket, spans and bucket deltas.
fn push_native(out: &mut Vec<u8>, native: &NativeBuckets, deltas: &mut Vec<i64>) {
    encode_key(5, WireType::Varint, out);
    encode_varint(zigzag(i64::from(native.schema)), out);
    push_double(out, 6, native.zero_threshold);
    push_uint(out, 7, native.zero_count);
    let signs = [
        (9, 10, &native.negative_spans, &native.negative_counts),
        (12, 13, &native.positive_spans, &native.positive_counts),
    ];
    for (span_tag, delta_tag, spans, counts) in signs {
        push_spans(out, span_tag, spans);
        push_deltas(out, delta_tag, counts, deltas);
    }
    let empty = native.positive_spans.is_empty() && native.negative_spans.is_empty();
    if empty && native.zero_threshold == 0.0 && native.zero_count == 0 {
        push_spans(
            out,
            12,
            &[BucketSpan {
                offset: 0,
                length: 0,
            }],
        );
    }
}

fn push_spans(out: &mut Vec<u8>, tag: u32, spans: &[BucketSpan]) {
    for span in spans {
        push_message(out, tag, 12, |out| {
            encode_key(1, WireType::Varint, out);
            encode_varint(zigzag(i64::from(span.offset)), out);
            encode_key(2, WireType::Varint, out);
            encode_varint(u64::from(span.length), out);
        });
    }
}

/// Counts as packed zigzag deltas, each from the previous bucket (across spans).
fn push_deltas(out: &mut Vec<u8>, tag: u32, counts: &[u64], deltas: &mut Vec<i64>) {
    if counts.is_empty() {
        return;
    }
    deltas.clear();
    let mut previous = 0i64;
    for count in counts {
        let count = *count as i64;
        deltas.push(count.wrapping_sub(previous));
        previous = count;
    }
    prost::encoding::sint64::encode_packed(tag, deltas, out);
}

/// A `google.protobuf.Timestamp` from seconds since the epoch.
fn push_created(out: &mut Vec<u8>, tag: u32, created: Option<f64>) {
    if let Some(created) = created.filter(|c| c.is_finite()) {
        push_time(out, tag, created);
    }
}

fn push_time(out: &mut Vec<u8>, tag: u32, seconds: f64) {
    let whole = seconds.floor();
    let nanos = (((seconds - whole) * 1e9).round() as i64).clamp(0, 999_999_999);
    push_message(out, tag, 12, |out| {
        encode_key(1, WireType::Varint, out);
        encode_varint(whole as i64 as u64, out);
        encode_key(2, WireType::Varint, out);
        encode_varint(nanos as u64, out);
    });
}

fn push_exemplar(out: &mut Vec<u8>, tag: u32, exemplar: &Exemplar, escaping: Escaping) {
    push_message(out, tag, exemplar.labels.rendered().len() + 24, |out| {
        let label_escaping = other_label_escaping(&exemplar.labels, escaping);
        push_labels(out, &exemplar.labels, label_escaping);
        push_double(out, 2, exemplar.value);
        if let Some(timestamp) = exemplar.timestamp.filter(|t| t.is_finite()) {
            push_time(out, 3, timestamp);
        }
    });
}

fn push_timestamp_ms(out: &mut Vec<u8>, timestamp: Option<f64>) {
    if let Some(seconds) = timestamp {
        encode_key(6, WireType::Varint, out);
        encode_varint((seconds * 1000.0).round() as i64 as u64, out);
    }
}

/// The set's `LabelPair`s, names rewritten with `escaping` when there is one.
fn push_labels(out: &mut Vec<u8>, labels: &LabelSet, escaping: Option<Escaping>) {
    for (name, value) in labels.iter() {
        push_label(out, name, value, escaping);
    }
}

fn push_label(out: &mut Vec<u8>, name: &str, value: &str, escaping: Option<Escaping>) {
    let escaped;
    let name = match escaping {
        None => name,
        Some(_) if is_legacy_label_name(name) => name,
        Some(scheme) => {
            escaped = escape_name(NameKind::Label, name, scheme);
            &escaped
        }
    };
    push_message(out, 1, name.len() + value.len() + 4, |out| {
        push_str(out, 1, name);
        push_str(out, 2, value);
    });
}

#[cfg(test)]
mod tests;
