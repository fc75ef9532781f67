//! `pe_sender`: the Remote Write / OTLP push sender (`crate::sender`) for C, with
//! `pe_sender_options`, growable without breaking the ABI.

use std::ffi::c_char;
use std::mem::size_of;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::args::{out_arg, pairs_arg, str_arg};
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, borrow_opt, into_raw, release, tag_of};
use super::registry::{RegistryRef, pe_registry};
use super::status::{Failure, FfiResult, pe_status};
use super::string::to_c_string;
use super::versioned::{Versioned, required};
use crate::registry::Registry;
use crate::sender::{Sender, SenderError, SenderOptions, SenderProtocol};

/// A running push sender, from `pe_sender_start()`: a thread of the library's that collects a
/// registry every interval and sends it. Opaque; stop it with `pe_sender_stop()` and release it
/// with `pe_sender_free()`.
pub struct pe_sender {
    _private: [u8; 0],
}

impl CType for pe_sender {
    type Inner = Sender;
    const TAG: u32 = tag_of("pe_sender");
    const NAME: &'static str = "pe_sender";
}

/// What a sender speaks, for `pe_sender_options.protocol`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum pe_sender_protocol {
    /// Prometheus Remote Write 2.0, falling back to 1.0 for the destination when it answers 415
    /// Unsupported Media Type (that batch and every later one go as 1.0). The default.
    PE_SENDER_REMOTE_WRITE = 0,
    /// Prometheus Remote Write 1.0 only.
    PE_SENDER_REMOTE_WRITE_V1 = 1,
    /// OTLP/HTTP metrics, binary protobuf (a URL ending in `/v1/metrics`).
    PE_SENDER_OTLP = 2,
}

/// How `pe_sender_start()` sends.
///
/// Set `struct_size` to `sizeof(pe_sender_options)`: later versions of the library may add fields
/// at the end, and read them only when `struct_size` says the caller's struct has them. Zero the
/// struct first (`pe_sender_options opts = {0}; opts.struct_size = sizeof opts;`): every field
/// but `url` then takes its default (every zero or NULL field means "the default"). Every pointer
/// is borrowed for the duration of the call; the library copies what it keeps (the CA file is
/// read during the call).
#[repr(C)]
pub struct pe_sender_options {
    /// `sizeof(pe_sender_options)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// The receiver's endpoint, an `http://` or `https://` URL (Prometheus's `/api/v1/write`, an
    /// OpenTelemetry collector's `/v1/metrics`); a query is allowed, credentials are not.
    /// Required.
    pub url: *const c_char,
    /// A `pe_sender_protocol`; 0 is `PE_SENDER_REMOTE_WRITE`.
    pub protocol: u64,
    /// Time between two collections, in milliseconds, at least 10; 0 for the default, 15000.
    pub interval_ms: u64,
    /// Total time one request may take, in milliseconds; 0 for the default, 10000.
    pub timeout_ms: u64,
    /// Time connecting (TCP and TLS) may take, in milliseconds; 0 for the default, 5000.
    pub connect_timeout_ms: u64,
    /// Labels added to every series sent (a series' own label of the same name wins): names and
    /// values, `n_external_labels` of each (both may be NULL when it is 0).
    pub external_label_names: *const *const c_char,
    pub external_label_values: *const *const c_char,
    pub n_external_labels: usize,
    /// OTLP resource attributes, `n_resource_attributes` keys and values; `service.name`
    /// defaults to the `job` external label, else the program's name.
    pub resource_attribute_keys: *const *const c_char,
    pub resource_attribute_values: *const *const c_char,
    pub n_resource_attributes: usize,
    /// Header fields sent with every request, `n_headers` names and values; not one the sender
    /// writes itself (`Authorization`, `Content-Type`, `Content-Encoding`, `User-Agent`,
    /// `X-Prometheus-Remote-Write-Version`, hop-by-hop fields).
    pub header_names: *const *const c_char,
    pub header_values: *const *const c_char,
    pub n_headers: usize,
    /// HTTP basic auth user name (no ':'); NULL for none.
    pub username: *const c_char,
    /// The password that goes with `username`; NULL is "".
    pub password: *const c_char,
    /// `Authorization: Bearer <token>`; NULL for none. Not together with `username`.
    pub bearer_token: *const c_char,
    /// Path of a PEM file of CA certificates an `https://` receiver is verified against instead
    /// of the built-in Mozilla roots; NULL for the built-in roots.
    pub ca_file: *const c_char,
    /// Bytes the queue may hold; 0 for the default, 16 MiB. Beyond, the oldest batches are
    /// dropped (and counted).
    pub max_queue_bytes: usize,
    /// Batches (one per collection) the queue may hold; 0 for the default, 64.
    pub max_queue_batches: usize,
    /// The first retry's delay, in milliseconds, doubling (jittered) up to `backoff_max_ms`; 0
    /// for the default, 50.
    pub backoff_min_ms: u64,
    /// The longest delay between retries, in milliseconds; 0 for the default, 5000.
    pub backoff_max_ms: u64,
    /// The longest `Retry-After` honoured, in milliseconds; 0 for the default, 60000.
    pub max_retry_after_ms: u64,
    /// The `destination` label of the sender's self-metrics; NULL for the URL.
    pub destination: *const c_char,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, pointers and numbers only.
unsafe impl Versioned for pe_sender_options {
    const NAME: &'static str = "pe_sender_options";
    const FIRST_VERSION_SIZE: usize = size_of::<pe_sender_options>();
}

fn invalid_config(message: String) -> Failure {
    Failure::new(pe_status::PE_ERR_INVALID_CONFIG, message)
}

/// Pairs from two arrays of an options struct.
///
/// # Safety
/// As for `pairs_arg`.
unsafe fn pairs_field(
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    field: &str,
) -> FfiResult<Vec<(String, String)>> {
    let (names_arg, values_arg) = (
        format!("opts->{field}_names"),
        format!("opts->{field}_values"),
    );
    let pairs = unsafe { pairs_arg(names, values, n, &names_arg, &values_arg) }?;
    Ok(pairs
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect())
}

/// An optional string field: NULL is "not set".
///
/// # Safety
/// As for `str_arg`.
unsafe fn opt_field<'a>(ptr: *const c_char, arg: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { str_arg(ptr, arg) }.map(Some)
    }
}

