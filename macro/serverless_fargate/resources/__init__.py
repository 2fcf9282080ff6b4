"""Builders: one module per generated thing, each a pure function from the model to resources.

`build_declaration` puts them together for one declaration and applies what every generated
resource shares: the declaration's Condition, Metadata and DependsOn.
"""

from __future__ import annotations

from ..declaration import rules
from ..declaration.model import Declaration
from ..errors import InvalidTemplate, Problem, join_path
from ..settings import METADATA_KEY
from . import (
    cluster,
    images,
    invocations,
    logs,
    names,
    network,
    outputs,
    roles,
    scaling,
    schedule,
    service,
    spot,
    task_definition,
    workflow,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any


def build_declaration(
    d: Declaration, service_token: Any, nonce: str, metadata: Any = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(resources, outputs) replacing one declaration, in a stable, readable order.

    Raises InvalidTemplate when what was generated (Overrides included) breaks a rule.
    """
    if metadata is not None and (not isinstance(metadata, dict) or METADATA_KEY in metadata):
        raise InvalidTemplate(
            [
                Problem(
                    f"Resources.{d.logical_id}.Metadata",
                    f"must be a map without the key {METADATA_KEY!r} (the transform writes it "
                    "on each task definition)",
                )
            ]
        )
    pinned = images.plan(d)
    generated: list[tuple[dict[str, Any], list[str]]] = [
        (cluster.resources(d, service_token, nonce), []),
        (network.resources(d, service_token), []),
        (images.resources(d, service_token, nonce, pinned), []),
        (logs.resources(d), []),
        (roles.execution_role(d), []),
    ]
    waits = cluster.dependencies(d)
    for t in d.tasks:
        own = t.depends_on
        generated.append((roles.task_role(d, t), own))
        generated.append((task_definition.resources(d, t, pinned), own))
        if t.kind == "service":
            primary = service.resources(d, t)
            generated.append((primary, own + waits))
            twin = spot.fallback_service(d, t, primary[names.service(d, t)])
            generated.append((twin, own + waits))
            generated.append((scaling.resources(d, t), own))
        elif t.kind == "schedule":
            generated.append((schedule.resources(d, t), own + waits))
        generated.append((invocations.event_resources(d, t), own))
    generated.append((spot.fallback_rule(d), []))
    generated.append((spot.fallback_workflow(d), []))
    generated.append((roles.schedule_role(d), []))
    generated.append((roles.workflow_role(d), []))
    generated.append((workflow.resources(d), waits))
    generated.append((invocations.caller_policies(d), []))

    resources: dict[str, Any] = {}
    problems: list[Problem] = []
    path = f"Resources.{d.logical_id}.Properties"
    for group, depends_on in generated:
        for logical_id, resource in group.items():
            if logical_id in resources:
                # Two names meet: a task `x` has the twin XFallbackService, a task `x-fallback`
                # the service XFallbackService. Never let one overwrite the other.
                problems.append(
                    Problem(
                        join_path(path, "Tasks"),
                        f"two generated resources would both be named {logical_id!r}: rename "
                        "one of the tasks",
                    )
                )
            resources[logical_id] = _decorate(d, resource, depends_on, metadata)
    problems += rules.run("resources", resources, d, path)
    if problems:
        raise InvalidTemplate(sorted(set(problems)))
    result_outputs = outputs.outputs(d)
    if d.condition is not None:
        for output in result_outputs.values():
            output["Condition"] = d.condition
    return resources, result_outputs


def _decorate(
    d: Declaration, resource: dict[str, Any], depends_on: list[str], metadata: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": resource["Type"]}
    if d.condition is not None:
        out["Condition"] = d.condition
    if d.depends_on or depends_on:
        out["DependsOn"] = list(dict.fromkeys(d.depends_on + depends_on))
    if metadata is not None or "Metadata" in resource:
        # The builder's own key (task definitions: METADATA_KEY) beside the declaration's.
        out["Metadata"] = {**(metadata or {}), **resource.get("Metadata", {})}
    for policy in ("DeletionPolicy", "UpdateReplacePolicy"):  # a builder's own choice
        if policy in resource:
            out[policy] = resource[policy]
    out["Properties"] = resource["Properties"]
    return out
