//! `pe_metric_opts`: the options every metric constructor takes, growable without breaking the ABI.

use std::ffi::c_char;
use std::time::Duration;

use super::args::{opt_str_arg, str_arg, str_array};
use super::handle::borrow_opt;
use super::status::{Failure, FfiResult, pe_status};
use super::store_handle::pe_store;
use super::versioned::{Versioned, required};
use crate::metric::{Opts, Overflow};
use crate::store::GaugeMode;

/// Name, help and labels of a metric family, for the `pe_*_new_opts()` constructors.
///
/// Set `struct_size` to `sizeof(pe_metric_opts)`: later versions of the library may add fields at
/// the end, and read them only when `struct_size` says the caller's struct has them. Zero the
/// struct first (`pe_metric_opts opts = {0}; opts.struct_size = sizeof opts;`).
///
/// Every pointer is borrowed for the duration of the constructor call; the library copies what it
/// keeps.
#[repr(C)]
pub struct pe_metric_opts {
    /// `sizeof(pe_metric_opts)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// Metric name, any non-empty UTF-8 once joined with namespace and subsystem
    /// (`[a-zA-Z_:][a-zA-Z0-9_:]*` under legacy name validation). Required. A counter's trailing
    /// `_total` is dropped (the exposition adds it back).
    pub name: *const c_char,
    /// Help text; NULL is "".
    pub help: *const c_char,
    /// Prefix joined to the name with `_`; NULL or "" for none. (Trailing underscore: `namespace`
    /// is a C++ keyword.)
    pub namespace_: *const c_char,
    /// Second prefix, between namespace and name; NULL or "" for none.
    pub subsystem: *const c_char,
    /// OpenMetrics unit, appended to the name as `_<unit>` when not already there; NULL or "" for
    /// none. Info and enum metrics cannot have one.
    pub unit: *const c_char,
    /// `n_label_names` label names; may be NULL when `n_label_names` is 0.
    pub label_names: *const *const c_char,
    /// Number of label names.
    pub n_label_names: usize,
    /// At most this many children; 0 is unbounded. Beyond it a new label set goes as `overflow`
    /// says, and `prometheus_emulator_series_dropped_total{family="…"}` in the default registry
    /// counts it.
    pub max_series: usize,
    /// A `pe_overflow` value: `PE_OVERFLOW_FOLD` (0, the default) or `PE_OVERFLOW_REFUSE`.
    pub overflow: u64,
    /// Children not updated for this many seconds are removed at the next collection of the
    /// family (or when it next creates a child and has not swept for half this time); 0 is never.
    /// Finite and non-negative, else `PE_ERR_INVALID_VALUE`. A family without labels keeps its one
    /// child. A child a handle still holds is hidden instead, and shown again at its value by its
    /// next update; one nobody holds is freed, and its labels later start from zero. Each update
    /// then costs a load and a compare more, as it does with 0 (the check is the same).
    pub series_ttl_seconds: f64,
    /// `n_const_labels` names of labels every child carries with the same value, shown before the
    /// variable labels; may be NULL when `n_const_labels` is 0. Checked like label names, and
    /// against them.
    pub const_label_names: *const *const c_char,
    /// `n_const_labels` values, one per name; may be NULL when `n_const_labels` is 0.
    pub const_label_values: *const *const c_char,
    /// Number of constant labels.
    pub n_const_labels: usize,
    /// The shared store (`pe_store_open()`) the family's values live in, so that every process
    /// of a pre-fork server updates and exposes one set of values; NULL for this process's
    /// memory. The family holds the store. Counters and histograms, classic and native (with
    /// their exemplars), gauges, summaries (their count and sum; quantiles stay per process),
    /// info and enum (state set) families can live there, the latest info labels, state and
    /// exemplar set by any process holding. A native histogram there is reduced to its bucket
    /// limit when read; one with a minimum reset duration or a maximum zero threshold, and a
    /// `series_ttl_seconds`, are `PE_ERR_INVALID_CONFIG`. A family
    /// the store has already, described otherwise by another process, is
    /// `PE_ERR_INVALID_CONFIG`; a full store is `PE_ERR_STORE`, from the constructor or from
    /// the first update of a new label set.
    pub store: *const pe_store,
    /// A `pe_gauge_mode`: how a gauge in a store combines its processes' values (ignored
    /// otherwise). 0, `PE_GAUGE_MODE_ALL`, is the default.
    pub gauge_mode: u64,
}

