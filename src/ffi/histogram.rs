//! `pe_histogram`: a histogram family, or one child bound from it; and the bucket helpers.

use std::ffi::c_char;

use super::args::{opt_out_slice_arg, out_arg, out_slice_arg, pairs_arg, slice_arg, str_array};
use super::family;
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, into_raw, tag_of};
use super::metric::{MetricRef, fast_series};
use super::opts::{opts_arg, pe_metric_opts, simple_opts};
use super::status::{FfiResult, pe_status};
use crate::metric::{
    Family, Histogram, HistogramConfig, Opts, exponential_buckets, linear_buckets,
};
use crate::snapshot::Exemplar;

/// A histogram: a family (from `pe_histogram_new()`), or one labelled child of it (from
/// `pe_histogram_labels()`). Opaque; reference counted; release with `pe_histogram_free()`.
pub struct pe_histogram {
    _private: [u8; 0],
}

impl CType for pe_histogram {
    type Inner = MetricRef<Histogram>;
    const TAG: u32 = tag_of("pe_histogram");
    const NAME: &'static str = "pe_histogram";
}

/// The bucket configuration: NULL or 0 buckets is the default set.
unsafe fn config_arg<'a>(buckets: *const f64, n_buckets: usize) -> FfiResult<Option<&'a [f64]>> {
    if buckets.is_null() || n_buckets == 0 {
        Ok(None)
    } else {
        Ok(Some(unsafe { slice_arg(buckets, n_buckets, "buckets") }?))
    }
}

fn new_family(opts: Opts, buckets: Option<&[f64]>) -> FfiResult<*mut pe_histogram> {
    let config = match buckets {
        Some(bounds) => HistogramConfig::new(bounds)?,
        None => HistogramConfig::default(),
    };
    Ok(into_raw::<pe_histogram>(MetricRef::from_family(
        Family::with_config(opts, config)?,
    )?))
}

/// Creates a histogram family, not registered anywhere (see `pe_registry_register_histogram()`).
///
/// `buckets` holds `n_buckets` upper bounds, strictly increasing; `+Inf` is added when missing.
/// NULL or `n_buckets == 0` gives the default buckets (.005, .01, .025, .05, .075, .1, .25, .5,
/// .75, 1, 2.5, 5, 7.5, 10, +Inf). `name` (required), `help` (NULL is ""), `label_names` (`le` is
/// reserved) and `buckets` are borrowed for the call and copied. On success `*out` receives a new
/// handle owned by the caller, to release with `pe_histogram_free()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`, `label_names` with `n_labels > 0`, or one of its
/// strings is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (buckets
/// unsorted, repeated or NaN); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_new(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
    buckets: *const f64,
    n_buckets: usize,
    out: *mut *mut pe_histogram,
) -> pe_status {
    guard("pe_histogram_new", || {
        let opts = unsafe { simple_opts(name, help, label_names, n_labels) }?;
        let buckets = unsafe { config_arg(buckets, n_buckets) }?;
        let out = out_arg(out, "out")?;
        out.set(new_family(opts, buckets)?);
        Ok(())
    })
}

/// Creates a histogram family from options and buckets (as for `pe_histogram_new()`), not
/// registered.
///
/// `opts`, what it points to and `buckets` are borrowed for the call and copied. On success `*out`
/// receives a new handle owned by the caller (release with `pe_histogram_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `out`, or a label name is NULL);
/// `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (`opts->struct_size` too small,
/// invalid unit or buckets); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_new_opts(
    opts: *const pe_metric_opts,
    buckets: *const f64,
    n_buckets: usize,
    out: *mut *mut pe_histogram,
) -> pe_status {
    guard("pe_histogram_new_opts", || {
        let opts = unsafe { opts_arg(opts, "opts") }?;
        let buckets = unsafe { config_arg(buckets, n_buckets) }?;
        let out = out_arg(out, "out")?;
        out.set(new_family(opts, buckets)?);
        Ok(())
    })
}

