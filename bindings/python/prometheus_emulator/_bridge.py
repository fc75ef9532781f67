"""Python collectors inside the library: ``pe_collector_new_v2`` with a ctypes callback.

A custom collector is any object with a ``collect()`` method yielding ``Metric`` families
(``GaugeMetricFamily``, ``CounterMetricFamily``...). ``CollectorBridge`` registers it in the
library as a ``pe_collector`` whose callback, at every collection, calls ``collect()`` and hands
each family to the library's builder (``pe_collect_family`` and one ``pe_collect_*`` call per
series). The library then names, checks, orders and renders those families like its own. The collector
itself is named (for ``prometheus_emulator_collector_timeout_total{collector=...}``, which counts
the scrapes the library's exporter answered without it because the scrape's deadline passed) by
its ``name`` attribute when that is a string, else by its class name.

Two rules of the C API shape this module:

* The callback object must outlive every use by the library. One module-level ``CFUNCTYPE``
  object serves all collectors; the collector is found through ``user_data``, a key into
  ``_LIVE`` that the library's ``free_user_data`` callback removes once the last reference to
  the ``pe_collector`` is gone.
* What a registry's ``collect()`` yields for a custom collector is what the collector yielded,
  as in prometheus_client, not the library's reading of it (which has floats where the collector
  gave ints, ``le`` values rewritten and no gauge histograms).
  ``call_recording`` keeps, for the collections it runs, the families each collector yielded.
* No exception may cross into C. The callback catches everything. When the collection was asked
  for by this package on the same thread (``call_collecting``), the first exception is raised
  there once the library has returned, as prometheus_client's ``generate_latest`` would raise it;
  otherwise (the library's own HTTP exporter thread) it goes to ``sys.unraisablehook``.
"""

import itertools
import math
import sys
import threading
import types
import warnings
from ctypes import byref, c_bool, c_double, c_int32, c_uint64, c_void_p

from . import _lib
from ._lib import lib

__all__ = ["CollectorBridge", "call_collecting", "call_recording"]

_LIVE = {}                  # user_data key -> the Python collector
_keys = itertools.count(1)
_state = threading.local()  # .errors: exceptions of callbacks run by call_collecting;
                            # .record: families the callbacks yielded, under call_recording


def call_collecting(function, *arguments):
    """Calls a library function that may run collector callbacks on this thread.

    Returns what ``function`` returns; raises the first exception a Python collector raised
    during the call, after the call has completed.
    """
    return _call(function, arguments, None)


def call_recording(function, *arguments):
    """``call_collecting``, also recording what the Python collectors yield during the call.

    Returns ``(result, record)``: ``record`` holds, for each collector collected on this thread
    during the call and in the order they were collected, the list of families it yielded.
    """
    record = []
    return _call(function, arguments, record), record


def _call(function, arguments, record):
    # A collection run from inside a collector's collect() has its own errors and record.
    outer = getattr(_state, "errors", None), getattr(_state, "record", None)
    _state.errors = errors = []
    _state.record = record
    try:
        result = function(*arguments)
    finally:
        _state.errors, _state.record = outer
    if errors:
        raise errors[0]
    return result


class CollectorBridge:
    """A ``pe_collector`` whose callback collects the Python ``collector``."""

    __slots__ = ("collector", "handle")

    def __init__(self, collector):
        key = next(_keys)
        handle = c_void_p()
        _LIVE[key] = collector
        try:
            lib.pe_collector_new_v2(
                _lib.encode(_collector_name(collector)), _COLLECT, key, _FREE, byref(handle))
        except BaseException:
            del _LIVE[key]
            raise
        self.collector = collector
        self.handle = handle

    def __del__(self, _free=lib.pe_collector_free):
        handle = getattr(self, "handle", None)
        if handle:
            _free(handle)


def _collector_name(collector):
    """What the library calls ``collector`` where it counts it on its own."""
    name = getattr(collector, "name", None)
    return name if isinstance(name, str) else type(collector).__name__


def _collect(builder, key):
    """The ``pe_collect_fn`` of every bridged collector."""
    try:
        collector = _LIVE[key]
        record = getattr(_state, "record", None)
        if record is not None:
            record.append(yielded := [])
        for family in collector.collect():
            if record is not None:
                yielded.append(family)
            _add_family(builder, family)
    except BaseException as exception:  # nothing may unwind into C
        _report(exception, key)


def _free_user_data(key):
    """The ``pe_free_fn``: the library no longer references the collector."""
    _LIVE.pop(key, None)


