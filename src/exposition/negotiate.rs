//! Content negotiation: which format and name escaping an `Accept` header asks for, and
//! whether `Accept-Encoding` allows gzip (RFC 9110, sections 12.5.1 and 12.5.3).
//!
//! Scrapers list several media ranges with q-values; Prometheus 3 sends
//! `application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,…,*/*;q=0.2`. Each
//! format takes the q-value of the most specific range that matches it, the format with the higher
//! q-value wins, and anything unclear falls back to Prometheus text 0.0.4, which every scraper
//! reads. The winning range's `escaping` parameter says how names outside the legacy character
//! set are written; without one (or with a value that is not a scheme) they are escaped with
//! underscores, which every scraper reads, except in OpenMetrics 2.0, whose names are UTF-8 by
//! definition: prometheus/common's rules. Other parameters (`charset`, accept extensions) are
//! ignored; a range that cannot be parsed is skipped, as if it were not there.

use super::{Format, Representation};
use crate::text::names::Escaping;

impl Representation {
    /// The format and escaping to answer a request with, given its `Accept` header.
    ///
    /// Each format takes the q-value of the most specific range that matches it, and the format
    /// with the highest q-value above 0 wins; on equal q-values the more specific range wins, then
    /// the one listed first. Prometheus text 0.0.4 matches `text/plain` with no version or 0.0.4;
    /// OpenMetrics 1.0 matches `application/openmetrics-text` with `version=1.0.0`,
    /// `version=0.0.1` or no version. The three newer formats are served only to a scraper that
    /// names them exactly, never through a wildcard: text 1.0.0 for `text/plain;version=1.0.0`,
    /// OpenMetrics 2.0 for `application/openmetrics-text;version=2.0.0`, protobuf for
    /// `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily` (with
    /// `encoding=delimited` or no encoding). So `*/*` or `application/*` count only for the two
    /// established formats, and only when nothing more specific names them. A missing, empty or
    /// unparsable header gives text 0.0.4 with underscore escaping.
    pub fn negotiate(accept: Option<&str>) -> Representation {
        let Some(accept) = accept else {
            return Format::Prometheus.into();
        };
        // Indexed like `CANDIDATES`.
        let mut preferences: [Option<Preference>; 5] = [None; 5];
        for (position, element) in split_unquoted(accept, b',').enumerate() {
            let Some(range) = MediaRange::parse(element) else {
                continue;
            };
            let matches = [
                range.text_specificity(),
                range.text1_specificity(),
                range.openmetrics_specificity(),
                range.openmetrics2_specificity(),
                range.protobuf_specificity(),
            ];
            for (slot, specificity) in preferences.iter_mut().zip(matches) {
                if let Some(specificity) = specificity {
                    let candidate = Preference {
                        specificity,
                        q: range.q,
                        position,
                        escaping: range.escaping,
                    };
                    candidate.keep_if_more_specific(slot);
                }
            }
        }
        let mut best: Option<(Format, Preference)> = None;
        for (format, preference) in CANDIDATES.into_iter().zip(preferences) {
            let Some(preference) = preference.filter(|p| p.q > 0.0) else {
                continue;
            };
            if best.is_none_or(|(_, current)| preference.beats(&current)) {
                best = Some((format, preference));
            }
        }
        match best {
            None => Format::Prometheus.into(),
            Some((format, preference)) => Representation {
                format,
                escaping: preference
                    .escaping
                    .unwrap_or_else(|| format.default_escaping()),
            },
        }
    }
}

impl Format {
    /// The format to answer a request with, given its `Accept` header:
    /// [`Representation::negotiate`] without the escaping.
    pub fn negotiate(accept: Option<&str>) -> Format {
        Representation::negotiate(accept).format
    }
}

/// The formats negotiation chooses from.
const CANDIDATES: [Format; 5] = [
    Format::Prometheus,
    Format::PrometheusV1,
    Format::OpenMetrics,
    Format::OpenMetrics2,
    Format::Protobuf,
];

