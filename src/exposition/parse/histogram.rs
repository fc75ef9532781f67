//! The OpenMetrics histogram checks client_python makes when it builds a histogram or gauge
//! histogram family (`_check_histogram`): per group of samples (same labels but `le`, same
//! timestamp), buckets in increasing order with non-decreasing counts, a `+Inf` bucket holding
//! `_count`, `_count` and `_sum` (or `_gcount` and `_gsum`) together, no `_sum` with negative
//! buckets, no negative `_gsum` without them.

use super::group::{GroupKey, char_suffix, is_negative, same_timestamp};
use super::number::py_float;
use super::{ParsedSample, Timestamp};

/// What one group has shown so far.
#[derive(Default)]
struct Group {
    count: Option<f64>,
    bucket: Option<f64>,
    value: f64,
    negative_buckets: bool,
    sum: bool,
    gsum: bool,
    negative_gsum: bool,
}

impl Group {
    fn check(&self, name: &str) -> Result<(), String> {
        if self.bucket != Some(f64::INFINITY) {
            return Err(format!("+Inf bucket missing: {name}"));
        }
        if self.count.is_some_and(|count| self.value != count) {
            return Err(format!("Count does not match +Inf value: {name}"));
        }
        if self.sum && self.count.is_none() {
            return Err(format!("_count must be present if _sum is present: {name}"));
        }
        if self.gsum && self.count.is_none() {
            return Err(format!(
                "_gcount must be present if _gsum is present: {name}"
            ));
        }
        if !(self.sum || self.gsum) && self.count.is_some() {
            return Err(format!(
                "_sum/_gsum must be present if _count is present: {name}"
            ));
        }
        if self.negative_buckets && self.sum {
            return Err(format!("Cannot have _sum with negative buckets: {name}"));
        }
        if !self.negative_buckets && self.negative_gsum {
            return Err(format!(
                "Cannot have negative _gsum with non-negative buckets: {name}"
            ));
        }
        Ok(())
    }
}

/// Checks the samples of histogram family `name`.
pub(super) fn check_histogram(samples: &[ParsedSample], name: &str) -> Result<(), String> {
    let name_chars = name.chars().count();
    let mut key = GroupKey::default();
    let mut current: Option<(String, Option<&Timestamp>)> = None;
    let mut group = Group::default();
    for sample in samples {
        let suffix = char_suffix(&sample.name, name_chars);
        if suffix.is_empty() {
            continue;
        }
        let bucket = suffix == "_bucket";
        key.set(sample.labels.iter(), |label| bucket && label == "le");
        let timestamp = sample.timestamp.as_ref();
        let same = current
            .as_ref()
            .is_some_and(|(g, t)| *g == key.text && same_timestamp(*t, timestamp));
        if !same {
            if current.is_some() {
                group.check(name)?;
            }
            group = Group::default();
        }
        current = Some((key.text.clone(), timestamp));
        match suffix {
            "_bucket" => {
                let le = sample
                    .labels
                    .iter()
                    .find(|(n, _)| n == "le")
                    .and_then(|(_, v)| py_float(v))
                    .ok_or_else(|| format!("Invalid le label: {name}"))?;
                if le < 0.0 {
                    group.negative_buckets = true;
                }
                if group.bucket.is_some_and(|previous| le <= previous) {
                    return Err(format!("Buckets out of order: {name}"));
                }
                let value = sample.value.to_f64();
                if value < group.value {
                    return Err(format!("Bucket values out of order: {name}"));
                }
                group.bucket = Some(le);
                group.value = value;
            }
            "_count" | "_gcount" => group.count = Some(sample.value.to_f64()),
            "_sum" => group.sum = true,
            "_gsum" => {
                group.gsum = true;
                if is_negative(&sample.value) {
                    group.negative_gsum = true;
                }
            }
            _ => {}
        }
    }
    if current.is_some() {
        group.check(name)?;
    }
    Ok(())
}
