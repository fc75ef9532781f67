//! Families and series in the store: found without the lock, made under it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::layout::*;
use super::{Store, corrupt};
use crate::error::{Error, Result};

/// What values a family keeps in the store.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreKind {
    Counter,
    Gauge(super::GaugeMode),
    /// A classic histogram with these upper bounds (ending with `+Inf`).
    Histogram(Arc<[f64]>),
    /// A summary's count and sum.
    Summary,
    /// A histogram with native buckets (and these classic bounds, empty for none), kept at
    /// `schema` and reduced to `max_buckets` when read.
    NativeHistogram {
        bounds: Arc<[f64]>,
        schema: i32,
        zero_threshold: f64,
        max_buckets: u32,
    },
    /// Info labels: the latest set by any process.
    Info,
    /// A state set with these states; an enum (`enumeration`) starts in the first one.
    StateSet {
        states: Arc<[Box<str>]>,
        enumeration: bool,
    },
}

impl StoreKind {
    fn code(&self) -> u32 {
        match self {
            StoreKind::Counter => KIND_COUNTER,
            StoreKind::Gauge(_) => KIND_GAUGE,
            StoreKind::Histogram(_) => KIND_HISTOGRAM,
            StoreKind::Summary => KIND_SUMMARY,
            StoreKind::NativeHistogram { .. } => KIND_NATIVE_HISTOGRAM,
            StoreKind::Info => KIND_INFO,
            StoreKind::StateSet { .. } => KIND_STATE_SET,
        }
    }

    fn mode(&self) -> u32 {
        match self {
            StoreKind::Gauge(mode) => *mode as u32,
            StoreKind::StateSet { enumeration, .. } => u32::from(*enumeration),
            StoreKind::NativeHistogram { schema, .. } => *schema as u32,
            _ => 0,
        }
    }

    /// A native histogram family's shape.
    pub fn native_shape(&self) -> Option<super::NativeShape<'_>> {
        match self {
            StoreKind::NativeHistogram {
                bounds,
                schema,
                zero_threshold,
                max_buckets,
            } => Some(super::NativeShape {
                bounds,
                schema: *schema,
                zero_threshold: *zero_threshold,
                max_buckets: *max_buckets,
            }),
            _ => None,
        }
    }

    fn states(&self) -> &[Box<str>] {
        match self {
            StoreKind::StateSet { states, .. } => states,
            _ => &[],
        }
    }

    fn bounds(&self) -> &[f64] {
        match self {
            StoreKind::Histogram(bounds) | StoreKind::NativeHistogram { bounds, .. } => bounds,
            _ => &[],
        }
    }

    fn describe(&self) -> String {
        match self {
            StoreKind::Counter => "a counter".into(),
            StoreKind::Gauge(mode) => format!("a gauge in mode {:?}", mode.name()),
            StoreKind::Histogram(bounds) => format!("a histogram with buckets {bounds:?}"),
            StoreKind::Summary => "a summary".into(),
            StoreKind::NativeHistogram {
                bounds,
                schema,
                zero_threshold,
                max_buckets,
            } => format!(
                "a native histogram of schema {schema}, zero threshold {zero_threshold}, at most \
                 {max_buckets} buckets, classic buckets {bounds:?}"
            ),
            StoreKind::Info => "an info".into(),
            StoreKind::StateSet { states, .. } => format!("a state set of {states:?}"),
        }
    }
}

/// The schemas of native buckets, -4 (coarsest) to 8 (finest).
const SCHEMA_RANGE: std::ops::RangeInclusive<i32> = -4..=8;

/// A family as every process describes it: a second process naming it must describe it alike.
#[derive(Clone, Debug, PartialEq)]
pub struct FamilyDesc {
    /// The family name (a counter's without `_total`).
    pub name: String,
    pub help: String,
    pub unit: Option<String>,
    /// Every label name of its series, constant ones first.
    pub label_names: Vec<String>,
    pub kind: StoreKind,
}

/// A family record read back.
pub(crate) struct StoredFamily {
    pub offset: u64,
    pub desc: FamilyDesc,
}

