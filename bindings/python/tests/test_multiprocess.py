"""prometheus_client's multi-process mode over the shared store: PROMETHEUS_MULTIPROC_DIR,
MultiProcessCollector, mark_process_dead and the gauge modes, with processes made by os.fork()
and, end to end, a gunicorn server whose workers are recycled while it serves."""

import importlib.util
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import traceback
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.openmetrics import parser as openmetrics_parser
from prometheus_client.parser import text_string_to_metric_families

import prometheus_emulator
from prometheus_emulator import (
    CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary, generate_latest,
    multiprocess, openmetrics,
)
from prometheus_emulator import _lib, _store

from conftest import free_port, wait_for_port

# The package's directory, for subprocesses: they must load this copy and this library.
PACKAGE_PARENT = str(Path(prometheus_emulator.__file__).resolve().parents[1])


@pytest.fixture
def directory(tmp_path, monkeypatch):
    """A fresh multi-process directory, named by PROMETHEUS_MULTIPROC_DIR for the test."""
    path = tmp_path / "multiproc"
    path.mkdir()
    monkeypatch.delenv("prometheus_multiproc_dir", raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(path))
    return path


@pytest.fixture
def no_directory(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.delenv("prometheus_multiproc_dir", raising=False)


def scrape(path=None):
    """{(sample name, ((label, value), ...)): value} of a MultiProcessCollector scrape on a
    fresh registry, read back with prometheus_client's parser."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path)
    return parse(generate_latest(registry).decode())


def parse(text):
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def by_pid(samples, name):
    """{pid: value} of the samples of a gauge in mode all or liveall."""
    return {int(dict(labels)["pid"]): value
            for (sample, labels), value in samples.items() if sample == name}


def fork(work, *args):
    """Runs ``work(*args)`` in a child made by os.fork(); returns its pid. The child exits 0
    when ``work`` returns, 1 when it raises."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work(*args)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def wait(pid):
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"child {pid} failed"


def test_a_counter_is_exact_across_forked_children(directory, registry):
    jobs = Counter("jobs", "Jobs done.", ["kind"], registry=registry)
    shared = jobs.labels("shared")

    def child(index):
        for _ in range(1000):
            shared.inc()                       # a child bound before the fork
        jobs.labels(f"own{index}").inc(2)      # a label set made by this process
        # A family every worker makes after the fork, as an application imported there does.
        Counter("made_after_fork", "M.", registry=None).inc(3)

    pids = [fork(child, index) for index in range(4)]
    shared.inc(5)
    for pid in pids:
        wait(pid)
    samples = scrape()
    assert samples[("jobs_total", (("kind", "shared"),))] == 4005
    for index in range(4):
        assert samples[("jobs_total", (("kind", f"own{index}"),))] == 2
    assert samples[("made_after_fork_total", ())] == 12


def test_a_histogram_counts_every_process(directory, registry):
    latency = Histogram("latency_seconds", "Latency.", buckets=[0.1, 1], registry=registry)

    def child():
        for i in range(250):
            latency.observe(0.25 if i % 2 else 0.0625)   # exact in binary: the sum is too

    for pid in [fork(child) for _ in range(4)]:
        wait(pid)
    samples = scrape()
    assert samples[("latency_seconds_count", ())] == 1000
    assert samples[("latency_seconds_sum", ())] == 500 * 0.25 + 500 * 0.0625
    assert samples[("latency_seconds_bucket", (("le", "0.1"),))] == 500
    assert samples[("latency_seconds_bucket", (("le", "1.0"),))] == 1000
    assert samples[("latency_seconds_bucket", (("le", "+Inf"),))] == 1000


def test_each_gauge_mode_over_live_and_exited_processes(directory, registry):
    gauges = {mode: Gauge(f"g_{mode}", f"Mode {mode}.", multiprocess_mode=mode,
                          registry=registry)
              for mode in _lib.GAUGE_MODES}

    def set_all(value):
        for gauge in gauges.values():
            gauge.set(value)
        time.sleep(0.01)  # the next process's set is strictly more recent

    def stay_alive(value, ready, release):
        set_all(value)
        os.write(ready, b"x")
        os.read(release, 1)

    set_all(1)                                  # this process, alive
    ready, ready_in_child = os.pipe()
    release_in_child, release = os.pipe()
    alive = fork(stay_alive, 5, ready_in_child, release_in_child)
    try:
        assert os.read(ready, 1) == b"x"
        exited = [fork(set_all, -10)]            # then two that exit, the last set last
        wait(exited[0])
        exited.append(fork(set_all, 20))
        wait(exited[1])
        samples = scrape()
    finally:
        os.write(release, b"x")
        wait(alive)
    me = os.getpid()
    everyone = {me: 1, alive: 5, exited[0]: -10, exited[1]: 20}
    assert by_pid(samples, "g_all") == everyone
    assert by_pid(samples, "g_liveall") == {me: 1, alive: 5}
    expected = {"min": -10, "livemin": 1, "max": 20, "livemax": 5, "sum": 16, "livesum": 6,
                "mostrecent": 20, "livemostrecent": 5}
    assert {mode: samples[(f"g_{mode}", ())] for mode in expected} == expected


def test_mark_process_dead_reclaims_only_the_live_modes(directory, registry):
    everyone = Gauge("everyone", "All.", multiprocess_mode="all", registry=registry)
    live = Gauge("live", "Live.", multiprocess_mode="liveall", registry=registry)
    total = Gauge("total", "Sum.", multiprocess_mode="sum", registry=registry)

    def child():
        everyone.set(7)
        live.set(7)
        total.set(7)

    pid = fork(child)
    wait(pid)
    multiprocess.mark_process_dead(pid)
    multiprocess.mark_process_dead(pid)          # twice: nothing more to do
    multiprocess.mark_process_dead(2 ** 31 + 12345)  # never seen: nothing to do
    samples = scrape()
    me = os.getpid()
    # As in prometheus_client, which removes only the live-mode files of a dead process.
    assert by_pid(samples, "everyone") == {me: 0, pid: 7}
    assert by_pid(samples, "live") == {me: 0}
    assert samples[("total", ())] == 7


def test_mark_process_dead_is_harmless_without_a_store(tmp_path, no_directory):
    assert multiprocess.mark_process_dead(os.getpid()) is None
    multiprocess.mark_process_dead(12345, path=str(tmp_path))
    assert list(tmp_path.iterdir()) == []        # no store made just to find nothing in it


def test_the_directory_is_read_when_a_metric_is_made(tmp_path, no_directory, monkeypatch,
                                                     registry):
    # prometheus_client reads it once, at import (its issue #886): here, a metric made after
    # the variable is set, in a process that imported the package long before, is shared.
    before = Counter("made_before", "B.", registry=registry)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    after = Counter("made_after", "A.", registry=registry)
    before.inc()
    after.inc()
    samples = scrape()
    assert samples == {("made_after_total", ()): 1}
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert scrape(path=str(tmp_path)) == samples      # the store of an explicit path
    assert (tmp_path / _store.FILENAME).is_file()


def test_the_lowercase_variable_still_works_with_a_warning(tmp_path, no_directory,
                                                           monkeypatch, registry):
    monkeypatch.setenv("prometheus_multiproc_dir", str(tmp_path))
    with pytest.warns(DeprecationWarning, match="PROMETHEUS_MULTIPROC_DIR"):
        Counter("legacy", "L.", registry=registry).inc()
    with pytest.warns(DeprecationWarning):
        assert scrape() == {("legacy_total", ()): 1}


def test_one_store_per_directory_per_process(directory):
    assert _store.open_store(str(directory)) is _store.open_store(f"{directory}/./")


def test_the_collector_needs_a_directory(tmp_path, no_directory, registry):
    message = "^env PROMETHEUS_MULTIPROC_DIR is not set or not a directory$"
    with pytest.raises(ValueError, match=message):
        multiprocess.MultiProcessCollector(registry)
    with pytest.raises(ValueError, match=message):
        multiprocess.MultiProcessCollector(registry, path=str(tmp_path / "missing"))
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match=message):
        multiprocess.MultiProcessCollector(registry, path=str(tmp_path / "file"))


