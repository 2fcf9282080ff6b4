"""`serverless-fargate status STACK`: the state of every task of every declaration.

Services: desired/running/pending, how many run on Spot and how many on the on-demand twin,
the last deployment and the circuit breaker's verdict. Schedules: expression, time zone, next
run and the last runs (through the workflow) with exit code, duration and capacity: those ECS
still lists, else CloudWatch's count of runs and how the last ended, to the hour.
Standalone tasks: how many of their runs go on now. `collect` asks AWS (through lookups.py);
`render` is pure.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..declaration.model import WATCHED_KINDS
from ..resources import workflow_contract as contract
from . import lookups
from .aws import Aws
from .errors import CREDENTIALS, OpsError
from .model import Stack, Task
from .schedules import next_run, utc_now

LAST_RUNS = 5
# AWS calls `status` of a whole stack makes at most (the bound, for 50 tasks): older
# runs' executions are read only within what the rest left.
CALLS = 30
LAST_STOPPED = 3  # a service's last stopped tasks shown with --tasks


def collect(
    aws: Aws,
    stack: Stack,
    now: datetime | None = None,
    *,
    per_task: bool = False,
    only: str | None = None,
) -> dict[str, Any]:
    """The state of the stack's tasks (or of `only`) in a bounded number of calls: each
    lookup made once for all tasks (services 10 at a time, a cluster's tasks 100 at a time,
    the workflows' run counts 60 at a time, a schedule group once), concurrently; at most
    CALLS for a whole stack of 50 tasks. With `per_task`, each service's tasks; with `only`,
    each last run described in full from its execution."""
    now = now or utc_now()
    chosen = [stack.task(only)] if only else stack.tasks
    services = [t for t in chosen if t.kind == "service"]
    scheduled = [t for t in chosen if t.kind in WATCHED_KINDS]
    described = lookups.services(aws, services)
    # One task per workflow: its definition holds every task's settings (asked of AWS only
    # when the deployed template does not hold them).
    with_workflow = list({t.workflow: t for t in scheduled if t.workflow}.values())
    unknown = [t for t in with_workflow if _capacity(t) is None]
    lookups.concurrently(lambda t: lookups.workflow_settings(aws, t), unknown)
    desired = ["RUNNING"] if per_task or len(services) < len(chosen) else []
    if scheduled or (per_task and services):
        desired.append("STOPPED")
    clusters = sorted(
        {lookups.cluster_of(aws, t) for t in chosen if t.cluster or t.kind in WATCHED_KINDS}
    )
    ecs = lookups.cluster_tasks(aws, clusters, desired) if desired else {}
    found_schedules = lookups.schedules(aws, scheduled)
    found = _runs(aws, stack, scheduled, ecs, now, only is not None)
    warnings = [found.refused] if found.refused else []
    rows = []
    for task in chosen:
        row: dict[str, Any] = {
            "declaration": task.declaration,
            "task": task.key,
            "label": task.label,
            "kind": task.kind,
        }
        cluster = ecs.get(task.cluster or "") if task.cluster else None
        if task.kind == "service":
            row.update(_service(task, described))
            if per_task and row.get("service"):
                row.update(_service_tasks(task, described, cluster))
        elif task.kind in WATCHED_KINDS:  # scheduled, or invoked by events and callers
            row.update(_schedule(aws, task, now, found_schedules))
            row["lastRuns"] = found.runs.get(task.key, [])
            known = found.counts.get(task.workflow or "") if found.counts is not None else None
            row["metrics"] = known.as_json() if known else None
            executions = found.listed.get(task.workflow or "")
            if not row["lastRuns"] and executions and not executions.complete:
                row["lookedAt"] = len(executions.items)  # "none in the last N executions"
            row["executionsRead"] = executions is not None
            if not only:
                row["laterRun"] = _later_run(row["lastRuns"], known)
            if task in found.unread or row.get("laterRun"):
                row["detailsAt"] = f"serverless-fargate status {stack.name} {task.label}"
        else:
            row["taskDefinition"] = task.task_definition
            if cluster is None:
                row["running"] = None
            else:
                row["running"] = sum(
                    1
                    for t in cluster.tasks
                    if t.get("lastStatus") != "STOPPED"
                    and t.get("desiredStatus") == "RUNNING"
                    and lookups.family_of(t) == task.family
                    and not str(t.get("group", "")).startswith("service:")
                )
                row["runningAtLeast"] = not cluster.complete
        rows.append(row)
    return {"stack": stack.name, "region": stack.region, "tasks": rows, "warnings": warnings}


@dataclass
class _Runs:
    """The scheduled tasks' last runs, and what says how many there were."""

    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by task key
    counts: dict[str, lookups.RunCounts] | None = field(default_factory=dict)  # by workflow
    listed: dict[str, lookups.Executions] = field(default_factory=dict)  # the workflows read
    unread: list[Task] = field(default_factory=list)  # ran, but not read: "details: ..."
    refused: str | None = None  # why there are no counts (cloudwatch:GetMetricData refused)


def _runs(
    aws: Aws,
    stack: Stack,
    scheduled: list[Task],
    ecs: dict[str, lookups.ClusterTasks],
    now: datetime,
    in_full: bool,
) -> _Runs:
    """In full (one task): its workflow's last executions, each one's result. Of a whole
    stack: the runs ECS still lists (one listing of each cluster), CloudWatch's counts (one
    GetMetricData per 60 workflows), and the executions of tasks that ran but whose runs ECS
    no longer lists, within CALLS."""
    family: dict[str, list[dict[str, Any]]] = {}
    for t in scheduled:
        cluster = ecs.get(lookups.cluster_of(aws, t))
        family[t.key] = [
            e for e in (cluster.tasks if cluster else []) if lookups.family_of(e) == t.family
        ]
    workflows = list(dict.fromkeys(t.workflow for t in scheduled if t.workflow))
    shared = {w for w in workflows if sum(t.workflow == w for t in stack.tasks) > 1}
    found = _Runs()
    if in_full:
        single = {w for w in workflows if w not in shared}
        found.listed = lookups.executions(aws, workflows, single, LAST_RUNS)
        found.runs = lookups.runs_by_task(aws, scheduled, found.listed, LAST_RUNS)
        for t in scheduled:
            found.runs[t.key] = [
                lookups.with_tasks(
                    run, t.key, lookups.of_execution(family[t.key], run["execution"])
                )
                for run in lookups.concurrently(
                    lambda run: lookups.execution_result(aws, run["executionArn"]),
                    found.runs[t.key],
                )
            ]
    elif scheduled:
        found.counts, found.refused = _run_counts(
            aws, [w for w in workflows if w not in shared], now
        )
        for t in scheduled:
            found.runs[t.key] = lookups.ecs_runs(
                t.key,
                t.workflow or "",
                family[t.key],
                LAST_RUNS,
                contract.copies_of(t.settings),
            )
        _confirm_failures(aws, scheduled, found.runs)
        found.listed, found.unread = _older_runs(aws, scheduled, found.runs, found.counts, shared)
        read = lookups.runs_by_task(
            aws, [t for t in scheduled if t.workflow in found.listed], found.listed, LAST_RUNS
        )
        for key, runs in read.items():
            found.runs[key] = found.runs[key] or runs
    return found


# What a run shows while ECS's word on a failed attempt is all status has.
ATTEMPT_FAILED = "ATTEMPT_FAILED"
UNSEEN = (
    "a copy has no task ECS lists (its RunTask may have started none); how the run ended is "
    "its execution's word (serverless-fargate status STACK TASK)"
)
MAY_RETRY = (
    "an attempt failed; the workflow may start another attempt "
    "(serverless-fargate status STACK TASK reads the execution)"
)


def _confirm_failures(
    aws: Aws, scheduled: list[Task], runs: dict[str, list[dict[str, Any]]]
) -> None:
    """A run whose last attempt ECS lists as failed has ended only if no other attempt can
    start (contract.no_other_attempt: its settings allow none) or its execution says so. Those
    executions are read within what is left of CALLS, each task's newest run before older
    ones, the most recent first; a run not read shows ATTEMPT_FAILED and why, never FAILED."""
    doubtful: list[tuple[int, dict[str, Any]]] = []
    for t in scheduled:
        final = contract.no_other_attempt(t.settings)
        doubtful += [
            (rank, r)
            for rank, r in enumerate(runs[t.key])
            if r["status"] == lookups.UNSEEN_COPY or (r["status"] == "FAILED" and not final)
        ]
    doubtful.sort(key=lambda item: item[1]["started"] or "", reverse=True)
    doubtful.sort(key=lambda item: item[0])  # stable: newest of each task first
    chosen = [r for _, r in doubtful[: max(0, CALLS - aws.calls)]]
    for run in (r for _, r in doubtful[len(chosen) :]):
        why = UNSEEN if run["status"] == lookups.UNSEEN_COPY else MAY_RETRY
        run["status"] = ATTEMPT_FAILED
        run["reason"] = f"{run['reason']}; {why}" if run["reason"] else why

    def read(run: dict[str, Any]) -> None:
        from botocore.exceptions import ClientError

        try:
            said = lookups.execution_result(aws, run["executionArn"])
        except ClientError as error:  # a group not of this workflow's execution, say
            if error.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
                raise
            run["status"] = ATTEMPT_FAILED
            run["reason"] = MAY_RETRY
            return
        run["status"] = said["status"]
        if said["status"] == "FAILED":
            run["reason"] = said["reason"] or run["reason"]
            run["exitCode"] = said["exitCode"] if said["exitCode"] is not None else run["exitCode"]
            return
        # Another attempt runs, or the run ended otherwise: the failed attempt's figures go.
        run["reason"] = said["reason"] if said["status"] != "RUNNING" else None
        for figure in ("exitCode", "seconds", "attempts", "onDemand"):
            run[figure] = said[figure]

    lookups.concurrently(read, chosen)


def _later_run(shown: list[dict[str, Any]], counts: lookups.RunCounts | None) -> bool:
    """Whether CloudWatch counts a start in an hour after the one the newest run ECS lists
    started in (an execution starts before its first task, so never its own): a run whose
    RunTask started no task, say, or whose tasks ECS has dropped."""
    started = [datetime.fromisoformat(r["started"]) for r in shown if r.get("started")]
    if not started or counts is None or counts.last_started is None:
        return False
    return counts.last_started > max(started).replace(minute=0, second=0, microsecond=0)


def _run_counts(
    aws: Aws, workflows: list[str], now: datetime
) -> tuple[dict[str, lookups.RunCounts] | None, str | None]:
    """CloudWatch's count of each workflow's runs; (None, why) when the caller may not read
    metrics (cloudwatch:GetMetricData refused): then every task whose runs ECS no longer lists
    is a candidate for reading its executions."""
    try:
        return lookups.run_counts(aws, workflows, now), None
    except OpsError as error:
        if error.code != CREDENTIALS:
            raise
        return None, str(error)


def _older_runs(
    aws: Aws,
    scheduled: list[Task],
    runs: dict[str, list[dict[str, Any]]],
    counts: dict[str, lookups.RunCounts] | None,
    shared: set[str],
) -> tuple[dict[str, lookups.Executions], list[Task]]:
    """The executions of tasks whose runs ECS does not list, read within what is left of CALLS:
    those CloudWatch counts runs of, the most recently failed first, then the most recently
    started; then those it counts none of (its counts are best-effort and can be late, and ECS
    lists a stopped task only for a while, so neither proves there was no run); concurrently.
    The others are returned unread (their rows say where the details are)."""
    floor = datetime.min.replace(tzinfo=UTC)

    def known(t: Task) -> lookups.RunCounts | None:
        return counts.get(t.workflow or "") if counts is not None else None

    def recency(t: Task) -> tuple[datetime, datetime]:
        counted = known(t) or lookups.RunCounts(0)
        return counted.last_failed or floor, counted.last_started or floor

    wanted = sorted(
        (t for t in scheduled if t.workflow and not runs[t.key]), key=recency, reverse=True
    )
    left = CALLS - aws.calls
    chosen: list[str] = []
    unread: list[Task] = []
    for t in wanted:
        workflow = t.workflow or ""
        if workflow in chosen:
            continue
        cost = lookups.EXECUTION_PAGES if workflow in shared else 1
        if cost <= left:
            chosen.append(workflow)
            left -= cost
        else:
            unread.append(t)
    single = {w for w in chosen if w not in shared}
    return (lookups.executions(aws, chosen, single, LAST_RUNS) if chosen else {}), unread


def _service_tasks(
    task: Task, described: dict[str, dict[str, Any]], cluster: lookups.ClusterTasks | None
) -> dict[str, Any]:
    """Each running task of the Spot service and its on-demand twin, and the last stopped."""
    groups = {}
    for arn, role in ((task.service, "spot"), (task.fallback_service, "fallback")):
        if arn and arn in described:
            groups[f"service:{described[arn]['serviceName']}"] = role
    mine = [t for t in (cluster.tasks if cluster else []) if t.get("group") in groups]
    running = [t for t in mine if t.get("desiredStatus") != "STOPPED"]
    stopped = [t for t in mine if t.get("desiredStatus") == "STOPPED"]
    stopped.sort(key=lambda t: t.get("stoppedAt") or t.get("createdAt") or 0, reverse=True)
    return {
        "tasks": [
            {
                "id": lookups.task_id(t["taskArn"]),
                "status": t.get("lastStatus"),
                "started": _iso(t.get("startedAt")),
                "capacity": t.get("capacityProviderName") or "FARGATE",
                "fallback": groups[t["group"]] == "fallback",
                "health": t.get("healthStatus", "UNKNOWN"),
                "revision": t.get("taskDefinitionArn", "").rsplit(":", 1)[-1],
            }
            for t in sorted(running, key=lambda t: t.get("startedAt") or t.get("createdAt") or 0)
        ],
        "stopped": [
            {
                "id": lookups.task_id(t["taskArn"]),
                "stopped": _iso(t.get("stoppedAt")),
                "stopCode": t.get("stopCode"),
                "reason": t.get("stoppedReason"),
                "exitCode": next(
                    (c.get("exitCode") for c in t.get("containers", []) if c["name"] == task.key),
                    None,
                ),
            }
            for t in stopped[:LAST_STOPPED]
        ],
        "tasksComplete": cluster.complete if cluster else False,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _service(task: Task, described: dict[str, dict[str, Any]]) -> dict[str, Any]:
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


def _schedule(
    aws: Aws, task: Task, now: datetime, found: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    s = found.get(task.schedule or "")
    if s:
        # rate() counts from the schedule's StartDate (an Override) or else its creation.
        start = s.get("StartDate") or s.get("CreationDate")
        upcoming = next_run(
            s["ScheduleExpression"], s.get("ScheduleExpressionTimezone"), now, start
        )
        if upcoming and s.get("EndDate") and upcoming > s["EndDate"]:
            upcoming = None
        row.update(
            {
                "schedule": task.schedule,
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
        capacity = _capacity(task) or lookups.workflow_settings(aws, task).get("capacity", [])
        row["spot"] = any(c.get("CapacityProvider") == "FARGATE_SPOT" for c in capacity)
    return row


def _capacity(task: Task) -> list[dict[str, Any]] | None:
    """The task's capacity strategy as the deployed template's workflow holds it, when it is
    written out there (not computed by CloudFormation)."""
    capacity = task.settings.get("capacity")
    if isinstance(capacity, list) and all(
        isinstance(c, dict) and isinstance(c.get("CapacityProvider"), str) for c in capacity
    ):
        return capacity
    return None


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
    for warning in status.get("warnings") or []:
        lines += ["", paint(f"Counts of older runs: {warning}", YELLOW)]
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
        return [first, second, *_task_lines(r, paint)]
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
        counted = r.get("metrics")
        if not r["lastRuns"]:
            lines.append(_without_runs(r, paint))
        for i, run in enumerate(r["lastRuns"]):
            label = "last runs: " if i == 0 else "           "
            lines.append(label + _run_line(run, paint, r.get("spot", False)))
        if r.get("laterRun") and counted:
            when = _utc(counted["lastStarted"])
            lines.append(paint(f"a later run started around {when}", YELLOW) + _details_at(r))
        return lines
    start = f"start it: serverless-fargate run {stack} {r['label']}"
    if r.get("running"):
        many = f"{'at least ' if r.get('runningAtLeast') else ''}{r['running']} running now"
        return [paint(many, GREEN) + f"; {start}"]
    return [start]


def _without_runs(r: dict[str, Any], paint: Any) -> str:
    """A task without runs to show: what CloudWatch counted, else where the details are, else
    how far it looked."""
    counted = r.get("metrics")
    if r.get("lookedAt"):
        return paint(f"no runs in the workflow's last {r['lookedAt']} executions", DIM)
    if counted and (counted["started"] or counted["ended"]):
        return _counted(counted, paint) + _details_at(r)
    if r.get("detailsAt"):
        listed = "no runs ECS still lists (it lists a stopped task only for a while)"
        if counted:  # best-effort counts, at times late: not a proof of no run
            listed += f" and none CloudWatch has counted in the last {counted['days']} days"
        return paint(listed, DIM) + _details_at(r)
    if counted and not r.get("executionsRead"):
        return paint(f"no runs in the last {counted['days']} days", DIM)
    return paint("no runs yet", DIM)


def _counted(m: dict[str, Any], paint: Any) -> str:
    """What CloudWatch counted: runs, and when the last started and ended, to the hour (the
    metrics are hourly sums)."""
    n = m["started"]
    said = []
    if m.get("lastStarted"):
        said.append(f"the last started around {_utc(m['lastStarted'])}")
    if m.get("lastEnded"):
        how = ", ".join(
            paint(o, GREEN if o == "SUCCEEDED" else RED) for o in sorted(m.get("ended") or {})
        )
        said.append(f"the last ended around {_utc(m['lastEnded'])}: {how}")
    if not n:  # it started before the window and ended in it
        return f"a run started over {m['days']} days ago; " + ", ".join(said)
    return f"{n} run{'' if n == 1 else 's'} in the last {m['days']} days; " + ", ".join(said)


def _details_at(r: dict[str, Any]) -> str:
    return f"; details: {r['detailsAt']}" if r.get("detailsAt") else ""


def _task_lines(r: dict[str, Any], paint: Any) -> list[str]:
    """--tasks: each running task of the service, then the last stopped ones and why."""
    if "tasks" not in r:
        return []
    lines = []
    for t in r["tasks"]:
        health = t["health"]
        colour = {"HEALTHY": GREEN, "UNHEALTHY": RED}.get(health, DIM)
        where = "on-demand twin" if t["fallback"] else t["capacity"]
        since = _utc(t["started"]) if t["started"] else "not started"
        lines.append(
            f"  {t['id']}  {t['status']:<12} since {since}  {where}  {paint(health, colour)}"
            f"  revision {t['revision']}"
        )
    if not r["tasks"]:
        lines.append(paint("  no running tasks", DIM))
    for t in r["stopped"]:
        why = t["reason"] or t["stopCode"] or "no reason given"
        code = f"exit {t['exitCode']}, " if t["exitCode"] is not None else ""
        when = _utc(t["stopped"]) if t["stopped"] else "stopping"
        lines.append(f"  {t['id']}  {paint('STOPPED', YELLOW):<12} {when}  {code}{why}")
    return lines


def _utc(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _run_line(run: dict[str, Any], paint: Any, spot: bool) -> str:
    colour = {"SUCCEEDED": GREEN, "RUNNING": YELLOW, ATTEMPT_FAILED: YELLOW}.get(run["status"], RED)
    parts = [paint(f"{run['status']:<9}", colour), _utc(run["started"]) if run["started"] else "?"]
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
    if run.get("tasks"):
        parts.append("task " + ",".join(run["tasks"]))
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
