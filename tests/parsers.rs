//! Our expositions read back by decoders nobody here wrote: Prometheus's own `model/textparse`
//! parsers (what a scrape uses: protobuf, OpenMetrics 2.0 behind its feature flag, OpenMetrics
//! 1.0, text 0.0.4) and, for protobuf, prometheus/common's `expfmt`, a second and independent
//! decoder into client_model's messages.
//!
//! `tests/parsers` is a small Go program (Prometheus v0.316.0) that prints what those decoders
//! read as JSON; it is built once per run. One registry holds every metric type, a native-only
//! histogram with positive, negative and zero-bucket observations and an exemplar, a histogram
//! with classic and native buckets, and an idle native histogram whose zero threshold is 0. Each
//! test compares what a parser reports with what was recorded, exactly: every entry in order,
//! names, labels, values bit for bit, counts, schemas, zero buckets, spans and bucket counts,
//! exemplars, start timestamps. The expected native buckets are written by hand from the bucket
//! rule and checked against it (`key_of`, `upper_bound`) separately.
//!
//! The parsers keep the classic series of a histogram that also has native buckets (as
//! `always_scrape_classic_histograms` does), so that both halves are checked. Without `go` the
//! tests say what they could not run and pass; under CI (`CI` set) they fail.

use std::sync::Arc;
use std::time::Duration;

use prometheus_emulator::exposition::{Format, encode_registry};
use prometheus_emulator::metric::NativeConfig;
use prometheus_emulator::metric::native::key::{key_of, upper_bound};
use prometheus_emulator::snapshot::BucketSpan;
use prometheus_emulator::{
    Counter, Exemplar, Family, Gauge, Histogram, HistogramConfig, Info, Opts, Registry, StateSet,
    StateSetConfig, Summary, SummaryConfig,
};
use serde_json::{Value, json};

mod support;
use support::parsers::{decode, parsers};