/// A series record read back: its family, label values and value block.
pub(crate) struct StoredSeries<'a> {
    pub family: u64,
    pub values: Vec<&'a str>,
    pub block: u64,
}

/// Label pairs as info and exemplar records keep them: a `u32` count, then each name and value
/// as [`put_str`] writes them.
pub(super) fn encode_labels(labels: &crate::snapshot::LabelSet) -> Vec<u8> {
    let mut out = (labels.len() as u32).to_le_bytes().to_vec();
    for (name, value) in labels.iter() {
        put_str(&mut out, name);
        put_str(&mut out, value);
    }
    out
}

/// The labels [`encode_labels`] wrote; `None` when the bytes are not such labels.
pub(super) fn decode_labels(bytes: &[u8]) -> Option<crate::snapshot::LabelSet> {
    let count = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let strs = get_strs(&bytes[4..], 2 * count)?;
    let pairs: Vec<(&str, &str)> = strs.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    crate::snapshot::LabelSet::new(&pairs).ok()
}

pub(super) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Strings written by [`put_str`], `count` of them.
pub(super) fn get_strs(mut bytes: &[u8], count: usize) -> Option<Vec<&str>> {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let s = std::str::from_utf8(bytes.get(4..4 + len)?).ok()?;
        out.push(s);
        bytes = &bytes[4 + len..];
    }
    bytes.is_empty().then_some(out)
}

impl Store {
    /// The offset of the family `desc` names, made if the store has none. A family of that
    /// name described otherwise (another type, labels, buckets or mode) is refused.
    pub fn family(&self, desc: &FamilyDesc) -> Result<u64> {
        if let Some(found) = self.find_family(desc)? {
            return Ok(found);
        }
        let guard = self.lock.lock()?;
        if let Some(found) = self.find_family(desc)? {
            return Ok(found);
        }
        let mut strings = Vec::new();
        put_str(&mut strings, &desc.name);
        put_str(&mut strings, &desc.help);
        put_str(&mut strings, desc.unit.as_deref().unwrap_or(""));
        for name in &desc.label_names {
            put_str(&mut strings, name);
        }
        for state in desc.kind.states() {
            put_str(&mut strings, state);
        }
        let bounds = desc.kind.bounds();
        let head = std::mem::size_of::<FamilyRecord>() as u64;
        let len = head + bounds.len() as u64 * 8 + strings.len() as u64;
        let offset = self.alloc(len, 8, &guard)?;
        let base = self.block(offset, len)? as *mut u8;
        let record = FamilyRecord {
            next: AtomicU64::new(self.header().families.load(Ordering::Acquire)),
            kind: desc.kind.code(),
            mode: desc.kind.mode(),
            n_labels: desc.label_names.len() as u32,
            n_bounds: bounds.len() as u32,
            strings_len: strings.len() as u32,
            n_states: desc.kind.states().len() as u32,
            zero_threshold: match desc.kind {
                StoreKind::NativeHistogram { zero_threshold, .. } => zero_threshold.to_bits(),
                _ => 0,
            },
            max_buckets: match desc.kind {
                StoreKind::NativeHistogram { max_buckets, .. } => max_buckets,
                _ => 0,
            },
            _pad: 0,
        };
        // SAFETY: `len` fresh bytes at `base`, allocated above and not yet published.
        unsafe {
            base.cast::<FamilyRecord>().write(record);
            let mut at = base.add(head as usize);
            for bound in bounds {
                at.cast::<u64>().write_unaligned(bound.to_bits());
                at = at.add(8);
            }
            std::ptr::copy_nonoverlapping(strings.as_ptr(), at, strings.len());
        }
        self.header().families.store(offset, Ordering::Release);
        Ok(offset)
    }

    fn find_family(&self, desc: &FamilyDesc) -> Result<Option<u64>> {
        for family in self.families()? {
            if family.desc.name == desc.name {
                if family.desc.kind != desc.kind || family.desc.label_names != desc.label_names {
                    return Err(Error::InvalidConfig(format!(
                        "the shared store has the family {:?} as {} with labels {:?}; this \
                         process makes it {} with labels {:?}",
                        desc.name,
                        family.desc.kind.describe(),
                        family.desc.label_names,
                        desc.kind.describe(),
                        desc.label_names
                    )));
                }
                return Ok(Some(family.offset));
            }
        }
        Ok(None)
    }