def _report(exception, key):
    errors = getattr(_state, "errors", None)
    if errors is not None:
        errors.append(exception)
        return
    hook_arguments = types.SimpleNamespace(
        exc_type=type(exception), exc_value=exception, exc_traceback=exception.__traceback__,
        err_msg="Exception ignored in a prometheus_emulator custom collector",
        object=_LIVE.get(key))
    sys.unraisablehook(hook_arguments)


_COLLECT = _lib.COLLECT_FN(_collect)
_FREE = _lib.FREE_FN(_free_user_data)


def _add_family(builder, family):
    """Hands one ``Metric`` and its samples to the library's builder."""
    try:
        kind = family.type
        if kind == "gaugehistogram":
            for sample in family.samples:
                if sample.value is not None:
                    float(sample.value)  # what prometheus_client's exposition would refuse
            warnings.warn(
                f"prometheus_emulator has no gauge histogram type: {family.name} is not exposed",
                RuntimeWarning, stacklevel=2)
            return
        code = _lib.METRIC_TYPE_CODES.get(kind)
        if code is None:
            raise ValueError(f"Invalid metric type: {kind}")
        lib.pe_collect_family(builder, _lib.encode(family.name),
                              _lib.encode(family.documentation), code,
                              _lib.encode(family.unit or ""))
        _ADDERS[kind](builder, family)
    except Exception as exception:
        # As prometheus_client's exposition does: the family that failed is the last argument.
        exception.args = (exception.args or ("",)) + (family,)
        raise


def _timestamp(sample):
    timestamp = sample.timestamp
    return math.nan if timestamp is None else float(timestamp)


def _pairs(labels):
    """Label names and values as two C string arrays, and their count."""
    return _lib.str_array(list(labels)), _lib.str_array(list(labels.values())), len(labels)


def _series_key(labels, without):
    return tuple((name, value) for name, value in labels.items() if name != without)


def _created_by_series(family, without=None):
    """The ``_created`` sample values of a family, by the labels of their series."""
    created = family.name + "_created"
    return {_series_key(sample.labels, without): float(sample.value)
            for sample in family.samples if sample.name == created}


def _decorate(builder, created, exemplars=()):
    """Gives the point just added its creation time and its exemplars (bucket index, exemplar)."""
    if created is not None:
        lib.pe_collect_created(builder, created)
    for bucket, exemplar in exemplars:
        if not hasattr(exemplar, "labels"):
            continue  # not an Exemplar (a bare dict of labels, say): it has no value to expose
        names, values, count = _pairs(exemplar.labels)
        timestamp = math.nan if exemplar.timestamp is None else float(exemplar.timestamp)
        lib.pe_collect_exemplar(builder, bucket, names, values, count, float(exemplar.value),
                                timestamp)


def _add_values(builder, family):
    """Counter, gauge and unknown families: one point per sample carrying the value, a counter's
    with its ``_created`` time and exemplar."""
    counter = family.type == "counter"
    created = _created_by_series(family) if counter else {}
    for sample in family.samples:
        if counter and sample.name not in (family.name, family.name + "_total"):
            continue
        names, values, count = _pairs(sample.labels)
        lib.pe_collect_sample(builder, names, values, count, float(sample.value),
                              _timestamp(sample))
        if counter:
            exemplar = getattr(sample, "exemplar", None)
            _decorate(builder, created.get(_series_key(sample.labels, None)),
                      [(0, exemplar)] if exemplar is not None else ())


def _add_histograms(builder, family):
    created = _created_by_series(family, "le")
    series = {}
    for sample in family.samples:
        point = series.setdefault(_series_key(sample.labels, "le"),
                                  {"buckets": [], "sum": math.nan, "count": None, "time": sample,
                                   "native": None})
        # Samples of older prometheus_client releases have no native_histogram field.
        native = getattr(sample, "native_histogram", None)
        if native is not None:
            point["native"] = native
        elif sample.name == family.name + "_bucket":
            point["buckets"].append((float(sample.labels["le"]), sample.value))
            exemplar = getattr(sample, "exemplar", None)
            if exemplar is not None:
                point.setdefault("exemplars", []).append((len(point["buckets"]) - 1, exemplar))
        elif sample.name == family.name + "_sum":
            point["sum"] = float(sample.value)
        elif sample.name == family.name + "_count":
            point["count"] = sample.value
    for key, point in series.items():
        names, values, count = _pairs(dict(key))
        if point["native"] is not None:
            _add_native_histogram(builder, names, values, count, point)
            continue
        buckets = point["buckets"]
        bounds = _lib.array_type(c_double, len(buckets))(*[bound for bound, _ in buckets])
        counts = _lib.array_type(c_uint64, len(buckets))(
            *[int(value) for _, value in buckets])
        total = point["count"] if point["count"] is not None else (buckets[-1][1] if buckets else 0)
        lib.pe_collect_histogram(builder, names, values, count, bounds, counts, len(buckets),
                                 point["sum"], int(total), _timestamp(point["time"]))
        _decorate(builder, created.get(key), point.get("exemplars", ()))


