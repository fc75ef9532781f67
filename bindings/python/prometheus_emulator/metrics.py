"""Counter, Gauge, Histogram, Summary, Info and Enum over the library's metric families.

Each class is prometheus_client's, with the same constructor (``name, documentation,
labelnames=(), namespace='', subsystem='', unit='', registry=REGISTRY`` plus ``buckets`` or
``states``), ``labels()``, ``remove()``, ``clear()``, ``collect()`` and update methods. An object is
either a *family* (what the constructor returns) or a *child*: the series of one tuple of label
values, returned (and cached) by ``family.labels(...)``. A family without label names is itself
its one series.

The seed document's style works too: ``labels=[...]`` names the labels, label values can be
passed as keyword arguments to ``inc``, ``dec``, ``set``, ``observe`` and the reads (``get``,
``get_count``, ``get_sum``, ``get_quantile``), and a read without label values on a labelled family
returns the sum over its children.

Every class also takes ``max_series`` and ``overflow`` (keyword only), the library's cardinality
cap: a labelled family holds at most ``max_series`` children (None, the default: no limit). A new
label set beyond the cap goes, with ``overflow="fold"`` (the default), to one overflow child
whose every label value is ``"__overflow__"`` (``labels()`` returns that child), or, with
``overflow="refuse"``, raises ValueError with the library's message and changes nothing. Either
way ``prometheus_emulator_series_dropped_total{family="<name>"}`` in the default registry counts
it. A family without labels accepts both and ignores them, as the library does. A folding family
does not cache its children: each ``labels()`` asks the library, which counts every label set it
folds and gives a label set its own child once there is room again.

``series_ttl`` (keyword only, seconds or a ``datetime.timedelta``; None or 0, the default: never)
expires idle children: a child not updated for that long is removed at the next collection of
the family, or when the family next creates a child and has not swept for half the TTL (counted
from the first collection that found it idle, so it goes between one TTL and one TTL plus one
collection interval after its last update). A family without labels keeps its one series. A
child object the program still holds is hidden instead of removed, and its next update shows it
again at its value; a child nobody holds is freed, and the same label values later start from
zero. So that the children can be freed, a family with a TTL does not cache them either: each
``labels()`` asks the library. ``prometheus_emulator.lifecycle`` pins the clock expiry reads,
for tests.

``const_labels`` (keyword only, a dict of label name to value) are labels every series of the
family carries with the same value, written before the variable ones
(``queue_depth{service="api",queue="mail"} 7.0``). Their names are checked as label names are,
and may not repeat one of ``labelnames`` (ValueError).

Multi-process mode: a metric of any type made while
``PROMETHEUS_MULTIPROC_DIR`` is set keeps its values in the shared store of that directory (see
``prometheus_emulator.multiprocess``), a ``Gauge`` combining the processes' values by its
``multiprocess_mode``. The variable is read when each metric is made, so setting it after the
import works. What the store cannot hold stays in the process and out of a
``MultiProcessCollector``: a summary or a native histogram whenever the library refuses to put
it in the store.

Every value, bucket, quantile and name rule lives in the library: this module only converts
arguments and calls it. The hot calls (``inc``, ``set``, ``observe`` on a series) go straight to a
pre-bound library function with a prebuilt handle, and raise only when the library refuses.
"""

import datetime
import inspect
import math
import operator
import re
import sys
import time
import types
from ctypes import byref, c_bool, cast, c_char_p, c_double, c_size_t, c_uint64, c_void_p, sizeof

from . import _bridge, _lib, _snapshot, _store, _style, values  # noqa: F401 (values: as theirs)
from ._lib import lib
from .context_managers import ExceptionCounter, InprogressTracker, Timer
from .metrics_core import Metric
from .registry import REGISTRY, Collector, CollectorRegistry  # noqa: F401
from .samples import Exemplar, Sample  # noqa: F401 (importable here, as theirs)
from .utils import INF, floatToGoString  # noqa: F401 (importable from here, as theirs)

__all__ = [
    "Counter", "Gauge", "Histogram", "Summary", "Info", "Enum", "info", "enum",
    "linear_buckets", "exponential_buckets", "disable_created_metrics", "enable_created_metrics",
]

_error = _lib.error

_NEGATIVE_INCREMENT = "Counters can only be incremented by non-negative amounts."

# prometheus_client's wording for what the library refuses when a metric is made: (pattern of
# the library's message, wording), the wording formatted with the pattern's groups and the full
# name; the library's message follows in parentheses.
_CONSTRUCTOR_WORDINGS = (
    (re.compile(r'invalid metric name "": '), "Metric name should not be empty"),
    (re.compile(r'invalid metric name "(.*?)": '), "invalid metric name {0}"),
    (re.compile(r'invalid label name "(.*?)": [^"]*reserved'), "Reserved label metric name: {0}"),
    (re.compile(r'invalid label name "(.*?)": a state set exposes'),
     "Overlapping labels for Enum metric: {name}"),
    (re.compile(r'invalid label name "(.*?)"'), "Invalid label metric name: {0}"),
    (re.compile(r"needs at least one state"), "No states provided for Enum metric: {name}"),
    (re.compile(r"cannot have a unit"),
     "Metric name is of a type that cannot have a unit: {name}"),
    (re.compile(r"buckets must be strictly increasing"), "Buckets not in sorted order"),
)


def _worded(error, name, namespace, subsystem, unit):
    """The ValueError the library raised making a metric, worded as prometheus_client's."""
    detail = str(error)
    full_name = "_".join(part for part in (namespace, subsystem, name) if part)
    if unit and not full_name.endswith("_" + unit):
        full_name += "_" + unit
    for pattern, wording in _CONSTRUCTOR_WORDINGS:
        match = pattern.search(detail)
        if match:
            return ValueError(f"{wording.format(*match.groups(), name=full_name)} ({detail})")
    return error
_ONE = c_double(1.0)
# The cell protocol this binding follows (PE_CELL_PROTOCOL in the header).
_CELL_PROTOCOL = 1

_AMOUNTS = {1: _ONE}  # amount -> its c_double, for the amounts a program uses over and over
_AMOUNTS_MAX = 256


