"""Every lookup the day-two commands make in a deployed stack (services, schedules, runs,
ECS tasks, run counts, log events), each in as few calls as AWS allows: batched where the API
takes several names (GetMetricData: 60 workflows' counts a call), read once per workflow or
cluster for all its tasks, and concurrent within `CONCURRENCY`. The commands only act (start,
stop, open a session) and print.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from ..declaration.model import WATCHED_KINDS
from ..resources import workflow_contract as contract
from ..settings import TIMEOUT_TAG
from .aws import Aws
from .errors import STACK_PROBLEM, OpsError
from .model import Task, family

CONCURRENCY = 8  # calls in flight at once: well under every quota's burst, yet 8x faster
T = TypeVar("T")
R = TypeVar("R")


def concurrently(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """function(item) for each item, in order, at most CONCURRENCY at a time."""
    items = list(items)
    if len(items) < 2:
        return [function(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(items)))
    try:
        return list(pool.map(function, items))
    finally:
        # On Ctrl-C or an error, calls not started yet are dropped rather than awaited.
        pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class RunSettings:
    """How one run of a task starts: what its schedule, service or tags say."""

    cluster: str
    task_definition: str
    network: dict[str, Any]  # awsvpcConfiguration, as boto3 takes it
    capacity: list[dict[str, Any]]  # capacityProviderStrategy, as boto3 takes it
    fallback: bool = False  # Spot short of capacity: run on FARGATE instead
    rerun_on_interruption: bool = False
    timeout: int | None = None  # seconds; then the task is stopped and the run fails


ON_DEMAND = [{"capacityProvider": "FARGATE", "weight": 1}]


def services(aws: Aws, tasks: list[Task]) -> dict[str, dict[str, Any]]:
    """Every service and on-demand twin of these tasks, by ARN (10 per call, per cluster)."""
    wanted: dict[str, list[str]] = {}
    for t in tasks:
        for arn in (t.service, t.fallback_service):
            if arn and t.cluster:
                wanted.setdefault(t.cluster, []).append(arn)
    batches = [
        (cluster, arns[i : i + 10])
        for cluster, arns in wanted.items()
        for i in range(0, len(arns), 10)
    ]

    def describe(batch: tuple[str, list[str]]) -> list[dict[str, Any]]:
        answer = aws("ecs").describe_services(cluster=batch[0], services=batch[1])
        return cast(list[dict[str, Any]], answer["services"])

    return {s["serviceArn"]: s for found in concurrently(describe, batches) for s in found}


def workflow_settings(aws: Aws, task: Task) -> dict[str, Any]:
    """The settings the workflow runs a scheduled task with (resolved by CloudFormation)."""
    if not task.workflow:
        raise OpsError(
            f"task {task.key!r} has no workflow in stack {task.stack!r}: deploy again.",
            STACK_PROBLEM,
        )
    if task.workflow not in aws.definitions:  # one read per workflow, however many tasks
        described = aws("stepfunctions").describe_state_machine(stateMachineArn=task.workflow)
        aws.definitions[task.workflow] = json.loads(described["definition"])
    found = contract.task_settings(aws.definitions[task.workflow]).get(task.key)
    if found is None:
        raise OpsError(
            f"the workflow of {task.declaration} does not run task {task.key!r}: deploy again.",
            STACK_PROBLEM,
        )
    return found


def run_settings(aws: Aws, task: Task, network: dict[str, Any] | None = None) -> RunSettings:
    """Settings for a run started here (not through the workflow): the service's own network
    and strategy, a scheduled task's workflow settings, a standalone task's tags and outputs."""
    if not task.cluster:
        raise OpsError(
            f"cannot tell the cluster of {task.key!r}: its declaration has `Outputs: false` and "
            "an existing `Cluster`. Turn outputs on and deploy again.",
            STACK_PROBLEM,
        )
    settings = RunSettings(task.cluster, task.task_definition, {}, list(ON_DEMAND))
    if task.kind in WATCHED_KINDS:
        declared = workflow_settings(aws, task)
        settings.network = _camel(declared["network"]["AwsvpcConfiguration"])
        settings.capacity = [
            {k: int(v) if k in ("weight", "base") else v for k, v in item.items()}
            for item in _camel(declared["capacity"])
        ]
        settings.fallback = bool(declared.get("fallback"))
        settings.rerun_on_interruption = bool(declared.get("rerunOnInterruption"))
        settings.timeout = contract.timeout_of(declared)
    elif task.kind == "service" and task.service:
        service = services(aws, [task]).get(task.service)
        if service:
            settings.network = service["networkConfiguration"]["awsvpcConfiguration"]
            settings.capacity = service.get("capacityProviderStrategy") or list(ON_DEMAND)
            settings.fallback = task.fallback_service is not None
    else:
        # A standalone task runs on FARGATE (it has no Spot); its Timeout is a tag.
        tags = task_definition_tags(aws, task)
        settings.timeout = int(tags[TIMEOUT_TAG]) if tags.get(TIMEOUT_TAG, "").isdigit() else None
    if network is not None:
        settings.network = network
    elif not settings.network:
        if task.network is None:
            raise OpsError(
                f"cannot tell the network of {task.key!r}: its declaration has `Outputs: false`. "
                "Pass --subnets (and --security-groups), or turn outputs on and deploy again.",
                STACK_PROBLEM,
            )
        settings.network = task.network
    return settings


def task_definition_tags(aws: Aws, task: Task) -> dict[str, str]:
    answer = aws("ecs").describe_task_definition(
        taskDefinition=task.task_definition, include=["TAGS"]
    )
    return {tag["key"]: tag["value"] for tag in answer.get("tags", [])}


def containers(aws: Aws, task: Task) -> list[str]:
    """The task definition's container names: the main one (the task key) first."""
    if task.containers:  # from the deployed template
        return task.containers
    answer = aws("ecs").describe_task_definition(taskDefinition=task.task_definition)
    names_ = [c["name"] for c in answer["taskDefinition"]["containerDefinitions"]]
    return sorted(names_, key=lambda name: name != task.key)


