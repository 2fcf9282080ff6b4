"""Scheduled runs: RunTask on Spot; when Spot capacity is short, the missing tasks on FARGATE.

Invoked by EventBridge Scheduler with the input the transform writes (resources/spot.py). A failure
that is not about capacity is not retried on on-demand: it raises, so Scheduler's retry policy
and dead-letter queue apply.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from . import (
    PUBLIC_IP_TAG,
    RERUN_STARTED_BY,
    SECURITY_GROUPS_TAG,
    STARTED_BY,
    SUBNETS_TAG,
)

ON_DEMAND = [{"capacityProvider": "FARGATE", "weight": 1}]


class RunFailed(Exception):
    pass


def is_capacity_shortage(reason: str) -> bool:
    return "capacity is unavailable" in reason.lower() or "insufficient capacity" in reason.lower()


def _split(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


def network(request: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "subnets": _split(request["subnets"]),
        "assignPublicIp": request.get("assignPublicIp", "DISABLED"),
    }
    groups = _split(request.get("securityGroups", ""))
    if groups:
        config["securityGroups"] = groups
    return {"awsvpcConfiguration": config}


def network_tags(config: dict[str, Any]) -> list[dict[str, str]]:
    """The network as task tags, so an interrupted run can be started again where it ran.

    Tag values allow 256 characters and no commas: IDs are joined with spaces, as many as fit.
    """

    def fit(ids: list[str]) -> str:
        out = ""
        for item in ids:
            candidate = f"{out} {item}".strip()
            if len(candidate) > 256:
                break
            out = candidate
        return out

    vpc = config["awsvpcConfiguration"]
    tags = [
        {"key": SUBNETS_TAG, "value": fit(vpc["subnets"])},
        {"key": PUBLIC_IP_TAG, "value": vpc["assignPublicIp"]},
    ]
    if vpc.get("securityGroups"):
        tags.append({"key": SECURITY_GROUPS_TAG, "value": fit(vpc["securityGroups"])})
    return tags


def spot_strategy(strategy: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    if strategy.get("base", 0) or strategy.get("onDemandWeight", 0):
        items.append(
            {
                "capacityProvider": "FARGATE",
                "base": strategy.get("base", 0),
                "weight": strategy.get("onDemandWeight", 0),
            }
        )
    items.append({"capacityProvider": "FARGATE_SPOT", "weight": strategy.get("spotWeight", 1)})
    return items


def _run(ecs: Any, params: dict[str, Any], strategy: list[dict[str, Any]], count: int, token: str):
    """(started task ARNs, capacity failures, other failures)."""
    try:
        answer = ecs.run_task(
            **params, count=count, capacityProviderStrategy=strategy, clientToken=token
        )
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", str(error))
        if is_capacity_shortage(message):
            return [], [message] * count, []
        raise
    started = [task["taskArn"] for task in answer.get("tasks", [])]
    reasons = [failure.get("reason", "") for failure in answer.get("failures", [])]
    shortage = [r for r in reasons if is_capacity_shortage(r)]
    other = [r for r in reasons if not is_capacity_shortage(r)]
    return started, shortage, other


def run(ecs: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Start one scheduled run; returns what happened (for the structured log line)."""
    rerun = request.get("rerunOnInterruption") is True
    config = network(request)
    params: dict[str, Any] = {
        "cluster": request["cluster"],
        "taskDefinition": request["taskDefinition"],
        "networkConfiguration": config,
        "platformVersion": "LATEST",
        "startedBy": RERUN_STARTED_BY if rerun else STARTED_BY,
        "propagateTags": "TASK_DEFINITION",
        "enableECSManagedTags": True,
    }
    if rerun:
        params["tags"] = network_tags(config)
    count = int(request.get("count", 1))
    token = str(request.get("executionId") or "")[:56] or "run"
    started, shortage, other = _run(
        ecs, params, spot_strategy(request.get("strategy", {})), count, token
    )
    outcome: dict[str, Any] = {
        "task": request.get("task"),
        "cluster": request["cluster"],
        "spot": len(started),
        "on_demand": 0,
    }
    if other:
        raise RunFailed(f"RunTask failed for {request.get('task')}: {'; '.join(other)}")
    if shortage:
        if request.get("fallback") is False:
            raise RunFailed(f"no Fargate Spot capacity for {request.get('task')}: {shortage[0]}")
        missing = count - len(started)
        more, shortage_again, other_again = _run(ecs, params, ON_DEMAND, missing, token + "-od")
        if other_again or shortage_again:
            reasons = other_again + shortage_again
            raise RunFailed(
                f"on-demand fallback failed for {request.get('task')}: {'; '.join(reasons)}"
            )
        outcome.update(on_demand=len(more), fallback=True, reason=shortage[0])
        started += more
    outcome["tasks"] = started
    return outcome