/// Writes `count` upper bounds `start`, `start + width`, ... into `out` (which holds at least
/// `count` doubles), for `pe_histogram_new()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out` with `count > 0`); `PE_ERR_INVALID_CONFIG` (`count` 0 or
/// over 100000, `width <= 0`, a non-finite argument, or a bound that overflows to infinity: `out`
/// is not written); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_linear_buckets(
    start: f64,
    width: f64,
    count: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_linear_buckets", || {
        let out = out_slice_arg(out, count, "out")?;
        out.fill(linear_buckets(start, width, count)?);
        Ok(())
    })
}

/// Writes `count` upper bounds `start`, `start * factor`, `start * factor^2`, ... into `out` (which
/// holds at least `count` doubles), for `pe_histogram_new()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out` with `count > 0`); `PE_ERR_INVALID_CONFIG` (`count` 0 or
/// over 100000, `start <= 0`, `factor <= 1`, a non-finite argument, or a bound that overflows to
/// infinity: `out` is not written); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_exponential_buckets(
    start: f64,
    factor: f64,
    count: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_exponential_buckets", || {
        let out = out_slice_arg(out, count, "out")?;
        out.fill(exponential_buckets(start, factor, count)?);
        Ok(())
    })
}

/// Releases the caller's reference to a histogram handle (family or bound child). Registries keep
/// their own reference, so a registered histogram stays exposed; other handles stay valid.
///
/// NULL is a no-op. A pointer that is not a live `pe_histogram` is left alone (and reported through
/// `pe_last_error()`). Do not use `histogram` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_free(histogram: *mut pe_histogram) {
    guard_value("pe_histogram_free", (), || unsafe {
        family::free(histogram, "histogram")
    })
}

/// Binds the child of a histogram family with these label values, created on first use.
///
/// Updating the child through `*child_out` takes no lock, does no lookup and allocates nothing.
/// `histogram` must be a family (borrowed); the `n` strings of `values` are borrowed for the call.
/// On success `*child_out` receives a new handle owned by the caller, to release with
/// `pe_histogram_free()`; it keeps the child alive even after `pe_histogram_remove()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_histogram`, or a
/// bound child); `PE_ERR_LABEL_COUNT` (`n` differs from the number of label names);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_labels(
    histogram: *mut pe_histogram,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut pe_histogram,
) -> pe_status {
    guard("pe_histogram_labels", || unsafe {
        family::labels(histogram, "histogram", values, n, child_out)
    })
}

/// Records one observation in a bound child or a family without labels (`+Inf` and `-Inf` are
/// allowed).
///
/// `histogram` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`;
/// `PE_ERR_LABEL_COUNT` (a family with labels: bind a child or use
/// `pe_histogram_observe_labels()`); `PE_ERR_INVALID_VALUE` (`value` is NaN; nothing is recorded);
/// `PE_ERR_INTERNAL`. Thread-safe, lock-free, allocation-free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_observe(
    histogram: *mut pe_histogram,
    value: f64,
) -> pe_status {
    // Fast path: a live series that takes the value; anything else takes the checked path below,
    // which reports the problem.
    if let Some(series) = unsafe { fast_series::<pe_histogram, Histogram>(histogram) } {
        if series.try_observe(value) {
            return pe_status::PE_OK;
        }
    }
    unsafe { histogram_observe_checked(histogram, value) }
}

/// The checked path of `pe_histogram_observe()`: every error, reported. Out of line, so that the fast path
/// keeps a small frame.
#[cold]
#[inline(never)]
unsafe extern "C" fn histogram_observe_checked(
    histogram: *mut pe_histogram,
    value: f64,
) -> pe_status {
    guard("pe_histogram_observe", || unsafe {
        family::update(histogram, "histogram", |m| m.observe(value))
    })
}