/// How a gauge in a shared store combines the values its processes set: prometheus_client's
/// `multiprocess_mode`. The `LIVE` modes count live processes only; the others keep what dead
/// processes last set.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_gauge_mode {
    /// A sample per process, with a `pid` label; a dead process's stays until a new process
    /// takes its slot in the store.
    PE_GAUGE_MODE_ALL = 0,
    /// A sample per live process, with a `pid` label.
    PE_GAUGE_MODE_LIVEALL = 1,
    /// The least value.
    PE_GAUGE_MODE_MIN = 2,
    PE_GAUGE_MODE_LIVEMIN = 3,
    /// The greatest value.
    PE_GAUGE_MODE_MAX = 4,
    PE_GAUGE_MODE_LIVEMAX = 5,
    /// The sum of the values.
    PE_GAUGE_MODE_SUM = 6,
    PE_GAUGE_MODE_LIVESUM = 7,
    /// The value set last, by whichever process.
    PE_GAUGE_MODE_MOSTRECENT = 8,
    PE_GAUGE_MODE_LIVEMOSTRECENT = 9,
}

/// What a family at its `max_series` does with a label set it does not hold yet.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_overflow {
    /// The update goes to one overflow child whose every label value is `__overflow__`: totals
    /// stay right, and the family holds at most `max_series + 1` series.
    PE_OVERFLOW_FOLD = 0,
    /// The update fails with `PE_ERR_CARDINALITY` and changes nothing.
    PE_OVERFLOW_REFUSE = 1,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, pointers and numbers only.
unsafe impl Versioned for pe_metric_opts {
    const NAME: &'static str = "pe_metric_opts";
    const FIRST_VERSION_SIZE: usize = std::mem::offset_of!(pe_metric_opts, max_series);
}

/// Reads a `pe_metric_opts`: `PE_ERR_NULL` for a NULL struct or name, `PE_ERR_INVALID_CONFIG` for
/// a `struct_size` smaller than its first version.
///
/// # Safety
/// `ptr` is NULL or points to a `pe_metric_opts` whose pointers follow its field docs.
pub(crate) unsafe fn opts_arg(ptr: *const pe_metric_opts, arg: &str) -> FfiResult<Opts> {
    let opts = unsafe { required(ptr, arg) }?;
    let labels = unsafe { str_array(opts.label_names, opts.n_label_names, "opts->label_names") }?;
    let const_names = unsafe {
        str_array(
            opts.const_label_names,
            opts.n_const_labels,
            "opts->const_label_names",
        )
    }?;
    let const_values = unsafe {
        str_array(
            opts.const_label_values,
            opts.n_const_labels,
            "opts->const_label_values",
        )
    }?;
    let ttl = opts.series_ttl_seconds;
    if !(ttl.is_finite() && ttl >= 0.0) {
        return Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("`opts->series_ttl_seconds` is {ttl}: a finite number of seconds >= 0"),
        ));
    }
    let store = unsafe { borrow_opt::<pe_store>(opts.store, "opts->store") }?.cloned();
    let gauge_mode = u32::try_from(opts.gauge_mode)
        .ok()
        .and_then(GaugeMode::from_code)
        .ok_or_else(|| {
            Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!(
                    "`opts->gauge_mode` is {}: a pe_gauge_mode (0 to 9)",
                    opts.gauge_mode
                ),
            )
        })?;
    Ok(Opts {
        name: unsafe { str_arg(opts.name, "opts->name") }?.to_owned(),
        help: unsafe { opt_str_arg(opts.help, "opts->help") }?.to_owned(),
        namespace: unsafe { opt_str_arg(opts.namespace_, "opts->namespace_") }?.to_owned(),
        subsystem: unsafe { opt_str_arg(opts.subsystem, "opts->subsystem") }?.to_owned(),
        unit: unsafe { opt_str_arg(opts.unit, "opts->unit") }?.to_owned(),
        label_names: labels.iter().map(|s| s.to_string()).collect(),
        const_labels: (const_names.iter().zip(const_values.iter()))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        max_series: (opts.max_series > 0).then_some(opts.max_series),
        overflow: match opts.overflow {
            0 => Overflow::Fold,
            1 => Overflow::Refuse,
            other => {
                return Err(Failure::new(
                    pe_status::PE_ERR_INVALID_VALUE,
                    format!("`opts->overflow` is {other}: PE_OVERFLOW_FOLD or PE_OVERFLOW_REFUSE"),
                ));
            }
        },
        series_ttl: (ttl > 0.0).then(|| Duration::from_secs_f64(ttl)),
        expiry_clock: None,
        store,
        gauge_mode,
    })
}

/// The options of the short constructors (`pe_counter_new()` ...): name, help (NULL is "") and
/// label names.
///
/// # Safety
/// The pointers are NULL or valid as `str_arg` and `str_array` require.
pub(crate) unsafe fn simple_opts(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
) -> FfiResult<Opts> {
    let name = unsafe { str_arg(name, "name") }?;
    let help = unsafe { opt_str_arg(help, "help") }?;
    let labels = unsafe { str_array(label_names, n_labels, "label_names") }?;
    Ok(Opts::new(name, help).labels(&labels))
}
