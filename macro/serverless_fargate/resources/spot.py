"""Fargate Spot: capacity provider strategies, and the pieces its fallback needs.

- Services with `Fallback`: an on-demand twin service (same task definition, FARGATE only).
  The application's Spot handler scales the twin up by the tasks the Spot service cannot place
  (SERVICE_TASK_PLACEMENT_FAILURE) and back to zero once the Spot service is steady. The twin
  has no DesiredCount in the template, so a deploy never resets what the handler set.
- Scheduled tasks: the workflow (resources/workflow.py) runs on Spot, runs again on FARGATE in
  the same execution when Spot capacity is short (`Fallback`), and reruns an interrupted run on
  FARGATE once it has stopped (`RerunOnInterruption`).
"""

from __future__ import annotations

from ..declaration.model import Declaration, Task
from ..intrinsics import get_att, ref
from ..settings import FALLBACK_FOR_TAG, FALLBACK_SERVICE_TAG, SERVICE_ID_TAG
from . import names

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs the cold start
    from typing import Any

ON_DEMAND = [{"CapacityProvider": "FARGATE", "Weight": 1}]


def strategy(t: Task) -> list[dict[str, Any]]:
    """Always a strategy, never a launch type: switching Spot on or off then updates in place."""
    if t.spot is None:
        return [dict(item) for item in ON_DEMAND]
    spot = t.spot
    items: list[dict[str, Any]] = []
    if spot.on_demand_base != 0 or spot.on_demand_weight != 0:
        items.append(
            {
                "CapacityProvider": "FARGATE",
                "Base": spot.on_demand_base,
                "Weight": spot.on_demand_weight,
            }
        )
    items.append({"CapacityProvider": "FARGATE_SPOT", "Weight": spot.spot_weight})
    return items


def has_fallback_service(t: Task) -> bool:
    return t.kind == "service" and t.spot is not None and t.spot.fallback


def primary_tags(d: Declaration, t: Task) -> list[dict[str, Any]]:
    """Tags on the Spot service that tell the handler which twin to scale; the twin's
    FALLBACK_FOR_TAG names the service back (the handler checks that both agree)."""
    if not has_fallback_service(t):
        return []
    return [
        {
            "Key": FALLBACK_SERVICE_TAG,
            "Value": {"Fn::GetAtt": [names.fallback_service(d, t), "Name"]},
        },
        {"Key": SERVICE_ID_TAG, "Value": names.service(d, t)},
    ]


def fallback_rule(d: Declaration, spot_function: Any) -> dict[str, Any]:
    """The ECS events of exactly this declaration's Spot services, to the Spot function.

    One rule per declaration, matching the services' ARNs: the function hears of these
    services only, not of every service in the region.
    """
    services = [t for t in d.tasks if has_fallback_service(t)]
    if not services:
        return {}
    rule = names.spot_fallback_rule(d)
    return {
        rule: {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": f"Spot services of {d.logical_id} to their on-demand twins "
                "(ServerlessFargate)",
                "EventPattern": {
                    "source": ["aws.ecs"],
                    "detail-type": ["ECS Service Action"],
                    "resources": [ref(names.service(d, t)) for t in services],
                    "detail": {
                        "eventName": ["SERVICE_TASK_PLACEMENT_FAILURE", "SERVICE_STEADY_STATE"]
                    },
                },
                "State": "ENABLED",
                "Targets": [{"Id": "SpotFallback", "Arn": spot_function}],
            },
        },
        names.spot_fallback_permission(d): {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": spot_function,
                "Principal": "events.amazonaws.com",
                "SourceArn": get_att(rule, "Arn"),
            },
        },
    }


def fallback_service(d: Declaration, t: Task, primary: dict[str, Any]) -> dict[str, Any]:
    """The on-demand twin of a Spot service, from the primary's own properties."""
    if not has_fallback_service(t):
        return {}
    properties = {
        k: v for k, v in primary["Properties"].items() if k not in ("DesiredCount", "Tags")
    }
    properties["CapacityProviderStrategy"] = [{"CapacityProvider": "FARGATE", "Weight": 1}]
    tags = [
        tag
        for tag in primary["Properties"].get("Tags", [])
        if tag["Key"] not in (FALLBACK_SERVICE_TAG, SERVICE_ID_TAG)
    ]
    properties["Tags"] = [*tags, {"Key": FALLBACK_FOR_TAG, "Value": names.service(d, t)}]
    return {names.fallback_service(d, t): {"Type": "AWS::ECS::Service", "Properties": properties}}
