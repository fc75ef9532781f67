//! The metric types and the family that maps label values to children.
//!
//! Each type here is one child: the value behind one labelled series. A [`Family`] names it, holds
//! its children and collects them. Updates on a child take no lock and allocate nothing.

mod counter;
mod cpu_slots;
mod exemplar_slot;
pub mod expiry;
mod family;
mod gauge;
mod histogram;
mod info;
pub mod limits;
pub mod native;
pub mod quantile;
mod rseq;
mod shard;
mod shared_cells;
mod state_set;
mod summary;
mod value;

pub use counter::Counter;
pub use cpu_slots::{CPU_SLOTS_VARIABLE, CounterSlots, cpu_slots};
pub use expiry::ManualClock;
pub use family::{Family, Opts};
pub use gauge::Gauge;
pub use histogram::{
    DEFAULT_BUCKETS, Histogram, HistogramConfig, exponential_buckets, linear_buckets,
};
pub use info::Info;
pub use limits::{OVERFLOW_VALUE, Overflow};
pub use native::NativeConfig;
pub use state_set::{StateSet, StateSetConfig};
pub use summary::{Summary, SummaryConfig};
pub use value::AtomicF64;

use std::sync::Arc;

use crate::error::Result;
use crate::snapshot::{MetricType, PointValue};
use crate::store::{GaugeMode, Store, StoreKind};

/// A metric type that a [`Family`] can hold as its children.
pub trait ChildMetric: Send + Sync + 'static {
    /// What every child of one family shares (histogram buckets, summary objectives, states).
    type Config: Clone + Send + Sync + 'static;

    /// The type a family of these exposes.
    const TYPE: MetricType;

    /// A new child, at its zero value.
    fn new_child(config: &Self::Config) -> Self;

    /// The child's current value as a point for collection.
    fn point(&self, config: &Self::Config) -> PointValue;

    /// What a family of these keeps in a shared store (a gauge's by `mode`); `None` when the
    /// type, or this configuration of it, cannot live there.
    fn store_kind(_config: &Self::Config, _mode: GaugeMode) -> Option<StoreKind> {
        None
    }

    /// A child whose values are the value block at `block` in `store`, of the kind
    /// [`ChildMetric::store_kind`] gave.
    fn in_store(
        _config: &Self::Config,
        _store: &Arc<Store>,
        _kind: &StoreKind,
        _block: u64,
    ) -> Result<Self>
    where
        Self: Sized,
    {
        Err(crate::error::Error::InvalidConfig(format!(
            "a {} cannot live in a shared store yet",
            Self::TYPE.as_str()
        )))
    }

    /// What its updates mark, so that a family with a TTL finds idle children (see [`expiry`]).
    fn activity(&self) -> &expiry::Activity;

    /// Asks the CPU to start loading what [`ChildMetric::point`] reads first (the child itself),
    /// while earlier children are being rendered: a collection walks thousands of children whose
    /// memory is scattered, and waiting for each in turn is most of its time.
    #[inline]
    fn prefetch(&self) {
        crate::util::prefetch(self as *const Self);
    }

    /// Like [`ChildMetric::prefetch`], for what the child points to; called later than it, when
    /// the child itself is likely in the cache.
    #[inline]
    fn prefetch_indirect(&self) {}

    /// Completes or checks the configuration against the family it will serve, before any child
    /// exists (a state set's label must not clash with the family's labels, say).
    fn prepare(config: Self::Config, _family: &FamilySchema) -> crate::error::Result<Self::Config> {
        Ok(config)
    }
}

/// A family's name and label names, as its children's configuration checks them (a state set's
/// label must not clash with the family's labels, say). Not the registry's `Descriptor`, which is
/// what a collector promises to expose: a name and a type.
#[derive(Debug, Clone)]
pub struct FamilySchema {
    pub name: std::sync::Arc<str>,
    pub label_names: std::sync::Arc<[Box<str>]>,
}

pub use crate::util::unix_now;
