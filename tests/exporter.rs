//! The HTTP exporter as a scraper sees it: negotiation, gzip, `name[]`, HEAD, 404/405, basic
//! auth, TLS, promtool on both formats, several exporters at once.

/// The exporter tests use ureq 2 (renamed: ureq 3 is the push client of the library itself).
use ureq2 as ureq;

mod support;
use support::exporter as exporter_support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use prometheus_emulator::exporter::{
    BasicAuth, Exporter, ExporterError, ExporterOptions, TlsOptions,
};
use prometheus_emulator::exposition::{
    CONTENT_TYPE_PROMETHEUS, Escaping, Format, Representation, encode_text,
};
use prometheus_emulator::{GaugeFamily, Opts, Registry, default_registry};

use exporter_support::*;

/// What Prometheus 3 gets: OpenMetrics with names as they are (quoted where not legacy).
const OPENMETRICS_UTF8: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8";
/// What a scraper that says nothing of escaping gets.
const OPENMETRICS_UNDERSCORES: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";

fn prometheus_3_representation() -> Representation {
    Representation {
        format: Format::OpenMetrics,
        escaping: Escaping::AllowUtf8,
    }
}

fn gunzip(data: &[u8]) -> String {
    let mut text = String::new();
    GzDecoder::new(data)
        .read_to_string(&mut text)
        .expect("valid gzip");
    text
}

#[test]
fn serves_prometheus_text_by_default() {
    let registry = sample_registry();
    let exporter = start(registry.clone());
    let response = ureq_get(&url(&exporter, "/metrics"), &[]).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_type(), "text/plain");
    assert_eq!(
        response.header("Content-Type"),
        Some(CONTENT_TYPE_PROMETHEUS)
    );
    assert_eq!(response.header("Content-Encoding"), None);
    let length: usize = response.header("Content-Length").unwrap().parse().unwrap();
    let body = response.into_string().unwrap();
    assert_eq!(body.len(), length);
    assert_eq!(body, encode_text(&registry.gather(), Format::Prometheus));
    assert!(body.contains("http_requests_total{method=\"GET\",code=\"200\"} 7\n"));
    assert!(body.contains("request_duration_seconds_bucket{le=\"0.5\"} 3\n"));
}

#[test]
fn prometheus_3_accept_header_gets_openmetrics() {
    let registry = sample_registry();
    let exporter = start(registry.clone());
    let response = ureq_get(
        &url(&exporter, "/metrics"),
        &[
            ("Accept", PROMETHEUS_3_ACCEPT),
            ("X-Prometheus-Scrape-Timeout-Seconds", "10"),
        ],
    )
    .unwrap();
    assert_eq!(response.header("Content-Type"), Some(OPENMETRICS_UTF8));
    let body = response.into_string().unwrap();
    assert_eq!(
        body,
        encode_text(&registry.gather(), prometheus_3_representation())
    );
    assert!(body.ends_with("# EOF\n"));
}

#[test]
fn accept_q_values_choose_the_format() {
    let exporter = start(sample_registry());
    for (accept, expected) in [
        (PROMETHEUS_2_ACCEPT, OPENMETRICS_UNDERSCORES),
        ("application/openmetrics-text", OPENMETRICS_UNDERSCORES),
        (
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            OPENMETRICS_UNDERSCORES,
        ),
        (
            "text/plain;version=1.0.0;escaping=allow-utf-8",
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
        ),
        ("text/plain;version=0.0.4", CONTENT_TYPE_PROMETHEUS),
        (
            "application/openmetrics-text;q=0.2,text/plain;q=0.9",
            CONTENT_TYPE_PROMETHEUS,
        ),
        ("application/openmetrics-text;q=0", CONTENT_TYPE_PROMETHEUS),
        ("application/json", CONTENT_TYPE_PROMETHEUS),
        ("*/*", CONTENT_TYPE_PROMETHEUS),
    ] {
        let response = ureq_get(&url(&exporter, "/metrics"), &[("Accept", accept)]).unwrap();
        assert_eq!(response.header("Content-Type"), Some(expected), "{accept}");
    }
}

