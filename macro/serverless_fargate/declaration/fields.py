"""The field table: every property of a declaration, written once.

A row names a property, its shape (schema_parts.py), its description, its default, how declaration-
level and task-level values merge, where it may stand, the model attribute it fills, and
whether it decides what is generated (then it is resolved at transform time, never passed
through as an intrinsic). The JSON schema (schema.py), the reference and the editor schema
(scripts/generate_reference.py), the defaults the merge step applies (merge.py) and the
model's fields (model.py, checked by tests/test_fields.py) all come from here.
"""

from __future__ import annotations

from ..record import record
from . import durations, schema_parts
from .schema_parts import BOOL, I, arn, int_range, string

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()

# How a task's value combines with the declaration-level default (and SAM Globals).
REPLACE = "replace"  # the task's value wins whole
MAP = "map"  # key by key, the task's key winning
CONCAT = "concat"  # lists concatenate, declaration first
DEEP = "deep"  # maps merge recursively, the task's values winning

# Where a property may stand.
IN_TASK = "task"  # in a task, and at the declaration level as every task's default
IN_DECLARATION = "declaration"  # at the declaration level only


@record
class Field:
    name: str
    shape: dict[str, Any]
    description: str
    default: Any = NO_DEFAULT
    merge: str = REPLACE
    scope: str = IN_TASK
    attribute: str | None = None  # the model's attribute (snake_case of name unless given)
    decisive: bool = False  # decides which resources exist: resolved at transform time

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    def schema(self) -> dict[str, Any]:
        out = {"description": self.description, **self.shape}
        if self.has_default:
            out["default"] = self.default
        return out


def snake(name: str) -> str:
    out = ""
    for i, c in enumerate(name):
        if c.isupper() and i and (not name[i - 1].isupper() or name[i + 1 : i + 2].islower()):
            out += "_"
        out += c.lower()
    return out


_SNAKE: dict[str, str] = {}  # snake() per name, once: it runs for every field of every task


def attribute(f: Field) -> str:
    if f.attribute:
        return f.attribute
    name = _SNAKE.get(f.name)
    if name is None:
        name = _SNAKE[f.name] = snake(f.name)
    return name


def object_shape(
    fields: list[Field], required: tuple[str, ...] = (), expected: str | None = None
) -> dict[str, Any]:
    """The JSON schema of a map whose keys are these fields."""
    shape: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: f.schema() for f in fields},
    }
    if required:
        shape["required"] = list(required)
    shape["additionalProperties"] = False
    shape["x-expected"] = expected or "a map with " + ", ".join(f.name for f in fields)
    return shape


def by_name(fields: list[Field]) -> dict[str, Field]:
    return {f.name: f for f in fields}


# --- maps inside a task -----------------------------------------------------------------------

SPOT_FIELDS = [
    Field("OnDemandBase", int_range(0, 100000), "Tasks always on on-demand FARGATE.", 0),
    Field("OnDemandWeight", int_range(0, 1000), "Weight of on-demand FARGATE.", 0),
    Field("SpotWeight", int_range(0, 1000), "Weight of FARGATE_SPOT.", 1),
    Field("Fallback", BOOL, "Run on on-demand FARGATE when Spot is short.", True, decisive=True),
    Field(
        "RerunOnInterruption",
        BOOL,
        "Start an interrupted scheduled run again on on-demand FARGATE.",
        False,
        decisive=True,
    ),
]

QUEUE_FIELDS = [
    Field("Arn", arn("sqs"), "SQS queue ARN.", attribute="queue_arn"),
    Field("MessagesPerTask", int_range(1, 100000), "Target visible messages per running task.", 10),
]

AUTOSCALING_FIELDS = [
    Field("MinCount", int_range(0, 5000), "Fewest tasks (0 scales to zero).", 1),
    Field("MaxCount", int_range(1, 5000), "Most tasks."),
    Field("CpuTarget", int_range(1, 100), "Target average CPU, percent."),
    Field("MemoryTarget", int_range(1, 100), "Target average memory, percent."),
    Field(
        "Queue",
        object_shape(QUEUE_FIELDS, ("Arn",)),
        "Scale on an SQS queue's backlog per running task.",
    ),
]

