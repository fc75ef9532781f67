//! The rows: one function per operation, each running ours and every peer that offers it.

use std::hint::black_box;
use std::sync::Arc;

use prometheus_emulator::exposition::Format;
use prometheus_emulator::exposition::remote::{EncodeOptions, Protocol};
use prometheus_emulator::{
    Counter, CounterFamily, CounterSlots, GaugeFamily, HistogramConfig, HistogramFamily,
    NativeConfig, Opts, Registry, SummaryFamily,
};

use crate::harness::{self, Op, Settings, ThreadOp};
use crate::report::{Bar, Row};

const RUST: &str = "Rust core vs Rust crates";

pub type RowFn = fn(&Settings) -> Row;

pub const ROWS: &[(&str, RowFn)] = &[
    ("counter_inc", counter_inc),
    ("gauge_set", gauge_set),
    ("histogram_observe", histogram_observe),
    ("native_histogram_observe", native_histogram_observe),
    ("summary_observe", summary_observe),
    ("labelled_inc", labelled_inc),
    ("bound_inc", bound_inc),
    ("bound_inc_expiry", bound_inc_expiry),
    ("bound_inc_sender", bound_inc_sender),
    ("store_inc", store_inc),
    ("store_observe", store_observe),
    ("contended_1", |s| contended(s, 1)),
    ("contended_2", |s| contended(s, 2)),
    ("encode_prometheus", |s| encode(s, Format::Prometheus, true)),
    ("encode_openmetrics", |s| {
        encode(s, Format::OpenMetrics, true)
    }),
    ("encode_cold_prometheus", |s| {
        encode(s, Format::Prometheus, false)
    }),
    ("encode_cold_openmetrics", |s| {
        encode(s, Format::OpenMetrics, false)
    }),
    ("encode_protobuf", |s| {
        encode_new_format(s, Format::Protobuf)
    }),
    ("encode_openmetrics2", |s| {
        encode_new_format(s, Format::OpenMetrics2)
    }),
    ("encode_remote_write_2", |s| {
        encode_push(s, Protocol::RemoteWriteV2)
    }),
    ("encode_remote_write_1", |s| {
        encode_push(s, Protocol::RemoteWriteV1)
    }),
    ("encode_otlp", |s| encode_push(s, Protocol::Otlp)),
    ("memory", memory),
    ("memory_64_cpus", memory_64_cpus),
];

/// The 14 finite default bounds every histogram here uses (client_python's, then +Inf).
const BOUNDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Observed values: 256 latencies spread log-uniformly over 1 ms .. 20 s, from a fixed generator,
/// so every bucket is hit and no predictor learns the sequence.
fn values() -> [f64; 256] {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    std::array::from_fn(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
        1e-3 * (2e4f64).powf(unit)
    })
}

/// Label values of the labelled rows: 4 methods x 4 paths, used in rotation.
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const PATHS: [&str; 4] = [
    "/api/v1/users",
    "/api/v1/users/:id",
    "/api/v1/products",
    "/api/v1/products/:id/purchase",
];

fn label_pairs() -> Vec<(&'static str, &'static str)> {
    METHODS
        .iter()
        .flat_map(|m| PATHS.iter().map(move |p| (*m, *p)))
        .collect()
}

/// The label values of the 10k series of the encoding rows and of the memory row.
fn series_labels(n: usize) -> Vec<(&'static str, String)> {
    (0..n)
        .map(|i| (METHODS[i % 4], format!("/api/v1/item/{i}")))
        .collect()
}

