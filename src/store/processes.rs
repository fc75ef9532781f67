//! The process table: a slot per live process, for its gauge values. A process takes a slot at
//! its first gauge update; a dead process's slot is found at the next sweep (each collection,
//! each slot claim, each `mark_process_dead`) and given to the next process that needs one.

use std::sync::atomic::Ordering;

use super::layout::*;
use super::liveness;
use super::lock::SharedGuard;
use super::{GaugeMode, Store, StoreKind};
use crate::error::{Error, Result};

impl Store {
    /// This process's slot, taken on first use (and again in a forked child).
    #[inline]
    pub fn process_slot(&self) -> Result<usize> {
        let mine = self.mine.load(Ordering::Acquire);
        if mine >> 32 == crate::sync::forks() + 1 {
            return Ok((mine & 0xffff_ffff) as usize);
        }
        self.claim_slot()
    }

    #[cold]
    fn claim_slot(&self) -> Result<usize> {
        let _claiming = self.claiming.lock();
        let forks = crate::sync::forks() + 1;
        let mine = self.mine.load(Ordering::Acquire);
        if mine >> 32 == forks {
            return Ok((mine & 0xffff_ffff) as usize);
        }
        let (pid, started) = liveness::this_process();
        let guard = self.lock.lock()?;
        self.sweep(&guard)?;
        let slots: Vec<&ProcessSlot> = (0..self.max_processes as usize)
            .map(|i| self.slot(i))
            .collect::<Result<_>>()?;
        let state = |i: usize| slots[i].state.load(Ordering::Acquire);
        let chosen = (0..slots.len())
            .find(|&i| state(i) == SLOT_FREE)
            .or_else(|| (0..slots.len()).find(|&i| state(i) == SLOT_DEAD))
            .ok_or_else(|| {
                Error::Store(format!(
                    "the store {} holds its max_processes of {} live processes",
                    self.path.display(),
                    self.max_processes
                ))
            })?;
        // What a dead process left in the slot (its `all`-mode values) goes with it.
        self.clear_gauge_entries(chosen, &guard)?;
        let slot = slots[chosen];
        slot.pid.store(pid, Ordering::Relaxed);
        slot.start_time.store(started, Ordering::Relaxed);
        slot.generation.fetch_add(1, Ordering::Relaxed);
        slot.state.store(SLOT_LIVE, Ordering::Release);
        self.mine
            .store(forks << 32 | chosen as u64, Ordering::Release);
        Ok(chosen)
    }

    pub(crate) fn slot(&self, index: usize) -> Result<&ProcessSlot> {
        self.at::<ProcessSlot>(self.processes_offset + index as u64 * 64)
    }

    /// Retires the slots of processes that are gone.
    pub(crate) fn sweep(&self, guard: &SharedGuard<'_>) -> Result<()> {
        for index in 0..self.max_processes as usize {
            let slot = self.slot(index)?;
            if slot.state.load(Ordering::Acquire) == SLOT_LIVE {
                let pid = slot.pid.load(Ordering::Relaxed);
                if !liveness::alive(pid, slot.start_time.load(Ordering::Relaxed)) {
                    self.retire(index, guard)?;
                }
            }
        }
        Ok(())
    }

    /// Marks the slots of process `pid` dead, as a server's worker-exit hook does when it has
    /// reaped the worker; returns how many it held. Collections find dead processes anyway:
    /// this makes it prompt.
    pub fn mark_process_dead(&self, pid: i64) -> Result<usize> {
        let guard = self.lock.lock()?;
        let mut marked = 0;
        for index in 0..self.max_processes as usize {
            let slot = self.slot(index)?;
            if slot.state.load(Ordering::Acquire) == SLOT_LIVE
                && slot.pid.load(Ordering::Relaxed) == pid
            {
                self.retire(index, &guard)?;
                marked += 1;
            }
        }
        Ok(marked)
    }

    /// Folds a dead process's gauge values into what the modes keep of the dead, and marks its
    /// slot dead. `all` keeps the process's own values, shown with its pid until the slot is
    /// taken again.
    fn retire(&self, index: usize, guard: &SharedGuard<'_>) -> Result<()> {
        self.for_each_gauge_entry(index, guard, |mode, dead, entry| {
            let stamp = entry.stamp.load(Ordering::Acquire);
            if stamp == 0 || mode == GaugeMode::All {
                return;
            }
            if !mode.live_only() {
                let value = f64::from_bits(entry.bits.load(Ordering::Relaxed));
                let stamp = f64::from_bits(stamp);
                let mut combined = super::gauge_mode::Combined::new(mode);
                if let Some((kept, kept_stamp)) = dead.folded() {
                    combined.add(kept, kept_stamp);
                }
                combined.add(value, stamp);
                dead.store(combined.value().unwrap_or(value), combined.stamp());
            }
            entry.stamp.store(0, Ordering::Release);
            entry.bits.store(0, Ordering::Relaxed);
        })?;
        self.slot(index)?.state.store(SLOT_DEAD, Ordering::Release);
        Ok(())
    }

    /// Zeroes slot `index`'s value of every gauge series, for the process taking it.
    fn clear_gauge_entries(&self, index: usize, guard: &SharedGuard<'_>) -> Result<()> {
        self.for_each_gauge_entry(index, guard, |_, _, entry| {
            entry.stamp.store(0, Ordering::Release);
            entry.bits.store(0, Ordering::Relaxed);
        })
    }

    fn for_each_gauge_entry(
        &self,
        index: usize,
        _guard: &SharedGuard<'_>,
        mut f: impl FnMut(GaugeMode, &GaugeDead, &GaugeEntry),
    ) -> Result<()> {
        let modes: Vec<(u64, GaugeMode)> = self
            .families()?
            .into_iter()
            .filter_map(|family| match family.desc.kind {
                StoreKind::Gauge(mode) => Some((family.offset, mode)),
                _ => None,
            })
            .collect();
        if modes.is_empty() {
            return Ok(());
        }
        for series in self.all_series()? {
            if let Some((_, mode)) = modes.iter().find(|(offset, _)| *offset == series.family) {
                let (dead, entries) = self.gauge_block(series.block)?;
                f(*mode, dead, &entries[index]);
            }
        }
        Ok(())
    }

    /// A gauge's value block: the dead processes' fold, then a value per slot (a process
    /// updates the one at its [`Store::process_slot`]).
    pub fn gauge_block(&self, block: u64) -> Result<(&GaugeDead, &[GaugeEntry])> {
        let len = gauge_block(self.max_processes);
        let base = self.block(block, len)?;
        if block % BLOCK_ALIGN != 0 {
            return Err(super::corrupt(
                &self.path,
                "a gauge's values are misaligned",
            ));
        }
        // SAFETY: `len` bytes in the mapping, 64-aligned: the dead fold, then the entries.
        unsafe {
            Ok((
                &*base.cast::<GaugeDead>(),
                std::slice::from_raw_parts(
                    base.add(64).cast::<GaugeEntry>(),
                    self.max_processes as usize,
                ),
            ))
        }
    }
}