/// Records one observation in the child of a family with these label values, created on first use.
///
/// `histogram` (a family) and the `n` strings of `values` are borrowed for the call; when the child
/// exists nothing is allocated. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`
/// (not a histogram, or a bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_INVALID_VALUE` (NaN: nothing
/// is recorded, but a child created by this call stays, empty); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_observe_labels(
    histogram: *mut pe_histogram,
    values: *const *const c_char,
    n: usize,
    value: f64,
) -> pe_status {
    guard("pe_histogram_observe_labels", || unsafe {
        family::update_labelled(histogram, "histogram", values, n, |h| h.observe(value))
    })
}

/// Records one observation with an exemplar attached to its bucket: the `n_exemplar_labels` pairs
/// of `exemplar_names`/`exemplar_values` (at most 128 characters in all), value `value`, and
/// `timestamp` in seconds since the Unix epoch, or NaN for none.
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels); `PE_ERR_INVALID_VALUE` (NaN
/// value, invalid or too long exemplar labels, infinite timestamp: nothing is recorded);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_observe_with_exemplar(
    histogram: *mut pe_histogram,
    value: f64,
    exemplar_names: *const *const c_char,
    exemplar_values: *const *const c_char,
    n_exemplar_labels: usize,
    timestamp: f64,
) -> pe_status {
    guard("pe_histogram_observe_with_exemplar", || {
        let histogram = unsafe { borrow::<pe_histogram>(histogram, "histogram") }?;
        let pairs = unsafe {
            pairs_arg(
                exemplar_names,
                exemplar_values,
                n_exemplar_labels,
                "exemplar_names",
                "exemplar_values",
            )
        }?;
        let histogram = histogram.series()?;
        let exemplar = Exemplar::new(&pairs, value, (!timestamp.is_nan()).then_some(timestamp))?;
        Ok(histogram.observe_with_exemplar(value, exemplar)?)
    })
}

/// Reads the number of observations into `*out`: a bound child's, or the total over all children of
/// a family.
///
/// `histogram` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_count(
    histogram: *const pe_histogram,
    out: *mut u64,
) -> pe_status {
    guard("pe_histogram_count", || {
        let histogram = unsafe { borrow::<pe_histogram>(histogram, "histogram") }?;
        let out = out_arg(out, "out")?;
        out.set(histogram.covered().iter().map(|h| h.count()).sum());
        Ok(())
    })
}

/// Reads the number of observations of the child with these label values into `*out`, without
/// creating it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a histogram, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_count_labels(
    histogram: *const pe_histogram,
    values: *const *const c_char,
    n: usize,
    out: *mut u64,
) -> pe_status {
    guard("pe_histogram_count_labels", || unsafe {
        family::read_labelled(histogram, "histogram", values, n, out, |m| Ok(m.count()))
    })
}

/// Reads the sum of observations into `*out`: a bound child's, or the total over all children of a
/// family.
///
/// `histogram` is borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_sum(
    histogram: *const pe_histogram,
    out: *mut f64,
) -> pe_status {
    guard("pe_histogram_sum", || unsafe {
        family::read_sum(histogram, "histogram", out, Histogram::sum)
    })
}

/// Reads the sum of observations of the child with these label values into `*out`, without creating
/// it.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a histogram, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_sum_labels(
    histogram: *const pe_histogram,
    values: *const *const c_char,
    n: usize,
    out: *mut f64,
) -> pe_status {
    guard("pe_histogram_sum_labels", || unsafe {
        family::read_labelled(histogram, "histogram", values, n, out, |m| Ok(m.sum()))
    })
}

/// The buckets of one histogram: its bounds and the cumulative counts of `series`, summed.
fn bucket_totals(
    histogram: &MetricRef<Histogram>,
    series: &[std::sync::Arc<Histogram>],
) -> (Vec<f64>, Vec<u64>) {
    let bounds = match (histogram.family(), histogram.bound_child()) {
        (Ok(family), _) => family.config().bounds().to_vec(),
        (Err(_), Some(child)) => child.bounds().to_vec(),
        (Err(_), None) => Vec::new(),
    };
    let mut cumulative = vec![0u64; bounds.len()];
    for child in series {
        for (total, count) in cumulative.iter_mut().zip(child.snapshot().cumulative) {
            *total += count;
        }
    }
    (bounds, cumulative)
}

