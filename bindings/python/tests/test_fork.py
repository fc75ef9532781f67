"""fork() while the library is busy: children forked (os.fork and every multiprocessing start
method) while the parent's exporter is scraped and other threads update and expose. Each child
updates, exposes, serves and exits 0 within a deadline, its exit hook stopping the exporter it
inherited without aborting."""

import atexit
import multiprocessing
import os
import signal
import threading
import time
import urllib.request

import pytest

import prometheus_emulator as pe

CHILD_DEADLINE = 10.0


@pytest.fixture
def busy_parent(registry):
    """A served registry, scraped, updated (new series) and exposed by threads until the end."""
    jobs = pe.Counter("jobs", "Jobs done.", ["worker"], registry=registry)
    server, _ = pe.start_http_server(0, addr="127.0.0.1", registry=registry)
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    stop = threading.Event()

    def scrape():
        while not stop.is_set():
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()

    def add_series():
        i = 0
        while not stop.is_set():
            jobs.labels(f"parent-{i % 2000}").inc()
            i += 1

    def expose():
        while not stop.is_set():
            pe.generate_latest(registry)

    threads = [threading.Thread(target=f, daemon=True) for f in (scrape, add_series, expose)]
    for thread in threads:
        thread.start()
    yield registry, jobs, url
    stop.set()
    for thread in threads:
        thread.join()
    server.shutdown()


def child_work(registry, jobs, name):
    """What each child does; raises on any failure."""
    jobs.labels(name).inc(2)
    assert registry.get_sample_value("jobs_total", {"worker": name}) == 2
    assert f'worker="{name}"'.encode() in pe.generate_latest(registry)
    server, _ = pe.start_http_server(0, addr="127.0.0.1", registry=registry)
    port = server.server_port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert name.encode() in response.read()
    server.shutdown()


def wait_with_deadline(pid):
    """The child's exit code, or None (after killing it) when it runs past the deadline."""
    deadline = time.monotonic() + CHILD_DEADLINE
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def test_os_fork_children_while_the_parent_is_busy(busy_parent):
    registry, jobs, url = busy_parent
    codes = []
    for i in range(100):
        pid = os.fork()
        if pid == 0:
            # The exit hooks run as at a normal exit (they stop exporters, the inherited one
            # included): that must not abort the child. Any failure is exit code 1.
            code = 0
            try:
                child_work(registry, jobs, f"child-{i}")
                atexit._run_exitfuncs()
            except BaseException:
                code = 1
            os._exit(code)
        codes.append(wait_with_deadline(pid))
    assert codes == [0] * 100
    # The parent's exporter served throughout and still does; the children's series are theirs.
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read()
    assert b'worker="parent-0"' in body and b"child-" not in body


def multiprocessing_child(name):
    from prometheus_emulator import REGISTRY, Counter
    counter = Counter(f"mp_{name}", "Per child.", registry=REGISTRY)
    counter.inc()
    assert REGISTRY.get_sample_value(f"mp_{name}_total") == 1
    assert f"mp_{name}_total".encode() in pe.generate_latest(REGISTRY)


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_multiprocessing_start_methods(busy_parent, method):
    context = multiprocessing.get_context(method)
    processes = [context.Process(target=multiprocessing_child, args=(f"{method}{i}",))
                 for i in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(CHILD_DEADLINE)
        if process.is_alive():
            process.kill()
        assert process.exitcode == 0, (method, process.exitcode)