#[test]
fn gzip_when_accept_encoding_allows() {
    let registry = sample_registry();
    let exporter = start(registry.clone());
    for (accept, representation) in [
        (PROMETHEUS_3_ACCEPT, prometheus_3_representation()),
        ("text/plain", Format::Prometheus.into()),
    ] {
        let request = get_request(
            "/metrics",
            &format!("Accept: {accept}\r\nAccept-Encoding: gzip\r\n"),
        );
        let response = raw_exchange(exporter.local_addr(), &request, false);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("Content-Encoding"), Some("gzip"));
        assert_eq!(
            response.header("Content-Type"),
            Some(representation.content_type())
        );
        assert_eq!(
            response.header("Content-Length"),
            Some(response.body.len().to_string().as_str()),
            "Content-Length is the compressed length"
        );
        assert!(response.header("Vary").unwrap().contains("Accept-Encoding"));
        assert_eq!(
            gunzip(&response.body),
            encode_text(&registry.gather(), representation)
        );
    }
    for refused in ["gzip;q=0", "identity", "br, deflate"] {
        let request = get_request("/metrics", &format!("Accept-Encoding: {refused}\r\n"));
        let response = raw_exchange(exporter.local_addr(), &request, false);
        assert_eq!(response.header("Content-Encoding"), None, "{refused}");
        assert_eq!(
            response.text(),
            encode_text(&registry.gather(), Format::Prometheus)
        );
    }
}

