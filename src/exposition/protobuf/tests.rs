//! Our protobuf read back with client_model's messages (declared here with prost's derive, field
//! numbers from `metrics.proto`).

use std::sync::Arc;

use prost::Message;
use prost_derive::Message;

use crate::exposition::{Format, encode};
use crate::metric::{Counter, Family, Histogram, HistogramConfig, NativeConfig, Opts};
use crate::registry::Registry;
use crate::snapshot::{LabelSet, MetricFamily as Collected, MetricPoint, MetricType, PointValue};

#[derive(Clone, PartialEq, Message)]
struct LabelPair {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    value: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Timestamp {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(int32, tag = "2")]
    nanos: i32,
}

#[derive(Clone, PartialEq, Message)]
struct Exemplar {
    #[prost(message, repeated, tag = "1")]
    label: Vec<LabelPair>,
    #[prost(double, optional, tag = "2")]
    value: Option<f64>,
    #[prost(message, optional, tag = "3")]
    timestamp: Option<Timestamp>,
}

#[derive(Clone, PartialEq, Message)]
struct Gauge {
    #[prost(double, optional, tag = "1")]
    value: Option<f64>,
}

#[derive(Clone, PartialEq, Message)]
struct Counter_ {
    #[prost(double, optional, tag = "1")]
    value: Option<f64>,
    #[prost(message, optional, tag = "2")]
    exemplar: Option<Exemplar>,
    #[prost(message, optional, tag = "3")]
    created_timestamp: Option<Timestamp>,
}

#[derive(Clone, PartialEq, Message)]
struct Bucket {
    #[prost(uint64, optional, tag = "1")]
    cumulative_count: Option<u64>,
    #[prost(double, optional, tag = "2")]
    upper_bound: Option<f64>,
    #[prost(message, optional, tag = "3")]
    exemplar: Option<Exemplar>,
}

#[derive(Clone, PartialEq, Message)]
struct Span {
    #[prost(sint32, optional, tag = "1")]
    offset: Option<i32>,
    #[prost(uint32, optional, tag = "2")]
    length: Option<u32>,
}

#[derive(Clone, PartialEq, Message)]
struct Histogram_ {
    #[prost(uint64, optional, tag = "1")]
    sample_count: Option<u64>,
    #[prost(double, optional, tag = "2")]
    sample_sum: Option<f64>,
    #[prost(message, repeated, tag = "3")]
    bucket: Vec<Bucket>,
    #[prost(sint32, optional, tag = "5")]
    schema: Option<i32>,
    #[prost(double, optional, tag = "6")]
    zero_threshold: Option<f64>,
    #[prost(uint64, optional, tag = "7")]
    zero_count: Option<u64>,
    #[prost(message, repeated, tag = "9")]
    negative_span: Vec<Span>,
    #[prost(sint64, repeated, tag = "10")]
    negative_delta: Vec<i64>,
    #[prost(message, repeated, tag = "12")]
    positive_span: Vec<Span>,
    #[prost(sint64, repeated, tag = "13")]
    positive_delta: Vec<i64>,
    #[prost(message, optional, tag = "15")]
    created_timestamp: Option<Timestamp>,
    #[prost(message, repeated, tag = "16")]
    exemplars: Vec<Exemplar>,
}

#[derive(Clone, PartialEq, Message)]
struct Metric {
    #[prost(message, repeated, tag = "1")]
    label: Vec<LabelPair>,
    #[prost(message, optional, tag = "2")]
    gauge: Option<Gauge>,
    #[prost(message, optional, tag = "3")]
    counter: Option<Counter_>,
    #[prost(message, optional, tag = "5")]
    untyped: Option<Gauge>,
    #[prost(message, optional, tag = "7")]
    histogram: Option<Histogram_>,
    #[prost(int64, optional, tag = "6")]
    timestamp_ms: Option<i64>,
}

