//! UTF-8 metric and label names, written for each scraper as it asked, checked against
//! prometheus/common and Prometheus's own parsers (the Go program in `tests/parsers`).
//!
//! - Our escaping of each name of a table (dots, spaces, quotes, backslashes, line feeds, emoji,
//!   leading digits, the `U__` edge cases) is `model.EscapeName`'s, for every scheme.
//! - The names and labels of our text 0.0.4, OpenMetrics 1.0 and protobuf expositions under each
//!   scheme are, byte for byte, what prometheus/common's encoder writes for the same families
//!   (our protobuf, re-encoded by `expfmt` with the scheme): client_golang's `/metrics`. Numbers
//!   are left out of the comparison where our documented spellings differ (`le="1.0"`).
//! - Under `allow-utf-8`, text 1.0.0 and OpenMetrics 1.0 with quoted names read back through
//!   `textparse` with the UTF-8 names intact.
//!
//! Without `go` the tests say what they could not run and pass; under CI (`CI` set) they fail.

use std::sync::Arc;

use prometheus_emulator::exposition::{
    Escaping, Format, Representation, encode_registry, escape::push_label_value,
};
use prometheus_emulator::text::names::{NameKind, escape_name};
use prometheus_emulator::{
    Counter, Family, Gauge, Histogram, HistogramConfig, Opts, Registry, StateSet, StateSetConfig,
    Summary, SummaryConfig,
};
use serde_json::Value;

mod support;
use support::parsers::{decode, parsers, run};

const SCHEMES: [Escaping; 3] = [Escaping::Underscores, Escaping::Dots, Escaping::Values];

/// Names that exercise every rule of every scheme.
const NAMES: &[&str] = &[
    "http.server.request.duration",
    "app.requests_total",
    "with space",
    "quote\"d",
    "back\\slash",
    "line\nfeed",
    "emoji🙂",
    "ümlaut",
    "9starts_with_digit",
    "_leading_underscore",
    "U__already_prefixed",
    "U__with.dot",
    "colon:inside.name",
    "a",
    "legacy_name",
    "trailing.",
    "__double",
    "tab\there",
];

#[test]
fn escaping_matches_model_escape_name() {
    let Some(parsers) = parsers() else { return };
    let names = serde_json::to_vec(NAMES).unwrap();
    for scheme in SCHEMES {
        let output = run(parsers, &["escape", scheme.as_str()], &names).unwrap();
        let theirs: Vec<String> = serde_json::from_slice(&output).unwrap();
        for (name, theirs) in NAMES.iter().zip(theirs) {
            let ours = escape_name(NameKind::Metric, name, scheme);
            assert_eq!(ours, theirs, "{name:?} under {scheme:?}");
        }
    }
}

