"""The process's CPU, memory, file descriptors and start time, as prometheus_client exposes them.

``ProcessCollector`` reads Linux's ``/proc`` (or another directory laid out like it, for tests)
at each collection: ``process_virtual_memory_bytes``, ``process_resident_memory_bytes``,
``process_start_time_seconds``, ``process_cpu_seconds_total``, ``process_open_fds`` and
``process_max_fds``, prefixed with ``<namespace>_`` when given one. Where ``/proc`` cannot be
read it yields nothing.

``PROCESS_COLLECTOR`` stands for the process collector the library keeps in ``REGISTRY``
(which writes the same metrics): it is registered there from the start,
``REGISTRY.unregister(PROCESS_COLLECTOR)`` takes the library's out (and registering it again puts
it back), and registering it in another registry collects the process there too.
"""

import os
from ctypes import byref, c_void_p

from . import _bridge
from ._lib import lib
from .metrics_core import CounterMetricFamily, GaugeMetricFamily
from .metrics_core import Metric  # noqa: F401 (as theirs)
from .registry import REGISTRY, Collector, CollectorRegistry, DuplicateTimeseries  # noqa: F401

__all__ = ["ProcessCollector", "PROCESS_COLLECTOR"]

try:
    import resource
    _PAGESIZE = resource.getpagesize()
except ImportError:  # not Unix
    _PAGESIZE = 4096

_NAMES = ("virtual_memory_bytes", "resident_memory_bytes", "start_time_seconds",
          "cpu_seconds_total", "open_fds", "max_fds")


def _is_default(registry):
    return getattr(registry, "_handle", None) is not None and \
        registry._handle.value == REGISTRY._handle.value


class ProcessCollector(Collector):
    """Collector of the process statistics ``/proc`` holds.

    ``pid`` returns the process to read (``"self"``: this one), ``proc`` is the directory
    holding ``stat`` and ``<pid>/``. Registered in ``registry`` unless it is None.
    """

    def __init__(self, namespace="", pid=lambda: "self", proc="/proc", registry=REGISTRY):
        self._namespace = namespace
        self._pid = pid
        self._proc = proc
        self._prefix = f"{namespace}_process_" if namespace else "process_"
        try:
            self._ticks = os.sysconf("SC_CLK_TCK")
        except (ValueError, TypeError, AttributeError, OSError):
            self._ticks = 100.0
        self._pagesize = _PAGESIZE
        try:
            self._btime = self._boot_time()
        except OSError:
            self._btime = 0  # no /proc: nothing to collect
        if registry:
            if _is_default(registry) and not namespace:
                # The library's process collector already writes these names there.
                raise DuplicateTimeseries({self._prefix + name for name in _NAMES})
            registry.register(self)

    def _boot_time(self):
        with open(os.path.join(self._proc, "stat"), "rb") as stat:
            for line in stat:
                if line.startswith(b"btime "):
                    return float(line.split()[1])
        return 0

    def collect(self):
        if not self._btime:
            return []
        directory = os.path.join(self._proc, str(self._pid()).strip())
        families = []
        try:
            families.extend(self._stat_families(directory))
        except OSError:
            pass
        try:
            families.extend(self._fd_families(directory))
        except OSError:
            pass
        return families

    def _stat_families(self, directory):
        with open(os.path.join(directory, "stat"), "rb") as stat:
            # The command name, in parentheses, may hold spaces: the fields follow the last ")".
            fields = stat.read().rsplit(b")", 1)[-1].split()
        prefix = self._prefix
        start_time = float(fields[19]) / self._ticks + self._btime
        cpu_seconds = (float(fields[11]) + float(fields[12])) / self._ticks
        return [
            GaugeMetricFamily(prefix + "virtual_memory_bytes", "Virtual memory size in bytes.",
                              value=float(fields[20])),
            GaugeMetricFamily(prefix + "resident_memory_bytes", "Resident memory size in bytes.",
                              value=float(fields[21]) * self._pagesize),
            GaugeMetricFamily(prefix + "start_time_seconds",
                              "Start time of the process since unix epoch in seconds.",
                              value=start_time),
            CounterMetricFamily(prefix + "cpu_seconds_total",
                                "Total user and system CPU time spent in seconds.",
                                value=cpu_seconds),
        ]

    def _fd_families(self, directory):
        max_fds = None
        with open(os.path.join(directory, "limits"), "rb") as limits:
            for line in limits:
                if line.startswith(b"Max open file"):
                    max_fds = float(line.split()[3])
                    break
        open_fds = len(os.listdir(os.path.join(directory, "fd")))
        families = [GaugeMetricFamily(self._prefix + "open_fds",
                                      "Number of open file descriptors.", open_fds)]
        if max_fds is not None:
            families.append(GaugeMetricFamily(self._prefix + "max_fds",
                                              "Maximum number of open file descriptors.",
                                              value=max_fds))
        return families


class _LibraryProcessCollector(ProcessCollector):
    """``PROCESS_COLLECTOR``: the library's process collector in ``REGISTRY``, and this
    package's reading of ``/proc`` in any other registry it is registered in."""

    def __init__(self):
        super().__init__(registry=None)
        self._bridges = {}  # id(registry) -> the CollectorBridge registered there
        self._library = c_void_p()  # the library's, in REGISTRY from the start
        lib.pe_collector_process(byref(self._library))

    def _register_in(self, registry):
        if _is_default(registry):
            lib.pe_registry_register_collector(REGISTRY._handle, self._library)
            return
        bridge = _bridge.CollectorBridge(ProcessCollector(registry=None))
        lib.pe_registry_register_collector(registry._handle, bridge.handle)
        self._bridges[id(registry)] = bridge

    def _unregister_from(self, registry):
        if _is_default(registry):
            lib.pe_registry_unregister_collector(REGISTRY._handle, self._library)
            return
        bridge = self._bridges.pop(id(registry))
        lib.pe_registry_unregister_collector(registry._handle, bridge.handle)


PROCESS_COLLECTOR = _LibraryProcessCollector()
"""The process collector of REGISTRY (the library's)."""
REGISTRY._collectors[PROCESS_COLLECTOR] = None
