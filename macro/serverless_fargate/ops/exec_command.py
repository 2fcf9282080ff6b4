"""`serverless-fargate exec STACK TASK`: a shell (or a command) in a running task of a
service with `EnableExecuteCommand`, through ECS Exec and the Session Manager plugin, as
`aws ecs execute-command --interactive` does it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Callable
from typing import Any, TextIO

from . import lookups
from .aws import Aws
from .errors import AWS_FAILED, NOT_FOUND, STACK_PROBLEM, USAGE, OpsError
from .model import Stack, Task

PLUGIN = "session-manager-plugin"
INSTALL = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html"
)
# Plugins after this version read the session from an environment variable (the AWS CLI's rule).
LAST_PLUGIN_WITHOUT_ENV = (1, 2, 497, 0)
SESSION_ENV = "AWS_SSM_START_SESSION_RESPONSE"


def target(aws: Aws, task: Task, task_id: str | None) -> tuple[str, dict[str, Any]]:
    """(cluster, running ECS task) to open a session in; OpsError when ECS Exec cannot."""
    if task.kind != "service" or not task.service or not task.cluster:
        raise OpsError(
            f"task {task.key!r} is a {task.kind} task: exec opens a shell in a running task of a "
            "service. For a one-off look, `serverless-fargate run` it with --command.",
            USAGE,
        )
    described = lookups.services(aws, [task])
    spot = described.get(task.service, {})
    if not spot.get("enableExecuteCommand"):
        raise OpsError(
            f"the service of {task.key!r} does not allow ECS Exec. Set "
            "`Service: {EnableExecuteCommand: true}` on the task, deploy, and try again once its "
            "new tasks run.",
            STACK_PROBLEM,
        )
    running = lookups.service_tasks(aws, task, described)
    if task_id:
        running = [arn for arn in running if arn.rsplit("/", 1)[-1].startswith(task_id)]
    if not running:
        which = f"task {task_id} of " if task_id else "task of "
        raise OpsError(
            f"no running {which}{task.key!r}: see `serverless-fargate status {task.stack} "
            "--tasks`.",
            NOT_FOUND,
        )
    return task.cluster, lookups.ecs_tasks(aws, task.cluster, running[:1])[0]


def cli_line(
    region: str, profile: str | None, cluster: str, task_arn: str, container: str, command: str
) -> str:
    """The AWS CLI command that opens the same session."""
    words = ["aws", "ecs", "execute-command", "--region", region]
    if profile:
        words += ["--profile", profile]
    words += ["--cluster", cluster.rsplit("/", 1)[-1], "--task", task_arn, "--container", container]
    words += ["--interactive", "--command", command]
    return shlex.join(words)


def exec_(
    aws: Aws,
    stack: Stack,
    key: str,
    *,
    command: str = "sh",
    container: str | None = None,
    task_id: str | None = None,
    profile: str | None = None,
    err: TextIO,
    which: Callable[[str], str | None] | None = None,
    call: Callable[..., int] | None = None,
) -> int:
    which = which or shutil.which
    call = call or subprocess.call
    task = stack.task(key)
    if container and task.containers and container not in task.containers:  # the template's
        raise OpsError(
            f"task {task.label!r} has no container {container!r}; its containers are: "
            f"{', '.join(task.containers)}. Pass one of these to --container.",
            NOT_FOUND,
        )
    cluster, ecs_task = target(aws, task, task_id)
    name = container or task.key
    runtime = next(
        (c.get("runtimeId") for c in ecs_task.get("containers", []) if c["name"] == name), None
    )
    if runtime is None:
        known = ", ".join(c["name"] for c in ecs_task.get("containers", []))
        raise OpsError(
            f"task {ecs_task['taskArn'].rsplit('/', 1)[-1]} of {task.label!r} has no running "
            f"container {name!r}; its containers are: {known}. Pass one of these to --container.",
            NOT_FOUND,
        )
    line = cli_line(aws.region, profile, cluster, ecs_task["taskArn"], name, command)
    plugin = which(PLUGIN)
    if plugin is None:
        raise OpsError(
            f"the Session Manager plugin ({PLUGIN}) is not installed: ECS Exec needs it on this "
            f"machine.\nInstall it ({INSTALL}), then run this again, or use the AWS CLI:\n"
            f"  {line}",
            AWS_FAILED,
        )
    answer = aws("ecs").execute_command(
        cluster=cluster, task=ecs_task["taskArn"], container=name, interactive=True, command=command
    )
    task_part = ecs_task["taskArn"].rsplit("/", 1)[-1]
    parameters = {"Target": f"ecs:{cluster.rsplit('/', 1)[-1]}_{task_part}_{runtime}"}
    session = json.dumps(answer["session"])
    env = dict(os.environ)
    if _version(plugin) > LAST_PLUGIN_WITHOUT_ENV:
        env[SESSION_ENV] = session
        session = SESSION_ENV
    err.write(f"Opening {command!r} in {name} of task {task_part} (same as: {line})\n")
    endpoint = aws("ecs").meta.endpoint_url
    # Ctrl-C and friends belong to the remote shell: the plugin handles them, not this process.
    ignored = {s: signal.signal(s, signal.SIG_IGN) for s in _signals()}
    try:
        return call(
            [
                plugin,
                session,
                aws.region,
                "StartSession",
                profile or "",
                json.dumps(parameters),
                endpoint,
            ],
            env=env,
        )
    finally:
        for s, previous in ignored.items():
            signal.signal(s, previous)


def _signals() -> list[signal.Signals]:
    return [
        s
        for s in (signal.SIGINT, getattr(signal, "SIGTSTP", None), getattr(signal, "SIGQUIT", None))
        if s
    ]


def _version(plugin: str) -> tuple[int, ...]:
    try:
        text = subprocess.run(
            [plugin, "--version"], capture_output=True, text=True, timeout=10
        ).stdout
        return tuple(int(part) for part in text.strip().split("."))
    except (OSError, ValueError, subprocess.SubprocessError):
        return (0,)