def _amount(value):
    """``value`` as a ``c_double``, reusing the few a program increments by again and again
    (ctypes objects are passed by value, so one object serves every call)."""
    amount = _AMOUNTS.get(value)
    if amount is None:
        amount = c_double(value)
        if len(_AMOUNTS) < _AMOUNTS_MAX and value == value:  # NaN is never found again
            _AMOUNTS[value] = amount
    return amount


# The hot library calls, without argtypes: they take a c_void_p handle and a c_double.
_counter_inc = lib.fast_pe_counter_inc
_gauge_set = lib.fast_pe_gauge_set
_gauge_inc = lib.fast_pe_gauge_inc
_gauge_dec = lib.fast_pe_gauge_dec
_histogram_observe = lib.fast_pe_histogram_observe
_summary_observe = lib.fast_pe_summary_observe


class _Kind:
    """The library functions of one metric type (``pe_counter_*``, ``pe_gauge_*``...)."""

    def __init__(self, prefix, registry_suffix):
        self.labels = getattr(lib, f"pe_{prefix}_labels")
        self.free = getattr(lib, f"pe_{prefix}_free")
        self.remove = getattr(lib, f"pe_{prefix}_remove")
        self.remove_matching = getattr(lib, f"pe_{prefix}_remove_matching")
        self.clear = getattr(lib, f"pe_{prefix}_clear")
        self.register = getattr(lib, f"pe_registry_register_{registry_suffix}")
        self.unregister = getattr(lib, f"pe_registry_unregister_{registry_suffix}")


