//! Native (exponential) histograms: `pe_native_histogram_opts`, their constructor, and readers of
//! the native state. Observing, labels and the classic readers are `pe_histogram`'s.

use std::time::Duration;

use super::args::{Out, opt_out_arg, opt_out_slice_arg, out_arg, slice_arg};
use super::guard::guard;
use super::handle::{borrow, into_raw};
use super::histogram::pe_histogram;
use super::metric::MetricRef;
use super::opts::{opts_arg, pe_metric_opts};
use super::status::{Failure, FfiResult, pe_status};
use super::versioned::{Versioned, required};
use crate::metric::native::key::{SCHEMA_MAX, SCHEMA_MIN, upper_bound};
use crate::metric::{Family, HistogramConfig, NativeConfig};
use crate::snapshot::NativeBuckets;

/// How a histogram keeps native buckets, with client_golang's option names and defaults. Zero
/// the struct first and set `struct_size` (`pe_native_histogram_opts n = {0}; n.struct_size =
/// sizeof n;`); every field left at 0 takes its default.
#[repr(C)]
pub struct pe_native_histogram_opts {
    /// `sizeof(pe_native_histogram_opts)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// Each bucket's upper bound is at most this factor times its lower bound: finite, above 1.
    /// The resolution (schema, -4 to 8) is the coarsest whose buckets grow no faster: 1.1 gives
    /// schema 3 (factor 1.09), 2 gives schema 0. Required.
    pub bucket_factor: f64,
    /// Observations within `±zero_threshold` count in the zero bucket. 0 is the default
    /// (2^-128); a negative value is a threshold of exactly 0.
    pub zero_threshold: f64,
    /// The most buckets (positive and negative together) to keep; 0 for no limit. Past it the
    /// histogram resets (when `min_reset_duration_seconds` allows), else widens its zero bucket
    /// (up to `max_zero_threshold`), else halves its resolution.
    pub max_bucket_number: u64,
    /// How long after a reset (or its creation) the histogram may be reset to keep the bucket
    /// limit, in seconds; 0 never resets. After a reduction that could not reset, a reset is
    /// done once this time has passed (at the next observation or collection).
    pub min_reset_duration_seconds: f64,
    /// How far the zero bucket may be widened to keep the bucket limit; 0 never widens it.
    pub max_zero_threshold: f64,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, numbers only.
unsafe impl Versioned for pe_native_histogram_opts {
    const NAME: &'static str = "pe_native_histogram_opts";
    const FIRST_VERSION_SIZE: usize = std::mem::size_of::<pe_native_histogram_opts>();
}

fn invalid_config(message: String) -> Failure {
    Failure::new(pe_status::PE_ERR_INVALID_CONFIG, message)
}

fn native_config(opts: &pe_native_histogram_opts) -> FfiResult<NativeConfig> {
    let min_reset = opts.min_reset_duration_seconds;
    if !(min_reset >= 0.0 && min_reset.is_finite()) {
        return Err(invalid_config(format!(
            "min_reset_duration_seconds must be finite and not negative, not {min_reset}"
        )));
    }
    let max_bucket_number = u32::try_from(opts.max_bucket_number).map_err(|_| {
        invalid_config(format!(
            "max_bucket_number must fit 32 bits, not {}",
            opts.max_bucket_number
        ))
    })?;
    Ok(NativeConfig {
        bucket_factor: opts.bucket_factor,
        zero_threshold: opts.zero_threshold,
        max_bucket_number,
        min_reset_duration: Duration::from_secs_f64(min_reset),
        max_zero_threshold: opts.max_zero_threshold,
    }
    .validated()?)
}

/// Creates a histogram family with native buckets, not registered (see
/// `pe_registry_register_histogram()`): native only when `buckets` is NULL or `n_buckets` is 0,
/// else classic buckets too (strictly increasing bounds; `+Inf` is added when missing), as in
/// client_golang. Observe, bind labels and read it with the `pe_histogram_*` functions.
///
/// In Prometheus text 0.0.4 and OpenMetrics 1.0, which have no native histograms, a native-only
/// histogram shows its `_count`, `_sum` and a single `_bucket{le="+Inf"}`, as client_golang's do;
/// protobuf and OpenMetrics 2.0 carry the native buckets.
///
/// `opts`, `native` and `buckets` are borrowed for the call and copied. On success `*out` receives
/// a new handle owned by the caller (release with `pe_histogram_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `native`, `out`, or a label name is
/// NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (a `struct_size` too small,
/// a bucket factor not above 1 or not finite, a zero threshold that is not finite, a negative or
/// infinite maximum zero threshold or minimum reset duration, a bucket number over 32 bits,
/// invalid unit or buckets); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_new_native(
    opts: *const pe_metric_opts,
    buckets: *const f64,
    n_buckets: usize,
    native: *const pe_native_histogram_opts,
    out: *mut *mut pe_histogram,
) -> pe_status {
    guard("pe_histogram_new_native", || {
        let opts = unsafe { opts_arg(opts, "opts") }?;
        let native = native_config(&unsafe { required(native, "native") }?)?;
        let config = if buckets.is_null() || n_buckets == 0 {
            HistogramConfig::native(native)?
        } else {
            let bounds = unsafe { slice_arg(buckets, n_buckets, "buckets") }?;
            HistogramConfig::new(bounds)?.with_native(native)?
        };
        let out = out_arg(out, "out")?;
        out.set(into_raw::<pe_histogram>(MetricRef::from_family(
            Family::with_config(opts, config)?,
        )?));
        Ok(())
    })
}

