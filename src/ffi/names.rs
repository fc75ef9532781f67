//! UTF-8 names: which names are valid (process-wide and per registry), and expositions written
//! with the name escaping a scraper asked for.

use std::ffi::c_char;

use super::args::{opt_out_arg, opt_str_arg, out_arg, str_arg, str_array};
use super::codes::{
    RawEscaping, RawFormat, RawNameValidation, escaping_arg, format_arg, name_validation_arg,
    pe_escaping, pe_format, pe_name_validation,
};
use super::guard::guard;
use super::registry::{expose, hand_out, pe_registry, registry_arg};
use super::status::{Failure, pe_status};
use crate::exposition::Representation;
use crate::name::{default_validation, set_default_validation};
use crate::text::names::{NameKind, escape_name};

/// Sets which names metrics made from now on may have, in the whole process:
/// `PE_NAME_VALIDATION_UTF8` (the default) or `PE_NAME_VALIDATION_LEGACY` (client_python's
/// `enable_legacy_validation()`, client_golang's `model.NameValidationScheme`). Metrics made
/// before keep their names. Registries following the process-wide setting check registrations
/// with it too.
///
/// Returns `PE_OK`; `PE_ERR_INVALID_VALUE` (an unknown scheme, or `PE_NAME_VALIDATION_DEFAULT`);
/// `PE_ERR_INTERNAL`. Thread-safe; a metric being made on another thread at the same moment is
/// validated with one scheme or the other.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_set_name_validation(scheme: RawNameValidation) -> pe_status {
    guard("pe_set_name_validation", || {
        let scheme = name_validation_arg(scheme)?.ok_or_else(|| {
            Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                "PE_NAME_VALIDATION_DEFAULT applies to registries; the process-wide setting is \
                 PE_NAME_VALIDATION_UTF8 or PE_NAME_VALIDATION_LEGACY",
            )
        })?;
        set_default_validation(scheme);
        Ok(())
    })
}

/// The process-wide name validation. On success `*out` receives `PE_NAME_VALIDATION_UTF8` or
/// `PE_NAME_VALIDATION_LEGACY`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_get_name_validation(out: *mut pe_name_validation) -> pe_status {
    guard("pe_get_name_validation", || {
        let out = out_arg(out, "out")?;
        out.set(default_validation().into());
        Ok(())
    })
}

/// Sets which names `registry` (NULL: the default registry) takes from now on:
/// `PE_NAME_VALIDATION_LEGACY` refuses registrations of metrics with names outside the legacy
/// sets (`PE_ERR_INVALID_NAME`), `PE_NAME_VALIDATION_UTF8` takes any valid name, and
/// `PE_NAME_VALIDATION_DEFAULT` follows `pe_set_name_validation()`. Metrics are validated with
/// the process-wide setting when they are made, so a registry can be stricter than that setting,
/// not looser. Collectors registered before stay.
///
/// Returns `PE_OK`; `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_VALUE` (unknown scheme);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_set_name_validation(
    registry: *const pe_registry,
    scheme: RawNameValidation,
) -> pe_status {
    guard("pe_registry_set_name_validation", || {
        let registry = unsafe { registry_arg(registry) }?;
        registry.set_name_validation(name_validation_arg(scheme)?);
        Ok(())
    })
}

/// `pe_registry_expose()` with names written with `escaping`: under `PE_ESCAPING_ALLOW_UTF8`
/// names outside the legacy sets are quoted in the text formats
/// (`{"app.requests_total",method="GET"} 1`, `# TYPE "app.requests" counter`) and as they are in
/// protobuf; the other schemes rewrite them into the legacy sets as prometheus/common's
/// `model.EscapeName` does. `pe_registry_expose()` uses the format's default:
/// `PE_ESCAPING_UNDERSCORES`, or `PE_ESCAPING_ALLOW_UTF8` for OpenMetrics 2.0.
///
/// On success `*out` receives a NUL-terminated string owned by the caller, to release with
/// `pe_string_free()`, and `*len` (when not NULL) its length in bytes without the NUL.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_VALUE` (unknown
/// `format` or `escaping`); `PE_ERR_INTERNAL`. Thread-safe; custom collector callbacks run on the
/// calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_expose_escaped(
    registry: *const pe_registry,
    format: RawFormat,
    escaping: RawEscaping,
    out: *mut *mut c_char,
    len: *mut usize,
) -> pe_status {
    guard("pe_registry_expose_escaped", || {
        let registry = unsafe { registry_arg(registry) }?;
        let representation = Representation {
            format: format_arg(format)?,
            escaping: escaping_arg(escaping)?,
        };
        let out = out_arg(out, "out")?;
        expose(registry, representation, None, out, opt_out_arg(len))
    })
}