/// Families of every type the text formats share with client_golang's, named as OpenTelemetry
/// names things, with label names that need quoting, beside legacy-named ones.
fn registry() -> Registry {
    let registry = Registry::new();
    let requests = Arc::new(
        Family::<Counter>::new(
            Opts::new("app.requests_total", "Requests \"served\".\nBy method.").labels(&[
                "http.method",
                "status code",
                "plain",
            ]),
        )
        .unwrap(),
    );
    requests
        .with_label_values(&["GET", "200", "x"])
        .unwrap()
        .inc(3.0)
        .unwrap();
    requests
        .with_label_values(&["PO\"ST\n", "5\\00", "y"])
        .unwrap()
        .inc(1.5)
        .unwrap();
    registry.register(requests).unwrap();

    let temperature = Arc::new(
        Family::<Gauge>::new(Opts::new("room.temperature°C", "Degrees.").labels(&["emoji🙂"]))
            .unwrap(),
    );
    temperature
        .with_label_values(&["hot"])
        .unwrap()
        .set(21.5)
        .unwrap();
    registry.register(temperature).unwrap();

    let quoted = Arc::new(Family::<Gauge>::new(Opts::new("line\nfeed \"q\" \\", "")).unwrap());
    quoted
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(-1.0)
        .unwrap();
    registry.register(quoted).unwrap();

    let duration = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("http.server.request.duration", "Latency.")
                .unit("seconds")
                .labels(&["url.scheme"]),
            HistogramConfig::new(&[0.1, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    let https = duration.with_label_values(&["https"]).unwrap();
    for value in [0.05, 0.5, 3.0] {
        https.observe(value).unwrap();
    }
    registry.register(duration).unwrap();

    let rpc = Arc::new(
        Family::<Summary>::with_config(
            Opts::new("rpc.latency", "RPCs.").labels(&["rpc.system"]),
            SummaryConfig::default(),
        )
        .unwrap(),
    );
    let grpc = rpc.with_label_values(&["grpc"]).unwrap();
    for value in [1.0, 2.0, 3.0] {
        grpc.observe(value).unwrap();
    }
    registry.register(rpc).unwrap();

    let legacy = Arc::new(Family::<Counter>::new(Opts::new("legacy_jobs_total", "Jobs.")).unwrap());
    legacy
        .with_label_values::<&str>(&[])
        .unwrap()
        .inc(7.0)
        .unwrap();
    registry.register(legacy).unwrap();

    let feature = Arc::new(
        Family::<StateSet>::with_config(
            Opts::new("feature.state", "Feature."),
            StateSetConfig::enumeration(&["on", "off"]).unwrap(),
        )
        .unwrap(),
    );
    feature
        .with_label_values::<&str>(&[])
        .unwrap()
        .set("on")
        .unwrap();
    registry.register(feature).unwrap();
    registry
}

fn render(registry: &Registry, format: Format, escaping: Escaping) -> Vec<u8> {
    let mut body = Vec::new();
    encode_registry(registry, Representation { format, escaping }, &mut body);
    body
}

/// Each line with its value taken off (metadata lines whole), sorted: the names and labels an
/// exposition writes, apart from how numbers are spelled (we write `le="1.0"` and `3`, expfmt
/// `le="1"` and, in OpenMetrics, `3.0`) and the order of `_sum` and `_count`.
fn names_and_labels(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with('#') {
                return line.to_owned();
            }
            let series = line.rsplit_once(' ').map_or(line, |(series, _)| series);
            series.replace("le=\"1\"", "le=\"1.0\"")
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn text_is_what_expfmt_writes_under_every_scheme() {
    let Some(parsers) = parsers() else { return };
    let registry = registry();
    let protobuf = render(&registry, Format::Protobuf, Escaping::AllowUtf8);
    for scheme in [
        Escaping::AllowUtf8,
        Escaping::Underscores,
        Escaping::Dots,
        Escaping::Values,
    ] {
        let theirs = run(parsers, &["reencode", "text", scheme.as_str()], &protobuf).unwrap();
        let theirs = String::from_utf8(theirs).unwrap();
        let ours = String::from_utf8(render(&registry, Format::Prometheus, scheme)).unwrap();
        assert_eq!(
            names_and_labels(&ours),
            names_and_labels(&theirs),
            "text 0.0.4 under {scheme:?}:\n{ours}\n{theirs}"
        );
        let text1 = render(&registry, Format::PrometheusV1, scheme);
        assert_eq!(text1, ours.as_bytes());
    }
}

#[test]
fn protobuf_is_what_expfmt_escapes_under_every_scheme() {
    let Some(parsers) = parsers() else { return };
    let registry = registry();
    let protobuf = render(&registry, Format::Protobuf, Escaping::AllowUtf8);
    for scheme in SCHEMES {
        // Our escaped protobuf, written as text with no further escaping, is expfmt's escaping
        // of our UTF-8 protobuf, byte for byte.
        let escaped = render(&registry, Format::Protobuf, scheme);
        let ours = run(parsers, &["reencode", "text", "allow-utf-8"], &escaped).unwrap();
        let theirs = run(parsers, &["reencode", "text", scheme.as_str()], &protobuf).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap(),
            "protobuf under {scheme:?}"
        );
    }
}

#[test]
fn openmetrics_names_are_what_expfmt_writes() {
    let Some(parsers) = parsers() else { return };
    let registry = registry();
    let protobuf = render(&registry, Format::Protobuf, Escaping::AllowUtf8);
    for scheme in [
        Escaping::AllowUtf8,
        Escaping::Underscores,
        Escaping::Dots,
        Escaping::Values,
    ] {
        let theirs = String::from_utf8(
            run(
                parsers,
                &["reencode", "openmetrics", scheme.as_str()],
                &protobuf,
            )
            .unwrap(),
        )
        .unwrap();
        let ours = String::from_utf8(render(&registry, Format::OpenMetrics, scheme)).unwrap();
        // A state set reaches expfmt as a gauge (client_golang has no state sets), so its TYPE
        // line differs. Every other line's names and labels are ours, counters (`x_total`,
        // `x_created` under family `x`) included.
        let ours = names_and_labels(&ours);
        for line in names_and_labels(&theirs)
            .iter()
            .filter(|line| !(line.starts_with("# TYPE") && line.contains("feature")))
        {
            assert!(ours.contains(line), "{line:?} under {scheme:?}:\n{ours:#?}");
        }
    }
}

/// The series entries `textparse` reads, as (metric name, labels) pairs.
fn series(parsed: &Value) -> Vec<(String, Value)> {
    parsed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "series")
        .map(|entry| {
            let name = entry["name"].as_str().unwrap().to_owned();
            (name, entry["labels"].clone())
        })
        .collect()
}

#[test]
fn textparse_reads_quoted_names_back() {
    let Some(parsers) = parsers() else { return };
    let registry = registry();
    for format in [Format::PrometheusV1, Format::OpenMetrics] {
        let representation = Representation {
            format,
            escaping: Escaping::AllowUtf8,
        };
        let body = render(&registry, format, Escaping::AllowUtf8);
        let parsed = decode(parsers, representation.content_type(), &body)
            .unwrap_or_else(|e| panic!("{format:?}: {e}\n{}", String::from_utf8_lossy(&body)));
        let series = series(&parsed);
        let find = |name: &str| {
            series
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{format:?} has no {name:?}: {series:?}"))
                .1
                .clone()
        };
        let requests = find("app.requests_total");
        assert_eq!(requests["http.method"], "GET");
        assert_eq!(requests["status code"], "200");
        assert_eq!(find("room.temperature°C")["emoji🙂"], "hot");
        assert!(series.iter().any(|(n, _)| n == "line\nfeed \"q\" \\"));
        let bucket = find("http.server.request.duration_seconds_bucket");
        assert_eq!(bucket["url.scheme"], "https");
        assert_eq!(find("feature.state")["feature.state"], "on");
        assert!(series.iter().any(|(n, _)| n == "legacy_jobs_total"));
    }
}

#[test]
fn underscores_leave_nothing_a_legacy_parser_cannot_read() {
    let registry = registry();
    let text = String::from_utf8(render(
        &registry,
        Format::OpenMetrics,
        Escaping::Underscores,
    ))
    .unwrap();
    assert!(
        text.contains("app_requests_total{http_method=\"GET\",status_code=\"200\",plain=\"x\"} 3")
    );
    assert!(text.contains("# TYPE http_server_request_duration_seconds histogram"));
    assert!(text.contains("feature_state{feature_state=\"on\"} 1"));
    assert!(!text.contains("{\""), "{text}");
    let quoted =
        String::from_utf8(render(&registry, Format::OpenMetrics, Escaping::AllowUtf8)).unwrap();
    assert!(quoted.contains(
        "{\"app.requests_total\",\"http.method\"=\"GET\",\"status code\"=\"200\",plain=\"x\"} 3"
    ));
    assert!(quoted.contains("# TYPE \"http.server.request.duration_seconds\" histogram"));
    let mut escaped = String::new();
    push_label_value(&mut escaped, "line\nfeed \"q\" \\");
    assert!(
        quoted.contains(&format!("{{\"{escaped}\"}} -1")),
        "{quoted}"
    );
}