/// Whether an `Accept-Encoding` header allows a gzip-compressed response: `gzip` (or its alias
/// `x-gzip`) with a q-value above 0, or else `*` with a q-value above 0. Codings are compared
/// case-insensitively; no header, or `gzip;q=0`, means no gzip.
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let mut gzip: Option<f64> = None;
    let mut any: Option<f64> = None;
    for element in split_unquoted(header, b',') {
        let mut parts = split_unquoted(element, b';');
        let coding = parts.next().unwrap_or_default().trim();
        let Some(params) = Params::parse(parts) else {
            continue;
        };
        let slot = if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        *slot = Some(slot.map_or(params.q, |q| q.max(params.q)));
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
}

/// How well one format matches the header: the range that decided it.
#[derive(Clone, Copy, Debug)]
struct Preference {
    /// 0 for `*/*`, 1 for `type/*`, 2 for the exact type, 3 when it also names a version.
    specificity: u8,
    q: f64,
    position: usize,
    /// The range's `escaping` parameter, when it names a scheme.
    escaping: Option<Escaping>,
}

impl Preference {
    /// Keeps the range that decides the format's q-value: the most specific one, and among
    /// equally specific ones (two acceptable versions) the one with the higher q-value.
    fn keep_if_more_specific(self, slot: &mut Option<Preference>) {
        let better = match slot {
            None => true,
            Some(current) => {
                self.specificity > current.specificity
                    || (self.specificity == current.specificity && self.q > current.q)
            }
        };
        if better {
            *slot = Some(self);
        }
    }

    /// Whether this format is preferred to `other`: higher q-value, then the more specific range,
    /// then the range listed first.
    fn beats(&self, other: &Preference) -> bool {
        if self.q != other.q {
            return self.q > other.q;
        }
        if self.specificity != other.specificity {
            return self.specificity > other.specificity;
        }
        self.position < other.position
    }
}

/// One element of an `Accept` header.
#[derive(Debug, PartialEq)]
struct MediaRange<'a> {
    kind: &'a str,
    subtype: &'a str,
    version: Option<&'a str>,
    proto: Option<&'a str>,
    encoding: Option<&'a str>,
    escaping: Option<Escaping>,
    q: f64,
}

impl<'a> MediaRange<'a> {
    /// Parses `type/subtype *(; name=value)`; `None` when it is not well formed.
    fn parse(element: &'a str) -> Option<Self> {
        let mut parts = split_unquoted(element, b';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        if !is_token(kind) || !is_token(subtype) || (kind == "*" && subtype != "*") {
            return None;
        }
        let params = Params::parse(parts)?;
        Some(MediaRange {
            kind,
            subtype,
            version: params.version,
            proto: params.proto,
            encoding: params.encoding,
            escaping: params.escaping.and_then(Escaping::parse),
            q: params.q,
        })
    }

    /// 3 for exactly `text/plain;version=1.0.0`.
    fn text1_specificity(&self) -> Option<u8> {
        (self.kind.eq_ignore_ascii_case("text")
            && self.subtype.eq_ignore_ascii_case("plain")
            && self.version == Some("1.0.0"))
        .then_some(3)
    }

    /// 3 for exactly `application/openmetrics-text;version=2.0.0`.
    fn openmetrics2_specificity(&self) -> Option<u8> {
        (self.kind.eq_ignore_ascii_case("application")
            && self.subtype.eq_ignore_ascii_case("openmetrics-text")
            && self.version == Some("2.0.0"))
        .then_some(3)
    }

    /// 3 for exactly the delimited `MetricFamily` protobuf type.
    fn protobuf_specificity(&self) -> Option<u8> {
        (self.kind.eq_ignore_ascii_case("application")
            && self.subtype.eq_ignore_ascii_case("vnd.google.protobuf")
            && self.proto == Some("io.prometheus.client.MetricFamily")
            && matches!(self.encoding, None | Some("delimited")))
        .then_some(3)
    }

    fn openmetrics_specificity(&self) -> Option<u8> {
        self.specificity("application", "openmetrics-text", &["1.0.0", "0.0.1"])
    }

    fn text_specificity(&self) -> Option<u8> {
        self.specificity("text", "plain", &["0.0.4"])
    }

