//! `pe_collector`: metrics whose values C computes at collection time, through function
//! pointers: callback gauges and counters, and custom collectors that build whole families.
//!
//! The callbacks may be called from any thread that collects (an exposition, a snapshot, the
//! exporter's workers), and concurrently: they must be thread-safe. `user_data` is the caller's;
//! the library only hands it back, and calls `free_user_data` once when the collector is
//! destroyed.

use std::ffi::{c_char, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::sync::Mutex;

use super::args::{out_arg, pairs_arg, slice_arg, str_arg, str_array, timestamp_arg};
use super::codes::{RawMetricType, metric_type_arg};
use super::guard::{guard, guard_value};
use super::handle::{CType, Handle, borrow, into_raw, null_argument, release, tag_of};
use super::opts::simple_opts;
use super::status::{Failure, FfiResult, pe_status};
use crate::collector::{Collector, Descriptor};
use crate::collectors::CallbackMetric;
use crate::metric::{HistogramConfig, StateSetConfig};
use crate::name::{default_validation, family_name, validate_family_label_names};
use crate::registry::default_process_collector;
use crate::snapshot::{LabelSet, MetricFamily, MetricPoint, MetricType, PointValue};

/// A callback metric or a custom collector. Opaque; reference counted; register it with
/// `pe_registry_register_collector()`, release it with `pe_collector_free()`.
pub struct pe_collector {
    _private: [u8; 0],
}

impl CType for pe_collector {
    type Inner = Arc<dyn Collector>;
    const TAG: u32 = tag_of("pe_collector");
    const NAME: &'static str = "pe_collector";
}

/// Returns the current value of a callback metric. Called at every collection, from any thread.
pub type pe_value_fn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> f64>;

/// Releases `user_data`; called once, when the collector is destroyed, from any thread.
pub type pe_free_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// Adds the collector's families to `builder` with `pe_collect_family()` and the `pe_collect_*()`
/// point functions. Called at every collection, from any thread, possibly concurrently. `builder`
/// is valid only during the call.
pub type pe_collect_fn =
    Option<unsafe extern "C" fn(builder: *mut pe_collect_builder, user_data: *mut c_void)>;

/// The caller's `user_data` and how to release it. Released only once the collector was created
/// successfully (`armed`): a failed constructor leaves `user_data` to the caller.
struct UserData {
    ptr: *mut c_void,
    free: pe_free_fn,
    armed: AtomicBool,
}

// SAFETY: the C API requires the callbacks (and so what they do with `user_data`) to be
// thread-safe; the library never touches `user_data` itself.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    fn new(ptr: *mut c_void, free: pe_free_fn) -> Arc<Self> {
        Arc::new(UserData {
            ptr,
            free,
            armed: AtomicBool::new(false),
        })
    }
}

impl Drop for UserData {
    fn drop(&mut self) {
        if let (Some(free), true) = (self.free, self.armed.load(Ordering::Acquire)) {
            // SAFETY: the caller gave `free` for this `user_data`.
            unsafe { free(self.ptr) }
        }
    }
}

/// Builds a callback metric of `kind` and hands it out.
unsafe fn new_callback(
    name: *const c_char,
    help: *const c_char,
    value_fn: pe_value_fn,
    user_data: *mut c_void,
    free_user_data: pe_free_fn,
    out: *mut *mut pe_collector,
    kind: MetricType,
) -> FfiResult {
    let opts = unsafe { simple_opts(name, help, std::ptr::null(), 0) }?;
    let value_fn = value_fn.ok_or_else(|| null_argument("value_fn"))?;
    let out = out_arg(out, "out")?;
    let data = UserData::new(user_data, free_user_data);
    let captured = data.clone();
    // SAFETY: the caller promises `value_fn` may be called with `user_data` from any thread.
    let read = move || unsafe { value_fn(captured.ptr) };
    let metric = match kind {
        MetricType::Counter => CallbackMetric::counter(opts, read)?,
        _ => CallbackMetric::gauge(opts, read)?,
    };
    data.armed.store(true, Ordering::Release);
    out.set(into_raw::<pe_collector>(Arc::new(metric)));
    Ok(())
}