SERVICE_FIELDS = [
    Field("DesiredCount", int_range(0, 5000), "Tasks to keep running.", 1),
    Field(
        "MinimumHealthyPercent",
        int_range(0, 100),
        "Lower limit of running tasks during a deployment, in percent.",
        100,
    ),
    Field(
        "MaximumPercent",
        int_range(100, 200),
        "Upper limit of running tasks during a deployment, in percent.",
        200,
    ),
    Field(
        "CircuitBreaker",
        BOOL,
        "Deployment circuit breaker with rollback: a deployment that cannot reach steady "
        "state rolls back.",
        True,
    ),
    Field(
        "EnableExecuteCommand",
        BOOL,
        "Allow ECS Exec into the running tasks (the task role gets the ssmmessages actions).",
        False,
        decisive=True,
    ),
    Field(
        "HealthCheckGracePeriodSeconds",
        int_range(0, 2147483647),
        "Seconds ECS ignores failing health checks of a new task.",
    ),
    Field(
        "Autoscaling",
        object_shape(AUTOSCALING_FIELDS, ("MaxCount",)),
        "Application Auto Scaling for the service. With it, DesiredCount is left out of the "
        "service so a deploy never resets the running count.",
    ),
]

# One text for both places the key may stand (the task, its Schedule map).
QUEUE_KEY_DESCRIPTION = (
    "ARN of the customer managed KMS key that encrypts DeadLetterQueueArn (SSE-KMS): every "
    "role that sends to the queue (the workflow's, Scheduler's) may use exactly this key, "
    "through SQS only. The key policy must let IAM grant it (the default key policy does) and, "
    "for an Events rule's dead-letter queue, allow events.amazonaws.com. An alias is refused. "
    "Not needed for SSE-SQS or the AWS managed key aws/sqs."
)

SCHEDULE_FIELDS = [
    Field("Expression", string(), "rate(), cron() or at() expression."),
    Field("Timezone", string(), "IANA time zone name.", "UTC"),
    Field("Enabled", BOOL, "Whether the schedule runs.", True),
    Field(
        "FlexibleWindowMinutes",
        int_range(1, 1440),
        "Let Scheduler start the run up to this many minutes late.",
    ),
    Field(
        "Retries",
        int_range(0, 10),
        "Fresh runs after a failed one, each after the previous task stopped (backoff 60 s, "
        "then 120 s, ...).",
        0,
    ),
    Field("MaxEventAgeSeconds", int_range(60, 86400), "Give up starting a run after this long."),
    Field(
        "DeadLetterQueueArn",
        arn("sqs"),
        "SQS queue that gets one JSON message for each run that fails in the end.",
    ),
    Field(
        "DeadLetterQueueKmsKeyArn",
        arn("kms"),
        QUEUE_KEY_DESCRIPTION,
    ),
    Field("TaskCount", int_range(1, 10), "Tasks started per run.", 1),
]

# Events: the shape SAM functions use (`{Name: {Type, Properties}}`), EventBridgeRule only.
RETRY_POLICY_FIELDS = [
    Field(
        "MaximumRetryAttempts",
        int_range(0, 185),
        "EventBridge's retries of a start it could not deliver (EventBridge's default 185).",
    ),
    Field(
        "MaximumEventAgeInSeconds",
        int_range(60, 86400),
        "Give up delivering an event after this long (EventBridge's default 86400).",
    ),
]

DEAD_LETTER_CONFIG_FIELDS = [
    Field("Arn", arn("sqs"), "SQS queue for events whose run could not be started at all."),
]

