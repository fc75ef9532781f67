//! Metric and label name rules, in one place.
//!
//! Names are UTF-8, as Prometheus 3, client_python and client_golang take them: any non-empty
//! metric name, any non-empty label name outside the reserved `__` prefix. [`NameValidation::Legacy`]
//! keeps the classic character sets instead, for deployments whose scrapers or pipelines cannot
//! take anything else; it is chosen for the whole process ([`set_default_validation`]) and can be
//! made stricter per registry. Reserved names are rejected under both schemes so that no
//! exposition can ever contain a sample that a parser would misread (a user `le` label on a
//! histogram, say). How a UTF-8 name is written for each scraper is `text::names`'s business.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};
use crate::metric_type::MetricType;
use crate::text::names::{is_legacy_label_name, is_legacy_metric_name};

/// Which names are valid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NameValidation {
    /// Any non-empty UTF-8 name (the default).
    #[default]
    Utf8,
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics, `[a-zA-Z_][a-zA-Z0-9_]*` for labels.
    Legacy,
}

/// The process-wide scheme, as a `NameValidation` discriminant.
static DEFAULT_VALIDATION: AtomicU8 = AtomicU8::new(0);

/// The scheme new metrics are validated with, unless their registry is stricter.
pub fn default_validation() -> NameValidation {
    match DEFAULT_VALIDATION.load(Ordering::Relaxed) {
        0 => NameValidation::Utf8,
        _ => NameValidation::Legacy,
    }
}

/// Sets the process-wide scheme (client_python's `enable_legacy_validation`, client_golang's
/// `model.NameValidationScheme`). Metrics made before keep their names.
pub fn set_default_validation(scheme: NameValidation) {
    let value = match scheme {
        NameValidation::Utf8 => 0,
        NameValidation::Legacy => 1,
    };
    DEFAULT_VALIDATION.store(value, Ordering::Relaxed);
}

/// Checks a metric name: non-empty, and `[a-zA-Z_:][a-zA-Z0-9_:]*` under legacy validation.
pub fn validate_metric_name(name: &str, scheme: NameValidation) -> Result<()> {
    let reason = if name.is_empty() {
        "metric names cannot be empty"
    } else if scheme == NameValidation::Legacy && !is_legacy_metric_name(name) {
        "legacy name validation is on: must match [a-zA-Z_:][a-zA-Z0-9_:]*"
    } else {
        return Ok(());
    };
    Err(Error::InvalidMetricName {
        name: name.to_owned(),
        reason,
    })
}

/// Checks a label name: non-empty, not starting with the reserved `__`, and
/// `[a-zA-Z_][a-zA-Z0-9_]*` under legacy validation.
pub fn validate_label_name(name: &str, scheme: NameValidation) -> Result<()> {
    let reason = if name.is_empty() {
        "label names cannot be empty"
    } else if scheme == NameValidation::Legacy && !is_legacy_label_name(name) {
        "legacy name validation is on: must match [a-zA-Z_][a-zA-Z0-9_]*"
    } else if name.starts_with("__") {
        "names starting with __ are reserved for Prometheus"
    } else {
        return Ok(());
    };
    Err(Error::InvalidLabelName {
        name: name.to_owned(),
        reason,
    })
}

