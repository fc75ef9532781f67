//! Fuzzing on stable Rust: a mutational fuzzer (seed inputs, then byte flips, insertions,
//! deletions, splices and dictionary tokens, from a fixed seed so every run is reproducible)
//! drives each target and checks it neither panics nor breaks its contract.
//!
//! Targets: the exporter's request path (head framing, parsing, auth, negotiation, `name[]`
//! filtering, rendering), `Accept`/`Accept-Encoding` negotiation, metric/label name and unit
//! validation, and the C ABI's string and array arguments (arbitrary bytes, invalid UTF-8, NULL
//! elements, mismatched counts, NaN and infinite doubles).
//!
//! `make test` runs a short pass (`PE_FUZZ_ITERATIONS`, default 20,000 per target); set it to
//! 10000000 for a long run. A failing input is printed in hex with the iteration that made it.

use std::ffi::{CStr, CString, c_char};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use prometheus_emulator::exporter::fuzz as exporter_fuzz;
use prometheus_emulator::exposition::{Escaping, Format, Representation, accepts_gzip};
use prometheus_emulator::ffi::counter::*;
use prometheus_emulator::ffi::histogram::*;
use prometheus_emulator::ffi::library::pe_last_error;
use prometheus_emulator::ffi::status::pe_status;
use prometheus_emulator::name::{
    NameValidation, family_name, reserved_sample_names, validate_label_name, validate_metric_name,
    validate_unit,
};
use prometheus_emulator::text::names::{NameKind, escape_name};
use prometheus_emulator::{CounterFamily, MetricType, Opts, Registry};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn iterations() -> u64 {
    std::env::var("PE_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

/// Produces inputs: mostly mutations of the seeds, sometimes random bytes.
struct Mutator {
    rng: StdRng,
    seeds: Vec<Vec<u8>>,
    dictionary: Vec<&'static [u8]>,
}

impl Mutator {
    fn new(seed: u64, seeds: &[&[u8]], dictionary: &[&'static [u8]]) -> Self {
        Mutator {
            rng: StdRng::seed_from_u64(seed),
            seeds: seeds.iter().map(|s| s.to_vec()).collect(),
            dictionary: dictionary.to_vec(),
        }
    }

    fn next(&mut self) -> Vec<u8> {
        let rng = &mut self.rng;
        if rng.random_ratio(1, 20) {
            let len = rng.random_range(0..512);
            return (0..len).map(|_| rng.random()).collect();
        }
        let mut input = self.seeds[rng.random_range(0..self.seeds.len())].clone();
        for _ in 0..rng.random_range(1..6) {
            let at = rng.random_range(0..=input.len());
            match rng.random_range(0..7) {
                0 if !input.is_empty() => {
                    let i = at.min(input.len() - 1);
                    input[i] ^= 1 << rng.random_range(0..8);
                }
                1 => input.insert(at, rng.random()),
                2 if at < input.len() => {
                    let end = rng.random_range(at..=input.len());
                    input.drain(at..end);
                }
                3 => {
                    let token = self.dictionary[rng.random_range(0..self.dictionary.len())];
                    input.splice(at..at, token.iter().copied());
                }
                4 => {
                    let other = &self.seeds[rng.random_range(0..self.seeds.len())];
                    let from = rng.random_range(0..=other.len());
                    input.splice(at..at, other[from..].iter().copied());
                }
                5 if at < input.len() => {
                    let repeat = input[at..].iter().take(16).copied().collect::<Vec<_>>();
                    for _ in 0..rng.random_range(1..64) {
                        input.splice(at..at, repeat.iter().copied());
                    }
                }
                _ => {
                    let special: &[u8] = [b"\r\n".as_slice(), b"\0", b"\xff\xfe", b"%", b"\""]
                        [rng.random_range(0..5)];
                    input.splice(at..at, special.iter().copied());
                }
            }
        }
        input
    }
}

/// Runs `target` on `iterations()` inputs; a panic or a broken check fails with the input.
fn fuzz(name: &str, mut mutator: Mutator, mut target: impl FnMut(&[u8])) {
    let n = iterations();
    for i in 0..n {
        let input = mutator.next();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| target(&input)));
        if let Err(payload) = outcome {
            let why = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("{name}: iteration {i} failed ({why}) on input {hex}");
        }
    }
    eprintln!("{name}: {n} executions, no failure");
}

fn fuzz_registry() -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let family =
        Arc::new(CounterFamily::new(Opts::new("hits_total", "Hits.").labels(&["path"])).unwrap());
    family.with_label_values(&["/a"]).unwrap().inc_one();
    registry.register(family).unwrap();
    registry
}

