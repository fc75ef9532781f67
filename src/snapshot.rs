//! The data model a collection produces: metric families holding typed points.
//!
//! Collectors (the built-in families and custom ones) turn their live state into these values; the
//! exposition formats render them and the C snapshot API hands them to bindings. A point keeps its
//! type (a histogram point holds all its buckets), and [`MetricFamily::samples`] flattens it into
//! the samples a text format shows, so no consumer has to know the suffix rules.

use std::sync::Arc;

use crate::error::{Error, Result};
pub use crate::metric_type::MetricType;
use crate::name::{default_validation, validate_label_name};
use crate::text::escape::push_label_value;
use crate::text::names::{Escaping, NameKind, push_name};

/// An ordered set of label pairs, cheap to clone, with its text form rendered once.
///
/// The rendered form is `a="x",b="y"` (escaped, no braces; a name outside the legacy character
/// set quoted, `"http.method"="GET"`, as a scraper that reads UTF-8 names takes it), so encoders
/// copy it instead of escaping every label on every scrape.
#[derive(Clone, Debug)]
pub struct LabelSet {
    names: Arc<[Box<str>]>,
    /// Everything else in one allocation, one pointer away from a family's map entry: where each
    /// value ends (a native-endian `u32` per label, counted from the end of these), the values
    /// one after another, then the rendered form. A lookup finds the lengths and the bytes it
    /// compares in the same cache lines; an encoder copies the rendered form from there too.
    data: Arc<[u8]>,
}

const END_BYTES: usize = std::mem::size_of::<u32>();

/// One value end from a set's data (`END_BYTES` bytes).
#[inline(always)]
fn read_end(bytes: &[u8]) -> usize {
    u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
}

impl LabelSet {
    /// A set with no labels. Made afresh each time (two tiny allocations): a cached one would live
    /// in a static, and a host that unloads the library would lose its heap blocks.
    pub fn empty() -> Self {
        LabelSet::from_parts::<&str>(Arc::from(Vec::new()), &[])
    }

