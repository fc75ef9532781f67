//! A family: one metric name, its help, its label names, and a child per label-value tuple.
//!
//! Children are kept in creation order, which is the order a collection reports them in. Looking
//! up an existing child hashes the given values in place (no allocation); only a new tuple
//! allocates its labels, rendered once for every later scrape.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::sync::RwLock;
use indexmap::{Equivalent, IndexMap};

use super::{ChildMetric, FamilySchema};
use crate::collector::{Collector, Descriptor, LiveFamily};
use crate::error::{Error, Result};
use crate::name::{default_validation, family_name, full_name, validate_family_label_names};
use crate::snapshot::{LabelSet, MetricFamily, MetricPoint, PointValue};

type Children<M> = IndexMap<LabelSet, Arc<M>, foldhash::fast::RandomState>;

/// Name, help and labels of a metric family.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Opts {
    pub name: String,
    pub help: String,
    pub namespace: String,
    pub subsystem: String,
    pub unit: String,
    pub label_names: Vec<String>,
}

impl Opts {
    pub fn new(name: impl Into<String>, help: impl Into<String>) -> Self {
        Opts {
            name: name.into(),
            help: help.into(),
            ..Opts::default()
        }
    }

    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    pub fn subsystem(mut self, subsystem: impl Into<String>) -> Self {
        self.subsystem = subsystem.into();
        self
    }

    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }

    pub fn labels<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.label_names = names.iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }
}

/// A metric family holding children of type `M`.
pub struct Family<M: ChildMetric> {
    name: Arc<str>,
    help: Arc<str>,
    unit: Option<Arc<str>>,
    label_names: Arc<[Box<str>]>,
    config: M::Config,
    children: RwLock<Children<M>>,
    /// The single child of a family without labels, reachable without the map.
    unlabelled: Option<Arc<M>>,
}

impl<M: ChildMetric> std::fmt::Debug for Family<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Family")
            .field("name", &self.name)
            .field("type", &M::TYPE)
            .field("label_names", &self.label_names)
            .finish_non_exhaustive()
    }
}

impl<M: ChildMetric> Family<M>
where
    M::Config: Default,
{
    /// A family with the type's default configuration (default buckets, objectives...).
    pub fn new(opts: Opts) -> Result<Self> {
        Self::with_config(opts, M::Config::default())
    }
}

impl<M: ChildMetric> Family<M> {
    /// A family with an explicit configuration. Validates the name, unit and label names. A family
    /// without labels has its one child from the start, so it is exposed at its zero value.
    pub fn with_config(opts: Opts, config: M::Config) -> Result<Self> {
        let unit = Some(opts.unit.as_str()).filter(|u| !u.is_empty());
        let scheme = default_validation();
        let name = family_name(
            &full_name(&opts.namespace, &opts.subsystem, &opts.name),
            M::TYPE,
            unit,
            scheme,
        )?;
        validate_family_label_names(&name, M::TYPE, &opts.label_names, scheme)?;
        let label_names: Arc<[Box<str>]> = opts
            .label_names
            .iter()
            .map(|n| Box::from(n.as_str()))
            .collect();
        let name: Arc<str> = name.into();
        let config = M::prepare(
            config,
            &FamilySchema {
                name: name.clone(),
                label_names: label_names.clone(),
            },
        )?;
        let mut children = Children::<M>::default();
        let unlabelled = label_names.is_empty().then(|| {
            let child = Arc::new(M::new_child(&config));
            children.insert(LabelSet::empty(), child.clone());
            child
        });
        Ok(Family {
            name,
            help: opts.help.into(),
            unit: unit.map(Arc::from),
            label_names,
            config,
            children: RwLock::new(children),
            unlabelled,
        })
    }

