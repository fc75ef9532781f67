//! What the library says about itself: the calling thread's last error, what a status means, and
//! its version.

use std::ffi::c_char;

use super::guard::guard_value;
use super::status::{RawStatus, describe, last_error};

/// The message of the last failed call on the calling thread.
///
/// Returns a NUL-terminated UTF-8 string owned by the library: do not free it. It stays valid until
/// the next failing call on the same thread (successful calls leave it unchanged). Never NULL: ""
/// when no call has failed on this thread yet. Messages start with the name of the function that
/// failed. Thread-safe: each thread has its own last error.
#[unsafe(no_mangle)]
pub extern "C" fn pe_last_error() -> *const c_char {
    guard_value("pe_last_error", c"".as_ptr(), || Ok(last_error()))
}

/// A short static description of a status ("null pointer argument" for `PE_ERR_NULL`, ...).
///
/// `status` may be any integer: unknown values give "unknown status". The string is static: do not
/// free it. Never NULL. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pe_status_str(status: RawStatus) -> *const c_char {
    describe(status.0).unwrap_or(c"unknown status").as_ptr()
}

/// The version of the library as "MAJOR.MINOR.PATCH", a static string (do not free it). Compare
/// with the `PE_VERSION_*` macros the caller was compiled with. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pe_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_crate_version() {
        let version = unsafe { std::ffi::CStr::from_ptr(pe_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn every_status_has_a_description() {
        for code in 0..=12 {
            let text = unsafe { std::ffi::CStr::from_ptr(pe_status_str(RawStatus(code))) };
            assert_ne!(text.to_str().unwrap(), "unknown status", "{code}");
        }
        let text = unsafe { std::ffi::CStr::from_ptr(pe_status_str(RawStatus(99))) };
        assert_eq!(text.to_str().unwrap(), "unknown status");
    }
}
