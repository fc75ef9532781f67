"""Parsing Prometheus text format 0.0.4, as ``prometheus_client.parser`` parses it.

The library reads the text (``pe_parse_exposition_partial``) and hands the families over as a
snapshot, read here in one JSON document into the ``Metric`` and ``Sample`` objects
prometheus_client's parser yields: the same names (a counter's family without ``_total``),
labels in the order written, values as ``int`` when the text wrote an integer and ``float``
otherwise, timestamps in seconds. Like prometheus_client's, the functions are generators: they
yield the families read before an invalid line, then raise ``ValueError``.

``text_fd_to_metric_families`` reads the whole file before it yields (prometheus_client reads it
line by line as it yields).
"""

import json
from ctypes import byref, c_size_t, c_void_p
from typing import Iterable, TextIO

from . import _lib
from ._lib import lib
from .metrics_core import Metric
from .samples import Exemplar, Sample, Timestamp

__all__ = ["text_string_to_metric_families", "text_fd_to_metric_families"]

# The type names of the snapshot's pe_metric_type codes, gauge histograms (7) included.
_TYPES = (*_lib.METRIC_TYPES, "gaugehistogram")
assert _TYPES.index("gaugehistogram") == _lib.PE_METRIC_GAUGE_HISTOGRAM

_new_sample = tuple.__new__
_from_library = Metric._from_library


def text_string_to_metric_families(text: str) -> Iterable[Metric]:
    """Parse Prometheus text format from a unicode string.

    See text_fd_to_metric_families.
    """
    yield from _families(text, _lib.PE_FORMAT_PROMETHEUS)


def text_fd_to_metric_families(fd: TextIO) -> Iterable[Metric]:
    """Parse Prometheus text format from a file descriptor.

    As lax as prometheus_client's parser, so successful parsing does not imply that the text
    meets the specification. Yields Metric's.
    """
    yield from _families(_read_all(fd), _lib.PE_FORMAT_PROMETHEUS)


def _read_all(fd):
    read = getattr(fd, "read", None)
    return read() if read is not None else "".join(fd)


def _families(text, fmt):
    """The families of ``text`` in format ``fmt``, yielded one by one; ValueError after those
    read before an invalid line."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    snapshot = c_void_p()
    error = c_void_p()
    lib.pe_parse_exposition_partial(data, len(data), fmt, byref(snapshot), byref(error))
    message = _lib.take_string(error).decode("utf-8", "replace") if error.value else None
    yield from _read(snapshot)
    if message is not None:
        raise ValueError(message)


def _read(snapshot):
    """The families of a parsed snapshot (freed here) as ``Metric`` objects."""
    try:
        text = c_void_p()
        length = c_size_t()
        lib.pe_snapshot_json_columns(snapshot, byref(text), byref(length))
    finally:
        lib.pe_snapshot_free(snapshot)
    families = json.loads(_lib.take_string(text, length.value))
    return [_from_library(name, documentation, _TYPES[kind], unit,
                          _samples(names, labels, values, timestamps, exemplars))
            for name, documentation, unit, kind, names, labels, values, timestamps, exemplars
            in families]


def _samples(names, labels, values, timestamps, exemplars):
    """The samples of one family from its columns (``timestamps`` and ``exemplars`` None when no
    sample has one)."""
    values = map(_number, values)
    none = (None,) * len(names)
    timestamps = none if timestamps is None else map(_timestamp, timestamps)
    exemplars = none if exemplars is None else map(_exemplar, exemplars)
    return [_new_sample(Sample, sample)
            for sample in zip(names, labels, values, timestamps, exemplars, none)]


def _number(value):
    """A value as the library wrote it: an exact int, a float, or "NaN", "+Inf", "-Inf"."""
    return float(value) if type(value) is str else value


def _timestamp(value):
    """None, seconds (a float) or [sec, nsec] (an OpenMetrics ``Timestamp``)."""
    if type(value) is list:
        return Timestamp(*value)
    return None if value is None else float(value)


def _exemplar(exemplar):
    if exemplar is None:
        return None
    labels, value, timestamp = exemplar
    return Exemplar(labels, _number(value), _timestamp(timestamp))
