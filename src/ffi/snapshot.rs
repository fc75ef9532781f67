//! `pe_snapshot`: a registry's collected families, flattened into samples, readable from C
//! without parsing text. Bindings build their own metric objects from it.

use std::ffi::{c_char, c_uint};
use std::fmt::Write;

use super::args::{opt_out_arg, out_arg, str_array};
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, into_raw, release, tag_of};
use super::registry::{pe_registry, registry_arg};
use super::status::{Failure, FfiResult, pe_status};
use super::string::to_c_string;
use crate::registry::NameFilter;
use crate::snapshot::{Exemplar, MetricFamily, MetricType, SampleStyle};

/// The type of a metric family.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_metric_type {
    PE_METRIC_COUNTER = 0,
    PE_METRIC_GAUGE = 1,
    PE_METRIC_HISTOGRAM = 2,
    PE_METRIC_SUMMARY = 3,
    PE_METRIC_INFO = 4,
    /// An enum (OpenMetrics state set).
    PE_METRIC_STATESET = 5,
    PE_METRIC_UNKNOWN = 6,
}

/// A `pe_metric_type` as received from C: any integer (see `RawStatus`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct RawMetricType(pub c_uint);

impl From<MetricType> for pe_metric_type {
    fn from(kind: MetricType) -> Self {
        match kind {
            MetricType::Counter => pe_metric_type::PE_METRIC_COUNTER,
            MetricType::Gauge => pe_metric_type::PE_METRIC_GAUGE,
            MetricType::Histogram => pe_metric_type::PE_METRIC_HISTOGRAM,
            MetricType::Summary => pe_metric_type::PE_METRIC_SUMMARY,
            MetricType::Info => pe_metric_type::PE_METRIC_INFO,
            MetricType::StateSet => pe_metric_type::PE_METRIC_STATESET,
            MetricType::Unknown => pe_metric_type::PE_METRIC_UNKNOWN,
        }
    }
}

/// The core type a C metric type value names.
pub(crate) fn metric_type_arg(kind: RawMetricType) -> FfiResult<MetricType> {
    Ok(match kind.0 {
        0 => MetricType::Counter,
        1 => MetricType::Gauge,
        2 => MetricType::Histogram,
        3 => MetricType::Summary,
        4 => MetricType::Info,
        5 => MetricType::StateSet,
        6 => MetricType::Unknown,
        other => {
            return Err(Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!("unknown pe_metric_type {other}"),
            ));
        }
    })
}

/// A collection, frozen: every family with its samples. Opaque; release with `pe_snapshot_free()`.
/// Strings read from it are borrowed from it and stay valid until then.
pub struct pe_snapshot {
    _private: [u8; 0],
}

impl CType for pe_snapshot {
    type Inner = Snapshot;
    const TAG: u32 = tag_of("pe_snapshot");
    const NAME: &'static str = "pe_snapshot";
}

/// Offsets of a label's name and value in the snapshot's text.
type LabelEntry = (usize, usize);

struct FamilyEntry {
    name: usize,
    help: usize,
    unit: usize,
    kind: pe_metric_type,
    samples: (usize, usize),
}

struct SampleEntry {
    name: usize,
    labels: (usize, usize),
    value: f64,
    timestamp: Option<f64>,
    exemplar: Option<ExemplarEntry>,
}

struct ExemplarEntry {
    labels: (usize, usize),
    value: f64,
    timestamp: Option<f64>,
}

/// The snapshot's storage: every string once, NUL-terminated, in one buffer; families, samples and
/// labels in flat arrays indexing it.
pub(crate) struct Snapshot {
    text: Vec<u8>,
    families: Vec<FamilyEntry>,
    samples: Vec<SampleEntry>,
    labels: Vec<LabelEntry>,
}