EVENT_BRIDGE_RULE_FIELDS = [
    Field(
        "Pattern",
        {
            "type": "object",
            "minProperties": 1,
            "x-expected": "a map: an EventBridge event pattern such as "
            "{source: [aws.s3], detail-type: [Object Created]}",
        },
        "EventBridge event pattern: each matching event starts one watched run.",
    ),
    Field(
        "EventBusName",
        string(),
        "Name or ARN of the event bus (default: the account's default bus, where AWS services' "
        "events arrive).",
    ),
    Field(
        "InputPath",
        {
            "type": "string",
            "pattern": "^[$]",
            "x-expected": "a JSONPath of the event such as $.detail",
        },
        "The part of the event that becomes the run's input (default: the whole event).",
    ),
    Field(
        "RetryPolicy",
        object_shape(RETRY_POLICY_FIELDS),
        "How long EventBridge keeps trying to start the run (throttling, a service error).",
    ),
    Field(
        "DeadLetterConfig",
        object_shape(DEAD_LETTER_CONFIG_FIELDS, ("Arn",)),
        "Where EventBridge puts an event whose run it could not start (default: the task's "
        "DeadLetterQueueArn, if any).",
    ),
]

EVENT_TYPES = ("EventBridgeRule",)

EVENT_FIELDS = [
    Field(
        "Type",
        {
            "enum": list(EVENT_TYPES),
            "x-expected": "EventBridgeRule (an S3 upload, an SQS or DynamoDB source: an "
            "EventBridgeRule with its pattern)",
        },
        "The kind of event source.",
    ),
    Field(
        "Properties",
        object_shape(EVENT_BRIDGE_RULE_FIELDS, ("Pattern",)),
        "The source's settings.",
    ),
]

NETWORK_FIELDS = [
    Field("Subnets", schema_parts.ID_LIST, "Subnet IDs."),
    Field("SecurityGroups", schema_parts.ID_LIST, "Security group IDs."),
    Field(
        "AssignPublicIp",
        BOOL,
        "Give tasks public IPs (default false; true in the default VPC, to pull images "
        "without a NAT gateway).",
    ),
]

REPOSITORY_FIELDS = [
    Field("Repository", string(), "ECR repository name or URI."),
    Field("Tag", string(), "Image tag.", "latest"),
]

PORT_FIELDS = [
    Field("ContainerPort", {"type": "integer", "minimum": 1, "maximum": 65535}, "Container port."),
    Field("Protocol", {"enum": ["tcp", "udp"]}, "tcp or udp.", "tcp"),
]

HEALTH_CHECK_FIELDS = [
    Field(
        "Command",
        {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "string"}, I]}},
        'For example ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].',
    ),
    Field("Interval", int_range(5, 300), "Seconds between checks (ECS's default 30)."),
    Field("Timeout", int_range(2, 60), "Seconds before a check fails (ECS's default 5)."),
    Field("Retries", int_range(1, 10), "Failures before unhealthy (ECS's default 3)."),
    Field("StartPeriod", int_range(0, 300), "Grace seconds after start (ECS's default 0)."),
]

VOLUME_FIELDS = [
    Field("FileSystemId", string(), "EFS file system ID (fs-...); never a wildcard."),
    Field("AccessPointId", string(), "EFS access point ID (fsap-...)."),
    Field(
        "RootDirectory", string(), "Directory of the file system to mount (not with AccessPointId)."
    ),
    Field("ReadOnly", BOOL, "Mount read-only (and grant no ClientWrite).", False, decisive=True),
    Field(
        "MountPath",
        {"type": "string", "pattern": "^/", "x-expected": "an absolute path such as /data"},
        "Absolute path in the container.",
    ),
]

# --- the values of maps and lists -----------------------------------------------------------

_IMAGE = {
    "x-expected": f"an image URI, {{{', '.join(f.name for f in REPOSITORY_FIELDS)}}} or "
    "{Function: LogicalId}",
    "anyOf": [
        {"type": "string", "minLength": 1},
        I,
        object_shape(REPOSITORY_FIELDS, ("Repository",)),
        {
            "type": "object",
            "properties": {
                "Function": {
                    "type": "string",
                    "pattern": schema_parts.LOGICAL_ID_PATTERN,
                    "description": "Logical ID of an image Lambda function in this template.",
                }
            },
            "required": ["Function"],
            "additionalProperties": False,
        },
    ],
}


