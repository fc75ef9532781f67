//! An `f64` that threads update atomically.

use std::sync::atomic::{AtomicU64, Ordering};

/// An `f64` stored as its bits in an `AtomicU64`. Loads and stores are single atomic operations;
/// additions are a compare-and-swap loop, the only way to add floats atomically.
#[derive(Debug, Default)]
#[repr(transparent)]
pub struct AtomicF64(AtomicU64);

impl AtomicF64 {
    pub const fn new(value: f64) -> Self {
        AtomicF64(AtomicU64::new(value.to_bits()))
    }

    /// The word `bits` seen as an `AtomicF64` (a histogram's sum in its block of counts).
    #[inline(always)]
    pub(crate) fn from_bits_ref(bits: &AtomicU64) -> &AtomicF64 {
        // SAFETY: `AtomicF64` is a `repr(transparent)` `AtomicU64`.
        unsafe { &*(bits as *const AtomicU64).cast::<AtomicF64>() }
    }

    /// The word holding the bits.
    pub(crate) fn bits(&self) -> &AtomicU64 {
        &self.0
    }

    #[inline]
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }

    #[inline]
    pub fn set(&self, value: f64) {
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }

    /// Adds `delta` and returns the previous value.
    #[inline]
    pub fn add(&self, delta: f64) -> f64 {
        self.add_with(delta, Ordering::Relaxed)
    }

    /// Adds `delta` with the given ordering on success and returns the previous value.
    #[inline]
    pub fn add_with(&self, delta: f64, success: Ordering) -> f64 {
        let mut current = self.0.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(current) + delta).to_bits();
            match self
                .0
                .compare_exchange_weak(current, next, success, Ordering::Relaxed)
            {
                Ok(previous) => return f64::from_bits(previous),
                Err(actual) => current = actual,
            }
        }
    }

    /// Replaces the value, returning the previous one.
    #[inline]
    pub fn swap(&self, value: f64) -> f64 {
        f64::from_bits(self.0.swap(value.to_bits(), Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_set() {
        let v = AtomicF64::new(1.5);
        assert_eq!(v.add(2.0), 1.5);
        assert_eq!(v.get(), 3.5);
        v.set(-1.0);
        assert_eq!(v.swap(2.0), -1.0);
        assert_eq!(v.get(), 2.0);
    }

    #[test]
    fn concurrent_adds_are_exact() {
        let v = std::sync::Arc::new(AtomicF64::new(0.0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let v = v.clone();
                std::thread::spawn(move || {
                    for _ in 0..100_000 {
                        v.add(1.0);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(v.get(), 400_000.0);
    }
}
