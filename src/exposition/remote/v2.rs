//! Remote Write 2.0: an `io.prometheus.write.v2.Request` (prompb's `io/prometheus/write/v2/
//! types.proto`, spec 2.0-rc.5 as Prometheus 3.16 reads it).
//!
//! The series are 1.0's (see `series.rs`), their strings in the symbol table. Each carries its
//! metadata (type, help, unit; classic histogram and summary series say HISTOGRAM and SUMMARY),
//! its exemplars and, for counters, histograms and summaries with a `created` time, the start
//! timestamp (`Sample.start_timestamp`, field 3; `Histogram.start_timestamp`, field 17; what
//! earlier drafts called the created timestamp). The symbols come first in the body, though
//! protobuf allows any order.

use crate::snapshot::MetricFamily;

use super::series::{
    Series, SeriesLabels, SeriesValue, exemplar_millis, for_each_series, metadata_type,
    sorted_labels,
};
use super::symbols::Symbols;
use super::{Counts, EncodeOptions, native};
use crate::exposition::wire::{
    push_double, push_int64_nonzero, push_message, push_packed_varints, push_varint,
};

/// Appends the `Request` of `families` to `out`.
pub(super) fn push_request(
    out: &mut Vec<u8>,
    families: &[MetricFamily],
    options: &EncodeOptions,
) -> Counts {
    let mut counts = Counts::default();
    let mut symbols = Symbols::new();
    let mut labels = SeriesLabels::default();
    let mut refs = Vec::new();
    let mut series_bytes = Vec::with_capacity(out.capacity().saturating_sub(out.len()));
    // The family's help and unit references, looked up once per family.
    let mut metadata: Option<(*const MetricFamily, u32, u32)> = None;
    for_each_series(families, options, &mut labels, |series| {
        let family = series.family;
        let (help, unit) = match metadata {
            Some((seen, help, unit)) if std::ptr::eq(seen, family) => (help, unit),
            _ => {
                let help = symbols.borrowed(&family.help);
                let unit = symbols.borrowed(family.unit.as_deref().unwrap_or(""));
                metadata = Some((family, help, unit));
                (help, unit)
            }
        };
        let texts = Texts {
            symbols: &mut symbols,
            refs: &mut refs,
            help,
            unit,
        };
        push_series(&mut series_bytes, series, texts, &mut counts);
    });
    out.reserve(symbols.encoded_len() + series_bytes.len());
    symbols.push(out, 4);
    out.extend_from_slice(&series_bytes);
    counts
}

/// The symbol table and what a series takes from it.
struct Texts<'a, 's> {
    symbols: &'s mut Symbols<'a>,
    /// Reused for each series' and exemplar's label references.
    refs: &'s mut Vec<u32>,
    help: u32,
    unit: u32,
}

fn push_series<'a>(
    out: &mut Vec<u8>,
    series: &Series<'a, '_>,
    texts: Texts<'a, '_>,
    counts: &mut Counts,
) {
    let Texts {
        symbols,
        refs,
        help,
        unit,
    } = texts;
    refs.clear();
    for (name, value) in series.labels.pairs() {
        refs.push(symbols.text(series.labels, *name));
        refs.push(symbols.text(series.labels, *value));
    }
    let family = series.family;
    push_message(out, 5, 64, |out| {
        push_packed_varints(out, 1, refs.iter().map(|r| u64::from(*r)));
        let start = series.start_ms.unwrap_or(0);
        match series.value {
            SeriesValue::Float(value) => {
                counts.samples += 1;
                push_message(out, 2, 24, |out| {
                    push_double(out, 1, value);
                    push_int64_nonzero(out, 2, series.timestamp_ms);
                    push_int64_nonzero(out, 3, start);
                });
            }
            SeriesValue::Native {
                buckets,
                sum,
                count,
            } => {
                counts.histograms += 1;
                push_message(out, 3, 64, |out| {
                    let start = series.start_ms;
                    native::push_histogram(out, buckets, sum, count, series.timestamp_ms, start);
                });
            }
        }
        for exemplar in series.exemplars {
            counts.exemplars += 1;
            push_message(out, 4, 24, |out| {
                refs.clear();
                for (name, value) in sorted_labels(&exemplar.labels) {
                    refs.push(symbols.borrowed(name));
                    refs.push(symbols.borrowed(value));
                }
                push_packed_varints(out, 1, refs.iter().map(|r| u64::from(*r)));
                push_double(out, 2, exemplar.value);
                push_int64_nonzero(out, 3, exemplar_millis(exemplar, series.timestamp_ms));
            });
        }
        push_message(out, 5, 6, |out| {
            let kind = metadata_type(family);
            if kind != 0 {
                push_varint(out, 1, kind);
            }
            if help != 0 {
                push_varint(out, 3, u64::from(help));
            }
            if unit != 0 {
                push_varint(out, 4, u64::from(unit));
            }
        });
    });
}
