//! Quantiles of a stream in bounded memory: the CKMS targeted-quantile summary (Cormode, Korn,
//! Muthukrishnan, Srivastava, "Effective computation of biased quantiles over data streams", 2005).
//!
//! # Error bound
//!
//! Ranks are 1-based positions in the sorted multiset of the `n` values inserted since the last
//! reset. For every target `(q, e)`, [`CkmsStream::query`]`(q)` returns an inserted value whose rank
//! lies in `[(q − e)·n, (q + e)·n]`. Two integer effects widen that interval, and only when it holds
//! at most one rank: the tolerance is never below ½ (so a small stream answers with the nearest
//! rank, exactly), and when `q·n + tolerance < 1` the minimum (rank 1) is returned.
//!
//! Any other `q` may be queried as well; its tolerance is [`CkmsStream::error_bound`]`(q)·n` (again
//! at least ½). That bound is the target's `e` at each target, grows linearly (with slope below 1)
//! away from it, takes the tightest target, and never exceeds `min(q, 1 − q)`. With the summary
//! defaults (0.5, 0.05), (0.9, 0.01), (0.99, 0.001) it is 0.025 at q = 0.75 and 0.09 at q = 0.1.
//! `query(0)` and `query(1)` return the exact minimum and maximum.
//!
//! # How
//!
//! The stream keeps sorted tuples `(v, g, Δ)`: `v` is an inserted value, `g` the number of values
//! the tuple stands for, `Δ` the uncertainty of `v`'s rank. With `r` the sum of the `g`s before a
//! tuple, every tuple keeps `g + Δ ≤ max(1, f(r, n))`; compression merges neighbours while that
//! still holds, which is what bounds the memory.
//!
//! `f` is the paper's targeted invariant with one change: each target's band is centred on rank
//! `(q − e)·n` instead of `q·n`. The paper's query promises rank error `f(q·n, n)/2`, but its proof
//! needs `f` not to decrease towards the queried rank, and a targeted `f` slopes down towards each
//! target, so that promise is only good to within a further `O(e²·n)`. Centred at `(q − e)·n`, the
//! invariant says exactly what a query needs: no tuple that starts below `(q − e)·n` ends beyond
//! `(q + e)·n`. The band keeps the paper's narrowest width, `2e·n`, so memory is about the same.

use crate::error::{Error, Result};

/// Merges are refused this much (relatively) before the invariant's limit, so that rounding in
/// `f64` can never let a tuple grow past what the error bound allows.
const MERGE_SLACK: f64 = 1.0 - 1e-9;