def flag_or_map(fields: list[Field]) -> dict[str, Any]:
    """`true`, `false` or a map of these fields (Spot, Service)."""
    return {
        "x-expected": "true, false, or a map with " + ", ".join(f.name for f in fields),
        "anyOf": [{"type": "boolean"}, object_shape(fields)],
    }


_SPOT = flag_or_map(SPOT_FIELDS)
_SERVICE = flag_or_map(SERVICE_FIELDS)

_SCHEDULE = {
    "x-expected": "a rate(), cron() or at() expression, or a map with Expression",
    "anyOf": [
        {"type": "string"},
        I,
        object_shape(SCHEDULE_FIELDS, ("Expression",)),
    ],
}

_PORT = PORT_FIELDS[0].shape
_PORT_MAPPING = {
    "x-expected": f"a port number from {_PORT['minimum']} to {_PORT['maximum']} or "
    f"{{{', '.join(f.name for f in PORT_FIELDS)}}}",
    "anyOf": [_PORT, object_shape(PORT_FIELDS, ("ContainerPort",))],
}

_KEYED_SCALARS = {
    "type": "object",
    "additionalProperties": schema_parts.SCALAR_VALUE,
    "propertyNames": {"pattern": schema_parts.ENV_NAME_PATTERN},
}

# --- a task's properties (each may also stand at the declaration level) --------------------

