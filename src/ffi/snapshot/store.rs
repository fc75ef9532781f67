//! The storage behind a `pe_snapshot`, and how it is built from a registry.
//!
//! A snapshot is four flat arrays of the C structs the header declares (families, samples,
//! labels, exemplars) and one text buffer holding every string once, NUL-terminated. The arrays
//! point into each other and into the text, so `pe_snapshot_families()` lends them as they are and
//! the per-field accessors only index them.
//!
//! It is built straight from the registry's live families, as the text exposition is
//! ([`Registry::with_items`]): no intermediate points or samples are allocated. What repeats is
//! written once: a family's sample names and label names, `le` and `quantile` values, state names;
//! a series' label values are written once and shared by its samples (a counter's `_total` and
//! `_created` samples point at the same labels; a bucket gets a copy of the label entries, not of
//! the strings).

use std::ffi::c_char;
use std::ptr::{null, without_provenance};

use super::{pe_snapshot_exemplar, pe_snapshot_family, pe_snapshot_label, pe_snapshot_sample};
use crate::exposition::parse::{Number, ParsedFamily, Timestamp};
use crate::registry::{Item, Registry};
use crate::snapshot::{
    Exemplar, ExtraLabel, LabelSet, MetricType, NativeBuckets, PointValue, SampleStyle, Suffix,
};
use crate::text::number::push_bound;

/// A frozen collection. Immutable once built: the pointers inside its arrays stay valid for its
/// whole life (their targets are heap buffers it owns and never resizes).
pub(crate) struct Snapshot {
    text: String,
    pub(super) families: Vec<pe_snapshot_family>,
    samples: Vec<pe_snapshot_sample>,
    labels: Vec<pe_snapshot_label>,
    exemplars: Vec<pe_snapshot_exemplar>,
    /// The native buckets of native histogram points, and for each sample the index of its
    /// point's (`NO_NATIVE` for none): beside the C structs, whose layout callers compiled in.
    natives: Vec<NativeBuckets>,
    native_of: Vec<u32>,
    /// For a snapshot of a parsed text, each sample's numbers as written (empty otherwise).
    parsed: Vec<ParsedNumbers>,
}

/// The numbers of a parsed sample as the text wrote them: integers of any size stay integers,
/// OpenMetrics timestamps keep their seconds and nanoseconds (see `exposition::parse`).
pub(crate) struct ParsedNumbers {
    pub(crate) value: Number,
    pub(crate) timestamp: Option<Timestamp>,
    pub(crate) exemplar: Option<(Number, Option<Timestamp>)>,
}

/// A sample whose point has no native buckets.
const NO_NATIVE: u32 = u32::MAX;

// SAFETY: the raw pointers only point into the snapshot's own buffers, which are never written
// after `Builder::finish`; sharing or sending it is sharing or sending immutable data.
unsafe impl Send for Snapshot {}
unsafe impl Sync for Snapshot {}

impl Snapshot {
    /// Collects the families of `registry` that `keep` selects.
    pub(crate) fn collect(registry: &Registry, keep: impl Fn(&str, MetricType) -> bool) -> Self {
        registry.with_items(keep, |items| {
            let mut builder = Builder::default();
            for item in items {
                match item {
                    Item::Live(live, header) => {
                        let (points, _) = live.size_hint();
                        builder.start_family(header, points);
                        live.visit_points(&mut |labels, value| {
                            builder.push_point(labels, value, None)
                        });
                    }
                    Item::Collected(family) => {
                        builder.start_family(family, family.points.len());
                        for point in &family.points {
                            builder.push_point(&point.labels, &point.value, point.timestamp);
                        }
                    }
                }
                builder.end_family();
            }
            builder.finish()
        })
    }

    /// A snapshot of parsed families: each sample as read, its numbers kept as written beside
    /// the C structs (see [`Snapshot::parsed_of`]).
    pub(crate) fn from_parsed(families: &[ParsedFamily]) -> Self {
        let mut builder = Builder::default();
        for family in families {
            builder.push_parsed_family(family);
        }
        builder.finish()
    }

    /// The numbers of `sample` (one of ours) as written, in a snapshot of a parsed text.
    pub(crate) fn parsed_of(&self, sample: &pe_snapshot_sample) -> Option<&ParsedNumbers> {
        let index = (sample as *const pe_snapshot_sample).addr() - self.samples.as_ptr().addr();
        self.parsed
            .get(index / std::mem::size_of::<pe_snapshot_sample>())
    }