impl Snapshot {
    fn new(families: &[MetricFamily]) -> Self {
        let mut snapshot = Snapshot {
            text: Vec::new(),
            families: Vec::with_capacity(families.len()),
            samples: Vec::new(),
            labels: Vec::new(),
        };
        for family in families {
            let first_sample = snapshot.samples.len();
            for sample in family.samples(SampleStyle::OpenMetrics) {
                let labels = snapshot
                    .push_labels(sample.labels.iter().map(|(n, v)| (n.as_str(), v.as_str())));
                let exemplar = sample.exemplar.as_ref().map(|e| snapshot.push_exemplar(e));
                let name = snapshot.push_str(&sample.name);
                snapshot.samples.push(SampleEntry {
                    name,
                    labels,
                    value: sample.value,
                    timestamp: sample.timestamp,
                    exemplar,
                });
            }
            let entry = FamilyEntry {
                name: snapshot.push_str(&family.name),
                help: snapshot.push_str(&family.help),
                unit: snapshot.push_str(family.unit.as_deref().unwrap_or("")),
                kind: family.kind.into(),
                samples: (first_sample, snapshot.samples.len()),
            };
            snapshot.families.push(entry);
        }
        snapshot
    }

    /// Appends `s` (cut at an interior NUL, which C cannot see past) and returns its offset.
    fn push_str(&mut self, s: &str) -> usize {
        let start = self.text.len();
        let end = s.find('\0').unwrap_or(s.len());
        self.text.extend_from_slice(&s.as_bytes()[..end]);
        self.text.push(0);
        start
    }

    fn push_labels<'a>(
        &mut self,
        labels: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> (usize, usize) {
        let start = self.labels.len();
        for (name, value) in labels {
            let entry = (self.push_str(name), self.push_str(value));
            self.labels.push(entry);
        }
        (start, self.labels.len())
    }

    fn push_exemplar(&mut self, exemplar: &Exemplar) -> ExemplarEntry {
        ExemplarEntry {
            labels: self.push_labels(exemplar.labels.iter()),
            value: exemplar.value,
            timestamp: exemplar.timestamp,
        }
    }

    fn str_at(&self, offset: usize) -> *const c_char {
        self.text[offset..].as_ptr().cast()
    }

    /// The string at `offset`, without its NUL.
    fn str_of(&self, offset: usize) -> &str {
        let bytes = &self.text[offset..];
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        // Every string was pushed from a `&str` and cut before a NUL, an ASCII byte.
        std::str::from_utf8(&bytes[..end]).unwrap_or_default()
    }

    /// The whole snapshot as one JSON document (see `pe_snapshot_json()`).
    fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.text.len() * 2 + self.samples.len() * 32);
        out.push('[');
        for (f, family) in self.families.iter().enumerate() {
            if f > 0 {
                out.push(',');
            }
            out.push('[');
            json_string(&mut out, self.str_of(family.name));
            out.push(',');
            json_string(&mut out, self.str_of(family.help));
            out.push(',');
            json_string(&mut out, self.str_of(family.unit));
            out.push(',');
            out.push_str(itoa::Buffer::new().format(family.kind as u32));
            out.push_str(",[");
            let (start, end) = family.samples;
            for (i, sample) in self.samples[start..end].iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                json_string(&mut out, self.str_of(sample.name));
                out.push(',');
                self.json_labels(&mut out, sample.labels);
                out.push(',');
                json_number(&mut out, sample.value);
                out.push(',');
                json_timestamp(&mut out, sample.timestamp);
                out.push(',');
                match &sample.exemplar {
                    None => out.push_str("null"),
                    Some(exemplar) => {
                        out.push('[');
                        self.json_labels(&mut out, exemplar.labels);
                        out.push(',');
                        json_number(&mut out, exemplar.value);
                        out.push(',');
                        json_timestamp(&mut out, exemplar.timestamp);
                        out.push(']');
                    }
                }
                out.push(']');
            }
            out.push_str("]]");
        }
        out.push(']');
        out
    }

    fn json_labels(&self, out: &mut String, labels: (usize, usize)) {
        out.push('{');
        for (i, &(name, value)) in self.labels[labels.0..labels.1].iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(out, self.str_of(name));
            out.push(':');
            json_string(out, self.str_of(value));
        }
        out.push('}');
    }

    fn family(&self, index: usize) -> FfiResult<&FamilyEntry> {
        self.families
            .get(index)
            .ok_or_else(|| out_of_range("family", index, self.families.len()))
    }

    fn sample(&self, family: usize, index: usize) -> FfiResult<&SampleEntry> {
        let (start, end) = self.family(family)?.samples;
        if index < end - start {
            Ok(&self.samples[start + index])
        } else {
            Err(out_of_range("sample", index, end - start))
        }
    }

    fn label(
        &self,
        labels: (usize, usize),
        index: usize,
    ) -> FfiResult<(*const c_char, *const c_char)> {
        let (start, end) = labels;
        if index < end - start {
            let (name, value) = self.labels[start + index];
            Ok((self.str_at(name), self.str_at(value)))
        } else {
            Err(out_of_range("label", index, end - start))
        }
    }
}

