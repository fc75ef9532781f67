"""Metric families: what ``collect()`` yields, and what custom collectors build.

``Metric`` is one family (name, help, type, unit) with its samples. A registry's ``collect()``
builds them from the library's snapshot of its collectors; a custom collector builds them with
the ``*MetricFamily`` helpers below and the registry hands them to the library at each
collection. The classes and their signatures are those of ``prometheus_client.metrics_core``;
metric names are checked by the library.
"""

from typing import Dict, List, Optional, Sequence, Tuple, Union

from . import _lib
from .samples import Exemplar, NativeHistogram, Sample, Timestamp  # noqa: F401 (as theirs)

__all__ = [
    "Metric",
    "METRIC_TYPES",
    "UnknownMetricFamily",
    "UntypedMetricFamily",
    "CounterMetricFamily",
    "GaugeMetricFamily",
    "SummaryMetricFamily",
    "HistogramMetricFamily",
    "GaugeHistogramMetricFamily",
    "InfoMetricFamily",
    "StateSetMetricFamily",
]

METRIC_TYPES = (
    "counter", "gauge", "summary", "histogram", "gaugehistogram", "unknown", "info", "stateset",
)

_Time = Optional[Union[float, Timestamp]]


class Metric:
    """A single metric family and its samples.

    Custom collectors should build families with ``GaugeMetricFamily``,
    ``CounterMetricFamily`` and the other helpers rather than with this class directly.
    """

    def __init__(self, name: str, documentation: str, typ: str, unit: str = ""):
        if unit and not name.endswith("_" + unit):
            name += "_" + unit
        _lib.check_metric_name(name)
        self.name: str = name
        self.documentation: str = documentation
        self.unit: str = unit
        if typ == "untyped":
            typ = "unknown"
        if typ not in METRIC_TYPES:
            raise ValueError("Invalid metric type: " + typ)
        self.type: str = typ
        self.samples: List[Sample] = []

    @classmethod
    def _from_library(cls, name, documentation, typ, unit, samples):
        """A family read from a library snapshot, whose names the library already checked."""
        metric = cls.__new__(cls)
        metric.name = name
        metric.documentation = documentation
        metric.unit = unit
        metric.type = typ
        metric.samples = samples
        return metric

    def add_sample(self, name: str, labels: Dict[str, str], value: float,
                   timestamp: _Time = None, exemplar: Optional[Exemplar] = None,
                   native_histogram=None) -> None:
        """Adds a sample to the family."""
        self.samples.append(Sample(name, labels, value, timestamp, exemplar, native_histogram))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Metric)
                and self.name == other.name
                and self.documentation == other.documentation
                and self.type == other.type
                and self.unit == other.unit
                and self.samples == other.samples)

    def __repr__(self) -> str:
        return (f"Metric({self.name}, {self.documentation}, {self.type}, {self.unit}, "
                f"{self.samples})")

    def _restricted_metric(self, names):
        """A copy keeping only the samples whose name is in ``names``, or None."""
        samples = [s for s in self.samples if s.name in names]
        if not samples:
            return None
        metric = Metric._from_library(self.name, self.documentation, self.type, self.unit, samples)
        return metric


class _Family(Metric):
    """A family whose samples are added by label values, as the ``*MetricFamily`` helpers do."""

    def _start(self, name, documentation, typ, unit, labels, value_given):
        Metric.__init__(self, name, documentation, typ, unit)
        if labels is not None and value_given:
            raise ValueError("Can only specify at most one of value and labels.")
        self._labelnames = tuple(labels or ())

    def _labels(self, values):
        return dict(zip(self._labelnames, values))


class UnknownMetricFamily(_Family):
    """A single unknown (untyped) metric and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str, value: Optional[float] = None,
                 labels: Optional[Sequence[str]] = None, unit: str = ""):
        self._start(name, documentation, "unknown", unit, labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels: Sequence[str], value: float, timestamp: _Time = None) -> None:
        """Adds the series with these label values."""
        self.samples.append(Sample(self.name, self._labels(labels), value, timestamp))


UntypedMetricFamily = UnknownMetricFamily


class CounterMetricFamily(_Family):
    """A single counter and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str, value: Optional[float] = None,
                 labels: Optional[Sequence[str]] = None, created: Optional[float] = None,
                 unit: str = "", exemplar: Optional[Exemplar] = None):
        # The family is named without _total; its sample carries it.
        if name.endswith("_total"):
            name = name[:-6]
        self._start(name, documentation, "counter", unit, labels, value is not None)
        if value is not None:
            self.add_metric([], value, created, exemplar=exemplar)

    def add_metric(self, labels: Sequence[str], value: float, created: Optional[float] = None,
                   timestamp: _Time = None, exemplar: Optional[Exemplar] = None) -> None:
        """Adds the series with these label values; ``created`` is its start time."""
        self.samples.append(
            Sample(self.name + "_total", self._labels(labels), value, timestamp, exemplar))
        if created is not None:
            self.samples.append(
                Sample(self.name + "_created", self._labels(labels), created, timestamp))


