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
    for key in tasks if isinstance(tasks, dict) else {}:
        name = pascal_case(key)
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
    for key in tasks if isinstance(tasks, dict) else {}:
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


@rule("names.depends-on", "DependsOn names resources of this template or of another task")
def depends_on(t: TaskInput, d: DeclarationInput) -> Iterator[Problem]:
    targets = t.get("DependsOn")
    own = {f"{d.logical_id}{t.name}{suffix}" for suffix in _GENERATED}
    others = {
        f"{d.logical_id}{other.name}{suffix}"
        for other in d.tasks
        if other.key != t.key
        for suffix in _GENERATED
    }
    for index, target in enumerate(targets if isinstance(targets, list) else []):
        if target in own:
            yield Problem(
                join_path(t.where("DependsOn"), index),
                f"{target!r} is this task's own resource: it cannot wait for itself",
            )
        elif isinstance(target, str) and target not in d.resources and target not in others:
            hint = did_you_mean(target, list(d.resources))
            yield Problem(
                join_path(t.where("DependsOn"), index),
                f"no resource {target!r} in this template{hint}",
            )
