//! Conformance: real parsers read back what we write, value for value.
//!
//! A registry holds every metric type with awkward content: NaN, ±Inf, 5e-324, -0.0, ±1e300,
//! UTF-8, quotes, backslashes and newlines in help and in label values, exemplars, timestamps,
//! a family without points, a histogram with negative bounds. Values the metric API refuses
//! (a NaN gauge, say) come from a custom collector. Both formats are then checked by:
//!
//! - `promtool check metrics` (Prometheus 2.42, Debian's `prometheus` package): it parses
//!   Prometheus text 0.0.4 with client_golang's parser and lints it. Our 0.0.4 output must pass
//!   with no finding at all (exit 0); the one lint a user can trigger through our API, an empty
//!   help, must be the only finding when present (exit 3, "no help text").
//!
//!   `check metrics` cannot read OpenMetrics: on our OpenMetrics output it stops with "invalid
//!   escape sequence" (OpenMetrics escapes quotes in HELP, 0.0.4 forbids that), and it would stop
//!   again at an exemplar ("expected integer as timestamp") or at an `unknown`, `info` or
//!   `stateset` type; even a plain counter reads as two untyped families, `x_total` and
//!   `x_created`, since the metadata names `x`. So OpenMetrics goes through promtool's other
//!   reader instead:
//! - `promtool tsdb create-blocks-from openmetrics`, which parses with Prometheus's own OpenMetrics
//!   parser (the scrape one) and stores every sample; `promtool tsdb dump` prints them back, and
//!   each must equal what we wrote. That importer needs a timestamp on every sample, so this check
//!   encodes the same families with one added to every point. Exemplars are not stored by it.
//! - prometheus_client (Python), through `tests/conformance/parse.py`: its 0.0.4 parser and its
//!   stricter OpenMetrics parser (which enforces the semantic rules: no `_sum` with negative
//!   buckets, no NaN in counter-like samples, `# EOF`...) print every family and sample as JSON,
//!   compared here with what [`MetricFamily::samples`] says we exposed: names, label pairs in order
//!   and byte for byte, values bit for bit (NaN as NaN, and -0.0 keeps its sign in both parsers),
//!   timestamps, exemplars, help, type and unit.
//!
//! The tools are required: when one is missing the tests fail and say to run `make deps`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use prometheus_emulator::exposition::{self, Format};
use prometheus_emulator::snapshot::SampleStyle;
use prometheus_emulator::{
    CallbackMetric, Collector, Counter, Descriptor, Exemplar, Family, Gauge, Histogram,
    HistogramConfig, Info, LabelSet, MetricFamily, MetricPoint, MetricType, Opts, PointValue,
    Registry, Sample, StateSet, StateSetConfig, Summary,
};
use serde_json::Value;

const MAKE_DEPS: &str = "run `make deps` (it installs Debian's `prometheus` package for promtool \
                         and the `prometheus_client` Python package)";

// ---------------------------------------------------------------------------------------------
// The registry under test.

/// Help that needs every escape: quotes (escaped in OpenMetrics only), backslashes, a newline.
const AWKWARD_HELP: &str =
    "Température \"inside\" the oven ✓, path C:\\temp\\new\nsecond line: 100% \\n literal";

/// Label values that need escaping or are unusual.
const AWKWARD_LABELS: [&str; 7] = [
    "plain",
    "quote \" inside",
    "back\\slash",
    "new\nline",
    "all three: \\\"\n",
    "ünïcödé ✓ 日本",
    "",
];

/// A collector returning families built by hand, for what the metric API refuses.
struct Fixed(Vec<MetricFamily>);

impl Collector for Fixed {
    fn describe(&self) -> Vec<Descriptor> {
        self.0
            .iter()
            .map(|f| Descriptor::new(f.name.to_string(), f.kind))
            .collect()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        out.extend(self.0.iter().cloned());
    }
}

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

fn point(pairs: &[(&str, &str)], value: PointValue) -> MetricPoint {
    MetricPoint {
        labels: labels(pairs),
        value,
        timestamp: None,
    }
}

