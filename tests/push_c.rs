//! The Pushgateway calls from C: tests/c/test_push.c is compiled against the header, linked with
//! the library, and run against real Pushgateways (a plain one, and one with HTTPS from a private
//! CA and basic auth), a closed port and a server that never answers. The program checks every
//! status and message itself and prints "ok"; this driver then reads back from the gateways what
//! it pushed.

mod support;
use support::c as common;
use support::push_gateway;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use common::{Link, build_c, run};
use push_gateway::{Gateway, free_port, tls_gateway};

#[test]
fn push_pushadd_and_delete_from_c() {
    let plain = Gateway::start();
    let secure = tls_gateway(true);
    let closed = format!("127.0.0.1:{}", free_port());
    // Connections complete in the listen backlog and are never answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();

    let binary = build_c("test_push", &[PathBuf::from("test_push.c")], Link::Static);
    let mut command = Command::new(&binary);
    command
        .arg(plain.address())
        .arg(&closed)
        .arg(silent.local_addr().unwrap().to_string())
        .arg(secure.base_url())
        .arg(secure.dir.join("ca.pem"));
    let output = run(command, "test_push");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ok\n");
    drop(silent);

    // What the program pushed, as the gateway shows it.
    let batch = [
        ("instance", "host-1"),
        ("job", "c_batch"),
        ("path", "/var/tmp"),
    ];
    let with_queue = [
        ("instance", "host-1"),
        ("job", "c_batch"),
        ("path", "/var/tmp"),
        ("queue", "high"),
    ];
    assert_eq!(
        plain.value("c_jobs_processed_total", &with_queue),
        Some(3.0)
    );
    assert_eq!(plain.value("c_last_success", &batch), Some(42.0));
    let utf8 = [("instance", "Προμηθεύς"), ("job", "c_batch")];
    assert_eq!(plain.value("c_last_success", &utf8), Some(42.0));
    let empty = [("instance", ""), ("job", "c_empty")];
    assert!(plain.group(&empty).is_some());
    assert_eq!(plain.value("c_last_success", &empty), Some(42.0));
    assert_eq!(
        plain.value(
            "c_default_registry_gauge",
            &[("instance", ""), ("job", "c_default")]
        ),
        Some(7.0)
    );
    let jobs: Vec<String> = plain
        .groups()
        .iter()
        .map(|g| g["labels"]["job"].as_str().unwrap().to_owned())
        .collect();
    assert!(!jobs.iter().any(|j| j == "c_gone"), "deleted: {jobs:?}");
    assert_eq!(jobs.len(), 5, "{jobs:?}");
    // The refused push leaves a group that records the failure and holds none of its metrics.
    let clash = plain
        .group(&[("job", "c_clash")])
        .expect("the refused group");
    assert_eq!(clash["last_push_successful"], false, "{clash}");
    assert!(clash.get("c_jobs_processed_total").is_none(), "{clash}");

    assert_eq!(
        secure.value("c_last_success", &[("instance", ""), ("job", "c_tls")]),
        Some(42.0)
    );
}