fn row(
    op: &'static str,
    unit: &'static str,
    names: &[&'static str],
    values: Vec<f64>,
    bar: Bar,
    bar_ratio: f64,
) -> Row {
    Row {
        section: RUST,
        op,
        unit,
        higher_is_better: unit == "Mops/s",
        results: names.iter().copied().zip(values).collect(),
        bar,
        bar_ratio,
        note: "",
    }
}

fn per_call_row(
    settings: &Settings,
    op: &'static str,
    mut contestants: Vec<(&'static str, Op<'_>)>,
) -> Row {
    let names: Vec<_> = contestants.iter().map(|(n, _)| *n).collect();
    let values = harness::per_call(settings, &mut contestants);
    row(op, "ns", &names, values, Bar::Best, 1.0)
}

// ---------------------------------------------------------------------------------------------
// Per-call rows.

fn counter_inc(settings: &Settings) -> Row {
    let ours = CounterFamily::new(Opts::new("c", "h")).unwrap();
    let ours = ours.with_label_values::<&str>(&[]).unwrap();
    let tikv = prometheus::Counter::new("c", "h").unwrap();
    let client = prometheus_client::metrics::counter::Counter::<u64>::default();
    let fast = fastmetrics::metrics::counter::Counter::<u64>::default();
    let meas = measured::Counter::new();
    let result = per_call_row(
        settings,
        "counter inc",
        vec![
            (
                "ours",
                Box::new(|n| (0..n).for_each(|_| black_box(&*ours).inc_one())),
            ),
            (
                "prometheus",
                Box::new(|n| (0..n).for_each(|_| black_box(&tikv).inc())),
            ),
            (
                "prometheus-client",
                Box::new(|n| {
                    (0..n).for_each(|_| {
                        black_box(&client).inc();
                    })
                }),
            ),
            (
                "fastmetrics",
                Box::new(|n| (0..n).for_each(|_| black_box(&fast).inc())),
            ),
            (
                "measured",
                Box::new(|n| (0..n).for_each(|_| black_box(&meas).get_metric().inc())),
            ),
        ],
    );
    assert!(ours.get() >= 1.0 && tikv.get() >= 1.0 && client.get() >= 1 && fast.total() >= 1);
    result
}

fn gauge_set(settings: &Settings) -> Row {
    let v = values();
    let ours = GaugeFamily::new(Opts::new("g", "h")).unwrap();
    let ours = ours.with_label_values::<&str>(&[]).unwrap();
    let tikv = prometheus::Gauge::new("g", "h").unwrap();
    let client =
        prometheus_client::metrics::gauge::Gauge::<f64, std::sync::atomic::AtomicU64>::default();
    let fast = fastmetrics::metrics::gauge::Gauge::<f64>::default();
    let meas = measured::FloatGauge::new();
    let result = per_call_row(
        settings,
        "gauge set",
        vec![
            (
                "ours",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let _ = black_box(&*ours).set(black_box(v[i & 255]));
                    })
                }),
            ),
            (
                "prometheus",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| black_box(&tikv).set(black_box(v[i & 255])))
                }),
            ),
            (
                "prometheus-client",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        black_box(&client).set(black_box(v[i & 255]));
                    })
                }),
            ),
            (
                "fastmetrics",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| black_box(&fast).set(black_box(v[i & 255])))
                }),
            ),
            (
                "measured",
                Box::new(|n| {
                    (0..n as usize)
                        .for_each(|i| black_box(&meas).get_metric().set(black_box(v[i & 255])))
                }),
            ),
        ],
    );
    assert!(ours.get() > 0.0 && tikv.get() > 0.0);
    result
}

/// Native buckets have no peer among the Rust crates: the row sets ours beside our classic
/// histogram, and client_golang's native observe is the Go harness's row.
fn native_histogram_observe(settings: &Settings) -> Row {
    let v = values();
    let native = HistogramFamily::with_config(
        Opts::new("h", "h"),
        HistogramConfig::native(NativeConfig::new(1.1).unwrap()).unwrap(),
    )
    .unwrap();
    let native = native.with_label_values::<&str>(&[]).unwrap();
    let classic =
        HistogramFamily::with_config(Opts::new("h", "h"), HistogramConfig::new(&BOUNDS).unwrap())
            .unwrap();
    let classic = classic.with_label_values::<&str>(&[]).unwrap();
    let names = ["ours", "ours, classic buckets"];
    let mut contestants: Vec<(&'static str, Op<'_>)> = vec![
        (
            names[0],
            Box::new(|n| {
                (0..n as usize).for_each(|i| {
                    let _ = black_box(&*native).observe(black_box(v[i & 255]));
                })
            }),
        ),
        (
            names[1],
            Box::new(|n| {
                (0..n as usize).for_each(|i| {
                    let _ = black_box(&*classic).observe(black_box(v[i & 255]));
                })
            }),
        ),
    ];
    let values = harness::per_call(settings, &mut contestants);
    drop(contestants);
    assert!(classic.count() > 0);
    let buckets = native.native_buckets().unwrap();
    assert!(buckets.total() > 0 && buckets.total() == native.count());
    let mut r = row(
        "native histogram observe (factor 1.1)",
        "ns",
        &names,
        values,
        Bar::None,
        1.0,
    );
    r.note = "client_golang's native observe is in the Go section";
    r
}

/// A registry of `n` labelled counters `http_requests_total{method, path}`, the encoding rows'
/// input.
fn counter_registry(n: usize) -> Registry {
    let registry = Registry::new();
    let ours = Arc::new(
        CounterFamily::new(
            Opts::new("http_requests", "Requests served.").labels(&["method", "path"]),
        )
        .unwrap(),
    );
    registry.register(ours.clone()).unwrap();
    for (i, (method, path)) in series_labels(n).iter().enumerate() {
        ours.with_label_values(&[*method, path.as_str()])
            .unwrap()
            .inc((i * 7) as f64)
            .unwrap();
    }
    registry
}

