//! Storage for the latest exemplar of a counter or a histogram bucket.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::sync::Mutex;

use crate::snapshot::Exemplar;

/// Holds the most recent exemplar: one pointer in the series, to a lock and the exemplar made on
/// the first update that carries one. Only such updates touch it, so its lock is never on the
/// plain hot path, and a collection skips a slot that never held one (the common case) without a
/// lock; a series that never has an exemplar pays 8 bytes for it.
#[derive(Debug, Default)]
pub struct ExemplarSlot(AtomicPtr<Mutex<Option<Exemplar>>>);

impl ExemplarSlot {
    pub fn store(&self, exemplar: Exemplar) {
        *self.made().lock() = Some(exemplar);
    }

    pub fn load(&self) -> Option<Exemplar> {
        self.existing()?.lock().clone()
    }

    pub fn clear(&self) {
        if let Some(slot) = self.existing() {
            *slot.lock() = None;
        }
    }

    fn existing(&self) -> Option<&Mutex<Option<Exemplar>>> {
        // Acquire: pairs with the release that published the lock.
        let slot = self.0.load(Ordering::Acquire);
        // SAFETY: a non-null pointer is the box `made` published, freed only by `drop`.
        unsafe { slot.as_ref() }
    }

    /// The lock, made on first use; two threads making it at once keep the first.
    fn made(&self) -> &Mutex<Option<Exemplar>> {
        if let Some(slot) = self.existing() {
            return slot;
        }
        let new = Box::into_raw(Box::new(Mutex::new(None)));
        match self
            .0
            .compare_exchange(ptr::null_mut(), new, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: just published; lives until `drop`.
            Ok(_) => unsafe { &*new },
            Err(theirs) => {
                // SAFETY: `new` was never published; `theirs` was, and lives until `drop`.
                unsafe {
                    drop(Box::from_raw(new));
                    &*theirs
                }
            }
        }
    }
}

impl Drop for ExemplarSlot {
    fn drop(&mut self) {
        let slot = *self.0.get_mut();
        if !slot.is_null() {
            // SAFETY: the box `made` published, dropped once.
            drop(unsafe { Box::from_raw(slot) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_and_forgets_on_clear() {
        let slot = ExemplarSlot::default();
        assert_eq!(slot.load(), None);
        slot.clear();
        let a = Exemplar::new(&[("trace_id", "a")], 1.0, None).unwrap();
        let b = Exemplar::new(&[("trace_id", "b")], 2.0, None).unwrap();
        slot.store(a);
        slot.store(b.clone());
        assert_eq!(slot.load(), Some(b));
        slot.clear();
        assert_eq!(slot.load(), None);
        assert_eq!(std::mem::size_of::<ExemplarSlot>(), 8);
    }

    #[test]
    fn threads_racing_to_store_the_first_keep_one_lock() {
        let slot = ExemplarSlot::default();
        std::thread::scope(|s| {
            for i in 0..4 {
                let slot = &slot;
                s.spawn(move || {
                    let e = Exemplar::new(&[("n", i.to_string().as_str())], 1.0, None).unwrap();
                    slot.store(e);
                });
            }
        });
        assert!(slot.load().is_some());
    }
}
