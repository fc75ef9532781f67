//! Summary: count, sum and quantiles over a sliding time window (placeholder).

use std::time::Duration;

use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::{Error, Result};
use crate::snapshot::{MetricType, PointValue};
use std::sync::atomic::{AtomicU64, Ordering};

/// Objectives and window of a summary family.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryConfig {
    /// `(quantile, allowed rank error)` pairs.
    pub objectives: Vec<(f64, f64)>,
    pub max_age: Duration,
    pub age_buckets: u32,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            objectives: vec![(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)],
            max_age: Duration::from_secs(600),
            age_buckets: 5,
        }
    }
}

/// One summary series.
#[derive(Debug)]
pub struct Summary {
    count: AtomicU64,
    sum: AtomicF64,
    created: AtomicF64,
    objectives: Vec<(f64, f64)>,
}

impl Summary {
    pub fn new(config: &SummaryConfig) -> Self {
        Summary {
            count: AtomicU64::new(0),
            sum: AtomicF64::new(0.0),
            created: AtomicF64::new(unix_now()),
            objectives: config.objectives.clone(),
        }
    }

    pub fn observe(&self, value: f64) -> Result<()> {
        if value.is_nan() {
            return Err(Error::InvalidValue("summary observation is NaN".into()));
        }
        self.sum.add(value);
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn sum(&self) -> f64 {
        self.sum.get()
    }

    pub fn quantile(&self, _q: f64) -> Result<f64> {
        Ok(f64::NAN)
    }

    pub fn created(&self) -> f64 {
        self.created.get()
    }
}

impl ChildMetric for Summary {
    type Config = SummaryConfig;
    const TYPE: MetricType = MetricType::Summary;

    fn new_child(config: &SummaryConfig) -> Self {
        Summary::new(config)
    }

    fn point(&self, _: &SummaryConfig) -> PointValue {
        PointValue::Summary {
            quantiles: self
                .objectives
                .iter()
                .map(|(q, _)| (*q, f64::NAN))
                .collect(),
            sum: self.sum(),
            count: self.count(),
            created: Some(self.created()),
        }
    }
}
