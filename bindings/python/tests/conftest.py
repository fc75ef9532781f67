"""Shared fixtures: the package under test, a real Pushgateway, free ports, HTTP helpers.

The suite tests the installed package (``pip install ./bindings/python``): pytest is run from the
repository root, where no ``prometheus_emulator`` directory shadows the installed one. The header
line of the run says which package and which library were loaded.
"""

import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import prometheus_emulator
from prometheus_emulator import _lib

REPOSITORY = Path(__file__).resolve().parents[3]
PUSHGATEWAY = os.environ.get("PUSHGATEWAY", "/usr/bin/prometheus-pushgateway")
MAKE_DEPS = ("prometheus-pushgateway not found at {}: run `make deps` (it installs Debian's "
             "prometheus-pushgateway)")


def pytest_report_header(config):
    return [f"prometheus_emulator {prometheus_emulator.__version__} from "
            f"{os.path.dirname(prometheus_emulator.__file__)}",
            f"library: {_lib.lib.path}"]


def free_port():
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port, host="127.0.0.1"):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port, timeout=10.0, process=None):
    """Waits until something listens on ``port``; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_in_use(port):
            return
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process exited ({process.returncode}) before listening on "
                        f"{port}:\n{out}\n{err}")
        time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port} after {timeout} s")


def wait_until_free(port, timeout=30.0):
    """Waits until ``port`` is free (another test run on the machine may hold it)."""
    deadline = time.monotonic() + timeout
    while port_in_use(port):
        if time.monotonic() > deadline:
            pytest.fail(f"port {port} is still in use after {timeout} s")
        time.sleep(0.2)


def http_get(url, headers=None, timeout=10):
    """``(status, headers, body)`` of a GET; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Pushgateway:
    """A running Pushgateway and what reads it back."""

    def __init__(self, port, process=None):
        self.port = port
        self.process = process
        self.address = f"127.0.0.1:{port}"
        self.url = f"http://{self.address}"

    def metrics_text(self):
        status, _, body = http_get(self.url + "/metrics")
        assert status == 200
        return body.decode()

    def families(self):
        """The gateway's own exposition, parsed with prometheus_client's parser."""
        from prometheus_client.parser import text_string_to_metric_families
        return list(text_string_to_metric_families(self.metrics_text()))

    def samples(self, name, job):
        """Samples named ``name`` pushed under ``job``."""
        return [sample for family in self.families() for sample in family.samples
                if sample.name == name and sample.labels.get("job") == job]


def start_pushgateway(port):
    """Starts Debian's Pushgateway on 127.0.0.1:``port`` with persistence off."""
    if not os.path.exists(PUSHGATEWAY):
        pytest.fail(MAKE_DEPS.format(PUSHGATEWAY))
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [PUSHGATEWAY, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file="],
        stdout=log, stderr=log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the Pushgateway exited ({process.returncode}): {log.read().decode()}")
        if port_in_use(port):
            status, _, _ = http_get(f"http://127.0.0.1:{port}/-/ready", timeout=2)
            if status == 200:
                return Pushgateway(port, process)
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"the Pushgateway did not become ready on port {port}")


def stop_pushgateway(gateway):
    if gateway.process is not None:
        gateway.process.terminate()
        try:
            gateway.process.wait(5)
        except subprocess.TimeoutExpired:
            gateway.process.kill()
            gateway.process.wait()


@pytest.fixture(scope="session")
def pushgateway():
    """A Pushgateway of this run, on a free port."""
    gateway = start_pushgateway(free_port())
    yield gateway
    stop_pushgateway(gateway)


@pytest.fixture
def registry():
    """A fresh registry, so tests never clash on metric names."""
    return prometheus_emulator.CollectorRegistry()


@pytest.fixture
def legacy_validation():
    """Legacy name validation in the whole process for the test, as it was after it."""
    from prometheus_emulator import validation
    was_enabled = validation.get_legacy_validation()
    validation.enable_legacy_validation()
    yield
    if not was_enabled:
        validation.disable_legacy_validation()


@pytest.fixture(autouse=True)
def _name_validation_left_as_found():
    """Fails a test that leaves the process-wide name validation changed (and restores it), so
    that no test runs under another test's setting."""
    from prometheus_emulator import validation
    before = validation.get_legacy_validation()
    yield
    after = validation.get_legacy_validation()
    if after != before:
        (validation.enable_legacy_validation if before else validation.disable_legacy_validation)()
        pytest.fail(f"the test left legacy name validation {'on' if after else 'off'}")


@pytest.fixture
def workdir(tmp_path):
    """A temporary working directory for subprocesses (never the source tree)."""
    return tmp_path


@pytest.fixture(scope="session", autouse=True)
def complete_application_run(request, tmp_path_factory):
    """The seed's long-running complete application example, started with the session when its
    test is selected, so it runs while the other modules' tests do (see test_seed.py)."""
    if not any(item.name == "test_complete_application" for item in request.session.items):
        yield None
        return
    import test_seed
    if test_seed.EXAMPLES is None:  # the test reports the missing seed
        yield None
        return
    run = test_seed.BackgroundRun(tmp_path_factory.mktemp("complete_application"))
    yield run
    run.stop()
