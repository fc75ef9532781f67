//! A real Pushgateway for the push tests: Debian's `prometheus-pushgateway` (1.5), one per test,
//! on a free loopback port with persistence off, waited for (bounded) and killed when the guard
//! drops, failed test or not. Also what reads it back: its `/metrics` text and its
//! `/api/v1/metrics` JSON.
//!
//! The binary is required: when it is missing the tests fail and say to run `make deps`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const MAKE_DEPS: &str = "prometheus-pushgateway not found: run `make deps` (it installs Debian's prometheus-pushgateway)";

// ---------------------------------------------------------------------------------------------
// A real Pushgateway per test.

/// The gateway binary: `$PUSHGATEWAY` if set, else Debian's path, else the first on `PATH`.
pub fn gateway_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PUSHGATEWAY") {
        return PathBuf::from(path);
    }
    let debian = Path::new("/usr/bin/prometheus-pushgateway");
    if debian.is_file() {
        return debian.to_owned();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("prometheus-pushgateway"))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| panic!("{MAKE_DEPS}"))
}

/// How to start a gateway; `Setup::default()` is a plain one.
#[derive(Default)]
pub struct Setup {
    /// `--web.route-prefix`, e.g. `/pg`.
    pub route_prefix: &'static str,
    /// Files written to the gateway's own directory before it starts: `(name, contents)`.
    pub files: Vec<(&'static str, String)>,
    /// Contents of `--web.config.file` (basic auth, TLS); `{dir}` stands for the gateway's
    /// directory, where `files` are.
    pub web_config: Option<String>,
    /// Whether the gateway serves HTTPS (with a certificate from [`TEST_CA`]).
    pub tls: bool,
    /// `Authorization` header value for reading the gateway back.
    pub read_authorization: Option<&'static str>,
}

/// A running Pushgateway, killed when dropped, with its own directory (log, config) removed.
pub struct Gateway {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
    pub route_prefix: &'static str,
    pub tls: bool,
    pub read_authorization: Option<&'static str>,
}

enum Readiness {
    Ready,
    Exited,
    NoAnswer,
}

static STARTED: AtomicUsize = AtomicUsize::new(0);

impl Gateway {
    pub fn start() -> Gateway {
        Gateway::start_with(Setup::default())
    }

    /// Starts a gateway. A free port is found by binding port 0 and releasing it, which another
    /// process could take before the gateway binds it: a gateway that exits during startup is
    /// therefore retried on a new port, a few times.
    pub fn start_with(setup: Setup) -> Gateway {
        let binary = gateway_binary();
        let mut last_log = String::new();
        for _attempt in 0..5 {
            let serial = STARTED.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("pe-pushgateway-{}-{serial}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("create the gateway's directory");
            for (name, contents) in &setup.files {
                std::fs::write(dir.join(name), contents).expect("write a gateway file");
            }
            let port = free_port();
            let mut command = Command::new(&binary);
            command
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--persistence.file=");
            if !setup.route_prefix.is_empty() {
                command.arg(format!("--web.route-prefix={}", setup.route_prefix));
            }
            if let Some(config) = &setup.web_config {
                let path = dir.join("web.yml");
                let config = config.replace("{dir}", &dir.display().to_string());
                std::fs::write(&path, config).expect("write the web config");
                command.arg(format!("--web.config.file={}", path.display()));
            }
            let log = std::fs::File::create(dir.join("log")).expect("create the gateway log");
            let child = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    let _ = std::fs::remove_dir_all(&dir);
                    panic!("cannot run {}: {e}; {MAKE_DEPS}", binary.display())
                });
            let mut gateway = Gateway {
                child,
                port,
                dir,
                route_prefix: setup.route_prefix,
                tls: setup.tls,
                read_authorization: setup.read_authorization,
            };
            match gateway.wait_ready() {
                Readiness::Ready => return gateway,
                // Most likely the port was taken meanwhile: try another.
                Readiness::Exited => last_log = gateway.log(),
                Readiness::NoAnswer => {
                    panic!(
                        "the Pushgateway did not become ready within 15 s; its log:\n{}",
                        gateway.log()
                    )
                }
            }
            // Dropping the gateway killed it (if still running) and removed its directory.
        }
        panic!("the Pushgateway exited during startup five times; its last log:\n{last_log}");
    }