#[test]
fn name_filter_selects_families() {
    let exporter = start(sample_registry());
    let families = |query: &str| -> Vec<String> {
        let body = ureq_get(&url(&exporter, &format!("/metrics{query}")), &[])
            .unwrap()
            .into_string()
            .unwrap();
        body.lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .map(|l| l.split(' ').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(families("").len(), 4);
    assert_eq!(
        families("?name[]=temperature_celsius"),
        ["temperature_celsius"]
    );
    // Repeated, URL-encoded brackets, and a sample name (`_total`) selecting its family.
    assert_eq!(
        families("?name%5B%5D=temperature_celsius&name[]=http_requests_total&other=1"),
        ["http_requests_total", "temperature_celsius"]
    );
    assert_eq!(
        families("?name[]=request_duration_seconds"),
        ["request_duration_seconds"]
    );
    assert!(families("?name[]=no_such_metric").is_empty());
    // In OpenMetrics an empty selection is still a complete exposition.
    let body = ureq_get(
        &url(&exporter, "/metrics?name[]=no_such_metric"),
        &[("Accept", PROMETHEUS_3_ACCEPT)],
    )
    .unwrap()
    .into_string()
    .unwrap();
    assert_eq!(body, "# EOF\n");
}

#[test]
fn head_has_the_get_headers_and_no_body() {
    let exporter = start(sample_registry());
    let mut stream = connect(exporter.local_addr());
    // HEAD, then GET on the same connection: if HEAD sent a body, the GET's answer would be
    // read from the middle of it.
    for method in ["HEAD", "GET", "HEAD"] {
        let request = format!(
            "{method} /metrics HTTP/1.1\r\nHost: t\r\nAccept: {PROMETHEUS_3_ACCEPT}\r\nAccept-Encoding: gzip\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).unwrap();
    }
    let head = read_response(&mut stream, true).unwrap();
    let get = read_response(&mut stream, false).unwrap();
    let head_again = read_response(&mut stream, true).unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for name in [
        "Content-Type",
        "Content-Encoding",
        "Content-Length",
        "Vary",
        "Connection",
    ] {
        assert_eq!(head.header(name), get.header(name), "{name}");
        assert_eq!(head_again.header(name), get.header(name), "{name}");
    }
    assert_eq!(
        head.header("Content-Length").unwrap(),
        get.body.len().to_string()
    );
    assert!(gunzip(&get.body).ends_with("# EOF\n"));
    // Nothing more arrives: the connection is idle, not carrying a stray body.
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut extra = [0u8; 1];
    assert!(stream.read(&mut extra).is_err());
}

#[test]
fn unknown_paths_get_404_and_other_methods_405() {
    let exporter = start(sample_registry());
    let addr = exporter.local_addr();
    for path in ["/nope", "/metrics/", "/metricsx", "/favicon.ico"] {
        let response = raw_exchange(addr, &get_request(path, ""), false);
        assert_eq!(response.status, 404, "{path}");
    }
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"] {
        for path in ["/metrics", "/"] {
            let request = format!("{method} {path} HTTP/1.1\r\nHost: t\r\n\r\n");
            let response = raw_exchange(addr, request.as_bytes(), false);
            assert_eq!(response.status, 405, "{method} {path}");
            assert_eq!(response.header("Allow"), Some("GET, HEAD"));
        }
    }
    // A POST with a body is answered and its connection closed, so the unread body cannot be
    // taken for a next request.
    let response = raw_exchange(
        addr,
        b"POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        false,
    );
    assert_eq!(response.status, 405);
    assert_eq!(response.header("Connection"), Some("close"));
    let error = ureq::post(&url(&exporter, "/metrics"))
        .send_string("x")
        .unwrap_err();
    assert!(matches!(error, ureq::Error::Status(405, _)), "{error}");
}

#[test]
fn landing_page_links_to_metrics() {
    let exporter = start(sample_registry());
    let response = ureq_get(&url(&exporter, "/"), &[]).unwrap();
    assert_eq!(
        response.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        response
            .into_string()
            .unwrap()
            .contains("<a href=\"/metrics\">")
    );
}

#[test]
fn basic_auth_accepts_and_refuses() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .basic_auth(BasicAuth::new("prometheus", "s3cret:with colon").unwrap()),
    );
    let metrics = url(&exporter, "/metrics");
    let refused = |headers: &[(&str, &str)]| match ureq_get(&metrics, headers).map_err(|e| *e) {
        Err(ureq::Error::Status(401, response)) => {
            assert_eq!(
                response.header("WWW-Authenticate"),
                Some("Basic realm=\"metrics\"")
            );
        }
        other => panic!("expected 401, got {other:?}"),
    };
    refused(&[]);
    // "prometheus:wrong", "prometheus:s3cret", "Prometheus:s3cret:with colon"
    refused(&[("Authorization", "Basic cHJvbWV0aGV1czp3cm9uZw==")]);
    refused(&[("Authorization", "Basic cHJvbWV0aGV1czpzM2NyZXQ=")]);
    refused(&[(
        "Authorization",
        "Basic UHJvbWV0aGV1czpzM2NyZXQ6d2l0aCBjb2xvbg==",
    )]);
    refused(&[(
        "Authorization",
        "Bearer cHJvbWV0aGV1czpzM2NyZXQ6d2l0aCBjb2xvbg==",
    )]);
    refused(&[("Authorization", "Basic not-base64!")]);
    // "prometheus:s3cret:with colon"
    let good = (
        "Authorization",
        "Basic cHJvbWV0aGV1czpzM2NyZXQ6d2l0aCBjb2xvbg==",
    );
    let response = ureq_get(&metrics, &[good]).unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .into_string()
            .unwrap()
            .contains("temperature_celsius 21.5")
    );
    // Every path is protected, so an unauthenticated client learns nothing about routes.
    let response = raw_exchange(exporter.local_addr(), &get_request("/nope", ""), false);
    assert_eq!(response.status, 401);
}

