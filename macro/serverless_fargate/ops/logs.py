"""`serverless-fargate logs STACK [TASK]`: the tasks' log lines since a time, optionally
following; of one run (`--run`: an ECS task ID, an execution's name or ARN) or of the task's
last N runs, run by run (`--last N`). Each line shows its time, task (and sidecar) and the
ECS task ID its stream belongs to: the ID `--run` and `aws ecs describe-tasks` take.

Within CloudWatch Logs' quotas (FilterLogEvents: 5 requests per second per account and
region by default): one request (and its further pages) per log group per round, whatever the
number of tasks, throttling retried with backoff by the client (aws.py).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..declaration.model import WATCHED_KINDS
from ..resources import workflow_contract as contract
from . import lookups
from .aws import Aws
from .errors import NOT_FOUND, USAGE, OpsError
from .logtail import timestamp
from .model import Stack, Task, stream_prefixes

LAG_MS = 30_000  # how late a line may reach CloudWatch and still be printed by --follow
STREAM_NAMES = 100  # FilterLogEvents takes at most 100 logStreamNames
STREAM_PAGES = 10  # DescribeLogStreams pages (50 streams each) read to find the last runs
RUN_MARGIN_MS = 300_000  # a run's lines may reach CloudWatch this long after it ends
TASK_ID = re.compile(r"[0-9a-f-]{1,36}")  # ECS's are 32 hex digits (moto's, UUIDs)


@dataclass
class Source:
    """What one log group is read for in a round: these tasks' streams (exact names when
    known), and only those of ECS tasks whose ID begins with `run_id`."""

    group: str
    tasks: list[tuple[str, Task]] = field(default_factory=list)  # (stream prefix, task)
    streams: list[str] | None = None
    run_id: str | None = None

    def owner(self, stream: str) -> Task | None:
        """The task a stream belongs to: the longest prefix (`api/` and `api-admin/`)."""
        found = [(p, t) for p, t in self.tasks if stream.startswith(p)]
        if not found or (self.run_id and not stream.rsplit("/", 1)[-1].startswith(self.run_id)):
            return None
        return max(found, key=lambda pt: len(pt[0]))[1]

    def read(self, aws: Aws, start: int, end: int | None) -> list[tuple[Task, dict[str, Any]]]:
        """One FilterLogEvents request (and its pages) for every task of the group."""
        kwargs: dict[str, Any] = {"logGroupName": self.group, "startTime": start}
        if end is not None:
            kwargs["endTime"] = end
        keys = {t.key for _, t in self.tasks}
        batches: list[dict[str, Any]] = [{}]
        if self.streams is not None:
            batches = [
                {"logStreamNames": self.streams[i : i + STREAM_NAMES]}
                for i in range(0, len(self.streams), STREAM_NAMES)
            ]
        elif len(keys) == 1:
            # The task's main stream and its sidecars' all begin with its key.
            batches = [{"logStreamNamePrefix": keys.pop()}]
        found = []
        for batch in batches:
            for e in aws("logs").pages("filter_log_events", "events", **kwargs, **batch):
                task = self.owner(e["logStreamName"])
                if task is not None:
                    found.append((task, e))
        return found


def logs(
    aws: Aws,
    stack: Stack,
    key: str | None = None,
    *,
    since: int = 3600,
    follow: bool = False,
    run: str | None = None,
    last: int | None = None,
    json_lines: bool = False,
    out: TextIO,
    err: TextIO,
    poll: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    polls: int | None = None,
) -> int:
    """Print the lines; with `follow`, keep printing new ones until interrupted (or `polls`)."""
    tasks = [stack.task(key)] if key else stack.tasks
    write = _json_line if json_lines else line
    if last is not None:
        if key is None or last < 1:
            raise OpsError(
                "--last N takes a task and N of at least 1: logs STACK TASK --last 3", USAGE
            )
        shared = sum(t.workflow == tasks[0].workflow for t in stack.tasks) > 1
        return _last_runs(aws, tasks[0], last, json_lines, out, err, shared)
    containers = {t.key: lookups.containers(aws, t) for t in tasks}
    start = now_ms() - since * 1000
    end: int | None = None
    exact: dict[str, list[str]] | None = None  # task key → ECS task IDs
    run_id = None
    if run:
        found = _run(aws, stack, tasks, run)
        tasks, run_id = found.tasks, found.run_id
        if found.window:
            start, end = found.window
            follow = follow and found.ongoing
        if found.task_ids is not None:
            exact = {found.tasks[0].key: found.task_ids}
        if found.note:
            err.write(found.note + "\n")
    sources = _sources(tasks, containers, exact, run_id)
    latest = start
    seen: dict[str, int] = {}  # event ID → timestamp, for the lines already printed
    printed = 0
    rounds = 0
    try:
        while True:
            # Lines reach CloudWatch late and out of order across streams: look back LAG
            # before the newest line printed, and skip the ones already printed.
            since_ms = max(start, latest - LAG_MS)
            events = [te for source in sources for te in source.read(aws, since_ms, end)]
            events.sort(key=lambda te: (te[1]["timestamp"], te[1]["eventId"]))
            for task, event in events:
                if event["eventId"] in seen:
                    continue
                seen[event["eventId"]] = event["timestamp"]
                out.write(write(task, event) + "\n")
                printed += 1
                latest = max(latest, event["timestamp"])
            out.flush()
            seen = {k: ts for k, ts in seen.items() if ts >= latest - LAG_MS}
            rounds += 1
            if not follow or (polls is not None and rounds >= polls):
                break
            sleep(poll)
    except KeyboardInterrupt:
        return 0
    if not printed and not follow:
        which = f"task {key}" if key else "any task"
        when = "in that run's time" if end is not None else f"in the last {since} s"
        hint = "" if end is not None else " Try a longer --since, or --follow to wait for new ones."
        err.write(f"No log lines from {which}{' run ' + run if run else ''} {when}.{hint}\n")
    return 0


def _sources(
    tasks: list[Task],
    containers: dict[str, list[str]],
    exact: dict[str, list[str]] | None,
    run_id: str | None,
) -> list[Source]:
    by_group: dict[str, Source] = {}
    for task in tasks:
        if not task.log_group:
            continue
        source = by_group.setdefault(task.log_group, Source(task.log_group, run_id=run_id))
        prefixes = stream_prefixes(task, containers[task.key])
        source.tasks += [(p, task) for p in prefixes]
        if exact is not None:
            source.streams = (source.streams or []) + [
                p + task_id for task_id in exact.get(task.key, []) for p in prefixes
            ]
    return [s for s in by_group.values() if s.streams is None or s.streams]


@dataclass
class _Found:
    tasks: list[Task]
    run_id: str | None = None  # an ECS task ID, or how it begins
    task_ids: list[str] | None = None  # a workflow run's tasks, every attempt
    window: tuple[int, int] | None = None  # ms: the run's start to its end (plus a margin)
    ongoing: bool = False
    note: str = ""


def _run(aws: Aws, stack: Stack, tasks: list[Task], run: str) -> _Found:
    """What `--run` names: an ECS task's ID (or its first characters) or ARN, or a workflow
    execution's name or ARN (every attempt of every copy, in the run's time)."""
    text = run.strip()
    if text.startswith("arn:") and ":task/" in text:
        text = text.rsplit("/", 1)[-1]
    name = text.rsplit(":", 1)[-1] if text.startswith("arn:") else text
    machine = text.split(":")[-2] if text.startswith("arn:") and text.count(":") >= 7 else None
    scheduled = [t for t in tasks if t.kind in WATCHED_KINDS and t.workflow]
    if machine is not None:  # an execution's ARN names its state machine
        candidates = [t for t in scheduled if str(t.workflow).rsplit(":", 1)[-1] == machine]
    else:
        candidates = [t for t in scheduled if name.startswith(contract.execution_prefix(t.key))]
        if not candidates and len(tasks) == len(scheduled) == 1 and not TASK_ID.fullmatch(text):
            candidates = scheduled  # a run of this task started under another name
    if not candidates and TASK_ID.fullmatch(text):
        return _Found(tasks, run_id=text)
    if not candidates:
        raise OpsError(
            f"{run!r} is neither an ECS task ID nor a run of a scheduled task of stack "
            f"{stack.name!r}: `serverless-fargate status {stack.name}` lists the last runs, with "
            "their execution and task IDs.",
            NOT_FOUND,
        )
    workflow = str(candidates[0].workflow)
    arn = f"{workflow.replace(':stateMachine:', ':execution:', 1)}:{name}"
    try:
        result = lookups.execution_result(aws, arn)
    except Exception as error:  # ExecutionDoesNotExist, as botocore raises it
        if "ExecutionDoesNotExist" in type(error).__name__ + str(error):
            raise OpsError(
                f"no run {name!r} in the workflow of {candidates[0].label}: "
                f"`serverless-fargate status {stack.name}` lists the last runs.",
                NOT_FOUND,
            ) from None
        raise
    task = next((t for t in candidates if t.key == result["task"]), candidates[0])
    ids = list(result["tasks"])
    for ecs_task in lookups.execution_tasks(aws, task, name):
        if lookups.task_id(ecs_task["taskArn"]) not in ids:
            ids.append(lookups.task_id(ecs_task["taskArn"]))
    started = _ms(result["started"])
    ended = started + result["seconds"] * 1000 if result["seconds"] is not None else None
    window = (started - 60_000, ended + RUN_MARGIN_MS if ended else int(time.time() * 1000))
    found = _Found([task], task_ids=ids or None, window=window, ongoing=ended is None)
    if not ids:
        found.note = (
            f"ECS no longer lists the tasks of run {name} and its result names none: showing "
            f"every line of {task.label} from the run's start to its end."
        )
    return found


def _ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def _last_runs(
    aws: Aws,
    task: Task,
    count: int,
    json_lines: bool,
    out: TextIO,
    err: TextIO,
    shared: bool = False,
) -> int:
    """The lines of the task's last `count` runs, oldest first, each under a header: a
    scheduled task's runs are its workflow's executions (every attempt of every copy); any
    other task's, its ECS tasks."""
    if not task.log_group:
        raise OpsError(f"cannot find the log group of {task.key!r} in {task.stack!r}.", NOT_FOUND)
    runs = (
        _workflow_runs(aws, task, count, shared) if task.workflow else _task_runs(aws, task, count)
    )
    if not runs:
        err.write(f"No runs of {task.label} have log lines in {task.log_group}.\n")
        return 0
    ids = [task_id for _, task_ids in runs for task_id in task_ids]
    source = _sources([task], {task.key: lookups.containers(aws, task)}, {task.key: ids}, None)
    events = source[0].read(aws, 0, None) if source else []
    for title, task_ids in reversed(runs):
        mine = sorted(
            (e for _, e in events if e["logStreamName"].rsplit("/", 1)[-1] in task_ids),
            key=lambda e: (e["timestamp"], e["eventId"]),
        )
        if not json_lines:
            out.write(f"--- {task.label} run {title} ({len(mine)} lines)\n")
        for e in mine:
            out.write((_json_line if json_lines else line)(task, e) + "\n")
    out.flush()
    return 0