class MetricWrapperBase:
    """What every metric shares: construction, registration, children, collection.

    Not instantiated directly: use ``Counter``, ``Gauge``, ``Histogram``, ``Summary``, ``Info``
    or ``Enum``.
    """

    __slots__ = (
        "_handle",         # c_void_p: the library handle of this family or child
        "_parent",         # the family of a child; None for a family
        "_labelnames",     # tuple of label names
        "_labelvalues",    # tuple of label values of a child; () for a family
        "_children",       # family with labels: label values -> child; otherwise None
        "_by_keywords",    # family with labels: tuple(kwargs.items()) -> child, for the seed's
                           # keyword style; otherwise None
        "_registries",     # registries the family is registered in
        "_documentation",
        "_options",        # (name, namespace, subsystem, unit) as given to the constructor
        "_collector",      # a CollectorBridge standing in for the family (Gauge.set_function)
        "_own_registry",   # a registry holding only this family, for collect() and describe()
        "_caches",         # whether labels() keeps the children it returns (not when the family
                           # folds label sets beyond max_series: the library decides each time;
                           # not with a series_ttl: a cached child would never be freed)
        "_shared_store",   # the address of the shared store holding the values; None: here
        "__weakref__",
    )

    _type = "unknown"
    _kind = None              # the _Kind of the subclass
    _in_store = True          # whether PROMETHEUS_MULTIPROC_DIR puts the family in the store
    _multiprocess_mode = "all"  # the pe_gauge_mode passed with a store (gauges only)
    _time_with = "observe"    # what time() calls with the duration
    _series_class = None      # the class of single series, set on each public class

    def __new__(cls, name=None, documentation=None, labelnames=(), *args, labels=None, **kwargs):
        # A family without labels, and every child, is one series: it gets the series class of
        # its type, whose update methods take no label keywords, which saves ~30 ns a call.
        # Subclasses written by users keep their own class.
        series_class = cls.__dict__.get("_series_class")
        if series_class is not None and not labelnames and not labels:
            cls = series_class
        return object.__new__(cls)

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, *, labels=None, max_series=None, overflow="fold",
                 series_ttl=None, const_labels=None, **type_options):
        if labels is not None:
            if labelnames:
                raise TypeError("give the label names as labelnames or labels, not both")
            labelnames = labels
        if isinstance(labelnames, str):
            raise TypeError("labelnames must be a sequence of names, not a string")
        labelnames = tuple(labelnames)
        if not name and (namespace or subsystem):
            # prometheus_client's rule: a namespace or subsystem is no name (the library, which
            # sees the joined name, refuses an empty one itself).
            raise ValueError("Metric name should not be empty")
        store = None
        if self._in_store:
            path = _store.directory()
            if path is not None:
                store = _store.open_store(path)
        try:
            options, strings = _lib.opts(name, documentation, labelnames, namespace, subsystem,
                                         unit, max_series, overflow, series_ttl, const_labels,
                                         store, self._multiprocess_mode)
        except ValueError as error:
            raise _worded(error, name, namespace, subsystem, unit) from None
        handle = c_void_p()
        try:
            try:
                self._create(byref(options), handle, **type_options)
            except ValueError as error:
                if not (store and self._local_if_refused(**type_options)
                        and getattr(error, "status", None) == _lib.PE_ERR_INVALID_CONFIG):
                    raise
                # The store cannot hold this kind of family (yet): it lives in this process,
                # and a MultiProcessCollector leaves it out, as prometheus_client's leaves out
                # what its files cannot hold. Its own configuration, if that was what was
                # refused, is refused again here.
                options.store = None
                self._create(byref(options), handle, **type_options)
        except ValueError as error:
            raise _worded(error, name, namespace, subsystem, unit) from None
        self._handle = handle
        self._shared_store = options.store
        self._parent = None
        self._labelnames = labelnames
        self._labelvalues = ()
        self._children = {} if labelnames else None
        self._by_keywords = {} if labelnames else None
        self._registries = []
        self._documentation = documentation
        self._options = (name, namespace, subsystem, unit)
        self._collector = None
        self._own_registry = None
        # A child returned beyond the cap of a folding family is the overflow child: keeping it
        # under the label values asked for would skip the library's count of the next offers
        # and keep folding them after a removal makes room. A child of a family with a TTL that
        # the cache held would be a handle the library must keep: idle, it would be hidden,
        # never freed.
        folds = options.max_series and options.overflow == _lib.PE_OVERFLOW_FOLD
        self._caches = not (folds or options.series_ttl_seconds)
        self._init_series()
        if registry:
            registry.register(self)

    def _create(self, options, out, **type_options):
        """Creates the library family from ``options`` into ``out`` (each type's own call)."""
        raise NotImplementedError

    def _local_if_refused(self, **type_options):
        """Whether a family the store refuses (``PE_ERR_INVALID_CONFIG``) is made in this
        process instead; otherwise the refusal is raised. Counters, gauges and classic
        histograms must be in the store."""
        return False

    def _init_series(self):
        """Sets up the per-series state of a family or child (slots of the subclass)."""

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            type(self)._kind.free(handle)

    def __str__(self):
        return f"{self._type}:{self._name}"

    def __repr__(self):
        public = next(cls for cls in type(self).__mro__ if not cls.__name__.startswith("_"))
        return f"{public.__module__}.{public.__name__}({self._name})"

    # ----- refusals ----------------------------------------------------------------------

    def _raise_if_not_observable(self):
        """A labelled family has no value of its own: its children have."""
        if self._labelnames and not self._labelvalues:
            raise ValueError(f"{self._type} metric is missing label values")

    def _refused(self, status):
        """The exception for an update the library refused with ``status``, worded as
        prometheus_client's, the library's message after it."""
        error = _error(status)
        if status == _lib.PE_ERR_LABEL_COUNT:
            return ValueError(f"{self._type} metric is missing label values ({error})")
        return error

    # ----- names -------------------------------------------------------------------------

    @property
    def _family(self):
        return self._parent if self._parent is not None else self

    @property
    def _name(self):
        """The family's full name as the library built it (namespace, subsystem, unit...)."""
        family = self._family
        return family._describe().name

    @property
    def _unit(self):
        return self._family._options[3]

    # ----- children ----------------------------------------------------------------------

    @property
    def _metrics(self):
        """The children ``labels()`` made and keeps, by tuple of label values (a folding family
        and one with a ``series_ttl`` keep none), as prometheus_client's ``_metrics``."""
        return {} if self._children is None else self._children

    def labels(self, *labelvalues, **labelkwargs):
        """The child for these label values, created on first use and cached.

        Values are given in label name order, or as keyword arguments; each is converted with
        ``str``. Updating the returned child is the fastest way to update a labelled metric.
        Beyond ``max_series``, a new label set gets the overflow child (``overflow="fold"``) or
        raises ValueError (``overflow="refuse"``). A folding family and one with a
        ``series_ttl`` do not cache: each call asks the library for the child.
        """
        if labelkwargs:
            if not labelvalues:
                return self._child_for(labelkwargs)
        else:
            children = self._children
            if children is not None:
                child = children.get(labelvalues)
                if child is not None:
                    return child
        return self._labels(labelvalues, labelkwargs)

    def _child_for(self, labels):
        """The child for label values given as keywords (``labels`` is the kwargs dict)."""
        by_keywords = self._by_keywords
        if by_keywords is None:  # a single series: _labels() raises the reason
            return self._labels((), labels)
        key = tuple(labels.items())
        child = by_keywords.get(key)
        if child is not None:
            return child
        child = self._labels((), labels)
        # Only str values make keys: 1, 1.0 and True are equal keys but different label values.
        if self._caches and all(type(value) is str for value in labels.values()):
            by_keywords[key] = child
        return child

    def _labels(self, labelvalues, labelkwargs):
        values = self._label_values(labelvalues, labelkwargs)
        children = self._children
        child = children.get(values)
        if child is None:
            handle = c_void_p()
            self._kind.labels(self._handle, _lib.str_array(values), len(values), byref(handle))
            cls = type(self)
            child = object.__new__(cls.__dict__.get("_series_class") or cls)
            child._handle = handle
            child._shared_store = self._shared_store
            child._parent = self
            child._labelnames = self._labelnames
            child._labelvalues = values
            child._children = None
            child._by_keywords = None
            child._registries = None
            child._documentation = self._documentation
            child._options = self._options
            child._collector = None
            child._own_registry = None
            child._caches = False
            child._init_series()
            if self._caches:
                child = children.setdefault(values, child)
        return child

    def _label_values(self, labelvalues, labelkwargs):
        """The label values of a ``labels()`` call, as a tuple of str in label name order."""
        if not self._labelnames:
            raise ValueError(f"No label names were set when constructing {self}")
        if self._labelvalues:
            raise ValueError(
                f"{self} already has labels set ({dict(zip(self._labelnames, self._labelvalues))});"
                " can not chain calls to .labels()")
        if labelvalues and labelkwargs:
            raise ValueError("Can't pass both *args and **kwargs")
        if labelkwargs:
            return self._keyword_values(labelkwargs)
        if len(labelvalues) != len(self._labelnames):
            raise ValueError(
                f"Incorrect label count (expected {len(self._labelnames)}, got {labelvalues})")
        return tuple(str(value) for value in labelvalues)

    def _keyword_values(self, labels):
        """Label values given as keyword arguments, as a tuple of str in label name order."""
        if len(labels) != len(self._labelnames) or not all(n in labels for n in self._labelnames):
            raise ValueError(
                f"Incorrect label names: {sorted(labels)} given, {list(self._labelnames)} expected")
        return tuple(str(labels[name]) for name in self._labelnames)

    def _read(self, single, labelled, out, labels):
        """Reads a value with ``single`` (this series, or the sum over the family's children)
        or, when label values are given, ``labelled`` (that child; 0 when it does not exist)."""
        if labels:
            if self._labelvalues:
                raise ValueError(f"{self} already has labels set")
            values = self._keyword_values(labels)
            try:
                labelled(self._handle, _lib.str_array(values), len(values), byref(out))
            except KeyError:
                return None
        else:
            single(self._handle, byref(out))
        return out.value

    def remove(self, *labelvalues):
        """Removes the child with these label values (one that does not exist: nothing to do)."""
        if not self._labelnames:
            raise ValueError(f"No label names were set when constructing {self}")
        if len(labelvalues) != len(self._labelnames):
            raise ValueError(f"Incorrect label count (expected {len(self._labelnames)}, got "
                             f"{labelvalues})")
        values = tuple(str(value) for value in labelvalues)
        try:
            self._kind.remove(self._handle, _lib.str_array(values), len(values))
        except KeyError:
            pass
        self._forget_functions(lambda labelvalues: labelvalues == values)
        child = self._children.pop(values, None)
        if child is not None:
            for key, cached in list(self._by_keywords.items()):
                if cached is child:
                    self._by_keywords.pop(key, None)

    def remove_by_labels(self, labels):
        """Removes every child whose labels include all of ``labels``, a dict of label name to
        value (each value converted with ``str``), as prometheus_client's ``remove_by_labels``.
        An empty dict removes nothing. The library does the matching."""
        if not self._labelnames:
            raise ValueError(f"No label names were set when constructing {self}")
        if not isinstance(labels, dict):
            raise TypeError("labels must be a dict of {label_name: label_value}")
        if not labels:
            return  # no operation, as in prometheus_client (the library would match every child)
        invalid = [name for name in labels if name not in self._labelnames]
        if invalid:
            raise ValueError(f"Unknown label names: {invalid}; expected {self._labelnames}")
        names = list(labels)
        values = [str(value) for value in labels.values()]
        self._kind.remove_matching(self._handle, _lib.str_array(names), _lib.str_array(values),
                                   len(names), None)
        self._forget_matching(dict(zip(names, values)))
        wanted = [(self._labelnames.index(name), value) for name, value in zip(names, values)]
        self._forget_functions(
            lambda labelvalues: all(labelvalues[index] == value for index, value in wanted))

    def _forget_functions(self, removed):
        """Drops the ``set_function`` of the removed children (label values for which
        ``removed`` is true): the same labels later make a child of their own."""
        if self._collector is None:
            return
        functions = self._collector.collector.functions
        for labelvalues in [key for key in functions if removed(key)]:
            del functions[labelvalues]

    def _forget_matching(self, labels):
        """Drops the cached children whose label values include all of ``labels`` (names the
        library has checked, str values), after the library removed them."""
        wanted = [(self._labelnames.index(name), value) for name, value in labels.items()]
        children = self._children
        dropped = [child for values, child in list(children.items())
                   if all(values[index] == value for index, value in wanted)]
        if not dropped:
            return
        for child in dropped:
            if children.get(child._labelvalues) is child:
                children.pop(child._labelvalues, None)
        ids = {id(child) for child in dropped}  # the children stay alive in dropped meanwhile
        by_keywords = self._by_keywords
        for key, child in list(by_keywords.items()):
            if id(child) in ids:
                by_keywords.pop(key, None)

    def clear(self):
        """Removes every child of a labelled family."""
        if not self._labelnames:
            return
        self._kind.clear(self._handle)
        self._forget_functions(lambda labelvalues: True)
        self._children.clear()
        self._by_keywords.clear()

    # ----- registration and collection -----------------------------------------------------

    def _register_in(self, registry):
        """Registers the family in a ``CollectorRegistry`` (called by its ``register``)."""
        if self._parent is not None:
            raise ValueError(f"{self} is a child: register its family")
        if self._collector is not None:
            lib.pe_registry_register_collector(registry._handle, self._collector.handle)
        else:
            self._kind.register(registry._handle, self._handle)
        self._registries.append(registry)

    def _unregister_from(self, registry):
        """Removes the family from a ``CollectorRegistry`` (called by its ``unregister``)."""
        if self._collector is not None:
            lib.pe_registry_unregister_collector(registry._handle, self._collector.handle)
        else:
            self._kind.unregister(registry._handle, self._handle)
        self._registries.remove(registry)

    def _own(self):
        """A registry holding only this family, made on first use."""
        if self._own_registry is None:
            # The library family itself, even once set_function put a collector in its place
            # in the program's registries: that collector reads the family from here.
            registry = CollectorRegistry()
            self._kind.register(registry._handle, self._handle)
            self._own_registry = registry
        return self._own_registry

    def _describe(self):
        """The family (name, help, type, unit) without samples."""
        metric = self._collect_family()
        return Metric._from_library(metric.name, metric.documentation, metric.type, metric.unit, [])

    def _collect_family(self):
        families = _snapshot.collect(self._own()._handle)
        return families[0]

    def describe(self):
        """The family this metric exposes, without samples."""
        return [self._family._describe()]

    def collect(self):
        """The family with its samples (a child: only the samples of its series)."""
        family = self._family._collect_family()
        if self._parent is None:
            return [family]
        own = dict(zip(self._labelnames, self._labelvalues))
        samples = [sample for sample in family.samples
                   if all(sample.labels.get(name) == value for name, value in own.items())]
        return [Metric._from_library(family.name, family.documentation, family.type, family.unit,
                                     samples)]


