"""OpenMetrics 1.0: ``prometheus_emulator.openmetrics.exposition.generate_latest``."""