    /// How specifically this range names `kind/subtype` in one of `versions`, if it does.
    fn specificity(&self, kind: &str, subtype: &str, versions: &[&str]) -> Option<u8> {
        if self.kind == "*" {
            return Some(0);
        }
        if !self.kind.eq_ignore_ascii_case(kind) {
            return None;
        }
        if self.subtype == "*" {
            return Some(1);
        }
        if !self.subtype.eq_ignore_ascii_case(subtype) {
            return None;
        }
        match self.version {
            None => Some(2),
            Some(version) if versions.contains(&version) => Some(3),
            Some(_) => None,
        }
    }
}

/// The parameters negotiation cares about.
#[derive(Debug, PartialEq)]
struct Params<'a> {
    version: Option<&'a str>,
    proto: Option<&'a str>,
    encoding: Option<&'a str>,
    escaping: Option<&'a str>,
    /// 1 when absent.
    q: f64,
}

impl<'a> Params<'a> {
    /// Reads `name=value` parameters; `None` if one is malformed or `q` is not a q-value.
    /// Parameters after `q` are accept extensions, not media type parameters, so a `version`
    /// there is ignored.
    fn parse(parts: impl Iterator<Item = &'a str>) -> Option<Self> {
        let mut params = Params {
            version: None,
            proto: None,
            encoding: None,
            escaping: None,
            q: 1.0,
        };
        let mut after_q = false;
        for part in parts {
            let part = part.trim();
            if part.is_empty() {
                // `text/plain;;q=1` is sloppy but unambiguous.
                continue;
            }
            let (name, value) = part.split_once('=')?;
            let (name, value) = (name.trim_end(), unquote(value.trim_start())?);
            if !is_token(name) {
                return None;
            }
            if name.eq_ignore_ascii_case("q") {
                if after_q {
                    continue;
                }
                params.q = parse_qvalue(value)?;
                after_q = true;
            } else if !after_q {
                if name.eq_ignore_ascii_case("version") {
                    params.version = Some(value);
                } else if name.eq_ignore_ascii_case("proto") {
                    params.proto = Some(value);
                } else if name.eq_ignore_ascii_case("encoding") {
                    params.encoding = Some(value);
                } else if name.eq_ignore_ascii_case("escaping") {
                    params.escaping = Some(value);
                }
            }
        }
        Some(params)
    }
}

/// A q-value: a number from 0 to 1 written with digits and at most one point (RFC 9110 allows
/// three decimals; more are accepted, `inf`, signs and exponents are not).
fn parse_qvalue(text: &str) -> Option<f64> {
    let well_formed = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && text.bytes().any(|b| b.is_ascii_digit());
    let q: f64 = text.parse().ok().filter(|_| well_formed)?;
    (0.0..=1.0).contains(&q).then_some(q)
}

/// A parameter value: a token, or a quoted string without its quotes (escapes are left in place:
/// no value we compare contains one).
fn unquote(value: &str) -> Option<&str> {
    match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"'),
        None => is_token(value).then_some(value),
    }
}

