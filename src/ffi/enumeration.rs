//! `pe_enum`: an enum (OpenMetrics state set) family, or one child bound from it.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use super::args::{out_arg, str_arg, str_array};
use super::family;
use super::guard::{guard, guard_value};
use super::handle::{CType, borrow, into_raw, tag_of};
use super::metric::MetricRef;
use super::opts::{opts_arg, pe_metric_opts, simple_opts};
use super::status::{FfiResult, pe_status};
use crate::metric::{Family, Opts, StateSet, StateSetConfig};

/// An enum: a family (from `pe_enum_new()`), or one labelled child of it (from `pe_enum_labels()`).
/// Exposed as an OpenMetrics state set: one sample per state, labelled with the metric name, 1 for
/// the active state(s). Opaque; reference counted; release with `pe_enum_free()`.
pub struct pe_enum {
    _private: [u8; 0],
}

/// An enum handle's value: the metric, and its states as C strings for `pe_enum_get()`.
pub(crate) struct EnumRef {
    pub(crate) metric: MetricRef<StateSet>,
    states: Arc<[CString]>,
}

impl EnumRef {
    fn new(opts: Opts, config: StateSetConfig) -> FfiResult<Self> {
        let states = config
            .states()
            .iter()
            .map(|s| CString::new(s.as_bytes()).unwrap_or_default())
            .collect();
        Ok(EnumRef {
            metric: MetricRef::from_family(Family::with_config(opts, config)?)?,
            states,
        })
    }

    fn bind(&self, values: &[&str]) -> FfiResult<Self> {
        Ok(EnumRef {
            metric: self.metric.bind(values)?,
            states: self.states.clone(),
        })
    }

    /// The first active state of `state_set` as a C string owned by this handle, or NULL.
    fn current(&self, state_set: &StateSet) -> *const c_char {
        state_set
            .current()
            .and_then(|name| self.states.iter().find(|s| s.as_bytes() == name.as_bytes()))
            .map_or(std::ptr::null(), |s| s.as_ptr())
    }
}

impl family::FamilyValue for EnumRef {
    type Metric = StateSet;

    fn metric(&self) -> &MetricRef<StateSet> {
        &self.metric
    }

    fn bind(&self, values: &[&str]) -> FfiResult<Self> {
        EnumRef::bind(self, values)
    }
}

impl CType for pe_enum {
    type Inner = EnumRef;
    const TAG: u32 = tag_of("pe_enum");
    const NAME: &'static str = "pe_enum";
}

/// Creates an enum family whose series are each in exactly one of the `n_states` `states` (starting
/// in the first), not registered anywhere (see `pe_registry_register_enum()`).
///
/// `name` (required), `help` (NULL is ""), `label_names` (the metric's own name is reserved) and
/// `states` are borrowed for the call and copied. On success `*out` receives a new handle owned by
/// the caller, to release with `pe_enum_free()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`name`, `out`, an array with a count `> 0`, or one of its
/// strings is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG` (no state, or a
/// state twice); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_new(
    name: *const c_char,
    help: *const c_char,
    label_names: *const *const c_char,
    n_labels: usize,
    states: *const *const c_char,
    n_states: usize,
    out: *mut *mut pe_enum,
) -> pe_status {
    guard("pe_enum_new", || {
        let opts = unsafe { simple_opts(name, help, label_names, n_labels) }?;
        let states = unsafe { str_array(states, n_states, "states") }?;
        let out = out_arg(out, "out")?;
        let config = StateSetConfig::enumeration(&states)?;
        out.set(into_raw::<pe_enum>(EnumRef::new(opts, config)?));
        Ok(())
    })
}

