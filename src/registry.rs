//! The registry: which collectors are exposed together, with no two exposing the same series.
//!
//! Registration and gathering only: no wire format (the exposition renders what
//! [`Registry::with_items`] reads). Collection order is deterministic: families sorted by name
//! (bytewise), and within a family the points in the order their children were created. Registering the same collector object twice
//! is a no-op; a metric may be registered in several registries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, LazyLock};

use crate::sync::RwLock;

pub use crate::collector::{Collector, Descriptor, LiveFamily};
use crate::collectors::process::ProcessCollector;
use crate::collectors::timeout::collector_timeout_collector;
use crate::collectors::wrapped::{Wrap, Wrapped};
use crate::error::{Error, Result};
use crate::metric::limits::SeriesDroppedCollector;
use crate::name::{
    NameValidation, default_validation, reserved_sample_names, validate_label_name,
    validate_metric_name,
};
use crate::snapshot::{MetricFamily, MetricType, SampleStyle};
use crate::style::{FamilyOrder, Style};

struct Entry {
    collector: Arc<dyn Collector>,
    /// The collector as it was registered, before any wrapper: what unregistering names.
    identity: usize,
    descriptors: Vec<Descriptor>,
}

fn identity(collector: &Arc<dyn Collector>) -> usize {
    Arc::as_ptr(collector) as *const () as usize
}

/// A set of collectors exposed together.
#[derive(Default)]
pub struct Registry {
    entries: RwLock<Vec<Entry>>,
    /// 0 to follow the process-wide name validation, 1 for UTF-8, 2 for legacy.
    validation: AtomicU8,
    /// For a wrapping view ([`Registry::wrapping`]): where registrations go, and the wrapper.
    into: Option<(Parent, Arc<Wrap>)>,
    /// How the exposition writes this registry.
    style: RwLock<Style>,
}

/// The registry a wrapping view registers into.
enum Parent {
    Default,
    Shared(Arc<Registry>),
}

impl Parent {
    fn get(&self) -> &Registry {
        match self {
            Parent::Default => default_registry(),
            Parent::Shared(registry) => registry,
        }
    }
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

    /// A view of `parent` (`None`: the default registry) that registers every collector into it
    /// seen through `wrap`: names prefixed, labels added (client_golang's
    /// `WrapRegistererWithPrefix` and `WrapRegistererWith`; views of views add their wrappers
    /// outermost last). A view holds no collectors of its own: gathering or exposing it gathers
    /// the registry at the root. Unregistering through it takes the collector as registered.
    pub fn wrapping(parent: Option<Arc<Registry>>, wrap: Wrap) -> Self {
        Registry {
            into: Some((
                parent.map_or(Parent::Default, Parent::Shared),
                Arc::new(wrap),
            )),
            ..Registry::default()
        }
    }

    /// The registry that holds the collectors: this one, or a view's root.
    fn root(&self) -> &Registry {
        match &self.into {
            Some((parent, _)) => parent.get().root(),
            None => self,
        }
    }

    /// Adds a collector. Registering the same object again does nothing. A collector whose
    /// families could produce a sample name that a registered one also produces is refused with
    /// [`Error::AlreadyRegistered`], and the registry is unchanged.
    ///
    /// Under legacy name validation ([`Registry::set_name_validation`]) a collector whose
    /// families have names outside the legacy character sets is refused with
    /// [`Error::InvalidMetricName`] or [`Error::InvalidLabelName`].
    pub fn register(&self, collector: Arc<dyn Collector>) -> Result<()> {
        let id = identity(&collector);
        self.register_as(collector, id)
    }

