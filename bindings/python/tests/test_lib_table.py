"""The ctypes table against the generated header: every function _lib.py declares exists in
include/prometheus_emulator.h with as many parameters, each of a matching ctypes type, and a
matching return type; every Structure has the header's fields, in order, with matching types.
A signature changed in the header and not here fails this test, as the Go wrappers' freshness
test does for Go."""

import ctypes
import re
from ctypes import (
    POINTER, c_bool, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint, c_uint16,
    c_uint32, c_uint64, c_void_p,
)
from pathlib import Path

from prometheus_emulator import _lib

HEADER = Path(__file__).resolve().parents[3] / "include" / "prometheus_emulator.h"

STRUCTURES = {
    name: cls for name, cls in vars(_lib).items()
    if isinstance(cls, type) and issubclass(cls, ctypes.Structure) and name.startswith("pe_")
}

# C type spelling -> the ctypes types that may stand for it.
INTEGER_CODES = {c_int, c_uint, c_uint32}
SIMPLE = {
    "bool": {c_bool},
    "bool *": {POINTER(c_bool)},
    "const bool *": {POINTER(c_bool)},
    "char *": {c_char_p, c_void_p},
    "char **": {POINTER(c_void_p), POINTER(c_char_p)},
    "const char **": {POINTER(c_void_p), POINTER(c_char_p)},
    "const char *": {c_char_p, c_void_p},
    "const char *const *": {POINTER(c_char_p)},
    "double": {c_double},
    "double *": {POINTER(c_double)},
    "const double *": {POINTER(c_double)},
    "size_t": {c_size_t},
    "size_t *": {POINTER(c_size_t)},
    "int32_t": {c_int32},
    "int32_t *": {POINTER(c_int32)},
    "int64_t": {c_int64},
    "uint16_t *": {POINTER(c_uint16)},
    "uint32_t": {c_uint32},
    "uint64_t": {c_uint64},
    "uint64_t *": {POINTER(c_uint64)},
    "const uint64_t *": {POINTER(c_uint64)},
    "const int32_t *": {POINTER(c_int32)},
    "void *": {c_void_p},
    "pe_format": INTEGER_CODES,
    "pe_escaping": INTEGER_CODES,
    "pe_name_validation": INTEGER_CODES,
    "pe_metric_type": INTEGER_CODES,
    "pe_status": INTEGER_CODES,
    "enum pe_status": INTEGER_CODES,
    "enum pe_format *": {POINTER(c_int), POINTER(c_uint)},
    "enum pe_escaping *": {POINTER(c_int), POINTER(c_uint)},
    "enum pe_name_validation *": {POINTER(c_int), POINTER(c_uint)},
    "enum pe_metric_type *": {POINTER(c_int), POINTER(c_uint)},
    "pe_value_fn": {_lib.VALUE_FN, c_void_p},
    "pe_free_fn": {_lib.FREE_FN, c_void_p},
    "pe_collect_fn": {_lib.COLLECT_FN, c_void_p},
}


def acceptable(c_type):
    """The ctypes types that may declare a parameter, field or result of this C type."""
    if c_type in SIMPLE:
        return SIMPLE[c_type]
    pointer = re.fullmatch(r"(?:const )?struct (pe_\w+) \*", c_type)
    if pointer:
        name = pointer.group(1)
        # An option struct is passed as a pointer to its Structure; a handle is opaque.
        return {POINTER(STRUCTURES[name])} if name in STRUCTURES else {c_void_p}
    if re.fullmatch(r"(?:const )?struct pe_\w+ \*\*", c_type):
        return {POINTER(c_void_p)}
    raise AssertionError(f"no ctypes mapping for the C type {c_type!r}: add one to SIMPLE")


def header_text():
    assert HEADER.is_file(), f"{HEADER} is missing: run the tests from a checkout of the project"
    return re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)