const HTTP_DICTIONARY: &[&[u8]] = &[
    b"GET ",
    b"HEAD ",
    b"POST ",
    b" HTTP/1.1\r\n",
    b" HTTP/1.0\r\n",
    b" HTTP/2.0\r\n",
    b"/metrics",
    b"?name[]=hits_total",
    b"&name%5B%5D=",
    b"Accept: ",
    b"application/openmetrics-text;version=1.0.0;q=0.5,",
    b"text/plain;version=0.0.4",
    b"Accept-Encoding: gzip;q=0.1, *\r\n",
    b"Authorization: Basic dXNlcjpzZWNyZXQ=\r\n",
    b"Authorization: Basic ",
    b"Content-Length: 5\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Connection: close\r\n",
    b"\r\n\r\n",
    b"\n\n",
    b"http://h/metrics",
];

#[test]
fn fuzz_http_request() {
    let registry = fuzz_registry();
    let seeds: &[&[u8]] = &[
        b"GET /metrics HTTP/1.1\r\nHost: t\r\nAccept: application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.2\r\nAccept-Encoding: gzip\r\n\r\n",
        b"HEAD /metrics?name[]=hits_total&name[]=x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        b"GET / HTTP/1.1\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\n\r\n",
        b"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        b"GET http://host:9100/metrics#frag HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n",
        b"\r\n\nGET /metrics HTTP/1.1\nHost: x\n\n",
    ];
    let known = [200, 400, 401, 404, 405, 431, 505];
    let mut toggle = false;
    fuzz(
        "http request",
        Mutator::new(1, seeds, HTTP_DICTIONARY),
        |input| {
            toggle = !toggle;
            if let Some(status) = exporter_fuzz::request(input, &registry, toggle) {
                assert!(known.contains(&status), "status {status}");
            }
        },
    );
}

#[test]
fn fuzz_accept_negotiation() {
    let seeds: &[&[u8]] = &[
        b"application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
        b"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        b"text/plain; charset=\"utf-8, x\"; q=1.000",
        b"gzip;q=0.5, deflate, *;q=0",
        b"x-gzip, identity;q=0.001",
    ];
    let dictionary: &[&[u8]] = &[
        b";q=",
        b"0.",
        b"1.0",
        b",",
        b"\"",
        b"\\",
        b"*/*",
        b"version=",
    ];
    fuzz(
        "accept negotiation",
        Mutator::new(2, seeds, dictionary),
        |input| {
            let header = String::from_utf8_lossy(input);
            let chosen = Representation::negotiate(Some(&header));
            // The dictionary never names protobuf or OpenMetrics 2.0 exactly.
            assert!(!matches!(
                chosen.format,
                Format::Protobuf | Format::OpenMetrics2
            ));
            assert_eq!(chosen, Representation::negotiate(Some(&header)));
            assert_eq!(chosen.format, Format::negotiate(Some(&header)));
            assert!(
                chosen
                    .content_type()
                    .starts_with(chosen.format.content_type())
            );
            let _ = accepts_gzip(Some(&header));
        },
    );
}

/// The legacy name rule, written independently of the library's.
fn legacy_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_' | b':'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

#[test]
fn fuzz_names() {
    let seeds: &[&[u8]] = &[
        b"http_requests_total",
        b"process_cpu_seconds",
        b"__name__",
        b"le",
        b"a:b:c_d",
        b"seconds",
        "h\u{e9}llo.w\u{f6}rld".as_bytes(),
    ];
    let dictionary: &[&[u8]] = &[b"_total", b"_seconds", b"_bucket", b"__", b":", b".", b"0"];
    let kinds = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Info,
        MetricType::StateSet,
    ];
    let mut round = 0usize;
    fuzz("names", Mutator::new(3, seeds, dictionary), |input| {
        let name = String::from_utf8_lossy(input);
        let valid = validate_metric_name(&name, NameValidation::Legacy).is_ok();
        assert_eq!(valid, legacy_metric_name(&name), "{name:?}");
        let utf8 = validate_metric_name(&name, NameValidation::Utf8).is_ok();
        assert_eq!(utf8, !name.is_empty(), "{name:?}");
        let _ = validate_label_name(&name, NameValidation::Legacy);
        let _ = validate_label_name(&name, NameValidation::Utf8);
        let kind = kinds[round % kinds.len()];
        round += 1;
        for scheme in [NameValidation::Legacy, NameValidation::Utf8] {
            if let Ok(family) = family_name(&name, kind, None, scheme) {
                let _ = reserved_sample_names(&family, kind);
            }
        }
        for escaping in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
            let escaped = escape_name(NameKind::Metric, &name, escaping);
            assert!(
                name.is_empty() || legacy_metric_name(&escaped),
                "{name:?} {escaped:?}"
            );
        }
        let _ = validate_unit(&name, kind);
    });
}

/// The C strings an input holds: split at NUL (a C string cannot contain one), so they carry any
/// other byte, invalid UTF-8 included.
fn c_strings(input: &[u8]) -> Vec<CString> {
    input
        .split(|b| *b == 0)
        .map(|part| CString::new(part).expect("no NUL inside"))
        .collect()
}

