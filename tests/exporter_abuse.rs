//! The exporter under abuse: oversized and malformed requests, silent and trickling clients, a
//! flood of concurrent scrapes, a panicking collector, and stop with stalled clients connected.
//! Each case ends with a normal scrape that must still succeed.

mod support;
use support::exporter as exporter_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use prometheus_emulator::exporter::{Exporter, ExporterOptions};
use prometheus_emulator::exposition::{Format, encode_text};
use prometheus_emulator::{Collector, Descriptor, MetricFamily, Registry};

use exporter_support::*;

/// A normal scrape, which must succeed.
fn scrape_ok(addr: SocketAddr) {
    let response = raw_exchange(addr, &get_request("/metrics", ""), false);
    assert_eq!(response.status, 200);
    assert!(response.text().contains("temperature_celsius 21.5"));
}

/// Reads until the server closes; what it sent, or an error if it never closes in `limit`.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> std::io::Result<Vec<u8>> {
    stream.set_read_timeout(Some(limit))?;
    let mut data = Vec::new();
    match stream.read_to_end(&mut data) {
        Ok(_) => Ok(data),
        // A reset also means the server closed.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Ok(data),
        Err(e) => Err(e),
    }
}

#[test]
fn a_64_kib_header_gets_431() {
    let exporter = start(sample_registry());
    let mut request = b"GET /metrics HTTP/1.1\r\nHost: t\r\nX-Big: ".to_vec();
    request.resize(request.len() + 64 * 1024, b'a');
    request.extend_from_slice(b"\r\n\r\n");
    let mut stream = connect(exporter.local_addr());
    stream.write_all(&request).unwrap();
    let response = read_response(&mut stream, false).unwrap();
    assert_eq!(response.status, 431);
    assert_eq!(response.header("Connection"), Some("close"));
    read_until_closed(&mut stream, Duration::from_secs(5)).unwrap();
    // Many header fields adding up to more than the limit are refused the same way.
    let mut request = b"GET /metrics HTTP/1.1\r\n".to_vec();
    for i in 0..2000 {
        request.extend_from_slice(format!("X-{i}: value\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    assert_eq!(
        raw_exchange(exporter.local_addr(), &request, false).status,
        431
    );
    scrape_ok(exporter.local_addr());
}

#[test]
fn malformed_requests_get_400() {
    let exporter = start(sample_registry());
    let addr = exporter.local_addr();
    for request in [
        b"GARBAGE\r\n\r\n".as_slice(),
        b"GET /metrics\r\n\r\n",
        b"GET /metrics HTTP/1.1 extra\r\n\r\n",
        b"GET  /metrics HTTP/1.1\r\n\r\n",
        b"GET metrics HTTP/1.1\r\n\r\n",
        b"GET /metrics HTTX/1.1\r\n\r\n",
        b"\x00\x01\x02\x03 \xff\xfe\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    ] {
        let mut stream = connect(addr);
        stream.write_all(request).unwrap();
        let response = read_response(&mut stream, false).unwrap();
        assert_eq!(
            response.status,
            400,
            "{:?}",
            String::from_utf8_lossy(request)
        );
        assert_eq!(response.header("Connection"), Some("close"));
        read_until_closed(&mut stream, Duration::from_secs(5)).unwrap();
    }
    // An HTTP/2 preface is well formed but not a version we speak.
    let response = raw_exchange(addr, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false);
    assert_eq!(response.status, 505);
    scrape_ok(addr);
}

#[test]
fn silent_clients_are_closed_and_do_not_block_scrapes() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .read_timeout(Duration::from_millis(300)),
    );
    let addr = exporter.local_addr();
    // Three of the four workers are taken by clients that send nothing at all.
    let mut silent: Vec<TcpStream> = (0..3).map(|_| connect(addr)).collect();
    thread::sleep(Duration::from_millis(50));
    let began = Instant::now();
    scrape_ok(addr);
    assert!(
        began.elapsed() < Duration::from_millis(250),
        "scrape waited for the silent clients: {:?}",
        began.elapsed()
    );
    for stream in &mut silent {
        // Closed without an answer once the read timeout passes.
        let sent = read_until_closed(stream, Duration::from_secs(3)).unwrap();
        assert!(sent.is_empty());
    }
    // A client that stops halfway through its head gets 408.
    let mut partial = connect(addr);
    partial
        .write_all(b"GET /metrics HTTP/1.1\r\nHost:")
        .unwrap();
    let response = read_response(&mut partial, false).unwrap();
    assert_eq!(response.status, 408);
    scrape_ok(addr);
}

#[test]
fn a_trickling_client_cannot_extend_the_read_timeout() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .read_timeout(Duration::from_millis(400)),
    );
    let mut stream = connect(exporter.local_addr());
    let began = Instant::now();
    // One byte every 50 ms resets a per-read timeout forever; the head deadline does not move.
    let mut answer = None;
    for byte in b"GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if stream.write_all(&[*byte]).is_err() {
            break;
        }
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut peek = [0u8; 1];
        if matches!(stream.peek(&mut peek), Ok(1)) {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            answer = Some(read_response(&mut stream, false).unwrap());
            break;
        }
    }
    let answer = answer.expect("the server answered before the client finished trickling");
    assert_eq!(answer.status, 408);
    assert!(
        began.elapsed() < Duration::from_millis(1500),
        "{:?}",
        began.elapsed()
    );
}

