//! Reading exposition text: `pe_parse_exposition()` parses Prometheus text 0.0.4 or OpenMetrics
//! 1.0 as client_python's parsers do (see `exposition::parse`) into a `pe_snapshot`, which the
//! snapshot accessors read.

use std::ffi::c_char;

use super::args::out_arg;
use super::codes::{RawFormat, format_arg};
use super::guard::guard;
use super::handle::into_raw;
use super::handle::null_argument;
use super::snapshot::{Snapshot, pe_snapshot};
use super::status::{Failure, FfiResult, pe_status};
use super::string::to_c_string;
use crate::exposition::Format;
use crate::exposition::parse::{Grammar, Parsed, parse_partial};

/// The text of a call: `len` bytes at `text`, UTF-8.
///
/// # Safety
/// `text` is NULL or points to `len` readable bytes.
unsafe fn text_arg<'a>(text: *const c_char, len: usize) -> FfiResult<&'a str> {
    if text.is_null() {
        return Err(null_argument("text"));
    }
    let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            pe_status::PE_ERR_UTF8,
            format!("text is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })
}

/// The grammar a format is read with: the text formats' (0.0.4 and 1.0.0) or OpenMetrics 1.0.
fn grammar_arg(format: RawFormat) -> FfiResult<Grammar> {
    match format_arg(format)? {
        Format::Prometheus | Format::PrometheusV1 => Ok(Grammar::Text),
        Format::OpenMetrics => Ok(Grammar::OpenMetrics),
        other => Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("{other:?} text cannot be parsed (only Prometheus text and OpenMetrics 1.0)"),
        )),
    }
}

/// Parses `len` bytes of exposition text at `text` (UTF-8; it need not be NUL-terminated and may
/// hold NULs) in `format`, as client_python's parsers read it: `PE_FORMAT_PROMETHEUS` (and
/// `PE_FORMAT_PROMETHEUS_1`, whose quoted UTF-8 names it reads) as
/// `prometheus_client.parser`, `PE_FORMAT_OPENMETRICS` as `prometheus_client.openmetrics.parser`.
///
/// The snapshot holds the families in the order written, each with its samples as read: a
/// counter's family name without `_total`, sample names with their suffixes, labels in the order
/// written, values, timestamps in seconds (text format milliseconds divided by 1000), exemplars
/// (OpenMetrics). A gauge histogram's type is `PE_METRIC_GAUGE_HISTOGRAM`. A string holding a NUL
/// keeps it: its length counts the whole string (C code reading up to the NUL sees less).
/// `pe_snapshot_json_columns()` writes its values as the text did:
/// integers as exact JSON integers, OpenMetrics timestamps in integer seconds or with a fraction
/// as `[seconds, nanoseconds]`.
///
/// `text` is borrowed for the call. On success `*out` receives a new snapshot owned by the
/// caller, to release with `pe_snapshot_free()`. Returns `PE_OK`; `PE_ERR_PARSE` (the text is not
/// valid: `pe_last_error()` says `line N: ` and the problem, in client_python's words);
/// `PE_ERR_NULL` (`text`, `out`); `PE_ERR_UTF8`; `PE_ERR_INVALID_VALUE` (a `format` that is not
/// one of the two); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_parse_exposition(
    text: *const c_char,
    len: usize,
    format: RawFormat,
    out: *mut *mut pe_snapshot,
) -> pe_status {
    guard("pe_parse_exposition", || {
        let text = unsafe { text_arg(text, len) }?;
        let grammar = grammar_arg(format)?;
        let out = out_arg(out, "out")?;
        let Parsed { families, error } = parse_partial(text, grammar);
        if let Some(error) = error {
            return Err(Failure::new(pe_status::PE_ERR_PARSE, error.to_string()));
        }
        out.set(into_raw::<pe_snapshot>(Snapshot::from_parsed(&families)));
        Ok(())
    })
}

/// Like `pe_parse_exposition()`, but an invalid text is not a failure: `*out` receives the
/// families read before the error (those client_python's parsers, which are generators, yield
/// before they raise), and `*error` the error, `line N: ` and the problem (NULL when the whole
/// text is valid). What bindings use to behave as those generators do.
///
/// `text` is borrowed for the call. On success `*out` receives a new snapshot owned by the
/// caller (release with `pe_snapshot_free()`) and `*error` NULL or a NUL-terminated UTF-8 string
/// owned by the caller (release with `pe_string_free()`). Returns `PE_OK`; `PE_ERR_NULL`
/// (`text`, `out`, `error`); `PE_ERR_UTF8`; `PE_ERR_INVALID_VALUE` (`format`);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_parse_exposition_partial(
    text: *const c_char,
    len: usize,
    format: RawFormat,
    out: *mut *mut pe_snapshot,
    error: *mut *mut c_char,
) -> pe_status {
    guard("pe_parse_exposition_partial", || {
        let text = unsafe { text_arg(text, len) }?;
        let grammar = grammar_arg(format)?;
        let out = out_arg(out, "out")?;
        let error_out = out_arg(error, "error")?;
        let Parsed { families, error } = parse_partial(text, grammar);
        let message = match error {
            Some(error) => to_c_string(&error.to_string())?,
            None => std::ptr::null_mut(),
        };
        error_out.set(message);
        out.set(into_raw::<pe_snapshot>(Snapshot::from_parsed(&families)));
        Ok(())
    })
}
