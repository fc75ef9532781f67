//! A family: one metric name, its help, its label names, and a child per label-value tuple.
//!
//! Children are kept in creation order, which is the order a collection reports them in. Looking
//! up an existing child hashes the given values in place (no allocation); only a new tuple
//! allocates its labels, rendered once for every later scrape.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use crate::sync::RwLock;
use indexmap::{Equivalent, IndexMap};

use super::expiry::{Expiry, ManualClock};
use super::limits::{OVERFLOW_VALUE, Overflow, series_dropped};
use super::{ChildMetric, FamilySchema};
use crate::collector::{Collector, Descriptor, LiveFamily};
use crate::error::{Error, Result};
use crate::name::{default_validation, family_name, full_name, validate_family_label_names};
use crate::snapshot::{LabelSet, MetricFamily, MetricPoint, PointValue};
use crate::store::{FamilyDesc, GaugeMode, Store, StoreKind};

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
    /// Labels every child carries with the same value (client_golang's `ConstLabels`), shown
    /// before the variable ones.
    pub const_labels: Vec<(String, String)>,
    /// At most this many children (`None`: unbounded); beyond it, new label sets go as
    /// [`Opts::overflow`] says.
    pub max_series: Option<usize>,
    pub overflow: Overflow,
    /// Children not updated for this long are removed at the next collection (`None`: never);
    /// see [`crate::metric::expiry`]. A family without labels keeps its one child.
    pub series_ttl: Option<Duration>,
    /// The clock expiry reads (`None`: the system's, or the one [`crate::metric::expiry::pin_clock`]
    /// pins): for tests.
    pub expiry_clock: Option<ManualClock>,
    /// The shared store the family's values live in (`None`: this process's memory); see
    /// [`crate::store`]. Not with a `series_ttl`: a series in the store outlives any process.
    pub store: Option<Arc<Store>>,
    /// How a gauge in a store combines its processes' values.
    pub gauge_mode: GaugeMode,
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

    /// Labels with one value for every child.
    pub fn const_labels<N: AsRef<str>, V: AsRef<str>>(mut self, labels: &[(N, V)]) -> Self {
        self.const_labels = labels
            .iter()
            .map(|(n, v)| (n.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        self
    }

    /// Caps the family at `max` children: see [`Overflow`].
    pub fn max_series(mut self, max: usize) -> Self {
        self.max_series = Some(max);
        self
    }

    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }

    /// Removes children idle for `ttl` at the next collection: see [`crate::metric::expiry`].
    pub fn series_ttl(mut self, ttl: Duration) -> Self {
        self.series_ttl = Some(ttl);
        self
    }

    /// Makes expiry read `clock` instead of the system's.
    pub fn store(mut self, store: Arc<Store>) -> Self {
        self.store = Some(store);
        self
    }

    pub fn gauge_mode(mut self, mode: GaugeMode) -> Self {
        self.gauge_mode = mode;
        self
    }

    pub fn expiry_clock(mut self, clock: ManualClock) -> Self {
        self.expiry_clock = Some(clock);
        self
    }
}

/// Counts a label set a capped family folded or refused. Not generic, so that the self-metric's
/// own family (a counter family, uncapped) instantiates it once.
fn count_dropped(family: &str) {
    if let Ok(dropped) = series_dropped().with_label_values(&[family]) {
        dropped.inc_one();
    }
}

/// A child in this process's memory, or on its series in the store.
fn new_child<M: ChildMetric>(
    store: &Option<(Arc<Store>, u64, StoreKind)>,
    config: &M::Config,
    values: &[&str],
) -> Result<M> {
    match store {
        None => Ok(M::new_child(config)),
        Some((store, family, kind)) => {
            let block = store.series(*family, kind, values)?;
            M::in_store(config, store, kind, block)
        }
    }
}

