//! Temporary stand-ins for `Format::negotiate` and `exposition::accepts_gzip`, which the
//! exposition module is gaining; the exporter switches to those when they land and this file
//! goes away.

use crate::exposition::Format;

/// One element of an `Accept` or `Accept-Encoding` list: the value and its q-value.
fn elements(header: &str) -> impl Iterator<Item = (String, Vec<(String, String)>, f32)> + '_ {
    header.split(',').filter_map(|element| {
        let mut parts = element.split(';');
        let value = parts.next()?.trim().to_ascii_lowercase();
        if value.is_empty() {
            return None;
        }
        let mut q = 1.0;
        let mut params = Vec::new();
        for param in parts {
            let (k, v) = param.split_once('=').unwrap_or((param, ""));
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().trim_matches('"'));
            if k == "q" {
                q = v.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))?;
            } else {
                params.push((k, v.to_owned()));
            }
        }
        Some((value, params, q))
    })
}

/// The format an `Accept` header asks for: OpenMetrics 1.0 when an acceptable
/// `application/openmetrics-text` (any version we can answer, or none) has the highest q-value,
/// Prometheus text 0.0.4 otherwise and when the header is absent.
pub(crate) fn negotiate(accept: Option<&str>) -> Format {
    let Some(accept) = accept else {
        return Format::Prometheus;
    };
    let mut best: Option<(f32, Format)> = None;
    for (media, params, q) in elements(accept) {
        if q <= 0.0 {
            continue;
        }
        let version = params
            .iter()
            .find(|(k, _)| k == "version")
            .map(|(_, v)| v.as_str());
        let format = match media.as_str() {
            "application/openmetrics-text" if matches!(version, None | Some("1.0.0" | "0.0.1")) => {
                Format::OpenMetrics
            }
            "text/plain" | "*/*" | "text/*" => Format::Prometheus,
            _ => continue,
        };
        if best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, format));
        }
    }
    best.map_or(Format::Prometheus, |(_, format)| format)
}

/// Whether an `Accept-Encoding` header allows gzip (`gzip`, `x-gzip` or `*` with a q-value
/// above zero, and gzip not refused by name).
pub(crate) fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let mut named = None;
    let mut any = None;
    for (coding, _, q) in elements(header) {
        match coding.as_str() {
            "gzip" | "x-gzip" => named = Some(q > 0.0),
            "*" => any = Some(q > 0.0),
            _ => {}
        }
    }
    named.or(any).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_headers() {
        let prom3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(negotiate(Some(prom3)), Format::OpenMetrics);
        let prom2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(negotiate(Some(prom2)), Format::OpenMetrics);
        let text_first = "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5";
        assert_eq!(negotiate(Some(text_first)), Format::Prometheus);
        assert_eq!(negotiate(None), Format::Prometheus);
        assert_eq!(negotiate(Some("application/json")), Format::Prometheus);
        assert_eq!(
            negotiate(Some("application/openmetrics-text;q=0")),
            Format::Prometheus
        );
    }

    #[test]
    fn gzip() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("deflate, gzip;q=0.5")));
        assert!(accepts_gzip(Some("*")));
        assert!(!accepts_gzip(Some("gzip;q=0, *")));
        assert!(!accepts_gzip(Some("identity")));
        assert!(!accepts_gzip(None));
    }
}
