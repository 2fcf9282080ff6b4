"""Resolving values that decide what is generated, once, from the parameter values.

A flag such as `Fallback` or `EnableExecuteCommand` decides whether a resource or a permission
exists, so it cannot be passed to CloudFormation as an intrinsic: the template would be
built for one value and run with the other. The macro runs again on every deploy with the
parameters' values, so a `Ref` to a template parameter is read now; anything that can only be
known later is refused with a message that says so.
"""

from __future__ import annotations

from ..errors import Problem
from ..intrinsics import is_intrinsic
from .messages import show

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


def known_flag(value: Any, parameters: dict[str, Any], default: bool) -> bool:
    """The flag's value where it can be known now, else `default` (Flags reports why)."""
    if isinstance(value, bool):
        return value
    if is_intrinsic(value) and "Ref" in value:
        known = _boolean(parameters.get(value["Ref"]))
        if known is not None:
            return known
    return default


def _boolean(value: Any) -> bool | None:
    """A parameter's value as a boolean (CloudFormation passes "true"/"false"), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _TRUE:
        return True
    if isinstance(value, str) and value in _FALSE:
        return False
    return None


class Flags:
    """Reads decisive booleans, collecting a problem for each that cannot be known."""

    def __init__(self, parameters: dict[str, Any], problems: list[Problem]) -> None:
        self.parameters = parameters
        self.problems = problems

    def flag(self, value: Any, where: str, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if is_intrinsic(value) and "Ref" in value:
            name = value["Ref"]
            if name not in self.parameters:
                self.problems.append(
                    Problem(
                        where,
                        f"decides what is generated, so it must be known when the template is "
                        f"processed: {show(name)} is not a template parameter with a value "
                        "(give the parameter a Default, or pass its value)",
                    )
                )
                return default
            value = self.parameters[name]
            known = _boolean(value)
            if known is not None:
                return known
            self.problems.append(
                Problem(
                    where,
                    f"the parameter {name} is {show(value)}; this flag takes true or false "
                    '(give the parameter AllowedValues: ["true", "false"])',
                )
            )
            return default
        self.problems.append(
            Problem(
                where,
                f"{show(value)} decides what is generated, so it must be known when the template "
                "is processed: write true or false, or a Ref to a template parameter",
            )
        )
        return default