/// Reads a `pe_sender_options` into sender options.
///
/// # Safety
/// `ptr` is NULL or points to a `pe_sender_options` whose pointers follow its field docs.
unsafe fn options_arg(ptr: *const pe_sender_options) -> FfiResult<SenderOptions> {
    let raw = unsafe { required(ptr, "opts") }?;
    let url = unsafe { str_arg(raw.url, "opts->url") }?;
    let mut options = SenderOptions::new(url);
    options = options.protocol(match raw.protocol {
        0 => SenderProtocol::RemoteWrite,
        1 => SenderProtocol::RemoteWriteV1,
        2 => SenderProtocol::Otlp,
        other => {
            return Err(Failure::new(
                pe_status::PE_ERR_INVALID_VALUE,
                format!("`opts->protocol` is {other}: not a pe_sender_protocol"),
            ));
        }
    });
    let millis = Duration::from_millis;
    if raw.interval_ms != 0 {
        options = options.interval(millis(raw.interval_ms));
    }
    if raw.timeout_ms != 0 {
        options = options.timeout(millis(raw.timeout_ms));
    }
    if raw.connect_timeout_ms != 0 {
        options = options.connect_timeout(millis(raw.connect_timeout_ms));
    }
    options.external_labels = unsafe {
        pairs_field(
            raw.external_label_names,
            raw.external_label_values,
            raw.n_external_labels,
            "external_label",
        )
    }?;
    options.resource_attributes = unsafe {
        pairs_field(
            raw.resource_attribute_keys,
            raw.resource_attribute_values,
            raw.n_resource_attributes,
            "resource_attribute",
        )
    }?;
    options.headers =
        unsafe { pairs_field(raw.header_names, raw.header_values, raw.n_headers, "header") }?;
    let username = unsafe { opt_field(raw.username, "opts->username") }?;
    let password = unsafe { opt_field(raw.password, "opts->password") }?;
    let bearer = unsafe { opt_field(raw.bearer_token, "opts->bearer_token") }?;
    match (username, bearer) {
        (Some(_), Some(_)) => {
            return Err(invalid_config(
                "`opts->username` and `opts->bearer_token` exclude each other".into(),
            ));
        }
        (Some(user), None) => options = options.basic_auth(user, password.unwrap_or("")),
        (None, Some(token)) => options = options.bearer_token(token),
        (None, None) if password.is_some() => {
            return Err(invalid_config(
                "`opts->password` is set without `opts->username`".into(),
            ));
        }
        (None, None) => {}
    }
    if let Some(ca_file) = unsafe { opt_field(raw.ca_file, "opts->ca_file") }? {
        options = options.ca_file(PathBuf::from(ca_file));
    }
    if raw.max_queue_bytes != 0 {
        options = options.max_queue_bytes(raw.max_queue_bytes);
    }
    if raw.max_queue_batches != 0 {
        options = options.max_queue_batches(raw.max_queue_batches);
    }
    let (min, max) = (options.backoff_min, options.backoff_max);
    let min = if raw.backoff_min_ms != 0 {
        millis(raw.backoff_min_ms)
    } else {
        min
    };
    let max = if raw.backoff_max_ms != 0 {
        millis(raw.backoff_max_ms)
    } else {
        max.max(min)
    };
    options = options.backoff(min, max);
    if raw.max_retry_after_ms != 0 {
        options = options.max_retry_after(millis(raw.max_retry_after_ms));
    }
    if let Some(destination) = unsafe { opt_field(raw.destination, "opts->destination") }? {
        options = options.destination(destination);
    }
    Ok(options)
}

