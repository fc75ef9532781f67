//! The registry: which collectors are exposed together, with no two exposing the same series.
//!
//! Collection order is deterministic: families sorted by name (bytewise), and within a family the
//! points in the order their children were created. Registering the same collector object twice
//! is a no-op; a metric may be registered in several registries.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use parking_lot::RwLock;

use crate::collectors::process::ProcessCollector;
use crate::error::{Error, Result};
use crate::name::reserved_sample_names;
use crate::snapshot::{MetricFamily, MetricType, SampleStyle};

/// A family a collector promises to expose: what the registry checks for clashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub name: String,
    pub kind: MetricType,
}

impl Descriptor {
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
}

struct Entry {
    collector: Arc<dyn Collector>,
    descriptors: Vec<Descriptor>,
}

impl Entry {
    fn identity(&self) -> *const () {
        identity(&self.collector)
    }
}

fn identity(collector: &Arc<dyn Collector>) -> *const () {
    Arc::as_ptr(collector) as *const ()
}

/// A set of collectors exposed together.
#[derive(Default)]
pub struct Registry {
    entries: RwLock<Vec<Entry>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("collectors", &self.entries.read().len())
            .finish()
    }
}

/// A filter on family names, as the exporter's `name[]` parameter gives it. A family passes when
/// its name or any sample name it can produce is listed (`x` or `x_total` select counter `x`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameFilter(Vec<String>);

impl NameFilter {
    pub fn new<S: AsRef<str>>(names: &[S]) -> Self {
        NameFilter(names.iter().map(|s| s.as_ref().to_owned()).collect())
    }

    /// Whether a family of this name and type passes.
    pub fn accepts(&self, name: &str, kind: MetricType) -> bool {
        reserved_sample_names(name, kind)
            .iter()
            .any(|n| self.0.iter().any(|wanted| wanted == n))
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a collector. Registering the same object again does nothing. A collector whose
    /// families could produce a sample name that a registered one also produces is refused with
    /// [`Error::AlreadyRegistered`], and the registry is unchanged.
    pub fn register(&self, collector: Arc<dyn Collector>) -> Result<()> {
        let descriptors = collector.describe();
        let mut entries = self.entries.write();
        if entries.iter().any(|e| e.identity() == identity(&collector)) {
            return Ok(());
        }
        let taken: HashMap<String, ()> = entries
            .iter()
            .flat_map(|e| e.descriptors.iter().flat_map(Descriptor::reserved_names))
            .map(|n| (n, ()))
            .collect();
        let mut claimed: Vec<String> = Vec::new();
        for name in descriptors.iter().flat_map(Descriptor::reserved_names) {
            if taken.contains_key(&name) || claimed.contains(&name) {
                return Err(Error::AlreadyRegistered(name));
            }
            claimed.push(name);
        }
        entries.push(Entry {
            collector,
            descriptors,
        });
        Ok(())
    }

    /// Removes a collector registered before; [`Error::NotRegistered`] otherwise.
    pub fn unregister(&self, collector: &Arc<dyn Collector>) -> Result<()> {
        let mut entries = self.entries.write();
        match entries
            .iter()
            .position(|e| e.identity() == identity(collector))
        {
            Some(index) => {
                entries.remove(index);
                Ok(())
            }
            None => Err(Error::NotRegistered(
                "the collector is not in this registry".into(),
            )),
        }
    }

    /// Whether this collector object is registered here.
    pub fn contains(&self, collector: &Arc<dyn Collector>) -> bool {
        self.entries
            .read()
            .iter()
            .any(|e| e.identity() == identity(collector))
    }

    /// Collects every registered collector, families sorted by name.
    pub fn gather(&self) -> Vec<MetricFamily> {
        self.gather_where(|_| true)
    }

    /// Collects only the families the filter accepts. Collectors whose descriptors all fail the
    /// filter are not collected at all.
    pub fn gather_filtered(&self, filter: &NameFilter) -> Vec<MetricFamily> {
        self.gather_where(|family| filter.accepts(&family.name, family.kind))
            .into_iter()
            .collect()
    }

    fn gather_where(&self, keep: impl Fn(&MetricFamily) -> bool) -> Vec<MetricFamily> {
        // Collect outside the lock, so a collector may itself use the registry.
        let collectors: Vec<Arc<dyn Collector>> = self
            .entries
            .read()
            .iter()
            .map(|e| e.collector.clone())
            .collect();
        let mut families = Vec::new();
        for collector in collectors {
            collector.collect(&mut families);
        }
        families.retain(|f| keep(f));
        families.sort_by(|a, b| a.name.cmp(&b.name));
        merge_same_names(families)
    }

    /// The value of one sample, found by its full name and exact labels, as client_python's
    /// `get_sample_value` does; `None` when there is no such sample. Meant for tests.
    pub fn get_sample_value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.gather()
            .iter()
            .flat_map(|family| family.samples(SampleStyle::OpenMetrics))
            .find(|sample| {
                sample.name == name
                    && sample.labels.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(n, v)| sample.labels.iter().any(|(sn, sv)| sn == n && sv == v))
            })
            .map(|sample| sample.value)
    }
}

