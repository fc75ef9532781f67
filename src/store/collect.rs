//! Reading the store: every process's values in one pass, as the families a registry collects.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::gauge_mode::Combined;
use super::layout::*;
use super::lock::SharedGuard;
use super::{GaugeMode, Store, StoreKind};
use crate::collector::{Collector, Descriptor};
use crate::error::Result;
use crate::snapshot::{LabelSet, MetricFamily, MetricPoint, MetricType, PointValue};
use crate::util::cumulate;

/// The collector of a store: registered in a registry, it exposes what every process put there.
/// It describes nothing ahead (the families are whatever the processes made), as
/// prometheus_client's `MultiProcessCollector` does.
#[derive(Debug, Clone)]
pub struct StoreCollector {
    store: Arc<Store>,
}

impl StoreCollector {
    pub fn new(store: Arc<Store>) -> Self {
        StoreCollector { store }
    }
}

impl Collector for StoreCollector {
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        // A store that cannot be read (corrupt) exposes nothing rather than half of itself;
        // the error is in `Store::read`'s result for callers that want it.
        if let Ok(families) = self.store.read() {
            out.extend(families);
        }
    }

    fn name(&self) -> String {
        "prometheus_emulator_store".into()
    }
}

impl Store {
    /// Every family in the store with every process's values, families by name and series by
    /// labels. Retires the slots of processes that have died first.
    pub fn read(&self) -> Result<Vec<MetricFamily>> {
        // Under the lock: a process being retired moves its gauge values to the dead fold,
        // and a read must see them in one place or the other.
        let guard = self.lock.lock()?;
        self.sweep(&guard)?;
        let families = self.families()?;
        let mut index: HashMap<u64, usize> = HashMap::new();
        let mut out: Vec<Collected> = Vec::with_capacity(families.len());
        for family in &families {
            index.insert(family.offset, out.len());
            let desc = &family.desc;
            let names: Arc<[Box<str>]> = desc
                .label_names
                .iter()
                .map(|n| Box::from(n.as_str()))
                .collect();
            let with_pid = match desc.kind {
                StoreKind::Gauge(mode) if mode.per_process() => Some(
                    desc.label_names
                        .iter()
                        .map(String::as_str)
                        .chain(["pid"])
                        .map(Box::from)
                        .collect(),
                ),
                _ => None,
            };
            let kind = match desc.kind {
                StoreKind::Counter => MetricType::Counter,
                StoreKind::Gauge(_) => MetricType::Gauge,
                StoreKind::Histogram(_) | StoreKind::NativeHistogram { .. } => {
                    MetricType::Histogram
                }
                StoreKind::Summary => MetricType::Summary,
                StoreKind::Info => MetricType::Info,
                StoreKind::StateSet { .. } => MetricType::StateSet,
            };
            let collected = MetricFamily {
                name: desc.name.as_str().into(),
                help: desc.help.as_str().into(),
                kind,
                unit: desc.unit.as_deref().map(Arc::from),
                points: Vec::new(),
            };
            out.push((collected, names, with_pid));
        }
        let processes = self.processes()?;
        let mut all = self.all_series()?;
        all.sort_unstable_by(|a, b| (a.family, &a.values).cmp(&(b.family, &b.values)));
        for series in all {
            let Some(&at) = index.get(&series.family) else {
                continue;
            };
            let kind = &families[at].desc.kind;
            let (collected, names, with_pid) = &mut out[at];
            match kind {
                StoreKind::Counter => {
                    let value = self.counter_value(series.block)?;
                    let slot = series.block + counter_exemplar(self.shards);
                    collected.points.push(point(
                        names,
                        &series.values,
                        PointValue::Counter {
                            value,
                            created: None,
                            exemplar: self.exemplar_locked(slot, &guard)?,
                        },
                    ));
                }
                StoreKind::Histogram(bounds) => {
                    let value = self.histogram_value(series.block, bounds, &guard)?;
                    collected.points.push(point(names, &series.values, value));
                }
                StoreKind::Summary => {
                    let words = self.words(series.block, SUMMARY_BLOCK)?;
                    let value = PointValue::Summary {
                        quantiles: Vec::new(),
                        count: words[0].load(Ordering::Relaxed),
                        sum: f64::from_bits(words[1].load(Ordering::Relaxed)),
                        created: None,
                    };
                    collected.points.push(point(names, &series.values, value));
                }
                StoreKind::NativeHistogram { bounds, .. } => {
                    let shape = kind.native_shape().ok_or_else(|| {
                        super::corrupt(&self.path, "a native histogram without a shape")
                    })?;
                    let read = self.native_locked(series.block, &shape, &guard)?;
                    let value = PointValue::Histogram {
                        bounds: bounds.clone(),
                        cumulative: cumulate(&read.classic),
                        sum: read.sum,
                        count: read.count,
                        created: None,
                        exemplars: read.exemplars,
                        native: Some(Box::new(read.buckets)),
                    };
                    collected.points.push(point(names, &series.values, value));
                }
                StoreKind::Info => {
                    let value = PointValue::Info {
                        info: self.info(series.block)?,
                    };
                    collected.points.push(point(names, &series.values, value));
                }
                StoreKind::StateSet { states, .. } => {
                    let words = self.words(series.block, state_set_block(states.len() as u32))?;
                    let value = PointValue::StateSet {
                        states: states.clone(),
                        active: words
                            .iter()
                            .map(|w| w.load(Ordering::Relaxed) != 0)
                            .collect(),
                    };
                    collected.points.push(point(names, &series.values, value));
                }
                StoreKind::Gauge(mode) => {
                    let (dead, entries) = self.gauge_block(series.block)?;
                    if let Some(with_pid) = with_pid {
                        for &(slot, pid, live) in &processes {
                            let entry = &entries[slot];
                            if entry.stamp.load(Ordering::Acquire) == 0
                                || (!live && mode.live_only())
                            {
                                continue;
                            }
                            let pid = pid.to_string();
                            let values: Vec<&str> = series
                                .values
                                .iter()
                                .copied()
                                .chain([pid.as_str()])
                                .collect();
                            let value = f64::from_bits(entry.bits.load(Ordering::Relaxed));
                            collected.points.push(point(
                                with_pid,
                                &values,
                                PointValue::Gauge { value },
                            ));
                        }
                    } else if let Some(value) = combine(*mode, dead, entries, &processes) {
                        collected.points.push(point(
                            names,
                            &series.values,
                            PointValue::Gauge { value },
                        ));
                    }
                }
            }
        }
        drop(guard);
        let mut families: Vec<MetricFamily> =
            out.into_iter().map(|(family, _, _)| family).collect();
        families.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(families)
    }