def test_the_collector_is_a_collector_too(directory, registry):
    Counter("served", "S.", registry=registry).inc(3)
    collector = multiprocess.MultiProcessCollector(None)
    families = collector.collect()
    assert [(family.name, family.type) for family in families] == [("served", "counter")]
    assert families[0].samples[0].value == 3
    assert parse(generate_latest(collector).decode()) == {("served_total", ()): 3}


def test_merge_reads_no_files(directory):
    with pytest.raises(NotImplementedError, match="prometheus_emulator.store"):
        multiprocess.MultiProcessCollector.merge([])


def test_info_and_enum_are_shared_the_latest_change_holding(directory, registry):
    build = Info("build", "Build.", ["component"], registry=registry)
    phase = Enum("phase", "Phase.", ["job"], states=["starting", "running", "stopped"],
                 registry=registry)
    build.labels("api").info({"version": "1.2"})

    def child():
        assert phase.labels("mail").get() == "starting"
        build.labels("api").info({"version": "1.3", "commit": "abc"})
        build.labels("worker").info({"version": "2.0"})
        phase.labels("mail").state("running")

    wait(fork(child))
    samples = scrape()
    assert samples[("build_info", (("commit", "abc"), ("component", "api"),
                                   ("version", "1.3")))] == 1
    assert samples[("build_info", (("component", "worker"), ("version", "2.0")))] == 1
    assert samples[("phase", (("job", "mail"), ("phase", "running")))] == 1
    assert samples[("phase", (("job", "mail"), ("phase", "starting")))] == 0
    # This process reads what the child set once it has the series too.
    assert phase.labels("mail").get() == "running"
    assert registry.get_sample_value("phase", {"job": "mail", "phase": "running"}) == 1
    with pytest.raises(ValueError):
        phase.labels("mail").state("gone")
    assert phase.labels("mail").get() == "running"