    /// The native buckets of the point `sample` (one of ours) belongs to, if it has them.
    pub(crate) fn native_of(&self, sample: &pe_snapshot_sample) -> Option<&NativeBuckets> {
        let index = (sample as *const pe_snapshot_sample).addr() - self.samples.as_ptr().addr();
        let native = *self
            .native_of
            .get(index / std::mem::size_of::<pe_snapshot_sample>())?;
        self.natives.get(native as usize)
    }

    /// Every string of the snapshot lies in this buffer.
    pub(crate) fn text(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The samples of `family` (one of ours).
    pub(crate) fn samples_of(&self, family: &pe_snapshot_family) -> &[pe_snapshot_sample] {
        within(&self.samples, family.samples, family.n_samples)
    }

    /// The labels a sample or an exemplar of ours points at.
    pub(crate) fn labels_at(
        &self,
        labels: *const pe_snapshot_label,
        n: usize,
    ) -> &[pe_snapshot_label] {
        within(&self.labels, labels, n)
    }

    /// The exemplar of `sample` (one of ours), if any.
    pub(crate) fn exemplar_of(&self, sample: &pe_snapshot_sample) -> Option<&pe_snapshot_exemplar> {
        if sample.exemplar.is_null() {
            None
        } else {
            within(&self.exemplars, sample.exemplar, 1).first()
        }
    }

    /// The string at `ptr`, `len` bytes long (without its NUL), as one of our structs holds it.
    pub(super) fn str(&self, ptr: *const c_char, len: usize) -> &str {
        let start = ptr.addr().wrapping_sub(self.text.as_ptr().addr());
        // Every string was pushed whole (cut before a NUL, an ASCII byte), so `get` finds it on
        // character boundaries; a pointer from elsewhere gives "" or a panic, never a stray read.
        self.text
            .get(start..start.saturating_add(len))
            .unwrap_or_default()
    }
}

/// The `len` elements of `buffer` that `ptr` points at, found by offset, without reading through
/// the pointer: a pointer that is not into `buffer` panics (out of bounds), never reads elsewhere.
fn within<T>(buffer: &[T], ptr: *const T, len: usize) -> &[T] {
    if len == 0 {
        return &[];
    }
    let bytes = ptr.addr().wrapping_sub(buffer.as_ptr().addr());
    debug_assert_eq!(bytes % size_of::<T>(), 0);
    let start = bytes / size_of::<T>();
    &buffer[start..start + len]
}

/// A string of the text being built: its offset and its length without the NUL.
#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    len: usize,
}

/// A snapshot under construction. Its structs hold offsets where the finished ones hold pointers
/// (text offsets, array indices; an exemplar's index plus one, 0 for none), since the buffers
/// still move as they grow; [`Builder::finish`] turns them into pointers once nothing grows.
#[derive(Default)]
struct Builder {
    text: String,
    families: Vec<pe_snapshot_family>,
    samples: Vec<pe_snapshot_sample>,
    labels: Vec<pe_snapshot_label>,
    exemplars: Vec<pe_snapshot_exemplar>,
    natives: Vec<NativeBuckets>,
    native_of: Vec<u32>,
    parsed: Vec<ParsedNumbers>,
    /// The current family's name and sample names, written when first used.
    family_name: Span,
    sample_names: [Option<Span>; Suffix::COUNT],
    /// The label names of the current family's last point, and which list they were read from
    /// (a family's children share one list; reset per family, while that list is alive).
    label_names: Vec<Span>,
    label_names_of: Option<(*const Box<str>, usize)>,
    /// `le` and `quantile` values by index in their list, with the value they render.
    bounds: [Vec<Option<(u64, Span)>>; 2],
    bound_names: [Option<Span>; 2],
    /// The current family's state names, by index.
    states: Vec<Span>,
    scratch: String,
}

