//! `pe_snapshot`: a registry's collected families, flattened into samples, readable from C
//! without parsing text. Bindings build their own metric objects from it: field by field with the
//! accessors, all at once with `pe_snapshot_families()` (the arrays as the snapshot holds them), or
//! as one JSON document.

use std::ffi::c_char;

use super::args::{opt_out_arg, out_arg, str_array};
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, into_raw, release, tag_of};
use super::native_histogram::{write_sign, write_state};
use super::registry::{pe_registry, registry_arg};
use super::status::{Failure, FfiResult, pe_status};
use super::string::to_c_string;
use crate::registry::NameFilter;

mod json;
mod store;

pub(crate) use store::Snapshot;

pub use super::codes::{RawMetricType, pe_metric_type};

/// The body of an accessor: borrows the snapshot, checks `out`, and writes what `read` finds.
///
/// # Safety
/// `snapshot` as for `borrow`; `out` is NULL or valid for a write.
unsafe fn read<T>(
    snapshot: *const pe_snapshot,
    out: *mut T,
    arg: &str,
    read: impl FnOnce(&Snapshot) -> FfiResult<T>,
) -> FfiResult {
    let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
    let out = out_arg(out, arg)?;
    out.set(read(snapshot)?);
    Ok(())
}

/// A collection, frozen: every family with its samples. Opaque; release with `pe_snapshot_free()`.
/// Strings and arrays read from it are borrowed from it and stay valid until then.
pub struct pe_snapshot {
    _private: [u8; 0],
}

impl CType for pe_snapshot {
    type Inner = Snapshot;
    const TAG: u32 = tag_of("pe_snapshot");
    const NAME: &'static str = "pe_snapshot";
}

/// A label of a snapshot (`pe_snapshot_families()`): name and value, each NUL-terminated and with
/// its length in bytes (without the NUL), borrowed from the snapshot.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_snapshot_label {
    pub name: *const c_char,
    pub name_len: usize,
    pub value: *const c_char,
    pub value_len: usize,
}

/// The exemplar of a snapshot sample (`pe_snapshot_families()`), borrowed from the snapshot.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_snapshot_exemplar {
    /// `n_labels` labels (the pointer is not to be read when `n_labels` is 0).
    pub labels: *const pe_snapshot_label,
    pub n_labels: usize,
    pub value: f64,
    /// Seconds since the Unix epoch; 0 when `has_timestamp` is false.
    pub timestamp: f64,
    pub has_timestamp: bool,
}

/// A sample of a snapshot (`pe_snapshot_families()`), borrowed from the snapshot. Samples of one
/// series may point at the same labels.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_snapshot_sample {
    /// The full sample name (`x_total`, `x_bucket`, ...), NUL-terminated, `name_len` bytes.
    pub name: *const c_char,
    pub name_len: usize,
    /// `n_labels` labels: the series' labels, then any the sample adds (`le`, `quantile`, the state
    /// label, info labels). The pointer is not to be read when `n_labels` is 0.
    pub labels: *const pe_snapshot_label,
    pub n_labels: usize,
    pub value: f64,
    /// Seconds since the Unix epoch; 0 when `has_timestamp` is false (only custom collectors set
    /// timestamps).
    pub timestamp: f64,
    pub has_timestamp: bool,
    /// NULL when the sample has no exemplar.
    pub exemplar: *const pe_snapshot_exemplar,
}

/// A family of a snapshot (`pe_snapshot_families()`), borrowed from the snapshot. Strings are
/// NUL-terminated, with their lengths in bytes (without the NUL).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pe_snapshot_family {
    /// A counter's name without `_total`, an info's without `_info`.
    pub name: *const c_char,
    pub name_len: usize,
    pub help: *const c_char,
    pub help_len: usize,
    /// "" when the family has none.
    pub unit: *const c_char,
    pub unit_len: usize,
    pub kind: pe_metric_type,
    /// `n_samples` samples (the pointer is not to be read when `n_samples` is 0).
    pub samples: *const pe_snapshot_sample,
    pub n_samples: usize,
}

impl Snapshot {
    fn family(&self, index: usize) -> FfiResult<&pe_snapshot_family> {
        self.families
            .get(index)
            .ok_or_else(|| out_of_range("family", index, self.families.len()))
    }

    fn sample(&self, family: usize, index: usize) -> FfiResult<&pe_snapshot_sample> {
        let samples = self.samples_of(self.family(family)?);
        samples
            .get(index)
            .ok_or_else(|| out_of_range("sample", index, samples.len()))
    }

