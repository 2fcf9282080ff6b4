"""Generated logical IDs: a stable contract. Changing one replaces live resources."""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from . import workflow_contract


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


def spot_fallback_permission(d: Declaration) -> str:
    return f"{d.logical_id}SpotFallbackPermission"


def schedule(d: Declaration, t: Task) -> str:
    return f"{d.logical_id}{t.name}Schedule"


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
