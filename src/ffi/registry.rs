//! `pe_registry`: sets of collectors exposed together, registration and exposition.

use std::ffi::c_char;
use std::sync::{Arc, LazyLock};

use super::args::{opt_out_arg, opt_str_arg, out_arg, str_array};
use super::collector::pe_collector;
use super::counter::pe_counter;
use super::enumeration::pe_enum;
use super::gauge::pe_gauge;
use super::guard::{guard, guard_value};
use super::handle::{CType, Handle, borrow, borrow_opt, into_raw, release, tag_of};
use super::histogram::pe_histogram;
use super::info::pe_info;
use super::status::{FfiResult, pe_status};
use super::string::to_c_bytes;
use super::summary::pe_summary;
use crate::collectors::Wrap;
use crate::exposition::{
    Format, Representation, accepts_gzip, encode_registry, encode_registry_filtered,
};
use crate::registry::{Collector, NameFilter, Registry, default_registry};

/// A registry: the process-wide default one (`pe_registry_default()`, or NULL wherever a registry
/// is taken) or one of your own (`pe_registry_new()`). Opaque; reference counted; release with
/// `pe_registry_free()`.
pub struct pe_registry {
    _private: [u8; 0],
}

/// A registry handle's value: the core's registry reference itself, so an exporter can hold the
/// registry it serves without holding the handle.
pub(crate) enum RegistryRef {
    Default,
    Owned(Arc<Registry>),
}

impl RegistryRef {
    pub(crate) fn get(&self) -> &Registry {
        match self {
            RegistryRef::Default => default_registry(),
            RegistryRef::Owned(registry) => registry,
        }
    }
}

impl CType for pe_registry {
    type Inner = RegistryRef;
    const TAG: u32 = tag_of("pe_registry");
    const NAME: &'static str = "pe_registry";
}

/// The handle `pe_registry_default()` gives; never released (freeing it is a no-op).
static DEFAULT: LazyLock<Handle<pe_registry>> = LazyLock::new(|| Handle::new(RegistryRef::Default));

fn default_handle() -> *mut pe_registry {
    DEFAULT.as_ptr()
}

/// The registry an argument names: NULL is the default registry.
///
/// # Safety As for [`borrow`].
pub(crate) unsafe fn registry_arg<'a>(ptr: *const pe_registry) -> FfiResult<&'a Registry> {
    Ok(
        match unsafe { borrow_opt::<pe_registry>(ptr, "registry") }? {
            Some(registry) => registry.get(),
            None => default_registry(),
        },
    )
}

use super::codes::format_arg;
pub use super::codes::{RawFormat, pe_format};

/// Creates an empty registry. On success `*out` receives a new handle owned by the caller, to
/// release with `pe_registry_free()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_new(out: *mut *mut pe_registry) -> pe_status {
    guard("pe_registry_new", || {
        let out = out_arg(out, "out")?;
        out.set(into_raw::<pe_registry>(RegistryRef::Owned(Arc::new(
            Registry::new(),
        ))));
        Ok(())
    })
}

/// Gives the handle of the process-wide default registry (the one NULL stands for). Every call
/// returns the same pointer, which stays valid for the life of the process: `pe_registry_free()` on
/// it is a no-op, so it may be freed any number of times, or never.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_default(out: *mut *mut pe_registry) -> pe_status {
    guard("pe_registry_default", || {
        let out = out_arg(out, "out")?;
        out.set(default_handle());
        Ok(())
    })
}

/// Releases the caller's reference to a registry. The metrics registered in it live on as long as
/// other handles or registries hold them.
///
/// NULL and the handle of `pe_registry_default()` are no-ops. A pointer that is not a live
/// `pe_registry` is left alone (and reported through `pe_last_error()`). Do not use `registry`
/// afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_free(registry: *mut pe_registry) {
    guard_value("pe_registry_free", (), || {
        if std::ptr::eq(registry, default_handle()) {
            return Ok(());
        }
        unsafe { release::<pe_registry>(registry, "registry") }
    })
}

