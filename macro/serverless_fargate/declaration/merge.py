"""Merging: SAM Globals, then the declaration's defaults, then the task's own values.

The result is a typed view of one task that knows, for every value, the path it came from
(so a problem with an inherited value points at where it was written), and answers the field
table's default for anything no layer gives.
"""

from __future__ import annotations

from ..errors import join_path
from ..record import record
from . import fields
from .fields import CONCAT, DEEP, KIND_KEYS, MAP

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

    from .model import Kind


@record
class TaskInput:
    """One task's merged values, with where each was written."""

    key: str  # as written; also the main container's name
    name: str  # PascalCase, for logical IDs
    path: str  # Resources.D.Properties.Tasks.key
    values: dict[str, Any]  # merged; only what some layer gave
    origin: dict[str, str]  # property → path of the map (layer) whose value won
    own: dict[str, Any]  # the task's own map, as written
    kind: Kind
    # The field table's defaults (fields.defaults), read from the table once per declaration:
    # rules and assembly ask for dozens of fields a task does not give.
    defaults: dict[str, Any]

    def get(self, name: str) -> Any:
        """The merged value, else the field table's default (None when it has none)."""
        values = self.values
        if name in values:
            return values[name]
        return self.defaults[name]

    def given(self, name: str) -> bool:
        return name in self.values

    def where(self, name: str) -> str:
        return join_path(self.origin.get(name, self.path), name)

    def inherited(self, name: str) -> bool:
        return name in self.origin and self.origin[name] != self.path


@record
class DeclarationInput:
    """What declaration rules see: the declaration as written, its merged tasks, the template."""

    logical_id: str
    path: str  # Resources.D.Properties
    properties: dict[str, Any]
    tasks: tuple[TaskInput, ...]  # tasks whose shape is valid
    resources: dict[str, Any]  # the template's resources, to check references
    parameters: dict[str, Any]  # parameter values (and pseudo parameters) known now
    inherited: dict[str, Any]  # task defaults from SAM Globals.Function (InheritGlobals)
    names: frozenset[str]  # every task's PascalCase name, so a rule need not rebuild it per task


def merge_task(
    key: str,
    name: str,
    path: str,
    layers: list[tuple[dict[str, Any], str]],
    own: dict[str, Any],
    kind_source: tuple[dict[str, Any], str],
    defaults: dict[str, Any],
) -> TaskInput:
    """Merge the layers (later wins, by each field's merge rule). A task's own Service,
    Schedule, Events or Callers decide its kind; the declaration's are only a default
    (`kind_source`). `defaults`: fields.defaults(fields.TASK), made once for all tasks."""
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    table = fields.TASK
    for layer, where in layers:
        for k, value in layer.items():
            row = table.get(k)
            if row is None or k in KIND_KEYS:
                continue
            before = values.get(k)
            rule = row.merge
            if before is None:  # the first layer to give it: no rule has anything to merge
                values[k] = value
            elif rule == MAP and isinstance(before, dict) and isinstance(value, dict):
                values[k] = {**before, **value}
            elif rule == CONCAT and isinstance(before, list) and isinstance(value, list):
                values[k] = before + value
            elif rule == DEEP and isinstance(before, dict) and isinstance(value, dict):
                values[k] = deep_merge(before, value)
            else:
                values[k] = value
            origin[k] = where  # a value's own path is spelled out only when asked (`where`)
    source, where = kind_source
    for k in KIND_KEYS:
        if k in source:
            values[k], origin[k] = source[k], where
    return TaskInput(key, name, path, values, origin, own, _kind(values), defaults)


def _kind(values: dict[str, Any]) -> Kind:
    if values.get("Schedule") is not None:
        return "schedule"
    if values.get("Events") or values.get("Callers"):
        return "invoked"
    return "standalone" if values.get("Service") is False else "service"


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """`top` merged into a copy of `base`; maps merge recursively, anything else is replaced.

    Values are shared, not copied: nothing downstream mutates them.
    """
    out = dict(base)
    for key, value in top.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
