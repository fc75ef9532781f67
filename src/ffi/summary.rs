//! `pe_summary`: a summary family, or one child bound from it.

use std::ffi::c_char;
use std::time::Duration;

use super::args::{out_arg, slice_arg};
use super::family;
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, tag_of};
use super::metric::{MetricRef, fast_series};
use super::opts::{opts_arg, pe_metric_opts, simple_opts};
use super::status::{Failure, FfiResult, pe_status};
use crate::metric::{Family, Summary, SummaryConfig};

/// A summary: a family (from `pe_summary_new()`), or one labelled child of it (from
/// `pe_summary_labels()`). Opaque; reference counted; release with `pe_summary_free()`.
pub struct pe_summary {
    _private: [u8; 0],
}

impl CType for pe_summary {
    type Inner = MetricRef<Summary>;
    const TAG: u32 = tag_of("pe_summary");
    const NAME: &'static str = "pe_summary";
}

/// The summary configuration from C arguments; see `pe_summary_new_opts()` for the defaults.
unsafe fn config_arg(
    quantiles: *const f64,
    errors: *const f64,
    n_objectives: usize,
    max_age_seconds: f64,
    age_buckets: u32,
) -> FfiResult<SummaryConfig> {
    let mut config = SummaryConfig::default();
    if !(quantiles.is_null() && n_objectives == 0) {
        let quantiles = unsafe { slice_arg(quantiles, n_objectives, "quantiles") }?;
        let errors = unsafe { slice_arg(errors, n_objectives, "errors") }?;
        config.objectives = quantiles
            .iter()
            .copied()
            .zip(errors.iter().copied())
            .collect();
    }
    if max_age_seconds != 0.0 {
        config.max_age = Duration::try_from_secs_f64(max_age_seconds)
            .ok()
            .filter(|age| !age.is_zero())
            .ok_or_else(|| {
                Failure::new(
                    pe_status::PE_ERR_INVALID_CONFIG,
                    format!(
                        "invalid configuration: max_age_seconds {max_age_seconds} is not a \
                         positive, finite number of seconds"
                    ),
                )
            })?;
    }
    if age_buckets != 0 {
        config.age_buckets = age_buckets;
    }
    Ok(config)
}

/// Creates a summary family with the default objectives (0.5 ± 0.05, 0.9 ± 0.01, 0.99 ± 0.001) over
/// a 10-minute window in 5 age buckets, not registered anywhere (see
/// `pe_registry_register_summary()`).
///
/// `name` (required), `help` (NULL is "") and `label_names` (`quantile` is reserved) are borrowed
/// for the call and copied. On success `*out` receives a new handle owned by the caller, to release
/// with `pe_summary_free()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`, `label_names` with `n_labels > 0`, or one of its
/// strings is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_new(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
    out: *mut *mut pe_summary,
) -> pe_status {
    guard("pe_summary_new", || {
        let opts = unsafe { simple_opts(name, help, label_names, n_labels) }?;
        family::create::<pe_summary>(out, || {
            MetricRef::from_family(Family::with_config(opts, SummaryConfig::default())?)
        })
    })
}

/// Creates a summary family from options, objectives and a sliding window, not registered.
///
/// Objectives: `n_objectives` quantiles (`quantiles[i]` in [0, 1]) each with its allowed rank error
/// `errors[i]`. `quantiles` NULL with `n_objectives` 0 gives the default objectives (see
/// `pe_summary_new()`); a non-NULL `quantiles` with `n_objectives` 0 gives none (only `_count` and
/// `_sum` are exposed). Quantiles are computed over the last `max_age_seconds` (0 for the default
/// 600), rotated in `age_buckets` steps (0 for the default 5). `opts`, what it points to and the
/// arrays are borrowed for the call and copied. On success `*out` receives a new handle owned by
/// the caller (release with `pe_summary_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `out`, a label name, or `quantiles` /
/// `errors` with `n_objectives > 0`); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG`
/// (`opts->struct_size` too small, invalid unit, objectives out of range, negative or non-finite
/// `max_age_seconds`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_new_opts(
    opts: *const pe_metric_opts,
    quantiles: *const f64,
    errors: *const f64,
    n_objectives: usize,
    max_age_seconds: f64,
    age_buckets: u32,
    out: *mut *mut pe_summary,
) -> pe_status {
    guard("pe_summary_new_opts", || unsafe {
        new_opts(
            opts,
            (quantiles, errors, n_objectives),
            (max_age_seconds, age_buckets),
            true,
            out,
        )
    })
}

