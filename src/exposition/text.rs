//! The sample lines both text formats share, written straight into the output.
//!
//! Prometheus text 0.0.4 and OpenMetrics 1.0 lay out samples the same way
//! (`name_suffix{labels} value [timestamp]`); they differ in their metadata lines, in how a
//! timestamp is written, and in what OpenMetrics adds (`_created`, exemplars, `# EOF`). A
//! [`Dialect`] states those differences, and [`encode`] is compiled once per dialect, so the loop
//! over samples has no format checks left in it.
//!
//! Nothing here allocates per sample: label blocks come pre-rendered from each point's
//! [`LabelSet`](crate::snapshot::LabelSet), numbers are formatted on the stack, and what a family
//! repeats on every point (its sample names, its `le` and state labels) is rendered once per
//! family into a [`Scratch`] that lives for one encoding. A label set rendered with quoted UTF-8
//! names is rendered again, escaped, only for a scraper that cannot read them; whether a family's
//! label names need that is decided once per family.

use std::sync::Arc;

use crate::collector::LiveFamily;
use crate::snapshot::{
    Exemplar, LabelSet, MetricFamily, MetricType, PointValue, SampleStyle, Suffix,
    histogram_has_sum, lacks_inf_bucket,
};
use crate::style::{CreatedSeries, LabelOrder, MetadataOrder, NumberStyle, Style};
use crate::text::escape::push_label_value;
use crate::text::names::{Escaping, NameKind, name_inside_braces, push_name, push_sample_name};
use crate::text::number::{push_bound, push_u64, push_value, push_value_python};

/// What one text format does differently from the other.
pub(crate) trait Dialect {
    /// Which samples of the data model this format shows (the rules live in `snapshot`).
    const STYLE: SampleStyle;
    /// Whether counters, histograms and summaries show their `_created` sample.
    const CREATED: bool;
    /// Whether exemplars follow counter `_total` and histogram `_bucket` samples.
    const EXEMPLARS: bool;

    /// Appends the family's `# HELP`, `# TYPE` (and `# UNIT`) lines, its name written with
    /// `escaping`.
    fn push_metadata(out: &mut String, family: &MetricFamily, escaping: Escaping, help_first: bool);

    /// Appends a finite timestamp given in seconds since the epoch, in the format's unit.
    fn push_timestamp(out: &mut String, seconds: f64);

    /// Whether a histogram point with these bucket bounds shows `_count` and `_sum`.
    /// Appends what ends an exposition.
    fn finish(out: &mut String);
}

/// Appends one collected family: metadata, then its points.
pub(crate) fn push_family<D: Dialect>(
    out: &mut String,
    family: &MetricFamily,
    scratch: &mut Scratch,
) {
    D::push_metadata(out, family, scratch.escaping, scratch.help_first);
    scratch.names.reset();
    scratch.states.forget();
    scratch.created_metadata_written = false;
    each_point(out, family, scratch, push_point::<D>);
    if created_family::<D>(family, scratch) {
        each_point(out, family, scratch, push_created_point);
    }
}

/// Calls `push` with each collected point of `family`.
#[inline]
fn each_point(
    out: &mut String,
    family: &MetricFamily,
    scratch: &mut Scratch,
    push: impl Fn(&mut String, &MetricFamily, &LabelSet, &PointValue, Option<f64>, &mut Scratch),
) {
    for point in &family.points {
        push(
            out,
            family,
            &point.labels,
            &point.value,
            point.timestamp,
            scratch,
        );
    }
}

/// Appends one family read in place: `header`'s metadata, then each point as it is read.
pub(crate) fn push_live<D: Dialect>(
    out: &mut String,
    header: &MetricFamily,
    live: &dyn LiveFamily,
    scratch: &mut Scratch,
) {
    D::push_metadata(out, header, scratch.escaping, scratch.help_first);
    scratch.names.reset();
    scratch.states.forget();
    scratch.created_metadata_written = false;
    live.visit_points(&mut |labels, value| {
        push_point::<D>(out, header, labels, value, None, scratch);
    });
    if created_family::<D>(header, scratch) {
        live.visit_points(&mut |labels, value| {
            push_created_point(out, header, labels, value, None, scratch);
        });
    }
}