class Counter(MetricWrapperBase):
    """A counter: a total that only goes up (requests served, bytes sent, errors).

        requests = Counter("http_requests_total", "Total HTTP requests", ["method"])
        requests.labels("GET").inc()
        requests.inc(method="POST")        # the seed's keyword style
        requests.get(method="GET")         # 1.0; requests.get() sums every child

    Exposed as ``<name>_total`` (a trailing ``_total`` on the name is dropped, then added back)
    with a ``<name>_created`` sample in OpenMetrics.
    """

    __slots__ = ()
    _type = "counter"
    _kind = _Kind("counter", "counter")
    _time_with = "inc"

    def _create(self, options, out):
        lib.pe_counter_new_opts(options, byref(out))

    def inc(self, amount=1, exemplar=None, **labels):
        """Adds ``amount`` (>= 0), optionally recording an exemplar (a dict of labels)."""
        if labels:
            return self._child_for(labels).inc(amount, exemplar)
        if exemplar:
            return self._inc_with_exemplar(amount, exemplar)
        if status := _counter_inc(self._handle, _AMOUNTS.get(amount) or _amount(amount)):
            raise self._refused(status)

    def _inc_with_exemplar(self, amount, exemplar):
        self._raise_if_not_observable()
        try:
            lib.pe_counter_inc_with_exemplar(
                self._handle, amount, _lib.str_array(list(exemplar)),
                _lib.str_array(list(exemplar.values())), len(exemplar), time.time())
        except ValueError as error:
            if not amount >= 0:  # the library refused the amount, not the exemplar
                raise ValueError(f"{_NEGATIVE_INCREMENT} ({error})") from None
            raise

    def _refused(self, status):
        if status == _lib.PE_ERR_INVALID_VALUE:
            return ValueError(f"{_NEGATIVE_INCREMENT} ({_error(status)})")
        return super()._refused(status)

    def reset(self, **labels):
        """Sets the counter back to zero and restarts its ``_created`` time."""
        if labels:
            return self._child_for(labels).reset()
        self._raise_if_not_observable()
        lib.pe_counter_reset(self._handle)

    def get(self, **labels):
        """The value of this series, of the child with these label values (0 when it does not
        exist), or without label values on a labelled family, the sum over its children."""
        value = self._read(lib.pe_counter_get, lib.pe_counter_get_labels, c_double(), labels)
        return 0.0 if value is None else value

    def count_exceptions(self, exception=Exception):
        """Counts exceptions raised out of a block or function (context manager or decorator)."""
        self._raise_if_not_observable()
        return ExceptionCounter(self, exception)


