"""Decorators that keep the signature of what they wrap, as ``prometheus_client.decorator``.

``decorate(func, caller)`` returns a function with ``func``'s name, documentation and
signature, visible to ``inspect.signature`` and ``inspect.getfullargspec`` alike, whose calls
run ``caller(func, *args, **kwargs)``. Arguments that do not fit the signature raise
``TypeError`` at the call, before ``caller`` runs, as with ``func`` itself. The metric decorators
(``time()``, ``count_exceptions()``, ``track_inprogress()``) are built on it.

prometheus_client vendors Michele Simionato's ``decorator`` 4.0; this module offers the names
programs use from it (``decorate``, ``decorator``, ``getargspec``, ``contextmanager``,
``ContextManager``), written anew.
"""

import collections
import contextlib
import functools
import inspect

__all__ = ["ArgSpec", "ContextManager", "contextmanager", "decorate", "decorator",
           "getargspec", "getfullargspec"]

getfullargspec = inspect.getfullargspec

ArgSpec = collections.namedtuple("ArgSpec", "args varargs varkw defaults")


def getargspec(f):
    """``inspect.getfullargspec(f)`` reduced to ``(args, varargs, varkw, defaults)``."""
    spec = getfullargspec(f)
    return ArgSpec(spec.args, spec.varargs, spec.varkw, spec.defaults)


# The names the generated function's body uses; a parameter may not take them.
_CALLER = "_prometheus_caller_"
_FUNCTION = "_prometheus_function_"


def _parameter_lists(signature):
    """``(definition, call)``: the parameter list of a ``def`` with this signature, without
    defaults, and the argument list that passes every parameter on."""
    definition, call = [], []
    kinds = inspect.Parameter
    star_written = False
    previous = None
    for parameter in signature.parameters.values():
        name, kind = parameter.name, parameter.kind
        if previous is kinds.POSITIONAL_ONLY and kind is not kinds.POSITIONAL_ONLY:
            definition.append("/")
        if kind is kinds.VAR_POSITIONAL:
            definition.append("*" + name)
            call.append("*" + name)
            star_written = True
        elif kind is kinds.KEYWORD_ONLY:
            if not star_written:
                definition.append("*")
                star_written = True
            definition.append(name)
            call.append(f"{name}={name}")
        elif kind is kinds.VAR_KEYWORD:
            definition.append("**" + name)
            call.append("**" + name)
        else:
            definition.append(name)
            call.append(name)
        previous = kind
    if previous is kinds.POSITIONAL_ONLY:
        definition.append("/")
    return ", ".join(definition), ", ".join(call)


def _copy_metadata(target, source):
    functools.update_wrapper(target, source)
    target.__defaults__ = getattr(source, "__defaults__", None)
    target.__kwdefaults__ = getattr(source, "__kwdefaults__", None)


def _make(func, caller, is_async):
    """A function with ``func``'s signature calling ``caller(func, ...)`` (awaited when
    ``is_async``)."""
    try:
        signature = inspect.signature(func, follow_wrapped=False)
    except (TypeError, ValueError):  # a builtin without a signature: keep *args, **kwargs
        signature = None
    plain = inspect.isfunction(func) and signature is not None and not any(
        parameter.name in (_CALLER, _FUNCTION) for parameter in signature.parameters.values())
    if not plain:
        if is_async:
            async def wrapper(*args, **kwargs):
                return await caller(func, *args, **kwargs)
        else:
            def wrapper(*args, **kwargs):
                return caller(func, *args, **kwargs)
        functools.update_wrapper(wrapper, func)
        if signature is not None:
            wrapper.__signature__ = signature
        return wrapper
    definition, call = _parameter_lists(signature)
    name = func.__name__ if func.__name__.isidentifier() else "wrapper"
    arguments = f"{_FUNCTION}, {call}" if call else _FUNCTION
    if is_async:
        source = (f"async def {name}({definition}):\n"
                  f"    return await {_CALLER}({arguments})\n")
    else:
        source = f"def {name}({definition}):\n    return {_CALLER}({arguments})\n"
    namespace = {_CALLER: caller, _FUNCTION: func}
    exec(compile(source, f"<decorated {func.__qualname__}>", "exec"), namespace)
    wrapper = namespace[name]
    _copy_metadata(wrapper, func)
    return wrapper


def decorate(func, caller):
    """``func`` wrapped so that each call runs ``caller(func, *args, **kwargs)``, with the
    name, documentation and signature of ``func``."""
    return _make(func, caller, is_async=False)


def decorator(caller, _func=None):
    """Turns ``caller(func, *args, **kwargs)`` into a decorator (or, given ``_func``, decorates
    it at once)."""
    if _func is not None:
        return decorate(_func, caller)

    def make_decorator(func):
        return decorate(func, caller)

    functools.update_wrapper(make_decorator, caller, assigned=("__module__", "__doc__"))
    make_decorator.__name__ = getattr(caller, "__name__", type(caller).__name__.lower())
    return make_decorator


class ContextManager(contextlib._GeneratorContextManager):
    """A generator-based context manager that also decorates functions, keeping their
    signature."""

    def __init__(self, generator_function, *args, **kwargs):
        super().__init__(generator_function, args, kwargs)

    def _recreate_cm(self):
        return type(self)(self.func, *self.args, **self.kwds)

    def __call__(self, func):
        def call_inside(function, *args, **kwargs):
            with self._recreate_cm():
                return function(*args, **kwargs)
        return decorate(func, call_inside)


def contextmanager(generator_function):
    """``contextlib.contextmanager`` whose managers decorate with the signature kept."""
    @functools.wraps(generator_function)
    def make_manager(*args, **kwargs):
        return ContextManager(generator_function, *args, **kwargs)
    return make_manager
