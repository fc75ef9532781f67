//! Rendering a registry: the fast path an exporter serves, straight from the live families,
//! with the points of the built-in families rendered as they are read rather than built first.

use std::sync::Arc;

use super::{Encoder, Representation, estimate_len, estimate_live_len};
use crate::collector::Collector;
use crate::registry::{CollectAll, Item, NameFilter, Registry};
use crate::style::Style;

/// Collects and renders every family of `registry` in `format`, appending to `out`: the same
/// bytes as `encode_into(&registry.gather(), format, out)`, without building the points of the
/// built-in families. What an exporter serves.
pub fn encode_registry(registry: &Registry, format: impl Into<Representation>, out: &mut Vec<u8>) {
    encode_registry_by(registry, None, &[], None, format.into(), out);
}

/// [`encode_registry`] for the families the filter accepts, as [`Registry::gather_filtered`]
/// selects them.
pub fn encode_registry_filtered(
    registry: &Registry,
    filter: &NameFilter,
    format: impl Into<Representation>,
    out: &mut Vec<u8>,
) {
    encode_registry_by(registry, Some(filter), &[], None, format.into(), out);
}

/// [`encode_registry`] (or [`encode_registry_filtered`], given a filter) over the registry's
/// collectors and then `extra`, with the collectors that are not live collected by
/// `collect_all` (see [`Registry::with_items_by`]): what an exporter serves under a scrape
/// deadline. The same bytes as the inline encoding when `collect_all` collects everything.
pub(crate) fn encode_registry_by(
    registry: &Registry,
    filter: Option<&NameFilter>,
    extra: &[Arc<dyn Collector>],
    collect_all: Option<CollectAll<'_>>,
    format: Representation,
    out: &mut Vec<u8>,
) {
    let keep = |name: &str, kind| filter.is_none_or(|filter| filter.accepts(name, kind));
    let style = registry.style();
    registry.with_items_by(extra, keep, collect_all, |items| {
        encode_items(items, format, style, out)
    });
}

fn encode_items(items: &[Item<'_>], format: Representation, style: Style, out: &mut Vec<u8>) {
    let mut encoder = Encoder::with_style(format, style, out);
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
}