/// Checks one `(quantile, allowed rank error)` target: the quantile in `[0, 1]`, the error finite
/// and in `(0, 1)`.
pub fn validate_target(quantile: f64, error: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&quantile) {
        return Err(Error::InvalidConfig(format!(
            "quantile {quantile} is not in [0, 1]"
        )));
    }
    if !(error > 0.0 && error < 1.0) {
        return Err(Error::InvalidConfig(format!(
            "the allowed error {error} of quantile {quantile} is not in (0, 1)"
        )));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Tuple {
    value: f64,
    /// How many inserted values this tuple stands for (the paper's `g`).
    width: u64,
    /// How far the rank of `value` may lie beyond the sum of the widths up to this tuple.
    delta: u64,
}

impl Tuple {
    fn exact(value: f64) -> Self {
        Tuple {
            value,
            width: 1,
            delta: 0,
        }
    }
}

/// One target's share of the invariant: a V of allowed tuple widths, lowest (`2e·n`) at rank
/// `apex·n`.
#[derive(Clone, Copy, Debug)]
struct Band {
    quantile: f64,
    error: f64,
    /// `q − e`, as a fraction of `n`.
    apex: f64,
    /// How fast the allowed width grows per rank below the apex. At most 1: the error-bound proof
    /// needs `r + f(r)` to be non-decreasing.
    down_slope: f64,
    /// How fast the allowed width grows per rank above the apex.
    up_slope: f64,
}

impl Band {
    /// `None` when the target constrains nothing: with `q ≤ e`, any rank up to `2q·n` is within
    /// `q·n ± e·n`, and the minimum-or-better answer that `min(q, 1 − q)` allows always is.
    fn new(quantile: f64, error: f64) -> Option<Self> {
        let apex = quantile - error;
        (apex > 0.0).then(|| Band {
            quantile,
            error,
            apex,
            // The paper's slopes for a target at `apex`, which keep the invariant true as values
            // arrive: a tuple's allowed width never shrinks when `n` grows or values land before it.
            down_slope: (2.0 * error / (1.0 - apex)).min(1.0),
            up_slope: 2.0 * error / apex,
        })
    }

    /// The widest a tuple starting at rank `start` may be, by this target.
    fn max_width(&self, start: f64, n: f64) -> f64 {
        let above = 2.0 * self.error * start / self.apex;
        let below = 2.0 * self.error * n + self.down_slope * (self.apex * n - start);
        above.max(below)
    }

    /// The smallest tolerance `t` (fraction of `n`) with `max_width((q − t)·n) ≤ 2t·n`: what the
    /// query needs for a rank `q·n ± t·n` answer.
    fn error_bound(&self, q: f64) -> f64 {
        if q >= self.quantile {
            self.error + self.up_slope * (q - self.quantile) / (2.0 + self.up_slope)
        } else {
            self.error + self.down_slope * (self.quantile - q) / (2.0 - self.down_slope)
        }
    }
}

/// A CKMS stream: approximate quantiles of every value inserted since the last reset, accurate to
/// the targets given at creation (see the [module documentation](self) for the exact bound).
///
/// Memory does not grow with `n`: the invariant lets tuples stand for a share of `n`, so how many
/// there are depends on the targets alone (about 40 for the summary defaults, at any count).
/// Streams are never merged with one another; the summary's window keeps several and inserts into
/// each.
#[derive(Clone, Debug)]
pub struct CkmsStream {
    targets: Box<[(f64, f64)]>,
    bands: Box<[Band]>,
    /// Sorted by value. The first is always the exact minimum and the last the exact maximum.
    tuples: Vec<Tuple>,
    count: u64,
}

impl Default for CkmsStream {
    /// A stream without targets.
    fn default() -> Self {
        CkmsStream {
            targets: Box::new([]),
            bands: Box::new([]),
            tuples: Vec::new(),
            count: 0,
        }
    }
}

impl CkmsStream {
    /// A stream for these `(quantile, allowed rank error)` targets. With no targets every query
    /// still works, within the trivial bound `min(q, 1 − q)`.
    pub fn new(targets: &[(f64, f64)]) -> Result<Self> {
        for &(q, e) in targets {
            validate_target(q, e)?;
        }
        Ok(CkmsStream {
            targets: targets.into(),
            bands: targets
                .iter()
                .filter_map(|&(q, e)| Band::new(q, e))
                .collect(),
            tuples: Vec::new(),
            count: 0,
        })
    }

    pub fn targets(&self) -> &[(f64, f64)] {
        &self.targets
    }

    /// How many values were inserted since the last reset.
    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many tuples the stream holds: its memory, in units of 24 bytes.
    pub fn tuple_count(&self) -> usize {
        self.tuples.len()
    }

    /// Forgets every value, keeping the memory for the next ones.
    pub fn reset(&mut self) {
        self.tuples.clear();
        self.count = 0;
    }

    /// Inserts one value; NaN is ignored.
    pub fn insert(&mut self, value: f64) {
        self.insert_batch(&mut [value]);
    }

    /// Inserts many values at once, which costs one pass over the stream instead of one per value.
    /// The slice is reordered; NaNs are ignored.
    pub fn insert_batch(&mut self, values: &mut [f64]) {
        let mut kept = 0;
        for i in 0..values.len() {
            if !values[i].is_nan() {
                values[kept] = values[i];
                kept += 1;
            }
        }
        let values = &mut values[..kept];
        values.sort_unstable_by(f64::total_cmp);
        self.insert_sorted(values);
    }

    /// Inserts values sorted in increasing order, none NaN.
    pub(crate) fn insert_sorted(&mut self, sorted: &[f64]) {
        if sorted.is_empty() {
            return;
        }
        self.merge_in(sorted);
        self.count += sorted.len() as u64;
        self.compress();
    }

    /// Merges the new values into the tuples from the right, in place.
    ///
    /// A new value's rank is known to within its successor's: it gets `Δ = g + Δ − 1` of the first
    /// old tuple above it, or `Δ = 0` when it is a new maximum (or minimum, where that formula
    /// gives 0 too since the first tuple is exact). Equal values go after the old ones.
    fn merge_in(&mut self, sorted: &[f64]) {
        let mut old = self.tuples.len();
        let mut new = sorted.len();
        self.tuples.resize(old + new, Tuple::default());
        let mut successor_span: Option<u64> = None;
        while new > 0 {
            let write = old + new - 1;
            let incoming = sorted[new - 1];
            if old > 0 && self.tuples[old - 1].value.total_cmp(&incoming).is_gt() {
                let tuple = self.tuples[old - 1];
                successor_span = Some(tuple.width + tuple.delta);
                self.tuples[write] = tuple;
                old -= 1;
            } else {
                self.tuples[write] = Tuple {
                    delta: successor_span.map_or(0, |span| span - 1),
                    ..Tuple::exact(incoming)
                };
                new -= 1;
            }
        }
    }

    /// Merges each tuple into its right neighbour while the invariant allows, right to left, in
    /// place. The first tuple is never merged away, so the minimum stays exact; merging into the
    /// last keeps its value, so the maximum does too.
    fn compress(&mut self) {
        let len = self.tuples.len();
        if len < 3 {
            return;
        }
        let n = self.count as f64;
        // `keep` is the tuple the next one may merge into; `keep_start` the rank before it.
        let mut keep = len - 1;
        let mut keep_start = self.count - self.tuples[keep].width;
        for i in (1..len - 1).rev() {
            let tuple = self.tuples[i];
            let start = keep_start - tuple.width;
            let target = self.tuples[keep];
            let merged = tuple.width + target.width + target.delta;
            if merged as f64 <= self.max_width(start as f64, n) * MERGE_SLACK {
                self.tuples[keep].width += tuple.width;
            } else {
                keep -= 1;
                self.tuples[keep] = tuple;
            }
            keep_start = start;
        }
        self.tuples.copy_within(keep..len, 1);
        self.tuples.truncate(len - keep + 1);
    }

    /// The invariant `f(start, n)`: the widest `g + Δ` a tuple starting at rank `start` may have.
    fn max_width(&self, start: f64, n: f64) -> f64 {
        self.bands
            .iter()
            .map(|band| band.max_width(start, n))
            .fold(f64::INFINITY, f64::min)
    }

    /// The rank tolerance of `query(q)`, as a fraction of the count (the answer's rank is within
    /// `q·n ± max(error_bound(q)·n, ½)`). 0 at `q` = 0 and 1, NaN when `q` is NaN or outside
    /// `[0, 1]`.
    pub fn error_bound(&self, q: f64) -> f64 {
        if !(0.0..=1.0).contains(&q) {
            return f64::NAN;
        }
        if q == 0.0 || q == 1.0 {
            return 0.0;
        }
        // Always valid: tolerance q·n allows any rank up to 2q·n, which the query's threshold
        // rule meets (and symmetrically for 1 − q).
        let trivial = q.min(1.0 - q);
        self.bands
            .iter()
            .map(|band| band.error_bound(q))
            .fold(trivial, f64::min)
    }

    /// An inserted value whose rank is within the [error bound](Self::error_bound) of `q·n`.
    /// NaN when the stream is empty or `q` is NaN or outside `[0, 1]`.
    pub fn query(&self, q: f64) -> f64 {
        let (Some(first), Some(last)) = (self.tuples.first(), self.tuples.last()) else {
            return f64::NAN;
        };
        if !(0.0..=1.0).contains(&q) {
            return f64::NAN;
        }
        if q == 0.0 {
            return first.value;
        }
        if q == 1.0 {
            return last.value;
        }
        let target = q * self.count as f64;
        // The tuple whose possible ranks stray least from the target. The paper's rule (the last
        // tuple whose highest rank is within target + tolerance) meets the error bound, as the
        // invariant keeps the tuple after it from starting below target − tolerance; this choice
        // is never further off, and is the exact nearest rank while nothing has been merged.
        let mut lowest = 0u64;
        let (mut best_deviation, mut answer) = (f64::INFINITY, first.value);
        for tuple in &self.tuples {
            lowest += tuple.width;
            if lowest as f64 - target > best_deviation {
                break;
            }
            let highest = (lowest + tuple.delta) as f64;
            let deviation = (target - lowest as f64).max(highest - target);
            // On a tie the higher rank wins, so that an exact median of 3 values is the middle one.
            if deviation <= best_deviation {
                (best_deviation, answer) = (deviation, tuple.value);
            }
        }
        answer
    }

    /// The minimum and maximum inserted since the last reset.
    pub fn min_max(&self) -> Option<(f64, f64)> {
        Some((self.tuples.first()?.value, self.tuples.last()?.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const DEFAULTS: [(f64, f64); 3] = [(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)];
    /// Quantiles that are not targets, plus the two exact ends.
    const OTHERS: [f64; 9] = [0.0, 0.001, 0.1, 0.25, 0.75, 0.95, 0.995, 0.9999, 1.0];

    fn stream(targets: &[(f64, f64)]) -> CkmsStream {
        CkmsStream::new(targets).unwrap()
    }

    /// Inserts in batches of 500, the way the summary flushes its buffer.
    fn fill(stream: &mut CkmsStream, values: &[f64]) {
        for chunk in values.chunks(500) {
            stream.insert_batch(&mut chunk.to_vec());
        }
    }

    /// Fails unless `answer` occupies some rank `r` (1-based, in `sorted`) with
    /// `|r − q·n| ≤ max(tolerance·n, ½)`, or is the minimum when no rank is that close.
    fn assert_rank_within(sorted: &[f64], q: f64, tolerance: f64, answer: f64, what: &str) {
        let n = sorted.len() as f64;
        let lowest = sorted.partition_point(|v| *v < answer) as f64 + 1.0;
        let highest = sorted.partition_point(|v| *v <= answer) as f64;
        assert!(
            highest >= lowest,
            "{what}: q={q} answered {answer}, never inserted"
        );
        let slack = (tolerance * n).max(0.5);
        let (from, to) = (q * n - slack, q * n + slack);
        let is_min_fallback = to < 1.0 && answer == sorted[0];
        assert!(
            is_min_fallback || (lowest <= to && highest >= from),
            "{what}: q={q} answered {answer} with ranks {lowest}..={highest}, \
             outside {from:.1}..={to:.1} (n={n})"
        );
    }

    /// Checks every target against its own `e` and every other quantile against `error_bound`.
    fn check_all(stream: &CkmsStream, values: &[f64], what: &str) {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(stream.count(), values.len() as u64, "{what}");
        for &(q, e) in stream.targets() {
            assert!(stream.error_bound(q) <= e, "{what}: bound at target {q}");
            assert_rank_within(&sorted, q, e, stream.query(q), what);
        }
        for q in OTHERS {
            assert_rank_within(&sorted, q, stream.error_bound(q), stream.query(q), what);
        }
        assert_eq!(stream.query(0.0), sorted[0], "{what}: min");
        assert_eq!(stream.query(1.0), *sorted.last().unwrap(), "{what}: max");
    }

    fn shapes(n: usize, seed: u64) -> Vec<(&'static str, Vec<f64>)> {
        let mut rng = StdRng::seed_from_u64(seed);
        let uniform = (0..n).map(|_| rng.random::<f64>()).collect();
        let exponential = (0..n)
            .map(|_| -(1.0 - rng.random::<f64>()).ln() * 0.1)
            .collect();
        // Heavy-tailed: a few values are huge, most tiny, as request latencies are.
        let pareto = (0..n)
            .map(|_| (1.0 - rng.random::<f64>()).powf(-1.5))
            .collect();
        let duplicates = (0..n).map(|_| rng.random_range(0..7) as f64).collect();
        let ascending = (0..n).map(|i| i as f64).collect();
        let descending = (0..n).rev().map(|i| i as f64).collect();
        // Sawtooth: ascending runs, each restarting from the bottom.
        let sawtooth = (0..n).map(|i| (i % 997) as f64).collect();
        vec![
            ("uniform", uniform),
            ("exponential", exponential),
            ("pareto", pareto),
            ("duplicates", duplicates),
            ("ascending", ascending),
            ("descending", descending),
            ("sawtooth", sawtooth),
        ]
    }

    #[test]
    fn default_targets_hold_on_every_shape() {
        for (name, values) in shapes(60_000, 1) {
            let mut s = stream(&DEFAULTS);
            fill(&mut s, &values);
            check_all(&s, &values, name);
            // The bound must come from the invariant, not from keeping everything.
            assert!(
                s.tuple_count() < 200,
                "{name}: {} tuples for {} values",
                s.tuple_count(),
                values.len()
            );
        }
    }

    #[test]
    fn bounds_hold_at_every_prefix_of_a_stream() {
        let mut rng = StdRng::seed_from_u64(2);
        let values: Vec<f64> = (0..20_000).map(|_| rng.random::<f64>()).collect();
        let mut s = stream(&DEFAULTS);
        for (i, chunk) in values.chunks(700).enumerate() {
            s.insert_batch(&mut chunk.to_vec());
            check_all(&s, &values[..(i * 700 + chunk.len())], "prefix");
        }
    }

    #[test]
    fn single_inserts_hold_too() {
        for (name, values) in shapes(10_000, 3) {
            let mut s = stream(&DEFAULTS);
            for &v in &values {
                s.insert(v);
            }
            check_all(&s, &values, name);
        }
    }

    #[test]
    fn other_targets_hold_including_extreme_ones() {
        let target_sets: [&[(f64, f64)]; 4] = [
            &[(0.1, 0.02), (0.5, 0.01), (0.999, 0.0001)],
            // q ≤ e (answered by the minimum side), q = 0 and q = 1 as targets.
            &[(0.0, 0.01), (0.01, 0.05), (1.0, 0.01)],
            // A wide error near the top, where the downward slope has to be capped at 1.
            &[(0.95, 0.2)],
            &[(0.25, 0.001), (0.75, 0.001)],
        ];
        for targets in target_sets {
            for (name, values) in shapes(30_000, 4) {
                let mut s = stream(targets);
                fill(&mut s, &values);
                check_all(&s, &values, name);
            }
        }
    }

    #[test]
    fn without_targets_queries_still_answer_within_the_trivial_bound() {
        let values: Vec<f64> = (0..5_000).map(|i| ((i * 7919) % 5_000) as f64).collect();
        let mut s = stream(&[]);
        fill(&mut s, &values);
        assert!(s.tuple_count() <= 2);
        assert_eq!(s.error_bound(0.3), 0.3);
        check_all(&s, &values, "no targets");
    }

    #[test]
    fn error_bound_matches_hand_computed_values() {
        let s = stream(&DEFAULTS);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(s.error_bound(0.5), 0.05));
        assert!(close(s.error_bound(0.9), 0.01));
        assert!(close(s.error_bound(0.99), 0.001));
        // Every default band's bound moves by 0.1 per unit of q: up from 0.5 with slope
        // s = 0.1/0.45 and s/(2 + s) = 0.1; down from each target with s = 2e/(1 − q + e) = 2/11
        // and s/(2 − s) = 0.1. At 0.75: min(0.05 + 0.025, 0.01 + 0.015, 0.001 + 0.024).
        assert!(close(s.error_bound(0.75), 0.025));
        assert!(close(s.error_bound(0.1), 0.09));
        assert_eq!(s.error_bound(0.0), 0.0);
        assert_eq!(s.error_bound(1.0), 0.0);
        assert!(s.error_bound(0.999_999) <= 1.000_001e-6);
        assert!(s.error_bound(-0.1).is_nan());
        assert!(s.error_bound(f64::NAN).is_nan());
    }

    #[test]
    fn small_streams_are_exact() {
        // With e·n far below 1 no tuple can merge, so every answer is the nearest rank.
        let mut s = stream(&[(0.5, 0.001), (0.9, 0.001), (0.99, 0.001)]);
        let values: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        fill(&mut s, &values);
        assert_eq!(s.query(0.99), 99.0);
        assert_eq!(s.query(0.5), 50.0);
        assert_eq!(s.query(0.011), 1.0);
        assert_eq!(s.query(0.9), 90.0);
    }

    #[test]
    fn empty_reset_nan_and_infinities() {
        let mut s = stream(&DEFAULTS);
        assert!(s.is_empty());
        assert!(s.query(0.5).is_nan());
        assert_eq!(s.min_max(), None);
        s.insert(f64::NAN);
        assert!(s.is_empty());
        s.insert_batch(&mut [3.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        assert_eq!(s.count(), 3);
        assert_eq!(s.query(0.0), f64::NEG_INFINITY);
        assert_eq!(s.query(0.5), 3.0);
        assert_eq!(s.query(1.0), f64::INFINITY);
        assert!(s.query(1.5).is_nan());
        assert!(s.query(f64::NAN).is_nan());
        s.reset();
        assert!(s.is_empty());
        assert!(s.query(0.5).is_nan());
        s.insert(7.0);
        assert_eq!(s.query(0.5), 7.0);
        assert_eq!(s.min_max(), Some((7.0, 7.0)));
    }

    #[test]
    fn invalid_targets_are_rejected() {
        for (q, e) in [
            (-0.1, 0.01),
            (1.1, 0.01),
            (f64::NAN, 0.01),
            (0.5, 0.0),
            (0.5, 1.0),
            (0.5, -0.1),
            (0.5, f64::NAN),
            (0.5, f64::INFINITY),
        ] {
            assert!(
                matches!(CkmsStream::new(&[(q, e)]), Err(Error::InvalidConfig(_))),
                "({q}, {e})"
            );
        }
        assert!(CkmsStream::new(&[(0.0, 0.5), (1.0, 1e-9)]).is_ok());
    }
}
