//! prometheus_emulator: a Prometheus instrumentation library.
//!
//! The core is plain Rust: metric types ([`metric`]), the registry ([`registry`]), the data model
//! a collection produces ([`snapshot`]) and the text formats ([`exposition`]). The C ABI, the HTTP
//! exporter, the Pushgateway client and the Remote Write / OTLP [`sender`] are built on top of it
//! and add no metric logic.

pub mod bounded_file;
pub mod collector;
pub mod collectors;
pub mod error;
pub mod exporter;
pub mod exposition;
pub mod ffi;
mod http_client;
pub mod metric;
pub mod metric_type;
pub mod name;
pub mod push;
pub mod registry;
pub mod sender;
pub mod snapshot;
pub mod store;
pub mod style;
pub mod sync;
pub mod text;
pub mod util;

pub use collector::{Collector, Descriptor};
pub use collectors::{CallbackMetric, Wrap};
pub use error::{Error, Result};
pub use metric::{
    CPU_SLOTS_VARIABLE, Counter, CounterSlots, Family, Gauge, Histogram, HistogramConfig, Info,
    NativeConfig, Opts, StateSet, StateSetConfig, Summary, SummaryConfig, exponential_buckets,
    linear_buckets,
};
pub use registry::{NameFilter, Registry, default_registry};
pub use snapshot::{
    BucketSpan, Exemplar, LabelSet, MetricFamily, MetricPoint, MetricType, NativeBuckets,
    PointValue, Sample,
};

/// A counter family: `Family<Counter>`.
pub type CounterFamily = Family<Counter>;
/// A gauge family: `Family<Gauge>`.
pub type GaugeFamily = Family<Gauge>;
/// A histogram family: `Family<Histogram>`.
pub type HistogramFamily = Family<Histogram>;
/// A summary family: `Family<Summary>`.
pub type SummaryFamily = Family<Summary>;
/// An info family: `Family<Info>`.
pub type InfoFamily = Family<Info>;
/// A state-set (enum) family: `Family<StateSet>`.
pub type StateSetFamily = Family<StateSet>;
