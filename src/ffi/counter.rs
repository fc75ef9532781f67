//! `pe_counter`: a counter family, or one child bound from it.

use std::ffi::c_char;

use super::args::{INLINE_STRS, c_bytes_array, pairs_arg};
use super::family;
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, peek, tag_of};
use super::metric::{MetricRef, fast_series};
use super::opts::{opts_arg, pe_metric_opts, simple_opts};
use super::status::pe_status;
use crate::metric::{Counter, Family};
use crate::snapshot::Exemplar;

/// A counter: a family (from `pe_counter_new()`), or one labelled child of it (from
/// `pe_counter_labels()`). Opaque; reference counted; release with `pe_counter_free()`.
pub struct pe_counter {
    _private: [u8; 0],
}

impl CType for pe_counter {
    type Inner = MetricRef<Counter>;
    const TAG: u32 = tag_of("pe_counter");
    const NAME: &'static str = "pe_counter";
}

/// Creates a counter family, not registered anywhere (see `pe_registry_register_counter()`).
///
/// `name` (required; a trailing `_total` is dropped and added back on exposition), `help` (NULL is
/// "") and the `n_labels` strings of `label_names` (NULL allowed when `n_labels` is 0) are borrowed
/// for the call and copied. On success `*out` receives a new handle owned by the caller, to release
/// with `pe_counter_free()`; on error `*out` is not written.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`, `label_names` with `n_labels > 0`, or one of its
/// strings is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME` (bad metric or label name, reserved `__`
/// label, a label name twice); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_new(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
    out: *mut *mut pe_counter,
) -> pe_status {
    guard("pe_counter_new", || {
        let opts = unsafe { simple_opts(name, help, label_names, n_labels) }?;
        family::create::<pe_counter>(out, || MetricRef::from_family(Family::new(opts)?))
    })
}

/// Creates a counter family from options (namespace, subsystem, unit...), not registered.
///
/// `opts` and everything it points to are borrowed for the call and copied. On success `*out`
/// receives a new handle owned by the caller (release with `pe_counter_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `out`, or a label name is NULL);
/// `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (`opts->struct_size` too small,
/// invalid unit); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_new_opts(
    opts: *const pe_metric_opts,
    out: *mut *mut pe_counter,
) -> pe_status {
    guard("pe_counter_new_opts", || {
        let opts = unsafe { opts_arg(opts, "opts") }?;
        family::create::<pe_counter>(out, || MetricRef::from_family(Family::new(opts)?))
    })
}

/// Releases the caller's reference to a counter handle (family or bound child). Registries keep
/// their own reference, so a registered counter stays exposed; other handles stay valid.
///
/// NULL is a no-op. A pointer that is not a live `pe_counter` is left alone (and reported through
/// `pe_last_error()`). Do not use `counter` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_free(counter: *mut pe_counter) {
    guard_value("pe_counter_free", (), || unsafe {
        family::free(counter, "counter")
    })
}

/// Binds the child of a counter family with these label values, created at 0 on first use.
///
/// Updating the child through `*child_out` takes no lock, does no lookup and allocates nothing: the
/// hot path. `counter` must be a family (borrowed); the `n` strings of `values` are borrowed for
/// the call. On success `*child_out` receives a new handle owned by the caller, to release with
/// `pe_counter_free()`; it keeps the child alive even after `pe_counter_remove()` (updates then go
/// to a series no longer exposed).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a counter, or a bound
/// child); `PE_ERR_LABEL_COUNT` (`n` differs from the number of label names); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_labels(
    counter: *mut pe_counter,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut pe_counter,
) -> pe_status {
    guard("pe_counter_labels", || unsafe {
        family::labels(counter, "counter", values, n, child_out)
    })
}

/// Adds `amount` (`>= 0`; `+Inf` allowed) to a bound child or to a family without labels.
///
/// `counter` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: bind a child or use `pe_counter_inc_labels()`); `PE_ERR_INVALID_VALUE`
/// (`amount` negative or NaN; the value is unchanged); `PE_ERR_INTERNAL`. Thread-safe, lock-free
/// and allocation-free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_inc(counter: *mut pe_counter, amount: f64) -> pe_status {
    // Fast path: a live series and the common amount, in a leaf function. Anything else goes on
    // to the general path, as a tail call.
    if let Some(series) = unsafe { fast_series::<pe_counter, Counter>(counter) } {
        if series.try_inc_fast(amount) {
            return pe_status::PE_OK;
        }
    }
    unsafe { counter_inc_general(counter, amount) }
}

/// The rest of `pe_counter_inc()`: other valid amounts without the unwind guard, then the checked
/// path for everything that must be reported.
#[inline(never)]
unsafe extern "C" fn counter_inc_general(counter: *mut pe_counter, amount: f64) -> pe_status {
    if let Some(series) = unsafe { fast_series::<pe_counter, Counter>(counter) } {
        if series.try_inc(amount) {
            return pe_status::PE_OK;
        }
    }
    unsafe { counter_inc_checked(counter, amount) }
}

