"""`serverless-fargate logs STACK [TASK]`: the tasks' log lines since a time, optionally
following, for one task and one run. Each line shows its time, task (and sidecar) and the
ECS task ID its stream belongs to: the ID `--run` and `aws ecs describe-tasks` take."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from . import stack as lookups
from .logtail import timestamp

LAG_MS = 30_000  # how late a line may reach CloudWatch and still be printed by --follow


def logs(
    aws: lookups.Aws,
    stack: lookups.Stack,
    key: str | None = None,
    *,
    since: int = 3600,
    follow: bool = False,
    run: str | None = None,
    out: TextIO,
    err: TextIO,
    poll: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    polls: int | None = None,
) -> int:
    """Print the lines; with `follow`, keep printing new ones until interrupted (or `polls`)."""
    tasks = [stack.task(key)] if key else stack.tasks
    run_id = run.rsplit("/", 1)[-1] if run else None
    watched = [
        (task, lookups.stream_prefixes(task, lookups.containers(aws, task))) for task in tasks
    ]
    start = now_ms() - since * 1000
    latest = start
    seen: dict[str, int] = {}  # event ID → timestamp, for the lines already printed
    printed = 0
    rounds = 0
    try:
        while True:
            # Lines reach CloudWatch late and out of order across streams: look back LAG
            # before the newest line printed, and skip the ones already printed.
            since_ms = max(start, latest - LAG_MS)
            events = []
            for task, prefixes in watched:
                events += [
                    (task, e) for e in lookups.log_events(aws, task, prefixes, run_id, since_ms)
                ]
            events.sort(key=lambda te: (te[1]["timestamp"], te[1]["eventId"]))
            for task, event in events:
                if event["eventId"] in seen:
                    continue
                seen[event["eventId"]] = event["timestamp"]
                out.write(line(task, event) + "\n")
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
        err.write(
            f"No log lines from {which}{' run ' + run_id if run_id else ''} in the last "
            f"{since} s. Try a longer --since, or --follow to wait for new ones.\n"
        )
    return 0


def line(task: lookups.Task, event: dict[str, Any]) -> str:
    """`<time> <task>[/<sidecar>] <ECS task ID> <message>` (the task as `status` names it)."""
    stream = event["logStreamName"]
    container = stream.split("/")[1] if stream.count("/") >= 2 else task.key
    who = task.label if container == task.key else f"{task.label}/{container}"
    task_id = stream.rsplit("/", 1)[-1]
    return f"{timestamp(event['timestamp'])} {who} {task_id} {event['message'].rstrip()}"