def c_type_of(declaration):
    """`const char *name` -> `const char *`."""
    declaration = " ".join(declaration.split())
    return re.sub(r"\s*\b\w+$", "", declaration).strip()


def header_functions():
    functions = {}
    pattern = r"^((?:const )?(?:enum |struct )?\w+)\s*(\*?)\s*(pe_\w+)\(([^)]*)\);"
    for match in re.finditer(pattern, header_text(), flags=re.M):
        result = f"{match.group(1)} {match.group(2)}".strip()
        params = [p for p in match.group(4).split(",") if p.strip() not in ("", "void")]
        functions[match.group(3)] = (result, [c_type_of(p) for p in params])
    return functions


def header_structs():
    structs = {}
    for match in re.finditer(r"typedef struct (pe_\w+) \{(.*?)\} \1;", header_text(), flags=re.S):
        fields = []
        for line in match.group(2).split(";"):
            line = " ".join(line.split())
            if line:
                fields.append((line.rsplit(" ", 1)[-1].lstrip("*"), c_type_of(line)))
        structs[match.group(1)] = fields
    return structs


def test_the_header_is_read():
    functions = header_functions()
    assert len(functions) > 100
    assert functions["pe_counter_inc"] == ("enum pe_status", ["struct pe_counter *", "double"])
    assert header_structs()["pe_push_options"][0] == ("struct_size", "size_t")


def test_every_declared_function_matches_the_header():
    functions = header_functions()
    wrong = []
    for name, (_mode, restype, argtypes) in _lib._FUNCTIONS.items():
        if name not in functions:
            wrong.append(f"{name}: not in the header")
            continue
        result, params = functions[name]
        if len(params) != len(argtypes):
            wrong.append(f"{name}: {len(argtypes)} argtypes, the header has {len(params)}")
            continue
        for index, (c_type, declared) in enumerate(zip(params, argtypes)):
            if declared not in acceptable(c_type):
                wrong.append(f"{name}: parameter {index} is {c_type!r}, declared {declared!r}")
        expected = {None} if result == "void" else acceptable(result)
        if restype not in expected:
            wrong.append(f"{name}: returns {result!r}, declared {restype!r}")
    assert not wrong, "\n".join(wrong)


def test_every_enum_constant_matches_the_header():
    """The PE_* codes _lib.py spells out (statuses, formats, escapings, name validations) have
    the header's values."""
    header = dict(re.findall(r"^\s+(PE_[A-Z0-9_]+) = (\d+),", header_text(), flags=re.M))
    declared = {name: value for name, value in vars(_lib).items()
                if re.fullmatch(r"PE_[A-Z0-9_]+", name)}
    assert len(declared) >= 25
    wrong = [f"{name} = {value}, the header has {header.get(name)}"
             for name, value in declared.items() if header.get(name) != str(value)]
    assert not wrong, "\n".join(wrong)


def test_every_structure_matches_the_header():
    structs = header_structs()
    assert STRUCTURES, "no Structure found in _lib"
    for name, cls in STRUCTURES.items():
        assert name in structs, f"{name} is not in the header"
        header_fields = structs[name]
        declared = cls._fields_
        assert [f for f, _ in declared] == [f for f, _ in header_fields], name
        for (field, c_type), (_, ctype) in zip(header_fields, declared):
            assert ctype in acceptable(c_type), f"{name}.{field}: {c_type!r} vs {ctype!r}"


def test_the_gauge_modes_have_the_headers_codes():
    """_lib.GAUGE_MODES, prometheus_client's multiprocess_mode names in the order of their
    codes, against the header's pe_gauge_mode (PE_GAUGE_MODE_LIVESUM for "livesum")."""
    header = dict(re.findall(r"^\s+PE_GAUGE_MODE_([A-Z]+) = (\d+),", header_text(), flags=re.M))
    assert {name.lower(): int(code) for name, code in header.items()} == _lib.GAUGE_MODE_CODES