/// Protobuf and OpenMetrics 2.0 encodings of the 10k counters: no Rust crate writes them, and
/// client_golang's protobuf encode is in the Go section.
fn encode_new_format(settings: &Settings, format: Format) -> Row {
    let n = if settings.smoke { 100 } else { 10_000 };
    let registry = counter_registry(n);
    let mut out: Vec<u8> = Vec::new();
    let mut contestants: Vec<(&'static str, Op<'_>)> = vec![(
        "ours",
        Box::new(|iterations| {
            for _ in 0..iterations {
                out.clear();
                prometheus_emulator::exposition::encode_registry(&registry, format, &mut out);
            }
        }),
    )];
    let values: Vec<f64> = harness::per_call_with(settings, &mut contestants, true)
        .into_iter()
        .map(|ns| ns / 1e6)
        .collect();
    drop(contestants);
    // Every series was written: each carries its `path` label value once.
    let written = out.windows(6).filter(|w| w == b"/item/").count();
    assert_eq!(written, n, "{format:?}");
    let op = match format {
        Format::Protobuf => "collect + encode 10k series, protobuf",
        _ => "collect + encode 10k series, OpenMetrics 2.0",
    };
    let mut r = row(op, "ms", &["ours"], values, Bar::None, 0.5);
    r.note = "warm; client_golang's protobuf encode is in the Go section";
    r
}

/// The 10k counters collected and encoded as a push sender sends them: Remote Write 2.0 and 1.0
/// (snappy-compressed protobuf) and OTLP (plain protobuf). No Rust crate sends either; the bytes
/// on the wire are in the note.
fn encode_push(settings: &Settings, protocol: Protocol) -> Row {
    let n = if settings.smoke { 100 } else { 10_000 };
    let registry = counter_registry(n);
    let options = EncodeOptions {
        external_labels: vec![("job".into(), "bench".into())],
        resource_attributes: vec![("service.name".into(), "bench".into())],
        timestamp_ms: 1_700_000_000_000,
    };
    let mut last = None;
    let mut contestants: Vec<(&'static str, Op<'_>)> = vec![(
        "ours",
        Box::new(|iterations| {
            for _ in 0..iterations {
                let families = registry.gather();
                last = Some(prometheus_emulator::exposition::remote::encode(
                    protocol, &families, &options,
                ));
            }
        }),
    )];
    let values: Vec<f64> = harness::per_call_with(settings, &mut contestants, true)
        .into_iter()
        .map(|ns| ns / 1e6)
        .collect();
    drop(contestants);
    let encoded = last.expect("encoded at least once");
    // Every series was sent, once each (the `_created` series are not).
    assert_eq!(encoded.samples, n, "{protocol:?}");
    let plain = prometheus_emulator::exposition::remote::uncompressed(
        protocol,
        &registry.gather(),
        &options,
    );
    let op = match protocol {
        Protocol::RemoteWriteV2 => "collect + encode + snappy 10k series, Remote Write 2.0",
        Protocol::RemoteWriteV1 => "collect + encode + snappy 10k series, Remote Write 1.0",
        Protocol::Otlp => "collect + encode 10k series, OTLP protobuf",
    };
    let mut r = row(op, "ms", &["ours"], values, Bar::None, 0.0);
    r.note = Box::leak(
        format!(
            "warm; {} bytes on the wire ({} protobuf bytes before compression)",
            encoded.body.len(),
            plain.len()
        )
        .into_boxed_str(),
    );
    r
}

fn histogram_observe(settings: &Settings) -> Row {
    let v = values();
    let ours =
        HistogramFamily::with_config(Opts::new("h", "h"), HistogramConfig::new(&BOUNDS).unwrap())
            .unwrap();
    let ours = ours.with_label_values::<&str>(&[]).unwrap();
    let tikv = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("h", "h").buckets(BOUNDS.to_vec()),
    )
    .unwrap();
    let client = prometheus_client::metrics::histogram::Histogram::new(BOUNDS);
    let fast = fastmetrics::metrics::histogram::Histogram::new(BOUNDS);
    let meas = measured::Histogram::with_metadata(
        measured::metric::histogram::Thresholds::with_buckets(BOUNDS),
    );
    let result = per_call_row(
        settings,
        "histogram observe (14 bounds + Inf)",
        vec![
            (
                "ours",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let _ = black_box(&*ours).observe(black_box(v[i & 255]));
                    })
                }),
            ),
            (
                "prometheus",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| black_box(&tikv).observe(black_box(v[i & 255])))
                }),
            ),
            (
                "prometheus-client",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| black_box(&client).observe(black_box(v[i & 255])))
                }),
            ),
            (
                "fastmetrics",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| black_box(&fast).observe(black_box(v[i & 255])))
                }),
            ),
            (
                "measured",
                Box::new(|n| {
                    (0..n as usize)
                        .for_each(|i| black_box(&meas).get_metric().observe(black_box(v[i & 255])))
                }),
            ),
        ],
    );
    assert!(ours.count() >= 1 && tikv.get_sample_count() >= 1);
    result
}

