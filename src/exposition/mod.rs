//! The exposition formats: Prometheus text 0.0.4, OpenMetrics 1.0, OpenMetrics 2.0 (see
//! `openmetrics2.rs`) and protobuf (see `protobuf.rs`), and the content negotiation that picks
//! one.
//!
//! [`encode`] renders collected families (what [`Registry::gather`](crate::Registry::gather)
//! returns) in any of them. The two established text formats, byte for byte as the specs write
//! them:
//!
//! | | Prometheus text 0.0.4 | OpenMetrics 1.0 |
//! | --- | --- | --- |
//! | counter `x` | `# TYPE x_total counter`, `x_total` | `# TYPE x counter`, `x_total`, `x_created` |
//! | info `x` | `# TYPE x_info gauge`, `x_info{…} 1` | `# TYPE x info`, `x_info{…} 1` |
//! | state set `x` | `# TYPE x gauge`, `x{x="state"} 1` | `# TYPE x stateset`, same samples |
//! | unknown | `untyped` | `unknown` |
//! | histogram, summary | `_bucket{le=…}`/`{quantile=…}`, `_count`, `_sum` | the same, and `_created` |
//! | metadata | `# HELP`, `# TYPE` | `# TYPE`, `# UNIT` (with a unit), `# HELP` |
//! | exemplars | not shown | after counter totals and histogram buckets |
//! | timestamps | integer milliseconds | seconds |
//! | end | nothing | `# EOF` |
//!
//! Choices the specs leave open: a family with no points still gets its HELP and TYPE lines (as
//! client_python writes them; both formats allow it); HELP is written even when empty; labels are
//! the point's own then the one the sample adds (`le`, `quantile`, the state label, the info
//! labels); a non-finite timestamp is dropped rather than written unparsably; a histogram from a
//! custom collector that lacks the `+Inf` bucket gets one holding its count; `le` and `quantile`
//! values take the canonical number form of OpenMetrics in both formats (`0.005`, `1.0`,
//! `1e-05`, `1e+06`, `+Inf`), so a bucket keeps one label value whichever format is scraped.
//!
//! One spec rule drops samples: in OpenMetrics a histogram with a negative bucket bound has no
//! `_sum` and no `_count` (the spec forbids the sum there, and `_count` goes with it).
//!
//! Encoding is a single pass that writes into one `String` reserved up front: no allocation per
//! sample, label blocks pre-rendered once per series, numbers formatted with `ryu` and `itoa`.

mod negotiate;
mod openmetrics;
mod openmetrics2;
mod prometheus;
mod protobuf;
mod registry;
mod text;

pub use crate::text::{escape, number};
pub use negotiate::accepts_gzip;
pub use openmetrics2::CONTENT_TYPE_OPENMETRICS_2;
pub use protobuf::CONTENT_TYPE_PROTOBUF;
pub use registry::{encode_registry, encode_registry_filtered};

use crate::collector::LiveFamily;
use crate::snapshot::MetricFamily;

/// `Content-Type` of Prometheus text format 0.0.4.
pub const CONTENT_TYPE_PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of OpenMetrics 1.0.0 text.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text format.
    OpenMetrics,
    /// OpenMetrics 2.0 text format (2.0.0-rc, experimental): native histograms, start
    /// timestamps.
    OpenMetrics2,
    /// Length-delimited `io.prometheus.client.MetricFamily` protobuf messages (binary).
    Protobuf,
}

impl Format {
    /// The exact `Content-Type` this format prescribes.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => CONTENT_TYPE_PROMETHEUS,
            Format::OpenMetrics => CONTENT_TYPE_OPENMETRICS,
            Format::OpenMetrics2 => CONTENT_TYPE_OPENMETRICS_2,
            Format::Protobuf => CONTENT_TYPE_PROTOBUF,
        }
    }

    /// Whether the format is text (everything but protobuf).
    pub fn is_text(self) -> bool {
        self != Format::Protobuf
    }
}

pub(crate) use text::{estimate_len, estimate_live_len};

/// An exposition written family by family, for [`encode_registry`].
pub(crate) struct Encoder<'a> {
    format: Format,
    out: Output<'a>,
    scratch: text::Scratch,
    protobuf: protobuf::Scratch,
}