/// Collectors that do not describe themselves can still produce a name twice; a format cannot
/// show one family twice, so points of same-named, same-typed families are merged and a family
/// whose type clashes with an earlier one of the same name is dropped.
fn merge_same_names(families: Vec<MetricFamily>) -> Vec<MetricFamily> {
    let mut merged: Vec<MetricFamily> = Vec::with_capacity(families.len());
    for family in families {
        match merged.last_mut() {
            Some(last) if last.name == family.name => {
                if last.kind == family.kind {
                    last.points.extend(family.points);
                }
            }
            _ => merged.push(family),
        }
    }
    merged
}

static DEFAULT_REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let registry = Registry::new();
    registry
        .register(Arc::new(ProcessCollector::new()))
        .expect("an empty registry accepts the process collector");
    registry
});

/// The process-wide default registry. Like client_python's, it starts with the process
/// collector (`process_cpu_seconds_total`, memory, file descriptors, start time).
pub fn default_registry() -> &'static Registry {
    &DEFAULT_REGISTRY
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{Counter, Family, Gauge, Opts};

    fn counter(name: &str) -> Arc<Family<Counter>> {
        Arc::new(Family::new(Opts::new(name, "help")).unwrap())
    }

    fn gauge(name: &str) -> Arc<Family<Gauge>> {
        Arc::new(Family::new(Opts::new(name, "help")).unwrap())
    }

    #[test]
    fn register_twice_is_a_no_op() {
        let r = Registry::new();
        let c = counter("requests");
        r.register(c.clone()).unwrap();
        r.register(c.clone()).unwrap();
        assert_eq!(r.gather().len(), 1);
    }

    #[test]
    fn sample_name_clashes_are_refused() {
        let r = Registry::new();
        r.register(counter("x")).unwrap();
        assert_eq!(
            r.register(gauge("x_total")),
            Err(Error::AlreadyRegistered("x_total".into()))
        );
        assert_eq!(
            r.register(gauge("x")),
            Err(Error::AlreadyRegistered("x".into()))
        );
        assert!(r.register(counter("x_total")).is_err());
        r.register(gauge("y")).unwrap();
        assert_eq!(r.gather().len(), 2);
    }

    #[test]
    fn unregister_frees_the_names() {
        let r = Registry::new();
        let c: Arc<dyn Collector> = counter("x");
        r.register(c.clone()).unwrap();
        assert!(r.contains(&c));
        r.unregister(&c).unwrap();
        assert!(matches!(r.unregister(&c), Err(Error::NotRegistered(_))));
        r.register(gauge("x_total")).unwrap();
    }

    #[test]
    fn a_metric_can_live_in_two_registries() {
        let (a, b) = (Registry::new(), Registry::new());
        let c = counter("shared");
        a.register(c.clone()).unwrap();
        b.register(c.clone()).unwrap();
        c.with_label_values::<&str>(&[]).unwrap().inc_one();
        assert_eq!(a.get_sample_value("shared_total", &[]), Some(1.0));
        assert_eq!(b.get_sample_value("shared_total", &[]), Some(1.0));
    }

    #[test]
    fn gather_sorts_by_name_and_filters() {
        let r = Registry::new();
        for name in ["b", "a", "c"] {
            r.register(gauge(name)).unwrap();
        }
        r.register(counter("d")).unwrap();
        let names: Vec<_> = r.gather().iter().map(|f| f.name.to_string()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        let filtered: Vec<_> = r
            .gather_filtered(&NameFilter::new(&["c", "d_total"]))
            .iter()
            .map(|f| f.name.to_string())
            .collect();
        assert_eq!(filtered, ["c", "d"]);
    }

    #[test]
    fn get_sample_value_matches_labels_exactly() {
        let r = Registry::new();
        let f = Arc::new(Family::<Counter>::new(Opts::new("req", "h").labels(&["m"])).unwrap());
        r.register(f.clone()).unwrap();
        f.apply(&["GET"], |c| c.inc(3.0)).unwrap().unwrap();
        assert_eq!(r.get_sample_value("req_total", &[("m", "GET")]), Some(3.0));
        assert_eq!(r.get_sample_value("req_total", &[("m", "PUT")]), None);
        assert_eq!(r.get_sample_value("req_total", &[]), None);
    }
}