fn summary_observe(settings: &Settings) -> Row {
    // None of the four crates has a summary with quantiles (fastmetrics leaves it out on purpose):
    // ours is reported alone; the C++ harness compares it with prometheus-cpp's.
    let v = values();
    let ours = SummaryFamily::new(Opts::new("s", "h")).unwrap();
    let ours = ours.with_label_values::<&str>(&[]).unwrap();
    let mut r = per_call_row(
        settings,
        "summary observe (3 quantiles)",
        vec![(
            "ours",
            Box::new(|n| {
                (0..n as usize).for_each(|i| {
                    let _ = black_box(&*ours).observe(black_box(v[i & 255]));
                })
            }),
        )],
    );
    assert!(ours.count() >= 1);
    r.bar = Bar::None;
    r.note = "no Rust crate has a quantile summary";
    r
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct ClientLabels {
    method: String,
    path: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct FastLabels {
    method: String,
    path: String,
}

impl fastmetrics::raw::LabelSetSchema for FastLabels {
    fn names() -> Option<&'static [&'static str]> {
        Some(&["method", "path"])
    }
}

impl fastmetrics::encoder::EncodeLabelSet for FastLabels {
    fn encode(
        &self,
        encoder: &mut dyn fastmetrics::encoder::LabelSetEncoder,
    ) -> fastmetrics::error::Result<()> {
        encoder.encode(&("method", self.method.as_str()))?;
        encoder.encode(&("path", self.path.as_str()))?;
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, measured::LabelGroup)]
#[label(set = MeasuredLabelSet)]
struct MeasuredLabels<'a> {
    #[label(dynamic_with = measured::lasso::ThreadedRodeo, default)]
    method: &'a str,
    #[label(dynamic_with = measured::lasso::ThreadedRodeo, default)]
    path: &'a str,
}

type ClientFamily = prometheus_client::metrics::family::Family<
    ClientLabels,
    prometheus_client::metrics::counter::Counter,
>;
type FastFamily =
    fastmetrics::metrics::family::Family<FastLabels, fastmetrics::metrics::counter::Counter>;
type MeasuredVec = measured::CounterVec<MeasuredLabelSet>;

/// A labelled counter family of each library, with the 16 children of [`label_pairs`].
struct Labelled {
    ours: CounterFamily,
    tikv: prometheus::CounterVec,
    client: ClientFamily,
    client_keys: Vec<ClientLabels>,
    fast: FastFamily,
    fast_keys: Vec<FastLabels>,
    meas: MeasuredVec,
}

impl Labelled {
    fn new() -> Self {
        let pairs = label_pairs();
        let l = Labelled {
            ours: CounterFamily::new(Opts::new("requests", "h").labels(&["method", "path"]))
                .unwrap(),
            tikv: prometheus::CounterVec::new(
                prometheus::Opts::new("requests", "h"),
                &["method", "path"],
            )
            .unwrap(),
            client: ClientFamily::default(),
            client_keys: pairs
                .iter()
                .map(|(m, p)| ClientLabels {
                    method: m.to_string(),
                    path: p.to_string(),
                })
                .collect(),
            fast: FastFamily::default(),
            fast_keys: pairs
                .iter()
                .map(|(m, p)| FastLabels {
                    method: m.to_string(),
                    path: p.to_string(),
                })
                .collect(),
            meas: MeasuredVec::with_label_set(MeasuredLabelSet::default()),
        };
        for (i, (m, p)) in pairs.iter().enumerate() {
            l.ours.apply(&[*m, *p], |c| c.inc_one()).unwrap();
            l.tikv.with_label_values(&[*m, *p]).inc();
            l.client.get_or_create(&l.client_keys[i]).inc();
            l.fast.with_or_new(&l.fast_keys[i], |c| c.inc());
            l.meas.inc(MeasuredLabels { method: m, path: p });
        }
        l
    }
}

fn labelled_inc(settings: &Settings) -> Row {
    let l = Labelled::new();
    let pairs = label_pairs();
    let pairs = &pairs;
    let result = per_call_row(
        settings,
        "labelled lookup + inc (2 string labels)",
        vec![
            (
                "ours",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let (m, p) = pairs[i & 15];
                        black_box(&l.ours).apply(&[m, p], |c| c.inc_one()).unwrap();
                    })
                }),
            ),
            (
                "prometheus",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let (m, p) = pairs[i & 15];
                        black_box(&l.tikv).with_label_values(&[m, p]).inc();
                    })
                }),
            ),
            (
                "prometheus-client",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        black_box(&l.client)
                            .get_or_create(&l.client_keys[i & 15])
                            .inc();
                    })
                }),
            ),
            (
                "fastmetrics",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        black_box(&l.fast).with_or_new(&l.fast_keys[i & 15], |c| c.inc());
                    })
                }),
            ),
            (
                "measured",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let (m, p) = pairs[i & 15];
                        black_box(&l.meas).inc(MeasuredLabels { method: m, path: p });
                    })
                }),
            ),
        ],
    );
    assert_eq!(l.ours.len(), 16);
    result
}