/// The body of `pe_summary_new_opts()` and `pe_summary_new_opts_v2()`.
unsafe fn new_opts(
    opts: *const pe_metric_opts,
    (quantiles, errors, n_objectives): (*const f64, *const f64, usize),
    (max_age_seconds, age_buckets): (f64, u32),
    expose_quantiles: bool,
    out: *mut *mut pe_summary,
) -> FfiResult {
    let opts = unsafe { opts_arg(opts, "opts") }?;
    let config = unsafe {
        config_arg(
            quantiles,
            errors,
            n_objectives,
            max_age_seconds,
            age_buckets,
        )
    }?;
    let config = SummaryConfig {
        expose_quantiles,
        ..config
    };
    family::create::<pe_summary>(out, || {
        MetricRef::from_family(Family::with_config(opts, config)?)
    })
}

/// `pe_summary_new_opts()` with a choice of whether the exposition shows the quantiles: with
/// `expose_quantiles` false the summary is exposed with `_count` and `_sum` only, as
/// client_python's summaries are, while `pe_summary_quantile()` still answers from its window.
/// Everything else, ownership and errors included, is as `pe_summary_new_opts()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_new_opts_v2(
    opts: *const pe_metric_opts,
    quantiles: *const f64,
    errors: *const f64,
    n_objectives: usize,
    max_age_seconds: f64,
    age_buckets: u32,
    expose_quantiles: bool,
    out: *mut *mut pe_summary,
) -> pe_status {
    guard("pe_summary_new_opts_v2", || unsafe {
        new_opts(
            opts,
            (quantiles, errors, n_objectives),
            (max_age_seconds, age_buckets),
            expose_quantiles,
            out,
        )
    })
}

/// Releases the caller's reference to a summary handle (family or bound child). Registries keep
/// their own reference, so a registered summary stays exposed; other handles stay valid.
///
/// NULL is a no-op. A pointer that is not a live `pe_summary` is left alone (and reported through
/// `pe_last_error()`). Do not use `summary` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_free(summary: *mut pe_summary) {
    guard_value("pe_summary_free", (), || unsafe {
        family::free(summary, "summary")
    })
}

/// Binds the child of a summary family with these label values, created on first use.
///
/// Updating the child through `*child_out` does no lookup. `summary` must be a family (borrowed);
/// the `n` strings of `values` are borrowed for the call. On success `*child_out` receives a new
/// handle owned by the caller, to release with `pe_summary_free()`; it keeps the child alive even
/// after `pe_summary_remove()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_summary`, or a
/// bound child); `PE_ERR_LABEL_COUNT` (`n` differs from the number of label names);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_labels(
    summary: *mut pe_summary,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut pe_summary,
) -> pe_status {
    guard("pe_summary_labels", || unsafe {
        family::labels(summary, "summary", values, n, child_out)
    })
}

/// Records one observation in a bound child or a family without labels.
///
/// `summary` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: bind a child or use `pe_summary_observe_labels()`);
/// `PE_ERR_INVALID_VALUE` (`value` is NaN; nothing is recorded); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_observe(summary: *mut pe_summary, value: f64) -> pe_status {
    // Fast path: a live series that takes the value; anything else takes the checked path below,
    // which reports the problem.
    if let Some(series) = unsafe { fast_series::<pe_summary, Summary>(summary) } {
        if series.try_observe(value) {
            return pe_status::PE_OK;
        }
    }
    unsafe { summary_observe_checked(summary, value) }
}

/// The checked path of `pe_summary_observe()`: every error, reported. Out of line, so that the fast path
/// keeps a small frame.
#[cold]
#[inline(never)]
unsafe extern "C" fn summary_observe_checked(summary: *mut pe_summary, value: f64) -> pe_status {
    guard("pe_summary_observe", || unsafe {
        family::update(summary, "summary", |m| m.observe(value))
    })
}