    /// `(slot, pid, live)` of every slot holding a process, live or dead.
    fn processes(&self) -> Result<Vec<(usize, i64, bool)>> {
        let mut out = Vec::new();
        for index in 0..self.max_processes as usize {
            let slot = self.slot(index)?;
            let state = slot.state.load(Ordering::Acquire);
            if state != SLOT_FREE {
                out.push((index, slot.pid.load(Ordering::Relaxed), state == SLOT_LIVE));
            }
        }
        Ok(out)
    }

    fn counter_value(&self, block: u64) -> Result<f64> {
        let words = self.words(block, counter_exemplar(self.shards))?;
        let (mut whole, mut fraction) = (0u64, 0.0);
        for cell in words.chunks_exact(8) {
            whole = whole
                .wrapping_add(cell[0].load(Ordering::Relaxed))
                .wrapping_add(cell[1].load(Ordering::Relaxed));
            fraction += f64::from_bits(cell[2].load(Ordering::Relaxed));
        }
        Ok(whole as f64 + fraction)
    }

    fn histogram_value(
        &self,
        block: u64,
        bounds: &Arc<[f64]>,
        guard: &SharedGuard<'_>,
    ) -> Result<PointValue> {
        let n_bounds = bounds.len() as u32;
        let words = self.words(block, histogram_block(n_bounds))?;
        let slots = block + histogram_exemplars(n_bounds);
        let mut exemplars = Vec::new();
        if words[bounds.len() + 1..]
            .iter()
            .any(|w| w.load(Ordering::Acquire) != 0)
        {
            for i in 0..u64::from(n_bounds) {
                exemplars.push(self.exemplar_locked(slots + i * 8, guard)?);
            }
        }
        let mut running = 0u64;
        let cumulative: Vec<u64> = words[..bounds.len()]
            .iter()
            .map(|count| {
                // Acquire: the sums of the observations counted here are visible below.
                running += count.load(Ordering::Acquire);
                running
            })
            .collect();
        Ok(PointValue::Histogram {
            bounds: bounds.clone(),
            cumulative,
            sum: f64::from_bits(words[bounds.len()].load(Ordering::Relaxed)),
            count: running,
            created: None,
            exemplars,
            native: None,
        })
    }

    /// The words of a value block.
    pub(crate) fn words(&self, block: u64, len: u64) -> Result<&[AtomicU64]> {
        let base = self.block(block, len)?;
        if block % 8 != 0 {
            return Err(super::corrupt(&self.path, "a value block is misaligned"));
        }
        // SAFETY: `len` bytes of the mapping, 8-aligned.
        Ok(unsafe { std::slice::from_raw_parts(base.cast::<AtomicU64>(), len as usize / 8) })
    }
}

/// A family being collected, with its label names and, for the per-process gauge modes, the
/// same names and `pid`.
type Collected = (MetricFamily, Arc<[Box<str>]>, Option<Arc<[Box<str>]>>);

fn point(names: &Arc<[Box<str>]>, values: &[&str], value: PointValue) -> MetricPoint {
    MetricPoint {
        labels: LabelSet::from_parts(names.clone(), values),
        value,
        timestamp: None,
    }
}

/// A gauge series' value under a combining mode; `None` when no process counted has one.
fn combine(
    mode: GaugeMode,
    dead: &GaugeDead,
    entries: &[GaugeEntry],
    processes: &[(usize, i64, bool)],
) -> Option<f64> {
    let mut combined = Combined::new(mode);
    if let (false, Some((value, stamp))) = (mode.live_only(), dead.folded()) {
        combined.add(value, stamp);
    }
    for &(slot, _, live) in processes {
        let entry = &entries[slot];
        let stamp = entry.stamp.load(Ordering::Acquire);
        if live && stamp != 0 {
            combined.add(
                f64::from_bits(entry.bits.load(Ordering::Relaxed)),
                f64::from_bits(stamp),
            );
        }
    }
    combined.value()
}