def ecs_tasks(aws: Aws, cluster: str, arns: list[str]) -> list[dict[str, Any]]:
    """DescribeTasks, 100 at a time (its limit), concurrently."""

    def describe(batch: list[str]) -> list[dict[str, Any]]:
        return cast(
            list[dict[str, Any]], aws("ecs").describe_tasks(cluster=cluster, tasks=batch)["tasks"]
        )

    batches = [arns[i : i + 100] for i in range(0, len(arns), 100)]
    return [t for found in concurrently(describe, batches) for t in found]


def schedule(aws: Aws, task: Task) -> dict[str, Any]:
    """The scheduled task's schedule as Scheduler describes it."""
    from botocore.exceptions import ClientError

    try:
        answer = aws("scheduler").get_schedule(Name=task.schedule, GroupName=task.schedule_group)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise OpsError(
                f"the schedule of {task.key!r} ({task.schedule}) is not in EventBridge Scheduler "
                "(deleted outside the stack?): deploy again.",
                STACK_PROBLEM,
            ) from None
        raise
    return cast(dict[str, Any], answer)


def service_tasks(aws: Aws, task: Task, described: dict[str, dict[str, Any]]) -> list[str]:
    """ARNs of the running tasks of a service task's Spot service and on-demand twin."""
    running: list[str] = []
    for arn in (task.service, task.fallback_service):
        if arn and arn in described:
            running += aws("ecs").pages(
                "list_tasks",
                "taskArns",
                cluster=task.cluster,
                serviceName=described[arn]["serviceName"],
                desiredStatus="RUNNING",
            )
    return running


def cluster_of(aws: Aws, task: Task) -> str:
    """The cluster's ARN is an output; without outputs (and with an existing cluster) the
    workflow's settings name it."""
    if task.cluster:
        return task.cluster
    if task.kind in WATCHED_KINDS and task.workflow:
        return str(workflow_settings(aws, task)["cluster"])
    raise OpsError(
        f"cannot tell the cluster of {task.key!r}: its declaration has `Outputs: false` and "
        "an existing `Cluster`. Turn outputs on and deploy again.",
        STACK_PROBLEM,
    )


