//! `pe_status` with its table of descriptions, the per-thread last error, and the one mapping
//! from core errors to statuses.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_uint};

use crate::error::Error;

/// The result of every fallible function. `PE_OK` is 0; every other value is an error whose message
/// `pe_last_error()` returns on the same thread.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_status {
    /// Success.
    PE_OK = 0,
    /// A required pointer argument (or a string inside an array or an options struct) was NULL.
    PE_ERR_NULL = 1,
    /// A string argument was not valid UTF-8.
    PE_ERR_UTF8 = 2,
    /// A handle was of another type than the function takes (a `pe_gauge` passed as a
    /// `pe_counter`), was freed, or was not a handle at all; or a bound child was passed where a
    /// family is required (registration, labelled operations, remove, clear); or a custom collector
    /// sample does not match the type of the family being built.
    PE_ERR_WRONG_KIND = 3,
    /// An invalid metric or label name, a reserved label name (`__` prefix, `le` on a histogram,
    /// `quantile` on a summary), or the same label name twice.
    PE_ERR_INVALID_NAME = 4,
    /// The number of label values differs from the family's label names, or a family with labels
    /// was used where a single series is needed.
    PE_ERR_LABEL_COUNT = 5,
    /// A value the operation cannot take: a negative or NaN counter increment, a NaN observation or
    /// gauge value, an unknown enum state, an invalid exemplar, an unknown enum constant.
    PE_ERR_INVALID_VALUE = 6,
    /// Invalid configuration: histogram buckets, summary objectives or window, enum states, a unit,
    /// a `struct_size` too small.
    PE_ERR_INVALID_CONFIG = 7,
    /// Registration refused: another collector in the registry already provides one of the sample
    /// names.
    PE_ERR_DUPLICATE = 8,
    /// Something looked up is not there: unregistering a collector that is not registered, reading
    /// or removing a labelled child that does not exist, a snapshot index out of range.
    PE_ERR_NOT_FOUND = 9,
    /// A bug in the library: a panic was caught at the boundary. The library stays usable.
    PE_ERR_INTERNAL = 10,
    /// An I/O error: the Pushgateway could not be reached (connection refused, unknown host, TLS
    /// failure), the connection broke, or it did not answer within the timeout; the exporter could
    /// not listen; a sender's flush or stop deadline passed with batches unsent.
    PE_ERR_IO = 11,
    /// The Pushgateway answered with a status other than 2xx; `pe_last_error()` holds the status
    /// and the gateway's explanation (the body of its answer). From a sender's flush or stop:
    /// batches were dropped instead of delivered (rejected by the receiver, or displaced from a
    /// full queue).
    PE_ERR_HTTP = 12,
    /// A new label set offered to a family at its `max_series` with `PE_OVERFLOW_REFUSE`: the
    /// update is refused, the metric unchanged.
    PE_ERR_CARDINALITY = 13,
    /// A text given to `pe_parse_exposition()` is not a valid exposition in its format;
    /// `pe_last_error()` names the line and the problem.
    PE_ERR_PARSE = 14,
    /// A shared store (`pe_store_open()`) that cannot be used: its file is corrupt, was written
    /// by another version of the library, is full, or holds its `max_processes` live processes.
    /// Nothing was changed.
    PE_ERR_STORE = 15,
}

/// A `pe_status` as received from C: any integer. Rust must not receive an out-of-range value in an
/// enum type, so inputs arrive as this integer; the header still shows `pe_status` (cbindgen
/// renames this type and does not emit it, see cbindgen.toml).
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct RawStatus(pub c_uint);

/// Which status each core error becomes. The one place where this mapping lives.
pub(crate) fn status_of(error: &Error) -> pe_status {
    match error {
        Error::InvalidMetricName { .. }
        | Error::InvalidLabelName { .. }
        | Error::DuplicateLabelName(_) => pe_status::PE_ERR_INVALID_NAME,
        Error::LabelCount { .. } => pe_status::PE_ERR_LABEL_COUNT,
        Error::InvalidValue(_) | Error::InvalidExemplar(_) | Error::UnknownState(_) => {
            pe_status::PE_ERR_INVALID_VALUE
        }
        Error::InvalidConfig(_) => pe_status::PE_ERR_INVALID_CONFIG,
        Error::AlreadyRegistered(_) => pe_status::PE_ERR_DUPLICATE,
        Error::NotRegistered(_) => pe_status::PE_ERR_NOT_FOUND,
        Error::Cardinality { .. } => pe_status::PE_ERR_CARDINALITY,
        Error::Store(_) => pe_status::PE_ERR_STORE,
        Error::Io(_) => pe_status::PE_ERR_IO,
    }
}

/// An error on its way to C: a status and a message for `pe_last_error()`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: pe_status,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(status: pe_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::new(status_of(&error), error.to_string())
    }
}

/// What every exported function's body returns.
pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// The calling thread's last error message: valid until the next failing call on this thread;
/// "" when none failed yet (or while the thread is being torn down).
pub(crate) fn last_error() -> *const c_char {
    LAST_ERROR
        .try_with(|last| last.borrow().as_ptr())
        .unwrap_or(c"".as_ptr())
}

/// Records `message` as the calling thread's last error. Interior NULs (impossible in messages
/// built from C strings) are cut so the message is never lost.
pub(crate) fn set_last_error(message: &str) {
    let end = message.find('\0').unwrap_or(message.len());
    let message = CString::new(&message[..end]).unwrap_or_default();
    // `try_with`: a call made while the thread is being torn down must not panic here, outside
    // the guard.
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = message;
        }
    });
}

/// Every status with its short description: the one table `pe_status_str()` reads.
const DESCRIPTIONS: [(pe_status, &CStr); 16] = [
    (pe_status::PE_OK, c"success"),
    (pe_status::PE_ERR_NULL, c"null pointer argument"),
    (pe_status::PE_ERR_UTF8, c"string is not valid UTF-8"),
    (pe_status::PE_ERR_WRONG_KIND, c"wrong kind of handle"),
    (
        pe_status::PE_ERR_INVALID_NAME,
        c"invalid metric or label name",
    ),
    (
        pe_status::PE_ERR_LABEL_COUNT,
        c"wrong number of label values",
    ),
    (pe_status::PE_ERR_INVALID_VALUE, c"invalid value"),
    (pe_status::PE_ERR_INVALID_CONFIG, c"invalid configuration"),
    (pe_status::PE_ERR_DUPLICATE, c"duplicate registration"),
    (pe_status::PE_ERR_NOT_FOUND, c"not found"),
    (pe_status::PE_ERR_INTERNAL, c"internal error"),
    (pe_status::PE_ERR_IO, c"I/O error"),
    (pe_status::PE_ERR_HTTP, c"HTTP error"),
    (pe_status::PE_ERR_CARDINALITY, c"series limit reached"),
    (pe_status::PE_ERR_PARSE, c"invalid exposition text"),
    (pe_status::PE_ERR_STORE, c"shared store unusable"),
];

/// The description of the status with this code, `None` for a code that is no status.
pub(crate) fn describe(code: c_uint) -> Option<&'static CStr> {
    DESCRIPTIONS
        .iter()
        .find(|(status, _)| *status as c_uint == code)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_one_description() {
        for code in 0..=15 {
            assert!(describe(code).is_some(), "{code}");
        }
        assert_eq!(describe(16), None);
        let codes: std::collections::BTreeSet<_> =
            DESCRIPTIONS.iter().map(|(s, _)| *s as c_uint).collect();
        assert_eq!(codes.len(), DESCRIPTIONS.len());
    }
}