TASK_FIELDS = [
    Field(
        "Image",
        _IMAGE,
        "The container image: a URI, `{Repository, Tag}` of an ECR repository, or "
        "`{Function: LogicalId}` to reuse an image Lambda function's image.",
    ),
    Field("Command", schema_parts.STRING_LIST, "Container command (overrides the image's CMD)."),
    Field(
        "EntryPoint",
        schema_parts.STRING_LIST,
        "Container entry point (overrides the image's ENTRYPOINT).",
    ),
    Field("Cpu", schema_parts.CPU, "Task CPU units.", 256),
    Field(
        "Memory",
        schema_parts.MEMORY,
        'Task memory: MiB as a number, or a string such as "512", "0.5GB", "2 GB", "3072MB". '
        "Must be a Fargate-valid size for the Cpu. Without it, the smallest size valid for "
        "the Cpu; without Cpu, the smallest Cpu this Memory fits.",
        512,
    ),
    Field(
        "Architecture",
        {"anyOf": [{"enum": ["X86_64", "ARM64"]}, I], "x-expected": "X86_64 or ARM64"},
        "CPU architecture.",
        "X86_64",
    ),
    Field(
        "Environment",
        _KEYED_SCALARS | {"x-expected": "a map of variable names to values"},
        "Environment variables; numbers and booleans become strings.",
        {},
        MAP,
    ),
    Field(
        "Secrets",
        {
            "type": "object",
            "additionalProperties": string(),
            "propertyNames": {"pattern": schema_parts.ENV_NAME_PATTERN},
            "x-expected": "a map of variable names to SSM parameters or secret ARNs",
        },
        "Environment variables read at start from an SSM parameter (name or ARN) or a Secrets "
        "Manager secret ARN; the execution role may read exactly these. A wildcard (`*`, `?`) "
        "is refused: for wide access write a statement in Policies.",
        {},
        MAP,
    ),
    Field(
        "SecretsKmsKeyArns",
        {
            "type": "array",
            "items": arn("kms"),
            "x-expected": "a list of KMS key ARNs",
        },
        "Customer-managed KMS keys that encrypt the Secrets (SecureString parameters, secrets): "
        "the execution role may decrypt with exactly these, through SSM and Secrets Manager "
        "only. AWS-managed keys need nothing here.",
        [],
        CONCAT,
    ),
    Field(
        "Policies",
        {
            "type": "array",
            "items": {
                "anyOf": [{"type": "string", "minLength": 1}, I, schema_parts.IAM_STATEMENT],
                "x-expected": "a managed-policy ARN or an IAM statement with Effect, Action, "
                "Resource",
            },
            "x-expected": "a list of managed-policy ARNs and IAM statements",
        },
        "Managed-policy ARNs (strings) and IAM statements (maps) for the task's own role.",
        [],
        CONCAT,
    ),
    Field("TaskRoleArn", string(), "Use this existing role as the task role."),
    Field("ExecutionRoleArn", string(), "Use this existing role as the execution role."),
    Field(
        "PermissionsBoundary",
        string(),
        "Permissions boundary ARN set on every role the transform creates.",
    ),
    Field(
        "Tags",
        {
            "type": "object",
            "additionalProperties": schema_parts.SCALAR_VALUE,
            "propertyNames": {"pattern": schema_parts.TAG_KEY_PATTERN},
            "x-expected": "a map of tag keys to values",
        },
        "Tags on every taggable generated resource; tasks get them by propagation. Keys "
        "starting with `aws:` or `serverless-fargate:` are reserved.",
        {},
        MAP,
    ),
    Field("Spot", _SPOT, "Run on FARGATE_SPOT. `true`, or a map that tunes the strategy.", False),
    Field(
        "StopTimeout",
        int_range(2, 120),
        "Seconds between SIGTERM and SIGKILL (ECS's default 30; 120 with Spot).",
    ),
    Field("EphemeralStorage", int_range(21, 200), "Task ephemeral storage in GiB (Fargate's 20)."),
    Field(
        "ReadonlyRootFilesystem",
        BOOL,
        "Mount the main container's root filesystem read-only.",
        False,
    ),
    Field(
        "PortMappings",
        {"type": "array", "items": _PORT_MAPPING, "x-expected": "a list of ports"},
        "Ports of the main container.",
        [],
    ),
    Field(
        "HealthCheck",
        object_shape(HEALTH_CHECK_FIELDS, ("Command",)),
        "Container health check of the main container.",
    ),
    Field(
        "Sidecars",
        {
            "type": "array",
            "items": schema_parts.SIDECAR,
            "x-expected": "a list of container definitions",
        },
        "Extra containers, as ECS container definitions in CloudFormation shape.",
        [],
        CONCAT,
    ),
    Field(
        "DependsOn",
        {
            "type": "array",
            "items": {"type": "string", "pattern": schema_parts.LOGICAL_ID_PATTERN},
            "x-expected": "a list of logical IDs",
        },
        "Logical IDs added to DependsOn of this task's generated resources.",
        [],
        CONCAT,
    ),
    Field(
        "Volumes",
        {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,255}$"},
            "additionalProperties": object_shape(
                VOLUME_FIELDS,
                ("FileSystemId", "MountPath"),
                "a map with FileSystemId and MountPath",
            ),
            "x-expected": "a map of volume names to EFS volumes",
        },
        "EFS volumes by name, mounted in the main container with transit encryption and IAM "
        "authorisation (the task role may mount exactly these file systems).",
        {},
        MAP,
    ),
    Field(
        "Network",
        object_shape(NETWORK_FIELDS),
        f"Where tasks run: {', '.join(f'`{f.name}`' for f in NETWORK_FIELDS)}. Without it, the "
        "region's default VPC. A task's own Network replaces the declaration's whole map.",
    ),
    Field(
        "Timeout",
        {
            "anyOf": [
                {
                    "type": "integer",
                    "minimum": durations.TIMEOUT_MIN,
                    "maximum": durations.TIMEOUT_MAX,
                },
                {"type": "string", "pattern": durations.PATTERN},
                I,
            ],
            "x-expected": f"seconds from {durations.TIMEOUT_MIN} to {durations.TIMEOUT_MAX}, "
            'or a duration such as "90m" or "2h"',
        },
        "Longest a scheduled or one-off run may take; then its task is stopped and the run "
        "counts as failed. Seconds, or a duration (`90m`, `2h`, `1d`). Not for services.",
    ),
    Field(
        "Service",
        _SERVICE,
        "Run the task as a long-running ECS service (the default kind). `false` with no "
        "Schedule makes a standalone task definition.",
        True,
        attribute="service",
    ),
    Field(
        "Schedule",
        _SCHEDULE,
        "Run the task on a schedule with EventBridge Scheduler: an expression "
        "(`rate(5 minutes)`, `cron(0 2 * * ? *)`, `at(2027-01-01T00:00:00)`) or a map.",
    ),
    Field(
        "Events",
        {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": schema_parts.LOGICAL_ID_PATTERN},
            "additionalProperties": object_shape(
                EVENT_FIELDS, ("Type", "Properties"), "a map with Type and Properties"
            ),
            "x-expected": "a map of event names to {Type, Properties}",
        },
        "Events that each start one watched run, in the shape of SAM function events: "
        "`{Name: {Type: EventBridgeRule, Properties: {Pattern, EventBusName, InputPath}}}`. The "
        "event (or its InputPath part) reaches the container as JSON in "
        "SERVERLESS_FARGATE_INPUT.",
    ),
    Field(
        "Callers",
        {
            "type": "array",
            "items": {"type": "string", "pattern": schema_parts.LOGICAL_ID_PATTERN},
            "x-expected": "a list of logical IDs of functions in this template",
        },
        "Functions of this template (AWS::Serverless::Function, AWS::Lambda::Function) that may "
        "start watched runs of this task with input; each gets exactly that permission and the "
        "variable SERVERLESS_FARGATE_<TASK>_WORKFLOW (the workflow's ARN).",
        [],
    ),
    Field(
        "Retries",
        int_range(0, 10),
        "Fresh runs after a failed one, for every watched run of the task (schedule, events, "
        "callers); a scheduled task may write it in its Schedule map instead.",
        0,
    ),
    Field(
        "DeadLetterQueueArn",
        arn("sqs"),
        "SQS queue that gets one JSON message for each watched run that fails in the end; a "
        "scheduled task may write it in its Schedule map instead.",
    ),
    Field(
        "DeadLetterQueueKmsKeyArn",
        arn("kms"),
        QUEUE_KEY_DESCRIPTION + " A scheduled task may write it in its Schedule map instead.",
    ),
    Field(
        "Overrides",
        schema_parts.OVERRIDES,
        "Raw CloudFormation properties deep-merged last into what is generated, then checked "
        "like the rest (every container, host namespaces and volumes, capabilities, launch "
        "type). Roles, the schedule's target and reserved tag keys cannot be overridden.",
        {},
        DEEP,
    ),
]