/// Creates a wrapping view of `parent` (NULL: the default registry), client_golang's
/// `WrapRegistererWithPrefix` and `WrapRegistererWith` in one: every metric or collector
/// registered through the view lands in `parent` with `prefix` (NULL or "" for none) in front of
/// its family names and the `n_labels` labels `label_names[i]="label_values[i]"` in front of its
/// own. A family that already has one of those labels is refused (`PE_ERR_INVALID_NAME`), as is
/// a prefixed name that is not valid; sample names are checked for clashes in `parent` as for any
/// registration. Views of views add their prefixes and labels outermost last. The view holds
/// no collectors of its own: exposing it exposes the registry at the root, and unregistering
/// through it removes a metric registered through it.
///
/// Every string is borrowed for the call. On success `*out` receives a new registry handle owned by
/// the caller (release with `pe_registry_free()`; the view keeps `parent` alive).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`, or an array or element NULL while `n_labels > 0`);
/// `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_UTF8`; `PE_ERR_INVALID_NAME` (a label name invalid or
/// repeated); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_wrap(
    parent: *const pe_registry,
    prefix: *const c_char,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n_labels: usize,
    out: *mut *mut pe_registry,
) -> pe_status {
    guard("pe_registry_wrap", || {
        let parent = match unsafe { borrow_opt::<pe_registry>(parent, "parent") }? {
            Some(RegistryRef::Owned(registry)) => Some(registry.clone()),
            Some(RegistryRef::Default) | None => None,
        };
        let prefix = unsafe { opt_str_arg(prefix, "prefix") }?;
        let names = unsafe { str_array(label_names, n_labels, "label_names") }?;
        let values = unsafe { str_array(label_values, n_labels, "label_values") }?;
        let pairs: Vec<(&str, &str)> = names.iter().copied().zip(values.iter().copied()).collect();
        let out = out_arg(out, "out")?;
        let wrap = Wrap::new(prefix, &pairs)?;
        out.set(into_raw::<pe_registry>(RegistryRef::Owned(Arc::new(
            Registry::wrapping(parent, wrap),
        ))));
        Ok(())
    })
}

/// A handle type that can be registered: what it gives the registry.
pub(crate) trait Registrable: CType {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>>;
}

impl Registrable for pe_counter {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        inner.collector()
    }
}
impl Registrable for pe_gauge {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        inner.collector()
    }
}
impl Registrable for pe_histogram {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        inner.collector()
    }
}
impl Registrable for pe_summary {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        inner.collector()
    }
}
impl Registrable for pe_info {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        inner.collector()
    }
}
impl Registrable for pe_enum {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        inner.metric.collector()
    }
}
impl Registrable for pe_collector {
    fn collector(inner: &Self::Inner) -> FfiResult<Arc<dyn Collector>> {
        Ok(inner.clone())
    }
}

/// The body of every `pe_registry_register_*()`.
unsafe fn register<C: Registrable>(registry: *const pe_registry, metric: *const C) -> FfiResult {
    let registry = unsafe { registry_arg(registry) }?;
    let metric = unsafe { borrow::<C>(metric, "metric") }?;
    Ok(registry.register(C::collector(metric)?)?)
}

/// The body of every `pe_registry_unregister_*()`.
unsafe fn unregister<C: Registrable>(registry: *const pe_registry, metric: *const C) -> FfiResult {
    let registry = unsafe { registry_arg(registry) }?;
    let metric = unsafe { borrow::<C>(metric, "metric") }?;
    Ok(registry.unregister(&C::collector(metric)?)?)
}

/// Registers a counter family in `registry` (NULL: the default registry); a bound child is
/// `PE_ERR_WRONG_KIND` (register its family). The registry takes its own reference:
/// `pe_counter_free()` on the caller's handle does not unregister it. Registering the same family
/// in the same registry again does nothing; one family may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_counter(
    registry: *mut pe_registry,
    metric: *const pe_counter,
) -> pe_status {
    guard("pe_registry_register_counter", || unsafe {
        register(registry, metric)
    })
}

/// Removes a counter family from `registry` (NULL: the default registry); its names become free
/// again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_counter(
    registry: *mut pe_registry,
    metric: *const pe_counter,
) -> pe_status {
    guard("pe_registry_unregister_counter", || unsafe {
        unregister(registry, metric)
    })
}

/// Registers a gauge family in `registry` (NULL: the default registry); a bound child is
/// `PE_ERR_WRONG_KIND` (register its family). The registry takes its own reference:
/// `pe_gauge_free()` on the caller's handle does not unregister it. Registering the same family in
/// the same registry again does nothing; one family may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_gauge(
    registry: *mut pe_registry,
    metric: *const pe_gauge,
) -> pe_status {
    guard("pe_registry_register_gauge", || unsafe {
        register(registry, metric)
    })
}

/// Removes a gauge family from `registry` (NULL: the default registry); its names become free
/// again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_gauge(
    registry: *mut pe_registry,
    metric: *const pe_gauge,
) -> pe_status {
    guard("pe_registry_unregister_gauge", || unsafe {
        unregister(registry, metric)
    })
}