fn bound_inc(settings: &Settings) -> Row {
    let l = Labelled::new();
    let (m, p) = label_pairs()[5];
    let ours = l.ours.with_label_values(&[m, p]).unwrap();
    let tikv = l.tikv.with_label_values(&[m, p]);
    let client = l.client.get_or_create(&l.client_keys[5]).clone();
    let fast = l.fast.with_or_new(&l.fast_keys[5], |c| c.clone());
    let meas = l.meas.with_labels(MeasuredLabels { method: m, path: p });
    let result = per_call_row(
        settings,
        "bound child inc",
        vec![
            (
                "ours",
                Box::new(|n| (0..n).for_each(|_| black_box(&*ours).inc_one())),
            ),
            (
                "prometheus",
                Box::new(|n| (0..n).for_each(|_| black_box(&tikv).inc())),
            ),
            (
                "prometheus-client",
                Box::new(|n| {
                    (0..n).for_each(|_| {
                        black_box(&client).inc();
                    })
                }),
            ),
            (
                "fastmetrics",
                Box::new(|n| (0..n).for_each(|_| black_box(&fast).inc())),
            ),
            (
                "measured",
                Box::new(|n| {
                    (0..n).for_each(|_| black_box(&l.meas).get_metric(black_box(meas)).inc())
                }),
            ),
        ],
    );
    assert!(ours.get() >= 2.0);
    result
}

/// What idle expiry costs an update: the same bound increment in a family with a TTL (whose
/// updates clear a stamp that collections set) and in one without. Both run the same check;
/// the row shows it is the same work, scraped or not.
fn bound_inc_expiry(settings: &Settings) -> Row {
    let family = |ttl: Option<std::time::Duration>| {
        let opts = Opts::new("c", "h").labels(&["k"]);
        let opts = match ttl {
            Some(ttl) => opts.series_ttl(ttl),
            None => opts,
        };
        CounterFamily::new(opts).unwrap()
    };
    let expiring = family(Some(std::time::Duration::from_secs(3600)));
    let plain = family(None);
    let with_ttl = expiring.with_label_values(&["a"]).unwrap();
    let without = plain.with_label_values(&["a"]).unwrap();
    let result = per_call_row(
        settings,
        "bound child inc, series_ttl on",
        vec![
            (
                "ours",
                Box::new(|n| {
                    // A collection stamps the child idle first, as a scrape would.
                    drop(expiring.collect_family());
                    (0..n).for_each(|_| black_box(&*with_ttl).inc_one())
                }),
            ),
            (
                "ours, series_ttl off",
                Box::new(|n| (0..n).for_each(|_| black_box(&*without).inc_one())),
            ),
        ],
    );
    assert!(with_ttl.get() >= 1.0 && without.get() >= 1.0);
    Row {
        bar: Bar::None,
        note: "the update's check is the same with expiry off",
        ..result
    }
}

/// A shared store in a directory of its own, for the rows that update metrics living there.
fn store() -> (tempfile::TempDir, Arc<prometheus_emulator::store::Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = prometheus_emulator::store::Store::open(dir.path(), Default::default()).unwrap();
    (dir, store)
}

/// A bound child's increment in a shared store (the pre-fork servers' mode) against the same in
/// this process's memory: the same per-CPU cells, mapped from the store's file.
fn store_inc(settings: &Settings) -> Row {
    let (_dir, store) = store();
    let opts = || Opts::new("c", "h").labels(&["k"]);
    let shared = CounterFamily::new(opts().store(store.clone())).unwrap();
    let local = CounterFamily::new(opts()).unwrap();
    let in_store = shared.with_label_values(&["a"]).unwrap();
    let in_process = local.with_label_values(&["a"]).unwrap();
    let result = per_call_row(
        settings,
        "bound child inc, in a shared store",
        vec![
            (
                "ours",
                Box::new(|n| (0..n).for_each(|_| black_box(&*in_store).inc_one())),
            ),
            (
                "ours, in the process",
                Box::new(|n| (0..n).for_each(|_| black_box(&*in_process).inc_one())),
            ),
        ],
    );
    assert!(in_store.get() >= 1.0 && in_process.get() >= 1.0);
    Row {
        bar: Bar::None,
        note: "the store's cells are the same per-CPU cells, in a shared mapping",
        ..result
    }
}

/// A histogram observation in a shared store against the same in this process's memory.
fn store_observe(settings: &Settings) -> Row {
    let (_dir, store) = store();
    let config = HistogramConfig::new(&BOUNDS).unwrap();
    let opts = || Opts::new("h", "h");
    let shared = HistogramFamily::with_config(opts().store(store.clone()), config.clone()).unwrap();
    let v = values();
    let local = HistogramFamily::with_config(opts(), config).unwrap();
    let in_store = shared.with_label_values::<&str>(&[]).unwrap();
    let in_process = local.with_label_values::<&str>(&[]).unwrap();
    let result = per_call_row(
        settings,
        "histogram observe, in a shared store",
        vec![
            (
                "ours",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let _ = black_box(&*in_store).observe(black_box(v[i & 255]));
                    })
                }),
            ),
            (
                "ours, in the process",
                Box::new(|n| {
                    (0..n as usize).for_each(|i| {
                        let _ = black_box(&*in_process).observe(black_box(v[i & 255]));
                    })
                }),
            ),
        ],
    );
    assert!(in_store.count() >= 1 && in_process.count() >= 1);
    Row {
        bar: Bar::None,
        note: "two atomic adds in the store's mapping, as in the process",
        ..result
    }
}

