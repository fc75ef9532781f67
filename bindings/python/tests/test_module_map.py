"""Every public module and name of prometheus_client 0.26 imports from the same path here.

A program written for prometheus_client changes only its import lines: so every module it may
import (``prometheus_client.exposition``, ``.process_collector``, ``.bridge.graphite``...) exists
here, and holds every name prometheus_client's holds, except the names it only imports from
the standard library or ``typing``. The parsers (``parser``, ``openmetrics.parser``) are checked
with them elsewhere; modules needing a framework that is not installed (Twisted, aiohttp,
Django) import as theirs do, when it is.
"""

import importlib
import inspect
import types

import pytest

MODULES = [
    "", ".core", ".metrics", ".metrics_core", ".registry", ".samples", ".exposition",
    ".decorator", ".utils", ".validation", ".asgi", ".process_collector",
    ".platform_collector", ".gc_collector", ".context_managers", ".multiprocess", ".values",
    ".mmap_dict", ".openmetrics", ".openmetrics.exposition", ".bridge", ".bridge.graphite",
]

FRAMEWORK_MODULES = {".twisted": "twisted", ".aiohttp": "aiohttp", ".django": "django"}

# Names a module of prometheus_client holds that are not its API: the vendored decorator
# package's machinery, and the names the multi-process modules import for their own use.
NOT_API = {
    ".decorator": {"DEF", "FunctionMaker", "append", "dispatch_on", "get_init", "init",
                   "n_args", "print_function"},
    ".multiprocess": {"Gauge", "Metric", "MmapedDict", "Sample", "floatToGoString"},
    ".values": {"MmapedDict", "mmap_key"},
}

# Constants prometheus_client's modules import from the standard library, and the parser
# modules, which appear as attributes once something imported them (checked elsewhere).
STANDARD_CONSTANTS = {"TYPE_CHECKING", "maxunicode", "parser"}


def _is_api(module, name):
    """Whether prometheus_client's ``module`` offers ``name``, rather than importing it from the
    standard library or ``typing`` for its own use."""
    value = getattr(module, name)
    if isinstance(value, types.ModuleType):
        return value.__name__.startswith("prometheus_client")
    if inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value):
        return (getattr(value, "__module__", "") or "").startswith("prometheus_client")
    return type(value).__module__ not in ("typing", "typing_extensions")


@pytest.mark.parametrize("suffix", MODULES)
def test_module_holds_prometheus_clients_names(suffix):
    theirs = importlib.import_module("prometheus_client" + suffix)
    ours = importlib.import_module("prometheus_emulator" + suffix)
    wanted = {name for name in dir(theirs)
              if not name.startswith("_") and _is_api(theirs, name)}
    wanted -= NOT_API.get(suffix, set()) | STANDARD_CONSTANTS
    missing = sorted(name for name in wanted if not hasattr(ours, name))
    assert missing == []


@pytest.mark.parametrize("suffix, framework", sorted(FRAMEWORK_MODULES.items()))
def test_framework_modules_need_their_framework_as_theirs_do(suffix, framework):
    try:
        importlib.import_module(framework)
    except ImportError:
        with pytest.raises(ImportError):
            importlib.import_module("prometheus_emulator" + suffix)
    else:
        importlib.import_module("prometheus_emulator" + suffix)


def test_names_of_the_brief_at_the_top_level_and_where_prometheus_client_keeps_them():
    import prometheus_emulator as pe
    from prometheus_emulator import core, exposition, utils
    for name in ("CONTENT_TYPE_PLAIN_1_0_0", "CONTENT_TYPE_PLAIN_0_0_4", "CONTENT_TYPE_LATEST",
                 "ProcessCollector", "PROCESS_COLLECTOR", "make_asgi_app", "make_wsgi_app",
                 "MetricsHandler", "start_http_server", "start_wsgi_server",
                 "disable_created_metrics", "enable_created_metrics"):
        assert hasattr(pe, name), name
    assert core.BucketSpan(1, 2).length == 2
    assert core.NativeHistogram(1, 2, 0, 0.0, 0).schema == 0
    assert exposition.tls_auth_handler and exposition.make_asgi_app is pe.make_asgi_app
    assert (utils.INF, utils.MINUS_INF) == (float("inf"), float("-inf"))
    assert utils.NaN != utils.NaN


@pytest.mark.parametrize("value, text", [
    (0, "0.0"), (1, "1.0"), (2.5, "2.5"), (1e6, "1e+06"), (123456.0, "123456.0"),
    (12345678, "1.2345678e+07"),
    (1e22, "1e+22"), (-1e9, "-1000000000.0"), (0.001, "0.001"), (float("inf"), "+Inf"),
    (float("-inf"), "-Inf"), (float("nan"), "NaN"), ("3", "3.0"),
])
def test_float_to_go_string_writes_what_prometheus_client_writes(value, text):
    from prometheus_client.utils import floatToGoString as theirs
    from prometheus_emulator.utils import floatToGoString
    assert floatToGoString(value) == theirs(value) == text


def test_parse_version():
    from prometheus_emulator.utils import parse_version
    assert parse_version("1.0.0") == (1, 0, 0)
    assert parse_version("0.0.4rc1") == (0, 0, "4rc1")
