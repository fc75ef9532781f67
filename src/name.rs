//! Metric and label name rules, in one place.
//!
//! Names follow the classic Prometheus character sets (no UTF-8 names), which every scraper and
//! every text parser accepts. Reserved names are rejected here so that no exposition can ever
//! contain a sample that a parser would misread (a user `le` label on a histogram, say).

use crate::error::{Error, Result};
use crate::metric_type::MetricType;

/// Checks `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn validate_metric_name(name: &str) -> Result<()> {
    let bytes = name.as_bytes();
    let valid = match bytes.split_first() {
        None => false,
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_' || *first == b':')
                && rest
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b':')
        }
    };
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidMetricName(name.to_owned()))
    }
}

/// Checks `[a-zA-Z_][a-zA-Z0-9_]*` and rejects the reserved `__` prefix.
pub fn validate_label_name(name: &str) -> Result<()> {
    let bytes = name.as_bytes();
    let well_formed = match bytes.split_first() {
        None => false,
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
    };
    if !well_formed {
        return Err(Error::InvalidLabelName {
            name: name.to_owned(),
            reason: "must match [a-zA-Z_][a-zA-Z0-9_]*",
        });
    }
    if name.starts_with("__") {
        return Err(Error::InvalidLabelName {
            name: name.to_owned(),
            reason: "names starting with __ are reserved for Prometheus",
        });
    }
    Ok(())
}

/// Checks the label names of a family of the given type: each well formed, none repeated, none
/// reserved by the type (`le` on histograms, `quantile` on summaries, the family's own name on a
/// state set, whose states are exposed under that label).
pub fn validate_family_label_names<S: AsRef<str>>(
    family_name: &str,
    kind: MetricType,
    label_names: &[S],
) -> Result<()> {
    for (i, name) in label_names.iter().enumerate() {
        let name = name.as_ref();
        validate_label_name(name)?;
        let reserved = match kind {
            MetricType::Histogram if name == "le" => Some("reserved for histogram buckets"),
            MetricType::Summary if name == "quantile" => Some("reserved for summary quantiles"),
            MetricType::StateSet if name == family_name => {
                Some("a state set exposes its states under a label named after the metric")
            }
            _ => None,
        };
        if let Some(reason) = reserved {
            return Err(Error::InvalidLabelName {
                name: name.to_owned(),
                reason,
            });
        }
        if label_names[..i].iter().any(|other| other.as_ref() == name) {
            return Err(Error::DuplicateLabelName(name.to_owned()));
        }
    }
    Ok(())
}

/// Joins namespace, subsystem and name with `_`, skipping empty parts, as every client does.
pub fn full_name(namespace: &str, subsystem: &str, name: &str) -> String {
    [namespace, subsystem, name]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("_")
}

/// The family name for a metric of `kind` called `name` with an optional `unit`, validated.
///
/// Like client_python: a counter's trailing `_total` is dropped (the exposition adds it back to the
/// sample), and a unit is appended as a `_unit` suffix when the name does not already end with it.
pub fn family_name(name: &str, kind: MetricType, unit: Option<&str>) -> Result<String> {
    let mut family = name.to_owned();
    if kind == MetricType::Counter {
        if let Some(stripped) = family.strip_suffix("_total") {
            family.truncate(stripped.len());
        }
    }
    if let Some(unit) = unit.filter(|u| !u.is_empty()) {
        validate_unit(unit, kind)?;
        let suffix = format!("_{unit}");
        if !family.ends_with(&suffix) {
            family.push_str(&suffix);
        }
    }
    validate_metric_name(&family)?;
    Ok(family)
}

/// A unit is a name fragment, and info and state-set metrics have none (OpenMetrics).
pub fn validate_unit(unit: &str, kind: MetricType) -> Result<()> {
    if matches!(kind, MetricType::Info | MetricType::StateSet) {
        return Err(Error::InvalidConfig(format!(
            "{} metrics cannot have a unit",
            kind.as_str()
        )));
    }
    let ok = unit
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidConfig(format!(
            "invalid unit {unit:?}: must match [a-zA-Z0-9_:]*"
        )))
    }
}

