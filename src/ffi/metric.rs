//! What a metric handle holds: a family, or one child bound from it. Shared by every metric type.

use std::sync::Arc;

use super::handle::{CType, peek};
use super::status::{Failure, FfiResult, pe_status};
use crate::collector::Collector;
use crate::error::Error;
use crate::metric::{ChildMetric, Family};

/// A metric handle's value: a family, or one child bound from it. A family without labels keeps
/// its one child at hand, so updating it costs what updating a bound child costs: the hot update
/// functions read `single` alone (one load, no variant to decode).
pub(crate) struct MetricRef<M: ChildMetric> {
    /// The one series this handle updates: the bound child, or the child of a family without
    /// labels. `None` for a family with labels.
    single: Option<Arc<M>>,
    /// The family; `None` for a bound child.
    family: Option<Arc<Family<M>>>,
}

impl<M: ChildMetric> MetricRef<M> {
    pub(crate) fn from_family(family: Family<M>) -> FfiResult<Self> {
        let family = Arc::new(family);
        let single = if family.label_names().is_empty() {
            Some(family.with_label_values::<&str>(&[])?)
        } else {
            None
        };
        Ok(MetricRef {
            single,
            family: Some(family),
        })
    }

    /// A handle value for one bound child.
    fn child(child: Arc<M>) -> Self {
        MetricRef {
            single: Some(child),
            family: None,
        }
    }

    /// The one series this handle updates, if it has one (no error built).
    #[inline(always)]
    pub(crate) fn single(&self) -> Option<&M> {
        self.single.as_deref()
    }

    /// The one series this handle updates: a bound child, or a family without labels.
    #[inline]
    pub(crate) fn series(&self) -> FfiResult<&M> {
        match (&self.single, &self.family) {
            (Some(child), _) => Ok(child),
            (None, Some(family)) => Err(Error::LabelCount {
                expected: family.label_names().len(),
                got: 0,
            }
            .into()),
            (None, None) => Err(Failure::new(
                pe_status::PE_ERR_INTERNAL,
                "a metric handle with neither a family nor a series",
            )),
        }
    }

    /// The family, if this handle is one (no error built).
    #[inline(always)]
    pub(crate) fn family_opt(&self) -> Option<&Arc<Family<M>>> {
        self.family.as_ref()
    }

    /// The family; a bound child is `PE_ERR_WRONG_KIND`.
    #[inline]
    pub(crate) fn family(&self) -> FfiResult<&Arc<Family<M>>> {
        self.family.as_ref().ok_or_else(|| {
            Failure::new(
                pe_status::PE_ERR_WRONG_KIND,
                "a bound child handle cannot be used here: pass the family it was bound from",
            )
        })
    }

    /// The bound child, when this handle is one.
    pub(crate) fn bound_child(&self) -> Option<&Arc<M>> {
        match self.family {
            None => self.single.as_ref(),
            Some(_) => None,
        }
    }

    /// A handle value for the child with these label values, created on first use.
    pub(crate) fn bind(&self, values: &[&str]) -> FfiResult<Self> {
        Ok(MetricRef::child(self.family()?.with_label_values(values)?))
    }

    /// Runs `f` on the child with these label values, created on first use: the one-shot labelled
    /// update. No allocation when the child exists.
    #[inline]
    pub(crate) fn apply<R>(&self, values: &[&str], f: impl FnOnce(&M) -> R) -> FfiResult<R> {
        Ok(self.family()?.apply(values, f)?)
    }

    /// The existing child with these label values; `PE_ERR_NOT_FOUND` when there is none (a read
    /// never creates a child).
    pub(crate) fn existing(&self, values: &[&str]) -> FfiResult<Arc<M>> {
        self.family()?.get(values)?.ok_or_else(|| no_child(values))
    }

    pub(crate) fn remove(&self, values: &[&str]) -> FfiResult {
        if self.family()?.remove(values)? {
            Ok(())
        } else {
            Err(no_child(values))
        }
    }

    pub(crate) fn remove_matching(&self, pairs: &[(&str, &str)]) -> FfiResult<usize> {
        Ok(self.family()?.remove_matching(pairs)?)
    }

    pub(crate) fn clear(&self) -> FfiResult {
        self.family()?.clear();
        Ok(())
    }

    /// A read without label values: the child's value, or the sum over a family's children.
    pub(crate) fn sum(&self, read: impl Fn(&M) -> f64) -> f64 {
        match (&self.family, &self.single) {
            (Some(family), _) => family.sum_over_children(read),
            (None, Some(child)) => read(child),
            (None, None) => 0.0,
        }
    }

    /// The children a read without label values covers: the bound child, or every child.
    pub(crate) fn covered(&self) -> Vec<Arc<M>> {
        match (&self.family, &self.single) {
            (Some(family), _) => family.children().into_iter().map(|(_, c)| c).collect(),
            (None, Some(child)) => vec![child.clone()],
            (None, None) => Vec::new(),
        }
    }

    /// The family as a collector, for registration; a bound child is `PE_ERR_WRONG_KIND`.
    pub(crate) fn collector(&self) -> FfiResult<Arc<dyn Collector>> {
        match &self.family {
            Some(family) => Ok(family.clone()),
            None => Err(Failure::new(
                pe_status::PE_ERR_WRONG_KIND,
                "a bound child handle cannot be registered: register the family it was bound from",
            )),
        }
    }
}

/// The one series a live handle updates (a bound child, or a family without labels), or `None` for
/// anything else: the fast path of `pe_*_inc`, `pe_*_set` and `pe_*_observe`. It builds no error
/// and cannot panic, so the fast path needs no unwinding guard; on `None` the caller runs its
/// checked path, which reports the problem.
///
/// # Safety
/// As for [`borrow`](super::handle::borrow).
#[inline(always)]
pub(crate) unsafe fn fast_series<'a, C, M>(ptr: *const C) -> Option<&'a M>
where
    C: CType<Inner = MetricRef<M>>,
    M: ChildMetric,
{
    unsafe { peek::<C>(ptr) }?.single()
}

#[cold]
fn no_child(values: &[&str]) -> Failure {
    Failure::new(
        pe_status::PE_ERR_NOT_FOUND,
        format!("no child with label values {values:?}"),
    )
}
