//! `pe_metric_opts`: the options every metric constructor takes, growable without breaking the ABI.

use std::ffi::c_char;
use std::mem::size_of;

use super::args::{opt_str_arg, str_arg, str_array};
use super::status::FfiResult;
use super::versioned::{Versioned, required};
use crate::metric::Opts;

/// Name, help and labels of a metric family, for the `pe_*_new_opts()` constructors.
///
/// Set `struct_size` to `sizeof(pe_metric_opts)`: later versions of the library may add fields at
/// the end, and read them only when `struct_size` says the caller's struct has them. Zero the
/// struct first (`pe_metric_opts opts = {0}; opts.struct_size = sizeof opts;`).
///
/// Every pointer is borrowed for the duration of the constructor call; the library copies what it
/// keeps.
#[repr(C)]
pub struct pe_metric_opts {
    /// `sizeof(pe_metric_opts)` as the caller was compiled with. Required.
    pub struct_size: usize,
    /// Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*` once joined with namespace and subsystem. Required.
    /// A counter's trailing `_total` is dropped (the exposition adds it back).
    pub name: *const c_char,
    /// Help text; NULL is "".
    pub help: *const c_char,
    /// Prefix joined to the name with `_`; NULL or "" for none. (Trailing underscore: `namespace`
    /// is a C++ keyword.)
    pub namespace_: *const c_char,
    /// Second prefix, between namespace and name; NULL or "" for none.
    pub subsystem: *const c_char,
    /// OpenMetrics unit, appended to the name as `_<unit>` when not already there; NULL or "" for
    /// none. Info and enum metrics cannot have one.
    pub unit: *const c_char,
    /// `n_label_names` label names; may be NULL when `n_label_names` is 0.
    pub label_names: *const *const c_char,
    /// Number of label names.
    pub n_label_names: usize,
}

// SAFETY: `#[repr(C)]`, `struct_size` first, pointers and numbers only.
unsafe impl Versioned for pe_metric_opts {
    const NAME: &'static str = "pe_metric_opts";
    const FIRST_VERSION_SIZE: usize = size_of::<pe_metric_opts>();
}

/// Reads a `pe_metric_opts`: `PE_ERR_NULL` for a NULL struct or name, `PE_ERR_INVALID_CONFIG` for
/// a `struct_size` smaller than its first version.
///
/// # Safety
/// `ptr` is NULL or points to a `pe_metric_opts` whose pointers follow its field docs.
pub(crate) unsafe fn opts_arg(ptr: *const pe_metric_opts, arg: &str) -> FfiResult<Opts> {
    let opts = unsafe { required(ptr, arg) }?;
    let labels = unsafe { str_array(opts.label_names, opts.n_label_names, "opts->label_names") }?;
    Ok(Opts {
        name: unsafe { str_arg(opts.name, "opts->name") }?.to_owned(),
        help: unsafe { opt_str_arg(opts.help, "opts->help") }?.to_owned(),
        namespace: unsafe { opt_str_arg(opts.namespace_, "opts->namespace_") }?.to_owned(),
        subsystem: unsafe { opt_str_arg(opts.subsystem, "opts->subsystem") }?.to_owned(),
        unit: unsafe { opt_str_arg(opts.unit, "opts->unit") }?.to_owned(),
        label_names: labels.iter().map(|s| s.to_string()).collect(),
    })
}

/// The options of the short constructors (`pe_counter_new()` ...): name, help (NULL is "") and
/// label names.
///
/// # Safety
/// The pointers are NULL or valid as `str_arg` and `str_array` require.
pub(crate) unsafe fn simple_opts(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
) -> FfiResult<Opts> {
    let name = unsafe { str_arg(name, "name") }?;
    let help = unsafe { opt_str_arg(help, "help") }?;
    let labels = unsafe { str_array(label_names, n_labels, "label_names") }?;
    Ok(Opts::new(name, help).labels(&labels))
}