/// Every sample name a family of `kind` named `name` can produce, and the name itself: what a
/// registry reserves so that no two collectors can expose the same series (client_python's rule).
pub fn reserved_sample_names(name: &str, kind: MetricType) -> Vec<String> {
    let suffixes: &[&str] = match kind {
        MetricType::Counter => &["_total", "_created"],
        MetricType::Histogram => &["_bucket", "_count", "_sum", "_created"],
        MetricType::Summary => &["_count", "_sum", "_created"],
        MetricType::Info => &["_info"],
        MetricType::Gauge | MetricType::StateSet | MetricType::Unknown => &[],
    };
    std::iter::once(name.to_owned())
        .chain(suffixes.iter().map(|s| format!("{name}{s}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        for good in ["a", "_a", ":a", "http_requests_total", "a:b:c", "A9_"] {
            assert!(validate_metric_name(good).is_ok(), "{good}");
        }
        for bad in ["", "9a", "a-b", "a b", "é", "a.b", "a{"] {
            assert_eq!(
                validate_metric_name(bad),
                Err(Error::InvalidMetricName(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn label_names() {
        for good in ["a", "_a", "method", "A_9"] {
            assert!(validate_label_name(good).is_ok(), "{good}");
        }
        for bad in ["", "9a", "a:b", "a-b", "__name__", "__x", "é"] {
            assert!(validate_label_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reserved_labels_per_type() {
        assert!(validate_family_label_names("h", MetricType::Histogram, &["le"]).is_err());
        assert!(validate_family_label_names("h", MetricType::Gauge, &["le"]).is_ok());
        assert!(validate_family_label_names("s", MetricType::Summary, &["quantile"]).is_err());
        assert!(validate_family_label_names("s", MetricType::Histogram, &["quantile"]).is_ok());
        assert!(validate_family_label_names("state", MetricType::StateSet, &["state"]).is_err());
        assert_eq!(
            validate_family_label_names("x", MetricType::Gauge, &["a", "b", "a"]),
            Err(Error::DuplicateLabelName("a".into()))
        );
    }

    #[test]
    fn counter_total_suffix_is_dropped() {
        assert_eq!(
            family_name("requests_total", MetricType::Counter, None).unwrap(),
            "requests"
        );
        assert_eq!(
            family_name("requests", MetricType::Counter, None).unwrap(),
            "requests"
        );
        assert_eq!(
            family_name("requests_total", MetricType::Gauge, None).unwrap(),
            "requests_total"
        );
    }

    #[test]
    fn unit_is_appended_once() {
        assert_eq!(
            family_name("latency", MetricType::Histogram, Some("seconds")).unwrap(),
            "latency_seconds"
        );
        assert_eq!(
            family_name("latency_seconds", MetricType::Histogram, Some("seconds")).unwrap(),
            "latency_seconds"
        );
        assert_eq!(
            family_name("sent_bytes_total", MetricType::Counter, Some("bytes")).unwrap(),
            "sent_bytes"
        );
        assert!(family_name("build", MetricType::Info, Some("x")).is_err());
        assert!(family_name("x", MetricType::Gauge, Some("a b")).is_err());
    }

    #[test]
    fn full_names_skip_empty_parts() {
        assert_eq!(full_name("", "", "x"), "x");
        assert_eq!(full_name("ns", "", "x"), "ns_x");
        assert_eq!(full_name("ns", "sub", "x"), "ns_sub_x");
    }

    #[test]
    fn reserved_names_cover_suffixes() {
        assert_eq!(
            reserved_sample_names("x", MetricType::Counter),
            ["x", "x_total", "x_created"]
        );
        assert_eq!(reserved_sample_names("g", MetricType::Gauge), ["g"]);
    }
}