impl Builder {
    fn start_family(&mut self, header: &crate::snapshot::MetricFamily, points: usize) {
        self.family_name = self.push_str(&header.name);
        let help = self.push_str(&header.help);
        let unit = self.push_str(header.unit.as_deref().unwrap_or(""));
        // Room for the samples where their number per point is known from the type (a counter's
        // `_created` is nearly always there); histograms, summaries and state sets grow as read.
        let per_point = match header.kind {
            MetricType::Counter => 2,
            MetricType::Gauge | MetricType::Unknown | MetricType::Info => 1,
            MetricType::Histogram | MetricType::Summary | MetricType::StateSet => 0,
        };
        self.samples.reserve(points * per_point);
        self.sample_names = [None; Suffix::COUNT];
        self.label_names_of = None;
        self.states.clear();
        self.families.push(pe_snapshot_family {
            name: offset(self.family_name.start),
            name_len: self.family_name.len,
            help: offset(help.start),
            help_len: help.len,
            unit: offset(unit.start),
            unit_len: unit.len,
            kind: header.kind.into(),
            samples: offset(self.samples.len()),
            n_samples: 0,
        });
    }

    /// Appends a parsed family and its samples, each with its own strings.
    fn push_parsed_family(&mut self, family: &ParsedFamily) {
        let name = self.push_whole_str(&family.name);
        let help = self.push_whole_str(&family.help);
        let unit = self.push_whole_str(&family.unit);
        self.families.push(pe_snapshot_family {
            name: offset(name.start),
            name_len: name.len,
            help: offset(help.start),
            help_len: help.len,
            unit: offset(unit.start),
            unit_len: unit.len,
            kind: family.kind.into(),
            samples: offset(self.samples.len()),
            n_samples: 0,
        });
        for sample in &family.samples {
            let name = self.push_whole_str(&sample.name);
            let labels = self.labels.len();
            for (n, v) in &sample.labels {
                let label = Self::label(self.push_whole_str(n), self.push_whole_str(v));
                self.labels.push(label);
            }
            let exemplar = sample.exemplar.as_ref().map_or(null(), |exemplar| {
                let start = self.labels.len();
                for (n, v) in &exemplar.labels {
                    let label = Self::label(self.push_whole_str(n), self.push_whole_str(v));
                    self.labels.push(label);
                }
                let timestamp = exemplar.timestamp.as_ref().map(Timestamp::to_f64);
                self.exemplars.push(pe_snapshot_exemplar {
                    labels: offset(start),
                    n_labels: self.labels.len() - start,
                    value: exemplar.value.to_f64(),
                    timestamp: timestamp.unwrap_or(0.0),
                    has_timestamp: timestamp.is_some(),
                });
                without_provenance(self.exemplars.len())
            });
            let timestamp = sample.timestamp.as_ref().map(Timestamp::to_f64);
            self.samples.push(pe_snapshot_sample {
                name: offset(name.start),
                name_len: name.len,
                labels: offset(labels),
                n_labels: sample.labels.len(),
                value: sample.value.to_f64(),
                timestamp: timestamp.unwrap_or(0.0),
                has_timestamp: timestamp.is_some(),
                exemplar,
            });
            self.native_of.push(NO_NATIVE);
            self.parsed.push(ParsedNumbers {
                value: sample.value.clone(),
                timestamp: sample.timestamp.clone(),
                exemplar: sample
                    .exemplar
                    .as_ref()
                    .map(|e| (e.value.clone(), e.timestamp.clone())),
            });
        }
        self.end_family();
    }

    fn end_family(&mut self) {
        let family = self.families.last_mut().expect("a family was started");
        family.n_samples = self.samples.len() - family.samples.addr();
    }

    /// Appends `s` (cut at an interior NUL, which C cannot see past) and a NUL.
    fn push_str(&mut self, s: &str) -> Span {
        let s = &s[..s.bytes().position(|b| b == 0).unwrap_or(s.len())];
        let start = self.text.len();
        self.text.push_str(s);
        self.text.push('\0');
        Span {
            start,
            len: s.len(),
        }
    }

    /// Appends `s` whole, interior NULs included (a parsed text may hold them; the length counts
    /// them), and a NUL.
    fn push_whole_str(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        self.text.push('\0');
        Span {
            start,
            len: s.len(),
        }
    }

    fn label(name: Span, value: Span) -> pe_snapshot_label {
        pe_snapshot_label {
            name: offset(name.start),
            name_len: name.len,
            value: offset(value.start),
            value_len: value.len,
        }
    }

