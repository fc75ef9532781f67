//! The series a Remote Write request carries, read straight from the collected families: one per
//! flattened sample (the names and labels the text format shows, without `_created`), and one
//! holding the native histogram of a histogram point that has native buckets. Remote Write 1.0 and
//! 2.0 write the same series; only the messages differ.
//!
//! Labels are sorted by name (both specs require it), `__name__` among them, with the external
//! labels a series lacks added, as Prometheus applies `external_labels` (the series' own label
//! wins). A label with an empty value is left out: Prometheus takes it as absent.

use crate::snapshot::{Exemplar, MetricFamily, NativeBuckets, PointValue, SampleStyle};
use crate::snapshot::{ExtraLabel, FlatSample, LabelSet};

use super::EncodeOptions;

/// A string of a series: borrowed from the families or the options, or composed (a name with
/// its suffix, a formatted `le`) in [`SeriesLabels`]' own text.
#[derive(Clone, Copy, Debug)]
pub(super) enum Text<'a> {
    Borrowed(&'a str),
    Composed { start: u32, end: u32 },
}

/// The sorted labels of the series being written; reused from series to series.
#[derive(Default)]
pub(super) struct SeriesLabels<'a> {
    composed: String,
    pairs: Vec<(Text<'a>, Text<'a>)>,
}

impl<'a> SeriesLabels<'a> {
    pub(super) fn resolve<'s>(&'s self, text: Text<'a>) -> &'s str
    where
        'a: 's,
    {
        match text {
            Text::Borrowed(text) => text,
            Text::Composed { start, end } => &self.composed[start as usize..end as usize],
        }
    }

    /// The label pairs as texts, sorted by name.
    pub(super) fn pairs(&self) -> &[(Text<'a>, Text<'a>)] {
        &self.pairs
    }

    /// The label pairs, sorted by name.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.pairs
            .iter()
            .map(|(name, value)| (self.resolve(*name), self.resolve(*value)))
    }

    fn compose(&mut self, write: impl FnOnce(&mut String)) -> Text<'a> {
        let start = self.composed.len() as u32;
        write(&mut self.composed);
        Text::Composed {
            start,
            end: self.composed.len() as u32,
        }
    }

    fn push(&mut self, name: &'a str, value: Text<'a>) {
        self.pairs.push((Text::Borrowed(name), value));
    }

    fn push_set(&mut self, labels: &'a LabelSet) {
        for (name, value) in labels.iter() {
            if !value.is_empty() {
                self.push(name, Text::Borrowed(value));
            }
        }
    }

    fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| self.resolve(*n) == name)
    }

    /// Spells out the labels of one series.
    fn build(
        &mut self,
        family: &'a MetricFamily,
        suffix: &'static str,
        point: &'a LabelSet,
        extra: ExtraLabel<'a>,
        external: &'a [(String, String)],
    ) {
        self.composed.clear();
        self.pairs.clear();
        let name = if suffix.is_empty() {
            Text::Borrowed(&family.name)
        } else {
            self.compose(|out| {
                out.push_str(&family.name);
                out.push_str(suffix);
            })
        };
        self.pairs.push((Text::Borrowed("__name__"), name));
        self.push_set(point);
        match extra {
            ExtraLabel::None => {}
            ExtraLabel::Bound { name, value, .. } => {
                let value = self.compose(|out| crate::text::number::push_bound(out, value));
                self.push(name, value);
            }
            ExtraLabel::State { state, .. } => self.push(&family.name, Text::Borrowed(state)),
            ExtraLabel::Info(info) => self.push_set(info),
        }
        for (name, value) in external {
            if !value.is_empty() && !self.has(name) {
                self.push(name, Text::Borrowed(value));
            }
        }
        let composed = &self.composed;
        let text = |text: &Text<'a>| match *text {
            Text::Borrowed(text) => text,
            Text::Composed { start, end } => &composed[start as usize..end as usize],
        };
        self.pairs
            .sort_unstable_by(|a, b| text(&a.0).cmp(text(&b.0)));
    }
}

/// What one series holds.
#[derive(Clone, Copy, Debug)]
pub(super) enum SeriesValue<'a> {
    Float(f64),
    Native {
        buckets: &'a NativeBuckets,
        sum: f64,
        count: u64,
    },
}

