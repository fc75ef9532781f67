//! `prometheus_emulator_collector_timeout_total{collector="…"}`: how many scrapes answered
//! without a collector's families because the scrape's deadline passed before the collector
//! returned. The exporter counts (it is what collects under a deadline); the family lives here,
//! below the registry, so that the default registry can hold it.

use std::sync::{Arc, LazyLock};

use crate::collector::{Collector, Descriptor};
use crate::metric::{Counter, Family, Opts};
use crate::snapshot::MetricFamily;

/// The name of the self-metric counting collections cut short by a scrape's deadline.
pub const COLLECTOR_TIMEOUTS: &str = "prometheus_emulator_collector_timeout_total";

/// The counter family itself, one child per collector name ([`Collector::name`]).
pub fn collector_timeouts() -> &'static Arc<Family<Counter>> {
    static TIMEOUTS: LazyLock<Arc<Family<Counter>>> = LazyLock::new(|| {
        let opts = Opts::new(
            COLLECTOR_TIMEOUTS,
            "Scrapes answered without a collector's families because the scrape's deadline \
             passed before the collector returned.",
        )
        .labels(&["collector"]);
        Arc::new(Family::new(opts).expect("a valid name and label"))
    });
    &TIMEOUTS
}

/// Counts one scrape that went without `collector`'s families.
pub fn count_timeout(collector: &str) {
    if let Ok(child) = collector_timeouts().with_label_values(&[collector]) {
        child.inc_one();
    }
}

/// The self-metric as a registry holds it: exposed only once a collector has timed out, so
/// that a process whose collectors always return in time shows nothing of it.
pub struct CollectorTimeoutCollector;

impl Collector for CollectorTimeoutCollector {
    fn describe(&self) -> Vec<Descriptor> {
        collector_timeouts().describe()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        if !collector_timeouts().is_empty() {
            collector_timeouts().collect(out);
        }
    }
}

/// The one [`CollectorTimeoutCollector`] object, which the default registry holds: an exporter
/// recognises it (by identity) to collect it after the others, once this scrape's timeouts are
/// counted. Register it in a registry of your own to show every timeout of the process there.
pub fn collector_timeout_collector() -> &'static Arc<dyn Collector> {
    static COLLECTOR: LazyLock<Arc<dyn Collector>> =
        LazyLock::new(|| Arc::new(CollectorTimeoutCollector));
    &COLLECTOR
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn exposed_from_the_first_timeout_on() {
        let registry = Registry::new();
        registry
            .register(collector_timeout_collector().clone())
            .unwrap();
        let label = "collectors::timeout::tests";
        let before = registry
            .get_sample_value(COLLECTOR_TIMEOUTS, &[("collector", label)])
            .unwrap_or(0.0);
        count_timeout(label);
        count_timeout(label);
        assert_eq!(
            registry.get_sample_value(COLLECTOR_TIMEOUTS, &[("collector", label)]),
            Some(before + 2.0)
        );
        assert_eq!(
            CollectorTimeoutCollector.name(),
            "prometheus_emulator_collector_timeout"
        );
    }
}
