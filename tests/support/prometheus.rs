//! Real Prometheus servers for the end-to-end tests: Debian's 2.42 and a 3.16 built from the Go
//! module proxy (`make deps` builds it once into a cache outside the repository). Each runs on a
//! free loopback port with a generated configuration and a temporary storage directory, and is
//! killed and reaped on drop, even when the test fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq2 as ureq;

use super::exporter::MAKE_DEPS;

const PROMETHEUS_2: &str = "/usr/bin/prometheus";
/// How long Prometheus may take to start and complete its first scrapes.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// Where `make deps` caches the Prometheus 3.16 build (`$PROMETHEUS3` overrides it).
pub fn prometheus3_path() -> PathBuf {
    if let Ok(path) = std::env::var("PROMETHEUS3") {
        return PathBuf::from(path);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/prometheus_emulator/prometheus-v0.316.0/prometheus")
}

/// The Prometheus 3.16 binary; `None` (having said why) outside CI when it is not built. Under
/// CI a missing build fails the test.
pub fn prometheus3() -> Option<PathBuf> {
    let path = prometheus3_path();
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "Prometheus 3.16 is not built at {}: run `make deps-prometheus3` (about 13 minutes once)",
        path.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("NOT RUN: {message}");
    None
}

/// A running Prometheus server, killed and reaped on drop.
pub struct PrometheusServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl PrometheusServer {
    /// Debian's Prometheus 2.42 (or `$PROMETHEUS`) scraping one target every second.
    pub fn debian(dir: &Path, target_port: u16) -> Self {
        let program = std::env::var("PROMETHEUS").unwrap_or_else(|_| PROMETHEUS_2.into());
        assert!(
            Path::new(&program).exists(),
            "`{program}` is missing: {MAKE_DEPS}"
        );
        let scrape_configs = format!(
            "  - job_name: exporter\n    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
        );
        Self::start(Path::new(&program), dir, &scrape_configs, &[])
    }

    /// `program` with these `scrape_configs` entries (YAML, indented as list items) and flags.
    pub fn start(program: &Path, dir: &Path, scrape_configs: &str, flags: &[&str]) -> Self {
        Self::start_with_config(
            program,
            dir,
            &format!("scrape_configs:\n{scrape_configs}"),
            flags,
        )
    }

    /// `program` scraping nothing, as a receiver of pushes (remote write, OTLP): `config` is
    /// added to the configuration's top level (an `otlp:` section, say).
    pub fn receiver(program: &Path, dir: &Path, config: &str, flags: &[&str]) -> Self {
        let mut server = Self::start_with_config(program, dir, config, flags);
        server.wait_until_ready();
        server
    }

    /// `program` with this YAML after the `global` section, and flags.
    pub fn start_with_config(program: &Path, dir: &Path, config: &str, flags: &[&str]) -> Self {
        let config_path = dir.join("prometheus.yml");
        std::fs::write(
            &config_path,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
                 {config}"
            ),
        )
        .unwrap();
        let port = free_port();
        let log = dir.join("prometheus.log");
        let child = Command::new(program)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} ({MAKE_DEPS})", program.display()));
        PrometheusServer { child, port, log }
    }

    /// Waits until the server answers `/-/ready` with 200.
    pub fn wait_until_ready(&mut self) {
        let began = Instant::now();
        let url = format!("http://127.0.0.1:{}/-/ready", self.port);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("Prometheus exited ({status}):\n{}", self.log_tail());
            }
            let ready = ureq::get(&url).timeout(Duration::from_secs(2)).call();
            if ready.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(
                began.elapsed() < STARTUP_LIMIT,
                "not ready within {STARTUP_LIMIT:?}\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// POSTs `body` to `path` with these header fields; the status, the response's header
    /// fields named in `read` (absent ones empty) and its body.
    pub fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        read: &[&str],
    ) -> (u16, Vec<String>, String) {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let mut request = ureq::post(&url).timeout(Duration::from_secs(10));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let response = match request.send_bytes(body) {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("POST {path}: {e}\n{}", self.log_tail()),
        };
        let status = response.status();
        let fields = read
            .iter()
            .map(|name| response.header(name).unwrap_or_default().to_owned())
            .collect();
        (status, fields, response.into_string().unwrap_or_default())
    }

    /// The port the server listens on (loopback).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Runs an instant query; the `data.result` array, or `None` if the server is not answering
    /// yet.
    pub fn query(&self, promql: &str) -> Option<Vec<Value>> {
        let url = format!(
            "http://127.0.0.1:{}/api/v1/query?query={}",
            self.port,
            encode_query(promql)
        );
        let body = ureq::get(&url)
            .timeout(Duration::from_secs(5))
            .call()
            .ok()?
            .into_string()
            .ok()?;
        let json: Value = serde_json::from_str(&body).expect("Prometheus answers JSON");
        assert_eq!(json["status"], "success", "{body}");
        Some(json["data"]["result"].as_array().unwrap().clone())
    }

    /// The exemplars of the series `promql` selects within the last and the next hour: the
    /// `data` array of `/api/v1/query_exemplars`.
    pub fn exemplars(&self, promql: &str) -> Vec<Value> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let url = format!(
            "http://127.0.0.1:{}/api/v1/query_exemplars?query={}&start={}&end={}",
            self.port,
            encode_query(promql),
            now - 3600,
            now + 3600
        );
        let body = ureq::get(&url)
            .timeout(Duration::from_secs(5))
            .call()
            .unwrap_or_else(|e| panic!("{url}: {e}"))
            .into_string()
            .unwrap();
        let json: Value = serde_json::from_str(&body).expect("Prometheus answers JSON");
        assert_eq!(json["status"], "success", "{body}");
        json["data"].as_array().cloned().unwrap_or_default()
    }

    /// The single value a query returns.
    pub fn value(&self, promql: &str) -> f64 {
        let result = self.query(promql).expect("Prometheus answers");
        assert_eq!(result.len(), 1, "{promql}: {result:?}");
        sample_value(&result[0])
    }

    /// Waits until Prometheus has scraped the target successfully.
    pub fn wait_until_up(&mut self) {
        self.wait_until_targets_up(1);
    }

    /// Waits until `targets` targets report `up == 1`.
    pub fn wait_until_targets_up(&mut self, targets: usize) {
        let began = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("Prometheus exited ({status}):\n{}", self.log_tail());
            }
            if let Some(result) = self.query("up == 1") {
                if result.len() == targets {
                    return;
                }
            }
            assert!(
                began.elapsed() < STARTUP_LIMIT,
                "fewer than {targets} targets up within {STARTUP_LIMIT:?}: {:?}\n{}",
                self.query("up"),
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Percent-encodes a query parameter value.
fn encode_query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The number in an instant-vector element: `{"metric": {...}, "value": [time, "12.5"]}`.
pub fn sample_value(element: &Value) -> f64 {
    element["value"][1]
        .as_str()
        .expect("value string")
        .parse()
        .expect("a number")
}
