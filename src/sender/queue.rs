//! The sender's queue: encoded batches waiting to be sent, oldest first, bounded by bytes and by
//! batches. A batch that does not fit displaces the oldest ones; nothing ever waits for room, so
//! a collection never blocks on a receiver that is down and the memory held stays bounded.
//!
//! Only the sender's thread touches the queue (it collects, encodes, enqueues and sends), so it
//! takes no lock: what other threads read of it (its size) is published through the sender's
//! self-metrics and its control block.

use std::collections::VecDeque;
use std::mem::size_of;

use crate::exposition::remote::Protocol;
use crate::snapshot::{MetricFamily, MetricPoint, NativeBuckets, PointValue};

/// One collection, encoded, on its way.
#[derive(Debug)]
pub(crate) struct Batch {
    /// The request body, as the encoder gave it.
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub headers: &'static [(&'static str, &'static str)],
    pub protocol: Protocol,
    pub samples: usize,
    pub histograms: usize,
    /// When the collection was made: what the points carry, kept for a re-encoding.
    pub timestamp_ms: i64,
    /// The families the batch was encoded from, kept only while a Remote Write 2.0 batch may
    /// still need re-encoding as 1.0 (see `worker`), and counted in the batch's bytes.
    pub families: Option<Vec<MetricFamily>>,
    /// What the batch counts for in the queue's byte bound.
    pub bytes: usize,
}

impl Batch {
    /// Recomputes [`Batch::bytes`] after the body or the families changed.
    pub fn account(&mut self) {
        self.bytes = self.body.len() + self.families.as_deref().map_or(0, families_bytes);
    }
}

/// What pushing a batch displaced.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Displaced {
    pub batches: usize,
    pub samples: usize,
    pub histograms: usize,
}

/// Batches oldest first, within both bounds.
#[derive(Debug)]
pub(crate) struct Queue {
    batches: VecDeque<Batch>,
    bytes: usize,
    max_bytes: usize,
    max_batches: usize,
}

impl Queue {
    pub fn new(max_bytes: usize, max_batches: usize) -> Self {
        Queue {
            batches: VecDeque::new(),
            bytes: 0,
            max_bytes,
            max_batches,
        }
    }

    /// Appends `batch`, dropping the oldest batches until it fits. A batch larger than the whole
    /// byte bound is dropped itself (and counted with what it displaced: nothing).
    pub fn push(&mut self, batch: Batch) -> Displaced {
        let mut displaced = Displaced::default();
        if batch.bytes > self.max_bytes {
            displaced.batches = 1;
            displaced.samples = batch.samples;
            displaced.histograms = batch.histograms;
            return displaced;
        }
        while !self.batches.is_empty()
            && (self.batches.len() >= self.max_batches || self.bytes + batch.bytes > self.max_bytes)
        {
            let oldest = self.pop().expect("not empty");
            displaced.batches += 1;
            displaced.samples += oldest.samples;
            displaced.histograms += oldest.histograms;
        }
        self.bytes += batch.bytes;
        self.batches.push_back(batch);
        displaced
    }

    pub fn front(&self) -> Option<&Batch> {
        self.batches.front()
    }

    /// Takes the oldest batch off.
    pub fn pop(&mut self) -> Option<Batch> {
        let batch = self.batches.pop_front()?;
        self.bytes -= batch.bytes;
        Some(batch)
    }

    /// Changes every batch in place (a re-encoding), keeping the byte count right. Batches that
    /// no longer fit afterwards are not dropped: a re-encoding only happens once per sender and
    /// Remote Write 1.0 bodies are larger than 2.0 ones by a small factor, so the bound is
    /// exceeded by at most that factor until the next push restores it.
    pub fn rewrite(&mut self, mut change: impl FnMut(&mut Batch)) {
        for batch in &mut self.batches {
            change(batch);
            batch.account();
        }
        self.bytes = self.batches.iter().map(|b| b.bytes).sum();
    }