/// A metric family holding children of type `M`.
pub struct Family<M: ChildMetric> {
    name: Arc<str>,
    help: Arc<str>,
    unit: Option<Arc<str>>,
    /// The variable label names, whose values callers give.
    label_names: Arc<[Box<str>]>,
    /// The values of the constant labels, which come first in every child's labels.
    const_values: Box<[Box<str>]>,
    /// The constant label names, then the variable ones: every child's label names.
    key_names: Arc<[Box<str>]>,
    config: M::Config,
    children: RwLock<Children<M>>,
    /// The single child of a family without labels, reachable without the map.
    unlabelled: Option<Arc<M>>,
    /// `max_series` and what to do beyond it.
    limit: Option<(usize, Overflow)>,
    /// Idle expiry, when the family has a TTL and labels.
    expiry: Option<Expiry>,
    /// The shared store holding the values, with the family's offset and kind there.
    store: Option<(Arc<Store>, u64, StoreKind)>,
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
        let all_names: Vec<String> = (opts.const_labels.iter().map(|(n, _)| n))
            .chain(&opts.label_names)
            .cloned()
            .collect();
        validate_family_label_names(&name, M::TYPE, &all_names, scheme)?;
        let label_names: Arc<[Box<str>]> = opts
            .label_names
            .iter()
            .map(|n| Box::from(n.as_str()))
            .collect();
        let key_names: Arc<[Box<str>]> = all_names.iter().map(|n| Box::from(n.as_str())).collect();
        let const_values: Box<[Box<str>]> = opts
            .const_labels
            .iter()
            .map(|(_, v)| Box::from(v.as_str()))
            .collect();
        let name: Arc<str> = name.into();
        let config = M::prepare(
            config,
            &FamilySchema {
                name: name.clone(),
                label_names: key_names.clone(),
            },
        )?;
        let store = match &opts.store {
            None => None,
            Some(store) => Some(Self::in_store(
                store, &opts, &config, &name, unit, &all_names,
            )?),
        };
        let mut children = Children::<M>::default();
        let unlabelled = match label_names.is_empty() {
            false => None,
            true => {
                let values: Vec<&str> = const_values.iter().map(|v| &**v).collect();
                let child = Arc::new(new_child::<M>(&store, &config, &values)?);
                children.insert(
                    LabelSet::from_parts(key_names.clone(), &const_values),
                    child.clone(),
                );
                Some(child)
            }
        };
        let expiry = opts
            .series_ttl
            .filter(|_| unlabelled.is_none())
            .map(|ttl| Expiry::new(ttl, opts.expiry_clock));
        Ok(Family {
            name,
            help: opts.help.into(),
            unit: unit.map(Arc::from),
            label_names,
            const_values,
            key_names,
            config,
            children: RwLock::new(children),
            unlabelled,
            limit: opts.max_series.map(|max| (max, opts.overflow)),
            expiry,
            store,
        })
    }

    /// The family's place in a shared store, made there if it is new.
    fn in_store(
        store: &Arc<Store>,
        opts: &Opts,
        config: &M::Config,
        name: &str,
        unit: Option<&str>,
        label_names: &[String],
    ) -> Result<(Arc<Store>, u64, StoreKind)> {
        if opts.series_ttl.is_some() {
            return Err(Error::InvalidConfig(
                "a family in a shared store cannot have a series_ttl: its series outlive \
                 every process"
                    .into(),
            ));
        }
        let kind = M::store_kind(config, opts.gauge_mode).ok_or_else(|| {
            Error::InvalidConfig(format!(
                "{name:?}: a {} with this configuration cannot live in a shared store yet",
                M::TYPE.as_str()
            ))
        })?;
        let desc = FamilyDesc {
            name: name.to_owned(),
            help: opts.help.clone(),
            unit: unit.map(str::to_owned),
            label_names: label_names.to_vec(),
            kind: kind.clone(),
        };
        let offset = store.family(&desc)?;
        Ok((store.clone(), offset, kind))
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

    /// The variable label names (not the constant ones).
    pub fn label_names(&self) -> &[Box<str>] {
        &self.label_names
    }

    /// The constant labels, in order.
    pub fn const_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        let names = self.key_names.iter().map(|n| &**n);
        names.zip(self.const_values.iter().map(|v| &**v))
    }

    /// The child for these variable label values in `children`, if there is one.
    #[inline]
    fn find<'c, S: AsRef<str>>(
        &self,
        children: &'c Children<M>,
        values: &[S],
    ) -> Option<&'c Arc<M>> {
        if self.const_values.is_empty() {
            children.get(&LabelValues(values))
        } else {
            children.get(&PrefixedValues(&self.const_values, values))
        }
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
        if let Some(child) = self.find(&self.children.read(), values) {
            return Ok((child.clone(), f(child)));
        }
        let mut children = self.children.write();
        let child = match self.find(&children, values) {
            Some(child) => child.clone(),
            None => {
                self.make_room(&mut children);
                match self.limit {
                    Some((max, overflow)) if self.at_cap(&children, max) => {
                        drop(children);
                        return self.beyond_cap(max, overflow, f);
                    }
                    _ => self.insert(&mut children, values)?,
                }
            }
        };
        let result = f(&child);
        Ok((child, result))
    }

    fn insert<S: AsRef<str>>(&self, children: &mut Children<M>, values: &[S]) -> Result<Arc<M>> {
        let labels = if self.const_values.is_empty() {
            LabelSet::from_parts(self.key_names.clone(), values)
        } else {
            let all: Vec<&str> = (self.const_values.iter().map(|v| &**v))
                .chain(values.iter().map(AsRef::as_ref))
                .collect();
            LabelSet::from_parts(self.key_names.clone(), &all)
        };
        let child = match &self.store {
            None => Arc::new(M::new_child(&self.config)),
            Some(_) => {
                let all: Vec<&str> = labels.values().collect();
                Arc::new(new_child::<M>(&self.store, &self.config, &all)?)
            }
        };
        children.insert(labels, child.clone());
        Ok(child)
    }

    /// Whether the family holds `max` children besides its overflow child. Checked under the
    /// write lock, so a cap holds exactly however many threads create series at once.
    fn at_cap(&self, children: &Children<M>, max: usize) -> bool {
        let overflow = self.find(children, &self.overflow_values()).is_some();
        children.len() - usize::from(overflow) >= max
    }

    /// Before a new child: drops expired ones when a sweep is due, or when the family is at its
    /// cap (expired children make room).
    fn make_room(&self, children: &mut Children<M>) {
        let Some(expiry) = &self.expiry else { return };
        let now = expiry.now();
        let at_cap = self
            .limit
            .is_some_and(|(max, _)| self.at_cap(children, max));
        if expiry.sweep_due(now) || at_cap {
            sweep(children, expiry, now);
        }
    }

    /// What a collection does first in a family with a TTL: looks at every child (stamping the
    /// ones updated since the last look) and removes the expired ones nobody holds. Returns the
    /// time it looked, by which expired children still held are hidden from this collection.
    fn expire(&self) -> Option<u64> {
        let expiry = self.expiry.as_ref()?;
        let now = expiry.now();
        let removable = self
            .children
            .read()
            .values()
            .filter(|child| expiry.expired(child.activity(), now) && Arc::strong_count(child) == 1)
            .count();
        if removable > 0 {
            sweep(&mut self.children.write(), expiry, now);
        }
        Some(now)
    }

    /// Whether a collection at `now` (from [`Family::expire`]) shows this child.
    #[inline]
    fn shown(&self, child: &M, now: Option<u64>) -> bool {
        match (now, &self.expiry) {
            (Some(now), Some(expiry)) => !child.activity().has_expired(now, expiry.ttl()),
            _ => true,
        }
    }

    fn overflow_values(&self) -> Vec<&'static str> {
        vec![OVERFLOW_VALUE; self.label_names.len()]
    }

    /// A label set offered at the cap: counted, then folded into the overflow child or refused.
    #[cold]
    fn beyond_cap<R>(
        &self,
        max: usize,
        overflow: Overflow,
        f: impl FnOnce(&M) -> R,
    ) -> Result<(Arc<M>, R)> {
        count_dropped(&self.name);
        match overflow {
            Overflow::Refuse => Err(Error::Cardinality {
                family: self.name.to_string(),
                max,
            }),
            Overflow::Fold => {
                let values = self.overflow_values();
                let mut children = self.children.write();
                let child = match self.find(&children, &values) {
                    Some(child) => child.clone(),
                    None => self.insert(&mut children, &values)?,
                };
                drop(children);
                let result = f(&child);
                Ok((child, result))
            }
        }
    }

    /// Applies `f` to the child for these values (created on first use) without handing out a
    /// reference: the one-shot labelled update. No allocation when the child exists.
    pub fn apply<S: AsRef<str>, R>(&self, values: &[S], f: impl FnOnce(&M) -> R) -> Result<R> {
        if let Some(child) = &self.unlabelled {
            self.check_count(values.len())?;
            return Ok(f(child));
        }
        self.check_count(values.len())?;
        if let Some(child) = self.find(&self.children.read(), values) {
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
        if values.len() != self.label_names.len()
            || self.unlabelled.is_some()
            || !self.const_values.is_empty()
        {
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
        Ok(self.find(&self.children.read(), values).cloned())
    }

    /// Removes the child for these values; true when it existed. A family without labels keeps
    /// its one child.
    pub fn remove<S: AsRef<str>>(&self, values: &[S]) -> Result<bool> {
        self.check_count(values.len())?;
        if self.unlabelled.is_some() {
            return Ok(false);
        }
        let mut children = self.children.write();
        let Some(index) = self.find(&children, values).map(|child| Arc::as_ptr(child)) else {
            return Ok(false);
        };
        children.retain(|_, child| Arc::as_ptr(child) != index);
        Ok(true)
    }

    /// Removes every child whose labels include all of `labels` (name and value pairs, in any
    /// order), as client_golang's `DeletePartialMatch` and client_python's `remove_by_labels` do;
    /// returns how many were removed. No pairs match every child. A name that is not one of the
    /// family's labels is [`Error::InvalidLabelName`] and removes nothing; so is a name given
    /// twice. A family without labels keeps its one child. The others keep their order.
    pub fn remove_matching<N: AsRef<str>, V: AsRef<str>>(
        &self,
        labels: &[(N, V)],
    ) -> Result<usize> {
        let mut wanted: Vec<(usize, &str)> = Vec::with_capacity(labels.len());
        for (name, value) in labels {
            let name = name.as_ref();
            let Some(index) = self.key_names.iter().position(|n| &**n == name) else {
                return Err(Error::InvalidLabelName {
                    name: name.to_owned(),
                    reason: "not a label of this family",
                });
            };
            if wanted.iter().any(|(i, _)| *i == index) {
                return Err(Error::DuplicateLabelName(name.to_owned()));
            }
            wanted.push((index, value.as_ref()));
        }
        if self.unlabelled.is_some() {
            return Ok(0);
        }
        let mut children = self.children.write();
        let before = children.len();
        children.retain(|set, _| {
            !wanted
                .iter()
                .all(|(index, value)| set.values().nth(*index) == Some(*value))
        });
        Ok(before - children.len())
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

    /// Collects the family: a point per child, in creation order (expired children left out:
    /// see [`Opts::series_ttl`]).
    pub fn collect_family(&self) -> MetricFamily {
        let now = self.expire();
        let children = self.children.read();
        let points = children
            .iter()
            .filter(|(_, child)| self.shown(child, now))
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
            label_names: self.key_names.iter().map(|n| n.to_string()).collect(),
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
        let now = self.expire();
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
            if self.shown(child, now) {
                visit(labels, &child.point(&self.config));
            }
        }
    }

    fn collect_family(&self) -> MetricFamily {
        Family::collect_family(self)
    }
}

/// Removes the children that have been idle for the TTL at `now` and that nobody else holds (a
/// held one stays, hidden, until it is updated again or let go).
fn sweep<M: ChildMetric>(children: &mut Children<M>, expiry: &Expiry, now: u64) {
    children.retain(|_, child| {
        !(expiry.expired(child.activity(), now) && Arc::strong_count(child) == 1)
    });
    // A family whose series come and go should not keep the table of its busiest hour.
    if children.capacity() > 64 && children.len() < children.capacity() / 4 {
        children.shrink_to(children.len() * 2);
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
        key.values_equal(self.0.len(), self.0.iter().map(|v| v.as_ref().as_bytes()))
    }
}

/// Constant label values followed by the caller's: the key of a family with constant labels.
struct PrefixedValues<'a, S>(&'a [Box<str>], &'a [S]);

impl<S: AsRef<str>> PrefixedValues<'_, S> {
    fn bytes(&self) -> impl Iterator<Item = &[u8]> {
        let head = self.0.iter().map(|v| v.as_bytes());
        head.chain(self.1.iter().map(|v| v.as_ref().as_bytes()))
    }
}

