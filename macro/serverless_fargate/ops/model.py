"""A deployed stack as the day-two commands see it: its tasks, found from the stack's name.

CloudFormation gives the processed template (each generated task definition carries
`Metadata.ServerlessFargate`: declaration, task key, kind), the physical IDs and the outputs
(log group, network: see docs/reference.md). Generated logical IDs come from the macro's own
`resources/names.py`, so the two never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from ..resources import logs, names
from ..resources import workflow_contract as contract
from ..resources.names import pascal_case
from ..settings import METADATA_KEY
from .aws import Aws
from .errors import NOT_FOUND, STACK_PROBLEM, USAGE, OpsError


@dataclass
class _Ids:
    """The two names `resources/names.py` reads from a declaration and a task."""

    logical_id: str
    name: str = ""


@dataclass
class Task:
    stack: str
    declaration: str
    key: str
    kind: str  # service, schedule, invoked or standalone
    task_definition: str  # ARN
    cluster: str | None
    log_group: str | None
    service: str | None = None  # physical IDs (an ECS service's is its ARN)
    fallback_service: str | None = None
    schedule: str | None = None  # the schedule's name
    schedule_group: str = "default"
    schedule_logical_id: str = ""
    workflow: str | None = None  # ARN
    network: dict[str, Any] | None = None  # awsvpcConfiguration, from the outputs
    label: str = ""  # how commands name it: the key, or <declaration>/<key> when that is needed
    # The schedule's properties as deployed (the processed template, parameters resolved);
    # a value CloudFormation computed (another intrinsic function) is left out.
    schedule_properties: dict[str, Any] = field(default_factory=dict)
    logical_id: str = ""  # the task definition's
    workflow_logical_id: str = ""
    # The settings the workflow runs this task with, from the deployed template's definition
    # (workflow_contract); {} when not there: then lookups.workflow_settings asks AWS.
    settings: dict[str, Any] = field(default_factory=dict)
    # The containers' names (the main one first), from the template; [] when computed.
    containers: list[str] = field(default_factory=list)

    @property
    def stream_prefix(self) -> str:
        """The main container's streams: <key>/<key>/<ECS task ID>."""
        return stream_prefixes(self, [self.key])[0]

    @property
    def family(self) -> str:
        return family(self.task_definition)


@dataclass
class Stack:
    name: str
    region: str
    tasks: list[Task]

    def task(self, key: str) -> Task:
        """The task named `key`, or `<declaration>/<key>` (two declarations may share a key)."""
        found = [t for t in self.tasks if key in (t.key, f"{t.declaration}/{t.key}")]
        if len(found) == 1:
            return found[0]
        if found:
            raise OpsError(
                f"stack {self.name!r} has task {key!r} in several declarations: "
                f"{', '.join(t.declaration + '/' + t.key for t in found)}. Name one of these.",
                USAGE,
            )
        known = ", ".join(t.label for t in self.tasks)
        raise OpsError(
            f"stack {self.name!r} has no task {key!r}; its tasks are: {known}. "
            "Use one of these keys (as written under Tasks:).",
            NOT_FOUND,
        )


def stream_prefixes(task: Task, container_names: list[str]) -> list[str]:
    """Stream-name prefixes of a task's containers, each followed by the ECS task ID."""
    return [f"{logs.stream_prefix(task.key, name)}/{name}/" for name in container_names]