/// Every awkward value, one gauge point each.
fn awkward_values() -> Vec<(&'static str, f64)> {
    vec![
        ("nan", f64::NAN),
        ("plus_inf", f64::INFINITY),
        ("minus_inf", f64::NEG_INFINITY),
        ("minus_zero", -0.0),
        ("zero", 0.0),
        ("smallest_subnormal", 5e-324),
        ("smallest_normal", f64::MIN_POSITIVE),
        ("huge", 1e300),
        ("minus_huge", -1e300),
        ("max", f64::MAX),
        ("min", f64::MIN),
        ("tenth", 0.1),
        ("third", 1.0 / 3.0),
        ("big_integer", 9_007_199_254_740_993.0),
        ("integer", 42.0),
        ("minus_integer", -7.0),
        ("e15", 1e15),
        ("e16", 1e16),
        ("fraction", 123_456.789),
    ]
}

/// Families the metric API cannot produce.
fn custom_families() -> Vec<MetricFamily> {
    let awkward = awkward_values()
        .into_iter()
        .map(|(case, value)| point(&[("case", case)], PointValue::Gauge { value }))
        .chain(
            AWKWARD_LABELS
                .iter()
                .map(|label| point(&[("case", label)], PointValue::Gauge { value: 1.0 })),
        )
        .collect();
    let timestamped = vec![
        MetricPoint {
            timestamp: Some(1_700_000_000.125),
            ..point(&[("source", "a")], PointValue::Gauge { value: 3.0 })
        },
        MetricPoint {
            timestamp: Some(1_600_000_000.0),
            ..point(&[("source", "b")], PointValue::Gauge { value: -3.0 })
        },
    ];
    vec![
        family(
            "conformance_awkward_values",
            AWKWARD_HELP,
            MetricType::Gauge,
            awkward,
        ),
        family(
            "conformance_legacy_value",
            "An unknown-typed value.",
            MetricType::Unknown,
            vec![
                point(&[("k", "nan")], PointValue::Unknown { value: f64::NAN }),
                point(&[("k", "tiny")], PointValue::Unknown { value: 1e-300 }),
            ],
        ),
        family(
            "conformance_timestamped",
            "Points with their own timestamps.",
            MetricType::Gauge,
            timestamped,
        ),
        family(
            "conformance_overflowed",
            "A counter that reached +Inf.",
            MetricType::Counter,
            vec![point(
                &[],
                PointValue::Counter {
                    value: f64::INFINITY,
                    created: Some(1_500_000_000.5),
                    exemplar: None,
                },
            )],
        ),
        family(
            "conformance_precomputed_seconds",
            "Quantiles computed elsewhere.",
            MetricType::Summary,
            vec![point(
                &[("source", "batch \"nightly\"")],
                PointValue::Summary {
                    quantiles: vec![(0.0, 5e-324), (0.5, 0.25), (0.99, f64::NAN), (1.0, 1e300)],
                    sum: 1e300,
                    count: 12,
                    created: Some(1_600_000_000.125),
                },
            )],
        ),
        family(
            "conformance_nothing_yet",
            "A family with no points.",
            MetricType::Gauge,
            vec![],
        ),
    ]
}