/// RFC 9110 `token`: one or more visible ASCII characters other than delimiters.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Splits a header list on `separator`, except inside quoted strings.
fn split_unquoted(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let (mut quoted, mut escaped) = (false, false);
        for (index, byte) in current.bytes().enumerate() {
            if escaped {
                escaped = false;
            } else if quoted && byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                quoted = !quoted;
            } else if byte == separator && !quoted {
                rest = Some(&current[index + 1..]);
                return Some(&current[..index]);
            }
        }
        rest = None;
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Prometheus 3 sends by default (quoted in ARCHITECTURE.md).
    const PROMETHEUS_3: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    /// What Prometheus 2 sends by default.
    const PROMETHEUS_2: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    fn negotiate(accept: &str) -> Format {
        Format::negotiate(Some(accept))
    }

    fn representation(accept: &str) -> (Format, Escaping) {
        let chosen = Representation::negotiate(Some(accept));
        (chosen.format, chosen.escaping)
    }

    #[test]
    fn escaping_comes_from_the_winning_range() {
        assert_eq!(
            representation(PROMETHEUS_3),
            (Format::OpenMetrics, Escaping::AllowUtf8)
        );
        assert_eq!(
            representation(PROMETHEUS_2),
            (Format::OpenMetrics, Escaping::Underscores)
        );
        assert_eq!(
            representation(PROMETHEUS_3_NATIVE),
            (Format::Protobuf, Escaping::Underscores)
        );
        assert_eq!(
            representation("text/plain;version=1.0.0;escaping=allow-utf-8"),
            (Format::PrometheusV1, Escaping::AllowUtf8)
        );
        assert_eq!(
            representation("text/plain;version=0.0.4;escaping=values"),
            (Format::Prometheus, Escaping::Values)
        );
        assert_eq!(
            representation("text/plain;version=1.0.0;escaping=dots;q=0.5,*/*;q=0.1"),
            (Format::PrometheusV1, Escaping::Dots)
        );
        // A range that loses lends nothing to the winner.
        assert_eq!(
            representation("text/plain;escaping=allow-utf-8;q=0.1,application/openmetrics-text"),
            (Format::OpenMetrics, Escaping::Underscores)
        );
    }

    #[test]
    fn unknown_escaping_falls_back_to_the_default() {
        assert_eq!(
            representation("application/openmetrics-text;version=1.0.0;escaping=bogus"),
            (Format::OpenMetrics, Escaping::Underscores)
        );
        assert_eq!(
            representation("application/openmetrics-text;version=2.0.0"),
            (Format::OpenMetrics2, Escaping::AllowUtf8)
        );
        assert_eq!(
            representation("application/openmetrics-text;version=2.0.0;escaping=underscores"),
            (Format::OpenMetrics2, Escaping::Underscores)
        );
        assert_eq!(
            Representation::negotiate(None),
            Representation {
                format: Format::Prometheus,
                escaping: Escaping::Underscores
            }
        );
    }

    #[test]
    fn text_1_0_0_only_when_named() {
        assert_eq!(negotiate("text/plain;version=1.0.0"), Format::PrometheusV1);
        assert_eq!(negotiate("text/plain"), Format::Prometheus);
        assert_eq!(negotiate("text/*"), Format::Prometheus);
        assert_eq!(
            negotiate("text/plain;version=1.0.0;q=0.4,text/plain;version=0.0.4;q=0.3"),
            Format::PrometheusV1
        );
    }

    #[test]
    fn content_types_announce_the_escaping() {
        let rep = |format, escaping| Representation { format, escaping }.content_type();
        assert_eq!(
            rep(Format::Prometheus, Escaping::Underscores),
            "text/plain; version=0.0.4; charset=utf-8"
        );
        assert_eq!(
            rep(Format::Prometheus, Escaping::AllowUtf8),
            "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8"
        );
        assert_eq!(
            rep(Format::PrometheusV1, Escaping::Underscores),
            "text/plain; version=1.0.0; charset=utf-8; escaping=underscores"
        );
        assert_eq!(
            rep(Format::OpenMetrics, Escaping::AllowUtf8),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
        );
        assert_eq!(
            rep(Format::Protobuf, Escaping::Values),
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; \
             encoding=delimited; escaping=values"
        );
        for format in CANDIDATES {
            for escaping in [
                Escaping::AllowUtf8,
                Escaping::Underscores,
                Escaping::Dots,
                Escaping::Values,
            ] {
                let content_type = rep(format, escaping);
                assert!(
                    content_type.starts_with(format.content_type()),
                    "{content_type}"
                );
                assert!(!content_type.contains('\0'));
                let with_nul = Representation { format, escaping }.content_type_with_nul();
                assert_eq!(with_nul.strip_suffix('\0'), Some(content_type));
            }
        }
    }

    #[test]
    fn scrapers_get_openmetrics() {
        assert_eq!(negotiate(PROMETHEUS_3), Format::OpenMetrics);
        assert_eq!(negotiate(PROMETHEUS_2), Format::OpenMetrics);
        assert_eq!(
            negotiate("application/openmetrics-text"),
            Format::OpenMetrics
        );
        assert_eq!(
            negotiate("application/openmetrics-text; version=0.0.1; charset=utf-8"),
            Format::OpenMetrics
        );
        assert_eq!(
            negotiate("Application/OpenMetrics-Text;Version=1.0.0;Q=0.9,text/plain;q=0.8"),
            Format::OpenMetrics
        );
    }

    #[test]
    fn plain_requests_get_text() {
        assert_eq!(Format::negotiate(None), Format::Prometheus);
        assert_eq!(negotiate(""), Format::Prometheus);
        assert_eq!(negotiate("text/plain"), Format::Prometheus);
        assert_eq!(negotiate("text/plain;version=0.0.4"), Format::Prometheus);
        assert_eq!(negotiate("*/*"), Format::Prometheus);
        assert_eq!(negotiate("text/html,*/*;q=0.8"), Format::Prometheus);
        assert_eq!(negotiate("application/json"), Format::Prometheus);
        // The Prometheus 2 header without its OpenMetrics ranges, as a 0.0.4-only scraper sends.
        assert_eq!(
            negotiate("text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            Format::Prometheus
        );
    }

    #[test]
    fn q_values_decide() {
        assert_eq!(
            negotiate("application/openmetrics-text;q=0"),
            Format::Prometheus
        );
        assert_eq!(
            negotiate("application/openmetrics-text;q=0.0,*/*"),
            Format::Prometheus
        );
        assert_eq!(
            negotiate("application/openmetrics-text;q=0.5,text/plain;q=0.6"),
            Format::Prometheus
        );
        assert_eq!(
            negotiate("text/plain;q=0.5,application/openmetrics-text;q=0.6"),
            Format::OpenMetrics
        );
        assert_eq!(negotiate("text/plain;q=0,*/*"), Format::OpenMetrics);
        assert_eq!(negotiate("application/*"), Format::OpenMetrics);
        assert_eq!(
            negotiate("application/*;q=0.9,text/*;q=0.3"),
            Format::OpenMetrics
        );
        // The most specific range sets a format's q-value, whatever a wildcard says.
        assert_eq!(
            negotiate("application/openmetrics-text;q=0.1,*/*;q=1"),
            Format::Prometheus
        );
    }

    #[test]
    fn ties_go_to_the_more_specific_then_the_first() {
        assert_eq!(
            negotiate("application/openmetrics-text,text/plain"),
            Format::OpenMetrics
        );
        assert_eq!(
            negotiate("text/plain,application/openmetrics-text"),
            Format::Prometheus
        );
        assert_eq!(
            negotiate("*/*;q=0.5,application/openmetrics-text;q=0.5"),
            Format::OpenMetrics
        );
        assert_eq!(
            negotiate("application/openmetrics-text;q=0.5,text/plain;version=0.0.4;q=0.5"),
            Format::Prometheus
        );
    }

    /// What Prometheus 3 sends with `scrape_native_histograms: true`.
    const PROMETHEUS_3_NATIVE: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    /// What Prometheus 3 sends with `scrape_protocols: [OpenMetricsText2.0.0, PrometheusProto]`.
    const PROMETHEUS_3_OPENMETRICS_2: &str = "application/openmetrics-text;version=2.0.0;escaping=allow-utf-8;q=0.7,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,*/*;q=0.5";

    #[test]
    fn protobuf_and_openmetrics_2_only_when_named() {
        assert_eq!(negotiate(PROMETHEUS_3_NATIVE), Format::Protobuf);
        assert_eq!(negotiate(PROMETHEUS_3_OPENMETRICS_2), Format::OpenMetrics2);
        assert_eq!(
            negotiate("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily"),
            Format::Protobuf
        );
        for header in [
            "application/vnd.google.protobuf",
            "application/vnd.google.protobuf;proto=other.Message",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;q=0",
            "application/*",
            "*/*",
        ] {
            assert_ne!(negotiate(header), Format::Protobuf, "{header}");
            assert_ne!(negotiate(header), Format::OpenMetrics2, "{header}");
        }
        assert_eq!(
            negotiate("application/openmetrics-text;version=2.0.0"),
            Format::OpenMetrics2
        );
        assert_eq!(
            negotiate("application/openmetrics-text;version=2.0.0;q=0.1,text/plain;q=0.5"),
            Format::Prometheus
        );
        assert_eq!(
            negotiate("application/openmetrics-text;version=2.0.0,text/plain;q=0.1"),
            Format::OpenMetrics2
        );
    }

    #[test]
    fn unknown_versions_are_not_acceptable() {
        assert_eq!(
            negotiate("application/openmetrics-text;version=3.0.0"),
            Format::Prometheus
        );
        assert_eq!(
            negotiate("application/openmetrics-text;version=3.0.0,text/plain;q=0.1"),
            Format::Prometheus
        );
        // A version given as a quoted string is the same version.
        assert_eq!(
            negotiate("application/openmetrics-text;version=\"1.0.0\""),
            Format::OpenMetrics
        );
        // Two acceptable versions: the better q-value counts.
        assert_eq!(
            negotiate(
                "application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text;version=0.0.1;q=0.7,text/plain;q=0.5"
            ),
            Format::OpenMetrics
        );
        // A version after q is an accept extension, not a media type parameter.
        assert_eq!(
            negotiate("application/openmetrics-text;q=0.9;version=9"),
            Format::OpenMetrics
        );
        // A text version we do not know leaves text unmatched, not OpenMetrics refused.
        assert_eq!(
            negotiate("text/plain;version=9.9.9,application/openmetrics-text;q=0.2"),
            Format::OpenMetrics
        );
    }

    #[test]
    fn garbage_falls_back_to_text() {
        for header in [
            "garbage",
            ";;;",
            ",,,",
            "/",
            "application/",
            "/openmetrics-text",
            "*/openmetrics-text",
            "application/openmetrics-text;q=abc",
            "application/openmetrics-text;q=2",
            "application/openmetrics-text;q=-1",
            "application/openmetrics-text;q=inf",
            "application/openmetrics-text;q=NaN",
            "application/openmetrics-text;q",
            "application/openmetrics-text;version=\"1.0.0",
            "application/openmetrics text",
            "applicätion/openmetrics-text",
            "\u{0}\u{1}",
        ] {
            assert_eq!(negotiate(header), Format::Prometheus, "{header:?}");
        }
        // A malformed range is skipped; the rest of the header still counts.
        assert_eq!(
            negotiate("text/plain;q=abc,application/openmetrics-text;q=0.1"),
            Format::OpenMetrics
        );
        // Separators inside a quoted parameter do not split the header.
        assert_eq!(
            negotiate("text/plain;x=\"a,b;c\";q=0.1,application/openmetrics-text;q=0.2"),
            Format::OpenMetrics
        );
        assert_eq!(
            negotiate(
                " application/openmetrics-text ; version=1.0.0 ; q=0.3 , text/plain ; q=0.2 "
            ),
            Format::OpenMetrics
        );
    }

    #[test]
    fn gzip() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("GZIP")));
        assert!(accepts_gzip(Some("gzip, deflate, br")));
        assert!(accepts_gzip(Some("deflate, gzip;q=0.5")));
        assert!(accepts_gzip(Some("x-gzip")));
        assert!(accepts_gzip(Some("*")));
        assert!(accepts_gzip(Some("identity;q=1, *;q=0.1")));
        assert!(accepts_gzip(Some(" gzip ; q=1.000 ")));
        assert!(!accepts_gzip(None));
        assert!(!accepts_gzip(Some("")));
        assert!(!accepts_gzip(Some("identity")));
        assert!(!accepts_gzip(Some("deflate, br")));
        assert!(!accepts_gzip(Some("gzip;q=0")));
        assert!(!accepts_gzip(Some("gzip;q=0.000")));
        assert!(!accepts_gzip(Some("*;q=0")));
        assert!(!accepts_gzip(Some("gzip;q=0, *")));
        assert!(!accepts_gzip(Some("gzip;q=bad")));
        assert!(!accepts_gzip(Some("gzipped")));
        assert!(!accepts_gzip(Some("garbage;;=")));
    }

    #[test]
    fn header_lists_split_outside_quotes() {
        let parts: Vec<_> = split_unquoted("a;b=\"x;\\\"y\";c", b';').collect();
        assert_eq!(parts, ["a", "b=\"x;\\\"y\"", "c"]);
        let parts: Vec<_> = split_unquoted("", b',').collect();
        assert_eq!(parts, [""]);
    }
}
