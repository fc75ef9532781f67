"""Pushes a registry to Graphite's plaintext protocol, as ``prometheus_client.bridge.graphite``.

``GraphiteBridge(("graphite", 2003)).push()`` sends every sample of the registry once;
``start(interval)`` pushes from a daemon thread every ``interval`` seconds. Label values become
path components (``name.label.value``), or Graphite tags with ``tags=True``
(``name;label=value``); characters Graphite cannot take in a path become ``_``.
"""

import logging
import re
import socket
import threading
import time
from timeit import default_timer

from ..registry import REGISTRY, Collector  # noqa: F401 (the type registry= takes)

__all__ = ["GraphiteBridge"]

_INVALID_CHARACTERS = re.compile(r"[^a-zA-Z0-9_-]")


def _sanitize(text):
    return _INVALID_CHARACTERS.sub("_", text)


class _RegularPush(threading.Thread):
    """Pushes every ``interval`` seconds, skipping pushes it fell behind on."""

    def __init__(self, pusher, interval, prefix):
        super().__init__(daemon=True)
        self._pusher = pusher
        self._interval = interval
        self._prefix = prefix

    def run(self):
        due = default_timer()
        while True:
            now = default_timer()
            while now < due:
                time.sleep(due - now)  # may return early
                now = default_timer()
            while due <= now:
                due += self._interval
            try:
                self._pusher.push(prefix=self._prefix)
            except OSError:
                logging.exception("Push failed")


class GraphiteBridge:
    """A pusher of ``registry`` to the Graphite server at ``address`` (host, port)."""

    def __init__(self, address, registry=REGISTRY, timeout_seconds=30, _timer=time.time,
                 tags=False):
        self._address = address
        self._registry = registry
        self._tags = tags
        self._timeout = timeout_seconds
        self._timer = _timer

    def push(self, prefix=""):
        """Sends every sample of the registry, timestamped now, over one TCP connection."""
        now = int(self._timer())
        start = prefix + "." if prefix else ""
        separator, pair = (";", "{}={}") if self._tags else (".", "{}.{}")
        lines = []
        for metric in self._registry.collect():
            for sample in metric.samples:
                labels = "".join(separator + pair.format(_sanitize(name), _sanitize(value))
                                 for name, value in sorted(sample.labels.items()))
                lines.append(f"{start}{_sanitize(sample.name)}{labels} "
                             f"{float(sample.value)} {now}\n")
        with socket.create_connection(self._address, self._timeout) as connection:
            connection.sendall("".join(lines).encode("ascii"))

    def start(self, interval=60.0, prefix=""):
        """Pushes every ``interval`` seconds from a daemon thread."""
        _RegularPush(self, interval, prefix).start()