def family_tasks(aws: Aws, task: Task) -> list[dict[str, Any]]:
    """The ECS tasks of the task definition's family ECS still lists, running and stopped
    (recently stopped ones: ECS promises no duration), oldest first."""
    cluster = cluster_of(aws, task)

    def listed(desired: str) -> list[str]:
        return cast(
            list[str],
            aws("ecs").pages(
                "list_tasks", "taskArns", cluster=cluster, family=task.family, desiredStatus=desired
            ),
        )

    arns = [arn for found in concurrently(listed, ["RUNNING", "STOPPED"]) for arn in found]
    found = ecs_tasks(aws, cluster, arns) if arns else []
    return sorted(found, key=lambda t: t.get("createdAt") or 0)


def execution_tasks(aws: Aws, task: Task, execution_name: str) -> list[dict[str, Any]]:
    """ECS tasks a workflow execution started (found by their group: workflow_contract)."""
    return of_execution(family_tasks(aws, task), execution_name)


def of_execution(ecs_tasks_: list[dict[str, Any]], execution_name: str) -> list[dict[str, Any]]:
    prefix = contract.group_prefix(execution_name)
    return [t for t in ecs_tasks_ if str(t.get("group", "")).startswith(prefix)]


def family_of(ecs_task: dict[str, Any]) -> str:
    return family(str(ecs_task.get("taskDefinitionArn", "")))


def task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


# --- A whole stack at once (status) ---------------------------------------------------------

CLUSTER_PAGES = 10  # ListTasks pages (100 tasks each) read per cluster and status
EXECUTION_PAGES = 2  # ListExecutions pages read per workflow
EXECUTION_PAGE_SIZE = 1000  # ListExecutions' largest page


@dataclass
class ClusterTasks:
    """The ECS tasks of one cluster, described: what `status` says about running standalone
    tasks, each service's tasks and the ECS side of recent runs."""

    tasks: list[dict[str, Any]]
    complete: bool  # False: the cluster had more than CLUSTER_PAGES pages of them


def cluster_tasks(aws: Aws, clusters: list[str], desired: list[str]) -> dict[str, ClusterTasks]:
    """Every listed task of these clusters in these desired states: one ListTasks page per 100
    tasks and one DescribeTasks per 100, however many task definitions and services."""
    jobs = [(cluster, status) for cluster in clusters for status in desired]

    def listed(job: tuple[str, str]) -> tuple[list[str], bool]:
        return cast(
            tuple[list[str], bool],
            aws("ecs").first_pages(
                "list_tasks", "taskArns", CLUSTER_PAGES, cluster=job[0], desiredStatus=job[1]
            ),
        )

    found: dict[str, ClusterTasks] = {c: ClusterTasks([], True) for c in clusters}
    for (cluster, _), (arns, more) in zip(jobs, concurrently(listed, jobs), strict=True):
        found[cluster].complete &= not more
        found[cluster].tasks += ecs_tasks(aws, cluster, arns) if arns else []
    for tasks in found.values():  # a task that stopped between the two listings is in both
        once: dict[str, dict[str, Any]] = {}
        for t in tasks.tasks:
            seen = once.get(t["taskArn"])
            if seen is None or _stage(t) > _stage(seen):
                once[t["taskArn"]] = t
        tasks.tasks = list(once.values())
    return found


def _stage(ecs_task: dict[str, Any]) -> int:
    """How far along its lifecycle a description is: the later of two is the truer."""
    return (
        2
        if ecs_task.get("lastStatus") == "STOPPED"
        else int(ecs_task.get("lastStatus") in contract.STOPPED_STATUSES)
    )


@dataclass
class Executions:
    """A workflow's latest executions (ListExecutions answers newest first)."""

    items: list[dict[str, Any]]
    complete: bool  # False: older ones were not read


