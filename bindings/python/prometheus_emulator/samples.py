"""The records a collection yields: samples, their exemplars and timestamps.

These mirror ``prometheus_client.samples`` field for field, so code that unpacks or compares
samples works unchanged.
"""

from typing import Dict, NamedTuple, Optional, Sequence, Union

__all__ = ["Timestamp", "BucketSpan", "Exemplar", "NativeHistogram", "Sample"]


class Timestamp:
    """A nanosecond-resolution timestamp."""

    __slots__ = ("sec", "nsec")

    def __init__(self, sec: float, nsec: float) -> None:
        if nsec < 0 or nsec >= 1e9:
            raise ValueError(f"Invalid value for nanoseconds in Timestamp: {nsec}")
        if sec < 0:
            nsec = -nsec
        self.sec = int(sec)
        self.nsec = int(nsec)

    def __str__(self) -> str:
        return f"{self.sec}.{self.nsec:09d}"

    def __repr__(self) -> str:
        return f"Timestamp({self.sec}, {self.nsec})"

    def __float__(self) -> float:
        return float(self.sec) + float(self.nsec) / 1e9

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timestamp) and (self.sec, self.nsec) == (other.sec, other.nsec)

    def __hash__(self) -> int:
        return hash((self.sec, self.nsec))

    def __lt__(self, other: "Timestamp") -> bool:
        return (self.sec, self.nsec) < (other.sec, other.nsec)

    def __gt__(self, other: "Timestamp") -> bool:
        return (self.sec, self.nsec) > (other.sec, other.nsec)


class BucketSpan(NamedTuple):
    """A run of ``length`` neighbouring native buckets, ``offset`` keys after the previous run."""

    offset: int
    length: int


class Exemplar(NamedTuple):
    """An exemplar: labels (a trace ID, say), the observed value and when it was seen."""

    labels: Dict[str, str]
    value: float
    timestamp: Optional[Union[float, Timestamp]] = None


class NativeHistogram(NamedTuple):
    """The value of a native histogram sample: count, sum, schema, zero bucket, and the
    populated buckets of each sign as spans and count deltas (each bucket's count minus the
    previous one's). Experimental, as in prometheus_client."""

    count_value: float
    sum_value: float
    schema: int
    zero_threshold: float
    zero_count: float
    pos_spans: Optional[Sequence[BucketSpan]] = None
    neg_spans: Optional[Sequence[BucketSpan]] = None
    pos_deltas: Optional[Sequence[int]] = None
    neg_deltas: Optional[Sequence[int]] = None
    nh_exemplars: Optional[Sequence[Exemplar]] = None


class Sample(NamedTuple):
    """One sample: full name (``x_total``, ``x_bucket``...), labels, value, timestamp, exemplar."""

    name: str
    labels: Dict[str, str]
    value: float
    timestamp: Optional[Union[float, Timestamp]] = None
    exemplar: Optional[Exemplar] = None
    native_histogram: Optional[NativeHistogram] = None
