//! A gauge or counter whose value a function returns at collection time.

use crate::collector::{Collector, Descriptor};
use crate::error::{Error, Result};
use crate::metric::Opts;
use crate::name::{default_validation, family_name, full_name};
use crate::snapshot::{LabelSet, MetricFamily, MetricPoint, MetricType, PointValue};
use std::sync::Arc;

type ValueFn = Box<dyn Fn() -> f64 + Send + Sync>;

/// A metric without labels whose value is read from `f` on every collection.
pub struct CallbackMetric {
    name: Arc<str>,
    help: Arc<str>,
    unit: Option<Arc<str>>,
    kind: MetricType,
    f: ValueFn,
}

impl std::fmt::Debug for CallbackMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackMetric")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl CallbackMetric {
    /// A gauge evaluated at collection time.
    pub fn gauge(opts: Opts, f: impl Fn() -> f64 + Send + Sync + 'static) -> Result<Self> {
        Self::build(opts, MetricType::Gauge, Box::new(f))
    }

    /// A counter evaluated at collection time; `f` must return a non-decreasing value.
    pub fn counter(opts: Opts, f: impl Fn() -> f64 + Send + Sync + 'static) -> Result<Self> {
        Self::build(opts, MetricType::Counter, Box::new(f))
    }

    fn build(opts: Opts, kind: MetricType, f: ValueFn) -> Result<Self> {
        if !opts.label_names.is_empty() {
            return Err(Error::InvalidConfig(
                "a callback metric has no labels".into(),
            ));
        }
        let unit = Some(opts.unit.as_str()).filter(|u| !u.is_empty());
        let name = family_name(
            &full_name(&opts.namespace, &opts.subsystem, &opts.name),
            kind,
            unit,
            default_validation(),
        )?;
        Ok(CallbackMetric {
            name: name.into(),
            help: opts.help.into(),
            unit: unit.map(Arc::from),
            kind,
            f,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls the function now.
    pub fn value(&self) -> f64 {
        (self.f)()
    }
}

impl Collector for CallbackMetric {
    fn describe(&self) -> Vec<Descriptor> {
        vec![Descriptor::new(self.name.to_string(), self.kind)]
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        let value = self.value();
        let point = match self.kind {
            MetricType::Counter => PointValue::Counter {
                value,
                created: None,
                exemplar: None,
            },
            _ => PointValue::Gauge { value },
        };
        out.push(MetricFamily {
            name: self.name.clone(),
            help: self.help.clone(),
            kind: self.kind,
            unit: self.unit.clone(),
            points: vec![MetricPoint {
                labels: LabelSet::empty(),
                value: point,
                timestamp: None,
            }],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn value_is_read_at_each_collection() {
        let calls = Arc::new(AtomicU64::new(0));
        let seen = calls.clone();
        let g = Arc::new(
            CallbackMetric::gauge(Opts::new("queue_depth", "h"), move || {
                seen.fetch_add(1, Ordering::Relaxed) as f64 + 10.0
            })
            .unwrap(),
        );
        let r = Registry::new();
        r.register(g).unwrap();
        assert_eq!(r.get_sample_value("queue_depth", &[]), Some(10.0));
        assert_eq!(r.get_sample_value("queue_depth", &[]), Some(11.0));
        assert_eq!(calls.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn counter_callback_gets_total_suffix() {
        let c = CallbackMetric::counter(Opts::new("ticks_total", "h"), || 7.0).unwrap();
        assert_eq!(c.name(), "ticks");
        let r = Registry::new();
        r.register(Arc::new(c)).unwrap();
        assert_eq!(r.get_sample_value("ticks_total", &[]), Some(7.0));
        assert!(CallbackMetric::gauge(Opts::new("g", "h").labels(&["a"]), || 1.0).is_err());
    }
}
