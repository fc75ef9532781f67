//! Prints how long collecting and encoding 10k labelled counters takes, in both formats.
//! A quick measurement, not the benchmark suite: `cargo run --release --example measure_encode`.

use std::sync::Arc;

use prometheus_emulator::exposition::{self, Format};
use prometheus_emulator::{Counter, Family, Opts, Registry};

fn main() {
    use std::time::{Duration, Instant};

    let registry = Registry::new();
    let requests = Arc::new(
        Family::<Counter>::new(
            Opts::new("http_requests_total", "Requests served.").labels(&["method", "path"]),
        )
        .unwrap(),
    );
    registry.register(requests.clone()).unwrap();
    for i in 0..10_000 {
        let method = ["GET", "POST", "PUT", "DELETE"][i % 4];
        let path = format!("/api/v1/item/{i}");
        requests
            .with_label_values(&[method, path.as_str()])
            .unwrap()
            .inc((i * 7) as f64)
            .unwrap();
    }
    let families = registry.gather();

    fn median(mut times: Vec<Duration>) -> Duration {
        times.sort();
        times[times.len() / 2]
    }
    let runs = 300;
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let mut out: Vec<u8> = Vec::new();
        let mut reused = Vec::with_capacity(runs);
        let mut fresh = Vec::with_capacity(runs);
        let mut gathered = Vec::with_capacity(runs);
        for _ in 0..runs {
            out.clear();
            let start = Instant::now();
            exposition::encode_into(&families, format, &mut out);
            reused.push(start.elapsed());

            let start = Instant::now();
            let text = exposition::encode(&families, format);
            fresh.push(start.elapsed());
            std::hint::black_box(text);

            let start = Instant::now();
            let text = exposition::encode(&registry.gather(), format);
            gathered.push(start.elapsed());
            std::hint::black_box(text);
        }
        let bytes = out.len();
        let reused = median(reused);
        println!(
            "{format:?}: {bytes} bytes; encode_into (reused buffer) {reused:?} = {:.2} GB/s; \
             encode (new String) {:?}; gather + encode {:?}",
            bytes as f64 / reused.as_secs_f64() / 1e9,
            median(fresh),
            median(gathered),
        );
    }
}