/// Which status each sender error becomes.
impl From<SenderError> for Failure {
    fn from(error: SenderError) -> Self {
        let status = match &error {
            SenderError::InvalidOptions(_) => pe_status::PE_ERR_INVALID_CONFIG,
            SenderError::Dropped { .. } => pe_status::PE_ERR_HTTP,
            SenderError::Stopped(_) => pe_status::PE_ERR_INVALID_VALUE,
            // Spawn, DeadlinePassed, and any kind a later version adds.
            _ => pe_status::PE_ERR_IO,
        };
        Failure::new(status, error.to_string())
    }
}

/// A timeout in seconds from C: not negative, not NaN; infinity (or anything beyond a year) is
/// a year.
fn timeout_arg(seconds: f64) -> FfiResult<Duration> {
    if seconds.is_nan() || seconds < 0.0 {
        return Err(Failure::new(
            pe_status::PE_ERR_INVALID_VALUE,
            format!("`timeout_seconds` is {seconds}: it must be 0 or more"),
        ));
    }
    const YEAR: f64 = 365.0 * 86_400.0;
    Ok(Duration::from_secs_f64(seconds.min(YEAR)))
}

/// The registry argument: `None` for NULL or the default registry's handle.
///
/// # Safety
/// As for `borrow`.
unsafe fn sent_registry_arg(ptr: *const pe_registry) -> FfiResult<Option<Arc<Registry>>> {
    Ok(
        match unsafe { borrow_opt::<pe_registry>(ptr, "registry") }? {
            None | Some(RegistryRef::Default) => None,
            Some(RegistryRef::Owned(registry)) => Some(registry.clone()),
        },
    )
}

/// Starts a sender for `registry` (NULL: the default registry): a thread that every
/// `opts->interval_ms` gathers the registry, encodes it (Remote Write 2.0 with fallback to 1.0,
/// Remote Write 1.0 or OTLP, as `opts->protocol` says, every point stamped with the time of the
/// collection) and sends it to `opts->url`, oldest batch first. 5xx, 429 and failed connections
/// or timeouts are retried with a jittered, doubling backoff (or after the receiver's
/// `Retry-After`, capped); any other status drops the batch, its answer kept as the sender's last
/// error (`pe_sender_last_error()`). The queue is bounded by bytes and batches and drops its
/// oldest batches when full: no metric update ever waits for the sender. Self-metrics
/// (`prometheus_emulator_sender_*{destination="..."}`: samples sent, failed and dropped, retries,
/// requests by outcome, queue size, last success) are registered in `registry` for as long as the
/// sender runs. The first collection is one interval after the start (or at the first
/// `pe_sender_flush()`); custom collectors and callback metrics run on the sender's thread.
///
/// `opts` and its strings are borrowed for the call. `registry` is borrowed; the sender takes its
/// own reference. On success `*out` receives the sender, owned by the caller, to stop with
/// `pe_sender_stop()` and release with `pe_sender_free()`; on error `*out` is not written and no
/// thread is left running.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->url`, `out`, an array with its count above 0
/// or one of its strings); `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (`registry` is not a live
/// `pe_registry`); `PE_ERR_INVALID_VALUE` (an unknown `opts->protocol`); `PE_ERR_INVALID_CONFIG`
/// (`opts->struct_size` too small, a URL that is not `http(s)://host...` or carries credentials,
/// an interval below 10 ms, backoff minimum above its maximum, a bad or repeated external label
/// name, a header that is reserved or not a token, both basic auth and a bearer token, a CA file
/// that cannot be read or holds no certificate); `PE_ERR_IO` (the thread cannot be started);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_sender_start(
    registry: *mut pe_registry,
    opts: *const pe_sender_options,
    out: *mut *mut pe_sender,
) -> pe_status {
    guard("pe_sender_start", || {
        let registry = unsafe { sent_registry_arg(registry) }?;
        let options = unsafe { options_arg(opts) }?;
        let out = out_arg(out, "out")?;
        out.set(into_raw::<pe_sender>(Sender::start(registry, options)?));
        Ok(())
    })
}