/// Whether a family is followed by its `_created` gauge family (client_python's text 0.0.4).
fn created_family<D: Dialect>(family: &MetricFamily, scratch: &Scratch) -> bool {
    let has_created = matches!(
        family.kind,
        MetricType::Counter | MetricType::Histogram | MetricType::Summary
    );
    has_created && !D::CREATED && scratch.created == CreatedSeries::Everywhere
}

/// Appends a point's `_created` sample as a sample of the `name_created` gauge family, whose
/// metadata comes first (written when the first point is).
fn push_created_point(
    out: &mut String,
    family: &MetricFamily,
    labels: &LabelSet,
    value: &PointValue,
    timestamp: Option<f64>,
    scratch: &mut Scratch,
) {
    let created = match value {
        PointValue::Counter { created, .. }
        | PointValue::Histogram { created, .. }
        | PointValue::Summary { created, .. } => *created,
        _ => None,
    };
    let Some(created) = created else { return };
    if !scratch.created_metadata_written {
        scratch.created_metadata_written = true;
        // Named as its samples are (the family's escaped name, then `_created`).
        let push_family_name = |out: &mut String| {
            let type_suffix = type_suffix(family.kind);
            push_sample_name(out, &family.name, type_suffix, "_created", scratch.escaping)
        };
        out.push_str("# HELP ");
        push_family_name(out);
        out.push(' ');
        crate::text::escape::push_help_text(out, &family.help);
        out.push_str("\n# TYPE ");
        push_family_name(out);
        out.push_str(" gauge\n");
    }
    let numbers = scratch.numbers;
    let type_suffix = type_suffix(family.kind);
    let labels = scratch.labels.get(labels);
    push_series(
        out,
        scratch
            .names
            .get(&family.name, type_suffix, Suffix::Created),
        labels,
        "",
    );
    push_number(out, created, numbers);
    if let Some(timestamp) = timestamp.filter(|t| t.is_finite()) {
        out.push(' ');
        crate::text::number::push_timestamp_ms(out, timestamp);
    }
    out.push('\n');
}

/// Appends a sample value in the registry's number style.
#[inline]
fn push_number(out: &mut String, value: f64, numbers: NumberStyle) {
    match numbers {
        NumberStyle::Shortest => push_value(out, value),
        NumberStyle::Python => push_value_python(out, value),
    }
}

/// Appends a count (bucket, `_count`, a state's 0 or 1) in the registry's number style.
#[inline]
fn push_count(out: &mut String, count: u64, numbers: NumberStyle) {
    match numbers {
        NumberStyle::Shortest => push_u64(out, count),
        NumberStyle::Python => push_value_python(out, count as f64),
    }
}

/// Text rendered once per family (or once per encoding) and reused by every point.
pub(crate) struct Scratch {
    escaping: Escaping,
    names: SampleNames,
    buckets: RenderedOnce<f64>,
    states: RenderedOnce<Box<str>>,
    labels: EscapedLabels,
    info: EscapedLabels,
    numbers: NumberStyle,
    created: CreatedSeries,
    /// OpenMetrics metadata with `# HELP` first (client_python, client_golang) rather than the
    /// spec's TYPE, UNIT, HELP.
    help_first: bool,
    /// Whether the current family's `_created` gauge family has its metadata out.
    created_metadata_written: bool,
    /// Labels written sorted by name (client_python), `le` and the like among them.
    sort_labels: bool,
    /// A point's labels merged with a sample's own label, when they are sorted.
    merged: String,
}

impl Scratch {
    pub(crate) fn with_style(escaping: Escaping, style: Style) -> Self {
        Scratch {
            numbers: style.numbers,
            created: style.created,
            help_first: style.metadata == MetadataOrder::HelpFirst,
            sort_labels: style.label_order == LabelOrder::Sorted,
            merged: String::new(),
            created_metadata_written: false,
            escaping,
            names: SampleNames::new(escaping),
            buckets: RenderedOnce::default(),
            states: RenderedOnce::default(),
            labels: EscapedLabels::new(escaping, style.label_order == LabelOrder::Sorted),
            info: EscapedLabels::new(escaping, false),
        }
    }
}

