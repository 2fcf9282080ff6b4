"""`serverless-fargate run STACK TASK`: one run of any task, as its schedule or service would
start it; by default it waits, streams the task's logs and exits with the container's code.

- A scheduled or invoked task (Schedule, Events, Callers) without overrides starts an
  execution of its workflow, the same its schedule, events and callers start: retries, Spot
  fallback, rerun after interruption, Timeout and the dead-letter queue all apply. `--input`
  is the execution's `input` member, which the container reads in SERVERLESS_FARGATE_INPUT.
- Otherwise (a service's or a standalone task, or --command/--env, which the workflow does
  not take so that whoever may start it cannot choose what runs) the task is started here with
  ecs:RunTask: its network, capacity strategy and Timeout as declared; when Spot has no
  capacity and Fallback is on it starts on FARGATE, and an interrupted run with
  RerunOnInterruption runs once more on FARGATE. A run stopped at its Timeout exits 124 (as
  timeout(1) does), whatever its container answered to the stop.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from ..declaration.model import WATCHED_KINDS
from ..resources import workflow_contract as contract
from . import lookups
from .aws import Aws
from .errors import AWS_FAILED, ERROR_MARK, INTERRUPTED, TIMED_OUT, USAGE, OpsError
from .logtail import Tail
from .model import Stack, Task

STARTED_BY = "serverless-fargate"
NO_INPUT: Any = object()  # `--input` not given (JSON null is an input)
LOG_DELAY = 2.0  # seconds; then a stopped task's last log lines have arrived


class Runner:
    def __init__(
        self,
        aws: Aws,
        task: Task,
        out: TextIO,
        err: TextIO,
        poll: float = 5.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.aws, self.task, self.out, self.err = aws, task, out, err
        self.poll, self.clock = poll, clock
        self.sleep = sleep or _sleep
        self.current = ""  # the run being watched: an execution's or a task's ARN
        self.starting = False  # a StartExecution or RunTask was sent

    def say(self, text: str) -> None:
        self.err.write(f"{text}\n")
        self.err.flush()

    # --- through the workflow ---------------------------------------------------------------

    def through_workflow(self, wait: bool, given: Any = NO_INPUT) -> int:
        task = self.task
        assert task.workflow
        name = contract.execution_name(task.key, f"run-{uuid.uuid4().hex[:20]}")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        members: dict[str, Any] = {
            contract.TASK: task.key,
            contract.SCHEDULE: "serverless-fargate run",
            contract.SCHEDULED_TIME: now,
        }
        if given is not NO_INPUT:
            members[contract.INPUT] = given
        self.starting = True
        started = self.aws("stepfunctions").start_execution(
            stateMachineArn=task.workflow, name=name, input=json.dumps(members)
        )
        arn = self.current = started["executionArn"]
        if not wait:
            self.out.write(f"{arn}\n")
            return 0
        self.say(f"Started {task.key} through its workflow (as its schedule would): {arn}")
        tails: dict[str, Tail] = {}
        seen: dict[str, str] = {}
        # Copies (TaskCount) run side by side: then their lines carry the copy's number.
        several = int(lookups.workflow_settings(self.aws, task).get("copies", 1)) > 1
        while True:
            status = self.aws("stepfunctions").describe_execution(executionArn=arn)["status"]
            found = lookups.execution_tasks(self.aws, task, name)
            for ecs_task in found:
                task_id = ecs_task["taskArn"].rsplit("/", 1)[-1]
                copy, attempt = lookups.group_of(ecs_task)
                if task_id not in tails:
                    where = ecs_task.get("capacityProviderName") or "FARGATE"
                    self.say(f"Task {task_id}: copy {copy}, attempt {attempt}, on {where}")
                    tails[task_id] = self._tail(task_id)
                status_now = ecs_task.get("lastStatus", "")
                if seen.get(task_id) != status_now:  # PROVISIONING, PENDING, RUNNING, STOPPED
                    self.say(f"Task {task_id}: {status_now}")
                    seen[task_id] = status_now
                tails[task_id].label = f"[copy {copy}] " if several else ""  # side by side
            for tail in tails.values():
                tail.poll()
            if status != "RUNNING":
                break
            self.sleep(self.poll)
        self._last_lines(list(tails.values()))
        result = lookups.execution_result(self.aws, arn)
        if result["status"] == "SUCCEEDED":
            self.say(f"Run succeeded ({result['seconds']} s).")
            return 0
        code = result["exitCode"]
        after = f" after {result['attempts']} attempt(s)" if result["attempts"] else ""
        exited = f", exit code {code}" if code is not None else ""
        self.say(
            f"Run {result['status'].lower()}{after}{exited}: {result['reason'] or 'no reason given'}"
        )
        if not isinstance(code, int):
            # No container exited: the run failed before (capacity, image, network): not a
            # container's code, so the tool's failure, marked as such.
            self.say(f"{ERROR_MARK} the run {arn} failed before its container exited.")
            return AWS_FAILED
        return code if code > 0 else 1  # failed although the container exited 0

    # --- started here -------------------------------------------------------------------------

    def directly(self, settings: lookups.RunSettings, overrides: dict[str, Any], wait: bool) -> int:
        capacity = settings.capacity
        arn = self.current = self._start(settings, capacity, overrides)
        if not wait:
            self.out.write(f"{arn}\n")
            if settings.timeout:
                self.say(
                    f"Note: nothing watches this run's Timeout ({settings.timeout} s) with "
                    "--no-wait; stop it yourself if it runs longer."
                )
            return 0
        while True:
            stopped, timed_out = self._watch(arn, settings)
            code = self._exit_code(stopped)
            if timed_out:
                self.say(f"The run failed: stopped at its Timeout ({settings.timeout} s).")
                return TIMED_OUT
            interrupted = stopped.get("stopCode") in contract.INTERRUPTED
            if interrupted and settings.rerun_on_interruption and capacity != lookups.ON_DEMAND:
                self.say("Spot interrupted the run: running it once more on FARGATE.")
                capacity = lookups.ON_DEMAND
                arn = self.current = self._start(settings, capacity, overrides)
                continue
            return code

    def _start(
        self,
        settings: lookups.RunSettings,
        capacity: list[dict[str, Any]],
        overrides: dict[str, Any],
    ) -> str:
        from botocore.exceptions import ClientError

        spot = any(c["capacityProvider"] == "FARGATE_SPOT" for c in capacity)
        providers = "+".join(c["capacityProvider"] for c in capacity)
        self.say(
            f"Starting {self.task.key} on {providers} in {settings.cluster.rsplit('/', 1)[-1]}..."
        )
        self.starting = True
        try:
            answer = self.aws("ecs").run_task(
                cluster=settings.cluster,
                taskDefinition=settings.task_definition,
                count=1,
                capacityProviderStrategy=capacity,
                networkConfiguration={"awsvpcConfiguration": settings.network},
                platformVersion="LATEST",
                enableECSManagedTags=True,
                propagateTags="TASK_DEFINITION",
                startedBy=STARTED_BY,
                overrides=overrides,
            )
            failures = [f.get("reason", "") for f in answer.get("failures", [])]
        except ClientError as error:
            answer, failures = {}, [str(error)]
        if answer.get("tasks"):
            return str(answer["tasks"][0]["taskArn"])
        reason = "; ".join(failures) or "ECS started no task"
        if spot and settings.fallback and contract.capacity_short(reason):
            self.say("Fargate Spot has no capacity: starting on FARGATE instead (Fallback).")
            return self._start(settings, lookups.ON_DEMAND, overrides)
        raise OpsError(f"ECS did not start {self.task.key}: {reason}")

    def _watch(self, arn: str, settings: lookups.RunSettings) -> tuple[dict[str, Any], bool]:
        """The stopped task, and whether the Timeout stopped it."""
        task_id = arn.rsplit("/", 1)[-1]
        tail = self._tail(task_id)
        began = self.clock()
        last_status, stopping = "", False
        while True:
            described = lookups.ecs_tasks(self.aws, settings.cluster, [arn])
            current = described[0] if described else {"lastStatus": "STOPPED"}
            status = current.get("lastStatus", "")
            if status != last_status:
                self.say(f"Task {task_id}: {status}")
                last_status = status
            tail.poll()
            if status == "STOPPED":
                self._last_lines([tail])
                return current, stopping
            if settings.timeout and not stopping and self.clock() - began > settings.timeout:
                self.say(f"Timeout ({settings.timeout} s) reached: stopping the task.")
                self.aws("ecs").stop_task(
                    cluster=settings.cluster,
                    task=arn,
                    reason=f"Timeout of {settings.timeout} s reached (serverless-fargate run)",
                )
                stopping = True
            self.sleep(self.poll)

    def _last_lines(self, tails: list[Tail]) -> None:
        """CloudWatch Logs shows a task's last lines a moment after it stops."""
        self.sleep(LOG_DELAY)
        for tail in tails:
            tail.poll()

    def _exit_code(self, stopped: dict[str, Any]) -> int:
        main: dict[str, Any] = next(
            (c for c in stopped.get("containers", []) if c.get("name") == self.task.key), {}
        )
        code = main.get("exitCode")
        reason = stopped.get("stoppedReason") or stopped.get("stopCode") or ""
        if isinstance(code, int):
            self.say(f"Exit code {code}" + (f" ({reason})" if reason and code else ""))
            return code
        self.say(
            f"{ERROR_MARK} the task stopped without an exit code (its container never ran to "
            f"an end): {reason or 'no reason given'}"
        )
        return AWS_FAILED

    def _tail(self, task_id: str) -> Tail:
        task = self.task
        if not task.log_group:
            raise OpsError(f"cannot find the log group of {task.key!r} in {task.stack!r}.")
        return Tail(self.aws, task.log_group, task.stream_prefix + task_id, self.out)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up when called, so a test's clock can stand in