    /// The family name (a counter's without `_total`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn help(&self) -> &str {
        &self.help
    }

    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    pub fn label_names(&self) -> &[Box<str>] {
        &self.label_names
    }

    pub fn config(&self) -> &M::Config {
        &self.config
    }

    fn check_count(&self, got: usize) -> Result<()> {
        if got == self.label_names.len() {
            Ok(())
        } else {
            Err(Error::LabelCount {
                expected: self.label_names.len(),
                got,
            })
        }
    }

    /// The child for these label values, created on first use. Keep it to update it later with no
    /// lookup at all: this is the bound child of the hot path.
    pub fn with_label_values<S: AsRef<str>>(&self, values: &[S]) -> Result<Arc<M>> {
        self.with(values, |_| ()).map(|(child, ())| child)
    }

    /// Runs `f` on the child for these values (created on first use) and returns the child with
    /// what `f` returned. When the child exists this hashes the values in place and allocates
    /// nothing but the returned reference.
    fn with<S: AsRef<str>, R>(&self, values: &[S], f: impl FnOnce(&M) -> R) -> Result<(Arc<M>, R)> {
        if let Some(child) = &self.unlabelled {
            self.check_count(values.len())?;
            return Ok((child.clone(), f(child)));
        }
        self.check_count(values.len())?;
        if let Some(child) = self.children.read().get(&LabelValues(values)) {
            return Ok((child.clone(), f(child)));
        }
        let mut children = self.children.write();
        let child = match children.get(&LabelValues(values)) {
            Some(child) => child.clone(),
            None => {
                let labels = LabelSet::from_parts(self.label_names.clone(), values);
                let child = Arc::new(M::new_child(&self.config));
                children.insert(labels, child.clone());
                child
            }
        };
        let result = f(&child);
        Ok((child, result))
    }

    /// Applies `f` to the child for these values (created on first use) without handing out a
    /// reference: the one-shot labelled update. No allocation when the child exists.
    pub fn apply<S: AsRef<str>, R>(&self, values: &[S], f: impl FnOnce(&M) -> R) -> Result<R> {
        if let Some(child) = &self.unlabelled {
            self.check_count(values.len())?;
            return Ok(f(child));
        }
        self.check_count(values.len())?;
        if let Some(child) = self.children.read().get(&LabelValues(values)) {
            return Ok(f(child));
        }
        self.with(values, f).map(|(_, r)| r)
    }

    /// Applies `f` to the existing child whose label values are these bytes, if there is one: the
    /// C API's one-shot labelled update, which so skips checking UTF-8 (bytes that equal a key are
    /// valid). `None` when the count is wrong or no child matches; nothing is created.
    #[inline]
    pub(crate) fn apply_existing_bytes<R>(
        &self,
        values: &[&[u8]],
        f: impl FnOnce(&M) -> R,
    ) -> Option<R> {
        if values.len() != self.label_names.len() || self.unlabelled.is_some() {
            return None;
        }
        self.children
            .read()
            .get(&LabelBytes(values))
            .map(|child| f(child))
    }

    /// The child for these values if it exists; never creates one.
    pub fn get<S: AsRef<str>>(&self, values: &[S]) -> Result<Option<Arc<M>>> {
        self.check_count(values.len())?;
        Ok(self.children.read().get(&LabelValues(values)).cloned())
    }

    /// Removes the child for these values; true when it existed. A family without labels keeps
    /// its one child.
    pub fn remove<S: AsRef<str>>(&self, values: &[S]) -> Result<bool> {
        self.check_count(values.len())?;
        if self.unlabelled.is_some() {
            return Ok(false);
        }
        Ok(self
            .children
            .write()
            .shift_remove(&LabelValues(values))
            .is_some())
    }

    /// Removes every child. A family without labels keeps its one child.
    pub fn clear(&self) {
        if self.unlabelled.is_none() {
            self.children.write().clear();
        }
    }

    /// Number of children.
    pub fn len(&self) -> usize {
        self.children.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every child with its labels, in creation order.
    pub fn children(&self) -> Vec<(LabelSet, Arc<M>)> {
        self.children
            .read()
            .iter()
            .map(|(labels, child)| (labels.clone(), child.clone()))
            .collect()
    }

    /// Sums `f` over every child: how a labelled family is read without label values.
    pub fn sum_over_children(&self, f: impl Fn(&M) -> f64) -> f64 {
        self.children.read().values().map(|child| f(child)).sum()
    }

    /// Collects the family: a point per child, in creation order.
    pub fn collect_family(&self) -> MetricFamily {
        let children = self.children.read();
        let points = children
            .iter()
            .map(|(labels, child)| MetricPoint {
                labels: labels.clone(),
                value: child.point(&self.config),
                timestamp: None,
            })
            .collect();
        MetricFamily {
            name: self.name.clone(),
            help: self.help.clone(),
            kind: M::TYPE,
            unit: self.unit.clone(),
            points,
        }
    }
}

impl<M: ChildMetric> Collector for Family<M> {
    fn describe(&self) -> Vec<Descriptor> {
        vec![Descriptor {
            name: self.name.to_string(),
            kind: M::TYPE,
            label_names: self.label_names.iter().map(|n| n.to_string()).collect(),
        }]
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        out.push(self.collect_family());
    }

    fn live(&self) -> Option<&dyn LiveFamily> {
        Some(self)
    }
}