/// `pe_registry_expose_filtered()` with names written with `escaping` (see
/// `pe_registry_expose_escaped()`).
///
/// `names` is borrowed for the call. On success `*out` receives a string owned by the caller
/// (release with `pe_string_free()`) and `*len` (when not NULL) its length.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`, `names` with `n_names > 0`, or one of its strings);
/// `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_VALUE` (unknown `format` or `escaping`);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_expose_filtered_escaped(
    registry: *const pe_registry,
    format: RawFormat,
    escaping: RawEscaping,
    names: *const *const c_char,
    n_names: usize,
    out: *mut *mut c_char,
    len: *mut usize,
) -> pe_status {
    guard("pe_registry_expose_filtered_escaped", || {
        let registry = unsafe { registry_arg(registry) }?;
        let representation = Representation {
            format: format_arg(format)?,
            escaping: escaping_arg(escaping)?,
        };
        let names = unsafe { str_array(names, n_names, "names") }?;
        let out = out_arg(out, "out")?;
        expose(
            registry,
            representation,
            Some(&names),
            out,
            opt_out_arg(len),
        )
    })
}

/// Chooses the format and the name escaping to answer a scrape with from its `Accept` header, as
/// the HTTP exporter does (`pe_negotiate_format()` for the format): the escaping is the
/// `escaping` parameter of the media range that chose the format, or the format's default when
/// it has none or an unknown one (`PE_ESCAPING_UNDERSCORES`; `PE_ESCAPING_ALLOW_UTF8` for
/// OpenMetrics 2.0).
///
/// `accept` (NULL: no header) is borrowed for the call. On success `*format` and `*escaping`
/// receive the choice, and `*content_type` (when not NULL) the response's `Content-Type`
/// (`application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8`), a
/// static string the caller must not free.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`format`, `escaping`); `PE_ERR_UTF8`; `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_negotiate(
    accept: *const c_char,
    format: *mut pe_format,
    escaping: *mut pe_escaping,
    content_type: *mut *const c_char,
) -> pe_status {
    guard("pe_negotiate", || {
        let accept = (!accept.is_null())
            .then(|| unsafe { opt_str_arg(accept, "accept") })
            .transpose()?;
        let format = out_arg(format, "format")?;
        let escaping = out_arg(escaping, "escaping")?;
        let content_type = opt_out_arg(content_type);
        let chosen = Representation::negotiate(accept);
        format.set(chosen.format.into());
        escaping.set(chosen.escaping.into());
        content_type.set(content_type_ptr(chosen));
        Ok(())
    })
}

/// The `Content-Type` of `format` written with `escaping`, as the exporter sends it: the
/// format's type and `; escaping=…` (left out for text 0.0.4 with its default underscores).
///
/// On success `*out` receives a static NUL-terminated string the caller must not free.
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_INVALID_VALUE` (unknown `format` or
/// `escaping`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_content_type(
    format: RawFormat,
    escaping: RawEscaping,
    out: *mut *const c_char,
) -> pe_status {
    guard("pe_content_type", || {
        let representation = Representation {
            format: format_arg(format)?,
            escaping: escaping_arg(escaping)?,
        };
        let out = out_arg(out, "out")?;
        out.set(content_type_ptr(representation));
        Ok(())
    })
}

/// Writes `name` rewritten with `escaping` as a metric name (`PE_ESCAPING_ALLOW_UTF8` leaves it
/// as it is: quoting is not escaping), exactly as prometheus/common's `model.EscapeName` does,
/// which under `PE_ESCAPING_DOTS` rewrites legacy names too (`a_b` is `a__b`), where expositions
/// leave them as they are.
/// For bindings and tools that show names the way a scraper will see them.
///
/// `name` is borrowed for the call. On success `*out` receives a NUL-terminated string owned by
/// the caller, to release with `pe_string_free()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`); `PE_ERR_UTF8`; `PE_ERR_INVALID_VALUE`
/// (unknown `escaping`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_escape_name(
    name: *const c_char,
    escaping: RawEscaping,
    out: *mut *mut c_char,
) -> pe_status {
    guard("pe_escape_name", || {
        let name = unsafe { str_arg(name, "name") }?;
        let escaping = escaping_arg(escaping)?;
        let out = out_arg(out, "out")?;
        let escaped = escape_name(NameKind::Metric, name, escaping);
        hand_out(escaped.as_bytes(), out, opt_out_arg(std::ptr::null_mut()))
    })
}

/// The exposition's static, NUL-terminated content type.
fn content_type_ptr(representation: Representation) -> *const c_char {
    representation.content_type_with_nul().as_ptr().cast()
}