def _add_native_histogram(builder, names, values, count, point):
    """One series given as a prometheus_client NativeHistogram sample, with the classic buckets
    of its other samples if it has them."""
    native = point["native"]
    positive_keys, positive_counts = _native_buckets(native.pos_spans, native.pos_deltas)
    negative_keys, negative_counts = _native_buckets(native.neg_spans, native.neg_deltas)
    buckets = point["buckets"]
    total = point["count"] if point["count"] is not None else native.count_value
    total_sum = point["sum"] if not math.isnan(point["sum"]) else native.sum_value
    lib.pe_collect_native_histogram(
        builder, names, values, count,
        int(native.schema), float(native.zero_threshold), int(native.zero_count),
        _lib.array_type(c_int32, len(positive_keys))(*positive_keys),
        _lib.array_type(c_uint64, len(positive_counts))(*positive_counts), len(positive_keys),
        _lib.array_type(c_int32, len(negative_keys))(*negative_keys),
        _lib.array_type(c_uint64, len(negative_counts))(*negative_counts), len(negative_keys),
        _lib.array_type(c_double, len(buckets))(*[bound for bound, _ in buckets]),
        _lib.array_type(c_uint64, len(buckets))(*[int(value) for _, value in buckets]),
        len(buckets),
        float(total_sum), int(total), _timestamp(point["time"]))


def _native_buckets(spans, deltas):
    """The keys and absolute counts of the buckets that prometheus_client's spans and deltas
    describe (each span's offset counts from the end of the one before)."""
    keys, counts = [], []
    deltas = iter(deltas or ())
    key = count = 0
    for index, span in enumerate(spans or ()):
        key = span.offset if index == 0 else key + span.offset
        for _ in range(span.length):
            delta = next(deltas, None)
            if delta is None:
                raise ValueError("native histogram spans cover more buckets than its deltas")
            count += delta
            keys.append(key)
            counts.append(count)
            key += 1
    return keys, counts


def _add_summaries(builder, family):
    created = _created_by_series(family, "quantile")
    series = {}
    for sample in family.samples:
        point = series.setdefault(_series_key(sample.labels, "quantile"),
                                  {"quantiles": [], "sum": math.nan, "count": 0, "time": sample})
        if sample.name == family.name and "quantile" in sample.labels:
            point["quantiles"].append((float(sample.labels["quantile"]), float(sample.value)))
        elif sample.name == family.name + "_sum":
            point["sum"] = float(sample.value)
        elif sample.name == family.name + "_count":
            point["count"] = sample.value
    for key, point in series.items():
        names, values, count = _pairs(dict(key))
        quantiles = point["quantiles"]
        ranks = _lib.array_type(c_double, len(quantiles))(*[rank for rank, _ in quantiles])
        estimates = _lib.array_type(c_double, len(quantiles))(
            *[value for _, value in quantiles])
        lib.pe_collect_summary(builder, names, values, count, ranks, estimates, len(quantiles),
                               point["sum"], int(point["count"]), _timestamp(point["time"]))
        _decorate(builder, created.get(key))


def _add_infos(builder, family):
    series_names = set(getattr(family, "_labelnames", ()))
    for sample in family.samples:
        series = {k: v for k, v in sample.labels.items() if k in series_names}
        info = {k: v for k, v in sample.labels.items() if k not in series_names}
        names, values, count = _pairs(series)
        info_names, info_values, info_count = _pairs(info)
        lib.pe_collect_info(builder, names, values, count, info_names, info_values, info_count,
                            _timestamp(sample))


def _add_statesets(builder, family):
    series = {}
    for sample in family.samples:
        point = series.setdefault(_series_key(sample.labels, family.name),
                                  {"states": [], "time": sample})
        point["states"].append((sample.labels[family.name], bool(sample.value)))
    for key, point in series.items():
        names, values, count = _pairs(dict(key))
        states = point["states"]
        state_names = _lib.str_array([state for state, _ in states])
        active = (c_bool * len(states))(*[on for _, on in states])
        lib.pe_collect_stateset(builder, names, values, count, state_names, active, len(states),
                                _timestamp(point["time"]))


_ADDERS = {
    "counter": _add_values,
    "gauge": _add_values,
    "unknown": _add_values,
    "histogram": _add_histograms,
    "summary": _add_summaries,
    "info": _add_infos,
    "stateset": _add_statesets,
}