/// Renders `fixture`'s registry in `format` and decodes it, failing with the parser's error and
/// the body when a parser rejects it. `None` when the parsers cannot run here.
fn render_and_decode(fixture: &Fixture, format: Format) -> Option<(String, Value)> {
    let parsers = parsers()?;
    let mut body = Vec::new();
    encode_registry(&fixture.registry, format, &mut body);
    let shown = if format.is_text() {
        String::from_utf8(body.clone()).unwrap()
    } else {
        format!("{body:02x?}")
    };
    match decode(parsers, format.content_type(), &body) {
        Ok(parsed) => Some((shown, normalized(parsed))),
        Err(error) => panic!("{format:?} rejected: {error}\nbody:\n{shown}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The registry under test.

/// The native-only histogram's observations. Factor 1.1 picks schema 3 (growth 2^(1/8) ≈ 1.09,
/// the largest not above 1.1): bucket k holds magnitudes in (2^((k-1)/8), 2^(k/8)].
const NATIVE_OBSERVATIONS: [f64; 10] = [1.0, 1.05, 1.5, 1.5, 3.0, 100.0, -0.25, -2.0, 0.0, 1e-40];
/// Their buckets, by hand: 1.0 → 0, 1.05 → 1, 1.5 → 5 (twice), 3.0 → 13, 100 → 54; -0.25 → -16,
/// -2.0 → 8; 0 and 1e-40 are within the default zero threshold 2^-128.
const NATIVE_SCHEMA: i32 = 3;
const NATIVE_POSITIVE: [(i32, u64); 5] = [(0, 1), (1, 1), (5, 2), (13, 1), (54, 1)];
const NATIVE_NEGATIVE: [(i32, u64); 2] = [(-16, 1), (8, 1)];
/// The spans of those keys: one per run of neighbouring keys, each offset from the previous end.
const NATIVE_POSITIVE_SPANS: [(i32, u32); 4] = [(0, 2), (3, 1), (7, 1), (40, 1)];
const NATIVE_NEGATIVE_SPANS: [(i32, u32); 2] = [(-16, 1), (23, 1)];
const NATIVE_ZERO_COUNT: u64 = 2;
/// 2^-128, client_golang's default zero threshold.
const DEFAULT_ZERO_THRESHOLD: f64 = 2.938735877055719e-39;
/// The exemplar recorded with the first 1.5.
const NATIVE_EXEMPLAR_AT: f64 = 1_700_000_000.25;

/// The mixed histogram: classic bounds 1 and 10, native factor 2 (schema 0: bucket k is
/// (2^(k-1), 2^k]). 0.5 → -1, 3.0 → 2 (twice), 20 → 5; -1.0 → 0. The classic buckets count
/// 2 (≤ 1), 4 (≤ 10), 5.
const MIXED_OBSERVATIONS: [f64; 5] = [0.5, 3.0, 3.0, 20.0, -1.0];
const MIXED_SCHEMA: i32 = 0;
const MIXED_POSITIVE: [(i32, u64); 3] = [(-1, 1), (2, 2), (5, 1)];
const MIXED_NEGATIVE: [(i32, u64); 1] = [(0, 1)];
const MIXED_POSITIVE_SPANS: [(i32, u32); 3] = [(-1, 1), (2, 1), (2, 1)];
const MIXED_NEGATIVE_SPANS: [(i32, u32); 1] = [(0, 1)];
/// The exemplar recorded with the first 3.0 (classic bucket `le="10"`, and native).
const MIXED_EXEMPLAR_AT: f64 = 1_700_000_001.5;

/// The classic histogram: bounds 0.1, 0.5, 1; an exemplar with the first 0.3.
const LATENCY_OBSERVATIONS: [f64; 4] = [0.05, 0.3, 0.3, 2.0];
const LATENCY_EXEMPLAR_AT: f64 = 1_700_000_003.75;
const COUNTER_EXEMPLAR_AT: f64 = 1_700_000_002.5;
const RPC_OBSERVATIONS: [f64; 4] = [0.1, 0.2, 0.3, 0.4];

/// The registry, and the children whose start times and quantiles the expectations need.
struct Fixture {
    registry: Registry,
    requests: [Arc<Counter>; 2],
    latency: Arc<Histogram>,
    idle: Arc<Histogram>,
    mixed: Arc<Histogram>,
    native: Arc<Histogram>,
    rpc: Arc<Summary>,
}

fn exemplar(trace_id: &str, value: f64, at: f64) -> Exemplar {
    Exemplar::new(&[("trace_id", trace_id)], value, Some(at)).unwrap()
}

fn histogram_family(name: &str, help: &str, config: HistogramConfig) -> Arc<Family<Histogram>> {
    Arc::new(Family::with_config(Opts::new(name, help), config).unwrap())
}

/// Families are registered and exposed in name order, so the expectations follow that order.
fn fixture() -> Fixture {
    let registry = Registry::new();

    let build = Arc::new(Family::<Info>::new(Opts::new("parsers_build", "Build.")).unwrap());
    build
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(&[("version", "1.2.3")])
        .unwrap();
    registry.register(build).unwrap();

    // Zero threshold exactly 0 and no observation: protobuf needs an empty span for Prometheus
    // to see it as native at all.
    let idle = histogram_family(
        "parsers_idle_seconds",
        "Idle.",
        HistogramConfig::native(NativeConfig {
            zero_threshold: -1.0,
            ..NativeConfig::new(2.0).unwrap()
        })
        .unwrap(),
    );
    let idle_child = idle.with_label_values::<&str>(&[]).unwrap();
    registry.register(idle).unwrap();

    let latency = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("parsers_latency_seconds", "Latency.").unit("seconds"),
            HistogramConfig::new(&[0.1, 0.5, 1.0]).unwrap(),
        )
        .unwrap(),
    );
    let latency_child = latency.with_label_values::<&str>(&[]).unwrap();
    let [first, with_exemplar, rest @ ..] = LATENCY_OBSERVATIONS;
    latency_child.observe(first).unwrap();
    latency_child
        .observe_with_exemplar(
            with_exemplar,
            exemplar("classic", with_exemplar, LATENCY_EXEMPLAR_AT),
        )
        .unwrap();
    for value in rest {
        latency_child.observe(value).unwrap();
    }
    registry.register(latency).unwrap();

    let mixed = histogram_family(
        "parsers_mixed_seconds",
        "Mixed.",
        HistogramConfig::new(&[1.0, 10.0])
            .unwrap()
            .with_native(NativeConfig::new(2.0).unwrap())
            .unwrap(),
    );
    let mixed_child = mixed.with_label_values::<&str>(&[]).unwrap();
    let [first, with_exemplar, rest @ ..] = MIXED_OBSERVATIONS;
    mixed_child.observe(first).unwrap();
    mixed_child
        .observe_with_exemplar(
            with_exemplar,
            exemplar("mixed", with_exemplar, MIXED_EXEMPLAR_AT),
        )
        .unwrap();
    for value in rest {
        mixed_child.observe(value).unwrap();
    }
    registry.register(mixed).unwrap();

    let mode = Arc::new(
        Family::<StateSet>::with_config(
            Opts::new("parsers_mode", "Mode."),
            StateSetConfig::enumeration(&["idle", "busy"]).unwrap(),
        )
        .unwrap(),
    );
    mode.with_label_values::<&str>(&[])
        .unwrap()
        .set("busy")
        .unwrap();
    registry.register(mode).unwrap();

    let native = histogram_family(
        "parsers_native_seconds",
        "Native.",
        HistogramConfig::native(NativeConfig::new(1.1).unwrap()).unwrap(),
    );
    let native_child = native.with_label_values::<&str>(&[]).unwrap();
    let [a, b, with_exemplar, rest @ ..] = NATIVE_OBSERVATIONS;
    native_child.observe(a).unwrap();
    native_child.observe(b).unwrap();
    native_child
        .observe_with_exemplar(
            with_exemplar,
            exemplar("native", with_exemplar, NATIVE_EXEMPLAR_AT),
        )
        .unwrap();
    for value in rest {
        native_child.observe(value).unwrap();
    }
    registry.register(native).unwrap();

    let requests = Arc::new(
        Family::<Counter>::new(
            Opts::new("parsers_requests", "Requests.").labels(&["path", "code"]),
        )
        .unwrap(),
    );
    let ok = requests.with_label_values(&["/", "200"]).unwrap();
    ok.inc(3.0).unwrap();
    let failed = requests.with_label_values(&["/api", "500"]).unwrap();
    failed
        .inc_with_exemplar(2.0, exemplar("counter", 2.0, COUNTER_EXEMPLAR_AT))
        .unwrap();
    registry.register(requests).unwrap();

    let rpc = Arc::new(
        Family::<Summary>::with_config(
            Opts::new("parsers_rpc_seconds", "RPCs."),
            SummaryConfig::new(&[(0.5, 0.05), (0.9, 0.01)], Duration::from_secs(600), 5).unwrap(),
        )
        .unwrap(),
    );
    let rpc_child = rpc.with_label_values::<&str>(&[]).unwrap();
    for value in RPC_OBSERVATIONS {
        rpc_child.observe(value).unwrap();
    }
    registry.register(rpc).unwrap();

    let temperature =
        Arc::new(Family::<Gauge>::new(Opts::new("parsers_temperature", "Temperature.")).unwrap());
    temperature
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(-12.5)
        .unwrap();
    registry.register(temperature).unwrap();

    Fixture {
        registry,
        requests: [ok, failed],
        latency: latency_child,
        idle: idle_child,
        mixed: mixed_child,
        native: native_child,
        rpc: rpc_child,
    }
}

// ---------------------------------------------------------------------------------------------
// Expectations, in the JSON the parsers program prints (floats as exact strings, normalised).

/// A float as both sides write it here: Rust's shortest round-trip form, so that equal strings
/// mean equal bits (-0.0 and 0.0 differ).
fn float(value: f64) -> Value {
    Value::String(format!("{value:?}"))
}

/// Go's `strconv` form ("+Inf", "NaN", "1e-40") read back exactly.
fn go_float(text: &str) -> f64 {
    match text {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        _ => text
            .parse()
            .unwrap_or_else(|_| panic!("not a float: {text:?}")),
    }
}

/// The parsers' JSON with every float string rewritten by [`float`].
fn normalized(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("value" | "sum" | "zero_threshold" | "upper_bound", Value::String(s)) => {
                            float(go_float(&s))
                        }
                        ("quantiles", Value::Array(pairs)) => Value::Array(
                            pairs
                                .into_iter()
                                .map(|pair| {
                                    let pair: Vec<f64> = pair
                                        .as_array()
                                        .unwrap()
                                        .iter()
                                        .map(|s| go_float(s.as_str().unwrap()))
                                        .collect();
                                    json!([float(pair[0]), float(pair[1])])
                                })
                                .collect(),
                        ),
                        (_, value) => normalized(value),
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalized).collect()),
        other => other,
    }
}