    /// Appends the samples of one point, as `MetricFamily::samples` flattens it for OpenMetrics.
    fn push_point(&mut self, labels: &LabelSet, value: &PointValue, timestamp: Option<f64>) {
        let native = match value {
            PointValue::Histogram {
                native: Some(native),
                ..
            } => {
                self.natives.push((**native).clone());
                (self.natives.len() - 1) as u32
            }
            _ => NO_NATIVE,
        };
        let first_sample = self.samples.len();
        self.push_samples(labels, value, timestamp);
        self.native_of.resize(
            self.native_of.len() + self.samples.len() - first_sample,
            native,
        );
    }

    fn push_samples(&mut self, labels: &LabelSet, value: &PointValue, timestamp: Option<f64>) {
        let series = self.push_series_labels(labels);
        let n_series = labels.len();
        value.flatten(SampleStyle::OpenMetrics, |flat| {
            let (start, n) = match flat.extra {
                ExtraLabel::None => (series, n_series),
                ExtraLabel::Bound { name, index, value } => {
                    let label = self.bound_label(name, index, value);
                    self.extend_series(series, n_series, std::iter::once(label))
                }
                ExtraLabel::State { index, state } => {
                    let label = Self::label(self.family_name, self.state(index, state));
                    self.extend_series(series, n_series, std::iter::once(label))
                }
                ExtraLabel::Info(info) => {
                    let info: Vec<_> = info
                        .iter()
                        .map(|(n, v)| Self::label(self.push_str(n), self.push_str(v)))
                        .collect();
                    self.extend_series(series, n_series, info.into_iter())
                }
            };
            let exemplar = match flat.exemplar {
                Some(exemplar) => without_provenance(self.push_exemplar(exemplar) + 1),
                None => null(),
            };
            let name = self.sample_name(flat.suffix);
            self.samples.push(pe_snapshot_sample {
                name: offset(name.start),
                name_len: name.len,
                labels: offset(start),
                n_labels: n,
                value: flat.value,
                timestamp: timestamp.unwrap_or(0.0),
                has_timestamp: timestamp.is_some(),
                exemplar,
            });
        });
    }

    /// Writes a point's label values (names once per family) and returns where its labels start.
    fn push_series_labels(&mut self, labels: &LabelSet) -> usize {
        let names = labels.names();
        let key = (names.as_ptr(), names.len());
        if self.label_names_of != Some(key) {
            let same = self.label_names.len() == names.len()
                && self.label_names_of.is_some()
                && self
                    .label_names
                    .iter()
                    .zip(names)
                    .all(|(span, name)| self.span_bytes(*span) == name.as_bytes());
            if !same {
                self.label_names.clear();
                for name in names {
                    let span = self.push_str(name);
                    self.label_names.push(span);
                }
            }
            self.label_names_of = Some(key);
        }
        let start = self.labels.len();
        for (i, value) in labels.values().enumerate() {
            let value = self.push_str(value);
            self.labels.push(Self::label(self.label_names[i], value));
        }
        start
    }

    fn span_bytes(&self, span: Span) -> &[u8] {
        &self.text.as_bytes()[span.start..span.start + span.len]
    }

    /// The point's labels (`n` entries from `series`) followed by `extra`, contiguous: in place
    /// when the point's labels end the array (its first extra-labelled sample), copied otherwise.
    fn extend_series(
        &mut self,
        series: usize,
        n: usize,
        extra: impl Iterator<Item = pe_snapshot_label>,
    ) -> (usize, usize) {
        let start = if self.labels.len() == series + n {
            series
        } else {
            let start = self.labels.len();
            self.labels.extend_from_within(series..series + n);
            start
        };
        self.labels.extend(extra);
        (start, self.labels.len() - start)
    }

    /// The `le` or `quantile` label of element `index` of a point's list, holding `value`.
    fn bound_label(&mut self, name: &'static str, index: usize, value: f64) -> pe_snapshot_label {
        let which = usize::from(name != "le");
        let label_name = match self.bound_names[which] {
            Some(span) => span,
            None => {
                let span = self.push_str(name);
                self.bound_names[which] = Some(span);
                span
            }
        };
        let cached = self.bounds[which].get(index).copied().flatten();
        let span = match cached {
            Some((bits, span)) if bits == value.to_bits() => span,
            _ => {
                self.scratch.clear();
                push_bound(&mut self.scratch, value);
                let text = std::mem::take(&mut self.scratch);
                let span = self.push_str(&text);
                self.scratch = text;
                let cache = &mut self.bounds[which];
                if cache.len() <= index {
                    cache.resize(index + 1, None);
                }
                cache[index] = Some((value.to_bits(), span));
                span
            }
        };
        Self::label(label_name, span)
    }

