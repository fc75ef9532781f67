"""The Python garbage collector's statistics, as prometheus_client exposes them.

``GC_COLLECTOR`` is registered in ``REGISTRY``: ``python_gc_objects_collected_total``,
``python_gc_objects_uncollectable_total`` and ``python_gc_collections_total`` per generation, read
from ``gc.get_stats()`` at each collection (CPython only).
"""

import gc
import platform

from .metrics_core import CounterMetricFamily
from .metrics_core import Metric  # noqa: F401 (as theirs)
from .registry import REGISTRY, Collector, CollectorRegistry  # noqa: F401

__all__ = ["GCCollector", "GC_COLLECTOR"]


class GCCollector(Collector):
    """Collector of garbage collection statistics."""

    def __init__(self, registry=REGISTRY):
        if not hasattr(gc, "get_stats") or platform.python_implementation() != "CPython":
            return
        if registry:
            registry.register(self)

    def collect(self):
        collected = CounterMetricFamily(
            "python_gc_objects_collected", "Objects collected during gc", labels=["generation"])
        uncollectable = CounterMetricFamily(
            "python_gc_objects_uncollectable", "Uncollectable objects found during GC",
            labels=["generation"])
        collections = CounterMetricFamily(
            "python_gc_collections", "Number of times this generation was collected",
            labels=["generation"])
        for generation, stats in enumerate(gc.get_stats()):
            collected.add_metric([str(generation)], value=stats["collected"])
            uncollectable.add_metric([str(generation)], value=stats["uncollectable"])
            collections.add_metric([str(generation)], value=stats["collections"])
        return [collected, uncollectable, collections]


GC_COLLECTOR = GCCollector()
"""The GCCollector registered in REGISTRY."""
