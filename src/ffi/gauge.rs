//! `pe_gauge`: a gauge family, or one child bound from it.

use std::ffi::c_char;

use super::family;
use super::guard::{guard, guard_value};
use super::handle::{CType, tag_of};
use super::metric::{MetricRef, fast_series};
use super::opts::{opts_arg, pe_metric_opts, simple_opts};
use super::status::pe_status;
use crate::metric::{Family, Gauge};

/// A gauge: a family (from `pe_gauge_new()`), or one labelled child of it (from
/// `pe_gauge_labels()`). Opaque; reference counted; release with `pe_gauge_free()`.
pub struct pe_gauge {
    _private: [u8; 0],
}

impl CType for pe_gauge {
    type Inner = MetricRef<Gauge>;
    const TAG: u32 = tag_of("pe_gauge");
    const NAME: &'static str = "pe_gauge";
}

/// Creates a gauge family, not registered anywhere (see `pe_registry_register_gauge()`).
///
/// `name` (required), `help` (NULL is "") and the `n_labels` strings of `label_names` (NULL allowed
/// when `n_labels` is 0) are borrowed for the call and copied. On success `*out` receives a new
/// handle owned by the caller, to release with `pe_gauge_free()`; on error `*out` is not written.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`, `label_names` with `n_labels > 0`, or one of its
/// strings is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME` (bad metric or label name, reserved `__`
/// label, a label name twice); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_new(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
    out: *mut *mut pe_gauge,
) -> pe_status {
    guard("pe_gauge_new", || {
        let opts = unsafe { simple_opts(name, help, label_names, n_labels) }?;
        family::create::<pe_gauge>(out, || MetricRef::from_family(Family::new(opts)?))
    })
}

/// Creates a gauge family from options (namespace, subsystem, unit...), not registered.
///
/// `opts` and everything it points to are borrowed for the call and copied. On success `*out`
/// receives a new handle owned by the caller (release with `pe_gauge_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `out`, or a label name is NULL);
/// `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (`opts->struct_size` too small,
/// invalid unit); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_new_opts(
    opts: *const pe_metric_opts,
    out: *mut *mut pe_gauge,
) -> pe_status {
    guard("pe_gauge_new_opts", || {
        let opts = unsafe { opts_arg(opts, "opts") }?;
        family::create::<pe_gauge>(out, || MetricRef::from_family(Family::new(opts)?))
    })
}

/// Releases the caller's reference to a gauge handle (family or bound child). Registries keep their
/// own reference, so a registered gauge stays exposed; other handles stay valid.
///
/// NULL is a no-op. A pointer that is not a live `pe_gauge` is left alone (and reported through
/// `pe_last_error()`). Do not use `gauge` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_free(gauge: *mut pe_gauge) {
    guard_value("pe_gauge_free", (), || unsafe {
        family::free(gauge, "gauge")
    })
}

/// Binds the child of a gauge family with these label values, created on first use.
///
/// Updating the child through `*child_out` takes no lock, does no lookup and allocates nothing.
/// `gauge` must be a family (borrowed); the `n` strings of `values` are borrowed for the call. On
/// success `*child_out` receives a new handle owned by the caller, to release with
/// `pe_gauge_free()`; it keeps the child alive even after `pe_gauge_remove()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_gauge`, or a bound
/// child); `PE_ERR_LABEL_COUNT` (`n` differs from the number of label names); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_labels(
    gauge: *mut pe_gauge,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut pe_gauge,
) -> pe_status {
    guard("pe_gauge_labels", || unsafe {
        family::labels(gauge, "gauge", values, n, child_out)
    })
}

/// Sets a bound child or a family without labels to `value`: any value, NaN and the infinities
/// included (they are gauge values in every format).
///
/// `gauge` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: bind a child or use `pe_gauge_set_labels()`); `PE_ERR_INTERNAL`.
/// Thread-safe, lock-free, allocation-free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_set(gauge: *mut pe_gauge, value: f64) -> pe_status {
    // Fast path: a live series that takes the value; anything else takes the checked path below,
    // which reports the problem.
    if let Some(series) = unsafe { fast_series::<pe_gauge, Gauge>(gauge) } {
        if series.try_set(value) {
            return pe_status::PE_OK;
        }
    }
    unsafe { gauge_set_checked(gauge, value) }
}

/// The checked path of `pe_gauge_set()`: every error, reported. Out of line, so that the fast path
/// keeps a small frame.
#[cold]
#[inline(never)]
unsafe extern "C" fn gauge_set_checked(gauge: *mut pe_gauge, value: f64) -> pe_status {
    guard("pe_gauge_set", || unsafe {
        family::update(gauge, "gauge", |m| m.set(value))
    })
}

/// The one-shot labelled form of `pe_gauge_set()`: applies it to the child of a family with these
/// label values, created on first use.
///
/// `gauge` (a family) and the `n` strings of `values` are borrowed for the call; when the child
/// exists nothing is allocated. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`
/// (not a gauge, or a bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_CARDINALITY` (a capped family
/// refusing a new label set); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_set_labels(
    gauge: *mut pe_gauge,
    values: *const *const c_char,
    n: usize,
    value: f64,
) -> pe_status {
    guard("pe_gauge_set_labels", || unsafe {
        family::update_labelled(gauge, "gauge", values, n, |g| g.set(value))
    })
}

