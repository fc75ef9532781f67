"""The push senders (``prometheus_emulator.remote_write``, ``.otlp``) against real Prometheus 3.16
receivers: Remote Write 2.0, 1.0 only (the sender falls back after a 415) and OTLP.

A batch job, a small program run as a subprocess, records a labelled counter, a gauge, a classic
and a native histogram, a summary and an info metric and pushes them once; the values are then
read back through Prometheus' query API. A long-running sender shows that the latest values
arrive, and that flush and stop keep their deadlines once the receiver is gone. No timing is
asserted beyond generous deadlines.

Prometheus 3.16 is built by ``make deps`` (``$PROMETHEUS3`` names another build). Without it the
tests are skipped with a NOT RUN reason, and fail under CI.
"""

import json
import math
import os
import subprocess
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import free_port, http_get

import prometheus_emulator
from prometheus_emulator import Gauge
from prometheus_emulator.otlp import OTLPError, OTLPSender, push_to_otlp
from prometheus_emulator.remote_write import (
    RemoteWriteError, RemoteWriteSender, push_to_remote_write,
)

PROMETHEUS3 = Path(os.environ.get("PROMETHEUS3", Path.home() / ".cache/prometheus_emulator"
                                  "/prometheus-v0.316.0/prometheus"))
WRITE_PATH = "/api/v1/write"
OTLP_PATH = "/api/v1/otlp/v1/metrics"
GENEROUS = 10.0  # seconds: the bound of every wait asserted


def run_python(arguments, directory):
    """Runs Python with the package under test (whichever this test imported)."""
    package_root = os.path.dirname(os.path.dirname(prometheus_emulator.__file__))
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *arguments], cwd=directory, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": path})


