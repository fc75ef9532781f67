//! A registry in client_python's style writes what prometheus_client writes: the same program
//! (a labelled counter, a large gauge, a histogram, a summary without objectives, an info, an
//! enum, families registered out of alphabetical order) run here and under prometheus_client
//! 0.2x, both expositions compared byte for byte with the `_created` values masked.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use prometheus_emulator::exposition::{Format, encode_registry};
use prometheus_emulator::metric::{Info, StateSet, StateSetConfig};
use prometheus_emulator::style::{CreatedSeries, Style};
use prometheus_emulator::{
    CounterFamily, Family, GaugeFamily, HistogramConfig, HistogramFamily, Opts, Registry,
    SummaryConfig, SummaryFamily,
};

const PROGRAM: &str = r#"
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, Info, Enum
from prometheus_client import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics
import sys
r = CollectorRegistry()
c = Counter('req', 'Requests', ['m'], registry=r)
c.labels('GET').inc(10000001)
c.labels('POST').inc(0.5)
g = Gauge('temp', 'Temp', registry=r)
g.set(123456789)
h = Histogram('lat', 'Latency', registry=r, buckets=[0.1, 1, 10])
h.observe(0.5)
s = Summary('sz', 'Size', registry=r)
s.observe(3)
i = Info('build', 'Build', registry=r)
i.info({'version': '1.2'})
e = Enum('state', 'State', states=['a', 'b'], registry=r)
a = Counter('aaa_total', 'first alphabetically', registry=r)
hits = Counter('hits', 'Hits', ['path', 'method'], registry=r)
hits.labels('/a', 'GET').inc()
resp = Histogram('resp', 'Response', ['path'], registry=r, buckets=[1])
resp.labels('/a').observe(0.5)
svc = Info('svc', 'Service', ['zone'], registry=r)
svc.labels('eu').info({'version': '2', 'arch': 'x86'})
phase = Enum('phase', 'Phase', ['zone'], states=['a', 'b'], registry=r)
phase.labels('eu').state('b')
sys.stdout.write(generate_latest(r).decode())
sys.stdout.write('----\n')
sys.stdout.write(generate_openmetrics(r).decode())
"#;

fn ours(style: Style) -> Registry {
    let registry = Registry::new();
    registry.set_style(style);
    let req = Arc::new(CounterFamily::new(Opts::new("req", "Requests").labels(&["m"])).unwrap());
    req.with_label_values(&["GET"])
        .unwrap()
        .inc(10000001.0)
        .unwrap();
    req.with_label_values(&["POST"]).unwrap().inc(0.5).unwrap();
    let temp = Arc::new(GaugeFamily::new(Opts::new("temp", "Temp")).unwrap());
    temp.with_label_values::<&str>(&[])
        .unwrap()
        .set(123456789.0)
        .unwrap();
    let lat = Arc::new(
        HistogramFamily::with_config(
            Opts::new("lat", "Latency"),
            HistogramConfig::new(&[0.1, 1.0, 10.0]).unwrap(),
        )
        .unwrap(),
    );
    lat.with_label_values::<&str>(&[])
        .unwrap()
        .observe(0.5)
        .unwrap();
    let sz = Arc::new(
        SummaryFamily::with_config(
            Opts::new("sz", "Size"),
            SummaryConfig::new(&[], Duration::from_secs(600), 5).unwrap(),
        )
        .unwrap(),
    );
    sz.with_label_values::<&str>(&[])
        .unwrap()
        .observe(3.0)
        .unwrap();
    let build = Arc::new(Family::<Info>::new(Opts::new("build", "Build")).unwrap());
    build
        .with_label_values::<&str>(&[])
        .unwrap()
        .set(&[("version", "1.2")])
        .unwrap();
    let state = Arc::new(
        Family::<StateSet>::with_config(
            Opts::new("state", "State"),
            StateSetConfig::enumeration(&["a", "b"]).unwrap(),
        )
        .unwrap(),
    );
    let aaa = Arc::new(CounterFamily::new(Opts::new("aaa_total", "first alphabetically")).unwrap());
    registry.register(req).unwrap();
    registry.register(temp).unwrap();
    registry.register(lat).unwrap();
    registry.register(sz).unwrap();
    registry.register(build).unwrap();
    registry.register(state).unwrap();
    registry.register(aaa).unwrap();
    let hits = Arc::new(
        CounterFamily::new(Opts::new("hits", "Hits").labels(&["path", "method"])).unwrap(),
    );
    hits.with_label_values(&["/a", "GET"]).unwrap().inc_one();
    let resp = Arc::new(
        HistogramFamily::with_config(
            Opts::new("resp", "Response").labels(&["path"]),
            HistogramConfig::new(&[1.0]).unwrap(),
        )
        .unwrap(),
    );
    resp.with_label_values(&["/a"])
        .unwrap()
        .observe(0.5)
        .unwrap();
    let svc = Arc::new(Family::<Info>::new(Opts::new("svc", "Service").labels(&["zone"])).unwrap());
    svc.with_label_values(&["eu"])
        .unwrap()
        .set(&[("version", "2"), ("arch", "x86")])
        .unwrap();
    let phase = Arc::new(
        Family::<StateSet>::with_config(
            Opts::new("phase", "Phase").labels(&["zone"]),
            StateSetConfig::enumeration(&["a", "b"]).unwrap(),
        )
        .unwrap(),
    );
    phase.with_label_values(&["eu"]).unwrap().set("b").unwrap();
    registry.register(hits).unwrap();
    registry.register(resp).unwrap();
    registry.register(svc).unwrap();
    registry.register(phase).unwrap();
    registry
}