/// Registers a histogram family in `registry` (NULL: the default registry); a bound child is
/// `PE_ERR_WRONG_KIND` (register its family). The registry takes its own reference:
/// `pe_histogram_free()` on the caller's handle does not unregister it. Registering the same family
/// in the same registry again does nothing; one family may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_histogram(
    registry: *mut pe_registry,
    metric: *const pe_histogram,
) -> pe_status {
    guard("pe_registry_register_histogram", || unsafe {
        register(registry, metric)
    })
}

/// Removes a histogram family from `registry` (NULL: the default registry); its names become free
/// again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_histogram(
    registry: *mut pe_registry,
    metric: *const pe_histogram,
) -> pe_status {
    guard("pe_registry_unregister_histogram", || unsafe {
        unregister(registry, metric)
    })
}

/// Registers a summary family in `registry` (NULL: the default registry); a bound child is
/// `PE_ERR_WRONG_KIND` (register its family). The registry takes its own reference:
/// `pe_summary_free()` on the caller's handle does not unregister it. Registering the same family
/// in the same registry again does nothing; one family may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_summary(
    registry: *mut pe_registry,
    metric: *const pe_summary,
) -> pe_status {
    guard("pe_registry_register_summary", || unsafe {
        register(registry, metric)
    })
}

/// Removes a summary family from `registry` (NULL: the default registry); its names become free
/// again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_summary(
    registry: *mut pe_registry,
    metric: *const pe_summary,
) -> pe_status {
    guard("pe_registry_unregister_summary", || unsafe {
        unregister(registry, metric)
    })
}

/// Registers an info family in `registry` (NULL: the default registry); a bound child is
/// `PE_ERR_WRONG_KIND` (register its family). The registry takes its own reference:
/// `pe_info_free()` on the caller's handle does not unregister it. Registering the same family in
/// the same registry again does nothing; one family may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_info(
    registry: *mut pe_registry,
    metric: *const pe_info,
) -> pe_status {
    guard("pe_registry_register_info", || unsafe {
        register(registry, metric)
    })
}

/// Removes an info family from `registry` (NULL: the default registry); its names become free
/// again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_info(
    registry: *mut pe_registry,
    metric: *const pe_info,
) -> pe_status {
    guard("pe_registry_unregister_info", || unsafe {
        unregister(registry, metric)
    })
}

/// Registers an enum family in `registry` (NULL: the default registry); a bound child is
/// `PE_ERR_WRONG_KIND` (register its family). The registry takes its own reference:
/// `pe_enum_free()` on the caller's handle does not unregister it. Registering the same family in
/// the same registry again does nothing; one family may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_enum(
    registry: *mut pe_registry,
    metric: *const pe_enum,
) -> pe_status {
    guard("pe_registry_register_enum", || unsafe {
        register(registry, metric)
    })
}

/// Removes an enum family from `registry` (NULL: the default registry); its names become free
/// again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_enum(
    registry: *mut pe_registry,
    metric: *const pe_enum,
) -> pe_status {
    guard("pe_registry_unregister_enum", || unsafe {
        unregister(registry, metric)
    })
}

/// Registers a callback metric or custom collector in `registry` (NULL: the default registry). The
/// registry takes its own reference: `pe_collector_free()` on the caller's handle does not
/// unregister it. Registering the same family in the same registry again does nothing; one family
/// may be in several registries.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_DUPLICATE` (another collector in the registry already provides one of its sample names:
/// the registry is unchanged); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_register_collector(
    registry: *mut pe_registry,
    metric: *const pe_collector,
) -> pe_status {
    guard("pe_registry_register_collector", || unsafe {
        register(registry, metric)
    })
}

/// Removes a callback metric or custom collector from `registry` (NULL: the default registry); its
/// names become free again. The caller's handle stays valid.
///
/// Both handles are borrowed. Returns `PE_OK`; `PE_ERR_NULL` (`metric`); `PE_ERR_WRONG_KIND`;
/// `PE_ERR_NOT_FOUND` (it is not registered there); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_unregister_collector(
    registry: *mut pe_registry,
    metric: *const pe_collector,
) -> pe_status {
    guard("pe_registry_unregister_collector", || unsafe {
        unregister(registry, metric)
    })
}

