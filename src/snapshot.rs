//! The data model a collection produces: metric families holding typed points.
//!
//! Collectors (the built-in families and custom ones) turn their live state into these values; the
//! exposition formats render them and the C snapshot API hands them to bindings. A point keeps its
//! type (a histogram point holds all its buckets), and [`MetricFamily::samples`] flattens it into
//! the samples a text format shows, so no consumer has to know the suffix rules.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::exposition::escape::push_label_value;
use crate::name::validate_label_name;

/// The type of a metric family, as OpenMetrics names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Info,
    StateSet,
    Unknown,
}

impl MetricType {
    /// The OpenMetrics type name.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }
}

/// An ordered set of label pairs, cheap to clone, with its text form rendered once.
///
/// The rendered form is `a="x",b="y"` (escaped, no braces), so encoders copy it instead of
/// escaping every label on every scrape.
#[derive(Clone, Debug)]
pub struct LabelSet(Arc<LabelSetInner>);

#[derive(Debug)]
struct LabelSetInner {
    names: Arc<[Box<str>]>,
    values: Box<[Box<str>]>,
    rendered: Box<str>,
}

impl LabelSet {
    /// A set with no labels.
    pub fn empty() -> Self {
        static EMPTY: std::sync::OnceLock<LabelSet> = std::sync::OnceLock::new();
        EMPTY
            .get_or_init(|| LabelSet::from_parts(Arc::from(Vec::new()), Box::new([])))
            .clone()
    }

    /// Builds a set from pairs, validating the names and rejecting duplicates.
    pub fn new<N: AsRef<str>, V: AsRef<str>>(pairs: &[(N, V)]) -> Result<Self> {
        let mut names: Vec<Box<str>> = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let name = name.as_ref();
            validate_label_name(name)?;
            if names.iter().any(|n| &**n == name) {
                return Err(Error::DuplicateLabelName(name.to_owned()));
            }
            names.push(name.into());
        }
        let values = pairs.iter().map(|(_, v)| v.as_ref().into()).collect();
        Ok(Self::from_parts(names.into(), values))
    }

    /// Builds a set from names already validated (a family's) and matching values.
    pub(crate) fn from_parts(names: Arc<[Box<str>]>, values: Box<[Box<str>]>) -> Self {
        debug_assert_eq!(names.len(), values.len());
        let mut rendered = String::new();
        for (i, (name, value)) in names.iter().zip(values.iter()).enumerate() {
            if i > 0 {
                rendered.push(',');
            }
            rendered.push_str(name);
            rendered.push_str("=\"");
            push_label_value(&mut rendered, value);
            rendered.push('"');
        }
        LabelSet(Arc::new(LabelSetInner {
            names,
            values,
            rendered: rendered.into_boxed_str(),
        }))
    }

    pub fn len(&self) -> usize {
        self.0.values.len()
    }

    /// Starts loading the set's shared block (see `ChildMetric::prefetch`).
    #[inline]
    pub(crate) fn prefetch(&self) {
        crate::metric::prefetch(Arc::as_ptr(&self.0));
    }

    /// Starts loading the rendered text; best once the shared block is in the cache.
    #[inline]
    pub(crate) fn prefetch_rendered(&self) {
        crate::metric::prefetch(self.0.rendered.as_ptr());
    }

    pub fn is_empty(&self) -> bool {
        self.0.values.is_empty()
    }

    pub fn names(&self) -> &[Box<str>] {
        &self.0.names
    }

    pub fn values(&self) -> &[Box<str>] {
        &self.0.values
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .names
            .iter()
            .zip(self.0.values.iter())
            .map(|(n, v)| (&**n, &**v))
    }

    /// The value of the label called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `a="x",b="y"`, escaped, without braces; empty for an empty set.
    pub fn rendered(&self) -> &str {
        &self.0.rendered
    }

    /// Number of characters OpenMetrics counts against the exemplar limit: names plus values.
    pub fn char_count(&self) -> usize {
        self.iter()
            .map(|(n, v)| n.chars().count() + v.chars().count())
            .sum()
    }
}

impl PartialEq for LabelSet {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.names == other.0.names && self.0.values == other.0.values)
    }
}

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
    crate::exposition::number::push_bound(&mut s, value);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
