//! `pe_push()`, `pe_pushadd()`, `pe_push_delete()`: the Pushgateway client (`crate::push`) for C,
//! with `pe_push_options`, growable without breaking the ABI.

use std::ffi::c_char;
use std::mem::size_of;
use std::path::PathBuf;
use std::time::Duration;

use super::args::{opt_str_arg, pairs_arg, str_arg};
use super::guard::guard;
use super::registry::{pe_registry, registry_arg};
use super::status::{Failure, FfiResult, pe_status};
use super::versioned::{Versioned, versioned};
use crate::push::{self, PushError, PushOptions};

/// How a push is sent, for `pe_push()`, `pe_pushadd()` and `pe_push_delete()`; pass NULL for the
/// defaults.
///
/// Set `struct_size` to `sizeof(pe_push_options)`: later versions of the library may add fields at
/// the end, and read them only when `struct_size` says the caller's struct has them. Zero the
/// struct first (`pe_push_options options = {0}; options.struct_size = sizeof options;`): every
/// zero or NULL field means "the default".
///
/// Every pointer is borrowed for the duration of the call.
#[repr(C)]
pub struct pe_push_options {
    /// `sizeof(pe_push_options)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// Total time one request may take, in milliseconds: connecting, sending, reading the answer
    /// (a host name is resolved before, on the calling thread, within the system resolver's own
    /// timeouts). 0 is the default, 10000 (10 s).
    pub timeout_ms: u64,
    /// Time connecting (TCP and TLS) may take, in milliseconds; the total timeout applies as well.
    /// 0 is the default, 5000 (5 s).
    pub connect_timeout_ms: u64,
    /// User name for HTTP basic auth; NULL for no authentication.
    pub username: *const c_char,
    /// Password for HTTP basic auth, used with `username`; NULL is "".
    pub password: *const c_char,
    /// Path of a PEM file of CA certificates that an `https://` gateway is verified against,
    /// instead of the built-in Mozilla roots; NULL for the built-in roots.
    pub ca_file: *const c_char,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, pointers and numbers only.
unsafe impl Versioned for pe_push_options {
    const NAME: &'static str = "pe_push_options";
    const FIRST_VERSION_SIZE: usize = size_of::<pe_push_options>();
}

/// Reads the options: NULL is the defaults, `PE_ERR_INVALID_CONFIG` for a `struct_size` smaller
/// than this version's struct.
///
/// # Safety
/// `ptr` is NULL or points to a `pe_push_options` whose pointers follow its field docs.
unsafe fn options_arg(ptr: *const pe_push_options) -> FfiResult<PushOptions> {
    let mut options = PushOptions::new();
    let Some(raw) = (unsafe { versioned(ptr, "options") })? else {
        return Ok(options);
    };
    if raw.timeout_ms != 0 {
        options = options.timeout(Duration::from_millis(raw.timeout_ms));
    }
    if raw.connect_timeout_ms != 0 {
        options = options.connect_timeout(Duration::from_millis(raw.connect_timeout_ms));
    }
    let password = unsafe { opt_str_arg(raw.password, "options->password") }?;
    if !raw.username.is_null() {
        let username = unsafe { str_arg(raw.username, "options->username") }?;
        options = options.basic_auth(username, password);
    }
    if !raw.ca_file.is_null() {
        let ca_file = unsafe { str_arg(raw.ca_file, "options->ca_file") }?;
        options = options.ca_file(PathBuf::from(ca_file));
    }
    Ok(options)
}

/// Which status each push error becomes.
fn push_failure(error: PushError) -> Failure {
    let status = match &error {
        PushError::InvalidGateway { .. } | PushError::InvalidJob(_) => {
            pe_status::PE_ERR_INVALID_VALUE
        }
        PushError::InvalidGroupingKey { .. } => pe_status::PE_ERR_INVALID_NAME,
        PushError::InvalidOptions(_) => pe_status::PE_ERR_INVALID_CONFIG,
        PushError::Http { .. } => pe_status::PE_ERR_HTTP,
        // Connect, Timeout, Transport, and any kind a later version adds.
        _ => pe_status::PE_ERR_IO,
    };
    Failure::new(status, error.to_string())
}

/// Which of the two pushing calls.
#[derive(Clone, Copy)]
enum Replace {
    /// `pe_push()`: the whole group.
    Group,
    /// `pe_pushadd()`: the metrics of the same names.
    SameNames,
}

/// What `pe_push()` and `pe_pushadd()` share: arguments converted, then the push.
unsafe fn push_with(
    replace: Replace,
    gateway: *const c_char,
    job: *const c_char,
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    registry: *const pe_registry,
    options: *const pe_push_options,
) -> FfiResult {
    let gateway = unsafe { str_arg(gateway, "gateway") }?;
    let job = unsafe { str_arg(job, "job") }?;
    let grouping_key = unsafe { pairs_arg(names, values, n, "names", "values") }?;
    let registry = unsafe { registry_arg(registry) }?;
    let options = unsafe { options_arg(options) }?;
    match replace {
        Replace::Group => push::push(gateway, job, &grouping_key, registry, &options),
        Replace::SameNames => push::pushadd(gateway, job, &grouping_key, registry, &options),
    }
    .map_err(push_failure)
}

/// Pushes every metric of `registry` (NULL: the default registry) to the Pushgateway, replacing
/// all metrics of the group (HTTP PUT), like client_python's `push_to_gateway`.
///
/// `gateway` is `host:port` (plain HTTP) or an `http://` or `https://` URL, optionally with a path
/// prefix. The group is `job` (not empty) and the grouping key: `n` label names and values (both
/// arrays may be NULL when `n` is 0). Label names follow the label name rules, may not be `job`
/// and may not repeat; values may hold anything (`/`, spaces, UTF-8, ""): the library encodes
/// them. Everything is borrowed for the call. The call blocks until the gateway answers or the
/// timeout of `options` (NULL: defaults, 10 s in total) runs out.
///
/// Returns `PE_OK` (the gateway answered 2xx); `PE_ERR_NULL` (`gateway`, `job`, an array with
/// `n > 0`, or one of their strings is NULL); `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (`registry`);
/// `PE_ERR_INVALID_VALUE` (a gateway that is not `host:port` or an http(s) URL, an empty job);
/// `PE_ERR_INVALID_NAME` (a bad grouping label name); `PE_ERR_INVALID_CONFIG` (`struct_size` too
/// small, an unreadable CA file); `PE_ERR_IO` (no connection: refused, unknown host, TLS failure;
/// or the timeout ran out); `PE_ERR_HTTP` (the gateway answered with another status, 400 for
/// metrics inconsistent with other groups say: `pe_last_error()` holds the status and the
/// gateway's explanation); `PE_ERR_INTERNAL`. Thread-safe; custom collector callbacks run on the
/// calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_push(
    gateway: *const c_char,
    job: *const c_char,
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    registry: *const pe_registry,
    options: *const pe_push_options,
) -> pe_status {
    guard("pe_push", || unsafe {
        push_with(
            Replace::Group,
            gateway,
            job,
            names,
            values,
            n,
            registry,
            options,
        )
    })
}