    /// The text of state `index` of the current family, `state`.
    fn state(&mut self, index: usize, state: &str) -> Span {
        if let Some(&span) = self.states.get(index) {
            if self.span_bytes(span) == state.as_bytes() {
                return span;
            }
        }
        let span = self.push_str(state);
        if self.states.len() <= index {
            self.states.resize(index + 1, Span::default());
        }
        self.states[index] = span;
        span
    }

    fn sample_name(&mut self, suffix: Suffix) -> Span {
        if let Some(span) = self.sample_names[suffix as usize] {
            return span;
        }
        let mut name = std::mem::take(&mut self.scratch);
        name.clear();
        let family = self.family_name;
        name.push_str(&self.text[family.start..family.start + family.len]);
        name.push_str(suffix.as_str());
        let span = self.push_str(&name);
        self.scratch = name;
        self.sample_names[suffix as usize] = Some(span);
        span
    }

    /// Appends an exemplar (its labels written out) and returns its index.
    fn push_exemplar(&mut self, exemplar: &Exemplar) -> usize {
        let start = self.labels.len();
        for (name, value) in exemplar.labels.iter() {
            let label = Self::label(self.push_str(name), self.push_str(value));
            self.labels.push(label);
        }
        self.exemplars.push(pe_snapshot_exemplar {
            labels: offset(start),
            n_labels: self.labels.len() - start,
            value: exemplar.value,
            timestamp: exemplar.timestamp.unwrap_or(0.0),
            has_timestamp: exemplar.timestamp.is_some(),
        });
        self.exemplars.len() - 1
    }

    /// Turns every offset into a pointer, now that no buffer will move again.
    fn finish(self) -> Snapshot {
        let Builder {
            text,
            mut families,
            mut samples,
            mut labels,
            mut exemplars,
            natives,
            native_of,
            parsed,
            ..
        } = self;
        let base = text.as_ptr().cast::<c_char>();
        for label in &mut labels {
            label.name = base.wrapping_add(label.name.addr());
            label.value = base.wrapping_add(label.value.addr());
        }
        let label_base = labels.as_ptr();
        for exemplar in &mut exemplars {
            exemplar.labels = label_base.wrapping_add(exemplar.labels.addr());
        }
        let exemplar_base = exemplars.as_ptr();
        for sample in &mut samples {
            sample.name = base.wrapping_add(sample.name.addr());
            sample.labels = label_base.wrapping_add(sample.labels.addr());
            if !sample.exemplar.is_null() {
                sample.exemplar = exemplar_base.wrapping_add(sample.exemplar.addr() - 1);
            }
        }
        let sample_base = samples.as_ptr();
        for family in &mut families {
            family.name = base.wrapping_add(family.name.addr());
            family.help = base.wrapping_add(family.help.addr());
            family.unit = base.wrapping_add(family.unit.addr());
            family.samples = sample_base.wrapping_add(family.samples.addr());
        }
        Snapshot {
            text,
            families,
            samples,
            labels,
            exemplars,
            natives,
            native_of,
            parsed,
        }
    }
}

