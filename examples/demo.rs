//! The demo workload: the seed's "Complete Application Example" on the Rust core.
//!
//! A simulated HTTP service handles 100 requests: a labelled request counter, an active-connection
//! gauge, a latency histogram and a response-size summary, plus build info and a task-state enum.
//! The registry is then printed in both text formats.

use std::sync::Arc;

use prometheus_emulator::exposition::{Format, encode_text};
use prometheus_emulator::{
    CounterFamily, GaugeFamily, HistogramConfig, HistogramFamily, InfoFamily, Opts, Registry,
    StateSetConfig, StateSetFamily, SummaryFamily,
};

/// A small deterministic generator, so every run prints the same workload.
struct Lcg(u64);

impl Lcg {
    fn next_unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_unit() * items.len() as f64) as usize % items.len()]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::new();

    let requests = Arc::new(CounterFamily::new(
        Opts::new("http_requests_total", "Total HTTP requests")
            .labels(&["method", "endpoint", "status"]),
    )?);
    let active = Arc::new(GaugeFamily::new(Opts::new(
        "active_connections",
        "Number of active connections",
    ))?);
    let duration = Arc::new(HistogramFamily::with_config(
        Opts::new("http_request_duration_seconds", "HTTP request duration").labels(&["endpoint"]),
        HistogramConfig::new(&[0.01, 0.05, 0.1, 0.5, 1.0, 5.0])?,
    )?);
    let response_size = Arc::new(SummaryFamily::new(
        Opts::new("http_response_size", "HTTP response size").unit("bytes"),
    )?);
    let build = Arc::new(InfoFamily::new(Opts::new(
        "app_build",
        "Application build information",
    ))?);
    let task_state = Arc::new(StateSetFamily::with_config(
        Opts::new("task_state", "Current task state"),
        StateSetConfig::enumeration(&["pending", "running", "completed", "failed"])?,
    )?);

    registry.register(requests.clone())?;
    registry.register(active.clone())?;
    registry.register(duration.clone())?;
    registry.register(response_size.clone())?;
    registry.register(build.clone())?;
    registry.register(task_state.clone())?;

    build.with_label_values::<&str>(&[])?.set(&[
        ("version", "1.2.3"),
        ("commit", "abc123"),
        ("build_date", "2024-01-15"),
    ])?;
    let state = task_state.with_label_values::<&str>(&[])?;
    state.set("running")?;

    let active_now = active.with_label_values::<&str>(&[])?;
    let sizes = response_size.with_label_values::<&str>(&[])?;
    let mut rng = Lcg(42);
    for _ in 0..100 {
        let endpoint = rng.pick(&["/api/users", "/api/posts", "/api/comments"]);
        let method = rng.pick(&["GET", "POST", "PUT", "DELETE"]);
        active_now.inc(1.0)?;
        let seconds = 0.01 + rng.next_unit() * 0.49;
        duration.apply(&[endpoint], |h| h.observe(seconds))??;
        let status = if rng.next_unit() > 0.1 { "200" } else { "500" };
        requests.apply(&[method, endpoint, status], |c| c.inc_one())?;
        sizes.observe((100.0 + rng.next_unit() * 900.0).round())?;
        active_now.dec(1.0)?;
    }
    state.set("completed")?;

    let families = registry.gather();
    println!("=== Prometheus text format 0.0.4 ===");
    print!("{}", encode_text(&families, Format::Prometheus));
    println!();
    println!("=== OpenMetrics 1.0 ===");
    print!("{}", encode_text(&families, Format::OpenMetrics));
    println!();
    println!("=== Metrics summary ===");
    println!(
        "GET /api/users 200: {}",
        requests
            .get(&["GET", "/api/users", "200"])?
            .map_or(0.0, |c| c.get())
    );
    println!("active connections: {}", active_now.get());
    println!(
        "requests timed: {}",
        duration.sum_over_children(|h| h.count() as f64)
    );
    Ok(())
}