/// A family's sample names as a sample line starts with them, rendered when first used, so that
/// a line starts with one copy instead of three.
struct SampleNames {
    escaping: Escaping,
    text: String,
    spans: [SampleName; Suffix::COUNT],
    /// Bit `i` is set when the name with suffix `i` is in `text`.
    rendered: u8,
}

/// Where one sample name's two forms are in [`SampleNames::text`].
#[derive(Clone, Copy, Default)]
struct SampleName {
    /// What comes before the labels: `requests_total{`, or `{"app.requests_total",` for a name
    /// that goes inside the braces.
    open: (usize, usize),
    /// The whole series when there are no labels: `requests_total`, `{"app.requests_total"}`.
    bare: (usize, usize),
}

/// The two forms of a sample name, borrowed.
#[derive(Clone, Copy)]
struct Opening<'a> {
    open: &'a str,
    bare: &'a str,
}

impl SampleNames {
    fn new(escaping: Escaping) -> Self {
        SampleNames {
            escaping,
            text: String::new(),
            spans: [SampleName::default(); Suffix::COUNT],
            rendered: 0,
        }
    }

    /// Forgets the previous family's names.
    fn reset(&mut self) {
        self.text.clear();
        self.rendered = 0;
    }

    /// The forms of `name_suffix`, for a family whose type's samples carry `type_suffix`.
    #[inline]
    fn get(&mut self, name: &str, type_suffix: &str, suffix: Suffix) -> Opening<'_> {
        let index = suffix as usize;
        if self.rendered & (1 << index) == 0 {
            self.spans[index] = self.render(name, type_suffix, suffix.as_str());
            self.rendered |= 1 << index;
        }
        let SampleName { open, bare } = self.spans[index];
        Opening {
            open: &self.text[open.0..open.1],
            bare: &self.text[bare.0..bare.1],
        }
    }

    #[cold]
    fn render(&mut self, family: &str, type_suffix: &str, suffix: &str) -> SampleName {
        let start = self.text.len();
        if name_inside_braces(&[family, suffix], self.escaping) {
            self.text.push('{');
            push_sample_name(&mut self.text, family, type_suffix, suffix, self.escaping);
            self.text.push(',');
            let open = (start, self.text.len());
            let bare_start = self.text.len();
            self.text.push('{');
            push_sample_name(&mut self.text, family, type_suffix, suffix, self.escaping);
            self.text.push('}');
            SampleName {
                open,
                bare: (bare_start, self.text.len()),
            }
        } else {
            push_sample_name(&mut self.text, family, type_suffix, suffix, self.escaping);
            let name_end = self.text.len();
            self.text.push('{');
            SampleName {
                open: (start, self.text.len()),
                bare: (start, name_end),
            }
        }
    }
}

/// A point's label block as the scraper reads it: the set's own rendering (names quoted where
/// needed) under `allow-utf-8` or when every name is legacy, rendered again with escaped names
/// otherwise. Whether a list of names needs that is remembered for the last list seen, which
/// every point of a built-in family shares.
struct EscapedLabels {
    escaping: Escaping,
    /// Whether labels are written sorted by name.
    sort: bool,
    names: Option<Arc<[Box<str>]>>,
    as_rendered: bool,
    text: String,
}

impl EscapedLabels {
    fn new(escaping: Escaping, sort: bool) -> Self {
        EscapedLabels {
            escaping,
            sort,
            names: None,
            as_rendered: true,
            text: String::new(),
        }
    }

