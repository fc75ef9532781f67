//! What a metric handle holds: a family, or one child bound from it. Shared by every metric type.

use std::sync::Arc;

use super::status::{Failure, FfiResult, pe_status};
use crate::error::Error;
use crate::metric::{ChildMetric, Family};
use crate::registry::Collector;

/// A metric handle's value. A family without labels keeps its one child at hand, so updating it
/// costs what updating a bound child costs.
pub(crate) enum MetricRef<M: ChildMetric> {
    Family {
        family: Arc<Family<M>>,
        single: Option<Arc<M>>,
    },
    Child(Arc<M>),
}

impl<M: ChildMetric> MetricRef<M> {
    pub(crate) fn from_family(family: Family<M>) -> FfiResult<Self> {
        let family = Arc::new(family);
        let single = if family.label_names().is_empty() {
            Some(family.with_label_values::<&str>(&[])?)
        } else {
            None
        };
        Ok(MetricRef::Family { family, single })
    }

    /// The one series this handle updates: a bound child, or a family without labels.
    #[inline]
    pub(crate) fn series(&self) -> FfiResult<&M> {
        match self {
            MetricRef::Child(child) => Ok(child),
            MetricRef::Family {
                single: Some(child),
                ..
            } => Ok(child),
            MetricRef::Family { family, .. } => Err(Error::LabelCount {
                expected: family.label_names().len(),
                got: 0,
            }
            .into()),
        }
    }

    /// The family; a bound child is `PE_ERR_WRONG_KIND`.
    #[inline]
    pub(crate) fn family(&self) -> FfiResult<&Arc<Family<M>>> {
        match self {
            MetricRef::Family { family, .. } => Ok(family),
            MetricRef::Child(_) => Err(Failure::new(
                pe_status::PE_ERR_WRONG_KIND,
                "a bound child handle cannot be used here: pass the family it was bound from",
            )),
        }
    }

    /// A handle value for the child with these label values, created on first use.
    pub(crate) fn bind(&self, values: &[&str]) -> FfiResult<Self> {
        Ok(MetricRef::Child(self.family()?.with_label_values(values)?))
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

    pub(crate) fn clear(&self) -> FfiResult {
        self.family()?.clear();
        Ok(())
    }

    /// A read without label values: the child's value, or the sum over a family's children.
    pub(crate) fn sum(&self, read: impl Fn(&M) -> f64) -> f64 {
        match self {
            MetricRef::Child(child) => read(child),
            MetricRef::Family { family, .. } => family.sum_over_children(read),
        }
    }

    /// The children a read without label values covers: the bound child, or every child.
    pub(crate) fn covered(&self) -> Vec<Arc<M>> {
        match self {
            MetricRef::Child(child) => vec![child.clone()],
            MetricRef::Family { family, .. } => {
                family.children().into_iter().map(|(_, c)| c).collect()
            }
        }
    }

    /// The family as a collector, for registration; a bound child is `PE_ERR_WRONG_KIND`.
    pub(crate) fn collector(&self) -> FfiResult<Arc<dyn Collector>> {
        match self {
            MetricRef::Family { family, .. } => Ok(family.clone()),
            MetricRef::Child(_) => Err(Failure::new(
                pe_status::PE_ERR_WRONG_KIND,
                "a bound child handle cannot be registered: register the family it was bound from",
            )),
        }
    }
}

#[cold]
fn no_child(values: &[&str]) -> Failure {
    Failure::new(
        pe_status::PE_ERR_NOT_FOUND,
        format!("no child with label values {values:?}"),
    )
}