class _CounterSeries(Counter):
    """A counter without labels, or one child of a labelled one: the hot path."""

    __slots__ = ()

    def inc(self, amount=1, exemplar=None):
        """Adds ``amount`` (>= 0), optionally recording an exemplar (a dict of labels)."""
        if exemplar:
            return self._inc_with_exemplar(amount, exemplar)
        if status := _counter_inc(self._handle, _AMOUNTS.get(amount) or _amount(amount)):
            raise self._refused(status)


Counter._series_class = _CounterSeries


class Gauge(MetricWrapperBase):
    """A gauge: a value that goes up and down (temperature, queue length, memory in use).

        temperature = Gauge("room_temperature_celsius", "Room temperature")
        temperature.set(22.5)
        temperature.inc(0.5)
        temperature.get()                  # 23.0

    ``set_function`` makes the gauge report what a function returns at each collection.
    """

    __slots__ = ("_value", "_activity", "_function", "_multiprocess_mode")
    _MULTIPROC_MODES = frozenset(_lib.GAUGE_MODES)
    _type = "gauge"
    _kind = _Kind("gauge", "gauge")
    _time_with = "set"

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, multiprocess_mode="all", *, labels=None, max_series=None,
                 overflow="fold", series_ttl=None, const_labels=None):
        # multiprocess_mode is checked as prometheus_client checks it, whether or not the gauge
        # goes to the shared store; there the library combines the processes' values by it.
        if multiprocess_mode not in self._MULTIPROC_MODES:
            raise ValueError("Invalid multiprocess mode: " + multiprocess_mode)
        self._multiprocess_mode = multiprocess_mode
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         labels=labels, max_series=max_series, overflow=overflow,
                         series_ttl=series_ttl, const_labels=const_labels)

    def _create(self, options, out):
        lib.pe_gauge_new_opts(options, byref(out))

    def _init_series(self):
        # set() stores straight into the series' value, under the cell protocol of
        # pe_gauge_get_cell: mark the series active, then one store of the value (ctypes writes
        # an aligned double with a single store). No call into the library. A family with
        # labels has no value of its own (None): set() then asks the library, which refuses.
        self._function = None
        parent = self._parent
        if parent is not None:
            self._multiprocess_mode = parent._multiprocess_mode
        cell = _lib.pe_gauge_cell()
        if self._shared_store is not None:
            # A gauge in the shared store has a value per process: a cell read now would be
            # this process's, and a child forked later would store into it. Each set() asks the
            # library, which finds the calling process's value.
            cell.protocol = 0
        else:
            try:
                lib.pe_gauge_get_cell(self._handle, byref(cell))
            except ValueError:  # a family with labels
                cell.protocol = 0
        if cell.protocol != _CELL_PROTOCOL:
            self._value = self._activity = None
            if type(self) is _GaugeSeries:
                self.__class__ = _GaugeCallSeries  # the same slots: set() without a cell
        else:
            self._value = c_double.from_address(cast(cell.bits, c_void_p).value)
            self._activity = c_uint64.from_address(cast(cell.activity, c_void_p).value)

    def set(self, value, **labels):
        """Sets the value (NaN included: it is a gauge value)."""
        if labels:
            return self._child_for(labels).set(value)
        if self._value is None:
            if status := _gauge_set(self._handle, c_double(float(value))):
                raise self._refused(status)
            return
        _GaugeSeries.set(self, value)

    def inc(self, amount=1, **labels):
        """Adds ``amount`` (may be negative)."""
        if labels:
            return self._child_for(labels).inc(amount)
        if status := _gauge_inc(self._handle, _AMOUNTS.get(amount) or _amount(amount)):
            raise self._refused(status)

    def dec(self, amount=1, **labels):
        """Subtracts ``amount``."""
        if labels:
            return self._child_for(labels).dec(amount)
        if status := _gauge_dec(self._handle, _AMOUNTS.get(amount) or _amount(amount)):
            raise self._refused(status)

    def set_to_current_time(self, **labels):
        """Sets the value to the current Unix time in seconds."""
        if labels:
            return self._child_for(labels).set_to_current_time()
        self._raise_if_not_observable()
        lib.pe_gauge_set_to_current_time(self._handle)

    def get(self, **labels):
        """The value of this series, of the child with these label values (0 when it does not
        exist), or without label values on a labelled family, the sum over its children."""
        if self._function is not None and not labels:
            return float(self._function())
        value = self._read(lib.pe_gauge_get, lib.pe_gauge_get_labels, c_double(), labels)
        return 0.0 if value is None else value

    def track_inprogress(self):
        """Adds 1 while a block or function runs (context manager or decorator)."""
        self._raise_if_not_observable()
        return InprogressTracker(self)

    def time(self):
        """Sets the gauge to the duration of a block or function, in seconds."""
        return Timer(self)

    def set_function(self, f):
        """Reports ``f()`` as the value of this series at every collection.

        ``f`` must return a number and may be called from any thread. On a labelled family,
        call it on a child (``gauge.labels("x").set_function(f)``). The series' other methods
        keep working but are no longer exposed.
        """
        self._raise_if_not_observable()
        self._function = f
        family = self._family
        if family._collector is None:
            bridge = _bridge.CollectorBridge(_FunctionGauge(family))
            # Every registry the family is in now collects it through Python instead.
            for registry in family._registries:
                family._kind.unregister(registry._handle, family._handle)
                lib.pe_registry_register_collector(registry._handle, bridge.handle)
            family._collector = bridge
        family._collector.collector.functions[self._labelvalues] = self


class _GaugeSeries(Gauge):
    """A gauge without labels, or one child of a labelled one: the hot path."""

    __slots__ = ()

    def set(self, value):
        """Sets the value (NaN included: it is a gauge value)."""
        if self._activity.value:
            self._activity.value = 0
        try:
            self._value.value = value
        except TypeError:
            self._value.value = float(value)

    def inc(self, amount=1):
        """Adds ``amount`` (may be negative)."""
        if status := _gauge_inc(self._handle, _AMOUNTS.get(amount) or _amount(amount)):
            raise self._refused(status)

    def dec(self, amount=1):
        """Subtracts ``amount``."""
        if status := _gauge_dec(self._handle, _AMOUNTS.get(amount) or _amount(amount)):
            raise self._refused(status)