#[test]
fn tls_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_der) = self_signed(dir.path());
    let registry = sample_registry();
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry.clone())
            .tls(TlsOptions::from_pem_files(&cert, &key))
            .basic_auth(BasicAuth::new("u", "p").unwrap()),
    );
    let agent = tls_agent(cert_der);
    let metrics = format!("https://127.0.0.1:{}/metrics", exporter.port());
    // Several requests: the agent reuses its TLS connection (keep-alive over TLS).
    for _ in 0..3 {
        let response = agent
            .get(&metrics)
            .set("Authorization", "Basic dTpw") // u:p
            .set("Accept", PROMETHEUS_3_ACCEPT)
            .call()
            .unwrap();
        assert_eq!(response.header("Content-Type"), Some(OPENMETRICS_UTF8));
        assert_eq!(
            response.into_string().unwrap(),
            encode_text(&registry.gather(), Format::OpenMetrics)
        );
    }
    let error = agent.get(&metrics).call().unwrap_err();
    assert!(matches!(error, ureq::Error::Status(401, _)), "{error}");
    // A client that does not trust the certificate is refused by the handshake.
    let untrusting = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    assert!(untrusting.get(&metrics).call().is_err());
    // Plain HTTP to the TLS port gets no HTTP answer, and the exporter keeps serving.
    let mut stream = connect(exporter.local_addr());
    stream.write_all(&get_request("/metrics", "")).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/1.1 200"));
    let response = agent
        .get(&metrics)
        .set("Authorization", "Basic dTpw")
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn tls_setup_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path());
    let missing = dir.path().join("missing.pem");
    for tls in [
        TlsOptions::from_pem_files(&missing, &key),
        TlsOptions::from_pem_files(&cert, &missing),
        TlsOptions::from_pem_files(&key, &key),
        TlsOptions::from_pem_files(&cert, &cert),
        TlsOptions::from_pem("garbage", "garbage"),
    ] {
        let error = Exporter::start(ExporterOptions::new("127.0.0.1:0").tls(tls)).unwrap_err();
        assert!(matches!(error, ExporterError::Tls(_)), "{error}");
    }
    // The same certificate and key from memory work.
    let tls = TlsOptions::from_pem(std::fs::read(&cert).unwrap(), std::fs::read(&key).unwrap());
    Exporter::start(ExporterOptions::new("127.0.0.1:0").tls(tls)).unwrap();
}

/// `promtool check metrics` reads Prometheus text 0.0.4 with client_golang's parser and lints
/// it. Reading OpenMetrics that way, it takes each counter's `_total` and `_created` samples and
/// each histogram's and summary's `_created` for untyped families without help (the metadata
/// names the family, `x`, not the sample): those are the only findings allowed for OpenMetrics.
/// Prometheus's own OpenMetrics parser reads the output in `tests/prometheus_server.rs`, and
/// prometheus_client's strict one reads it here too.
#[test]
fn promtool_checks_both_formats() {
    let exporter = start(sample_registry());
    let text = ureq_get(&url(&exporter, "/metrics"), &[])
        .unwrap()
        .into_string()
        .unwrap();
    let (code, said) = promtool_check(text.as_bytes());
    assert_eq!(code, 0, "promtool on Prometheus text said:\n{said}\n{text}");

    let openmetrics = ureq_get(
        &url(&exporter, "/metrics"),
        &[("Accept", PROMETHEUS_3_ACCEPT)],
    )
    .unwrap()
    .into_string()
    .unwrap();
    let (code, said) = promtool_check(openmetrics.as_bytes());
    assert!(
        code == 0 || code == 3,
        "promtool could not parse OpenMetrics:\n{said}"
    );
    for finding in said.lines().filter(|l| !l.trim().is_empty()) {
        let name = finding
            .strip_suffix(" no help text")
            .unwrap_or_else(|| panic!("unexpected promtool finding: {finding}"));
        let family = name
            .strip_suffix("_total")
            .or_else(|| name.strip_suffix("_created"))
            .unwrap_or_else(|| panic!("unexpected promtool finding: {finding}"));
        assert!(
            openmetrics.contains(&format!("# HELP {family} ")),
            "{finding}"
        );
    }

    // prometheus_client's OpenMetrics parser enforces the format's rules (`# EOF`, suffixes,
    // bucket order); the conformance tests' script prints what it read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scrape.om");
    std::fs::write(&path, &openmetrics).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/parse.py");
    let output = Command::new("python3")
        .arg(script)
        .arg("openmetrics")
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "prometheus_client refused our OpenMetrics ({MAKE_DEPS}):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed["families"].as_array().unwrap().len(), 4);
}