# --- the declaration's own properties -------------------------------------------------------

DECLARATION_FIELDS = [
    Field(
        "Tasks",
        {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": schema_parts.TASK_KEY_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/Task"},
            "x-expected": "a map of task keys to tasks, with at least one task",
        },
        "Task key to task. Keys match `^[A-Za-z][A-Za-z0-9_-]*$`.",
        scope=IN_DECLARATION,
    ),
    Field(
        "Cluster",
        string(),
        "Use this existing cluster (name or ARN). An intrinsic is taken as the cluster's name "
        "unless it is Fn::GetAtt X.Arn or a Ref to a parameter whose value is an ARN. FARGATE "
        "and FARGATE_SPOT are added to it at deploy time (Custom::CapacityProviders).",
        scope=IN_DECLARATION,
    ),
    Field(
        "ClusterName",
        {
            "anyOf": [{"type": "string", "pattern": "^[A-Za-z0-9_-]{1,255}$"}, I],
            "x-expected": "1-255 letters, digits, hyphens and underscores",
        },
        "Name of the created cluster.",
        scope=IN_DECLARATION,
    ),
    Field(
        "ContainerInsights",
        {
            "anyOf": [{"enum": ["enabled", "disabled", "enhanced"]}, {"type": "boolean"}],
            "x-expected": "enabled, disabled, enhanced, true or false",
        },
        "Container Insights for the created cluster (default: account setting).",
        scope=IN_DECLARATION,
    ),
    Field(
        "LogGroupName",
        string(),
        "Name of the one log group all tasks log to.",
        scope=IN_DECLARATION,
    ),
    Field(
        "LogRetentionInDays",
        {
            "anyOf": [{"enum": schema_parts.LOG_RETENTION_VALUES}, I],
            "x-expected": "one of " + ", ".join(map(str, schema_parts.LOG_RETENTION_VALUES)),
        },
        "Log retention in days.",
        30,
        scope=IN_DECLARATION,
    ),
    Field(
        "LogKmsKeyArn",
        arn("kms"),
        "KMS key that encrypts the log group (its key policy must let the CloudWatch Logs "
        "service of this region use it). Default: CloudWatch Logs' own encryption.",
        scope=IN_DECLARATION,
    ),
    Field(
        "RetainLogGroup",
        BOOL,
        "Keep the log group, and its logs, when the stack is deleted or the group replaced.",
        False,
        scope=IN_DECLARATION,
        decisive=True,
    ),
    Field(
        "InheritGlobals",
        BOOL,
        "Take SAM Globals.Function Environment, VpcConfig, Tags and PermissionsBoundary as "
        "task defaults.",
        True,
        scope=IN_DECLARATION,
        attribute="inherit_globals",
        decisive=True,
    ),
    Field(
        "Outputs",
        BOOL,
        "Emit the stack outputs (cluster ARN, per task ARNs). Turn off to stay under "
        "CloudFormation's 200 outputs.",
        True,
        scope=IN_DECLARATION,
        decisive=True,
    ),
]

