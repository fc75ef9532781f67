"""Timing, in-progress tracking and exception counting, as context managers and decorators.

``Timer(metric, **labels)`` and ``time_function(metric, **labels)`` are the seed document's: they
record the duration of a block or a function in seconds, in a histogram or summary (observed),
a gauge (set) or a counter (added), for the child with the given label values. ``metric.time()``,
``gauge.track_inprogress()`` and ``counter.count_exceptions()`` return the same objects, as in
prometheus_client; ``Timer(metric, "observe")`` names the method to call, as theirs does.

As decorators they keep the wrapped function's signature (``decorator.decorate``), for
``inspect.signature`` and ``inspect.getfullargspec`` alike; an ``async def`` function stays a
coroutine function, and the block covers its awaiting.
"""

import inspect
from timeit import default_timer

from .decorator import _make, decorate  # noqa: F401 (decorate: importable here, as theirs)

__all__ = ["Timer", "time_function", "InprogressTracker", "ExceptionCounter"]


def _decorate(function, context_factory):
    """``function`` (plain or ``async``) wrapped so each call runs inside ``context_factory()``,
    with its signature kept."""
    if inspect.iscoroutinefunction(function):
        async def call_inside(wrapped, *args, **kwargs):
            with context_factory():
                return await wrapped(*args, **kwargs)
        return _make(function, call_inside, is_async=True)

    def call_inside(wrapped, *args, **kwargs):
        with context_factory():
            return wrapped(*args, **kwargs)
    return _make(function, call_inside, is_async=False)


class Timer:
    """Records how long a block (``with``) or each call of a function (decorator) takes.

        with Timer(request_duration, handler="api"):
            handle()

    ``duration`` holds the last measured duration in seconds. Inside the ``with`` block,
    ``labels(...)`` may choose the child the duration goes to, as in prometheus_client.
    ``callback_name`` names the metric's method the duration goes to (by default the one its
    type records durations with: ``observe``, ``set`` or ``inc``).
    """

    def __init__(self, metric, callback_name=None, **labels):
        self._metric = metric
        self._callback_name = callback_name
        self._labels = labels
        self._start = None
        self.duration = None

    def _new_timer(self):
        return type(self)(self._metric, self._callback_name, **self._labels)

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
        getattr(target, self._callback_name or target._time_with)(self.duration)

    def __call__(self, function):
        # A new timer per call keeps concurrent and recursive calls apart.
        return _decorate(function, self._new_timer)


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
