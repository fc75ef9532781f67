//! Clients that hold connections without finishing a request must not keep a scrape from being
//! answered: idle sockets (health checks, port scanners, browser preconnects), heads and TLS
//! handshakes trickled a byte at a time, and more connections than the cap allows. Each test
//! failed before the exporter watched its connections from an event loop.

mod support;
use support::exporter as exporter_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use prometheus_emulator::Registry;
use prometheus_emulator::exporter::{ExporterOptions, TlsOptions};

use exporter_support::*;

/// A scrape on a fresh connection and how long it took; it must be answered 200.
fn timed_scrape(addr: SocketAddr) -> Duration {
    let began = Instant::now();
    let response = raw_exchange(
        addr,
        &get_request("/metrics", "Connection: close\r\n"),
        false,
    );
    assert_eq!(response.status, 200);
    began.elapsed()
}

/// Opens `n` connections that send nothing.
fn idle_connections(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n).map(|_| connect(addr)).collect()
}

/// Whether the server has closed `stream` (EOF or reset) within `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut sink = [0u8; 1024];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn eight_idle_connections_do_not_delay_a_scrape() {
    // The default options: 4 workers and a 10 s read timeout. Before, 4 idle connections made a
    // scrape wait about 9.7 s, and 8 made it fail.
    let exporter = start(sample_registry());
    let addr = exporter.local_addr();
    let _idle = idle_connections(addr, 8);
    thread::sleep(Duration::from_millis(50));
    for _ in 0..5 {
        let took = timed_scrape(addr);
        assert!(took < Duration::from_secs(2), "scrape took {took:?}");
    }
}

#[test]
fn a_thousand_idle_connections_and_a_scrape() {
    raise_fd_limit(4096);
    let exporter = start(sample_registry());
    let addr = exporter.local_addr();
    let _idle = idle_connections(addr, 1000);
    thread::sleep(Duration::from_millis(200));
    let took = timed_scrape(addr);
    eprintln!("one scrape with 1000 idle connections open: {took:?}");
    assert!(took < Duration::from_secs(2), "scrape took {took:?}");
}

#[test]
fn at_the_cap_the_oldest_idle_connection_makes_room() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .max_connections(4),
    );
    let addr = exporter.local_addr();
    let mut idle = idle_connections(addr, 4);
    thread::sleep(Duration::from_millis(100));
    // A fifth connection is served: the oldest idle one is closed for it, the others are not.
    timed_scrape(addr);
    assert!(closed_within(&mut idle[0], Duration::from_secs(2)));
    assert!(!closed_within(&mut idle[3], Duration::from_millis(200)));
}

#[test]
fn per_peer_cap_evicts_that_peers_idle_connections() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .max_connections_per_peer(3),
    );
    let addr = exporter.local_addr();
    let mut idle = idle_connections(addr, 3);
    thread::sleep(Duration::from_millis(100));
    timed_scrape(addr);
    assert!(closed_within(&mut idle[0], Duration::from_secs(2)));
}

#[test]
fn when_every_connection_is_busy_a_new_one_is_refused_at_once() {
    let registry = Arc::new(Registry::new());
    registry
        .register(Arc::new(Slow(Duration::from_millis(1500))))
        .unwrap();
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry)
            .max_connections(2),
    );
    let addr = exporter.local_addr();
    let busy: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = connect(addr);
            stream.write_all(&get_request("/metrics", "")).unwrap();
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(200));
    let began = Instant::now();
    let response = raw_exchange(addr, &get_request("/metrics", ""), false);
    assert_eq!(response.status, 503);
    assert_eq!(response.header("Retry-After"), Some("1"));
    let waited = began.elapsed();
    assert!(
        waited < Duration::from_millis(1000),
        "the 503 took {waited:?}"
    );
    drop(busy);
}

#[test]
fn a_head_trickled_a_byte_at_a_time_is_cut_at_the_read_timeout() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .read_timeout(Duration::from_millis(800)),
    );
    let addr = exporter.local_addr();
    let mut trickle = connect(addr);
    let began = Instant::now();
    let request = get_request("/metrics", "");
    for byte in request.iter().take(30) {
        if trickle.write_all(&[*byte]).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(100));
        if began.elapsed() > Duration::from_secs(2) {
            break;
        }
    }
    let response = read_response(&mut trickle, false).unwrap();
    assert_eq!(response.status, 408);
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "{:?}",
        began.elapsed()
    );
}

/// The first bytes of a TLS 1.2/1.3 ClientHello record: a handshake record header and the start
/// of the message. Sent slowly, the server never sees a complete record.
const CLIENT_HELLO_START: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03];

#[test]
fn a_tls_handshake_trickled_a_byte_at_a_time_is_cut_and_does_not_block_scrapes() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_der) = self_signed(dir.path());
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .tls(TlsOptions::from_pem_files(&cert, &key))
            .read_timeout(Duration::from_secs(1)),
    );
    let addr = exporter.local_addr();
    // Four (the default worker count) and more connections trickling a ClientHello.
    let trickling: Vec<_> = (0..6)
        .map(|_| {
            thread::spawn(move || {
                let mut stream = connect(addr);
                let began = Instant::now();
                for byte in CLIENT_HELLO_START.iter().cycle().take(40) {
                    if stream.write_all(&[*byte]).is_err() {
                        break;
                    }
                    if closed_within(&mut stream, Duration::from_millis(250)) {
                        return began.elapsed();
                    }
                }
                began.elapsed()
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    let agent = tls_agent(cert_der);
    let metrics = format!("https://127.0.0.1:{}/metrics", exporter.port());
    let began = Instant::now();
    assert_eq!(agent.get(&metrics).call().unwrap().status(), 200);
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    for handle in trickling {
        let held = handle.join().unwrap();
        // Cut at the 1 s deadline, although a byte arrived every 250 ms.
        assert!(
            held < Duration::from_secs(3),
            "held the connection {held:?}"
        );
    }
}
