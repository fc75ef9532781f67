//! The push encodings read back with the messages of their `.proto` files (declared here with
//! prost's derive, field numbers from prompb's `types.proto`, `remote.proto` and
//! `io/prometheus/write/v2/types.proto`, and opentelemetry-proto's `metrics.proto`), after
//! snappy decompression where the protocol compresses.

use std::sync::Arc;

use prost::Message;
use prost_derive::Message;

use super::{EncodeOptions, Encoded, Protocol, encode, uncompressed};
use crate::metric::{Family, Histogram, HistogramConfig, NativeConfig, Opts};
use crate::registry::Registry;
use crate::snapshot::{
    BucketSpan, Exemplar, LabelSet, MetricFamily, MetricPoint, MetricType, NativeBuckets,
    PointValue,
};

// ---- Remote Write 1.0 (package prometheus) ----

#[derive(Clone, PartialEq, Message)]
struct Label {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "2")]
    value: String,
}

#[derive(Clone, PartialEq, Message)]
struct Sample {
    #[prost(double, tag = "1")]
    value: f64,
    #[prost(int64, tag = "2")]
    timestamp: i64,
    /// 2.0 only.
    #[prost(int64, tag = "3")]
    start_timestamp: i64,
}

#[derive(Clone, PartialEq, Message)]
struct ExemplarV1 {
    #[prost(message, repeated, tag = "1")]
    labels: Vec<Label>,
    #[prost(double, tag = "2")]
    value: f64,
    #[prost(int64, tag = "3")]
    timestamp: i64,
}

#[derive(Clone, PartialEq, Message)]
struct Span {
    #[prost(sint32, tag = "1")]
    offset: i32,
    #[prost(uint32, tag = "2")]
    length: u32,
}

/// `prometheus.Histogram` and `io.prometheus.write.v2.Histogram` (numbered alike).
#[derive(Clone, PartialEq, Message)]
struct NativeHistogram {
    #[prost(uint64, optional, tag = "1")]
    count_int: Option<u64>,
    #[prost(double, optional, tag = "2")]
    count_float: Option<f64>,
    #[prost(double, tag = "3")]
    sum: f64,
    #[prost(sint32, tag = "4")]
    schema: i32,
    #[prost(double, tag = "5")]
    zero_threshold: f64,
    #[prost(uint64, optional, tag = "6")]
    zero_count_int: Option<u64>,
    #[prost(message, repeated, tag = "8")]
    negative_spans: Vec<Span>,
    #[prost(sint64, repeated, tag = "9")]
    negative_deltas: Vec<i64>,
    #[prost(message, repeated, tag = "11")]
    positive_spans: Vec<Span>,
    #[prost(sint64, repeated, tag = "12")]
    positive_deltas: Vec<i64>,
    #[prost(int32, tag = "14")]
    reset_hint: i32,
    #[prost(int64, tag = "15")]
    timestamp: i64,
    #[prost(int64, tag = "17")]
    start_timestamp: i64,
}

#[derive(Clone, PartialEq, Message)]
struct TimeSeriesV1 {
    #[prost(message, repeated, tag = "1")]
    labels: Vec<Label>,
    #[prost(message, repeated, tag = "2")]
    samples: Vec<Sample>,
    #[prost(message, repeated, tag = "3")]
    exemplars: Vec<ExemplarV1>,
    #[prost(message, repeated, tag = "4")]
    histograms: Vec<NativeHistogram>,
}

#[derive(Clone, PartialEq, Message)]
struct MetricMetadata {
    #[prost(int32, tag = "1")]
    r#type: i32,
    #[prost(string, tag = "2")]
    metric_family_name: String,
    #[prost(string, tag = "4")]
    help: String,
    #[prost(string, tag = "5")]
    unit: String,
}

#[derive(Clone, PartialEq, Message)]
struct WriteRequest {
    #[prost(message, repeated, tag = "1")]
    timeseries: Vec<TimeSeriesV1>,
    #[prost(message, repeated, tag = "3")]
    metadata: Vec<MetricMetadata>,
}

// ---- Remote Write 2.0 (package io.prometheus.write.v2) ----

#[derive(Clone, PartialEq, Message)]
struct ExemplarV2 {
    #[prost(uint32, repeated, tag = "1")]
    labels_refs: Vec<u32>,
    #[prost(double, tag = "2")]
    value: f64,
    #[prost(int64, tag = "3")]
    timestamp: i64,
}

#[derive(Clone, PartialEq, Message)]
struct Metadata {
    #[prost(int32, tag = "1")]
    r#type: i32,
    #[prost(uint32, tag = "3")]
    help_ref: u32,
    #[prost(uint32, tag = "4")]
    unit_ref: u32,
}

#[derive(Clone, PartialEq, Message)]
struct TimeSeriesV2 {
    #[prost(uint32, repeated, tag = "1")]
    labels_refs: Vec<u32>,
    #[prost(message, repeated, tag = "2")]
    samples: Vec<Sample>,
    #[prost(message, repeated, tag = "3")]
    histograms: Vec<NativeHistogram>,
    #[prost(message, repeated, tag = "4")]
    exemplars: Vec<ExemplarV2>,
    #[prost(message, optional, tag = "5")]
    metadata: Option<Metadata>,
}

#[derive(Clone, PartialEq, Message)]
struct RequestV2 {
    #[prost(string, repeated, tag = "4")]
    symbols: Vec<String>,
    #[prost(message, repeated, tag = "5")]
    timeseries: Vec<TimeSeriesV2>,
}

// ---- OTLP (opentelemetry.proto.*) ----

#[derive(Clone, PartialEq, Message)]
struct AnyValue {
    #[prost(string, optional, tag = "1")]
    string_value: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct KeyValue {
    #[prost(string, tag = "1")]
    key: String,
    #[prost(message, optional, tag = "2")]
    value: Option<AnyValue>,
}

#[derive(Clone, PartialEq, Message)]
struct Resource {
    #[prost(message, repeated, tag = "1")]
    attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, Message)]