    fn label(
        &self,
        labels: *const pe_snapshot_label,
        n: usize,
        index: usize,
    ) -> FfiResult<(*const c_char, *const c_char)> {
        match self.labels_at(labels, n).get(index) {
            Some(label) => Ok((label.name, label.value)),
            None => Err(out_of_range("label", index, n)),
        }
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
        out.set(into_raw::<pe_snapshot>(Snapshot::collect(
            registry,
            |_, _| true,
        )));
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
        let filter = NameFilter::new(&names);
        let snapshot = Snapshot::collect(registry, |name, kind| filter.accepts(name, kind));
        out.set(into_raw::<pe_snapshot>(snapshot));
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
    guard("pe_snapshot_family_name", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.family(family)?.name)
        })
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
    guard("pe_snapshot_family_help", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.family(family)?.help)
        })
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
    guard("pe_snapshot_family_unit", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.family(family)?.unit)
        })
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
    guard("pe_snapshot_family_type", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.family(family)?.kind)
        })
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
    guard("pe_snapshot_sample_count", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.family(family)?.n_samples)
        })
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
    guard("pe_snapshot_sample_name", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.sample(family, sample)?.name)
        })
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
    guard("pe_snapshot_sample_value", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.sample(family, sample)?.value)
        })
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
        has_timestamp.set(sample.has_timestamp);
        timestamp.set(sample.timestamp);
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
    guard("pe_snapshot_sample_label_count", || unsafe {
        read(snapshot, out, "out", |snapshot| {
            Ok(snapshot.sample(family, sample)?.n_labels)
        })
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
        let sample = snapshot.sample(family, sample)?;
        let (n, v) = snapshot.label(sample.labels, sample.n_labels, label)?;
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
        let exemplar = snapshot.exemplar_of(snapshot.sample(family, sample)?);
        has_exemplar.set(exemplar.is_some());
        value.set(exemplar.map_or(f64::NAN, |e| e.value));
        has_timestamp.set(exemplar.is_some_and(|e| e.has_timestamp));
        timestamp.set(exemplar.map_or(0.0, |e| e.timestamp));
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
        let exemplar = snapshot.exemplar_of(snapshot.sample(family, sample)?);
        out.set(exemplar.map_or(0, |e| e.n_labels));
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
        let exemplar = snapshot.exemplar_of(snapshot.sample(family, sample)?);
        let (labels, n_labels) = exemplar.map_or((std::ptr::null(), 0), |e| (e.labels, e.n_labels));
        let (n, v) = snapshot.label(labels, n_labels, label)?;
        name.set(n);
        value.set(v);
        Ok(())
    })
}

/// Reads the native state of the native histogram point that sample `sample` of family `family`
/// belongs to (each of the point's samples, `_bucket`, `_count`, `_sum` and `_created`, leads to
/// it): `*schema`, `*zero_threshold`, `*zero_count`, and the number of populated positive and
/// negative buckets. `*has_native` is false, and the rest untouched, for a sample of any other
/// point. Each output but `has_native` may be NULL when not wanted.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`snapshot`, `has_native`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (an index out of range); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_native(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    has_native: *mut bool,
    schema: *mut i32,
    zero_threshold: *mut f64,
    zero_count: *mut u64,
    n_positive: *mut usize,
    n_negative: *mut usize,
) -> pe_status {
    guard("pe_snapshot_sample_native", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let has_native = out_arg(has_native, "has_native")?;
        let native = snapshot.native_of(snapshot.sample(family, sample)?);
        has_native.set(native.is_some());
        if let Some(native) = native {
            write_state(
                native,
                schema,
                zero_threshold,
                zero_count,
                n_positive,
                n_negative,
            );
        }
        Ok(())
    })
}

/// Reads the populated native buckets of one sign (`negative` 0: positive, else negative) of the
/// native histogram point that sample `sample` of family `family` belongs to, as
/// `pe_histogram_native_buckets()` reads a live histogram's: keys increasing, counts not
/// cumulative, the first `min(capacity, *n_buckets)` written (either array may be NULL).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`snapshot`, `n_buckets`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (an index out of range, or a sample of a point without native buckets);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_sample_native_buckets(
    snapshot: *const pe_snapshot,
    family: usize,
    sample: usize,
    negative: i32,
    keys: *mut i32,
    counts: *mut u64,
    capacity: usize,
    n_buckets: *mut usize,
) -> pe_status {
    guard("pe_snapshot_sample_native_buckets", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let n_buckets = out_arg(n_buckets, "n_buckets")?;
        let native = snapshot
            .native_of(snapshot.sample(family, sample)?)
            .ok_or_else(|| {
                Failure::new(
                    pe_status::PE_ERR_NOT_FOUND,
                    format!("sample {sample} of family {family} has no native buckets"),
                )
            })?;
        write_sign(native, negative, keys, counts, capacity, n_buckets);
        Ok(())
    })
}