class _GaugeCallSeries(_GaugeSeries):
    """A gauge series without a cell to store into (one in the shared store): set() is a
    library call."""

    __slots__ = ()

    def set(self, value):
        """Sets the value (NaN included: it is a gauge value)."""
        if status := _gauge_set(self._handle, c_double(float(value))):
            raise self._refused(status)


Gauge._series_class = _GaugeSeries


class _FunctionGauge:
    """The collector that stands in for a gauge family once one of its series has a function
    (``set_function``): the family as the library has it, with those series' values replaced
    by what their functions return."""

    __slots__ = ("gauge", "functions")

    def __init__(self, gauge):
        self.gauge = gauge
        self.functions = {}  # label values -> the series whose _function to call

    def collect(self):
        family = self.gauge._collect_family()
        labelnames = self.gauge._labelnames
        functions = self.functions
        samples = []
        for sample in family.samples:
            series = functions.get(tuple(sample.labels.get(name) for name in labelnames))
            if series is not None:
                sample = sample._replace(value=float(series._function()))
            samples.append(sample)
        return [Metric._from_library(family.name, family.documentation, family.type,
                                     family.unit, samples)]


def _default_buckets():
    """The library's default histogram buckets."""
    options, names = _lib.opts("default_buckets", "")
    handle = c_void_p()
    lib.pe_histogram_new_opts(byref(options), None, 0, byref(handle))
    try:
        return _buckets_of(handle, None)[0]
    finally:
        lib.pe_histogram_free(handle)


def _buckets_of(handle, values):
    """(upper bounds, cumulative counts) of a histogram series or labelled child."""
    count = c_size_t()
    if values is None:
        lib.pe_histogram_buckets(handle, None, None, 0, byref(count))
    else:
        array = _lib.str_array(values)
        lib.pe_histogram_buckets_labels(handle, array, len(values), None, None, 0, byref(count))
    bounds = _lib.array_type(c_double, count.value)()
    counts = _lib.array_type(c_uint64, count.value)()
    if values is None:
        lib.pe_histogram_buckets(handle, bounds, counts, count.value, byref(count))
    else:
        lib.pe_histogram_buckets_labels(
            handle, array, len(values), bounds, counts, count.value, byref(count))
    return tuple(bounds), tuple(counts)


def _native_options(bucket_factor, zero_threshold, max_bucket_number, min_reset_duration,
                    max_zero_threshold):
    """The ``pe_native_histogram_opts`` of Histogram's native options; None for a classic one."""
    if bucket_factor is None:
        if (zero_threshold is not None or max_bucket_number or min_reset_duration
                or max_zero_threshold):
            raise ValueError("native histogram options need native_histogram_bucket_factor")
        return None
    max_bucket_number = operator.index(max_bucket_number)
    if max_bucket_number < 0:
        raise ValueError(
            f"native_histogram_max_bucket_number must not be negative, not {max_bucket_number}")
    if isinstance(min_reset_duration, datetime.timedelta):
        min_reset_duration = min_reset_duration.total_seconds()
    # The library reads a zero threshold of 0 as its default and a negative one as exactly zero.
    if zero_threshold is None:
        zero_threshold = 0.0
    else:
        zero_threshold = float(zero_threshold)
        if zero_threshold == 0:
            zero_threshold = -1.0
    return _lib.pe_native_histogram_opts(
        struct_size=sizeof(_lib.pe_native_histogram_opts),
        bucket_factor=float(bucket_factor),
        zero_threshold=zero_threshold,
        max_bucket_number=max_bucket_number,
        min_reset_duration_seconds=float(min_reset_duration),
        max_zero_threshold=float(max_zero_threshold),
    )


