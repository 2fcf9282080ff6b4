"""Interrupted scheduled runs: start again, once, on on-demand FARGATE with the same overrides."""

from __future__ import annotations

from typing import Any

from . import (
    PUBLIC_IP_TAG,
    RERUN_DONE_STARTED_BY,
    RERUN_OF_TAG,
    RERUN_STARTED_BY,
    SECURITY_GROUPS_TAG,
    SUBNETS_TAG,
)
from .runner import ON_DEMAND


def _tags(task: dict[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in task.get("tags", [])}


def _already_rerun(ecs: Any, cluster: str, task_id: str) -> str | None:
    """The ARN of an earlier rerun of this task, so a repeated event starts nothing."""
    arns = ecs.list_tasks(cluster=cluster, startedBy=RERUN_DONE_STARTED_BY).get("taskArns", [])
    if not arns:
        return None
    for task in ecs.describe_tasks(cluster=cluster, tasks=arns, include=["TAGS"]).get("tasks", []):
        if _tags(task).get(RERUN_OF_TAG) == task_id:
            return task["taskArn"]
    return None


def on_task_stopped(ecs: Any, event: dict[str, Any]) -> dict[str, Any]:
    detail = event.get("detail") or {}
    if detail.get("stopCode") != "SpotInterruption":
        return {"action": "none", "why": "not a Spot interruption"}
    if detail.get("startedBy") != RERUN_STARTED_BY:
        return {"action": "none", "why": "not a scheduled run with RerunOnInterruption"}
    cluster, task_arn = detail["clusterArn"], detail["taskArn"]
    task_id = task_arn.rsplit("/", 1)[-1]
    earlier = _already_rerun(ecs, cluster, task_id)
    if earlier:
        return {"action": "none", "why": "already rerun", "rerun": earlier}
    described = ecs.describe_tasks(cluster=cluster, tasks=[task_arn], include=["TAGS"])
    tags = _tags((described.get("tasks") or [{}])[0])
    vpc: dict[str, Any] = {
        "subnets": tags.get(SUBNETS_TAG, "").split(),
        "assignPublicIp": tags.get(PUBLIC_IP_TAG, "DISABLED"),
    }
    if tags.get(SECURITY_GROUPS_TAG):
        vpc["securityGroups"] = tags[SECURITY_GROUPS_TAG].split()
    params: dict[str, Any] = {
        "cluster": cluster,
        "taskDefinition": detail["taskDefinitionArn"],
        "count": 1,
        "capacityProviderStrategy": ON_DEMAND,
        "networkConfiguration": {"awsvpcConfiguration": vpc},
        "platformVersion": "LATEST",
        "startedBy": RERUN_DONE_STARTED_BY,
        "overrides": detail.get("overrides") or {},
        "tags": [{"key": RERUN_OF_TAG, "value": task_id}],
        "propagateTags": "TASK_DEFINITION",
        "enableECSManagedTags": True,
        "clientToken": f"rerun-{task_id}"[:64],
    }
    if detail.get("group"):
        params["group"] = detail["group"]
    answer = ecs.run_task(**params)
    started = [t["taskArn"] for t in answer.get("tasks", [])]
    if not started:
        reasons = "; ".join(f.get("reason", "") for f in answer.get("failures", []))
        raise RuntimeError(f"rerun of {task_arn} failed: {reasons}")
    return {
        "action": "rerun",
        "cluster": cluster,
        "interrupted": task_arn,
        "rerun": started[0],
        "reason": detail.get("stoppedReason", "SpotInterruption"),
    }