def _task_runs(aws: Aws, task: Task, count: int) -> list[tuple[str, list[str]]]:
    """(ECS task ID, [it]) of the task's last runs, newest first, from its log streams."""
    main = task.stream_prefix
    # DescribeLogStreams cannot order by last event and filter by prefix at once: the
    # group's streams newest first, this task's main ones picked out. Its lastEventTimestamp
    # is only eventually consistent, so twice as many are read and ordered by their
    # creation, which is exact (a task's stream is created when it starts).
    streams, _ = aws("logs").first_pages(
        "describe_log_streams",
        "logStreams",
        STREAM_PAGES,
        until=lambda found: sum(s["logStreamName"].startswith(main) for s in found) >= 2 * count,
        logGroupName=task.log_group,
        orderBy="LastEventTime",
        descending=True,
    )
    mine = [s for s in streams if s["logStreamName"].startswith(main)]
    mine.sort(key=lambda s: s.get("creationTime") or 0, reverse=True)
    ids = [s["logStreamName"][len(main) :] for s in mine[:count]]
    return [(task_id, [task_id]) for task_id in ids]


def _workflow_runs(aws: Aws, task: Task, count: int, shared: bool) -> list[tuple[str, list[str]]]:
    """(execution name and status, its ECS task IDs) of the task's last executions, newest
    first: the IDs from ECS while it lists them, else from the execution's result."""
    workflow = str(task.workflow)
    listed = lookups.executions(aws, [workflow], set() if shared else {workflow}, count)
    runs = lookups.runs_by_task(aws, [task], listed, count)[task.key]
    started = lookups.family_tasks(aws, task)
    found = []
    for run in runs:
        ids = [
            lookups.task_id(t["taskArn"]) for t in lookups.of_execution(started, run["execution"])
        ]
        if not ids:
            ids = lookups.execution_result(aws, run["executionArn"])["tasks"]
        found.append((f"{run['execution']} {run['status']}", ids))
    return found


def line(task: Task, event: dict[str, Any]) -> str:
    """`<time> <task>[/<sidecar>] <ECS task ID> <message>` (the task as `status` names it)."""
    who, task_id = _who(task, event)
    return f"{timestamp(event['timestamp'])} {who} {task_id} {event['message'].rstrip()}"


def _json_line(task: Task, event: dict[str, Any]) -> str:
    """One JSON object a line (JSON Lines), for scripts and `jq`."""
    container = _container(task, event["logStreamName"])
    return json.dumps(
        {
            "time": timestamp(event["timestamp"]),
            "timestamp": event["timestamp"],
            "task": task.label,
            "container": container,
            "taskId": event["logStreamName"].rsplit("/", 1)[-1],
            "message": event["message"].rstrip("\n"),
        }
    )


def _container(task: Task, stream: str) -> str:
    return stream.split("/")[1] if stream.count("/") >= 2 else task.key


def _who(task: Task, event: dict[str, Any]) -> tuple[str, str]:
    stream = event["logStreamName"]
    container = _container(task, stream)
    who = task.label if container == task.key else f"{task.label}/{container}"
    return who, stream.rsplit("/", 1)[-1]