/// Records one observation in the child of a family with these label values, created on first use.
///
/// `summary` (a family) and the `n` strings of `values` are borrowed for the call. Returns `PE_OK`;
/// `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a summary, or a bound child);
/// `PE_ERR_LABEL_COUNT`; `PE_ERR_INVALID_VALUE` (NaN: nothing is recorded, but a child created by
/// this call stays, empty); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_observe_labels(
    summary: *mut pe_summary,
    values: *const *const c_char,
    n: usize,
    value: f64,
) -> pe_status {
    guard("pe_summary_observe_labels", || unsafe {
        family::update_labelled(summary, "summary", values, n, |s| s.observe(value))
    })
}

/// Reads the number of observations into `*out`: a bound child's, or the total over all children of
/// a family.
///
/// `summary` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_count(summary: *const pe_summary, out: *mut u64) -> pe_status {
    guard("pe_summary_count", || {
        let summary = unsafe { borrow::<pe_summary>(summary, "summary") }?;
        let out = out_arg(out, "out")?;
        out.set(summary.covered().iter().map(|s| s.count()).sum());
        Ok(())
    })
}

/// Reads the number of observations of the child with these label values into `*out`, without
/// creating it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a summary, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_count_labels(
    summary: *const pe_summary,
    values: *const *const c_char,
    n: usize,
    out: *mut u64,
) -> pe_status {
    guard("pe_summary_count_labels", || unsafe {
        family::read_labelled(summary, "summary", values, n, out, |m| Ok(m.count()))
    })
}

/// Reads the sum of observations into `*out`: a bound child's, or the total over all children of a
/// family.
///
/// `summary` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_sum(summary: *const pe_summary, out: *mut f64) -> pe_status {
    guard("pe_summary_sum", || unsafe {
        family::read_sum(summary, "summary", out, Summary::sum)
    })
}

/// Reads the sum of observations of the child with these label values into `*out`, without creating
/// it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a summary, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_sum_labels(
    summary: *const pe_summary,
    values: *const *const c_char,
    n: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_summary_sum_labels", || unsafe {
        family::read_labelled(summary, "summary", values, n, out, |m| Ok(m.sum()))
    })
}

/// Reads the estimate of quantile `q` over the sliding window into `*out` (NaN when the window
/// holds no observation), for a bound child or a family without labels.
///
/// `summary` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT`
/// (a family with labels: quantiles do not add up, read a child with
/// `pe_summary_quantile_labels()`); `PE_ERR_INVALID_VALUE` (`q` outside [0, 1] or NaN);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_quantile(
    summary: *const pe_summary,
    q: f64,
    out: *mut f64,
) -> pe_status {
    guard("pe_summary_quantile", || {
        let summary = unsafe { borrow::<pe_summary>(summary, "summary") }?;
        let out = out_arg(out, "out")?;
        out.set(summary.series()?.quantile(q)?);
        Ok(())
    })
}

/// Reads the estimate of quantile `q` of the child with these label values into `*out`, without
/// creating it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a summary, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INVALID_VALUE`;
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_quantile_labels(
    summary: *const pe_summary,
    values: *const *const c_char,
    n: usize,
    q: f64,
    out: *mut f64,
) -> pe_status {
    guard("pe_summary_quantile_labels", || unsafe {
        family::read_labelled(summary, "summary", values, n, out, |m| Ok(m.quantile(q)?))
    })
}

/// Removes the child with these label values from a family: it is no longer exposed. Handles bound
/// to it stay valid but update a detached series.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_summary`, or a
/// bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child; a family without labels
/// always keeps its one series); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_remove(
    summary: *mut pe_summary,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_summary_remove", || unsafe {
        family::remove(summary, "summary", values, n)
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
/// a summary, or a bound child); `PE_ERR_INVALID_NAME` (a name that is not one of the family's
/// labels, or one given twice: nothing is removed); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_remove_matching(
    summary: *mut pe_summary,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> pe_status {
    guard("pe_summary_remove_matching", || unsafe {
        family::remove_matching(summary, "summary", label_names, label_values, n, removed)
    })
}

/// Removes every child of a family (a family without labels keeps its one series).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND` (not a `pe_summary`, or a bound child);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_summary_clear(summary: *mut pe_summary) -> pe_status {
    guard("pe_summary_clear", || unsafe {
        family::clear(summary, "summary")
    })
}
