//! The clock idle expiry reads (`pe_metric_opts.series_ttl_seconds`), pinned by tests.

use super::guard::guard;
use super::status::{Failure, pe_status};
use crate::metric::expiry::pin_clock;

/// Makes idle expiry read `unix_seconds` as the time now, in the whole process, until
/// `pe_series_clock_unpin()`: tests step it to expire series without waiting. Families' updates
/// do not read the clock; collections do.
///
/// Returns `PE_OK`; `PE_ERR_INVALID_VALUE` (`unix_seconds` negative, NaN or infinite);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pe_series_clock_pin(unix_seconds: f64) -> pe_status {
    guard("pe_series_clock_pin", || {
        if !(unix_seconds.is_finite() && unix_seconds >= 0.0) {
            return Err(Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!("the time is {unix_seconds}: seconds since the Unix epoch, finite, >= 0"),
            ));
        }
        pin_clock(Some(unix_seconds));
        Ok(())
    })
}

/// Makes idle expiry read the system clock again (the default).
///
/// Returns `PE_OK`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pe_series_clock_unpin() -> pe_status {
    guard("pe_series_clock_unpin", || {
        pin_clock(None);
        Ok(())
    })
}
