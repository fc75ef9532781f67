//! How metric and label names are written: as they are, quoted, or escaped into the legacy
//! character set for a scraper that cannot read UTF-8 names.
//!
//! A name that matches the legacy rules (`[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics,
//! `[a-zA-Z_][a-zA-Z0-9_]*` for labels) is written as it is, in every format and scheme. Any
//! other name is either quoted (`"http.server.duration"`, for a scraper that sent
//! `escaping=allow-utf-8`), with the escapes of a label value inside the quotes, or rewritten
//! with the scheme the scraper asked for, character for character as prometheus/common's
//! `model.EscapeName` rewrites it: what client_golang's encoder (`model.EscapeMetricFamily`)
//! sends.
//!
//! Where the references differ:
//! - legacy names stay as they are under `dots` too, as client_golang's encoder leaves them;
//!   `EscapeName` itself and client_python rewrite them (`a_b` becomes `a__b`), which would give
//!   a legacy series a name no other exporter gives it. [`escape_name`] is `EscapeName` exactly.
//! - label names are checked against the label rules, so a `:` in a label name is escaped (or
//!   quoted), as client_python does; prometheus/common applies the metric rules to both and
//!   leaves it, which Prometheus 2's parser then rejects.

use std::fmt::Write as _;

use crate::text::escape::push_label_value;

/// What the scraper can read, as the `escaping` parameter of its `Accept` header names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Escaping {
    /// `allow-utf-8`: names as they are, quoted where the legacy rules do not hold.
    AllowUtf8,
    /// `underscores`: every character outside the legacy set becomes `_`. The default, for
    /// scrapers that do not say.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, anything else outside the set `__`.
    Dots,
    /// `values`: `U__` then the name with `_` doubled and any other character outside the set
    /// written as `_<hex code point>_`.
    Values,
}

impl Escaping {
    /// The parameter value (`allow-utf-8`, `underscores`, `dots`, `values`).
    pub fn as_str(self) -> &'static str {
        match self {
            Escaping::AllowUtf8 => "allow-utf-8",
            Escaping::Underscores => "underscores",
            Escaping::Dots => "dots",
            Escaping::Values => "values",
        }
    }

    /// The scheme a parameter value names; `None` for anything else (matched exactly, as
    /// prometheus/common matches it).
    pub fn parse(value: &str) -> Option<Escaping> {
        match value {
            "allow-utf-8" => Some(Escaping::AllowUtf8),
            "underscores" => Some(Escaping::Underscores),
            "dots" => Some(Escaping::Dots),
            "values" => Some(Escaping::Values),
            _ => None,
        }
    }
}

/// The two kinds of name, whose legacy character sets differ by `:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Metric,
    Label,
}

impl NameKind {
    /// Whether `c` at character position `index` is in the legacy set.
    #[inline]
    fn is_legacy_char(self, c: char, index: usize) -> bool {
        c.is_ascii_alphabetic()
            || c == '_'
            || (c == ':' && self == NameKind::Metric)
            || (c.is_ascii_digit() && index > 0)
    }