/// A bound child's increment while a sender pushes its registry every 10 ms to a receiver that
/// is down (connections refused: every batch retried, the queue full, the oldest dropped), against
/// the same increment with no sender: the sender must not slow the instrumented code.
fn bound_inc_sender(settings: &Settings) -> Row {
    use prometheus_emulator::sender::{Sender, SenderOptions};
    let registry = Arc::new(Registry::new());
    let family = Arc::new(CounterFamily::new(Opts::new("c", "h").labels(&["k"])).unwrap());
    registry.register(family.clone()).unwrap();
    let sent = family.with_label_values(&["a"]).unwrap();
    let plain = CounterFamily::new(Opts::new("c", "h").labels(&["k"])).unwrap();
    let alone = plain.with_label_values(&["a"]).unwrap();
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sender = Sender::start(
        Some(registry.clone()),
        SenderOptions::new(format!("http://127.0.0.1:{port}/api/v1/write"))
            .interval(std::time::Duration::from_millis(10))
            .backoff(
                std::time::Duration::from_millis(1),
                std::time::Duration::from_millis(20),
            )
            .max_queue_batches(8),
    )
    .unwrap();
    // At work before the first sample: a flush against the dead receiver fails at its deadline.
    assert!(sender.flush(std::time::Duration::from_millis(50)).is_err());
    let result = per_call_row(
        settings,
        "bound child inc, sender retrying to a receiver down",
        vec![
            (
                "ours",
                Box::new(|n| (0..n).for_each(|_| black_box(&*sent).inc_one())),
            ),
            (
                "ours, no sender",
                Box::new(|n| (0..n).for_each(|_| black_box(&*alone).inc_one())),
            ),
        ],
    );
    // The sender was busy meanwhile: it dropped batches the receiver never took.
    let stats = sender.stats().unwrap();
    assert!(stats.last_error.is_some(), "the sender never failed");
    drop(sender);
    assert!(sent.get() >= 1.0 && alone.get() >= 1.0);
    Row {
        bar: Bar::None,
        note: "the sender collects and retries on its own thread; updates take no lock it holds",
        ..result
    }
}

// ---------------------------------------------------------------------------------------------
// Threads on one counter.

fn contended(settings: &Settings, threads: usize) -> Row {
    let ours: Arc<Counter> = CounterFamily::new(Opts::new("c", "h"))
        .unwrap()
        .with_label_values::<&str>(&[])
        .unwrap();
    let tikv = prometheus::Counter::new("c", "h").unwrap();
    let client = prometheus_client::metrics::counter::Counter::<u64>::default();
    let fast = fastmetrics::metrics::counter::Counter::<u64>::default();
    let meas = Arc::new(measured::Counter::new());
    let contestants: Vec<(&'static str, ThreadOp)> = vec![
        ("ours", {
            let c = ours.clone();
            Arc::new(move |n| (0..n).for_each(|_| black_box(&*c).inc_one()))
        }),
        ("prometheus", {
            let c = tikv.clone();
            Arc::new(move |n| (0..n).for_each(|_| black_box(&c).inc()))
        }),
        ("prometheus-client", {
            let c = client.clone();
            Arc::new(move |n| {
                (0..n).for_each(|_| {
                    black_box(&c).inc();
                })
            })
        }),
        ("fastmetrics", {
            let c = fast.clone();
            Arc::new(move |n| (0..n).for_each(|_| black_box(&c).inc()))
        }),
        ("measured", {
            let c = meas.clone();
            Arc::new(move |n| (0..n).for_each(|_| black_box(&*c).get_metric().inc()))
        }),
    ];
    let names: Vec<_> = contestants.iter().map(|(n, _)| *n).collect();
    let values = harness::throughput(settings, threads, &contestants);
    let rounds = if settings.smoke {
        1
    } else {
        settings.thread_samples + 1
    };
    let expected = (rounds as u64 * threads as u64 * settings.thread_ops) as f64;
    assert_eq!(ours.get(), expected, "sharded counter lost increments");
    assert_eq!(client.get() as f64, expected);
    let (op, ratio) = if threads == 1 {
        ("counter inc, 1 thread", 1.0)
    } else {
        ("counter inc, 2 threads on one counter", 2.0)
    };
    row(op, "Mops/s", &names, values, Bar::Best, ratio)
}

// ---------------------------------------------------------------------------------------------
// Collect and encode 10k labelled series.

#[derive(measured::MetricGroup)]
struct MeasuredGroup {
    /// Requests served.
    http_requests: MeasuredVec,
}

