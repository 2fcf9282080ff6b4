"""The JSON Schema of a `Fargate::Tasks` declaration, assembled from the field table.

Used for validation (schema_check.py, fastcheck.py), the reference and the editor schema.
"""

from __future__ import annotations

from .fields import DECLARATION_FIELDS, TASK_FIELDS
from .schema_parts import INTRINSIC, for_python  # noqa: F401 - for_python is part of this API

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

SCHEMA_ID = "https://serverless-fargate.dev/schema/fargate-tasks.json"

TASK_PROPERTIES: dict[str, Any] = {f.name: f.schema() for f in TASK_FIELDS}
DECLARATION_PROPERTIES: dict[str, Any] = {f.name: f.schema() for f in DECLARATION_FIELDS}
SPOT = TASK_PROPERTIES["Spot"]
SERVICE = TASK_PROPERTIES["Service"]
SCHEDULE = TASK_PROPERTIES["Schedule"]

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
