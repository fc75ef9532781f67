//! `pe_exporter`: the HTTP exporter a Prometheus server scrapes, started and stopped from C.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use super::args::{out_arg, str_arg};
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, borrow_opt, into_raw, release, tag_of};
use super::registry::{RegistryRef, pe_registry};
use super::status::{Failure, FfiResult, pe_status};
use super::versioned::{Versioned, required};
use crate::exporter::{BasicAuth, Exporter, ExporterError, ExporterOptions, TlsOptions};
use crate::registry::Registry;

/// A running HTTP exporter, from `pe_exporter_start()`. Opaque; stop it (which also frees it)
/// with `pe_exporter_stop()`.
pub struct pe_exporter {
    _private: [u8; 0],
}

impl CType for pe_exporter {
    type Inner = Exporter;
    const TAG: u32 = tag_of("pe_exporter");
    const NAME: &'static str = "pe_exporter";
}

/// How `pe_exporter_start()` listens and serves.
///
/// Set `struct_size` to `sizeof(pe_exporter_options)`: later versions of the library may add
/// fields at the end, and read them only when `struct_size` says the caller's struct has them.
/// Zero the struct first (`pe_exporter_options opts = {0}; opts.struct_size = sizeof opts;`): every
/// field but `address` then takes its default. Every pointer is borrowed for the duration of the
/// call; the library copies what it keeps (file contents are read during the call).
#[repr(C)]
pub struct pe_exporter_options {
    /// `sizeof(pe_exporter_options)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// Where to listen, `host:port`: `"0.0.0.0:9100"` (every IPv4 interface), `"[::]:9100"` (every
    /// IPv6 interface), `"127.0.0.1:9100"` (loopback only). Port 0 picks a free port, which
    /// `pe_exporter_port()` reports. Required.
    pub address: *const c_char,
    /// Worker threads rendering answers, 1 to 1024; 0 for the default, 4. Connections are watched
    /// by one event-loop thread besides them, so idle or slow clients occupy no worker.
    pub workers: usize,
    /// Complete requests that may wait for a worker, 1 to 65536; beyond that requests are
    /// answered 503 at once. 0 for the default, 64.
    pub max_pending_connections: usize,
    /// How long a request head (and, on a new TLS connection, the handshake before it) may take
    /// to arrive in all, in milliseconds, however slowly it trickles; a client that sends nothing
    /// is disconnected after it. 0 for the default, 10000.
    pub read_timeout_ms: u32,
    /// How long sending one response may take in all, in milliseconds; a client that reads too
    /// slowly is disconnected after it. 0 for the default, 10000.
    pub write_timeout_ms: u32,
    /// How long a keep-alive connection may stay idle between requests, in milliseconds. 0 for
    /// the default, 10000.
    pub idle_timeout_ms: u32,
    /// Largest request head accepted (request line and header fields), at least 1024 bytes; a
    /// larger one is answered 431. 0 for the default, 16384.
    pub max_head_bytes: usize,
    /// Requests served on one keep-alive connection before it is closed. 0 for the default, 1000.
    pub max_requests_per_connection: usize,
    /// HTTP basic auth: the user name every request must carry (no ':'); NULL or "" for no
    /// authentication. Requests without the right credentials are answered 401.
    pub basic_auth_user: *const c_char,
    /// The password that goes with `basic_auth_user`; NULL is "".
    pub basic_auth_password: *const c_char,
    /// HTTPS: path of a PEM file holding the certificate chain, leaf first; NULL or "" for plain
    /// HTTP. Requires `tls_key_file`.
    pub tls_cert_file: *const c_char,
    /// Path of a PEM file holding the certificate's private key (PKCS#8, PKCS#1 or SEC1).
    /// Requires `tls_cert_file`.
    pub tls_key_file: *const c_char,
    /// Connections open at once, 1 to 1000000; 0 for the default, 1024. At the cap the oldest
    /// idle connection (one that has sent nothing of a request) is closed to make room; when
    /// every connection is busy with an answer, the new one is answered 503. A field added after
    /// the first version: read only when `struct_size` covers it.
    pub max_connections: usize,
    /// The same cap for the connections of one peer address; 0 for the default, `max_connections`.
    pub max_connections_per_peer: usize,
    /// Collection under a scrape deadline (fields added after the first version: read only when
    /// `struct_size` covers them). A scrape that announces its timeout in
    /// `X-Prometheus-Scrape-Timeout-Seconds`, as Prometheus does, has its custom collectors and
    /// callback metrics collected on the exporter's collector threads within that timeout less
    /// this margin, in milliseconds, and is answered with what returned by then: a collector
    /// still running is left out of the answer and counted in
    /// `prometheus_emulator_collector_timeout_total{collector="..."}`, and is not started again
    /// until it returns. The margin is never more than half the timeout. 0 for the default, 500
    /// (the smallest margin is thus 1 ms).
    pub scrape_timeout_margin_ms: u64,
    /// The collection budget, in milliseconds, of a scrape that announces no timeout (no such
    /// header, or not a positive number): 0 for none, the default, where such a scrape collects
    /// every collector on its worker as long as they take and no collector thread starts.
    pub default_collection_timeout_ms: u64,
    /// The largest collection budget, in milliseconds, whatever timeout a scrape announces; 0 for
    /// no cap.
    pub max_collection_timeout_ms: u64,
    /// Threads that collect under a deadline, at most, 1 to 1024; 0 for the default, 8. They
    /// start as scrapes need them and are joined by `pe_exporter_stop()`, which waits for a
    /// collector still running to return.
    pub collector_threads: usize,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, pointers and numbers only.
unsafe impl Versioned for pe_exporter_options {
    const NAME: &'static str = "pe_exporter_options";
    /// The first version ended before `max_connections`: callers compiled against it keep
    /// working.
    const FIRST_VERSION_SIZE: usize = std::mem::offset_of!(pe_exporter_options, max_connections);
}

fn invalid_config(message: String) -> Failure {
    Failure::new(pe_status::PE_ERR_INVALID_CONFIG, message)
}

/// An optional string field: NULL and "" are both "not set".
///
/// # Safety
/// As for `str_arg`.
unsafe fn opt_field<'a>(ptr: *const c_char, arg: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    Ok(Some(unsafe { str_arg(ptr, arg) }?).filter(|s| !s.is_empty()))
}