/// Creates a gauge without labels whose value `value_fn(user_data)` returns at each collection.
///
/// `name` (required) and `help` (NULL is "") are borrowed for the call and copied. `value_fn` is
/// required and must be thread-safe: it may be called from any thread, concurrently, as long as the
/// collector lives. `user_data` may be NULL. On success the collector owns `user_data` and calls
/// `free_user_data(user_data)` (when not NULL) once, from whichever thread drops the last reference
/// (a handle or a registry); on error it is not called and `user_data` stays the caller's. On
/// success `*out` receives a new handle owned by the caller (register it with
/// `pe_registry_register_collector()`, release it with `pe_collector_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `value_fn`, `out`); `PE_ERR_UTF8`;
/// `PE_ERR_INVALID_NAME`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_callback_gauge_new(
    name: *const c_char,
    help: *const c_char,
    value_fn: pe_value_fn,
    user_data: *mut c_void,
    free_user_data: pe_free_fn,
    out: *mut *mut pe_collector,
) -> pe_status {
    guard("pe_callback_gauge_new", || unsafe {
        new_callback(
            name,
            help,
            value_fn,
            user_data,
            free_user_data,
            out,
            MetricType::Gauge,
        )
    })
}

/// Creates a counter without labels whose value `value_fn(user_data)` returns at each collection;
/// the value must never decrease. Exposed as `<name>_total` (a trailing `_total` on `name` is
/// dropped first). Ownership, threads and statuses as for `pe_callback_gauge_new()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `value_fn`, `out`); `PE_ERR_UTF8`;
/// `PE_ERR_INVALID_NAME`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_callback_counter_new(
    name: *const c_char,
    help: *const c_char,
    value_fn: pe_value_fn,
    user_data: *mut c_void,
    free_user_data: pe_free_fn,
    out: *mut *mut pe_collector,
) -> pe_status {
    guard("pe_callback_counter_new", || unsafe {
        new_callback(
            name,
            help,
            value_fn,
            user_data,
            free_user_data,
            out,
            MetricType::Counter,
        )
    })
}

/// The `collector` label of a custom collector created without a name.
const UNNAMED_COLLECTOR: &str = "pe_collector";

/// A collector whose families a C callback builds.
struct CustomCollector {
    collect: unsafe extern "C" fn(*mut pe_collect_builder, *mut c_void),
    data: Arc<UserData>,
    /// What `pe_collector_new_v2()` named it; `None` for `pe_collector_new()`.
    name: Option<String>,
}

impl Collector for CustomCollector {
    /// Its families are not known before it is collected, and one that overran a deadline has
    /// none to go by: it is called what its creator named it, or `pe_collector`.
    fn name(&self) -> String {
        self.name.as_deref().unwrap_or(UNNAMED_COLLECTOR).to_owned()
    }

    /// Families are only known when collected: the registry cannot check them for clashes, and
    /// merges or drops same-named families at collection.
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        let builder = Handle::<pe_collect_builder>::new(Mutex::new(Vec::new()));
        // SAFETY: the caller promises `collect` may be called with `user_data` from any thread;
        // the builder outlives the call.
        unsafe { (self.collect)(builder.as_ptr(), self.data.ptr) };
        out.append(&mut builder.inner.lock());
    }
}

/// Creates a custom collector: at each collection, `collect(builder, user_data)` adds families and
/// their points through `builder` (see `pe_collect_family()`). Its families are not known in
/// advance, so registration cannot check them for name clashes.
///
/// `collect` is required and must be thread-safe: it may be called from any thread, concurrently.
/// `user_data` may be NULL; on success the collector owns it and calls `free_user_data(user_data)`
/// (when not NULL) once when destroyed, from whichever thread drops the last reference; on error it
/// stays the caller's. On success `*out` receives a new handle owned by the caller (register it
/// with `pe_registry_register_collector()`, release it with `pe_collector_free()`).
///
/// Where it is counted on its own (a scrape's deadline passing before it returns), it is named
/// `pe_collector`; `pe_collector_new_v2()` gives it a name.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`collect`, `out`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collector_new(
    collect: pe_collect_fn,
    user_data: *mut c_void,
    free_user_data: pe_free_fn,
    out: *mut *mut pe_collector,
) -> pe_status {
    guard("pe_collector_new", || {
        new_custom(None, collect, user_data, free_user_data, out)
    })
}