#[derive(Clone, PartialEq, Message)]
struct MetricFamily {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    help: Option<String>,
    #[prost(int32, optional, tag = "3")]
    r#type: Option<i32>,
    #[prost(message, repeated, tag = "4")]
    metric: Vec<Metric>,
    #[prost(string, optional, tag = "5")]
    unit: Option<String>,
}

fn decode(mut bytes: &[u8]) -> Vec<MetricFamily> {
    let mut families = Vec::new();
    while !bytes.is_empty() {
        families.push(MetricFamily::decode_length_delimited(&mut bytes).expect("valid"));
    }
    families
}

fn labels(metric: &Metric) -> Vec<(String, String)> {
    metric
        .label
        .iter()
        .map(|l| (l.name.clone().unwrap(), l.value.clone().unwrap()))
        .collect()
}

#[test]
fn counters_and_gauges_read_back() {
    let registry = Registry::new();
    let requests = Arc::new(
        Family::<Counter>::new(Opts::new("requests", "Requests.").labels(&["code"])).unwrap(),
    );
    registry.register(requests.clone()).unwrap();
    requests
        .with_label_values(&["200"])
        .unwrap()
        .inc(3.0)
        .unwrap();
    requests.with_label_values(&["500"]).unwrap().inc_one();
    let families = decode(&encode(&registry.gather(), Format::Protobuf));
    assert_eq!(families.len(), 1);
    let family = &families[0];
    assert_eq!(family.name.as_deref(), Some("requests_total"));
    assert_eq!(family.help.as_deref(), Some("Requests."));
    assert_eq!(family.r#type, Some(0));
    assert_eq!(family.metric.len(), 2);
    assert_eq!(labels(&family.metric[0]), [("code".into(), "200".into())]);
    let counter = family.metric[0].counter.as_ref().unwrap();
    assert_eq!(counter.value, Some(3.0));
    assert!(counter.created_timestamp.as_ref().unwrap().seconds > 1_600_000_000);
}

#[test]
fn live_and_collected_encodings_agree() {
    let registry = Registry::new();
    let h = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("latency_seconds", "Latency."),
            HistogramConfig::new(&[0.1, 1.0])
                .unwrap()
                .with_native(NativeConfig::new(1.1).unwrap())
                .unwrap(),
        )
        .unwrap(),
    );
    registry.register(h.clone()).unwrap();
    for v in [0.05, 0.5, 5.0, -2.0] {
        h.with_label_values::<&str>(&[])
            .unwrap()
            .observe(v)
            .unwrap();
    }
    let mut live = Vec::new();
    crate::exposition::encode_registry(&registry, Format::Protobuf, &mut live);
    assert_eq!(live, encode(&registry.gather(), Format::Protobuf));
    let families = decode(&live);
    let histogram = families[0].metric[0].histogram.as_ref().unwrap();
    assert_eq!(histogram.sample_count, Some(4));
    assert_eq!(histogram.sample_sum, Some(3.55));
    // Classic buckets without +Inf; the count stands for it.
    let bounds: Vec<_> = histogram
        .bucket
        .iter()
        .map(|b| b.upper_bound.unwrap())
        .collect();
    assert_eq!(bounds, [0.1, 1.0]);
    let counts: Vec<_> = histogram
        .bucket
        .iter()
        .map(|b| b.cumulative_count.unwrap())
        .collect();
    assert_eq!(counts, [2, 3]);
    assert_eq!(histogram.schema, Some(3));
    assert_eq!(histogram.zero_count, Some(0));
    let positive: i64 = histogram
        .positive_delta
        .iter()
        .scan(0, |c, d| {
            *c += d;
            Some(*c)
        })
        .sum();
    let negative: i64 = histogram
        .negative_delta
        .iter()
        .scan(0, |c, d| {
            *c += d;
            Some(*c)
        })
        .sum();
    assert_eq!((positive, negative), (3, 1));
    assert_eq!(histogram.negative_span.len(), 1);
    assert_eq!(histogram.positive_span.len(), 3);
}