def prometheus3():
    """The Prometheus 3.16 binary, or skip (fail under CI) saying why."""
    if PROMETHEUS3.exists():
        return PROMETHEUS3
    message = (f"Prometheus 3.16 is not built at {PROMETHEUS3}: run `make deps-prometheus3` "
               f"(about 13 minutes once)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(f"NOT RUN: {message}")


class Prometheus:
    """A Prometheus 3.16 receiving pushes on a free loopback port, with its own storage."""

    def __init__(self, directory, flags, config=""):
        directory.mkdir(parents=True, exist_ok=True)
        config_path = directory / "prometheus.yml"
        config_path.write_text("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                               + config)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "prometheus.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(prometheus3()), f"--config.file={config_path}",
                 f"--storage.tsdb.path={directory / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", *flags],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        self._wait_until_ready()

    def _wait_until_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Prometheus exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if http_get(self.url + "/-/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"Prometheus was not ready within 30 s:\n{self.log_tail()}")

    def log_tail(self):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def query(self, promql):
        """The ``data.result`` of an instant query."""
        status, _, body = http_get(
            f"{self.url}/api/v1/query?query={urllib.parse.quote(promql)}", timeout=5)
        answer = json.loads(body)
        assert status == 200 and answer["status"] == "success", body
        return answer["data"]["result"]

    def value(self, promql):
        """The one number a query returns."""
        result = self.query(promql)
        assert len(result) == 1, f"{promql}: {result}"
        return float(result[0]["value"][1])


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    """Accepts Remote Write 1.0 and 2.0 (the receiver's default)."""
    server = Prometheus(tmp_path_factory.mktemp("prometheus_rw"),
                        ["--web.enable-remote-write-receiver"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prometheus_v1(tmp_path_factory):
    """Accepts only Remote Write 1.0: answers 415 to a 2.0 request."""
    server = Prometheus(tmp_path_factory.mktemp("prometheus_rw1"), [
        "--web.enable-remote-write-receiver",
        "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prometheus_otlp(tmp_path_factory):
    """Prometheus's OTLP receiver, names escaped with suffixes (the default, spelled out)."""
    server = Prometheus(tmp_path_factory.mktemp("prometheus_otlp"),
                        ["--web.enable-otlp-receiver"],
                        "otlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n")
    yield server
    server.stop()


# ----- the batch job ---------------------------------------------------------------------------

BATCH_JOB = textwrap.dedent("""\
    import sys
    from prometheus_emulator import Counter, Gauge, Histogram, Info, Summary
    from prometheus_emulator.otlp import push_to_otlp
    from prometheus_emulator.remote_write import push_to_remote_write

    kind, url, job = sys.argv[1:]

    requests = Counter("requests", "Requests handled.", ["code"])
    requests.labels("200").inc(2)
    requests.labels("200").inc()
    requests.labels("500").inc()
    Gauge("temperature_celsius", "Temperature.").set(21.5)
    latency = Histogram("latency_seconds", "Latency.", buckets=[0.1, 1.0])
    for value in (0.0625, 0.5, 4.0):
        latency.observe(value)
    wait = Histogram("wait_seconds", "Wait.", native_histogram_bucket_factor=1.1)
    for value in (0.25, 0.5, 0.5, 4.0, -2.0):
        wait.observe(value)
    rpc = Summary("rpc_seconds", "RPC.")
    for _ in range(3):
        rpc.observe(0.25)
    Info("build", "Build.").info({"version": "1.2"})

    if kind == "otlp":
        push_to_otlp(url, resource_attributes={"service.name": job,
                                               "service.instance.id": "host:9"})
    else:
        push_to_remote_write(url, protocol=kind,
                             external_labels={"job": job, "instance": "host:9"})
    print("pushed")
""")


def run_batch_job(tmp_path, kind, url, job):
    """Runs the batch job; fails the test with its output if it does not exit 0."""
    script = tmp_path / "batch_job.py"
    script.write_text(BATCH_JOB)
    result = run_python([str(script), kind, url, job], tmp_path)
    assert result.returncode == 0 and result.stdout == "pushed\n", result.stderr


def assert_batch_job_values(server, job, le_one="1.0"):
    """What the batch job recorded, as Prometheus stored it for ``job``.

    The OTLP receiver writes ``le`` in Go's shortest form (``le_one="1"``).
    """
    def value(promql):
        return server.value(promql.replace("JOB", job))

    assert value('requests_total{code="200",job="JOB",instance="host:9"}') == 3.0
    assert value('requests_total{code="500",job="JOB"}') == 1.0
    assert value('temperature_celsius{job="JOB"}') == 21.5
    assert value('latency_seconds_bucket{le="0.1",job="JOB"}') == 1.0
    assert value(f'latency_seconds_bucket{{le="{le_one}",job="JOB"}}') == 2.0
    assert value('latency_seconds_bucket{le="+Inf",job="JOB"}') == 3.0
    assert value('latency_seconds_count{job="JOB"}') == 3.0
    assert value('latency_seconds_sum{job="JOB"}') == 4.5625
    assert value('histogram_count(wait_seconds{job="JOB"})') == 5.0
    assert value('histogram_sum(wait_seconds{job="JOB"})') == 3.25
    assert_native_buckets(server, f'wait_seconds{{job="{job}"}}')
    assert value('rpc_seconds_count{job="JOB"}') == 3.0
    assert value('rpc_seconds_sum{job="JOB"}') == 0.75
    assert value('build_info{version="1.2",job="JOB"}') == 1.0
    # The text formats' `_created` lines are not sent as series of their own.
    assert server.query(f'{{__name__=~".+_created",job="{job}"}}') == []


def assert_native_buckets(server, selector):
    """The native buckets of ``wait_seconds`` (factor 1.1 is schema 3; observations 0.25, 0.5,
    0.5, 4 and -2): where each observation landed shows the spans arrived right."""
    result = server.query(selector)
    assert len(result) == 1, result
    histogram = result[0]["histogram"][1]
    assert histogram["count"] == "5", histogram

    def bound(key):
        return 2 ** (key / 8)

    expected = [(-2.0, -bound(7), 1.0), (bound(-17), 0.25, 1.0), (bound(-9), 0.5, 2.0),
                (bound(15), 4.0, 1.0)]
    buckets = [tuple(float(x) for x in bucket[1:]) for bucket in histogram["buckets"]]
    assert len(buckets) == len(expected), histogram
    for got, want in zip(buckets, expected):
        assert math.isclose(got[0], want[0], rel_tol=1e-12), histogram
        assert math.isclose(got[1], want[1], rel_tol=1e-12), histogram
        assert got[2] == want[2], histogram


def test_batch_job_pushes_remote_write_2(prometheus, tmp_path):
    run_batch_job(tmp_path, "2.0", prometheus.url + WRITE_PATH, "batch_v2")
    assert_batch_job_values(prometheus, "batch_v2")


def test_batch_job_pushes_remote_write_1(prometheus, tmp_path):
    run_batch_job(tmp_path, "1.0", prometheus.url + WRITE_PATH, "batch_v1")
    assert_batch_job_values(prometheus, "batch_v1")


def test_batch_job_falls_back_to_remote_write_1_after_a_415(prometheus_v1, tmp_path):
    run_batch_job(tmp_path, "2.0", prometheus_v1.url + WRITE_PATH, "batch_fallback")
    assert_batch_job_values(prometheus_v1, "batch_fallback")


def test_batch_job_pushes_otlp(prometheus_otlp, tmp_path):
    run_batch_job(tmp_path, "otlp", prometheus_otlp.url + OTLP_PATH, "batch_otlp")
    assert_batch_job_values(prometheus_otlp, "batch_otlp", le_one="1")


def test_a_sender_reports_its_fallback(prometheus_v1, registry):
    Gauge("fallback_marker", "m", registry=registry).set(7)
    with RemoteWriteSender(prometheus_v1.url + WRITE_PATH, registry, interval=3600,
                           external_labels={"job": "fallback_sender"}) as sender:
        assert sender.flush(GENEROUS) is True
        assert "415" in sender.last_error, sender.last_error
    assert prometheus_v1.value('fallback_marker{job="fallback_sender"}') == 7.0


def test_a_sender_left_running_sends_its_last_values_at_exit(prometheus, tmp_path):
    program = textwrap.dedent(f"""\
        from prometheus_emulator import Gauge
        from prometheus_emulator.remote_write import RemoteWriteSender

        sender = RemoteWriteSender({prometheus.url + WRITE_PATH!r}, interval=3600,
                                   external_labels={{"job": "at_exit"}})
        Gauge("exit_marker", "m").set(42)
    """)
    result = run_python(["-c", program], tmp_path)
    assert result.returncode == 0, result.stderr
    assert prometheus.value('exit_marker{job="at_exit"}') == 42.0


def test_otlp_sender_sends_resource_attributes(prometheus_otlp, registry):
    Gauge("otlp_marker", "m", registry=registry).set(3)
    with OTLPSender(prometheus_otlp.url + OTLP_PATH, registry, interval=3600,
                    resource_attributes={"service.name": "otlp_sender",
                                         "service.instance.id": "i1"}) as sender:
        assert sender.flush(GENEROUS) is True
        assert "OTLP" in repr(sender)
    assert prometheus_otlp.value('otlp_marker{job="otlp_sender",instance="i1"}') == 3.0


def test_an_unnamed_otlp_service_is_named_after_the_script(prometheus_otlp, registry):
    # OpenTelemetry's rule for a service nobody named, with the script rather than the
    # interpreter the library would see.
    Gauge("unnamed_marker", "m", registry=registry).set(5)
    with OTLPSender(prometheus_otlp.url + OTLP_PATH, registry, interval=3600,
                    resource_attributes={"service.instance.id": "i2"}) as sender:
        assert sender.flush(GENEROUS) is True
    script = os.path.basename(sys.argv[0])
    job = f"unknown_service:{script}" if script else "unknown_service:python"
    assert prometheus_otlp.value(f'unnamed_marker{{job="{job}",instance="i2"}}') == 5.0


# ----- a long-running sender -------------------------------------------------------------------

def test_the_latest_values_arrive_and_deadlines_hold_once_the_receiver_is_gone(
        tmp_path, registry):
    server = Prometheus(tmp_path / "prometheus", ["--web.enable-remote-write-receiver"])
    try:
        gauge = Gauge("progress_ratio", "Progress.", registry=registry)
        sender = RemoteWriteSender(server.url + WRITE_PATH, registry, interval=0.05,
                                   connect_timeout=1.0, external_labels={"job": "long"})
        try:
            assert "running" in repr(sender)
            for value in (0.25, 0.5, 1.0):
                gauge.set(value)
                assert sender.flush(GENEROUS) is True
                assert server.value('progress_ratio{job="long"}') == value
            # The sender's self-metrics travel with the data.
            assert server.value('prometheus_emulator_sender_samples_sent_total'
                                '{job="long"}') > 0
            assert sender.last_error == ""

            server.stop()
            gauge.set(2.0)
            began = time.monotonic()
            with pytest.raises(TimeoutError, match="deadline passed"):
                sender.flush(0.5)
            assert time.monotonic() - began < GENEROUS
            assert "cannot connect" in sender.last_error
        finally:
            began = time.monotonic()
            with pytest.raises(TimeoutError):
                sender.stop(0.5)
            assert time.monotonic() - began < GENEROUS
        assert "stopped" in repr(sender)
        sender.stop()  # stopping a stopped sender does nothing
        with pytest.raises(ValueError, match="stopped"):
            sender.flush()
    finally:
        server.stop()


def test_push_to_a_dead_receiver_raises_within_its_deadline(registry):
    url = f"http://127.0.0.1:{free_port()}{WRITE_PATH}"
    began = time.monotonic()
    with pytest.raises(TimeoutError, match="cannot connect"):
        push_to_remote_write(url, registry, timeout=0.5)
    with pytest.raises(TimeoutError):
        push_to_otlp(f"http://127.0.0.1:{free_port()}/v1/metrics", registry, timeout=0.5)
    assert time.monotonic() - began < 2 * GENEROUS


def test_a_rejected_batch_raises_remote_write_error(prometheus_otlp, registry):
    # Prometheus's OTLP receiver does not take Remote Write: 4xx, which drops the batch.
    Gauge("rejected_marker", "m", registry=registry).set(1)
    with pytest.raises(RemoteWriteError) as raised:
        push_to_remote_write(prometheus_otlp.url + WRITE_PATH, registry, timeout=GENEROUS)
    assert "dropped" in str(raised.value)
    assert issubclass(OTLPError, OSError) and OTLPError is RemoteWriteError


# ----- arguments -------------------------------------------------------------------------------

URL = "http://127.0.0.1:9/api/v1/write"


@pytest.mark.parametrize("arguments, error, message", [
    ({"url": "ftp://example.org/write"}, ValueError, "only http:// and https://"),
    ({"url": "http://user:secret@example.org/write"}, ValueError, "credentials"),
    ({"protocol": "3.0"}, ValueError, "unknown Remote Write protocol '3.0'"),
    ({"basic_auth": ("user", "pw"), "bearer_token": "t"}, ValueError, "exclude each other"),
    ({"basic_auth": "user:pw"}, TypeError, "basic_auth must be a"),
    ({"interval": 0}, ValueError, "interval must be"),
    ({"interval": 0.001}, ValueError, "interval"),  # the library's minimum is 10 ms
    ({"interval": "15"}, TypeError, "interval must be a number"),
    ({"timeout": math.nan}, ValueError, "timeout must be"),
    ({"external_labels": {"": "x"}}, ValueError, 'external label ""'),
    ({"external_labels": [("job", "x")]}, TypeError, "external_labels must be a dict"),
    ({"headers": {"Authorization": "x"}}, ValueError, "Authorization"),
    ({"ca_file": "/nonexistent/ca.pem"}, ValueError, "/nonexistent/ca.pem"),
    ({"max_queue_batches": 0}, ValueError, "max_queue_batches must be above 0"),
    ({"registry": object()}, TypeError, "registry must be a CollectorRegistry"),
])
def test_bad_arguments_raise_with_the_reason(arguments, error, message):
    arguments = {"url": URL, **arguments}
    url = arguments.pop("url")
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
        RemoteWriteSender(url, **arguments)


def test_flush_and_stop_check_their_timeout(registry):
    sender = RemoteWriteSender(URL, registry, interval=3600)
    with pytest.raises(ValueError, match="timeout"):
        sender.flush(-1)
    with pytest.raises(TypeError, match="timeout"):
        sender.stop("soon")
    assert sender.running
    with pytest.raises(TimeoutError):  # nothing listens at URL
        sender.stop(0.1)
    assert not sender.running


def test_a_with_block_stops_the_sender_and_keeps_the_block_error(registry):
    with pytest.raises(KeyError):
        with RemoteWriteSender(URL, registry, interval=3600) as sender:
            assert sender.running
            raise KeyError("the block's own error")  # not hidden by the stop's TimeoutError
    assert not sender.running


def test_one_shot_pushes_take_no_interval(registry):
    with pytest.raises(TypeError, match="interval"):
        push_to_remote_write(URL, registry, interval=1)
    with pytest.raises(TypeError, match="resource_attributes"):
        push_to_remote_write(URL, registry, resource_attributes={"service.name": "x"})


def test_a_forked_child_does_not_own_the_sender(registry):
    if not hasattr(os, "fork"):
        pytest.skip("NOT RUN: no fork() here")
    sender = RemoteWriteSender(URL, registry, interval=3600)
    try:
        pid = os.fork()
        if pid == 0:  # the child: flush refuses, stop returns at once; report by exit code
            code = 1
            try:
                try:
                    sender.flush(1)
                except ValueError as error:
                    if "forked" in str(error):
                        sender.stop(1)
                        code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert sender.running  # the parent's sender is untouched
    finally:
        with pytest.raises(TimeoutError):
            sender.stop(0.2)