/// Checks the label names of a family of the given type: each well formed, none repeated, none
/// reserved by the type (`le` on histograms, `quantile` on summaries, the family's own name on a
/// state set, whose states are exposed under that label).
pub fn validate_family_label_names<S: AsRef<str>>(
    family_name: &str,
    kind: MetricType,
    label_names: &[S],
    scheme: NameValidation,
) -> Result<()> {
    for (i, name) in label_names.iter().enumerate() {
        let name = name.as_ref();
        validate_label_name(name, scheme)?;
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

/// The family name for a metric of `kind` called `name` with an optional `unit`, validated with
/// `scheme`.
///
/// Like client_python: a counter's trailing `_total` is dropped (the exposition adds it back to the
/// sample), and a unit is appended as a `_unit` suffix when the name does not already end with it.
/// The rules hold for UTF-8 names alike (`http.requests_total` is counter `http.requests`).
pub fn family_name(
    name: &str,
    kind: MetricType,
    unit: Option<&str>,
    scheme: NameValidation,
) -> Result<String> {
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
    validate_metric_name(&family, scheme)?;
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

    use NameValidation::{Legacy, Utf8};

    #[test]
    fn legacy_metric_names() {
        for good in ["a", "_a", ":a", "http_requests_total", "a:b:c", "A9_"] {
            assert!(validate_metric_name(good, Legacy).is_ok(), "{good}");
        }
        for bad in ["", "9a", "a-b", "a b", "é", "a.b", "a{"] {
            assert!(
                matches!(
                    validate_metric_name(bad, Legacy),
                    Err(Error::InvalidMetricName { ref name, .. }) if name == bad
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn utf8_metric_names_need_only_a_character() {
        for good in [
            "9a",
            "a-b",
            "a b",
            "é",
            "http.server.duration",
            "a{",
            "🙂",
            "\"\n",
        ] {
            assert!(validate_metric_name(good, Utf8).is_ok(), "{good}");
        }
        let empty = validate_metric_name("", Utf8).unwrap_err().to_string();
        assert!(empty.contains("cannot be empty"), "{empty}");
    }

    #[test]
    fn legacy_label_names() {
        for good in ["a", "_a", "method", "A_9"] {
            assert!(validate_label_name(good, Legacy).is_ok(), "{good}");
        }
        for bad in ["", "9a", "a:b", "a-b", "__name__", "__x", "é"] {
            assert!(validate_label_name(bad, Legacy).is_err(), "{bad}");
        }
    }

    #[test]
    fn utf8_label_names_keep_the_reserved_prefix() {
        for good in ["9a", "a:b", "http.method", "é", "_x"] {
            assert!(validate_label_name(good, Utf8).is_ok(), "{good}");
        }
        for bad in ["", "__name__", "__x", "__é"] {
            assert!(validate_label_name(bad, Utf8).is_err(), "{bad}");
        }
    }

    #[test]
    fn utf8_names_keep_the_suffix_rules() {
        assert_eq!(
            family_name("app.requests_total", MetricType::Counter, None, Utf8).unwrap(),
            "app.requests"
        );
        assert_eq!(
            family_name(
                "http.server.duration",
                MetricType::Histogram,
                Some("seconds"),
                Utf8
            )
            .unwrap(),
            "http.server.duration_seconds"
        );
        assert!(family_name("app.requests_total", MetricType::Counter, None, Legacy).is_err());
    }

    #[test]
    fn reserved_labels_per_type() {
        assert!(validate_family_label_names("h", MetricType::Histogram, &["le"], Utf8).is_err());
        assert!(validate_family_label_names("h", MetricType::Gauge, &["le"], Utf8).is_ok());
        assert!(
            validate_family_label_names("s", MetricType::Summary, &["quantile"], Legacy).is_err()
        );
        assert!(
            validate_family_label_names("s", MetricType::Histogram, &["quantile"], Utf8).is_ok()
        );
        assert!(
            validate_family_label_names("state", MetricType::StateSet, &["state"], Utf8).is_err()
        );
        assert_eq!(
            validate_family_label_names("x", MetricType::Gauge, &["a", "b", "a"], Utf8),
            Err(Error::DuplicateLabelName("a".into()))
        );
    }

    #[test]
    fn counter_total_suffix_is_dropped() {
        assert_eq!(
            family_name("requests_total", MetricType::Counter, None, Utf8).unwrap(),
            "requests"
        );
        assert_eq!(
            family_name("requests", MetricType::Counter, None, Utf8).unwrap(),
            "requests"
        );
        assert_eq!(
            family_name("requests_total", MetricType::Gauge, None, Utf8).unwrap(),
            "requests_total"
        );
    }

    #[test]
    fn unit_is_appended_once() {
        assert_eq!(
            family_name("latency", MetricType::Histogram, Some("seconds"), Utf8).unwrap(),
            "latency_seconds"
        );
        assert_eq!(
            family_name(
                "latency_seconds",
                MetricType::Histogram,
                Some("seconds"),
                Utf8
            )
            .unwrap(),
            "latency_seconds"
        );
        assert_eq!(
            family_name("sent_bytes_total", MetricType::Counter, Some("bytes"), Utf8).unwrap(),
            "sent_bytes"
        );
        assert!(family_name("build", MetricType::Info, Some("x"), Utf8).is_err());
        assert!(family_name("x", MetricType::Gauge, Some("a b"), Utf8).is_err());
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