    /// Every family, newest first.
    pub(crate) fn families(&self) -> Result<Vec<StoredFamily>> {
        let mut out = Vec::new();
        let mut offset = self.header().families.load(Ordering::Acquire);
        while offset != 0 {
            let family = self.read_family(offset)?;
            out.push(family);
            if out.len() as u64 > self.capacity / 32 {
                return Err(corrupt(&self.path, "its family list loops"));
            }
            offset = self
                .at::<FamilyRecord>(offset)?
                .next
                .load(Ordering::Acquire);
        }
        Ok(out)
    }

    fn read_family(&self, offset: u64) -> Result<StoredFamily> {
        let record = self.at::<FamilyRecord>(offset)?;
        let head = std::mem::size_of::<FamilyRecord>() as u64;
        let n_bounds = u64::from(record.n_bounds);
        let bounds_bytes = self.bytes(offset + head, n_bounds * 8)?;
        let bounds: Vec<f64> = bounds_bytes
            .chunks_exact(8)
            .map(|b| f64::from_bits(u64::from_le_bytes(b.try_into().unwrap_or_default())))
            .collect();
        let strings = self.bytes(offset + head + n_bounds * 8, u64::from(record.strings_len))?;
        let bad = || {
            corrupt(
                &self.path,
                format!("a family record at {offset} is damaged"),
            )
        };
        let n_labels = record.n_labels as usize;
        let strs = get_strs(strings, 3 + n_labels + record.n_states as usize).ok_or_else(bad)?;
        let kind = match record.kind {
            KIND_COUNTER => StoreKind::Counter,
            KIND_GAUGE => {
                StoreKind::Gauge(super::GaugeMode::from_code(record.mode).ok_or_else(bad)?)
            }
            KIND_HISTOGRAM if !bounds.is_empty() => StoreKind::Histogram(bounds.into()),
            KIND_SUMMARY => StoreKind::Summary,
            KIND_NATIVE_HISTOGRAM
                if (SCHEMA_RANGE).contains(&(record.mode as i32))
                    && f64::from_bits(record.zero_threshold) >= 0.0 =>
            {
                StoreKind::NativeHistogram {
                    bounds: bounds.into(),
                    schema: record.mode as i32,
                    zero_threshold: f64::from_bits(record.zero_threshold),
                    max_buckets: record.max_buckets,
                }
            }
            KIND_INFO => StoreKind::Info,
            KIND_STATE_SET if record.n_states > 0 && record.mode <= 1 => StoreKind::StateSet {
                states: strs[3 + n_labels..].iter().map(|s| Box::from(*s)).collect(),
                enumeration: record.mode == 1,
            },
            _ => return Err(bad()),
        };
        if record.kind != KIND_STATE_SET && record.n_states != 0 {
            return Err(bad());
        }
        Ok(StoredFamily {
            offset,
            desc: FamilyDesc {
                name: strs[0].to_owned(),
                help: strs[1].to_owned(),
                unit: Some(strs[2].to_owned()).filter(|u| !u.is_empty()),
                label_names: strs[3..3 + n_labels]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                kind,
            },
        })
    }

    /// Bytes of the value block of a series of `family`.
    pub(crate) fn block_len(&self, kind: &StoreKind) -> u64 {
        match kind {
            StoreKind::Counter => counter_block(self.shards),
            StoreKind::Gauge(_) => gauge_block(self.max_processes),
            StoreKind::Histogram(bounds) => histogram_block(bounds.len() as u32),
            StoreKind::Summary => SUMMARY_BLOCK,
            StoreKind::NativeHistogram { bounds, .. } => native_block(bounds.len() as u32),
            StoreKind::Info => INFO_BLOCK,
            StoreKind::StateSet { states, .. } => state_set_block(states.len() as u32),
        }
    }