    #[inline]
    fn get<'a>(&'a mut self, labels: &'a LabelSet) -> &'a str {
        if self.escaping == Escaping::AllowUtf8 && !self.sort {
            return labels.rendered();
        }
        let names = labels.shared_names();
        if !self
            .names
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, names))
        {
            let legal = self.escaping == Escaping::AllowUtf8
                || names
                    .iter()
                    .all(|name| crate::text::names::is_legacy_label_name(name));
            let ordered = !self.sort || names.windows(2).all(|pair| pair[0] <= pair[1]);
            self.as_rendered = legal && ordered;
            self.names = Some(names.clone());
        }
        if self.as_rendered {
            return labels.rendered();
        }
        if self.sort {
            return merge_sorted(&mut self.text, &[labels], None, self.escaping);
        }
        self.text.clear();
        push_escaped_labels(&mut self.text, labels, self.escaping);
        &self.text
    }
}

/// Writes into `buffer` the labels of `sets` and the pre-rendered `extra` label (its name and
/// its `name="value"` text) sorted by name, as client_python writes a sample's labels.
fn merge_sorted<'a>(
    buffer: &'a mut String,
    sets: &[&LabelSet],
    extra: Option<(&str, &str)>,
    escaping: Escaping,
) -> &'a str {
    // (name, value to escape, or the rendered label)
    let mut labels: Vec<(&str, Result<&str, &str>)> = sets
        .iter()
        .flat_map(|set| set.iter())
        .map(|(n, v)| (n, Ok(v)))
        .collect();
    labels.extend(extra.map(|(name, rendered)| (name, Err(rendered))));
    labels.sort_by(|a, b| a.0.cmp(b.0));
    buffer.clear();
    for (i, (name, label)) in labels.into_iter().enumerate() {
        if i > 0 {
            buffer.push(',');
        }
        match label {
            Ok(value) => {
                push_name(buffer, NameKind::Label, &[name], escaping);
                buffer.push_str("=\"");
                push_label_value(buffer, value);
                buffer.push('"');
            }
            Err(rendered) => buffer.push_str(rendered),
        }
    }
    buffer
}

/// Appends `name_suffix{labels,extra} `, with `extra` (its name and its rendered text) merged
/// into the point's labels `own` by name when labels are sorted (`merged` given).
#[inline]
fn push_with_extra(
    out: &mut String,
    opening: Opening<'_>,
    (labels, own): (&str, &LabelSet),
    extra: (&str, &str),
    merged: Option<&mut String>,
    escaping: Escaping,
) {
    match merged {
        None => push_series(out, opening, labels, extra.1),
        Some(buffer) => {
            let labels = merge_sorted(buffer, &[own], Some(extra), escaping);
            push_series(out, opening, labels, "");
        }
    }
}

/// Appends `a="x",b="y"` with each name written with `escaping`.
fn push_escaped_labels(out: &mut String, labels: &LabelSet, escaping: Escaping) {
    for (i, (name, value)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_name(out, NameKind::Label, &[name], escaping);
        out.push_str("=\"");
        push_label_value(out, value);
        out.push('"');
    }
}

/// A label block outside the per-point cache, borrowed when it needs no escaping.
pub(crate) fn labels_text(labels: &LabelSet, escaping: Escaping) -> std::borrow::Cow<'_, str> {
    let unchanged = escaping == Escaping::AllowUtf8
        || labels
            .names()
            .iter()
            .all(|name| crate::text::names::is_legacy_label_name(name));
    if unchanged {
        std::borrow::Cow::Borrowed(labels.rendered())
    } else {
        let mut text = String::new();
        push_escaped_labels(&mut text, labels, escaping);
        std::borrow::Cow::Owned(text)
    }
}

/// Appends a label block outside the per-point cache (exemplars).
pub(crate) fn push_labels(out: &mut String, labels: &LabelSet, escaping: Escaping) {
    if escaping == Escaping::AllowUtf8 {
        out.push_str(labels.rendered());
    } else {
        push_escaped_labels(out, labels, escaping);
    }
}

/// The label text of each element of a shared list (`le="0.005"`, `state="on"`), rendered for one
/// list at a time: every point of a family normally holds the same `Arc`, so this renders once per
/// family and only compares a pointer for each further point.
struct RenderedOnce<T> {
    source: Option<Arc<[T]>>,
    text: String,
    ends: Vec<usize>,
}