def executions(
    aws: Aws, workflows: list[str], single: set[str] | None = None, limit: int = 0
) -> dict[str, Executions]:
    """Each workflow's latest executions, read once for all its tasks; of a workflow in
    `single` (it runs one task), only the `limit` latest: one short page."""
    single = single or set()

    def listed(arn: str) -> Executions:
        short = arn in single and limit > 0
        items, more = aws("stepfunctions").first_pages(
            "list_executions",
            "executions",
            1 if short else EXECUTION_PAGES,
            stateMachineArn=arn,
            PaginationConfig={"PageSize": limit if short else EXECUTION_PAGE_SIZE},
        )
        return Executions(sorted(items, key=lambda e: e["startDate"], reverse=True), not more)

    return dict(zip(workflows, concurrently(listed, workflows), strict=True))


def runs_by_task(
    aws: Aws, tasks: list[Task], listed: dict[str, Executions], limit: int
) -> dict[str, list[dict[str, Any]]]:
    """Each scheduled task's last `limit` runs (summaries, newest first), from its workflow's
    executions. A workflow of one task (one per task since 0.x) runs only that task, however
    an execution is named. In a declaration's workflow of several tasks (stacks deployed
    before), a name settles whose run it is, except where keys begin alike (`api` and
    `api-run`, or the same 40 characters): then the execution's input, read for those only."""
    runs: dict[str, list[dict[str, Any]]] = {t.key: [] for t in tasks}
    inputs: dict[str, Any] = {}
    for workflow, found in listed.items():
        mine = [t for t in tasks if t.workflow == workflow]
        for e in found.items:
            candidates = mine
            if len(mine) > 1:
                prefixes = [contract.execution_prefix(t.key) for t in mine]
                candidates = [
                    t for t, p in zip(mine, prefixes, strict=True) if e["name"].startswith(p)
                ]
            if all(len(runs[t.key]) >= limit for t in candidates):
                continue
            if len(candidates) > 1:
                arn = e["executionArn"]
                if arn not in inputs:
                    described = aws("stepfunctions").describe_execution(executionArn=arn)
                    given = _json(described.get("input"))
                    inputs[arn] = given.get(contract.TASK) if isinstance(given, dict) else None
                candidates = [t for t in candidates if t.key == inputs[arn]]
            for t in candidates:
                if len(runs[t.key]) < limit:
                    runs[t.key].append(summary(e))
    return runs


def summary(e: dict[str, Any]) -> dict[str, Any]:
    """A run as ListExecutions tells it; `with_tasks` adds what ECS says."""
    return {
        "execution": e["name"],
        "executionArn": e["executionArn"],
        "status": e["status"],
        "started": e["startDate"].isoformat(),
        "seconds": round((e["stopDate"] - e["startDate"]).total_seconds())
        if e.get("stopDate")
        else None,
        "exitCode": 0 if e["status"] == "SUCCEEDED" else None,
        "tasks": [],
        "attempts": None,
        "onDemand": None,
        "reason": None,
    }


