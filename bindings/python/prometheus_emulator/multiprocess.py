"""prometheus_client's multi-process mode: not offered yet.

prometheus_client's multi-process mode has every worker process write its values to files in
``PROMETHEUS_MULTIPROC_DIR`` and one collector merge them. Metrics here live in the library
inside each process, and no files are written, so ``MultiProcessCollector`` raises
``NotImplementedError``: expose each worker on a port of its own (``start_http_server``) or push
each worker's registry to a Pushgateway with a grouping key per worker
(``push_to_gateway(..., grouping_key={"instance": ...})``) instead.

``mark_process_dead(pid)`` does what prometheus_client's does, removing the dead process's
live-gauge files from the directory, which this package never writes: it is safe to keep in a
server's worker-exit hook.
"""

import glob
import os

__all__ = ["MultiProcessCollector", "mark_process_dead"]

_ALTERNATIVE = ("expose each worker process on a port of its own with start_http_server(), or "
                "push each worker's registry to a Pushgateway with a grouping key per worker")

_LIVE_GAUGE_MODES = ("liveall", "livemin", "livemax", "livesum", "livemostrecent")


class MultiProcessCollector:
    """prometheus_client's collector of multi-process files; raises NotImplementedError."""

    def __init__(self, registry, path=None):
        raise NotImplementedError(
            "prometheus_emulator has no multi-process mode yet (metric values live in the "
            f"library in each process, not in files): {_ALTERNATIVE}")

    @staticmethod
    def merge(files, accumulate=True):
        """prometheus_client's merge of multi-process files; raises NotImplementedError."""
        raise NotImplementedError(
            f"prometheus_emulator reads no multi-process files: {_ALTERNATIVE}")


def mark_process_dead(pid, path=None):
    """Removes the live-gauge files of a dead worker process from the multi-process directory
    (``PROMETHEUS_MULTIPROC_DIR`` unless ``path``), as prometheus_client's does."""
    if path is None:
        path = os.environ.get("PROMETHEUS_MULTIPROC_DIR",
                              os.environ.get("prometheus_multiproc_dir"))
    if not path:
        return
    for mode in _LIVE_GAUGE_MODES:
        for name in glob.glob(os.path.join(path, f"gauge_{mode}_{pid}.db")):
            os.remove(name)