/// `pe_collector_new()` with a name: the collector's `collector` label in
/// `prometheus_emulator_collector_timeout_total`, which counts the scrapes an exporter answered
/// without its families because the scrape's deadline passed first (see
/// `pe_exporter_options.scrape_timeout_margin_ms`). A collector made with `pe_collector_new()`
/// is named `pe_collector`, so name each one to tell them apart; keep names stable, as each is a
/// series of its own. Callback metrics are named after their metric.
///
/// `name` is required (any UTF-8 string, "" included), borrowed for the call and copied; the
/// name cannot change afterwards. The rest as for `pe_collector_new()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `collect`, `out`); `PE_ERR_UTF8`; `PE_ERR_INTERNAL`.
/// On error `user_data` stays the caller's. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collector_new_v2(
    name: *const c_char,
    collect: pe_collect_fn,
    user_data: *mut c_void,
    free_user_data: pe_free_fn,
    out: *mut *mut pe_collector,
) -> pe_status {
    guard("pe_collector_new_v2", || {
        let name = unsafe { str_arg(name, "name") }?;
        new_custom(Some(name), collect, user_data, free_user_data, out)
    })
}

/// Builds a custom collector and hands it out.
fn new_custom(
    name: Option<&str>,
    collect: pe_collect_fn,
    user_data: *mut c_void,
    free_user_data: pe_free_fn,
    out: *mut *mut pe_collector,
) -> FfiResult {
    let collect = collect.ok_or_else(|| null_argument("collect"))?;
    let out = out_arg(out, "out")?;
    let data = UserData::new(user_data, free_user_data);
    data.armed.store(true, Ordering::Release);
    out.set(into_raw::<pe_collector>(Arc::new(CustomCollector {
        collect,
        data,
        name: name.map(str::to_owned),
    })));
    Ok(())
}

/// Hands out the process collector the default registry starts with (`process_cpu_seconds_total`,
/// memory, file descriptors, start time): the same one on every call, so that
/// `pe_registry_unregister_collector(NULL, it)` takes the process metrics out of the default
/// registry, `pe_registry_register_collector(NULL, it)` puts them back, and registering it in a
/// registry of your own exposes them there.
///
/// On success `*out` receives a new handle owned by the caller, to release with
/// `pe_collector_free()` (the collector stays wherever it is registered). Returns `PE_OK`;
/// `PE_ERR_NULL` (`out`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collector_process(out: *mut *mut pe_collector) -> pe_status {
    guard("pe_collector_process", || {
        let out = out_arg(out, "out")?;
        out.set(into_raw::<pe_collector>(default_process_collector()));
        Ok(())
    })
}

/// Releases the caller's reference to a collector. Registries keep their own reference; when the
/// last one goes, `free_user_data` is called.
///
/// NULL is a no-op. A pointer that is not a live `pe_collector` is left alone (and reported through
/// `pe_last_error()`). Do not use `collector` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collector_free(collector: *mut pe_collector) {
    guard_value("pe_collector_free", (), || unsafe {
        release::<pe_collector>(collector, "collector")
    })
}

/// What a custom collector's callback adds families and points to. Valid only during the callback,
/// and only on the thread the callback runs on. Opaque; never freed by the caller.
pub struct pe_collect_builder {
    _private: [u8; 0],
}

impl CType for pe_collect_builder {
    type Inner = Mutex<Vec<MetricFamily>>;
    const TAG: u32 = tag_of("pe_collect_builder");
    const NAME: &'static str = "pe_collect_builder";
}