class Histogram(MetricWrapperBase):
    """A histogram: observations counted in buckets, with their count and sum.

        latency = Histogram("request_seconds", "Request latency", buckets=[0.1, 0.5, 1])
        latency.observe(0.25)
        with latency.time():
            handle()

    ``buckets`` are upper bounds in increasing order (``+Inf`` is added); the default is
    ``Histogram.DEFAULT_BUCKETS``, from the library (none for a native histogram).

    A ``native_histogram_bucket_factor`` (above 1) also keeps native (exponential) buckets, as
    client_golang's ``NativeHistogramBucketFactor`` does: each bucket's upper bound is at most
    that factor times its lower bound. Without ``buckets`` the histogram is native only; with
    them it has both kinds. Protobuf and OpenMetrics 2.0 carry the native buckets; the text
    formats 0.0.4 and OpenMetrics 1.0 show a native-only histogram as its count, its sum and a
    single ``+Inf`` bucket. The other native options are client_golang's too:

    * ``native_histogram_zero_threshold``: observations within this distance of zero count in
      the zero bucket; None is the library's default (2**-128), 0 a threshold of exactly zero.
    * ``native_histogram_max_bucket_number``: the most native buckets to keep (0: no limit).
      Past it the histogram resets, widens its zero bucket or halves its resolution, as allowed
      by the next two options.
    * ``native_histogram_min_reset_duration``: how long after a reset the histogram may be reset
      again to keep the limit, in seconds or as a ``datetime.timedelta`` (0: never reset).
    * ``native_histogram_max_zero_threshold``: how far the zero bucket may be widened to keep
      the limit (0: never widen it).
    """

    __slots__ = ()
    _type = "histogram"
    _kind = _Kind("histogram", "histogram")
    DEFAULT_BUCKETS = _default_buckets()

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, buckets=None, *, labels=None,
                 native_histogram_bucket_factor=None, native_histogram_zero_threshold=None,
                 native_histogram_max_bucket_number=0, native_histogram_min_reset_duration=0,
                 native_histogram_max_zero_threshold=0, max_series=None, overflow="fold",
                 series_ttl=None, const_labels=None):
        native = _native_options(
            native_histogram_bucket_factor, native_histogram_zero_threshold,
            native_histogram_max_bucket_number, native_histogram_min_reset_duration,
            native_histogram_max_zero_threshold)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         labels=labels, max_series=max_series, overflow=overflow,
                         series_ttl=series_ttl, const_labels=const_labels,
                         buckets=buckets, native=native)

    def _local_if_refused(self, buckets, native):
        # A native histogram the store cannot hold yet stays in the process; a classic one
        # must be in the store.
        return native is not None

    def _create(self, options, out, buckets, native):
        if native is None:
            bounds = self.DEFAULT_BUCKETS if buckets is None else buckets
        else:
            bounds = () if buckets is None else buckets
        bounds = [float(bound) for bound in bounds]
        if native is None and all(bound == math.inf for bound in bounds):
            # prometheus_client's rule: +Inf is added, and one bucket is not a histogram.
            raise ValueError("Must have at least two buckets")
        array = _lib.array_type(c_double, len(bounds))(*bounds)
        if native is None:
            lib.pe_histogram_new_opts(options, array, len(bounds), byref(out))
        else:
            lib.pe_histogram_new_native(options, array, len(bounds), byref(native), byref(out))

    def observe(self, amount, exemplar=None, **labels):
        """Records one observation, optionally with an exemplar (a dict of labels)."""
        if labels:
            return self._child_for(labels).observe(amount, exemplar)
        if exemplar:
            return self._observe_with_exemplar(amount, exemplar)
        if status := _histogram_observe(self._handle, c_double(amount)):
            raise self._refused(status)

    def _observe_with_exemplar(self, amount, exemplar):
        self._raise_if_not_observable()
        lib.pe_histogram_observe_with_exemplar(
            self._handle, amount, _lib.str_array(list(exemplar)),
            _lib.str_array(list(exemplar.values())), len(exemplar), time.time())

    def get_count(self, **labels):
        """The number of observations (see ``Counter.get`` for what label values select)."""
        value = self._read(lib.pe_histogram_count, lib.pe_histogram_count_labels, c_uint64(),
                           labels)
        return 0 if value is None else value

    def get_sum(self, **labels):
        """The sum of observations (see ``Counter.get`` for what label values select)."""
        value = self._read(lib.pe_histogram_sum, lib.pe_histogram_sum_labels, c_double(), labels)
        return 0.0 if value is None else value

    def get_buckets(self, **labels):
        """``[(upper bound, cumulative count), ...]`` of the series (or the family's total)."""
        if not labels:
            return list(zip(*_buckets_of(self._handle, None)))
        try:
            return list(zip(*_buckets_of(self._handle, self._keyword_values(labels))))
        except KeyError:  # no such child yet: every bucket is empty
            return [(bound, 0) for bound in _buckets_of(self._handle, None)[0]]

    @property
    def _upper_bounds(self):
        return list(_buckets_of(self._family._handle, None)[0])

    def time(self):
        """Observes the duration of a block or function, in seconds."""
        return Timer(self)


class _HistogramSeries(Histogram):
    """A histogram without labels, or one child of a labelled one: the hot path."""

    __slots__ = ()

    def observe(self, amount, exemplar=None):
        """Records one observation, optionally with an exemplar (a dict of labels)."""
        if exemplar:
            return self._observe_with_exemplar(amount, exemplar)
        if status := _histogram_observe(self._handle, c_double(amount)):
            raise self._refused(status)


Histogram._series_class = _HistogramSeries


class Summary(MetricWrapperBase):
    """A summary: count and sum of observations, and quantiles over a sliding window.

        size = Summary("response_size_bytes", "Response size")
        size.observe(512)
        size.get_quantile(0.5)

    Without ``objectives`` a summary is exposed as prometheus_client's is, with ``_count`` and
    ``_sum`` only, while ``get_quantile()`` still answers from the default objectives
    (``{0.5: 0.05, 0.9: 0.01, 0.99: 0.001}``). ``objectives`` maps each quantile to its allowed
    rank error, and those quantiles are exposed too (empty: none kept). Quantiles are computed
    over the last ``max_age_seconds`` (default 600) in ``age_buckets`` steps (default 5).
    """

    __slots__ = ()
    _type = "summary"
    _kind = _Kind("summary", "summary")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, *, labels=None, objectives=None, max_age_seconds=0,
                 age_buckets=0, max_series=None, overflow="fold", series_ttl=None,
                 const_labels=None):
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         labels=labels, max_series=max_series, overflow=overflow,
                         series_ttl=series_ttl, const_labels=const_labels,
                         objectives=objectives, max_age_seconds=max_age_seconds,
                         age_buckets=age_buckets)

    def _local_if_refused(self, **type_options):
        # A summary the store cannot hold yet stays in the process: the MultiProcessCollector
        # then leaves it out (prometheus_client's exports its count and sum).
        return True

    def _create(self, options, out, objectives, max_age_seconds, age_buckets):
        # Without objectives the library keeps its default ones for get_quantile() and exposes
        # only _count and _sum, as prometheus_client's summaries show.
        if objectives is None:
            quantiles = errors = None
            count = 0
        else:
            pairs = list(objectives.items() if hasattr(objectives, "items") else objectives)
            count = len(pairs)
            quantiles = _lib.array_type(c_double, count)(*[float(q) for q, _ in pairs])
            errors = _lib.array_type(c_double, count)(*[float(e) for _, e in pairs])
        lib.pe_summary_new_opts_v2(options, quantiles, errors, count, float(max_age_seconds),
                                   int(age_buckets), objectives is not None, byref(out))

    def observe(self, amount, **labels):
        """Records one observation."""
        if labels:
            return self._child_for(labels).observe(amount)
        if status := _summary_observe(self._handle, c_double(amount)):
            raise self._refused(status)

    def get_count(self, **labels):
        """The number of observations (see ``Counter.get`` for what label values select)."""
        value = self._read(lib.pe_summary_count, lib.pe_summary_count_labels, c_uint64(), labels)
        return 0 if value is None else value

    def get_sum(self, **labels):
        """The sum of observations (see ``Counter.get`` for what label values select)."""
        value = self._read(lib.pe_summary_sum, lib.pe_summary_sum_labels, c_double(), labels)
        return 0.0 if value is None else value

    def get_quantile(self, q, **labels):
        """The estimate of quantile ``q`` over the window (NaN when it is empty)."""
        out = c_double()
        if labels:
            values = self._keyword_values(labels)
            try:
                lib.pe_summary_quantile_labels(
                    self._handle, _lib.str_array(values), len(values), q, byref(out))
            except KeyError:
                return float("nan")
        else:
            lib.pe_summary_quantile(self._handle, q, byref(out))
        return out.value

    def time(self):
        """Observes the duration of a block or function, in seconds."""
        return Timer(self)


