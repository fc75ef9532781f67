//! `pe_collect_native_histogram()`: a custom collector's native histogram point.

use std::ffi::c_char;

use super::args::slice_arg;
use super::collector::{add_point, classic_bounds, invalid_value, pe_collect_builder};
use super::guard::guard;
use super::status::{Failure, FfiResult, pe_status};
use crate::metric::native::key::{SCHEMA_MAX, SCHEMA_MIN};
use crate::snapshot::{MetricType, NativeBuckets, PointValue};

/// The populated buckets of one sign: keys strictly increasing, empty buckets left out.
fn sign_buckets(keys: &[i32], counts: &[u64], sign: &str) -> FfiResult<Vec<(i32, u64)>> {
    if keys.windows(2).any(|w| w[0] >= w[1]) {
        return Err(invalid_value(format!(
            "{sign} bucket keys must be strictly increasing"
        )));
    }
    Ok(keys
        .iter()
        .copied()
        .zip(counts.iter().copied())
        .filter(|(_, count)| *count > 0)
        .collect())
}

/// Adds a native histogram point to the current family, which must be a histogram: the series'
/// label pairs; `schema` (-4 to 8), `zero_threshold` (finite, not negative) and `zero_count`; the
/// `n_positive` positive buckets as `positive_keys` (strictly increasing) with their
/// `positive_counts` (not cumulative), likewise `n_negative` negative buckets (bucket `k` covers
/// magnitudes in `(2^((k-1)·2^-schema), 2^(k·2^-schema)]`, see `pe_native_bucket_bounds()`);
/// optional classic buckets as for `pe_collect_histogram()` (`n_buckets` 0 for none); the `sum`
/// and `count` of observations (at least the buckets' total); and `timestamp` (NaN for none).
///
/// Everything is borrowed for the call and copied; an array may be NULL when its count is 0.
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a live builder, no
/// family started, or not a histogram); `PE_ERR_INVALID_NAME` (bad, repeated or reserved label
/// name); `PE_ERR_INVALID_CONFIG` (schema out of range, a zero threshold negative or not finite,
/// classic bounds as for `pe_collect_histogram()`); `PE_ERR_INVALID_VALUE` (keys not increasing,
/// `count` below the buckets' total, classic counts as for `pe_collect_histogram()`, infinite
/// timestamp); `PE_ERR_INTERNAL`. On error nothing is added. Call only from the callback that
/// received `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_native_histogram(
    builder: *mut pe_collect_builder,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    schema: i32,
    zero_threshold: f64,
    zero_count: u64,
    positive_keys: *const i32,
    positive_counts: *const u64,
    n_positive: usize,
    negative_keys: *const i32,
    negative_counts: *const u64,
    n_negative: usize,
    upper_bounds: *const f64,
    cumulative_counts: *const u64,
    n_buckets: usize,
    sum: f64,
    count: u64,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_native_histogram", || {
        let positive = unsafe {
            sign_buckets(
                slice_arg(positive_keys, n_positive, "positive_keys")?,
                slice_arg(positive_counts, n_positive, "positive_counts")?,
                "positive",
            )
        }?;
        let negative = unsafe {
            sign_buckets(
                slice_arg(negative_keys, n_negative, "negative_keys")?,
                slice_arg(negative_counts, n_negative, "negative_counts")?,
                "negative",
            )
        }?;
        let bounds = unsafe { slice_arg(upper_bounds, n_buckets, "upper_bounds") }?;
        let classic = unsafe { slice_arg(cumulative_counts, n_buckets, "cumulative_counts") }?;
        unsafe {
            add_point(
                builder,
                label_names,
                label_values,
                n_labels,
                timestamp,
                &[MetricType::Histogram],
                || {
                    if !(SCHEMA_MIN..=SCHEMA_MAX).contains(&schema) {
                        return Err(Failure::new(
                            pe_status::PE_ERR_INVALID_CONFIG,
                            format!(
                                "schema must be from {SCHEMA_MIN} to {SCHEMA_MAX}, not {schema}"
                            ),
                        ));
                    }
                    if !(zero_threshold >= 0.0 && zero_threshold.is_finite()) {
                        return Err(Failure::new(
                            pe_status::PE_ERR_INVALID_CONFIG,
                            format!(
                                "zero threshold must be finite and not negative, not {zero_threshold}"
                            ),
                        ));
                    }
                    let buckets = NativeBuckets::from_sorted(
                        schema,
                        zero_threshold,
                        zero_count,
                        &positive,
                        &negative,
                        Vec::new(),
                    );
                    if buckets.total() > count {
                        return Err(invalid_value(format!(
                            "count ({count}) is below the buckets' total ({})",
                            buckets.total()
                        )));
                    }
                    let bounds = if bounds.is_empty() {
                        bounds
                    } else {
                        classic_bounds(bounds, classic, count)?
                    };
                    Ok(PointValue::Histogram {
                        bounds: bounds.into(),
                        cumulative: classic.to_vec(),
                        sum,
                        count,
                        created: None,
                        exemplars: Vec::new(),
                        native: Some(Box::new(buckets)),
                    })
                },
            )
        }
    })
}