class GaugeMetricFamily(_Family):
    """A single gauge and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str, value: Optional[float] = None,
                 labels: Optional[Sequence[str]] = None, unit: str = ""):
        self._start(name, documentation, "gauge", unit, labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels: Sequence[str], value: float, timestamp: _Time = None) -> None:
        """Adds the series with these label values."""
        self.samples.append(Sample(self.name, self._labels(labels), value, timestamp))


class SummaryMetricFamily(_Family):
    """A single summary (count and sum) and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str, count_value: Optional[int] = None,
                 sum_value: Optional[float] = None, labels: Optional[Sequence[str]] = None,
                 unit: str = ""):
        if (sum_value is None) != (count_value is None):
            raise ValueError("count_value and sum_value must be provided together.")
        self._start(name, documentation, "summary", unit, labels, count_value is not None)
        if count_value is not None and sum_value is not None:
            self.add_metric([], count_value, sum_value)

    def add_metric(self, labels: Sequence[str], count_value: int, sum_value: float,
                   timestamp: _Time = None) -> None:
        """Adds the series with these label values."""
        self.samples.append(
            Sample(self.name + "_count", self._labels(labels), count_value, timestamp))
        self.samples.append(Sample(self.name + "_sum", self._labels(labels), sum_value, timestamp))


class HistogramMetricFamily(_Family):
    """A single histogram and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str,
                 buckets: Optional[Sequence[Union[Tuple[str, float],
                                                  Tuple[str, float, Exemplar]]]] = None,
                 sum_value: Optional[float] = None, labels: Optional[Sequence[str]] = None,
                 unit: str = ""):
        if sum_value is not None and buckets is None:
            raise ValueError("sum value cannot be provided without buckets.")
        if labels is not None and buckets is not None:
            raise ValueError("Can only specify at most one of buckets and labels.")
        self._start(name, documentation, "histogram", unit, labels, False)
        if buckets is not None:
            self.add_metric([], buckets, sum_value)

    def add_metric(self, labels: Sequence[str],
                   buckets: Sequence[Union[Tuple[str, float], Tuple[str, float, Exemplar]]],
                   sum_value: Optional[float], timestamp: _Time = None) -> None:
        """Adds the series with these label values.

        ``buckets`` are ``(upper bound, cumulative count)`` pairs (or triples with an exemplar),
        sorted, ending with ``+Inf``, whose count is the series' count.
        """
        series = list(zip(self._labelnames, labels))
        for bucket in buckets:
            bound, value = bucket[:2]
            exemplar = bucket[2] if len(bucket) == 3 else None
            self.samples.append(Sample(
                self.name + "_bucket", dict(series + [("le", bound)]), value, timestamp, exemplar))
        # As in prometheus_client: no sum, and so no count, when there are negative buckets.
        if float(buckets[0][0]) >= 0 and sum_value is not None:
            self.samples.append(
                Sample(self.name + "_count", dict(series), buckets[-1][1], timestamp))
            self.samples.append(Sample(self.name + "_sum", dict(series), sum_value, timestamp))


class GaugeHistogramMetricFamily(_Family):
    """A single gauge histogram and its samples, for custom collectors.

    The library has no gauge histogram type: such families are returned by ``collect()`` of
    the collector itself but left out of the exposition (with a warning).
    """

    def __init__(self, name: str, documentation: str,
                 buckets: Optional[Sequence[Tuple[str, float]]] = None,
                 gsum_value: Optional[float] = None, labels: Optional[Sequence[str]] = None,
                 unit: str = ""):
        if labels is not None and buckets is not None:
            raise ValueError("Can only specify at most one of buckets and labels.")
        self._start(name, documentation, "gaugehistogram", unit, labels, False)
        if buckets is not None:
            self.add_metric([], buckets, gsum_value)

    def add_metric(self, labels: Sequence[str], buckets: Sequence[Tuple[str, float]],
                   gsum_value: Optional[float], timestamp: _Time = None) -> None:
        """Adds the series with these label values."""
        series = list(zip(self._labelnames, labels))
        for bound, value in buckets:
            self.samples.append(
                Sample(self.name + "_bucket", dict(series + [("le", bound)]), value, timestamp))
        self.samples.append(
            Sample(self.name + "_gcount", dict(series), buckets[-1][1], timestamp))
        self.samples.append(Sample(self.name + "_gsum", dict(series), gsum_value, timestamp))


class InfoMetricFamily(_Family):
    """A single info metric and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str, value: Optional[Dict[str, str]] = None,
                 labels: Optional[Sequence[str]] = None):
        self._start(name, documentation, "info", "", labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels: Sequence[str], value: Dict[str, str],
                   timestamp: _Time = None) -> None:
        """Adds the series with these label values; ``value`` holds its info labels."""
        self.samples.append(
            Sample(self.name + "_info", dict(self._labels(labels), **value), 1, timestamp))


class StateSetMetricFamily(_Family):
    """A single state set and its samples, for custom collectors."""

    def __init__(self, name: str, documentation: str, value: Optional[Dict[str, bool]] = None,
                 labels: Optional[Sequence[str]] = None):
        self._start(name, documentation, "stateset", "", labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels: Sequence[str], value: Dict[str, bool],
                   timestamp: _Time = None) -> None:
        """Adds the series with these label values; ``value`` says which states are set."""
        names = self._labelnames + (self.name,)
        for state, enabled in sorted(value.items()):
            self.samples.append(Sample(
                self.name, dict(zip(names, tuple(labels) + (state,))), 1 if enabled else 0,
                timestamp))