#[test]
fn two_hundred_concurrent_scrapes_are_answered_or_refused_cleanly() {
    let registry = sample_registry();
    let expected = encode_text(&registry.gather(), Format::Prometheus);
    let exporter = start(registry);
    let addr = exporter.local_addr();
    let clients = 200;
    let barrier = Arc::new(Barrier::new(clients + 1));
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                let mut stream = TcpStream::connect(addr)?;
                stream.set_read_timeout(Some(Duration::from_secs(20)))?;
                stream.write_all(&get_request("/metrics", "Connection: close\r\n"))?;
                read_response(&mut stream, false)
            })
        })
        .collect();
    barrier.wait();
    // A normal scrape while the flood is on: it may be told to retry (503), never left hanging.
    let began = Instant::now();
    let mut normal = None;
    while began.elapsed() < Duration::from_secs(10) {
        let response = raw_exchange(addr, &get_request("/metrics", ""), false);
        if response.status == 200 {
            normal = Some(response);
            break;
        }
        assert_eq!(response.status, 503);
        assert_eq!(response.header("Retry-After"), Some("1"));
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        normal.expect("a scrape succeeds during the flood").text(),
        expected
    );
    let (mut answered, mut refused) = (0, 0);
    for handle in handles {
        let response = handle
            .join()
            .unwrap()
            .expect("every client gets a complete response");
        match response.status {
            200 => {
                assert_eq!(response.text(), expected);
                answered += 1;
            }
            503 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    println!("200 concurrent scrapes: {answered} answered, {refused} refused with 503");
    assert!(answered > 0);
    scrape_ok(addr);
}

#[test]
fn a_full_queue_refuses_with_503() {
    let registry = Arc::new(Registry::new());
    registry
        .register(Arc::new(Slow(Duration::from_millis(300))))
        .unwrap();
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry)
            .workers(1)
            .max_pending_connections(2),
    );
    let addr = exporter.local_addr();
    // One connection served, two queued: the others are refused at once, with a full answer.
    let mut streams: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = connect(addr);
            stream.write_all(&get_request("/metrics", "")).unwrap();
            thread::sleep(Duration::from_millis(10));
            stream
        })
        .collect();
    let statuses: Vec<u16> = streams
        .iter_mut()
        .map(|s| read_response(s, false).expect("a complete response").status)
        .collect();
    // Three answered, or two when the worker had not yet taken the first from the queue when
    // the third arrived; the rest refused, in arrival order.
    let answered = statuses.iter().take_while(|s| **s == 200).count();
    assert!((2..=3).contains(&answered), "{statuses:?}");
    assert!(
        statuses[answered..].iter().all(|s| *s == 503),
        "{statuses:?}"
    );
    // Once the queue drains, new connections are served again.
    let response = raw_exchange(addr, &get_request("/metrics", ""), false);
    assert_eq!(response.status, 200);
}

#[test]
fn an_idle_keep_alive_connection_holds_no_worker() {
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(sample_registry())
            .workers(1),
    );
    let addr = exporter.local_addr();
    let mut idle = connect(addr);
    idle.write_all(&get_request("/metrics", "")).unwrap();
    assert_eq!(read_response(&mut idle, false).unwrap().status, 200);
    // The idle connection waits in the event loop, not on the only worker: a new client does
    // not wait out the 10 s idle timeout.
    let began = Instant::now();
    scrape_ok(addr);
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    // And the idle connection is still served.
    idle.write_all(&get_request("/metrics", "")).unwrap();
    assert_eq!(read_response(&mut idle, false).unwrap().status, 200);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let exporter = start(sample_registry());
    let mut stream = connect(exporter.local_addr());
    let mut requests = get_request("/metrics?name[]=temperature_celsius", "");
    requests.extend_from_slice(&get_request("/nope", ""));
    requests.extend_from_slice(&get_request("/", "Connection: close\r\n"));
    stream.write_all(&requests).unwrap();
    let first = read_response(&mut stream, false).unwrap();
    assert!(first.text().contains("temperature_celsius 21.5"));
    assert!(!first.text().contains("http_requests_total"));
    assert_eq!(read_response(&mut stream, false).unwrap().status, 404);
    let last = read_response(&mut stream, false).unwrap();
    assert_eq!(last.status, 200);
    assert!(last.text().contains("/metrics"));
}

/// A collector with a bug.
struct Panicking;

impl Collector for Panicking {
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    fn collect(&self, _: &mut Vec<MetricFamily>) {
        panic!("deliberate panic in a collector (exporter_abuse test)");
    }
}

/// Keeps the deliberate panics out of the test output; every other panic is reported as usual.
fn quiet_deliberate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let deliberate = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("deliberate panic"));
            if !deliberate {
                default(info);
            }
        }));
    });
}