def family(task_definition_arn: str) -> str:
    """arn:...:task-definition/<family>:<revision> → <family>."""
    return task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def load(aws: Aws, stack_name: str) -> Stack:
    """The stack's tasks, or an OpsError saying why there are none."""
    from botocore.exceptions import ClientError

    region = aws.region
    cloudformation = aws("cloudformation")
    try:
        described = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            raise OpsError(
                f"stack {stack_name!r} does not exist in {region}. Check the name "
                "(`aws cloudformation list-stacks`) and --region/--profile.",
                NOT_FOUND,
            ) from None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    parameters = {
        p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue"))
        for p in described.get("Parameters", [])
    }
    body = cloudformation.get_template(StackName=stack_name, TemplateStage="Processed")[
        "TemplateBody"
    ]
    template = body if isinstance(body, dict) else _parse(body)
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId")
        for r in cloudformation.pages(
            "list_stack_resources", "StackResourceSummaries", StackName=stack_name
        )
    }
    resources = template.get("Resources") or {}
    tasks = [
        _task(stack_name, logical_id, resource[METADATA_KEY], physical, outputs)
        for logical_id, resource in _generated(template)
        if physical.get(logical_id)
    ]
    several = len({t.declaration for t in tasks}) > 1
    for t in tasks:
        t.label = f"{t.declaration}/{t.key}" if several else t.key
        t.containers = _containers(resources.get(t.logical_id) or {}, t.key)
        if t.workflow:
            t.settings = _settings(resources.get(t.workflow_logical_id) or {}, t.key)
        schedule = resources.get(t.schedule_logical_id) if t.schedule else None
        if isinstance(schedule, dict):
            t.schedule_properties = _literal(schedule.get("Properties") or {}, parameters)
    if not tasks:
        raise OpsError(
            f"stack {stack_name!r} has no Fargate::Tasks: none of its task definitions was "
            f"generated by ServerlessFargate (Metadata.{METADATA_KEY}). Name the stack whose "
            "template has `Transform: ServerlessFargate`; stacks deployed before version 0.2 "
            "need one more deploy.",
            STACK_PROBLEM,
        )
    return Stack(stack_name, region, tasks)


def _literal(properties: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """The top-level string properties as deployed: literals, and Refs to the stack's
    parameters with the values it was deployed with."""
    found: dict[str, Any] = {}
    for key, value in properties.items():
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
            value = parameters[value["Ref"]]
        if isinstance(value, str):
            found[key] = value
    return found


def _containers(resource: dict[str, Any], key: str) -> list[str]:
    definitions = (resource.get("Properties") or {}).get("ContainerDefinitions") or []
    found: list[Any] = [c.get("Name") for c in definitions if isinstance(c, dict)]
    if not found or not all(isinstance(name, str) for name in found):
        return []
    return sorted(found, key=lambda name: name != key)


def _settings(resource: dict[str, Any], key: str) -> dict[str, Any]:
    definition = (resource.get("Properties") or {}).get("Definition")
    if not isinstance(definition, dict):
        return {}
    return contract.task_settings(definition).get(key) or {}


def _parse(body: str) -> dict[str, Any]:
    try:
        return cast(dict[str, Any], json.loads(body))
    except ValueError:
        from .. import cfn_yaml

        return cast(dict[str, Any], cfn_yaml.load(body))


def _generated(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        if (
            resource.get("Type") == "AWS::ECS::TaskDefinition"
            and isinstance(metadata, dict)
            and isinstance(metadata.get(METADATA_KEY), dict)
        ):
            found.append((logical_id, metadata))
    return found


def _task(
    stack: str,
    logical_id: str,
    meta: dict[str, Any],
    physical: dict[str, str | None],
    outputs: dict[str, str],
) -> Task:
    d = cast(Any, _Ids(meta["Declaration"]))
    t = cast(Any, _Ids(meta["Declaration"], pascal_case(meta["Task"])))
    task = Task(
        stack=stack,
        declaration=d.logical_id,
        key=meta["Task"],
        kind=meta["Kind"],
        task_definition=cast(str, physical[logical_id]),
        logical_id=logical_id,
        cluster=outputs.get(names.cluster_output(d)) or physical.get(names.cluster(d)),
        log_group=physical.get(names.log_group(d)),
        service=physical.get(names.service(d, t)),
        fallback_service=physical.get(names.fallback_service(d, t)),
        schedule=physical.get(names.schedule(d, t)),
        schedule_logical_id=names.schedule(d, t),
        workflow=physical.get(names.workflow(d, t)),
        workflow_logical_id=names.workflow(d, t),
    )
    if task.cluster is None and task.service and task.service.count("/") == 2:
        task.cluster = task.service.split("/")[1]  # arn:...:service/<cluster>/<service>
    schedule_arn = outputs.get(names.schedule_output(d, t), "")
    if schedule_arn.count("/") == 2:  # arn:...:schedule/<group>/<name>
        task.schedule_group = schedule_arn.split("/")[1]
    for scope in (t, None):
        subnets = outputs.get(names.subnets_output(d, scope))
        if subnets:
            config: dict[str, Any] = {
                "subnets": subnets.split(","),
                "assignPublicIp": outputs.get(names.assign_public_ip_output(d, scope), "DISABLED"),
            }
            groups = outputs.get(names.security_groups_output(d, scope))
            if groups:
                config["securityGroups"] = groups.split(",")
            task.network = config
            break
    return task