impl<T> Default for RenderedOnce<T> {
    fn default() -> Self {
        RenderedOnce {
            source: None,
            text: String::new(),
            ends: Vec::new(),
        }
    }
}

impl<T> RenderedOnce<T> {
    /// Renders `source` with `render` unless it is the list rendered last.
    fn prepare(&mut self, source: &Arc<[T]>, render: impl Fn(&mut String, &T)) {
        if self
            .source
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, source))
        {
            return;
        }
        self.text.clear();
        self.ends.clear();
        for item in source.iter() {
            render(&mut self.text, item);
            self.ends.push(self.text.len());
        }
        self.source = Some(source.clone());
    }

    /// Drops the cached list, for labels whose text depends on more than the list (a state label
    /// is named after its family).
    fn forget(&mut self) {
        self.source = None;
    }

    /// The rendered label of element `index`.
    fn get(&self, index: usize) -> &str {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.text[start..self.ends[index]]
    }
}

/// Appends the samples of one point.
#[inline]
fn push_point<D: Dialect>(
    out: &mut String,
    family: &MetricFamily,
    labels: &LabelSet,
    value: &PointValue,
    timestamp: Option<f64>,
    scratch: &mut Scratch,
) {
    let name = &*family.name;
    let type_suffix = type_suffix(family.kind);
    let escaping = scratch.escaping;
    let numbers = scratch.numbers;
    let created_shown = D::CREATED && scratch.created != CreatedSeries::Nowhere;
    let names = &mut scratch.names;
    let own = labels;
    let labels = scratch.labels.get(own);
    let sort = scratch.sort_labels;
    let mut merged = sort.then_some(&mut scratch.merged);
    // A timestamp that is not a number would make the line unparsable; it is dropped instead.
    let timestamp = timestamp.filter(|t| t.is_finite());
    match value {
        PointValue::Counter {
            value,
            created,
            exemplar,
        } => {
            push_series(out, names.get(name, type_suffix, Suffix::Total), labels, "");
            push_number(out, *value, numbers);
            end_line::<D>(out, timestamp, exemplar.as_ref(), escaping, numbers, sort);
            if created_shown {
                push_created::<D>(
                    out,
                    names.get(name, type_suffix, Suffix::Created),
                    labels,
                    *created,
                    timestamp,
                    numbers,
                );
            }
        }
        PointValue::Gauge { value } | PointValue::Unknown { value } => {
            push_series(out, names.get(name, type_suffix, Suffix::None), labels, "");
            push_number(out, *value, numbers);
            end_line::<D>(out, timestamp, None, escaping, numbers, sort);
        }
        PointValue::Histogram {
            bounds,
            cumulative,
            sum,
            count,
            created,
            exemplars,
            ..
        } => {
            scratch.buckets.prepare(bounds, |text, bound| {
                text.push_str("le=\"");
                push_bound(text, *bound);
                text.push('"');
            });
            let bucket = names.get(name, type_suffix, Suffix::Bucket);
            let buckets = bounds.len().min(cumulative.len());
            // Each bucket, and a `+Inf` one (no index) when the bounds lack it.
            let inf = lacks_inf_bucket(&bounds[..buckets]).then_some((*count, None));
            let rows = cumulative[..buckets].iter().enumerate();
            for (cumulative, index) in rows.map(|(i, c)| (*c, Some(i))).chain(inf) {
                let le = index.map_or("le=\"+Inf\"", |i| scratch.buckets.get(i));
                let series = (labels, own);
                push_with_extra(
                    out,
                    bucket,
                    series,
                    ("le", le),
                    merged.as_deref_mut(),
                    escaping,
                );
                push_count(out, cumulative, numbers);
                let exemplar = index
                    .and_then(|i| exemplars.get(i))
                    .and_then(Option::as_ref);
                end_line::<D>(out, timestamp, exemplar, escaping, numbers, sort);
            }
            if histogram_has_sum(bounds, D::STYLE) {
                push_series(out, names.get(name, type_suffix, Suffix::Count), labels, "");
                push_count(out, *count, numbers);
                end_line::<D>(out, timestamp, None, escaping, numbers, sort);
                push_series(out, names.get(name, type_suffix, Suffix::Sum), labels, "");
                push_number(out, *sum, numbers);
                end_line::<D>(out, timestamp, None, escaping, numbers, sort);
            }
            if created_shown {
                push_created::<D>(
                    out,
                    names.get(name, type_suffix, Suffix::Created),
                    labels,
                    *created,
                    timestamp,
                    numbers,
                );
            }
        }
        PointValue::Summary {
            quantiles,
            sum,
            count,
            created,
        } => {
            let opening = names.get(name, type_suffix, Suffix::None);
            for (quantile, value) in quantiles {
                if let Some(buffer) = merged.as_deref_mut() {
                    let mut label = String::from("quantile=\"");
                    push_bound(&mut label, *quantile);
                    label.push('"');
                    let quantile = ("quantile", label.as_str());
                    push_with_extra(
                        out,
                        opening,
                        (labels, own),
                        quantile,
                        Some(buffer),
                        escaping,
                    );
                } else {
                    out.push_str(opening.open);
                    out.push_str(labels);
                    if !labels.is_empty() {
                        out.push(',');
                    }
                    out.push_str("quantile=\"");
                    push_bound(out, *quantile);
                    out.push_str("\"} ");
                }
                push_number(out, *value, numbers);
                end_line::<D>(out, timestamp, None, escaping, numbers, sort);
            }
            push_series(out, names.get(name, type_suffix, Suffix::Count), labels, "");
            push_count(out, *count, numbers);
            end_line::<D>(out, timestamp, None, escaping, numbers, sort);
            push_series(out, names.get(name, type_suffix, Suffix::Sum), labels, "");
            push_number(out, *sum, numbers);
            end_line::<D>(out, timestamp, None, escaping, numbers, sort);
            if created_shown {
                push_created::<D>(
                    out,
                    names.get(name, type_suffix, Suffix::Created),
                    labels,
                    *created,
                    timestamp,
                    numbers,
                );
            }
        }
        PointValue::Info { info } => {
            let opening = names.get(name, type_suffix, Suffix::Info);
            match merged {
                Some(buffer) => {
                    let all = merge_sorted(buffer, &[own, info], None, escaping);
                    push_series(out, opening, all, "");
                }
                None => push_series(out, opening, labels, scratch.info.get(info)),
            }
            push_count(out, 1, numbers);
            end_line::<D>(out, timestamp, None, escaping, numbers, sort);
        }
        PointValue::StateSet { states, active } => {
            scratch.states.prepare(states, |text, state| {
                push_name(text, NameKind::Label, &[name], escaping);
                text.push_str("=\"");
                push_label_value(text, state);
                text.push('"');
            });
            let opening = names.get(name, type_suffix, Suffix::None);
            for (index, on) in active.iter().take(states.len()).enumerate() {
                let state = (name, scratch.states.get(index));
                push_with_extra(
                    out,
                    opening,
                    (labels, own),
                    state,
                    merged.as_deref_mut(),
                    escaping,
                );
                push_count(out, u64::from(*on), numbers);
                end_line::<D>(out, timestamp, None, escaping, numbers, sort);
            }
        }
    }
}

