"""``MetricsResource``: ``make_wsgi_app`` as a Twisted ``WSGIResource``."""

from twisted.internet import reactor
from twisted.web.wsgi import WSGIResource

from .. import exposition
from ..registry import REGISTRY


def MetricsResource(registry=REGISTRY):
    """A Twisted resource serving ``registry``."""
    return WSGIResource(reactor, reactor.getThreadPool(), exposition.make_wsgi_app(registry))
