//! The push formats: Prometheus Remote Write 1.0 (`prometheus.WriteRequest`), Remote Write 2.0
//! (`io.prometheus.write.v2.Request`) and OTLP/HTTP metrics (`ExportMetricsServiceRequest`),
//! encoded from collected families for the senders (floor 8), which own queues, retries and
//! HTTP.
//!
//! [`encode`] writes a request body and says what to send with it. Messages are written field by
//! field with prost's encoding primitives straight from the model, into one buffer: no message
//! structs, nothing allocated per sample (label texts are borrowed; only a name with its suffix
//! and a formatted `le` are composed, in a reused buffer). Remote Write bodies are snappy
//! block-compressed, as both specs require; OTLP bodies are plain protobuf (the sender may gzip).
//!
//! What a receiver expects (checked against Prometheus 3.16's receivers):
//!
//! | | Remote Write 1.0 | Remote Write 2.0 | OTLP |
//! | --- | --- | --- | --- |
//! | path (Prometheus) | `/api/v1/write` | `/api/v1/write` | `/api/v1/otlp/v1/metrics` |
//! | `Content-Type` | `application/x-protobuf` | `application/x-protobuf;proto=io.prometheus.write.v2.Request` | `application/x-protobuf` (exactly) |
//! | `Content-Encoding` | `snappy` | `snappy` | none, or `gzip` |
//! | `X-Prometheus-Remote-Write-Version` | `0.1.0` | `2.0.0` | none |
//! | success | 204 | 204, with `X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written` | 200 |
//!
//! A receiver that does not take the message answers 415 Unsupported Media Type (Prometheus 3
//! started with `--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest`
//! does so for a 2.0 body): the sender's cue to fall back to 1.0.

mod native;
mod otlp;
mod series;
mod symbols;
mod v1;
mod v2;

pub use otlp::SCOPE_NAME as OTLP_SCOPE_NAME;

use crate::snapshot::MetricFamily;

/// Which message a push carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    RemoteWriteV1,
    RemoteWriteV2,
    Otlp,
}

/// What an encoding adds to the collected families.
#[derive(Clone, Debug, Default)]
pub struct EncodeOptions {
    /// Labels added to every Remote Write series (`job`, `instance`, others) that lacks a label
    /// of that name, as Prometheus applies `external_labels`: the series' own label wins. OTLP
    /// does not use them (it names the source with resource attributes).
    pub external_labels: Vec<(String, String)>,
    /// OTLP resource attributes (`service.name` and user-given ones); Remote Write ignores them.
    pub resource_attributes: Vec<(String, String)>,
    /// The samples' timestamp, milliseconds since the Unix epoch (points with their own
    /// timestamp keep it).
    pub timestamp_ms: i64,
}

/// An encoded request body and what to send with it.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// Snappy block-compressed for Remote Write; plain protobuf for OTLP (the sender may gzip).
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// Header fields to send besides `Content-Type` (`Content-Encoding`, the Remote Write
    /// version).
    pub headers: &'static [(&'static str, &'static str)],
    /// Float samples in the body (for OTLP: number, explicit-histogram and summary data points).
    pub samples: usize,
    /// Native histogram samples (for OTLP: exponential-histogram data points).
    pub histograms: usize,
    pub exemplars: usize,
}

/// `Content-Type` of a Remote Write 1.0 body, as Prometheus sends it (receivers take the bare
/// type as 1.0).
pub const CONTENT_TYPE_REMOTE_WRITE_V1: &str = "application/x-protobuf";
/// `Content-Type` of a Remote Write 2.0 body.
pub const CONTENT_TYPE_REMOTE_WRITE_V2: &str =
    "application/x-protobuf;proto=io.prometheus.write.v2.Request";
/// `Content-Type` of an OTLP/HTTP protobuf body.
pub const CONTENT_TYPE_OTLP: &str = "application/x-protobuf";

const HEADERS_V1: &[(&str, &str)] = &[
    ("Content-Encoding", "snappy"),
    ("X-Prometheus-Remote-Write-Version", "0.1.0"),
];
const HEADERS_V2: &[(&str, &str)] = &[
    ("Content-Encoding", "snappy"),
    ("X-Prometheus-Remote-Write-Version", "2.0.0"),
];

/// What an encoder counted while writing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    samples: usize,
    histograms: usize,
    exemplars: usize,
}

impl Protocol {
    /// The `Content-Type` of a body of this protocol.
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::RemoteWriteV1 => CONTENT_TYPE_REMOTE_WRITE_V1,
            Protocol::RemoteWriteV2 => CONTENT_TYPE_REMOTE_WRITE_V2,
            Protocol::Otlp => CONTENT_TYPE_OTLP,
        }
    }

    /// The header fields a body of this protocol is sent with, besides `Content-Type`.
    pub fn headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Protocol::RemoteWriteV1 => HEADERS_V1,
            Protocol::RemoteWriteV2 => HEADERS_V2,
            Protocol::Otlp => &[],
        }
    }
}

/// Encodes `families` as one request of `protocol`, compressed as the protocol requires.
pub fn encode(protocol: Protocol, families: &[MetricFamily], options: &EncodeOptions) -> Encoded {
    let (message, counts) = encode_message(protocol, families, options);
    let body = match protocol {
        Protocol::RemoteWriteV1 | Protocol::RemoteWriteV2 => snap::raw::Encoder::new()
            .compress_vec(&message)
            .expect("snappy compresses any input under 4 GiB"),
        Protocol::Otlp => message,
    };
    Encoded {
        body,
        content_type: protocol.content_type(),
        headers: protocol.headers(),
        samples: counts.samples,
        histograms: counts.histograms,
        exemplars: counts.exemplars,
    }
}

/// The request message [`encode`] sends, before compression.
pub fn uncompressed(
    protocol: Protocol,
    families: &[MetricFamily],
    options: &EncodeOptions,
) -> Vec<u8> {
    encode_message(protocol, families, options).0
}

fn encode_message(
    protocol: Protocol,
    families: &[MetricFamily],
    options: &EncodeOptions,
) -> (Vec<u8>, Counts) {
    // Protobuf repeats each series' name and labels about as often as the text format does.
    let mut out = Vec::with_capacity(super::estimate_len(families) * 3 / 2 + 64);
    let counts = match protocol {
        Protocol::RemoteWriteV1 => v1::push_request(&mut out, families, options),
        Protocol::RemoteWriteV2 => v2::push_request(&mut out, families, options),
        Protocol::Otlp => otlp::push_request(&mut out, families, options),
    };
    (out, counts)
}

#[cfg(test)]
mod tests;