/// Collects now and waits until everything queued (this collection included) has been sent, or
/// `timeout_seconds` have passed. Retries keep their backoff (a flush does not hammer a receiver
/// that asked to wait); what is not sent by the deadline stays queued and is sent later.
///
/// `sender` is borrowed. Returns `PE_OK` (every batch delivered); `PE_ERR_IO` (the deadline
/// passed with batches still queued: `pe_last_error()` says how many and why, the receiver's
/// last answer or the connection error); `PE_ERR_HTTP` (every batch was taken off the queue, but
/// some were dropped instead of delivered: rejected by the receiver with a 4xx, whose answer
/// `pe_last_error()` holds, or displaced from a full queue); `PE_ERR_INVALID_VALUE`
/// (`timeout_seconds` negative or NaN; or the sender is stopped, or this process is a child forked
/// from the one that started it, where the sender's thread does not exist); `PE_ERR_NULL`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Thread-safe: blocks only the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_sender_flush(
    sender: *const pe_sender,
    timeout_seconds: f64,
) -> pe_status {
    guard("pe_sender_flush", || {
        let sender = unsafe { borrow::<pe_sender>(sender, "sender") }?;
        let timeout = timeout_arg(timeout_seconds)?;
        sender.flush(timeout)?;
        Ok(())
    })
}

/// Stops the sender: a last collection, then what is queued is sent until it is all delivered or
/// `timeout_seconds` have passed; then a request still in flight is cut, what is left is dropped,
/// the sender's thread is joined and its self-metrics are unregistered. Once it returns no code of
/// the sender runs, so the library may be `dlclose()`d (after `pe_sender_free()`). Two waits can
/// outlast the timeout: resolving a host name and a TCP connect in progress (at most the connect
/// timeout). Stopping a stopped sender returns `PE_OK` at once.
///
/// In a child process forked while the sender ran, the sender is stopped already (its thread is
/// the parent's): there this call joins nothing, touches none of the parent's state, unregisters
/// the self-metrics from the child's registry and returns `PE_OK`.
///
/// `sender` is borrowed and stays valid: release it with `pe_sender_free()`. Returns `PE_OK`
/// (everything was delivered); `PE_ERR_IO` (the deadline passed: batches were dropped unsent);
/// `PE_ERR_HTTP` (some batches were rejected by the receiver or displaced from a full queue since
/// the call began); `PE_ERR_INVALID_VALUE` (`timeout_seconds` negative or NaN); `PE_ERR_NULL`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Whatever the status but the argument errors, the
/// sender is stopped when this returns. Thread-safe: a second concurrent stop waits for the first.
/// Called from a collector on the sender's own thread, it cannot join that thread, which ends
/// right after the collection.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_sender_stop(
    sender: *const pe_sender,
    timeout_seconds: f64,
) -> pe_status {
    guard("pe_sender_stop", || {
        let sender = unsafe { borrow::<pe_sender>(sender, "sender") }?;
        let timeout = timeout_arg(timeout_seconds)?;
        sender.stop(timeout)?;
        Ok(())
    })
}

/// The sender's last error: the receiver's answer (status and body) to a request that failed or
/// was rejected, a connection error, a full queue, the fallback from Remote Write 2.0 to 1.0.
///
/// `sender` is borrowed. On success `*out` receives a new string owned by the caller, to free with
/// `pe_string_free()`: "" when nothing failed yet. Returns `PE_OK`; `PE_ERR_NULL` (`sender`,
/// `out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_VALUE` (this process is a child forked from the
/// one that started the sender); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_sender_last_error(
    sender: *const pe_sender,
    out: *mut *mut c_char,
) -> pe_status {
    guard("pe_sender_last_error", || {
        let sender = unsafe { borrow::<pe_sender>(sender, "sender") }?;
        let out = out_arg(out, "out")?;
        let stats = sender.stats()?;
        out.set(to_c_string(stats.last_error.as_deref().unwrap_or(""))?);
        Ok(())
    })
}

/// Releases the sender. A sender still running is stopped first, as `pe_sender_stop()` with a
/// timeout of 2 seconds does (its status is lost: call `pe_sender_stop()` first to learn it).
///
/// NULL is a no-op. A pointer that is not a live `pe_sender` is left alone (and reported through
/// `pe_last_error()`). Do not use `sender` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_sender_free(sender: *mut pe_sender) {
    guard_value("pe_sender_free", (), || unsafe {
        release::<pe_sender>(sender, "sender")
    })
}
