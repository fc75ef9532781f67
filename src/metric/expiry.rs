//! Idle expiry: a family option that removes children nobody has updated for a while.
//!
//! The update path does as little as it can: every update of a child loads one word of it and,
//! only when a collection has marked the child idle since its last update, stores zero there
//! ([`Activity::touch`]). The time is read by collections alone, never by an update: a collection
//! stamps each untouched child with the time it first found it untouched, and removes it once
//! that stamp is the family's TTL old. So a child expires between one TTL and one TTL plus one
//! collection interval after its last update, never sooner.
//!
//! A child someone still holds (a bound handle in Rust, C, Python or Go) is hidden instead of
//! removed: its memory is not the family's to free. Its next update makes it visible again at
//! its value, as if it had never gone (counters keep counting, so `rate()` sees no reset). A
//! child nobody holds is removed and freed; the same labels later start a new series from zero.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::util::unix_now;

/// When a child was last seen idle: `0` while it has been updated since the last collection, else
/// the time (milliseconds since the Unix epoch, at least 1) at which a collection first found it
/// idle. Always `0` in a family without expiry, where no collection ever stamps it.
#[derive(Debug, Default)]
pub struct Activity(AtomicU64);

impl Activity {
    /// Marks the child updated. A load and a compare; the store happens once per collection
    /// interval at most, so children updated from many CPUs do not share a written cache line.
    /// The word itself, for bindings that update a series without a call (the cell protocol of
    /// `pe_counter_get_cells()`): they do what [`Activity::touch`] does, a load and, when it is not
    /// zero, a store of zero.
    pub(crate) fn word(&self) -> &AtomicU64 {
        &self.0
    }

    #[inline(always)]
    pub(crate) fn touch(&self) {
        if self.0.load(Ordering::Relaxed) != 0 {
            self.0.store(0, Ordering::Relaxed);
        }
    }

    /// Whether an update must take its type's slow path: a collection marked the child idle, or
    /// the child is [`Activity::pin`]ned. The one load a fast update makes.
    #[inline(always)]
    pub(crate) fn marked(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }

    /// Sends every update of the child to its slow path for good, which must then not
    /// [`Activity::touch`] it: for a child of a family without expiry (whose word no collection
    /// stamps) that updates elsewhere, a gauge in a shared store.
    pub(crate) fn pin(&self) {
        self.0.store(u64::MAX, Ordering::Relaxed);
    }

    /// How long the child has been idle at `now` (milliseconds), stamping it idle from `now` when
    /// it was updated since the last look.
    fn idle_for(&self, now: u64) -> u64 {
        match self.0.load(Ordering::Relaxed) {
            // A failed exchange means an update raced in: the child is active.
            0 => {
                let _ = self
                    .0
                    .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
                0
            }
            since => now.saturating_sub(since),
        }
    }

    /// Whether the child has been idle for at least `ttl` at `now`, without stamping it.
    pub(crate) fn has_expired(&self, now: u64, ttl: u64) -> bool {
        match self.0.load(Ordering::Relaxed) {
            0 => false,
            since => now.saturating_sub(since) >= ttl,
        }
    }
}

/// A clock tests set by hand: expiry reads it instead of the system's. Clones share one time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl PartialEq for ManualClock {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl ManualClock {
    /// A clock at `seconds` since the Unix epoch.
    pub fn at(seconds: f64) -> Self {
        let clock = ManualClock::default();
        clock.set(seconds);
        clock
    }

    pub fn set(&self, seconds: f64) {
        self.0.store(to_millis(seconds), Ordering::Relaxed);
    }

    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.0.fetch_add(by, Ordering::Relaxed);
    }

    fn millis(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The process-wide pinned time in milliseconds (0: the system clock), for tests of programs
/// that reach expiry through the C ABI and cannot hand a family its own clock.
static PINNED_MILLIS: AtomicU64 = AtomicU64::new(0);

/// Pins the time every family without its own [`ManualClock`] expires by (`None`: the system
/// clock again). For tests: it applies to the whole process.
pub fn pin_clock(seconds: Option<f64>) {
    PINNED_MILLIS.store(seconds.map_or(0, to_millis), Ordering::Relaxed);
}

/// Milliseconds, at least 1 so that a stamp is never the "updated" zero.
fn to_millis(seconds: f64) -> u64 {
    ((seconds * 1000.0) as u64).max(1)
}

/// A family's expiry settings and bookkeeping.
#[derive(Debug)]
pub(crate) struct Expiry {
    ttl: u64,
    clock: Option<ManualClock>,
    /// When the next sweep on series creation is due: a family that gains new series but is never
    /// collected still drops its idle ones.
    next_sweep: AtomicU64,
}

impl Expiry {
    pub(crate) fn new(ttl: Duration, clock: Option<ManualClock>) -> Self {
        Expiry {
            ttl: u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1),
            clock,
            next_sweep: AtomicU64::new(0),
        }
    }

    pub(crate) fn ttl(&self) -> u64 {
        self.ttl
    }

    /// The time now, in milliseconds since the Unix epoch.
    pub(crate) fn now(&self) -> u64 {
        if let Some(clock) = &self.clock {
            return clock.millis();
        }
        match PINNED_MILLIS.load(Ordering::Relaxed) {
            0 => to_millis(unix_now()),
            pinned => pinned,
        }
    }

    /// Looks at one child at `now`: `true` when it is to be removed or hidden.
    pub(crate) fn expired(&self, activity: &Activity, now: u64) -> bool {
        activity.idle_for(now) >= self.ttl
    }

    /// Whether a sweep on series creation is due at `now`; if so, the next one is due half a TTL
    /// later, so a series idles at most about one and a half TTLs in a family never collected.
    pub(crate) fn sweep_due(&self, now: u64) -> bool {
        let due = self.next_sweep.load(Ordering::Relaxed);
        if now < due {
            return false;
        }
        self.next_sweep
            .store(now.saturating_add(self.ttl / 2), Ordering::Relaxed);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_idle_from_the_first_look_after_its_last_update() {
        let expiry = Expiry::new(Duration::from_secs(10), Some(ManualClock::at(100.0)));
        let activity = Activity::default();
        assert!(!expiry.expired(&activity, 100_000));
        assert!(!expiry.expired(&activity, 109_999));
        assert!(activity.has_expired(110_000, expiry.ttl()));
        activity.touch();
        assert!(!activity.has_expired(200_000, expiry.ttl()));
        assert!(!expiry.expired(&activity, 200_000));
        assert!(expiry.expired(&activity, 210_000));
    }

    #[test]
    fn touching_an_active_child_writes_nothing() {
        let activity = Activity::default();
        activity.touch();
        assert_eq!(activity.0.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn manual_clocks_share_their_time_and_sweeps_come_every_half_ttl() {
        let clock = ManualClock::at(1.0);
        let expiry = Expiry::new(Duration::from_secs(4), Some(clock.clone()));
        clock.advance(Duration::from_millis(500));
        assert_eq!(expiry.now(), 1500);
        assert!(expiry.sweep_due(1500));
        assert!(!expiry.sweep_due(3499));
        assert!(expiry.sweep_due(3500));
    }
}