/// Reads the buckets: the upper bounds (the last is `+Inf`) and the cumulative count of each
/// (observations `<=` the bound; the last equals the count), for a bound child or summed over all
/// children of a family. A native-only histogram has no classic buckets: `*n_buckets` is 0 (its
/// count is `pe_histogram_count()`'s, its buckets `pe_histogram_native_buckets()`').
///
/// `*n_buckets` receives the number of buckets. The first `min(capacity, *n_buckets)` entries of
/// `upper_bounds` and of `cumulative_counts` are written; either array may be NULL when not wanted
/// (call with `capacity` 0 to learn the number). Counts of one child come from one consistent
/// snapshot. `histogram` is borrowed; the arrays belong to the caller.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`histogram` or `n_buckets`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_buckets(
    histogram: *const pe_histogram,
    upper_bounds: *mut f64,
    cumulative_counts: *mut u64,
    capacity: usize,
    n_buckets: *mut usize,
) -> pe_status {
    guard("pe_histogram_buckets", || {
        let histogram = unsafe { borrow::<pe_histogram>(histogram, "histogram") }?;
        let n_buckets = out_arg(n_buckets, "n_buckets")?;
        let (bounds, cumulative) = bucket_totals(histogram, &histogram.covered());
        n_buckets.set(bounds.len());
        opt_out_slice_arg(upper_bounds, capacity).fill(bounds);
        opt_out_slice_arg(cumulative_counts, capacity).fill(cumulative);
        Ok(())
    })
}

/// Reads the buckets of the child with these label values, without creating it; otherwise as
/// `pe_histogram_buckets()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a histogram, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_buckets_labels(
    histogram: *const pe_histogram,
    values: *const *const c_char,
    n: usize,
    upper_bounds: *mut f64,
    cumulative_counts: *mut u64,
    capacity: usize,
    n_buckets: *mut usize,
) -> pe_status {
    guard("pe_histogram_buckets_labels", || {
        let histogram = unsafe { borrow::<pe_histogram>(histogram, "histogram") }?;
        let values = unsafe { str_array(values, n, "values") }?;
        let n_buckets = out_arg(n_buckets, "n_buckets")?;
        let child = histogram.existing(&values)?;
        let (bounds, cumulative) = bucket_totals(histogram, &[child]);
        n_buckets.set(bounds.len());
        opt_out_slice_arg(upper_bounds, capacity).fill(bounds);
        opt_out_slice_arg(cumulative_counts, capacity).fill(cumulative);
        Ok(())
    })
}

/// Removes the child with these label values from a family: it is no longer exposed. Handles bound
/// to it stay valid but update a detached series.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_histogram`, or a
/// bound child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child; a family without labels
/// always keeps its one series); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_remove(
    histogram: *mut pe_histogram,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_histogram_remove", || unsafe {
        family::remove(histogram, "histogram", values, n)
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
/// a histogram, or a bound child); `PE_ERR_INVALID_NAME` (a name that is not one of the family's
/// labels, or one given twice: nothing is removed); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_remove_matching(
    histogram: *mut pe_histogram,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> pe_status {
    guard("pe_histogram_remove_matching", || unsafe {
        family::remove_matching(
            histogram,
            "histogram",
            label_names,
            label_values,
            n,
            removed,
        )
    })
}

/// Removes every child of a family (a family without labels keeps its one series).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND` (not a `pe_histogram`, or a bound child);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_clear(histogram: *mut pe_histogram) -> pe_status {
    guard("pe_histogram_clear", || unsafe {
        family::clear(histogram, "histogram")
    })
}