/// Reads every family of the snapshot at once: `*families` receives the array of its
/// `*n_families` families, each pointing at its samples, which point at their labels and exemplar.
/// One call instead of one per field: what bindings use to copy a whole snapshot.
///
/// The arrays and strings are borrowed from the snapshot: valid until `pe_snapshot_free()`, not to
/// be freed or written. Every string lies inside the buffer `pe_snapshot_strings()` gives. With no
/// families, `*families` may be any pointer (not to be read). Returns `PE_OK`; `PE_ERR_NULL`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Thread-safe (a snapshot is immutable).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_families(
    snapshot: *const pe_snapshot,
    families: *mut *const pe_snapshot_family,
    n_families: *mut usize,
) -> pe_status {
    guard("pe_snapshot_families", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let families = out_arg(families, "families")?;
        let n_families = out_arg(n_families, "n_families")?;
        families.set(snapshot.families.as_ptr());
        n_families.set(snapshot.families.len());
        Ok(())
    })
}

/// Reads the buffer that holds every string of the snapshot (names, help texts, units, label names
/// and values, each NUL-terminated): its start into `*strings` and its length in bytes into `*len`.
/// Every string pointer the snapshot lends, through the accessors or `pe_snapshot_families()`,
/// points inside it, so a binding can copy all the text at once and slice its strings from the
/// copy by offset (`pointer - *strings`).
///
/// The buffer is borrowed from the snapshot: valid until `pe_snapshot_free()`, not to be freed or
/// written. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_strings(
    snapshot: *const pe_snapshot,
    strings: *mut *const c_char,
    len: *mut usize,
) -> pe_status {
    guard("pe_snapshot_strings", || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let strings = out_arg(strings, "strings")?;
        let len = out_arg(len, "len")?;
        strings.set(snapshot.text().as_ptr().cast());
        len.set(snapshot.text().len());
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
    unsafe { render_json("pe_snapshot_json", snapshot, out, len, Snapshot::to_json) }
}

/// Renders the whole snapshot as one JSON document laid out by columns: like `pe_snapshot_json()`,
/// but each family holds an array per field of its samples instead of an array per sample, for
/// bindings that build their sample records from columns (zipping them) faster than from rows.
///
/// The document is an array with one element per family, in snapshot order:
/// `[name, help, unit, type, names, labels, values, timestamps, exemplars]`, where the first four
/// are as in `pe_snapshot_json()` and the other five hold one element per sample, in order:
/// `names` the sample names, `labels` objects (label name to value, in snapshot order), `values`
/// numbers or the strings `"NaN"`, `"+Inf"`, `"-Inf"`, `timestamps` seconds since the Unix epoch or
/// `null`, `exemplars` `null` or `[labels, value, timestamp]`. `timestamps` is `null` instead of an
/// array when no sample of the family has a timestamp, and `exemplars` when none has an exemplar.
/// Numbers and strings are written as in `pe_snapshot_json()`, except in a snapshot of a parsed text
/// (`pe_parse_exposition()`), whose values keep the form the text gave them: a value written as an
/// integer is that integer exactly (a JSON integer of any size), any other always has a fraction
/// or an exponent, and an OpenMetrics timestamp in integer seconds or with a fraction is
/// `[seconds, nanoseconds]` (client_python's `Timestamp`).
///
/// On success `*out` receives a NUL-terminated UTF-8 string owned by the caller, to release with
/// `pe_string_free()`, and `*len` (when `len` is not NULL) its length in bytes without the NUL.
/// Returns `PE_OK`; `PE_ERR_NULL` (`snapshot`, `out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe (a snapshot is immutable).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_snapshot_json_columns(
    snapshot: *const pe_snapshot,
    out: *mut *mut c_char,
    len: *mut usize,
) -> pe_status {
    unsafe {
        render_json(
            "pe_snapshot_json_columns",
            snapshot,
            out,
            len,
            Snapshot::to_json_columns,
        )
    }
}

/// The body of the JSON functions: `render` the snapshot into a string for the caller.
///
/// # Safety
/// As for the exported functions: `snapshot` a snapshot handle or NULL, `out` and `len` writable
/// or NULL.
unsafe fn render_json(
    function: &'static str,
    snapshot: *const pe_snapshot,
    out: *mut *mut c_char,
    len: *mut usize,
    render: fn(&Snapshot) -> String,
) -> pe_status {
    guard(function, || {
        let snapshot = unsafe { borrow::<pe_snapshot>(snapshot, "snapshot") }?;
        let out = out_arg(out, "out")?;
        let json = render(snapshot);
        out.set(to_c_string(&json)?);
        opt_out_arg(len).set(json.len());
        Ok(())
    })
}
