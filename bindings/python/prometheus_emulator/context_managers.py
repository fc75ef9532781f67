"""Timing, in-progress tracking and exception counting, as context managers and decorators.

``Timer(metric, **labels)`` and ``time_function(metric, **labels)`` are the seed document's: they
record the duration of a block or a function in seconds, in a histogram or summary (observed),
a gauge (set) or a counter (added), for the child with the given label values. ``metric.time()``,
``gauge.track_inprogress()`` and ``counter.count_exceptions()`` return the same objects, as in
prometheus_client.
"""

import functools
import inspect
from timeit import default_timer

__all__ = ["Timer", "time_function", "InprogressTracker", "ExceptionCounter"]


def _decorate(function, context_factory):
    """Wraps ``function`` (plain or ``async``) so each call runs inside ``context_factory()``."""
    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def wrapped_coroutine(*args, **kwargs):
            with context_factory():
                return await function(*args, **kwargs)
        return wrapped_coroutine

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        with context_factory():
            return function(*args, **kwargs)
    return wrapped


class Timer:
    """Records how long a block (``with``) or each call of a function (decorator) takes.

        with Timer(request_duration, handler="api"):
            handle()

    ``duration`` holds the last measured duration in seconds. Inside the ``with`` block,
    ``labels(...)`` may choose the child the duration goes to, as in prometheus_client.
    """

    def __init__(self, metric, **labels):
        self._metric = metric
        self._labels = labels
        self._start = None
        self.duration = None

    def labels(self, *args, **kwargs):
        """Sends the duration to the child of the metric with these label values."""
        self._metric = self._metric.labels(*args, **kwargs)
        self._labels = {}

    def __enter__(self):
        self._start = default_timer()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        # Time can go backwards.
        self.duration = max(default_timer() - self._start, 0)
        target = self._metric.labels(**self._labels) if self._labels else self._metric
        getattr(target, target._time_with)(self.duration)

    def __call__(self, function):
        # A new timer per call keeps concurrent and recursive calls apart.
        return _decorate(function, lambda: Timer(self._metric, **self._labels))


def time_function(metric, **labels):
    """A decorator recording the duration of every call of the function in ``metric``.

        @time_function(function_duration, function="data_processing")
        def process_data(data): ...
    """
    return Timer(metric, **labels)


class InprogressTracker:
    """Adds 1 to a gauge while a block or function runs (``gauge.track_inprogress()``)."""

    def __init__(self, gauge):
        self._gauge = gauge

    def __enter__(self):
        self._gauge.inc()

    def __exit__(self, exc_type, exc_value, traceback):
        self._gauge.dec()

    def __call__(self, function):
        return _decorate(function, lambda: self)


class ExceptionCounter:
    """Adds 1 to a counter when a block or function raises ``exception``
    (``counter.count_exceptions()``); the exception propagates."""

    def __init__(self, counter, exception):
        self._counter = counter
        self._exception = exception

    def __enter__(self):
        pass

    def __exit__(self, exc_type, exc_value, traceback):
        if isinstance(exc_value, self._exception):
            self._counter.inc()
        return False

    def __call__(self, function):
        return _decorate(function, lambda: self)