struct Scope {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "2")]
    version: String,
}

#[derive(Clone, PartialEq, Message)]
struct OtlpExemplar {
    #[prost(message, repeated, tag = "7")]
    filtered_attributes: Vec<KeyValue>,
    #[prost(fixed64, tag = "2")]
    time_unix_nano: u64,
    #[prost(double, optional, tag = "3")]
    as_double: Option<f64>,
    #[prost(bytes = "vec", tag = "4")]
    span_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    trace_id: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct NumberDataPoint {
    #[prost(message, repeated, tag = "7")]
    attributes: Vec<KeyValue>,
    #[prost(fixed64, tag = "2")]
    start_time_unix_nano: u64,
    #[prost(fixed64, tag = "3")]
    time_unix_nano: u64,
    #[prost(double, optional, tag = "4")]
    as_double: Option<f64>,
    #[prost(message, repeated, tag = "5")]
    exemplars: Vec<OtlpExemplar>,
}

#[derive(Clone, PartialEq, Message)]
struct HistogramDataPoint {
    #[prost(message, repeated, tag = "9")]
    attributes: Vec<KeyValue>,
    #[prost(fixed64, tag = "2")]
    start_time_unix_nano: u64,
    #[prost(fixed64, tag = "3")]
    time_unix_nano: u64,
    #[prost(fixed64, tag = "4")]
    count: u64,
    #[prost(double, optional, tag = "5")]
    sum: Option<f64>,
    #[prost(fixed64, repeated, tag = "6")]
    bucket_counts: Vec<u64>,
    #[prost(double, repeated, tag = "7")]
    explicit_bounds: Vec<f64>,
    #[prost(message, repeated, tag = "8")]
    exemplars: Vec<OtlpExemplar>,
}

#[derive(Clone, PartialEq, Message)]
struct Buckets {
    #[prost(sint32, tag = "1")]
    offset: i32,
    #[prost(uint64, repeated, tag = "2")]
    bucket_counts: Vec<u64>,
}

#[derive(Clone, PartialEq, Message)]
struct ExponentialDataPoint {
    #[prost(message, repeated, tag = "1")]
    attributes: Vec<KeyValue>,
    #[prost(fixed64, tag = "2")]
    start_time_unix_nano: u64,
    #[prost(fixed64, tag = "3")]
    time_unix_nano: u64,
    #[prost(fixed64, tag = "4")]
    count: u64,
    #[prost(double, optional, tag = "5")]
    sum: Option<f64>,
    #[prost(sint32, tag = "6")]
    scale: i32,
    #[prost(fixed64, tag = "7")]
    zero_count: u64,
    #[prost(message, optional, tag = "8")]
    positive: Option<Buckets>,
    #[prost(message, optional, tag = "9")]
    negative: Option<Buckets>,
    #[prost(message, repeated, tag = "11")]
    exemplars: Vec<OtlpExemplar>,
    #[prost(double, tag = "14")]
    zero_threshold: f64,
}

#[derive(Clone, PartialEq, Message)]
struct ValueAtQuantile {
    #[prost(double, tag = "1")]
    quantile: f64,
    #[prost(double, tag = "2")]
    value: f64,
}

#[derive(Clone, PartialEq, Message)]
struct SummaryDataPoint {
    #[prost(message, repeated, tag = "7")]
    attributes: Vec<KeyValue>,
    #[prost(fixed64, tag = "2")]
    start_time_unix_nano: u64,
    #[prost(fixed64, tag = "3")]
    time_unix_nano: u64,
    #[prost(fixed64, tag = "4")]
    count: u64,
    #[prost(double, tag = "5")]
    sum: f64,
    #[prost(message, repeated, tag = "6")]
    quantile_values: Vec<ValueAtQuantile>,
}

#[derive(Clone, PartialEq, Message)]
struct Gauge {
    #[prost(message, repeated, tag = "1")]
    data_points: Vec<NumberDataPoint>,
}

#[derive(Clone, PartialEq, Message)]
struct Sum {
    #[prost(message, repeated, tag = "1")]
    data_points: Vec<NumberDataPoint>,
    #[prost(int32, tag = "2")]
    aggregation_temporality: i32,
    #[prost(bool, tag = "3")]
    is_monotonic: bool,
}

#[derive(Clone, PartialEq, Message)]
struct OtlpHistogram {
    #[prost(message, repeated, tag = "1")]
    data_points: Vec<HistogramDataPoint>,
    #[prost(int32, tag = "2")]
    aggregation_temporality: i32,
}

#[derive(Clone, PartialEq, Message)]
struct ExponentialHistogram {
    #[prost(message, repeated, tag = "1")]
    data_points: Vec<ExponentialDataPoint>,
    #[prost(int32, tag = "2")]
    aggregation_temporality: i32,
}

#[derive(Clone, PartialEq, Message)]
struct Summary {
    #[prost(message, repeated, tag = "1")]
    data_points: Vec<SummaryDataPoint>,
}

#[derive(Clone, PartialEq, Message)]
struct Metric {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "2")]
    description: String,
    #[prost(string, tag = "3")]
    unit: String,
    #[prost(message, optional, tag = "5")]
    gauge: Option<Gauge>,
    #[prost(message, optional, tag = "7")]
    sum: Option<Sum>,
    #[prost(message, optional, tag = "9")]
    histogram: Option<OtlpHistogram>,
    #[prost(message, optional, tag = "10")]
    exponential_histogram: Option<ExponentialHistogram>,
    #[prost(message, optional, tag = "11")]
    summary: Option<Summary>,
    #[prost(message, repeated, tag = "12")]
    metadata: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, Message)]
