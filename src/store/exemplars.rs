//! Exemplars in the store: a record per counter or histogram bucket that has had one, made on
//! the first and overwritten in place while the next fits, so a series' exemplars take a
//! bounded room however often they change. Written and read under the store's lock: only the
//! updates that carry an exemplar pay for it, as in one process they take the slot's mutex.

use std::sync::atomic::{AtomicU64, Ordering};

use super::layout::*;
use super::lock::SharedGuard;
use super::records::{decode_labels, encode_labels};
use super::{Store, corrupt};
use crate::error::Result;
use crate::snapshot::Exemplar;

/// The smallest record's room for labels; a record that must grow doubles.
const MIN_LABEL_BYTES: u64 = 64;

impl Store {
    /// Makes `exemplar` the latest of the slot at `slot` (an offset inside a value block, see
    /// [`counter_exemplar`] and [`histogram_exemplars`]).
    pub fn set_exemplar(&self, slot: u64, exemplar: &Exemplar) -> Result<()> {
        let encoded = encode_labels(&exemplar.labels);
        let len = encoded.len() as u64;
        let guard = self.lock.lock()?;
        let word = self.at::<AtomicU64>(slot)?;
        let mut offset = word.load(Ordering::Acquire);
        let fits = offset != 0 && self.record(offset)?.capacity.load(Ordering::Relaxed) >= len;
        if !fits {
            let capacity = len.next_power_of_two().max(MIN_LABEL_BYTES);
            let head = std::mem::size_of::<ExemplarRecord>() as u64;
            offset = self.alloc(head + capacity, 8, &guard)?;
            self.record(offset)?
                .capacity
                .store(capacity, Ordering::Relaxed);
        }
        let record = self.record(offset)?;
        record.state.store(EXEMPLAR_WRITING, Ordering::Relaxed);
        let at = self.block(offset + std::mem::size_of::<ExemplarRecord>() as u64, len)? as *mut u8;
        // SAFETY: `len` bytes of the record's room, checked to be in the file; every reader
        // holds the lock this process holds.
        unsafe { std::ptr::copy_nonoverlapping(encoded.as_ptr(), at, encoded.len()) };
        record.len.store(len, Ordering::Relaxed);
        record
            .value
            .store(exemplar.value.to_bits(), Ordering::Relaxed);
        record.timestamp.store(
            exemplar.timestamp.unwrap_or(0.0).to_bits(),
            Ordering::Relaxed,
        );
        record
            .has_timestamp
            .store(u64::from(exemplar.timestamp.is_some()), Ordering::Relaxed);
        record.state.store(EXEMPLAR_READY, Ordering::Release);
        word.store(offset, Ordering::Release);
        Ok(())
    }

    /// The latest exemplar of the slot at `slot`, `None` when it never had one.
    pub fn exemplar(&self, slot: u64) -> Result<Option<Exemplar>> {
        if self.at::<AtomicU64>(slot)?.load(Ordering::Acquire) == 0 {
            return Ok(None);
        }
        let guard = self.lock.lock()?;
        self.exemplar_locked(slot, &guard)
    }

    /// Forgets the exemplar of the slot at `slot` (its record stays for the next).
    pub fn clear_exemplar(&self, slot: u64) -> Result<()> {
        let offset = self.at::<AtomicU64>(slot)?.load(Ordering::Acquire);
        if offset != 0 {
            let _guard = self.lock.lock()?;
            self.record(offset)?.state.store(0, Ordering::Release);
        }
        Ok(())
    }

    /// [`Store::exemplar`] for a caller holding the lock.
    pub(crate) fn exemplar_locked(
        &self,
        slot: u64,
        _: &SharedGuard<'_>,
    ) -> Result<Option<Exemplar>> {
        let offset = self.at::<AtomicU64>(slot)?.load(Ordering::Acquire);
        if offset == 0 {
            return Ok(None);
        }
        let record = self.record(offset)?;
        // A record left half written by a process killed writing it is no exemplar.
        if record.state.load(Ordering::Acquire) != EXEMPLAR_READY {
            return Ok(None);
        }
        let len = record.len.load(Ordering::Relaxed);
        let bad = || {
            corrupt(
                &self.path,
                format!("an exemplar record at {offset} is damaged"),
            )
        };
        if len > record.capacity.load(Ordering::Relaxed) {
            return Err(bad());
        }
        let bytes = self.bytes(offset + std::mem::size_of::<ExemplarRecord>() as u64, len)?;
        Ok(Some(Exemplar {
            labels: decode_labels(bytes).ok_or_else(bad)?,
            value: f64::from_bits(record.value.load(Ordering::Relaxed)),
            timestamp: (record.has_timestamp.load(Ordering::Relaxed) == 1)
                .then(|| f64::from_bits(record.timestamp.load(Ordering::Relaxed))),
        }))
    }

    fn record(&self, offset: u64) -> Result<&ExemplarRecord> {
        self.at::<ExemplarRecord>(offset)
    }

    /// The offset in the file of an address inside its mapping (a value block's cells).
    pub(crate) fn offset_of(&self, address: *const u8) -> u64 {
        address as u64 - self.base as u64
    }
}
