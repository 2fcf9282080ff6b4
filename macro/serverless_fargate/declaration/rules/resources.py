"""Checks of what is generated, after Overrides: an override is the escape hatch, not a way
around Fargate's limits or CloudFormation's names."""

from __future__ import annotations

import re

from ...errors import Problem, join_path
from ...intrinsics import is_intrinsic
from ...settings import METADATA_KEY
from .. import fargate
from ..messages import did_you_mean, show
from . import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..model import Declaration

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
# Fargate"). A set: every key of every container is looked up in it.
NOT_ON_FARGATE = frozenset(
    [
        "DisableNetworking",
        "DnsSearchDomains",
        "DnsServers",
        "DockerSecurityOptions",
        "ExtraHosts",
        "Hostname",
        "Links",
    ]
)
TASK_NOT_ON_FARGATE = ("IpcMode", "PlacementConstraints", "InferenceAccelerators")
VOLUME_NOT_ON_FARGATE = ("DockerVolumeConfiguration",)
# KernelCapabilities.Add: "Tasks launched on AWS Fargate only support adding the SYS_PTRACE
# kernel capability" (ECS API reference, KernelCapabilities); LinuxParameters that Fargate
# refuses (ECS task definition parameters, "Linux parameters").
FARGATE_CAPABILITY = "SYS_PTRACE"
LINUX_NOT_ON_FARGATE = ("Devices", "MaxSwap", "SharedMemorySize", "Swappiness", "Tmpfs")
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
# Placement is EC2's ("Task placement ... not supported for tasks using Fargate").
SERVICE_NOT_ON_FARGATE = ("PlacementConstraints", "PlacementStrategies")
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
    "Task definitions stay Fargate task definitions after Overrides, every container checked",
    "resources",
)
def task_definitions(built: dict[str, Any], d: Declaration, path: str) -> Iterator[Problem]:
    tasks = {t.key: t for t in d.tasks}
    for resource in built.values():
        if resource.get("Type") != "AWS::ECS::TaskDefinition":
            continue
        # The builder's own mark says which task it is for; Overrides cannot change Metadata.
        t = tasks.get(resource.get("Metadata", {}).get(METADATA_KEY, {}).get("Task"))
        if t is None or not changed_by_the_user(t):
            continue
        props = resource["Properties"]
        at = (path, "Tasks", t.key, "Overrides", "TaskDefinition")  # parts, as below
        yield from _task_level(props, *at)
        containers = props.get("ContainerDefinitions")
        replaced = "ContainerDefinitions" in t.overrides.get("TaskDefinition", {})
        if not isinstance(containers, list):
            yield Problem(
                join_path(*at, "ContainerDefinitions"),
                f"{show(containers)} cannot be checked before deploy: write the list of "
                "container definitions out",
            )
            continue
        for index, container in enumerate(containers):
            if replaced:
                where: tuple[Any, ...] = (*at, "ContainerDefinitions", index)
            elif index == 0:
                where = (path, "Tasks", t.key, "Overrides", "Container")
            else:
                where = (path, "Tasks", t.key, "Sidecars", index - 1)
            yield from _container(container, *where)


def changed_by_the_user(t: Any) -> bool:
    """Whether a task's definition holds more than the builder writes from the checked model:
    an Overrides section that changes it, or sidecars (containers as written). Without either,
    the checks below find nothing (tests/test_rules.py checks every example and generated
    declarations), and they are the costliest of the build."""
    overrides = t.overrides if isinstance(t.overrides, dict) else {}
    return bool(t.sidecars) or "TaskDefinition" in overrides or "Container" in overrides


# The checks below take the path of the value they check as its parts (`*at`, for join_path),
# spelled out only for a problem: most values they look at are fine. `_undecided` and `_one_of`
# return their problem (or None) rather than yield it: they run several times per task
# definition, and a generator each time cost more than the checks.