fn encode(settings: &Settings, format: Format, warm: bool) -> Row {
    let n = if settings.smoke { 100 } else { 10_000 };
    let labels = series_labels(n);

    let registry = Registry::new();
    let ours = Arc::new(
        CounterFamily::new(
            Opts::new("http_requests", "Requests served.").labels(&["method", "path"]),
        )
        .unwrap(),
    );
    registry.register(ours.clone()).unwrap();

    let tikv_registry = prometheus::Registry::new();
    let tikv = prometheus::CounterVec::new(
        prometheus::Opts::new("http_requests_total", "Requests served."),
        &["method", "path"],
    )
    .unwrap();
    tikv_registry.register(Box::new(tikv.clone())).unwrap();

    let mut client_registry = prometheus_client::registry::Registry::default();
    let client = ClientFamily::default();
    client_registry.register("http_requests", "Requests served.", client.clone());

    let mut fast_registry = fastmetrics::registry::Registry::default();
    let fast = FastFamily::default();
    fast_registry
        .register("http_requests", "Requests served.", fast.clone())
        .unwrap();

    let meas = MeasuredGroup {
        http_requests: MeasuredVec::with_label_set(MeasuredLabelSet::default()),
    };

    for (i, (method, path)) in labels.iter().enumerate() {
        let amount = (i * 7) as u64;
        ours.with_label_values(&[*method, path.as_str()])
            .unwrap()
            .inc(amount as f64)
            .unwrap();
        tikv.with_label_values(&[*method, path.as_str()])
            .inc_by(amount as f64);
        let key = ClientLabels {
            method: method.to_string(),
            path: path.clone(),
        };
        client.get_or_create(&key).inc_by(amount);
        let key = FastLabels {
            method: method.to_string(),
            path: path.clone(),
        };
        fast.with_or_new(&key, |c| c.inc_by(amount));
        meas.http_requests
            .inc_by(MeasuredLabels { method, path }, amount);
    }

    let mut bufs: Vec<String> = vec![String::new(); 5];
    let mut ours_buf: Vec<u8> = Vec::new();
    let mut meas_enc = measured::text::BufferedTextEncoder::new();
    let mut meas_len = 0usize;
    let (op, mut contestants): (&'static str, Vec<(&'static str, Op<'_>)>) = {
        let [_, b_tikv, b_client, b_fast, _] = &mut bufs[..] else {
            unreachable!()
        };
        match format {
            Format::Prometheus => (
                "collect + encode 10k series, text 0.0.4",
                vec![
                    (
                        "ours",
                        Box::new(|n| {
                            for _ in 0..n {
                                ours_buf.clear();
                                prometheus_emulator::exposition::encode_registry(
                                    &registry,
                                    format,
                                    &mut ours_buf,
                                );
                            }
                        }),
                    ),
                    (
                        "prometheus",
                        Box::new(|n| {
                            for _ in 0..n {
                                b_tikv.clear();
                                prometheus::TextEncoder::new()
                                    .encode_utf8(&tikv_registry.gather(), b_tikv)
                                    .unwrap();
                            }
                        }),
                    ),
                    (
                        "fastmetrics",
                        Box::new(|n| {
                            for _ in 0..n {
                                b_fast.clear();
                                fastmetrics::format::text::encode(
                                    b_fast,
                                    &fast_registry,
                                    fastmetrics::format::text::TextProfile::PrometheusV0_0_4,
                                )
                                .unwrap();
                            }
                        }),
                    ),
                    (
                        "measured",
                        Box::new(|n| {
                            for _ in 0..n {
                                use measured::metric::group::MetricGroup;
                                meas.collect_group_into(&mut meas_enc).unwrap();
                                meas_len = meas_enc.finish().len();
                            }
                        }),
                    ),
                ],
            ),
            Format::OpenMetrics => (
                "collect + encode 10k series, OpenMetrics",
                vec![
                    (
                        "ours",
                        Box::new(|n| {
                            for _ in 0..n {
                                ours_buf.clear();
                                prometheus_emulator::exposition::encode_registry(
                                    &registry,
                                    format,
                                    &mut ours_buf,
                                );
                            }
                        }),
                    ),
                    (
                        "prometheus-client",
                        Box::new(|n| {
                            for _ in 0..n {
                                b_client.clear();
                                prometheus_client::encoding::text::encode(
                                    b_client,
                                    &client_registry,
                                )
                                .unwrap();
                            }
                        }),
                    ),
                    (
                        "fastmetrics",
                        Box::new(|n| {
                            for _ in 0..n {
                                b_fast.clear();
                                fastmetrics::format::text::encode(
                                    b_fast,
                                    &fast_registry,
                                    fastmetrics::format::text::TextProfile::OpenMetricsV1_0_0 {
                                        escaping_scheme:
                                            fastmetrics::format::text::EscapingScheme::Underscores,
                                    },
                                )
                                .unwrap();
                            }
                        }),
                    ),
                ],
            ),
            other => unreachable!("{other:?} is measured against client_golang"),
        }
    };
    let names: Vec<_> = contestants.iter().map(|(n, _)| *n).collect();
    let values: Vec<f64> = harness::per_call_with(settings, &mut contestants, warm)
        .into_iter()
        .map(|ns| ns / 1e6)
        .collect();
    drop(contestants);
    bufs[0] = String::from_utf8(ours_buf).expect("text formats are UTF-8");

    // Every encoder wrote every series (and, for ours, only once).
    let lines = |text: &str, needle: &str| text.lines().filter(|l| l.starts_with(needle)).count();
    assert_eq!(
        lines(&bufs[0], "http_requests_total{"),
        n,
        "{}",
        &bufs[0][..200]
    );
    match format {
        Format::Prometheus => {
            assert_eq!(lines(&bufs[1], "http_requests_total{"), n);
            assert!(meas_len > n * 30);
        }
        Format::OpenMetrics => {
            assert_eq!(lines(&bufs[0], "http_requests_created{"), n);
            assert_eq!(lines(&bufs[2], "http_requests_total{"), n);
        }
        _ => unreachable!(),
    }
    // fastmetrics names 0.0.4 counter samples without `_total`, and has no `_created` here.
    assert_eq!(lines(&bufs[3], "http_requests"), n);
    if warm {
        let mut r = row(op, "ms", &names, values, Bar::Best, 0.5);
        r.note = "each encoder writes into a buffer it reuses; caches warm (one untimed call before each sample)";
        r
    } else {
        let op = match format {
            Format::Prometheus => "collect + encode 10k series, text 0.0.4, cold caches",
            Format::OpenMetrics => "collect + encode 10k series, OpenMetrics, cold caches",
            _ => unreachable!(),
        };
        let mut r = row(op, "ms", &names, values, Bar::None, 0.5);
        r.note =
            "each sample follows the other encoders' work, as a scrape every 15 s finds its caches";
        r
    }
}