TASK = by_name(TASK_FIELDS)
DECLARATION_ONLY = by_name(DECLARATION_FIELDS)
SPOT = by_name(SPOT_FIELDS)
SERVICE = by_name(SERVICE_FIELDS)
SCHEDULE = by_name(SCHEDULE_FIELDS)
AUTOSCALING = by_name(AUTOSCALING_FIELDS)
QUEUE = by_name(QUEUE_FIELDS)
NETWORK = by_name(NETWORK_FIELDS)
VOLUME = by_name(VOLUME_FIELDS)
PORT = by_name(PORT_FIELDS)
REPOSITORY = by_name(REPOSITORY_FIELDS)
EVENT = by_name(EVENT_FIELDS)
EVENT_BRIDGE_RULE = by_name(EVENT_BRIDGE_RULE_FIELDS)
RETRY_POLICY = by_name(RETRY_POLICY_FIELDS)
# Task keys that decide a task's kind: a task that writes any of them takes all of them from
# itself, never from the declaration (whose are only a default for tasks that write none).
KIND_KEYS = ("Service", "Schedule", "Events", "Callers")


def values(table: dict[str, Field], given: dict[str, Any]) -> dict[str, Any]:
    """A sub-map's model fields: each given value, else the table's default (None if none).

    Unknown keys were reported by the schema, so they are left out here.
    """
    return {attr: given.get(name, default) for name, attr, default in _rows(table)}


def defaults(table: dict[str, Field]) -> dict[str, Any]:
    """Each field's default, None where it has none: what `values` gives for a missing key."""
    return {name: default for name, _, default in _rows(table)}


def value(table: dict[str, Field], given: dict[str, Any], name: str) -> Any:
    """One field of a sub-map, as `values` gives it: the given value, else the default."""
    return given.get(name, _default(table[name]))


def _default(field: Field) -> Any:
    """A field's default as `values` and `value` give it: None where it has none."""
    return field.default if field.has_default else None


# Each table's (key, attribute, default) rows, made once per table rather than once per task,
# and made again if the table's fields change: the table is compared with a copy of it taken
# then (dict equality compares the same Field objects by identity first, and makes nothing).
_ROWS: dict[int, tuple[dict[str, Field], list[tuple[str, str, Any]]]] = {}


def _rows(table: dict[str, Field]) -> list[tuple[str, str, Any]]:
    cached = _ROWS.get(id(table))
    if cached is None or cached[0] != table:
        rows = [(n, attribute(f), _default(f)) for n, f in table.items()]
        cached = _ROWS[id(table)] = (dict(table), rows)
    return cached[1]


def default_size() -> tuple[int, int]:
    """The Cpu and Memory defaults, for fargate.task_size."""
    return TASK["Cpu"].default, TASK["Memory"].default