def _undecided(value: Any, what: str, *at: Any) -> Problem | None:
    """An intrinsic where the value decides whether Fargate (and this check) accepts it."""
    if is_intrinsic(value):
        return Problem(
            join_path(*at),
            f"{show(value)} cannot be checked before deploy: {what}; write the value out",
        )
    return None


def _one_of(value: Any, allowed: tuple[str, ...], why: str, *at: Any) -> Problem | None:
    """`value`, when given, is one of `allowed`; an intrinsic cannot be checked, so it is not.
    (An intrinsic is a map, never a string: at most one problem.)"""
    if isinstance(value, str):
        return None if value in allowed else Problem(join_path(*at), f"{show(value)}: {why}")
    return _undecided(value, why, *at)


def _task_level(props: dict[str, Any], *at: Any) -> Iterator[Problem]:
    cpu, memory = props.get("Cpu"), props.get("Memory")
    if isinstance(cpu, str) and isinstance(memory, str):
        cpu_n, memory_n = fargate.parse_cpu(cpu), fargate.parse_memory(memory)
        if cpu_n is None or memory_n is None:
            yield Problem(
                join_path(*at), f"Cpu {show(cpu)} and Memory {show(memory)} are not task sizes"
            )
        elif message := fargate.check_cpu_memory(cpu_n, memory_n):
            yield Problem(
                join_path(*at, "Memory" if cpu_n in fargate.FARGATE_MEMORY else "Cpu"), message
            )
    if problem := _one_of(
        props.get("NetworkMode"),
        ("awsvpc",),
        "Fargate tasks use awsvpc networking (no host or bridge network)",
        *at,
        "NetworkMode",
    ):
        yield problem
    if problem := _one_of(
        props.get("PidMode"),
        ("task",),
        "Fargate tasks share no host process namespace (only 'task')",
        *at,
        "PidMode",
    ):
        yield problem
    compatibilities = props.get("RequiresCompatibilities")
    if problem := _undecided(
        compatibilities, "these tasks run on Fargate only", *at, "RequiresCompatibilities"
    ):
        yield problem
    elif compatibilities != ["FARGATE"]:
        # The workflow, the capacity providers and these checks are Fargate's: a task
        # definition also valid on EC2 could be run there, with what Fargate refuses.
        yield Problem(
            join_path(*at, "RequiresCompatibilities"),
            f"{show(compatibilities)}: must be exactly [FARGATE]: these tasks run on Fargate",
        )
    for key in TASK_NOT_ON_FARGATE:
        if key in props:
            yield Problem(join_path(*at, key), "is not supported by Fargate tasks")
    volumes = props.get("Volumes")
    if problem := _undecided(volumes, "Fargate mounts no host path", *at, "Volumes"):
        yield problem
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        where = join_path(*at, "Volumes", index)
        if problem := _undecided(volume, "Fargate mounts no host path", where):
            yield problem
        if not isinstance(volume, dict) or is_intrinsic(volume):
            continue
        host = volume.get("Host")
        if isinstance(host, dict) and host.get("SourcePath") is not None:
            yield Problem(
                join_path(where, "Host", "SourcePath"),
                f"{show(host['SourcePath'])}: Fargate mounts no host path (a Host volume "
                "without SourcePath is task storage)",
            )
        elif (
            host is not None
            and not isinstance(host, dict)
            and (problem := _undecided(host, "Fargate mounts no host path", where, "Host"))
        ):
            yield problem
        for key in VOLUME_NOT_ON_FARGATE:
            if key in volume:
                yield Problem(join_path(where, key), "is not supported by Fargate tasks")


