//! Rendering a registry: the fast path an exporter serves, straight from the live families,
//! with the points of the built-in families rendered as they are read rather than built first.

use super::{Encoder, Representation, estimate_len, estimate_live_len};
use crate::registry::{Item, NameFilter, Registry};
use crate::snapshot::MetricType;

/// Collects and renders every family of `registry` in `format`, appending to `out`: the same
/// bytes as `encode_into(&registry.gather(), format, out)`, without building the points of the
/// built-in families. What an exporter serves.
pub fn encode_registry(registry: &Registry, format: impl Into<Representation>, out: &mut Vec<u8>) {
    encode_where(registry, format.into(), out, |_, _| true);
}

/// [`encode_registry`] for the families the filter accepts, as [`Registry::gather_filtered`]
/// selects them.
pub fn encode_registry_filtered(
    registry: &Registry,
    filter: &NameFilter,
    format: impl Into<Representation>,
    out: &mut Vec<u8>,
) {
    encode_where(registry, format.into(), out, |name, kind| {
        filter.accepts(name, kind)
    });
}

fn encode_where(
    registry: &Registry,
    format: Representation,
    out: &mut Vec<u8>,
    keep: impl Fn(&str, MetricType) -> bool,
) {
    registry.with_items(keep, |items| {
        let mut encoder = Encoder::new(format, out);
        encoder.reserve(items.iter().map(|item| match item {
            Item::Live(live, header) => {
                let (points, label_len) = live.size_hint();
                estimate_live_len(header, points, label_len)
            }
            Item::Collected(family) => estimate_len(std::slice::from_ref(family)),
        }));
        for item in items {
            match item {
                Item::Live(live, header) => encoder.live(header, *live),
                Item::Collected(family) => encoder.family(family),
            }
        }
        encoder.finish();
    })
}