/// The sum of observations in the order they were made, as the histogram adds them.
fn sum(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |sum, value| sum + value)
}

/// Milliseconds as textparse reads a start time written in seconds in the text formats:
/// seconds × 1000, truncated.
fn text_millis(seconds: f64) -> i64 {
    (seconds * 1000.0) as i64
}

/// Milliseconds as Prometheus reads a start time written as a protobuf `Timestamp` (whole
/// seconds and the nearest nanosecond): truncated to the millisecond.
fn protobuf_millis(seconds: f64) -> i64 {
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round() as i64;
    whole as i64 * 1000 + nanos / 1_000_000
}

fn labels(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), json!(value)))
            .collect(),
    )
}

/// An exemplar as the parsers print it. Its time is a quarter second (exact in binary), so the
/// text formats' seconds × 1000 and protobuf's seconds and nanoseconds give the same millisecond.
fn exemplar_json(trace_id: &str, value: f64, at: f64) -> Value {
    json!({"labels": {"trace_id": trace_id}, "value": float(value), "timestamp": text_millis(at)})
}

/// A client_model gauge metric as the parsers print it.
fn gauge(pairs: &[(&str, &str)], value: f64) -> Value {
    json!({"labels": labels(pairs), "value": float(value)})
}

fn spans(spans: &[(i32, u32)]) -> Value {
    spans
        .iter()
        .map(|(offset, length)| json!({"offset": offset, "length": length}))
        .collect()
}