/// Adds `amount` (which may be negative) to a bound child or a family without labels, with IEEE
/// arithmetic: NaN makes the gauge NaN, and a gauge at +Inf given -Inf becomes NaN (`PE_OK`: NaN
/// is a valid gauge value).
///
/// `gauge` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: bind a child or use `pe_gauge_inc_labels()`); `PE_ERR_INTERNAL`.
/// Thread-safe, lock-free, allocation-free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_inc(gauge: *mut pe_gauge, amount: f64) -> pe_status {
    guard("pe_gauge_inc", || unsafe {
        family::update(gauge, "gauge", |m| m.inc(amount))
    })
}

/// The one-shot labelled form of `pe_gauge_inc()`: applies it to the child of a family with these
/// label values, created on first use.
///
/// `gauge` (a family) and the `n` strings of `values` are borrowed for the call; when the child
/// exists nothing is allocated. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`
/// (not a gauge, or a bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_CARDINALITY` (a capped family
/// refusing a new label set); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_inc_labels(
    gauge: *mut pe_gauge,
    values: *const *const c_char,
    n: usize,
    amount: f64,
) -> pe_status {
    guard("pe_gauge_inc_labels", || unsafe {
        family::update_labelled(gauge, "gauge", values, n, |g| g.inc(amount))
    })
}

/// Subtracts `amount` from a bound child or a family without labels.
///
/// `gauge` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: bind a child or use `pe_gauge_dec_labels()`); `PE_ERR_INTERNAL`.
/// Thread-safe, lock-free, allocation-free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_dec(gauge: *mut pe_gauge, amount: f64) -> pe_status {
    guard("pe_gauge_dec", || unsafe {
        family::update(gauge, "gauge", |m| m.dec(amount))
    })
}

/// The one-shot labelled form of `pe_gauge_dec()`: applies it to the child of a family with these
/// label values, created on first use.
///
/// `gauge` (a family) and the `n` strings of `values` are borrowed for the call; when the child
/// exists nothing is allocated. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`
/// (not a gauge, or a bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_CARDINALITY` (a capped family
/// refusing a new label set); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_dec_labels(
    gauge: *mut pe_gauge,
    values: *const *const c_char,
    n: usize,
    amount: f64,
) -> pe_status {
    guard("pe_gauge_dec_labels", || unsafe {
        family::update_labelled(gauge, "gauge", values, n, |g| g.dec(amount))
    })
}

/// Sets a bound child or a family without labels to the current Unix time in seconds.
///
/// `gauge` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_set_to_current_time(gauge: *mut pe_gauge) -> pe_status {
    guard("pe_gauge_set_to_current_time", || unsafe {
        family::update(gauge, "gauge", |m| {
            m.set_to_current_time();
            Ok(())
        })
    })
}

/// Sets the child of a family with these label values (created on first use) to the current Unix
/// time in seconds.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a gauge, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_set_to_current_time_labels(
    gauge: *mut pe_gauge,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_gauge_set_to_current_time_labels", || unsafe {
        family::update_labelled(gauge, "gauge", values, n, |m| {
            m.set_to_current_time();
            Ok(())
        })
    })
}

/// Reads a gauge into `*out`: a bound child's value, or the sum over all children of a family (a
/// family without labels: its value).
///
/// `gauge` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_get(gauge: *const pe_gauge, out: *mut f64) -> pe_status {
    guard("pe_gauge_get", || unsafe {
        family::read_sum(gauge, "gauge", out, Gauge::get)
    })
}

/// Reads the child of a family with these label values into `*out`, without creating it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a gauge, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_get_labels(
    gauge: *const pe_gauge,
    values: *const *const c_char,
    n: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_gauge_get_labels", || unsafe {
        family::read_labelled(gauge, "gauge", values, n, out, |m| Ok(m.get()))
    })
}

/// Removes the child with these label values from a family: it is no longer exposed. Handles bound
/// to it stay valid but update a detached series.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_gauge`, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child; a family without labels always
/// keeps its one series); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_remove(
    gauge: *mut pe_gauge,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_gauge_remove", || unsafe {
        family::remove(gauge, "gauge", values, n)
    })
}

/// Removes every child of a family whose labels include all of the `n` pairs `label_names[i]`
/// = `label_values[i]` (client_golang's `DeletePartialMatch`, client_python's
/// `remove_by_labels`); `n` 0 matches every child. Handles bound to removed children stay valid
/// but update detached series. On success `*removed` (when not NULL) receives how many were
/// removed, 0 included.
///
/// The strings are borrowed for the call. Returns `PE_OK`; `PE_ERR_NULL` (`label_names` or
/// `label_values` with `n > 0`, or one of their strings); `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not
/// a gauge, or a bound child); `PE_ERR_INVALID_NAME` (a name that is not one of the family's
/// labels, or one given twice: nothing is removed); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_remove_matching(
    gauge: *mut pe_gauge,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> pe_status {
    guard("pe_gauge_remove_matching", || unsafe {
        family::remove_matching(gauge, "gauge", label_names, label_values, n, removed)
    })
}

/// Removes every child of a family (a family without labels keeps its one series).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND` (not a `pe_gauge`, or a bound child);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_gauge_clear(gauge: *mut pe_gauge) -> pe_status {
    guard("pe_gauge_clear", || unsafe {
        family::clear(gauge, "gauge")
    })
}
