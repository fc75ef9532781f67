//! The family lifecycle every metric handle shares, written once: create, bind a child, update
//! the one series or a labelled child, read an existing child, remove, clear, free. Each exported
//! `pe_<type>_<op>()` keeps its own signature and documentation (so cbindgen and grep stay
//! simple) and calls one of these bodies inside its guard.

use std::ffi::c_char;

use super::args::{opt_out_arg, out_arg, pairs_arg, str_array};
use super::handle::{CType, borrow, into_raw, release};
use super::metric::MetricRef;
use super::status::FfiResult;
use crate::metric::ChildMetric;

/// What a metric handle holds, as these operations see it: the family reference inside, and how
/// to make the value of a handle bound to one child.
pub(crate) trait FamilyValue: Sized + Send + Sync + 'static {
    type Metric: ChildMetric;

    fn metric(&self) -> &MetricRef<Self::Metric>;

    /// The value of a handle bound to the child with these label values, created on first use.
    fn bind(&self, values: &[&str]) -> FfiResult<Self>;
}

impl<M: ChildMetric> FamilyValue for MetricRef<M> {
    type Metric = M;

    fn metric(&self) -> &MetricRef<M> {
        self
    }

    fn bind(&self, values: &[&str]) -> FfiResult<Self> {
        MetricRef::bind(self, values)
    }
}

/// The metric type behind a handle type.
type MetricOf<C> = <<C as CType>::Inner as FamilyValue>::Metric;

/// `pe_<type>_new()` and `_new_opts()`: checks `out` (before anything is built, so a NULL `out`
/// is reported first), then stores the handle `make` builds.
pub(crate) fn create<C: CType>(
    out: *mut *mut C,
    make: impl FnOnce() -> FfiResult<C::Inner>,
) -> FfiResult {
    let out = out_arg(out, "out")?;
    out.set(into_raw::<C>(make()?));
    Ok(())
}

/// `pe_<type>_free()`.
///
/// # Safety
/// As for [`release`].
pub(crate) unsafe fn free<C: CType>(handle: *mut C, arg: &str) -> FfiResult {
    unsafe { release::<C>(handle, arg) }
}

/// `pe_<type>_labels()`: a new handle bound to the child with these label values.
///
/// # Safety
/// `handle` as for [`borrow`]; `values` holds `n` NUL-terminated strings (or is NULL).
pub(crate) unsafe fn labels<C>(
    handle: *mut C,
    arg: &str,
    values: *const *const c_char,
    n: usize,
    child_out: *mut *mut C,
) -> FfiResult
where
    C: CType,
    C::Inner: FamilyValue,
{
    let family = unsafe { borrow::<C>(handle, arg) }?;
    let values = unsafe { str_array(values, n, "values") }?;
    let out = out_arg(child_out, "child_out")?;
    out.set(into_raw::<C>(family.bind(&values)?));
    Ok(())
}

/// An update of the one series a handle stands for (a bound child, or a family without labels).
///
/// # Safety
/// As for [`borrow`].
pub(crate) unsafe fn update<C, R>(
    handle: *const C,
    arg: &str,
    op: impl FnOnce(&MetricOf<C>) -> crate::error::Result<R>,
) -> FfiResult<R>
where
    C: CType,
    C::Inner: FamilyValue,
{
    let metric = unsafe { borrow::<C>(handle, arg) }?.metric();
    Ok(op(metric.series()?)?)
}

/// The one-shot labelled form of an update: `op` on the child with these label values, created
/// on first use (nothing is allocated when it exists).
///
/// # Safety
/// As for [`labels`].
pub(crate) unsafe fn update_labelled<C, R>(
    handle: *const C,
    arg: &str,
    values: *const *const c_char,
    n: usize,
    op: impl FnOnce(&MetricOf<C>) -> crate::error::Result<R>,
) -> FfiResult<R>
where
    C: CType,
    C::Inner: FamilyValue,
{
    let metric = unsafe { borrow::<C>(handle, arg) }?.metric();
    let values = unsafe { str_array(values, n, "values") }?;
    Ok(metric.apply(&values, op)??)
}

/// A read without label values into `*out`: a bound child's value, or the sum over a family's
/// children.
///
/// # Safety
/// As for [`borrow`]; `out` is NULL or valid for a write.
pub(crate) unsafe fn read_sum<C>(
    handle: *const C,
    arg: &str,
    out: *mut f64,
    read: impl Fn(&MetricOf<C>) -> f64,
) -> FfiResult
where
    C: CType,
    C::Inner: FamilyValue,
{
    let metric = unsafe { borrow::<C>(handle, arg) }?.metric();
    out_arg(out, "out")?.set(metric.sum(read));
    Ok(())
}

/// A read of the existing child with these label values into `*out`; a missing child is
/// `PE_ERR_NOT_FOUND` (a read never creates one).
///
/// # Safety
/// As for [`labels`]; `out` is NULL or valid for a write.
pub(crate) unsafe fn read_labelled<C, T>(
    handle: *const C,
    arg: &str,
    values: *const *const c_char,
    n: usize,
    out: *mut T,
    read: impl FnOnce(&MetricOf<C>) -> FfiResult<T>,
) -> FfiResult
where
    C: CType,
    C::Inner: FamilyValue,
{
    let metric = unsafe { borrow::<C>(handle, arg) }?.metric();
    let values = unsafe { str_array(values, n, "values") }?;
    let out = out_arg(out, "out")?;
    let child = metric.existing(&values)?;
    out.set(read(&child)?);
    Ok(())
}

/// `pe_<type>_remove()`: the child with these label values is no longer exposed.
///
/// # Safety
/// As for [`labels`].
pub(crate) unsafe fn remove<C>(
    handle: *mut C,
    arg: &str,
    values: *const *const c_char,
    n: usize,
) -> FfiResult
where
    C: CType,
    C::Inner: FamilyValue,
{
    let metric = unsafe { borrow::<C>(handle, arg) }?.metric();
    let values = unsafe { str_array(values, n, "values") }?;
    metric.remove(&values)
}

/// `pe_<type>_remove_matching()`: every child whose labels include these pairs is no longer
/// exposed; `*removed` (when not NULL) receives how many.
///
/// # Safety
/// As for [`labels`]; `names` and `values` hold `n` strings each.
pub(crate) unsafe fn remove_matching<C>(
    handle: *mut C,
    arg: &str,
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    removed: *mut usize,
) -> FfiResult
where
    C: CType,
    C::Inner: FamilyValue,
{
    let metric = unsafe { borrow::<C>(handle, arg) }?.metric();
    let pairs = unsafe { pairs_arg(names, values, n, "label_names", "label_values") }?;
    let count = metric.remove_matching(&pairs)?;
    opt_out_arg(removed).set(count);
    Ok(())
}

/// `pe_<type>_clear()`: every child of the family is removed.
///
/// # Safety
/// As for [`borrow`].
pub(crate) unsafe fn clear<C>(handle: *mut C, arg: &str) -> FfiResult
where
    C: CType,
    C::Inner: FamilyValue,
{
    unsafe { borrow::<C>(handle, arg) }?.metric().clear()
}
