"""The typed declaration model: what parse produces and every builder reads.

Values that CloudFormation resolves at deploy time (intrinsics) are kept as written. Records
(see record.py) are immutable; defaults that are maps or lists are never mutated.
"""

from __future__ import annotations

from ..record import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs the cold start 5 ms; annotations are strings anyway
    from typing import Any, Literal

    Value = Any  # a literal or an intrinsic function, as CloudFormation accepts it
    # "invoked": started by Events or Callers only (a task with a Schedule is "schedule").
    Kind = Literal["service", "schedule", "invoked", "standalone"]

# Kinds whose runs the task's workflow starts and watches to their end.
WATCHED_KINDS = ("schedule", "invoked")


@record
class Image:
    """`uri` is used as written unless `resolve` asks the deploy-time digest lookup for it."""

    uri: Value
    resolve: bool
    ecr_repository_arn: Value | None  # what the execution role may pull; None outside ECR


@record
class Spot:
    on_demand_base: Value
    on_demand_weight: Value
    spot_weight: Value
    fallback: bool  # resolved at transform time (it decides the fallback twin)
    rerun_on_interruption: bool  # resolved at transform time


@record
class Autoscaling:
    max_count: Value
    min_count: Value
    cpu_target: Value | None
    memory_target: Value | None
    queue_arn: Value | None
    messages_per_task: Value


@record
class ServiceConfig:
    desired_count: Value
    minimum_healthy_percent: Value
    maximum_percent: Value
    circuit_breaker: Value
    enable_execute_command: bool  # resolved at transform time (it decides the ssmmessages grant)
    health_check_grace_period_seconds: Value | None
    autoscaling: Autoscaling | None


@record
class ScheduleConfig:
    expression: Value
    timezone: Value
    enabled: Value
    flexible_window_minutes: Value | None
    retries: Value
    max_event_age_seconds: Value | None
    dead_letter_queue_arn: Value | None
    dead_letter_queue_kms_key_arn: Value | None  # the key of dead_letter_queue_arn (SSE-KMS)
    task_count: Value


@record
class Event:
    """One `Events` entry: an EventBridge rule whose every match starts one watched run."""

    name: str  # as written; part of the rule's logical ID
    pattern: dict[str, Any]
    event_bus_name: Value | None
    input_path: str | None  # None: the whole event is the input
    retry_policy: dict[str, Value] | None
    dead_letter_queue_arn: Value | None  # the rule's own, else the task's


@record
class Caller:
    """A function of the template that may start runs of a task (`Callers`)."""

    logical_id: str
    # Where its grant goes: the SAM function's own Policies, or (None) a generated
    # AWS::IAM::Policy attached to `role`, the function's execution role by name.
    role: Value | None


@record
class Network:
    subnets: Value | None  # None: the default VPC, looked up at deploy time
    security_groups: Value | None  # None with default VPC: the transform creates one
    assign_public_ip: Value


@record
class Task:
    """One task, every field filled: the defaults come from the field table (fields.py)."""

    key: str  # as written; also the main container's name
    name: str  # PascalCase, used in logical IDs
    image: Image
    cpu: Value  # emitted as CloudFormation wants it: a digit string or an intrinsic
    memory: Value
    architecture: Value
    kind: Kind
    command: Value | None
    entry_point: Value | None
    environment: dict[str, Value]
    secrets: dict[str, Value]
    secrets_kms_key_arns: list[Value]
    policies: list[Value]
    task_role_arn: Value | None
    execution_role_arn: Value | None
    permissions_boundary: Value | None
    tags: dict[str, Value]
    spot: Spot | None
    stop_timeout: Value | None
    ephemeral_storage: Value | None
    readonly_root_filesystem: Value
    port_mappings: list[dict[str, Value]]
    health_check: dict[str, Value] | None
    sidecars: list[dict[str, Any]]
    depends_on: list[str]
    network: Network
    timeout: Value | None  # seconds (an int), or an intrinsic that resolves to seconds
    service: ServiceConfig | None
    schedule: ScheduleConfig | None
    events: tuple[Event, ...]
    callers: tuple[Caller, ...]
    # Every watched run of the task (schedule, events, callers): the Schedule map's values
    # when written there, else the task's own.
    retries: Value
    dead_letter_queue_arn: Value | None
    dead_letter_queue_kms_key_arn: Value | None  # the queue's customer managed key, if any
    overrides: dict[str, dict[str, Any]]
    volumes: dict[str, dict[str, Any]]  # ReadOnly resolved at transform time
    # What the execution role must read: (service, ARN or ARNs) per secret of any container,
    # and the ECR repositories of sidecar images.
    secret_grants: tuple[tuple[str, Any], ...]
    sidecar_repositories: tuple[Any, ...]


@record
class Declaration:
    logical_id: str
    tasks: tuple[Task, ...]
    cluster: Value | None  # an existing cluster, name or ARN
    cluster_is_arn: bool  # whether `cluster` evaluates to an ARN
    cluster_name: Value | None
    container_insights: str | None
    log_group_name: Value | None
    log_retention_in_days: Value
    log_kms_key_arn: Value | None
    retain_log_group: bool  # resolved at transform time: DeletionPolicy takes no intrinsic
    permissions_boundary: Value | None  # for roles shared by all tasks
    tags: dict[str, Value]  # for resources shared by all tasks
    outputs: bool
    condition: str | None
    depends_on: list[str]

    @property
    def scheduled(self) -> list[Task]:
        return [t for t in self.tasks if t.kind == "schedule"]

    @property
    def watched(self) -> list[Task]:
        """The tasks that get a workflow: every one whose runs are watched to their end."""
        return [t for t in self.tasks if watched(t)]

    @property
    def default_vpc(self) -> bool:
        """Whether some task runs in the default VPC, found at deploy time."""
        return any(t.network.subnets is None for t in self.tasks)

    @property
    def default_security_group(self) -> bool:
        """Whether some task runs in the default VPC with no security group of its own."""
        return any(
            t.network.subnets is None and t.network.security_groups is None for t in self.tasks
        )


def watched(t: Task) -> bool:
    """Whether runs of `t` are started and watched by its workflow: a task with Schedule,
    Events or Callers. The one test of it: the workflow, roles, outputs and ops ask here."""
    return t.kind in WATCHED_KINDS