#[test]
fn a_panicking_collector_costs_a_500_not_a_worker() {
    quiet_deliberate_panics();
    let registry = Arc::new(Registry::new());
    registry.register(Arc::new(Panicking)).unwrap();
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry)
            .workers(2),
    );
    // More requests than workers: if a panic killed its worker, the last ones would hang.
    for _ in 0..5 {
        let response = raw_exchange(exporter.local_addr(), &get_request("/metrics", ""), false);
        assert_eq!(response.status, 500);
    }
    let response = raw_exchange(exporter.local_addr(), &get_request("/", ""), false);
    assert_eq!(response.status, 200);
}

#[test]
fn stop_is_quick_with_stalled_clients_connected() {
    // Default timeouts (10 s): stop must not wait for any of them.
    let exporter = start(sample_registry());
    let addr = exporter.local_addr();
    let silent = connect(addr);
    let mut partial = connect(addr);
    partial.write_all(b"GET /metrics HTTP/1.1\r\nHo").unwrap();
    let mut idle = connect(addr);
    idle.write_all(&get_request("/metrics", "")).unwrap();
    read_response(&mut idle, false).unwrap();
    // More stalled clients than workers, so some wait in the queue.
    let queued: Vec<TcpStream> = (0..6).map(|_| connect(addr)).collect();
    thread::sleep(Duration::from_millis(100));
    let began = Instant::now();
    exporter.stop();
    let took = began.elapsed();
    assert!(took < Duration::from_millis(1000), "stop took {took:?}");
    println!("stop with 9 stalled clients took {took:?}");
    for mut stream in [silent, partial, idle].into_iter().chain(queued) {
        read_until_closed(&mut stream, Duration::from_secs(2))
            .expect("the server closed every connection");
    }
    // The port is free again.
    let again = Exporter::start(ExporterOptions::new(addr.to_string())).unwrap();
    again.stop();
}

#[test]
fn a_client_that_does_not_read_is_cut_off_by_the_write_timeout() {
    let registry = Arc::new(Registry::new());
    let family = Arc::new(
        prometheus_emulator::CounterFamily::new(
            prometheus_emulator::Opts::new("hits_total", "Hits.").labels(&["path"]),
        )
        .unwrap(),
    );
    let long_path = "/a/fairly/long/path/to/a/resource".repeat(12);
    for i in 0..20_000 {
        family
            .with_label_values(&[format!("{long_path}/{i}")])
            .unwrap()
            .inc_one();
    }
    registry.register(family).unwrap();
    let exporter = start_with(
        ExporterOptions::new("127.0.0.1:0")
            .registry(registry)
            .workers(1)
            .write_timeout(Duration::from_millis(500)),
    );
    let addr = exporter.local_addr();
    // About 8 MB requested and not read: about twice what the socket buffers hold (the client's
    // receive buffer is held to 64 KiB, or loopback would buffer it all), so the answer cannot
    // be written before the write timeout ends the connection.
    let mut stalled = connect(addr);
    limit_receive_buffer(&stalled, 64 * 1024);
    stalled.write_all(&get_request("/metrics", "")).unwrap();
    thread::sleep(Duration::from_millis(100));
    let began = Instant::now();
    let response = raw_exchange(addr, &get_request("/", ""), false);
    let waited = began.elapsed();
    assert_eq!(response.status, 200);
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // Past the write timeout, the stalled client finds its response cut short.
    thread::sleep(Duration::from_millis(800).saturating_sub(began.elapsed()));
    let received = read_until_closed(&mut stalled, Duration::from_secs(5)).unwrap();
    let head_end = received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&received[..head_end]);
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(received.len() - head_end < length, "the whole body arrived");
}

/// Keeps the kernel from buffering more than about `bytes` of what the server sends this client.
fn limit_receive_buffer(stream: &TcpStream, bytes: libc::c_int) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid socket and an option value of the size given.
    let set = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&bytes as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0, "setsockopt(SO_RCVBUF)");
}

/// A collector that stops the exporter serving it, as a C callback could.
struct StopsItsExporter(Arc<std::sync::Mutex<Option<Exporter>>>);

impl Collector for StopsItsExporter {
    fn describe(&self) -> Vec<Descriptor> {
        Vec::new()
    }

    fn collect(&self, _: &mut Vec<MetricFamily>) {
        if let Some(exporter) = self.0.lock().unwrap().take() {
            exporter.stop();
        }
    }
}

#[test]
fn stopping_from_inside_a_scrape_does_not_deadlock() {
    let slot = Arc::new(std::sync::Mutex::new(None));
    let registry = Arc::new(Registry::new());
    registry
        .register(Arc::new(StopsItsExporter(slot.clone())))
        .unwrap();
    let exporter = start(registry);
    let addr = exporter.local_addr();
    *slot.lock().unwrap() = Some(exporter);
    let mut stream = connect(addr);
    stream.write_all(&get_request("/metrics", "")).unwrap();
    // The scrape's own connection is shut down by the stop it triggered.
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).unwrap();
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(slot.lock().unwrap().is_none());
    // Stopped for good: the port is free again.
    let again = Exporter::start(ExporterOptions::new(addr.to_string())).unwrap();
    again.stop();
}