def _container(container: Any, *where: Any) -> Iterator[Problem]:
    if not isinstance(container, dict):
        yield Problem(join_path(*where), f"{show(container)} is not a container definition (a map)")
        return
    for key in container:
        if key not in CONTAINER_KEYS:
            hint = did_you_mean(str(key), sorted(CONTAINER_KEYS))
            yield Problem(
                join_path(*where, key),
                f"is not a property of an ECS container definition in CloudFormation{hint}",
            )
        elif key in NOT_ON_FARGATE:
            yield Problem(join_path(*where, key), "is not supported on Fargate")
    privileged = container.get("Privileged")
    if problem := _undecided(
        privileged, "Fargate runs no privileged container", *where, "Privileged"
    ):
        yield problem
    if privileged is True or (isinstance(privileged, str) and privileged.lower() != "false"):
        yield Problem(join_path(*where, "Privileged"), "Fargate does not run privileged containers")
    linux = container.get("LinuxParameters")
    if linux is not None:
        yield from _linux(linux, join_path(*where, "LinuxParameters"))


def _linux(linux: Any, at: str) -> Iterator[Problem]:
    why = "Fargate adds no kernel capability but SYS_PTRACE"
    if problem := _undecided(linux, why, at):
        yield problem
    if not isinstance(linux, dict) or is_intrinsic(linux):
        return
    for key in LINUX_NOT_ON_FARGATE:
        if key in linux:
            yield Problem(join_path(at, key), "is not supported on Fargate")
    capabilities = linux.get("Capabilities")
    where = join_path(at, "Capabilities")
    if problem := _undecided(capabilities, why, where):
        yield problem
    added = capabilities.get("Add") if isinstance(capabilities, dict) else None
    if problem := _undecided(added, why, where, "Add"):
        yield problem
    for index, capability in enumerate(added if isinstance(added, list) else []):
        if capability == FARGATE_CAPABILITY:
            continue
        yield Problem(
            join_path(where, "Add", index),
            f"{show(capability)}: Fargate tasks may add only the {FARGATE_CAPABILITY} kernel "
            "capability",
        )


@rule(
    "resources.service",
    "Services stay Fargate services after Overrides: capacity providers, no launch type or role",
    "resources",
)
def services(built: dict[str, Any], d: Declaration, path: str) -> Iterator[Problem]:
    # A service is its task's: its TaskDefinition is a Ref to the task's (Overrides may not
    # change that, rules/overrides.py), whose Metadata names the task.
    for resource in built.values():
        if resource.get("Type") != "AWS::ECS::Service":
            continue
        props = resource["Properties"]
        definition = props.get("TaskDefinition")
        name = definition.get("Ref") if isinstance(definition, dict) else None
        target = built.get(name) if isinstance(name, str) else None
        key = (target or {}).get("Metadata", {}).get(METADATA_KEY, {}).get("Task")
        # The path as parts, spelled out only for a problem (as for task definitions).
        at = (
            (path, "Tasks", key, "Overrides", "Service")
            if isinstance(key, str)
            else (path, "Tasks")
        )
        launch = props.get("LaunchType")
        strategy = props.get("CapacityProviderStrategy")
        if problem := _one_of(
            launch, ("FARGATE",), "these tasks run on Fargate", *at, "LaunchType"
        ):
            yield problem
        if launch == "FARGATE" and strategy:
            yield Problem(
                join_path(*at, "LaunchType"),
                "ECS takes a LaunchType or a CapacityProviderStrategy, not both: the "
                "transform sets the strategy (FARGATE, FARGATE_SPOT)",
            )
        if problem := _undecided(
            strategy, "these tasks run on Fargate", *at, "CapacityProviderStrategy"
        ):
            yield problem
        for index, item in enumerate(strategy if isinstance(strategy, list) else []):
            provider = item.get("CapacityProvider") if isinstance(item, dict) else item
            if problem := _one_of(
                provider,
                FARGATE_PROVIDERS,
                "these tasks run on Fargate (FARGATE or FARGATE_SPOT)",
                *at,
                "CapacityProviderStrategy",
                index,
                "CapacityProvider",
            ):
                yield problem
        if "Role" in props:
            yield Problem(
                join_path(*at, "Role"),
                "services on awsvpc networking use ECS's service-linked role: a service Role "
                "is refused (a role no grant of this stack describes)",
            )
        for key in SERVICE_NOT_ON_FARGATE:
            if key in props:
                yield Problem(join_path(*at, key), "is not supported by Fargate services")