def test_exemplars_of_a_child_are_in_the_openmetrics_scrape(directory, registry):
    requests = Counter("requests", "Requests.", registry=registry)
    latency = Histogram("latency_seconds", "Latency.", buckets=[0.1, 1.0], registry=registry)

    def child():
        requests.inc(exemplar={"trace_id": "abc"})
        latency.observe(0.5, exemplar={"trace_id": "def"})

    wait(fork(child))
    collecting = CollectorRegistry()
    multiprocess.MultiProcessCollector(collecting)
    text = openmetrics.exposition.generate_latest(collecting).decode()
    families = {f.name: f for f in openmetrics_parser.text_string_to_metric_families(text)}
    (total,) = [s for s in families["requests"].samples if s.name == "requests_total"]
    assert total.value == 1 and total.exemplar.labels == {"trace_id": "abc"}
    bucket = [s for s in families["latency_seconds"].samples
              if s.labels.get("le") == "1.0"][0]
    assert bucket.exemplar.labels == {"trace_id": "def"} and bucket.exemplar.value == 0.5


def test_a_native_histogram_counts_every_process_in_one_set_of_buckets(directory, registry,
                                                                       monkeypatch):
    from test_native_histogram import native_state, observed

    values = (1.5, 3, 3.5, -0.75, 0, 1.6)
    shared = Histogram("rpc_seconds", "RPC.", native_histogram_bucket_factor=1.1,
                       registry=registry)
    for _ in range(3):
        wait(fork(observed, shared, values))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    alone = Histogram("rpc_seconds", "RPC.", native_histogram_bucket_factor=1.1, registry=None)
    for _ in range(3):
        observed(alone, values)
    assert native_state(shared) == native_state(alone)
    assert native_state(shared)[2] == 3  # the zero bucket: one 0 from each process
    samples = scrape(str(directory))
    assert samples[("rpc_seconds_count", ())] == 18
    assert samples[("rpc_seconds_sum", ())] == pytest.approx(3 * sum(values))


def test_a_summary_is_in_the_store_or_in_the_process(directory, registry):
    size = Summary("size_bytes", "Size.", registry=registry)
    size.observe(3)
    size.observe(5)
    assert registry.get_sample_value("size_bytes_count") == 2
    samples = scrape()
    if samples:  # in the store: its count and sum, as prometheus_client exports them
        assert samples == {("size_bytes_count", ()): 2, ("size_bytes_sum", ()): 8}


CORRUPT_STORE = textwrap.dedent("""\
    import sys
    from prometheus_emulator import CollectorRegistry, Counter, multiprocess
    from prometheus_emulator._lib import StoreError

    for what, make in (("metric", lambda: Counter("c", "C.", registry=None)),
                       ("collector", lambda: multiprocess.MultiProcessCollector(None))):
        try:
            make()
        except StoreError as error:
            assert isinstance(error, OSError)
            print(what, "|", error)
        else:
            sys.exit(what + ": no error")
""")