    /// Polls `/-/ready` for at most 15 s.
    fn wait_ready(&mut self) -> Readiness {
        let deadline = Instant::now() + Duration::from_secs(15);
        let url = format!("{}/-/ready", self.base_url());
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Readiness::Exited;
            }
            let answer = self
                .reader()
                .get(&url)
                .config()
                .timeout_global(Some(Duration::from_millis(500)))
                .build()
                .call();
            // 401 comes from a gateway with basic auth: it is up as well.
            if let Ok(200 | 401) = answer.map(|r| r.status().as_u16()) {
                return Readiness::Ready;
            }
            thread::sleep(Duration::from_millis(25));
        }
        Readiness::NoAnswer
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// `127.0.0.1:<port>`, the short form of the gateway address.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The full URL, with scheme and route prefix.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}{}", self.port, self.route_prefix)
    }

    /// The gateway's `/metrics`, parsed.
    pub fn scrape(&self) -> Vec<TextSample> {
        parse_text(&self.get("/metrics"))
    }

    /// The value of the one sample with exactly these labels, if the gateway exposes it.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        find_value(&self.scrape(), name, labels)
    }

    /// `/api/v1/metrics`: the pushed groups.
    pub fn groups(&self) -> Vec<Value> {
        let json: Value = serde_json::from_str(&self.get("/api/v1/metrics")).expect("JSON");
        assert_eq!(json["status"], "success", "{json}");
        json["data"].as_array().expect("data is a list").clone()
    }

    /// The group whose labels are exactly these (`job` included), from `/api/v1/metrics`.
    pub fn group(&self, labels: &[(&str, &str)]) -> Option<Value> {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        self.groups()
            .into_iter()
            .find(|group| group_labels(group) == wanted)
    }

    /// GETs a path under the route prefix and requires a 200.
    pub fn get(&self, path: &str) -> String {
        let mut request = self.reader().get(&format!("{}{path}", self.base_url()));
        if let Some(value) = self.read_authorization {
            request = request.header("Authorization", value);
        }
        let mut response = request.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(response.status(), 200, "GET {path}");
        response.body_mut().read_to_string().expect("body")
    }

    /// An HTTP client for reading the gateway, independent of the code under test.
    pub fn reader(&self) -> ureq::Agent {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .proxy(None);
        if self.tls {
            let ca = ureq::tls::Certificate::from_pem(TEST_CA.as_bytes()).expect("test CA");
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&[ca]))
                    .build(),
            );
        }
        config.build().into()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