    /// Registers `collector` under `id` (the collector as registered, before wrappers), seen
    /// through this view's wrapper when this is a view.
    fn register_as(&self, collector: Arc<dyn Collector>, id: usize) -> Result<()> {
        if let Some((parent, wrap)) = &self.into {
            wrap.describe(&collector.describe())?;
            return parent
                .get()
                .register_as(Arc::new(Wrapped::new(collector, wrap.clone())), id);
        }
        let descriptors = collector.describe();
        let scheme = self.name_validation();
        for descriptor in &descriptors {
            validate_metric_name(&descriptor.name, scheme)?;
            for label in &descriptor.label_names {
                validate_label_name(label, scheme)?;
            }
        }
        let mut entries = self.entries.write();
        if entries.iter().any(|e| e.identity == id) {
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
            identity: id,
            descriptors,
        });
        Ok(())
    }

    /// Sets which names this registry takes from now on; `None` follows the process-wide
    /// setting ([`crate::name::set_default_validation`]). Metrics are validated with the
    /// process-wide setting when they are made, so a registry can be stricter than it (legacy
    /// here, UTF-8 there), not looser. Collectors registered before stay.
    pub fn set_name_validation(&self, scheme: Option<NameValidation>) {
        let value = match scheme {
            None => 0,
            Some(NameValidation::Utf8) => 1,
            Some(NameValidation::Legacy) => 2,
        };
        self.root().validation.store(value, Ordering::Relaxed);
    }

    /// Sets how expositions of this registry are written (for a view: of its root): number
    /// style, `_created` series, family order. [`Style::CLIENT_GOLANG`] is the default.
    pub fn set_style(&self, style: Style) {
        *self.root().style.write() = style;
    }

    /// How expositions of this registry are written.
    pub fn style(&self) -> Style {
        *self.root().style.read()
    }

    /// The name validation registrations are checked with.
    pub fn name_validation(&self) -> NameValidation {
        match self.root().validation.load(Ordering::Relaxed) {
            1 => NameValidation::Utf8,
            2 => NameValidation::Legacy,
            _ => default_validation(),
        }
    }

    /// Removes a collector registered before; [`Error::NotRegistered`] otherwise.
    pub fn unregister(&self, collector: &Arc<dyn Collector>) -> Result<()> {
        let mut entries = self.root().entries.write();
        match entries
            .iter()
            .position(|e| e.identity == identity(collector))
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
        self.root()
            .entries
            .read()
            .iter()
            .any(|e| e.identity == identity(collector))
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
            .root()
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
        order(&mut families, |f| &f.name, self.style().family_order);
        merge_same_names(families)
    }

    /// Calls `read` with what [`Registry::gather_where`] would return for `keep`, with the
    /// built-in families left in place rather than collected: families sorted by name, same names
    /// merged. What the exposition and the C snapshot read, without building points.
    pub(crate) fn with_items<R>(
        &self,
        keep: impl Fn(&str, MetricType) -> bool,
        read: impl FnOnce(&[Item<'_>]) -> R,
    ) -> R {
        self.with_items_by(&[], keep, None, read)
    }

    /// [`Registry::with_items`] over this registry's collectors and then `extra`, the collectors
    /// that are not live collected by `collect_all` when given (an exporter's deadline) instead
    /// of one after the other on the calling thread. The order and merging of the families is the
    /// same either way; a collector `collect_all` gave up on just has no families.
    pub(crate) fn with_items_by<R>(
        &self,
        extra: &[Arc<dyn Collector>],
        keep: impl Fn(&str, MetricType) -> bool,
        collect_all: Option<CollectAll<'_>>,
        read: impl FnOnce(&[Item<'_>]) -> R,
    ) -> R {
        let mut collectors: Vec<Arc<dyn Collector>> = self
            .root()
            .entries
            .read()
            .iter()
            .map(|e| e.collector.clone())
            .collect();
        collectors.extend(extra.iter().cloned());
        // Collected up front, when something else collects them: each one's families, in order.
        let mut ready = collect_all.map(|collect_all| {
            let pending: Vec<Arc<dyn Collector>> = collectors
                .iter()
                .filter(|c| c.live().is_none())
                .cloned()
                .collect();
            collect_all(&pending).into_iter()
        });
        // What gather does, with the built-in families left in place: collect the others, keep
        // what passes, sort by name (stably), merge same names.
        let mut items: Vec<Item<'_>> = Vec::new();
        let mut collected = Vec::new();
        for collector in &collectors {
            match collector.live() {
                Some(live) => {
                    let header = live.header();
                    if keep(&header.name, header.kind) {
                        items.push(Item::Live(live, header));
                    }
                }
                None => {
                    match &mut ready {
                        None => collector.collect(&mut collected),
                        Some(ready) => collected.extend(ready.next().into_iter().flatten()),
                    }
                    items.extend(
                        collected
                            .drain(..)
                            .filter(|f| keep(&f.name, f.kind))
                            .map(Item::Collected),
                    );
                }
            }
        }
        order(&mut items, Item::name, self.style().family_order);
        if items
            .windows(2)
            .any(|pair| pair[0].name() == pair[1].name())
        {
            items = merge_items(items);
        }
        read(&items)
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

/// Collects the collectors it is given all at once (on threads of its own, under a deadline):
/// each one's families, in the order given, and nothing for a collector it gave up on.
pub(crate) type CollectAll<'a> = &'a mut dyn FnMut(&[Arc<dyn Collector>]) -> Vec<Vec<MetricFamily>>;

/// One family on its way to the output: read in place (with its header, no points), or collected.
pub(crate) enum Item<'a> {
    Live(&'a dyn LiveFamily, MetricFamily),
    Collected(MetricFamily),
}

impl Item<'_> {
    pub(crate) fn name(&self) -> &str {
        match self {
            Item::Live(_, header) => &header.name,
            Item::Collected(family) => &family.name,
        }
    }
}

/// Puts families in `order`, with same names next to each other (where the first of them is,
/// in registration order), as merging needs them.
fn order<T>(items: &mut [T], name: impl Fn(&T) -> &str, order: FamilyOrder) {
    match order {
        FamilyOrder::Sorted => items.sort_by(|a, b| name(a).cmp(name(b))),
        FamilyOrder::Registration => {
            let mut first: HashMap<String, usize> = HashMap::new();
            for (index, item) in items.iter().enumerate() {
                first.entry(name(item).to_owned()).or_insert(index);
            }
            // Stable: families keep their order, a repeated name joins its first.
            items.sort_by_cached_key(|item| first[name(item)]);
        }
    }
}

/// [`merge_same_names`] for sorted items: a name that several items share (rare) is collected
/// and merged into one family.
fn merge_items(items: Vec<Item<'_>>) -> Vec<Item<'_>> {
    let mut merged = Vec::with_capacity(items.len());
    let mut items = items.into_iter().peekable();
    while let Some(first) = items.next() {
        if items.peek().is_none_or(|next| next.name() != first.name()) {
            merged.push(first);
            continue;
        }
        let mut group = vec![first];
        while let Some(next) = items.next_if(|next| next.name() == group[0].name()) {
            group.push(next);
        }
        let group = group
            .into_iter()
            .map(|item| match item {
                Item::Live(live, _) => live.collect_family(),
                Item::Collected(family) => family,
            })
            .collect();
        merged.extend(merge_same_names(group).into_iter().map(Item::Collected));
    }
    merged
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

/// The process collector the default registry starts with, kept so that it can be taken out
/// (`REGISTRY.unregister(PROCESS_COLLECTOR)` in client_python) and put back.
static DEFAULT_PROCESS_COLLECTOR: LazyLock<Arc<dyn Collector>> =
    LazyLock::new(|| Arc::new(ProcessCollector::new()));

/// The process collector the default registry starts with (the same one each call).
pub fn default_process_collector() -> Arc<dyn Collector> {
    DEFAULT_PROCESS_COLLECTOR.clone()
}

static DEFAULT_REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let registry = Registry::new();
    registry
        .register(default_process_collector())
        .expect("an empty registry accepts the process collector");
    registry
        .register(Arc::new(SeriesDroppedCollector))
        .expect("an empty registry accepts the series-dropped counter");
    registry
        .register(collector_timeout_collector().clone())
        .expect("an empty registry accepts the collector-timeout counter");
    registry
});

/// The process-wide default registry. Like client_python's, it starts with the process
/// collector (`process_cpu_seconds_total`, memory, file descriptors, start time), and it holds
/// `prometheus_emulator_series_dropped_total`, which counts the label sets capped families
/// folded or refused, and `prometheus_emulator_collector_timeout_total`, which counts the
/// collectors an exporter's scrape deadline passed by (each exposed from its first count on).
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
    fn a_legacy_registry_refuses_utf8_names_and_keeps_what_it_had() {
        let r = Registry::new();
        assert_eq!(r.name_validation(), NameValidation::Utf8);
        r.set_name_validation(Some(NameValidation::Legacy));
        r.register(gauge("plain")).unwrap();
        assert!(matches!(
            r.register(gauge("app.up")),
            Err(Error::InvalidMetricName { .. })
        ));
        let labelled =
            Arc::new(Family::<Gauge>::new(Opts::new("g", "h").labels(&["http.method"])).unwrap());
        assert!(matches!(
            r.register(labelled.clone()),
            Err(Error::InvalidLabelName { .. })
        ));
        assert_eq!(r.gather().len(), 1);
        r.set_name_validation(None);
        r.register(labelled).unwrap();
        r.register(gauge("app.up")).unwrap();
        assert_eq!(r.gather().len(), 3);
    }

    #[test]
    fn a_wrapping_view_registers_into_its_parent_with_prefix_and_labels() {
        let root = Arc::new(Registry::new());
        let view = Registry::wrapping(
            Some(root.clone()),
            Wrap::new("app_", &[("env", "prod")]).unwrap(),
        );
        let inner = Registry::wrapping(
            Some(Arc::new(view)),
            Wrap::new("http_", &[("zone", "eu")]).unwrap(),
        );
        let requests = counter("requests_total");
        requests.apply::<&str, _>(&[], |c| c.inc_one()).unwrap();
        let collector: Arc<dyn Collector> = requests.clone();
        inner.register(collector.clone()).unwrap();
        inner.register(collector.clone()).unwrap();
        let mut text = Vec::new();
        crate::exposition::encode_registry(&root, crate::exposition::Format::Prometheus, &mut text);
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("app_http_requests_total{env=\"prod\",zone=\"eu\"} 1\n"),
            "{text}"
        );
        assert_eq!(inner.gather(), root.gather());
        assert!(inner.contains(&collector) && root.contains(&collector));
        // The root refuses the same sample names from an unwrapped collector only.
        root.register(counter("app_http_requests_total"))
            .unwrap_err();
        root.register(counter("requests_total")).unwrap();
        inner.unregister(&collector).unwrap();
        assert!(!root.contains(&collector));
    }

    #[test]
    fn a_wrapper_label_the_family_has_is_refused() {
        let view = Registry::wrapping(None, Wrap::new("", &[("k", "v")]).unwrap());
        let family =
            Arc::new(Family::<Gauge>::new(Opts::new("wrapped_clash", "h").labels(&["k"])).unwrap());
        assert!(matches!(
            view.register(family),
            Err(Error::InvalidLabelName { .. })
        ));
        assert!(
            default_registry()
                .gather()
                .iter()
                .all(|f| &*f.name != "wrapped_clash")
        );
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

    /// A collector that does not describe itself, exposing `names` as gauges (or counters).
    struct Custom(Vec<(&'static str, MetricType)>);

    impl Collector for Custom {
        fn describe(&self) -> Vec<Descriptor> {
            Vec::new()
        }

        fn collect(&self, out: &mut Vec<MetricFamily>) {
            for (name, kind) in &self.0 {
                let value = match kind {
                    MetricType::Counter => crate::snapshot::PointValue::Counter {
                        value: 7.0,
                        created: Some(1.5),
                        exemplar: None,
                    },
                    _ => crate::snapshot::PointValue::Gauge { value: 3.0 },
                };
                out.push(MetricFamily {
                    name: (*name).into(),
                    help: "custom".into(),
                    kind: *kind,
                    unit: None,
                    points: vec![crate::snapshot::MetricPoint {
                        labels: crate::snapshot::LabelSet::new(&[("src", "custom")]).unwrap(),
                        value,
                        timestamp: Some(12.0),
                    }],
                });
            }
        }
    }

    #[test]
    fn encode_registry_matches_encoding_what_gather_returns() {
        use crate::exposition::{Format, encode};
        use crate::metric::{Histogram, HistogramConfig, Summary};
        let r = Registry::new();
        let requests =
            Arc::new(Family::<Counter>::new(Opts::new("req", "h").labels(&["m", "p"])).unwrap());
        for i in 0..20 {
            let p = format!("/p/{i}");
            requests
                .apply(&["GET", p.as_str()], |c| c.inc(i as f64))
                .unwrap()
                .unwrap();
        }
        let latency = Arc::new(
            Family::<Histogram>::with_config(
                Opts::new("lat", "latency").labels(&["m"]),
                HistogramConfig::new(&[0.1, 1.0]).unwrap(),
            )
            .unwrap(),
        );
        latency.apply(&["x"], |h| h.observe(0.5)).unwrap().unwrap();
        let sizes = Arc::new(Family::<Summary>::new(Opts::new("size", "s").unit("bytes")).unwrap());
        sizes
            .apply::<&str, _>(&[], |s| s.observe(3.0))
            .unwrap()
            .unwrap();
        r.register(requests).unwrap();
        r.register(latency).unwrap();
        r.register(sizes).unwrap();
        r.register(gauge("temperature")).unwrap();
        r.register(Arc::new(
            Family::<Gauge>::new(Opts::new("empty", "e").labels(&["k"])).unwrap(),
        ))
        .unwrap();
        // Custom collectors: one sorting between the families, one clashing with a built-in
        // family's name (merged), one clashing in type (dropped).
        r.register(Arc::new(Custom(vec![
            ("aaa", MetricType::Gauge),
            ("temperature", MetricType::Gauge),
        ])))
        .unwrap();
        r.register(Arc::new(Custom(vec![
            ("req", MetricType::Gauge),
            ("zzz", MetricType::Counter),
        ])))
        .unwrap();
        for format in [
            Format::Prometheus,
            Format::OpenMetrics,
            Format::OpenMetrics2,
            Format::Protobuf,
        ] {
            let mut direct = b"kept: ".to_vec();
            crate::exposition::encode_registry(&r, format, &mut direct);
            let mut expected = b"kept: ".to_vec();
            expected.extend(encode(&r.gather(), format));
            assert_eq!(direct, expected, "{format:?}");
            let filter = NameFilter::new(&["req_total", "temperature", "size_sum", "zzz"]);
            let mut filtered = Vec::new();
            crate::exposition::encode_registry_filtered(&r, &filter, format, &mut filtered);
            assert_eq!(
                filtered,
                encode(&r.gather_filtered(&filter), format),
                "{format:?}"
            );
        }
        let mut empty = Vec::new();
        crate::exposition::encode_registry(&Registry::new(), Format::OpenMetrics, &mut empty);
        assert_eq!(empty, b"# EOF\n");
    }

    #[test]
    fn collectors_collected_elsewhere_keep_their_place_and_a_skipped_one_is_just_absent() {
        use crate::exposition::{Format, encode, encode_registry_by};
        let r = Registry::new();
        let first: Arc<dyn Collector> = Arc::new(Custom(vec![("temperature", MetricType::Gauge)]));
        r.register(first.clone()).unwrap();
        r.register(gauge("temperature")).unwrap();
        r.register(Arc::new(Custom(vec![("aaa", MetricType::Gauge)])))
            .unwrap();
        let extra: Arc<dyn Collector> = Arc::new(Custom(vec![("zzz", MetricType::Counter)]));
        let mut everything = |collectors: &[Arc<dyn Collector>]| -> Vec<Vec<MetricFamily>> {
            // Collected in reverse, as threads might finish: the order still follows
            // registration.
            let mut out: Vec<Vec<MetricFamily>> = collectors
                .iter()
                .rev()
                .map(|c| {
                    let mut families = Vec::new();
                    c.collect(&mut families);
                    families
                })
                .collect();
            out.reverse();
            out
        };
        let mut direct = Vec::new();
        let representation = Format::OpenMetrics.into();
        encode_registry_by(
            &r,
            None,
            std::slice::from_ref(&extra),
            Some(&mut everything),
            representation,
            &mut direct,
        );
        r.register(extra.clone()).unwrap();
        assert_eq!(direct, encode(&r.gather(), Format::OpenMetrics));

        // The first custom collector given up on: its points are missing from the merged
        // family, nothing else changes.
        let mut without_first = |collectors: &[Arc<dyn Collector>]| -> Vec<Vec<MetricFamily>> {
            collectors
                .iter()
                .map(|c| {
                    let mut families = Vec::new();
                    if !Arc::ptr_eq(c, &first) {
                        c.collect(&mut families);
                    }
                    families
                })
                .collect()
        };
        let mut partial = Vec::new();
        encode_registry_by(
            &r,
            None,
            &[],
            Some(&mut without_first),
            representation,
            &mut partial,
        );
        r.unregister(&first).unwrap();
        assert_eq!(partial, encode(&r.gather(), Format::OpenMetrics));
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
