"""Recognising CloudFormation intrinsic functions and resolving what can be known before deploy."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """The value to validate: a Ref to a parameter gives its deploy value; other intrinsics UNKNOWN.

    Pseudo parameters and unresolvable intrinsics return UNKNOWN so that rules skip them:
    CloudFormation will check them at deploy time.
    """
    if is_intrinsic(value):
        ref = value.get("Ref")
        if isinstance(ref, str) and ref in parameters:  # anything else is unknown
            return parameters[ref]
        return UNKNOWN
    return value


def resolve_number(value: Any, parameters: dict[str, Any]) -> Any:
    """As `resolve`, with a parameter's text read as the whole number it spells
    (CloudFormation passes parameter values as text and converts them for numeric properties)."""
    found = resolve(value, parameters)
    if isinstance(found, str) and 0 < len(found) < 16 and found.lstrip("-").isdigit():
        return int(found)
    return found


class _Unknown:
    """A value only known at deploy time: rules check types, so they skip it."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


def sub(text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Fn::Sub": [text, variables] if variables else text}


def escape(text: str) -> str:
    """A literal string made safe inside Fn::Sub: `${` is written `${!` (user text pasted into
    a Fn::Sub template must never become a variable)."""
    return text.replace("${", "${!")


def unique(values: list[Any]) -> list[Any]:
    """`values` without repeats, first occurrence kept; linear. Items may be intrinsics (maps),
    which are not hashable, so they are compared by content (`_identity`)."""
    out: list[Any] = []
    seen: set[Any] = set()
    for item in values:
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _identity(item: Any) -> Any:
    """What an item is compared by. Most are ARN strings or a Ref or GetAtt of strings: those
    as they are (their repr is as exact as their JSON); anything else by its JSON, keys sorted."""
    if type(item) is str:
        return item
    if type(item) is dict and len(item) == 1:
        ((name, argument),) = item.items()
        if type(argument) is str or (type(argument) is list and _all_text(argument)):
            return (name, repr(argument))
    import json  # stdlib, loaded by the handler anyway

    return (json.dumps(item, sort_keys=True),)


def _all_text(items: list[Any]) -> bool:
    """Every item is a str (exactly): a loop, as the role builders ask this of every ARN."""
    for item in items:  # noqa: SIM110 - no generator per call
        if type(item) is not str:
            return False
    return True
