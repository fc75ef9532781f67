"""An aiohttp handler serving a registry, as ``prometheus_client.aiohttp`` (needs aiohttp)."""

from .exposition import make_aiohttp_handler

__all__ = ["make_aiohttp_handler"]
