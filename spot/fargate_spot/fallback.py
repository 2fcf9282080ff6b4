"""Services: scale the on-demand twin by what Spot cannot place, and back to zero when the Spot
service is steady again."""

from __future__ import annotations

from typing import Any

from . import FALLBACK_FOR_TAG, FALLBACK_SERVICE_TAG, SERVICE_ID_TAG


def _describe(ecs: Any, cluster: str, service: str) -> dict[str, Any] | None:
    found = ecs.describe_services(cluster=cluster, services=[service], include=["TAGS"])
    services = [s for s in found.get("services", []) if s.get("status") != "INACTIVE"]
    return services[0] if services else None


def _tags(service: dict[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in service.get("tags", [])}


def _points_back(primary: dict[str, Any], twin: dict[str, Any]) -> bool:
    mine, theirs = _tags(primary), _tags(twin)
    if theirs.get(FALLBACK_FOR_TAG) is None or theirs.get(FALLBACK_FOR_TAG) != mine.get(
        SERVICE_ID_TAG
    ):
        return False
    stack = "aws:cloudformation:stack-id"
    return mine.get(stack) == theirs.get(stack)


def on_service_action(ecs: Any, event: dict[str, Any]) -> dict[str, Any]:
    """What was done for one ECS Service Action event; always idempotent."""
    detail = event.get("detail") or {}
    name = detail.get("eventName")
    cluster = detail.get("clusterArn", "")
    service_arn = (event.get("resources") or [""])[0]
    if name == "SERVICE_TASK_PLACEMENT_FAILURE":
        providers = detail.get("capacityProviderArns") or []
        if not any(p.endswith("/FARGATE_SPOT") for p in providers):
            return {"action": "none", "why": "not a Fargate Spot placement failure"}
    elif name != "SERVICE_STEADY_STATE":
        return {"action": "none", "why": f"{name} needs nothing"}

    primary = _describe(ecs, cluster, service_arn)
    tags = _tags(primary or {})
    if primary is None or FALLBACK_FOR_TAG in tags or FALLBACK_SERVICE_TAG not in tags:
        return {"action": "none", "why": "not a ServerlessFargate Spot service with fallback"}
    twin = _describe(ecs, cluster, tags[FALLBACK_SERVICE_TAG])
    if twin is None:
        return {"action": "none", "why": "its on-demand twin is gone"}
    if not _points_back(primary, twin):
        # A tag can be written by anyone who may tag services: act only on a pair that the
        # transform made together (same stack, each naming the other).
        return {"action": "none", "why": "the twin does not name this service back"}

    desired, running = primary["desiredCount"], primary["runningCount"]
    if name == "SERVICE_TASK_PLACEMENT_FAILURE":
        # Never fewer than before: the same event twice asks for the same count.
        target = max(twin["desiredCount"], desired - running)
        reason = detail.get("reason", "")
    else:
        # Steady means every task of the Spot service runs: the twin can stop.
        target = 0 if running >= desired else twin["desiredCount"]
        reason = "spot service steady"
    if target == twin["desiredCount"]:
        return {"action": "none", "why": "the twin already has the count needed", "count": target}
    ecs.update_service(cluster=cluster, service=twin["serviceArn"], desiredCount=target)
    return {
        "action": "fallback" if target > twin["desiredCount"] else "back-to-spot",
        "service": primary["serviceName"],
        "twin": twin["serviceName"],
        "cluster": cluster,
        "count": target,
        "reason": reason,
    }
