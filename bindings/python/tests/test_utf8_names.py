"""UTF-8 metric and label names (Prometheus 3): valid by default, refused under legacy validation
(process-wide or per registry), and written with the escaping a caller or scraper asks for, as
prometheus_client 0.26 writes them for the same program."""

import http.server
import inspect
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from ctypes import byref, c_int

import prometheus_client
import prometheus_client.exposition
import prometheus_client.openmetrics.exposition
import prometheus_client.validation
import pytest
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

import prometheus_emulator as pe
from prometheus_emulator import _lib, exposition, validation
from prometheus_emulator.metrics_core import GaugeMetricFamily
from prometheus_emulator.openmetrics import exposition as openmetrics
from conftest import http_get

ESCAPINGS = (openmetrics.ALLOWUTF8, openmetrics.UNDERSCORES, openmetrics.DOTS, openmetrics.VALUES)

TEXT_ESCAPINGS = ESCAPINGS

PROMETHEUS_3_ACCEPT = (
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
    "application/openmetrics-text;version=0.0.1;q=0.5,"
    "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
PROMETHEUS_2_ACCEPT = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def workload(module, registry, legacy_family=True):
    """The same instrumentation with UTF-8 names, written against either library.

    Label names are given in sorted order: prometheus_client sorts them on output, the library
    keeps the declared order. ``legacy_family`` adds a family with a legacy name.
    """
    requests = module.Counter("app.requests_total", "Requests served.", ["code", "http.method"],
                              registry=registry)
    requests.labels("200", "GET").inc(3)
    requests.labels(code="500", **{"http.method": "POST"}).inc()
    module.Gauge("température.celsius", 'With "quotes" and \\ slash.', ["room name"],
                 registry=registry).labels("lab \"1\"").set(-4.25)
    latency = module.Histogram("http.server.duration_seconds", "Latency.", ["http.route"],
                               buckets=[0.1, 0.5, 1], registry=registry)
    for x in (0.05, 0.3, 0.3, 2):
        latency.labels("/a").observe(x)
    if legacy_family:
        module.Gauge("queue_depth", "A legacy name.", ["shard"],
                     registry=registry).labels("1").set(7)


def both(legacy_family=True):
    """A registry of each library with the workload."""
    ours, theirs = pe.CollectorRegistry(), prometheus_client.CollectorRegistry()
    workload(pe, ours, legacy_family)
    workload(prometheus_client, theirs, legacy_family)
    return ours, theirs


def comparable(escaping):
    """Registries of both libraries to compare output under ``escaping`` with.

    Under dots and values the library writes legacy names as they are, as client_golang's
    encoder does, where prometheus_client rewrites them (``queue__depth`` under dots,
    ``U__queue__depth`` on OpenMetrics sample lines under values): the legacy family is left
    out there, and tested by ``test_legacy_names_stay_under_every_escaping``.
    """
    return both(legacy_family=escaping in (openmetrics.ALLOWUTF8, openmetrics.UNDERSCORES))


def as_client_golang(text, escaping):
    """prometheus_client's output with the names client_golang's encoder, and so the library,
    writes under dots and values. The family's name with its type's suffix is what gets escaped
    (``app.requests_total`` is ``U__app_2e_requests__total`` in every format), and the other
    suffixes follow the escaped family name as they are, where prometheus_client escapes each
    whole sample name and so doubles their underscore
    (``http_dot_server_dot_duration__seconds__bucket``). A counter's OpenMetrics family is its
    escaped sample name without ``_total`` (``U__app_2e_requests_``). The text 0.0.4 ``_created``
    gauge family of a histogram or summary is named as the family's other suffixes are
    (``http_dot_server_dot_duration__seconds_created``), where prometheus_client escapes it as a
    family of its own."""
    if escaping in (openmetrics.ALLOWUTF8, openmetrics.UNDERSCORES):
        return text
    for family in re.findall(r"^# TYPE (\S+) (?:histogram|summary)$", text, flags=re.M):
        text = re.sub(rf"^(# (?:HELP|TYPE) )?{re.escape(family)}__created\b",
                      lambda m: (m.group(1) or "") + family + "_created", text, flags=re.M)
    kinds = dict(line.split(" ")[2:4] for line in text.splitlines() if line.startswith("# TYPE "))
    lines, family, kind = [], None, None
    for line in text.splitlines():
        if line.startswith(("# TYPE ", "# HELP ", "# UNIT ")):
            _, keyword, name, rest = line.split(" ", 3)
            family, kind = name, kinds.get(name)
            escaped_total = any(other.startswith(name + "__total") for other in text.splitlines())
            if kind == "counter" and escaped_total:
                line = " ".join(["#", keyword, name + "_", rest])
        elif (not line.startswith("#") and family is not None and kind != "counter"
              and line.startswith(family)):
            name = re.match(r"[^{ ]*", line).group()
            line = family + name[len(family):].replace("__", "_") + line[len(name):]
        lines.append(line)
    return "\n".join(lines) + "\n"


def samples(families):
    """Name, labels and value of every sample but ``_created``, sorted."""
    return sorted((s.name, tuple(sorted(s.labels.items())), s.value)
                  for f in families for s in f.samples if not s.name.endswith("_created"))


def heads(text, skip_created=False):
    """The set of comment lines and of sample lines without their values: every name and label
    as written, byte for byte, with what differs by design (number formatting, family order,
    ``# HELP`` before or after ``# TYPE``) left out."""
    lines = set()
    for line in text.splitlines():
        if skip_created and "_created" in line:
            continue
        lines.add(line if line.startswith("#") else line.rsplit(" ", 1)[0])
    return lines


class TestNames:
    def test_utf8_names_are_valid_by_default(self, registry):
        assert validation.get_legacy_validation() is False
        counter = pe.Counter("app.requests_total", "R.", labelnames=["http.method"],
                             registry=registry)
        counter.labels("GET").inc()
        pe.Gauge("température", "T.", ["room name"], registry=registry).labels("a").set(1)
        histogram = pe.Histogram("http.server.duration", "D.", ["http.route"], registry=registry)
        histogram.labels("/").observe(0.2)
        assert counter._name == "app.requests"
        assert registry.get_sample_value("app.requests_total", {"http.method": "GET"}) == 1
        assert registry.get_sample_value("http.server.duration_count", {"http.route": "/"}) == 1
        names = {f.name for f in registry.collect()}
        assert names == {"app.requests", "température", "http.server.duration"}

    def test_names_invalid_under_any_validation(self, registry):
        with pytest.raises(ValueError, match=r"\(pe_counter_new_opts: .*empty"):
            pe.Counter("", "E.", registry=registry)
        with pytest.raises(ValueError, match=r"\(pe_gauge_new_opts: .*reserved"):
            pe.Gauge("g", "G.", ["__name.x"], registry=registry)
        with pytest.raises(UnicodeError):  # a lone surrogate is no UTF-8
            pe.Gauge("\ud800", "S.", registry=registry)

    def test_metric_families_take_utf8_names(self):
        assert GaugeMetricFamily("app.gauge", "G.", value=1).name == "app.gauge"

    def test_escape_name_is_prometheus_clients(self):
        names = ["app.requests_total", "température", "0starts", "has space", "a:b", "plain_ok",
                 "x.y_z", 'q"\\']
        for escaping in (openmetrics.UNDERSCORES, openmetrics.DOTS, openmetrics.VALUES):
            for name in names:
                expected = prometheus_client.openmetrics.exposition.escape_metric_name(
                    name, escaping)
                assert _lib.escape_name(name, escaping) == expected, (name, escaping)
        # Quoting is no escaping: allow-utf-8 leaves the name as it is.
        assert _lib.escape_name("app.requests", openmetrics.ALLOWUTF8) == "app.requests"


class TestExposition:
    @pytest.mark.parametrize("escaping", TEXT_ESCAPINGS)
    def test_text_as_prometheus_client_writes_it(self, escaping):
        ours, theirs = comparable(escaping)
        text = exposition.generate_latest(ours, escaping=escaping).decode()
        expected = as_client_golang(
            prometheus_client.generate_latest(theirs, escaping=escaping).decode(), escaping)
        # The _created gauge families of text 0.0.4 included.
        assert heads(text) == heads(expected)
        assert samples(parse_text(text)) == samples(parse_text(expected))

    @pytest.mark.parametrize("escaping", ESCAPINGS)
    def test_openmetrics_as_prometheus_client_writes_it(self, escaping):
        ours, theirs = comparable(escaping)
        text = openmetrics.generate_latest(ours, escaping=escaping).decode()
        expected = as_client_golang(prometheus_client.openmetrics.exposition.generate_latest(
            theirs, escaping=escaping).decode(), escaping)
        assert heads(text) == heads(expected)
        # prometheus_client's parser reads it (as written by prometheus_client, it refuses
        # `app_dot_requests__total` in family `app_dot_requests` under dots and values).
        assert samples(parse_openmetrics(text)) == samples(parse_openmetrics(expected))

    @pytest.mark.parametrize("escaping", ESCAPINGS)
    def test_legacy_names_stay_under_every_escaping(self, registry, escaping):
        pe.Gauge("queue_depth", "Legacy.", ["shard"], registry=registry).labels("1").set(7)
        pe.Counter("jobs:done", "Legacy, with a colon.", registry=registry).inc()
        text = exposition.generate_latest(registry, escaping=escaping)
        created = re.search(rb"^jobs:done_created (\S+)$", text, flags=re.M).group(1)
        assert text == (
            b'# HELP queue_depth Legacy.\n# TYPE queue_depth gauge\nqueue_depth{shard="1"} 7.0\n'
            b'# HELP jobs:done_total Legacy, with a colon.\n# TYPE jobs:done_total counter\n'
            b'jobs:done_total 1.0\n'
            b'# HELP jobs:done_created Legacy, with a colon.\n# TYPE jobs:done_created gauge\n'
            b'jobs:done_created ' + created + b'\n')
        text = openmetrics.generate_latest(registry, escaping=escaping).decode()
        assert "\njobs:done_total 1.0\n" in text and '\nqueue_depth{shard="1"} 7.0\n' in text
        # pe_escape_name is prometheus/common's EscapeName, which does rewrite them under dots.
        assert _lib.escape_name("queue_depth", escaping) == (
            "queue__depth" if escaping == openmetrics.DOTS else "queue_depth")

    def test_the_escapings_written(self, registry):
        workload(pe, registry)
        lines = {escaping: exposition.generate_latest(registry, escaping=escaping).decode()
                 for escaping in ESCAPINGS}
        assert '{"app.requests_total",code="200","http.method"="GET"} 3.0\n' in \
            lines[openmetrics.ALLOWUTF8]
        assert '# HELP "température.celsius" With "quotes" and \\\\ slash.\n' in \
            lines[openmetrics.ALLOWUTF8]
        assert 'app_requests_total{code="200",http_method="GET"} 3.0\n' in \
            lines[openmetrics.UNDERSCORES]
        assert 'app_dot_requests__total{code="200",http_dot_method="GET"} 3.0\n' in \
            lines[openmetrics.DOTS]
        assert 'http_dot_server_dot_duration__seconds_count{http_dot_route="/a"} 4.0\n' in \
            lines[openmetrics.DOTS]
        assert 'U__app_2e_requests__total{code="200",U__http_2e_method="GET"} 3.0\n' in \
            lines[openmetrics.VALUES]
        assert 'U__temp_e9_rature_2e_celsius{U__room_20_name="lab \\"1\\""} -4.25\n' in \
            lines[openmetrics.VALUES]
        for escaping in ESCAPINGS:
            assert 'queue_depth{shard="1"} 7.0\n' in lines[escaping]

    def test_defaults_are_underscores(self, registry):
        workload(pe, registry)
        underscores = exposition.generate_latest(registry, escaping=openmetrics.UNDERSCORES)
        assert exposition.generate_latest(registry) == underscores
        assert exposition.generate_latest(registry, escaping=None) == underscores
        om = openmetrics.generate_latest(registry, escaping=openmetrics.UNDERSCORES)
        assert openmetrics.generate_latest(registry) == om
        om2 = openmetrics.generate_latest(registry, version="2.0.0").decode()
        assert "app_requests_total{" in om2 and '"app.requests' not in om2
        om2 = openmetrics.generate_latest(registry, openmetrics.ALLOWUTF8, "2.0.0").decode()
        assert '{"app.requests_total",' in om2

    def test_protobuf_escaping(self, registry):
        workload(pe, registry)
        assert b"app.requests_total" not in exposition.generate_protobuf(registry)
        assert b"app_requests_total" in exposition.generate_protobuf(registry)
        utf8 = exposition.generate_protobuf(registry, escaping=openmetrics.ALLOWUTF8)
        assert b"app.requests_total" in utf8 and b"http.method" in utf8

    def test_restricted_registry_and_collectors(self, registry):
        workload(pe, registry)
        # Both of the counter's sample names: prometheus_client keeps only the samples named
        # (test_differential's restricted_registry_some_samples), the library whole families.
        restricted = registry.restricted_registry(["app.requests_total", "app.requests_created"])
        text = exposition.generate_latest(restricted, escaping=openmetrics.ALLOWUTF8)
        created = re.findall(rb'^\{"app.requests_created",.*\} (\S+)$', text, flags=re.M)
        assert len(created) == 2
        assert text == (
            b'# HELP "app.requests_total" Requests served.\n'
            b'# TYPE "app.requests_total" counter\n'
            b'{"app.requests_total",code="200","http.method"="GET"} 3.0\n'
            b'{"app.requests_total",code="500","http.method"="POST"} 1.0\n'
            b'# HELP "app.requests_created" Requests served.\n'
            b'# TYPE "app.requests_created" gauge\n'
            b'{"app.requests_created",code="200","http.method"="GET"} ' + created[0] + b'\n'
            b'{"app.requests_created",code="500","http.method"="POST"} ' + created[1] + b'\n')

        class Custom:
            def collect(self):
                yield GaugeMetricFamily("custom.gauge", "C.", value=2)

        assert exposition.generate_latest(Custom(), openmetrics.ALLOWUTF8) == (
            b'# HELP "custom.gauge" C.\n# TYPE "custom.gauge" gauge\n{"custom.gauge"} 2.0\n')
        assert exposition.generate_latest(Custom()).endswith(b"\ncustom_gauge 2.0\n")

    def test_write_to_textfile_keeps_utf8_names(self, registry, tmp_path):
        # prometheus_client's default for text files is allow-utf-8.
        pe.Counter("batch.runs", "Runs.", registry=registry).inc()
        path = tmp_path / "batch.prom"
        exposition.write_to_textfile(str(path), registry)
        assert '{"batch.runs_total"} 1.0\n' in path.read_text()
        exposition.write_to_textfile(str(path), registry, escaping=openmetrics.UNDERSCORES)
        assert "batch_runs_total 1.0\n" in path.read_text()
        with pytest.raises(ValueError, match="unknown escaping"):
            exposition.write_to_textfile(str(path), registry, escaping="utf-8")
        assert os.listdir(tmp_path) == ["batch.prom"]

    @pytest.mark.parametrize("escaping", ["", "Underscores", "allow_utf8", "utf-8", 1, b"dots"])
    def test_an_unknown_escaping_is_refused(self, registry, escaping):
        pe.Counter("app.requests", "R.", registry=registry).inc()
        for generate in (exposition.generate_latest, openmetrics.generate_latest,
                         exposition.generate_protobuf):
            with pytest.raises(ValueError, match="unknown escaping scheme"):
                generate(registry, escaping=escaping)

    def test_constants(self):
        assert (exposition.ALLOWUTF8, exposition.UNDERSCORES, exposition.DOTS,
                exposition.VALUES) == ESCAPINGS == (
            prometheus_client.openmetrics.exposition.ALLOWUTF8,
            prometheus_client.openmetrics.exposition.UNDERSCORES,
            prometheus_client.openmetrics.exposition.DOTS,
            prometheus_client.openmetrics.exposition.VALUES)
        assert pe.CONTENT_TYPE_PLAIN_1_0_0 == prometheus_client.CONTENT_TYPE_PLAIN_1_0_0 == \
            "text/plain; version=1.0.0; charset=utf-8"
        assert pe.CONTENT_TYPE_LATEST == prometheus_client.CONTENT_TYPE_LATEST


class TestNegotiation:
    @pytest.mark.parametrize("accept", [
        PROMETHEUS_3_ACCEPT,
        PROMETHEUS_2_ACCEPT,
        "text/plain;version=1.0.0;escaping=allow-utf-8",
        "text/plain;version=1.0.0;escaping=dots",
        "text/plain;version=1.0.0",
        "text/plain;version=0.0.4",
        "application/openmetrics-text;version=1.0.0;escaping=values",
        "application/openmetrics-text;version=1.0.0;escaping=bogus",
        None,
    ])
    def test_choose_encoder_as_prometheus_client(self, accept):
        encoder, content_type = exposition.choose_encoder(accept)
        their_encoder, their_content_type = prometheus_client.exposition.choose_encoder(accept)
        assert content_type == their_content_type
        assert _described(encoder) == _described(their_encoder)
        escaping = _described(encoder)[2]["escaping"]
        ours, theirs = comparable(escaping)
        text = encoder(ours).decode()
        expected = as_client_golang(their_encoder(theirs).decode(), escaping)
        if content_type.startswith("application/"):
            assert heads(text) == heads(expected)
            assert samples(parse_openmetrics(text)) == samples(parse_openmetrics(expected))
        else:
            assert heads(text) == heads(expected)
            assert samples(parse_text(text)) == samples(parse_text(expected))

    def test_prometheus_3_and_2(self):
        encoder, content_type = exposition.choose_encoder(PROMETHEUS_3_ACCEPT)
        assert content_type == \
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
        assert encoder.func is openmetrics.generate_latest
        assert encoder.keywords == {"escaping": openmetrics.ALLOWUTF8, "version": "1.0.0"}
        encoder, content_type = exposition.choose_encoder(PROMETHEUS_2_ACCEPT)
        assert content_type == \
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
        assert encoder.keywords == {"escaping": openmetrics.UNDERSCORES, "version": "1.0.0"}
        # The same choice returns the same encoder.
        assert exposition.choose_encoder(PROMETHEUS_2_ACCEPT)[0] is encoder
        assert exposition.choose_encoder("text/plain") == (
            exposition.generate_latest, exposition.CONTENT_TYPE_PLAIN_0_0_4)

    def test_wsgi_passes_the_escaping_through(self, registry):
        workload(pe, registry)
        app = pe.make_wsgi_app(registry)
        expected = openmetrics.generate_latest(registry, escaping=openmetrics.ALLOWUTF8)
        status, headers, body = _call_wsgi(app, PROMETHEUS_3_ACCEPT)
        assert status == "200 OK"
        assert headers == {"Content-Type": "application/openmetrics-text; version=1.0.0; "
                                           "charset=utf-8; escaping=allow-utf-8"}
        assert body == expected
        _, headers, body = _call_wsgi(app, PROMETHEUS_2_ACCEPT)
        assert body == openmetrics.generate_latest(registry)
        _, headers, body = _call_wsgi(app, "text/plain;version=1.0.0;escaping=values")
        assert headers["Content-Type"] == \
            "text/plain; version=1.0.0; charset=utf-8; escaping=values"
        assert body == exposition.generate_latest(registry, escaping=openmetrics.VALUES)
        # name[] selects by the name as registered, whatever the escaping.
        query = urllib.parse.urlencode({"name[]": "app.requests_total"})
        _, _, body = _call_wsgi(app, "text/plain;version=1.0.0;escaping=allow-utf-8", query)
        assert body.startswith(b'# HELP "app.requests_total" Requests served.\n')
        assert b"queue_depth" not in body and b"duration" not in body

    def test_metrics_handler_and_library_exporter(self, registry):
        workload(pe, registry)
        expected = openmetrics.generate_latest(registry, escaping=openmetrics.ALLOWUTF8)
        content_type = ("application/openmetrics-text; version=1.0.0; charset=utf-8; "
                        "escaping=allow-utf-8")
        httpd = http.server.HTTPServer(("127.0.0.1", 0), pe.MetricsHandler.factory(registry))
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            status, headers, body = http_get(f"http://127.0.0.1:{httpd.server_port}/metrics",
                                             headers={"Accept": PROMETHEUS_3_ACCEPT})
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join(5)
        assert (status, headers["Content-Type"], body) == (200, content_type, expected)
        server, _ = pe.start_http_server(0, addr="127.0.0.1", registry=registry)
        try:
            status, headers, body = http_get(f"http://127.0.0.1:{server.server_port}/metrics",
                                             headers={"Accept": PROMETHEUS_3_ACCEPT})
        finally:
            server.shutdown()
        assert (status, headers["Content-Type"], body) == (200, content_type, expected)


class TestLegacyValidation:
    def test_api_is_prometheus_clients(self):
        for name in ("get_legacy_validation", "enable_legacy_validation",
                     "disable_legacy_validation"):
            assert callable(getattr(validation, name))
            assert callable(getattr(prometheus_client.validation, name))

    def test_the_setting_lives_in_the_library(self, legacy_validation):
        scheme = c_int()
        _lib.lib.pe_get_name_validation(byref(scheme))
        assert scheme.value == _lib.PE_NAME_VALIDATION_LEGACY
        assert validation.get_legacy_validation() is True
        validation.disable_legacy_validation()
        _lib.lib.pe_get_name_validation(byref(scheme))
        assert scheme.value == _lib.PE_NAME_VALIDATION_UTF8
        assert validation.get_legacy_validation() is False
        validation.enable_legacy_validation()
        assert validation.get_legacy_validation() is True
        with pytest.raises(ValueError, match="PE_NAME_VALIDATION_DEFAULT"):
            _lib.lib.pe_set_name_validation(_lib.PE_NAME_VALIDATION_DEFAULT)

    def test_utf8_names_are_refused(self, registry, legacy_validation):
        with pytest.raises(ValueError, match=r"\(pe_counter_new_opts: .*legacy"):
            pe.Counter("app.requests_total", "R.", registry=registry)
        with pytest.raises(ValueError, match=r"\(pe_counter_new_opts: .*http.method"):
            pe.Counter("requests_total", "R.", labelnames=["http.method"], registry=registry)
        with pytest.raises(ValueError, match=r"\(pe_gauge_new_opts: "):
            pe.Gauge("température", "T.", registry=registry)
        with pytest.raises(ValueError, match=r"\(pe_histogram_new_opts: "):
            pe.Histogram("duration", "D.", ["http.route"], registry=registry)
        with pytest.raises(ValueError):
            GaugeMetricFamily("app.gauge", "G.")
        pe.Counter("legacy:requests_total", "R.", ["method"], registry=registry).labels("GET")
        assert [f.name for f in registry.collect()] == ["legacy:requests"]

    def test_on_and_off_again(self, registry):
        try:
            validation.enable_legacy_validation()
            with pytest.raises(ValueError):
                pe.Counter("app.requests", "R.", registry=registry)
        finally:
            validation.disable_legacy_validation()
        pe.Counter("app.requests", "R.", registry=registry).inc()
        assert registry.get_sample_value("app.requests_total") == 1

    def test_metrics_made_before_keep_their_names(self, registry):
        counter = pe.Counter("app.before", "B.", ["http.method"], registry=registry)
        try:
            validation.enable_legacy_validation()
            counter.labels("GET").inc()
            assert b'{"app.before_total","http.method"="GET"} 1.0\n' in \
                exposition.generate_latest(registry, escaping=openmetrics.ALLOWUTF8)
        finally:
            validation.disable_legacy_validation()

    @pytest.mark.parametrize("value, expected", [
        ("true", True), ("TRUE", True), ("1", True), ("t", True), ("T", True),
        ("false", False), ("0", False), ("yes", False), ("", False), (None, False),
    ])
    def test_the_environment_variable_at_import(self, workdir, value, expected):
        """Read at import as prometheus_client reads it; both packages agree in one process."""
        environment = dict(os.environ)
        environment.pop("PROMETHEUS_LEGACY_NAME_VALIDATION", None)
        if value is not None:
            environment["PROMETHEUS_LEGACY_NAME_VALIDATION"] = value
        program = (
            "import prometheus_client.validation as theirs\n"
            "import prometheus_emulator as pe\n"
            "from prometheus_emulator import validation\n"
            "try:\n"
            "    pe.Counter('app.requests', 'R.', registry=None)\n"
            "    refused = False\n"
            "except ValueError:\n"
            "    refused = True\n"
            "print(validation.get_legacy_validation(), theirs.get_legacy_validation(), refused)\n")
        run = subprocess.run([sys.executable, "-c", program], cwd=workdir, env=environment,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == [str(expected)] * 3


class TestRegistryValidation:
    def test_a_legacy_registry_refuses_utf8_names(self):
        registry = pe.CollectorRegistry(legacy_validation=True)
        utf8 = pe.Counter("app.requests", "R.", registry=None)
        utf8_label = pe.Gauge("queue", "Q.", ["http.route"], registry=None)
        with pytest.raises(ValueError, match="app.requests"):
            registry.register(utf8)
        with pytest.raises(ValueError, match="http.route"):
            registry.register(utf8_label)
        with pytest.raises(ValueError):
            pe.Histogram("app.duration", "D.", registry=registry)
        pe.Counter("legacy_requests", "R.", registry=registry).inc()
        assert [f.name for f in registry.collect()] == ["legacy_requests"]
        # Other registries and the process-wide setting are left alone.
        assert validation.get_legacy_validation() is False
        pe.Counter("app.requests", "R.", registry=pe.CollectorRegistry())
        # Switched back, the registry takes them.
        registry.set_legacy_validation(None)
        registry.register(utf8)
        registry.set_legacy_validation(True)
        with pytest.raises(ValueError):
            registry.register(utf8_label)
        registry.set_legacy_validation(False)
        registry.register(utf8_label)
        assert {f.name for f in registry.collect()} == {"legacy_requests", "app.requests",
                                                        "queue"}

    def test_the_default_registry(self):
        counter = pe.Counter("app.default_registry_check", "C.", registry=None)
        try:
            pe.REGISTRY.set_legacy_validation(True)
            with pytest.raises(ValueError):
                pe.REGISTRY.register(counter)
        finally:
            pe.REGISTRY.set_legacy_validation(None)
        pe.REGISTRY.register(counter)
        pe.REGISTRY.unregister(counter)

    def test_a_registry_cannot_be_looser_than_the_process(self, legacy_validation):
        registry = pe.CollectorRegistry(legacy_validation=False)
        with pytest.raises(ValueError):  # refused when made, before any registry sees it
            pe.Counter("app.requests", "R.", registry=registry)


def _described(encoder):
    """An encoder as what it calls, to compare with prometheus_client's: text or OpenMetrics,
    the function's name, and every argument but the registry, defaults filled in (a plain
    ``generate_latest`` is ``partial(generate_latest, escaping=UNDERSCORES)``)."""
    function, keywords = getattr(encoder, "func", encoder), getattr(encoder, "keywords", {})
    arguments = inspect.signature(function).bind_partial(**keywords)
    arguments.apply_defaults()
    arguments = {k: v for k, v in arguments.arguments.items() if k != "registry"}
    module = "openmetrics" if "openmetrics" in function.__module__ else "text"
    return module, function.__name__, arguments


def _call_wsgi(app, accept, query=""):
    started = []
    body = app({"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics", "QUERY_STRING": query,
                "HTTP_ACCEPT": accept},
               lambda status, headers: started.append((status, dict(headers))))
    [(status, headers)] = started
    return status, headers, b"".join(body)
