"""Names: task keys, the declaration's logical ID, and the resources DependsOn names."""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from ...resources.names import pascal_case
from ..messages import did_you_mean, show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..merge import DeclarationInput, TaskInput

# The longest suffix a generated logical ID adds to the declaration's and a task's names.
LONGEST_SUFFIX = len("FromZeroScalingPolicy")
MAX_LOGICAL_ID = 255


@rule("names.task-keys", "Two task keys do not become the same name in logical IDs", "declaration")
def distinct_task_names(d: DeclarationInput) -> Iterator[Problem]:
    tasks = d.properties.get("Tasks")
    seen: dict[str, str] = {}
    merged = {t.key: t.name for t in d.tasks}  # names already made, not made again
    for key in tasks if isinstance(tasks, dict) else {}:
        name = merged.get(key) or pascal_case(key)
        if name in seen:
            yield Problem(
                join_path(d.path, "Tasks", key),
                f"task key {key!r} and {seen[name]!r} both become {name!r} in logical IDs; "
                "rename one",
            )
        seen.setdefault(name, key)


@rule("names.logical-ids", "Generated logical IDs are ones CloudFormation accepts", "declaration")
def logical_ids(d: DeclarationInput) -> Iterator[Problem]:
    base = d.path.rsplit(".", 1)[0]
    if not re.fullmatch(r"[A-Za-z0-9]+", d.logical_id):
        yield Problem(
            base,
            f"the logical ID {show(d.logical_id)} is not one CloudFormation accepts: letters "
            "and digits only, since every generated logical ID starts with it",
        )
        return
    tasks = d.properties.get("Tasks")
    room = MAX_LOGICAL_ID - len(d.logical_id) - LONGEST_SUFFIX
    for key in tasks if isinstance(tasks, dict) else {}:
        if len(key) <= room:
            continue  # a name is never longer than its key: no need to make it
        length = len(d.logical_id) + len(pascal_case(key)) + LONGEST_SUFFIX
        if length > MAX_LOGICAL_ID:
            yield Problem(
                join_path(d.path, "Tasks", key),
                f"logical IDs generated for this task could reach {length} characters, over "
                f"CloudFormation's {MAX_LOGICAL_ID}: shorten the task key or the declaration's "
                "logical ID",
            )


# What another task of the same declaration generates, which a task may depend on.
_GENERATED = ("TaskDefinition", "Service", "Schedule")


@rule(
    "names.depends-on",
    "DependsOn names resources of this template or of another task",
    reads=("DependsOn",),
)
def depends_on(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    targets = t.get("DependsOn")
    if not targets or not isinstance(targets, list):  # most tasks wait for nothing
        return
    own = {f"{d.logical_id}{t.name}{suffix}" for suffix in _GENERATED}
    for index, target in enumerate(targets):
        if target in own:
            yield Problem(
                join_path(t.where("DependsOn"), index),
                f"{target!r} is this task's own resource: it cannot wait for itself",
            )
        elif (
            isinstance(target, str)
            and target not in d.resources
            and not _generated_by_a_task(target, d)
        ):
            hint = did_you_mean(target, list(d.resources))
            yield Problem(
                join_path(t.where("DependsOn"), index),
                f"no resource {target!r} in this template{hint}",
            )


def _generated_by_a_task(target: str, d: DeclarationInput) -> bool:
    """Whether `target` is a resource some task of `d` generates: a lookup in the set of task
    names, not a set of every task's resources built per task (quadratic in task count)."""
    if not target.startswith(d.logical_id):
        return False
    middle = target[len(d.logical_id) :]
    return any(
        middle.endswith(suffix) and middle[: -len(suffix)] in d.names for suffix in _GENERATED
    )
