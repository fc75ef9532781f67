"""The clock that idle expiry reads, pinned for tests.

A metric made with ``series_ttl=`` removes the children not updated for that many seconds (see
``prometheus_emulator.metrics``). Collections read the clock, updates do not: a collection
stamps the children updated since the one before, and removes those whose stamp is a TTL old.
A test would have to sleep through the TTL; instead it pins the clock and moves it:

    from prometheus_emulator import Gauge, generate_latest, lifecycle

    with lifecycle.pinned_series_clock(1_000_000) as clock:
        depth = Gauge("queue_depth", "Depth.", ["queue"], series_ttl=60)
        depth.labels("mail").set(7)
        generate_latest()            # stamps the series at 1_000_000
        clock.advance(60)
        generate_latest()            # a TTL later: queue_depth{queue="mail"} is gone

The clock is the library's, one for the whole process: pinning it affects every family of every
registry, and every thread. Times are Unix times in seconds.
"""

import math
import numbers
from contextlib import contextmanager

from ._lib import lib

__all__ = ["pin_series_clock", "unpin_series_clock", "pinned_series_clock", "PinnedSeriesClock"]


def _seconds(value, what):
    """``value`` as a float number of seconds; TypeError for a bool or a non-number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number of seconds, not {value!r}")
    return float(value)


def pin_series_clock(unix_seconds):
    """Makes idle expiry read ``unix_seconds`` as the time now, until ``unpin_series_clock()``.

    ValueError for a negative, NaN or infinite time (the library refuses it), TypeError for
    something that is not a number.
    """
    lib.pe_series_clock_pin(_seconds(unix_seconds, "unix_seconds"))


def unpin_series_clock():
    """Makes idle expiry read the system clock again (the default). Unpinned already: no-op."""
    lib.pe_series_clock_unpin()


class PinnedSeriesClock:
    """The pinned clock of ``pinned_series_clock()``: ``now`` is the time expiry reads."""

    __slots__ = ("_now",)

    def __init__(self, unix_seconds):
        self._now = _seconds(unix_seconds, "unix_seconds")
        pin_series_clock(self._now)

    @property
    def now(self):
        """The pinned time, in Unix seconds."""
        return self._now

    def set(self, unix_seconds):
        """Pins the clock at ``unix_seconds`` (it may go back: a test's clock has no rules)."""
        seconds = _seconds(unix_seconds, "unix_seconds")
        pin_series_clock(seconds)
        self._now = seconds

    def advance(self, seconds):
        """Moves the pinned clock ``seconds`` forward; returns the new time."""
        step = _seconds(seconds, "seconds")
        if not (math.isfinite(step) and step >= 0):
            raise ValueError(f"the clock advances by a finite, non-negative step, not {seconds!r}")
        self.set(self._now + step)
        return self._now

    def __repr__(self):
        return f"{type(self).__module__}.{type(self).__name__}(now={self._now!r})"


@contextmanager
def pinned_series_clock(unix_seconds):
    """A context manager pinning the expiry clock at ``unix_seconds``; yields a
    ``PinnedSeriesClock`` to move it with, and unpins the clock on exit (whatever it was
    before: pins do not nest)."""
    clock = PinnedSeriesClock(unix_seconds)
    try:
        yield clock
    finally:
        unpin_series_clock()