#[test]
fn several_exporters_at_once() {
    let registries: Vec<Arc<Registry>> = (0..3)
        .map(|i| {
            let registry = Arc::new(Registry::new());
            let gauge = Arc::new(GaugeFamily::new(Opts::new("which", "Which exporter.")).unwrap());
            gauge
                .with_label_values::<&str>(&[])
                .unwrap()
                .set(i as f64)
                .unwrap();
            registry.register(gauge).unwrap();
            registry
        })
        .collect();
    let mut exporters: Vec<Exporter> = registries.iter().cloned().map(start).collect();
    let check = |exporter: &Exporter, i: usize| {
        let body = ureq_get(&url(exporter, "/metrics"), &[])
            .unwrap()
            .into_string()
            .unwrap();
        assert!(body.contains(&format!("\nwhich {i}\n")), "{body}");
    };
    for (i, exporter) in exporters.iter().enumerate() {
        check(exporter, i);
    }
    // Stopping one leaves the others serving, and frees its port.
    let stopped = exporters.remove(1);
    let port = stopped.port();
    stopped.stop();
    check(&exporters[0], 0);
    check(&exporters[1], 2);
    let again = start_with(
        ExporterOptions::new(format!("127.0.0.1:{port}")).registry(registries[1].clone()),
    );
    check(&again, 1);
}

#[test]
fn port_zero_picks_a_port_and_bind_errors_are_reported() {
    let exporter = start(sample_registry());
    assert_ne!(exporter.port(), 0);
    assert_eq!(exporter.local_addr().port(), exporter.port());
    let taken = format!("127.0.0.1:{}", exporter.port());
    let error = Exporter::start(ExporterOptions::new(taken.clone())).unwrap_err();
    match &error {
        ExporterError::Bind { address, source } => {
            assert_eq!(address, &taken);
            assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
        }
        other => panic!("expected a bind error, got {other}"),
    }
    assert!(error.to_string().contains(&taken));
    for bad in ["nonsense", "256.0.0.1:80", "127.0.0.1:99999"] {
        assert!(matches!(
            Exporter::start(ExporterOptions::new(bad)),
            Err(ExporterError::Bind { .. })
        ));
    }
}

#[test]
fn ipv6_and_unspecified_addresses() {
    for address in ["0.0.0.0:0", "[::1]:0", "[::]:0"] {
        let Ok(exporter) =
            Exporter::start(ExporterOptions::new(address).registry(sample_registry()))
        else {
            // IPv6 may be disabled on the machine; IPv4 may not.
            assert!(address.starts_with('['), "{address}");
            continue;
        };
        let loopback = if address.starts_with('[') {
            format!("http://[::1]:{}/metrics", exporter.port())
        } else {
            format!("http://127.0.0.1:{}/metrics", exporter.port())
        };
        assert_eq!(ureq_get(&loopback, &[]).unwrap().status(), 200);
        // Stop must wake the accept thread even though nothing listens on "0.0.0.0" itself.
        let began = Instant::now();
        exporter.stop();
        assert!(began.elapsed() < Duration::from_secs(2));
    }
}

