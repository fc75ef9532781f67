"""A Django view serving a registry, as ``prometheus_client.django`` (needs Django)."""

from .exposition import PrometheusDjangoView

__all__ = ["PrometheusDjangoView"]