/// Renders `registry` (only the families `names` selects, when given) and hands it out.
pub(crate) fn expose(
    registry: &Registry,
    representation: Representation,
    names: Option<&[&str]>,
    out: super::args::Out<*mut c_char>,
    len: super::args::OptOut<usize>,
) -> FfiResult {
    let mut text = Vec::new();
    match names {
        None => encode_registry(registry, representation, &mut text),
        Some(names) => {
            encode_registry_filtered(registry, &NameFilter::new(names), representation, &mut text)
        }
    }
    hand_out(&text, out, len)
}

/// Writes the exposition into `*out` and its length in bytes (without the NUL) into `*len`.
pub(crate) fn hand_out(
    text: &[u8],
    out: super::args::Out<*mut c_char>,
    len: super::args::OptOut<usize>,
) -> FfiResult {
    out.set(to_c_bytes(text)?);
    len.set(text.len());
    Ok(())
}

/// Collects every collector of `registry` (NULL: the default registry) and renders the exposition
/// in `format`: families sorted by name. `PE_FORMAT_PROTOBUF` is binary: its bytes may hold NULs,
/// so take its length from `*len`.
///
/// On success `*out` receives a NUL-terminated UTF-8 string owned by the caller, to release with
/// `pe_string_free()`, and `*len` (when `len` is not NULL) its length in bytes without the NUL. On
/// error nothing is written.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_VALUE` (unknown
/// `format`); `PE_ERR_INTERNAL`. Thread-safe; custom collector callbacks run on the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_expose(
    registry: *const pe_registry,
    format: RawFormat,
    out: *mut *mut c_char,
    len: *mut usize,
) -> pe_status {
    guard("pe_registry_expose", || {
        let registry = unsafe { registry_arg(registry) }?;
        let format = format_arg(format)?;
        let out = out_arg(out, "out")?;
        expose(registry, format.into(), None, out, opt_out_arg(len))
    })
}

/// Like `pe_registry_expose()`, keeping only the families one of the `n_names` `names` selects, as
/// the `name[]` query parameter of a scrape does: a family is selected by its name or any of its
/// sample names (`x` or `x_total` select counter `x`). `n_names` 0 selects nothing.
///
/// `names` is borrowed for the call. On success `*out` receives a string owned by the caller
/// (release with `pe_string_free()`) and `*len` (when not NULL) its length.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`, `names` with `n_names > 0`, or one of its strings);
/// `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND`; `PE_ERR_INVALID_VALUE` (unknown `format`);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_registry_expose_filtered(
    registry: *const pe_registry,
    format: RawFormat,
    names: *const *const c_char,
    n_names: usize,
    out: *mut *mut c_char,
    len: *mut usize,
) -> pe_status {
    guard("pe_registry_expose_filtered", || {
        let registry = unsafe { registry_arg(registry) }?;
        let format = format_arg(format)?;
        let names = unsafe { str_array(names, n_names, "names") }?;
        let out = out_arg(out, "out")?;
        expose(registry, format.into(), Some(&names), out, opt_out_arg(len))
    })
}

/// Chooses the format to answer a scrape with from its `Accept` header, as the HTTP exporter does:
/// the acceptable format with the highest q-value (the most specific media range deciding), with
/// protobuf and OpenMetrics 2.0 only when named exactly (never through a wildcard), and Prometheus
/// text 0.0.4 the fallback for a missing, empty or unparsable header. For
/// servers other than the library's own exporter (a WSGI application, say) that render with
/// `pe_registry_expose()`.
///
/// `accept` (NULL: no header) is borrowed for the call. On success `*out` receives the format.
/// Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_UTF8`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_negotiate_format(
    accept: *const c_char,
    out: *mut pe_format,
) -> pe_status {
    guard("pe_negotiate_format", || {
        let accept = unsafe { opt_str_arg(accept, "accept") }?;
        let out = out_arg(out, "out")?;
        out.set(pe_format::from(Format::negotiate(Some(accept))));
        Ok(())
    })
}

/// Whether a scrape's `Accept-Encoding` header allows a gzip-compressed answer, as the HTTP
/// exporter decides it: `gzip` (or `x-gzip`) with a q-value above 0, or else `*` with one.
///
/// `accept_encoding` (NULL: no header) is borrowed for the call. On success `*out` receives the
/// answer. Returns `PE_OK`; `PE_ERR_NULL` (`out`); `PE_ERR_UTF8`; `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_accepts_gzip(
    accept_encoding: *const c_char,
    out: *mut bool,
) -> pe_status {
    guard("pe_accepts_gzip", || {
        let accept_encoding = unsafe { opt_str_arg(accept_encoding, "accept_encoding") }?;
        let out = out_arg(out, "out")?;
        out.set(accepts_gzip(Some(accept_encoding)));
        Ok(())
    })
}