#[test]
fn default_registry_includes_process_metrics() {
    let exporter = start_with(ExporterOptions::new("127.0.0.1:0"));
    let body = ureq_get(&url(&exporter, "/metrics"), &[])
        .unwrap()
        .into_string()
        .unwrap();
    for name in [
        "process_cpu_seconds_total ",
        "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ",
        "process_open_fds ",
        "process_max_fds ",
        "process_start_time_seconds ",
    ] {
        assert!(
            body.contains(&format!("\n{name}")),
            "{name} missing:\n{body}"
        );
    }
    assert!(!default_registry().gather().is_empty());
    let (code, said) = promtool_check(body.as_bytes());
    assert_eq!(code, 0, "{said}");
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let exporter = start(sample_registry());
    let mut stream = connect(exporter.local_addr());
    for _ in 0..5 {
        stream.write_all(&get_request("/metrics", "")).unwrap();
        let response = read_response(&mut stream, false).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("Connection"), Some("keep-alive"));
    }
    // `Connection: close` is honoured: answered, then closed.
    stream
        .write_all(&get_request("/metrics", "Connection: close\r\n"))
        .unwrap();
    let response = read_response(&mut stream, false).unwrap();
    assert_eq!(response.header("Connection"), Some("close"));
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).unwrap(), 0);
    // HTTP/1.0 closes unless asked otherwise.
    let response = raw_exchange(
        exporter.local_addr(),
        b"GET /metrics HTTP/1.0\r\n\r\n",
        false,
    );
    assert_eq!(response.header("Connection"), Some("close"));
}

#[test]
fn responses_carry_a_date() {
    let exporter = start(sample_registry());
    let response = raw_exchange(exporter.local_addr(), &get_request("/metrics", ""), false);
    let date = response.header("Date").unwrap();
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
}

#[test]
fn invalid_options_are_refused() {
    let base = || ExporterOptions::new("127.0.0.1:0");
    for options in [
        base().workers(0),
        base().workers(100_000),
        base().max_pending_connections(0),
        base().max_pending_connections(1 << 20),
        base().read_timeout(Duration::ZERO),
        base().write_timeout(Duration::ZERO),
        base().idle_timeout(Duration::ZERO),
        base().max_head_bytes(10),
        base().max_requests_per_connection(0),
    ] {
        assert!(matches!(
            Exporter::start(options),
            Err(ExporterError::InvalidOptions(_))
        ));
    }
    assert!(BasicAuth::new("a:b", "c").is_err());
}

/// A scrape of 10k series over HTTP, gzipped and not; prints how long one takes (run with
/// `--release --nocapture` for the number the README quotes).
#[test]
fn scrape_of_10k_series() {
    let registry = Arc::new(Registry::new());
    let family = Arc::new(
        prometheus_emulator::CounterFamily::new(
            Opts::new("requests_total", "Requests.").labels(&["path", "code"]),
        )
        .unwrap(),
    );
    for i in 0..10_000 {
        family
            .with_label_values(&[format!("/api/v1/items/{i}"), "200".into()])
            .unwrap()
            .inc(i as f64)
            .unwrap();
    }
    registry.register(family).unwrap();
    let exporter = start(registry);
    let addr = exporter.local_addr();
    let mut stream = connect(addr);
    let mut time = |extra: &str| {
        let mut best = Duration::MAX;
        let mut response = None;
        for _ in 0..5 {
            let began = Instant::now();
            stream.write_all(&get_request("/metrics", extra)).unwrap();
            response = Some(read_response(&mut stream, false).unwrap());
            best = best.min(began.elapsed());
        }
        (best, response.unwrap())
    };
    let (plain, response) = time("");
    assert_eq!(response.text().lines().count(), 10_002);
    let (om, response) = time(&format!("Accept: {PROMETHEUS_3_ACCEPT}\r\n"));
    assert_eq!(response.text().lines().count(), 20_003);
    let (gzipped, response) = time("Accept-Encoding: gzip\r\n");
    let size = response.body.len();
    assert_eq!(gunzip(&response.body).lines().count(), 10_002);
    println!(
        "one scrape of 10k series over HTTP (best of 5): text {plain:?}, OpenMetrics {om:?}, \
         text+gzip {gzipped:?} ({size} bytes gzipped)"
    );
}