    /// Takes every batch that `drop` picks off the queue: what went, counted.
    pub fn remove_where(&mut self, mut drop: impl FnMut(&Batch) -> bool) -> Displaced {
        let mut removed = Displaced::default();
        self.batches.retain(|batch| {
            if !drop(batch) {
                return true;
            }
            removed.batches += 1;
            removed.samples += batch.samples;
            removed.histograms += batch.histograms;
            false
        });
        self.bytes = self.batches.iter().map(|b| b.bytes).sum();
        removed
    }

    pub fn len(&self) -> usize {
        self.batches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Samples and histograms waiting, in all.
    pub fn pending(&self) -> (usize, usize) {
        self.batches
            .iter()
            .fold((0, 0), |(s, h), b| (s + b.samples, h + b.histograms))
    }
}

/// An estimate of the heap and inline bytes of gathered families: what keeping them costs.
fn families_bytes(families: &[MetricFamily]) -> usize {
    families
        .iter()
        .map(|family| {
            size_of::<MetricFamily>()
                + family.name.len()
                + family.help.len()
                + family.unit.as_deref().map_or(0, str::len)
                + family.points.iter().map(point_bytes).sum::<usize>()
        })
        .sum()
}

fn point_bytes(point: &MetricPoint) -> usize {
    // Label names are shared by a family's points: only the values are the point's own.
    let labels: usize = point.labels.iter().map(|(_, value)| value.len() + 8).sum();
    let value = match &point.value {
        PointValue::Histogram {
            cumulative,
            exemplars,
            native,
            ..
        } => {
            cumulative.len() * size_of::<u64>()
                + exemplars.len() * size_of::<Option<crate::snapshot::Exemplar>>()
                + native.as_ref().map_or(0, |n| {
                    size_of::<NativeBuckets>()
                        + (n.positive_counts.len() + n.negative_counts.len()) * size_of::<u64>()
                        + (n.positive_spans.len() + n.negative_spans.len())
                            * size_of::<crate::snapshot::BucketSpan>()
                })
        }
        PointValue::Summary { quantiles, .. } => quantiles.len() * 2 * size_of::<f64>(),
        PointValue::Info { info } => info.iter().map(|(n, v)| n.len() + v.len() + 16).sum(),
        PointValue::StateSet { active, .. } => active.len(),
        _ => 0,
    };
    size_of::<MetricPoint>() + labels + value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(bytes: usize, samples: usize) -> Batch {
        Batch {
            body: vec![0; bytes],
            content_type: "x",
            headers: &[],
            protocol: Protocol::RemoteWriteV1,
            samples,
            histograms: 0,
            timestamp_ms: 0,
            families: None,
            bytes,
        }
    }

    #[test]
    fn the_oldest_batches_make_room() {
        let mut queue = Queue::new(100, 3);
        for i in 0..3 {
            assert_eq!(queue.push(batch(10, i)), Displaced::default());
        }
        // The batch bound: one goes.
        let displaced = queue.push(batch(10, 7));
        assert_eq!((displaced.batches, displaced.samples), (1, 0));
        assert_eq!(queue.front().unwrap().samples, 1);
        // The byte bound: 30 held, 80 more need one of them gone.
        let displaced = queue.push(batch(80, 9));
        assert_eq!((displaced.batches, displaced.samples), (1, 1));
        assert_eq!((queue.len(), queue.bytes()), (3, 100));
        assert_eq!(queue.pending(), (2 + 7 + 9, 0));
        // Too large for any queue: dropped itself, the queue unchanged.
        let displaced = queue.push(batch(101, 5));
        assert_eq!((displaced.batches, displaced.samples), (1, 5));
        assert_eq!((queue.len(), queue.bytes()), (3, 100));
        assert_eq!(queue.pop().unwrap().samples, 2);
        assert_eq!(queue.bytes(), 90);
        let removed = queue.remove_where(|b| b.samples == 9);
        assert_eq!((removed.batches, removed.samples), (1, 9));
        assert_eq!((queue.len(), queue.bytes()), (1, 10));
    }
}
