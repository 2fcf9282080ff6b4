"""JSON Schema building blocks: the shapes values may take. No defaults live here.

Each shape carries `x-expected`, the short "what would be valid" text error messages quote.
The field table (fields.py) gives every property its shape, description and default.
"""

from __future__ import annotations

from . import fargate

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

# Every intrinsic function CloudFormation offers; scan.py checks each one's argument shape.
INTRINSIC: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "propertyNames": {"pattern": "^(Ref|Fn::[A-Za-z0-9]+)$"},
    "properties": {"Ref": {"type": "string", "minLength": 1}},
    "description": "A CloudFormation intrinsic function such as Ref or Fn::Sub.",
}
I = {"$ref": "#/$defs/Intrinsic"}  # noqa: E741 - reads as "or an intrinsic" in every shape

LOG_RETENTION_VALUES = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
]  # fmt: skip
TASK_KEY_PATTERN = "^[A-Za-z][A-Za-z0-9_-]*$"
ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
LOGICAL_ID_PATTERN = "^[A-Za-z0-9]{1,255}$"
# Tag keys AWS reserves (aws:) and the ones this project's IAM conditions trust.
TAG_KEY_PATTERN = "^(?![Aa][Ww][Ss]:)(?!serverless-fargate:)[^\\x00-\\x1f]{1,128}$"


def string(**extra: Any) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "string", "minLength": 1, **extra}, I],
        "x-expected": "a non-empty string or an intrinsic function",
    }


def arn(service: str) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "string", "pattern": f"^arn:[a-z-]+:{service}:"}, I],
        "x-expected": f"an {service.upper()} ARN (arn:aws:{service}:...) or an intrinsic function",
    }


def int_range(low: int, high: int) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "integer", "minimum": low, "maximum": high}, I],
        "x-expected": f"a whole number from {low} to {high}",
    }


BOOL = {"anyOf": [{"type": "boolean"}, I], "x-expected": "true or false"}

STRING_LIST = {
    "anyOf": [{"type": "array", "items": {"anyOf": [{"type": "string"}, I]}}, I],
    "x-expected": "a list of strings",
}
ID_LIST = {
    "anyOf": [{"type": "array", "items": {"anyOf": [{"type": "string", "minLength": 1}, I]}}, I],
    "x-expected": "a list of IDs",
}

SCALAR_VALUE = {
    "anyOf": [{"type": ["string", "number", "boolean"]}, I],
    "x-expected": "a string, number, boolean or intrinsic function",
}

_ACTIONS = {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1}, I]}
IAM_STATEMENT: dict[str, Any] = {
    "type": "object",
    "description": "An IAM policy statement.",
    "properties": {
        "Sid": {"type": "string"},
        "Effect": {"enum": ["Allow", "Deny"], "x-expected": "Allow or Deny"},
        "Action": _ACTIONS,
        "NotAction": _ACTIONS,
        "Resource": _ACTIONS,
        "NotResource": _ACTIONS,
        "Condition": {"anyOf": [{"type": "object"}, I]},
    },
    "required": ["Effect"],  # the rule iam.statement checks the action and resource elements
    "additionalProperties": False,
    "x-expected": "an IAM statement with Effect, Action and Resource",
}

CPU = {
    "anyOf": [
        {"enum": fargate.CPU_VALUES},
        {"enum": [str(c) for c in fargate.CPU_VALUES]},
        I,
    ],
    "x-expected": "one of " + ", ".join(map(str, fargate.CPU_VALUES)),
}
MEMORY = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": fargate.LARGEST_MEMORY},
        {"type": "string", "pattern": fargate.MEMORY_PATTERN},
        I,
    ],
    "x-expected": 'MiB as a whole number, or a size such as "512", "0.5GB", "2 GB", "3072MB"',
}

SIDECAR: dict[str, Any] = {
    "type": "object",
    "properties": {"Name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,255}$"}},
    "required": ["Name", "Image"],
    "x-expected": "an ECS container definition with Name and Image",
}

OVERRIDES: dict[str, Any] = {
    "type": "object",
    "properties": {
        "TaskDefinition": {"type": "object", "description": "AWS::ECS::TaskDefinition."},
        "Container": {"type": "object", "description": "The main container definition."},
        "Service": {"type": "object", "description": "AWS::ECS::Service."},
        "Schedule": {"type": "object", "description": "AWS::Scheduler::Schedule."},
    },
    "additionalProperties": False,
}


def for_python(schema: Any) -> Any:
    """The schema with each pattern's final `$` as `\\Z`.

    JSON Schema patterns are ECMA-262, where `$` is the end of the string; Python's `re.search`
    also lets `$` match before a final newline, which would accept a task key "x\\n". Both
    validators use this copy; editors get the schema as written.
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