/// Reads a `pe_exporter_options` into exporter options (the registry is set apart).
///
/// # Safety
/// `ptr` is NULL or points to a `pe_exporter_options` whose pointers follow its field docs.
unsafe fn options_arg(ptr: *const pe_exporter_options, arg: &str) -> FfiResult<ExporterOptions> {
    let copy = unsafe { required(ptr, arg) }?;
    let opts = &copy;
    let address = unsafe { str_arg(opts.address, "opts->address") }?;
    let user = unsafe { opt_field(opts.basic_auth_user, "opts->basic_auth_user") }?;
    let password = unsafe { opt_field(opts.basic_auth_password, "opts->basic_auth_password") }?;
    let cert = unsafe { opt_field(opts.tls_cert_file, "opts->tls_cert_file") }?;
    let key = unsafe { opt_field(opts.tls_key_file, "opts->tls_key_file") }?;

    let mut options = ExporterOptions::new(address);
    // Zero means "the default" for every number, so a zeroed struct is a valid one.
    if opts.workers != 0 {
        options = options.workers(opts.workers);
    }
    if opts.max_pending_connections != 0 {
        options = options.max_pending_connections(opts.max_pending_connections);
    }
    let millis = |ms: u32| Duration::from_millis(u64::from(ms));
    if opts.read_timeout_ms != 0 {
        options = options.read_timeout(millis(opts.read_timeout_ms));
    }
    if opts.write_timeout_ms != 0 {
        options = options.write_timeout(millis(opts.write_timeout_ms));
    }
    if opts.idle_timeout_ms != 0 {
        options = options.idle_timeout(millis(opts.idle_timeout_ms));
    }
    if opts.max_head_bytes != 0 {
        options = options.max_head_bytes(opts.max_head_bytes);
    }
    if opts.max_requests_per_connection != 0 {
        options = options.max_requests_per_connection(opts.max_requests_per_connection);
    }
    if opts.max_connections != 0 {
        options = options.max_connections(opts.max_connections);
        options = options.max_connections_per_peer(opts.max_connections);
    }
    if opts.max_connections_per_peer != 0 {
        options = options.max_connections_per_peer(opts.max_connections_per_peer);
    }
    if opts.scrape_timeout_margin_ms != 0 {
        options =
            options.scrape_timeout_margin(Duration::from_millis(opts.scrape_timeout_margin_ms));
    }
    if opts.default_collection_timeout_ms != 0 {
        options = options
            .default_collection_timeout(Duration::from_millis(opts.default_collection_timeout_ms));
    }
    if opts.max_collection_timeout_ms != 0 {
        options =
            options.max_collection_timeout(Duration::from_millis(opts.max_collection_timeout_ms));
    }
    if opts.collector_threads != 0 {
        options = options.collector_threads(opts.collector_threads);
    }
    match (user, password) {
        (Some(user), password) => {
            options = options.basic_auth(BasicAuth::new(user, password.unwrap_or(""))?);
        }
        (None, Some(_)) => {
            return Err(invalid_config(
                "`opts->basic_auth_password` is set without `opts->basic_auth_user`".into(),
            ));
        }
        (None, None) => {}
    }
    match (cert, key) {
        (Some(cert), Some(key)) => options = options.tls(TlsOptions::from_pem_files(cert, key)),
        (None, None) => {}
        _ => {
            return Err(invalid_config(
                "TLS needs both `opts->tls_cert_file` and `opts->tls_key_file`".into(),
            ));
        }
    }
    Ok(options)
}