    /// Builds a set from pairs, validating the names and rejecting duplicates.
    pub fn new<N: AsRef<str>, V: AsRef<str>>(pairs: &[(N, V)]) -> Result<Self> {
        let mut names: Vec<Box<str>> = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let name = name.as_ref();
            validate_label_name(name, default_validation())?;
            if names.iter().any(|n| &**n == name) {
                return Err(Error::DuplicateLabelName(name.to_owned()));
            }
            names.push(name.into());
        }
        let values: Vec<&str> = pairs.iter().map(|(_, v)| v.as_ref()).collect();
        Ok(Self::from_parts(names.into(), &values))
    }

    /// Builds a set from names already validated (a family's) and matching values.
    pub(crate) fn from_parts<V: AsRef<str>>(names: Arc<[Box<str>]>, values: &[V]) -> Self {
        debug_assert_eq!(names.len(), values.len());
        let mut rendered = String::new();
        for (i, (name, value)) in names.iter().zip(values).enumerate() {
            if i > 0 {
                rendered.push(',');
            }
            push_name(&mut rendered, NameKind::Label, &[name], Escaping::AllowUtf8);
            rendered.push_str("=\"");
            push_label_value(&mut rendered, value.as_ref());
            rendered.push('"');
        }
        let values_len: usize = values.iter().map(|v| v.as_ref().len()).sum();
        let mut data = Vec::with_capacity(values.len() * END_BYTES + values_len + rendered.len());
        let mut end = 0u32;
        for value in values {
            end += u32::try_from(value.as_ref().len()).expect("label values under 4 GiB");
            data.extend_from_slice(&end.to_ne_bytes());
        }
        for value in values {
            data.extend_from_slice(value.as_ref().as_bytes());
        }
        data.extend_from_slice(rendered.as_bytes());
        LabelSet {
            names,
            data: data.into(),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Starts loading the set's data (see `ChildMetric::prefetch`).
    #[inline]
    pub(crate) fn prefetch(&self) {
        crate::util::prefetch(self.data.as_ptr());
    }

    /// Starts loading the rest of a long rendered text, once the start of the data has arrived.
    #[inline]
    pub(crate) fn prefetch_rendered(&self) {
        if self.data.len() > 48 {
            crate::util::prefetch(self.data[self.data.len() - 1..].as_ptr());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The names as shared with the family's other sets: one allocation for every child of a
    /// built-in family, so encoders decide what the names need once per family.
    #[inline]
    pub(crate) fn shared_names(&self) -> &Arc<[Box<str>]> {
        &self.names
    }

    /// The values in order.
    #[inline]
    pub fn values(&self) -> Values<'_> {
        let (ends, text) = self.data.split_at(self.len() * END_BYTES);
        Values {
            ends: ends.chunks_exact(END_BYTES),
            text,
            start: 0,
        }
    }

    /// Where each value ends, counted from the start of the first.
    #[inline]
    fn ends(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.data[..self.len() * END_BYTES]
            .chunks_exact(END_BYTES)
            .map(read_end)
    }

    /// The end of the values, counted from the start of the first.
    #[inline]
    fn values_end(&self) -> usize {
        match self.len() {
            0 => 0,
            n => read_end(&self.data[(n - 1) * END_BYTES..n * END_BYTES]),
        }
    }

    /// Whether the values are exactly these, compared as bytes.
    #[inline]
    pub(crate) fn values_equal<'a>(
        &self,
        count: usize,
        values: impl Iterator<Item = &'a [u8]>,
    ) -> bool {
        if self.len() != count {
            return false;
        }
        let text = &self.data[self.len() * END_BYTES..];
        let mut start = 0;
        for (end, value) in self.ends().zip(values) {
            match text.get(start..end) {
                Some(ours) if short_bytes_eq(ours, value) => start = end,
                _ => return false,
            }
        }
        true
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().map(|n| &**n).zip(self.values())
    }

    /// The value of the label called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `a="x",b="y"`, escaped, without braces; empty for an empty set.
    #[inline]
    pub fn rendered(&self) -> &str {
        let start = self.len() * END_BYTES + self.values_end();
        // SAFETY: from `start` on, the data holds the rendered form, copied from a `String`.
        unsafe { std::str::from_utf8_unchecked(self.data.get_unchecked(start..)) }
    }

    /// Number of characters OpenMetrics counts against the exemplar limit: names plus values.
    pub fn char_count(&self) -> usize {
        self.iter()
            .map(|(n, v)| n.chars().count() + v.chars().count())
            .sum()
    }
}

/// Byte equality without a call to `memcmp` for the short strings label values usually are: a
/// lookup compares a value or two, and the call would cost more than the comparison.
#[inline(always)]
fn short_bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two loads that overlap cover every byte of a slice of their size up to twice it.
    fn word8(s: &[u8], at: usize) -> u64 {
        u64::from_ne_bytes(s[at..at + 8].try_into().unwrap())
    }
    fn word4(s: &[u8], at: usize) -> u32 {
        u32::from_ne_bytes(s[at..at + 4].try_into().unwrap())
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

impl PartialEq for LabelSet {
    fn eq(&self, other: &Self) -> bool {
        // The data holds the value lengths and bytes (and the rendered form, which follows).
        (Arc::ptr_eq(&self.data, &other.data) || self.data == other.data)
            && self.names == other.names
    }
}

/// The values of a [`LabelSet`], in order.
#[derive(Clone, Debug)]
pub struct Values<'a> {
    ends: std::slice::ChunksExact<'a, u8>,
    text: &'a [u8],
    start: usize,
}

impl<'a> Iterator for Values<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let end = read_end(self.ends.next()?);
        // SAFETY: the bytes between two ends are one value, copied from a `str`.
        let value =
            unsafe { std::str::from_utf8_unchecked(self.text.get_unchecked(self.start..end)) };
        self.start = end;
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

impl ExactSizeIterator for Values<'_> {}

/// OpenMetrics allows at most this many characters across an exemplar's label names and values.
pub const EXEMPLAR_MAX_LABEL_CHARS: usize = 128;

/// An exemplar: a sample of the event behind a counter increment or a histogram observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar {
    pub labels: LabelSet,
    pub value: f64,
    /// Seconds since the Unix epoch.
    pub timestamp: Option<f64>,
}