/// The checked path of `pe_counter_inc()`: every error, reported. Out of line, so that the fast path
/// keeps a small frame.
#[cold]
#[inline(never)]
unsafe extern "C" fn counter_inc_checked(counter: *mut pe_counter, amount: f64) -> pe_status {
    guard("pe_counter_inc", || unsafe {
        family::update(counter, "counter", |m| m.inc(amount))
    })
}

/// Adds `amount` to the child of a family with these label values, created on first use.
///
/// `counter` (a family) and the `n` strings of `values` are borrowed for the call; when the child
/// exists nothing is allocated. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`
/// (not a counter, or a bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_INVALID_VALUE` (negative or NaN
/// `amount`: no value changes, but a child created by this call stays, at 0, as with binding then
/// incrementing); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_inc_labels(
    counter: *mut pe_counter,
    values: *const *const c_char,
    n: usize,
    amount: f64,
) -> pe_status {
    // Fast path: an existing child, found by the bytes of the values (a match is valid UTF-8, so
    // no check is needed), that takes the amount. Anything else (a new child, an error to report)
    // takes the checked path below.
    if let Some(family) = unsafe { peek::<pe_counter>(counter) }.and_then(|c| c.family_opt()) {
        if let Some(bytes) = unsafe { c_bytes_array::<INLINE_STRS>(values, n) } {
            if family.apply_existing_bytes(&bytes[..n], |c| c.try_inc(amount)) == Some(true) {
                return pe_status::PE_OK;
            }
        }
    }
    unsafe { counter_inc_labels_checked(counter, values, n, amount) }
}

/// The checked path of `pe_counter_inc_labels()`.
#[cold]
#[inline(never)]
unsafe extern "C" fn counter_inc_labels_checked(
    counter: *mut pe_counter,
    values: *const *const c_char,
    n: usize,
    amount: f64,
) -> pe_status {
    guard("pe_counter_inc_labels", || unsafe {
        family::update_labelled(counter, "counter", values, n, |c| c.inc(amount))
    })
}

/// Adds `amount` and records an exemplar for it: the `n_exemplar_labels` pairs of
/// `exemplar_names`/`exemplar_values` (at most 128 characters in all), value `amount`, and
/// `timestamp` in seconds since the Unix epoch, or NaN for none.
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels); `PE_ERR_INVALID_VALUE`
/// (negative or NaN `amount`, invalid exemplar labels, too long, infinite timestamp: nothing
/// changes); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_inc_with_exemplar(
    counter: *mut pe_counter,
    amount: f64,
    exemplar_names: *const *const c_char,
    exemplar_values: *const *const c_char,
    n_exemplar_labels: usize,
    timestamp: f64,
) -> pe_status {
    guard("pe_counter_inc_with_exemplar", || {
        let counter = unsafe { borrow::<pe_counter>(counter, "counter") }?;
        let pairs = unsafe {
            pairs_arg(
                exemplar_names,
                exemplar_values,
                n_exemplar_labels,
                "exemplar_names",
                "exemplar_values",
            )
        }?;
        let counter = counter.series()?;
        let exemplar = Exemplar::new(&pairs, amount, (!timestamp.is_nan()).then_some(timestamp))?;
        Ok(counter.inc_with_exemplar(amount, exemplar)?)
    })
}

/// Reads a counter into `*out`: a bound child's value, or the sum over all children of a family (a
/// family without labels: its value).
///
/// `counter` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_get(counter: *const pe_counter, out: *mut f64) -> pe_status {
    guard("pe_counter_get", || unsafe {
        family::read_sum(counter, "counter", out, Counter::get)
    })
}

/// Reads the child of a family with these label values into `*out`, without creating it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a counter, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_get_labels(
    counter: *const pe_counter,
    values: *const *const c_char,
    n: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_counter_get_labels", || unsafe {
        family::read_labelled(counter, "counter", values, n, out, |m| Ok(m.get()))
    })
}

/// Sets a bound child or a family without labels back to 0, forgets its exemplar and restarts its
/// `_created` time.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels:
/// bind the child to reset, or `pe_counter_clear()` to drop every child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_reset(counter: *mut pe_counter) -> pe_status {
    guard("pe_counter_reset", || unsafe {
        family::update(counter, "counter", |m| {
            m.reset();
            Ok(())
        })
    })
}

/// Removes the child with these label values from a family: it is no longer exposed. Handles bound
/// to it stay valid but update a detached series.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a counter, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child; a family without labels always
/// keeps its one series); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_remove(
    counter: *mut pe_counter,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_counter_remove", || unsafe {
        family::remove(counter, "counter", values, n)
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
/// a counter, or a bound child); `PE_ERR_INVALID_NAME` (a name that is not one of the family's
/// labels, or one given twice: nothing is removed); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_remove_matching(
    counter: *mut pe_counter,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> pe_status {
    guard("pe_counter_remove_matching", || unsafe {
        family::remove_matching(counter, "counter", label_names, label_values, n, removed)
    })
}

/// Removes every child of a family (a family without labels keeps its one series).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND` (not a counter, or a bound child);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_counter_clear(counter: *mut pe_counter) -> pe_status {
    guard("pe_counter_clear", || unsafe {
        family::clear(counter, "counter")
    })
}
