//! The labels of info series in the store: each change is a new record, published by one store
//! of its offset in the series' value block, so a process reads them without the lock.

use std::sync::atomic::Ordering;

use super::records::{decode_labels, encode_labels};
use super::{Store, corrupt};
use crate::error::Result;
use crate::snapshot::LabelSet;

impl Store {
    /// Replaces the labels of the info series whose value block is `block`. Setting the labels
    /// it has already changes nothing; other labels take their size in the store for good (the
    /// bump allocator never frees), which is what info labels, set at start-up, can afford.
    pub fn set_info(&self, block: u64, labels: &LabelSet) -> Result<()> {
        let encoded = encode_labels(labels);
        let guard = self.lock.lock()?;
        let slot = &self.words(block, super::layout::INFO_BLOCK)?[0];
        let current = slot.load(Ordering::Acquire);
        if current != 0 && self.info_bytes(current)? == encoded.as_slice() {
            return Ok(());
        }
        let len = encoded.len() as u64;
        let offset = self.alloc(8 + len, 8, &guard)?;
        let base = self.block(offset, 8 + len)? as *mut u8;
        // SAFETY: `8 + len` fresh bytes at `base`, allocated above and not yet published.
        unsafe {
            base.cast::<u64>().write(len);
            std::ptr::copy_nonoverlapping(encoded.as_ptr(), base.add(8), encoded.len());
        }
        slot.store(offset, Ordering::Release);
        Ok(())
    }

    /// The labels of the info series whose value block is `block` (none before the first set).
    pub fn info(&self, block: u64) -> Result<LabelSet> {
        let current = self.words(block, super::layout::INFO_BLOCK)?[0].load(Ordering::Acquire);
        if current == 0 {
            return Ok(LabelSet::empty());
        }
        let bytes = self.info_bytes(current)?;
        decode_labels(bytes).ok_or_else(|| {
            corrupt(
                &self.path,
                format!("an info record at {current} is damaged"),
            )
        })
    }

    /// The encoded labels of the record at `offset`.
    fn info_bytes(&self, offset: u64) -> Result<&[u8]> {
        let len = self.words(offset, 8)?[0].load(Ordering::Relaxed);
        self.bytes(offset + 8, len)
    }
}