    /// Whether the name is non-empty and entirely in the legacy set.
    #[inline]
    pub fn is_legacy(self, name: &str) -> bool {
        let bytes = name.as_bytes();
        let Some((first, rest)) = bytes.split_first() else {
            return false;
        };
        let colon_ok = self == NameKind::Metric;
        (first.is_ascii_alphabetic() || *first == b'_' || (*first == b':' && colon_ok))
            && rest
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || (*b == b':' && colon_ok))
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
#[inline]
pub fn is_legacy_metric_name(name: &str) -> bool {
    NameKind::Metric.is_legacy(name)
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`.
#[inline]
pub fn is_legacy_label_name(name: &str) -> bool {
    NameKind::Label.is_legacy(name)
}

/// Whether the joined parts are a legacy name. Suffixes (`_total`, `_bucket`) are legacy
/// characters never in first position, so only the first part needs the full check.
#[inline]
fn parts_are_legacy(kind: NameKind, parts: &[&str]) -> bool {
    match parts.split_first() {
        None => false,
        Some((first, rest)) => {
            kind.is_legacy(first)
                && rest
                    .iter()
                    .all(|part| part.chars().all(|c| kind.is_legacy_char(c, 1)))
        }
    }
}

/// Appends the joined parts as a name is written in a metadata line or a label pair: as they
/// are when legacy, quoted under `allow-utf-8`, rewritten under the other schemes.
pub fn push_name(out: &mut String, kind: NameKind, parts: &[&str], escaping: Escaping) {
    if parts_are_legacy(kind, parts) {
        for part in parts {
            out.push_str(part);
        }
        return;
    }
    match escaping {
        Escaping::AllowUtf8 => {
            out.push('"');
            for part in parts {
                push_label_value(out, part);
            }
            out.push('"');
        }
        scheme => push_escaped(out, kind, parts, scheme),
    }
}

/// Appends the name of one of a family's samples or metadata lines: `family` then `suffix`
/// (`_bucket`, or nothing), for a family of a type whose samples carry `type_suffix` (`_total`
/// for counters, `_info` for info metrics, else nothing).
///
/// As it is when the family's name is legacy; quoted as one name under `allow-utf-8`; otherwise
/// the family's name with its type suffix is rewritten, as client_golang's families are named
/// (`app.requests_total` is `app_dot_requests__total` under `dots`), and the other suffixes
/// follow it. So a counter's samples keep one name in every format: `app_dot_requests__total`
/// in text and OpenMetrics alike, under an OpenMetrics family `app_dot_requests_`, exactly as
/// prometheus/common writes it.
pub fn push_sample_name(
    out: &mut String,
    family: &str,
    type_suffix: &str,
    suffix: &str,
    escaping: Escaping,
) {
    if is_legacy_metric_name(family) {
        out.push_str(family);
        out.push_str(suffix);
        return;
    }
    if escaping == Escaping::AllowUtf8 {
        push_name(out, NameKind::Metric, &[family, suffix], escaping);
        return;
    }
    let start = out.len();
    push_escaped(out, NameKind::Metric, &[family, type_suffix], escaping);
    // The type suffix is legacy characters, rewritten to themselves (`_` doubled under `dots`
    // and `values` only where it is written twice: the escaped name still ends with it).
    debug_assert!(out[start..].ends_with(type_suffix));
    out.truncate(out.len() - type_suffix.len());
    out.push_str(suffix);
}

/// Whether a sample whose name is the joined parts starts inside the braces
/// (`{"http.requests_total",method="GET"}`): a quoted name, under `allow-utf-8`.
#[inline]
pub fn name_inside_braces(parts: &[&str], escaping: Escaping) -> bool {
    escaping == Escaping::AllowUtf8 && !parts_are_legacy(NameKind::Metric, parts)
}

/// The name rewritten with `escaping`, exactly as `model.EscapeName` does (so `dots` rewrites
/// legacy names too, unlike [`push_name`]); quoting is not escaping, so `allow-utf-8` returns
/// the name as it is.
pub fn escape_name(kind: NameKind, name: &str, escaping: Escaping) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    match escaping {
        Escaping::AllowUtf8 => out.push_str(name),
        Escaping::Underscores | Escaping::Values if kind.is_legacy(name) => out.push_str(name),
        scheme => push_escaped(&mut out, kind, &[name], scheme),
    }
    out
}

/// Appends the joined parts rewritten with `scheme`, one of the three rewriting schemes.
fn push_escaped(out: &mut String, kind: NameKind, parts: &[&str], scheme: Escaping) {
    if parts.iter().all(|part| part.is_empty()) {
        return;
    }
    if scheme == Escaping::Values {
        out.push_str("U__");
    }
    let chars = parts.iter().flat_map(|part| part.chars());
    for (index, c) in chars.enumerate() {
        match scheme {
            Escaping::Underscores => {
                out.push(if kind.is_legacy_char(c, index) {
                    c
                } else {
                    '_'
                });
            }
            Escaping::Dots => match c {
                '_' => out.push_str("__"),
                '.' => out.push_str("_dot_"),
                c if kind.is_legacy_char(c, index) => out.push(c),
                _ => out.push_str("__"),
            },
            Escaping::Values => match c {
                '_' => out.push_str("__"),
                c if kind.is_legacy_char(c, index) => out.push(c),
                c => {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "_{:x}_", c as u32);
                }
            },
            Escaping::AllowUtf8 => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(name: &str, scheme: Escaping) -> String {
        escape_name(NameKind::Metric, name, scheme)
    }

    #[test]
    fn legacy_sets_differ_by_colon() {
        assert!(is_legacy_metric_name("a:b_1") && !is_legacy_label_name("a:b_1"));
        for bad in ["", "1a", "a.b", "é", "a b", "a-b"] {
            assert!(
                !is_legacy_metric_name(bad) && !is_legacy_label_name(bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn underscores_replace_each_character() {
        assert_eq!(
            escaped("http.server.duration", Escaping::Underscores),
            "http_server_duration"
        );
        assert_eq!(escaped("1a", Escaping::Underscores), "_a");
        assert_eq!(escaped("a🙂b", Escaping::Underscores), "a_b");
        assert_eq!(escaped("ok_name", Escaping::Underscores), "ok_name");
    }

    #[test]
    fn dots_double_underscores() {
        assert_eq!(escaped("a.b_c", Escaping::Dots), "a_dot_b__c");
        assert_eq!(escaped("a_b", Escaping::Dots), "a__b");
        assert_eq!(escaped("a b", Escaping::Dots), "a__b");
    }

    #[test]
    fn legacy_names_are_written_as_they_are_under_every_scheme() {
        for scheme in [
            Escaping::AllowUtf8,
            Escaping::Underscores,
            Escaping::Dots,
            Escaping::Values,
        ] {
            let mut out = String::new();
            push_name(
                &mut out,
                NameKind::Metric,
                &["http_requests", "_total"],
                scheme,
            );
            assert_eq!(out, "http_requests_total", "{scheme:?}");
        }
    }

    #[test]
    fn values_encode_code_points() {
        assert_eq!(escaped("a.b_c", Escaping::Values), "U__a_2e_b__c");
        assert_eq!(escaped("🙂", Escaping::Values), "U___1f642_");
        assert_eq!(escaped("1", Escaping::Values), "U___31_");
        assert_eq!(escaped("legacy_name", Escaping::Values), "legacy_name");
    }

    #[test]
    fn quoting_uses_label_value_escapes() {
        let mut out = String::new();
        push_name(
            &mut out,
            NameKind::Metric,
            &["a\"b\\c\nd"],
            Escaping::AllowUtf8,
        );
        assert_eq!(out, r#""a\"b\\c\nd""#);
        out.clear();
        push_name(&mut out, NameKind::Label, &["a:b"], Escaping::AllowUtf8);
        assert_eq!(out, r#""a:b""#);
        out.clear();
        push_name(&mut out, NameKind::Metric, &["a:b"], Escaping::AllowUtf8);
        assert_eq!(out, "a:b");
    }

    #[test]
    fn suffixes_are_escaped_with_the_name() {
        let mut out = String::new();
        push_name(
            &mut out,
            NameKind::Metric,
            &["a.b", "_total"],
            Escaping::Values,
        );
        assert_eq!(out, "U__a_2e_b__total");
        assert!(name_inside_braces(&["a.b", "_total"], Escaping::AllowUtf8));
        assert!(!name_inside_braces(&["ab", "_total"], Escaping::AllowUtf8));
        assert!(!name_inside_braces(
            &["a.b", "_total"],
            Escaping::Underscores
        ));
    }

    #[test]
    fn scheme_names_round_trip() {
        for scheme in [
            Escaping::AllowUtf8,
            Escaping::Underscores,
            Escaping::Dots,
            Escaping::Values,
        ] {
            assert_eq!(Escaping::parse(scheme.as_str()), Some(scheme));
        }
        assert_eq!(Escaping::parse("Underscores"), None);
    }
}
