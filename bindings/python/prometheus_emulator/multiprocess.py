"""prometheus_client's multi-process mode, over one shared store instead of a file per process.

Pre-fork servers (gunicorn, uWSGI...) run one interpreter per worker, so a scrape of any one
worker sees only its share. As with prometheus_client, set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty directory, wipe it between runs, and expose a registry holding a ``MultiProcessCollector``:

    from prometheus_emulator import CollectorRegistry, generate_latest, multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    data = generate_latest(registry)

The directory holds one file, ``prometheus_emulator.store``, which the library maps into every
process using it; no file is written per process, so the directory and the scrape time do not
grow as workers come and go. A ``Counter``, ``Gauge``, ``Histogram`` or ``Summary`` made while the
variable is set keeps its values there (the variable is read each time a metric is made, so
setting it after the import works too): counter increments and histogram observations are
added to values all processes share, and stay counted after the process exits. A gauge keeps a
value per process, combined at collection by its ``multiprocess_mode``, prometheus_client's:
``all`` and ``liveall`` give one sample per process with a ``pid`` label, ``min``, ``max``,
``sum`` and ``mostrecent`` combine the values of every process that set the series, and their
``live`` forms (``livesum``...) those of live processes only. The library tells a live process
by its pid and start time, so a reused pid is not mistaken for a dead worker.

``Info`` and ``Enum`` metrics and exemplars, which prometheus_client's ``MultiProcessCollector``
does not export, are in the store too: the latest labels, state or exemplar set by any process
holds. What the store does not hold stays in each process and is not collected here: summary
quantiles (a summary's count and sum are in the store, as prometheus_client exports them;
quantile sketches of different processes do not merge exactly, so each process's quantiles are
its own) and a native histogram with ``native_histogram_min_reset_duration`` or
``native_histogram_max_zero_threshold`` (other native histograms are in the store). Custom
collectors registered in a worker's registry are that worker's too.

``mark_process_dead(pid)``, in a server's worker-exit hook as prometheus_client's documentation
shows it, reclaims the dead worker's gauge values at once; the store also finds dead processes
by itself at each collection, so the hook only makes it prompt.

``MultiProcessCollector.merge`` reads prometheus_client's per-process files, of which there are
none here: it raises ``NotImplementedError``.
"""

import os
from ctypes import byref, c_void_p

from . import _lib, _store
from ._lib import lib
from .metrics import Gauge  # noqa: F401 (importable here, as theirs)
from .metrics_core import Metric  # noqa: F401
from .mmap_dict import MmapedDict  # noqa: F401
from .registry import CollectorRegistry
from .samples import Sample  # noqa: F401
from .utils import floatToGoString  # noqa: F401

__all__ = ["MultiProcessCollector", "mark_process_dead"]

_LIVE_GAUGE_MULTIPROCESS_MODES = [mode for mode in _lib.GAUGE_MODES if mode.startswith("live")]


class MultiProcessCollector:
    """Collector of every process's values in the shared store of ``path`` (by default the
    directory ``PROMETHEUS_MULTIPROC_DIR`` names), registered in ``registry`` unless it is None.

    Raises ``ValueError`` when no directory is named or it is not a directory, as
    prometheus_client's does; ``OSError`` when the store cannot be opened there, and
    ``StoreError`` (an ``OSError``) when its file is corrupt or was written by another version
    of the library.

    Register it in a registry of its own (a new ``CollectorRegistry``), not in ``REGISTRY``:
    the metrics made in this process are in ``REGISTRY`` too and would be exposed twice. Its
    ``collect()`` also works on its own, as a custom collector's does.
    """

    def __init__(self, registry, path=None):
        if path is None:
            path = _store.directory()
        if not path or not os.path.isdir(path):
            raise ValueError('env PROMETHEUS_MULTIPROC_DIR is not set or not a directory')
        self._path = path
        self._handle = c_void_p()
        lib.pe_store_collector(_store.open_store(path), byref(self._handle))
        if registry:
            registry.register(self)

    def __del__(self, _free=lib.pe_collector_free):
        handle = getattr(self, "_handle", None)
        if handle:
            _free(handle)

    # The library's collector is registered itself, as the process collector is: the store is
    # read in one pass by the library, with no Python run per sample.

    def _register_in(self, registry):
        lib.pe_registry_register_collector(registry._handle, self._handle)

    def _unregister_from(self, registry):
        lib.pe_registry_unregister_collector(registry._handle, self._handle)

    def collect(self):
        """The families of every process, read from the store now."""
        # Through a registry made for the call: one kept here would hold this collector in a
        # reference cycle.
        registry = CollectorRegistry()
        registry.register(self)
        return list(registry.collect())

    @staticmethod
    def merge(files, accumulate=True):
        """prometheus_client's merge of per-process files; raises NotImplementedError."""
        raise NotImplementedError(
            "prometheus_emulator writes no per-process files to merge: every process's values "
            f"are in one shared store, <directory>/{_store.FILENAME}; read it with "
            "MultiProcessCollector(registry, path=directory)")


def mark_process_dead(pid, path=None):
    """Reclaims the gauge values of process ``pid``, which has exited, from the shared store of
    ``path`` (by default the directory ``PROMETHEUS_MULTIPROC_DIR`` names), as prometheus_client's
    does with its files: call it from the server's worker-exit hook.

    Its counter increments and histogram observations stay counted. Nothing happens when no
    directory is named or it holds no store yet (a server master that made no metric), so the
    hook is harmless anywhere.
    """
    if path is None:
        path = _store.directory()
    if not path:
        return
    # Opening the store would create it: a directory without one has nothing to reclaim.
    if not os.path.exists(os.path.join(path, _store.FILENAME)):
        return
    lib.pe_store_mark_process_dead(_store.open_store(path), int(pid))
