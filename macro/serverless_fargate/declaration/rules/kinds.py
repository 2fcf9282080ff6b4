"""Kinds of task (service, scheduled, invoked, standalone): one kind each, and Overrides
sections that fit it."""

from __future__ import annotations

from ...errors import Problem, join_path
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput


# What makes a task's runs watched: each is refused beside a Service.
STARTERS = ("Schedule", "Events", "Callers")


@rule(
    "kind.one",
    "A task is a service, or started by a Schedule, Events or Callers: not both",
    reads=("Service",),
)
def one_kind(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    starters = [k for k in STARTERS if t.values.get(k)]
    if starters and t.values.get("Service") not in (None, False):
        yield Problem(
            t.where("Service"),
            f"a task with {' and '.join(starters)} runs "
            f"{'on its schedule' if starters == ['Schedule'] else 'when started'}, not as a "
            "service: remove Service or set it to false",
        )


@rule(
    "kind.defaults",
    "Declaration-level defaults do not set both Service and Schedule, Events or Callers",
    "declaration",
)
def one_default_kind(d: DeclarationInput) -> Iterator[Problem]:
    if d.properties.get("Service") in (None, False):
        return
    for key in STARTERS:
        if d.properties.get(key):
            yield Problem(
                join_path(d.path, key),
                f"the declaration-level defaults set both Service and {key}; a task is a "
                f"service or started by its {key}, not both",
            )


@rule("kind.overrides", "A task's own Overrides sections fit its kind", reads=("Overrides",))
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