impl Exemplar {
    /// Validates the labels (names, duplicates, the 128-character limit) and the value.
    pub fn new<N: AsRef<str>, V: AsRef<str>>(
        labels: &[(N, V)],
        value: f64,
        timestamp: Option<f64>,
    ) -> Result<Self> {
        let labels = LabelSet::new(labels).map_err(|e| Error::InvalidExemplar(e.to_string()))?;
        let chars = labels.char_count();
        if chars > EXEMPLAR_MAX_LABEL_CHARS {
            return Err(Error::InvalidExemplar(format!(
                "labels have {chars} characters, more than the {EXEMPLAR_MAX_LABEL_CHARS} OpenMetrics allows"
            )));
        }
        if value.is_nan() {
            return Err(Error::InvalidExemplar("value is NaN".into()));
        }
        if let Some(ts) = timestamp {
            if !ts.is_finite() {
                return Err(Error::InvalidExemplar("timestamp is not finite".into()));
            }
        }
        Ok(Exemplar {
            labels,
            value,
            timestamp,
        })
    }
}

/// The value of one point, by type.
#[derive(Clone, Debug, PartialEq)]
pub enum PointValue {
    Counter {
        value: f64,
        /// Seconds since the Unix epoch when the counter was created or last reset.
        created: Option<f64>,
        exemplar: Option<Exemplar>,
    },
    Gauge {
        value: f64,
    },
    Histogram {
        /// Upper bounds, ending with `+Inf`; shared by every point of a family.
        bounds: Arc<[f64]>,
        /// Cumulative counts, one per bound; the last equals `count`.
        cumulative: Vec<u64>,
        sum: f64,
        count: u64,
        created: Option<f64>,
        /// One slot per bucket, or empty when no exemplar was ever recorded.
        exemplars: Vec<Option<Exemplar>>,
        /// The native buckets of a native histogram (whose `bounds` are then its classic
        /// buckets, or empty when it has none).
        native: Option<Box<NativeBuckets>>,
    },
    Summary {
        /// `(quantile, value)` pairs in increasing quantile order.
        quantiles: Vec<(f64, f64)>,
        sum: f64,
        count: u64,
        created: Option<f64>,
    },
    /// An info point: value 1, with these labels added to the point's own.
    Info {
        info: LabelSet,
    },
    StateSet {
        /// The state names, shared by every point of a family.
        states: Arc<[Box<str>]>,
        /// Whether each state is set.
        active: Vec<bool>,
    },
    Unknown {
        value: f64,
    },
}

/// A run of neighbouring native buckets: it starts `offset` keys after the end of the previous
/// span (after key 0 for the first) and holds `length` buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BucketSpan {
    pub offset: i32,
    pub length: u32,
}

/// The native (exponential) buckets of a histogram point, as Prometheus models them: bucket `k`
/// holds the observations whose magnitude lies in `(b^(k-1), b^k]` with `b = 2^(2^-schema)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeBuckets {
    /// From -4 (coarsest) to 8 (finest).
    pub schema: i32,
    /// Observations within `±zero_threshold` are in the zero bucket.
    pub zero_threshold: f64,
    pub zero_count: u64,
    pub positive_spans: Vec<BucketSpan>,
    /// The count of each bucket the positive spans cover, in order (absolute, not deltas).
    pub positive_counts: Vec<u64>,
    pub negative_spans: Vec<BucketSpan>,
    pub negative_counts: Vec<u64>,
    /// The exemplars of the native histogram, whatever their buckets, sorted by value.
    pub exemplars: Vec<Exemplar>,
}

impl NativeBuckets {
    /// The buckets of sorted `(key, count)` pairs, one span per run of neighbouring keys (no
    /// zero-count buckets, as OpenMetrics 2.0 asks).
    pub(crate) fn from_sorted(
        schema: i32,
        zero_threshold: f64,
        zero_count: u64,
        positive: &[(i32, u64)],
        negative: &[(i32, u64)],
        exemplars: Vec<Exemplar>,
    ) -> Self {
        let (positive_spans, positive_counts) = spans(positive);
        let (negative_spans, negative_counts) = spans(negative);
        NativeBuckets {
            schema,
            zero_threshold,
            zero_count,
            positive_spans,
            positive_counts,
            negative_spans,
            negative_counts,
            exemplars,
        }
    }
}

fn spans(pairs: &[(i32, u64)]) -> (Vec<BucketSpan>, Vec<u64>) {
    let mut spans: Vec<BucketSpan> = Vec::new();
    let mut counts = Vec::with_capacity(pairs.len());
    let mut next = 0i32;
    for (index, (key, count)) in pairs.iter().enumerate() {
        match spans.last_mut() {
            Some(span) if index > 0 && *key == next => span.length += 1,
            _ => spans.push(BucketSpan {
                offset: key - next,
                length: 1,
            }),
        }
        counts.push(*count);
        next = key + 1;
    }
    (spans, counts)
}

