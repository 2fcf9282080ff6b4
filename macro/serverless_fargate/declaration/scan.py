"""The first step: bounds every later step may rely on, checked in one pass without recursion.

Depth, map keys that are strings, numbers of sane size (str() of a 5,000-digit int raises),
strings of sane length, and intrinsic functions whose arguments have the shape CloudFormation
requires (so no later step unpacks a `Fn::Sub: 5`). A declaration that fails here goes no
further: its problems are listed and nothing else is trusted.
"""

from __future__ import annotations

from ..errors import Problem, join_path
from .messages import show

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

MAX_DEPTH = 64  # far beyond any real declaration; keeps every recursive step safe
MAX_NUMBER = 2**53  # JSON's exact integers; no property takes more
MAX_STRING = 65_536  # a whole policy document fits; a template is at most 1 MB
MAX_PROBLEMS = 50  # enough to fix a file by; a hostile one does not flood the message


def _arity(n: int) -> Any:
    return lambda a: isinstance(a, list) and len(a) == n


def _sub(a: Any) -> bool:
    return isinstance(a, str) or (
        isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], dict)
    )


def _get_att(a: Any) -> bool:
    if isinstance(a, str):
        return "." in a.strip(".")
    return isinstance(a, list) and len(a) == 2 and isinstance(a[0], str)


def _pair_with_list(a: Any) -> bool:
    return isinstance(a, list) and len(a) == 2 and isinstance(a[0], str)


def _select(a: Any) -> bool:
    return isinstance(a, list) and len(a) == 2


def _find_in_map(a: Any) -> bool:
    return isinstance(a, list) and len(a) in (3, 4)


def _if(a: Any) -> bool:
    return isinstance(a, list) and len(a) == 3 and isinstance(a[0], str)


def _anything(_: Any) -> bool:
    return True


def _string_or_intrinsic(a: Any) -> bool:
    return isinstance(a, (str, dict))


# Each intrinsic function, what its argument must look like, and that shape in words.
INTRINSICS: dict[str, tuple[Any, str]] = {
    "Ref": (lambda a: isinstance(a, str) and bool(a), "a logical ID or parameter name"),
    "Fn::Sub": (_sub, "a string, or [string, map of variables]"),
    "Fn::GetAtt": (_get_att, '"LogicalId.Attribute" or [LogicalId, Attribute]'),
    "Fn::Join": (_pair_with_list, "[delimiter, list]"),
    "Fn::Split": (_pair_with_list, "[delimiter, string]"),
    "Fn::Select": (_select, "[index, list]"),
    "Fn::If": (_if, "[condition name, value if true, value if false]"),
    "Fn::FindInMap": (_find_in_map, "[map name, top-level key, second-level key]"),
    "Fn::ImportValue": (_string_or_intrinsic, "an export name"),
    "Fn::GetAZs": (_string_or_intrinsic, "a region name or an empty string"),
    "Fn::Base64": (_anything, "a string"),
    "Fn::Cidr": (_arity(3), "[ip block, count, cidr bits]"),
    "Fn::Length": (lambda a: isinstance(a, (list, dict)), "a list"),
    "Fn::ToJsonString": (lambda a: isinstance(a, (list, dict)), "a map or a list"),
    "Fn::Equals": (_arity(2), "[value, value]"),
    "Fn::And": (lambda a: isinstance(a, list), "a list of conditions"),
    "Fn::Or": (lambda a: isinstance(a, list), "a list of conditions"),
    "Fn::Not": (_arity(1), "[condition]"),
    "Fn::Transform": (lambda a: isinstance(a, dict), "{Name, Parameters}"),
}


def scan(value: Any, base: str) -> list[Problem]:
    """Every bound the value breaks, each with its path (at most MAX_PROBLEMS)."""
    problems: list[Problem] = []
    # Each entry links to its parent's (parent, key), so a node costs no copy of its path; the
    # path is spelled out only for a problem.
    stack: list[tuple[Any, int, Any]] = [(value, 0, None)]
    while stack and len(problems) < MAX_PROBLEMS:
        item, depth, at = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(
                Problem(
                    join_path(base, *_parts(at)[:6]),
                    f"nested deeper than {MAX_DEPTH} levels: no declaration needs that; "
                    "simplify it",
                )
            )
            break
        elif isinstance(item, str):
            if len(item) > MAX_STRING:
                problems.append(
                    Problem(
                        join_path(base, *_parts(at)),
                        f"a string of {len(item)} characters; the most any property takes "
                        f"is {MAX_STRING}",
                    )
                )
        elif isinstance(item, dict):
            if len(item) == 1:
                problem = _intrinsic_problem(item, base, at)
                if problem is not None:
                    problems.append(problem)
                    continue
            shallow = depth < MAX_DEPTH
            for key, child in item.items():
                if not isinstance(key, str):
                    problems.append(
                        Problem(
                            join_path(base, *_parts(at), show(key)),
                            f"map keys must be strings; {show(key)} is a {_kind(key)} "
                            "(quote it in YAML)",
                        )
                    )
                    continue
                if shallow and _fine_leaf(child):
                    continue
                stack.append((child, depth + 1, (at, key)))
        elif isinstance(item, list):
            shallow = depth < MAX_DEPTH
            stack.extend(
                (child, depth + 1, (at, i))
                for i, child in enumerate(item)
                if not (shallow and _fine_leaf(child))
            )
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -MAX_NUMBER <= item <= MAX_NUMBER:
                problems.append(
                    Problem(join_path(base, *_parts(at)), f"a number too large (over {MAX_NUMBER})")
                )
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")) or abs(item) > MAX_NUMBER:
                problems.append(
                    Problem(join_path(base, *_parts(at)), f"{item!r} is not a usable number")
                )
        else:
            problems.append(
                Problem(join_path(base, *_parts(at)), f"{show(item)} is not a JSON value")
            )
    return problems


def _fine_leaf(value: Any) -> bool:
    """A plain value within bounds: visiting it would find nothing, so it is not stacked (most
    of a template is such leaves; skipping them leaves the problems and their order as they
    were)."""
    kind = type(value)
    return (
        (kind is str and len(value) <= MAX_STRING)
        or kind is bool
        or value is None
        or (kind is int and -MAX_NUMBER <= value <= MAX_NUMBER)
    )


def _parts(at: Any) -> list[Any]:
    """The keys and indexes from the root to a node, from its (parent, key) links."""
    parts = []
    while at is not None:
        at, key = at
        parts.append(key)
    parts.reverse()
    return parts


def _intrinsic_problem(item: dict[Any, Any], base: str, at: Any) -> Problem | None:
    ((name, argument),) = item.items()
    if not isinstance(name, str) or not (name == "Ref" or name.startswith("Fn::")):
        return None
    if name not in INTRINSICS:
        return Problem(
            join_path(base, *_parts(at), name),
            "is not a CloudFormation intrinsic function (known: " + ", ".join(INTRINSICS) + ")",
        )
    check, expected = INTRINSICS[name]
    if not check(argument):
        return Problem(
            join_path(base, *_parts(at), name),
            f"{show(argument)} is not valid: {name} takes {expected}",
        )
    return None


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number"}.get(type(value), type(value).__name__)