/// Starts a new family; the points added next belong to it. `type` is a `pe_metric_type`.
///
/// `name` (required; a counter's trailing `_total` is dropped, a `unit` is appended as `_<unit>`
/// when missing), `help` (NULL is "") and `unit` (NULL or "" for none) are borrowed for the call
/// and copied. `builder` is the callback's.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`builder`, `name`); `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a
/// live builder); `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_VALUE` (unknown `type`);
/// `PE_ERR_INVALID_CONFIG` (invalid unit, or a unit on an info or state set); `PE_ERR_INTERNAL`. On
/// error no family is started and later points go to the previous family (if any). Call only from
/// the callback that received `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_family(
    builder: *mut pe_collect_builder,
    name: *const c_char,
    help: *const c_char,
    r#type: RawMetricType,
    unit: *const c_char,
) -> pe_status {
    guard("pe_collect_family", || {
        let builder = unsafe { borrow::<pe_collect_builder>(builder, "builder") }?;
        let name = unsafe { str_arg(name, "name") }?;
        let help = unsafe { super::args::opt_str_arg(help, "help") }?;
        let unit = unsafe { super::args::opt_str_arg(unit, "unit") }?;
        let kind = metric_type_arg(r#type)?;
        let unit = Some(unit).filter(|u| !u.is_empty());
        let name = family_name(name, kind, unit, default_validation())?;
        builder.lock().push(MetricFamily {
            name: name.into(),
            help: help.into(),
            kind,
            unit: unit.map(Into::into),
            points: Vec::new(),
        });
        Ok(())
    })
}

/// Adds a point to the builder's current family, after checking its labels against the family
/// (names valid, none repeated, none reserved for its type).
///
/// # Safety
/// The pointers follow the rules of [`str_array`].
pub(super) unsafe fn add_point(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    timestamp: f64,
    accepts: &[MetricType],
    value: impl FnOnce() -> FfiResult<PointValue>,
) -> FfiResult {
    let builder = unsafe { borrow::<pe_collect_builder>(builder, "builder") }?;
    let pairs = unsafe {
        pairs_arg(
            label_names,
            label_values,
            n_labels,
            "label_names",
            "label_values",
        )
    }?;
    let timestamp = timestamp_arg(timestamp, "timestamp")?;
    let mut families = builder.lock();
    let family = families.last_mut().ok_or_else(|| {
        Failure::new(
            pe_status::PE_ERR_WRONG_KIND,
            "no family started: call pe_collect_family() first",
        )
    })?;
    if !accepts.contains(&family.kind) {
        return Err(Failure::new(
            pe_status::PE_ERR_WRONG_KIND,
            format!(
                "this point does not fit the current family, a {}",
                family.kind.as_str()
            ),
        ));
    }
    let value = value()?;
    let names: Vec<&str> = pairs.iter().map(|(n, _)| *n).collect();
    validate_family_label_names(&family.name, family.kind, &names, default_validation())?;
    family.points.push(MetricPoint {
        labels: LabelSet::new(&pairs)?,
        value,
        timestamp,
    });
    Ok(())
}

#[cold]
pub(super) fn invalid_value(message: String) -> Failure {
    Failure::new(pe_status::PE_ERR_INVALID_VALUE, message)
}

/// Adds a point with one value to the current family, which must be a counter, gauge or unknown:
/// the series' `n_labels` label pairs `label_names`/`label_values`, its `value`, and `timestamp` in
/// seconds since the Unix epoch, or NaN for none.
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not a live builder, no family started, or the family is of another type);
/// `PE_ERR_INVALID_NAME` (bad, repeated or reserved label name); `PE_ERR_INVALID_VALUE` (infinite
/// timestamp); `PE_ERR_INTERNAL`. On error nothing is added. Call only from the callback that
/// received `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_sample(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    value: f64,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_sample", || {
        let kind = unsafe { borrow::<pe_collect_builder>(builder, "builder") }?
            .lock()
            .last()
            .map(|f| f.kind);
        unsafe {
            add_point(
                builder,
                label_names,
                label_values,
                n_labels,
                timestamp,
                &[MetricType::Counter, MetricType::Gauge, MetricType::Unknown],
                || {
                    Ok(match kind {
                        Some(MetricType::Counter) => PointValue::Counter {
                            value,
                            created: None,
                            exemplar: None,
                        },
                        Some(MetricType::Gauge) => PointValue::Gauge { value },
                        _ => PointValue::Unknown { value },
                    })
                },
            )
        }
    })
}

/// Adds a histogram point to the current family, which must be a histogram: the series' label
/// pairs, `n_buckets` strictly increasing `upper_bounds` ending with `+Inf`, their
/// `cumulative_counts` (non-decreasing, the last equal to `count`), the `sum` of observations, and
/// `timestamp` (NaN for none).
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not a live builder, no family started, or not a histogram);
/// `PE_ERR_INVALID_NAME` (bad, repeated or reserved label name, such as `le`);
/// `PE_ERR_INVALID_CONFIG` (bounds empty, unsorted, NaN, or not ending with `+Inf`);
/// `PE_ERR_INVALID_VALUE` (counts decreasing or not ending with `count`, infinite timestamp);
/// `PE_ERR_INTERNAL`. On error nothing is added. Call only from the callback that received
/// `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_histogram(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    upper_bounds: *const f64,
    cumulative_counts: *const u64,
    n_buckets: usize,
    sum: f64,
    count: u64,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_histogram", || {
        let bounds = unsafe { slice_arg(upper_bounds, n_buckets, "upper_bounds") }?;
        let counts = unsafe { slice_arg(cumulative_counts, n_buckets, "cumulative_counts") }?;
        unsafe {
            add_point(
                builder,
                label_names,
                label_values,
                n_labels,
                timestamp,
                &[MetricType::Histogram],
                || {
                    Ok(PointValue::Histogram {
                        bounds: classic_bounds(bounds, counts, count)?.into(),
                        cumulative: counts.to_vec(),
                        sum,
                        count,
                        created: None,
                        exemplars: Vec::new(),
                        native: None,
                    })
                },
            )
        }
    })
}

