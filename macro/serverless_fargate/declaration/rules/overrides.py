"""What Overrides may not set: what the transform owns and its grants follow.

A role swapped in through Overrides would be one that no grant names (the workflow's PassRole,
the schedule's target): the task's own TaskRoleArn and ExecutionRoleArn fields are the one
place to give a role, and every grant follows them. A schedule starts its task's workflow,
which watches the run to its end; another target or role would start runs nobody watches.
(Reserved tag keys: rules/tags.py.)
"""

from __future__ import annotations

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic
from ..messages import show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..merge import DeclarationInput, TaskInput

# (section, keys..., why): settings that have a field of their own, or that the transform owns.
OWNED: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("TaskDefinition", "TaskRoleArn"),
        "give the role with the task's TaskRoleArn: every grant that names the task role "
        "(the workflow's PassRole) follows that field, none follows an override",
    ),
    (
        ("TaskDefinition", "ExecutionRoleArn"),
        "give the role with the task's ExecutionRoleArn: every grant that names the execution "
        "role (the workflow's PassRole) follows that field, none follows an override",
    ),
    (
        ("Service", "TaskDefinition"),
        "a service runs its own task's task definition; override that in Overrides.TaskDefinition",
    ),
    (
        ("Service", "EnableExecuteCommand"),
        "set Service.EnableExecuteCommand: the task role's ECS Exec grant follows that field",
    ),
    (
        ("Schedule", "Target", "Arn"),
        "a schedule starts its task's workflow, which watches every run to its end; another "
        "target would start runs nobody watches",
    ),
    (
        ("Schedule", "Target", "RoleArn"),
        "the schedule role may start exactly this task's workflow; another role is one no "
        "grant of this stack describes",
    ),
    (
        ("Schedule", "Target", "Input"),
        "the workflow's input names the task it runs; it is not an override",
    ),
)


def sections(t: TaskInput) -> tuple[str, ...]:
    # The declaration's Overrides apply to the tasks they fit (rules/kinds.py).
    own = {"service": "Service", "schedule": "Schedule"}.get(t.kind)
    return ("TaskDefinition", "Container") + ((own,) if own else ())


def dig(value: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def origin(t: TaskInput, d: DeclarationInput, *keys: str) -> str:
    """The path of Overrides.<keys> where it was written: the task's own, else the
    declaration's (task values win the deep merge)."""
    if dig(t.own.get("Overrides"), keys) is not None:
        return join_path(t.path, "Overrides", *keys)
    if dig(d.properties.get("Overrides"), keys) is not None:
        return join_path(d.path, "Overrides", *keys)
    return join_path(t.where("Overrides"), *keys)


@rule(
    "overrides.owned",
    "Overrides do not replace what the transform owns and grants follow",
    reads=("Overrides",),
)
def owned(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    overrides = t.get("Overrides")
    if not overrides or not isinstance(overrides, dict):  # most tasks override nothing
        return
    applying = sections(t)
    for keys, why in OWNED:
        if keys[0] in applying and dig(overrides, keys) is not None:
            yield Problem(origin(t, d, *keys), f"cannot be overridden: {why}")


# Maps the transform writes keys of its own into: an intrinsic there would be merged in as a
# key (`Fn::If` beside `Arn`), and what it chooses is past every check of the keys above.
MERGED_MAPS: tuple[tuple[str, ...], ...] = (
    ("TaskDefinition",),
    ("Container",),
    ("Service",),
    ("Schedule",),
    ("Schedule", "Target"),
)


@rule(
    "overrides.decidable",
    "Overrides sections and schedule targets are written out as maps",
    reads=("Overrides",),
)
def decidable(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    overrides = t.get("Overrides")
    if not overrides or not isinstance(overrides, dict):  # most tasks override nothing
        return
    applying = sections(t)
    for keys in MERGED_MAPS:
        value = dig(overrides, keys)
        if keys[0] in applying and is_intrinsic(value):
            yield Problem(
                origin(t, d, *keys),
                f"{show(value)} cannot be checked before deploy: it is merged into settings "
                "the transform writes and checks; write the map out",
            )
