//! The one wrapper around every exported function: catches panics, turns failures into a status
//! and records the message as the calling thread's last error.
//!
//! Every `extern "C"` function in this module tree is a thin shell whose body is a closure passed
//! to one of these, so the rules hold by construction: nothing unwinds into C, every error has a
//! status and a message, and the message names the function that failed.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::status::{Failure, FfiResult, pe_status, set_last_error};

/// Runs `body` for the function called `function` and returns its status.
#[inline]
pub(crate) fn guard(function: &'static str, body: impl FnOnce() -> FfiResult) -> pe_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => pe_status::PE_OK,
        Ok(Err(failure)) => fail(function, failure),
        Err(payload) => fail(function, panicked(payload)),
    }
}

/// Runs `body` for a function that returns a value instead of a status (`pe_last_error`, the free
/// functions): on failure the message is recorded and `fallback` returned.
#[inline]
pub(crate) fn guard_value<T>(
    function: &'static str,
    fallback: T,
    body: impl FnOnce() -> FfiResult<T>,
) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(failure)) => {
            fail(function, failure);
            fallback
        }
        Err(payload) => {
            fail(function, panicked(payload));
            fallback
        }
    }
}

#[cold]
#[inline(never)]
fn fail(function: &'static str, failure: Failure) -> pe_status {
    set_last_error(&format!("{function}: {}", failure.message));
    failure.status
}

#[cold]
fn panicked(payload: Box<dyn Any + Send>) -> Failure {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    Failure::new(
        pe_status::PE_ERR_INTERNAL,
        format!("internal error (a panic was caught): {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors() {
        let status = guard("pe_test", || panic!("boom"));
        assert_eq!(status, pe_status::PE_ERR_INTERNAL);
        let message = unsafe { std::ffi::CStr::from_ptr(super::super::library::pe_last_error()) };
        assert_eq!(
            message.to_str().unwrap(),
            "pe_test: internal error (a panic was caught): boom"
        );
    }

    #[test]
    fn failures_keep_their_status() {
        let status = guard("pe_test", || {
            Err(Failure::new(pe_status::PE_ERR_NOT_FOUND, "gone"))
        });
        assert_eq!(status, pe_status::PE_ERR_NOT_FOUND);
        assert_eq!(guard("pe_test", || Ok(())), pe_status::PE_OK);
        assert_eq!(guard_value("pe_test", 1, || Ok(2)), 2);
        assert_eq!(
            guard_value("pe_test", 1, || Err(Failure::new(
                pe_status::PE_ERR_NULL,
                "x"
            ))),
            1
        );
    }
}
