"""The shared stores of multi-process mode: which directory is asked for, and one open store
per directory per process.

prometheus_client's multi-process mode is switched on by ``PROMETHEUS_MULTIPROC_DIR`` (or the
deprecated lowercase ``prometheus_multiproc_dir``). Here the directory holds one file,
``prometheus_emulator.store``, which the library maps into every process that opens it: the
metrics made while the variable is set keep their values there, and a ``MultiProcessCollector``
reads every process's values from it.

The variable is read each time a metric is made, not once at import, so a program (or a test)
that sets it after importing the package still gets shared metrics (prometheus_client reads it
when ``prometheus_client.values`` is imported: its issue #886).

A store is opened once per directory and kept for the life of the process: every metric made
on it holds it, and a child made by ``os.fork()`` inherits the open store (the mapping is shared,
and the library tells the processes apart by pid and start time), so nothing is reopened there.
"""

import os
import threading
import warnings
from ctypes import byref, c_void_p

from ._lib import lib

__all__ = ["FILENAME", "directory", "open_store"]

FILENAME = "prometheus_emulator.store"

_stores = {}  # real path of a directory -> the c_void_p handle of its open store
_lock = threading.Lock()


def _reset_lock():
    # A thread of the parent may hold the lock at the moment of a fork: the child, where that
    # thread does not exist, gets a new one.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock)


def directory():
    """The multi-process directory the environment names now, or None when it names none.

    ``PROMETHEUS_MULTIPROC_DIR``, else the deprecated ``prometheus_multiproc_dir`` (with a
    DeprecationWarning, as prometheus_client warns). An empty value names none.
    """
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path is None:
        path = os.environ.get("prometheus_multiproc_dir")
        if path is not None:
            warnings.warn("prometheus_multiproc_dir variable has been deprecated in favor of "
                          "the upper case naming PROMETHEUS_MULTIPROC_DIR", DeprecationWarning,
                          stacklevel=2)
    return path or None


def open_store(path):
    """The handle of the store in directory ``path``, opened (or created) on first use.

    Raises OSError when the directory is missing or cannot be written, and
    ``_lib.StoreError`` (an OSError too) when its store file is corrupt, of another version of
    the library, or made with other parameters.
    """
    # The real path, so that two spellings of one directory share one open store: the library
    # keeps one process slot per opening.
    key = os.path.realpath(path)
    store = _stores.get(key)
    if store is not None:
        return store
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = c_void_p()
            lib.pe_store_open(os.fsencode(key), None, byref(store))
            _stores[key] = store
        return store
