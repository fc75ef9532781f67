//! A collector seen through a wrapper: a name prefix and labels added to everything it exposes,
//! as client_golang's `WrapRegistererWithPrefix` and `WrapRegistererWith` do.
//!
//! The wrapper rewrites at collection: each point's labels are built anew with the wrapper's
//! labels in front (one allocation per point per scrape, for wrapped collectors only); the names
//! the labels share are built once per family and collection, so encoders still decide how to
//! write them once per family.

use std::sync::Arc;

use crate::collector::{Collector, Descriptor, LiveFamily};
use crate::error::{Error, Result};
use crate::name::{default_validation, validate_label_name};
use crate::snapshot::{LabelSet, MetricFamily, PointValue};

type Names = Arc<[Box<str>]>;

/// The last label names wrapped, and what they became.
type NamesSeen = (Names, Names);

/// A prefix for every family name and labels for every point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wrap {
    prefix: String,
    names: Vec<String>,
    values: Vec<String>,
}

impl Wrap {
    /// A wrapper adding `prefix` in front of every name (nothing when empty) and `labels` in
    /// front of every point's labels. Label names are checked as names of labels (under the
    /// process-wide validation) and must not repeat; the prefixed names are checked when a
    /// collector is registered through it.
    pub fn new<N: AsRef<str>, V: AsRef<str>>(prefix: &str, labels: &[(N, V)]) -> Result<Self> {
        let mut wrap = Wrap {
            prefix: prefix.to_owned(),
            ..Wrap::default()
        };
        for (name, value) in labels {
            let name = name.as_ref();
            validate_label_name(name, default_validation())?;
            if wrap.names.iter().any(|n| n == name) {
                return Err(Error::DuplicateLabelName(name.to_owned()));
            }
            wrap.names.push(name.to_owned());
            wrap.values.push(value.as_ref().to_owned());
        }
        Ok(wrap)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The added labels, in order.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        let names = self.names.iter().map(String::as_str);
        names.zip(self.values.iter().map(String::as_str))
    }

    /// The descriptors of a collector seen through this wrapper; a family that already has one of
    /// the added labels is refused, as client_golang refuses it.
    pub fn describe(&self, inner: &[Descriptor]) -> Result<Vec<Descriptor>> {
        inner
            .iter()
            .map(|descriptor| {
                if let Some(clash) = self
                    .names
                    .iter()
                    .find(|n| descriptor.label_names.contains(n))
                {
                    return Err(Error::InvalidLabelName {
                        name: clash.clone(),
                        reason: "added by the registry's wrapper and already a label of the family",
                    });
                }
                Ok(Descriptor {
                    name: self.name(&descriptor.name),
                    kind: descriptor.kind,
                    label_names: self
                        .names
                        .iter()
                        .cloned()
                        .chain(descriptor.label_names.clone())
                        .collect(),
                })
            })
            .collect()
    }

    fn name(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The names a wrapped set has: the added ones (less any the set has itself), then the set's.
    fn names_for(&self, inner: &[Box<str>]) -> Arc<[Box<str>]> {
        let added = self
            .names
            .iter()
            .filter(|n| !inner.iter().any(|i| **i == ***n));
        added
            .map(|n| Box::from(n.as_str()))
            .chain(inner.iter().cloned())
            .collect()
    }

    /// `labels` with the added labels in front, named by `names` (from [`Wrap::names_for`]).
    fn labels_for(&self, names: &Arc<[Box<str>]>, labels: &LabelSet) -> LabelSet {
        if self.names.is_empty() {
            return labels.clone();
        }
        let added = names.len() - labels.len();
        let values: Vec<&str> = (self.names.iter().zip(&self.values))
            .filter(|(n, _)| names[..added].iter().any(|kept| **kept == ***n))
            .map(|(_, v)| v.as_str())
            .chain(labels.values())
            .collect();
        LabelSet::from_parts(names.clone(), &values)
    }

    fn family(&self, mut family: MetricFamily) -> MetricFamily {
        family.name = self.name(&family.name).into();
        let mut names: Option<NamesSeen> = None;
        for point in &mut family.points {
            let wrapped = self.shared_names(&mut names, point.labels.shared_names());
            point.labels = self.labels_for(&wrapped, &point.labels);
        }
        family
    }

    /// The wrapped names for a set's names, built again only when they differ from the last.
    fn shared_names(
        &self,
        last: &mut Option<NamesSeen>,
        inner: &Arc<[Box<str>]>,
    ) -> Arc<[Box<str>]> {
        match last {
            Some((seen, wrapped)) if Arc::ptr_eq(seen, inner) || **seen == **inner => {
                wrapped.clone()
            }
            _ => {
                let wrapped = self.names_for(inner);
                *last = Some((inner.clone(), wrapped.clone()));
                wrapped
            }
        }
    }
}

/// A collector and the wrapper it is seen through.
pub struct Wrapped {
    inner: Arc<dyn Collector>,
    wrap: Arc<Wrap>,
}

impl Wrapped {
    pub fn new(inner: Arc<dyn Collector>, wrap: Arc<Wrap>) -> Self {
        Wrapped { inner, wrap }
    }
}

impl Collector for Wrapped {
    /// The inner descriptors, prefixed and with the added labels; a clash (which registration
    /// refuses, see [`Wrap::describe`]) leaves them as the inner collector gives them.
    fn describe(&self) -> Vec<Descriptor> {
        let inner = self.inner.describe();
        self.wrap.describe(&inner).unwrap_or(inner)
    }