/// Checks the classic buckets of a collected histogram point: bounds strictly increasing and
/// ending with `+Inf`, cumulative counts not decreasing and ending with `count`.
pub(super) fn classic_bounds<'a>(
    bounds: &'a [f64],
    counts: &[u64],
    count: u64,
) -> FfiResult<&'a [f64]> {
    let config = HistogramConfig::new(bounds)?;
    if config.bounds().len() != bounds.len() {
        return Err(Failure::new(
            pe_status::PE_ERR_INVALID_CONFIG,
            "the last upper bound must be +Inf",
        ));
    }
    if counts.windows(2).any(|w| w[0] > w[1]) || counts.last() != Some(&count) {
        return Err(invalid_value(format!(
            "cumulative counts must not decrease and must end with count ({count})"
        )));
    }
    Ok(bounds)
}

/// Adds a summary point to the current family, which must be a summary: the series' label pairs,
/// `n_quantiles` pairs of `quantiles` (each in [0, 1]) and their `values`, the `sum` and `count` of
/// observations, and `timestamp` (NaN for none).
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not a live builder, no family started, or not a summary);
/// `PE_ERR_INVALID_NAME` (bad, repeated or reserved label name, such as `quantile`);
/// `PE_ERR_INVALID_VALUE` (a quantile outside [0, 1], infinite timestamp); `PE_ERR_INTERNAL`.
///
/// On error nothing is added. Call only from the callback that received `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_summary(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    quantiles: *const f64,
    values: *const f64,
    n_quantiles: usize,
    sum: f64,
    count: u64,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_summary", || {
        let quantiles = unsafe { slice_arg(quantiles, n_quantiles, "quantiles") }?;
        let values = unsafe { slice_arg(values, n_quantiles, "values") }?;
        unsafe {
            add_point(
                builder,
                label_names,
                label_values,
                n_labels,
                timestamp,
                &[MetricType::Summary],
                || {
                    if let Some(q) = quantiles.iter().find(|q| !(0.0..=1.0).contains(*q)) {
                        return Err(invalid_value(format!("quantile {q} is outside [0, 1]")));
                    }
                    Ok(PointValue::Summary {
                        quantiles: quantiles
                            .iter()
                            .copied()
                            .zip(values.iter().copied())
                            .collect(),
                        sum,
                        count,
                        created: None,
                    })
                },
            )
        }
    })
}

/// Adds an info point to the current family, which must be an info: the series' label pairs, the
/// `n_info` info label pairs `info_names`/`info_values`, and `timestamp` (NaN for none).
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not a live builder, no family started, or not an info);
/// `PE_ERR_INVALID_NAME` (a bad or repeated label or info label name); `PE_ERR_INVALID_VALUE`
/// (infinite timestamp); `PE_ERR_INTERNAL`. On error nothing is added. Call only from the callback
/// that received `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_info(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    info_names: *const *const c_char,
    info_values: *const *const c_char,
    n_info: usize,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_info", || {
        let info =
            unsafe { pairs_arg(info_names, info_values, n_info, "info_names", "info_values") }?;
        unsafe {
            add_point(
                builder,
                label_names,
                label_values,
                n_labels,
                timestamp,
                &[MetricType::Info],
                || {
                    Ok(PointValue::Info {
                        info: LabelSet::new(&info)?,
                    })
                },
            )
        }
    })
}

/// Adds a state set (enum) point to the current family, which must be a state set: the series'
/// label pairs, the `n_states` `states` and whether each is `active`, and `timestamp` (NaN for
/// none).
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not a live builder, no family started, or not a state set);
/// `PE_ERR_INVALID_NAME` (bad, repeated or reserved label name, such as the family's own name);
/// `PE_ERR_INVALID_CONFIG` (no state, or a state twice); `PE_ERR_INVALID_VALUE` (infinite
/// timestamp); `PE_ERR_INTERNAL`. On error nothing is added. Call only from the callback that
/// received `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_stateset(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    states: *const *const c_char,
    active: *const bool,
    n_states: usize,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_stateset", || {
        let states = unsafe { str_array(states, n_states, "states") }?;
        let active = unsafe { slice_arg(active, n_states, "active") }?;
        unsafe {
            add_point(
                builder,
                label_names,
                label_values,
                n_labels,
                timestamp,
                &[MetricType::StateSet],
                || {
                    let config = StateSetConfig::flags(&states)?;
                    Ok(PointValue::StateSet {
                        states: config.states().into(),
                        active: active.to_vec(),
                    })
                },
            )
        }
    })
}