    /// The offset of the value block of the series of `family` (a [`Store::family`] offset)
    /// with these label values (constant ones first), made at zero if the store has none.
    pub fn series(&self, family: u64, kind: &StoreKind, values: &[&str]) -> Result<u64> {
        let hash = series_hash(family, values);
        if let Some(block) = self.find_series(family, hash, values)? {
            return Ok(block);
        }
        let guard = self.lock.lock()?;
        if let Some(block) = self.find_series(family, hash, values)? {
            return Ok(block);
        }
        let mut labels = Vec::new();
        for value in values {
            put_str(&mut labels, value);
        }
        let block = self.alloc(self.block_len(kind), BLOCK_ALIGN, &guard)?;
        if let StoreKind::StateSet {
            enumeration: true, ..
        } = kind
        {
            // An enum starts in its first state, as one in a process does.
            self.words(block, 8)?[0].store(1, Ordering::Relaxed);
        }
        let head = std::mem::size_of::<SeriesRecord>() as u64;
        let offset = self.alloc(head + labels.len() as u64, 8, &guard)?;
        let bucket = self.bucket(hash)?;
        let base = self.block(offset, head + labels.len() as u64)? as *mut u8;
        let record = SeriesRecord {
            next: AtomicU64::new(bucket.load(Ordering::Acquire)),
            family,
            hash,
            block,
            labels_len: labels.len() as u32,
            _pad: 0,
        };
        // SAFETY: fresh bytes allocated above, not yet published.
        unsafe {
            base.cast::<SeriesRecord>().write(record);
            std::ptr::copy_nonoverlapping(labels.as_ptr(), base.add(head as usize), labels.len());
        }
        bucket.store(offset, Ordering::Release);
        self.header().series.fetch_add(1, Ordering::Relaxed);
        Ok(block)
    }

    fn bucket(&self, hash: u64) -> Result<&AtomicU64> {
        let index = hash & u64::from(self.index_buckets - 1);
        self.at::<AtomicU64>(self.index_offset + index * 8)
    }

    fn find_series(&self, family: u64, hash: u64, values: &[&str]) -> Result<Option<u64>> {
        let mut offset = self.bucket(hash)?.load(Ordering::Acquire);
        let mut steps = 0u64;
        while offset != 0 {
            let record = self.at::<SeriesRecord>(offset)?;
            if record.family == family && record.hash == hash {
                let series = self.read_series(offset)?;
                if series.values == values {
                    return Ok(Some(record.block));
                }
            }
            steps += 1;
            if steps > self.header().series.load(Ordering::Relaxed) + 1 {
                return Err(corrupt(&self.path, "its series index loops"));
            }
            offset = record.next.load(Ordering::Acquire);
        }
        Ok(None)
    }

    fn read_series(&self, offset: u64) -> Result<StoredSeries<'_>> {
        let record = self.at::<SeriesRecord>(offset)?;
        let head = std::mem::size_of::<SeriesRecord>() as u64;
        let bytes = self.bytes(offset + head, u64::from(record.labels_len))?;
        let mut values = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let len = rest
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or_else(|| corrupt(&self.path, "a series record is damaged"))?
                as usize;
            let value = rest
                .get(4..4 + len)
                .and_then(|b| std::str::from_utf8(b).ok())
                .ok_or_else(|| corrupt(&self.path, "a series record is damaged"))?;
            values.push(value);
            rest = &rest[4 + len..];
        }
        Ok(StoredSeries {
            family: record.family,
            values,
            block: record.block,
        })
    }

    /// Every series, in no particular order.
    pub(crate) fn all_series(&self) -> Result<Vec<StoredSeries<'_>>> {
        let total = self.header().series.load(Ordering::Acquire);
        // A count read from a corrupt file must not size the vector.
        let mut out = Vec::with_capacity(total.min(self.capacity / 64) as usize);
        for index in 0..u64::from(self.index_buckets) {
            let mut offset = self
                .at::<AtomicU64>(self.index_offset + index * 8)?
                .load(Ordering::Acquire);
            while offset != 0 {
                out.push(self.read_series(offset)?);
                if out.len() as u64 > total + u64::from(self.index_buckets) {
                    return Err(corrupt(&self.path, "its series index loops"));
                }
                offset = self
                    .at::<SeriesRecord>(offset)?
                    .next
                    .load(Ordering::Acquire);
            }
        }
        Ok(out)
    }
}
