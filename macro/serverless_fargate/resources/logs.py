"""The one log group every task of a declaration logs to."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import ref
from . import names
from .common import with_tags

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def resources(d: Declaration) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if d.log_group_name is not None:
        properties["LogGroupName"] = d.log_group_name
    properties["RetentionInDays"] = d.log_retention_in_days
    return {
        names.log_group(d): {
            "Type": "AWS::Logs::LogGroup",
            "Properties": with_tags(properties, d.tags),
        }
    }


def log_configuration(d: Declaration, t: Task, container: str) -> dict[str, Any]:
    """awslogs into the declaration's group; streams are task-key/container/task-id."""
    return {
        "LogDriver": "awslogs",
        "Options": {
            "awslogs-group": ref(names.log_group(d)),
            "awslogs-region": ref("AWS::Region"),
            "awslogs-stream-prefix": t.key if container == t.key else f"{t.key}-{container}",
        },
    }
