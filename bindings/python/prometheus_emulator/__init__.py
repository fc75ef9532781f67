"""Prometheus instrumentation for Python, over the prometheus_emulator library.

Counters, gauges, histograms, summaries, info and enum metrics, registries, the Prometheus text
and OpenMetrics expositions, an HTTP exporter and a Pushgateway client. The metric engine is
the project's Rust library, loaded with ctypes (``PROMETHEUS_EMULATOR_LIB`` names another copy
of it); this package converts arguments and calls it.

Code written for ``prometheus_client`` runs unchanged when only its import line changes:

    from prometheus_emulator import Counter, Gauge, Histogram, start_http_server

    requests = Counter("http_requests_total", "Total HTTP requests", ["method"])
    requests.labels("GET").inc()
    start_http_server(8000)

and so does the seed document's style, with label values as keyword arguments and reads:

    requests.inc(method="POST")
    requests.get(method="POST")         # 1.0
"""

from . import _lib, validation  # validation applies PROMETHEUS_LEGACY_NAME_VALIDATION
from . import lifecycle  # the expiry clock tests pin (series_ttl=)
from . import (  # noqa: F401 (the modules prometheus_client's package holds, as attributes)
    core, exposition, gc_collector, metrics, metrics_core, platform_collector,
    mmap_dict, process_collector, registry, samples, utils, values,
)
from .context_managers import Timer, time_function
from .exposition import (
    CONTENT_TYPE_LATEST, CONTENT_TYPE_PLAIN_0_0_4, CONTENT_TYPE_PLAIN_1_0_0, MetricsHandler,
    delete_from_gateway, generate_latest, instance_ip_grouping_key, make_asgi_app, make_wsgi_app,
    push_to_gateway, pushadd_to_gateway, start_http_server, start_wsgi_server,
    write_to_textfile,
)
from .metrics import (
    Counter, Enum, Gauge, Histogram, Info, Summary, disable_created_metrics,
    enable_created_metrics, enum, exponential_buckets, info, linear_buckets,
)
from .metrics_core import (
    CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily, HistogramMetricFamily,
    InfoMetricFamily, Metric, StateSetMetricFamily, SummaryMetricFamily, UnknownMetricFamily,
    UntypedMetricFamily,
)
from .gc_collector import GC_COLLECTOR, GCCollector
from .platform_collector import PLATFORM_COLLECTOR, PlatformCollector
from .process_collector import PROCESS_COLLECTOR, ProcessCollector
from .registry import REGISTRY, CollectorRegistry, Registry, WrappedRegistry

__version__ = _lib.version()

__all__ = (
    "CollectorRegistry",
    "Registry",
    "WrappedRegistry",
    "REGISTRY",
    "Metric",
    "Counter",
    "Gauge",
    "Summary",
    "Histogram",
    "Info",
    "Enum",
    "info",
    "enum",
    "Timer",
    "time_function",
    "linear_buckets",
    "exponential_buckets",
    "enable_created_metrics",
    "disable_created_metrics",
    "CounterMetricFamily",
    "GaugeMetricFamily",
    "SummaryMetricFamily",
    "HistogramMetricFamily",
    "GaugeHistogramMetricFamily",
    "InfoMetricFamily",
    "StateSetMetricFamily",
    "UnknownMetricFamily",
    "UntypedMetricFamily",
    "CONTENT_TYPE_LATEST",
    "CONTENT_TYPE_PLAIN_0_0_4",
    "CONTENT_TYPE_PLAIN_1_0_0",
    "generate_latest",
    "MetricsHandler",
    "make_wsgi_app",
    "make_asgi_app",
    "start_http_server",
    "start_wsgi_server",
    "write_to_textfile",
    "push_to_gateway",
    "pushadd_to_gateway",
    "delete_from_gateway",
    "instance_ip_grouping_key",
    "ProcessCollector",
    "PROCESS_COLLECTOR",
    "PlatformCollector",
    "PLATFORM_COLLECTOR",
    "GCCollector",
    "GC_COLLECTOR",
)
