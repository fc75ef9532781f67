//! The exposition formats: Prometheus text 0.0.4 and 1.0.0, OpenMetrics 1.0, OpenMetrics 2.0
//! (see `openmetrics2.rs`) and protobuf (see `protobuf.rs`), and the content negotiation that
//! picks one and the name escaping it is written with.
//!
//! The push formats (Remote Write 1.0 and 2.0, OTLP/HTTP metrics) are in [`remote`]: request
//! bodies for the senders, encoded from the same collected families.
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
//! Names outside the legacy character sets (`http.server.duration`) are written as the
//! [`Representation`]'s [`Escaping`] says: quoted (`{"http.server.duration_bucket",le="1.0"}`,
//! `# TYPE "http.server.duration" histogram`) for a scraper that reads UTF-8 names, rewritten
//! into the legacy set for one that does not (see `text::names`). Text 1.0.0 is 0.0.4's lines
//! with that quoting; 0.0.4 quotes too when a scraper asks for it, as prometheus/common does.
//!
//! Encoding is a single pass that writes into one `String` reserved up front: no allocation per
//! sample, label blocks pre-rendered once per series, numbers formatted with `ryu` and `itoa`.

mod negotiate;
mod openmetrics;
mod openmetrics2;
pub mod parse;
mod prometheus;
mod protobuf;
mod registry;
pub mod remote;
mod text;
mod wire;

pub use crate::text::names::Escaping;
pub use crate::text::{escape, number};
pub use negotiate::accepts_gzip;
pub use openmetrics2::CONTENT_TYPE_OPENMETRICS_2;
pub use protobuf::CONTENT_TYPE_PROTOBUF;
pub(crate) use registry::encode_registry_by;
pub use registry::{encode_registry, encode_registry_filtered};

use crate::collector::LiveFamily;
use crate::snapshot::MetricFamily;
use crate::style::Style;

/// `Content-Type` of Prometheus text format 0.0.4.
pub const CONTENT_TYPE_PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of Prometheus text format 1.0.0.
pub const CONTENT_TYPE_PROMETHEUS_1: &str = "text/plain; version=1.0.0; charset=utf-8";
/// `Content-Type` of OpenMetrics 1.0.0 text.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// Prometheus text format 1.0.0: the lines of 0.0.4, with UTF-8 names quoted.
    PrometheusV1,
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
            Format::PrometheusV1 => CONTENT_TYPE_PROMETHEUS_1,
            Format::OpenMetrics => CONTENT_TYPE_OPENMETRICS,
            Format::OpenMetrics2 => CONTENT_TYPE_OPENMETRICS_2,
            Format::Protobuf => CONTENT_TYPE_PROTOBUF,
        }
    }

    /// Whether the format is text (everything but protobuf).
    pub fn is_text(self) -> bool {
        self != Format::Protobuf
    }

    /// How names are written when nobody says: escaped with underscores, which every scraper
    /// reads, except in OpenMetrics 2.0, whose names are UTF-8 (prometheus/common's defaults).
    pub fn default_escaping(self) -> Escaping {
        match self {
            Format::OpenMetrics2 => Escaping::AllowUtf8,
            _ => Escaping::Underscores,
        }
    }
}

/// A format and the escaping its names are written with: what negotiation picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Representation {
    pub format: Format,
    pub escaping: Escaping,
}

impl From<Format> for Representation {
    /// The format with its [default escaping](Format::default_escaping).
    fn from(format: Format) -> Self {
        Representation {
            format,
            escaping: format.default_escaping(),
        }
    }
}

/// Each format's `Content-Type` with each escaping, indexed by `Escaping as usize`, each ending
/// in a NUL so that the C ABI can hand them out as they are.
macro_rules! with_escaping {
    ($base:literal) => {
        [
            concat!($base, "; escaping=allow-utf-8\0"),
            concat!($base, "; escaping=underscores\0"),
            concat!($base, "; escaping=dots\0"),
            concat!($base, "; escaping=values\0"),
        ]
    };
}

