//! The collector contract: what the registry gathers from and the exposition reads. Metric
//! families, the process and callback collectors and custom collectors implement it; the
//! registry and the formats above only consume it.

use crate::metric_type::MetricType;
use crate::name::reserved_sample_names;
use crate::snapshot::{LabelSet, MetricFamily, PointValue};

/// A family a collector promises to expose: what the registry checks for clashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub name: String,
    pub kind: MetricType,
    /// The label names every point of the family has (a collector that cannot tell leaves this
    /// empty), checked against the registry's name validation.
    pub label_names: Vec<String>,
}

impl Descriptor {
    /// A family without labels, or whose labels are not known in advance.
    pub fn new(name: impl Into<String>, kind: MetricType) -> Self {
        Descriptor {
            name: name.into(),
            kind,
            label_names: Vec::new(),
        }
    }

    /// Every sample name the family may produce, and the family name itself.
    pub fn reserved_names(&self) -> Vec<String> {
        reserved_sample_names(&self.name, self.kind)
    }
}

/// Anything that can produce metric families when collected.
pub trait Collector: Send + Sync {
    /// The families this collector exposes, for duplicate detection at registration. A collector
    /// that cannot tell in advance returns an empty list and is not checked.
    fn describe(&self) -> Vec<Descriptor>;

    /// Appends the collector's current families to `out`.
    fn collect(&self, out: &mut Vec<MetricFamily>);

    /// What the collector is called where it is counted on its own, as the `collector` label of
    /// `prometheus_emulator_collector_timeout_total` when a scrape's deadline passes before it
    /// returns. By default the name of the first family it describes (a callback metric's, a
    /// family's own name), and for a collector that describes nothing the last segment of its
    /// type's name (`MyCollector`). Override it to tell apart collectors of one type; keep it
    /// stable, as each distinct name is a series of its own.
    fn name(&self) -> String {
        match self.describe().into_iter().next() {
            Some(first) => first.name,
            None => short_type_name(std::any::type_name::<Self>()).to_owned(),
        }
    }

    /// The exposition fast path: a collector that can render its one family straight from its
    /// live state (the built-in families) returns itself, and [`crate::exposition::encode_registry`] then
    /// skips building its points. Custom collectors keep the default, `None`, and are collected
    /// with [`Collector::collect`]; the output is the same either way.
    #[doc(hidden)]
    fn live(&self) -> Option<&dyn LiveFamily> {
        None
    }
}

/// A family that the exposition reads in place (see [`Collector::live`]): no points are built,
/// each one is rendered as it is read.
#[doc(hidden)]
pub trait LiveFamily: Send + Sync {
    /// Name, help, type and unit; no points.
    fn header(&self) -> MetricFamily;

    /// How many points there are and how long the first one's rendered labels are: a size
    /// estimate, so the output is reserved once.
    fn size_hint(&self) -> (usize, usize);

    /// Calls `visit` with each point's labels and value, in collection order.
    fn visit_points(&self, visit: &mut dyn FnMut(&LabelSet, &PointValue));

    /// The family as [`Collector::collect`] gives it.
    fn collect_family(&self) -> MetricFamily;
}

/// `MyCollector` from `my_crate::module::MyCollector`, and `Wrapper` from
/// `my_crate::Wrapper<my_crate::Inner>`: the type's own name, without its path or parameters.
fn short_type_name(full: &str) -> &str {
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Undescribed;

    impl Collector for Undescribed {
        fn describe(&self) -> Vec<Descriptor> {
            Vec::new()
        }

        fn collect(&self, _out: &mut Vec<MetricFamily>) {}
    }

    struct Described;

    impl Collector for Described {
        fn describe(&self) -> Vec<Descriptor> {
            vec![
                Descriptor::new("queue_depth", MetricType::Gauge),
                Descriptor::new("queue_age_seconds", MetricType::Gauge),
            ]
        }

        fn collect(&self, _out: &mut Vec<MetricFamily>) {}
    }

    #[test]
    fn a_collector_is_named_after_its_first_family_or_its_type() {
        assert_eq!(Described.name(), "queue_depth");
        assert_eq!(Undescribed.name(), "Undescribed");
        let boxed: Box<dyn Collector> = Box::new(Undescribed);
        assert_eq!(boxed.name(), "Undescribed");
        assert_eq!(short_type_name("a::b::Wrapper<a::Inner>"), "Wrapper");
        assert_eq!(short_type_name("Plain"), "Plain");
    }
}
