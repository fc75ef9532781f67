//! The text exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0, and the content
//! negotiation that picks one.
//!
//! [`encode`] renders collected families (what [`Registry::gather`](crate::Registry::gather)
//! returns) in either format, byte for byte as the specs write them:
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
mod prometheus;
mod registry;
mod text;

pub use crate::text::{escape, number};
pub use negotiate::accepts_gzip;
pub use registry::{encode_registry, encode_registry_filtered};

use crate::collector::LiveFamily;
use crate::snapshot::MetricFamily;

/// `Content-Type` of Prometheus text format 0.0.4.
pub const CONTENT_TYPE_PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of OpenMetrics 1.0.0 text.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A text exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text format.
    OpenMetrics,
}

impl Format {
    /// The exact `Content-Type` this format prescribes.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => CONTENT_TYPE_PROMETHEUS,
            Format::OpenMetrics => CONTENT_TYPE_OPENMETRICS,
        }
    }
}

pub(crate) use text::{estimate_len, estimate_live_len};

/// An exposition written family by family, for [`encode_registry`].
pub(crate) struct Encoder<'a> {
    format: Format,
    out: &'a mut String,
    scratch: text::Scratch,
}

impl<'a> Encoder<'a> {
    pub(crate) fn new(format: Format, out: &'a mut String) -> Self {
        Encoder {
            format,
            out,
            scratch: text::Scratch::default(),
        }
    }

    pub(crate) fn reserve(&mut self, sizes: impl Iterator<Item = usize>) {
        self.out.reserve(sizes.sum());
    }

    pub(crate) fn family(&mut self, family: &MetricFamily) {
        match self.format {
            Format::Prometheus => {
                text::push_family::<prometheus::Prometheus>(self.out, family, &mut self.scratch)
            }
            Format::OpenMetrics => {
                text::push_family::<openmetrics::OpenMetrics>(self.out, family, &mut self.scratch)
            }
        }
    }

    pub(crate) fn live(&mut self, header: &MetricFamily, live: &dyn LiveFamily) {
        match self.format {
            Format::Prometheus => {
                text::push_live::<prometheus::Prometheus>(self.out, header, live, &mut self.scratch)
            }
            Format::OpenMetrics => text::push_live::<openmetrics::OpenMetrics>(
                self.out,
                header,
                live,
                &mut self.scratch,
            ),
        }
    }

    pub(crate) fn finish(self) {
        match self.format {
            Format::Prometheus => <prometheus::Prometheus as text::Dialect>::finish(self.out),
            Format::OpenMetrics => <openmetrics::OpenMetrics as text::Dialect>::finish(self.out),
        }
    }
}

/// Renders `families` in `format`, in the order given (a registry gathers them sorted by name).
pub fn encode(families: &[MetricFamily], format: Format) -> String {
    let mut out = String::new();
    encode_into(families, format, &mut out);
    out
}

/// Appends the rendering of `families` in `format` to `out`, reserving the room it needs first.
/// Reusing one `out` across scrapes (after `clear()`) keeps its capacity, so a steady exporter
/// allocates nothing at all here.
pub fn encode_into(families: &[MetricFamily], format: Format, out: &mut String) {
    match format {
        Format::Prometheus => text::encode::<prometheus::Prometheus>(families, out),
        Format::OpenMetrics => text::encode::<openmetrics::OpenMetrics>(families, out),
    }
}