/// Like `pe_push()`, but replaces only the group's metrics that have the same names as pushed
/// ones (HTTP POST), like client_python's `pushadd_to_gateway`.
///
/// Arguments, ownership and statuses as for `pe_push()`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_pushadd(
    gateway: *const c_char,
    job: *const c_char,
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    registry: *const pe_registry,
    options: *const pe_push_options,
) -> pe_status {
    guard("pe_pushadd", || unsafe {
        push_with(
            Replace::SameNames,
            gateway,
            job,
            names,
            values,
            n,
            registry,
            options,
        )
    })
}

/// Deletes the group `job` + grouping key from the Pushgateway (HTTP DELETE), like client_python's
/// `delete_from_gateway`. Deleting a group that does not exist succeeds.
///
/// Arguments, ownership and statuses as for `pe_push()`, without the registry. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_push_delete(
    gateway: *const c_char,
    job: *const c_char,
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    options: *const pe_push_options,
) -> pe_status {
    guard("pe_push_delete", || {
        let gateway = unsafe { str_arg(gateway, "gateway") }?;
        let job = unsafe { str_arg(job, "job") }?;
        let grouping_key = unsafe { pairs_arg(names, values, n, "names", "values") }?;
        let options = unsafe { options_arg(options) }?;
        push::delete(gateway, job, &grouping_key, &options).map_err(push_failure)
    })
}
