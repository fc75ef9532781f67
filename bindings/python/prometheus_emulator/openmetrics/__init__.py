"""OpenMetrics 1.0 and 2.0: ``prometheus_emulator.openmetrics.exposition.generate_latest``."""
