//! What a custom collector adds to the point it has just added: its creation time and its
//! exemplars, for collectors (the Go binding's, a bridged client_golang registry) whose points
//! carry them.

use std::ffi::c_char;

use super::args::pairs_arg;
use super::collector::pe_collect_builder;
use super::guard::guard;
use super::handle::borrow;
use super::status::{Failure, FfiResult, pe_status};
use crate::snapshot::{Exemplar, MetricPoint, PointValue};

/// Runs `change` on the current family's last point.
unsafe fn last_point(
    builder: *mut pe_collect_builder,
    change: impl FnOnce(&mut MetricPoint) -> FfiResult,
) -> FfiResult {
    let builder = unsafe { borrow::<pe_collect_builder>(builder, "builder") }?;
    let mut families = builder.lock();
    let point = families
        .last_mut()
        .and_then(|family| family.points.last_mut())
        .ok_or_else(|| {
            Failure::new(
                pe_status::PE_ERR_WRONG_KIND,
                "no point added yet: call pe_collect_sample() or a sibling first",
            )
        })?;
    change(point)
}

fn not_this_kind(what: &str) -> Failure {
    Failure::new(
        pe_status::PE_ERR_WRONG_KIND,
        format!("the last point is not a {what}"),
    )
}

/// Sets the creation time (`_created`, seconds since the Unix epoch) of the point added last,
/// which must be a counter's, a histogram's or a summary's.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`builder`); `PE_ERR_WRONG_KIND` (not a live builder, no point
/// yet, or a point of another type); `PE_ERR_INVALID_VALUE` (`created` not finite);
/// `PE_ERR_INTERNAL`. On error the point is unchanged. Call only from the callback that received
/// `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_created(
    builder: *mut pe_collect_builder,
    created: f64,
) -> pe_status {
    guard("pe_collect_created", || unsafe {
        last_point(builder, |point| {
            if !created.is_finite() {
                return Err(Failure::new(
                    pe_status::PE_ERR_INVALID_VALUE,
                    format!("`created` is {created}: seconds since the Unix epoch, finite"),
                ));
            }
            match &mut point.value {
                PointValue::Counter { created: slot, .. }
                | PointValue::Histogram { created: slot, .. }
                | PointValue::Summary { created: slot, .. } => {
                    *slot = Some(created);
                    Ok(())
                }
                _ => Err(not_this_kind("counter, histogram or summary")),
            }
        })
    })
}

/// Attaches an exemplar to the point added last: a counter's (`bucket` ignored) or a classic
/// histogram bucket's (`bucket` its index in the point's `upper_bounds`). The exemplar is the
/// `n_labels` label pairs, its `value` and its `timestamp` (seconds since the Unix epoch, NaN for
/// none); a later call for the same bucket replaces it.
///
/// Everything is borrowed for the call and copied. Returns `PE_OK`; `PE_ERR_NULL`;
/// `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a live builder, no point yet, or a point of another
/// type); `PE_ERR_INVALID_VALUE` (`bucket` out of range, or an invalid exemplar: bad or repeated
/// label names, over 128 characters of labels, a NaN value, an infinite timestamp);
/// `PE_ERR_INTERNAL`. On error the point is unchanged. Call only from the callback that received
/// `builder`, on its thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_collect_exemplar(
    builder: *mut pe_collect_builder,
    bucket: usize,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    value: f64,
    timestamp: f64,
) -> pe_status {
    guard("pe_collect_exemplar", || unsafe {
        let pairs = pairs_arg(
            label_names,
            label_values,
            n_labels,
            "label_names",
            "label_values",
        )?;
        let exemplar = Exemplar::new(&pairs, value, (!timestamp.is_nan()).then_some(timestamp))
            .map_err(|e| Failure::new(pe_status::PE_ERR_INVALID_VALUE, e.to_string()))?;
        last_point(builder, |point| match &mut point.value {
            PointValue::Counter { exemplar: slot, .. } => {
                *slot = Some(exemplar);
                Ok(())
            }
            PointValue::Histogram {
                bounds, exemplars, ..
            } => {
                if bucket >= bounds.len() {
                    return Err(Failure::new(
                        pe_status::PE_ERR_INVALID_VALUE,
                        format!(
                            "`bucket` is {bucket}: the point has {} buckets",
                            bounds.len()
                        ),
                    ));
                }
                exemplars.resize(bounds.len(), None);
                exemplars[bucket] = Some(exemplar);
                Ok(())
            }
            _ => Err(not_this_kind("counter or classic histogram")),
        })
    })
}
