"""Generated logical IDs: a stable contract. Changing one replaces live resources."""

from __future__ import annotations

import re

from . import workflow_contract

TYPE_CHECKING = False
if TYPE_CHECKING:  # the model is only named in annotations: parsing imports this module
    from typing import Any

    from ..declaration.model import Declaration, Task


_SEPARATOR = re.compile(r"[-_]")  # compiled once: pascal_case runs for every task


def pascal_case(key: str) -> str:
    """A task key as it appears in logical IDs: queue-worker → QueueWorker, nightly_report →
    NightlyReport (the rest of each part kept)."""
    return "".join([part[:1].upper() + part[1:] for part in _SEPARATOR.split(key) if part])


def cluster(d: Declaration) -> str:
    return f"{d.logical_id}Cluster"


def log_group(d: Declaration) -> str:
    return f"{d.logical_id}LogGroup"


def execution_role(d: Declaration) -> str:
    return f"{d.logical_id}ExecutionRole"


def schedule_role(d: Declaration) -> str:
    return f"{d.logical_id}ScheduleRole"


def workflow(d: Declaration, t: Task) -> str:
    return workflow_contract.workflow_logical_id(d.logical_id, t.name)


def recovery(d: Declaration) -> str:
    return workflow_contract.recovery_logical_id(d.logical_id)


def state_machine_name(logical_id: str) -> Any:
    """A state machine's name, known before it exists so that its role's trust can name its
    exact ARN (a Ref would be a cycle: the state machine names the role). Unique per stack and
    region: the logical ID and the stack ID's GUID; at most 80 characters, Step Functions'
    limit (a long logical ID is shortened and keeps a digest of the rest)."""
    head = logical_id
    if len(head) > _NAME_HEAD:
        import hashlib  # only long names need it

        head = head[: _NAME_HEAD - 9] + hashlib.sha256(logical_id.encode()).hexdigest()[:8]
    stack_guid = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    return {"Fn::Join": ["-", [head, stack_guid]]}


# 80 (Step Functions' name limit) - 36 (a GUID) - 1 (the hyphen).
_NAME_HEAD = 43


def workflow_role(d: Declaration) -> str:
    return f"{d.logical_id}WorkflowRole"


def task_role(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}TaskRole"


def task_definition(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}TaskDefinition"


def service(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}Service"


def fallback_service(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}FallbackService"


def spot_fallback_rule(d: Declaration) -> str:
    return f"{d.logical_id}SpotFallbackRule"


def spot_fallback_rule_role(d: Declaration) -> str:
    return f"{d.logical_id}SpotFallbackRuleRole"


def spot_fallback_check(d: Declaration) -> str:
    return f"{d.logical_id}SpotFallbackCheck"


def spot_fallback(d: Declaration) -> str:
    return f"{d.logical_id}SpotFallback"


def spot_fallback_role(d: Declaration) -> str:
    return f"{d.logical_id}SpotFallbackRole"


def schedule(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}Schedule"


# Runs started by events and callers.
def event_rule(d: Declaration, t: Task, event: str) -> str:
    return f"{d.logical_id}{t.name}{event}Rule"


def events_role(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}EventsRole"


def caller_policy(d: Declaration, function: str) -> str:
    return f"{d.logical_id}{function}CallerPolicy"


# Deploy-time lookups and the default network (documented in docs/reference.md).
def image_digests(d: Declaration, part: int = 1) -> str:
    """The first lookup keeps the unnumbered name; more follow for large declarations."""
    return f"{d.logical_id}ImageDigests" + (str(part) if part > 1 else "")


def capacity_providers(d: Declaration) -> str:
    return f"{d.logical_id}CapacityProviders"


def default_network(d: Declaration) -> str:
    return f"{d.logical_id}DefaultNetwork"


def security_group(d: Declaration) -> str:
    return f"{d.logical_id}SecurityGroup"


# Service extras.
def scalable_target(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}ScalableTarget"


def scaling_policy(d: Declaration, t: Task, metric: str) -> str:
    return f"{d.logical_id}{t.name}{metric}ScalingPolicy"


def queue_alarm(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}QueueAlarm"


# Outputs.
def cluster_output(d: Declaration) -> str:
    return f"{d.logical_id}ClusterArn"


def task_definition_output(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}TaskDefinitionArn"


def service_output(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}ServiceArn"


def schedule_output(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}ScheduleArn"


def workflow_output(d: Declaration, t: Task) -> str:
    return workflow_contract.workflow_output(d.logical_id, t.name)


def log_group_output(d: Declaration) -> str:
    return f"{d.logical_id}LogGroupName"


# The network: once per declaration when every task shares it, else per task (t given).
def subnets_output(d: Declaration, t: Task | None = None) -> str:
    return f"{d.logical_id}{t.name if t else ''}Subnets"


def security_groups_output(d: Declaration, t: Task | None = None) -> str:
    return f"{d.logical_id}{t.name if t else ''}SecurityGroups"


def assign_public_ip_output(d: Declaration, t: Task | None = None) -> str:
    return f"{d.logical_id}{t.name if t else ''}AssignPublicIp"
