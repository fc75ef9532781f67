"""Pushing a registry to an OTLP/HTTP metrics receiver, from the library's sender thread.

The same sender as ``prometheus_emulator.remote_write`` (its retries, queue, deadlines,
self-metrics, exit and fork behaviour), speaking OTLP/HTTP with binary protobuf instead::

    from prometheus_emulator.otlp import OTLPSender

    sender = OTLPSender("http://collector:4318/v1/metrics",
                        resource_attributes={"service.name": "worker"})

The receiver's URL ends in ``/v1/metrics`` (Prometheus's own OTLP receiver is
``/api/v1/otlp/v1/metrics``). The registry's families are sent as OTLP metrics under one
resource whose attributes are ``resource_attributes``; ``service.name`` defaults to
``unknown_service:<script>``, as OpenTelemetry's SDK names a service nobody named: set it.
"""

import os
import sys

from .registry import REGISTRY
from ._lib import PE_SENDER_OTLP
from .remote_write import RemoteWriteError, _push_once, _Sender

__all__ = ["OTLPSender", "OTLPError", "push_to_otlp"]

OTLPError = RemoteWriteError
"""Batches dropped instead of delivered (rejected by the receiver, or displaced from a full
queue): ``remote_write.RemoteWriteError`` under the name this module's callers look for."""


class OTLPSender(_Sender):
    """Sends ``registry`` to an OTLP/HTTP metrics receiver every ``interval`` seconds.

    ``resource_attributes`` (a dict) describe the source (``service.name``,
    ``service.instance.id``, ...); Prometheus's receiver makes ``job`` and ``instance`` of
    ``service.name`` and ``service.instance.id``. The other arguments, the methods and the
    errors are ``remote_write.RemoteWriteSender``'s (there are no external labels: OTLP names
    the source with resource attributes, and no protocol choice).
    """

    def __init__(self, url, registry=REGISTRY, *, resource_attributes=None, interval=15.0,
                 timeout=10.0, connect_timeout=5.0, headers=None, basic_auth=None,
                 bearer_token=None, ca_file=None, max_queue_bytes=None,
                 max_queue_batches=None, destination=None):
        if resource_attributes is None or (isinstance(resource_attributes, dict)
                                           and "service.name" not in resource_attributes):
            resource_attributes = {"service.name": _service_name(), **(resource_attributes or {})}
        super().__init__(
            url, registry, PE_SENDER_OTLP, "OTLP/HTTP", interval=interval, timeout=timeout,
            connect_timeout=connect_timeout, resource_attributes=resource_attributes,
            headers=headers, basic_auth=basic_auth, bearer_token=bearer_token,
            ca_file=ca_file, max_queue_bytes=max_queue_bytes,
            max_queue_batches=max_queue_batches, destination=destination)


def _service_name():
    """The script's name, as OpenTelemetry's SDK for Python names a service nobody named: the
    library would see only the interpreter (``python3``)."""
    script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return f"unknown_service:{script}" if script else "unknown_service:python"


def push_to_otlp(url, registry=REGISTRY, timeout=10.0, **options):
    """Sends ``registry`` once to an OTLP/HTTP receiver and returns when it was delivered.

    As ``remote_write.push_to_remote_write``: ``options`` are ``OTLPSender``'s keyword
    arguments but ``interval``; ``TimeoutError`` when ``timeout`` passed first, ``OTLPError``
    when the receiver rejected the batch.
    """
    _push_once(OTLPSender, url, registry, timeout, options)