/// Creates an enum family from options and states, not registered. With `flags` false it is an enum
/// (exactly one state active, the first at the start); with `flags` true the states are independent
/// flags, all unset at the start (set them with `pe_enum_set_state()`). Enums have no unit.
///
/// `opts`, what it points to and `states` are borrowed for the call and copied. On success `*out`
/// receives a new handle owned by the caller (release with `pe_enum_free()`).
///
/// Returns `PE_OK`; `PE_ERR_NULL` (`opts`, `opts->name`, `out`, `states` with `n_states > 0`, or a
/// string is NULL); `PE_ERR_UTF8`; `PE_ERR_INVALID_NAME`; `PE_ERR_INVALID_CONFIG`
/// (`opts->struct_size` too small, a unit given, no state, a state twice); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_new_opts(
    opts: *const pe_metric_opts,
    states: *const *const c_char,
    n_states: usize,
    flags: bool,
    out: *mut *mut pe_enum,
) -> pe_status {
    guard("pe_enum_new_opts", || {
        let opts = unsafe { opts_arg(opts, "opts") }?;
        let states = unsafe { str_array(states, n_states, "states") }?;
        let out = out_arg(out, "out")?;
        let config = if flags {
            StateSetConfig::flags(&states)?
        } else {
            StateSetConfig::enumeration(&states)?
        };
        out.set(into_raw::<pe_enum>(EnumRef::new(opts, config)?));
        Ok(())
    })
}

/// Releases the caller's reference to a enum handle (family or bound child). Registries keep their
/// own reference, so a registered enum stays exposed; other handles stay valid.
///
/// NULL is a no-op. A pointer that is not a live `pe_enum` is left alone (and reported through
/// `pe_last_error()`). Do not use `metric` afterwards. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_free(metric: *mut pe_enum) {
    guard_value("pe_enum_free", (), || unsafe {
        family::free(metric, "metric")
    })
}

/// Binds the child of a enum family with these label values, created on first use.
///
/// Updating the child through `*child_out` takes no lock, does no lookup and allocates nothing.
/// `metric` must be a family (borrowed); the `n` strings of `values` are borrowed for the call. On
/// success `*child_out` receives a new handle owned by the caller, to release with
/// `pe_enum_free()`; it keeps the child alive even after `pe_enum_remove()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_enum`, or a bound
/// child); `PE_ERR_LABEL_COUNT` (`n` differs from the number of label names); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_labels(
    metric: *mut pe_enum,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut pe_enum,
) -> pe_status {
    guard("pe_enum_labels", || unsafe {
        family::labels(metric, "metric", values, n, child_out)
    })
}

/// Makes `state` the one active state of a bound child or a family without labels.
///
/// `metric` and `state` are borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels: bind a child or use
/// `pe_enum_set_labels()`); `PE_ERR_INVALID_VALUE` (not one of the states: nothing changes);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_set(metric: *mut pe_enum, state: *const c_char) -> pe_status {
    guard("pe_enum_set", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let state = unsafe { str_arg(state, "state") }?;
        Ok(metric.metric.series()?.set(state)?)
    })
}

/// Makes `state` the one active state of the child with these label values, created on first use.
///
/// Everything is borrowed for the call. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not an enum, or a bound child); `PE_ERR_LABEL_COUNT`;
/// `PE_ERR_INVALID_VALUE` (unknown state: nothing changes, but a child created by this call stays,
/// in its initial state); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_set_labels(
    metric: *mut pe_enum,
    values: *const *const c_char,
    n: usize,
    state: *const c_char,
) -> pe_status {
    guard("pe_enum_set_labels", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let values = unsafe { str_array(values, n, "values") }?;
        let state = unsafe { str_arg(state, "state") }?;
        Ok(metric.metric.apply(&values, |s| s.set(state))??)
    })
}

/// Sets or clears one state of a bound child or a family without labels, leaving the others as they
/// are (for flag sets; on an enum this can leave zero or several states active).
///
/// `metric` and `state` are borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels); `PE_ERR_INVALID_VALUE`
/// (unknown state: nothing changes); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_set_state(
    metric: *mut pe_enum,
    state: *const c_char,
    active: bool,
) -> pe_status {
    guard("pe_enum_set_state", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let state = unsafe { str_arg(state, "state") }?;
        Ok(metric.metric.series()?.set_state(state, active)?)
    })
}

/// Sets or clears one state of the child with these label values, created on first use.
///
/// Everything is borrowed for the call. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND` (not an enum, or a bound child); `PE_ERR_LABEL_COUNT`;
/// `PE_ERR_INVALID_VALUE` (unknown state); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_set_state_labels(
    metric: *mut pe_enum,
    values: *const *const c_char,
    n: usize,
    state: *const c_char,
    active: bool,
) -> pe_status {
    guard("pe_enum_set_state_labels", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let values = unsafe { str_array(values, n, "values") }?;
        let state = unsafe { str_arg(state, "state") }?;
        Ok(metric
            .metric
            .apply(&values, |s| s.set_state(state, active))??)
    })
}

