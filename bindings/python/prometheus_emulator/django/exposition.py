"""``PrometheusDjangoView``: the library's negotiated exposition as a Django view."""

import os

from django.http import HttpResponse
from django.views import View

from .. import multiprocess
from ..exposition import _bake_output
from ..registry import REGISTRY, CollectorRegistry

__all__ = ["PrometheusDjangoView"]


class PrometheusDjangoView(View):
    """Serves ``registry``; unless a subclass or ``as_view(registry=...)`` names one, a
    ``MultiProcessCollector`` of the shared store when ``PROMETHEUS_MULTIPROC_DIR`` was set at
    import (``multiprocess_mode``), else ``REGISTRY``, as prometheus_client's view does."""

    multiprocess_mode = ("PROMETHEUS_MULTIPROC_DIR" in os.environ
                         or "prometheus_multiproc_dir" in os.environ)
    registry = None

    def get(self, request, *args, **kwargs):
        registry = self.registry
        if registry is None:
            if self.multiprocess_mode:
                registry = CollectorRegistry()
                multiprocess.MultiProcessCollector(registry)
            else:
                registry = REGISTRY
        status, headers, output = _bake_output(
            registry, request.headers.get("Accept"), request.headers.get("Accept-Encoding"),
            request.GET, False)
        return HttpResponse(output, status=int(status.split(" ")[0]), headers=dict(headers))

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=200, headers={"Allow": "OPTIONS,GET"})
