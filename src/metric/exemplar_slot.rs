//! Storage for the latest exemplar of a counter or a histogram bucket.

use parking_lot::Mutex;

use crate::snapshot::Exemplar;

/// Holds the most recent exemplar. Only updates that carry an exemplar touch it, so its lock is
/// never on the plain hot path.
#[derive(Debug, Default)]
pub struct ExemplarSlot(Mutex<Option<Box<Exemplar>>>);

impl ExemplarSlot {
    pub fn store(&self, exemplar: Exemplar) {
        *self.0.lock() = Some(Box::new(exemplar));
    }

    pub fn load(&self) -> Option<Exemplar> {
        self.0.lock().as_deref().cloned()
    }

    pub fn clear(&self) {
        *self.0.lock() = None;
    }
}
