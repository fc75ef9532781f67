"""Registries: the sets of collectors exposed together.

``CollectorRegistry`` is prometheus_client's registry over a library ``pe_registry``: metrics
register their own families in it, custom collectors (objects with ``collect()``) are bridged in
as library collectors, and ``collect()`` yields ``Metric`` families read from the library's
snapshot. ``REGISTRY`` is the library's process-wide default registry, which every metric joins
unless given another.

Every registry made here, and ``REGISTRY``, is written in client_python's exposition style (see
``_style``), so its expositions are prometheus_client's bytes; a wrapped view has its root's.

``Registry`` is the seed document's registry: the same, except that its ``collect()`` returns the
Prometheus text exposition as a ``str``.

``WrappedRegistry`` (from ``registry.wrapped(prefix, labels)``) is a view of a registry, as
client_golang's ``WrapRegistererWithPrefix`` and ``WrapRegistererWith``: what is registered
through it lands in the registry with the prefix on its family names and the labels in front of
its own; collecting or exposing the view collects or exposes that registry.
"""

import threading
from ctypes import byref, c_size_t, c_void_p

from . import _bridge, _lib, _snapshot, _style
from ._lib import DuplicateTimeseries, lib
from .metrics_core import Metric  # noqa: F401 (what collect() yields, importable here as theirs)

__all__ = [
    "CollectorRegistry", "Registry", "RestrictedRegistry", "WrappedRegistry", "REGISTRY",
    "Collector", "DuplicateTimeseries",
]


# The sample names each type of family adds to its own name, which registration checks.
_SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "summary": ("_sum", "_count", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "info": ("_info",),
}


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
    raises ``ValueError`` (``DuplicateTimeseries``). A custom collector is checked as
    prometheus_client checks it: by the names its ``describe()`` announces, or with
    ``auto_describe`` by those its ``collect()`` yields; one without either is not checked
    (same-named families it yields are merged at exposition).
    ``support_collectors_without_names`` is accepted for compatibility: every custom collector
    is collected, restricted registries included.

    ``legacy_validation=True`` makes the registry refuse metrics whose metric or label names are
    outside the legacy character sets, whatever the process-wide setting
    (``prometheus_emulator.validation``); see ``set_legacy_validation``.
    """

    def __init__(self, auto_describe=False, target_info=None,
                 support_collectors_without_names=False, *, legacy_validation=None,
                 _handle=None):
        own = _handle is None
        if own:
            _handle = c_void_p()
            lib.pe_registry_new(byref(_handle))
        self._handle = _handle
        if own:
            _style.adopt(self)  # prometheus_client's bytes; a wrapped view has its root's
        if legacy_validation is not None:
            self.set_legacy_validation(legacy_validation)
        self._lock = threading.Lock()
        self._collectors = {}  # collector -> its CollectorBridge, or None for our own metrics
        self._names_to_collectors = {}  # sample name -> the custom collector that described it
        self._auto_describe = auto_describe
        self._target_info = None
        self._target_info_metric = None
        if target_info:
            self.set_target_info(target_info)

    def __del__(self, _free=lib.pe_registry_free):
        handle = getattr(self, "_handle", None)
        if handle:
            _free(handle)

    def set_legacy_validation(self, enabled):
        """Which names the registry takes in metrics registered from now on.

        True refuses (``ValueError``) metrics with a metric or label name outside the legacy
        character sets, False takes any name the metric was made with, and None follows the
        process-wide setting (``prometheus_emulator.validation``), the default.

        prometheus_client has only the process-wide switch. A registry of its own is for the
        program that serves UTF-8 names to its own Prometheus but also feeds a consumer that
        predates them (an old Pushgateway, a textfile collector): that registry keeps the
        legacy rule without changing it for every other metric of the process. It is a method
        as well as a constructor keyword because ``REGISTRY`` is made by the package. Names are
        first checked when a metric is made, with the process-wide setting, so a registry can
        be stricter than that setting, not looser; collectors registered before stay.
        """
        if enabled is None:
            scheme = _lib.PE_NAME_VALIDATION_DEFAULT
        elif enabled:
            scheme = _lib.PE_NAME_VALIDATION_LEGACY
        else:
            scheme = _lib.PE_NAME_VALIDATION_UTF8
        lib.pe_registry_set_name_validation(self._handle, scheme)

    def register(self, collector):
        """Adds a collector to the registry; registering the same one again does nothing.

        A custom collector with a ``describe()`` method (or any custom collector, with
        ``auto_describe``) is refused with ``DuplicateTimeseries`` when a sample name it
        describes is another described collector's or already in the registry.
        """
        with self._lock:
            self._register(collector)

    def _register(self, collector):
        if collector in self._collectors:
            return
        # Looked up on the type: a mock collector answers any attribute asked of it.
        if getattr(type(collector), "_register_in", None) is not None:
            collector._register_in(self)
            self._collectors[collector] = None
            return
        names = self._described_names(collector)
        if names:
            taken = set(self._names_to_collectors)
            taken.update(sample.name for family in _snapshot.collect(self._handle)
                         for sample in family.samples)
            duplicates = taken.intersection(names)
            if duplicates:
                raise DuplicateTimeseries(duplicates)
        bridge = _bridge.CollectorBridge(collector)
        lib.pe_registry_register_collector(self._handle, bridge.handle)
        self._collectors[collector] = bridge
        for name in names:
            self._names_to_collectors[name] = collector

    def _described_names(self, collector):
        """The sample names a custom collector's ``describe()`` (with ``auto_describe``, its
        ``collect()``) announces, as prometheus_client reads them; [] without either."""
        describe = getattr(collector, "describe", None)
        if describe is None and self._auto_describe:
            describe = collector.collect
        if describe is None:
            return []
        names = []
        for family in describe():
            names.append(family.name)
            names.extend(family.name + suffix for suffix in _SAMPLE_SUFFIXES.get(family.type, ()))
        return names

    def unregister(self, collector):
        """Removes a collector from the registry; KeyError when it is not registered."""
        with self._lock:
            self._unregister(collector)

    def _unregister(self, collector):
        bridge = self._collectors.pop(collector)
        if bridge is None:
            collector._unregister_from(self)
        else:
            lib.pe_registry_unregister_collector(self._handle, bridge.handle)
            for name in [name for name, owner in self._names_to_collectors.items()
                         if owner is collector]:
                del self._names_to_collectors[name]

    def collect(self):
        """Yields the registry's ``Metric`` families, in registration order, from one snapshot."""
        yield from _snapshot.collect(self._handle)

    def restricted_registry(self, names):
        """A view that collects only the families selected by one of ``names``.

        A family is selected by its name or any of its sample names, as the ``name[]`` query
        parameter of a scrape selects it; ``collect()`` keeps only the named samples.
        """
        return RestrictedRegistry(names, self)

    def wrapped(self, prefix="", labels=None):
        """A view of this registry that prefixes and labels what is registered through it.

            shard = REGISTRY.wrapped("shard_", {"shard": "3"})
            Counter("jobs_total", "Jobs.", ["kind"], registry=shard).labels("x").inc()
            # REGISTRY exposes shard_jobs_total{shard="3",kind="x"} 1.0

        Pass the view as ``registry=`` to a metric, or to ``register()`` and ``unregister()``
        (with custom collectors too). ``prefix`` goes in front of every family name, and
        ``labels`` (a dict of label name to value, values converted with ``str``) in front of
        every series' labels; None is no prefix, no labels. A metric that already has one of
        those labels, or whose prefixed name is not valid, is refused with ValueError; names
        are checked for clashes in this registry, as for any registration. Views of views add
        their prefixes and labels outermost last.

        The view holds nothing of its own: ``collect()``, ``generate_latest(view)`` and the
        exporter given the view show this whole registry (the root of the views). The view
        keeps this registry's library registry alive.
        """
        return WrappedRegistry(self, prefix, labels)

    def set_target_info(self, labels):
        """Sets (or with None, removes) the labels of the registry's ``target_info`` metric."""
        with self._lock:
            if self._target_info_metric is not None:
                self._unregister(self._target_info_metric)
                self._target_info_metric = None
            if labels:
                metric = _TargetInfo(labels)
                self._register(metric)
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
        # Every family, as collect() yields them: a custom collector's as it yielded them
        # (gauge histograms and bucket bounds as written included).
        for metric in self.collect():
            for sample in metric.samples:
                if sample.name == name and sample.labels == labels:
                    return sample.value
        return None

    def _expose(self, format_code, names=None, escaping=None):
        """The exposition of the registry (only the selected families when ``names``), with
        names written with the ``PE_ESCAPING_*`` code ``escaping`` (None: the format's
        default)."""
        text = c_void_p()
        length = c_size_t()
        if names is None:
            if escaping is None:
                arguments = (lib.pe_registry_expose, self._handle, format_code)
            else:
                arguments = (lib.pe_registry_expose_escaped, self._handle, format_code, escaping)
        else:
            encoded = _lib.str_array(names)
            if escaping is None:
                arguments = (lib.pe_registry_expose_filtered, self._handle, format_code)
            else:
                arguments = (lib.pe_registry_expose_filtered_escaped, self._handle, format_code,
                             escaping)
            arguments += (encoded, len(names))
        _bridge.call_collecting(*arguments, byref(text), byref(length))
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

    def _expose(self, format_code, names=None, escaping=None):
        selected = sorted(self._name_set if names is None else self._name_set.intersection(names))
        return self._registry._expose(format_code, selected, escaping)