/// One series, its labels in the walker's [`SeriesLabels`].
pub(super) struct Series<'a, 'l> {
    pub family: &'a MetricFamily,
    pub labels: &'l SeriesLabels<'a>,
    pub value: SeriesValue<'a>,
    pub timestamp_ms: i64,
    /// When the counter, histogram or summary started (its `created`), in milliseconds.
    pub start_ms: Option<i64>,
    pub exemplars: &'a [Exemplar],
}

/// Milliseconds from seconds since the epoch.
pub(super) fn millis(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// The sample timestamp of a point: its own, or the push's.
pub(super) fn point_millis(timestamp: Option<f64>, options: &EncodeOptions) -> i64 {
    timestamp
        .filter(|t| t.is_finite())
        .map_or(options.timestamp_ms, millis)
}

/// When a cumulative point started counting, if known.
pub(super) fn created(value: &PointValue) -> Option<f64> {
    match value {
        PointValue::Counter { created, .. }
        | PointValue::Histogram { created, .. }
        | PointValue::Summary { created, .. } => created.filter(|c| c.is_finite()),
        _ => None,
    }
}

/// Calls `emit` with every series of `families`, in order: family by family, point by point,
/// the native histogram of a point before its classic series.
pub(super) fn for_each_series<'a>(
    families: &'a [MetricFamily],
    options: &'a EncodeOptions,
    labels: &mut SeriesLabels<'a>,
    mut emit: impl FnMut(&Series<'a, '_>),
) {
    let external = &options.external_labels[..];
    for family in families {
        for point in &family.points {
            let timestamp_ms = point_millis(point.timestamp, options);
            let start_ms = created(&point.value).map(millis);
            if let PointValue::Histogram {
                native: Some(native),
                bounds,
                sum,
                count,
                ..
            } = &point.value
            {
                labels.build(family, "", &point.labels, ExtraLabel::None, external);
                emit(&Series {
                    family,
                    labels,
                    value: SeriesValue::Native {
                        buckets: native,
                        sum: *sum,
                        count: *count,
                    },
                    timestamp_ms,
                    start_ms,
                    exemplars: &native.exemplars,
                });
                if bounds.is_empty() {
                    continue;
                }
            }
            point
                .value
                .flatten(SampleStyle::Prometheus, |flat: FlatSample<'a>| {
                    let suffix = flat.suffix.as_str();
                    labels.build(family, suffix, &point.labels, flat.extra, external);
                    emit(&Series {
                        family,
                        labels,
                        value: SeriesValue::Float(flat.value),
                        timestamp_ms,
                        start_ms,
                        exemplars: flat.exemplar.map_or(&[], std::slice::from_ref),
                    });
                });
        }
    }
}

/// The family name a text format's `# TYPE` line shows: `x_total` for a counter, `x_info` for an
/// info metric, the name itself otherwise.
pub(super) fn exposed_name(family: &MetricFamily, out: &mut String) {
    out.clear();
    out.push_str(&family.name);
    out.push_str(match family.kind {
        crate::snapshot::MetricType::Counter => "_total",
        crate::snapshot::MetricType::Info => "_info",
        _ => "",
    });
}

/// The `MetricType` number both Remote Write versions give a family (1.0's `MetricMetadata` and
/// 2.0's `Metadata` number them alike; unknown is 0, unspecified).
pub(super) fn metadata_type(family: &MetricFamily) -> u64 {
    use crate::snapshot::MetricType;
    match family.kind {
        MetricType::Unknown => 0,
        MetricType::Counter => 1,
        MetricType::Gauge => 2,
        MetricType::Histogram => 3,
        MetricType::Summary => 5,
        MetricType::Info => 6,
        MetricType::StateSet => 7,
    }
}

/// The sample timestamp an exemplar without one of its own takes: the series'.
pub(super) fn exemplar_millis(exemplar: &Exemplar, series_ms: i64) -> i64 {
    exemplar
        .timestamp
        .filter(|t| t.is_finite())
        .map_or(series_ms, millis)
}

/// A label set's non-empty pairs sorted by name. Exemplar label sets are small (128 characters
/// at most): each step picks the next name rather than allocating to sort.
pub(super) fn sorted_labels(labels: &LabelSet) -> impl Iterator<Item = (&str, &str)> + '_ {
    let mut previous: Option<&str> = None;
    std::iter::from_fn(move || {
        let next = labels
            .iter()
            .filter(|(name, value)| !value.is_empty() && previous.is_none_or(|p| *name > p))
            .min_by(|a, b| a.0.cmp(b.0))?;
        previous = Some(next.0);
        Some(next)
    })
}