fn counts(buckets: &[(i32, u64)]) -> Value {
    buckets.iter().map(|(_, count)| json!(count)).collect()
}

/// A native histogram as the parsers print it (their own fields only).
struct Native<'a> {
    schema: i32,
    zero_threshold: f64,
    zero_count: u64,
    observations: &'a [f64],
    positive_spans: &'a [(i32, u32)],
    positive: &'a [(i32, u64)],
    negative_spans: &'a [(i32, u32)],
    negative: &'a [(i32, u64)],
}

impl Native<'_> {
    fn json(&self) -> Value {
        json!({
            "count": self.observations.len(),
            "sum": float(sum(self.observations)),
            "schema": self.schema,
            "zero_threshold": float(self.zero_threshold),
            "zero_count": self.zero_count,
            "positive_spans": spans(self.positive_spans),
            "positive_buckets": counts(self.positive),
            "negative_spans": spans(self.negative_spans),
            "negative_buckets": counts(self.negative),
        })
    }
}

const NATIVE: Native = Native {
    schema: NATIVE_SCHEMA,
    zero_threshold: DEFAULT_ZERO_THRESHOLD,
    zero_count: NATIVE_ZERO_COUNT,
    observations: &NATIVE_OBSERVATIONS,
    positive_spans: &NATIVE_POSITIVE_SPANS,
    positive: &NATIVE_POSITIVE,
    negative_spans: &NATIVE_NEGATIVE_SPANS,
    negative: &NATIVE_NEGATIVE,
};

const MIXED: Native = Native {
    schema: MIXED_SCHEMA,
    zero_threshold: DEFAULT_ZERO_THRESHOLD,
    zero_count: 0,
    observations: &MIXED_OBSERVATIONS,
    positive_spans: &MIXED_POSITIVE_SPANS,
    positive: &MIXED_POSITIVE,
    negative_spans: &MIXED_NEGATIVE_SPANS,
    negative: &MIXED_NEGATIVE,
};

/// No observation and a zero threshold of 0. textparse compacts the empty span away.
const IDLE: Native = Native {
    schema: 0,
    zero_threshold: 0.0,
    zero_count: 0,
    observations: &[],
    positive_spans: &[],
    positive: &[],
    negative_spans: &[],
    negative: &[],
};

/// One textparse entry of a sample with a float value.
fn series(name: &str, pairs: &[(&str, &str)], value: f64) -> Value {
    let mut entry = json!({"kind": "series", "name": name, "value": float(value)});
    if !pairs.is_empty() {
        entry["labels"] = labels(pairs);
    }
    entry
}

fn started(mut entry: Value, start_ms: i64) -> Value {
    entry["start_timestamp"] = json!(start_ms);
    entry
}

fn with_exemplars(mut entry: Value, exemplars: &[Value]) -> Value {
    entry["exemplars"] = Value::Array(exemplars.to_vec());
    entry
}

fn native_entry(name: &str, native: &Native, start_ms: i64, exemplars: &[Value]) -> Value {
    let entry = json!({"kind": "histogram", "name": name, "histogram": native.json()});
    let entry = started(entry, start_ms);
    if exemplars.is_empty() {
        entry
    } else {
        with_exemplars(entry, exemplars)
    }
}