def overrides(task: Task, command: list[str] | None, env: dict[str, str]) -> dict[str, Any]:
    container: dict[str, Any] = {"name": task.key}
    if command is not None:
        container["command"] = command
    if env:
        container["environment"] = [{"name": k, "value": v} for k, v in env.items()]
    return {"containerOverrides": [container]} if len(container) > 1 else {}


def run(
    aws: Aws,
    stack: Stack,
    key: str,
    *,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    network: dict[str, Any] | None = None,
    input: Any = NO_INPUT,  # noqa: A002 - the CLI's --input, any JSON value
    wait: bool = True,
    out: TextIO,
    err: TextIO,
    poll: float = 5.0,
    sleep: Callable[[float], None] | None = None,
) -> int:
    """Start one run of `key`; with `wait`, the container's exit code."""
    task = stack.task(key)
    runner = Runner(aws, task, out, err, poll=poll, sleep=sleep)
    changes = overrides(task, command, env or {})
    watched = task.kind in WATCHED_KINDS
    if input is not NO_INPUT and (changes or network is not None or not watched):
        why = (
            f"task {key!r} is a {task.kind} task: only tasks with Schedule, Events or Callers "
            "take --input (their workflow hands it to the container); use --env here"
            if not watched
            else "--input goes through the task's workflow, which takes no --command, --env "
            "or network: give --input alone"
        )
        raise OpsError(why, USAGE)
    try:
        if watched and not changes and network is None and task.workflow:
            return runner.through_workflow(wait, input)
        if watched:
            runner.say(
                "Overrides given: starting the task directly (the workflow takes no overrides); "
                "its network, capacity, Fallback and Timeout apply, its Retries and queue do not."
            )
        return runner.directly(lookups.run_settings(aws, task, network), changes, wait)
    except KeyboardInterrupt:
        if not runner.current:
            raise
        runner.say(f"\nStopped watching; the run goes on: {runner.current}")
        runner.say(follow(stack, task, runner.current))
        return INTERRUPTED
    except OpsError as error:
        if not runner.current:
            if error.connection and runner.starting:
                # The request may have reached AWS before the answer was lost.
                raise OpsError(
                    f"{error}\nThe run may have started before the connection was lost: see "
                    f"`serverless-fargate status {stack.name} --tasks` once AWS is reachable.",
                    error.code,
                ) from None
            raise
        # Lost the network (or AWS failed a call) while watching: the run does not depend on
        # this process, so say which it is and how to follow it.
        raise OpsError(
            f"{error}\nStopped watching; the run goes on: {runner.current}\n"
            f"{follow(stack, task, runner.current)}",
            error.code,
        ) from None


def follow(stack: Stack, task: Task, arn: str) -> str:
    """How to follow a run from elsewhere."""
    run_id = arn.rsplit(":", 1)[-1] if ":execution:" in arn else arn.rsplit("/", 1)[-1]
    return (
        f"Follow it: serverless-fargate logs {stack.name} {task.label} --run {run_id} --follow; "
        f"its result: serverless-fargate status {stack.name} {task.label}"
    )
