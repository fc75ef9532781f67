//! Gauge: a value that goes up and down.

use std::sync::atomic::AtomicU64;

use super::expiry::Activity;
use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::Result;
use crate::snapshot::{MetricType, PointValue};

/// A value that can be set, increased and decreased. `set` is a single atomic store.
#[derive(Debug, Default)]
pub struct Gauge {
    value: AtomicF64,
    activity: Activity,
}

impl Gauge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value. Every value is valid: NaN and the infinities are gauge values in every
    /// Prometheus format and in every other client. (The `Result` stays for callers written when
    /// NaN was refused.)
    #[inline]
    pub fn set(&self, value: f64) -> Result<()> {
        self.activity.touch();
        self.value.set(value);
        Ok(())
    }

    /// [`Gauge::set`] for callers that report failures themselves: it always succeeds.
    #[inline]
    pub(crate) fn try_set(&self, value: f64) -> bool {
        self.activity.touch();
        self.value.set(value);
        true
    }

    /// Adds `amount` (which may be negative) with IEEE arithmetic, as client_golang and
    /// client_python do: NaN makes the gauge NaN, and a gauge at `+Inf` given `inc(-Inf)` (or
    /// `dec(+Inf)`) becomes NaN, a valid gauge value.
    #[inline]
    pub fn inc(&self, amount: f64) -> Result<()> {
        self.activity.touch();
        self.value.add(amount);
        Ok(())
    }

    /// Subtracts `amount`, as [`Gauge::inc`] adds it.
    #[inline]
    pub fn dec(&self, amount: f64) -> Result<()> {
        self.activity.touch();
        self.value.add(-amount);
        Ok(())
    }

    /// Sets the value to the current Unix time in seconds.
    pub fn set_to_current_time(&self) {
        self.activity.touch();
        self.value.set(unix_now());
    }

    /// The value's bits and the activity word, for bindings that set or add without a call (the
    /// cell protocol of `pe_gauge_get_cell()`): a set is an atomic store of the bits, an add a
    /// compare-and-swap loop, each after touching the activity word.
    pub(crate) fn cell(&self) -> (&AtomicU64, &AtomicU64) {
        (self.value.bits(), self.activity.word())
    }

    #[inline]
    pub fn get(&self) -> f64 {
        self.value.get()
    }
}

impl ChildMetric for Gauge {
    type Config = ();
    const TYPE: MetricType = MetricType::Gauge;

    fn new_child(_: &()) -> Self {
        Gauge::new()
    }

    fn point(&self, _: &()) -> PointValue {
        PointValue::Gauge { value: self.get() }
    }

    fn activity(&self) -> &Activity {
        &self.activity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_inc_dec() {
        let g = Gauge::new();
        g.set(22.5).unwrap();
        g.inc(0.5).unwrap();
        g.dec(1.0).unwrap();
        assert_eq!(g.get(), 22.0);
        g.inc(-2.0).unwrap();
        assert_eq!(g.get(), 20.0);
    }

    #[test]
    fn nan_and_infinities_are_gauge_values() {
        let g = Gauge::new();
        g.set(f64::NAN).unwrap();
        assert!(g.get().is_nan());
        g.set(1.0).unwrap();
        g.inc(f64::NAN).unwrap();
        assert!(g.get().is_nan());
        g.set(f64::NEG_INFINITY).unwrap();
        assert_eq!(g.get(), f64::NEG_INFINITY);
        g.dec(f64::NEG_INFINITY).unwrap();
        assert!(g.get().is_nan());
    }

    #[test]
    fn current_time() {
        let g = Gauge::new();
        g.set_to_current_time();
        assert!((g.get() - unix_now()).abs() < 5.0);
    }
}