/// The `_count`, `_sum` and `_bucket` series of a classic histogram, in textparse's order; the
/// exemplar goes with the bucket that holds its value.
fn classic_series(
    name: &str,
    buckets: &[(&str, u64)],
    observations: &[f64],
    start_ms: i64,
    exemplar: (&str, Value),
) -> Vec<Value> {
    let mut entries = vec![
        started(
            series(&format!("{name}_count"), &[], observations.len() as f64),
            start_ms,
        ),
        started(
            series(&format!("{name}_sum"), &[], sum(observations)),
            start_ms,
        ),
    ];
    for (le, count) in buckets {
        let entry = started(
            series(&format!("{name}_bucket"), &[("le", le)], *count as f64),
            start_ms,
        );
        entries.push(if *le == exemplar.0 {
            with_exemplars(entry, std::slice::from_ref(&exemplar.1))
        } else {
            entry
        });
    }
    entries
}

fn meta(kind: &str, name: &str, text: &str) -> Value {
    json!({"kind": kind, "name": name, kind: text})
}

/// Metadata as each format orders it: protobuf's parser gives HELP, UNIT, TYPE; OpenMetrics
/// writes TYPE, UNIT, HELP.
fn metadata(format: Format, name: &str, kind: &str, unit: Option<&str>, help: &str) -> Vec<Value> {
    let unit = unit.map(|unit| meta("unit", name, unit));
    match format {
        Format::Protobuf => [
            Some(meta("help", name, help)),
            unit,
            Some(meta("type", name, kind)),
        ],
        _ => [
            Some(meta("type", name, kind)),
            unit,
            Some(meta("help", name, help)),
        ],
    }
    .into_iter()
    .flatten()
    .collect()
}

/// Every entry textparse reports for the fixture in `format` (protobuf or OpenMetrics 2.0, which
/// differ only in metadata: protobuf has no info or state set type, and orders metadata apart).
fn expected_entries(fixture: &Fixture, format: Format) -> Vec<Value> {
    let millis = if format == Format::Protobuf {
        protobuf_millis
    } else {
        text_millis
    };
    let (info, stateset) = match format {
        Format::Protobuf => ("gauge", "gauge"),
        _ => ("info", "stateset"),
    };
    let mut entries = Vec::new();

    entries.extend(metadata(format, "parsers_build_info", info, None, "Build."));
    entries.push(series("parsers_build_info", &[("version", "1.2.3")], 1.0));

    entries.extend(metadata(
        format,
        "parsers_idle_seconds",
        "histogram",
        None,
        "Idle.",
    ));
    let start = millis(fixture.idle.created());
    entries.push(native_entry("parsers_idle_seconds", &IDLE, start, &[]));

    let name = "parsers_latency_seconds";
    entries.extend(metadata(
        format,
        name,
        "histogram",
        Some("seconds"),
        "Latency.",
    ));
    entries.extend(classic_series(
        name,
        &[("0.1", 1), ("0.5", 3), ("1.0", 3), ("+Inf", 4)],
        &LATENCY_OBSERVATIONS,
        millis(fixture.latency.created()),
        ("0.5", exemplar_json("classic", 0.3, LATENCY_EXEMPLAR_AT)),
    ));

    let name = "parsers_mixed_seconds";
    entries.extend(metadata(format, name, "histogram", None, "Mixed."));
    let start = millis(fixture.mixed.created());
    let mixed_exemplar = exemplar_json("mixed", 3.0, MIXED_EXEMPLAR_AT);
    entries.push(native_entry(
        name,
        &MIXED,
        start,
        std::slice::from_ref(&mixed_exemplar),
    ));
    entries.extend(classic_series(
        name,
        &[("1.0", 2), ("10.0", 4), ("+Inf", 5)],
        &MIXED_OBSERVATIONS,
        start,
        ("10.0", mixed_exemplar),
    ));

    entries.extend(metadata(format, "parsers_mode", stateset, None, "Mode."));
    entries.push(series("parsers_mode", &[("parsers_mode", "idle")], 0.0));
    entries.push(series("parsers_mode", &[("parsers_mode", "busy")], 1.0));

    let name = "parsers_native_seconds";
    entries.extend(metadata(format, name, "histogram", None, "Native."));
    entries.push(native_entry(
        name,
        &NATIVE,
        millis(fixture.native.created()),
        &[exemplar_json("native", 1.5, NATIVE_EXEMPLAR_AT)],
    ));

    let name = "parsers_requests_total";
    entries.extend(metadata(format, name, "counter", None, "Requests."));
    let [ok, failed] = &fixture.requests;
    entries.push(started(
        series(name, &[("path", "/"), ("code", "200")], 3.0),
        millis(ok.created()),
    ));
    entries.push(with_exemplars(
        started(
            series(name, &[("path", "/api"), ("code", "500")], 2.0),
            millis(failed.created()),
        ),
        &[exemplar_json("counter", 2.0, COUNTER_EXEMPLAR_AT)],
    ));

    let name = "parsers_rpc_seconds";
    entries.extend(metadata(format, name, "summary", None, "RPCs."));
    let start = millis(fixture.rpc.created());
    entries.push(started(
        series("parsers_rpc_seconds_count", &[], 4.0),
        start,
    ));
    entries.push(started(
        series("parsers_rpc_seconds_sum", &[], sum(&RPC_OBSERVATIONS)),
        start,
    ));
    for quantile in ["0.5", "0.9"] {
        let value = fixture.rpc.quantile(quantile.parse().unwrap()).unwrap();
        entries.push(started(
            series(name, &[("quantile", quantile)], value),
            start,
        ));
    }

    entries.extend(metadata(
        format,
        "parsers_temperature",
        "gauge",
        None,
        "Temperature.",
    ));
    entries.push(series("parsers_temperature", &[], -12.5));
    entries
}