/// Appends `s` as a JSON string: quotes, backslashes and control characters escaped, the rest as
/// is (UTF-8).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a finite `value` as the shortest JSON number that reads back as the same double, and
/// a non-finite one as the string `"NaN"`, `"+Inf"` or `"-Inf"` (JSON has no such numbers).
fn json_number(out: &mut String, value: f64) {
    if value.is_finite() {
        out.push_str(ryu::Buffer::new().format_finite(value));
    } else if value.is_nan() {
        out.push_str("\"NaN\"");
    } else if value > 0.0 {
        out.push_str("\"+Inf\"");
    } else {
        out.push_str("\"-Inf\"");
    }
}

fn json_timestamp(out: &mut String, timestamp: Option<f64>) {
    match timestamp {
        Some(seconds) => json_number(out, seconds),
        None => out.push_str("null"),
    }
}

#[cold]
fn out_of_range(what: &str, index: usize, len: usize) -> Failure {
    Failure::new(
        pe_status::PE_ERR_NOT_FOUND,
        format!("{what} index {index} is out of range (there are {len})"),
    )
}

/// Collects every collector of `registry` (NULL: the default registry) into a snapshot: families
/// sorted by name, each flattened into the samples OpenMetrics shows (`_total`, `_created`,
/// `_bucket` with `le`, ...).
///
/// On success `*out` receives a new snapshot owned by the caller, to release with
/// `pe_snapshot_free()`. Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_INTERNAL`. Thread-safe; custom collector callbacks run on the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_snapshot(
    registry: *const pe_registry,
    out: *mut *mut pe_snapshot,
) -> pe_status {
    guard("pe_registry_snapshot", || {
        let registry = unsafe { registry_arg(registry) }?;
        let out = out_arg(out, "out")?;
        out.set(into_raw::<pe_snapshot>(Snapshot::new(&registry.gather())));
        Ok(())
    })
}

/// Like `pe_registry_snapshot()`, keeping only the families one of the `n_names` `names` selects
/// (by family name or any of its sample names; `n_names` 0 selects nothing).
///
/// `names` is borrowed for the call. On success `*out` receives a new snapshot owned by the caller
/// (release with `pe_snapshot_free()`). Returns `PE_OK`; `PE_ERR_NULL` (`out`, `names` with
/// `n_names > 0`, or one of its strings); `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_snapshot_filtered(
    registry: *const pe_registry,
    names: *const *const c_char,
    n_names: usize,
    out: *mut *mut pe_snapshot,
) -> pe_status {
    guard("pe_registry_snapshot_filtered", || {
        let registry = unsafe { registry_arg(registry) }?;
        let names = unsafe { str_array(names, n_names, "names") }?;
        let out = out_arg(out, "out")?;
        let families = registry.gather_filtered(&NameFilter::new(&names));
        out.set(into_raw::<pe_snapshot>(Snapshot::new(&families)));
        Ok(())
    })
}

/// Releases a snapshot; every string read from it becomes invalid.
///
/// NULL is a no-op. A pointer that is not a live `pe_snapshot` is left alone (and reported through
/// `pe_last_error()`). Thread-safe (but do not free a snapshot another thread reads).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_free(snapshot: *mut pe_snapshot) {
    guard_value("pe_snapshot_free", (), || unsafe {
        release::<pe_snapshot>(snapshot, "snapshot")
    })
}

/// Reads the number of families into `*out`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Thread-safe (a snapshot
/// is immutable).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_family_count(
    snapshot: *const pe_snapshot,
    out: *mut usize,
) -> pe_status {
    guard("pe_snapshot_family_count", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        out_arg(out, "out")?.set(snapshot.families.len());
        Ok(())
    })
}

/// Reads the name (a counter's without `_total`, an info's without `_info`) of family `family` into
/// `*out`.
///
/// The string is borrowed from the snapshot: valid until `pe_snapshot_free()`, not to be freed.
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (`family` out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_family_name(
    snapshot: *const pe_snapshot,
    family: usize,
    out: *mut *const c_char,
) -> pe_status {
    guard("pe_snapshot_family_name", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        out.set(snapshot.str_at(snapshot.family(family)?.name));
        Ok(())
    })
}

