//! The native histogram message, which Remote Write 1.0 (`prometheus.Histogram`) and 2.0
//! (`io.prometheus.write.v2.Histogram`) number alike; 2.0 adds the start timestamp (field 17).
//!
//! Counts are integers (`count_int`, `zero_count_int`, bucket deltas), spans and deltas as
//! client_model has them. The reset hint is left unspecified (0): a client cannot know whether
//! the receiver saw a reset since its last push, and the receiver detects one itself. A gauge
//! histogram would say `GAUGE`; the model has none.

use crate::snapshot::{BucketSpan, NativeBuckets};

use crate::exposition::wire::{
    push_double, push_int64_nonzero, push_message, push_packed_varints, push_sint, push_varint,
    zigzag,
};

/// The body of a native histogram sample.
pub(super) fn push_histogram(
    out: &mut Vec<u8>,
    native: &NativeBuckets,
    sum: f64,
    count: u64,
    timestamp_ms: i64,
    start_ms: Option<i64>,
) {
    push_varint(out, 1, count);
    push_double(out, 3, sum);
    if native.schema != 0 {
        push_sint(out, 4, i64::from(native.schema));
    }
    push_double(out, 5, native.zero_threshold);
    push_varint(out, 6, native.zero_count);
    push_spans(out, 8, &native.negative_spans);
    push_deltas(out, 9, &native.negative_counts);
    push_spans(out, 11, &native.positive_spans);
    push_deltas(out, 12, &native.positive_counts);
    push_int64_nonzero(out, 15, timestamp_ms);
    if let Some(start) = start_ms {
        push_int64_nonzero(out, 17, start);
    }
}

fn push_spans(out: &mut Vec<u8>, tag: u32, spans: &[BucketSpan]) {
    for span in spans {
        push_message(out, tag, 8, |out| {
            if span.offset != 0 {
                push_sint(out, 1, i64::from(span.offset));
            }
            if span.length != 0 {
                push_varint(out, 2, u64::from(span.length));
            }
        });
    }
}

/// Bucket counts as packed zigzag deltas, each from the bucket before (across spans; the first
/// from zero).
fn push_deltas(out: &mut Vec<u8>, tag: u32, counts: &[u64]) {
    let deltas = counts.iter().scan(0i64, |previous, count| {
        let count = *count as i64;
        let delta = count.wrapping_sub(*previous);
        *previous = count;
        Some(zigzag(delta))
    });
    push_packed_varints(out, tag, deltas);
}