class WrappedRegistry(CollectorRegistry):
    """A registry seen through a prefix and labels (see ``CollectorRegistry.wrapped``).

    ``parent``, ``prefix`` and ``labels`` say what the view was made from.
    """

    def __init__(self, parent, prefix="", labels=None):
        if not isinstance(parent, CollectorRegistry):
            raise TypeError(f"a wrapped registry's parent must be a CollectorRegistry, not "
                            f"{parent!r}")
        if prefix is None:
            prefix = ""
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str or None, not {prefix!r}")
        names, values = _lib.label_pairs(labels, "labels")
        handle = c_void_p()
        lib.pe_registry_wrap(parent._handle, _lib.encode(prefix), names, values, len(names),
                             byref(handle))
        super().__init__(_handle=handle)
        self.parent = parent
        self.prefix = prefix
        self.labels = {name.decode(): value.decode() for name, value in zip(names, values)}

    def __repr__(self):
        return (f"{type(self).__module__}.{type(self).__name__}(prefix={self.prefix!r}, "
                f"labels={self.labels!r})")


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
    registry = CollectorRegistry(_handle=handle)
    _style.adopt(registry)
    return registry


def expose(collector, format_code, names=None, escaping=None):
    """The exposition of a registry, a restricted registry, or any collector, with names
    written with the ``PE_ESCAPING_*`` code ``escaping`` (None: the format's default)."""
    if isinstance(collector, (CollectorRegistry, RestrictedRegistry)):
        return collector._expose(format_code, names, escaping)
    # Any object with collect(): expose it through a registry of its own, as prometheus_client's
    # generate_latest accepts any collector.
    registry = CollectorRegistry()
    registry.register(collector)
    return registry._expose(format_code, names, escaping)


REGISTRY = _default_registry()