def with_tasks(run: dict[str, Any], key: str, started: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with its ECS tasks (oldest first): their IDs, and for the last attempt of one
    copy its main container's exit code, capacity and stop reason: the first copy whose last
    task failed, if the run did not succeed, else the first copy."""
    if not started:
        return run
    run["tasks"] = [task_id(t["taskArn"]) for t in started]
    copies = _last_attempts(started)
    shown = min(copies)
    if run["status"] != "SUCCEEDED":
        shown = next(
            (
                c
                for c, t in sorted(copies.items())
                if t.get("lastStatus") in contract.STOPPED_STATUSES
                and not contract.finished_well(t.get("stopCode"), _exit_code(t, key))
            ),
            shown,
        )
    first = copies[shown]
    run["attempts"] = max(group_of(t)[1] for t in started if group_of(t)[0] == shown)
    run["onDemand"] = any(c.get("capacityProviderName") == "FARGATE" for c in copies.values())
    exit_code = _exit_code(first, key)
    if run["exitCode"] is None and isinstance(exit_code, int):
        run["exitCode"] = exit_code
    if run["status"] != "SUCCEEDED" and first.get("lastStatus") in contract.STOPPED_STATUSES:
        run["reason"] = first.get("stoppedReason") or first.get("stopCode")
    return run


def _last_attempts(started: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each copy's last task, by copy, from a run's tasks oldest first."""
    return {group_of(t)[0]: t for t in started}


def group_of(ecs_task: dict[str, Any]) -> tuple[int, int]:
    """(copy, attempt), counted from 1, of a task the workflow started (workflow_contract)."""
    return contract.copy_and_attempt(str(ecs_task.get("group", ""))) or (1, 1)


def execution_arn(workflow: str, name: str) -> str:
    """A standard workflow's execution ARN: arn:<partition>:states:<region>:<account>:
    execution:<state machine name>:<execution name> (Step Functions' resource types, Service
    Authorization Reference)."""
    return f"{workflow.replace(':stateMachine:', ':execution:', 1)}:{name}"


def ecs_runs(
    key: str, workflow: str, found: list[dict[str, Any]], limit: int, copies: int | None = 1
) -> list[dict[str, Any]]:
    """The last `limit` runs (newest first) whose ECS tasks ECS still lists among `found` (the
    task's family): each task's group names its execution (workflow_contract). A run's status
    is what its tasks say: RUNNING while the last attempt of a copy is not stopped, UNSEEN_COPY
    when ECS lists no task of some copy, SUCCEEDED when every copy's last attempt passed the
    workflow's own test (contract.finished_well), else FAILED: a failed attempt, which status
    takes as the run's end only if no other attempt can start or the execution says so."""
    by_execution: dict[str, list[dict[str, Any]]] = {}
    for t in sorted(found, key=_created):
        execution = contract.execution_of(str(t.get("group", "")))
        if execution is not None:
            by_execution.setdefault(execution, []).append(t)
    newest = sorted(by_execution.items(), key=lambda item: _created(item[1][0]), reverse=True)
    runs = []
    for name, started in newest[:limit]:
        last = _last_attempts(started)
        if any(t.get("lastStatus") not in contract.STOPPED_STATUSES for t in last.values()):
            outcome = "RUNNING"
        elif copies is not None and len(last) < copies:
            # A copy ECS lists no task of (its RunTask may have started none, or ECS no longer
            # lists it): only the execution can tell how the run ended. (copies None: a number
            # a parameter gives, not known here; the copies ECS lists are judged.)
            outcome = UNSEEN_COPY
        elif all(
            contract.finished_well(t.get("stopCode"), _exit_code(t, key)) for t in last.values()
        ):
            outcome = "SUCCEEDED"
        else:
            outcome = "FAILED"
        began, seconds = _timing(started, list(last.values()), outcome != "RUNNING")
        run: dict[str, Any] = {
            "execution": name,
            "executionArn": execution_arn(workflow, name),
            "status": outcome,
            "started": began.isoformat() if began else None,
            "seconds": seconds,
            "exitCode": None,
            "tasks": [],
            "attempts": None,
            "onDemand": None,
            "reason": None,
        }
        runs.append(with_tasks(run, key, started))
    return runs


# A run ECS shows no task of for some copy: status reads its execution, whatever the settings.
UNSEEN_COPY = "UNSEEN_COPY"


def _timing(
    started: list[dict[str, Any]], last: list[dict[str, Any]], ended: bool
) -> tuple[datetime | None, int | None]:
    """When a run's first task started (else was created), and how long until its copies'
    last tasks stopped (None while one runs)."""
    times = [t.get("startedAt") or t.get("createdAt") for t in started]
    began = min((t for t in times if isinstance(t, datetime)), default=None)
    stops = [t.get("stoppedAt") for t in last]
    if not ended or began is None or not all(isinstance(s, datetime) for s in stops):
        return began, None
    return began, round((max(cast(list[datetime], stops)) - began).total_seconds())


def _created(ecs_task: dict[str, Any]) -> Any:
    return (
        ecs_task.get("createdAt") or ecs_task.get("startedAt") or datetime.min.replace(tzinfo=UTC)
    )


def _exit_code(ecs_task: dict[str, Any], key: str) -> Any:
    return next(
        (c.get("exitCode") for c in ecs_task.get("containers", []) if c.get("name") == key), None
    )


# Step Functions' execution metrics in CloudWatch: a count per state machine (dimension
# StateMachineArn, namespace AWS/States) of the executions started and of those that ended,
# by how ("Monitoring Step Functions metrics using Amazon CloudWatch", Step Functions
# Developer Guide, https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html).
# Delivered "on a best-effort basis": late, or now and then never; so they count runs and say
# how the last ended, to the hour, and never stand in for ECS's word on a recent run.
STARTED = "ExecutionsStarted"
ENDED = {
    "ExecutionsSucceeded": "SUCCEEDED",
    "ExecutionsFailed": "FAILED",
    "ExecutionsTimedOut": "TIMED_OUT",
    "ExecutionsAborted": "ABORTED",
}
METRICS_DAYS = 14  # looked back: 336 hours; 1-minute data is kept 15 days, hourly 455
METRICS_PERIOD = 3600  # seconds: an hour a datapoint
# GetMetricData: at most 500 queries and 100,800 datapoints a call ("GetMetricData", CloudWatch
# API reference): 336 hours x 300 queries = 100,800, so 60 workflows (5 metrics each) a call.
METRIC_QUERIES = 500
METRIC_DATAPOINTS = 100_800


@dataclass
class RunCounts:
    """What CloudWatch counted of one workflow's executions in the last `days`."""

    days: int
    started: int = 0
    last_started: datetime | None = None  # the hour (its start) of the last start
    last_ended: datetime | None = None  # the hour of the last end
    ended: dict[str, int] = field(default_factory=dict)  # how those of that hour ended
    last_failed: datetime | None = None  # the hour of the last FAILED, TIMED_OUT or ABORTED

    def as_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "started": self.started,
            "lastStarted": self.last_started.isoformat() if self.last_started else None,
            "lastEnded": self.last_ended.isoformat() if self.last_ended else None,
            "ended": dict(self.ended),
        }