/// Checks a C call's status: never a caught panic, and a message whenever it failed.
fn check_status(status: pe_status, call: &str) {
    assert_ne!(status, pe_status::PE_ERR_INTERNAL, "{call} panicked");
    if status != pe_status::PE_OK {
        // SAFETY: pe_last_error returns a valid string for the calling thread.
        let message = unsafe { CStr::from_ptr(pe_last_error()) };
        assert!(!message.is_empty(), "{call} failed without a message");
    }
}

#[test]
fn fuzz_c_abi_strings_and_arrays() {
    let seeds: &[&[u8]] = &[
        b"requests_total\0Requests.\0method\0status\0GET\x00200",
        b"temperature\0Help\0le\0x",
        b"bad name\0\0\xff\xfe\0a\0a",
        b"h\0h\0__reserved\0v",
    ];
    let dictionary: &[&[u8]] = &[
        b"\0",
        b"\xc3\x28",
        b"_total",
        b"\xf0\x9f\x98\x80",
        b"quantile",
    ];
    let mut mutator = Mutator::new(4, seeds, dictionary);
    let mut shape = StdRng::seed_from_u64(5);
    fuzz(
        "C ABI strings and arrays",
        Mutator::new(6, seeds, dictionary),
        |input| {
            let strings = c_strings(input);
            let name = strings.first().map_or(ptr::null(), |s| s.as_ptr());
            let help = strings.get(1).map_or(ptr::null(), |s| s.as_ptr());
            // Label names and values from the rest, with a NULL now and then, and counts that
            // may not match the families' label count (never beyond the array).
            let rest: Vec<*const c_char> = strings
                .iter()
                .skip(2)
                .map(|s| {
                    if shape.random_ratio(1, 16) {
                        ptr::null()
                    } else {
                        s.as_ptr()
                    }
                })
                .collect();
            let split = shape.random_range(0..=rest.len());
            let (names, values) = rest.split_at(split);
            let n_values = shape.random_range(0..=values.len());
            let mut counter: *mut pe_counter = ptr::null_mut();
            // SAFETY: every pointer is NULL or a live C string, and the counts stay within the
            // arrays.
            unsafe {
                let status = pe_counter_new(name, help, names.as_ptr(), names.len(), &mut counter);
                check_status(status, "pe_counter_new");
                if status == pe_status::PE_OK {
                    let amount = [1.0, -1.0, f64::NAN, f64::INFINITY][shape.random_range(0..4)];
                    let inc = pe_counter_inc_labels(counter, values.as_ptr(), n_values, amount);
                    check_status(inc, "pe_counter_inc_labels");
                    let mut child: *mut pe_counter = ptr::null_mut();
                    let bound = pe_counter_labels(counter, values.as_ptr(), n_values, &mut child);
                    check_status(bound, "pe_counter_labels");
                    let mut value = 0.0;
                    let read =
                        pe_counter_get_labels(counter, values.as_ptr(), n_values, &mut value);
                    check_status(read, "pe_counter_get_labels");
                    if inc == pe_status::PE_OK && read == pe_status::PE_OK {
                        assert!(value == amount, "{value} after inc({amount})");
                    }
                    pe_counter_free(child);
                    pe_counter_free(counter);
                }
            }
            // Buckets: doubles from the input's bytes (NaN and infinities included).
            let doubles: Vec<f64> = mutator
                .next()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                .collect();
            let mut histogram: *mut pe_histogram = ptr::null_mut();
            // SAFETY: as above; `doubles` holds `n_buckets` values.
            unsafe {
                let n_buckets = shape.random_range(0..=doubles.len());
                let status = pe_histogram_new(
                    name,
                    help,
                    names.as_ptr(),
                    names.len(),
                    doubles.as_ptr(),
                    n_buckets,
                    &mut histogram,
                );
                check_status(status, "pe_histogram_new");
                pe_histogram_free(histogram);
                let (a, b) = (
                    doubles.first().copied().unwrap_or(1.0),
                    doubles.get(1).copied().unwrap_or(2.0),
                );
                let mut out = [0.0f64; 64];
                // A count beyond the limit is refused before anything is written.
                let count = match shape.random_range(0..4) {
                    0 => usize::MAX,
                    1 => 100_001,
                    _ => shape.random_range(0..=out.len()),
                };
                let status = pe_exponential_buckets(a, b, count, out.as_mut_ptr());
                check_status(status, "pe_exponential_buckets");
                if status == pe_status::PE_OK {
                    assert!(out[..count].iter().all(|b| b.is_finite()));
                }
                let status = pe_linear_buckets(a, b, count, out.as_mut_ptr());
                check_status(status, "pe_linear_buckets");
                if status == pe_status::PE_OK {
                    assert!(out[..count].iter().all(|b| b.is_finite()));
                }
            }
        },
    );
}