/// Reads the active state of a bound child or a family without labels into `*state_out`: the first
/// active state, or NULL when none is (flag sets).
///
/// The string is owned by the library and stays valid as long as `metric` (or any handle of the
/// same family) is alive: do not free it. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND`;
/// `PE_ERR_LABEL_COUNT` (a family with labels); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_get(
    metric: *const pe_enum,
    state_out: *mut *const c_char,
) -> pe_status {
    guard("pe_enum_get", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let out = out_arg(state_out, "state_out")?;
        out.set(metric.current(metric.metric.series()?));
        Ok(())
    })
}

/// Reads the active state of the child with these label values into `*state_out`, without creating
/// it; otherwise as `pe_enum_get()`.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not an enum, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child); `PE_ERR_INTERNAL`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_get_labels(
    metric: *const pe_enum,
    values: *const *const c_char,
    n: usize,
    state_out: *mut *const c_char,
) -> pe_status {
    guard("pe_enum_get_labels", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let values = unsafe { str_array(values, n, "values") }?;
        let out = out_arg(state_out, "state_out")?;
        let child = metric.metric.existing(&values)?;
        out.set(metric.current(&child));
        Ok(())
    })
}

/// Reads whether `state` is active in a bound child or a family without labels into `*out`.
///
/// `metric` and `state` are borrowed. Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`;
/// `PE_ERR_WRONG_KIND`; `PE_ERR_LABEL_COUNT` (a family with labels); `PE_ERR_INVALID_VALUE`
/// (unknown state); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_is_active(
    metric: *const pe_enum,
    state: *const c_char,
    out: *mut bool,
) -> pe_status {
    guard("pe_enum_is_active", || {
        let metric = unsafe { borrow::<pe_enum>(metric, "metric") }?;
        let state = unsafe { str_arg(state, "state") }?;
        let out = out_arg(out, "out")?;
        out.set(metric.metric.series()?.is_active(state)?);
        Ok(())
    })
}

/// Removes the child with these label values from a family: it is no longer exposed. Handles bound
/// to it stay valid but update a detached series.
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not a `pe_enum`, or a bound
/// child); `PE_ERR_LABEL_COUNT`; `PE_ERR_NOT_FOUND` (no such child; a family without labels always
/// keeps its one series); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_remove(
    metric: *mut pe_enum,
    values: *const *const c_char,
    n: usize,
) -> pe_status {
    guard("pe_enum_remove", || unsafe {
        family::remove(metric, "metric", values, n)
    })
}

/// Removes every child of a family whose labels include all of the `n` pairs `label_names[i]`
/// = `label_values[i]` (client_golang's `DeletePartialMatch`, client_python's
/// `remove_by_labels`); `n` 0 matches every child. Handles bound to removed children stay valid
/// but update detached series. On success `*removed` (when not NULL) receives how many were
/// removed, 0 included.
///
/// The strings are borrowed for the call. Returns `PE_OK`; `PE_ERR_NULL` (`label_names` or
/// `label_values` with `n > 0`, or one of their strings); `PE_ERR_UTF8`; `PE_ERR_WRONG_KIND` (not
/// a enum, or a bound child); `PE_ERR_INVALID_NAME` (a name that is not one of the family's
/// labels, or one given twice: nothing is removed); `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_remove_matching(
    metric: *mut pe_enum,
    label_names: *const *const c_char,
    label_values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> pe_status {
    guard("pe_enum_remove_matching", || unsafe {
        family::remove_matching(metric, "metric", label_names, label_values, n, removed)
    })
}

/// Removes every child of a family (a family without labels keeps its one series).
///
/// Returns `PE_OK`; `PE_ERR_NULL`; `PE_ERR_WRONG_KIND` (not a `pe_enum`, or a bound child);
/// `PE_ERR_INTERNAL`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pe_enum_clear(metric: *mut pe_enum) -> pe_status {
    guard("pe_enum_clear", || unsafe {
        family::clear(metric, "metric")
    })
}
