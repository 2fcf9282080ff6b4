"""Fargate Spot: capacity provider strategies, and the pieces its fallback needs.

- Services with `Fallback`: an on-demand twin service (same task definition, FARGATE only).
  The application's Spot handler scales the twin up by the tasks the Spot service cannot place
  (SERVICE_TASK_PLACEMENT_FAILURE) and back to zero once the Spot service is steady. The twin
  has no DesiredCount in the template, so a deploy never resets what the handler set.
- Scheduled tasks with `Fallback` or `RerunOnInterruption`: the schedule invokes the
  application's runner (the same Lambda), which calls RunTask on Spot, retries on FARGATE when
  Spot capacity is short, and starts an interrupted run again on FARGATE.
"""

from __future__ import annotations

from ..declaration import model
from ..declaration.model import Declaration, Task
from ..intrinsics import ref, sub
from ..settings import FALLBACK_FOR_TAG, FALLBACK_SERVICE_TAG
from . import cluster, names, network

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


def uses_runner(t: Task) -> bool:
    return model.uses_runner(t.kind, t.spot)


def primary_tags(d: Declaration, t: Task) -> list[dict[str, Any]]:
    """Tags on the Spot service that tell the handler which twin to scale."""
    if not has_fallback_service(t):
        return []
    return [
        {
            "Key": FALLBACK_SERVICE_TAG,
            "Value": {"Fn::GetAtt": [names.fallback_service(d, t), "Name"]},
        }
    ]


def fallback_service(d: Declaration, t: Task, primary: dict[str, Any]) -> dict[str, Any]:
    """The on-demand twin of a Spot service, from the primary's own properties."""
    if not has_fallback_service(t):
        return {}
    properties = {
        k: v for k, v in primary["Properties"].items() if k not in ("DesiredCount", "Tags")
    }
    properties["CapacityProviderStrategy"] = [{"CapacityProvider": "FARGATE", "Weight": 1}]
    tags = [
        tag for tag in primary["Properties"].get("Tags", []) if tag["Key"] != FALLBACK_SERVICE_TAG
    ]
    properties["Tags"] = [*tags, {"Key": FALLBACK_FOR_TAG, "Value": names.service(d, t)}]
    return {names.fallback_service(d, t): {"Type": "AWS::ECS::Service", "Properties": properties}}


def runner_input(d: Declaration, t: Task) -> dict[str, Any]:
    """Scheduler's Input for the runner: a JSON string, built with Fn::Sub.

    `<aws.scheduler.execution-id>` is filled in by Scheduler per run; the runner uses it as
    RunTask's client token, so a run delivered twice starts once.
    """
    spot = t.spot
    assert spot is not None and t.schedule is not None
    config = network.awsvpc(d, t)["AwsvpcConfiguration"]
    variables = {
        "Cluster": cluster.arn(d),
        "TaskDefinition": ref(names.task_definition(d, t)),
        "Subnets": {"Fn::Join": [",", config["Subnets"]]},
        "SecurityGroups": {"Fn::Join": [",", config.get("SecurityGroups", [])]},
        "AssignPublicIp": config["AssignPublicIp"],
        "TaskCount": _text(t.schedule.task_count),
        "Base": _text(spot.on_demand_base),
        "OnDemandWeight": _text(spot.on_demand_weight),
        "SpotWeight": _text(spot.spot_weight),
    }
    text = (
        '{"action":"run","task":"' + t.key + '","declaration":"' + d.logical_id + '",'
        '"cluster":"${Cluster}","taskDefinition":"${TaskDefinition}",'
        '"subnets":"${Subnets}","securityGroups":"${SecurityGroups}",'
        '"assignPublicIp":"${AssignPublicIp}","count":${TaskCount},'
        '"strategy":{"base":${Base},"onDemandWeight":${OnDemandWeight},"spotWeight":${SpotWeight}},'
        f'"fallback":{str(spot.fallback).lower()},'
        f'"rerunOnInterruption":{str(spot.rerun_on_interruption).lower()},'
        '"executionId":"<aws.scheduler.execution-id>"}'
    )
    return sub(text, variables)


def _text(value: Any) -> Any:
    """A Fn::Sub variable: numbers as text, intrinsics as written."""
    return value if isinstance(value, dict) else str(value)