/// Entry by entry, so that a failure names the first entry that differs.
fn assert_entries(format: Format, body: &str, parsed: &[Value], expected: &[Value]) {
    for (index, (parsed, expected)) in parsed.iter().zip(expected).enumerate() {
        assert_eq!(
            parsed, expected,
            "{format:?}: entry {index} differs (left: parsed, right: expected)\nbody:\n{body}"
        );
    }
    assert_eq!(
        parsed.len(),
        expected.len(),
        "{format:?}: {} entries parsed, {} expected; the rest: {:#?}\nbody:\n{body}",
        parsed.len(),
        expected.len(),
        if parsed.len() > expected.len() {
            &parsed[expected.len()..]
        } else {
            &expected[parsed.len()..]
        }
    );
}

fn entries(parsed: &Value) -> &[Value] {
    parsed["entries"].as_array().expect("entries")
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// The hand-written buckets follow the bucket rule (each observation above the previous
/// bucket's bound and at most its own), and the histograms hold exactly them: so a difference
/// in a parser below is in the encoding.
#[test]
fn expected_native_buckets_follow_the_bucket_rule() {
    for (native, schema) in [(&NATIVE, NATIVE_SCHEMA), (&MIXED, MIXED_SCHEMA)] {
        let mut positive = Vec::<(i32, u64)>::new();
        let mut negative = Vec::<(i32, u64)>::new();
        for &value in native.observations {
            if value.abs() <= native.zero_threshold {
                continue;
            }
            let key = key_of(value, schema);
            assert!(
                upper_bound(key - 1, schema) < value.abs()
                    && value.abs() <= upper_bound(key, schema),
                "{value} is not in bucket {key} of schema {schema}"
            );
            let sign = if value > 0.0 {
                &mut positive
            } else {
                &mut negative
            };
            match sign.iter_mut().find(|(k, _)| *k == key) {
                Some((_, count)) => *count += 1,
                None => sign.push((key, 1)),
            }
        }
        positive.sort();
        negative.sort();
        assert_eq!(positive, native.positive, "schema {schema}");
        assert_eq!(negative, native.negative, "schema {schema}");
    }

    let fixture = fixture();
    let as_spans = |spans: &[(i32, u32)]| -> Vec<BucketSpan> {
        spans
            .iter()
            .map(|&(offset, length)| BucketSpan { offset, length })
            .collect()
    };
    for (histogram, native) in [
        (&fixture.native, &NATIVE),
        (&fixture.mixed, &MIXED),
        (&fixture.idle, &IDLE),
    ] {
        let buckets = histogram.native_buckets().unwrap();
        assert_eq!(buckets.schema, native.schema);
        assert_eq!(buckets.zero_threshold, native.zero_threshold);
        assert_eq!(buckets.zero_count, native.zero_count);
        assert_eq!(buckets.positive_spans, as_spans(native.positive_spans));
        let positive: Vec<u64> = native.positive.iter().map(|(_, count)| *count).collect();
        assert_eq!(buckets.positive_counts, positive);
        assert_eq!(buckets.negative_spans, as_spans(native.negative_spans));
        let negative: Vec<u64> = native.negative.iter().map(|(_, count)| *count).collect();
        assert_eq!(buckets.negative_counts, negative);
    }
}

/// Prometheus's protobuf parser, as a scrape that asks for protobuf first reads it.
#[test]
fn protobuf_reads_back_through_textparse() {
    let fixture = fixture();
    let Some((body, parsed)) = render_and_decode(&fixture, Format::Protobuf) else {
        return;
    };
    let expected = expected_entries(&fixture, Format::Protobuf);
    assert_entries(Format::Protobuf, &body, entries(&parsed), &expected);
}

/// expfmt's decoder, independent of textparse: the messages as written, spans uncompacted (the
/// idle histogram's empty span is there), `+Inf` bucket left out, native exemplars apart from
/// the classic bucket's.
#[test]
fn protobuf_reads_back_through_expfmt() {
    let fixture = fixture();
    let Some((body, parsed)) = render_and_decode(&fixture, Format::Protobuf) else {
        return;
    };
    let ms = protobuf_millis;
    // A classic histogram's native fields are all absent: zero.
    let no_native = Native {
        observations: &LATENCY_OBSERVATIONS,
        ..IDLE
    }
    .json();
    let histogram = |native: Value, buckets: Value, start: f64, exemplars: &[Value]| {
        let mut histogram = native;
        // Classic buckets, when there are any (the program leaves an empty list out).
        if buckets
            .as_array()
            .is_some_and(|buckets| !buckets.is_empty())
        {
            histogram["buckets"] = buckets;
        }
        histogram["start_timestamp"] = json!(ms(start));
        if !exemplars.is_empty() {
            histogram["exemplars"] = Value::Array(exemplars.to_vec());
        }
        json!({"labels": {}, "histogram": histogram})
    };
    let bucket =
        |bound: f64, count: u64| json!({"upper_bound": float(bound), "cumulative_count": count});
    let with_exemplar = |mut bucket: Value, exemplar: Value| {
        bucket["exemplar"] = exemplar;
        bucket
    };
    let mut idle = IDLE.json();
    idle["positive_spans"] = json!([{"offset": 0, "length": 0}]);
    let mixed_exemplar = exemplar_json("mixed", 3.0, MIXED_EXEMPLAR_AT);
    let [ok, failed] = &fixture.requests;
    let rpc = &fixture.rpc;

    let requests = [
        json!({"labels": {"path": "/", "code": "200"}, "value": float(3.0),
               "start_timestamp": ms(ok.created())}),
        json!({"labels": {"path": "/api", "code": "500"}, "value": float(2.0),
               "start_timestamp": ms(failed.created()),
               "exemplar": exemplar_json("counter", 2.0, COUNTER_EXEMPLAR_AT)}),
    ];
    let summary = json!({
        "labels": {},
        "start_timestamp": ms(rpc.created()),
        "summary": {
            "count": 4,
            "sum": float(sum(&RPC_OBSERVATIONS)),
            "quantiles": [
                [float(0.5), float(rpc.quantile(0.5).unwrap())],
                [float(0.9), float(rpc.quantile(0.9).unwrap())],
            ],
        },
    });
    let latency_buckets = json!([
        bucket(0.1, 1),
        with_exemplar(
            bucket(0.5, 3),
            exemplar_json("classic", 0.3, LATENCY_EXEMPLAR_AT)
        ),
        bucket(1.0, 3),
    ]);
    let mixed_buckets = json!([
        bucket(1.0, 2),
        with_exemplar(bucket(10.0, 4), mixed_exemplar.clone()),
    ]);
    let native_exemplars = [exemplar_json("native", 1.5, NATIVE_EXEMPLAR_AT)];
    let expected = json!([
        {"name": "parsers_build_info", "type": "GAUGE", "unit": "", "help": "Build.",
         "metrics": [gauge(&[("version", "1.2.3")], 1.0)]},
        {"name": "parsers_idle_seconds", "type": "HISTOGRAM", "unit": "", "help": "Idle.",
         "metrics": [histogram(idle, json!([]), fixture.idle.created(), &[])]},
        {"name": "parsers_latency_seconds", "type": "HISTOGRAM", "unit": "seconds",
         "help": "Latency.",
         "metrics": [histogram(no_native, latency_buckets, fixture.latency.created(), &[])]},
        {"name": "parsers_mixed_seconds", "type": "HISTOGRAM", "unit": "", "help": "Mixed.",
         "metrics": [histogram(MIXED.json(), mixed_buckets, fixture.mixed.created(),
                               &[mixed_exemplar])]},
        {"name": "parsers_mode", "type": "GAUGE", "unit": "", "help": "Mode.",
         "metrics": [gauge(&[("parsers_mode", "idle")], 0.0),
                     gauge(&[("parsers_mode", "busy")], 1.0)]},
        {"name": "parsers_native_seconds", "type": "HISTOGRAM", "unit": "", "help": "Native.",
         "metrics": [histogram(NATIVE.json(), json!([]), fixture.native.created(),
                               &native_exemplars)]},
        {"name": "parsers_requests_total", "type": "COUNTER", "unit": "", "help": "Requests.",
         "metrics": requests},
        {"name": "parsers_rpc_seconds", "type": "SUMMARY", "unit": "", "help": "RPCs.",
         "metrics": [summary]},
        {"name": "parsers_temperature", "type": "GAUGE", "unit": "", "help": "Temperature.",
         "metrics": [gauge(&[], -12.5)]},
    ]);
    let families = parsed["families"].as_array().expect("families");
    let expected = expected.as_array().unwrap();
    for (index, (family, expected)) in families.iter().zip(expected).enumerate() {
        assert_eq!(
            family, expected,
            "expfmt: family {index} differs (left: decoded, right: expected)\nbody:\n{body}"
        );
    }
    assert_eq!(families.len(), expected.len(), "expfmt: families decoded");
}

/// OpenMetrics 2.0 text through Prometheus's OpenMetrics 2.0 parser: native histograms and
/// start times (`st@`) in the text format.
#[test]
fn openmetrics2_reads_back_through_textparse() {
    let fixture = fixture();
    let Some((body, parsed)) = render_and_decode(&fixture, Format::OpenMetrics2) else {
        return;
    };
    let expected = expected_entries(&fixture, Format::OpenMetrics2);
    assert_entries(Format::OpenMetrics2, &body, entries(&parsed), &expected);
}

/// The entries of one family (its metadata and its samples).
fn family_entries<'a>(parsed: &'a Value, name: &str) -> Vec<&'a Value> {
    entries(parsed)
        .iter()
        .filter(|entry| {
            let entry = entry["name"].as_str().unwrap_or_default();
            entry == name || entry.strip_prefix(name).is_some_and(|s| s.starts_with('_'))
        })
        .collect()
}