def run_counts(aws: Aws, workflows: list[str], now: datetime) -> dict[str, RunCounts]:
    """Each workflow's executions as CloudWatch counted them, hour by hour over the last
    METRICS_DAYS: one GetMetricData call per 60 workflows."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(days=METRICS_DAYS)
    hours = int((end - start).total_seconds()) // METRICS_PERIOD
    names = [STARTED, *ENDED]
    per_call = min(METRIC_QUERIES, METRIC_DATAPOINTS // hours) // len(names)
    queries = {
        f"m{i}_{j}": (workflow, name)
        for i, workflow in enumerate(workflows)
        for j, name in enumerate(names)
    }
    ids = list(queries)
    batches = [
        ids[i : i + per_call * len(names)] for i in range(0, len(ids), per_call * len(names))
    ]

    def read(batch: list[str]) -> list[dict[str, Any]]:
        asked = [
            {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/States",
                        "MetricName": queries[query_id][1],
                        "Dimensions": [{"Name": "StateMachineArn", "Value": queries[query_id][0]}],
                    },
                    "Period": METRICS_PERIOD,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
            for query_id in batch
        ]
        results: list[dict[str, Any]] = []
        token: str | None = None
        while True:  # more than its datapoints: pages (not expected within the limits above)
            answer = aws("cloudwatch").get_metric_data(
                MetricDataQueries=asked,
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampDescending",
                **({"NextToken": token} if token else {}),
            )
            results += answer.get("MetricDataResults", [])
            token = answer.get("NextToken")
            if not token:
                return results

    found = {w: RunCounts(METRICS_DAYS) for w in workflows}
    points: dict[str, dict[datetime, float]] = {}
    for result in (r for results in concurrently(read, batches) for r in results):
        merged = points.setdefault(result["Id"], {})
        for when, value in zip(
            result.get("Timestamps", []), result.get("Values", []), strict=False
        ):
            merged[when] = merged.get(when, 0) + value
    for query_id, series in points.items():
        workflow, name = queries[query_id]
        counts = found[workflow]
        hours_with = sorted((when for when, value in series.items() if value > 0), reverse=True)
        if not hours_with:
            continue
        if name == STARTED:
            counts.started += round(sum(series.values()))
            counts.last_started = hours_with[0]
        elif ENDED[name] != "SUCCEEDED" and (
            counts.last_failed is None or hours_with[0] > counts.last_failed
        ):
            counts.last_failed = hours_with[0]
    for query_id, series in points.items():  # how the last ended: every outcome of that hour
        workflow, name = queries[query_id]
        if name == STARTED:
            continue
        counts = found[workflow]
        last = max((when for when, value in series.items() if value > 0), default=None)
        if last is None:
            continue
        if counts.last_ended is None or last > counts.last_ended:
            counts.last_ended, counts.ended = last, {}
        if last == counts.last_ended:
            counts.ended[ENDED[name]] = round(series[last])
    return found


def schedules(aws: Aws, tasks: list[Task]) -> dict[str, dict[str, Any]]:
    """Each schedule as GetSchedule would describe it, by name: its expression, time zone and
    dates from the deployed template, its State and CreationDate from one ListSchedules per
    group (a schedule disabled by hand shows so); GetSchedule only for a schedule whose
    expression CloudFormation computed."""
    from datetime import datetime

    groups: dict[str, list[Task]] = {}
    for t in tasks:
        if t.schedule:
            groups.setdefault(t.schedule_group, []).append(t)

    def listed(group: str) -> list[dict[str, Any]]:
        prefix = _common_prefix([str(t.schedule) for t in groups[group]])
        extra: dict[str, Any] = {"NamePrefix": prefix} if prefix else {}
        return cast(
            list[dict[str, Any]],
            aws("scheduler").pages("list_schedules", "Schedules", GroupName=group, **extra),
        )

    states = {
        (s.get("GroupName", group), s["Name"]): s
        for group, found in zip(groups, concurrently(listed, list(groups)), strict=True)
        for s in found
    }
    found: dict[str, dict[str, Any]] = {}
    computed: list[Task] = []
    for t in (t for members in groups.values() for t in members):
        listed_one = states.get((t.schedule_group, str(t.schedule)))
        props = t.schedule_properties
        if listed_one is None or "ScheduleExpression" not in props:
            computed.append(t)
            continue
        described: dict[str, Any] = {**props, **listed_one}
        for date in ("StartDate", "EndDate"):
            if isinstance(described.get(date), str):
                described[date] = datetime.fromisoformat(described[date].replace("Z", "+00:00"))
        found[str(t.schedule)] = described
    for t, described in zip(
        computed, concurrently(lambda t: schedule(aws, t), computed), strict=True
    ):
        found[str(t.schedule)] = described
    return found


def _common_prefix(words: list[str]) -> str:
    import os.path

    return os.path.commonprefix(words)


def execution_result(aws: Aws, execution_arn: str) -> dict[str, Any]:
    """One workflow execution as a run: its task, status, exit code, duration, whether it
    ran on-demand, and why it failed."""
    e = aws("stepfunctions").describe_execution(executionArn=execution_arn)
    given = _json(e.get("input"))
    result = {"task": given.get(contract.TASK) if isinstance(given, dict) else None, **summary(e)}
    copies: list[dict[str, Any]] = []
    if e["status"] == "SUCCEEDED":
        copies = contract.copies(_json(e.get("output")))
    elif e["status"] == "FAILED":
        copies = contract.copies(_json(e.get("cause")))
        result["reason"] = e.get("error")
    if copies:
        first = copies[0]
        if e["status"] == "FAILED":
            result["exitCode"] = first.get("exitCode")
            result["reason"] = first.get("reason") or first.get("stopCode") or e.get("error")
        result["onDemand"] = any(bool(c.get("onDemand")) for c in copies)
        result["attempts"] = first.get("attempts")
        result["tasks"] = [task_id(c["taskArn"]) for c in copies if c.get("taskArn")]
    elif e["status"] == "FAILED":
        result["reason"] = f"{e.get('error')}: {e.get('cause', '')}".strip(": ")
    return result


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys (the workflow's settings) as boto3's camelCase."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value
