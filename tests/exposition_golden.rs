//! Byte-exact expositions of every metric type in both text formats.
//!
//! The expected texts are written from the specs (prometheus/docs `exposition_formats.md` for
//! 0.0.4, the OpenMetrics 1.0 specification), not copied from our output. Families are built by
//! hand so that creation times, exemplars and timestamps are fixed.

use std::sync::Arc;

use prometheus_emulator::exposition::{self, Format};
use prometheus_emulator::{
    Counter, Exemplar, Family, Gauge, Histogram, HistogramConfig, LabelSet, MetricFamily,
    MetricPoint, MetricType, Opts, PointValue, Registry,
};

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    LabelSet::new(pairs).unwrap()
}

fn family(name: &str, help: &str, kind: MetricType, points: Vec<MetricPoint>) -> MetricFamily {
    MetricFamily {
        name: name.into(),
        help: help.into(),
        kind,
        unit: None,
        points,
    }
}

fn with_unit(mut family: MetricFamily, unit: &str) -> MetricFamily {
    family.unit = Some(unit.into());
    family
}

fn point(pairs: &[(&str, &str)], value: PointValue) -> MetricPoint {
    MetricPoint {
        labels: labels(pairs),
        value,
        timestamp: None,
    }
}

fn at(mut point: MetricPoint, timestamp: f64) -> MetricPoint {
    point.timestamp = Some(timestamp);
    point
}

fn gauge(value: f64) -> PointValue {
    PointValue::Gauge { value }
}

fn exemplar(pairs: &[(&str, &str)], value: f64, timestamp: Option<f64>) -> Exemplar {
    Exemplar::new(pairs, value, timestamp).unwrap()
}

fn prometheus(families: &[MetricFamily]) -> String {
    exposition::encode_text(families, Format::Prometheus)
}

fn openmetrics(families: &[MetricFamily]) -> String {
    exposition::encode_text(families, Format::OpenMetrics)
}

/// Asserts both renderings, showing the text on failure so a diff is readable.
fn assert_formats(families: &[MetricFamily], text: &str, om: &str) {
    let got = prometheus(families);
    assert_eq!(got, text, "\n--- 0.0.4 got:\n{got}\n--- expected:\n{text}");
    let got = openmetrics(families);
    assert_eq!(
        got, om,
        "\n--- OpenMetrics got:\n{got}\n--- expected:\n{om}"
    );
}

