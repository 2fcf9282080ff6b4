"""A fast yes/no check of the declaration schema, compiled once into closures.

jsonschema gives precise messages but dominates expansion time and import time. Valid input
(the usual case) only needs a yes, so it takes this path; anything it rejects goes to jsonschema
for the messages. It implements exactly the keywords schema.py uses, with JSON Schema's
semantics (booleans are not numbers, 1.0 is an integer); tests/test_fastcheck.py proves both
paths accept and reject the same inputs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .schema import SCHEMA
from .schema_parts import for_python

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from collections.abc import Callable
    from typing import Any

    Check = Callable[[Any], bool]

# Keywords that only annotate: they never decide validity.
_ANNOTATIONS = frozenset(
    {"description", "default", "x-expected", "title", "$schema", "$id", "$defs", "examples"}
)


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float))
    if name == "null":
        return value is None
    raise ValueError(f"unsupported type {name!r}")


_PYTHON_TYPES = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}


def _types(names: list[str]) -> Check:
    """Any of several JSON types, in _is_type's terms: an isinstance for the plain ones, then
    the numbers (never a bool)."""
    plain = tuple(_PYTHON_TYPES[n] for n in names if n in _PYTHON_TYPES)
    numeric = [n for n in names if n not in _PYTHON_TYPES]
    for n in numeric:
        _is_type(0, n)  # an unsupported name fails here, at compile time, as before at use

    def check(x: Any) -> bool:
        if isinstance(x, plain):
            return True
        for n in numeric:  # noqa: SIM110 - no generator per call: environment values come here
            if _is_type(x, n):
                return True
        return False

    return check


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, and containers compare element by element."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _compile(schema: dict[str, Any], refs: dict[str, Check]) -> Check:
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        checks.append(_keyword(keyword, value, schema, refs))
    # Every task runs these closures: one or two checks are called directly, not through all().
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)

    def check(instance: Any) -> bool:
        # A loop, not all(...): no generator made per call, and this runs per value.
        for c in checks:  # noqa: SIM110
            if not c(instance):
                return False
        return True

    return check


# One JSON type each: isinstance straight away (bool is an int in Python, not in JSON).
_SINGLE_TYPE: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
}


def _keyword(keyword: str, value: Any, schema: dict[str, Any], refs: dict[str, Check]) -> Check:
    if keyword == "$ref":
        name = value.rsplit("/", 1)[-1]
        if name in refs:  # compiled already: called directly, not looked up on every call
            return refs[name]
        return lambda x: refs[name](x)  # a definition further on (or itself)
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        if len(names) == 1 and names[0] in _SINGLE_TYPE:
            return _SINGLE_TYPE[names[0]]
        return _types(names)
    if keyword == "enum":
        if all(type(v) is str for v in value):
            # _equal of two strings: same type and equal, so a set lookup of exact strs.
            strings = frozenset(value)
            return lambda x: type(x) is str and x in strings
        return lambda x: any(_equal(x, v) for v in value)
    if keyword == "const":
        return lambda x: _equal(x, value)
    if keyword == "anyOf":
        options = [_compile(s, refs) for s in value]

        def any_of(x: Any) -> bool:
            for option in options:  # noqa: SIM110 - no generator per call, as above
                if option(x):
                    return True
            return False

        return any_of
    if keyword == "properties":
        known = {k: _compile(s, refs) for k, s in value.items()}

        def properties(x: Any) -> bool:
            if isinstance(x, dict):
                for k, v in x.items():
                    check = known.get(k)
                    if check is not None and not check(v):
                        return False
            return True

        return properties
    if keyword == "additionalProperties":
        known_names = set(schema.get("properties", {}))
        if value is False:
            return lambda x: not isinstance(x, dict) or known_names.issuperset(x)
        extra = _compile(value, refs)

        def additional(x: Any) -> bool:
            if isinstance(x, dict):
                for k, v in x.items():  # a loop, not all(...): no generator per call
                    if k not in known_names and not extra(v):
                        return False
            return True

        return additional
    if keyword == "required":
        required = frozenset(value)
        return lambda x: not isinstance(x, dict) or x.keys() >= required
    if keyword == "minProperties":
        return lambda x: not isinstance(x, dict) or len(x) >= value
    if keyword == "maxProperties":
        return lambda x: not isinstance(x, dict) or len(x) <= value
    if keyword == "propertyNames":
        return _every(dict, _compile(value, refs))  # a map's keys
    if keyword == "pattern":
        pattern = re.compile(value)
        return lambda x: not isinstance(x, str) or pattern.search(x) is not None
    if keyword == "minLength":
        return lambda x: not isinstance(x, str) or len(x) >= value
    if keyword == "maxLength":
        return lambda x: not isinstance(x, str) or len(x) <= value
    if keyword == "minItems":
        return lambda x: not isinstance(x, list) or len(x) >= value
    if keyword == "items":
        return _every(list, _compile(value, refs))
    if keyword == "minimum":
        return lambda x: not _is_type(x, "number") or x >= value
    if keyword == "maximum":
        return lambda x: not _is_type(x, "number") or x <= value
    raise ValueError(f"fastcheck does not implement {keyword!r}: add it, with a test")


def _every(kind: type[dict[Any, Any]] | type[list[Any]], check: Check) -> Check:
    """A value of `kind` passes when each of its members does (a map's members: its keys);
    any other value passes. A loop, not all(...): no generator made per call."""

    def every(x: Any) -> bool:
        if isinstance(x, kind):
            for member in x:  # noqa: SIM110
                if not check(member):
                    return False
        return True

    return every


@lru_cache(maxsize=1)
def _root() -> Check:
    schema = for_python(SCHEMA)
    refs: dict[str, Check] = {}
    for name, definition in schema.get("$defs", {}).items():
        refs[name] = _compile(definition, refs)
    return _compile(schema, refs)


def is_valid(properties: Any) -> bool:
    """True exactly when jsonschema would find no error in these Properties."""
    return _root()(properties)