/// Formats without native histograms show a native-only histogram as client_golang does: a
/// `+Inf` bucket holding the count, `_count` and `_sum`; OpenMetrics 1.0 adds the start time
/// (its `_created` sample, which the parser takes as the series' start timestamp).
#[test]
fn formats_without_native_histograms_show_the_count_and_sum() {
    let fixture = fixture();
    let name = "parsers_native_seconds";
    let count = NATIVE_OBSERVATIONS.len() as f64;
    let total = sum(&NATIVE_OBSERVATIONS);
    for format in [Format::OpenMetrics, Format::Prometheus] {
        let Some((body, parsed)) = render_and_decode(&fixture, format) else {
            return;
        };
        let mut expected = vec![
            series(&format!("{name}_bucket"), &[("le", "+Inf")], count),
            series(&format!("{name}_count"), &[], count),
            series(&format!("{name}_sum"), &[], total),
        ];
        let header = if format == Format::OpenMetrics {
            let start = text_millis(fixture.native.created());
            expected = expected.into_iter().map(|e| started(e, start)).collect();
            [
                meta("type", name, "histogram"),
                meta("help", name, "Native."),
            ]
        } else {
            [
                meta("help", name, "Native."),
                meta("type", name, "histogram"),
            ]
        };
        expected.splice(0..0, header);
        let parsed: Vec<Value> = family_entries(&parsed, name).into_iter().cloned().collect();
        assert_entries(format, &body, &parsed, &expected);
    }
}

/// The harness fails when it should: a parser error reaches the test, with its message.
#[test]
fn a_rejected_body_reports_the_parser_error() {
    let Some(parsers) = parsers() else {
        return;
    };
    let fixture = fixture();
    let mut body = Vec::new();
    encode_registry(&fixture.registry, Format::OpenMetrics2, &mut body);
    let truncated = body
        .strip_suffix(b"# EOF\n")
        .expect("the body ends with # EOF");
    let error = decode(parsers, Format::OpenMetrics2.content_type(), truncated).unwrap_err();
    assert!(error.contains("data does not end with # EOF"), "{error}");
    let error = decode(parsers, Format::Protobuf.content_type(), &[0x05, 0x0a]).unwrap_err();
    assert!(!error.is_empty());
}