#[test]
fn an_empty_native_histogram_is_not_mistaken_for_a_classic_one() {
    let mut config = NativeConfig::new(2.0).unwrap();
    config.zero_threshold = -1.0;
    let registry = Registry::new();
    let h = Arc::new(
        Family::<Histogram>::with_config(
            Opts::new("h", ""),
            HistogramConfig::native(config).unwrap(),
        )
        .unwrap(),
    );
    registry.register(h).unwrap();
    let families = decode(&encode(&registry.gather(), Format::Protobuf));
    let histogram = families[0].metric[0].histogram.as_ref().unwrap();
    assert!(histogram.bucket.is_empty());
    assert_eq!(histogram.zero_threshold, Some(0.0));
    assert_eq!(
        histogram.positive_span,
        [Span {
            offset: Some(0),
            length: Some(0)
        }]
    );
}

#[test]
fn every_type_maps_to_a_family() {
    let point = |value| MetricPoint {
        labels: LabelSet::new(&[("a", "x")]).unwrap(),
        value,
        timestamp: Some(12.5),
    };
    let family = |name: &str, kind, value| Collected {
        name: name.into(),
        help: "".into(),
        kind,
        unit: None,
        points: vec![point(value)],
    };
    let families = [
        family(
            "g",
            MetricType::Gauge,
            PointValue::Gauge { value: f64::NAN },
        ),
        family("u", MetricType::Unknown, PointValue::Unknown { value: 2.0 }),
        family(
            "build",
            MetricType::Info,
            PointValue::Info {
                info: LabelSet::new(&[("version", "1")]).unwrap(),
            },
        ),
        family(
            "mode",
            MetricType::StateSet,
            PointValue::StateSet {
                states: Arc::from(vec!["on".into(), "off".into()]),
                active: vec![true, false],
            },
        ),
    ];
    let decoded = decode(&encode(&families, Format::Protobuf));
    let names: Vec<_> = decoded
        .iter()
        .map(|f| (f.name.clone().unwrap(), f.r#type.unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("g".into(), 1),
            ("u".into(), 3),
            ("build_info".into(), 1),
            ("mode".into(), 1)
        ]
    );
    assert!(
        decoded[0].metric[0]
            .gauge
            .as_ref()
            .unwrap()
            .value
            .unwrap()
            .is_nan()
    );
    assert_eq!(decoded[0].metric[0].timestamp_ms, Some(12_500));
    assert_eq!(
        decoded[1].metric[0].untyped.as_ref().unwrap().value,
        Some(2.0)
    );
    assert_eq!(
        labels(&decoded[2].metric[0]),
        [("a".into(), "x".into()), ("version".into(), "1".into())]
    );
    assert_eq!(decoded[3].metric.len(), 2);
    assert_eq!(
        labels(&decoded[3].metric[1]),
        [("a".into(), "x".into()), ("mode".into(), "off".into())]
    );
    assert_eq!(
        decoded[3].metric[1].gauge.as_ref().unwrap().value,
        Some(0.0)
    );
}

#[test]
fn long_bodies_get_their_full_length_prefix() {
    let long = "v".repeat(300);
    let families = [Collected {
        name: "g".into(),
        help: "h".repeat(20_000).into(),
        kind: MetricType::Gauge,
        unit: Some("bytes".into()),
        points: (0..200)
            .map(|i| MetricPoint {
                labels: LabelSet::new(&[("l", format!("{long}{i}"))]).unwrap(),
                value: PointValue::Gauge {
                    value: f64::from(i),
                },
                timestamp: None,
            })
            .collect(),
    }];
    let decoded = decode(&encode(&families, Format::Protobuf));
    assert_eq!(decoded[0].metric.len(), 200);
    assert_eq!(decoded[0].unit.as_deref(), Some("bytes"));
    assert_eq!(decoded[0].help.as_ref().unwrap().len(), 20_000);
    assert_eq!(labels(&decoded[0].metric[199])[0].1, format!("{long}199"));
}
