"""Checks of what is generated, after Overrides: an override is the escape hatch, not a way
around Fargate's limits or CloudFormation's names."""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from .. import fargate
from ..messages import did_you_mean, show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..model import Declaration, Task

# AWS::ECS::TaskDefinition ContainerDefinition properties (CloudFormation's resource schema;
# tests/test_rules.py compares this list with cfn-lint's copy of it).
CONTAINER_KEYS = frozenset(
    [
        "Command",
        "Cpu",
        "CredentialSpecs",
        "DependsOn",
        "DisableNetworking",
        "DnsSearchDomains",
        "DnsServers",
        "DockerLabels",
        "DockerSecurityOptions",
        "EntryPoint",
        "Environment",
        "EnvironmentFiles",
        "Essential",
        "ExtraHosts",
        "FirelensConfiguration",
        "HealthCheck",
        "Hostname",
        "Image",
        "Interactive",
        "Links",
        "LinuxParameters",
        "LogConfiguration",
        "Memory",
        "MemoryReservation",
        "MountPoints",
        "Name",
        "PortMappings",
        "Privileged",
        "PseudoTerminal",
        "ReadonlyRootFilesystem",
        "RepositoryCredentials",
        "ResourceRequirements",
        "RestartPolicy",
        "Secrets",
        "StartTimeout",
        "StopTimeout",
        "SystemControls",
        "Ulimits",
        "User",
        "VersionConsistency",
        "VolumesFrom",
        "WorkingDirectory",
    ]
)
# Container settings Fargate refuses (ECS: "Amazon ECS task definition differences for AWS
# Fargate").
NOT_ON_FARGATE = (
    "DisableNetworking",
    "DnsSearchDomains",
    "DnsServers",
    "DockerSecurityOptions",
    "ExtraHosts",
    "Hostname",
    "Links",
)
TASK_NOT_ON_FARGATE = ("IpcMode", "PlacementConstraints", "InferenceAccelerators")
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]{1,255}")


@rule(
    "resources.logical-ids", "Every generated logical ID is one CloudFormation accepts", "resources"
)
def logical_ids(built: dict[str, Any], d: Declaration, path: str) -> Iterator[Problem]:
    for logical_id in built:
        if not _LOGICAL_ID.fullmatch(logical_id):
            yield Problem(
                path.rsplit(".", 1)[0],
                f"would generate the logical ID {show(logical_id)}, which CloudFormation does "
                "not accept (letters and digits, at most 255): shorten the names",
            )


@rule(
    "resources.task-definition",
    "Task definitions stay Fargate task definitions after Overrides",
    "resources",
)
def task_definitions(built: dict[str, Any], d: Declaration, path: str) -> Iterator[Problem]:
    tasks = {t.key: t for t in d.tasks}
    for resource in built.values():
        if resource.get("Type") != "AWS::ECS::TaskDefinition":
            continue
        props = resource["Properties"]
        containers = props.get("ContainerDefinitions")
        first = containers[0] if isinstance(containers, list) and containers else {}
        name = first.get("Name") if isinstance(first, dict) else None
        t = tasks.get(name) if isinstance(name, str) else None
        if t is None:
            continue
        at = join_path(path, "Tasks", t.key, "Overrides", "TaskDefinition")
        yield from _task_level(props, at)
        if isinstance(containers, list):
            for index, container in enumerate(containers):
                where = (
                    join_path(path, "Tasks", t.key, "Overrides", "Container")
                    if index == 0
                    else join_path(path, "Tasks", t.key, "Sidecars", index - 1)
                )
                yield from _container(container, where, t)


def _task_level(props: dict[str, Any], at: str) -> Iterator[Problem]:
    cpu, memory = props.get("Cpu"), props.get("Memory")
    if isinstance(cpu, str) and isinstance(memory, str):
        cpu_n, memory_n = fargate.parse_cpu(cpu), fargate.parse_memory(memory)
        if cpu_n is None or memory_n is None:
            yield Problem(at, f"Cpu {show(cpu)} and Memory {show(memory)} are not task sizes")
        elif message := fargate.check_cpu_memory(cpu_n, memory_n):
            yield Problem(
                join_path(at, "Memory" if cpu_n in fargate.FARGATE_MEMORY else "Cpu"), message
            )
    mode = props.get("NetworkMode")
    if isinstance(mode, str) and mode != "awsvpc":
        yield Problem(
            join_path(at, "NetworkMode"), f"{show(mode)}: Fargate tasks use awsvpc networking"
        )
    compatibilities = props.get("RequiresCompatibilities")
    if isinstance(compatibilities, list) and "FARGATE" not in compatibilities:
        yield Problem(
            join_path(at, "RequiresCompatibilities"),
            "must include FARGATE: these tasks run on Fargate",
        )
    for key in TASK_NOT_ON_FARGATE:
        if key in props:
            yield Problem(join_path(at, key), "is not supported by Fargate tasks")


def _container(container: Any, where: str, t: Task) -> Iterator[Problem]:
    if not isinstance(container, dict):
        yield Problem(where, f"{show(container)} is not a container definition (a map)")
        return
    for key in container:
        if key not in CONTAINER_KEYS:
            hint = did_you_mean(str(key), sorted(CONTAINER_KEYS))
            yield Problem(
                join_path(where, key),
                f"is not a property of an ECS container definition in CloudFormation{hint}",
            )
        elif key in NOT_ON_FARGATE:
            yield Problem(join_path(where, key), "is not supported on Fargate")
    if container.get("Privileged") is True:
        yield Problem(join_path(where, "Privileged"), "Fargate does not run privileged containers")
