//! Storage for the latest exemplar of a counter or a histogram bucket.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::sync::Mutex;

use crate::snapshot::Exemplar;

/// Holds the most recent exemplar. Only updates that carry an exemplar touch it, so its lock is
/// never on the plain hot path; a flag lets a collection skip the lock of a slot that never held
/// one (the common case: one lock fewer per series and scrape).
#[derive(Debug, Default)]
pub struct ExemplarSlot {
    present: AtomicBool,
    slot: Mutex<Option<Box<Exemplar>>>,
}

impl ExemplarSlot {
    pub fn store(&self, exemplar: Exemplar) {
        let mut slot = self.slot.lock();
        *slot = Some(Box::new(exemplar));
        self.present.store(true, Ordering::Release);
    }

    pub fn load(&self) -> Option<Exemplar> {
        // Acquire: a reader that sees the flag also finds the exemplar (it then takes the lock).
        if !self.present.load(Ordering::Acquire) {
            return None;
        }
        self.slot.lock().as_deref().cloned()
    }

    pub fn clear(&self) {
        let mut slot = self.slot.lock();
        *slot = None;
        self.present.store(false, Ordering::Release);
    }
}