    /// The inner collector's name: a wrapper does not make it another collector.
    fn name(&self) -> String {
        self.inner.name()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        let start = out.len();
        self.inner.collect(out);
        let collected: Vec<MetricFamily> = out.drain(start..).collect();
        out.extend(collected.into_iter().map(|family| self.wrap.family(family)));
    }

    fn live(&self) -> Option<&dyn LiveFamily> {
        self.inner.live().map(|_| self as &dyn LiveFamily)
    }
}

impl LiveFamily for Wrapped {
    fn header(&self) -> MetricFamily {
        let inner = self
            .inner
            .live()
            .expect("live only when the inner collector is");
        let mut header = inner.header();
        header.name = self.wrap.name(&header.name).into();
        header
    }

    fn size_hint(&self) -> (usize, usize) {
        let inner = self
            .inner
            .live()
            .expect("live only when the inner collector is");
        let (points, label_len) = inner.size_hint();
        let added: usize = self.wrap.labels().map(|(n, v)| n.len() + v.len() + 4).sum();
        (points, label_len + added)
    }

    fn visit_points(&self, visit: &mut dyn FnMut(&LabelSet, &PointValue)) {
        let inner = self
            .inner
            .live()
            .expect("live only when the inner collector is");
        let mut names = None;
        inner.visit_points(&mut |labels, value| {
            let wrapped = self.wrap.shared_names(&mut names, labels.shared_names());
            visit(&self.wrap.labels_for(&wrapped, labels), value);
        });
    }

    fn collect_family(&self) -> MetricFamily {
        let inner = self
            .inner
            .live()
            .expect("live only when the inner collector is");
        self.wrap.family(inner.collect_family())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{Counter, Family, Opts};

    fn wrapped_counter() -> (Arc<Family<Counter>>, Wrapped) {
        let family =
            Arc::new(Family::new(Opts::new("requests_total", "h").labels(&["code"])).unwrap());
        let wrap = Wrap::new("app_", &[("env", "prod")]).unwrap();
        (family.clone(), Wrapped::new(family, Arc::new(wrap)))
    }

    #[test]
    fn names_are_prefixed_and_labels_put_in_front() {
        let (family, wrapped) = wrapped_counter();
        family.apply(&["200"], |c| c.inc_one()).unwrap();
        let mut out = Vec::new();
        wrapped.collect(&mut out);
        assert_eq!(&*out[0].name, "app_requests");
        assert_eq!(
            out[0].points[0].labels.rendered(),
            r#"env="prod",code="200""#
        );
        let mut seen = Vec::new();
        wrapped
            .live()
            .unwrap()
            .visit_points(&mut |labels, _| seen.push(labels.rendered().to_owned()));
        assert_eq!(seen, [r#"env="prod",code="200""#]);
        assert_eq!(&*wrapped.live().unwrap().header().name, "app_requests");
        let described = wrapped.describe();
        assert_eq!(described[0].name, "app_requests");
        assert_eq!(described[0].label_names, ["env", "code"]);
    }

    #[test]
    fn clashing_and_invalid_labels_are_refused() {
        let wrap = Wrap::new("", &[("code", "x")]).unwrap();
        let (family, _) = wrapped_counter();
        assert!(wrap.describe(&family.describe()).is_err());
        assert!(Wrap::new("", &[("a", "1"), ("a", "2")]).is_err());
        assert!(Wrap::new("", &[("__a", "1")]).is_err());
    }
}