impl<S: AsRef<str>> Hash for PrefixedValues<'_, S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_values(self.bytes(), state);
    }
}

impl<S: AsRef<str>> Equivalent<LabelSet> for PrefixedValues<'_, S> {
    fn equivalent(&self, key: &LabelSet) -> bool {
        key.values_equal(self.0.len() + self.1.len(), self.bytes())
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
        key.values_equal(self.0.len(), self.0.iter().copied())
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
    use std::time::Duration;

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
    fn remove_matching_takes_every_child_with_those_values() {
        let f = counter_family(&["method", "status"]);
        for (method, status) in [
            ("GET", "200"),
            ("GET", "500"),
            ("POST", "200"),
            ("PUT", "500"),
        ] {
            f.with_label_values(&[method, status]).unwrap().inc_one();
        }
        assert_eq!(f.remove_matching(&[("status", "500")]).unwrap(), 2);
        assert_eq!(f.remove_matching(&[("status", "500")]).unwrap(), 0);
        assert_eq!(
            f.remove_matching(&[("status", "200"), ("method", "POST")])
                .unwrap(),
            1
        );
        let left: Vec<Vec<String>> = f
            .collect_family()
            .points
            .iter()
            .map(|p| p.labels.values().map(str::to_owned).collect())
            .collect();
        assert_eq!(left, [["GET", "200"]]);
        assert!(matches!(
            f.remove_matching(&[("code", "200")]),
            Err(Error::InvalidLabelName { .. })
        ));
        assert!(matches!(
            f.remove_matching(&[("method", "GET"), ("method", "PUT")]),
            Err(Error::DuplicateLabelName(_))
        ));
        assert_eq!(f.len(), 1);
        assert_eq!(f.remove_matching::<&str, &str>(&[]).unwrap(), 1);
        assert!(f.is_empty());
        let unlabelled = Family::<Counter>::new(Opts::new("c", "h")).unwrap();
        assert_eq!(unlabelled.remove_matching::<&str, &str>(&[]).unwrap(), 0);
        assert_eq!(unlabelled.len(), 1);
    }

    #[test]
    fn a_capped_family_folds_new_label_sets_into_one_overflow_child() {
        let f = Family::<Counter>::new(
            Opts::new("capped_fold_total", "h")
                .labels(&["user", "page"])
                .max_series(2),
        )
        .unwrap();
        f.apply(&["a", "1"], |c| c.inc_one()).unwrap();
        f.apply(&["b", "1"], |c| c.inc_one()).unwrap();
        f.apply(&["c", "1"], |c| c.inc_one()).unwrap();
        f.apply(&["d", "1"], |c| c.inc_one()).unwrap();
        f.apply(&["a", "1"], |c| c.inc_one()).unwrap();
        assert_eq!(f.len(), 3);
        let overflow = f
            .get(&[OVERFLOW_VALUE, OVERFLOW_VALUE])
            .unwrap()
            .expect("the overflow child");
        assert_eq!(overflow.get(), 2.0);
        assert_eq!(f.get(&["a", "1"]).unwrap().unwrap().get(), 2.0);
        assert!(f.get(&["c", "1"]).unwrap().is_none());
        let dropped = series_dropped()
            .get(&["capped_fold"])
            .unwrap()
            .expect("counted");
        assert_eq!(dropped.get(), 2.0);
        // Room again once a child goes.
        f.remove(&["b", "1"]).unwrap();
        f.apply(&["e", "1"], |c| c.inc_one()).unwrap();
        assert!(f.get(&["e", "1"]).unwrap().is_some());
    }

    #[test]
    fn a_capped_family_can_refuse_instead() {
        let f = Family::<Gauge>::new(
            Opts::new("capped_refuse", "h")
                .labels(&["user"])
                .max_series(1)
                .overflow(Overflow::Refuse),
        )
        .unwrap();
        f.apply(&["a"], |g| g.set(1.0)).unwrap().unwrap();
        let refused = f.with_label_values(&["b"]).unwrap_err();
        assert_eq!(
            refused,
            Error::Cardinality {
                family: "capped_refuse".into(),
                max: 1
            }
        );
        assert!(refused.to_string().contains("max_series of 1"));
        assert_eq!(f.len(), 1);
        f.apply(&["a"], |g| g.set(5.0)).unwrap().unwrap();
        assert_eq!(
            series_dropped()
                .get(&["capped_refuse"])
                .unwrap()
                .unwrap()
                .get(),
            1.0
        );
    }

    fn ttl_family(clock: &ManualClock) -> Family<Counter> {
        Family::new(
            Opts::new("ttl_requests_total", "h")
                .labels(&["path"])
                .series_ttl(Duration::from_secs(60))
                .expiry_clock(clock.clone()),
        )
        .unwrap()
    }

    fn shown_paths(f: &Family<Counter>) -> Vec<String> {
        f.collect_family()
            .points
            .iter()
            .map(|p| p.labels.values().next().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn idle_children_expire_one_ttl_after_the_first_collection_that_saw_them_idle() {
        let clock = ManualClock::at(1000.0);
        let f = ttl_family(&clock);
        f.apply(&["/a"], |c| c.inc_one()).unwrap();
        f.apply(&["/b"], |c| c.inc_one()).unwrap();
        assert_eq!(shown_paths(&f), ["/a", "/b"]);
        clock.advance(Duration::from_secs(30));
        f.apply(&["/a"], |c| c.inc_one()).unwrap();
        assert_eq!(shown_paths(&f), ["/a", "/b"]);
        clock.advance(Duration::from_secs(30));
        // /b: idle since the first collection, 60 s ago; /a: updated since the last one.
        assert_eq!(shown_paths(&f), ["/a"]);
        assert_eq!(f.len(), 1);
        // /a: idle since the collection at 1030 s.
        clock.advance(Duration::from_secs(29));
        assert_eq!(shown_paths(&f), ["/a"]);
        clock.advance(Duration::from_secs(1));
        assert_eq!(shown_paths(&f), Vec::<String>::new());
        assert!(f.is_empty());
        // The same labels start again from zero.
        f.apply(&["/b"], |c| c.inc_one()).unwrap();
        assert_eq!(f.get(&["/b"]).unwrap().unwrap().get(), 1.0);
    }

    #[test]
    fn a_held_child_is_hidden_while_idle_and_comes_back_at_its_value() {
        let clock = ManualClock::at(0.0);
        let f = ttl_family(&clock);
        let held = f.with_label_values(&["/held"]).unwrap();
        held.inc(5.0).unwrap();
        f.collect_family();
        clock.advance(Duration::from_secs(61));
        assert_eq!(shown_paths(&f), Vec::<String>::new());
        assert_eq!(f.len(), 1, "kept for its holder");
        held.inc_one();
        let family = f.collect_family();
        assert_eq!(family.points.len(), 1);
        assert!(
            matches!(family.points[0].value, PointValue::Counter { value, .. } if value == 6.0)
        );
        assert!(Arc::ptr_eq(
            &held,
            &f.with_label_values(&["/held"]).unwrap()
        ));
        // Let go, it is freed by the collection after it expires again.
        drop(held);
        clock.advance(Duration::from_secs(61));
        f.collect_family();
        assert!(f.is_empty());
    }

    #[test]
    fn a_family_never_collected_sweeps_when_it_creates_children() {
        let clock = ManualClock::at(0.0);
        let f = ttl_family(&clock);
        for second in 0..600u32 {
            for i in 0..10 {
                f.apply(&[format!("{second}-{i}")], |c| c.inc_one())
                    .unwrap();
            }
            clock.advance(Duration::from_secs(1));
        }
        // Children live between one TTL and about two: never all 6000.
        assert!(f.len() <= 10 * 121, "{} children", f.len());
        assert!(f.len() >= 10 * 60, "{} children", f.len());
    }

    #[test]
    fn expired_children_make_room_under_a_cap() {
        let clock = ManualClock::at(0.0);
        let f = Family::<Gauge>::new(
            Opts::new("ttl_capped", "h")
                .labels(&["k"])
                .max_series(2)
                .overflow(Overflow::Refuse)
                .series_ttl(Duration::from_secs(10))
                .expiry_clock(clock.clone()),
        )
        .unwrap();
        f.apply(&["a"], |g| g.set(1.0)).unwrap().unwrap();
        f.apply(&["b"], |g| g.set(1.0)).unwrap().unwrap();
        assert!(f.apply(&["c"], |g| g.set(1.0)).is_err());
        f.collect_family();
        clock.advance(Duration::from_secs(10));
        f.apply(&["c"], |g| g.set(1.0)).unwrap().unwrap();
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn a_family_without_ttl_or_labels_never_expires() {
        let clock = ManualClock::at(0.0);
        let plain = Family::<Counter>::new(Opts::new("no_ttl_total", "h").labels(&["k"])).unwrap();
        plain.apply(&["a"], |c| c.inc_one()).unwrap();
        let unlabelled = Family::<Counter>::new(
            Opts::new("ttl_unlabelled_total", "h")
                .series_ttl(Duration::from_secs(1))
                .expiry_clock(clock.clone()),
        )
        .unwrap();
        for _ in 0..3 {
            plain.collect_family();
            unlabelled.collect_family();
            clock.advance(Duration::from_secs(100));
        }
        assert_eq!(plain.collect_family().points.len(), 1);
        assert_eq!(unlabelled.collect_family().points.len(), 1);
    }

    #[test]
    fn const_labels_come_first_on_every_child_and_are_not_given() {
        let f = Family::<Counter>::new(
            Opts::new("const_total", "h")
                .labels(&["method"])
                .const_labels(&[("service", "api"), ("zone", "eu")])
                .max_series(1),
        )
        .unwrap();
        f.apply(&["GET"], |c| c.inc_one()).unwrap();
        f.apply(&["GET"], |c| c.inc_one()).unwrap();
        f.apply(&["PUT"], |c| c.inc_one()).unwrap();
        assert_eq!(f.get(&["GET"]).unwrap().unwrap().get(), 2.0);
        assert!(f.get(&["api"]).unwrap().is_none());
        assert!(f.with_label_values(&["api", "eu", "GET"]).is_err());
        let rendered: Vec<String> = f
            .collect_family()
            .points
            .iter()
            .map(|p| p.labels.rendered().to_owned())
            .collect();
        assert_eq!(
            rendered,
            [
                r#"service="api",zone="eu",method="GET""#,
                r#"service="api",zone="eu",method="__overflow__""#
            ]
        );
        assert_eq!(f.describe()[0].label_names, ["service", "zone", "method"]);
        assert_eq!(
            f.remove_matching(&[("zone", "eu"), ("method", "GET")])
                .unwrap(),
            1
        );
        assert!(f.remove(&["__overflow__"]).unwrap());
        assert!(f.is_empty());
        let unlabelled =
            Family::<Gauge>::new(Opts::new("const_g", "h").const_labels(&[("a", "1")])).unwrap();
        assert_eq!(
            unlabelled.collect_family().points[0].labels.rendered(),
            r#"a="1""#
        );
        assert_eq!(unlabelled.const_labels().collect::<Vec<_>>(), [("a", "1")]);
    }

    #[test]
    fn const_labels_are_checked_like_labels_and_against_them() {
        let make = |labels: &[&str], consts: &[(&str, &str)]| {
            Family::<Histogram>::new(
                Opts::new("checked", "h")
                    .labels(labels)
                    .const_labels(consts),
            )
        };
        assert!(make(&["a"], &[("a", "1")]).is_err());
        assert!(make(&[], &[("le", "1")]).is_err());
        assert!(make(&[], &[("__x", "1")]).is_err());
        assert!(make(&[], &[("b", "1"), ("b", "2")]).is_err());
        assert!(make(&["a"], &[("b", "1")]).is_ok());
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