impl<M: ChildMetric> LiveFamily for Family<M> {
    fn header(&self) -> MetricFamily {
        MetricFamily {
            name: self.name.clone(),
            help: self.help.clone(),
            kind: M::TYPE,
            unit: self.unit.clone(),
            points: Vec::new(),
        }
    }

    fn size_hint(&self) -> (usize, usize) {
        let children = self.children.read();
        let label_len = children
            .keys()
            .next()
            .map_or(0, |labels| labels.rendered().len());
        (children.len(), label_len)
    }

    /// Holds the read lock while rendering, as `collect_family` does while copying: creating a
    /// new child waits for it; updating existing children never does.
    fn visit_points(&self, visit: &mut dyn FnMut(&LabelSet, &PointValue)) {
        // Children sit wherever they were allocated: start loading the ones a few steps ahead,
        // in two stages (the blocks first, what they point to once those have arrived).
        const AHEAD: usize = 16;
        const INDIRECT_AHEAD: usize = 8;
        let children = self.children.read();
        for (index, (labels, child)) in children.iter().enumerate() {
            if let Some((labels, child)) = children.get_index(index + AHEAD) {
                labels.prefetch();
                child.prefetch();
            }
            if let Some((labels, child)) = children.get_index(index + INDIRECT_AHEAD) {
                labels.prefetch_rendered();
                child.prefetch_indirect();
            }
            visit(labels, &child.point(&self.config));
        }
    }

    fn collect_family(&self) -> MetricFamily {
        Family::collect_family(self)
    }
}

/// Label values borrowed from the caller, hashed and compared like the [`LabelSet`] keys.
struct LabelValues<'a, S>(&'a [S]);

impl<S: AsRef<str>> Hash for LabelValues<'_, S> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_values(self.0.iter().map(|v| v.as_ref().as_bytes()), state);
    }
}

impl<S: AsRef<str>> Equivalent<LabelSet> for LabelValues<'_, S> {
    #[inline]
    fn equivalent(&self, key: &LabelSet) -> bool {
        key.values_equal(self.0.iter().map(|v| v.as_ref().as_bytes()))
    }
}

/// Label values as raw bytes (C strings not yet checked for UTF-8): they can only match a key if
/// they are its valid UTF-8 bytes.
struct LabelBytes<'a>(&'a [&'a [u8]]);

impl Hash for LabelBytes<'_> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_values(self.0.iter().copied(), state);
    }
}

impl Equivalent<LabelSet> for LabelBytes<'_> {
    #[inline]
    fn equivalent(&self, key: &LabelSet) -> bool {
        key.values_equal(self.0.iter().copied())
    }
}

impl Hash for LabelSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_values(self.values().map(str::as_bytes), state);
    }
}

impl Eq for LabelSet {}

