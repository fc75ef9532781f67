//! Gauge: a value that goes up and down.

use super::expiry::Activity;
use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::{Error, Result};
use crate::snapshot::{MetricType, PointValue};

/// A value that can be set, increased and decreased. `set` is a single atomic store.
#[derive(Debug, Default)]
pub struct Gauge {
    value: AtomicF64,
    activity: Activity,
}

/// The check every update makes: inlined, with the error built out of line, so that a valid
/// update is a compare and a store.
#[inline(always)]
fn reject_nan(value: f64, what: &'static str) -> Result<()> {
    if value.is_nan() {
        Err(nan_error(what))
    } else {
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn nan_error(what: &str) -> Error {
    Error::InvalidValue(format!("gauge {what} is NaN"))
}

impl Gauge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value. NaN is rejected (the value is kept); infinities are allowed.
    #[inline]
    pub fn set(&self, value: f64) -> Result<()> {
        reject_nan(value, "value")?;
        self.activity.touch();
        self.value.set(value);
        Ok(())
    }

    /// Sets `value` unless it is NaN and says whether it did: the rule of [`Gauge::set`] without
    /// building an error, for callers with their own error reporting.
    #[inline]
    pub(crate) fn try_set(&self, value: f64) -> bool {
        if value.is_nan() {
            false
        } else {
            self.activity.touch();
            self.value.set(value);
            true
        }
    }

    /// Adds `amount` (which may be negative). NaN is rejected.
    ///
    /// Infinities follow IEEE arithmetic, as in client_golang and client_python: a gauge at
    /// `+Inf` given `inc(-Inf)` (or `dec(+Inf)`) becomes NaN, which is a valid gauge value.
    #[inline]
    pub fn inc(&self, amount: f64) -> Result<()> {
        reject_nan(amount, "increment")?;
        self.activity.touch();
        self.value.add(amount);
        Ok(())
    }

    /// Subtracts `amount`. NaN is rejected.
    #[inline]
    pub fn dec(&self, amount: f64) -> Result<()> {
        reject_nan(amount, "decrement")?;
        self.activity.touch();
        self.value.add(-amount);
        Ok(())
    }

    /// Sets the value to the current Unix time in seconds.
    pub fn set_to_current_time(&self) {
        self.activity.touch();
        self.value.set(unix_now());
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
    fn nan_is_rejected_and_value_kept() {
        let g = Gauge::new();
        g.set(1.0).unwrap();
        assert!(g.set(f64::NAN).is_err());
        assert!(g.inc(f64::NAN).is_err());
        assert!(g.dec(f64::NAN).is_err());
        assert_eq!(g.get(), 1.0);
        g.set(f64::NEG_INFINITY).unwrap();
        assert_eq!(g.get(), f64::NEG_INFINITY);
    }

    #[test]
    fn current_time() {
        let g = Gauge::new();
        g.set_to_current_time();
        assert!((g.get() - unix_now()).abs() < 5.0);
    }
}