/// Reads the help text of family `family` into `*out`.
///
/// The string is borrowed from the snapshot: valid until `pe_snapshot_free()`, not to be freed.
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (`family` out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_family_help(
    snapshot: *const pe_snapshot,
    family: usize,
    out: *mut *const c_char,
) -> pe_status {
    guard("pe_snapshot_family_help", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        out.set(snapshot.str_at(snapshot.family(family)?.help));
        Ok(())
    })
}

/// Reads the unit ("" when it has none) of family `family` into `*out`.
///
/// The string is borrowed from the snapshot: valid until `pe_snapshot_free()`, not to be freed.
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (`family` out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_family_unit(
    snapshot: *const pe_snapshot,
    family: usize,
    out: *mut *const c_char,
) -> pe_status {
    guard("pe_snapshot_family_unit", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        out.set(snapshot.str_at(snapshot.family(family)?.unit));
        Ok(())
    })
}

/// Reads the type of family `family` into `*out`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (`family` out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_family_type(
    snapshot: *const pe_snapshot,
    family: usize,
    out: *mut pe_metric_type,
) -> pe_status {
    guard("pe_snapshot_family_type", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        out.set(snapshot.family(family)?.kind);
        Ok(())
    })
}

/// Reads the number of samples of family `family` into `*out`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (`family` out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_count(
    snapshot: *const pe_snapshot,
    family: usize,
    out: *mut usize,
) -> pe_status {
    guard("pe_snapshot_sample_count", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        let (start, end) = snapshot.family(family)?.samples;
        out.set(end - start);
        Ok(())
    })
}

/// Reads the full name of sample `sample` of family `family` into `*out` (`x_total`, `x_bucket`,
/// ...).
///
/// The string is borrowed from the snapshot: valid until `pe_snapshot_free()`. Returns `PE_OK`;
/// `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_name(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    out: *mut *const c_char,
) -> pe_status {
    guard("pe_snapshot_sample_name", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        out.set(snapshot.str_at(snapshot.sample(family, sample)?.name));
        Ok(())
    })
}

/// Reads the value of sample `sample` of family `family` into `*out`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_value(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_snapshot_sample_value", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        out.set(snapshot.sample(family, sample)?.value);
        Ok(())
    })
}

/// Reads whether sample `sample` of family `family` has a timestamp into `*has_timestamp`, and the
/// timestamp (seconds since the Unix epoch; 0 when none) into `*timestamp`. Only custom collectors
/// set timestamps.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_timestamp(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    has_timestamp: *mut bool,
    timestamp: *mut f64,
) -> pe_status {
    guard("pe_snapshot_sample_timestamp", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let has_timestamp = out_arg(has_timestamp, "has_timestamp")?;
        let timestamp = out_arg(timestamp, "timestamp")?;
        let sample = snapshot.sample(family, sample)?;
        has_timestamp.set(sample.timestamp.is_some());
        timestamp.set(sample.timestamp.unwrap_or(0.0));
        Ok(())
    })
}

/// Reads the number of labels of sample `sample` of family `family` into `*out` (the series'
/// labels, then any the sample adds: `le`, `quantile`, the state label, info labels).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_label_count(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    out: *mut usize,
) -> pe_status {
    guard("pe_snapshot_sample_label_count", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        let (start, end) = snapshot.sample(family, sample)?.labels;
        out.set(end - start);
        Ok(())
    })
}

/// Reads label `label` of sample `sample` of family `family`: its name into `*name` and its value
/// into `*value`.
///
/// The strings are borrowed from the snapshot: valid until `pe_snapshot_free()`. Returns `PE_OK`;
/// `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_label(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    label: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> pe_status {
    guard("pe_snapshot_sample_label", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let name = out_arg(name, "name")?;
        let value = out_arg(value, "value")?;
        let (n, v) = snapshot.label(snapshot.sample(family, sample)?.labels, label)?;
        name.set(n);
        value.set(v);
        Ok(())
    })
}