class _SummarySeries(Summary):
    """A summary without labels, or one child of a labelled one: the hot path."""

    __slots__ = ()

    def observe(self, amount):
        """Records one observation."""
        if status := _summary_observe(self._handle, c_double(amount)):
            raise self._refused(status)


Summary._series_class = _SummarySeries


class Info(MetricWrapperBase):
    """An info metric: key-value pairs about the target, exposed as ``<name>_info``.

        build = Info("build", "Build information")
        build.info({"version": "1.2.3", "commit": "abc123"})
    """

    __slots__ = ()
    _type = "info"
    _kind = _Kind("info", "info")

    def _create(self, options, out):
        lib.pe_info_new_opts(options, byref(out))

    def info(self, val, **labels):
        """Replaces the info labels of the series with the dict ``val``."""
        if labels:
            return self._child_for(labels).info(val)
        self._raise_if_not_observable()
        if any(value is None for value in val.values()):
            raise ValueError("Label value cannot be None")
        try:
            lib.pe_info_set(self._handle, _lib.str_array(list(val)),
                            _lib.str_array(list(val.values())), len(val))
        except ValueError as error:
            if "already a label" in str(error):
                raise ValueError(f"Overlapping labels for Info metric, metric: "
                                 f"{self._labelnames} child: {val} ({error})") from None
            raise


class Enum(MetricWrapperBase):
    """An enum (OpenMetrics state set): which one of a fixed set of states a series is in.

        state = Enum("task_state", "Task state", states=["pending", "running", "done"])
        state.state("running")

    The first state is the initial one. The seed's form ``set(1, state="running")`` sets or
    clears one state.
    """

    __slots__ = ("_states",)
    _type = "stateset"
    _kind = _Kind("enum", "enum")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 registry=REGISTRY, states=None, *, labels=None, max_series=None,
                 overflow="fold", series_ttl=None, const_labels=None):
        states = list(states or ())
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         labels=labels, max_series=max_series, overflow=overflow,
                         series_ttl=series_ttl, const_labels=const_labels, states=states)
        self._states = states

    def _create(self, options, out, states):
        array = _lib.str_array(states)
        lib.pe_enum_new_opts(options, array, len(states), False, byref(out))

    def _init_series(self):
        parent = self._parent
        if parent is not None:
            self._states = parent._states

    def state(self, state, **labels):
        """Makes ``state`` the active state; ValueError for a state not declared."""
        if labels:
            return self._child_for(labels).state(state)
        self._raise_if_not_observable()
        lib.pe_enum_set(self._handle, _lib.encode(state))

    def set(self, value, state, **labels):
        """Sets (``value`` 1) or clears (``value`` 0) one state, as the seed's enum does."""
        if labels:
            return self._child_for(labels).set(value, state)
        if value not in (0, 1):
            raise ValueError(f"an enum state is set with 1 or cleared with 0, not {value!r}")
        self._raise_if_not_observable()
        lib.pe_enum_set_state(self._handle, _lib.encode(state), bool(value))

    def get(self, **labels):
        """The active state (the first one when several are set; None when none is)."""
        out = c_char_p()
        if labels:
            values = self._keyword_values(labels)
            try:
                lib.pe_enum_get_labels(self._handle, _lib.str_array(values), len(values),
                                       byref(out))
            except KeyError:
                return None
        else:
            lib.pe_enum_get(self._handle, byref(out))
        return None if out.value is None else out.value.decode()

    def is_active(self, state):
        """Whether ``state`` is set in this series."""
        out = c_bool()
        lib.pe_enum_is_active(self._handle, _lib.encode(state), byref(out))
        return out.value


def info(name, documentation, **labels):
    """Creates an ``Info`` metric in ``REGISTRY`` with these labels; returns the labels.

        build = info("app_build", "Build information", version="1.2.3")
        build["version"]                   # "1.2.3"
    """
    metric = Info(name, documentation)
    metric.info(labels)
    return dict(labels)


def enum(name, documentation, states, labels=()):
    """Creates an ``Enum`` with these states in ``REGISTRY``; set one with ``set(1, state=...)``."""
    return Enum(name, documentation, labelnames=labels, states=states)


def linear_buckets(start, width, count):
    """``count`` bucket bounds ``start, start + width, ...``, from the library."""
    out = _lib.array_type(c_double, count)()
    lib.pe_linear_buckets(start, width, count, out)
    return list(out)


def exponential_buckets(start, factor, count):
    """``count`` bucket bounds ``start, start * factor, start * factor**2, ...``."""
    out = _lib.array_type(c_double, count)()
    lib.pe_exponential_buckets(start, factor, count, out)
    return list(out)


def disable_created_metrics():
    """Hides the ``_created`` series of counters, histograms and summaries, as
    prometheus_client's does: in every registry of the process, from the next exposition on,
    in every format and in ``collect()``. ``PROMETHEUS_DISABLE_CREATED_SERIES=true`` (or ``1``,
    ``t``, in any case) in the environment at import does the same."""
    _style.set_created_enabled(False)


def enable_created_metrics():
    """Shows the ``_created`` series again (see ``disable_created_metrics``)."""
    _style.set_created_enabled(True)


def _get_use_created():
    """Whether ``PROMETHEUS_DISABLE_CREATED_SERIES`` leaves the ``_created`` series shown, read
    now, as prometheus_client reads it."""
    return _style._created_from_environment()


def _constructor_signatures():
    """Gives each metric class the signature of its ``__init__`` (``MetricWrapperBase.__new__``
    takes anything), so ``inspect.signature(Counter)`` shows the parameters, as theirs does."""
    for cls in (Counter, Gauge, Histogram, Summary, Info, Enum):
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
        cls.__signature__ = inspect.Signature(parameters)


_constructor_signatures()


class _MetricsModule(types.ModuleType):
    """This module, with prometheus_client's module variable ``_use_created`` standing for the
    library's ``_created`` switch: tests that assign it show or hide the series."""

    @property
    def _use_created(self):
        return _style.created_enabled()

    @_use_created.setter
    def _use_created(self, enabled):
        _style.set_created_enabled(enabled)


sys.modules[__name__].__class__ = _MetricsModule