struct ScopeMetrics {
    #[prost(message, optional, tag = "1")]
    scope: Option<Scope>,
    #[prost(message, repeated, tag = "2")]
    metrics: Vec<Metric>,
}

#[derive(Clone, PartialEq, Message)]
struct ResourceMetrics {
    #[prost(message, optional, tag = "1")]
    resource: Option<Resource>,
    #[prost(message, repeated, tag = "2")]
    scope_metrics: Vec<ScopeMetrics>,
}

#[derive(Clone, PartialEq, Message)]
struct ExportRequest {
    #[prost(message, repeated, tag = "1")]
    resource_metrics: Vec<ResourceMetrics>,
}

// ---- helpers ----

const NOW_MS: i64 = 1_700_000_000_123;

fn options() -> EncodeOptions {
    EncodeOptions {
        timestamp_ms: NOW_MS,
        ..EncodeOptions::default()
    }
}

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    LabelSet::new(pairs).unwrap()
}

fn point(pairs: &[(&str, &str)], value: PointValue) -> MetricPoint {
    MetricPoint {
        labels: labels(pairs),
        value,
        timestamp: None,
    }
}

fn family(name: &str, kind: MetricType, points: Vec<MetricPoint>) -> MetricFamily {
    MetricFamily {
        name: name.into(),
        help: format!("{name} help").into(),
        kind,
        unit: None,
        points,
    }
}

fn counter(value: f64, created: Option<f64>) -> PointValue {
    PointValue::Counter {
        value,
        created,
        exemplar: None,
    }
}

fn classic(bounds: &[f64], cumulative: &[u64], sum: f64) -> PointValue {
    PointValue::Histogram {
        bounds: bounds.into(),
        cumulative: cumulative.to_vec(),
        sum,
        count: *cumulative.last().unwrap(),
        created: Some(1_600_000_000.5),
        exemplars: Vec::new(),
        native: None,
    }
}

fn span(offset: i32, length: u32) -> BucketSpan {
    BucketSpan { offset, length }
}

/// Schema 1; positive keys -1, 0 | gap of 2 | 3 (counts 2, 5, 1); negative key 1 (count 4);
/// zero bucket 3 within 0.001. Count 15.
fn native_buckets() -> NativeBuckets {
    NativeBuckets {
        schema: 1,
        zero_threshold: 0.001,
        zero_count: 3,
        positive_spans: vec![span(-1, 2), span(2, 1)],
        positive_counts: vec![2, 5, 1],
        negative_spans: vec![span(1, 1)],
        negative_counts: vec![4],
        exemplars: Vec::new(),
    }
}

fn native(bounds: &[f64], cumulative: &[u64]) -> PointValue {
    PointValue::Histogram {
        bounds: bounds.into(),
        cumulative: cumulative.to_vec(),
        sum: 7.25,
        count: 15,
        created: Some(1_600_000_000.0),
        exemplars: Vec::new(),
        native: Some(Box::new(native_buckets())),
    }
}

fn v1(families: &[MetricFamily], options: &EncodeOptions) -> WriteRequest {
    let encoded = encode(Protocol::RemoteWriteV1, families, options);
    let body = snap::raw::Decoder::new()
        .decompress_vec(&encoded.body)
        .unwrap();
    assert_eq!(
        body,
        uncompressed(Protocol::RemoteWriteV1, families, options)
    );
    WriteRequest::decode(&body[..]).unwrap()
}

fn v2(families: &[MetricFamily], options: &EncodeOptions) -> RequestV2 {
    let encoded = encode(Protocol::RemoteWriteV2, families, options);
    let body = snap::raw::Decoder::new()
        .decompress_vec(&encoded.body)
        .unwrap();
    RequestV2::decode(&body[..]).unwrap()
}

fn otlp(families: &[MetricFamily], options: &EncodeOptions) -> Vec<Metric> {
    let encoded = encode(Protocol::Otlp, families, options);
    let mut request = ExportRequest::decode(&encoded.body[..]).unwrap();
    assert_eq!(request.resource_metrics.len(), 1);
    let mut resource = request.resource_metrics.remove(0);
    assert_eq!(resource.scope_metrics.len(), 1);
    resource.scope_metrics.remove(0).metrics
}

