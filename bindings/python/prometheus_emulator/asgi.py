"""An ASGI application serving a registry, as ``prometheus_client.asgi``.

``make_asgi_app(registry)`` answers every HTTP request with the registry's exposition in the
format and escaping the library negotiates from the ``Accept`` header (text 0.0.4 or 1.0.0,
OpenMetrics 1.0 or 2.0, protobuf), gzipped when ``Accept-Encoding`` allows it, and restricted to
the families ``name[]`` query parameters select.
"""

from urllib.parse import parse_qs

from .exposition import _bake_output
from .registry import REGISTRY, Collector  # noqa: F401 (the type registry= takes)

__all__ = ["make_asgi_app"]


def _header(scope, name):
    """The values of one request header, joined with commas (None when absent)."""
    values = [value.decode("latin-1") for key, value in scope.get("headers") or ()
              if key.decode("latin-1").lower() == name]
    return ",".join(values) if values else None


def make_asgi_app(registry=REGISTRY, disable_compression=False):
    """An ASGI application serving ``registry``."""

    async def prometheus_app(scope, receive, send):
        assert scope.get("type") == "http"
        params = parse_qs(scope.get("query_string", b"").decode("utf-8"))
        status, headers, output = _bake_output(
            registry, _header(scope, "accept"), _header(scope, "accept-encoding"), params,
            disable_compression)
        message = await receive()
        if message.get("type") == "http.request":
            await send({
                "type": "http.response.start",
                "status": int(status.split(" ")[0]),
                "headers": [(key.encode("latin-1"), value.encode("latin-1"))
                            for key, value in headers],
            })
            await send({"type": "http.response.body", "body": output})

    return prometheus_app
