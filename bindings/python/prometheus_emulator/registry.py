"""Registries: the sets of collectors exposed together.

``CollectorRegistry`` is prometheus_client's registry over a library ``pe_registry``: metrics
register their own families in it, custom collectors (objects with ``collect()``) are bridged in
as library collectors, and ``collect()`` yields ``Metric`` families read from the library's
snapshot. ``REGISTRY`` is the library's process-wide default registry, which every metric joins
unless given another.

``Registry`` is the seed document's registry: the same, except that its ``collect()`` returns the
Prometheus text exposition as a ``str``.
"""

import threading
from ctypes import byref, c_size_t, c_void_p

from . import _bridge, _lib, _snapshot
from ._lib import DuplicateTimeseries, lib

__all__ = [
    "CollectorRegistry", "Registry", "RestrictedRegistry", "REGISTRY", "Collector",
    "DuplicateTimeseries",
]


class Collector:
    """What a registry collects: anything with a ``collect()`` yielding ``Metric`` families.

    Subclassing is optional; the class documents the protocol, as prometheus_client's does.
    """

    def collect(self):
        """Yields the collector's ``Metric`` families."""
        return []


class _TargetInfo:
    """A registry's ``target_info`` metric: an info family of the library, registered as the
    metrics of ``metrics.py`` are."""

    __slots__ = ("_handle",)

    def __init__(self, labels):
        options, _names = _lib.opts("target", "Target metadata")
        self._handle = c_void_p()
        lib.pe_info_new_opts(byref(options), byref(self._handle))
        names = _lib.str_array(list(labels))
        values = _lib.str_array([labels[name] for name in labels])
        lib.pe_info_set(self._handle, names, values, len(labels))

    def __del__(self, _free=lib.pe_info_free):
        handle = getattr(self, "_handle", None)
        if handle:
            _free(handle)

    def _register_in(self, registry):
        lib.pe_registry_register_info(registry._handle, self._handle)

    def _unregister_from(self, registry):
        lib.pe_registry_unregister_info(registry._handle, self._handle)