/// The registry under test, built through the metric API wherever it allows it.
fn registry() -> Registry {
    let registry = Registry::new();

    let requests = Arc::new(
        Family::<Counter>::new(
            Opts::new("conformance_requests_total", AWKWARD_HELP).labels(&["path", "code"]),
        )
        .unwrap(),
    );
    for (i, path) in AWKWARD_LABELS.iter().enumerate() {
        let child = requests.with_label_values(&[path, "200"]).unwrap();
        child.inc(i as f64 + 0.5).unwrap();
    }
    requests
        .with_label_values(&["huge", "500"])
        .unwrap()
        .inc(1e300)
        .unwrap();
    let traced = Exemplar::new(
        &[("trace_id", "KOO5S4vxi0o"), ("note", "q\"b\\n\n✓")],
        2.0,
        Some(1_700_000_000.25),
    )
    .unwrap();
    requests
        .with_label_values(&["traced", "201"])
        .unwrap()
        .inc_with_exemplar(2.0, traced)
        .unwrap();
    registry.register(requests).unwrap();

    let sent = Arc::new(
        Family::<Counter>::new(Opts::new("conformance_sent", "Bytes sent.").unit("bytes")).unwrap(),
    );
    sent.with_label_values::<&str>(&[])
        .unwrap()
        .inc(1024.0)
        .unwrap();
    registry.register(sent).unwrap();

    let temperature = Arc::new(
        Family::<Gauge>::new(
            Opts::new("conformance_temperature", "Temperature by sensor.")
                .unit("celsius")
                .labels(&["sensor"]),
        )
        .unwrap(),
    );
    for (sensor, value) in [
        ("minus_zero", -0.0),
        ("subnormal", 5e-324),
        ("huge", 1e300),
        ("minus_huge", -1e300),
        ("plus_inf", f64::INFINITY),
        ("minus_inf", f64::NEG_INFINITY),
        ("new\nline \"q\" \\", 21.5),
    ] {
        temperature
            .with_label_values(&[sensor])
            .unwrap()
            .set(value)
            .unwrap();
    }
    registry.register(temperature).unwrap();

    let latency = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("conformance_latency", "Request latency.")
                .unit("seconds")
                .labels(&["route"]),
            HistogramConfig::new(&[1e-5, 0.005, 0.1, 1.0, 2.5, 100000.0, 1e6]).unwrap(),
        )
        .unwrap(),
    );
    let api = latency.with_label_values(&["/api \"v1\""]).unwrap();
    for value in [0.0, 0.003, 0.05, 0.05, 3.0, 1e300] {
        api.observe(value).unwrap();
    }
    let slow = Exemplar::new(&[("trace_id", "oHg5SJYRHA0")], 0.07, Some(1_700_000_000.5)).unwrap();
    api.observe_with_exemplar(0.07, slow).unwrap();
    let bare = Exemplar::new::<&str, &str>(&[], 2e6, None).unwrap();
    api.observe_with_exemplar(2e6, bare).unwrap();
    latency.with_label_values(&["idle"]).unwrap();
    registry.register(latency).unwrap();

    let offset = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new(
                "conformance_clock_offset",
                "Clock offset, which can be negative.",
            )
            .unit("seconds"),
            HistogramConfig::new(&[-10.0, -1.0, 0.0, 1.0, 10.0]).unwrap(),
        )
        .unwrap(),
    );
    let child = offset.with_label_values::<&str>(&[]).unwrap();
    for value in [-5.0, -0.5, 0.5, 20.0] {
        child.observe(value).unwrap();
    }
    registry.register(offset).unwrap();

    let rpc = Arc::new(
        Family::<Summary>::new(
            Opts::new("conformance_rpc_duration", "RPC duration.")
                .unit("seconds")
                .labels(&["service"]),
        )
        .unwrap(),
    );
    let db = rpc.with_label_values(&["db"]).unwrap();
    db.observe(0.25).unwrap();
    db.observe(3.0).unwrap();
    registry.register(rpc).unwrap();

    let build = Arc::new(
        Family::<Info>::new(
            Opts::new("conformance_build", "Build information ✓.").labels(&["component"]),
        )
        .unwrap(),
    );
    build
        .with_label_values(&["core"])
        .unwrap()
        .set(&[("version", "1.0 \"beta\""), ("commit", "ab\\cd\nef")])
        .unwrap();
    build.with_label_values(&["empty"]).unwrap();
    registry.register(build).unwrap();

    let job = Arc::new(
        Family::<StateSet>::with_config(
            Opts::new("conformance_job_state", "Job state.").labels(&["job"]),
            StateSetConfig::enumeration(&["starting", "running \"fast\"", "stopped\\now ✓"])
                .unwrap(),
        )
        .unwrap(),
    );
    job.with_label_values(&["backup"])
        .unwrap()
        .set("running \"fast\"")
        .unwrap();
    job.with_label_values(&["sync"]).unwrap();
    registry.register(job).unwrap();

    let uptime = CallbackMetric::gauge(
        Opts::new("conformance_uptime", "Seconds since start.").unit("seconds"),
        || 12.5,
    )
    .unwrap();
    registry.register(Arc::new(uptime)).unwrap();

    registry
        .register(Arc::new(Fixed(custom_families())))
        .unwrap();
    registry
}