/// Where an encoding goes: text formats write into a `String` (the caller's buffer when it
/// starts empty, so nothing is copied), protobuf into the bytes.
enum Output<'a> {
    Text {
        text: String,
        target: &'a mut Vec<u8>,
    },
    Bytes(&'a mut Vec<u8>),
}

impl<'a> Encoder<'a> {
    pub(crate) fn new(format: Format, out: &'a mut Vec<u8>) -> Self {
        let out = if format.is_text() {
            // An empty buffer is valid UTF-8: its allocation is reused for the text.
            let text = if out.is_empty() {
                String::from_utf8(std::mem::take(out)).unwrap_or_default()
            } else {
                String::new()
            };
            Output::Text { text, target: out }
        } else {
            Output::Bytes(out)
        };
        Encoder {
            format,
            out,
            scratch: text::Scratch::default(),
            protobuf: protobuf::Scratch::default(),
        }
    }

    pub(crate) fn reserve(&mut self, sizes: impl Iterator<Item = usize>) {
        let size = sizes.sum();
        match &mut self.out {
            Output::Text { text, .. } => text.reserve(size),
            Output::Bytes(bytes) => bytes.reserve(size),
        }
    }

    pub(crate) fn family(&mut self, family: &MetricFamily) {
        match (&mut self.out, self.format) {
            (Output::Bytes(out), _) => protobuf::push_family(out, family, &mut self.protobuf),
            (Output::Text { text, .. }, Format::Prometheus) => {
                text::push_family::<prometheus::Prometheus>(text, family, &mut self.scratch)
            }
            (Output::Text { text, .. }, Format::OpenMetrics2) => {
                openmetrics2::push_family(text, family)
            }
            (Output::Text { text, .. }, _) => {
                text::push_family::<openmetrics::OpenMetrics>(text, family, &mut self.scratch)
            }
        }
    }

    pub(crate) fn live(&mut self, header: &MetricFamily, live: &dyn LiveFamily) {
        match (&mut self.out, self.format) {
            (Output::Bytes(out), _) => protobuf::push_live(out, header, live, &mut self.protobuf),
            (Output::Text { text, .. }, Format::Prometheus) => {
                text::push_live::<prometheus::Prometheus>(text, header, live, &mut self.scratch)
            }
            (Output::Text { text, .. }, Format::OpenMetrics2) => {
                openmetrics2::push_live(text, header, live)
            }
            (Output::Text { text, .. }, _) => {
                text::push_live::<openmetrics::OpenMetrics>(text, header, live, &mut self.scratch)
            }
        }
    }

    pub(crate) fn finish(self) {
        match self.out {
            Output::Bytes(_) => {}
            Output::Text { mut text, target } => {
                match self.format {
                    Format::Prometheus => {
                        <prometheus::Prometheus as text::Dialect>::finish(&mut text)
                    }
                    Format::OpenMetrics2 => openmetrics2::finish(&mut text),
                    _ => <openmetrics::OpenMetrics as text::Dialect>::finish(&mut text),
                }
                if target.is_empty() {
                    *target = text.into_bytes();
                } else {
                    target.extend_from_slice(text.as_bytes());
                }
            }
        }
    }
}

/// Renders `families` in `format`, in the order given (a registry gathers them sorted by name).
pub fn encode(families: &[MetricFamily], format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(families, format, &mut out);
    out
}

/// [`encode`] for a text format, as a `String`; `Format::Protobuf` is binary, and gives the text
/// of Prometheus text 0.0.4 instead.
pub fn encode_text(families: &[MetricFamily], format: Format) -> String {
    let format = if format.is_text() {
        format
    } else {
        Format::Prometheus
    };
    String::from_utf8(encode(families, format)).expect("text formats are UTF-8")
}

/// Appends the rendering of `families` in `format` to `out`, reserving the room it needs first.
/// Reusing one `out` across scrapes (after `clear()`) keeps its capacity, so a steady exporter
/// allocates nothing at all here.
pub fn encode_into(families: &[MetricFamily], format: Format, out: &mut Vec<u8>) {
    let mut encoder = Encoder::new(format, out);
    encoder.reserve(std::iter::once(estimate_len(families)));
    for family in families {
        encoder.family(family);
    }
    encoder.finish();
}