/// The native buckets of the one series `histogram` stands for.
fn native_buckets(histogram: &MetricRef<crate::metric::Histogram>) -> FfiResult<NativeBuckets> {
    histogram.series()?.native_buckets().ok_or_else(|| {
        invalid_config("the histogram has no native buckets (see pe_histogram_new_native())".into())
    })
}

/// Reads the native state of a bound child or of a family without labels, from one consistent
/// collection: `*schema` (-4 to 8; it falls when the bucket limit halves the resolution),
/// `*zero_threshold` (it grows when the limit widens the zero bucket), `*zero_count`, and the
/// number of populated positive and negative buckets. Each output may be NULL when not wanted.
///
/// `histogram` is borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`histogram`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_LABEL_COUNT` (a family with labels: bind a child); `PE_ERR_INVALID_CONFIG` (a histogram
/// without native buckets); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_native_state(
    histogram: *const pe_histogram,
    schema: *mut i32,
    zero_threshold: *mut f64,
    zero_count: *mut u64,
    n_positive: *mut usize,
    n_negative: *mut usize,
) -> pe_status {
    guard("pe_histogram_native_state", || {
        let histogram = unsafe { borrow::<pe_histogram>(histogram, "histogram") }?;
        let buckets = native_buckets(histogram)?;
        write_state(
            &buckets,
            schema,
            zero_threshold,
            zero_count,
            n_positive,
            n_negative,
        );
        Ok(())
    })
}

/// Reads the populated native buckets of one sign (`negative` 0: positive, else negative) of a
/// bound child or a family without labels, in increasing key order: bucket `keys[i]` holds
/// `counts[i]` observations (not cumulative). At schema `s` bucket `k` covers magnitudes in
/// `(2^((k-1)·2^-s), 2^(k·2^-s)]`; `pe_native_bucket_bounds()` computes them.
///
/// `*n_buckets` receives the number of buckets; the first `min(capacity, *n_buckets)` entries of
/// `keys` and `counts` are written, and either may be NULL (call with `capacity` 0 to learn the
/// number). The schema of these keys is `pe_histogram_native_state()`'s from the same moment only
/// if nothing reduced the buckets in between. `histogram` is borrowed; the arrays belong to the
/// caller.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`histogram` or `n_buckets`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_LABEL_COUNT`; `PE_ERR_INVALID_CONFIG` (no native buckets); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_histogram_native_buckets(
    histogram: *const pe_histogram,
    negative: i32,
    keys: *mut i32,
    counts: *mut u64,
    capacity: usize,
    n_buckets: *mut usize,
) -> pe_status {
    guard("pe_histogram_native_buckets", || {
        let histogram = unsafe { borrow::<pe_histogram>(histogram, "histogram") }?;
        let n_buckets = out_arg(n_buckets, "n_buckets")?;
        let buckets = native_buckets(histogram)?;
        write_sign(&buckets, negative, keys, counts, capacity, n_buckets);
        Ok(())
    })
}

/// Writes the schema, the zero bucket and the number of buckets of each sign, each output when
/// not NULL, for the readers of live histograms and of snapshots.
pub(crate) fn write_state(
    buckets: &NativeBuckets,
    schema: *mut i32,
    zero_threshold: *mut f64,
    zero_count: *mut u64,
    n_positive: *mut usize,
    n_negative: *mut usize,
) {
    opt_out_arg(schema).set(buckets.schema);
    opt_out_arg(zero_threshold).set(buckets.zero_threshold);
    opt_out_arg(zero_count).set(buckets.zero_count);
    opt_out_arg(n_positive).set(buckets.positive_counts.len());
    opt_out_arg(n_negative).set(buckets.negative_counts.len());
}

/// Writes the buckets of one sign (`negative` 0: positive) as keys and counts, for the readers
/// of live histograms and of snapshots.
pub(crate) fn write_sign(
    buckets: &NativeBuckets,
    negative: i32,
    keys: *mut i32,
    counts: *mut u64,
    capacity: usize,
    n_buckets: Out<usize>,
) {
    let pairs = if negative == 0 {
        NativeBuckets::buckets(&buckets.positive_spans, &buckets.positive_counts)
    } else {
        NativeBuckets::buckets(&buckets.negative_spans, &buckets.negative_counts)
    };
    n_buckets.set(pairs.len());
    opt_out_slice_arg(keys, capacity).fill(pairs.iter().map(|(key, _)| *key));
    opt_out_slice_arg(counts, capacity).fill(pairs.iter().map(|(_, count)| *count));
}

/// Writes the bounds of native bucket `key` at `schema` (-4 to 8): magnitudes above `*lower` and
/// up to `*upper` (the last finite bucket ends at `DBL_MAX`; the one above it, where `±Inf`
/// observations go, at infinity). Either output may be NULL.
///
/// Returns `PE_OK`; `PE_ERR_INVALID_VALUE` (`schema` out of range); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_native_bucket_bounds(
    key: i32,
    schema: i32,
    lower: *mut f64,
    upper: *mut f64,
) -> pe_status {
    guard("pe_native_bucket_bounds", || {
        if !(SCHEMA_MIN..=SCHEMA_MAX).contains(&schema) {
            return Err(Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!("schema must be from {SCHEMA_MIN} to {SCHEMA_MAX}, not {schema}"),
            ));
        }
        opt_out_arg(lower).set(upper_bound(key.saturating_sub(1), schema));
        opt_out_arg(upper).set(upper_bound(key, schema));
        Ok(())
    })
}