/// Which status each exporter error becomes.
impl From<ExporterError> for Failure {
    fn from(error: ExporterError) -> Self {
        let status = match &error {
            ExporterError::InvalidOptions(_) | ExporterError::Tls(_) => {
                pe_status::PE_ERR_INVALID_CONFIG
            }
            ExporterError::Bind { .. } | ExporterError::Spawn(_) => pe_status::PE_ERR_IO,
        };
        Failure::new(status, error.to_string())
    }
}

/// The registry argument: `None` for NULL or the default registry's handle, otherwise the
/// registry itself, which the exporter keeps alive after the caller frees the handle.
///
/// # Safety
/// As for `borrow`.
unsafe fn served_registry_arg(ptr: *const pe_registry) -> FfiResult<Option<Arc<Registry>>> {
    Ok(
        match unsafe { borrow_opt::<pe_registry>(ptr, "registry") }? {
            None | Some(RegistryRef::Default) => None,
            Some(RegistryRef::Owned(registry)) => Some(registry.clone()),
        },
    )
}

/// Starts an HTTP exporter serving `registry` (NULL: the default registry, with the process
/// collector registered in it) and returns once it listens, so a scrape can follow at once.
///
/// It answers `GET` and `HEAD /metrics` with the registry in the format the `Accept` header asks
/// for (OpenMetrics 1.0 or Prometheus text 0.0.4), gzipped when `Accept-Encoding` allows it and
/// restricted to the families named by `name[]` query parameters when there are any; `/` with a
/// page linking to it; anything else with 404 (405 for other methods). A scrape that sends
/// `X-Prometheus-Scrape-Timeout-Seconds` is collected under that deadline (see
/// `opts->scrape_timeout_margin_ms`). Its threads (one event loop watching every connection,
/// `opts->workers` rendering answers, up to `opts->collector_threads` collecting under a
/// deadline, started on demand) run until `pe_exporter_stop()`, which joins them all. Several
/// exporters may run at once.
///
/// `opts` and its strings are borrowed for the call. `registry` is borrowed; the exporter takes
/// its own reference, so `pe_registry_free()` on the caller's handle while the exporter runs is
/// safe. On success `*out` receives the exporter, owned by the caller, to stop and free with
/// `pe_exporter_stop()`; on error `*out` is not written and no thread is left running.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->address`, `out`); `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (`registry` is not a live `pe_registry`); `PE_ERR_INVALID_CONFIG`
/// (`opts->struct_size` too small, a number out of range such as `collector_threads` above 1024,
/// a ':' in the user name, only one of the TLS files, or a certificate or key file that is
/// missing, unreadable or invalid);
/// `PE_ERR_IO` (the address cannot be resolved or listened on, the port is in use, or a thread
/// cannot be started); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_exporter_start(
    opts: *const pe_exporter_options,
    registry: *mut pe_registry,
    out: *mut *mut pe_exporter,
) -> pe_status {
    guard("pe_exporter_start", || {
        let mut options = unsafe { options_arg(opts, "opts") }?;
        let served = unsafe { served_registry_arg(registry) }?;
        let out = out_arg(out, "out")?;
        if let Some(served) = served {
            options = options.registry(served);
        }
        out.set(into_raw::<pe_exporter>(Exporter::start(options)?));
        Ok(())
    })
}

/// The port the exporter listens on: the one asked for, or the one picked for port 0.
///
/// `exporter` is borrowed. On success `*out` receives the port. Returns `PE_OK`; `PE_ERR_NULL`
/// (`exporter`, `out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_exporter_port(
    exporter: *const pe_exporter,
    out: *mut u16,
) -> pe_status {
    guard("pe_exporter_port", || {
        let exporter = unsafe { borrow::<pe_exporter>(exporter, "exporter") }?;
        let out = out_arg(out, "out")?;
        out.set(exporter.port());
        Ok(())
    })
}

/// Stops the exporter and frees it: stops listening, closes every open connection (a scrape in
/// progress fails, a stalled client does not delay it) and joins every thread the exporter
/// started, so no exporter code runs once it returns and the library may be `dlclose()`d. The
/// port is free again when it returns. A collector that overran a scrape's deadline and is still
/// running is waited for: this call returns once it has (a collector that never returns keeps it
/// from returning, as it would keep any collection from ending).
///
/// In a child process forked while the exporter ran, the exporter is stopped already: its
/// threads are the parent's and do not exist in the child. There this call joins nothing, leaves
/// the parent's connections untouched, closes the child's copy of the listening socket and frees
/// the handle; the parent's exporter keeps serving.
///
/// NULL is a no-op. A pointer that is not a live `pe_exporter` is left alone (and reported through
/// `pe_last_error()`). Do not use `exporter` afterwards. Thread-safe. Called from inside a scrape
/// of the same exporter (a callback metric, say), the thread running that scrape cannot join
/// itself: it ends on its own right after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_exporter_stop(exporter: *mut pe_exporter) {
    guard_value("pe_exporter_stop", (), || unsafe {
        release::<pe_exporter>(exporter, "exporter")
    })
}