// ---------------------------------------------------------------------------------------------
// Memory.

/// Heap bytes per series that `build` keeps, for `n` series.
fn heap_per_series(n: usize, build: &dyn Fn() -> Box<dyn std::any::Any>) -> f64 {
    let before = harness::heap_in_use();
    let kept = build();
    let after = harness::heap_in_use();
    drop(kept);
    (after as f64 - before as f64) / n as f64
}

/// Our counter family of the memory rows, its per-CPU part sized by `slots`.
fn our_family(labels: &[(&'static str, String)], slots: CounterSlots) -> Box<dyn std::any::Any> {
    let opts = Opts::new("requests", "h").labels(&["method", "path"]);
    let f = CounterFamily::with_config(opts, slots).unwrap();
    for (m, p) in labels {
        f.apply(&[*m, p.as_str()], |c| c.inc_one()).unwrap();
    }
    Box::new(f)
}

fn memory(settings: &Settings) -> Row {
    let n = if settings.smoke { 100 } else { 100_000 };
    let labels = series_labels(n);
    let per_series = |build: &dyn Fn() -> Box<dyn std::any::Any>| heap_per_series(n, build);
    let ours = per_series(&|| our_family(&labels, CounterSlots::default()));
    let tikv = per_series(&|| {
        let f = prometheus::CounterVec::new(
            prometheus::Opts::new("requests", "h"),
            &["method", "path"],
        )
        .unwrap();
        for (m, p) in &labels {
            f.with_label_values(&[*m, p.as_str()]).inc();
        }
        Box::new(f)
    });
    let client = per_series(&|| {
        let f = ClientFamily::default();
        for (m, p) in &labels {
            f.get_or_create(&ClientLabels {
                method: m.to_string(),
                path: p.clone(),
            })
            .inc();
        }
        Box::new(f)
    });
    let fast = per_series(&|| {
        let f = FastFamily::default();
        for (m, p) in &labels {
            f.with_or_new(
                &FastLabels {
                    method: m.to_string(),
                    path: p.clone(),
                },
                |c| c.inc(),
            );
        }
        Box::new(f)
    });
    let meas = per_series(&|| {
        let f = MeasuredVec::with_label_set(MeasuredLabelSet::default());
        for (m, p) in &labels {
            f.inc(MeasuredLabels { method: m, path: p });
        }
        Box::new(f)
    });
    let mut r = row(
        "memory per series, counter family of 100k children",
        "B",
        &[
            "ours",
            "prometheus",
            "prometheus-client",
            "fastmetrics",
            "measured",
        ],
        vec![ours, tikv, client, fast, meas],
        Bar::Peer("prometheus-client"),
        1.0,
    );
    r.note = "heap in use (mallinfo2) after creating the children, over their number; ours with \
              the per-CPU part sized for this machine's CPUs";
    r
}

/// The same family as [`memory`]'s with the per-CPU part sized for a 64-CPU server (what
/// `PE_CPU_SLOTS=64` does), so this machine shows what a big one would pay.
fn memory_64_cpus(settings: &Settings) -> Row {
    let n = if settings.smoke { 100 } else { 100_000 };
    let labels = series_labels(n);
    let ours = heap_per_series(n, &|| our_family(&labels, CounterSlots::for_cpus(64)));
    let mut r = row(
        "memory per series, 100k children, per-CPU part for 64 CPUs",
        "B",
        &["ours"],
        vec![ours],
        Bar::AtMost,
        700.0,
    );
    r.note = "as the row above, ours with CounterSlots::for_cpus(64) (PE_CPU_SLOTS=64): 4 bytes \
              per CPU and series";
    r
}
