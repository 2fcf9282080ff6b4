"""The task definition: Fargate sizes, the main container (named for the task key) and sidecars."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..settings import METADATA_KEY, TIMEOUT_TAG
from . import images, logs, names, roles
from .common import text, with_managed_tags, with_overrides

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def main_container(d: Declaration, t: Task, pinned: dict[str, images.Entry]) -> dict[str, Any]:
    container: dict[str, Any] = {"Name": t.key, "Image": images.image(t, pinned), "Essential": True}
    if t.entry_point is not None:
        container["EntryPoint"] = t.entry_point
    if t.command is not None:
        container["Command"] = t.command
    if t.environment:
        container["Environment"] = [{"Name": k, "Value": v} for k, v in t.environment.items()]
    if t.secrets:
        container["Secrets"] = [{"Name": k, "ValueFrom": v} for k, v in t.secrets.items()]
    if t.port_mappings:
        container["PortMappings"] = t.port_mappings
    if t.health_check is not None:
        container["HealthCheck"] = t.health_check
    if t.stop_timeout is not None:
        container["StopTimeout"] = t.stop_timeout
    if t.volumes:
        container["MountPoints"] = [
            {
                "SourceVolume": name,
                "ContainerPath": v["MountPath"],
                "ReadOnly": v["ReadOnly"],
            }
            for name, v in t.volumes.items()
        ]
    if t.readonly_root_filesystem is not False:
        container["ReadonlyRootFilesystem"] = t.readonly_root_filesystem
    container["LogConfiguration"] = logs.log_configuration(d, t, t.key)
    return with_overrides(container, t.overrides.get("Container", {}))


def sidecar(d: Declaration, t: Task, definition: dict[str, Any]) -> dict[str, Any]:
    """A sidecar as written; it logs to the declaration's log group unless it says otherwise."""
    container = dict(definition)
    container.setdefault("LogConfiguration", logs.log_configuration(d, t, definition["Name"]))
    return container


def volume(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """An EFS volume: encrypted in transit, mounted with the task role's IAM identity."""
    authorization: dict[str, Any] = {"IAM": "ENABLED"}
    if spec.get("AccessPointId") is not None:
        authorization["AccessPointId"] = spec["AccessPointId"]
    efs: dict[str, Any] = {
        "FilesystemId": spec["FileSystemId"],
        "TransitEncryption": "ENABLED",
        "AuthorizationConfig": authorization,
    }
    if spec.get("RootDirectory") is not None:
        efs["RootDirectory"] = spec["RootDirectory"]
    return {"Name": name, "EFSVolumeConfiguration": efs}


def resources(d: Declaration, t: Task, pinned: dict[str, images.Entry]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "RequiresCompatibilities": ["FARGATE"],
        "NetworkMode": "awsvpc",
        "Cpu": t.cpu,
        "Memory": t.memory,
        "RuntimePlatform": {"CpuArchitecture": t.architecture, "OperatingSystemFamily": "LINUX"},
        "ExecutionRoleArn": roles.execution_role_arn(d, t),
        "TaskRoleArn": roles.task_role_arn(d, t),
        "ContainerDefinitions": [main_container(d, t, pinned)]
        + [sidecar(d, t, s) for s in t.sidecars],
    }
    if t.volumes:
        properties["Volumes"] = [volume(name, v) for name, v in t.volumes.items()]
    if t.ephemeral_storage is not None:
        properties["EphemeralStorage"] = {"SizeInGiB": t.ephemeral_storage}
    override = t.overrides.get("TaskDefinition", {})
    given = override.get("Tags", t.tags)
    properties = with_overrides(properties, override)
    if isinstance(given, (dict, list)):
        # Tags given in Overrides replace the user's tags, never the transform's marks (the
        # managed tag, a standalone task's timeout); the rules refuse reserved keys there.
        with_managed_tags(properties, given, *standalone_tags(t))
    return {
        names.task_definition(d, t): {
            "Type": "AWS::ECS::TaskDefinition",
            # How the day-two commands (ops/) tell generated task definitions from the user's.
            "Metadata": {
                METADATA_KEY: {"Declaration": d.logical_id, "Task": t.key, "Kind": t.kind}
            },
            "Properties": properties,
        }
    }


def standalone_tags(t: Task) -> list[dict[str, Any]]:
    """What whoever starts a standalone task (serverless-fargate run, the user's code) needs to
    start it as declared: its Timeout. Scheduled tasks have it in their workflow. (A standalone
    task has no Spot: its caller picks the capacity provider.)"""
    if t.kind != "standalone" or t.timeout is None:
        return []
    return [{"Key": TIMEOUT_TAG, "Value": text(t.timeout)}]