#[test]
fn content_types() {
    assert_eq!(
        Format::Prometheus.content_type(),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(
        Format::OpenMetrics.content_type(),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert_eq!(
        exposition::CONTENT_TYPE_PROMETHEUS,
        Format::Prometheus.content_type()
    );
    assert_eq!(
        exposition::CONTENT_TYPE_OPENMETRICS,
        Format::OpenMetrics.content_type()
    );
}

#[test]
fn nothing_to_expose() {
    assert_formats(&[], "", "# EOF\n");
}

#[test]
fn counter() {
    let families = [family(
        "http_requests",
        "Requests served.",
        MetricType::Counter,
        vec![
            point(
                &[("method", "GET"), ("code", "200")],
                PointValue::Counter {
                    value: 1027.0,
                    created: Some(1_700_000_000.25),
                    exemplar: Some(exemplar(
                        &[("trace_id", "KOO5S4vxi0o")],
                        1.0,
                        Some(1_700_000_100.5),
                    )),
                },
            ),
            point(
                &[("method", "POST"), ("code", "500")],
                PointValue::Counter {
                    value: 0.5,
                    created: None,
                    exemplar: Some(exemplar(&[], 0.5, None)),
                },
            ),
        ],
    )];
    assert_formats(
        &families,
        "# HELP http_requests_total Requests served.\n\
         # TYPE http_requests_total counter\n\
         http_requests_total{method=\"GET\",code=\"200\"} 1027\n\
         http_requests_total{method=\"POST\",code=\"500\"} 0.5\n",
        "# TYPE http_requests counter\n\
         # HELP http_requests Requests served.\n\
         http_requests_total{method=\"GET\",code=\"200\"} 1027 # {trace_id=\"KOO5S4vxi0o\"} 1 1700000100.5\n\
         http_requests_created{method=\"GET\",code=\"200\"} 1700000000.25\n\
         http_requests_total{method=\"POST\",code=\"500\"} 0.5 # {} 0.5\n\
         # EOF\n",
    );
}

#[test]
fn counter_with_unit() {
    let families = [with_unit(
        family(
            "sent_bytes",
            "Bytes sent.",
            MetricType::Counter,
            vec![point(
                &[],
                PointValue::Counter {
                    value: 1e300,
                    created: Some(1.0),
                    exemplar: None,
                },
            )],
        ),
        "bytes",
    )];
    assert_formats(
        &families,
        "# HELP sent_bytes_total Bytes sent.\n\
         # TYPE sent_bytes_total counter\n\
         sent_bytes_total 1e300\n",
        "# TYPE sent_bytes counter\n\
         # UNIT sent_bytes bytes\n\
         # HELP sent_bytes Bytes sent.\n\
         sent_bytes_total 1e300\n\
         sent_bytes_created 1\n\
         # EOF\n",
    );
}

#[test]
fn gauge_values_and_escaping() {
    let families = [family(
        "temperature_celsius",
        "Température \"du\" four \\ en °C.\nSecond line.",
        MetricType::Gauge,
        vec![
            point(&[("sensor", "a\\b\"c\nd")], gauge(21.5)),
            point(&[("sensor", "ünïcödé ✓")], gauge(-0.0)),
            point(&[("sensor", "nan")], gauge(f64::NAN)),
            point(&[("sensor", "inf")], gauge(f64::INFINITY)),
            point(&[("sensor", "-inf")], gauge(f64::NEG_INFINITY)),
            point(&[("sensor", "tiny")], gauge(5e-324)),
            point(&[("sensor", "huge")], gauge(-1.7976931348623157e308)),
            point(&[("sensor", "")], gauge(42.0)),
        ],
    )];
    assert_formats(
        &families,
        "# HELP temperature_celsius Température \"du\" four \\\\ en °C.\\nSecond line.\n\
         # TYPE temperature_celsius gauge\n\
         temperature_celsius{sensor=\"a\\\\b\\\"c\\nd\"} 21.5\n\
         temperature_celsius{sensor=\"ünïcödé ✓\"} -0.0\n\
         temperature_celsius{sensor=\"nan\"} NaN\n\
         temperature_celsius{sensor=\"inf\"} +Inf\n\
         temperature_celsius{sensor=\"-inf\"} -Inf\n\
         temperature_celsius{sensor=\"tiny\"} 5e-324\n\
         temperature_celsius{sensor=\"huge\"} -1.7976931348623157e308\n\
         temperature_celsius{sensor=\"\"} 42\n",
        "# TYPE temperature_celsius gauge\n\
         # HELP temperature_celsius Température \\\"du\\\" four \\\\ en °C.\\nSecond line.\n\
         temperature_celsius{sensor=\"a\\\\b\\\"c\\nd\"} 21.5\n\
         temperature_celsius{sensor=\"ünïcödé ✓\"} -0.0\n\
         temperature_celsius{sensor=\"nan\"} NaN\n\
         temperature_celsius{sensor=\"inf\"} +Inf\n\
         temperature_celsius{sensor=\"-inf\"} -Inf\n\
         temperature_celsius{sensor=\"tiny\"} 5e-324\n\
         temperature_celsius{sensor=\"huge\"} -1.7976931348623157e308\n\
         temperature_celsius{sensor=\"\"} 42\n\
         # EOF\n",
    );
}

fn latency_histogram() -> MetricFamily {
    let bounds: Arc<[f64]> = Arc::from(vec![0.005, 0.5, 1.0, f64::INFINITY]);
    with_unit(
        family(
            "request_latency_seconds",
            "Latency.",
            MetricType::Histogram,
            vec![
                point(
                    &[("path", "/api")],
                    PointValue::Histogram {
                        bounds: bounds.clone(),
                        cumulative: vec![1, 3, 3, 4],
                        sum: 2.75,
                        count: 4,
                        created: Some(1_700_000_000.0),
                        exemplars: vec![
                            Some(exemplar(&[("trace_id", "a")], 0.004, None)),
                            None,
                            None,
                            Some(exemplar(&[("trace_id", "b")], 7.5, Some(1_700_000_001.5))),
                        ],
                        native: None,
                    },
                ),
                point(
                    &[("path", "/")],
                    PointValue::Histogram {
                        bounds,
                        cumulative: vec![0, 0, 0, 0],
                        sum: 0.0,
                        count: 0,
                        created: None,
                        exemplars: vec![],
                        native: None,
                    },
                ),
            ],
        ),
        "seconds",
    )
}

#[test]
fn histogram() {
    assert_formats(
        &[latency_histogram()],
        "# HELP request_latency_seconds Latency.\n\
         # TYPE request_latency_seconds histogram\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"0.005\"} 1\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"0.5\"} 3\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"1.0\"} 3\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"+Inf\"} 4\n\
         request_latency_seconds_count{path=\"/api\"} 4\n\
         request_latency_seconds_sum{path=\"/api\"} 2.75\n\
         request_latency_seconds_bucket{path=\"/\",le=\"0.005\"} 0\n\
         request_latency_seconds_bucket{path=\"/\",le=\"0.5\"} 0\n\
         request_latency_seconds_bucket{path=\"/\",le=\"1.0\"} 0\n\
         request_latency_seconds_bucket{path=\"/\",le=\"+Inf\"} 0\n\
         request_latency_seconds_count{path=\"/\"} 0\n\
         request_latency_seconds_sum{path=\"/\"} 0\n",
        "# TYPE request_latency_seconds histogram\n\
         # UNIT request_latency_seconds seconds\n\
         # HELP request_latency_seconds Latency.\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"0.005\"} 1 # {trace_id=\"a\"} 0.004\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"0.5\"} 3\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"1.0\"} 3\n\
         request_latency_seconds_bucket{path=\"/api\",le=\"+Inf\"} 4 # {trace_id=\"b\"} 7.5 1700000001.5\n\
         request_latency_seconds_count{path=\"/api\"} 4\n\
         request_latency_seconds_sum{path=\"/api\"} 2.75\n\
         request_latency_seconds_created{path=\"/api\"} 1700000000\n\
         request_latency_seconds_bucket{path=\"/\",le=\"0.005\"} 0\n\
         request_latency_seconds_bucket{path=\"/\",le=\"0.5\"} 0\n\
         request_latency_seconds_bucket{path=\"/\",le=\"1.0\"} 0\n\
         request_latency_seconds_bucket{path=\"/\",le=\"+Inf\"} 0\n\
         request_latency_seconds_count{path=\"/\"} 0\n\
         request_latency_seconds_sum{path=\"/\"} 0\n\
         # EOF\n",
    );
}

#[test]
fn histogram_bounds_are_canonical_numbers() {
    let bounds: Arc<[f64]> = Arc::from(vec![1e-5, 0.0001, 100000.0, 1e6, 1.1e23, f64::INFINITY]);
    let families = [family(
        "sizes",
        "h",
        MetricType::Histogram,
        vec![point(
            &[],
            PointValue::Histogram {
                bounds,
                cumulative: vec![0, 1, 2, 3, 4, 5],
                sum: 1e7,
                count: 5,
                created: None,
                exemplars: vec![],
                native: None,
            },
        )],
    )];
    assert_eq!(
        prometheus(&families),
        "# HELP sizes h\n\
         # TYPE sizes histogram\n\
         sizes_bucket{le=\"1e-05\"} 0\n\
         sizes_bucket{le=\"0.0001\"} 1\n\
         sizes_bucket{le=\"100000.0\"} 2\n\
         sizes_bucket{le=\"1e+06\"} 3\n\
         sizes_bucket{le=\"1.1e+23\"} 4\n\
         sizes_bucket{le=\"+Inf\"} 5\n\
         sizes_count 5\n\
         sizes_sum 10000000\n"
    );
}

#[test]
fn histogram_without_inf_bucket_gets_one() {
    let families = [family(
        "custom",
        "h",
        MetricType::Histogram,
        vec![point(
            &[],
            PointValue::Histogram {
                bounds: Arc::from(vec![1.0]),
                cumulative: vec![2],
                sum: 3.0,
                count: 5,
                created: None,
                exemplars: vec![],
                native: None,
            },
        )],
    )];
    assert_formats(
        &families,
        "# HELP custom h\n\
         # TYPE custom histogram\n\
         custom_bucket{le=\"1.0\"} 2\n\
         custom_bucket{le=\"+Inf\"} 5\n\
         custom_count 5\n\
         custom_sum 3\n",
        "# TYPE custom histogram\n\
         # HELP custom h\n\
         custom_bucket{le=\"1.0\"} 2\n\
         custom_bucket{le=\"+Inf\"} 5\n\
         custom_count 5\n\
         custom_sum 3\n\
         # EOF\n",
    );
}

/// OpenMetrics: "Negative threshold buckets MAY be used, but then the Histogram MetricPoint MUST
/// NOT contain a sum value", and `_count` appears if and only if `_sum` does. 0.0.4 keeps both.
#[test]
fn histogram_with_negative_bounds() {
    let families = [family(
        "offset",
        "h",
        MetricType::Histogram,
        vec![point(
            &[],
            PointValue::Histogram {
                bounds: Arc::from(vec![-1.0, 0.0, f64::INFINITY]),
                cumulative: vec![1, 1, 2],
                sum: -0.5,
                count: 2,
                created: Some(10.0),
                exemplars: vec![],
                native: None,
            },
        )],
    )];
    assert_formats(
        &families,
        "# HELP offset h\n\
         # TYPE offset histogram\n\
         offset_bucket{le=\"-1.0\"} 1\n\
         offset_bucket{le=\"0.0\"} 1\n\
         offset_bucket{le=\"+Inf\"} 2\n\
         offset_count 2\n\
         offset_sum -0.5\n",
        "# TYPE offset histogram\n\
         # HELP offset h\n\
         offset_bucket{le=\"-1.0\"} 1\n\
         offset_bucket{le=\"0.0\"} 1\n\
         offset_bucket{le=\"+Inf\"} 2\n\
         offset_created 10\n\
         # EOF\n",
    );
}

#[test]
fn summary() {
    let families = [family(
        "rpc_duration_seconds",
        "RPC latency.",
        MetricType::Summary,
        vec![
            point(
                &[("service", "db")],
                PointValue::Summary {
                    quantiles: vec![(0.5, 0.25), (0.9, 1.5), (0.99, f64::NAN)],
                    sum: 17.5,
                    count: 9,
                    created: Some(1_600_000_000.125),
                },
            ),
            point(
                &[],
                PointValue::Summary {
                    quantiles: vec![(1.0, 3.0)],
                    sum: 3.0,
                    count: 1,
                    created: None,
                },
            ),
        ],
    )];
    assert_formats(
        &families,
        "# HELP rpc_duration_seconds RPC latency.\n\
         # TYPE rpc_duration_seconds summary\n\
         rpc_duration_seconds{service=\"db\",quantile=\"0.5\"} 0.25\n\
         rpc_duration_seconds{service=\"db\",quantile=\"0.9\"} 1.5\n\
         rpc_duration_seconds{service=\"db\",quantile=\"0.99\"} NaN\n\
         rpc_duration_seconds_count{service=\"db\"} 9\n\
         rpc_duration_seconds_sum{service=\"db\"} 17.5\n\
         rpc_duration_seconds{quantile=\"1.0\"} 3\n\
         rpc_duration_seconds_count 1\n\
         rpc_duration_seconds_sum 3\n",
        "# TYPE rpc_duration_seconds summary\n\
         # HELP rpc_duration_seconds RPC latency.\n\
         rpc_duration_seconds{service=\"db\",quantile=\"0.5\"} 0.25\n\
         rpc_duration_seconds{service=\"db\",quantile=\"0.9\"} 1.5\n\
         rpc_duration_seconds{service=\"db\",quantile=\"0.99\"} NaN\n\
         rpc_duration_seconds_count{service=\"db\"} 9\n\
         rpc_duration_seconds_sum{service=\"db\"} 17.5\n\
         rpc_duration_seconds_created{service=\"db\"} 1600000000.125\n\
         rpc_duration_seconds{quantile=\"1.0\"} 3\n\
         rpc_duration_seconds_count 1\n\
         rpc_duration_seconds_sum 3\n\
         # EOF\n",
    );
}

#[test]
fn info() {
    let families = [family(
        "build",
        "Build information.",
        MetricType::Info,
        vec![
            point(
                &[("instance", "a")],
                PointValue::Info {
                    info: labels(&[("version", "1.2.3"), ("commit", "ab\"c")]),
                },
            ),
            point(&[("instance", "b")], PointValue::Info { info: labels(&[]) }),
        ],
    )];
    assert_formats(
        &families,
        "# HELP build_info Build information.\n\
         # TYPE build_info gauge\n\
         build_info{instance=\"a\",version=\"1.2.3\",commit=\"ab\\\"c\"} 1\n\
         build_info{instance=\"b\"} 1\n",
        "# TYPE build info\n\
         # HELP build Build information.\n\
         build_info{instance=\"a\",version=\"1.2.3\",commit=\"ab\\\"c\"} 1\n\
         build_info{instance=\"b\"} 1\n\
         # EOF\n",
    );
    let bare = [family(
        "os",
        "OS.",
        MetricType::Info,
        vec![point(
            &[],
            PointValue::Info {
                info: labels(&[("name", "linux")]),
            },
        )],
    )];
    assert_eq!(
        prometheus(&bare),
        "# HELP os_info OS.\n# TYPE os_info gauge\nos_info{name=\"linux\"} 1\n"
    );
    let empty = [family(
        "nothing",
        "Nothing.",
        MetricType::Info,
        vec![point(&[], PointValue::Info { info: labels(&[]) })],
    )];
    assert_eq!(
        openmetrics(&empty),
        "# TYPE nothing info\n# HELP nothing Nothing.\nnothing_info 1\n# EOF\n"
    );
}

#[test]
fn state_set() {
    let states: Arc<[Box<str>]> = Arc::from(vec![
        Box::<str>::from("starting"),
        "running".into(),
        "stopped \"hard\"".into(),
    ]);
    let families = [family(
        "job_state",
        "Job state.",
        MetricType::StateSet,
        vec![
            point(
                &[("job", "backup")],
                PointValue::StateSet {
                    states: states.clone(),
                    active: vec![false, true, false],
                },
            ),
            point(
                &[("job", "sync")],
                PointValue::StateSet {
                    states,
                    active: vec![true, false, false],
                },
            ),
        ],
    )];
    assert_formats(
        &families,
        "# HELP job_state Job state.\n\
         # TYPE job_state gauge\n\
         job_state{job=\"backup\",job_state=\"starting\"} 0\n\
         job_state{job=\"backup\",job_state=\"running\"} 1\n\
         job_state{job=\"backup\",job_state=\"stopped \\\"hard\\\"\"} 0\n\
         job_state{job=\"sync\",job_state=\"starting\"} 1\n\
         job_state{job=\"sync\",job_state=\"running\"} 0\n\
         job_state{job=\"sync\",job_state=\"stopped \\\"hard\\\"\"} 0\n",
        "# TYPE job_state stateset\n\
         # HELP job_state Job state.\n\
         job_state{job=\"backup\",job_state=\"starting\"} 0\n\
         job_state{job=\"backup\",job_state=\"running\"} 1\n\
         job_state{job=\"backup\",job_state=\"stopped \\\"hard\\\"\"} 0\n\
         job_state{job=\"sync\",job_state=\"starting\"} 1\n\
         job_state{job=\"sync\",job_state=\"running\"} 0\n\
         job_state{job=\"sync\",job_state=\"stopped \\\"hard\\\"\"} 0\n\
         # EOF\n",
    );
}

/// Two state sets in a row with the same states: the state label is named after each family.
#[test]
fn state_labels_follow_their_family() {
    let states: Arc<[Box<str>]> = Arc::from(vec![Box::<str>::from("on")]);
    let set = |name: &str| {
        family(
            name,
            "s",
            MetricType::StateSet,
            vec![point(
                &[],
                PointValue::StateSet {
                    states: states.clone(),
                    active: vec![true],
                },
            )],
        )
    };
    assert_eq!(
        openmetrics(&[set("a"), set("b")]),
        "# TYPE a stateset\n# HELP a s\na{a=\"on\"} 1\n\
         # TYPE b stateset\n# HELP b s\nb{b=\"on\"} 1\n# EOF\n"
    );
}

#[test]
fn unknown() {
    let families = [family(
        "legacy_value",
        "From elsewhere.",
        MetricType::Unknown,
        vec![point(&[("k", "v")], PointValue::Unknown { value: 0.1 })],
    )];
    assert_formats(
        &families,
        "# HELP legacy_value From elsewhere.\n\
         # TYPE legacy_value untyped\n\
         legacy_value{k=\"v\"} 0.1\n",
        "# TYPE legacy_value unknown\n\
         # HELP legacy_value From elsewhere.\n\
         legacy_value{k=\"v\"} 0.1\n\
         # EOF\n",
    );
}

/// A family without points keeps its metadata, as client_python writes it; both specs allow it
/// (OpenMetrics shows `# TYPE foo gauge` alone as "a MetricFamily with no Metrics").
#[test]
fn empty_families_and_empty_help() {
    let families = [
        family("idle", "", MetricType::Gauge, vec![]),
        with_unit(
            family("bytes_total_bytes", "x", MetricType::Counter, vec![]),
            "bytes",
        ),
        family("up", "", MetricType::Gauge, vec![point(&[], gauge(1.0))]),
    ];
    assert_formats(
        &families,
        "# HELP idle \n\
         # TYPE idle gauge\n\
         # HELP bytes_total_bytes_total x\n\
         # TYPE bytes_total_bytes_total counter\n\
         # HELP up \n\
         # TYPE up gauge\n\
         up 1\n",
        "# TYPE idle gauge\n\
         # HELP idle \n\
         # TYPE bytes_total_bytes counter\n\
         # UNIT bytes_total_bytes bytes\n\
         # HELP bytes_total_bytes x\n\
         # TYPE up gauge\n\
         # HELP up \n\
         up 1\n\
         # EOF\n",
    );
}

/// 0.0.4 timestamps are integer milliseconds, OpenMetrics ones seconds; every sample of a point
/// carries the point's timestamp; one that is not finite is dropped.
#[test]
fn timestamps() {
    let families = [
        family(
            "jobs",
            "j",
            MetricType::Counter,
            vec![at(
                point(
                    &[],
                    PointValue::Counter {
                        value: 3.0,
                        created: Some(1_520_430_000.123),
                        exemplar: Some(exemplar(&[("id", "x")], 1.0, Some(1_520_879_607.5))),
                    },
                ),
                1_520_879_607.789,
            )],
        ),
        family(
            "queue_depth",
            "q",
            MetricType::Gauge,
            vec![
                at(point(&[("q", "a")], gauge(17.0)), 1_520_879_607.0),
                at(point(&[("q", "b")], gauge(18.0)), -1.5),
                at(point(&[("q", "c")], gauge(19.0)), f64::NAN),
                at(point(&[("q", "d")], gauge(20.0)), 0.0004),
            ],
        ),
    ];
    assert_formats(
        &families,
        "# HELP jobs_total j\n\
         # TYPE jobs_total counter\n\
         jobs_total 3 1520879607789\n\
         # HELP queue_depth q\n\
         # TYPE queue_depth gauge\n\
         queue_depth{q=\"a\"} 17 1520879607000\n\
         queue_depth{q=\"b\"} 18 -1500\n\
         queue_depth{q=\"c\"} 19\n\
         queue_depth{q=\"d\"} 20 0\n",
        "# TYPE jobs counter\n\
         # HELP jobs j\n\
         jobs_total 3 1520879607.789 # {id=\"x\"} 1 1520879607.5\n\
         jobs_created 1520430000.123 1520879607.789\n\
         # TYPE queue_depth gauge\n\
         # HELP queue_depth q\n\
         queue_depth{q=\"a\"} 17 1520879607\n\
         queue_depth{q=\"b\"} 18 -1.5\n\
         queue_depth{q=\"c\"} 19\n\
         queue_depth{q=\"d\"} 20 0.0004\n\
         # EOF\n",
    );
}

#[test]
fn encode_into_appends() {
    let families = [family(
        "up",
        "Up.",
        MetricType::Gauge,
        vec![point(&[], gauge(1.0))],
    )];
    let mut out = b"# preamble\n".to_vec();
    exposition::encode_into(&families, Format::Prometheus, &mut out);
    assert_eq!(out, b"# preamble\n# HELP up Up.\n# TYPE up gauge\nup 1\n");
    out.clear();
    exposition::encode_into(&families, Format::OpenMetrics, &mut out);
    assert_eq!(out, b"# TYPE up gauge\n# HELP up Up.\nup 1\n# EOF\n");
}

/// The real metric types, gathered from a registry: what an exporter serves.
#[test]
fn registry_exposition() {
    let registry = Registry::new();
    let requests = Arc::new(
        Family::<Counter>::new(Opts::new("requests_total", "Requests.").labels(&["path"])).unwrap(),
    );
    let queue = Arc::new(Family::<Gauge>::new(Opts::new("queue", "Queue length.")).unwrap());
    let latency = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("latency", "Latency.").unit("seconds"),
            HistogramConfig::new(&[0.1, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    registry.register(requests.clone()).unwrap();
    registry.register(queue.clone()).unwrap();
    registry.register(latency.clone()).unwrap();
    requests
        .with_label_values(&["/a"])
        .unwrap()
        .inc(2.0)
        .unwrap();
    queue
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(-3.5)
        .unwrap();
    let observe = latency.with_label_values::<&str>(&[]).unwrap();
    observe.observe(0.05).unwrap();
    observe.observe(0.5).unwrap();
    observe.observe(5.0).unwrap();

    assert_eq!(
        exposition::encode_text(&registry.gather(), Format::Prometheus),
        "# HELP latency_seconds Latency.\n\
         # TYPE latency_seconds histogram\n\
         latency_seconds_bucket{le=\"0.1\"} 1\n\
         latency_seconds_bucket{le=\"1.0\"} 2\n\
         latency_seconds_bucket{le=\"+Inf\"} 3\n\
         latency_seconds_count 3\n\
         latency_seconds_sum 5.55\n\
         # HELP queue Queue length.\n\
         # TYPE queue gauge\n\
         queue -3.5\n\
         # HELP requests_total Requests.\n\
         # TYPE requests_total counter\n\
         requests_total{path=\"/a\"} 2\n"
    );
    // OpenMetrics adds `_created` with the creation times, which we read back from the metrics.
    let om = exposition::encode_text(&registry.gather(), Format::OpenMetrics);
    let mut created = String::new();
    prometheus_emulator::exposition::number::push_value(&mut created, observe.created());
    let latency_created = created.clone();
    created.clear();
    let child = requests.with_label_values(&["/a"]).unwrap();
    prometheus_emulator::exposition::number::push_value(&mut created, child.created());
    assert_eq!(
        om,
        format!(
            "# TYPE latency_seconds histogram\n\
             # UNIT latency_seconds seconds\n\
             # HELP latency_seconds Latency.\n\
             latency_seconds_bucket{{le=\"0.1\"}} 1\n\
             latency_seconds_bucket{{le=\"1.0\"}} 2\n\
             latency_seconds_bucket{{le=\"+Inf\"}} 3\n\
             latency_seconds_count 3\n\
             latency_seconds_sum 5.55\n\
             latency_seconds_created {latency_created}\n\
             # TYPE queue gauge\n\
             # HELP queue Queue length.\n\
             queue -3.5\n\
             # TYPE requests counter\n\
             # HELP requests Requests.\n\
             requests_total{{path=\"/a\"}} 2\n\
             requests_created{{path=\"/a\"}} {created}\n\
             # EOF\n"
        )
    );
}

/// Ten thousand labelled series, checked line by line (timing is measured by
/// `measure_encode_10k` below, never asserted).
#[test]
fn ten_thousand_series() {
    let points = (0..10_000)
        .map(|i| {
            let path = format!("/api/v1/item/{i}");
            let method = ["GET", "POST", "PUT", "DELETE"][i % 4];
            point(
                &[("method", method), ("path", &path)],
                PointValue::Counter {
                    value: (i * 3) as f64,
                    created: Some(1_700_000_000.5),
                    exemplar: None,
                },
            )
        })
        .collect();
    let families = [family(
        "http_requests",
        "Requests.",
        MetricType::Counter,
        points,
    )];

    let text = prometheus(&families);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10_002);
    assert_eq!(lines[0], "# HELP http_requests_total Requests.");
    assert_eq!(lines[1], "# TYPE http_requests_total counter");
    for (i, line) in lines[2..].iter().enumerate() {
        let method = ["GET", "POST", "PUT", "DELETE"][i % 4];
        assert_eq!(
            *line,
            format!(
                "http_requests_total{{method=\"{method}\",path=\"/api/v1/item/{i}\"}} {}",
                i * 3
            )
        );
    }

    let om = openmetrics(&families);
    let lines: Vec<&str> = om.lines().collect();
    assert_eq!(lines.len(), 2 + 2 * 10_000 + 1);
    assert_eq!(
        lines[2],
        "http_requests_total{method=\"GET\",path=\"/api/v1/item/0\"} 0"
    );
    assert_eq!(
        lines[3],
        "http_requests_created{method=\"GET\",path=\"/api/v1/item/0\"} 1700000000.5"
    );
    assert_eq!(*lines.last().unwrap(), "# EOF");
}