/// The suffix a type's samples carry in every format (see `push_sample_name`).
pub(crate) fn type_suffix(kind: MetricType) -> &'static str {
    match kind {
        MetricType::Counter => "_total",
        MetricType::Info => "_info",
        _ => "",
    }
}

/// Appends `name_suffix{labels,extra} `; the bare name when both label blocks are empty.
#[inline]
fn push_series(out: &mut String, opening: Opening<'_>, labels: &str, extra: &str) {
    match (labels.is_empty(), extra.is_empty()) {
        (true, true) => {
            out.push_str(opening.bare);
            out.push(' ');
        }
        (false, true) => {
            out.push_str(opening.open);
            out.push_str(labels);
            out.push_str("} ");
        }
        (true, false) => {
            out.push_str(opening.open);
            out.push_str(extra);
            out.push_str("} ");
        }
        (false, false) => {
            out.push_str(opening.open);
            out.push_str(labels);
            out.push(',');
            out.push_str(extra);
            out.push_str("} ");
        }
    }
}

/// Appends the `_created` sample, when the point has a creation time.
#[inline]
fn push_created<D: Dialect>(
    out: &mut String,
    opening: Opening<'_>,
    labels: &str,
    created: Option<f64>,
    timestamp: Option<f64>,
    numbers: NumberStyle,
) {
    if let Some(created) = created {
        push_series(out, opening, labels, "");
        push_number(out, created, numbers);
        end_line::<D>(out, timestamp, None, Escaping::AllowUtf8, numbers, false);
    }
}

