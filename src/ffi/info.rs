//! `pe_info`: an info family (labels describing something, exposed with value 1), or one child.

use std::ffi::c_char;

use super::args::{pairs_arg, str_array};
use super::family;
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, tag_of};
use super::metric::MetricRef;
use super::opts::{opts_arg, pe_metric_opts, simple_opts};
use super::status::pe_status;
use crate::metric::{Family, Info};

/// An info metric: a family (from `pe_info_new()`), or one labelled child of it (from
/// `pe_info_labels()`). Opaque; reference counted; release with `pe_info_free()`.
pub struct pe_info {
    _private: [u8; 0],
}

impl CType for pe_info {
    type Inner = MetricRef<Info>;
    const TAG: u32 = tag_of("pe_info");
    const NAME: &'static str = "pe_info";
}

/// Creates an info family (exposed as `<name>_info`), not registered anywhere (see
/// `pe_registry_register_info()`). Its series start with no info labels; set them with
/// `pe_info_set()`.
///
/// `name` (required), `help` (NULL is "") and `label_names` are borrowed for the call and copied.
/// On success `*out` receives a new handle owned by the caller, to release with `pe_info_free()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`, `label_names` with `n_labels > 0`, or one of its
/// strings is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_new(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
    out: *mut *mut pe_info,
) -> pe_status {
    guard("pe_info_new", || {
        let opts = unsafe { simple_opts(name, help, label_names, n_labels) }?;
        family::create::<pe_info>(out, || MetricRef::from_family(Family::new(opts)?))
    })
}

/// Creates an info family from options, not registered. Info metrics have no unit.
///
/// `opts` and everything it points to are borrowed for the call and copied. On success `*out`
/// receives a new handle owned by the caller (release with `pe_info_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `out`, or a label name is NULL);
/// `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (`opts->struct_size` too small, a
/// unit given); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_new_opts(
    opts: *const pe_metric_opts,
    out: *mut *mut pe_info,
) -> pe_status {
    guard("pe_info_new_opts", || {
        let opts = unsafe { opts_arg(opts, "opts") }?;
        family::create::<pe_info>(out, || MetricRef::from_family(Family::new(opts)?))
    })
}

/// Releases the caller's reference to a info handle (family or bound child). Registries keep their
/// own reference, so a registered info stays exposed; other handles stay valid.
///
/// NULL is a no-op. A pointer that is not a live `pe_info` is left alone (and reported through
/// `pe_last_error()`). Do not use `info` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_free(info: *mut pe_info) {
    guard_value("pe_info_free", (), || unsafe { family::free(info, "info") })
}

/// Binds the child of a info family with these label values, created on first use.
///
/// Updating the child through `*child_out` does no lookup. `info` must be a family (borrowed); the
/// `n` strings of `values` are borrowed for the call. On success `*child_out` receives a new handle
/// owned by the caller, to release with `pe_info_free()`; it keeps the child alive even after
/// `pe_info_remove()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_info`, or a bound
/// child); `PE_ERR_LABEL_COUNT` (`n` differs from the number of label names); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_labels(
    info: *mut pe_info,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut pe_info,
) -> pe_status {
    guard("pe_info_labels", || unsafe {
        family::labels(info, "info", values, n, child_out)
    })
}

/// Replaces the info labels of a bound child or a family without labels with the `n` pairs of
/// `names`/`values`.
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels: bind a child or use
/// `pe_info_set_labels()`); `PE_ERR_INVALID_NAME` (a bad or reserved name, a name twice, or one of
/// the family's own label names: the labels are unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_set(
    info: *mut pe_info,
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_info_set", || {
        let info = unsafe { borrow::<pe_info>(info, "info") }?;
        let pairs = unsafe { pairs_arg(names, values, n, "names", "values") }?;
        Ok(info.series()?.set(&pairs)?)
    })
}

/// Replaces the info labels of the child with the `n_values` label values `label_values` (created
/// on first use) with the `n_pairs` pairs of `names`/`values`.
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not an info, or a bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_INVALID_NAME`
/// (the labels are unchanged, but a child created by this call stays, with no info labels);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_set_labels(
    info: *mut pe_info,
    label_values: *const *const c_char,
    n_values: usize,
    names: *const *const c_char,
    values: *const *const c_char,
    n_pairs: usize,
) -> pe_status {
    guard("pe_info_set_labels", || {
        let info = unsafe { borrow::<pe_info>(info, "info") }?;
        let label_values = unsafe { str_array(label_values, n_values, "label_values") }?;
        let pairs = unsafe { pairs_arg(names, values, n_pairs, "names", "values") }?;
        Ok(info.apply(&label_values, |i| i.set(&pairs))??)
    })
}

/// Removes the child with these label values from a family: it is no longer exposed. Handles bound
/// to it stay valid but update a detached series.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_info`, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child; a family without labels always
/// keeps its one series); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_remove(
    info: *mut pe_info,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_info_remove", || unsafe {
        family::remove(info, "info", values, n)
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
/// a info, or a bound child); `PE_ERR_INVALID_NAME` (a name that is not one of the family's
/// labels, or one given twice: nothing is removed); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_remove_matching(
    info: *mut pe_info,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> pe_status {
    guard("pe_info_remove_matching", || unsafe {
        family::remove_matching(info, "info", label_names, label_values, n, removed)
    })
}

/// Removes every child of a family (a family without labels keeps its one series).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND` (not a `pe_info`, or a bound child);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_info_clear(info: *mut pe_info) -> pe_status {
    guard("pe_info_clear", || unsafe { family::clear(info, "info") })
}
