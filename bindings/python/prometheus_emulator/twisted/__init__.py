"""A Twisted resource serving a registry, as ``prometheus_client.twisted`` (needs Twisted).

``MetricsResource(registry)`` is the WSGI application of ``make_wsgi_app`` run in the reactor's
thread pool, so it negotiates formats as the other servers do.
"""

from ._exposition import MetricsResource

__all__ = ["MetricsResource"]