pub fn group_labels(group: &Value) -> BTreeMap<String, String> {
    group["labels"]
        .as_object()
        .expect("group labels")
        .iter()
        .map(|(n, v)| (n.clone(), v.as_str().expect("label value").to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading the text format back.

#[derive(Debug)]
pub struct TextSample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Parses sample lines of Prometheus text format (as the gateway writes them: no timestamps).
pub fn parse_text(text: &str) -> Vec<TextSample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(parse_sample_line)
        .collect()
}

pub fn parse_sample_line(line: &str) -> TextSample {
    let name_end = line.find(['{', ' ']).expect("sample line");
    let name = line[..name_end].to_owned();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(block) = rest.strip_prefix('{') {
        let mut chars = block.char_indices();
        let mut label = String::new();
        loop {
            let (i, c) = chars.next().expect("unterminated label block");
            match c {
                '}' => {
                    rest = &block[i + 1..];
                    break;
                }
                ',' => {}
                '=' => {
                    assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                    let mut value = String::new();
                    loop {
                        match chars.next().expect("unterminated value").1 {
                            '"' => break,
                            '\\' => match chars.next().expect("escape").1 {
                                'n' => value.push('\n'),
                                other => value.push(other),
                            },
                            other => value.push(other),
                        }
                    }
                    labels.insert(std::mem::take(&mut label), value);
                }
                other => label.push(other),
            }
        }
    }
    let value = rest.trim().split(' ').next().expect("value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().unwrap_or_else(|_| panic!("value in {line}")),
    };
    TextSample {
        name,
        labels,
        value,
    }
}

pub fn find_value(samples: &[TextSample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted: BTreeMap<String, String> = labels
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    samples
        .iter()
        .find(|s| s.name == name && s.labels == wanted)
        .map(|s| s.value)
}

/// The bcrypt hash of "test", from the Prometheus basic-auth guide.
/// `Authorization` for the user `pusher` with the password `test`: base64("pusher:test").
pub const PUSHER_AUTHORIZATION: &str = "Basic cHVzaGVyOnRlc3Q=";

pub const TEST_PASSWORD_HASH: &str = "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay";
// A throw-away test PKI (made with openssl, valid until 2126): a CA and a certificate for
// 127.0.0.1 and localhost that it signed, with that certificate's key. Test use only.
pub const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBsjCCAVmgAwIBAgIULWtDtisvRFltijNZI49NxXSQhhwwCgYIKoZIzj0EAwIw
JjEkMCIGA1UEAwwbcHJvbWV0aGV1c19lbXVsYXRvciB0ZXN0IENBMCAXDTI2MTEy
NTEwMjYzNloYDzIxMjYxMTAxMTAyNjM2WjAmMSQwIgYDVQQDDBtwcm9tZXRoZXVz
X2VtdWxhdG9yIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR5e0XA
moC1H0oOZ0mnCnQzlqwQvjkSUlC9hAoQenvEg1bEtBImP2ZOX8xy1c4tjiLt4II/
iM2yTbBrRwAGIGgyo2MwYTAdBgNVHQ4EFgQUd86H1Tb0LUvJyAcE6UYGZ3rgD+Iw
HwYDVR0jBBgwFoAUd86H1Tb0LUvJyAcE6UYGZ3rgD+IwDwYDVR0TAQH/BAUwAwEB
/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDRwAwRAIgVwVl/2TDfrlhGyPm
fO5gAVDmNJmTwIiIuG77q9XEUuACICY8nLRbSv+zc4iNO0KWhhYbDhtKo2CmnmGI
5+zymOts
-----END CERTIFICATE-----
";
pub const TEST_SERVER_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIB0TCCAXegAwIBAgIUPvDvwHQNZ1VI8bzJ+aiJr2hypRYwCgYIKoZIzj0EAwIw
JjEkMCIGA1UEAwwbcHJvbWV0aGV1c19lbXVsYXRvciB0ZXN0IENBMCAXDTI2MTEy
NTEwMjYzNloYDzIxMjYxMTAxMTAyNjM2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR2ZAPMD32X+ZEfRodMJhkDShTm3Nbh
9EObmgiTwpYY2Ic+9f/XONtmBs/dgtXzLZfbekstYbus4/bZnbevBuXvo4GSMIGP
MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUF
BwMBMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAdBgNVHQ4EFgQUTlDWdWBT
Z1qa/jmenOOv4ToBhRgwHwYDVR0jBBgwFoAUd86H1Tb0LUvJyAcE6UYGZ3rgD+Iw
CgYIKoZIzj0EAwIDSAAwRQIgOvGsYBnbV+apDEIr9cou0JaFvPYyON7nD9A5zdMH
vxMCIQCL8ODTQJoYKhyVJdzDb5ClE1kRoUSuGC5TbFUdA0H/lw==
-----END CERTIFICATE-----
";
pub const TEST_SERVER_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgks5RF6ATA/DuY4vZ
exa3DjOxbfNkmVpL9QcBcsCd0RKhRANCAAR2ZAPMD32X+ZEfRodMJhkDShTm3Nbh
9EObmgiTwpYY2Ic+9f/XONtmBs/dgtXzLZfbekstYbus4/bZnbevBuXv
-----END PRIVATE KEY-----
";

/// A gateway serving HTTPS with [`TEST_SERVER_CERT`]; its directory holds the CA that signed it
/// as `ca.pem`. With `basic_auth`, it also requires the user `pusher` with the password `test`.
pub fn tls_gateway(basic_auth: bool) -> Gateway {
    let mut config =
        "tls_server_config:\n  cert_file: {dir}/server.pem\n  key_file: {dir}/server.key\n"
            .to_owned();
    if basic_auth {
        config.push_str(&format!(
            "basic_auth_users:\n  pusher: '{TEST_PASSWORD_HASH}'\n"
        ));
    }
    Gateway::start_with(Setup {
        files: vec![
            ("server.pem", TEST_SERVER_CERT.to_owned()),
            ("server.key", TEST_SERVER_KEY.to_owned()),
            ("ca.pem", TEST_CA.to_owned()),
        ],
        web_config: Some(config),
        tls: true,
        read_authorization: basic_auth.then_some(PUSHER_AUTHORIZATION),
        ..Setup::default()
    })
}
