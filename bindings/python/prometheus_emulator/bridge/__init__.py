"""Bridges from a registry to other monitoring systems, as ``prometheus_client.bridge``:
``graphite.GraphiteBridge``."""
