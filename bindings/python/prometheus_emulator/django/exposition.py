"""``PrometheusDjangoView``: the library's negotiated exposition as a Django view."""

from django.http import HttpResponse
from django.views import View

from ..exposition import _bake_output
from ..registry import REGISTRY

__all__ = ["PrometheusDjangoView"]


class PrometheusDjangoView(View):
    """Serves ``registry`` (``REGISTRY`` unless a subclass or ``as_view(registry=...)`` says).

    prometheus_client's view switches to its multi-process collector when
    ``PROMETHEUS_MULTIPROC_DIR`` is set; there is no multi-process mode here yet
    (``prometheus_emulator.multiprocess``), so this one always serves ``registry``.
    """

    registry = None

    def get(self, request, *args, **kwargs):
        registry = REGISTRY if self.registry is None else self.registry
        status, headers, output = _bake_output(
            registry, request.headers.get("Accept"), request.headers.get("Accept-Encoding"),
            request.GET, False)
        return HttpResponse(output, status=int(status.split(" ")[0]), headers=dict(headers))

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=200, headers={"Allow": "OPTIONS,GET"})
