//! The exemplars of a native histogram, kept as client_golang keeps them: up to 10, sorted by
//! value and spread over the values. When full, a new exemplar replaces the oldest one if that
//! one is older than 5 minutes; otherwise one of the closest pair of values (on a log scale), so
//! that exemplars do not bunch up around the common values.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::snapshot::Exemplar;
use crate::sync::Mutex;

/// client_golang's default number of native exemplars.
pub const MAX_NATIVE_EXEMPLARS: usize = 10;
/// client_golang's default age past which the oldest exemplar gives way to any new one.
pub const NATIVE_EXEMPLAR_TTL: Duration = Duration::from_secs(300);

/// The exemplars, sorted by value; a flag lets a collection skip the lock when there are none.
#[derive(Debug, Default)]
pub(super) struct NativeExemplars {
    present: AtomicBool,
    kept: Mutex<Vec<Exemplar>>,
}

impl NativeExemplars {
    /// Keeps `exemplar`, which has a timestamp (native exemplars are stamped when recorded).
    pub(super) fn store(&self, exemplar: Exemplar) {
        let mut kept = self.kept.lock();
        keep(
            &mut kept,
            exemplar,
            MAX_NATIVE_EXEMPLARS,
            NATIVE_EXEMPLAR_TTL,
        );
        self.present.store(true, Ordering::Release);
    }

    /// The exemplars held, sorted by value.
    pub(super) fn load(&self) -> Vec<Exemplar> {
        if !self.present.load(Ordering::Acquire) {
            return Vec::new();
        }
        self.kept.lock().clone()
    }
}

fn time(exemplar: &Exemplar) -> f64 {
    exemplar.timestamp.unwrap_or(0.0)
}

/// Adds `new` to `kept` (sorted by value, at most `max`), replacing one when full.
fn keep(kept: &mut Vec<Exemplar>, new: Exemplar, max: usize, ttl: Duration) {
    if kept.len() < max {
        let at = kept.partition_point(|e| e.value <= new.value);
        kept.insert(at, new);
        return;
    }
    if kept.len() == 1 {
        kept[0] = new;
        return;
    }
    // Where the new one goes by value, the oldest, and the older of the closest pair.
    let insert = kept.partition_point(|e| e.value < new.value);
    let oldest = (0..kept.len())
        .min_by(|a, b| time(&kept[*a]).total_cmp(&time(&kept[*b])))
        .unwrap_or(0);
    let mut closest = f64::INFINITY;
    let mut replace = 0;
    for i in 1..kept.len() {
        let distance = (kept[i].value.ln() - kept[i - 1].value.ln()).abs();
        if distance < closest {
            closest = distance;
            replace = if time(&kept[i]) < time(&kept[i - 1]) {
                i
            } else {
                i - 1
            };
        }
    }
    if time(&new) - time(&kept[oldest]) > ttl.as_secs_f64() {
        replace = oldest;
    } else {
        // Replacing a neighbour keeps the spread when the new value would sit closer to it.
        let new_log = new.value.ln();
        if insert > 0 {
            let distance = (new_log - kept[insert - 1].value.ln()).abs();
            if distance < closest {
                closest = distance;
                replace = insert - 1;
            }
        }
        if insert < kept.len() && (kept[insert].value.ln() - new_log).abs() < closest {
            replace = insert;
        }
    }
    kept.remove(replace);
    let at = if replace < insert { insert - 1 } else { insert };
    kept.insert(at, new);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exemplar(value: f64, at: f64) -> Exemplar {
        Exemplar::new(&[("v", value.to_string())], value, Some(at)).unwrap()
    }

    fn values(kept: &[Exemplar]) -> Vec<f64> {
        kept.iter().map(|e| e.value).collect()
    }

    fn ten() -> Vec<Exemplar> {
        let mut kept = Vec::new();
        for i in 1..=10 {
            keep(
                &mut kept,
                exemplar(f64::from(i), 1000.0 + f64::from(i)),
                10,
                NATIVE_EXEMPLAR_TTL,
            );
        }
        kept
    }

    #[test]
    fn kept_sorted_until_full() {
        let mut kept = Vec::new();
        for v in [5.0, 1.0, 3.0] {
            keep(&mut kept, exemplar(v, 1.0), 10, NATIVE_EXEMPLAR_TTL);
        }
        assert_eq!(values(&kept), [1.0, 3.0, 5.0]);
    }

    #[test]
    fn a_full_set_keeps_its_spread() {
        let mut kept = ten();
        // The closest pair is (9, 10); but 5.5 sits closer still to 6, which it replaces.
        keep(&mut kept, exemplar(5.5, 1020.0), 10, NATIVE_EXEMPLAR_TTL);
        assert_eq!(
            values(&kept),
            [1.0, 2.0, 3.0, 4.0, 5.0, 5.5, 7.0, 8.0, 9.0, 10.0]
        );
        // A value far from the others replaces the older of the closest pair, now (5, 5.5): 5.
        keep(&mut kept, exemplar(1000.0, 1021.0), 10, NATIVE_EXEMPLAR_TTL);
        assert_eq!(
            values(&kept),
            [1.0, 2.0, 3.0, 4.0, 5.5, 7.0, 8.0, 9.0, 10.0, 1000.0]
        );
    }

    #[test]
    fn an_expired_oldest_gives_way() {
        let mut kept = ten();
        keep(
            &mut kept,
            exemplar(9.5, 1001.0 + 301.0),
            10,
            NATIVE_EXEMPLAR_TTL,
        );
        assert_eq!(
            values(&kept),
            [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.5, 10.0]
        );
    }
}