fn pairs(labels: &[Label]) -> Vec<(String, String)> {
    labels
        .iter()
        .map(|l| (l.name.clone(), l.value.clone()))
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn v2_labels(request: &RequestV2, refs: &[u32]) -> Vec<(String, String)> {
    refs.chunks(2)
        .map(|pair| {
            (
                request.symbols[pair[0] as usize].clone(),
                request.symbols[pair[1] as usize].clone(),
            )
        })
        .collect()
}

fn attributes(attributes: &[KeyValue]) -> Vec<(String, String)> {
    attributes
        .iter()
        .map(|a| {
            let value = a.value.as_ref().and_then(|v| v.string_value.clone());
            (a.key.clone(), value.unwrap())
        })
        .collect()
}

fn names(request: &WriteRequest) -> Vec<String> {
    request
        .timeseries
        .iter()
        .map(|ts| {
            let labels = pairs(&ts.labels);
            let name = &labels.iter().find(|(n, _)| n == "__name__").unwrap().1;
            let others: Vec<String> = labels
                .iter()
                .filter(|(n, _)| n != "__name__")
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            format!("{name}{{{}}}", others.join(","))
        })
        .collect()
}

/// Sums deltas back into absolute counts.
fn absolute(deltas: &[i64]) -> Vec<i64> {
    deltas
        .iter()
        .scan(0, |count, delta| {
            *count += delta;
            Some(*count)
        })
        .collect()
}

// ---- Remote Write 1.0 ----

#[test]
fn v1_labels_are_sorted_with_the_name_and_external_labels_among_them() {
    let families = [family(
        "requests",
        MetricType::Counter,
        vec![point(
            &[("zone", "eu"), ("Method", "GET"), ("instance", "own")],
            counter(3.0, Some(1_600_000_000.0)),
        )],
    )];
    let options = EncodeOptions {
        external_labels: owned(&[("job", "app"), ("instance", "external"), ("a", "1")]),
        ..options()
    };
    let request = v1(&families, &options);
    assert_eq!(request.timeseries.len(), 1, "no _created series");
    let series = &request.timeseries[0];
    assert_eq!(
        pairs(&series.labels),
        owned(&[
            ("Method", "GET"),
            ("__name__", "requests_total"),
            ("a", "1"),
            ("instance", "own"),
            ("job", "app"),
            ("zone", "eu"),
        ])
    );
    assert_eq!(
        series.samples,
        [Sample {
            value: 3.0,
            timestamp: NOW_MS,
            start_timestamp: 0
        }]
    );
}

#[test]
fn v1_leaves_out_labels_with_empty_values() {
    let families = [family(
        "g",
        MetricType::Gauge,
        vec![point(
            &[("a", ""), ("b", "x")],
            PointValue::Gauge { value: 1.5 },
        )],
    )];
    let options = EncodeOptions {
        external_labels: owned(&[("a", "ext"), ("c", "")]),
        ..options()
    };
    let request = v1(&families, &options);
    assert_eq!(
        pairs(&request.timeseries[0].labels),
        owned(&[("__name__", "g"), ("a", "ext"), ("b", "x")])
    );
}

#[test]
fn v1_classic_histograms_and_summaries_flatten_as_the_text_format() {
    let families = [
        family(
            "latency_seconds",
            MetricType::Histogram,
            vec![point(
                &[("route", "/")],
                classic(&[0.1, 1.0, f64::INFINITY], &[1, 3, 4], 2.5),
            )],
        ),
        family(
            "rpc",
            MetricType::Summary,
            vec![point(
                &[],
                PointValue::Summary {
                    quantiles: vec![(0.5, 0.2), (0.99, 0.9)],
                    sum: 12.0,
                    count: 30,
                    created: None,
                },
            )],
        ),
    ];
    let request = v1(&families, &options());
    assert_eq!(
        names(&request),
        [
            "latency_seconds_bucket{le=0.1,route=/}",
            "latency_seconds_bucket{le=1.0,route=/}",
            "latency_seconds_bucket{le=+Inf,route=/}",
            "latency_seconds_count{route=/}",
            "latency_seconds_sum{route=/}",
            "rpc{quantile=0.5}",
            "rpc{quantile=0.99}",
            "rpc_count{}",
            "rpc_sum{}",
        ]
    );
    let values: Vec<f64> = request
        .timeseries
        .iter()
        .map(|ts| ts.samples[0].value)
        .collect();
    assert_eq!(values, [1.0, 3.0, 4.0, 4.0, 2.5, 0.2, 0.9, 30.0, 12.0]);
}

#[test]
fn v1_info_and_state_sets_are_gauge_series() {
    let families = [
        family(
            "build",
            MetricType::Info,
            vec![point(
                &[("component", "core")],
                PointValue::Info {
                    info: labels(&[("version", "1.2"), ("commit", "abc")]),
                },
            )],
        ),
        family(
            "job_state",
            MetricType::StateSet,
            vec![point(
                &[],
                PointValue::StateSet {
                    states: vec!["running".into(), "stopped".into()].into(),
                    active: vec![true, false],
                },
            )],
        ),
    ];
    let request = v1(&families, &options());
    assert_eq!(
        names(&request),
        [
            "build_info{commit=abc,component=core,version=1.2}",
            "job_state{job_state=running}",
            "job_state{job_state=stopped}",
        ]
    );
    let values: Vec<f64> = request
        .timeseries
        .iter()
        .map(|ts| ts.samples[0].value)
        .collect();
    assert_eq!(values, [1.0, 1.0, 0.0]);
}

#[test]
fn v1_native_histograms_carry_spans_and_deltas_and_no_classic_series() {
    let families = [family(
        "h",
        MetricType::Histogram,
        vec![point(&[("x", "1")], native(&[], &[]))],
    )];
    let request = v1(&families, &options());
    assert_eq!(request.timeseries.len(), 1);
    let series = &request.timeseries[0];
    assert_eq!(
        pairs(&series.labels),
        owned(&[("__name__", "h"), ("x", "1")])
    );
    assert!(series.samples.is_empty());
    assert_eq!(
        series.histograms,
        [NativeHistogram {
            count_int: Some(15),
            count_float: None,
            sum: 7.25,
            schema: 1,
            zero_threshold: 0.001,
            zero_count_int: Some(3),
            negative_spans: vec![Span {
                offset: 1,
                length: 1
            }],
            negative_deltas: vec![4],
            positive_spans: vec![
                Span {
                    offset: -1,
                    length: 2
                },
                Span {
                    offset: 2,
                    length: 1
                }
            ],
            positive_deltas: vec![2, 3, -4],
            reset_hint: 0,
            timestamp: NOW_MS,
            start_timestamp: 0,
        }]
    );
    assert_eq!(absolute(&series.histograms[0].positive_deltas), [2, 5, 1]);
}

#[test]
fn v1_a_histogram_with_native_and_classic_buckets_sends_both() {
    let families = [family(
        "h",
        MetricType::Histogram,
        vec![point(&[], native(&[1.0, f64::INFINITY], &[9, 15]))],
    )];
    let request = v1(&families, &options());
    assert_eq!(
        names(&request),
        [
            "h{}",
            "h_bucket{le=1.0}",
            "h_bucket{le=+Inf}",
            "h_count{}",
            "h_sum{}"
        ]
    );
    assert_eq!(request.timeseries[0].histograms.len(), 1);
    let encoded = encode(Protocol::RemoteWriteV1, &families, &options());
    assert_eq!(
        (encoded.samples, encoded.histograms, encoded.exemplars),
        (4, 1, 0)
    );
}

#[test]
fn v1_metadata_comes_once_per_family_named_as_the_text_format() {
    let mut sent = family("sent_bytes", MetricType::Counter, vec![]);
    sent.unit = Some("bytes".into());
    let families = [
        sent,
        family("build", MetricType::Info, vec![]),
        family("g", MetricType::Gauge, vec![]),
        family("h", MetricType::Histogram, vec![]),
        family("s", MetricType::Summary, vec![]),
        family("st", MetricType::StateSet, vec![]),
        family("u", MetricType::Unknown, vec![]),
    ];
    let request = v1(&families, &options());
    assert!(request.timeseries.is_empty());
    let metadata: Vec<(i32, &str, &str, &str)> = request
        .metadata
        .iter()
        .map(|m| (m.r#type, &*m.metric_family_name, &*m.help, &*m.unit))
        .collect();
    assert_eq!(
        metadata,
        [
            (1, "sent_bytes_total", "sent_bytes help", "bytes"),
            (6, "build_info", "build help", ""),
            (2, "g", "g help", ""),
            (3, "h", "h help", ""),
            (5, "s", "s help", ""),
            (7, "st", "st help", ""),
            (0, "u", "u help", ""),
        ]
    );
}

#[test]
fn v1_points_keep_their_own_timestamps_and_exemplars_default_to_the_series_time() {
    let exemplar = Exemplar::new(&[("trace_id", "abc"), ("a", "1")], 0.5, None).unwrap();
    let timed = Exemplar::new(&[("b", "2")], 7.0, Some(1_650_000_000.25)).unwrap();
    let mut own = point(&[], counter(2.0, None));
    own.timestamp = Some(1_650_000_001.5);
    if let PointValue::Counter { exemplar: slot, .. } = &mut own.value {
        *slot = Some(exemplar);
    }
    let mut bucketed = classic(&[1.0, f64::INFINITY], &[1, 2], 8.0);
    if let PointValue::Histogram { exemplars, .. } = &mut bucketed {
        *exemplars = vec![None, Some(timed)];
    }
    let families = [
        family("c", MetricType::Counter, vec![own]),
        family("h", MetricType::Histogram, vec![point(&[], bucketed)]),
    ];
    let request = v1(&families, &options());
    let counter = &request.timeseries[0];
    assert_eq!(counter.samples[0].timestamp, 1_650_000_001_500);
    assert_eq!(
        counter.exemplars,
        [ExemplarV1 {
            labels: vec![
                Label {
                    name: "a".into(),
                    value: "1".into()
                },
                Label {
                    name: "trace_id".into(),
                    value: "abc".into()
                },
            ],
            value: 0.5,
            timestamp: 1_650_000_001_500,
        }]
    );
    let inf_bucket = &request.timeseries[2];
    assert_eq!(names(&request)[2], "h_bucket{le=+Inf}");
    assert_eq!(inf_bucket.exemplars[0].value, 7.0);
    assert_eq!(inf_bucket.exemplars[0].timestamp, 1_650_000_000_250);
    assert!(request.timeseries[1].exemplars.is_empty());
    let encoded = encode(Protocol::RemoteWriteV1, &families, &options());
    assert_eq!(encoded.exemplars, 2);
}

#[test]
fn utf8_names_go_into_the_name_label_verbatim() {
    let families = [family(
        "http.server.duration",
        MetricType::Gauge,
        vec![point(
            &[("http.method", "GET")],
            PointValue::Gauge { value: 1.0 },
        )],
    )];
    let request = v1(&families, &options());
    assert_eq!(
        pairs(&request.timeseries[0].labels),
        owned(&[("__name__", "http.server.duration"), ("http.method", "GET")])
    );
}

#[test]
fn remote_write_bodies_say_what_they_are() {
    let families = [family(
        "g",
        MetricType::Gauge,
        vec![point(&[], PointValue::Gauge { value: 1.0 })],
    )];
    let check = |encoded: Encoded, content_type: &str, version: &str| {
        assert_eq!(encoded.content_type, content_type);
        assert_eq!(
            encoded.headers,
            [
                ("Content-Encoding", "snappy"),
                ("X-Prometheus-Remote-Write-Version", version)
            ]
        );
        assert!(
            snap::raw::Decoder::new()
                .decompress_vec(&encoded.body)
                .is_ok()
        );
        assert_eq!((encoded.samples, encoded.histograms), (1, 0));
    };
    check(
        encode(Protocol::RemoteWriteV1, &families, &options()),
        "application/x-protobuf",
        "0.1.0",
    );
    check(
        encode(Protocol::RemoteWriteV2, &families, &options()),
        "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        "2.0.0",
    );
    let otlp = encode(Protocol::Otlp, &families, &options());
    assert_eq!(otlp.content_type, "application/x-protobuf");
    assert!(otlp.headers.is_empty());
    assert!(
        ExportRequest::decode(&otlp.body[..]).is_ok(),
        "not compressed"
    );
}

// ---- Remote Write 2.0 ----

#[test]
fn v2_symbols_start_empty_hold_each_string_once_and_refs_resolve_sorted() {
    let families = [family(
        "requests",
        MetricType::Counter,
        vec![
            point(&[("code", "200")], counter(3.0, None)),
            point(&[("code", "500")], counter(1.0, None)),
        ],
    )];
    let options = EncodeOptions {
        external_labels: owned(&[("job", "app")]),
        ..options()
    };
    let request = v2(&families, &options);
    assert_eq!(request.symbols[0], "");
    let mut unique = request.symbols.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), request.symbols.len(), "{:?}", request.symbols);
    assert_eq!(request.timeseries.len(), 2);
    assert_eq!(
        v2_labels(&request, &request.timeseries[1].labels_refs),
        owned(&[
            ("__name__", "requests_total"),
            ("code", "500"),
            ("job", "app")
        ])
    );
    assert_eq!(
        request.symbols,
        [
            "",
            "requests help",
            "__name__",
            "requests_total",
            "code",
            "200",
            "job",
            "app",
            "500"
        ]
    );
}

#[test]
fn v2_series_carry_metadata_and_start_timestamps() {
    let mut sent = family(
        "sent_bytes",
        MetricType::Counter,
        vec![point(&[], counter(5.0, Some(1_600_000_000.25)))],
    );
    sent.unit = Some("bytes".into());
    let families = [
        sent,
        family(
            "h",
            MetricType::Histogram,
            vec![point(&[], classic(&[f64::INFINITY], &[2], 1.0))],
        ),
        family(
            "u",
            MetricType::Unknown,
            vec![point(&[], PointValue::Unknown { value: 1.0 })],
        ),
    ];
    let request = v2(&families, &options());
    let symbol = |index: u32| request.symbols[index as usize].as_str();
    let counter = &request.timeseries[0];
    assert_eq!(
        counter.samples,
        [Sample {
            value: 5.0,
            timestamp: NOW_MS,
            start_timestamp: 1_600_000_000_250
        }]
    );
    let metadata = counter.metadata.as_ref().unwrap();
    assert_eq!(metadata.r#type, 1);
    assert_eq!(symbol(metadata.help_ref), "sent_bytes help");
    assert_eq!(symbol(metadata.unit_ref), "bytes");
    // The classic histogram's series: `_bucket`, `_count`, `_sum`, each HISTOGRAM, no unit.
    for series in &request.timeseries[1..4] {
        let metadata = series.metadata.as_ref().unwrap();
        assert_eq!((metadata.r#type, metadata.unit_ref), (3, 0));
        assert_eq!(series.samples[0].start_timestamp, 1_600_000_000_500);
    }
    let unknown = &request.timeseries[4];
    assert_eq!(unknown.metadata.as_ref().unwrap().r#type, 0);
    assert_eq!(unknown.samples[0].start_timestamp, 0);
}

#[test]
fn v2_native_histograms_have_their_start_timestamp_and_exemplars() {
    let mut value = native(&[], &[]);
    if let PointValue::Histogram {
        native: Some(native),
        ..
    } = &mut value
    {
        native.exemplars =
            vec![Exemplar::new(&[("trace_id", "t1")], 0.7, Some(1_700_000_000.0)).unwrap()];
    }
    let families = [family("h", MetricType::Histogram, vec![point(&[], value)])];
    let encoded = encode(Protocol::RemoteWriteV2, &families, &options());
    assert_eq!(
        (encoded.samples, encoded.histograms, encoded.exemplars),
        (0, 1, 1)
    );
    let request = v2(&families, &options());
    let series = &request.timeseries[0];
    assert!(series.samples.is_empty());
    let histogram = &series.histograms[0];
    assert_eq!(histogram.start_timestamp, 1_600_000_000_000);
    assert_eq!(histogram.timestamp, NOW_MS);
    assert_eq!(histogram.count_int, Some(15));
    assert_eq!(histogram.positive_deltas, [2, 3, -4]);
    assert_eq!(histogram.negative_deltas, [4]);
    assert_eq!(series.metadata.as_ref().unwrap().r#type, 3);
    let exemplar = &series.exemplars[0];
    assert_eq!(
        v2_labels(&request, &exemplar.labels_refs),
        owned(&[("trace_id", "t1")])
    );
    assert_eq!(
        (exemplar.value, exemplar.timestamp),
        (0.7, 1_700_000_000_000)
    );
}

#[test]
fn v2_from_a_real_registry_native_histogram() {
    let registry = Registry::new();
    let h = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("latency_seconds", "Latency."),
            HistogramConfig::native(NativeConfig::new(1.1).unwrap()).unwrap(),
        )
        .unwrap(),
    );
    registry.register(h.clone()).unwrap();
    let child = h.with_label_values::<&str>(&[]).unwrap();
    for v in [0.05, 0.5, 0.5, 5.0, -2.0, 0.0] {
        child.observe(v).unwrap();
    }
    let request = v2(&registry.gather(), &options());
    assert_eq!(request.timeseries.len(), 1, "a native-only histogram");
    let histogram = &request.timeseries[0].histograms[0];
    assert_eq!(histogram.count_int, Some(6));
    assert_eq!(histogram.sum, 4.05);
    assert_eq!(histogram.schema, 3);
    let positive: i64 = absolute(&histogram.positive_deltas).iter().sum();
    let negative: i64 = absolute(&histogram.negative_deltas).iter().sum();
    assert_eq!(
        (positive, negative, histogram.zero_count_int),
        (4, 1, Some(1))
    );
}

// ---- OTLP ----

#[test]
fn otlp_has_one_resource_and_our_scope() {
    let options = EncodeOptions {
        resource_attributes: owned(&[("service.name", "app"), ("region", "eu")]),
        external_labels: owned(&[("job", "ignored")]),
        ..options()
    };
    let families = [family(
        "g",
        MetricType::Gauge,
        vec![point(&[("a", "1")], PointValue::Gauge { value: 2.0 })],
    )];
    let request =
        ExportRequest::decode(&encode(Protocol::Otlp, &families, &options).body[..]).unwrap();
    let resource = &request.resource_metrics[0];
    assert_eq!(
        attributes(&resource.resource.as_ref().unwrap().attributes),
        owned(&[("service.name", "app"), ("region", "eu")])
    );
    let scope = resource.scope_metrics[0].scope.as_ref().unwrap();
    assert_eq!(scope.name, "prometheus_emulator");
    assert_eq!(scope.version, env!("CARGO_PKG_VERSION"));
    let metric = &resource.scope_metrics[0].metrics[0];
    let point = &metric.gauge.as_ref().unwrap().data_points[0];
    assert_eq!(
        attributes(&point.attributes),
        owned(&[("a", "1")]),
        "no external labels"
    );
    assert_eq!(point.time_unix_nano, NOW_MS as u64 * 1_000_000);
    assert_eq!(point.start_time_unix_nano, 0);
    assert_eq!(point.as_double, Some(2.0));
    assert_eq!(
        attributes(&metric.metadata),
        owned(&[("prometheus.type", "gauge")])
    );
}

#[test]
fn otlp_counters_are_monotonic_cumulative_sums_starting_when_created() {
    let mut sent = family(
        "sent_seconds",
        MetricType::Counter,
        vec![point(
            &[("code", "200")],
            counter(5.0, Some(1_600_000_000.25)),
        )],
    );
    sent.unit = Some("seconds".into());
    let metrics = otlp(&[sent], &options());
    let metric = &metrics[0];
    assert_eq!(metric.name, "sent_seconds_total");
    assert_eq!(metric.description, "sent_seconds help");
    assert_eq!(metric.unit, "s");
    let sum = metric.sum.as_ref().unwrap();
    assert!(sum.is_monotonic);
    assert_eq!(sum.aggregation_temporality, 2);
    let point = &sum.data_points[0];
    assert_eq!(point.start_time_unix_nano, 1_600_000_000_250_000_000);
    assert_eq!(point.time_unix_nano, 1_700_000_000_123_000_000);
    assert_eq!(point.as_double, Some(5.0));
    assert_eq!(attributes(&point.attributes), owned(&[("code", "200")]));
}

#[test]
fn otlp_info_and_state_sets_are_non_monotonic_sums() {
    let families = [
        family(
            "build",
            MetricType::Info,
            vec![point(
                &[("component", "core")],
                PointValue::Info {
                    info: labels(&[("version", "1.2")]),
                },
            )],
        ),
        family(
            "job_state",
            MetricType::StateSet,
            vec![point(
                &[],
                PointValue::StateSet {
                    states: vec!["running".into(), "stopped".into()].into(),
                    active: vec![false, true],
                },
            )],
        ),
        family(
            "u",
            MetricType::Unknown,
            vec![point(&[], PointValue::Unknown { value: 3.0 })],
        ),
    ];
    let mut with_empty = families.to_vec();
    with_empty.insert(1, family("empty", MetricType::Gauge, vec![]));
    let metrics = otlp(&with_empty, &options());
    assert_eq!(metrics.len(), 3, "a family without points is left out");
    assert_eq!(metrics[0].name, "build_info");
    let info = metrics[0].sum.as_ref().unwrap();
    assert!(!info.is_monotonic);
    assert_eq!(info.aggregation_temporality, 2);
    assert_eq!(
        attributes(&info.data_points[0].attributes),
        owned(&[("component", "core"), ("version", "1.2")])
    );
    assert_eq!(info.data_points[0].as_double, Some(1.0));
    let states = metrics[1].sum.as_ref().unwrap();
    assert!(!states.is_monotonic);
    let decoded: Vec<_> = states
        .data_points
        .iter()
        .map(|p| (attributes(&p.attributes), p.as_double.unwrap()))
        .collect();
    assert_eq!(
        decoded,
        [
            (owned(&[("job_state", "running")]), 0.0),
            (owned(&[("job_state", "stopped")]), 1.0)
        ]
    );
    assert_eq!(
        attributes(&metrics[1].metadata),
        owned(&[("prometheus.type", "stateset")])
    );
    assert!(metrics[2].gauge.is_some(), "unknown is a gauge");
}

#[test]
fn otlp_classic_histograms_have_finite_bounds_and_bucket_counts() {
    let exemplar = Exemplar::new(
        &[
            ("trace_id", "0af7651916cd43dd8448eb211c80319c"),
            ("span_id", "b7ad6b7169203331"),
            ("user", "u1"),
        ],
        0.05,
        Some(1_700_000_000.5),
    )
    .unwrap();
    let mut value = classic(&[0.1, 1.0, f64::INFINITY], &[1, 3, 4], 2.5);
    if let PointValue::Histogram { exemplars, .. } = &mut value {
        *exemplars = vec![Some(exemplar), None, None];
    }
    let families = [family(
        "latency",
        MetricType::Histogram,
        vec![point(&[], value)],
    )];
    let metrics = otlp(&families, &options());
    let histogram = metrics[0].histogram.as_ref().unwrap();
    assert_eq!(histogram.aggregation_temporality, 2);
    let point = &histogram.data_points[0];
    assert_eq!(point.explicit_bounds, [0.1, 1.0]);
    assert_eq!(point.bucket_counts, [1, 2, 1]);
    assert_eq!((point.count, point.sum), (4, Some(2.5)));
    assert_eq!(point.start_time_unix_nano, 1_600_000_000_500_000_000);
    let exemplar = &point.exemplars[0];
    assert_eq!(
        exemplar.trace_id,
        [
            0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80,
            0x31, 0x9c
        ]
    );
    assert_eq!(
        exemplar.span_id,
        [0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31]
    );
    assert_eq!(
        attributes(&exemplar.filtered_attributes),
        owned(&[("user", "u1")])
    );
    assert_eq!(exemplar.time_unix_nano, 1_700_000_000_500_000_000);
    assert_eq!(exemplar.as_double, Some(0.05));
}

#[test]
fn otlp_a_histogram_lacking_the_inf_bucket_counts_the_rest_above_the_last_bound() {
    let mut value = classic(&[1.0], &[2], 0.0);
    if let PointValue::Histogram { count, .. } = &mut value {
        *count = 5;
    }
    let families = [family("h", MetricType::Histogram, vec![point(&[], value)])];
    let metrics = otlp(&families, &options());
    let point = &metrics[0].histogram.as_ref().unwrap().data_points[0];
    assert_eq!(point.explicit_bounds, [1.0]);
    assert_eq!(point.bucket_counts, [2, 3]);
}

#[test]
fn otlp_native_histograms_are_exponential_with_offsets_one_below_the_first_key() {
    let families = [family(
        "h",
        MetricType::Histogram,
        vec![point(
            &[("x", "1")],
            native(&[1.0, f64::INFINITY], &[9, 15]),
        )],
    )];
    let encoded = encode(Protocol::Otlp, &families, &options());
    assert_eq!((encoded.samples, encoded.histograms), (0, 1));
    let metrics = otlp(&families, &options());
    assert_eq!(
        metrics.len(),
        1,
        "classic buckets are not sent beside native ones"
    );
    let histogram = metrics[0].exponential_histogram.as_ref().unwrap();
    assert_eq!(histogram.aggregation_temporality, 2);
    let point = &histogram.data_points[0];
    assert_eq!(point.scale, 1);
    assert_eq!((point.count, point.sum), (15, Some(7.25)));
    assert_eq!((point.zero_count, point.zero_threshold), (3, 0.001));
    // Keys -1, 0, (1, 2 empty), 3: index offset -2, dense counts.
    assert_eq!(
        point.positive,
        Some(Buckets {
            offset: -2,
            bucket_counts: vec![2, 5, 0, 0, 1]
        })
    );
    assert_eq!(
        point.negative,
        Some(Buckets {
            offset: 0,
            bucket_counts: vec![4]
        })
    );
    assert_eq!(point.start_time_unix_nano, 1_600_000_000_000_000_000);
    assert_eq!(attributes(&point.attributes), owned(&[("x", "1")]));
}

#[test]
fn otlp_empty_native_histograms_have_no_buckets() {
    let mut value = native(&[], &[]);
    if let PointValue::Histogram {
        native: Some(native),
        count,
        sum,
        ..
    } = &mut value
    {
        **native = NativeBuckets {
            schema: 3,
            zero_threshold: 0.0,
            zero_count: 0,
            positive_spans: vec![span(0, 0)],
            positive_counts: vec![],
            negative_spans: vec![],
            negative_counts: vec![],
            exemplars: vec![],
        };
        (*count, *sum) = (0, 0.0);
    }
    let families = [family("h", MetricType::Histogram, vec![point(&[], value)])];
    let metrics = otlp(&families, &options());
    let point = &metrics[0]
        .exponential_histogram
        .as_ref()
        .unwrap()
        .data_points[0];
    assert_eq!(
        (point.positive.as_ref(), point.negative.as_ref()),
        (None, None)
    );
    assert_eq!((point.scale, point.count), (3, 0));
}

#[test]
fn otlp_summaries_carry_quantiles() {
    let families = [family(
        "rpc",
        MetricType::Summary,
        vec![point(
            &[],
            PointValue::Summary {
                quantiles: vec![(0.5, 0.2), (0.99, 0.9)],
                sum: 12.0,
                count: 30,
                created: Some(1_600_000_000.0),
            },
        )],
    )];
    let metrics = otlp(&families, &options());
    let point = &metrics[0].summary.as_ref().unwrap().data_points[0];
    assert_eq!((point.count, point.sum), (30, 12.0));
    assert_eq!(
        point.quantile_values,
        [
            ValueAtQuantile {
                quantile: 0.5,
                value: 0.2
            },
            ValueAtQuantile {
                quantile: 0.99,
                value: 0.9
            }
        ]
    );
    assert_eq!(point.start_time_unix_nano, 1_600_000_000_000_000_000);
}

#[test]
fn dense_buckets_fill_gaps_with_zeros() {
    let mut dense = Vec::new();
    let first = super::otlp::dense_buckets(
        &[span(-3, 1), span(0, 1), span(3, 2), span(5, 0)],
        &[1, 2, 3, 4],
        &mut dense,
    );
    assert_eq!(first, Some(-3));
    assert_eq!(dense, [1, 2, 0, 0, 0, 3, 4]);
    let first = super::otlp::dense_buckets(&[span(4, 0), span(2, 1)], &[7], &mut dense);
    assert_eq!((first, dense.as_slice()), (Some(6), &[7u64][..]));
    assert_eq!(super::otlp::dense_buckets(&[], &[], &mut dense), None);
}

#[test]
fn units_go_to_ucum() {
    let unit = |prometheus: &str| {
        let mut out = String::new();
        super::otlp::ucum_unit(prometheus, &mut out);
        out
    };
    assert_eq!(unit("seconds"), "s");
    assert_eq!(unit("bytes"), "By");
    assert_eq!(unit("ratio"), "1");
    assert_eq!(unit("bytes_per_second"), "By/s");
    assert_eq!(unit("requests_per_minute"), "requests/m");
    assert_eq!(unit("widgets"), "widgets");
    assert_eq!(unit(""), "");
}

#[test]
fn hex_ids_need_exactly_their_length_of_hex_digits() {
    assert_eq!(super::otlp::hex_id::<2>("0aFf"), Some([0x0a, 0xff]));
    assert_eq!(super::otlp::hex_id::<2>("0aF"), None);
    assert_eq!(super::otlp::hex_id::<2>("0aFg"), None);
    assert_eq!(super::otlp::hex_id::<1>("é"), None);
}

#[test]
fn many_series_encode_into_one_buffer_each() {
    let points: Vec<MetricPoint> = (0..2000)
        .map(|i| {
            let code = i.to_string();
            point(&[("code", &code)], counter(i as f64, None))
        })
        .collect();
    let families = [family("requests", MetricType::Counter, points)];
    for protocol in [
        Protocol::RemoteWriteV1,
        Protocol::RemoteWriteV2,
        Protocol::Otlp,
    ] {
        let encoded = encode(protocol, &families, &options());
        assert_eq!(encoded.samples, 2000, "{protocol:?}");
    }
    let request = v2(&families, &options());
    assert_eq!(request.symbols.len(), 2000 + 5);
    assert_eq!(request.timeseries.len(), 2000);
}
