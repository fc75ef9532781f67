//! Remote Write 1.0: a `prometheus.WriteRequest` (prompb's `remote.proto` and `types.proto`).
//!
//! One `TimeSeries` per series (see `series.rs`) with its labels spelled out, one sample or one
//! native histogram, and its exemplars; then one `MetricMetadata` per family, named as the text
//! format's `# TYPE` line names it (`x_total`, `x_info`). 1.0 has no start timestamps: `created`
//! is not sent (nor a `_created` series).

use crate::snapshot::{Exemplar, MetricFamily};

use super::series::{
    Series, SeriesLabels, SeriesValue, exemplar_millis, exposed_name, for_each_series,
    metadata_type, sorted_labels,
};
use super::{Counts, EncodeOptions, native};
use crate::exposition::wire::{
    push_double, push_int64_nonzero, push_message, push_str, push_str_nonempty, push_varint,
};

/// Appends the `WriteRequest` of `families` to `out`.
pub(super) fn push_request(
    out: &mut Vec<u8>,
    families: &[MetricFamily],
    options: &EncodeOptions,
) -> Counts {
    let mut counts = Counts::default();
    let mut labels = SeriesLabels::default();
    for_each_series(families, options, &mut labels, |series| {
        push_series(out, series, &mut counts);
    });
    let mut name = String::new();
    for family in families {
        exposed_name(family, &mut name);
        push_message(out, 3, name.len() + family.help.len() + 8, |out| {
            let kind = metadata_type(family);
            if kind != 0 {
                push_varint(out, 1, kind);
            }
            push_str_nonempty(out, 2, &name);
            push_str_nonempty(out, 4, &family.help);
            push_str_nonempty(out, 5, family.unit.as_deref().unwrap_or(""));
        });
    }
    counts
}

fn push_series(out: &mut Vec<u8>, series: &Series<'_, '_>, counts: &mut Counts) {
    push_message(out, 1, 128, |out| {
        for (name, value) in series.labels.iter() {
            push_label(out, 1, name, value);
        }
        match series.value {
            SeriesValue::Float(value) => {
                counts.samples += 1;
                push_message(out, 2, 20, |out| {
                    push_double(out, 1, value);
                    push_int64_nonzero(out, 2, series.timestamp_ms);
                });
            }
            SeriesValue::Native {
                buckets,
                sum,
                count,
            } => {
                counts.histograms += 1;
                push_message(out, 4, 64, |out| {
                    native::push_histogram(out, buckets, sum, count, series.timestamp_ms, None);
                });
            }
        }
        for exemplar in series.exemplars {
            counts.exemplars += 1;
            push_exemplar(out, exemplar, series.timestamp_ms);
        }
    });
}

fn push_label(out: &mut Vec<u8>, tag: u32, name: &str, value: &str) {
    push_message(out, tag, name.len() + value.len() + 4, |out| {
        push_str(out, 1, name);
        push_str(out, 2, value);
    });
}

fn push_exemplar(out: &mut Vec<u8>, exemplar: &Exemplar, series_ms: i64) {
    push_message(out, 3, exemplar.labels.rendered().len() + 24, |out| {
        for (name, value) in sorted_labels(&exemplar.labels) {
            push_label(out, 1, name, value);
        }
        push_double(out, 2, exemplar.value);
        push_int64_nonzero(out, 3, exemplar_millis(exemplar, series_ms));
    });
}
