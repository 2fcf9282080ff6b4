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
    Kind = Literal["service", "schedule", "standalone"]


@record
class Image:
    """`uri` is used as written unless `resolve` asks the deploy-time digest lookup for it."""

    uri: Value
    resolve: bool
    ecr_repository_arn: Value | None  # what the execution role may pull; None outside ECR


@record
class Spot:
    on_demand_base: Value = 0
    on_demand_weight: Value = 0
    spot_weight: Value = 1
    fallback: bool = True
    rerun_on_interruption: bool = False


@record
class Autoscaling:
    max_count: Value
    min_count: Value = 1
    cpu_target: Value | None = None
    memory_target: Value | None = None
    queue_arn: Value | None = None
    messages_per_task: Value = 10


@record
class ServiceConfig:
    desired_count: Value = 1
    minimum_healthy_percent: Value = 100
    maximum_percent: Value = 200
    circuit_breaker: Value = True
    enable_execute_command: Value = False
    health_check_grace_period_seconds: Value | None = None
    autoscaling: Autoscaling | None = None


@record
class ScheduleConfig:
    expression: Value
    timezone: Value = "UTC"
    enabled: Value = True
    flexible_window_minutes: Value | None = None
    retries: Value = 0
    max_event_age_seconds: Value | None = None
    dead_letter_queue_arn: Value | None = None
    task_count: Value = 1


@record
class Task:
    key: str  # as written; also the main container's name
    name: str  # PascalCase, used in logical IDs
    image: Image
    cpu: Value  # emitted as CloudFormation wants it: a digit string or an intrinsic
    memory: Value
    architecture: Value
    kind: Kind
    command: Value | None = None
    entry_point: Value | None = None
    environment: dict[str, Value] = {}
    secrets: dict[str, Value] = {}
    policies: list[Value] = []
    task_role_arn: Value | None = None
    execution_role_arn: Value | None = None
    permissions_boundary: Value | None = None
    tags: dict[str, Value] = {}
    spot: Spot | None = None
    stop_timeout: Value | None = None
    ephemeral_storage: Value | None = None
    readonly_root_filesystem: Value = False
    port_mappings: list[dict[str, Value]] = []
    health_check: dict[str, Value] | None = None
    sidecars: list[dict[str, Any]] = []
    depends_on: list[str] = []
    service: ServiceConfig | None = None
    schedule: ScheduleConfig | None = None
    overrides: dict[str, dict[str, Any]] = {}
    volumes: dict[str, dict[str, Any]] = {}
    # What the execution role must read: (service, ARN or ARNs) per secret of any container,
    # and the ECR repositories of sidecar images.
    secret_grants: tuple[tuple[str, Any], ...] = ()
    sidecar_repositories: tuple[Any, ...] = ()


@record
class Network:
    subnets: Value | None  # None: the default VPC, looked up at deploy time
    security_groups: Value | None  # None with default VPC: the transform creates one
    assign_public_ip: Value


@record
class Declaration:
    logical_id: str
    tasks: tuple[Task, ...]
    network: Network
    cluster: Value | None = None  # an existing cluster, name or ARN
    cluster_is_arn: bool = False  # whether `cluster` evaluates to an ARN
    cluster_name: str | None = None
    container_insights: str | None = None
    log_group_name: Value | None = None
    log_retention_in_days: Value = 30
    permissions_boundary: Value | None = None  # for roles shared by all tasks
    tags: dict[str, Value] = {}  # for resources shared by all tasks
    outputs: bool = True
    condition: str | None = None
    depends_on: list[str] = []

    @property
    def scheduled(self) -> list[Task]:
        return [t for t in self.tasks if t.kind == "schedule"]


def uses_runner(kind: str, spot: Spot | None) -> bool:
    """Scheduled Spot runs that need fallback or reruns are started by the application's runner."""
    return (
        kind == "schedule"
        and spot is not None
        and (spot.fallback is not False or spot.rerun_on_interruption is True)
    )
