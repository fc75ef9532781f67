//! Gauge: a value that goes up and down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::expiry::Activity;
use super::value::AtomicF64;
use super::{ChildMetric, unix_now};
use crate::error::Result;
use crate::snapshot::{MetricType, PointValue};
use crate::store::layout::GaugeEntry;
use crate::store::{GaugeMode, Store, StoreKind};

/// A value that can be set, increased and decreased. `set` is a single atomic store.
#[derive(Debug, Default)]
pub struct Gauge {
    value: AtomicF64,
    activity: Activity,
    /// In a shared store: the series' values, one per process. Its activity word is then
    /// pinned, so the one load a fast update makes sends it to the store.
    shared: Option<Box<SharedGauge>>,
}

/// A gauge series in a shared store: each process sets its own value, in the slot of the
/// process table it holds.
#[derive(Debug)]
struct SharedGauge {
    store: Arc<Store>,
    /// The first process's value; the block is kept mapped by `store`.
    entries: *const GaugeEntry,
    /// Whether updates stamp the time (the most-recent modes).
    timed: bool,
}

// SAFETY: the entries are atomic words in the store's mapping, which `store` keeps alive.
unsafe impl Send for SharedGauge {}
unsafe impl Sync for SharedGauge {}

impl SharedGauge {
    /// This process's value of the series.
    #[inline]
    fn entry(&self) -> Result<&GaugeEntry> {
        let slot = self.store.process_slot()?;
        // SAFETY: the block holds `max_processes` entries and slots are below that.
        Ok(unsafe { &*self.entries.add(slot) })
    }

    fn stamp(&self, entry: &GaugeEntry) {
        let stamp = if self.timed { unix_now() } else { 1.0 };
        entry.stamp.store(stamp.to_bits(), Ordering::Release);
    }

    fn set(&self, value: f64) -> Result<()> {
        let entry = self.entry()?;
        entry.bits.store(value.to_bits(), Ordering::Relaxed);
        self.stamp(entry);
        Ok(())
    }

    fn add(&self, amount: f64) -> Result<()> {
        let entry = self.entry()?;
        let mut current = entry.bits.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(current) + amount).to_bits();
            match entry.bits.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.stamp(entry);
        Ok(())
    }

    fn get(&self) -> f64 {
        self.entry()
            .map(|entry| f64::from_bits(entry.bits.load(Ordering::Relaxed)))
            .unwrap_or(0.0)
    }
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
        if self.activity.marked() {
            return self.set_marked(value);
        }
        self.value.set(value);
        Ok(())
    }

    /// [`Gauge::set`] of a gauge marked idle or in a shared store.
    #[cold]
    #[inline(never)]
    fn set_marked(&self, value: f64) -> Result<()> {
        if let Some(shared) = &self.shared {
            return shared.set(value);
        }
        self.activity.touch();
        self.value.set(value);
        Ok(())
    }

    /// [`Gauge::set`] for callers that report failures themselves: false for a gauge in a
    /// shared store, which they must [`Gauge::set`] instead.
    #[inline]
    pub(crate) fn try_set(&self, value: f64) -> bool {
        if self.activity.marked() {
            if self.shared.is_some() {
                return false;
            }
            self.activity.touch();
        }
        self.value.set(value);
        true
    }

    /// Adds `amount` (which may be negative) with IEEE arithmetic, as client_golang and
    /// client_python do: NaN makes the gauge NaN, and a gauge at `+Inf` given `inc(-Inf)` (or
    /// `dec(+Inf)`) becomes NaN, a valid gauge value.
    #[inline]
    pub fn inc(&self, amount: f64) -> Result<()> {
        if self.activity.marked() {
            if let Some(shared) = &self.shared {
                return shared.add(amount);
            }
            self.activity.touch();
        }
        self.value.add(amount);
        Ok(())
    }

    /// Subtracts `amount`, as [`Gauge::inc`] adds it.
    #[inline]
    pub fn dec(&self, amount: f64) -> Result<()> {
        self.inc(-amount)
    }

    /// Sets the value to the current Unix time in seconds.
    pub fn set_to_current_time(&self) {
        // Infallible but for a shared store without a free process slot, which the next
        // `set` reports.
        let _ = self.set(unix_now());
    }

    /// The value's bits and the activity word, for bindings that set or add without a call (the
    /// cell protocol of `pe_gauge_get_cell()`): a set is an atomic store of the bits, an add a
    /// compare-and-swap loop, each after touching the activity word.
    /// `None` for a gauge in a shared store, whose value is per process: a cell read in a
    /// parent would be the parent's in its forked children.
    pub(crate) fn cell(&self) -> Option<(&AtomicU64, &AtomicU64)> {
        match self.shared {
            None => Some((self.value.bits(), self.activity.word())),
            Some(_) => None,
        }
    }

    /// The value; in a shared store, this process's.
    #[inline]
    pub fn get(&self) -> f64 {
        match &self.shared {
            None => self.value.get(),
            Some(shared) => shared.get(),
        }
    }
}

impl ChildMetric for Gauge {
    type Config = ();
    const TYPE: MetricType = MetricType::Gauge;

    fn new_child(_: &()) -> Self {
        Gauge::new()
    }

    fn store_kind(_: &(), mode: GaugeMode) -> Option<StoreKind> {
        Some(StoreKind::Gauge(mode))
    }

    fn in_store(_: &(), store: &Arc<Store>, kind: &StoreKind, block: u64) -> Result<Self> {
        let (_, entries) = store.gauge_block(block)?;
        let shared = SharedGauge {
            store: store.clone(),
            entries: entries.as_ptr(),
            timed: matches!(kind, StoreKind::Gauge(mode) if mode.timed()),
        };
        // The process that makes the series has it at 0 from then on, as a prometheus_client
        // process writes 0 to its file for each child it makes.
        let entry = shared.entry()?;
        if entry.stamp.load(Ordering::Acquire) == 0 {
            shared.stamp(entry);
        }
        let gauge = Gauge {
            shared: Some(Box::new(shared)),
            ..Gauge::default()
        };
        gauge.activity.pin();
        Ok(gauge)
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