/// An offset or index, held in a pointer field until [`Builder::finish`].
fn offset<T>(offset: usize) -> *const T {
    without_provenance(offset)
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ffi::codes::{RawMetricType, metric_type_arg};
    use crate::metric::{
        Counter, Family, Gauge, Histogram, HistogramConfig, Info, Opts, StateSet, StateSetConfig,
        Summary, SummaryConfig,
    };
    use crate::registry::{Collector, Descriptor, NameFilter};
    use crate::snapshot::{MetricFamily, MetricPoint, Sample};

    /// Reads a snapshot back into the samples `MetricFamily::samples` gives.
    fn read(snapshot: &Snapshot) -> Vec<(String, String, String, MetricType, Vec<Sample>)> {
        let text = |ptr, len| snapshot.str(ptr, len).to_owned();
        let labels = |ptr, n| -> Vec<(String, String)> {
            snapshot
                .labels_at(ptr, n)
                .iter()
                .map(|l| (text(l.name, l.name_len), text(l.value, l.value_len)))
                .collect()
        };
        snapshot
            .families
            .iter()
            .map(|family| {
                let samples = snapshot
                    .samples_of(family)
                    .iter()
                    .map(|sample| Sample {
                        name: text(sample.name, sample.name_len),
                        labels: labels(sample.labels, sample.n_labels),
                        value: sample.value,
                        timestamp: sample.has_timestamp.then_some(sample.timestamp),
                        exemplar: snapshot.exemplar_of(sample).map(|e| {
                            let pairs = labels(e.labels, e.n_labels);
                            Exemplar::new(&pairs, e.value, e.has_timestamp.then_some(e.timestamp))
                                .unwrap()
                        }),
                    })
                    .collect();
                let kind = metric_type_arg(RawMetricType(family.kind as u32)).unwrap();
                (
                    text(family.name, family.name_len),
                    text(family.help, family.help_len),
                    text(family.unit, family.unit_len),
                    kind,
                    samples,
                )
            })
            .collect()
    }

    /// What the snapshot should hold: the families `gather` returns, flattened.
    fn expected(
        families: Vec<MetricFamily>,
    ) -> Vec<(String, String, String, MetricType, Vec<Sample>)> {
        let cut = |s: &str| s[..s.find('\0').unwrap_or(s.len())].to_owned();
        families
            .into_iter()
            .map(|family| {
                let mut samples = family.samples(SampleStyle::OpenMetrics);
                for sample in &mut samples {
                    for (_, value) in &mut sample.labels {
                        *value = cut(value);
                    }
                }
                (
                    family.name.to_string(),
                    cut(&family.help),
                    family.unit.as_deref().unwrap_or("").to_owned(),
                    family.kind,
                    samples,
                )
            })
            .collect()
    }

    /// A collector that does not describe itself: families with timestamps, and names that clash
    /// with the built-in families (merged, or dropped on a type clash).
    struct Custom;

    impl Collector for Custom {
        fn describe(&self) -> Vec<Descriptor> {
            Vec::new()
        }

        fn collect(&self, out: &mut Vec<MetricFamily>) {
            let point = |labels: &[(&str, &str)], value, timestamp| MetricPoint {
                labels: LabelSet::new(labels).unwrap(),
                value,
                timestamp,
            };
            out.push(MetricFamily {
                name: "requests".into(),
                help: "custom".into(),
                kind: MetricType::Counter,
                unit: None,
                points: vec![point(
                    &[("method", "custom"), ("path", "/x")],
                    PointValue::Counter {
                        value: 7.0,
                        created: None,
                        exemplar: None,
                    },
                    Some(12.5),
                )],
            });
            out.push(MetricFamily {
                name: "temperature".into(),
                help: "clashes".into(),
                kind: MetricType::Counter,
                unit: None,
                points: Vec::new(),
            });
            out.push(MetricFamily {
                name: "aaa_custom_histogram".into(),
                help: "no +Inf, negative buckets".into(),
                kind: MetricType::Histogram,
                unit: None,
                points: vec![
                    point(
                        &[("a", "1")],
                        PointValue::Histogram {
                            bounds: Arc::from([-1.0, 2.0]),
                            cumulative: vec![1, 3],
                            sum: 1.5,
                            count: 4,
                            created: Some(3.0),
                            exemplars: Vec::new(),
                            native: None,
                        },
                        None,
                    ),
                    point(
                        &[("b", "2"), ("a", "x")],
                        PointValue::Histogram {
                            bounds: Arc::from([0.25, f64::INFINITY]),
                            cumulative: vec![0, 2],
                            sum: f64::NEG_INFINITY,
                            count: 2,
                            created: None,
                            exemplars: Vec::new(),
                            native: None,
                        },
                        Some(-1.0),
                    ),
                ],
            });
            out.push(MetricFamily {
                name: "zzz".into(),
                help: "un\0known".into(),
                kind: MetricType::Unknown,
                unit: Some("bytes".into()),
                points: vec![point(&[], PointValue::Unknown { value: 1e300 }, None)],
            });
        }
    }

    pub(crate) fn registry() -> Registry {
        let registry = Registry::new();
        let requests = Arc::new(
            Family::<Counter>::new(Opts::new("requests", "Requests.").labels(&["method", "path"]))
                .unwrap(),
        );
        for i in 0..5 {
            let path = format!("/p/{i}\0cut");
            requests
                .apply(&["GET", path.as_str()], |c| c.inc(i as f64))
                .unwrap()
                .unwrap();
        }
        requests
            .apply(&["POST", "/e"], |c| {
                c.inc_with_exemplar(
                    2.0,
                    Exemplar::new(&[("trace", "t1")], 2.0, Some(5.0)).unwrap(),
                )
            })
            .unwrap()
            .unwrap();
        let latency = Arc::new(
            Family::<Histogram>::with_config(
                Opts::new("latency", "Latency.")
                    .labels(&["m"])
                    .unit("seconds"),
                HistogramConfig::new(&[0.1, 1.0]).unwrap(),
            )
            .unwrap(),
        );
        for m in ["a", "b"] {
            latency.apply(&[m], |h| h.observe(0.5)).unwrap().unwrap();
        }
        latency
            .apply(&["a"], |h| {
                h.observe_with_exemplar(0.05, Exemplar::new(&[("id", "e")], 0.05, None).unwrap())
            })
            .unwrap()
            .unwrap();
        let sizes = Arc::new(
            Family::<Summary>::with_config(
                Opts::new("sizes", "Sizes.").labels(&["k"]),
                SummaryConfig::new(
                    &[(0.5, 0.05), (0.9, 0.01)],
                    std::time::Duration::from_secs(60),
                    2,
                )
                .unwrap(),
            )
            .unwrap(),
        );
        sizes.apply(&["v"], |s| s.observe(3.0)).unwrap().unwrap();
        let build = Arc::new(Family::<Info>::new(Opts::new("build", "Build.")).unwrap());
        build
            .apply::<&str, _>(&[], |i| i.set(&[("version", "1.2"), ("rev", "abc")]))
            .unwrap()
            .unwrap();
        let state = Arc::new(
            Family::<StateSet>::with_config(
                Opts::new("state", "State.").labels(&["shard"]),
                StateSetConfig::enumeration(&["up", "down"]).unwrap(),
            )
            .unwrap(),
        );
        state.apply(&["1"], |s| s.set("down")).unwrap().unwrap();
        let temperature = Arc::new(Family::<Gauge>::new(Opts::new("temperature", "T.")).unwrap());
        temperature
            .apply::<&str, _>(&[], |g| g.set(-2.5))
            .unwrap()
            .unwrap();
        let empty =
            Arc::new(Family::<Gauge>::new(Opts::new("empty", "E.").labels(&["x"])).unwrap());
        registry.register(requests).unwrap();
        registry.register(latency).unwrap();
        registry.register(sizes).unwrap();
        registry.register(build).unwrap();
        registry.register(state).unwrap();
        registry.register(temperature).unwrap();
        registry.register(empty).unwrap();
        registry.register(Arc::new(Custom)).unwrap();
        registry
    }

    #[test]
    fn a_snapshot_holds_what_gather_returns_flattened() {
        let registry = registry();
        let snapshot = Snapshot::collect(&registry, |_, _| true);
        let got = read(&snapshot);
        assert_eq!(got, expected(registry.gather()));
        assert_eq!(got.len(), 9);
        let filter = NameFilter::new(&["requests_total", "sizes", "zzz", "state"]);
        let filtered = Snapshot::collect(&registry, |name, kind| filter.accepts(name, kind));
        assert_eq!(read(&filtered), expected(registry.gather_filtered(&filter)));
        assert_eq!(read(&Snapshot::collect(&Registry::new(), |_, _| true)), []);
    }

    #[test]
    fn strings_are_written_once_and_samples_share_their_series_labels() {
        let registry = registry();
        let snapshot = Snapshot::collect(&registry, |name, _| name == "requests");
        let family = &snapshot.families[0];
        let samples = snapshot.samples_of(family);
        assert_eq!(samples.len(), 13);
        // _total and _created of one series point at the same labels, and every series at the
        // same label names and sample names.
        assert_eq!(samples[0].labels, samples[1].labels);
        assert_eq!(samples[0].name, samples[2].name);
        let first = snapshot.labels_at(samples[0].labels, 2);
        let second = snapshot.labels_at(samples[2].labels, 2);
        assert_eq!(first[0].name, second[0].name);
        assert_ne!(first[1].value, second[1].value);
        let text = snapshot.text();
        for sample in samples {
            let start = sample.name as usize - text.as_ptr() as usize;
            assert_eq!(text[start + sample.name_len], 0);
        }
    }
}