const CONTENT_TYPES: [[&str; 4]; 5] = [
    with_escaping!("text/plain; version=0.0.4; charset=utf-8"),
    with_escaping!("text/plain; version=1.0.0; charset=utf-8"),
    with_escaping!("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    with_escaping!("application/openmetrics-text; version=2.0.0; charset=utf-8"),
    with_escaping!(
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
    ),
];

impl Representation {
    /// The response's `Content-Type`: the format's, and the escaping (`; escaping=underscores`)
    /// as prometheus/common announces it. Text 0.0.4 says nothing of its default underscores, so
    /// that scrapers and tests that compare the 0.0.4 type exactly still match (client_python
    /// does the same).
    pub fn content_type(self) -> &'static str {
        let with_nul = self.content_type_with_nul();
        &with_nul[..with_nul.len() - 1]
    }

    /// [`Representation::content_type`] followed by a NUL.
    pub(crate) fn content_type_with_nul(self) -> &'static str {
        if self.format == Format::Prometheus && self.escaping == Escaping::Underscores {
            return "text/plain; version=0.0.4; charset=utf-8\0";
        }
        let row = match self.format {
            Format::Prometheus => 0,
            Format::PrometheusV1 => 1,
            Format::OpenMetrics => 2,
            Format::OpenMetrics2 => 3,
            Format::Protobuf => 4,
        };
        CONTENT_TYPES[row][self.escaping as usize]
    }
}

pub(crate) use text::{estimate_len, estimate_live_len};

/// An exposition written family by family, for [`encode_registry`].
pub(crate) struct Encoder<'a> {
    format: Format,
    escaping: Escaping,
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
    pub(crate) fn new(representation: Representation, out: &'a mut Vec<u8>) -> Self {
        Self::with_style(representation, Style::default(), out)
    }

    /// An encoder writing the text formats in `style` (number style, `_created` series); the
    /// family order is the caller's.
    pub(crate) fn with_style(
        representation: Representation,
        style: Style,
        out: &'a mut Vec<u8>,
    ) -> Self {
        let Representation { format, escaping } = representation;
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
            escaping,
            out,
            scratch: text::Scratch::with_style(escaping, style),
            protobuf: protobuf::Scratch::new(escaping),
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
            (Output::Text { text, .. }, Format::Prometheus | Format::PrometheusV1) => {
                text::push_family::<prometheus::Prometheus>(text, family, &mut self.scratch)
            }
            (Output::Text { text, .. }, Format::OpenMetrics2) => {
                openmetrics2::push_family(text, family, self.escaping)
            }
            (Output::Text { text, .. }, _) => {
                text::push_family::<openmetrics::OpenMetrics>(text, family, &mut self.scratch)
            }
        }
    }

    pub(crate) fn live(&mut self, header: &MetricFamily, live: &dyn LiveFamily) {
        match (&mut self.out, self.format) {
            (Output::Bytes(out), _) => protobuf::push_live(out, header, live, &mut self.protobuf),
            (Output::Text { text, .. }, Format::Prometheus | Format::PrometheusV1) => {
                text::push_live::<prometheus::Prometheus>(text, header, live, &mut self.scratch)
            }
            (Output::Text { text, .. }, Format::OpenMetrics2) => {
                openmetrics2::push_live(text, header, live, self.escaping)
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
                    Format::Prometheus | Format::PrometheusV1 => {
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

/// Renders `families` in `format` (a [`Format`] with its default escaping, or a
/// [`Representation`]), in the order given (a registry gathers them sorted by name).
pub fn encode(families: &[MetricFamily], format: impl Into<Representation>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(families, format, &mut out);
    out
}

/// [`encode`] for a text format, as a `String`; `Format::Protobuf` is binary, and gives the text
/// of Prometheus text 0.0.4 instead.
pub fn encode_text(families: &[MetricFamily], format: impl Into<Representation>) -> String {
    let mut representation = format.into();
    if !representation.format.is_text() {
        representation.format = Format::Prometheus;
    }
    String::from_utf8(encode(families, representation)).expect("text formats are UTF-8")
}

/// Appends the rendering of `families` in `format` to `out`, reserving the room it needs first.
/// Reusing one `out` across scrapes (after `clear()`) keeps its capacity, so a steady exporter
/// allocates nothing at all here.
pub fn encode_into(
    families: &[MetricFamily],
    format: impl Into<Representation>,
    out: &mut Vec<u8>,
) {
    let mut encoder = Encoder::new(format.into(), out);
    encoder.reserve(std::iter::once(estimate_len(families)));
    for family in families {
        encoder.family(family);
    }
    encoder.finish();
}