/// Reads the exemplar of sample `sample` of family `family`: whether there is one into
/// `*has_exemplar`, its value into `*value` (NaN when none), whether it has a timestamp into
/// `*has_timestamp` and the timestamp (seconds; 0 when none) into `*timestamp`. Its labels are read
/// with `pe_snapshot_exemplar_label()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_exemplar(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    has_exemplar: *mut bool,
    value: *mut f64,
    has_timestamp: *mut bool,
    timestamp: *mut f64,
) -> pe_status {
    guard("pe_snapshot_sample_exemplar", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let has_exemplar = out_arg(has_exemplar, "has_exemplar")?;
        let value = out_arg(value, "value")?;
        let has_timestamp = out_arg(has_timestamp, "has_timestamp")?;
        let timestamp = out_arg(timestamp, "timestamp")?;
        let exemplar = snapshot.sample(family, sample)?.exemplar.as_ref();
        let stamp = exemplar.and_then(|e| e.timestamp);
        has_exemplar.set(exemplar.is_some());
        value.set(exemplar.map_or(f64::NAN, |e| e.value));
        has_timestamp.set(stamp.is_some());
        timestamp.set(stamp.unwrap_or(0.0));
        Ok(())
    })
}

/// Reads the number of labels of the exemplar of sample `sample` of family `family` into `*out` (0
/// when the sample has no exemplar).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_exemplar_label_count(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    out: *mut usize,
) -> pe_status {
    guard("pe_snapshot_exemplar_label_count", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        let sample = snapshot.sample(family, sample)?;
        out.set(
            sample
                .exemplar
                .as_ref()
                .map_or(0, |e| e.labels.1 - e.labels.0),
        );
        Ok(())
    })
}

/// Reads label `label` of the exemplar of sample `sample` of family `family`: its name into `*name`
/// and its value into `*value`.
///
/// The strings are borrowed from the snapshot: valid until `pe_snapshot_free()`. Returns `PE_OK`;
/// `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_NOT_FOUND` (an index out of range, or no exemplar);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_exemplar_label(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    label: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> pe_status {
    guard("pe_snapshot_exemplar_label", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let name = out_arg(name, "name")?;
        let value = out_arg(value, "value")?;
        let labels = snapshot
            .sample(family, sample)?
            .exemplar
            .as_ref()
            .map_or((0, 0), |e| e.labels);
        let (n, v) = snapshot.label(labels, label)?;
        name.set(n);
        value.set(v);
        Ok(())
    })
}

/// Renders the whole snapshot as one JSON document, for bindings that parse JSON faster than they
/// can call the accessors above once per sample and label (one call and one parse, instead of a
/// dozen calls a sample).
///
/// The document is an array with one element per family, in snapshot order:
/// `[name, help, unit, type, samples]`, where `type` is the `pe_metric_type` value and `samples`
/// an array of `[name, labels, value, timestamp, exemplar]`: `labels` is an object (label name to
/// value, in snapshot order), `value` a number or the string `"NaN"`, `"+Inf"` or `"-Inf"`,
/// `timestamp` seconds since the Unix epoch or `null`, and `exemplar` `null` or
/// `[labels, value, timestamp]` alike. Numbers are the shortest decimals that read back as the
/// same doubles; strings are UTF-8 with `"`, `\` and control characters escaped.
///
/// On success `*out` receives a NUL-terminated UTF-8 string owned by the caller, to release with
/// `pe_string_free()`, and `*len` (when `len` is not NULL) its length in bytes without the NUL.
/// Returns `PE_OK`; `PE_ERR_NULL` (`snapshot`, `out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe (a snapshot is immutable).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_json(
    snapshot: *const pe_snapshot,
    out: *mut *mut c_char,
    len: *mut usize,
) -> pe_status {
    guard("pe_snapshot_json", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        let json = snapshot.to_json();
        out.set(to_c_string(&json)?);
        opt_out_arg(len).set(json.len());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_what_json_requires() {
        let mut out = String::new();
        json_string(&mut out, "a\"b\\c\nd\te\u{1}f é");
        assert_eq!(out, r#""a\"b\\c\nd\te\u0001f é""#);
    }

    #[test]
    fn json_numbers_read_back_exactly() {
        let mut out = String::new();
        for value in [
            1.0,
            0.1,
            -2.5e-300,
            1e21,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            json_number(&mut out, value);
            out.push(' ');
        }
        assert_eq!(out, r#"1.0 0.1 -2.5e-300 1e21 "NaN" "+Inf" "-Inf" "#);
    }
}
