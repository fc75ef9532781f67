//! Helpers the integration tests share. Each test binary compiles them all and uses what it
//! needs, so unused items are expected here.
//!
//! The suites, by what they hold to:
//! - the C ABI from C: `c_api` (behaviour), `c_null_sweep` (NULL for every pointer of every
//!   function, generated from the header), `c_threads`, `header_compiles`, `header_fresh`,
//!   `plugin` (dlopen/dlclose under valgrind), `push_c`, `exporter_ffi` (the exporter from C, fork);
//! - the core: `concurrency`, `exposition_golden`, `conformance` (real parsers), `floors` (the
//!   module layering), `fuzz` (the mutational fuzz harness), `allocations` (hot paths allocate
//!   nothing);
//! - the exporter: `exporter`, `exporter_abuse`, `exporter_starvation`, `exporter_soak`,
//!   `exporter_fd_exhaustion`, `exporter_sigpipe`, `exporter_threads`, `exporter_deadline`
//!   (collection under a scrape deadline), `prometheus_server` (Prometheus 2.42 scraping),
//!   `prometheus3` (Prometheus 3.16 scraping native histograms from C, Python and Go programs),
//!   `prometheus_deadline` (both keeping a target with a slow collector up), `parsers`
//!   (Prometheus's own parsers reading every format);
//! - push: `push` (a real Pushgateway), `remote_write_encode` (Remote Write 1.0 and 2.0 and OTLP
//!   bodies stored by Prometheus 3.16 and 2.42);
//! - the sender: `sender` (Remote Write / OTLP against a scripted receiver), and from C in
//!   `c_api`; `remote_write_senders` (Rust and a C service pushing to Prometheus 3.16 and 2.42);
//! - docs: `readme` (the README's examples run).

#![allow(dead_code)]

/// Compiling and running C programs against the library.
pub mod c;
/// Exporters on free ports, raw HTTP exchanges, promtool.
pub mod exporter;
/// The Go program of Prometheus's parsers and prometheus/common's encoders.
pub mod parsers;
/// Real Prometheus servers (2.42 and 3.16) and their query API.
pub mod prometheus;
/// A real Pushgateway per test.
pub mod push_gateway;
/// A scripted Remote Write / OTLP receiver for the sender tests.
pub mod receiver;
