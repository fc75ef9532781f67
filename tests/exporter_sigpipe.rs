//! A client that hangs up mid-response must not kill the host with SIGPIPE. Rust programs ignore
//! SIGPIPE, C programs usually do not: this binary restores the default action (terminate), as a
//! C host has it, and then makes the exporter write to connections whose peer has gone, over
//! plain HTTP and over TLS. Its own test binary, since the signal disposition is process-wide.

mod support;
use support::exporter as exporter_support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use prometheus_emulator::exporter::{ExporterOptions, TlsOptions};
use prometheus_emulator::{CounterFamily, Opts, Registry};

use exporter_support::*;

/// About 2 MB of exposition: many writes, so some happen after the peer's reset arrives.
fn big_registry() -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let family =
        Arc::new(CounterFamily::new(Opts::new("hits_total", "Hits.").labels(&["path"])).unwrap());
    for i in 0..30_000 {
        family
            .with_label_values(&[format!("/a/fairly/long/path/to/resource/number/{i}")])
            .unwrap()
            .inc_one();
    }
    registry.register(family).unwrap();
    registry
}

/// Sends a request, then hangs up without reading: the exporter's writes meet a closed socket.
fn hang_up_after_request(stream: &mut impl Write, tcp: &TcpStream) {
    stream
        .write_all(&get_request("/metrics", "Accept-Encoding: identity\r\n"))
        .unwrap();
    stream.flush().unwrap();
    tcp.shutdown(Shutdown::Both).unwrap();
}

#[test]
fn a_client_hanging_up_mid_response_raises_no_sigpipe() {
    // SAFETY: setting a signal disposition; no handler code is involved.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let registry = big_registry();

    let plain = start(registry.clone());
    for _ in 0..5 {
        let mut tcp = connect(plain.local_addr());
        let clone = tcp.try_clone().unwrap();
        hang_up_after_request(&mut tcp, &clone);
    }

    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let tls = start_with(ExporterOptions::new("127.0.0.1:0").registry(registry).tls(
        TlsOptions::from_pem(certified.cert.pem(), certified.signing_key.serialize_pem()),
    ));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );
    for _ in 0..5 {
        let tcp = connect(tls.local_addr());
        let clone = tcp.try_clone().unwrap();
        let client = rustls::ClientConnection::new(
            config.clone(),
            rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
        )
        .unwrap();
        let mut stream = rustls::StreamOwned::new(client, tcp);
        hang_up_after_request(&mut stream, &clone);
    }

    // Let the workers run into the closed sockets, then check the exporter still serves.
    std::thread::sleep(Duration::from_millis(300));
    let mut stream = connect(plain.local_addr());
    stream
        .write_all(&get_request("/", "Connection: close\r\n"))
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
}