impl NativeBuckets {
    /// The keys and counts of the buckets of one sign, in order.
    pub fn buckets(spans: &[BucketSpan], counts: &[u64]) -> Vec<(i32, u64)> {
        let mut pairs = Vec::with_capacity(counts.len());
        let mut key = 0i32;
        let mut counts = counts.iter();
        for (index, span) in spans.iter().enumerate() {
            key = if index == 0 {
                span.offset
            } else {
                key + span.offset
            };
            for _ in 0..span.length {
                match counts.next() {
                    Some(count) => pairs.push((key, *count)),
                    None => return pairs,
                }
                key += 1;
            }
        }
        pairs
    }

    /// The count of every bucket, zero bucket included.
    pub fn total(&self) -> u64 {
        // Saturating: the counts of a custom collector's point are whatever it says.
        self.positive_counts
            .iter()
            .chain(&self.negative_counts)
            .fold(self.zero_count, |total, count| total.saturating_add(*count))
    }
}

/// One labelled point of a family.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricPoint {
    pub labels: LabelSet,
    pub value: PointValue,
    /// Seconds since the Unix epoch; set only by custom collectors that report their own time.
    pub timestamp: Option<f64>,
}

/// A collected metric family.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricFamily {
    /// The family name: without `_total` for counters, without `_info` for info metrics.
    pub name: Arc<str>,
    pub help: Arc<str>,
    pub kind: MetricType,
    /// OpenMetrics unit; when set, `name` ends with `_<unit>`.
    pub unit: Option<Arc<str>>,
    pub points: Vec<MetricPoint>,
}

/// One flattened sample, as a text format shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The full sample name, suffix included (`x_total`, `x_bucket`, ...).
    pub name: String,
    /// The point's labels followed by any the sample adds (`le`, `quantile`, the state label, the
    /// info labels).
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub timestamp: Option<f64>,
    pub exemplar: Option<Exemplar>,
}

/// Which samples [`MetricFamily::samples`] includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleStyle {
    /// What Prometheus text 0.0.4 shows: no `_created` samples.
    Prometheus,
    /// What OpenMetrics shows: `_created` samples included.
    OpenMetrics,
}

impl MetricFamily {
    /// The family's samples in exposition order, with suffixes and extra labels applied.
    pub fn samples(&self, style: SampleStyle) -> Vec<Sample> {
        let name = &*self.name;
        let mut out = Vec::new();
        for point in &self.points {
            let base: Vec<(String, String)> = point
                .labels
                .iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            point.value.flatten(style, |flat| {
                let mut labels = base.clone();
                match flat.extra {
                    ExtraLabel::None => {}
                    ExtraLabel::Bound { name, value, .. } => {
                        labels.push((name.to_owned(), format_bound(value)))
                    }
                    ExtraLabel::State { state, .. } => {
                        labels.push((self.name.to_string(), state.to_owned()))
                    }
                    ExtraLabel::Info(info) => {
                        labels.extend(info.iter().map(|(n, v)| (n.to_owned(), v.to_owned())))
                    }
                }
                out.push(Sample {
                    name: format!("{name}{}", flat.suffix.as_str()),
                    labels,
                    value: flat.value,
                    timestamp: point.timestamp,
                    exemplar: flat.exemplar.cloned(),
                });
            });
        }
        out
    }
}

/// The suffixes a sample name can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Suffix {
    None,
    Total,
    Created,
    Bucket,
    Count,
    Sum,
    Info,
}

impl Suffix {
    pub(crate) const COUNT: usize = 7;

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Suffix::None => "",
            Suffix::Total => "_total",
            Suffix::Created => "_created",
            Suffix::Bucket => "_bucket",
            Suffix::Count => "_count",
            Suffix::Sum => "_sum",
            Suffix::Info => "_info",
        }
    }
}

/// The label a flattened sample adds after its point's own.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ExtraLabel<'a> {
    None,
    /// `le` (a histogram bucket) or `quantile` (a summary quantile): element `index` of the
    /// point's bounds or quantiles, `bounds.len()` for a `+Inf` bucket the point lacks.
    Bound {
        name: &'static str,
        index: usize,
        value: f64,
    },
    /// A state set's state `index`; the label is named after the family.
    State {
        index: usize,
        state: &'a str,
    },
    /// An info point's labels.
    Info(&'a LabelSet),
}

