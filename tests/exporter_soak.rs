//! A bounded soak on loopback: 1,000 idle, 100 trickling and 100 slow-reading connections and a
//! client sending garbage, while a good client scrapes every 100 ms; over plain HTTP, then TLS.
//! Every good scrape must be answered. `PE_SOAK_SECONDS` sets the whole run (default 120, half
//! for each transport); the latencies are printed for the record.

mod support;
use support::exporter as exporter_support;
/// ureq 2, renamed: ureq 3 is the push client of the library itself.
use ureq2 as ureq;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use prometheus_emulator::exporter::{Exporter, ExporterOptions, TlsOptions};
use prometheus_emulator::{CounterFamily, Opts, Registry};
use rand::{Rng, SeedableRng};

use exporter_support::*;

/// A registry whose exposition (about 1 MB) outgrows the socket buffers of a slow reader.
fn big_registry() -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let family =
        Arc::new(CounterFamily::new(Opts::new("soak_total", "Soak.").labels(&["path"])).unwrap());
    for i in 0..10_000 {
        family
            .with_label_values(&[format!("/soak/path/number/{i}/of/ten/thousand")])
            .unwrap()
            .inc_one();
    }
    registry.register(family).unwrap();
    registry
}

/// The hostile clients, until `stop`: they reconnect whenever the server closes them.
fn hostile_clients(addr: SocketAddr, stop: &Arc<AtomicBool>) -> Vec<thread::JoinHandle<()>> {
    let mut handles = Vec::new();
    // 1,000 idle connections, held open (reopened when closed).
    {
        let stop = stop.clone();
        handles.push(thread::spawn(move || {
            let mut idle: Vec<TcpStream> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                // Keep those still open (a read would block); replace the ones closed.
                idle.retain(|s| {
                    let mut probe = [0u8; 1];
                    matches!((&*s).read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
                });
                while idle.len() < 1000 {
                    match TcpStream::connect(addr) {
                        Ok(s) => {
                            s.set_nonblocking(true).unwrap();
                            idle.push(s);
                        }
                        Err(_) => break,
                    }
                }
                thread::sleep(Duration::from_millis(500));
            }
        }));
    }
    // 100 trickling heads, a byte every 200 ms.
    for _ in 0..100 {
        let stop = stop.clone();
        handles.push(thread::spawn(move || {
            let request = get_request("/metrics", "X-Trickle: yes\r\n");
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = TcpStream::connect(addr) else {
                    continue;
                };
                for byte in &request {
                    if stop.load(Ordering::Relaxed) || stream.write_all(&[*byte]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(200));
                }
            }
        }));
    }
    // 100 slow readers: a full request, then a few bytes of the answer per 100 ms.
    for _ in 0..100 {
        let stop = stop.clone();
        handles.push(thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = TcpStream::connect(addr) else {
                    continue;
                };
                if stream.write_all(&get_request("/metrics", "")).is_err() {
                    continue;
                }
                let mut sip = [0u8; 64];
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match stream.read(&mut sip) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => thread::sleep(Duration::from_millis(100)),
                    }
                }
            }
        }));
    }
    // A client sending random bytes, and random mutations of a good request.
    {
        let stop = stop.clone();
        handles.push(thread::spawn(move || {
            let mut rng = rand::rngs::StdRng::seed_from_u64(7);
            let good = get_request("/metrics", "Accept: text/plain\r\n");
            while !stop.load(Ordering::Relaxed) {
                let mut input = good.clone();
                for _ in 0..rng.random_range(1..8) {
                    let at = rng.random_range(0..input.len());
                    input[at] = rng.random();
                }
                if rng.random_bool(0.2) {
                    input = (0..rng.random_range(1..2048))
                        .map(|_| rng.random())
                        .collect();
                }
                if let Ok(mut stream) = TcpStream::connect(addr) {
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                    let _ = stream.write_all(&input);
                    let mut sink = [0u8; 4096];
                    let _ = stream.read(&mut sink);
                }
            }
        }));
    }
    handles
}

/// Scrapes every 100 ms for `duration` with `scrape`, returning each scrape's latency; every
/// scrape must succeed.
fn good_client(
    duration: Duration,
    mut scrape: impl FnMut() -> Result<(), String>,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let end = Instant::now() + duration;
    while Instant::now() < end {
        let began = Instant::now();
        if let Err(why) = scrape() {
            panic!("scrape {} failed: {why}", latencies.len() + 1);
        }
        latencies.push(began.elapsed());
        thread::sleep(Duration::from_millis(100).saturating_sub(began.elapsed()));
    }
    latencies.sort();
    latencies
}

fn report(transport: &str, latencies: &[Duration]) {
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    eprintln!(
        "soak over {transport}: {} scrapes, all answered; p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        pick(0.5),
        pick(0.99),
        latencies[latencies.len() - 1]
    );
    // Starvation, which this guards against, meant scrapes of seconds or none at all.
    assert!(pick(0.99) < Duration::from_secs(1), "p99 {:?}", pick(0.99));
}

/// One phase: the hostile clients against `exporter` while `agent` scrapes `metrics` every
/// 100 ms for `duration`; every scrape must be answered.
fn soak_phase(
    transport: &str,
    exporter: &Exporter,
    duration: Duration,
    agent: &ureq::Agent,
    metrics: &str,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let hostile = hostile_clients(exporter.local_addr(), &stop);
    thread::sleep(Duration::from_secs(1));
    let latencies = good_client(duration, || {
        let response = agent.get(metrics).call().map_err(|e| e.to_string())?;
        let body = response.into_string().map_err(|e| e.to_string())?;
        body.contains("soak_total")
            .then_some(())
            .ok_or_else(|| "no soak_total".to_string())
    });
    stop.store(true, Ordering::Relaxed);
    for handle in hostile {
        handle.join().unwrap();
    }
    report(transport, &latencies);
}

fn soak_seconds() -> u64 {
    std::env::var("PE_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120)
}

#[test]
fn soak_plain_then_tls() {
    raise_fd_limit(8192);
    let half = Duration::from_secs(soak_seconds()) / 2;
    let registry = big_registry();

    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry.clone())
            .read_timeout(Duration::from_secs(5))
            .write_timeout(Duration::from_secs(5)),
    );
    let plain = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    soak_phase("HTTP", &exporter, half, &plain, &url(&exporter, "/metrics"));
    exporter.stop();

    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_der) = self_signed(dir.path());
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry)
            .tls(TlsOptions::from_pem_files(&cert, &key))
            .read_timeout(Duration::from_secs(5))
            .write_timeout(Duration::from_secs(5)),
    );
    let agent = tls_agent(cert_der);
    let metrics = format!("https://127.0.0.1:{}/metrics", exporter.port());
    soak_phase("TLS", &exporter, half, &agent, &metrics);
}
