"""The rules JSON Schema cannot say, registered like cfn-lint's: each has an id, a one-line
description and a pure check that returns problems.

Three scopes: `task` rules see one merged task (merge.TaskInput), `declaration` rules see the
whole declaration, `resources` rules see what the builders generated for it, after Overrides
(so an override cannot smuggle in what the declaration would refuse). `RULES` lists them all;
docs/reference.md prints the list.
"""

from __future__ import annotations

from ...record import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from collections.abc import Callable, Iterable
    from typing import Any

    from ...errors import Problem


@record
class Rule:
    id: str
    description: str
    scope: str  # "task", "declaration" or "resources"
    check: Callable[..., Iterable[Problem]]
    # A task rule that can find a problem only in a task that gives one of these fields (itself,
    # by a default of its declaration or by SAM's Globals); None: it runs for every task.
    reads: frozenset[str] | None


RULES: list[Rule] = []


def rule(
    rule_id: str, description: str, scope: str = "task", reads: tuple[str, ...] | None = None
) -> Callable[[Any], Any]:
    """Registers a check. `reads` (task rules): the fields without which the check finds
    nothing, so a task that gives none of them is not checked by it (most tasks give few
    fields; tests/test_rules.py shows the skip never hides a problem)."""

    def register(check: Any) -> Any:
        if any(r.id == rule_id for r in RULES):
            raise ValueError(f"rule id {rule_id} is used twice")
        RULES.append(
            Rule(rule_id, description, scope, check, None if reads is None else frozenset(reads))
        )
        return check

    return register


def run(scope: str, *args: Any) -> list[Problem]:
    """Every problem the rules of `scope` find in `args`."""
    checks = _checks(scope)
    if scope == "task":
        given = args[0].values.keys()
        return [
            p
            for check, reads in checks
            if reads is None or not given.isdisjoint(reads)
            for p in check(*args)
        ]
    if len(checks) == 1:
        return list(checks[0][0](*args))
    return [p for check, _ in checks for p in check(*args)]


# Each scope's checks and what they read, in registration order; task rules run once per task.
_BY_SCOPE: dict[
    str,
    tuple[tuple[int, int], list[tuple[Callable[..., Iterable[Problem]], frozenset[str] | None]]],
] = {}


def _checks(
    scope: str,
) -> list[tuple[Callable[..., Iterable[Problem]], frozenset[str] | None]]:
    cached = _BY_SCOPE.get(scope)
    # A rule registered since, or the list replaced (a test's): made again.
    if cached is None or cached[0] != (id(RULES), len(RULES)):
        cached = _BY_SCOPE[scope] = (
            (id(RULES), len(RULES)),
            [(r.check, r.reads) for r in RULES if r.scope == scope],
        )
    return cached[1]


# Registration happens on import; the order here is the order problems are found in.
from . import (  # noqa: E402
    clusters,
    containers,
    iam,
    images,
    invocations,
    kinds,
    names,
    overrides,
    resources,
    schedules,
    services,
    sizes,
    spot,
    tags,
    timeouts,
    wildcards,
)

__all__ = [
    "RULES",
    "Rule",
    "clusters",
    "containers",
    "iam",
    "images",
    "invocations",
    "kinds",
    "names",
    "overrides",
    "resources",
    "rule",
    "run",
    "schedules",
    "services",
    "sizes",
    "tags",
    "wildcards",
    "spot",
    "timeouts",
]