@pytest.mark.parametrize("content", [
    random.Random(16).randbytes(1 << 20),
    b"not a metrics store\n",
], ids=["random-bytes", "text"])
def test_a_corrupt_store_raises_a_clear_error(directory, content):
    (directory / _store.FILENAME).write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-c", CORRUPT_STORE], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": PACKAGE_PARENT})
    assert result.returncode == 0, result.stderr   # an exception, caught: not a crash
    lines = result.stdout.splitlines()
    assert [line.split(" | ")[0] for line in lines] == ["metric", "collector"]
    for line in lines:
        assert _store.FILENAME in line, "the message names the file: " + line
    assert (directory / _store.FILENAME).read_bytes() == content   # left as it was


# ----- gunicorn, end to end ---------------------------------------------------------------

APP = textwrap.dedent("""\
    import os

    from prometheus_emulator import (
        CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
        multiprocess,
    )

    REQUESTS = Counter("app_requests", "Requests served.")
    LATENCY = Histogram("app_latency_seconds", "Request latency.")
    WORKERS = Gauge("app_workers", "Workers up.", multiprocess_mode="livesum")
    WORKERS.set(1)  # from the start: a worker recycled before its first request counts too


    def app(environ, start_response):
        if environ["PATH_INFO"] == "/metrics":
            # prometheus_client's documented handler, import line changed.
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            data = generate_latest(registry)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST),
                                      ("Content-Length", str(len(data)))])
            return iter([data])
        REQUESTS.inc()
        LATENCY.observe(0.25)
        WORKERS.set(1)
        body = str(os.getpid()).encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]
""")

# prometheus_client's documented gunicorn configuration, import line changed, and the test's.
CONFIG = textwrap.dedent("""\
    from prometheus_emulator import multiprocess

    def child_exit(server, worker):
        multiprocess.mark_process_dead(worker.pid)

    workers = 4
    worker_class = "sync"
    max_requests = 20
    max_requests_jitter = 5
    bind = "127.0.0.1:{port}"
""")

REQUESTS = 400
WORKERS = 4


def require_gunicorn():
    if importlib.util.find_spec("gunicorn") is None:
        message = "gunicorn is not installed: run `make deps` (pip install gunicorn)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def live_children(pid):
    """The pids of the processes whose parent is ``pid`` and that have not exited."""
    children = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != b"Z":
            children.add(int(entry))
    return children


def test_gunicorn_with_recycled_workers(tmp_path):
    require_gunicorn()
    directory = tmp_path / "multiproc"
    directory.mkdir()
    port = free_port()
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "gunicorn.conf.py").write_text(CONFIG.format(port=port))
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory),
           "PYTHONPATH": os.pathsep.join([PACKAGE_PARENT, str(tmp_path)])}
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(tmp_path / "gunicorn.conf.py"),
             "--chdir", str(tmp_path), "app:app"],
            cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30, process=server)
        served_by = set()
        for _ in range(REQUESTS):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                assert response.status == 200
                served_by.add(int(response.read()))
        assert len(served_by) > WORKERS, "no worker was recycled: raise REQUESTS"

        # Workers recycled at the end may still be starting: wait until 4 are up and every
        # live one has set the gauge, checking the exact totals at every scrape.
        deadline = time.monotonic() + 30
        while True:
            samples = scrape(str(directory))
            assert samples[("app_requests_total", ())] == REQUESTS
            assert samples[("app_latency_seconds_count", ())] == REQUESTS
            assert samples[("app_latency_seconds_sum", ())] == REQUESTS * 0.25
            workers = live_children(server.pid)
            if samples[("app_workers", ())] == len(workers) == WORKERS:
                break
            assert samples[("app_workers", ())] <= WORKERS, "dead workers counted"
            assert time.monotonic() < deadline, (
                f"app_workers is {samples[('app_workers', ())]} with {len(workers)} live "
                f"workers:\n{log.read_text()}")
            time.sleep(0.2)

        # A scrape served by a worker, with prometheus_client's documented handler, agrees.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            served = parse(response.read().decode())
        assert served[("app_requests_total", ())] == REQUESTS
        assert served[("app_latency_seconds_count", ())] == REQUESTS
        assert served[("app_workers", ())] == WORKERS
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    # The store is one file, whatever the number of worker lifetimes.
    assert [path.name for path in directory.iterdir()] == [_store.FILENAME]