/// The text with each `_created` sample's value replaced by `T`.
fn mask_created(text: &str) -> String {
    text.lines()
        .map(|line| match line.split_once("_created") {
            Some((_, rest)) if !line.starts_with('#') => {
                let kept = line.rsplit_once(' ').map_or(line, |(head, _)| head);
                let _ = rest;
                format!("{kept} T\n")
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

fn expose(registry: &Registry, format: Format) -> String {
    let mut out = Vec::new();
    encode_registry(registry, format, &mut out);
    String::from_utf8(out).unwrap()
}

/// prometheus_client's two expositions of the program, or `None` where it cannot run outside
/// CI.
fn theirs() -> Option<(String, String)> {
    let output = Command::new("python3").args(["-c", PROGRAM]).output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "NOT RUN: prometheus_client failed (`make deps-pip` installs it): {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
        Ok(output) => panic!(
            "prometheus_client failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("NOT RUN: python3 could not start ({e})");
            return None;
        }
        Err(e) => panic!("python3 could not start: {e}"),
    };
    let text = String::from_utf8(output.stdout).unwrap();
    let (text, openmetrics) = text.split_once("----\n").unwrap();
    Some((text.to_owned(), openmetrics.to_owned()))
}

#[test]
fn client_python_style_writes_prometheus_clients_bytes() {
    let Some((text, openmetrics)) = theirs() else {
        return;
    };
    let registry = ours(Style::CLIENT_PYTHON);
    assert_eq!(
        mask_created(&expose(&registry, Format::Prometheus)),
        mask_created(&text)
    );
    assert_eq!(
        mask_created(&expose(&registry, Format::OpenMetrics)),
        mask_created(&openmetrics)
    );
}

#[test]
fn the_default_style_is_client_golangs() {
    let text = expose(&ours(Style::default()), Format::Prometheus);
    assert!(
        text.starts_with("# HELP aaa_total first alphabetically\n"),
        "{text}"
    );
    assert!(text.contains("req_total{m=\"GET\"} 10000001\n"), "{text}");
    assert!(text.contains("temp 123456789\n"));
    assert!(!text.contains("_created"));
}

#[test]
fn created_series_can_be_left_out_everywhere() {
    let style = Style {
        created: CreatedSeries::Nowhere,
        ..Style::CLIENT_PYTHON
    };
    let registry = ours(style);
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let text = expose(&registry, format);
        assert!(!text.contains("_created"), "{text}");
        assert!(
            text.contains("req_total{m=\"GET\"} 1.0000001e+07\n"),
            "{text}"
        );
    }
}