/// The gathered families, checked to hold what the test means to cover.
fn gathered() -> Vec<MetricFamily> {
    let families = registry().gather();
    for kind in [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Info,
        MetricType::StateSet,
        MetricType::Unknown,
    ] {
        assert!(
            families.iter().any(|f| f.kind == kind),
            "no {kind:?} family"
        );
    }
    families
}

// ---------------------------------------------------------------------------------------------
// Running the tools.

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

fn promtool() -> Command {
    let program = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let found = Command::new(&program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(found, "`{program}` cannot be run: {MAKE_DEPS}");
    Command::new(program)
}

fn run(command: &mut Command, stdin: Option<&Path>) -> Output {
    if let Some(path) = stdin {
        command.stdin(std::fs::File::open(path).unwrap());
    }
    command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `promtool check metrics` on an exposition and returns (exit code, stdout + stderr).
fn promtool_check(exposition: &str, name: &str) -> (i32, String) {
    let path = temp_file(name, exposition);
    let output = run(promtool().args(["check", "metrics"]), Some(&path));
    let mut said = text(&output.stdout);
    said.push_str(&text(&output.stderr));
    (output.status.code().unwrap_or(-1), said)
}

fn python_parse(format: &str, exposition: &str) -> Value {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let has_client = Command::new(&python)
        .args(["-c", "import prometheus_client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_client,
        "`{python}` cannot import prometheus_client: {MAKE_DEPS}"
    );
    let path = temp_file(&format!("{format}.txt"), exposition);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/parse.py");
    let output = run(
        Command::new(&python).arg(script).arg(format).arg(&path),
        None,
    );
    assert!(
        output.status.success(),
        "prometheus_client's {format} parser refused our output:\n{}\n--- exposition:\n{exposition}",
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("parse.py prints JSON")
}

// ---------------------------------------------------------------------------------------------
// What we expect the parsers to read.

/// Whether two values are the same number: NaN equals NaN, and -0.0 differs from 0.0.
fn same_number(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// The samples a format shows for a family, as [`MetricFamily::samples`] lists them, less the
/// `_sum` and `_count` OpenMetrics forbids on histograms with negative buckets.
fn expected_samples(family: &MetricFamily, format: Format) -> Vec<Sample> {
    let style = match format {
        Format::Prometheus => SampleStyle::Prometheus,
        Format::OpenMetrics => SampleStyle::OpenMetrics,
        other => panic!("prometheus_client parses only the 1.0 text formats, not {other:?}"),
    };
    let negative_buckets = family.points.iter().any(|p| match &p.value {
        PointValue::Histogram { bounds, .. } => bounds.iter().any(|b| *b < 0.0),
        _ => false,
    });
    let mut samples = family.samples(style);
    if format == Format::OpenMetrics && negative_buckets {
        let count = format!("{}_count", family.name);
        let sum = format!("{}_sum", family.name);
        samples.retain(|s| s.name != count && s.name != sum);
    }
    if format == Format::Prometheus {
        for sample in &mut samples {
            sample.exemplar = None;
        }
    }
    samples
}

/// The family name and type a parser reports for one of our families.
fn expected_metadata(family: &MetricFamily, format: Format) -> (String, &'static str) {
    match format {
        Format::OpenMetrics2 | Format::Protobuf => panic!("not a prometheus_client format"),
        Format::OpenMetrics => (family.name.to_string(), family.kind.as_str()),
        Format::Prometheus | Format::PrometheusV1 => match family.kind {
            // The 0.0.4 parser names a counter family without the `_total` of its TYPE line.
            MetricType::Counter => (family.name.to_string(), "counter"),
            MetricType::Info => (format!("{}_info", family.name), "gauge"),
            MetricType::StateSet => (family.name.to_string(), "gauge"),
            // We write `untyped`; prometheus_client's model calls that type `unknown`.
            MetricType::Unknown => (family.name.to_string(), "unknown"),
            kind => (family.name.to_string(), kind.as_str()),
        },
    }
}

fn json_number(value: &Value) -> f64 {
    let repr = value
        .as_str()
        .unwrap_or_else(|| panic!("number as repr string: {value}"));
    repr.parse()
        .unwrap_or_else(|e| panic!("{repr:?} is not a float: {e}"))
}

fn json_pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            let pair = pair.as_array().unwrap();
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(labels: &LabelSet) -> Vec<(String, String)> {
    labels
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// Checks a parsed timestamp against ours: 0.0.4 carries milliseconds, OpenMetrics seconds (the
/// Python parser splits them into whole seconds and nanoseconds).
fn check_timestamp(parsed: &Value, ours: Option<f64>, format: Format, context: &str) {
    match (ours, parsed) {
        (None, Value::Null) => {}
        (Some(seconds), Value::Object(parts)) if format == Format::OpenMetrics => {
            let parsed = parts["sec"].as_i64().unwrap() as f64
                + parts["nsec"].as_i64().unwrap() as f64 / 1e9;
            assert!(
                (parsed - seconds).abs() < 1e-6,
                "{context}: timestamp {parsed} read for {seconds}"
            );
        }
        (Some(seconds), Value::String(_)) if format == Format::Prometheus => {
            let parsed_ms = (json_number(parsed) * 1000.0).round() as i64;
            assert_eq!(
                parsed_ms,
                (seconds * 1000.0).round() as i64,
                "{context}: timestamp"
            );
        }
        (ours, parsed) => panic!("{context}: timestamp {parsed} read for {ours:?}"),
    }
}

/// Compares what prometheus_client read with what we exposed, family by family and sample by
/// sample, in order.
fn check_python_reading(families: &[MetricFamily], format: Format, parsed: &Value) {
    let parsed = parsed["families"].as_array().unwrap();
    assert_eq!(
        parsed.len(),
        families.len(),
        "{format:?}: family count; read {:?}",
        parsed.iter().map(|f| &f["name"]).collect::<Vec<_>>()
    );
    let mut samples_checked = 0;
    for (family, read) in families.iter().zip(parsed) {
        let (name, kind) = expected_metadata(family, format);
        let context = format!("{format:?} family {name}");
        assert_eq!(read["name"], name.as_str(), "{context}: name");
        assert_eq!(read["type"], kind, "{context}: type");
        assert_eq!(read["help"], &*family.help, "{context}: help");
        let unit = match format {
            Format::OpenMetrics => family.unit.as_deref().unwrap_or(""),
            _ => "",
        };
        assert_eq!(read["unit"], unit, "{context}: unit");

        let expected = expected_samples(family, format);
        let read = read["samples"].as_array().unwrap();
        assert_eq!(
            read.len(),
            expected.len(),
            "{context}: sample count; read {read:#?}"
        );
        for (ours, read) in expected.iter().zip(read) {
            let context = format!("{context} sample {} {:?}", ours.name, ours.labels);
            assert_eq!(read["name"], ours.name.as_str(), "{context}: name");
            assert_eq!(
                json_pairs(&read["labels"]),
                ours.labels,
                "{context}: labels"
            );
            let value = json_number(&read["value"]);
            assert!(
                same_number(value, ours.value),
                "{context}: value {value:?} read for {:?}",
                ours.value
            );
            check_timestamp(&read["timestamp"], ours.timestamp, format, &context);
            match (&ours.exemplar, &read["exemplar"]) {
                (None, Value::Null) => {}
                (Some(exemplar), read) if !read.is_null() => {
                    assert_eq!(
                        json_pairs(&read["labels"]),
                        pairs(&exemplar.labels),
                        "{context}: exemplar labels"
                    );
                    let value = json_number(&read["value"]);
                    assert!(
                        same_number(value, exemplar.value),
                        "{context}: exemplar value {value}"
                    );
                    check_timestamp(&read["timestamp"], exemplar.timestamp, format, &context);
                }
                (ours, read) => panic!("{context}: exemplar {read} read for {ours:?}"),
            }
            samples_checked += 1;
        }
    }
    // A guard against a vacuous pass: the registry exposes about a hundred samples.
    assert!(samples_checked > 80, "only {samples_checked} samples");
}

// ---------------------------------------------------------------------------------------------
// promtool's OpenMetrics parser, through its TSDB importer.

/// Reads a Go `strconv.Quote`d string starting at the opening quote; returns it and the rest.
fn go_unquote(input: &str) -> (String, &str) {
    let mut chars = input.char_indices();
    assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "quoted: {input}");
    let mut out = String::new();
    let hex = |digits: &str| u32::from_str_radix(digits, 16).unwrap();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &input[i + 1..]),
            '\\' => {
                let (_, escape) = chars.next().unwrap();
                let mut take =
                    |n: usize| -> String { (0..n).map(|_| chars.next().unwrap().1).collect() };
                match escape {
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    // Go writes \x only for bytes that are not valid UTF-8, which we never write.
                    'x' => out.push(char::from_u32(hex(&take(2))).unwrap()),
                    'u' => out.push(char::from_u32(hex(&take(4))).unwrap()),
                    'U' => out.push(char::from_u32(hex(&take(8))).unwrap()),
                    other => panic!("unexpected escape \\{other} in {input}"),
                }
            }
            c => out.push(c),
        }
    }
    panic!("unterminated quoted string: {input}");
}

/// A series as `promtool tsdb dump` prints it: `{__name__="x", a="b"} value timestamp_ms`.
type Series = (String, Vec<(String, String)>);

fn parse_dump_line(line: &str) -> (Series, f64, i64) {
    let mut rest = line
        .strip_prefix('{')
        .unwrap_or_else(|| panic!("dump line {line}"));
    let mut labels = Vec::new();
    loop {
        let (name, after) = rest.split_once('=').unwrap();
        let (value, after) = go_unquote(after);
        labels.push((name.to_owned(), value));
        if let Some(after) = after.strip_prefix(", ") {
            rest = after;
        } else {
            rest = after
                .strip_prefix("} ")
                .unwrap_or_else(|| panic!("dump line {line}"));
            break;
        }
    }
    let (value, timestamp) = rest.split_once(' ').unwrap();
    let name_at = labels.iter().position(|(n, _)| n == "__name__").unwrap();
    let (_, name) = labels.remove(name_at);
    (
        (name, labels),
        value
            .parse()
            .unwrap_or_else(|e| panic!("value {value}: {e}")),
        timestamp.parse().unwrap(),
    )
}

/// The series Prometheus stores for a sample: labels sorted, and an empty label value is no label
/// at all (OpenMetrics: "Empty label values SHOULD be treated as if the label was not present").
fn series(sample: &Sample) -> Series {
    let mut labels: Vec<_> = sample
        .labels
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .cloned()
        .collect();
    labels.sort();
    (sample.name.clone(), labels)
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn promtool_accepts_prometheus_text_without_findings() {
    let text = exposition::encode_text(&gathered(), Format::Prometheus);
    let (code, said) = promtool_check(&text, "clean.prom");
    assert_eq!(
        (code, said.as_str()),
        (0, ""),
        "promtool check metrics\n--- exposition:\n{text}"
    );
}

/// The only lint a user can trigger through our API is an empty help (the name rules and the
/// `_total` suffix are ours to get right): promtool reports it, and nothing else.
#[test]
fn promtool_reports_empty_help_and_nothing_else() {
    let mut families = gathered();
    families.push(family(
        "conformance_undocumented",
        "",
        MetricType::Gauge,
        vec![point(&[], PointValue::Gauge { value: 1.0 })],
    ));
    let text = exposition::encode_text(&families, Format::Prometheus);
    let (code, said) = promtool_check(&text, "lint.prom");
    // Exit status 3 is promtool's "lint problems found"; a parse error would be 1.
    assert_eq!(
        (code, said.as_str()),
        (3, "conformance_undocumented no help text\n"),
        "promtool check metrics\n--- exposition:\n{text}"
    );
}

#[test]
fn promtool_openmetrics_parser_reads_back_every_sample() {
    // The importer wants a timestamp on every sample; whole milliseconds keep the conversion exact.
    let timestamp = 1_700_000_000.5;
    let mut families = gathered();
    for family in &mut families {
        for point in &mut family.points {
            point.timestamp = Some(timestamp);
        }
    }
    let om = exposition::encode_text(&families, Format::OpenMetrics);
    let input = temp_file("backfill.om", &om);
    let blocks = input.with_extension("blocks");
    let _ = std::fs::remove_dir_all(&blocks);
    let output = run(
        promtool()
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(&blocks),
        None,
    );
    assert!(
        output.status.success(),
        "Prometheus's OpenMetrics parser refused our output:\n{}{}\n--- exposition:\n{om}",
        text(&output.stdout),
        text(&output.stderr)
    );
    // `tsdb dump` opens the blocks as a database, which needs these even when empty.
    for dir in ["wal", "chunks_head"] {
        std::fs::create_dir_all(blocks.join(dir)).unwrap();
    }
    let output = run(promtool().args(["tsdb", "dump"]).arg(&blocks), None);
    assert!(
        output.status.success(),
        "tsdb dump: {}",
        text(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&blocks);

    let mut stored: BTreeMap<Series, (f64, i64)> = BTreeMap::new();
    for line in text(&output.stdout).lines() {
        let (series, value, ms) = parse_dump_line(line);
        assert!(
            stored.insert(series, (value, ms)).is_none(),
            "twice: {line}"
        );
    }
    let mut expected: BTreeMap<Series, f64> = BTreeMap::new();
    for family in &families {
        for sample in expected_samples(family, Format::OpenMetrics) {
            assert!(expected.insert(series(&sample), sample.value).is_none());
        }
    }
    assert_eq!(
        stored.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the series Prometheus stored"
    );
    assert!(expected.len() > 80, "only {} series", expected.len());
    for (series, value) in &expected {
        let (stored_value, ms) = stored[series];
        assert!(
            same_number(stored_value, *value),
            "{series:?}: stored {stored_value:?} for {value:?}"
        );
        assert_eq!(ms, 1_700_000_000_500, "{series:?}: timestamp");
    }
}

#[test]
fn prometheus_client_reads_back_prometheus_text() {
    let families = gathered();
    let text = exposition::encode_text(&families, Format::Prometheus);
    let parsed = python_parse("prometheus", &text);
    check_python_reading(&families, Format::Prometheus, &parsed);
}

/// prometheus_client 0.26's OpenMetrics parser flips its "inside quotes" state on every `"` after
/// the value, escaped or not, so it refuses an exemplar whose label value holds a (correctly
/// escaped) `\"`; Prometheus's parser reads those (see the promtool test). The Python check gets
/// such exemplars with their quotes dropped.
fn without_quotes_in_exemplars(families: &mut [MetricFamily]) {
    let unquote = |exemplar: &mut Exemplar| {
        if exemplar.labels.iter().any(|(_, v)| v.contains('"')) {
            let pairs: Vec<(String, String)> = exemplar
                .labels
                .iter()
                .map(|(n, v)| (n.to_owned(), v.replace('"', "")))
                .collect();
            exemplar.labels = LabelSet::new(&pairs).unwrap();
        }
    };
    for point in families.iter_mut().flat_map(|f| f.points.iter_mut()) {
        match &mut point.value {
            PointValue::Counter {
                exemplar: Some(exemplar),
                ..
            } => unquote(exemplar),
            PointValue::Histogram { exemplars, .. } => {
                exemplars.iter_mut().flatten().for_each(unquote);
            }
            _ => {}
        }
    }
}

#[test]
fn prometheus_client_reads_back_openmetrics() {
    let mut families = gathered();
    without_quotes_in_exemplars(&mut families);
    let text = exposition::encode_text(&families, Format::OpenMetrics);
    let parsed = python_parse("openmetrics", &text);
    check_python_reading(&families, Format::OpenMetrics, &parsed);
}

#[test]
fn go_quoted_strings_decode() {
    assert_eq!(
        go_unquote(r#""a\"b\\c\nd é \u00e9\t" rest"#),
        ("a\"b\\c\nd é é\t".to_owned(), " rest")
    );
    let ((name, labels), value, ms) =
        parse_dump_line(r#"{__name__="g", l="x\"y, z"} -0 1700000000000"#);
    assert_eq!(name, "g");
    assert_eq!(labels, [("l".to_owned(), "x\"y, z".to_owned())]);
    assert!(same_number(value, -0.0));
    assert_eq!(ms, 1_700_000_000_000);
}
