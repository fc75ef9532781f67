"""Serving over HTTP: the library's exporter, the WSGI app and the http.server handler, scraped
for real on loopback."""

import gzip
import http.server
import sys
import threading
import urllib.error
import urllib.request

import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

import prometheus_emulator as pe
from prometheus_emulator import GaugeMetricFamily
from conftest import free_port, http_get, port_in_use

# What the library's exporter and the WSGI app answer a scraper that names OpenMetrics without an
# escaping: the format's type with the default escaping, as prometheus_client and client_golang
# answer a request for version 1.0.0.
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
TEXT = "text/plain; version=0.0.4; charset=utf-8"


@pytest.fixture
def served(registry):
    """The registry with a few metrics, served by the library's exporter on a free port."""
    pe.Counter("hits", "Hits.", ["path"], registry=registry).labels("/").inc(3)
    pe.Gauge("up", "Up.", registry=registry).set(1)
    server, thread = pe.start_http_server(0, addr="127.0.0.1", registry=registry)
    yield f"http://127.0.0.1:{server.server_port}", server, thread
    server.shutdown()


class TestExporter:
    def test_scrape_text(self, served):
        url, server, _ = served
        status, headers, body = http_get(url + "/metrics")
        assert status == 200
        assert headers["Content-Type"] == TEXT
        values = {s.name: s.value for f in parse_text(body.decode()) for s in f.samples}
        # The counter's _created gauge family too, as prometheus_client writes it.
        assert values.pop("hits_created") > 1.6e9
        assert values == {"hits_total": 3, "up": 1}

    def test_scrape_openmetrics_gzip(self, served):
        url, _, _ = served
        status, headers, body = http_get(url + "/metrics", headers={
            "Accept": "application/openmetrics-text;version=1.0.0;q=0.6,text/plain;q=0.3",
            "Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Type"] == OPENMETRICS
        assert headers["Content-Encoding"] == "gzip"
        text = gzip.decompress(body).decode()
        assert text.endswith("# EOF\n")
        assert {f.name for f in parse_openmetrics(text)} == {"hits", "up"}

    def test_name_filter_head_and_errors(self, served):
        url, _, _ = served
        _, _, body = http_get(url + "/metrics?name[]=up")
        assert body == b"# HELP up Up.\n# TYPE up gauge\nup 1.0\n"
        request = urllib.request.Request(url + "/metrics", method="HEAD")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and response.read() == b""
        assert http_get(url + "/nothing")[0] == 404

    def test_updates_show_up_and_shutdown_frees_the_port(self, registry):
        gauge = pe.Gauge("live", "Live.", registry=registry)
        server, thread = pe.start_http_server(0, "127.0.0.1", registry)
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        for value in (1, 2, 3):
            gauge.set(value)
            assert f"live {value}.0\n" in http_get(url)[2].decode()
        assert thread.is_alive()
        server.shutdown()
        thread.join(1)
        assert not thread.is_alive()
        assert not port_in_use(server.server_port)
        server.shutdown()  # again: nothing happens

    def test_seed_call_with_a_registry_second(self, registry):
        pe.Gauge("seed_positional", "S.", registry=registry).set(7)
        port = free_port()
        server, _ = pe.start_http_server(port, registry)
        try:
            assert server.server_address == ("0.0.0.0", port)
            assert b"seed_positional 7.0\n" in http_get(f"http://127.0.0.1:{port}/metrics")[2]
        finally:
            server.shutdown()

    def test_default_registry(self):
        server, _ = pe.start_http_server(0, "127.0.0.1")
        try:
            body = http_get(f"http://127.0.0.1:{server.server_port}/metrics")[2].decode()
            assert "process_cpu_seconds_total" in body
        finally:
            server.shutdown()

    def test_basic_auth(self, registry):
        server, _ = pe.start_http_server(0, "127.0.0.1", registry, basic_auth=("user", "pw"))
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        try:
            assert http_get(url)[0] == 401
            assert http_get(url, headers={"Authorization": "Basic dXNlcjpwdw=="})[0] == 200
        finally:
            server.shutdown()

    def test_port_in_use(self, served):
        _, server, _ = served
        with pytest.raises(OSError):
            pe.start_http_server(server.server_port, "127.0.0.1")

    def test_custom_collector_scraped_from_the_exporter_threads(self, registry):
        class Calls:
            def __init__(self):
                self.count = 0

            def collect(self):
                self.count += 1
                yield GaugeMetricFamily("collected_times", "C.", value=self.count)

        registry.register(Calls())
        server, _ = pe.start_http_server(0, "127.0.0.1", registry)
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        try:
            for expected in (1, 2, 3):
                assert f"collected_times {expected}.0\n" in http_get(url)[2].decode()
        finally:
            server.shutdown()

    def test_broken_collector_does_not_break_the_exporter(self, registry, monkeypatch):
        class Broken:
            def collect(self):
                raise RuntimeError("broken on purpose")

        pe.Gauge("still_here", "S.", registry=registry).set(1)
        registry.register(Broken())
        reported = []
        monkeypatch.setattr(sys, "unraisablehook", reported.append)
        server, _ = pe.start_http_server(0, "127.0.0.1", registry)
        try:
            status, _, body = http_get(f"http://127.0.0.1:{server.server_port}/metrics")
        finally:
            server.shutdown()
        assert status == 200 and b"still_here 1.0\n" in body
        assert [type(r.exc_value) for r in reported] == [RuntimeError]


class SlowInventory:
    """A custom collector whose collect() waits for ``gate`` (30 s at most), counting its calls."""

    def __init__(self):
        self.gate = threading.Event()
        self.calls = 0

    def collect(self):
        self.calls += 1
        self.gate.wait(30)
        yield GaugeMetricFamily("slow_inventory", "Slow to count.", value=1)


class TestScrapeDeadline:
    """A scrape that sends X-Prometheus-Scrape-Timeout-Seconds is answered within it: a Python
    collector still running is left out and counted, and not started again while it runs."""

    def test_a_slow_collector_costs_its_families_not_the_scrape(self, registry):
        pe.Gauge("up", "Up.", registry=registry).set(1)
        slow = SlowInventory()
        registry.register(slow)
        server, _ = pe.start_http_server(0, addr="127.0.0.1", registry=registry)
        try:
            url = f"http://127.0.0.1:{server.server_port}/metrics"
            timeout = {"X-Prometheus-Scrape-Timeout-Seconds": "1"}
            for scrape in (1, 2):
                status, _, body = http_get(url, headers=timeout)
                assert status == 200
                values = {(s.name, s.labels.get("collector")): s.value
                          for f in parse_text(body.decode()) for s in f.samples}
                assert values[("up", None)] == 1
                assert ("slow_inventory", None) not in values
                assert values[("prometheus_emulator_collector_timeout_total",
                               "SlowInventory")] == scrape
            assert slow.calls == 1
            slow.gate.set()
        finally:
            slow.gate.set()
            server.shutdown()


class TestWsgi:
    def test_wsgi_app(self, registry):
        pe.Counter("wsgi_hits", "W.", registry=registry).inc()
        server, thread = pe.start_wsgi_server(0, addr="127.0.0.1", registry=registry)
        url = f"http://127.0.0.1:{server.server_port}"
        try:
            status, headers, body = http_get(url + "/anything")
            assert status == 200 and headers["Content-Type"] == TEXT
            assert b"wsgi_hits_total 1.0\n" in body
            status, headers, body = http_get(url, headers={
                "Accept": "application/openmetrics-text", "Accept-Encoding": "gzip"})
            assert headers["Content-Type"] == OPENMETRICS
            assert gzip.decompress(body).decode().endswith("# EOF\n")
            _, _, body = http_get(url + "?name[]=nothing")
            assert body == b""
            request = urllib.request.Request(url, method="POST", data=b"")
            assert _status(request) == 405
        finally:
            server.shutdown()
            thread.join(5)

    def test_make_wsgi_app_directly(self, registry):
        pe.Gauge("direct", "D.", registry=registry).set(2)
        app = pe.make_wsgi_app(registry, disable_compression=True)
        started = []
        body = app({"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics", "QUERY_STRING": "",
                    "HTTP_ACCEPT_ENCODING": "gzip"},
                   lambda status, headers: started.append((status, dict(headers))))
        assert started == [("200 OK", {"Content-Type": TEXT})]
        assert body == [b"# HELP direct D.\n# TYPE direct gauge\ndirect 2.0\n"]
        app({"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "/"},
            lambda status, headers: started.append((status, dict(headers))))
        assert started[-1] == ("200 OK", {"Allow": "OPTIONS,GET"})

    def test_metrics_handler(self, registry):
        pe.Gauge("handled", "H.", registry=registry).set(3)
        httpd = http.server.HTTPServer(("127.0.0.1", 0), pe.MetricsHandler.factory(registry))
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            status, _, body = http_get(f"http://127.0.0.1:{httpd.server_port}/metrics")
            assert status == 200 and b"handled 3.0\n" in body
        finally:
            httpd.shutdown()
            httpd.server_close()


def _status(request):
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
