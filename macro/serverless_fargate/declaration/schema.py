"""The JSON Schema of a `Fargate::Tasks` declaration: the one source for validation and docs.

Each property carries a `description` (for the reference and editors), a `default` where the
contract names one, and `x-expected`: the short "what would be valid" text that error
messages quote. Rules that JSON Schema cannot say (Fargate sizes, schedules, collisions) live
in `rules.py`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

SCHEMA_ID = "https://serverless-fargate.dev/schema/fargate-tasks.json"

INTRINSIC: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "propertyNames": {"pattern": "^(Ref|Fn::[A-Za-z0-9]+)$"},
    "properties": {"Ref": {"type": "string", "minLength": 1}},
    "description": "A CloudFormation intrinsic function such as Ref or Fn::Sub.",
}
_I = {"$ref": "#/$defs/Intrinsic"}

CPU_VALUES = [256, 512, 1024, 2048, 4096, 8192, 16384]
LOG_RETENTION_VALUES = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
]  # fmt: skip
TASK_KEY_PATTERN = "^[A-Za-z][A-Za-z0-9_-]*$"
MEMORY_PATTERN = r"^\s*[0-9]+(\.[0-9]+)?\s*([MmGg][Ii]?[Bb])?\s*$"


def _string_or_intrinsic(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [{"type": "string", "minLength": 1, **extra}, _I],
        "x-expected": "a non-empty string or an intrinsic function",
    }


def _int_range(description: str, low: int, high: int, default: int | None = None) -> dict:
    schema: dict[str, Any] = {
        "description": description,
        "anyOf": [{"type": "integer", "minimum": low, "maximum": high}, _I],
        "x-expected": f"a whole number from {low} to {high}",
    }
    if default is not None:
        schema["default"] = default
    return schema


def _bool(description: str, default: bool) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [{"type": "boolean"}, _I],
        "default": default,
        "x-expected": "true or false",
    }


_STRING_LIST = {
    "anyOf": [{"type": "array", "items": {"anyOf": [{"type": "string"}, _I]}}, _I],
    "x-expected": "a list of strings",
}

_SCALAR_VALUE = {
    "anyOf": [{"type": ["string", "number", "boolean"]}, _I],
    "x-expected": "a string, number, boolean or intrinsic function",
}

IAM_STATEMENT: dict[str, Any] = {
    "type": "object",
    "description": "An IAM policy statement.",
    "properties": {
        "Sid": {"type": "string"},
        "Effect": {"enum": ["Allow", "Deny"], "x-expected": "Allow or Deny"},
        "Action": {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1}, _I]},
        "NotAction": {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1}, _I]},
        "Resource": {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1}, _I]},
        "NotResource": {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1}, _I]},
        "Condition": {"anyOf": [{"type": "object"}, _I]},
    },
    "additionalProperties": False,
}

SPOT: dict[str, Any] = {
    "description": "Run on FARGATE_SPOT. `true`, or a map that tunes the strategy.",
    "default": False,
    "x-expected": "true, false, or a map with OnDemandBase, OnDemandWeight, SpotWeight, "
    "Fallback, RerunOnInterruption",
    "anyOf": [
        {"type": "boolean"},
        {
            "type": "object",
            "properties": {
                "OnDemandBase": _int_range("Tasks always on on-demand FARGATE.", 0, 100000, 0),
                "OnDemandWeight": _int_range("Weight of on-demand FARGATE.", 0, 1000, 0),
                "SpotWeight": _int_range("Weight of FARGATE_SPOT.", 0, 1000, 1),
                "Fallback": _bool("Run on on-demand FARGATE when Spot is short.", True),
                "RerunOnInterruption": _bool(
                    "Start an interrupted scheduled run again on on-demand FARGATE.", False
                ),
            },
            "additionalProperties": False,
        },
    ],
}

SERVICE: dict[str, Any] = {
    "description": "Run the task as a long-running ECS service (the default kind). "
    "`false` with no Schedule makes a standalone task definition.",
    "default": True,
    "x-expected": "true, false, or a map with DesiredCount, MinimumHealthyPercent, "
    "MaximumPercent, CircuitBreaker, EnableExecuteCommand, Autoscaling",
    "anyOf": [
        {"type": "boolean"},
        {
            "type": "object",
            "properties": {
                "DesiredCount": _int_range("Tasks to keep running.", 0, 5000, 1),
                "MinimumHealthyPercent": _int_range(
                    "Lower limit of running tasks during a deployment, in percent.", 0, 100, 100
                ),
                "MaximumPercent": _int_range(
                    "Upper limit of running tasks during a deployment, in percent.", 100, 200, 200
                ),
                "CircuitBreaker": _bool(
                    "Deployment circuit breaker with rollback: a deployment that cannot "
                    "reach steady state rolls back.",
                    True,
                ),
                "EnableExecuteCommand": _bool("Allow ECS Exec into the running tasks.", False),
                "HealthCheckGracePeriodSeconds": _int_range(
                    "Seconds ECS ignores failing health checks of a new task.", 0, 2147483647
                ),
                "Autoscaling": {
                    "type": "object",
                    "description": "Application Auto Scaling for the service. With it, DesiredCount "
                    "is left out of the service so a deploy never resets the running count.",
                    "properties": {
                        "MinCount": _int_range("Fewest tasks (0 scales to zero).", 0, 5000, 1),
                        "MaxCount": _int_range("Most tasks.", 1, 5000),
                        "CpuTarget": _int_range("Target average CPU, percent.", 1, 100),
                        "MemoryTarget": _int_range("Target average memory, percent.", 1, 100),
                        "Queue": {
                            "type": "object",
                            "description": "Scale on an SQS queue's backlog per running task.",
                            "properties": {
                                "Arn": _string_or_intrinsic("SQS queue ARN."),
                                "MessagesPerTask": _int_range(
                                    "Target visible messages per running task.", 1, 100000, 10
                                ),
                            },
                            "required": ["Arn"],
                            "additionalProperties": False,
                        },
                    },
                    "required": ["MaxCount"],
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
    ],
}

SCHEDULE: dict[str, Any] = {
    "description": "Run the task on a schedule with EventBridge Scheduler: an expression "
    "(`rate(5 minutes)`, `cron(0 2 * * ? *)`, `at(2027-01-01T00:00:00)`) or a map.",
    "x-expected": "a rate(), cron() or at() expression, or a map with Expression",
    "anyOf": [
        {"type": "string"},
        _I,
        {
            "type": "object",
            "properties": {
                "Expression": _string_or_intrinsic("rate(), cron() or at() expression."),
                "Timezone": _string_or_intrinsic("IANA time zone name.") | {"default": "UTC"},
                "Enabled": _bool("Whether the schedule runs.", True),
                "FlexibleWindowMinutes": _int_range(
                    "Let Scheduler start the run up to this many minutes late.", 1, 1440
                ),
                "Retries": _int_range("Retries of a failed start.", 0, 185, 0),
                "MaxEventAgeSeconds": _int_range(
                    "Give up starting a run after this long.", 60, 86400
                ),
                "DeadLetterQueueArn": _string_or_intrinsic("SQS queue for runs that fail."),
                "TaskCount": _int_range("Tasks started per run.", 1, 10, 1),
            },
            "required": ["Expression"],
            "additionalProperties": False,
        },
    ],
}

IMAGE: dict[str, Any] = {
    "description": "The container image: a URI, `{Repository, Tag}` of an ECR repository, "
    "or `{Function: LogicalId}` to reuse an image Lambda function's image.",
    "x-expected": "an image URI, {Repository, Tag} or {Function: LogicalId}",
    "anyOf": [
        {"type": "string", "minLength": 1},
        _I,
        {
            "type": "object",
            "properties": {
                "Repository": _string_or_intrinsic("ECR repository name or URI."),
                "Tag": _string_or_intrinsic("Image tag.") | {"default": "latest"},
            },
            "required": ["Repository"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "Function": {
                    "type": "string",
                    "description": "Logical ID of an image Lambda function in this template.",
                }
            },
            "required": ["Function"],
            "additionalProperties": False,
        },
    ],
}

HEALTH_CHECK: dict[str, Any] = {
    "type": "object",
    "description": "Container health check of the main container.",
    "properties": {
        "Command": {
            "type": "array",
            "minItems": 1,
            "items": {"anyOf": [{"type": "string"}, _I]},
            "description": 'For example ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].',
        },
        "Interval": _int_range("Seconds between checks.", 5, 300, 30),
        "Timeout": _int_range("Seconds before a check fails.", 2, 60, 5),
        "Retries": _int_range("Failures before unhealthy.", 1, 10, 3),
        "StartPeriod": _int_range("Grace seconds after start.", 0, 300),
    },
    "required": ["Command"],
    "additionalProperties": False,
}

PORT_MAPPING: dict[str, Any] = {
    "x-expected": "a port number from 1 to 65535 or {ContainerPort, Protocol}",
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 65535},
        {
            "type": "object",
            "properties": {
                "ContainerPort": {"type": "integer", "minimum": 1, "maximum": 65535},
                "Protocol": {"enum": ["tcp", "udp"], "default": "tcp"},
            },
            "required": ["ContainerPort"],
            "additionalProperties": False,
        },
    ],
}

OVERRIDES: dict[str, Any] = {
    "type": "object",
    "description": "Raw CloudFormation properties deep-merged last into what is generated.",
    "properties": {
        "TaskDefinition": {"type": "object", "description": "AWS::ECS::TaskDefinition."},
        "Container": {"type": "object", "description": "The main container definition."},
        "Service": {"type": "object", "description": "AWS::ECS::Service."},
        "Schedule": {"type": "object", "description": "AWS::Scheduler::Schedule."},
    },
    "additionalProperties": False,
}

VOLUME: dict[str, Any] = {
    "type": "object",
    "description": "An EFS file system mounted in the main container, with transit encryption "
    "and IAM authorisation (the task role may mount exactly this file system).",
    "properties": {
        "FileSystemId": _string_or_intrinsic("EFS file system ID (fs-...)."),
        "AccessPointId": _string_or_intrinsic("EFS access point ID (fsap-...)."),
        "RootDirectory": _string_or_intrinsic(
            "Directory of the file system to mount (not with AccessPointId)."
        ),
        "ReadOnly": _bool("Mount read-only (and grant no ClientWrite).", False),
        "MountPath": {
            "type": "string",
            "pattern": "^/",
            "description": "Absolute path in the container.",
            "x-expected": "an absolute path such as /data",
        },
    },
    "required": ["FileSystemId", "MountPath"],
    "additionalProperties": False,
    "x-expected": "a map with FileSystemId and MountPath",
}

# Every task property; each may also stand at the declaration level as every task's default.
TASK_PROPERTIES: dict[str, Any] = {
    "Image": IMAGE,
    "Command": _STRING_LIST | {"description": "Container command (overrides the image's CMD)."},
    "EntryPoint": _STRING_LIST
    | {"description": "Container entry point (overrides the image's ENTRYPOINT)."},
    "Cpu": {
        "description": "Task CPU units.",
        "default": 256,
        "anyOf": [
            {"enum": CPU_VALUES},
            {"enum": [str(c) for c in CPU_VALUES]},
            _I,
        ],
        "x-expected": "one of 256, 512, 1024, 2048, 4096, 8192, 16384",
    },
    "Memory": {
        "description": 'Task memory: MiB as a number, or a string such as "512", "0.5GB", '
        '"2 GB", "3072MB". Must be a Fargate-valid size for the Cpu.',
        "default": 512,
        "anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": MEMORY_PATTERN},
            _I,
        ],
        "x-expected": 'MiB as a whole number, or a size such as "512", "0.5GB", "2 GB", "3072MB"',
    },
    "Architecture": {
        "description": "CPU architecture.",
        "default": "X86_64",
        "anyOf": [{"enum": ["X86_64", "ARM64"]}, _I],
        "x-expected": "X86_64 or ARM64",
    },
    "Environment": {
        "type": "object",
        "description": "Environment variables; numbers and booleans become strings.",
        "additionalProperties": _SCALAR_VALUE,
        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "x-expected": "a map of variable names to values",
    },
    "Secrets": {
        "type": "object",
        "description": "Environment variables read at start from an SSM parameter (name or ARN) "
        "or a Secrets Manager secret ARN; the execution role may read exactly these.",
        "additionalProperties": _string_or_intrinsic("SSM parameter or Secrets Manager ARN."),
        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "x-expected": "a map of variable names to SSM parameters or secret ARNs",
    },
    "Policies": {
        "type": "array",
        "description": "Managed-policy ARNs (strings) and IAM statements (maps) for the task's "
        "own role.",
        "items": {
            "anyOf": [{"type": "string", "minLength": 1}, _I, IAM_STATEMENT],
            "x-expected": "a managed-policy ARN or an IAM statement with Effect, Action, Resource",
        },
        "x-expected": "a list of managed-policy ARNs and IAM statements",
    },
    "TaskRoleArn": _string_or_intrinsic("Use this existing role as the task role."),
    "ExecutionRoleArn": _string_or_intrinsic("Use this existing role as the execution role."),
    "PermissionsBoundary": _string_or_intrinsic(
        "Permissions boundary ARN set on every role the transform creates."
    ),
    "Tags": {
        "type": "object",
        "description": "Tags on every taggable generated resource; tasks get them by propagation.",
        "additionalProperties": _SCALAR_VALUE,
        "x-expected": "a map of tag keys to values",
    },
    "Spot": SPOT,
    "StopTimeout": _int_range(
        "Seconds between SIGTERM and SIGKILL (default 30, or 120 with Spot).", 2, 120
    ),
    "EphemeralStorage": _int_range(
        "Task ephemeral storage in GiB (Fargate's default 20).", 21, 200
    ),
    "ReadonlyRootFilesystem": _bool("Mount the main container's root filesystem read-only.", False),
    "PortMappings": {
        "type": "array",
        "description": "Ports of the main container.",
        "items": PORT_MAPPING,
        "x-expected": "a list of ports",
    },
    "HealthCheck": HEALTH_CHECK,
    "Sidecars": {
        "type": "array",
        "description": "Extra containers, as ECS container definitions in CloudFormation shape.",
        "items": {
            "type": "object",
            "properties": {"Name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,255}$"}},
            "required": ["Name", "Image"],
            "x-expected": "an ECS container definition with Name and Image",
        },
        "x-expected": "a list of container definitions",
    },
    "DependsOn": {
        "type": "array",
        "description": "Logical IDs added to DependsOn of this task's generated resources.",
        "items": {"type": "string", "pattern": "^[A-Za-z0-9]+$"},
        "x-expected": "a list of logical IDs",
    },
    "Volumes": {
        "type": "object",
        "description": "EFS volumes by name.",
        "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,255}$"},
        "additionalProperties": VOLUME,
        "x-expected": "a map of volume names to EFS volumes",
    },
    "Service": SERVICE,
    "Schedule": SCHEDULE,
    "Overrides": OVERRIDES,
}

NETWORK: dict[str, Any] = {
    "type": "object",
    "description": "Where tasks run. Without it (or without Subnets), the region's default VPC.",
    "properties": {
        "Subnets": _STRING_LIST | {"description": "Subnet IDs."},
        "SecurityGroups": _STRING_LIST | {"description": "Security group IDs."},
        "AssignPublicIp": _bool(
            "Give tasks public IPs (default false; true in the default VPC).", False
        ),
    },
    "additionalProperties": False,
}

DECLARATION_PROPERTIES: dict[str, Any] = {
    "Tasks": {
        "type": "object",
        "description": "Task key to task. Keys match `^[A-Za-z][A-Za-z0-9_-]*$`.",
        "minProperties": 1,
        "propertyNames": {"pattern": TASK_KEY_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/Task"},
        "x-expected": "a map of task keys to tasks, with at least one task",
    },
    "Cluster": _string_or_intrinsic(
        "Use this existing cluster (name or ARN). An intrinsic is taken as the cluster's name "
        "unless it is Fn::GetAtt X.Arn or a Ref to a parameter whose value is an ARN. FARGATE "
        "and FARGATE_SPOT are added to it at deploy time (Custom::CapacityProviders)."
    ),
    "ClusterName": {
        "anyOf": [{"type": "string", "pattern": "^[A-Za-z0-9_-]{1,255}$"}, _I],
        "description": "Name of the created cluster.",
        "x-expected": "1-255 letters, digits, hyphens and underscores",
    },
    "ContainerInsights": {
        "description": "Container Insights for the created cluster (default: account setting).",
        "anyOf": [{"enum": ["enabled", "disabled", "enhanced"]}, {"type": "boolean"}],
        "x-expected": "enabled, disabled, enhanced, true or false",
    },
    "LogGroupName": _string_or_intrinsic("Name of the one log group all tasks log to."),
    "LogRetentionInDays": {
        "description": "Log retention in days.",
        "default": 30,
        "anyOf": [{"enum": LOG_RETENTION_VALUES}, _I],
        "x-expected": "one of " + ", ".join(map(str, LOG_RETENTION_VALUES)),
    },
    "Network": NETWORK,
    "InheritGlobals": _bool(
        "Take SAM Globals.Function Environment, VpcConfig, Tags and PermissionsBoundary as "
        "task defaults.",
        True,
    ),
    "Outputs": _bool(
        "Emit the stack outputs (cluster ARN, per task ARNs). Turn off to stay under "
        "CloudFormation's 200 outputs.",
        True,
    ),
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Fargate::Tasks Properties",
    "type": "object",
    "properties": DECLARATION_PROPERTIES | TASK_PROPERTIES,
    "required": ["Tasks"],
    "additionalProperties": False,
    "x-expected": "a map of declaration properties with Tasks",
    "$defs": {
        "Intrinsic": INTRINSIC,
        "Task": {
            "type": "object",
            "properties": TASK_PROPERTIES,
            "additionalProperties": False,
            "x-expected": "a map of task properties",
        },
    },
}

DECLARATION_ONLY = frozenset(DECLARATION_PROPERTIES)


def for_python(schema: Any = SCHEMA) -> Any:
    """The schema with each pattern's final `$` as `\\Z`.

    JSON Schema patterns are ECMA-262, where `$` is the end of the string; Python's `re.search`
    also lets `$` match before a final newline, which would accept a task key "x\\n". Both
    validators use this copy; editors get SCHEMA as written.
    """
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "pattern" and isinstance(value, str) and value.endswith("$"):
                out[key] = value[:-1] + r"\Z"
            else:
                out[key] = for_python(value)
        return out
    if isinstance(schema, list):
        return [for_python(item) for item in schema]
    return schema