/// Each value's bytes, then all their lengths folded into one word (which keeps `("ab", "c")` and
/// `("a", "bc")` apart): one hasher call per value plus one, where hashing each `str` costs two.
#[inline]
fn hash_values<'a, H: Hasher>(values: impl Iterator<Item = &'a [u8]>, state: &mut H) {
    let mut lengths = 0u64;
    for value in values {
        state.write(value);
        lengths = lengths.rotate_left(16) ^ value.len() as u64;
    }
    state.write_u64(lengths);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{Counter, Gauge, Histogram, HistogramConfig};
    use crate::snapshot::MetricType;

    fn counter_family(labels: &[&str]) -> Family<Counter> {
        Family::new(Opts::new("requests_total", "Requests.").labels(labels)).unwrap()
    }

    #[test]
    fn names_are_built_and_validated() {
        let f = Family::<Counter>::new(
            Opts::new("requests_total", "h")
                .namespace("app")
                .subsystem("http"),
        )
        .unwrap();
        assert_eq!(f.name(), "app_http_requests");
        assert!(Family::<Gauge>::new(Opts::new("", "h")).is_err());
        let utf8 = Family::<Counter>::new(Opts::new("app.requests_total", "h")).unwrap();
        assert_eq!(utf8.name(), "app.requests");
        assert!(Family::<Gauge>::new(Opts::new("g", "h").labels(&["__x"])).is_err());
        assert!(Family::<Gauge>::new(Opts::new("g", "h").labels(&["a", "a"])).is_err());
        assert!(Family::<Histogram>::new(Opts::new("h", "h").labels(&["le"])).is_err());
        let unit = Family::<Gauge>::new(Opts::new("size", "h").unit("bytes")).unwrap();
        assert_eq!((unit.name(), unit.unit()), ("size_bytes", Some("bytes")));
    }

    #[test]
    fn children_are_created_once_and_bound() {
        let f = counter_family(&["method", "status"]);
        assert!(f.is_empty());
        let get = f.with_label_values(&["GET", "200"]).unwrap();
        get.inc_one();
        f.apply(&["GET", "200"], |c| c.inc_one()).unwrap();
        f.apply(&["POST", "201"], |c| c.inc_one()).unwrap();
        assert_eq!(get.get(), 2.0);
        assert_eq!(f.len(), 2);
        assert!(Arc::ptr_eq(
            &get,
            &f.with_label_values(&["GET", "200"]).unwrap()
        ));
        assert_eq!(f.sum_over_children(Counter::get), 3.0);
    }

    #[test]
    fn wrong_label_count_is_an_error() {
        let f = counter_family(&["method"]);
        assert_eq!(
            f.with_label_values(&["a", "b"]).unwrap_err(),
            Error::LabelCount {
                expected: 1,
                got: 2
            }
        );
        assert!(f.apply::<&str, _>(&[], |c| c.inc_one()).is_err());
        let plain = counter_family(&[]);
        assert!(plain.apply(&["x"], |c| c.inc_one()).is_err());
    }

    #[test]
    fn remove_and_clear() {
        let f = counter_family(&["k"]);
        f.apply(&["a"], |c| c.inc_one()).unwrap();
        f.apply(&["b"], |c| c.inc_one()).unwrap();
        f.apply(&["c"], |c| c.inc_one()).unwrap();
        assert!(f.remove(&["b"]).unwrap());
        assert!(!f.remove(&["b"]).unwrap());
        let order: Vec<_> = f
            .children()
            .iter()
            .map(|(l, _)| l.values().next().unwrap().to_string())
            .collect();
        assert_eq!(order, ["a", "c"]);
        f.clear();
        assert!(f.is_empty());
        let plain = counter_family(&[]);
        plain.clear();
        assert_eq!(plain.len(), 1);
    }

    #[test]
    fn unlabelled_family_is_exposed_at_zero() {
        let f = Family::<Histogram>::with_config(
            Opts::new("latency_seconds", "h"),
            HistogramConfig::new(&[1.0]).unwrap(),
        )
        .unwrap();
        let family = f.collect_family();
        assert_eq!(family.points.len(), 1);
        assert!(family.points[0].labels.is_empty());
    }

    #[test]
    fn collection_keeps_creation_order_and_labels() {
        let f = counter_family(&["k"]);
        for k in ["z", "a", "m"] {
            f.apply(&[k], |c| c.inc_one()).unwrap();
        }
        let family = f.collect_family();
        let rendered: Vec<_> = family
            .points
            .iter()
            .map(|p| p.labels.rendered().to_owned())
            .collect();
        assert_eq!(rendered, ["k=\"z\"", "k=\"a\"", "k=\"m\""]);
        assert_eq!(family.kind, MetricType::Counter);
    }

    #[test]
    fn eight_threads_on_bound_and_one_shot_children_are_exact() {
        let f = Arc::new(counter_family(&["k"]));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let f = f.clone();
                std::thread::spawn(move || {
                    let bound = f.with_label_values(&["bound"]).unwrap();
                    let key = format!("t{}", t % 2);
                    for _ in 0..1_000_000 {
                        bound.inc_one();
                    }
                    for _ in 0..100_000 {
                        f.apply(&[key.as_str()], |c| c.inc_one()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(f.with_label_values(&["bound"]).unwrap().get(), 8_000_000.0);
        assert_eq!(f.with_label_values(&["t0"]).unwrap().get(), 400_000.0);
        assert_eq!(f.sum_over_children(Counter::get), 8_800_000.0);
    }

    #[test]
    fn values_that_concatenate_alike_are_different_children() {
        let f = counter_family(&["a", "b"]);
        f.with_label_values(&["ab", "c"]).unwrap().inc(1.0).unwrap();
        f.with_label_values(&["a", "bc"]).unwrap().inc(2.0).unwrap();
        f.with_label_values(&["", "abc"]).unwrap().inc(4.0).unwrap();
        assert_eq!(f.len(), 3);
        let read = |v: [&str; 2]| f.get(&v).unwrap().unwrap().get();
        assert_eq!(read(["ab", "c"]), 1.0);
        assert_eq!(read(["a", "bc"]), 2.0);
        assert_eq!(read(["", "abc"]), 4.0);
        let bytes: [&[u8]; 2] = [b"a", b"bc"];
        assert_eq!(f.apply_existing_bytes(&bytes, |c| c.get()), Some(2.0));
        let missing: [&[u8]; 2] = [b"abc", b""];
        assert_eq!(f.apply_existing_bytes(&missing, |c| c.get()), None);
    }
}
