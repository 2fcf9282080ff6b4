"""`serverless-fargate status STACK`: the state of every task of every declaration.

Services: desired/running/pending, how many run on Spot and how many on the on-demand twin,
the last deployment and the circuit breaker's verdict. Schedules: expression, time zone, next
run and the last runs (through the workflow) with exit code, duration and capacity.
Standalone tasks: how many of their runs go on now. `collect` asks AWS (through stack.py);
`render` is pure.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..declaration.model import WATCHED_KINDS
from . import stack as lookups
from .schedules import next_run, utc_now

LAST_RUNS = 5


def collect(aws: lookups.Aws, stack: lookups.Stack, now: datetime | None = None) -> dict[str, Any]:
    now = now or utc_now()
    described = lookups.services(aws, [t for t in stack.tasks if t.kind == "service"])
    rows = []
    for task in stack.tasks:
        row: dict[str, Any] = {
            "declaration": task.declaration,
            "task": task.key,
            "label": task.label,
            "kind": task.kind,
        }
        if task.kind == "service":
            row.update(_service(task, described))
        elif task.kind in WATCHED_KINDS:  # scheduled, or invoked by events and callers
            row.update(_schedule(aws, task, now))
        else:
            row["taskDefinition"] = task.task_definition
            row["running"] = len(lookups.running_tasks(aws, task))
        rows.append(row)
    return {"stack": stack.name, "region": stack.region, "tasks": rows}


def _service(task: lookups.Task, described: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spot = described.get(task.service or "")
    if spot is None or spot.get("status") == "INACTIVE":  # ECS keeps a deleted one a while
        return {
            "service": None,
            "problem": "the service is not in ECS (deleted outside the stack?): deploy again",
        }
    twin = described.get(task.fallback_service or "")
    primary: dict[str, Any] = next(
        (d for d in spot.get("deployments", []) if d.get("status") == "PRIMARY"), {}
    )
    breaker = (spot.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}
    rollout = primary.get("rolloutState")
    if not breaker.get("enable"):
        verdict = "off"
    elif rollout == "FAILED":
        verdict = "tripped" + (", rolled back" if breaker.get("rollback") else "")
    elif primary.get("failedTasks"):
        verdict = f"watching ({primary['failedTasks']} failed tasks so far)"
    else:
        verdict = "ok"
    on_spot = any(
        s.get("capacityProvider") == "FARGATE_SPOT"
        for s in spot.get("capacityProviderStrategy", [])
    )
    return {
        "service": spot["serviceName"],
        "status": spot.get("status"),
        # The twin only stands in for Spot tasks that could not be placed: the Spot service's
        # desired count is what the user asked for.
        "desired": spot.get("desiredCount", 0),
        "running": spot.get("runningCount", 0) + (twin or {}).get("runningCount", 0),
        "pending": spot.get("pendingCount", 0) + (twin or {}).get("pendingCount", 0),
        "capacity": "FARGATE_SPOT" if on_spot else "FARGATE",
        "onSpotService": spot.get("runningCount", 0),
        "onFallback": (twin or {}).get("runningCount", 0) if twin else None,
        "deployment": rollout,
        "deploymentReason": primary.get("rolloutStateReason"),
        "circuitBreaker": verdict,
        "execEnabled": bool(spot.get("enableExecuteCommand")),
    }


def _schedule(aws: lookups.Aws, task: lookups.Task, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if task.schedule:
        s = lookups.schedule(aws, task)
        # rate() counts from the schedule's StartDate (an Override) or else its creation.
        start = s.get("StartDate") or s.get("CreationDate")
        upcoming = next_run(
            s["ScheduleExpression"], s.get("ScheduleExpressionTimezone"), now, start
        )
        if upcoming and s.get("EndDate") and upcoming > s["EndDate"]:
            upcoming = None
        row.update(
            {
                "schedule": s["Name"],
                "group": s.get("GroupName", "default"),
                "expression": s["ScheduleExpression"],
                "timezone": s.get("ScheduleExpressionTimezone", "UTC"),
                "state": s.get("State"),
                "nextRun": upcoming.isoformat()
                if upcoming and s.get("State") == "ENABLED"
                else None,
            }
        )
    if task.workflow:
        capacity = lookups.workflow_settings(aws, task).get("capacity", [])
        row["spot"] = any(c.get("CapacityProvider") == "FARGATE_SPOT" for c in capacity)
    row["lastRuns"] = lookups.last_runs(aws, task, LAST_RUNS)
    return row


# --- Rendering (pure) -----------------------------------------------------------------------

GREEN, RED, YELLOW, DIM, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"


def render(status: dict[str, Any], colour: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    rows = status["tasks"]
    width = max(len(r["label"]) for r in rows)
    kind_width = max(len(r["kind"]) for r in rows)
    lines = [f"Stack {status['stack']} ({status['region']})", ""]
    for r in rows:
        head = f"{r['label']:<{width}}  {r['kind']:<{kind_width}}  "
        pad = " " * len(head)
        details = _details(r, paint, status["stack"])
        lines.append(head + details[0])
        lines += [pad + line for line in details[1:]]
    return "\n".join(lines)


def _details(r: dict[str, Any], paint: Any, stack: str) -> list[str]:
    if r["kind"] == "service":
        if r.get("service") is None:
            return [paint(r["problem"], RED)]
        healthy = r["running"] >= r["desired"] and r["status"] == "ACTIVE"
        count = paint(f"{r['running']}/{r['desired']} running", GREEN if healthy else YELLOW)
        where = f"on Spot {r['onSpotService']}" if r["capacity"] == "FARGATE_SPOT" else ""
        if r["onFallback"] is not None:
            fallback = f"on-demand fallback {r['onFallback']}"
            where = f"{where}, {paint(fallback, YELLOW) if r['onFallback'] else fallback}"
        elif r["capacity"] == "FARGATE":
            where = "on-demand"
        first = f"{count} ({where}), {r['pending']} pending"
        deployment = r.get("deployment") or "unknown"
        colour = {"COMPLETED": GREEN, "FAILED": RED}.get(deployment, YELLOW)
        second = f"deployment {paint(deployment, colour)}"
        if r.get("deploymentReason") and deployment != "COMPLETED":
            second += f": {r['deploymentReason']}"
        breaker = r["circuitBreaker"]
        second += (
            f"; circuit breaker {paint(breaker, RED) if breaker.startswith('tripped') else breaker}"
        )
        if r.get("execEnabled"):
            second += "; exec enabled"
        return [first, second]
    if r["kind"] in WATCHED_KINDS:
        if r["kind"] == "schedule":
            first = f"{r.get('expression', '?')} {r.get('timezone', '')}, {r.get('state', '?')}"
            if r.get("nextRun"):
                first += f", next {local_time(r['nextRun'], r.get('timezone'))}"
        else:
            first = f"started by events and callers; or: serverless-fargate run {stack} " + (
                f"{r['label']} --input JSON"
            )
        lines = [first]
        if not r["lastRuns"]:
            lines.append(paint("no runs yet", DIM))
        for i, run in enumerate(r["lastRuns"]):
            label = "last runs: " if i == 0 else "           "
            lines.append(label + _run_line(run, paint, r.get("spot", False)))
        return lines
    start = f"start it: serverless-fargate run {stack} {r['label']}"
    if r.get("running"):
        return [paint(f"{r['running']} running now", GREEN) + f"; {start}"]
    return [start]


def _run_line(run: dict[str, Any], paint: Any, spot: bool) -> str:
    colour = {"SUCCEEDED": GREEN, "RUNNING": YELLOW}.get(run["status"], RED)
    started = datetime.fromisoformat(run["started"]).astimezone(UTC)
    parts = [paint(f"{run['status']:<9}", colour), started.strftime("%Y-%m-%d %H:%M UTC")]
    if run["exitCode"] is not None:
        parts.append(f"exit {run['exitCode']}")
    if run["seconds"] is not None:
        parts.append(duration(run["seconds"]))
    if run["onDemand"]:
        parts.append("on-demand (Spot fell short)" if spot else "on-demand")
    elif run["onDemand"] is not None:
        parts.append("Spot" if spot else "on-demand")
    if run["reason"] and run["status"] != "SUCCEEDED":
        parts.append(str(run["reason"]))
    return "  ".join(parts)


def local_time(iso: str, zone: str | None) -> str:
    """`2026-11-30 03:00 CET`: in the schedule's own time zone, named as people do."""
    when = datetime.fromisoformat(iso)
    with contextlib.suppress(ZoneInfoNotFoundError, ValueError):  # else as it came
        when = when.astimezone(ZoneInfo(zone or "UTC"))
    return when.strftime("%Y-%m-%d %H:%M %Z").strip()


def duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