/// One sample of a point, before names and labels are spelled out: what
/// [`PointValue::flatten`] yields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlatSample<'a> {
    pub suffix: Suffix,
    pub extra: ExtraLabel<'a>,
    pub value: f64,
    pub exemplar: Option<&'a Exemplar>,
}

impl PointValue {
    /// Calls `emit` with each sample of the point in exposition order, as `style` shows them:
    /// the one place that knows which samples a type has ([`MetricFamily::samples`] and the C
    /// snapshot spell them out, each in its own storage).
    pub(crate) fn flatten<'a>(&'a self, style: SampleStyle, mut emit: impl FnMut(FlatSample<'a>)) {
        let mut sample = |suffix, extra, value, exemplar| {
            emit(FlatSample {
                suffix,
                extra,
                value,
                exemplar,
            })
        };
        let created = |created: &Option<f64>| created.filter(|_| style == SampleStyle::OpenMetrics);
        match self {
            PointValue::Counter {
                value,
                created: stamp,
                exemplar,
            } => {
                sample(Suffix::Total, ExtraLabel::None, *value, exemplar.as_ref());
                if let Some(stamp) = created(stamp) {
                    sample(Suffix::Created, ExtraLabel::None, stamp, None);
                }
            }
            PointValue::Gauge { value } | PointValue::Unknown { value } => {
                sample(Suffix::None, ExtraLabel::None, *value, None)
            }
            PointValue::Histogram {
                bounds,
                cumulative,
                sum,
                count,
                created: stamp,
                exemplars,
                ..
            } => {
                let buckets = bounds.len().min(cumulative.len());
                for (index, (bound, cum)) in bounds.iter().zip(cumulative).enumerate() {
                    let extra = ExtraLabel::Bound {
                        name: "le",
                        index,
                        value: *bound,
                    };
                    let exemplar = exemplars.get(index).and_then(Option::as_ref);
                    sample(Suffix::Bucket, extra, *cum as f64, exemplar);
                }
                if lacks_inf_bucket(&bounds[..buckets]) {
                    let extra = ExtraLabel::Bound {
                        name: "le",
                        index: buckets,
                        value: f64::INFINITY,
                    };
                    sample(Suffix::Bucket, extra, *count as f64, None);
                }
                if histogram_has_sum(bounds, style) {
                    sample(Suffix::Count, ExtraLabel::None, *count as f64, None);
                    sample(Suffix::Sum, ExtraLabel::None, *sum, None);
                }
                if let Some(stamp) = created(stamp) {
                    sample(Suffix::Created, ExtraLabel::None, stamp, None);
                }
            }
            PointValue::Summary {
                quantiles,
                sum,
                count,
                created: stamp,
            } => {
                for (index, (quantile, value)) in quantiles.iter().enumerate() {
                    let extra = ExtraLabel::Bound {
                        name: "quantile",
                        index,
                        value: *quantile,
                    };
                    sample(Suffix::None, extra, *value, None);
                }
                sample(Suffix::Count, ExtraLabel::None, *count as f64, None);
                sample(Suffix::Sum, ExtraLabel::None, *sum, None);
                if let Some(stamp) = created(stamp) {
                    sample(Suffix::Created, ExtraLabel::None, stamp, None);
                }
            }
            PointValue::Info { info } => sample(Suffix::Info, ExtraLabel::Info(info), 1.0, None),
            PointValue::StateSet { states, active } => {
                for (index, (state, on)) in states.iter().zip(active).enumerate() {
                    let extra = ExtraLabel::State { index, state };
                    sample(Suffix::None, extra, if *on { 1.0 } else { 0.0 }, None);
                }
            }
        }
    }
}

/// Whether a histogram's buckets lack the `+Inf` one. Both formats require it; the metric API
/// always has it, a custom collector may not, and then it is exposed holding the count (as
/// client_golang writes it).
pub fn lacks_inf_bucket(bounds: &[f64]) -> bool {
    bounds.last() != Some(&f64::INFINITY)
}

/// Whether a histogram shows `_count` and `_sum`: always in Prometheus text, and in OpenMetrics
/// only without negative buckets, since OpenMetrics forbids the sum there (and the count goes
/// with it).
pub fn histogram_has_sum(bounds: &[f64], style: SampleStyle) -> bool {
    style == SampleStyle::Prometheus || !bounds.iter().any(|bound| *bound < 0.0)
}

