//! What the exporter answers: `/metrics` in the negotiated format, a landing page at `/`, and
//! clear 4xx answers for everything else.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::deadline::{SCRAPE_TIMEOUT_HEADER, collect_until};
use super::http::{Request, Response};
use super::shared::Shared;
use crate::collector::Collector;
use crate::collectors::timeout::collector_timeout_collector;
use crate::exposition::{Representation, accepts_gzip, encode_registry_by};
use crate::registry::NameFilter;
use crate::snapshot::MetricFamily;

/// The path Prometheus scrapes.
pub const METRICS_PATH: &str = "/metrics";

const LANDING_PAGE: &str = "<!DOCTYPE html>
<html>
<head><meta charset=\"utf-8\"><title>Prometheus exporter</title></head>
<body>
<h1>Prometheus exporter</h1>
<p><a href=\"/metrics\">Metrics</a></p>
</body>
</html>
";

/// The buffer a worker keeps between scrapes, so a steady scrape load does not regrow the
/// exposition text every time.
#[derive(Default)]
pub(crate) struct Scratch {
    text: Vec<u8>,
}

/// The response to one parsed request, whose head was complete at `received`.
pub(crate) fn respond(
    shared: &Shared,
    request: &Request,
    received: Instant,
    scratch: &mut Scratch,
) -> Response {
    if let Some(auth) = &shared.basic_auth {
        if !auth.accepts(request.header("authorization").as_deref()) {
            return Response::text(401, "Unauthorized")
                .with_header("WWW-Authenticate", "Basic realm=\"metrics\"");
        }
    }
    let allowed = matches!(request.method.as_str(), "GET" | "HEAD");
    match request.path.as_str() {
        METRICS_PATH | "/" if !allowed => {
            Response::text(405, "Method Not Allowed").with_header("Allow", "GET, HEAD")
        }
        METRICS_PATH => metrics(shared, request, received, scratch),
        "/" => Response {
            status: 200,
            headers: vec![("Content-Type", "text/html; charset=utf-8".into())],
            body: LANDING_PAGE.as_bytes().to_vec(),
        },
        _ => Response::text(404, "Not Found"),
    }
}

/// Renders the registry (only the families `name[]` selects, when given) in the format and name
/// escaping `Accept` asks for, straight from the live metrics, and gzips it when
/// `Accept-Encoding` allows. Under a deadline (the scrape's timeout, or the exporter's default)
/// the collectors that are not live run on the exporter's collector threads and the answer holds
/// what returned in time (see `deadline`).
///
/// `prometheus_emulator_collector_timeout_total` is in the default registry; a registry that does
/// not hold it gets the series this exporter counted added to its answer (see `deadline`).
fn metrics(
    shared: &Shared,
    request: &Request,
    received: Instant,
    scratch: &mut Scratch,
) -> Response {
    let registry = shared.registry.get();
    let names = request.query_values("name[]");
    let filter = (!names.is_empty()).then(|| NameFilter::new(&names));
    let format = Representation::negotiate(request.header("accept").as_deref());
    let own_timeouts: [Arc<dyn Collector>; 1] = [shared.collectors.own_timeouts.clone()];
    let extra = if registry.contains(collector_timeout_collector()) {
        &[][..]
    } else {
        &own_timeouts[..]
    };
    let budget = shared
        .deadline
        .budget(request.header(SCRAPE_TIMEOUT_HEADER).as_deref());
    let mut under_deadline = budget.map(|budget| {
        let deadline = received + budget;
        move |collectors: &[Arc<dyn Collector>]| -> Vec<Vec<MetricFamily>> {
            collect_until(&shared.collectors, collectors, deadline)
        }
    });
    scratch.text.clear();
    encode_registry_by(
        registry,
        filter.as_ref(),
        extra,
        under_deadline.as_mut().map(|f| f as _),
        format,
        &mut scratch.text,
    );

    let mut headers = vec![
        ("Content-Type", format.content_type().into()),
        // Caches between Prometheus and the exporter must not hand one client's format or
        // encoding to another.
        ("Vary", "Accept, Accept-Encoding".into()),
    ];
    let body = if accepts_gzip(request.header("accept-encoding").as_deref()) {
        headers.push(("Content-Encoding", "gzip".into()));
        gzip(&scratch.text)
    } else {
        scratch.text.clone()
    };
    // Keep a large buffer for the next scrape, but do not pin an outsized one forever after a
    // single huge scrape.
    if scratch.text.capacity() > 64 << 20 {
        scratch.text = Vec::new();
    }
    Response {
        status: 200,
        headers,
        body,
    }
}

/// Level 1 compresses exposition text (long runs of repeated names and labels) to within a few
/// percent of the default level at several times the speed, and a scrape's latency matters more
/// than its last kilobytes.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 8 + 64), Compression::fast());
    // Writing to a Vec cannot fail.
    encoder.write_all(data).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}
