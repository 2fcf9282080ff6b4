"""The last step: the typed model from merged tasks whose rules passed.

Defaults come from the field table through the merged view (`TaskInput.get`) and
`fields.values`; decisive flags are resolved here, once (resolve.Flags).
"""

from __future__ import annotations

from ..errors import join_path
from ..intrinsics import is_intrinsic, unique
from . import callers, durations, fargate, fields, grants, images
from .model import (
    Autoscaling,
    Caller,
    Declaration,
    Event,
    Image,
    Network,
    ScheduleConfig,
    ServiceConfig,
    Spot,
    Task,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

    from .merge import DeclarationInput, TaskInput
    from .resolve import Flags

SPOT_STOP_TIMEOUT = 120  # Spot's two-minute warning arrives as SIGTERM (StopTimeout's row)


def task(t: TaskInput, d: DeclarationInput, flags: Flags) -> Task | None:
    image = _image(t, d)
    if image is None:
        return None  # a rule reported why
    cpu_in, memory_in = t.values.get("Cpu"), t.values.get("Memory")
    cpu, memory = fargate.task_size(cpu_in, memory_in, d.parameters, fields.default_size())
    spot = _spot(t, flags)
    sidecars = _list(t.get("Sidecars"))
    schedule = _map(t.get("Schedule"), "Expression") if t.kind == "schedule" else {}
    # Written once (rules/invocations.py): in the Schedule map or on the task.
    retries = schedule.get("Retries", t.get("Retries"))
    queue = schedule.get("DeadLetterQueueArn", t.get("DeadLetterQueueArn"))
    queue_key = schedule.get("DeadLetterQueueKmsKeyArn", t.get("DeadLetterQueueKmsKeyArn"))
    watched = t.kind in ("schedule", "invoked")
    return Task(
        key=t.key,
        name=t.name,
        image=image,
        cpu=cpu_in if is_intrinsic(cpu_in) else str(cpu),
        memory=memory_in if is_intrinsic(memory_in) else str(memory),
        architecture=t.get("Architecture"),
        kind=t.kind,
        command=t.get("Command"),
        entry_point=t.get("EntryPoint"),
        environment=strings(t.get("Environment")),
        secrets=t.get("Secrets"),
        secrets_kms_key_arns=unique(_list(t.get("SecretsKmsKeyArns"))),
        policies=_list(t.get("Policies")),
        task_role_arn=t.get("TaskRoleArn"),
        execution_role_arn=t.get("ExecutionRoleArn"),
        permissions_boundary=t.get("PermissionsBoundary"),
        tags=strings(t.get("Tags")),
        spot=spot,
        stop_timeout=t.get("StopTimeout")
        if t.given("StopTimeout")
        else (SPOT_STOP_TIMEOUT if spot else None),
        ephemeral_storage=t.get("EphemeralStorage"),
        readonly_root_filesystem=t.get("ReadonlyRootFilesystem"),
        port_mappings=[_port(p) for p in _list(t.get("PortMappings"))],
        health_check=t.get("HealthCheck"),
        sidecars=sidecars,
        depends_on=unique(_list(t.get("DependsOn"))),
        network=network(t.get("Network"), d),
        timeout=_timeout(t.get("Timeout")),
        service=_service(t, flags) if t.kind == "service" else None,
        schedule=ScheduleConfig(
            **fields.values(fields.SCHEDULE, schedule)
            | {
                "retries": retries,
                "dead_letter_queue_arn": queue,
                "dead_letter_queue_kms_key_arn": queue_key,
            }
        )
        if t.kind == "schedule"
        else None,
        events=tuple(_events(t, queue)) if watched else (),
        callers=tuple(_callers(t, d)) if watched else (),
        retries=retries if watched else fields.TASK["Retries"].default,
        dead_letter_queue_arn=queue if watched else None,
        dead_letter_queue_kms_key_arn=queue_key if watched else None,
        overrides=t.get("Overrides"),
        volumes=_volumes(t, flags),
        secret_grants=_secret_grants(t, d, sidecars),
        sidecar_repositories=tuple(
            grants.repository_arns(
                [s.get("Image") for s in sidecars if isinstance(s, dict)], d.parameters
            )
        ),
    )


def _events(t: TaskInput, queue: Any) -> list[Event]:
    out = []
    for name, event in _map(t.get("Events")).items():
        given = _map(event.get("Properties"))
        config = fields.values(fields.EVENT_BRIDGE_RULE, given)
        dead_letter = _map(config.pop("dead_letter_config")).get("Arn", queue)
        out.append(Event(name=name, **config, dead_letter_queue_arn=dead_letter))
    return out


def _callers(t: TaskInput, d: DeclarationInput) -> list[Caller]:
    out = []
    for logical_id in dict.fromkeys(_list(t.get("Callers"))):
        function = d.resources[logical_id]  # rules/invocations.py checked it is a function
        role = None if callers.uses_policies(function) else callers.role_name(function, d.resources)
        out.append(Caller(logical_id=logical_id, role=role))
    return out


def _timeout(value: Any) -> Any:
    """Seconds as an int; an intrinsic as written (rules/timeouts.py checked the range)."""
    if value is None or is_intrinsic(value):
        return value
    return durations.seconds(value)


def declaration(
    d: DeclarationInput, tasks: list[Task], resource: dict[str, Any], flags: Flags
) -> Declaration:
    props = d.properties
    return Declaration(
        logical_id=d.logical_id,
        tasks=tuple(tasks),
        cluster=props.get("Cluster"),
        cluster_is_arn=cluster_is_arn(props.get("Cluster"), d.parameters),
        cluster_name=props.get("ClusterName"),
        container_insights=_insights(d),
        log_group_name=props.get("LogGroupName"),
        log_retention_in_days=props.get(
            "LogRetentionInDays", fields.DECLARATION_ONLY["LogRetentionInDays"].default
        ),
        log_kms_key_arn=props.get("LogKmsKeyArn"),
        retain_log_group=flags.flag(
            props.get("RetainLogGroup"),
            join_path(d.path, "RetainLogGroup"),
            fields.DECLARATION_ONLY["RetainLogGroup"].default,
        ),
        permissions_boundary=_shared_boundary(d, tasks),
        tags=strings({**_map(d.inherited.get("Tags")), **_map(props.get("Tags"))}),
        outputs=flags.flag(
            props.get("Outputs"),
            join_path(d.path, "Outputs"),
            fields.DECLARATION_ONLY["Outputs"].default,
        ),
        condition=resource.get("Condition"),
        depends_on=_list(resource.get("DependsOn")),
    )


def network(value: Any, d: DeclarationInput) -> Network:
    """A task's network: its own or the declaration's map (whole, never key by key), else SAM
    Globals' VpcConfig, else the default VPC."""
    given = _map(value)
    subnets, groups = given.get("Subnets"), given.get("SecurityGroups")
    vpc = d.inherited.get("VpcConfig")
    if value is None and isinstance(vpc, dict):
        subnets, groups = vpc.get("SubnetIds"), vpc.get("SecurityGroupIds")
    # Tasks in the default VPC need a public IP to pull images without a NAT gateway.
    public = given.get("AssignPublicIp", subnets is None)
    return Network(subnets=subnets, security_groups=groups, assign_public_ip=public)


def _image(t: TaskInput, d: DeclarationInput) -> Image | None:
    value = t.get("Image")
    if isinstance(value, dict) and "Function" in value:
        resource = d.resources.get(value["Function"])
        found = (
            images.function_image(resource, value["Function"])
            if isinstance(resource, dict)
            else None
        )
        if found is None or (isinstance(found[0], dict) and not is_intrinsic(found[0])):
            return None
        return images.classify(found[0], d.parameters)
    if isinstance(value, dict) and "Repository" in value:
        tag = value.get("Tag", fields.REPOSITORY["Tag"].default)
        return images.from_repository(value["Repository"], tag)
    if isinstance(value, str) or is_intrinsic(value):
        return images.classify(value, d.parameters)
    return None


def _spot(t: TaskInput, flags: Flags) -> Spot | None:
    value = t.get("Spot")
    if t.kind == "standalone" or value is None or value is False:
        return None
    config = fields.values(fields.SPOT, value if isinstance(value, dict) else {})
    for name in ("Fallback", "RerunOnInterruption"):
        key = fields.attribute(fields.SPOT[name])
        config[key] = flags.flag(
            config[key], join_path(t.where("Spot"), name), fields.SPOT[name].default
        )
    return Spot(**config)


def _service(t: TaskInput, flags: Flags) -> ServiceConfig:
    given = _map(t.get("Service"))
    config = fields.values(fields.SERVICE, given)
    config["enable_execute_command"] = flags.flag(
        config["enable_execute_command"],
        join_path(t.where("Service"), "EnableExecuteCommand"),
        fields.SERVICE["EnableExecuteCommand"].default,
    )
    scaling = given.get("Autoscaling")
    if isinstance(scaling, dict):
        values = fields.values(fields.AUTOSCALING, scaling)
        queue = fields.values(fields.QUEUE, _map(scaling.get("Queue")))
        del values["queue"]
        config["autoscaling"] = Autoscaling(**values, **queue)
    return ServiceConfig(**config)


def _volumes(t: TaskInput, flags: Flags) -> dict[str, dict[str, Any]]:
    out = {}
    for name, volume in _map(t.get("Volumes")).items():
        read_only = flags.flag(
            volume.get("ReadOnly"),
            join_path(t.where("Volumes"), name, "ReadOnly"),
            fields.VOLUME["ReadOnly"].default,
        )
        out[name] = {**volume, "ReadOnly": read_only}
    return out


def _secret_grants(
    t: TaskInput, d: DeclarationInput, sidecars: list[Any]
) -> tuple[tuple[str, Any], ...]:
    values = list(_map(t.get("Secrets")).values())
    for sidecar in sidecars:
        if isinstance(sidecar, dict):
            values += [
                s.get("ValueFrom") for s in _list(sidecar.get("Secrets")) if isinstance(s, dict)
            ]
    return tuple(grants.secret_grant(v, d.resources, d.parameters) for v in values if v is not None)


def _insights(d: DeclarationInput) -> str | None:
    """Container Insights; queue-based scaling needs its RunningTaskCount metric."""
    value = d.properties.get("ContainerInsights")
    if isinstance(value, bool):
        value = "enabled" if value else "disabled"
    queued = any(
        isinstance(s := t.get("Service"), dict)
        and isinstance(s.get("Autoscaling"), dict)
        and s["Autoscaling"].get("Queue") is not None
        for t in d.tasks
        if t.kind == "service"
    )
    if queued and "Cluster" not in d.properties:
        return value or "enabled"
    return value


def _shared_boundary(d: DeclarationInput, tasks: list[Task]) -> Any:
    """The boundary for roles all tasks share (execution role, schedule role)."""
    if "PermissionsBoundary" in d.properties:
        return d.properties["PermissionsBoundary"]
    if "PermissionsBoundary" in d.inherited:
        return d.inherited["PermissionsBoundary"]
    bounds = {repr(t.permissions_boundary): t.permissions_boundary for t in tasks}
    return next(iter(bounds.values()), None) if len(bounds) == 1 else None


def cluster_is_arn(value: Any, parameters: dict[str, Any]) -> bool:
    """An existing cluster evaluates to its ARN: a literal ARN, Fn::GetAtt X.Arn, or a Ref to a
    parameter whose value is an ARN. Any other intrinsic is taken as the cluster's name."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.startswith("arn:")
    target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(target, str):
        target = target.split(".", 1)
    if isinstance(target, list) and len(target) == 2 and target[1] == "Arn":
        return True
    name = value.get("Ref") if isinstance(value, dict) else None
    parameter = parameters.get(name) if isinstance(name, str) else None
    return isinstance(parameter, str) and parameter.startswith("arn:")


def _port(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            "ContainerPort": value.get("ContainerPort"),
            "Protocol": value.get("Protocol", fields.PORT["Protocol"].default),
        }
    return {"ContainerPort": value, "Protocol": fields.PORT["Protocol"].default}


def strings(values: Any) -> dict[str, Any]:
    """Environment and tag values as strings: 5 → "5", true → "true"; intrinsics kept."""
    out = {}
    for key, value in _map(values).items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (int, float)):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def _map(value: Any, key: str | None = None) -> dict[str, Any]:
    """A map as given; a scalar stands for `{key: value}` where the shape allows one."""
    if isinstance(value, dict) and not (key and is_intrinsic(value)):
        return value
    return {key: value} if key and value is not None else {}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