/// How `le` and `quantile` label values are written: the shortest round-trip form with a `.0` on
/// integers (`0.25`, `1.0`, `+Inf`), as client_python writes them and OpenMetrics canonicalises them.
pub fn format_bound(value: f64) -> String {
    let mut s = String::new();
    crate::text::number::push_bound(&mut s, value);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_keep_values_rendered_form_and_equality() {
        let set = LabelSet::new(&[("a", "x\"y"), ("b", ""), ("c", "zz")]).unwrap();
        assert_eq!(set.len(), 3);
        assert_eq!(set.values().collect::<Vec<_>>(), ["x\"y", "", "zz"]);
        assert_eq!(set.rendered(), r#"a="x\"y",b="",c="zz""#);
        assert_eq!(set.get("c"), Some("zz"));
        let same = LabelSet::new(&[("a", "x\"y"), ("b", ""), ("c", "zz")]).unwrap();
        let shifted = LabelSet::new(&[("a", "x\""), ("b", "y"), ("c", "zz")]).unwrap();
        let renamed = LabelSet::new(&[("a", "x\"y"), ("b", ""), ("d", "zz")]).unwrap();
        assert_eq!(set, same);
        assert_ne!(set, shifted);
        assert_ne!(set, renamed);
        assert!(set.values_equal(3, [&b"x\"y"[..], b"", b"zz"].into_iter()));
        assert!(!set.values_equal(3, [&b"x\""[..], b"y", b"zz"].into_iter()));
        assert!(!set.values_equal(2, [&b"x\"y"[..], b""].into_iter()));
        assert!(LabelSet::empty().is_empty() && LabelSet::empty().rendered().is_empty());
        let long = "0123456789abcdefghij";
        for n in 0..=long.len() {
            let (a, b) = (&long.as_bytes()[..n], long[..n].to_string().into_bytes());
            assert!(short_bytes_eq(a, &b), "{n}");
            for i in 0..n {
                let mut c = b.clone();
                c[i] ^= 1;
                assert!(!short_bytes_eq(a, &c), "{n} {i}");
            }
        }
        assert!(!short_bytes_eq(b"abc", b"ab"));
        let many: Vec<(String, String)> =
            (0..9).map(|i| (format!("l{i}"), "é".repeat(i))).collect();
        let many = LabelSet::new(&many).unwrap();
        assert_eq!(many.values().nth(8), Some("éééééééé"));
        assert_eq!(many.len(), 9);
        assert!(many.rendered().starts_with(r#"l0="",l1="é","#));
    }

    fn histogram(bounds: &[f64], cumulative: Vec<u64>) -> MetricFamily {
        MetricFamily {
            name: "h".into(),
            help: "".into(),
            kind: MetricType::Histogram,
            unit: None,
            points: vec![MetricPoint {
                labels: LabelSet::empty(),
                value: PointValue::Histogram {
                    bounds: bounds.into(),
                    cumulative,
                    sum: -1.5,
                    count: 3,
                    created: Some(10.0),
                    exemplars: Vec::new(),
                    native: None,
                },
                timestamp: None,
            }],
        }
    }

    fn names(samples: &[Sample]) -> Vec<String> {
        samples
            .iter()
            .map(|s| match s.labels.iter().find(|(n, _)| n == "le") {
                Some((_, le)) => format!("{}{{le={le}}}={}", s.name, s.value),
                None => format!("{}={}", s.name, s.value),
            })
            .collect()
    }

    #[test]
    fn a_missing_inf_bucket_is_added_holding_the_count() {
        let family = histogram(&[1.0], vec![2]);
        assert_eq!(
            names(&family.samples(SampleStyle::Prometheus)),
            [
                "h_bucket{le=1.0}=2",
                "h_bucket{le=+Inf}=3",
                "h_count=3",
                "h_sum=-1.5"
            ]
        );
    }

    #[test]
    fn openmetrics_drops_sum_and_count_with_negative_buckets() {
        let family = histogram(&[-1.0, f64::INFINITY], vec![1, 3]);
        assert_eq!(
            names(&family.samples(SampleStyle::OpenMetrics)),
            ["h_bucket{le=-1.0}=1", "h_bucket{le=+Inf}=3", "h_created=10"]
        );
        assert_eq!(family.samples(SampleStyle::Prometheus).len(), 4);
    }
}