class CollectorRegistry:
    """A registry of collectors, exposed together.

    ``register`` takes metrics (``Counter``, ``Gauge``...) and custom collectors. Registering
    the same collector twice does nothing; a metric whose names clash with another collector's
    raises ``ValueError``. ``auto_describe`` and ``support_collectors_without_names`` are
    accepted for compatibility: the library checks metric names itself, and custom collectors
    are never checked for clashes (same-named families they yield are merged at exposition).
    """

    def __init__(self, auto_describe=False, target_info=None,
                 support_collectors_without_names=False, *, _handle=None):
        if _handle is None:
            _handle = c_void_p()
            lib.pe_registry_new(byref(_handle))
        self._handle = _handle
        self._lock = threading.RLock()
        self._collectors = {}  # collector -> its CollectorBridge, or None for our own metrics
        self._auto_describe = auto_describe
        self._target_info = None
        self._target_info_metric = None
        if target_info:
            self.set_target_info(target_info)

    def __del__(self, _free=lib.pe_registry_free):
        handle = getattr(self, "_handle", None)
        if handle:
            _free(handle)

    def register(self, collector):
        """Adds a collector to the registry; registering the same one again does nothing."""
        with self._lock:
            if collector in self._collectors:
                return
            register_in = getattr(collector, "_register_in", None)
            if register_in is not None:
                register_in(self)
                self._collectors[collector] = None
            else:
                bridge = _bridge.CollectorBridge(collector)
                lib.pe_registry_register_collector(self._handle, bridge.handle)
                self._collectors[collector] = bridge

    def unregister(self, collector):
        """Removes a collector from the registry; KeyError when it is not registered."""
        with self._lock:
            bridge = self._collectors.pop(collector)
            if bridge is None:
                collector._unregister_from(self)
            else:
                lib.pe_registry_unregister_collector(self._handle, bridge.handle)

    def collect(self):
        """Yields the registry's ``Metric`` families, sorted by name, from one snapshot."""
        yield from _snapshot.collect(self._handle)

    def restricted_registry(self, names):
        """A view that collects only the families selected by one of ``names``.

        A family is selected by its name or any of its sample names, as the ``name[]`` query
        parameter of a scrape selects it; ``collect()`` keeps only the named samples.
        """
        return RestrictedRegistry(names, self)

    def set_target_info(self, labels):
        """Sets (or with None, removes) the labels of the registry's ``target_info`` metric."""
        with self._lock:
            if self._target_info_metric is not None:
                self.unregister(self._target_info_metric)
                self._target_info_metric = None
            if labels:
                metric = _TargetInfo(labels)
                self.register(metric)
                self._target_info_metric = metric
            self._target_info = dict(labels) if labels else None

    def get_target_info(self):
        """The labels of the registry's ``target_info`` metric, or None."""
        with self._lock:
            return self._target_info

    def get_sample_value(self, name, labels=None):
        """The value of the sample with this full name and exactly these labels, or None.

        Meant for tests, as in prometheus_client.
        """
        if labels is None:
            labels = {}
        for metric in _snapshot.collect_filtered(self._handle, [name]):
            for sample in metric.samples:
                if sample.name == name and sample.labels == labels:
                    return sample.value
        return None

    def _expose(self, format_code, names=None):
        """The text exposition of the registry (only the selected families when ``names``)."""
        text = c_void_p()
        length = c_size_t()
        if names is None:
            _bridge.call_collecting(
                lib.pe_registry_expose, self._handle, format_code, byref(text), byref(length))
        else:
            encoded = _lib.str_array(names)
            _bridge.call_collecting(
                lib.pe_registry_expose_filtered, self._handle, format_code, encoded, len(names),
                byref(text), byref(length))
        return _lib.take_string(text, length.value)


class RestrictedRegistry:
    """A registry seen through a list of names (see ``CollectorRegistry.restricted_registry``)."""

    def __init__(self, names, registry):
        self._name_set = set(names)
        self._registry = registry

    def collect(self):
        """Yields the selected families, keeping only the samples named in the list."""
        for metric in _snapshot.collect_filtered(self._registry._handle, sorted(self._name_set)):
            restricted = metric._restricted_metric(self._name_set)
            if restricted is not None:
                yield restricted

    def _expose(self, format_code, names=None):
        selected = sorted(self._name_set if names is None else self._name_set.intersection(names))
        return self._registry._expose(format_code, selected)


class Registry(CollectorRegistry):
    """The seed document's registry: ``collect()`` returns the text exposition as a ``str``.

    Everything else is ``CollectorRegistry``: metrics are registered with ``register``, removed
    with ``unregister``, and the registry can be served with ``start_http_server(port, registry)``
    or pushed with ``push_to_gateway``.
    """

    def collect(self):
        """The Prometheus text exposition (format 0.0.4) of every registered metric."""
        return self._expose(_lib.PE_FORMAT_PROMETHEUS).decode("utf-8")

    def collect_families(self):
        """Yields the registry's ``Metric`` families, as ``CollectorRegistry.collect`` does."""
        return CollectorRegistry.collect(self)


def _default_registry():
    handle = c_void_p()
    lib.pe_registry_default(byref(handle))
    return CollectorRegistry(_handle=handle)


def expose(collector, format_code, names=None):
    """The text exposition of a registry, a restricted registry, or any collector."""
    if isinstance(collector, (CollectorRegistry, RestrictedRegistry)):
        return collector._expose(format_code, names)
    # Any object with collect(): expose it through a registry of its own, as prometheus_client's
    # generate_latest accepts any collector.
    registry = CollectorRegistry()
    registry.register(collector)
    return registry._expose(format_code, names)


REGISTRY = _default_registry()
