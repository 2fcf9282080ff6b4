"""Kinds of task (service, scheduled, standalone): one kind each, and Overrides sections
that fit it."""

from __future__ import annotations

from ...errors import Problem, join_path
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


@rule("kind.one", "A task is a service or scheduled, not both")
def one_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    if t.values.get("Schedule") is not None and t.values.get("Service") not in (None, False):
        yield Problem(
            t.where("Service"),
            "a task with Schedule runs on its schedule, not as a service: remove Service or "
            "set it to false",
        )


@rule(
    "kind.defaults",
    "Declaration-level defaults do not set both Service and Schedule",
    "declaration",
)
def one_default_kind(d: DeclarationInput) -> Iterator[Problem]:
    if d.properties.get("Service") not in (None, False) and "Schedule" in d.properties:
        yield Problem(
            join_path(d.path, "Schedule"),
            "the declaration-level defaults set both Service and Schedule; a task is a "
            "service or scheduled, not both",
        )


@rule("kind.overrides", "A task's own Overrides sections fit its kind")
def overrides_fit(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    # The declaration's Overrides apply to the tasks they fit; a task's own must fit it.
    overrides = t.own.get("Overrides")
    if not isinstance(overrides, dict):
        return
    for section, wanted in (("Service", "service"), ("Schedule", "schedule")):
        if section in overrides and t.kind != wanted:
            article = "an" if t.kind[0] in "aeiou" else "a"
            yield Problem(
                join_path(t.path, "Overrides", section),
                f"this task is {article} {t.kind} task, so there is no {section.lower()} to "
                "override",
            )
