//! The Pushgateway client against a real Pushgateway (Debian's `prometheus-pushgateway`, 1.5).
//!
//! Each test starts its own gateway (see `push_gateway/`) on a free loopback port with persistence
//! off, waits until `/-/ready` answers (bounded), and a guard kills it when the test ends, failed or
//! not; tests can therefore run in parallel threads without seeing each other's groups. What was pushed is read
//! back through the gateway's `/metrics` (text, with the `job` and grouping labels applied) and
//! `/api/v1/metrics` (JSON, one entry per group with the group's labels).
//!
//! Failure paths use local stand-ins where the gateway cannot produce them: a closed port, a server
//! that accepts and never answers, and a minimal HTTP server that records the raw request.
//!
//! The gateway binary is required: when it is missing the tests fail and say to run `make deps`.

mod support;
use support::push_gateway;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use prometheus_emulator::push::{self, PushError, PushOptions};
use prometheus_emulator::{
    Counter, Family, Gauge, Histogram, HistogramConfig, Opts, Registry, exposition,
};
use push_gateway::{
    Gateway, PUSHER_AUTHORIZATION, Setup, TEST_PASSWORD_HASH, find_value, free_port, tls_gateway,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Registries to push.

fn gauge(registry: &Registry, name: &str, value: f64) -> Arc<Family<Gauge>> {
    let family = Arc::new(Family::<Gauge>::new(Opts::new(name, "a gauge")).unwrap());
    registry.register(family.clone()).unwrap();
    family
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(value)
        .unwrap();
    family
}

fn options() -> PushOptions {
    PushOptions::new().timeout(Duration::from_secs(10))
}

const NO_KEY: &[(&str, &str)] = &[];

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn push_shows_values_with_job_and_grouping_labels() {
    let gw = Gateway::start();
    let registry = Registry::new();
    let requests = Arc::new(
        Family::<Counter>::new(Opts::new("requests", "Requests handled").labels(&["method"]))
            .unwrap(),
    );
    registry.register(requests.clone()).unwrap();
    requests.apply(&["GET"], |c| c.inc(3.0)).unwrap().unwrap();
    requests.apply(&["PUT"], |c| c.inc(1.5)).unwrap().unwrap();
    gauge(&registry, "last_success_unixtime", 1.7e9);
    let latency = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("latency_seconds", "Latency"),
            HistogramConfig::new(&[0.1, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    registry.register(latency.clone()).unwrap();
    let child = latency.with_label_values::<&str>(&[]).unwrap();
    for value in [0.05, 0.5, 5.0] {
        child.observe(value).unwrap();
    }

    push::push(
        &gw.address(),
        "batch",
        &[("instance", "db-1")],
        &registry,
        &options(),
    )
    .unwrap();

    let samples = gw.scrape();
    let group = [("instance", "db-1"), ("job", "batch")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut labels = group.to_vec();
        labels.extend_from_slice(extra);
        labels
    };
    assert_eq!(
        find_value(&samples, "requests_total", &with(&[("method", "GET")])),
        Some(3.0)
    );
    assert_eq!(
        find_value(&samples, "requests_total", &with(&[("method", "PUT")])),
        Some(1.5)
    );
    assert_eq!(
        find_value(&samples, "last_success_unixtime", &group),
        Some(1.7e9)
    );
    assert_eq!(
        find_value(&samples, "latency_seconds_bucket", &with(&[("le", "0.1")])),
        Some(1.0)
    );
    assert_eq!(
        find_value(&samples, "latency_seconds_bucket", &with(&[("le", "1")])),
        Some(2.0)
    );
    assert_eq!(
        find_value(&samples, "latency_seconds_bucket", &with(&[("le", "+Inf")])),
        Some(3.0)
    );
    assert_eq!(
        find_value(&samples, "latency_seconds_count", &group),
        Some(3.0)
    );
    assert_eq!(
        find_value(&samples, "latency_seconds_sum", &group),
        Some(5.55)
    );
    // The gateway records the successful push for this group.
    assert!(find_value(&samples, "push_time_seconds", &group).unwrap() > 0.0);

    let api = gw.group(&group).expect("the group in /api/v1/metrics");
    assert_eq!(api["last_push_successful"], true);
    let counter = &api["requests_total"];
    assert_eq!(counter["type"], "COUNTER", "{api}");
    assert_eq!(counter["help"], "Requests handled");
    let points = counter["metrics"].as_array().unwrap();
    let get = points
        .iter()
        .find(|p| p["labels"]["method"] == "GET")
        .expect("the GET point");
    assert_eq!(get["labels"]["job"], "batch");
    assert_eq!(get["labels"]["instance"], "db-1");
    assert_eq!(get["value"], "3");
    assert_eq!(api["last_success_unixtime"]["type"], "GAUGE");
    assert_eq!(
        api["last_success_unixtime"]["metrics"][0]["value"],
        "1.7e+09"
    );
    assert_eq!(api["latency_seconds"]["type"], "HISTOGRAM");
    assert_eq!(api["latency_seconds"]["metrics"][0]["count"], "3");
}

#[test]
fn pushadd_replaces_only_the_metrics_pushed() {
    let gw = Gateway::start();
    let first = Registry::new();
    gauge(&first, "a", 1.0);
    gauge(&first, "b", 2.0);
    push::push(&gw.address(), "j", NO_KEY, &first, &options()).unwrap();

    let second = Registry::new();
    gauge(&second, "a", 10.0);
    push::pushadd(&gw.address(), "j", NO_KEY, &second, &options()).unwrap();

    let labels = [("instance", ""), ("job", "j")];
    assert_eq!(gw.value("a", &labels), Some(10.0));
    assert_eq!(gw.value("b", &labels), Some(2.0), "pushadd kept b");

    // pushadd to a new group creates it.
    push::pushadd(
        &gw.address(),
        "j",
        &[("instance", "x")],
        &second,
        &options(),
    )
    .unwrap();
    assert_eq!(
        gw.value("a", &[("instance", "x"), ("job", "j")]),
        Some(10.0)
    );
}

#[test]
fn push_replaces_the_whole_group_and_only_it() {
    let gw = Gateway::start();
    let both = Registry::new();
    gauge(&both, "a", 1.0);
    gauge(&both, "b", 2.0);
    push::push(
        &gw.address(),
        "j",
        &[("instance", "one")],
        &both,
        &options(),
    )
    .unwrap();
    push::push(
        &gw.address(),
        "j",
        &[("instance", "two")],
        &both,
        &options(),
    )
    .unwrap();

    let only_a = Registry::new();
    gauge(&only_a, "a", 5.0);
    push::push(
        &gw.address(),
        "j",
        &[("instance", "one")],
        &only_a,
        &options(),
    )
    .unwrap();

    let one = [("instance", "one"), ("job", "j")];
    let two = [("instance", "two"), ("job", "j")];
    assert_eq!(gw.value("a", &one), Some(5.0));
    assert_eq!(gw.value("b", &one), None, "push removed b from its group");
    assert_eq!(
        gw.value("a", &two),
        Some(1.0),
        "the other group is untouched"
    );
    assert_eq!(gw.value("b", &two), Some(2.0));

    // Pushing an empty registry empties the group but keeps it (with its push time).
    push::push(
        &gw.address(),
        "j",
        &[("instance", "one")],
        &Registry::new(),
        &options(),
    )
    .unwrap();
    assert_eq!(gw.value("a", &one), None);
    assert!(gw.group(&one).is_some());
}

#[test]
fn delete_removes_the_group_and_only_it() {
    let gw = Gateway::start();
    let registry = Registry::new();
    gauge(&registry, "a", 1.0);
    push::push(
        &gw.address(),
        "j",
        &[("instance", "one")],
        &registry,
        &options(),
    )
    .unwrap();
    push::push(
        &gw.address(),
        "j",
        &[("instance", "two")],
        &registry,
        &options(),
    )
    .unwrap();
    push::push(&gw.address(), "other", NO_KEY, &registry, &options()).unwrap();

    push::delete(&gw.address(), "j", &[("instance", "one")], &options()).unwrap();

    assert!(gw.group(&[("instance", "one"), ("job", "j")]).is_none());
    assert_eq!(gw.value("a", &[("instance", "one"), ("job", "j")]), None);
    assert_eq!(
        gw.value("a", &[("instance", "two"), ("job", "j")]),
        Some(1.0)
    );
    assert_eq!(
        gw.value("a", &[("instance", ""), ("job", "other")]),
        Some(1.0)
    );

    // Deleting a group that does not exist is not an error.
    push::delete(&gw.address(), "j", &[("instance", "never")], &options()).unwrap();
    push::delete(&gw.address(), "nobody", NO_KEY, &options()).unwrap();
    assert_eq!(gw.groups().len(), 2);
}

#[test]
fn awkward_jobs_and_grouping_values_round_trip() {
    let gw = Gateway::start();
    let registry = Registry::new();
    gauge(&registry, "g", 7.0);
    let values = [
        "/var/tmp",
        "a/b/",
        "with space",
        "Προμηθεύς",
        "",
        ".",
        "..",
        "...",
        "100%",
        "a+b",
        "?#&=;",
        "=",
        "@base64",
        "tab\there",
        "quote\"back\\slash",
        "line\nbreak",
    ];
    let jobs = [
        "plain",
        "batch/nightly",
        "with space",
        "Προμηθεύς",
        ".",
        "..",
    ];
    for (i, value) in values.iter().enumerate() {
        let index = i.to_string();
        let key = [("k", *value), ("n", index.as_str())];
        push::push(&gw.address(), "j", &key, &registry, &options())
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
    }
    for job in jobs {
        push::push(&gw.address(), job, NO_KEY, &registry, &options())
            .unwrap_or_else(|e| panic!("job {job:?}: {e}"));
    }

    let samples = gw.scrape();
    for (i, value) in values.iter().enumerate() {
        let index = i.to_string();
        let labels = [
            ("instance", ""),
            ("job", "j"),
            ("k", *value),
            ("n", index.as_str()),
        ];
        assert_eq!(find_value(&samples, "g", &labels), Some(7.0), "{value:?}");
        assert!(gw.group(&labels[1..]).is_some(), "group of {value:?}");
    }
    for job in jobs {
        assert_eq!(
            find_value(&samples, "g", &[("instance", ""), ("job", job)]),
            Some(7.0),
            "job {job:?}"
        );
    }
    assert_eq!(gw.groups().len(), values.len() + jobs.len());

    // The same encoding addresses the groups for deletion.
    for (i, value) in values.iter().enumerate() {
        let index = i.to_string();
        push::delete(
            &gw.address(),
            "j",
            &[("k", *value), ("n", index.as_str())],
            &options(),
        )
        .unwrap();
    }
    for job in jobs {
        push::delete(&gw.address(), job, NO_KEY, &options()).unwrap();
    }
    assert_eq!(gw.groups(), Vec::<Value>::new());
}

#[test]
fn a_type_clash_gives_400_with_the_gateways_explanation() {
    let gw = Gateway::start();
    // A counter `x` is exposed as `x_total`; a gauge of that name in another group clashes
    // with it, and the Pushgateway checks every push against all groups.
    let counters = Registry::new();
    let x = Arc::new(Family::<Counter>::new(Opts::new("x", "a counter")).unwrap());
    counters.register(x.clone()).unwrap();
    x.with_label_values::<&str>(&[]).unwrap().inc_one();
    push::push(&gw.address(), "first", NO_KEY, &counters, &options()).unwrap();

    let gauges = Registry::new();
    gauge(&gauges, "x_total", 2.0);
    let error = push::push(&gw.address(), "second", NO_KEY, &gauges, &options()).unwrap_err();
    let PushError::Http {
        method,
        status,
        body,
        url,
    } = &error
    else {
        panic!("expected an HTTP error, got {error:?}");
    };
    assert_eq!(*method, "PUT");
    assert_eq!(*status, 400);
    assert_eq!(url, &format!("{}/metrics/job/second", gw.base_url()));
    // Pushgateway 1.5 says: pushed metrics are invalid or inconsistent with existing metrics:
    // collected metric "x_total" { … gauge:<value:2 > } is not a COUNTER (or the reverse)
    assert!(body.contains("inconsistent"), "body: {body}");
    assert!(body.contains("\"x_total\""), "body: {body}");
    // Which of the two it names as the odd one depends on the gateway's gather order.
    assert!(
        body.contains("is not a COUNTER") || body.contains("is not a GAUGE"),
        "body: {body}"
    );
    let message = error.to_string();
    assert!(message.contains("400"), "{message}");
    assert!(message.contains(body.trim()), "{message}");

    // pushadd is checked the same way, and the first group is still intact.
    assert_eq!(
        push::pushadd(&gw.address(), "second", NO_KEY, &gauges, &options())
            .unwrap_err()
            .status(),
        Some(400)
    );
    assert_eq!(
        gw.value("x_total", &[("instance", ""), ("job", "first")]),
        Some(1.0)
    );
}

#[test]
fn a_path_prefix_is_kept() {
    let gw = Gateway::start_with(Setup {
        route_prefix: "/pg",
        ..Setup::default()
    });
    let registry = Registry::new();
    gauge(&registry, "g", 3.0);
    let gateway = format!("http://127.0.0.1:{}/pg/", gw.port);
    push::push(&gateway, "j", NO_KEY, &registry, &options()).unwrap();
    assert_eq!(gw.value("g", &[("instance", ""), ("job", "j")]), Some(3.0));
    // Without the prefix the gateway does not know the path.
    let error = push::push(&gw.address(), "j", NO_KEY, &registry, &options()).unwrap_err();
    assert_eq!(error.status(), Some(404), "{error}");
}

#[test]
fn basic_auth_is_sent() {
    let gw = Gateway::start_with(Setup {
        web_config: Some(format!(
            "basic_auth_users:\n  pusher: '{TEST_PASSWORD_HASH}'\n"
        )),
        read_authorization: Some(PUSHER_AUTHORIZATION),
        ..Setup::default()
    });
    let registry = Registry::new();
    gauge(&registry, "g", 1.0);

    let anonymous = push::push(&gw.address(), "j", NO_KEY, &registry, &options()).unwrap_err();
    assert_eq!(anonymous.status(), Some(401), "{anonymous}");
    let wrong = options().basic_auth("pusher", "wrong");
    let error = push::push(&gw.address(), "j", NO_KEY, &registry, &wrong).unwrap_err();
    assert_eq!(error.status(), Some(401), "{error}");

    let right = options().basic_auth("pusher", "test");
    push::push(&gw.address(), "j", NO_KEY, &registry, &right).unwrap();
    push::pushadd(&gw.address(), "j", NO_KEY, &registry, &right).unwrap();
    assert_eq!(gw.value("g", &[("instance", ""), ("job", "j")]), Some(1.0));
    push::delete(&gw.address(), "j", NO_KEY, &right).unwrap();
    assert!(gw.groups().is_empty());
}

#[test]
fn https_with_a_private_ca() {
    let gw = tls_gateway(false);
    let ca_file = gw.dir.join("ca.pem");
    let registry = Registry::new();
    gauge(&registry, "g", 4.0);
    let trusted = options().ca_file(&ca_file);
    let https = gw.base_url();
    assert!(https.starts_with("https://"));

    push::push(&https, "j", NO_KEY, &registry, &trusted).unwrap();
    assert_eq!(gw.value("g", &[("instance", ""), ("job", "j")]), Some(4.0));
    push::pushadd(&https, "j", NO_KEY, &registry, &trusted).unwrap();
    // By name as well: the certificate names localhost too.
    let by_name = format!("https://localhost:{}", gw.port);
    push::delete(&by_name, "j", NO_KEY, &trusted).unwrap();
    assert!(gw.groups().is_empty());

    // The Mozilla roots do not know the test CA: a clear connect error, before any HTTP.
    let error = push::push(&https, "j", NO_KEY, &registry, &options()).unwrap_err();
    assert!(matches!(error, PushError::Connect { .. }), "{error:?}");
    assert!(
        error.to_string().to_lowercase().contains("certificate"),
        "{error}"
    );
    // Plain HTTP to a TLS port is answered 400 by the gateway's TLS server.
    let error = push::push(&gw.address(), "j", NO_KEY, &registry, &options()).unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
    assert!(gw.groups().is_empty());

    // A CA file that is missing or holds no certificate is refused before connecting.
    for bad in [gw.dir.join("missing.pem"), gw.dir.join("server.key")] {
        let error =
            push::push(&https, "j", NO_KEY, &registry, &options().ca_file(&bad)).unwrap_err();
        assert!(matches!(error, PushError::InvalidOptions(_)), "{error:?}");
        assert!(
            error.to_string().contains(&bad.display().to_string()),
            "{error}"
        );
    }
}

#[test]
fn a_closed_port_fails_fast() {
    let port = free_port();
    let registry = Registry::new();
    gauge(&registry, "g", 1.0);
    let started = Instant::now();
    let options = PushOptions::new().timeout(Duration::from_secs(3));
    let error = push::push(
        &format!("127.0.0.1:{port}"),
        "j",
        NO_KEY,
        &registry,
        &options,
    )
    .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, PushError::Connect { .. }),
        "expected a connect error, got {error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("cannot connect"), "{message}");
    assert!(message.contains(&port.to_string()), "{message}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");

    let error = push::delete(&format!("127.0.0.1:{port}"), "j", NO_KEY, &options).unwrap_err();
    assert!(matches!(error, PushError::Connect { .. }), "{error:?}");
}

#[test]
fn an_unknown_host_is_a_connect_error() {
    // `.invalid` never resolves (RFC 6761). How long the lookup takes is the system resolver's
    // business (it runs on the calling thread, outside the push timeout), so no time is checked.
    let options = PushOptions::new().timeout(Duration::from_secs(3));
    let error = push::delete("gateway.invalid:9091", "j", NO_KEY, &options).unwrap_err();
    assert!(matches!(error, PushError::Connect { .. }), "{error:?}");
    assert!(error.to_string().contains("gateway.invalid"), "{error}");
}

#[test]
fn a_silent_gateway_times_out() {
    // Connections complete in the listen backlog and are never answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap().to_string();
    let registry = Registry::new();
    gauge(&registry, "g", 1.0);
    let options = PushOptions::new().timeout(Duration::from_millis(500));
    for method in ["push", "delete"] {
        let started = Instant::now();
        let result = match method {
            "push" => push::push(&address, "j", NO_KEY, &registry, &options),
            _ => push::delete(&address, "j", NO_KEY, &options),
        };
        let elapsed = started.elapsed();
        let error = result.unwrap_err();
        assert!(
            matches!(error, PushError::Timeout { which: "total", .. }),
            "{method}: {error:?}"
        );
        assert!(error.to_string().contains("500ms"), "{error}");
        assert!(
            elapsed >= Duration::from_millis(450) && elapsed < Duration::from_secs(3),
            "{method} took {elapsed:?}"
        );
    }
    drop(silent);
}

/// One request as a minimal HTTP server saw it.
struct SeenRequest {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl SeenRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one request with the given status and body, and returns what it received.
fn serve_once(
    status: &'static str,
    body: &'static str,
) -> (String, thread::JoinHandle<SeenRequest>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let seen = read_request(&stream);
        let mut stream: &TcpStream = &stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        seen
    });
    (address, handle)
}

fn read_request(stream: &TcpStream) -> SeenRequest {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    SeenRequest {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body,
    }
}

#[test]
fn requests_carry_method_path_content_type_auth_and_the_text_body() {
    let registry = Registry::new();
    gauge(&registry, "g", 1.25);
    let expected_body = exposition::encode_text(&registry.gather(), exposition::Format::Prometheus);
    let auth = options().basic_auth("user", "pa:ss");

    let (address, seen) = serve_once("200 OK", "");
    push::push(&address, "j", &[("path", "/tmp")], &registry, &auth).unwrap();
    let seen = seen.join().unwrap();
    assert_eq!(
        seen.request_line,
        "PUT /metrics/job/j/path@base64/L3RtcA HTTP/1.1"
    );
    assert_eq!(
        seen.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    // base64("user:pa:ss")
    assert_eq!(seen.header("authorization"), Some("Basic dXNlcjpwYTpzcw=="));
    assert_eq!(String::from_utf8(seen.body).unwrap(), expected_body);

    let (address, seen) = serve_once("202 Accepted", "");
    push::pushadd(&address, "j", NO_KEY, &registry, &options()).unwrap();
    let seen = seen.join().unwrap();
    assert_eq!(seen.request_line, "POST /metrics/job/j HTTP/1.1");
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(String::from_utf8(seen.body).unwrap(), expected_body);

    let (address, seen) = serve_once("202 Accepted", "");
    push::delete(&address, "j", &[("instance", "")], &options()).unwrap();
    let seen = seen.join().unwrap();
    assert_eq!(
        seen.request_line,
        "DELETE /metrics/job/j/instance@base64/= HTTP/1.1"
    );
    assert!(seen.body.is_empty());
}

#[test]
fn redirects_are_errors_not_followed() {
    let (address, seen) = serve_once("301 Moved Permanently\r\nLocation: /elsewhere", "moved");
    let registry = Registry::new();
    let error = push::push(&address, "j", NO_KEY, &registry, &options()).unwrap_err();
    seen.join().unwrap();
    assert_eq!(error.status(), Some(301), "{error:?}");
    assert_eq!(error.body(), Some("moved"));
}

#[test]
fn server_errors_carry_status_and_body() {
    let (address, seen) = serve_once("503 Service Unavailable", "try later\n");
    let error = push::delete(&address, "j", NO_KEY, &options()).unwrap_err();
    seen.join().unwrap();
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.body(), Some("try later\n"));
    assert!(
        error.to_string().ends_with("answered 503: try later"),
        "{error}"
    );
}

#[test]
fn bad_arguments_fail_before_any_io() {
    let registry = Registry::new();
    let nowhere = "127.0.0.1:9";
    assert!(matches!(
        push::push(nowhere, "", NO_KEY, &registry, &options()),
        Err(PushError::InvalidJob(_))
    ));
    assert!(matches!(
        push::push(nowhere, "j", &[("job", "x")], &registry, &options()),
        Err(PushError::InvalidGroupingKey { .. })
    ));
    assert!(matches!(
        push::pushadd(nowhere, "j", &[("bad-name", "x")], &registry, &options()),
        Err(PushError::InvalidGroupingKey { .. })
    ));
    assert!(matches!(
        push::delete("ftp://gw", "j", NO_KEY, &options()),
        Err(PushError::InvalidGateway { .. })
    ));
    let owned: Vec<(String, String)> = vec![("instance".into(), "x".into())];
    assert_eq!(
        push::group_url("gw:1", "j", &owned).unwrap(),
        "http://gw:1/metrics/job/j/instance/x"
    );
}

/// After `fork()`, parent and child push at once. They must not share the parent's pooled
/// keep-alive connection, or each reads the other's answers: every push of both succeeds and
/// both groups end up with their own last value.
#[test]
fn parent_and_forked_child_push_at_once_on_their_own_connections() {
    let gw = Gateway::start();
    let registry = Registry::new();
    let value = gauge(&registry, "pushes_done", 0.0);
    // A first push leaves a pooled connection for the child to inherit.
    push::push(&gw.address(), "parent", NO_KEY, &registry, &options()).unwrap();
    const PUSHES: u32 = 40;
    // SAFETY: the child only pushes and then leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let mut code = 0;
        for i in 1..=PUSHES {
            let child = value.with_label_values::<&str>(&[]).unwrap();
            child.set(f64::from(1000 + i)).unwrap();
            if push::push(&gw.address(), "child", NO_KEY, &registry, &options()).is_err() {
                code = 1;
            }
        }
        unsafe { libc::_exit(code) };
    }
    let mut failures = Vec::new();
    for i in 1..=PUSHES {
        let parent = value.with_label_values::<&str>(&[]).unwrap();
        parent.set(f64::from(i)).unwrap();
        if let Err(e) = push::push(&gw.address(), "parent", NO_KEY, &registry, &options()) {
            failures.push(e.to_string());
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let mut status = 0;
        // SAFETY: polling the child just forked.
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            break Some(status);
        }
        if Instant::now() > deadline {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert!(failures.is_empty(), "parent pushes failed: {failures:?}");
    assert!(
        status.is_some_and(|s| libc::WIFEXITED(s) && libc::WEXITSTATUS(s) == 0),
        "the child's pushes failed or hung: {status:?}"
    );
    assert_eq!(
        gw.value("pushes_done", &[("instance", ""), ("job", "parent")]),
        Some(f64::from(PUSHES))
    );
    assert_eq!(
        gw.value("pushes_done", &[("instance", ""), ("job", "child")]),
        Some(f64::from(1000 + PUSHES))
    );
}
