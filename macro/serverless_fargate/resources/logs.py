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
    if d.log_kms_key_arn is not None:
        properties["KmsKeyId"] = d.log_kms_key_arn
    group: dict[str, Any] = {"Type": "AWS::Logs::LogGroup"}
    if d.retain_log_group:
        group["DeletionPolicy"] = group["UpdateReplacePolicy"] = "Retain"
    group["Properties"] = with_tags(properties, d.tags)
    return {names.log_group(d): group}


def log_configuration(d: Declaration, t: Task, container: str) -> dict[str, Any]:
    """awslogs into the declaration's group; streams are task-key/container/task-id."""
    return {
        "LogDriver": "awslogs",
        "Options": {
            "awslogs-group": ref(names.log_group(d)),
            "awslogs-region": ref("AWS::Region"),
            "awslogs-stream-prefix": stream_prefix(t.key, container),
        },
    }


def stream_prefix(key: str, container: str) -> str:
    """awslogs names a stream <prefix>/<container>/<ECS task ID>; the prefix is the task key
    for its main container, <key>-<container> for a sidecar (ops/ reads streams by it)."""
    return key if container == key else f"{key}-{container}"
