//! `pe_store`: the shared store of pre-fork servers, through which every process's metrics are
//! one set of values. Converts and delegates to [`crate::store`].

use std::ffi::c_char;
use std::path::Path;
use std::sync::Arc;

use super::args::{out_arg, str_arg};
use super::collector::pe_collector;
use super::guard::{guard, guard_value};
use super::handle::{borrow, into_raw, release};
use super::status::{FfiResult, pe_status};
pub use super::store_handle::pe_store;
use super::versioned::{Versioned, versioned};
use crate::collector::Collector;
use crate::store::{Store, StoreCollector, StoreOptions};

// `pe_store` itself is in `store_handle`, which the metric options use too.

/// Parameters of a new store, for `pe_store_open()`. Zero the struct, then set `struct_size` to
/// `sizeof(pe_store_options)`; a zero field takes the default. They apply when the call makes
/// the file: a store that exists keeps the ones it was made with.
#[repr(C)]
pub struct pe_store_options {
    /// `sizeof(pe_store_options)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// Bytes of the file, rounded up to a page; 0: 64 MiB. The file is sparse: memory is used
    /// as series fill it. A full store refuses new series and families with `PE_ERR_STORE`.
    /// At least 1 MiB.
    pub capacity_bytes: u64,
    /// How many processes may hold gauge values at once; 0: 256, at most 65536. Each gauge
    /// series keeps 16 bytes per process.
    pub max_processes: u32,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, numbers only.
unsafe impl Versioned for pe_store_options {
    const NAME: &'static str = "pe_store_options";
    const FIRST_VERSION_SIZE: usize = std::mem::size_of::<pe_store_options>();
}

/// Opens the shared store in `directory` (an existing, writable directory), making its file
/// `prometheus_emulator.store` there when there is none. Open it in the parent before forking
/// workers (each child inherits the mapping), or in each process: every opener of one directory
/// shares the same values.
///
/// Metrics made with `pe_metric_opts.store` set to the store keep their values in it: counter
/// increments and histogram observations are shared atomic updates, counted once for all
/// processes and kept after a process exits; a gauge keeps a value per process, combined at
/// collection by `pe_metric_opts.gauge_mode`. A family must be described alike (type, label
/// names, buckets, gauge mode) by every process. `pe_store_collector()` reads all of it.
///
/// `directory` is borrowed for the call. `options` may be NULL for the defaults. On success
/// `*out` receives a new handle owned by the caller.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`directory`, `out`); `PE_ERR_UTF8`; `PE_ERR_INVALID_CONFIG`
/// (`options`: a `struct_size` too small, a capacity below 1 MiB, too many processes);
/// `PE_ERR_IO` (the directory or file cannot be opened, sized or mapped); `PE_ERR_STORE` (the
/// file is corrupt, of another version of the library, or not a store). Thread-safe; it may
/// wait for another process making the file.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_store_open(
    directory: *const c_char,
    options: *const pe_store_options,
    out: *mut *mut pe_store,
) -> pe_status {
    guard("pe_store_open", || -> FfiResult {
        let directory = unsafe { str_arg(directory, "directory") }?;
        let options = match unsafe { versioned(options, "options") }? {
            Some(given) => StoreOptions {
                capacity_bytes: given.capacity_bytes,
                max_processes: given.max_processes,
            },
            None => StoreOptions::default(),
        };
        let out = out_arg(out, "out")?;
        let store = Store::open(Path::new(directory), options)?;
        out.set(into_raw::<pe_store>(store));
        Ok(())
    })
}

/// Releases the caller's reference to a store. The mapping stays while metrics made on it
/// live. NULL is a no-op; a pointer that is not a live `pe_store` is left alone (and reported
/// through `pe_last_error()`). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_store_free(store: *mut pe_store) {
    guard_value("pe_store_free", (), || unsafe {
        release::<pe_store>(store, "store")
    })
}

/// A collector of every family in the store with every process's values, as prometheus_client's
/// `MultiProcessCollector`: counters as `_total`, histograms as buckets, count and sum, gauges by
/// their mode (`PE_GAUGE_MODE_ALL` and `PE_GAUGE_MODE_LIVEALL` with a `pid` label); no
/// `_created` samples and no exemplars. Register it in a registry of its own, which the
/// exporter serves: the metrics of the calling process are in the store already. Each
/// collection finds the processes that died first (by pid and start time).
///
/// On success `*out` receives a new handle owned by the caller (`pe_collector_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`store`, `out`); `PE_ERR_WRONG_KIND`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_store_collector(
    store: *const pe_store,
    out: *mut *mut pe_collector,
) -> pe_status {
    guard("pe_store_collector", || -> FfiResult {
        let store = unsafe { borrow::<pe_store>(store, "store") }?;
        let out = out_arg(out, "out")?;
        let collector: Arc<dyn Collector> = Arc::new(StoreCollector::new(store.clone()));
        out.set(into_raw::<pe_collector>(collector));
        Ok(())
    })
}

/// Tells the store that process `pid` has exited (a pre-fork server's worker-exit hook, after
/// reaping it): its gauge values leave the `live` modes at once, and its slot is free for the
/// next process. Collections find dead processes anyway; this makes it prompt. A pid the store
/// does not hold is not an error.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`; `PE_ERR_STORE` (the file is corrupt).
/// Thread-safe; it may wait for the store's lock.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_store_mark_process_dead(store: *const pe_store, pid: i64) -> pe_status {
    guard("pe_store_mark_process_dead", || -> FfiResult {
        let store = unsafe { borrow::<pe_store>(store, "store") }?;
        store.mark_process_dead(pid)?;
        Ok(())
    })
}