/// Appends the timestamp and exemplar a sample has, if any, and the line feed.
#[inline]
fn end_line<D: Dialect>(
    out: &mut String,
    timestamp: Option<f64>,
    exemplar: Option<&Exemplar>,
    escaping: Escaping,
    numbers: NumberStyle,
    sort: bool,
) {
    if let Some(timestamp) = timestamp {
        out.push(' ');
        D::push_timestamp(out, timestamp);
    }
    if D::EXEMPLARS {
        if let Some(exemplar) = exemplar {
            push_exemplar::<D>(out, exemplar, escaping, numbers, sort);
        }
    }
    out.push('\n');
}

/// Appends ` # {labels} value [timestamp]`; OpenMetrics writes `{}` for an exemplar without
/// labels.
fn push_exemplar<D: Dialect>(
    out: &mut String,
    exemplar: &Exemplar,
    escaping: Escaping,
    numbers: NumberStyle,
    sort: bool,
) {
    out.push_str(" # {");
    if sort {
        let mut sorted = String::new();
        out.push_str(merge_sorted(
            &mut sorted,
            &[&exemplar.labels],
            None,
            escaping,
        ));
    } else {
        push_labels(out, &exemplar.labels, escaping);
    }
    out.push_str("} ");
    push_number(out, exemplar.value, numbers);
    if let Some(timestamp) = exemplar.timestamp.filter(|t| t.is_finite()) {
        out.push(' ');
        D::push_timestamp(out, timestamp);
    }
}

/// [`estimate_len`] for a family read in place: `points` points whose labels render to about
/// `label_len` bytes. Histograms and summaries are guessed at a typical size.
pub(crate) fn estimate_live_len(header: &MetricFamily, points: usize, label_len: usize) -> usize {
    const LINE_OVERHEAD: usize = 32;
    let metadata = 3 * header.name.len() + header.help.len() + 48;
    let lines = match header.kind {
        MetricType::Counter => 2,
        MetricType::Histogram => 16,
        MetricType::Summary => 6,
        MetricType::StateSet => 4,
        _ => 1,
    };
    metadata + points * lines * (header.name.len() + label_len + 16 + LINE_OVERHEAD)
}

/// A close upper guess of the output size, so that the output grows once or not at all: the
/// first point of each family stands for the others, which normally look alike.
pub(crate) fn estimate_len(families: &[MetricFamily]) -> usize {
    // Room for a value, a timestamp and the punctuation of one line.
    const LINE_OVERHEAD: usize = 32;
    families
        .iter()
        .map(|family| {
            let metadata = 3 * family.name.len() + family.help.len() + 48;
            let Some(first) = family.points.first() else {
                return metadata;
            };
            let (lines, extra_labels) = match &first.value {
                PointValue::Counter { .. } => (2, 0),
                PointValue::Gauge { .. } | PointValue::Unknown { .. } => (1, 0),
                PointValue::Histogram { bounds, .. } => (bounds.len() + 4, 16),
                PointValue::Summary { quantiles, .. } => (quantiles.len() + 3, 16),
                PointValue::Info { info } => (1, info.rendered().len()),
                PointValue::StateSet { states, .. } => (states.len(), family.name.len() + 16),
            };
            let line = family.name.len() + first.labels.rendered().len() + extra_labels;
            metadata + family.points.len() * lines * (line + LINE_OVERHEAD)
        })
        .sum()
}
