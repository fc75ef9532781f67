//! Native buckets of a histogram series in a shared store (see `store::native`): every process
//! counts into the same buckets, kept at the family's schema and reduced to its bucket limit when
//! read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::NativeRead;
use super::key::key_of;
use crate::error::Result;
use crate::metric::shared_cells::SharedCells;
use crate::metric::value::AtomicF64;
use crate::snapshot::{Exemplar, NativeBuckets};
use crate::store::layout::native_exemplars;
use crate::store::layout::{
    NATIVE_NEGATIVE, NATIVE_POSITIVE, NATIVE_SUM, NATIVE_WORDS, NATIVE_ZERO,
};
use crate::store::{NativeShape, Store, StoreKind};

pub(crate) struct SharedNative {
    /// The block's words up to the bucket tables' offsets: a count per classic bucket, the
    /// sum, the zero bucket.
    cells: SharedCells<AtomicU64>,
    store: Arc<Store>,
    block: u64,
    kind: StoreKind,
    n_bounds: usize,
    schema: i32,
    zero_threshold: f64,
}

impl SharedNative {
    /// The native state of the series whose value block is `block`, of a family of `kind`.
    pub(crate) fn new(store: &Arc<Store>, kind: &StoreKind, block: u64) -> Result<Self> {
        let shape = kind.native_shape().ok_or_else(|| {
            crate::error::Error::InvalidConfig("not a native histogram family".into())
        })?;
        let n_bounds = shape.bounds.len();
        // SAFETY: a native histogram block starts with a count per classic bucket and then
        // NATIVE_WORDS words (see `store::layout::native_block`), all atomic words.
        let cells =
            unsafe { SharedCells::in_store(store, block, n_bounds + NATIVE_WORDS as usize) }?;
        Ok(SharedNative {
            cells,
            store: store.clone(),
            block,
            n_bounds,
            schema: shape.schema,
            zero_threshold: shape.zero_threshold,
            kind: kind.clone(),
        })
    }

    fn word(&self, which: u64) -> &AtomicU64 {
        &self.cells[self.n_bounds + which as usize]
    }

    /// Counts one observation (not NaN) in classic bucket `classic_index`. A store too full
    /// for a new bucket's table is an error, and nothing is counted.
    pub(crate) fn observe(&self, value: f64, classic_index: usize) -> Result<()> {
        let count = if value > self.zero_threshold {
            let head = self.block + (self.n_bounds as u64 + NATIVE_POSITIVE) * 8;
            self.store.native_bucket(head, key_of(value, self.schema))?
        } else if value < -self.zero_threshold {
            let head = self.block + (self.n_bounds as u64 + NATIVE_NEGATIVE) * 8;
            self.store.native_bucket(head, key_of(value, self.schema))?
        } else {
            self.word(NATIVE_ZERO)
        };
        AtomicF64::from_bits_ref(self.word(NATIVE_SUM)).add_with(value, Ordering::Relaxed);
        if let Some(classic) = self.cells[..self.n_bounds].get(classic_index) {
            classic.fetch_add(1, Ordering::Relaxed);
        }
        // Release, last: a reader that sees this count sees the sum.
        count.fetch_add(1, Ordering::Release);
        Ok(())
    }

    /// Makes `exemplar` the latest of classic bucket `bucket` (of the one slot without them).
    pub(crate) fn store_exemplar(&self, bucket: usize, exemplar: &Exemplar) -> Result<()> {
        let slot = bucket.min(self.n_bounds.max(1) - 1) as u64;
        let slots = self.block + native_exemplars(self.n_bounds as u32);
        self.store.set_exemplar(slots + slot * 8, exemplar)
    }

    fn shape(&self) -> Option<NativeShape<'_>> {
        self.kind.native_shape()
    }

    /// Everything every process observed, and the latest exemplar per classic bucket; a store
    /// that cannot be read reads as empty.
    pub(crate) fn read(&self) -> (NativeRead, Vec<Option<Exemplar>>) {
        let read = self
            .shape()
            .and_then(|shape| self.store.native_histogram(self.block, &shape).ok());
        match read {
            Some(read) => (
                NativeRead {
                    classic: read.classic,
                    sum: read.sum,
                    count: read.count,
                    buckets: read.buckets,
                },
                read.exemplars,
            ),
            None => (
                NativeRead {
                    classic: vec![0; self.n_bounds],
                    sum: 0.0,
                    count: 0,
                    buckets: NativeBuckets::from_sorted(
                        self.schema,
                        self.zero_threshold,
                        0,
                        &[],
                        &[],
                        Vec::new(),
                    ),
                },
                Vec::new(),
            ),
        }
    }
}

impl std::fmt::Debug for SharedNative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedNative")
            .field("block", &self.block)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}
