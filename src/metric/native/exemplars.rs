//! The exemplars of a native histogram: the latest few, whatever their buckets.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::metric::exemplar_slot::ExemplarSlot;
use crate::snapshot::Exemplar;

/// client_golang's default number of native exemplars.
pub const MAX_NATIVE_EXEMPLARS: usize = 10;

/// A ring of exemplar slots; the newest replaces the oldest.
#[derive(Debug, Default)]
pub(super) struct NativeExemplars {
    next: AtomicUsize,
    slots: [ExemplarSlot; MAX_NATIVE_EXEMPLARS],
}

impl NativeExemplars {
    pub(super) fn store(&self, exemplar: Exemplar) {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % MAX_NATIVE_EXEMPLARS;
        self.slots[index].store(exemplar);
    }

    /// The exemplars held, sorted by value, as client_golang lists them.
    pub(super) fn load(&self) -> Vec<Exemplar> {
        if self.next.load(Ordering::Relaxed) == 0 {
            return Vec::new();
        }
        let mut exemplars: Vec<Exemplar> =
            self.slots.iter().filter_map(ExemplarSlot::load).collect();
        exemplars.sort_by(|a, b| a.value.total_cmp(&b.value));
        exemplars
    }
}
